// The two plots. Plotly (the classic script in static/vendor) is `window.Plotly`.
//
//   const plots = createPlots(landscapeDiv, curveDiv, { onPick });
//   plots.showSurface(surface, landscape)  // once per surface: contour or curve, fixed axes
//   plots.showRun(run, cursor)             // the path up to step `cursor`: path traces only
//
// Loss landscape, 2-D: contour (log-spaced levels when the loss is >= its minimum), the
// minima (stars), the path (markers per step), its start (ring) and its current end (dot).
// 1-D: the curve L(w), the path (x = w, y = loss), the current point and the local slope
// there as a dashed tangent. Loss curve: loss per step (loss - min_loss on a log axis when
// the surface says so). The trace named `path` carries the trajectory in both graphs.
// Moving the learning rate only restyles the path traces: the contour is never resent.

const PATH_COLOR = "#e4572e";
const START_COLOR = "#111";
const CONTOUR_SCALE = [
  [0, "#0b2e4f"], [0.15, "#1d5a85"], [0.35, "#3d8bb5"], [0.55, "#7fbcd2"],
  [0.75, "#c4e1e6"], [1, "#f6f4ea"],
];
const CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#222" };

/** Float64Array (or plain array) of a bridge vector: `{shape, data}`, a typed array or a list. */
export function vec(v) {
  if (v === null || v === undefined) return [];
  if (v.data !== undefined && v.shape !== undefined) return v.data;
  return v;
}

/** Rows of a bridge matrix as arrays: `{shape:[n, m], data}` or nested lists. */
export function rows(v) {
  if (v === null || v === undefined) return [];
  if (v.data !== undefined && v.shape !== undefined) {
    const [n, m] = v.shape.length === 1 ? [v.shape[0], 1] : v.shape;
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = Array.from(v.data.subarray ? v.data.subarray(i * m, i * m + m) : v.data.slice(i * m, i * m + m));
    return out;
  }
  return v.map((r) => (Array.isArray(r) || ArrayBuffer.isView(r) ? Array.from(r) : [r]));
}

const finite = (x) => typeof x === "number" && Number.isFinite(x);

/**
 * A run as the plots use it: points (rows of d numbers) and loss per step, cut before
 * the first row with a non-finite number (a diverged path ends where it left them).
 */
export function normalizeRun(res) {
  const points = rows(res.path);
  const loss = Array.from(vec(res.loss), (x) => (x === null ? NaN : x));
  let m = Math.min(points.length, loss.length);
  for (let i = 0; i < m; i++) {
    if (!finite(loss[i]) || points[i].some((x) => !finite(x))) { m = i; break; }
  }
  return { ...res, points: points.slice(0, m), losses: loss.slice(0, m) };
}

function baseLayout(extra) {
  return {
    margin: { l: 48, r: 12, t: 8, b: 36 }, font: FONT, showlegend: false,
    dragmode: false, hovermode: "closest", paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
    ...extra,
  };
}

function axis(title, extra = {}) {
  return { title: { text: title, standoff: 4 }, fixedrange: true, zeroline: false, automargin: true, ...extra };
}

/** Contour levels read best on a log scale when the loss is bounded below by min_loss. */
function contourTrace(surface, land) {
  const x = Array.from(vec(land.x));
  const y = Array.from(vec(land.y));
  const z = rows(land.z);
  const min = Number.isFinite(surface.min_loss) ? surface.min_loss : null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of z) for (const v of r) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const useLog = surface.log_loss && min !== null && lo >= min - 1e-9 * Math.max(1, Math.abs(min));
  const trace = {
    type: "contour", name: "landscape", x, y, hoverongaps: false, showscale: false,
    colorscale: CONTOUR_SCALE, line: { width: 0.6, color: "rgba(255,255,255,0.45)" },
    contours: { coloring: "fill" }, ncontours: 24,
  };
  if (useLog) {
    // Levels evenly spaced in log10(loss - min): 20 of them over four decades below the top.
    const top = Math.log10(Math.max(hi - min, 1e-12));
    const floor = 10 ** (top - 4);
    trace.z = z.map((r) => r.map((v) => Math.log10(Math.max(v - min, 0) + floor)));
    trace.autocontour = false;
    trace.contours.start = top - 3.9;
    trace.contours.end = top;
    trace.contours.size = 0.2;
    trace.customdata = z;
    trace.hovertemplate = "(%{x:.3f}, %{y:.3f})<br>loss %{customdata:.4g}<extra></extra>";
  } else {
    trace.z = z;
    trace.hovertemplate = "(%{x:.3f}, %{y:.3f})<br>loss %{z:.4g}<extra></extra>";
  }
  return trace;
}

