// The two plots. Plotly (the classic script in static/vendor) is `window.Plotly`.
//
//   const plots = createPlots(landscapeBgDiv, landscapeDiv, curveDiv, { onPick });
//   plots.showSurface(surface, landscape)   // once per surface: contour or curve, fixed axes;
//                                           // showRuns must follow (it draws the runs' graphs)
//   plots.showRuns(slots, cursor, { steps, key })
//                                           // every run's path up to step `cursor`
//   plots.highlight(id | null)              // one run stands out, the others fade
//   plots.upgrade()                         // Plotly has loaded: it redraws what was sketched
//   plots.sketching                         // true while a graph shows a sketch (sketch.js)
//
// `slots` (see runtraces.js) are the view's runs in drawing order, the live run last
// (on top). `key` names the experiment but its lr: while it stays, the loss curve keeps
// one y frame that only grows, so scrubbing compares curves in one frame.
//
// The landscape is two graphs stacked: `bgEl` holds what changes with the surface only
// (contour or curve, minima, axes; never resent while runs change) and `fgEl`,
// transparent on top with the same margins and ranges, holds the runs. When only some
// runs change (the slider moves the live run, kept runs stay) only their traces are
// resent, by a zero-length Plotly.animate.
//
// Until Plotly has loaded, each graph is sketched on a canvas from the same traces and
// layout (sketch.js); upgrade() hands the last of them to Plotly.

import { niceRange, niceSpan, rows, slopeAt, surfaceView, valueSpan, vec } from "./landscape.js";
import { curveTraces, drawable, landscapeTraces, liveExtras, normalizeRun as normalizeWith } from "./runtraces.js";
import { clearSketch, sketch, sketchPoint } from "./sketch.js";
import { FONT, GRID_COLOR, PLOT_BG, SLOPE_COLOR, START_COLOR } from "./theme.js";

export { rows, vec };
export const normalizeRun = (res) => normalizeWith(res, rows, vec);

const CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };
const MARGIN = { l: 56, r: 14, t: 10, b: 44 };
const CURVE_MARGIN = { l: 72, r: 14, t: 10, b: 44 };

function baseLayout(extra) {
  return {
    margin: MARGIN, font: FONT, showlegend: false, dragmode: false, hovermode: "closest",
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: PLOT_BG, ...extra,
  };
}

function axis(title, extra = {}) {
  return { title: { text: title, standoff: 4 }, fixedrange: true, zeroline: false, automargin: false,
    gridcolor: GRID_COLOR, ...extra };
}

const BARE = { fixedrange: true, automargin: false, showgrid: false, zeroline: false,
  showticklabels: false, ticks: "", showline: false };

function animate(gd, data, traces, layout) {
  // A zero-length transition without redraw: Plotly recomputes and redraws only these
  // traces (and the axes when `layout` moves them). All traces of `gd` are scatter.
  return window.Plotly.animate(gd, { data, traces, layout: layout || {} }, {
    transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate",
  }).catch(() => {});
}

/** The loss curve's y range over all runs: capped at 1000x the first loss, sticky per key. */
function lossRange(slots, ctx, sticky, key) {
  let lo = Infinity;
  let hi = -Infinity;
  const widen = (span) => { if (span) { lo = Math.min(lo, span[0]); hi = Math.max(hi, span[1]); } };
  const firsts = [];
  for (const s of slots) {
    const v = ctx.lossValues(s.run.losses);
    widen(ctx.lossSpan(v));
    if (v.length) firsts.push(v[0]);
    if (s.run.val_loss) widen(ctx.lossSpan(ctx.lossValues(s.run.val_loss.data ?? s.run.val_loss)));
  }
  let r = niceSpan(lo <= hi ? [lo, hi] : null, ctx.lossLog);
  const first = Math.max(...firsts.filter(Number.isFinite));
  if (Number.isFinite(first)) {
    if (ctx.lossLog && first > 0) {
      r = [r[0], Math.min(r[1], Math.ceil((Math.log10(first) + 3.1) / 3) * 3)];
    } else if (!ctx.lossLog) {
      const span = Math.max(Math.abs(first), 1) * 1e4;
      r = [Math.max(r[0], Math.min(...firsts) - span), Math.min(r[1], first + span)];
    }
  }
  if (sticky && key !== undefined && sticky.key === key) {
    r = [Math.min(r[0], sticky.range[0]), Math.max(r[1], sticky.range[1])];
  }
  return r;
}

