// A first picture of a graph, drawn on a canvas while Plotly (1.5 MB of script, about
// 0.4 s to start on a small machine) is still loading: the same traces and layout that
// plots.js hands to Plotly, so the swap changes little. It draws the plot area, its grid,
// the contour, lines and markers on linear or log axes, tick labels at Plotly's automatic
// steps and the axis titles; no hover. On a course page with several embeds (one main
// thread for all) every lab paints from its precomputed view before any of them has
// started Plotly.
//
//   sketch(el, data, layout)   // a canvas over the whole of `el` (drawn again if called again)
//   sketch(el, data, layout, {el: top, data, layout})   // and a graph stacked on it, on that canvas
//   clearSketch(el)            // once Plotly has drawn into `el`
//   sketchPoint(el, event)     // [x, y] in data coordinates under a click on a sketch, or null
//
// The contour follows Plotly's rules for `contours.coloring: "fill"`: levels from
// contours.start every contours.size up to contours.end (or about `ncontours` levels at
// round numbers), the band above each level filled with the colour scale at its middle,
// and the scale spread over [start - size/2, start + (n - 1/2) size] for n levels.

const DASHES = { solid: [], dot: [3, 3], dash: [9, 9], longdash: [15, 15], dashdot: [9, 3, 3, 3] };
const sketchedAxes = new WeakMap();   // graph element -> the axes of its sketch, for sketchPoint

/**
 * Draw `data` (Plotly traces) with `layout` on a canvas that fills `el`; with `over`
 * ({el, data, layout}: a graph stacked on `el`, the same size), its traces too, on top, on
 * the same canvas: one canvas for the landscape and its runs, not two.
 */
export function sketch(el, data, layout, over = null) {
  const width = el.clientWidth;
  const height = el.clientHeight;
  if (!width || !height) return;
  const canvas = el.querySelector(":scope > canvas.sketch") || el.appendChild(makeCanvas());
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext("2d");
  g.scale(dpr, dpr);
  const { box, axes } = frameOf(layout, data, width, height);
  const bg = layout.plot_bgcolor;
  if (bg && bg !== "rgba(0,0,0,0)" && bg !== "transparent") {
    g.fillStyle = bg;
    g.fillRect(box.x, box.y, box.w, box.h);
  }
  const ticks = { x: tickValues(axes.x, layout.xaxis), y: tickValues(axes.y, layout.yaxis) };
  drawGrid(g, layout, axes, ticks, box);
  drawTraces(g, data, axes, box, dpr);
  if (over) {
    const top = frameOf(over.layout, over.data, width, height);
    drawTraces(g, over.data, top.axes, top.box, dpr);
    over.el.querySelector(":scope > canvas.sketch")?.remove();
    over.el.dataset.sketch = "1";
    sketchedAxes.set(over.el, top.axes);
  }
  drawTickLabels(g, layout, axes, ticks, box);
  drawTitles(g, layout, box, width, height);
  el.dataset.sketch = "1";
  sketchedAxes.set(el, axes);
}

/** The plot area (inside the layout's margins) and the data -> pixel maps of its axes. */
function frameOf(layout, data, width, height) {
  const m = { l: 80, r: 80, t: 100, b: 80, ...(layout.margin || {}) };
  const box = { x: m.l, y: m.t, w: Math.max(1, width - m.l - m.r), h: Math.max(1, height - m.t - m.b) };
  const traces = data.filter(Boolean);
  const axes = { x: axisMap(layout.xaxis, traces, "x", box.x, box.w, false),
    y: axisMap(layout.yaxis, traces, "y", box.y + box.h, -box.h, true) };
  return { box, axes };
}

/** The traces, clipped to the plot area. */
function drawTraces(g, data, axes, box, dpr) {
  g.save();
  g.beginPath();
  g.rect(box.x, box.y, box.w, box.h);
  g.clip();
  for (const t of data) {
    if (!t) continue;
    g.globalAlpha = t.opacity ?? 1;
    if (t.type === "contour") drawContour(g, t, axes, box, dpr);
    else drawScatter(g, t, axes);
  }
  g.restore();
}

/** Remove the sketch from `el` (Plotly's graph is there now). */
export function clearSketch(el) {
  el.querySelector(":scope > canvas.sketch")?.remove();
  delete el.dataset.sketch;
  sketchedAxes.delete(el);
}

