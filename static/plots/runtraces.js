// One run drawn into the two plots: pure functions from a run (normalized) and a step
// to Plotly trace objects. plots.js decides which traces to send.
//
// A slot is what the view draws for one run:
//   { id, label, color, run, live, traceName?, dash? }
// `traceName` defaults to the label; the live run's is "path" (DESIGN.md).

const finite = (x) => typeof x === "number" && Number.isFinite(x);

/**
 * A run as the plots use it: points (rows of d numbers) and loss per step, cut before
 * the first row with a non-finite number (a diverged path ends where it left them).
 * The answer's own `path` and `loss` are not kept: the points and losses are their copy
 * (a view's 5000-step runs would be held twice).
 */
export function normalizeRun(res, rowsOf, vecOf) {
  // a network's run from a view file carries no weights: its path on the view's slice
  // plane, (α, β) per step (`projected`; slice.js draws it as it is)
  const { path, path_ab: pathAb, loss: rawLoss, ...rest } = res;
  const points = rowsOf(path ?? pathAb);
  const raw = vecOf(rawLoss);
  const loss = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) loss[i] = raw[i] === null ? NaN : raw[i];
  let m = Math.min(points.length, loss.length);
  scan: for (let i = 0; i < m; i++) {   // (plain loops: no closure per point of a 5000-step run)
    if (!finite(loss[i])) { m = i; break; }
    const p = points[i];
    for (let j = 0; j < p.length; j++) if (!finite(p[j])) { m = i; break scan; }
  }
  if (points.length > m) points.length = m;
  if (loss.length > m) loss.length = m;
  return { ...rest, points, losses: loss, projected: !path && Boolean(pathAb) };
}

/**
 * How many of the run's points can be drawn: a diverging path is drawn until it is a
 * million view-widths away (further out, SVG cannot place a marker; no one sees it).
 * Runs are never changed once made, so the count is kept per run and surface context.
 */
export function drawable(run, ctx) {
  const kept = drawableCount.get(run);
  if (kept && kept[0] === ctx) return kept[1];
  const count = drawableOf(run, ctx);
  drawableCount.set(run, [ctx, count]);
  return count;
}
const drawableCount = new WeakMap();

function drawableOf(run, ctx) {
  const n = run.points.length;
  if (!ctx.hasLandscape || ctx.dim > 2) return n;
  // far: more than 1e6 widths of the view from its centre (no closure or pair per point)
  const [xa, xb] = ctx.xRange;
  const [ya, yb] = ctx.yRange || [0, 1];
  const cx = (xa + xb) / 2;
  const cy = (ya + yb) / 2;
  const rx = 1e6 * Math.max(Math.abs(xb - xa), 1e-12);
  const ry = 1e6 * Math.max(Math.abs(yb - ya), 1e-12);
  const two = ctx.dim === 2;
  for (let i = 0; i < n; i++) {
    const p = run.points[i];
    if (Math.abs(p[0] - cx) > rx || Math.abs((two ? p[1] : run.losses[i]) - cy) > ry) return Math.max(i, 1);
  }
  return n;
}

/** The step shown for a run when the view's cursor is at `cursor`. */
export function stepOf(run, cursor, ctx) {
  return Math.max(0, Math.min(cursor, drawable(run, ctx) - 1));
}

