// The two plots. Plotly (the classic script in static/vendor) is `window.Plotly`.
//
//   const plots = createPlots(landscapeBgDiv, landscapeDiv, curveDiv, { onPick });
//   plots.showSurface(surface, landscape)  // once per surface: contour or curve, fixed axes
//   plots.showRun(run, cursor, steps, key) // the path up to step `cursor`: path traces only
//                                          // (key: the experiment but its lr; same key,
//                                          // same loss-curve frame)
//
// Loss landscape, 2-D: contour (log-spaced levels when the loss is >= its minimum), the
// minima (stars), the path (markers per step), its start (ring) and its current end (dot).
// 1-D: the curve L(w), the path (x = w, y = loss), the current point and the local slope
// there as a dashed tangent. Loss curve: loss per step (loss - min_loss on a log axis when
// the surface says so). The trace named `path` carries the trajectory in both graphs.
// Moving the learning rate only redraws the path traces: the contour lives in its own
// graph under the path's (see createPlots) and is never resent.

import { COMPARE_COLOR, CONTOUR_SCALE, FONT, PATH_COLOR, START_COLOR } from "./theme.js";

const COMPARE_TRACE = () => ({
  type: "scatter", mode: "lines", name: "compare", x: [], y: [], hoverinfo: "skip",
  line: { color: COMPARE_COLOR, width: 2, dash: "dot" },
});
const CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };

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
  return { title: { text: title, standoff: 4 }, fixedrange: true, zeroline: false, automargin: false, ...extra };
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

function animate(gd, data, traces, layout) {
  // A zero-length transition without redraw: Plotly recomputes and redraws only these
  // traces (and the axes when `layout` moves them). All traces of `gd` are scatter.
  return window.Plotly.animate(gd, { data, traces, layout: layout || {} }, {
    transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate",
  }).catch(() => {});
}

/**
 * A y range for the loss curve that holds `values` and moves in coarse jumps (three
 * decades on a log axis, one "nice" step on a linear one), so scrubbing the learning
 * rate rarely redraws the axis: that redraw costs more than the curve itself.
 */
function curveRange(values, log) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    const t = log ? Math.log10(v) : v;
    if (Number.isFinite(t)) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
  }
  if (!Number.isFinite(lo)) return log ? [-1, 1] : [0, 1];
  if (log) {
    const a = Math.floor(lo / 3) * 3;
    const b = Math.max(Math.ceil((hi + 0.1) / 3) * 3, a + 3);
    return [a - 0.15, b];
  }
  const step = 10 ** Math.floor(Math.log10(Math.max(hi - lo, Math.abs(hi) * 1e-3, 1e-12)));
  const a = Math.floor(lo / step) * step;
  const b = Math.ceil(hi / step) * step;
  const pad = 0.04 * (b - a || step);
  return [a - pad, (b > a ? b : a + step) + pad];
}

/**
 * `bgEl` holds what changes with the surface only (contour or curve, minima, the axes);
 * `fgEl`, transparent and exactly on top of it with the same margins and ranges, holds
 * the path; `curveEl` the loss per step.
 */