/** The data coordinates under a click on `el`'s sketch (linear axes), or null. */
export function sketchPoint(el, event) {
  const axes = sketchedAxes.get(el);
  if (!axes) return null;
  const rect = el.getBoundingClientRect();   // (the sketch fills el, or the graph under it)
  const px = event.clientX - rect.left;
  const py = event.clientY - rect.top;
  const inside = (p, a) => (p - a.origin) * Math.sign(a.span) >= 0 && (p - a.origin) * Math.sign(a.span) <= Math.abs(a.span);
  if (!inside(px, axes.x) || !inside(py, axes.y) || axes.x.log || axes.y.log) return null;
  return [inverse(axes.x, px), inverse(axes.y, py)];
}

function makeCanvas() {
  const canvas = document.createElement("canvas");
  canvas.className = "sketch";
  canvas.setAttribute("aria-hidden", "true");
  return canvas;
}

/** Data -> pixels on one axis: `origin + span * (v - lo) / (hi - lo)`, in log10 on a log axis. */
function axisMap(axis = {}, traces, key, origin, span, vertical) {
  const log = axis.type === "log";
  let range = axis.range;
  if (!range) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of traces) {
      for (const v of t[key] || []) {
        const u = log ? Math.log10(v) : v;
        if (Number.isFinite(u)) { lo = Math.min(lo, u); hi = Math.max(hi, u); }
      }
    }
    range = Number.isFinite(lo) ? [lo, hi > lo ? hi : lo + 1] : [0, 1];
  }
  const [a, b] = range;
  const scale = span / (b - a || 1);
  const map = (v) => origin + ((log ? Math.log10(v) : v) - a) * scale;
  return { map, vertical, log, range, origin, span };
}

/**
 * Tick values as Plotly picks them by default: about one per 80 px (x) or 40 px (y),
 * 5 to 10 of them, at steps of 2, 5 or 10 x 10^k; on a log axis at whole decades (where
 * Plotly labels 2 and 5 between decades on short axes, the sketch does not).
 */
function tickValues(axis, spec = {}) {
  if (spec.showticklabels === false) return [];
  const [a, b] = [Math.min(...axis.range), Math.max(...axis.range)];
  const n = Math.min(Math.max(Math.abs(axis.span) / (axis.vertical ? 40 : 80), 4), 9) + 1;
  const rough = (b - a) / n;
  const step = axis.log ? Math.max(1, Math.ceil(rough)) : roundStep(rough);
  const out = [];
  for (let v = Math.ceil(a / step - 1e-9) * step; v <= b + 1e-9 * step; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return axis.log ? out.map((e) => 10 ** Math.round(e)) : out;
}

/** A tick label: the fewest decimals the step needs, a true minus; 10 to a power on a log axis. */
function tickText(v, values, log) {
  if (log) {
    const e = Math.round(Math.log10(v));
    const sup = String(e).replace(/-/, "⁻").replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]);
    return e === 0 ? "1" : e === 1 ? "10" : `10${sup}`;
  }
  const step = values.length > 1 ? Math.abs(values[1] - values[0]) : 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(decimals).replace("-", "−");
}

/** Grid lines at the ticks, on axes that have a grid. */
function drawGrid(g, layout, axes, ticks, box) {
  g.lineWidth = 1;
  for (const key of ["x", "y"]) {
    const spec = layout[`${key}axis`] || {};
    if (spec.showgrid === false || !spec.gridcolor) continue;
    g.strokeStyle = spec.gridcolor;
    g.beginPath();
    for (const v of ticks[key]) {
      const p = Math.round(axes[key].map(v)) + 0.5;
      if (key === "x") { g.moveTo(p, box.y); g.lineTo(p, box.y + box.h); } else { g.moveTo(box.x, p); g.lineTo(box.x + box.w, p); }
    }
    g.stroke();
  }
}

/** Tick labels under the x axis and left of the y axis. */
function drawTickLabels(g, layout, axes, ticks, box) {
  const font = layout.font || {};
  g.fillStyle = font.color || "#222";
  g.font = `${font.size || 12}px ${font.family || "sans-serif"}`;
  g.textBaseline = "top";
  g.textAlign = "center";
  const right = g.canvas.clientWidth;
  for (const v of ticks.x) {
    const text = tickText(v, ticks.x, axes.x.log);
    const x = axes.x.map(v);
    if (x + g.measureText(text).width / 2 <= right) g.fillText(text, x, box.y + box.h + 4);   // none cut at the edge
  }
  g.textBaseline = "middle";
  g.textAlign = "right";
  for (const v of ticks.y) g.fillText(tickText(v, ticks.y, axes.y.log), box.x - 4, axes.y.map(v));
  g.textBaseline = "alphabetic";
}

/**
 * A round step near `rough`, as Plotly's autoTicks picks it for ticks and contour levels
 * alike: the first of 2, 5, 10 above rough / 10^k, with k from log/LN10 (2.9999... for
 * 1000, so a rough step of 1000 gives 10 x 100).
 */
