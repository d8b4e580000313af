// The landscape of a surface with more than two weights: a 2-D slice (the core's `slice`
// op, py/gdlab/slices.py) through the live run's end, spanned by two unit directions u
// and v. The slice is drawn as a 2-D surface whose coordinates are (α, β), the point
// w = centre + α·u + β·v, and every run on screen is drawn projected on that plane:
// (α, β) = ((w − centre)·u, (w − centre)·v).
//
//   const plane = sliceSurface(surface, answer)   // {surface, landscape, caption, key}
//   projectRun(run, plane)                        // the run with (α, β) points (cached)
//   pointOf(plane, [α, β])                        // the d weights at a picked point
//   sliceMessage(state)                           // the bridge message of the state's slice
//   const lines = createLines({ python, redraw }) // the `Loss along a line` of each drawn run:
//   lines.remember(state, plane.line); lines.of(slots) -> [{id, label, color, t, loss}]

import { runKey, runMessage } from "../state/state.js";

const rows = (x) => (x && x.shape ? Array.from({ length: x.shape[0] },
  (_, i) => Array.from(x.data.subarray(i * x.shape[1], (i + 1) * x.shape[1]))) : x);
const flat = (x) => (x && x.data ? Array.from(x.data) : x);

/** What the page draws of a slice answer (arrays from Python or plain lists from a view file). */
export function sliceSurface(s, answer) {
  const alphas = flat(answer.alphas);
  const betas = flat(answer.betas);
  const directions = rows(answer.directions);
  const centre = flat(answer.centre);
  const bounds = [[alphas[0], alphas.at(-1)], [betas[0], betas.at(-1)]];
  const inside = (p) => p[0] >= bounds[0][0] && p[0] <= bounds[0][1] && p[1] >= bounds[1][0] && p[1] <= bounds[1][1];
  const minima = (rows(answer.minima_ab) || []).filter(inside);
  const names = answer.slice === "pca" ? ["PCA 1", "PCA 2"]
    : answer.slice === "coords" ? (answer.axes || [0, 1]).map((i) => `w${i}`) : ["random 1", "random 2"];
  const plane = { directions, centre, names };
  const start = projectPoint(plane, flat(answer.path_ab ? rows(answer.path_ab)[0] : centre), true);
  return {
    ...plane,
    key: `${s.name}:${answer.slice}:${answer.slice_at}:${centre.join(",")}:${directions.flat().join(",")}`,
    caption: caption(answer, names),
    surface: { ...s, dim: 2, bounds, minima, start, titles: names, slice: true },
    landscape: { surface: s.name, dim: 2, bounds, minima, x: alphas, y: betas, z: rows(answer.loss) },
    line: { t: flat(answer.line_t), loss: flat(answer.line_loss) },
  };
}

/** "PCA 1 and 2: 97 % of the path" (the plane through the run's end; "at its start" else). */
function caption(answer, names) {
  const at = answer.slice_at === "start" ? ", at the start" : "";
  if (answer.slice === "pca" && answer.explained !== null && answer.explained !== undefined) {
    return `PCA 1 and 2: ${Math.round(100 * answer.explained)} % of the path${at}`;
  }
  return `${names.join(" and ")}${at}`;
}

/** [α, β] of a point (d weights), or the point itself when it is already [α, β]. */
function projectPoint(plane, p, projected = false) {
  if (projected) return p;
  const [u, v] = plane.directions;
  let a = 0;
  let b = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i] - plane.centre[i];
    a += x * u[i];
    b += x * v[i];
  }
  return [a, b];
}

const projected = new WeakMap();   // run -> {key, run}: one object per run and plane

/** The run drawn on the plane: its points as (α, β), the same object for the same plane. */
export function projectRun(run, plane) {
  if (!run || !plane || run.projected) return run;
  const hit = projected.get(run);
  if (hit && hit.key === plane.key) return hit.run;
  const out = { ...run, points: run.points.map((p) => projectPoint(plane, p)) };
  projected.set(run, { key: plane.key, run: out });
  return out;
}

/** The d weights at (α, β) on the plane. */
export function pointOf(plane, [a, b]) {
  const [u, v] = plane.directions;
  return plane.centre.map((c, i) => c + a * u[i] + b * v[i]);
}

/** The `slice` call for the state's live run and the state's plane. */
export function sliceMessage(state) {
  return { ...runMessage(state), op: "slice", slice: state.slice || "pca", slice_seed: state.slice_seed || 0,
    slice_at: state.slice_at || "end", axes: (state.axes || [0, 1]).join(",") };
}

/**
 * The loss along each drawn run's start -> end line: the live run's from its plane, the
 * others (kept runs, a preset's) asked of Python once each (a 3 x 3 `slice`, background).
 */
export function createLines({ python, redraw }) {
  const cache = new Map();     // run key -> {t, loss}
  const asked = new Set();

  function ask(state, key) {
    if (asked.has(key) || !python.ready) return;
    asked.add(key);
    python.client.call({ ...sliceMessage(state), size: 3 }, { background: true }).then((answer) => {
      if (answer && !answer.error) {
        cache.set(key, { t: flat(answer.line_t), loss: flat(answer.line_loss) });
        redraw();
      }
    }, () => asked.delete(key));
  }

  return {
    remember: (state, line) => cache.set(runKey(state), line),
    of(slots) {
      const out = [];
      for (const slot of slots) {
        if (!slot.state || !slot.run) continue;
        const key = runKey(slot.state);
        const line = cache.get(key);
        if (line) out.push({ id: slot.id, label: slot.label, color: slot.color, ...line });
        else ask(slot.state, key);
      }
      return out;
    },
  };
}