/**
 * Draw a graph: with Plotly once it has loaded, else as a sketch, keeping the figure in
 * `sketched` for upgrade(). A graph stacked on another (the runs on the landscape, see
 * `stacked`) is sketched on that one's canvas, over its figure.
 */
function render(sketched, el, data, layout, config) {
  const base = stacked.get(el);
  if (window.Plotly) {   // a newer figure than the sketched one: upgrade() must not redraw that
    const was = sketched.delete(el);
    return window.Plotly.react(el, data, layout, config).then(() => {
      if (!was) return;
      clearSketch(el);
      if (base && sketched.has(base)) sketchInView(base, () => drawSketch(sketched, base));   // without these runs
    });
  }
  sketched.set(el, [data, layout, config]);
  const target = base && sketched.has(base) ? base : el;
  due.add(target);
  return beforePaint().then(() => {
    if (!due.delete(target)) return;   // drawn already in this pass (a stack's two graphs)
    sketchInView(target, () => drawSketch(sketched, target));
  });
}

const stacked = new WeakMap();   // a graph drawn over another of the same size -> that one
const due = new Set();           // sketches to draw in the coming pass

/** Sketch `el`'s last figure, and the figure of the graph stacked on it if that is sketched too. */
function drawSketch(sketched, el) {
  const f = sketched.get(el);
  if (!f) return;
  const top = [...sketched.keys()].find((other) => stacked.get(other) === el);
  const t = top && sketched.get(top);
  sketch(el, f[0], f[1], t ? { el: top, data: t[0], layout: t[1] } : null);
}

const seen = new Map();   // graph element -> what to do once it scrolls into view
let watcher = null;
const SHOWN_SHARE = 0.1;  // in view: at least this share of the graph's height (and width)

/**
 * Sketch `el` (`draw()`: its figure then, none once Plotly has drawn it) now if it is in
 * view, else once it scrolls in. In a course page's 400-px frame the loss
 * curve starts at the frame's last few pixels: sketched at once, its canvas and the
 * compositor's copies of it cost about 3.5 MB a lab (bench/bench_shared.py) for a picture
 * no one has seen.
 */
function sketchInView(el, draw) {
  const r = el.getBoundingClientRect();
  const shown = (lo, hi, size, span) => (Math.min(hi, span) - Math.max(lo, 0)) >= SHOWN_SHARE * size;
  if (typeof IntersectionObserver !== "function"
    || (shown(r.top, r.bottom, r.height, innerHeight) && shown(r.left, r.right, r.width, innerWidth))) {
    seen.delete(el);
    draw();
    return;
  }
  watcher ??= new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.intersectionRatio < SHOWN_SHARE || !seen.has(e.target)) continue;
      const later = seen.get(e.target);
      seen.delete(e.target);
      watcher.unobserve(e.target);
      later();
    }
  }, { threshold: [SHOWN_SHARE] });
  seen.set(el, draw);
  watcher.observe(el);
}

let paintSoon = null;
/**
 * Resolves in the next animation frame (or 100 ms later in a hidden page): the sketches
 * of one pass are drawn together there, after the page's DOM changes, so that reading
 * their sizes costs one layout (the one the paint needs anyway), not one each.
 */
function beforePaint() {
  if (!paintSoon) {
    paintSoon = new Promise((resolve) => {
      const done = () => { paintSoon = null; resolve(); };
      const timer = setTimeout(done, 100);
      requestAnimationFrame(() => { clearTimeout(timer); done(); });
    });
  }
  return paintSoon;
}

