// The page's one declarative state and the schema that says what it may hold.
//
// A state is a plain object:
//   { surface, optimizer, lr, steps, start: [x(, y)], hyper: {keyword: value},
//     preset, embed, controls, extra: {schedule?, clip?, batch_size?, seed?} }
// (`controls`: what an embed shows, "lr,optimizer,play"; "" = the default set)
// The schema is built from the bridge's catalog (surfaces, optimizers, lessons): it gives
// the defaults and the ranges. Every change goes through `applyChange`, which knows the
// few rules that tie keys together (a new surface brings its own start, lr and steps; a
// new optimizer its own hyperparameters; a preset its whole state). The store holds the
// current state and tells its subscribers what changed.

export const LR_MIN_INPUT = 0;           // exclusive: a learning rate must be > 0
export const LR_MAX_INPUT = 1e6;         // the core's limit (experiment.MAX_LR)
export const STEPS_MAX = 10000;          // the page's limit (the core allows more)
export const COORD_MAX = 1e6;            // |start coordinate| accepted from a link or the field
export const SLIDER_PER_DECADE = 48;     // slider notches per factor of 10 (about 4.9 % each)
const SLIDER_LO = 1e-4;
const SLIDER_HI = 2;
const EXTRA_KEYS = ["schedule", "clip", "batch_size", "seed"];

/** The catalog as lookup tables plus the page's defaults. */
export function makeSchema(catalog, homeSurface) {
  const surfaces = new Map((catalog.surfaces || []).map((s) => [s.name, s]));
  const optimizers = new Map((catalog.optimizers || []).map((o) => [o.name, o]));
  const lessons = new Map((catalog.lessons || []).map((l) => [l.name, l]));
  const defaultSurface = surfaces.has(homeSurface) ? homeSurface
    : surfaces.has("parabola") ? "parabola" : [...surfaces.keys()][0];
  const defaultOptimizer = optimizers.has("sgd") ? "sgd" : [...optimizers.keys()][0];
  return { surfaces, optimizers, lessons, defaultSurface, defaultOptimizer };
}

/** The hyperparameter defaults of one optimizer: {keyword: value}. */
export function hyperDefaults(schema, optimizer) {
  const spec = schema.optimizers.get(optimizer);
  return Object.fromEntries((spec ? spec.hypers : []).map((h) => [h.name, h.default]));
}

/** The default state for a surface and an optimizer (the page's defaults if omitted). */
export function defaultState(schema, surface = schema.defaultSurface,
  optimizer = schema.defaultOptimizer) {
  const s = schema.surfaces.get(surface);
  return {
    surface, optimizer, lr: s.lr, steps: s.steps, start: s.start.slice(),
    hyper: hyperDefaults(schema, optimizer), preset: "", embed: false, controls: "", extra: {},
  };
}

/** The state a preset (lesson) sets up; `embed` and `controls` are kept from `base`. */
export function presetState(schema, name, base) {
  const lesson = schema.lessons.get(name);
  if (!lesson) return { ...base, preset: "", extra: {} };
  const ls = lesson.state || {};
  const surface = schema.surfaces.has(ls.surface) ? ls.surface : schema.defaultSurface;
  const optimizer = schema.optimizers.has(ls.optimizer) ? ls.optimizer : schema.defaultOptimizer;
  const next = defaultState(schema, surface, optimizer);
  if (Number.isFinite(ls.lr)) next.lr = ls.lr;
  if (Number.isInteger(ls.steps)) next.steps = ls.steps;
  if (Array.isArray(ls.start) && ls.start.length === next.start.length) next.start = ls.start.slice();
  if (typeof ls.start === "number" && next.start.length === 1) next.start = [ls.start];
  for (const [k, v] of Object.entries(ls.hyper || {})) if (k in next.hyper) next.hyper[k] = v;
  for (const k of EXTRA_KEYS) if (ls[k] !== undefined && ls[k] !== null) next.extra[k] = ls[k];
  return { ...next, preset: name, embed: base ? base.embed : false, controls: base ? base.controls || "" : "" };
}

/**
 * The state after setting `key` to `value`. Keys are state keys or "hyper.<keyword>".
 * A new surface resets start, lr and steps to its defaults; a new optimizer resets the
 * hyperparameters to its defaults; a preset replaces everything but `embed` and `controls`.
 */
export function applyChange(schema, state, key, value) {
  if (key === "surface") {
    if (!schema.surfaces.has(value) || value === state.surface) return state;
    const s = schema.surfaces.get(value);
    const keepPreset = state.preset && schema.lessons.get(state.preset)?.state?.surface === value;
    return {
      ...state, surface: value, lr: s.lr, steps: s.steps, start: s.start.slice(),
      preset: keepPreset ? state.preset : "", extra: keepPreset ? state.extra : {},
    };
  }
  if (key === "optimizer") {
    if (!schema.optimizers.has(value) || value === state.optimizer) return state;
    return { ...state, optimizer: value, hyper: hyperDefaults(schema, value) };
  }
  if (key === "preset") {
    if (!value) return { ...state, preset: "", extra: {} };
    return presetState(schema, value, state);
  }
  if (key.startsWith("hyper.")) {
    const name = key.slice(6);
    if (!(name in state.hyper) || state.hyper[name] === value) return state;
    return { ...state, hyper: { ...state.hyper, [name]: value } };
  }
  if (!(key in state) || JSON.stringify(state[key]) === JSON.stringify(value)) return state;
  return { ...state, [key]: value };
}

/** The bridge message that runs this state. */
export function runMessage(state) {
  return {
    op: "run", surface: state.surface, optimizer: state.optimizer, lr: state.lr,
    steps: state.steps, start: state.start.slice(), hyper: { ...state.hyper }, ...state.extra,
  };
}

/** JSON with object keys sorted, so equal settings give equal text whatever their order. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** True when two states describe the same experiment apart from the learning rate. */
export function sameButLr(a, b) {
  const strip = (s) => canonical([s.surface, s.optimizer, s.steps, s.start, s.hyper, s.extra || {}]);
  return strip(a) === strip(b);
}

/** The learning-rate slider's range [lo, hi]: 1e-4 .. 2, widened to hold the surface's default. */
export function lrRange(surface) {
  const lr = surface && Number.isFinite(surface.lr) ? surface.lr : 0.1;
  const lo = Math.min(SLIDER_LO, 10 ** Math.floor(Math.log10(lr / 10)));
  const hi = Math.max(SLIDER_HI, lr * 4);
  return [lo, hi];
}

/** Slider notches: position 0 is lo, position `max` is at or just past hi. */
export function sliderScale(surface) {
  const [lo, hi] = lrRange(surface);
  const max = Math.ceil(Math.log10(hi / lo) * SLIDER_PER_DECADE);
  return {
    lo, max,
    toLr: (pos) => Number((lo * 10 ** (pos / SLIDER_PER_DECADE)).toPrecision(3)),
    toPos: (lr) => Math.min(max, Math.max(0, Math.round(Math.log10(lr / lo) * SLIDER_PER_DECADE))),
  };
}

/** A small store: `get()`, `change(key, value, source)`, `replace(state, source)`, `subscribe(fn)`. */
export function createStore(schema, initial) {
  let current = initial;
  const subscribers = new Set();
  function publish(prev, source) {
    for (const fn of subscribers) fn(current, prev, source);
  }
  return {
    get: () => current,
    change(key, value, source = "control") {
      const next = applyChange(schema, current, key, value);
      if (next === current) return;
      const prev = current;
      current = next;
      publish(prev, source);
    },
    replace(next, source = "replace") {
      const prev = current;
      current = next;
      publish(prev, source);
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}