export function createPlots(bgEl, fgEl, curveEl, { onPick } = {}) {
  const P = () => window.Plotly;
  let surface = null;
  let dim = 0;
  let land = null;
  let curveXs = [];
  let curveZs = [];
  let lossLog = false;
  let ready = Promise.resolve();
  let fgTraces = 0;
  let viewY = null;        // the landscape's fixed y range
  let shownRun = null;     // [run, cursor, steps] on screen now
  let sticky = null;       // {key, range}: the loss curve's y range for this experiment

  function lossValues(losses) {
    if (!lossLog) return losses;
    const min = surface.min_loss;
    const floor = 1e-16 * Math.max(1, Math.abs(min));
    return losses.map((v) => Math.max(v - min, floor));
  }

  /**
   * Draw a surface's landscape, with `initial` = {run, cursor, steps} (drawn in the same
   * pass, for a fast first paint) or an empty path; the axes are fixed to its bounds.
   */
  function showSurface(s, landscape, initial = null) {
    surface = s;
    dim = s.dim;
    land = landscape;
    lossLog = Boolean(s.log_loss) && Number.isFinite(s.min_loss);
    const bounds = s.bounds || [];
    const minima = s.minima || [];
    const star = { symbol: "star", size: 13, color: "#ffd23f", line: { color: "#333", width: 1 } };
    let bg = [];
    let fg;
    let xr;
    let yr;
    let titles = ["w₀", "w₁"];
    if (dim === 2 && landscape) {
      bg = [
        contourTrace(s, landscape),
        { type: "scatter", mode: "markers", name: "minima", x: minima.map((m) => m[0]),
          y: minima.map((m) => m[1]), marker: star, hoverinfo: "skip" },
      ];
      fg = [
        { type: "scatter", mode: "lines+markers", name: "path", x: [], y: [],
          line: { color: PATH_COLOR, width: 2 },
          marker: { color: PATH_COLOR, size: 5, line: { color: "#fff", width: 0.5 }, maxdisplayed: 400 },
          hovertemplate: "step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>" },
        { type: "scatter", mode: "markers", name: "start", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle-open", size: 14, color: START_COLOR, line: { width: 2.5 } } },
        { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle", size: 11, color: PATH_COLOR, line: { color: "#fff", width: 2 } } },
      ];
      [xr, yr] = [bounds[0], bounds[1]];
    } else if (dim === 1 && landscape) {
      curveXs = Array.from(vec(landscape.x));
      curveZs = Array.from(vec(landscape.z));
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of curveZs) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const pad = 0.06 * (hi - lo || 1);
      bg = [
        { type: "scatter", mode: "lines", name: "landscape", x: curveXs, y: curveZs,
          line: { color: "#1d5a85", width: 2.5 }, hoverinfo: "skip" },
        { type: "scatter", mode: "markers", name: "minima", x: minima.map((m) => m[0]),
          y: minima.map((m) => curveZs[nearest(curveXs, m[0])]), marker: star, hoverinfo: "skip" },
      ];
      fg = [
        { type: "scatter", mode: "lines+markers", name: "path", x: [], y: [],
          line: { color: "rgba(228,87,46,0.45)", width: 1.5 }, marker: { color: PATH_COLOR, size: 6 },
          hovertemplate: "step %{pointNumber}<br>w %{x:.4g}<br>loss %{y:.4g}<extra></extra>" },
        { type: "scatter", mode: "lines", name: "slope", x: [], y: [], hoverinfo: "skip",
          line: { color: "#333", width: 1.5, dash: "dash" } },
        { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle", size: 14, color: PATH_COLOR, line: { color: "#fff", width: 2 } } },
      ];
      [xr, yr] = [bounds[0], [lo - pad, hi + pad]];
      titles = ["w", "loss"];
    } else {
      // More than two parameters: no landscape to draw; the first two coordinates.
      fg = [
        { type: "scatter", mode: "lines+markers", name: "path", x: [], y: [],
          line: { color: PATH_COLOR, width: 2 }, marker: { color: PATH_COLOR, size: 4 } },
        { type: "scatter", mode: "markers", name: "start", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle-open", size: 14, color: START_COLOR, line: { width: 2.5 } } },
        { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
          marker: { symbol: "circle", size: 11, color: PATH_COLOR, line: { color: "#fff", width: 2 } } },
      ];
      [xr, yr] = [[-1, 1], [-1, 1]];
    }
    fg.push(COMPARE_TRACE());   // a built-in optimizer beside the learner's step(), if any
    fgTraces = fg.length;
    viewY = yr || null;
    shownRun = null;
    sticky = null;
    const margin = { l: 56, r: 14, t: 10, b: 44 };
    const bgLayout = baseLayout({
      margin,
      xaxis: axis(titles[0], { range: xr, automargin: false, showgrid: dim === 1 }),
      yaxis: axis(titles[1], { range: yr, automargin: false, showgrid: dim === 1 }),
    });
    const bare = { range: null, fixedrange: true, automargin: false, showgrid: false, zeroline: false,
      showticklabels: false, ticks: "", showline: false };
    const fgLayout = baseLayout({
      margin, plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: { ...bare, range: xr }, yaxis: { ...bare, range: yr },
    });
    const curveTraces = [
      { type: "scatter", mode: "lines", name: "path", x: [], y: [], line: { color: PATH_COLOR, width: 2 },
        hovertemplate: lossLog ? "step %{x}<br>loss − min %{y:.4g}<extra></extra>" : "step %{x}<br>loss %{y:.4g}<extra></extra>" },
      { type: "scatter", mode: "markers", name: "end", x: [], y: [], hoverinfo: "skip",
        marker: { color: PATH_COLOR, size: 9, line: { color: "#fff", width: 1.5 } } },
      COMPARE_TRACE(),
    ];
    const curveLayout = baseLayout({
      margin: { l: 72, r: 14, t: 10, b: 44 },
      xaxis: axis("step", { range: [0, Math.max(1, s.steps || 1)] }),
      yaxis: axis(lossLog ? (s.min_loss ? "loss − min" : "loss (log)") : "loss",
        { type: lossLog ? "log" : "linear", range: lossLog ? [-1, 1] : [0, 1], exponentformat: "power" }),
    });
    if (initial && initial.run && initial.run.points.length) {
      const f = frame(initial.run, initial.cursor, initial.steps, initial.key);
      fg.forEach((t, i) => Object.assign(t, f.fgData[i]));
      curveTraces.forEach((t, i) => Object.assign(t, f.curveData[i]));
      curveLayout.xaxis.range = f.curveLayout["xaxis.range"];
      curveLayout.yaxis.range = f.curveLayout["yaxis.range"];
      if (f.fgLayout) {
        fgLayout.xaxis.range = f.fgLayout["xaxis.range"];
        fgLayout.yaxis.range = f.fgLayout["yaxis.range"];
      }
      shownRun = [initial.run, initial.cursor, initial.steps];
    }
    ready = Promise.all([
      P().react(bgEl, bg, bgLayout, { ...CONFIG, staticPlot: true }),
      P().react(fgEl, fg, fgLayout, CONFIG),
      P().react(curveEl, curveTraces, curveLayout, CONFIG),
    ]);
    return ready;
  }

  /**
   * How many of the run's points can be drawn: a diverging path is drawn until it is a
   * million view-widths away (further out, SVG cannot place a marker; no one sees it).
   */
  function drawable(run) {
    const n = run.points.length;
    if (!land || dim > 2) return n;
    const box = dim === 2 ? surface.bounds : [surface.bounds[0], viewY || [0, 1]];
    const far = (v, [a, b]) => Math.abs(v - (a + b) / 2) > 1e6 * Math.max(Math.abs(b - a), 1e-12);
    for (let i = 0; i < n; i++) {
      const p = dim === 2 ? run.points[i] : [run.points[i][0], run.losses[i]];
      if (far(p[0], box[0]) || far(p[1], box[1])) return Math.max(i, 1);
    }
    return n;
  }

  /** The path traces' data and the axes' ranges that show `run` up to step `cursor`. */
  /**
   * The loss curve's y range: it fits the run (capped at 1000x the starting loss, so a
   * blow-up leaves through the top instead of flattening everything) and, while only the
   * learning rate changes (same `key`), only ever grows: scrubbing compares curves in one
   * frame and the axis is rarely redrawn.
   */
  function stickyRange(all, key) {
    let r = curveRange(all, lossLog);
    const first = all[0];
    if (Number.isFinite(first)) {
      if (lossLog && first > 0) {
        r = [r[0], Math.min(r[1], Math.ceil((Math.log10(first) + 3.1) / 3) * 3)];
      } else if (!lossLog) {
        const span = Math.max(Math.abs(first), 1) * 1e4;
        r = [Math.max(r[0], first - span), Math.min(r[1], first + span)];
      }
    }
    if (sticky && key !== undefined && sticky.key === key) {
      r = [Math.min(r[0], sticky.range[0]), Math.max(r[1], sticky.range[1])];
    }
    sticky = { key, range: r };
    return r;
  }

  function frame(run, cursor, steps, key) {
    const pts = run.points.slice(0, drawable(run));
    const k = Math.max(0, Math.min(cursor, pts.length - 1));
    const shown = pts.slice(0, k + 1);
    const losses = run.losses.slice(0, k + 1);
    const last = shown[shown.length - 1];
    let fgData;
    let fgLayout = null;
    if (dim === 1 && land) {
      const w = last ? last[0] : NaN;
      const L = losses.length ? losses[losses.length - 1] : NaN;
      const g = slopeAt(curveXs, curveZs, w);
      const half = 0.12 * ((surface.bounds?.[0]?.[1] ?? 1) - (surface.bounds?.[0]?.[0] ?? 0));
      const tangent = Number.isFinite(g) && Number.isFinite(L)
        ? { x: [w - half, w + half], y: [L - g * half, L + g * half] } : { x: [], y: [] };
      fgData = [
        { x: shown.map((p) => p[0]), y: losses },
        tangent,
        { x: last ? [w] : [], y: last ? [L] : [] },
      ];
    } else {
      fgData = [
        { x: shown.map((p) => p[0]), y: shown.map((p) => p[1] ?? 0) },
        { x: pts.length ? [pts[0][0]] : [], y: pts.length ? [pts[0][1] ?? 0] : [] },
        { x: last ? [last[0]] : [], y: last ? [last[1] ?? 0] : [] },
      ];
      if (dim > 2 || !land) {
        // No landscape: the view follows the path.
        fgLayout = {
          "xaxis.range": curveRange(pts.map((p) => p[0]), false),
          "yaxis.range": curveRange(pts.map((p) => p[1] ?? 0), false),
        };
      }
    }
    const all = lossValues(run.losses);
    const ys = all.slice(0, k + 1);
    const yRange = stickyRange(all, key);
    const endY = ys.length ? ys[ys.length - 1] : NaN;
    const endT = lossLog ? Math.log10(endY) : endY;
    const endShown = endT >= yRange[0] && endT <= yRange[1];   // off the axis: no marker
    const curveData = [
      { x: ys.map((_, i) => i), y: ys },
      { x: endShown ? [k] : [], y: endShown ? [endY] : [] },
    ];
    // The comparison run (same loss, start, lr and steps) up to the same step.
    const cmp = run.compare ? (run._compare ??= normalizeRun(run.compare)) : null;
    const cpts = cmp ? cmp.points.slice(0, k + 1) : [];
    const closs = cmp ? cmp.losses.slice(0, k + 1) : [];
    fgData.push(dim === 1
      ? { x: cpts.map((p) => p[0]), y: closs }
      : { x: cpts.map((p) => p[0]), y: cpts.map((p) => p[1] ?? 0) });
    const cys = cmp ? lossValues(cmp.losses).slice(0, k + 1) : [];
    curveData.push({ x: cys.map((_, i) => i), y: cys });
    const curveLayout = {
      "xaxis.range": [0, Math.max(1, steps ?? surface.steps ?? 1, all.length - 1)],
      "yaxis.range": yRange,
    };
    return { fgData, fgLayout, curveData, curveLayout };
  }

  /** Show `run` (normalized) up to step `cursor`; the axes of the loss curve fit the whole run. */
  async function showRun(run, cursor, steps, key) {
    await ready;
    if (!surface) return;
    if (shownRun && shownRun[0] === run && shownRun[1] === cursor && shownRun[2] === steps) return;
    shownRun = [run, cursor, steps];
    const f = frame(run, cursor, steps, key);
    await Promise.all([
      animate(fgEl, f.fgData, [...Array(fgTraces).keys()], f.fgLayout),
      animate(curveEl, f.curveData, [0, 1, 2], f.curveLayout),
    ]);
  }

  // A click (or tap) on the landscape picks a start point in data coordinates.
  fgEl.addEventListener("click", (event) => {
    const fl = fgEl._fullLayout;
    if (!fl || !onPick || !surface || !land || dim > 2) return;
    const box = fgEl.querySelector(".main-svg")?.getBoundingClientRect();
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