/** Plotly draws every sketched graph (its last figure); each sketch goes once Plotly has drawn. */
function upgrade(sketched) {
  const figures = [...sketched];
  sketched.clear();
  return Promise.all(figures.map(([el, [data, layout, config]]) =>
    window.Plotly.react(el, data, layout, config).then(() => clearSketch(el))));
}

export function createPlots(bgEl, fgEl, curveEl, { onPick } = {}) {
  const P = () => window.Plotly;
  stacked.set(fgEl, bgEl);
  const sketched = new Map();   // graph element -> its last figure, while sketched
  let surface = null;
  let ctx = null;            // what trace builders need to know about the surface
  let ready = Promise.resolve();
  let shape = "";            // the slots' ids and kinds now on screen
  let shown = new Map();     // slot id -> [run, step] on screen
  let sticky = null;         // {key, range} of the loss curve
  let shownX = null;         // the loss curve's x and y ranges on screen
  let shownY = null;
  let sketchedAs = "";       // while sketching: the figure the sketches show (sketchKey)

  function showSurface(s, landscape) {
    surface = s;
    const view = surfaceView(s, landscape);
    ctx = surfaceContext(s, view);
    shape = "";
    sketchedAs = "";
    shown = new Map();
    sticky = null;
    shownX = null;
    shownY = null;
    const bgLayout = baseLayout({
      xaxis: axis(view.titles[0], { range: view.xRange, showgrid: s.dim === 1 }),
      yaxis: axis(view.titles[1], { range: view.yRange, showgrid: s.dim === 1 }),
    });
    // The runs' graphs are drawn by the showRuns that always follows (in the same pass:
    // drawing them empty first would cost the first paint two more renders). Sketches
    // are drawn together in the next frame, so showRuns need not wait for this one.
    const drawn = render(sketched, bgEl, view.traces, bgLayout, { ...CONFIG, staticPlot: true });
    ready = P() ? drawn : Promise.resolve();
    return drawn;
  }

  /** Draw every slot up to step `cursor`. */
  async function showRuns(slots, cursor, { steps, key } = {}) {
    await ready;
    if (!surface) return;
    slots = slots.filter((s) => s.run && s.run.points.length);
    const longest = Math.max(1, steps ?? surface.steps ?? 1, ...slots.map((s) => s.run.points.length - 1));
    const yRange = lossRange(slots, ctx, sticky, key);
    sticky = { key, range: yRange };
    const frame = { xRange: [0, longest], yRange, follow: !ctx.hasLandscape || ctx.dim > 2 };
    const nextShape = JSON.stringify([ctx.dim, slots.map((s) => [s.id, s.live, s.dash || ""])]);
    const steps2 = new Map(slots.map((s) => [s.id, [s.run, Math.min(cursor, drawable(s.run, ctx) - 1)]]));
    if (!P()) {   // a sketch is drawn whole: the same figure again (see sketchKey) is not redrawn
      const key = sketchKey(nextShape, steps2, frame, [fgEl, curveEl]);
      if (key === sketchedAs) return;
      sketchedAs = key;
    }
    if (nextShape !== shape || !P()) {
      const t = traces(ctx, slots, cursor, yRange);
      shape = nextShape;
      shown = steps2;
      shownX = frame.xRange;
      shownY = yRange;
      await redrawRuns(sketched, fgEl, curveEl, ctx, surface, slots, t, frame);
      if (!P()) shape = "";   // sketched: the next call draws every trace again
      return;
    }
    const changed = changedSlots(slots, shown, steps2);
    shown = steps2;
    frame.moved = !shownX || shownX[1] !== frame.xRange[1] || !shownY
      || shownY[0] !== yRange[0] || shownY[1] !== yRange[1];
    shownX = frame.xRange;
    shownY = yRange;
    await updateRuns(fgEl, curveEl, ctx, slots, cursor, changed, frame);
  }

  bindPick(fgEl, () => (surface ? ctx : null), onPick);

  return {
    showSurface, showRuns, highlight: (id) => highlight([fgEl, curveEl], id),
    upgrade: () => { ready = upgrade(sketched); return ready; },
    get sketching() { return sketched.size > 0; },
    get surfaceName() { return surface ? surface.name : null; },
  };
}