/** Slope of the 1-D curve at w, from the landscape grid (central difference). */
function slopeAt(xs, zs, w) {
  const n = xs.length;
  if (n < 2 || !Number.isFinite(w)) return NaN;
  let i = 0;
  if (w <= xs[0]) i = 0;
  else if (w >= xs[n - 1]) i = n - 2;
  else {
    let a = 0;
    let b = n - 1;
    while (b - a > 1) { const c = (a + b) >> 1; if (xs[c] <= w) a = c; else b = c; }
    i = a;
  }
  return (zs[i + 1] - zs[i]) / (xs[i + 1] - xs[i]);
}

export function createPlots(landscapeEl, curveEl, { onPick } = {}) {
  const P = () => window.Plotly;
  let surface = null;
  let dim = 0;
  let land = null;
  let curveXs = [];
  let curveZs = [];
  let lossLog = false;
  let pathIdx = [];
  let ready = Promise.resolve();

  function lossValues(losses) {
    if (!lossLog) return losses;
    const min = surface.min_loss;
    const floor = 1e-16 * Math.max(1, Math.abs(min));
    return losses.map((v) => Math.max(v - min, floor));
  }

  /** Draw a surface's landscape and an empty loss curve; fixes the axes to its bounds. */
  function showSurface(s, landscape) {
    surface = s;
    dim = s.dim;
    land = landscape;
    lossLog = Boolean(s.log_loss) && Number.isFinite(s.min_loss);
    const bounds = s.bounds || [];
    const minima = s.minima || [];
    let traces;
    let layout;
    if (dim === 2 && landscape) {
      traces = [
        contourTrace(s, landscape),
        { type: "scatter", mode: "markers", name: "minima", x: minima.map((m) => m[0]), y: minima.map((m) => m[1]),
          marker: { symbol: "star", size: 13, color: "#ffd23f", line: { color: "#333", width: 1 } },
          hovertemplate: "minimum (%{x:.3g}, %{y:.3g})<extra></extra>" },
        { type: "scatter", mode: "lines+markers", name: "path", x: [], y: [],
          line: { color: PATH_COLOR, width: 2 }, marker: { color: PATH_COLOR, size: 5, line: { color: "#fff", width: 0.5 } },
          hovertemplate: "step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>" },
        { type: "scatter", mode: "markers", name: "start", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle-open", size: 14, color: START_COLOR, line: { width: 2.5 } } },
        { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle", size: 11, color: PATH_COLOR, line: { color: "#fff", width: 2 } } },
      ];
      pathIdx = [2, 3, 4];
      layout = baseLayout({
        xaxis: axis("w₀", { range: bounds[0], showgrid: false }),
        yaxis: axis("w₁", { range: bounds[1], showgrid: false }),
      });
    } else if (dim === 1 && landscape) {
      curveXs = Array.from(vec(landscape.x));
      curveZs = Array.from(vec(landscape.z));
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of curveZs) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const pad = 0.06 * (hi - lo || 1);
      traces = [
        { type: "scatter", mode: "lines", name: "landscape", x: curveXs, y: curveZs,
          line: { color: "#1d5a85", width: 2.5 }, hovertemplate: "w %{x:.3f}<br>loss %{y:.4g}<extra></extra>" },
        { type: "scatter", mode: "markers", name: "minima", x: minima.map((m) => m[0]),
          y: minima.map((m) => { const i = nearest(curveXs, m[0]); return curveZs[i]; }),
          marker: { symbol: "star", size: 12, color: "#ffd23f", line: { color: "#333", width: 1 } },
          hovertemplate: "minimum w = %{x:.3g}<extra></extra>" },
        { type: "scatter", mode: "lines+markers", name: "path", x: [], y: [],
          line: { color: "rgba(228,87,46,0.45)", width: 1.5 }, marker: { color: PATH_COLOR, size: 6 },
          hovertemplate: "step %{pointNumber}<br>w %{x:.4g}<br>loss %{y:.4g}<extra></extra>" },
        { type: "scatter", mode: "lines", name: "slope", x: [], y: [], hoverinfo: "skip",
          line: { color: "#333", width: 1.5, dash: "dash" } },
        { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle", size: 14, color: PATH_COLOR, line: { color: "#fff", width: 2 } } },
      ];
      pathIdx = [2, 3, 4];
      layout = baseLayout({
        xaxis: axis("w", { range: bounds[0] }),
        yaxis: axis("loss", { range: [lo - pad, hi + pad] }),
      });
    } else {
      // More than two parameters: no landscape to draw; show the first two coordinates.
      traces = [
        { type: "scatter", mode: "lines+markers", name: "path", x: [], y: [],
          line: { color: PATH_COLOR, width: 2 }, marker: { color: PATH_COLOR, size: 4 } },
        { type: "scatter", mode: "markers", name: "start", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle-open", size: 14, color: START_COLOR, line: { width: 2.5 } } },
        { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle", size: 11, color: PATH_COLOR, line: { color: "#fff", width: 2 } } },
      ];
      pathIdx = [0, 1, 2];
      layout = baseLayout({ xaxis: axis("w₀"), yaxis: axis("w₁") });
    }
    const curveTraces = [
      { type: "scatter", mode: "lines", name: "path", x: [], y: [], line: { color: PATH_COLOR, width: 2 },
        hovertemplate: lossLog ? "step %{x}<br>loss − min %{y:.4g}<extra></extra>" : "step %{x}<br>loss %{y:.4g}<extra></extra>" },
      { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
        marker: { color: PATH_COLOR, size: 9, line: { color: "#fff", width: 1.5 } } },
    ];
    const curveLayout = baseLayout({
      xaxis: axis("step", { range: [0, Math.max(1, s.steps || 1)] }),
      yaxis: axis(lossLog ? (s.min_loss ? "loss − min" : "loss (log)") : "loss",
        { type: lossLog ? "log" : "linear", autorange: true, exponentformat: "power" }),
    });
    ready = Promise.all([
      P().react(landscapeEl, traces, layout, CONFIG),
      P().react(curveEl, curveTraces, curveLayout, CONFIG),
    ]);
    return ready;
  }

  /** Show `run` (normalized) up to step `cursor`. Only the path traces change. */
  async function showRun(run, cursor, steps) {
    await ready;
    if (!surface) return;
    const pts = run.points;
    const k = Math.max(0, Math.min(cursor, pts.length - 1));
    const shown = pts.slice(0, k + 1);
    const losses = run.losses.slice(0, k + 1);
    const last = shown[shown.length - 1];
    let update;
    if (dim === 1 && land) {
      const w = last ? last[0] : NaN;
      const L = losses.length ? losses[losses.length - 1] : NaN;
      const g = slopeAt(curveXs, curveZs, w);
      const half = 0.12 * ((surface.bounds?.[0]?.[1] ?? 1) - (surface.bounds?.[0]?.[0] ?? 0));
      const tangent = Number.isFinite(g) && Number.isFinite(L)
        ? { x: [w - half, w + half], y: [L - g * half, L + g * half] } : { x: [], y: [] };
      update = {
        x: [shown.map((p) => p[0]), tangent.x, last ? [w] : []],
        y: [losses, tangent.y, last ? [L] : []],
      };
    } else {
      update = {
        x: [shown.map((p) => p[0]), pts.length ? [pts[0][0]] : [], last ? [last[0]] : []],
        y: [shown.map((p) => p[1] ?? 0), pts.length ? [pts[0][1] ?? 0] : [], last ? [last[1] ?? 0] : []],
      };
    }
    const ys = lossValues(losses);
    const steps0 = Math.max(1, steps ?? surface.steps ?? 1);
    const xs = ys.map((_, i) => i);
    await Promise.all([
      P().restyle(landscapeEl, update, pathIdx),
      P().update(curveEl, { x: [xs, ys.length ? [k] : []], y: [ys, ys.length ? [ys[ys.length - 1]] : []] },
        curveEl.layout.xaxis.range[1] !== steps0 ? { "xaxis.range": [0, steps0] } : {}, [0, 1]),
    ]);
  }

  // A click (or tap) on the landscape picks a start point in data coordinates.
  landscapeEl.addEventListener("click", (event) => {
    const fl = landscapeEl._fullLayout;
    if (!fl || !onPick || !surface || dim > 2) return;
    const box = landscapeEl.querySelector(".main-svg")?.getBoundingClientRect();
    if (!box) return;
    const xa = fl.xaxis;
    const ya = fl.yaxis;
    const px = event.clientX - box.left - xa._offset;
    const py = event.clientY - box.top - ya._offset;
    if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
    if (dim === 1) onPick([xa.p2d(px)]);
    else onPick([xa.p2d(px), ya.p2d(py)]);
  });

  return {
    showSurface, showRun,
    get surfaceName() { return surface ? surface.name : null; },
  };
}

function nearest(xs, x) {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
  return best;
}
