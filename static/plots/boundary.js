// The `Decision boundary` of a network (DATASET-mlp): the class probability σ(z(x)) of the
// weights at the player's step as a heat map over the data box, the line p = 0.5, and the
// training rows in their class colours. Drawn on a canvas: the same picture before and
// after Plotly loads, so a network link paints at once.
//
// Frames come from the core's `boundary` op (py/gdlab/bridge.py) or a view file: the
// probability on an n × n grid at a few steps of the live run (`steps_at`); the step
// shown is the last frame at or before the player's cursor.
//
//   const b = createBoundary(canvas, caption);
//   b.show(frames | null, cursor)     frames: boundaryFrames(answer) (null hides the region)
//   b.wait()                          the region shown while its first frames compute

import { DARK, FONT, PLOT_BG } from "./theme.js";

/** Class 0 and class 1 (Okabe-Ito blue and orange: apart in every colour vision). */
export const CLASS_COLORS = ["#0072B2", "#E69F00"];
const TINTS = [[0, 114, 178], [230, 159, 0]];
const MID = DARK ? [27, 32, 41] : [255, 255, 255];

const flat = (x) => (x && x.data ? x.data : x.flat(Infinity));

/**
 * A boundary answer (Python's arrays or a view file's lists) as what the canvas draws:
 * {bounds, nx, ny, steps_at, frames: [Float32Array(ny·nx)], X: [[x, y]], labels}.
 */
export function boundaryFrames(answer) {
  const nx = (answer.x.data || answer.x).length;
  const ny = (answer.y.data || answer.y).length;
  const all = Float32Array.from(flat(answer.prob));
  const count = all.length / (nx * ny);
  const frames = Array.from({ length: count }, (_, k) => all.subarray(k * nx * ny, (k + 1) * nx * ny));
  const X = answer.X.shape ? Array.from({ length: answer.X.shape[0] }, (_, i) => [answer.X.data[2 * i], answer.X.data[2 * i + 1]]) : answer.X;
  const steps = answer.steps_at ? Array.from(answer.steps_at.data || answer.steps_at) : [null];
  return { bounds: answer.bounds, nx, ny, steps_at: steps, frames, X, labels: Array.from(flat(answer.labels)) };
}

/** The index of the frame shown at `cursor`: the last one at or before it. */
export function frameAt(steps, cursor) {
  let k = 0;
  for (let i = 0; i < steps.length; i++) if (steps[i] !== null && steps[i] <= cursor) k = i;
  return k;
}

/** The points where p crosses 0.5 on each cell's edges (marching squares), as segments. */
function halfLine(p, nx, ny) {
  const segs = [];
  const at = (i, j) => p[i * nx + j] - 0.5;
  const cross = (a, b) => a / (a - b);
  for (let i = 0; i < ny - 1; i++) {
    for (let j = 0; j < nx - 1; j++) {
      const c = [at(i, j), at(i, j + 1), at(i + 1, j + 1), at(i + 1, j)];
      const pts = [];
      // the edges bottom, right, top, left in grid units (x = column, y = row)
      if ((c[0] > 0) !== (c[1] > 0)) pts.push([j + cross(c[0], c[1]), i]);
      if ((c[1] > 0) !== (c[2] > 0)) pts.push([j + 1, i + cross(c[1], c[2])]);
      if ((c[2] > 0) !== (c[3] > 0)) pts.push([j + 1 - cross(c[2], c[3]), i + 1]);
      if ((c[3] > 0) !== (c[0] > 0)) pts.push([j, i + 1 - cross(c[3], c[0])]);
      if (pts.length >= 2) segs.push([pts[0], pts[1]]);
      if (pts.length === 4) segs.push([pts[2], pts[3]]);
    }
  }
  return segs;
}

/** The heat map: one pixel a grid point (row 0 = lowest y), stretched smoothly over the area. */
function paintHeat(ctx, image, p, nx, ny, area) {
  image.width = nx;
  image.height = ny;
  const ictx = image.getContext("2d");
  const pixels = ictx.createImageData(nx, ny);
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const v = Number.isFinite(p[i * nx + j]) ? p[i * nx + j] : 0.5;
      const tint = v < 0.5 ? TINTS[0] : TINTS[1];
      const a = Math.min(1, Math.abs(v - 0.5) * 2) * 0.55;
      const o = ((ny - 1 - i) * nx + j) * 4;
      for (let c = 0; c < 3; c++) pixels.data[o + c] = Math.round(MID[c] * (1 - a) + tint[c] * a);
      pixels.data[o + 3] = 255;
    }
  }
  ictx.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(image, 0.5, 0.5, nx - 1, ny - 1, area.x0, area.y0, area.side, area.side);
}