/**
 * What a sketch of the runs shows: the slots, each run and step, the curve's ranges, the
 * sizes. Python's ready, say, redraws the view with the same runs: on a course page of
 * several labs, each redraw's arrays were garbage that the page's one heap grew to hold.
 */
function sketchKey(shape, steps, frame, els) {
  const runIds = [...steps.values()].map(([run, step]) => `${runId(run)}@${step}`);
  return JSON.stringify([shape, runIds, frame.xRange, frame.yRange, frame.follow,
    els.map((el) => [el.clientWidth, el.clientHeight])]);
}
const runIds = new WeakMap();
let runCount = 0;
const runId = (run) => runIds.get(run) ?? runIds.set(run, ++runCount).get(run);

/** Other runs on screen (or in another order): both graphs of the runs drawn anew. */
function redrawRuns(sketched, fgEl, curveEl, ctx, surface, slots, t, frame) {
  const fl = fgLayout(ctx, frame.follow ? splitRanges(followRanges(slots)) : {});
  return Promise.all([
    render(sketched, fgEl, t.fg, fl, CONFIG),
    render(sketched, curveEl, t.curve, curveLayout(ctx, surface, frame.xRange, frame.yRange), CONFIG),
  ]);
}

/**
 * The same runs on screen: only the traces of the slots at `changed` (indices) and the
 * live run's extras are resent, and the loss curve's axes when its ranges moved.
 */
function updateRuns(fgEl, curveEl, ctx, slots, cursor, changed, { xRange, yRange, follow, moved }) {
  const t = traces(ctx, slots, cursor, yRange, new Set(changed));
  const fgIdx = changed.flatMap((i) => [2 * i, 2 * i + 1]);
  for (let j = 2 * slots.length; j < t.fg.length; j++) fgIdx.push(j);
  const curveIdx = changed.flatMap((i) => [3 * i, 3 * i + 1, 3 * i + 2]);   // line, dot, validation
  if (!changed.length && !moved) return null;
  return Promise.all([
    animate(fgEl, fgIdx.map((j) => t.fg[j]), fgIdx, follow ? followRanges(slots) : null),
    (curveIdx.length || moved)
      ? animate(curveEl, curveIdx.map((j) => t.curve[j]), curveIdx,
        moved ? { "xaxis.range": xRange, "yaxis.range": yRange } : null)
      : null,
  ]);
}

function splitRanges(r) {
  return { xaxis: { ...BARE, range: r["xaxis.range"] }, yaxis: { ...BARE, range: r["yaxis.range"] } };
}

/** What the trace builders need to know about a surface. */
function surfaceContext(s, view) {
  const lossLog = Boolean(s.log_loss) && Number.isFinite(s.min_loss);
  // Runs never change once made: a run's plotted losses and their span are worked out once
  // for this surface (the loss curve asks on every redraw; a 5000-step run's copies were a
  // course page's garbage).
  const values = new WeakMap();
  const spans = new WeakMap();
  const floor = 1e-16 * Math.max(1, Math.abs(s.min_loss));
  return {
    dim: s.dim, hasLandscape: Boolean(view.traces.length), xRange: view.xRange, yRange: view.yRange,
    curve: view.curve, slopeAt, lossLog, startColor: START_COLOR, inkColor: SLOPE_COLOR,
    /** The losses as plotted (less the minimum on a log axis), an array. */
    lossValues: (losses) => {
      let v = values.get(losses);
      if (!v) {
        v = Array.isArray(losses) ? losses : Array.from(losses);
        if (lossLog) {
          v = v.slice();
          for (let i = 0; i < v.length; i++) v[i] = Math.max(v[i] - s.min_loss, floor);
        }
        values.set(losses, v);
      }
      return v;
    },
    /** valueSpan of lossValues' array, on the curve's axis. */
    lossSpan: (plotted) => {
      if (!spans.has(plotted)) spans.set(plotted, valueSpan(plotted, lossLog));
      return spans.get(plotted);
    },
  };
}

