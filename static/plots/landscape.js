// What a surface looks like, apart from any run: the contour (2-D) or the curve (1-D),
// its minima, and the axes' fixed ranges. plots.js draws runs on top of it.

import { CONTOUR_LINE, CONTOUR_SCALE, CURVE_COLOR, MIN_COLOR, MIN_LINE_COLOR } from "./theme.js";

/** Float64Array (or plain array) of a bridge vector: `{shape, data}`, a typed array or a list. */
export function vec(v) {
  if (v === null || v === undefined) return [];
  if (v.data !== undefined && v.shape !== undefined) return v.data;
  return v;
}

/**
 * Rows of a bridge matrix as arrays: `{shape:[n, m], data}` or nested lists (a list's rows
 * are used as they are, not copied: a view file's 5000-step paths would be held twice until
 * a garbage collection; no caller writes into them).
 */
export function rows(v) {
  if (v === null || v === undefined) return [];
  if (v.data !== undefined && v.shape !== undefined) {
    const [n, m] = v.shape.length === 1 ? [v.shape[0], 1] : v.shape;
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = Array.from(v.data.subarray ? v.data.subarray(i * m, i * m + m) : v.data.slice(i * m, i * m + m));
    return out;
  }
  return v.map((r) => (Array.isArray(r) ? r : ArrayBuffer.isView(r) ? Array.from(r) : [r]));
}

const STAR = { symbol: "star", size: 15, color: MIN_COLOR, line: { color: MIN_LINE_COLOR, width: 1.2 } };

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
    colorscale: CONTOUR_SCALE, line: { width: 0.6, color: CONTOUR_LINE },
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
  } else {
    trace.z = z;
  }
  return trace;
}

function nearest(xs, x) {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
  return best;
}

/**
 * The background of the landscape plot: {traces, xRange, yRange, titles, curve} where
 * `curve` ({xs, zs}) is the 1-D loss curve (for the tangent), null in 2-D.
 */
export function surfaceView(s, land) {
  const minima = s.minima || [];
  if (s.dim === 2 && land) {
    return {
      traces: [contourTrace(s, land), { type: "scatter", mode: "markers", name: "minima",
        x: minima.map((m) => m[0]), y: minima.map((m) => m[1]), marker: STAR, hoverinfo: "skip" }],
      xRange: s.bounds[0], yRange: s.bounds[1], titles: s.titles || ["w₀", "w₁"], curve: null,
    };
  }
  if (s.dim === 1 && land) {
    const xs = Array.from(vec(land.x));
    const zs = Array.from(vec(land.z));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of zs) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const pad = 0.06 * (hi - lo || 1);
    return {
      traces: [
        { type: "scatter", mode: "lines", name: "landscape", x: xs, y: zs,
          line: { color: CURVE_COLOR, width: 2.5 }, hoverinfo: "skip" },
        { type: "scatter", mode: "markers", name: "minima", x: minima.map((m) => m[0]),
          y: minima.map((m) => zs[nearest(xs, m[0])]), marker: STAR, hoverinfo: "skip" },
      ],
      xRange: s.bounds[0], yRange: [lo - pad, hi + pad], titles: ["w", "loss"], curve: { xs, zs },
    };
  }
  // More than two parameters: no landscape; the view follows the first two coordinates.
  return { traces: [], xRange: [-1, 1], yRange: [-1, 1], titles: ["w₀", "w₁"], curve: null };
}

/** Slope of the 1-D curve at w, from the landscape grid. */
export function slopeAt({ xs, zs }, w) {
  const n = xs.length;
  if (n < 2 || !Number.isFinite(w)) return NaN;
  let a = 0;
  let b = n - 1;
  if (w <= xs[0]) b = 1;
  else if (w >= xs[n - 1]) a = n - 2;
  else while (b - a > 1) { const c = (a + b) >> 1; if (xs[c] <= w) a = c; else b = c; }
  if (b !== a + 1) b = a + 1;
  return (zs[b] - zs[a]) / (xs[b] - xs[a]);
}

/**
 * A y range that holds `values` and moves in coarse jumps (three decades on a log axis,
 * one "nice" step on a linear one), so scrubbing rarely redraws the axis.
 */
export function niceRange(values, log) {
  return niceSpan(valueSpan(values, log), log);
}

/** [lo, hi] of the finite values (of their log10 on a log axis), or null if none is. */
export function valueSpan(values, log) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {   // (no iterator: 5000-step runs, redrawn often)
    const t = log ? Math.log10(values[i]) : values[i];
    if (t > -Infinity && t < Infinity) {
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** niceRange of a span from valueSpan. */
export function niceSpan(span, log) {
  if (!span) return log ? [-1, 1] : [0, 1];
  const [lo, hi] = span;
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