function roundStep(rough) {
  const base = 10 ** Math.floor(Math.log(rough || 1) / Math.LN10);
  return base * ([2, 5, 10].find((k) => k > rough / base) || 10);
}

/** Plotly's automatic contour levels: about `n` of them at round steps (1, 2, 5 x 10^k). */
function autoLevels(lo, hi, n) {
  const step = roundStep((hi - lo) / (n || 15));
  let start = Math.ceil(lo / step) * step;
  let end = Math.floor(hi / step) * step;
  if (start === lo) start += step;
  if (end === hi) end -= step;
  if (start > end) start = end = (start + end) / 2;
  return { start, end, size: step };
}

/** The fill colour of each band (below the first level, then above each level) as [r, g, b]. */
function bandColours(levels, colorscale) {
  const { start, size } = levels;
  const n = Math.floor((levels.end + size / 1e6 - start) / size) + 1;
  const stops = colorscale.map(([pos, colour]) => [(pos * n - 0.5) * size + start, rgb(colour)]);
  const at = (v) => {
    if (v <= stops[0][0]) return stops[0][1];
    for (let i = 1; i < stops.length; i++) {
      const [d1, c1] = stops[i];
      if (v <= d1) {
        const [d0, c0] = stops[i - 1];
        const f = (v - d0) / (d1 - d0 || 1);
        return c0.map((c, k) => c + (c1[k] - c) * f);
      }
    }
    return stops[stops.length - 1][1];
  };
  return Array.from({ length: n + 1 }, (_, k) => at(start + (k - 0.5) * size));
}

/** A filled contour (bands and the thin lines between them), one canvas pixel at a time. */
function drawContour(g, t, axes, box, dpr) {
  const xs = Array.from(t.x);
  const ys = Array.from(t.y);
  const z = t.z;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of z) {
    for (let i = 0; i < r.length; i++) {
      const v = r[i];
      if (v > -Infinity && v < Infinity) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  }
  if (!Number.isFinite(lo) || xs.length < 2 || ys.length < 2 || z.length < 2 || z[0].length < 2) return;
  const c = t.contours || {};
  const levels = t.autocontour === false && Number.isFinite(c.size) ? c : autoLevels(lo, hi, t.ncontours);
  const colours = bandColours(levels, t.colorscale);
  const line = rgba(t.line && t.line.color);
  const W = Math.round(box.w * dpr);
  const H = Math.round(box.h * dpr);
  const img = g.createImageData(W, H);
  const band = new Int16Array(W * H).fill(-1);
  // each pixel column's grid cell and its weight in it (the grid is evenly spaced), and each
  // row's: the loop below then does plain arithmetic, one bilinear value a pixel (no call
  // or boxed number per pixel: a sketch is 100,000 pixels, four on a course page)
  const cols = cells(W, (px) => (inverse(axes.x, box.x + (px + 0.5) / dpr) - xs[0]) / (xs[xs.length - 1] - xs[0]) * (xs.length - 1), z[0].length);
  const rows = cells(H, (py) => (inverse(axes.y, box.y + (py + 0.5) / dpr) - ys[0]) / (ys[ys.length - 1] - ys[0]) * (ys.length - 1), z.length);
  const a = line ? line[3] : 0;
  const edged = colours.map((col) => col.map((c, j) => c * (1 - a) + (line ? line[j] : 0) * a));
  const top = colours.length - 1;
  const data = img.data;
  const { start, size } = levels;
  for (let py = 0, i = 0; py < H; py++, i += W) {
    const j = rows.cell[py];
    if (j < 0) continue;
    const v = rows.weight[py];
    const z0 = z[j];
    const z1 = z[j + 1];
    for (let px = 0; px < W; px++) {
      const c0 = cols.cell[px];
      if (c0 < 0) continue;
      const u = cols.weight[px];
      const val = (z0[c0] * (1 - u) + z0[c0 + 1] * u) * (1 - v) + (z1[c0] * (1 - u) + z1[c0 + 1] * u) * v;
      if (!(val > -Infinity && val < Infinity)) continue;
      const k = Math.max(0, Math.min(top, Math.floor((val - start) / size) + 1));
      const at = i + px;
      band[at] = k;
      const edge = (px && band[at - 1] >= 0 && band[at - 1] !== k) || (py && band[at - W] >= 0 && band[at - W] !== k);
      const col = edge ? edged[k] : colours[k];
      data[4 * at] = col[0];
      data[4 * at + 1] = col[1];
      data[4 * at + 2] = col[2];
      data[4 * at + 3] = 255;
    }
  }
  g.putImageData(img, Math.round(box.x * dpr), Math.round(box.y * dpr));
}