/** The indices of the slots whose run or shown step differ from what is on screen. */
function changedSlots(slots, before, now) {
  const out = [];
  slots.forEach((s, i) => {
    const a = before.get(s.id);
    const b = now.get(s.id);
    if (!a || a[0] !== b[0] || a[1] !== b[1]) out.push(i);
  });
  return out;
}

/** A click (or tap) on the landscape picks a start point in data coordinates. */
function bindPick(fgEl, context, onPick) {
  fgEl.addEventListener("click", (event) => {
    const ctx = context();
    const fl = fgEl._fullLayout;
    if (!onPick || !ctx || !ctx.hasLandscape || ctx.dim > 2) return;
    if (!fl) {   // still a sketch
      const p = sketchPoint(fgEl, event);
      if (p) onPick(ctx.dim === 1 ? [p[0]] : p);
      return;
    }
    const box = fgEl.querySelector(".main-svg")?.getBoundingClientRect();
    if (!box) return;
    const xa = fl.xaxis;
    const ya = fl.yaxis;
    const px = event.clientX - box.left - xa._offset;
    const py = event.clientY - box.top - ya._offset;
    if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
    if (ctx.dim === 1) onPick([xa.p2d(px)]);
    else onPick([xa.p2d(px), ya.p2d(py)]);
  });
}

function fgLayout(ctx, extra = {}) {
  return baseLayout({ plot_bgcolor: "rgba(0,0,0,0)", xaxis: { ...BARE, range: ctx.xRange },
    yaxis: { ...BARE, range: ctx.yRange }, ...extra });
}

function curveLayout(ctx, surface, xRange, yRange) {
  return baseLayout({
    margin: CURVE_MARGIN,
    xaxis: axis("step", { range: xRange }),
    yaxis: axis(ctx.lossLog ? (surface.min_loss ? "loss − min" : "loss (log)") : "loss",
      { type: ctx.lossLog ? "log" : "linear", range: yRange, exponentformat: "power" }),
  });
}

/** Without a landscape (more than two parameters) the view follows the paths. */
function followRanges(slots) {
  const xs = [];
  const ys = [];
  for (const s of slots) for (const p of s.run.points) { xs.push(p[0]); ys.push(p[1] ?? 0); }
  return { "xaxis.range": niceRange(xs, false), "yaxis.range": niceRange(ys, false) };
}

/** The traces of the slots (only those at `only`, an index set, when given) and the extras. */
function traces(ctx, slots, cursor, yRange, only = null) {
  const live = slots.find((s) => s.live) || null;
  const fg = [];
  const curve = [];
  slots.forEach((s, i) => {
    const skip = only && !only.has(i);
    fg.push(...(skip ? [null, null] : landscapeTraces(s, cursor, ctx)));
    curve.push(...(skip ? [null, null, null] : curveTraces(s, cursor, ctx, yRange)));
  });
  fg.push(...liveExtras(live, cursor, ctx));
  return { fg, curve };
}

/** One run stands out (opaque), the others fade; null: all alike. */
function highlight(graphs, id) {
  for (const gd of graphs) {
    const data = gd.data || [];
    const idx = [];
    const opacity = [];
    data.forEach((tr, i) => {
      if (!tr.legendgroup) return;
      idx.push(i);
      opacity.push(id === null || tr.legendgroup === id ? 1 : 0.2);
    });
    if (idx.length) window.Plotly.restyle(gd, { opacity }, idx);
  }
}