/** The landscape's traces of one run: its path and its current point. */
export function landscapeTraces(slot, cursor, ctx) {
  const { run, color } = slot;
  const k = stepOf(run, cursor, ctx);
  const pts = run.points.slice(0, k + 1);
  const last = pts[pts.length - 1];
  const one = ctx.dim === 1 && ctx.hasLandscape;
  const x = pts.map((p) => p[0]);
  const y = one ? run.losses.slice(0, k + 1) : pts.map((p) => p[1] ?? 0);
  const width = slot.live ? 2.5 : 2;
  const path = {
    type: "scatter", mode: slot.dash ? "lines" : "lines+markers", name: slot.traceName ?? slot.label,
    x, y, legendgroup: slot.id, showlegend: false, opacity: 1,
    line: { color: one ? fade(color) : color, width: one ? 1.5 : width, dash: slot.dash || "solid" },
    marker: { color, size: one ? 6 : (slot.live ? 5 : 4), line: { color: "#fff", width: 0.5 }, maxdisplayed: 300 },
    hovertemplate: one ? `${esc(slot.label)}<br>step %{pointNumber}<br>w %{x:.4g}<br>loss %{y:.4g}<extra></extra>`
      : `${esc(slot.label)}<br>step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
  };
  const end = {
    type: "scatter", mode: "markers", name: `${slot.label} (now)`, legendgroup: slot.id, showlegend: false,
    x: last ? [x[x.length - 1]] : [], y: last ? [y[y.length - 1]] : [], hoverinfo: "skip", opacity: 1,
    marker: { symbol: "circle", size: slot.live ? 13 : 10, color, line: { color: "#fff", width: 2 } },
  };
  return [path, end];
}

/**
 * The loss curve's traces of one run: loss per step up to the cursor, its end dot and,
 * on a surface with held-out rows, the validation loss (dashed; empty otherwise).
 */
export function curveTraces(slot, cursor, ctx, yRange) {
  const { run, color } = slot;
  const k = stepOf(run, cursor, ctx);
  const ys = ctx.lossValues(run.losses).slice(0, k + 1);
  const endY = ys.length ? ys[ys.length - 1] : NaN;
  const endT = ctx.lossLog ? Math.log10(endY) : endY;
  const endShown = endT >= yRange[0] && endT <= yRange[1];   // off the axis: no marker
  const val = run.val_loss ? ctx.lossValues(run.val_loss.data ?? run.val_loss).slice(0, k + 1) : [];
  const name = slot.traceName ?? slot.label;
  return [
    { type: "scatter", mode: "lines", name, x: ys.map((_, i) => i), y: ys,
      legendgroup: slot.id, showlegend: false, opacity: 1,
      line: { color, width: slot.live ? 2.5 : 2, dash: slot.dash || "solid" },
      hovertemplate: `${esc(slot.label)}<br>step %{x}<br>${ctx.lossLog ? "loss − min" : "loss"} %{y:.4g}<extra></extra>` },
    { type: "scatter", mode: "markers", name: `${slot.label} (now)`, legendgroup: slot.id, showlegend: false,
      x: endShown ? [k] : [], y: endShown ? [endY] : [], hoverinfo: "skip", opacity: 1,
      marker: { color, size: slot.live ? 9 : 7, line: { color: "#fff", width: 1.5 } } },
    { type: "scatter", mode: "lines", name: slot.live ? "validation" : `${slot.label} (validation)`,
      x: val.map((_, i) => i), y: val, legendgroup: slot.id, showlegend: false, opacity: 1,
      line: { color, width: 2, dash: "dash" },
      hovertemplate: `${esc(slot.label)}, held-out rows<br>step %{x}<br>validation loss %{y:.4g}<extra></extra>` },
  ];
}

/** The live run's extras in the landscape: its start (ring) and, in 1-D, the local slope. */
export function liveExtras(slot, cursor, ctx) {
  const out = [];
  const run = slot && slot.run;
  const first = run && run.points[0];
  const one = ctx.dim === 1 && ctx.hasLandscape;
  out.push({ type: "scatter", mode: "markers", name: "start", hoverinfo: "skip", showlegend: false,
    x: first && !one ? [first[0]] : [], y: first && !one ? [first[1] ?? 0] : [],
    marker: { symbol: "circle-open", size: 15, color: ctx.startColor, line: { width: 2.5 } } });
  if (one) {
    const k = run ? stepOf(run, cursor, ctx) : 0;
    const w = run && run.points[k] ? run.points[k][0] : NaN;
    const L = run ? run.losses[k] : NaN;
    const g = ctx.curve ? slopeOf(ctx, w) : NaN;
    const half = 0.12 * (ctx.xRange[1] - ctx.xRange[0]);
    const ok = Number.isFinite(g) && Number.isFinite(L);
    out.push({ type: "scatter", mode: "lines", name: "slope", hoverinfo: "skip", showlegend: false,
      x: ok ? [w - half, w + half] : [], y: ok ? [L - g * half, L + g * half] : [],
      line: { color: ctx.inkColor, width: 1.5, dash: "dash" } });
  }
  return out;
}

function slopeOf(ctx, w) {
  return ctx.slopeAt(ctx.curve, w);
}

/** A colour at 45 % opacity (the 1-D path's line under its dots). */
function fade(color) {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},0.45)`;
}

/** Text for a Plotly hover template: no markup, no template fields. */
function esc(text) {
  return String(text).replace(/[<>&%{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}