/** Pixel -> data on a linear axis made by axisMap. */
function inverse(axis, p) {
  const [a, b] = axis.range;
  return a + (p - axis.origin) / axis.span * (b - a);
}

/**
 * For n pixels at fractional grid indices `at(p)` on an axis of `size` grid points: each
 * pixel's cell (the grid index left of it, -1 outside the grid) and its weight in that cell.
 */
function cells(n, at, size) {
  const cell = new Int32Array(n).fill(-1);
  const weight = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const f = at(p);
    if (!(f >= 0 && f <= size - 1)) continue;
    cell[p] = Math.min(Math.floor(f), size - 2);
    weight[p] = f - cell[p];
  }
  return { cell, weight };
}

/** A scatter trace: its line (broken at gaps) and its markers (no array per point: a
 * 5000-step path is drawn on every change while the sketch shows). */
function drawScatter(g, t, axes) {
  const xs = t.x || [];
  const ys = t.y || [];
  const n = xs.length;
  const mode = t.mode || "lines+markers";
  if (mode.includes("lines") && t.line) {
    g.beginPath();
    let pen = false;
    let lastX = 0;   // the last point drawn: a path that settles repeats one pixel often
    let lastY = 0;
    for (let i = 0; i < n; i++) {
      const x = axes.x.map(xs[i]);
      const y = axes.y.map(ys[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
      const near = pen && Math.abs(x - lastX) < 0.5 && Math.abs(y - lastY) < 0.5;
      if (near && i < n - 1) continue;
      if (pen) g.lineTo(x, y); else g.moveTo(x, y);
      pen = true;
      lastX = x;
      lastY = y;
    }
    g.strokeStyle = t.line.color || "#444";
    g.lineWidth = t.line.width ?? 2;
    g.setLineDash(DASHES[t.line.dash] || []);
    g.lineJoin = "round";
    g.stroke();
    g.setLineDash([]);
  }
  if (mode.includes("markers") && t.marker) {
    const every = Math.max(1, Math.ceil(n / (t.marker.maxdisplayed || Infinity)));
    for (let i = 0; i < n; i++) {
      if (i % every && i !== n - 1) continue;
      const x = axes.x.map(xs[i]);
      const y = axes.y.map(ys[i]);
      if (Number.isFinite(x) && Number.isFinite(y)) drawMarker(g, x, y, t.marker);
    }
  }
}

/** One marker: circle, circle-open or star, with its rim. */
function drawMarker(g, x, y, marker) {
  const r = (marker.size ?? 6) / 2;
  const symbol = marker.symbol || "circle";
  const rim = marker.line || {};
  g.beginPath();
  if (symbol === "star") {
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 ? r * 0.45 : r * 1.1;
      g.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    g.closePath();
  } else {
    g.arc(x, y, r, 0, 2 * Math.PI);
  }
  if (symbol === "circle-open") {
    g.strokeStyle = marker.color;
    g.lineWidth = rim.width ?? 1;
    g.stroke();
    return;
  }
  g.fillStyle = marker.color || "#444";
  g.fill();
  if (rim.width) {
    g.strokeStyle = rim.color || "#444";
    g.lineWidth = rim.width;
    g.stroke();
  }
}

/** The axis titles, where Plotly puts them (below the x axis, left of the y axis). */
function drawTitles(g, layout, box, width, height) {
  const font = layout.font || {};
  g.fillStyle = font.color || "#222";
  g.font = `${Math.round((font.size || 12) * 7 / 6)}px ${font.family || "sans-serif"}`;   // Plotly's titles: 14 px on 12
  g.textAlign = "center";
  const title = (axis) => axis && axis.showticklabels !== false && axis.title && axis.title.text;
  if (title(layout.xaxis)) g.fillText(layout.xaxis.title.text, box.x + box.w / 2, Math.min(height - 6, box.y + box.h + 34));
  if (title(layout.yaxis)) {
    g.save();
    g.translate(14, box.y + box.h / 2);
    g.rotate(-Math.PI / 2);
    g.fillText(layout.yaxis.title.text, 0, 0);
    g.restore();
  }
}

function rgb(colour) {
  return (rgba(colour) || [0, 0, 0, 1]).slice(0, 3);
}

/** "#rrggbb" or "rgb(a)(r, g, b[, a])" as [r, g, b, a]; null otherwise. */
function rgba(colour) {
  if (!colour) return null;
  const hex = /^#([0-9a-f]{6})$/i.exec(colour);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return [n >> 16, (n >> 8) & 255, n & 255, 1];
  }
  const m = /^rgba?\(([^)]+)\)$/.exec(colour);
  if (!m) return null;
  const [r, g, b, a = 1] = m[1].split(",").map(Number);
  return [r, g, b, a];
}