/** The line p = 0.5 (grid units -> the area). */
function paintHalf(ctx, p, nx, ny, { x0, y0, side }) {
  ctx.strokeStyle = DARK ? "#f2f2f2" : "#222222";
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (const [[ja, ia], [jb, ib]] of halfLine(p, nx, ny)) {
    ctx.moveTo(x0 + (ja / (nx - 1)) * side, y0 + side - (ia / (ny - 1)) * side);
    ctx.lineTo(x0 + (jb / (nx - 1)) * side, y0 + side - (ib / (ny - 1)) * side);
  }
  ctx.stroke();
}

/** The training rows in their class colours, the frame and the axes' ends. */
function paintRows(ctx, data, { x0, y0, side }) {
  const { bounds } = data;
  const sx = (x) => x0 + ((x - bounds[0][0]) / (bounds[0][1] - bounds[0][0])) * side;
  const sy = (y) => y0 + side - ((y - bounds[1][0]) / (bounds[1][1] - bounds[1][0])) * side;
  ctx.lineWidth = 1;
  ctx.strokeStyle = DARK ? "#111111" : "#ffffff";
  data.X.forEach(([x, y], i) => {
    ctx.fillStyle = CLASS_COLORS[data.labels[i] > 0.5 ? 1 : 0];
    ctx.beginPath();
    ctx.arc(sx(x), sy(y), 3.2, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  });
  ctx.strokeStyle = DARK ? "#353d4b" : "#c9d0db";
  ctx.strokeRect(x0, y0, side, side);
  ctx.fillStyle = FONT.color;
  ctx.font = `11px ${FONT.family}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const x of bounds[0]) ctx.fillText(x.toFixed(1), sx(x), y0 + side + 4);
  ctx.fillText("x₁", x0 + side / 2, y0 + side + 4);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const y of bounds[1]) ctx.fillText(y.toFixed(1), x0 - 4, sy(y));
  ctx.fillText("x₂", x0 - 4, y0 + side / 2);
}

export function createBoundary(canvas, caption) {
  const section = canvas.closest("section");
  let shown = null;     // [frames, k, width, height]: what is on the canvas
  let last = null;
  const image = document.createElement("canvas");

  function paint(data, k) {
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    if (shown && shown[0] === data && shown[1] === k && shown[2] === w && shown[3] === h) return;
    shown = [data, k, w, h];
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = PLOT_BG;
    ctx.fillRect(0, 0, w, h);
    // the square plot area, centred, with room for the axis numbers on the left and below
    const pad = { l: 36, b: 22, t: 6, r: 8 };
    const side = Math.max(10, Math.min(w - pad.l - pad.r, h - pad.t - pad.b));
    const area = { x0: pad.l + (w - pad.l - pad.r - side) / 2, y0: pad.t, side };
    paintHeat(ctx, image, data.frames[k], data.nx, data.ny, area);
    paintHalf(ctx, data.frames[k], data.nx, data.ny, area);
    paintRows(ctx, data, area);
  }

  function show(data, cursor = 0) {
    last = data ? [data, cursor] : null;
    section.hidden = !data;
    if (!data) { shown = null; return; }
    const k = frameAt(data.steps_at, cursor);
    const step = data.steps_at[k];
    const text = step === null ? "at the end" : `step ${step}`;
    if (caption.textContent !== text) caption.textContent = text;
    canvas.setAttribute("aria-label", `Decision boundary ${step === null ? "at the end" : `at step ${step}`}: the class probability over the data, `
      + `class 0 blue, class 1 orange, the line where it is one half, and the ${data.X.length} training rows`);
    canvas.dataset.step = String(step ?? "");
    paint(data, k);
  }

  /** The region shown, its picture still to come (a network's first frames). */
  function wait() {
    section.hidden = false;
    if (last) return;
    caption.textContent = "computing …";
    canvas.setAttribute("aria-label", "Decision boundary: computing …");
  }

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => { if (last) { shown = null; show(...last); } }).observe(canvas);
  }
  return { show, wait };
}
