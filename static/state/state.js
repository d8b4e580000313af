// The page's one declarative state and the schema that says what it may hold.
//
// A state is a plain object:
//   { surface, optimizer, lr, steps, start: [x(, y)], hyper: {keyword: value},
//     preset, embed, controls, extra: {schedule?, clip?, batch_size?, seed?}, kept: [spec, ...],
//     slice, slice_seed, slice_at, axes: [i, j] }   (the plane of a d > 2 landscape: slice.js)
// A network (catalog.networks, `DATASET-mlp`) starts from its init seed's Glorot weights:
// its `start` is [] ("the surface's own"), and its settings (layers, activation,
// init_seed) sit in `extra` where they differ from the defaults, so equal networks give
// equal run keys however they were asked for.
// `kept` holds the runs the learner kept on screen (each a spec: optimizer, lr, steps,
// start, hyper, extra); they belong to the surface and go when it changes.
// (`controls`: what an embed shows, "lr,optimizer,play"; "" = the default set)
// The schema is built from the bridge's catalog (surfaces, optimizers, lessons): it gives
// the defaults and the ranges. Every change goes through `applyChange`, which knows the
// few rules that tie keys together (a new surface brings its own start, lr and steps; a
// new optimizer its own hyperparameters; a preset its whole state). The store holds the
// current state and tells its subscribers what changed.

// The limits and the slider's scale come from the core's catalog (gdlab/limits.py), set
// once by makeSchema: the page restates none of them.
export const LIMITS = { steps_max: 0, lr_max: 0, coord_max: 0 };
const SLIDER = { per_decade: 0, digits: 0 };
export const KEPT_MAX = 12;              // kept runs on one view
export const NET_KEYS = ["layers", "activation", "init_seed"];
const EXTRA_KEYS = ["schedule", "clip", "batch_size", "seed", ...NET_KEYS];
export const SLICE_DEFAULTS = { slice: "pca", slice_seed: 0, slice_at: "end", axes: [0, 1] };

/** The catalog as lookup tables plus the page's defaults. */
export function makeSchema(catalog, homeSurface) {
  Object.assign(LIMITS, catalog.limits || {});
  Object.assign(SLIDER, catalog.slider || {});
  const surfaces = new Map((catalog.surfaces || []).map((s) => [s.name, s]));
  for (const n of catalog.networks || []) surfaces.set(n.name, networkSurface(n));
  const optimizers = new Map((catalog.optimizers || []).map((o) => [o.name, o]));
  const onPage = (l) => surfaces.has(l.state && l.state.surface);
  const lessons = new Map((catalog.lessons || []).filter(onPage).map((l) => [l.name, l]));
  const schedules = new Map((catalog.schedules || []).map((l) => [l.name, l]));
  const defaultSurface = surfaces.has(homeSurface) ? homeSurface
    : surfaces.has("parabola") ? "parabola" : [...surfaces.keys()][0];
  const defaultOptimizer = optimizers.has("sgd") ? "sgd" : [...optimizers.keys()][0];
  // The query keys (catalog.state_keys): the state's own, and those other parts of the
  // page own (kind "text": the code pane's code, an embed's id), passed through as they are.
  const keys = catalog.state_keys || [];
  const urlKeys = keys.filter((k) => k.url === true && k.kind !== "text").map((k) => k.key);
  const passthrough = keys.filter((k) => k.url && k.kind === "text").map((k) => k.key);
  return { surfaces, optimizers, lessons, schedules, defaultSurface, defaultOptimizer, urlKeys, passthrough };
}

/**
 * A network family as a surface of the page: `network` holds its settings' specs by key
 * (layers, activation, init_seed: their defaults and limits); its start is its init
 * seed's ([]), its weights d follow its layers (dimOf).
 */
function networkSurface(entry) {
  const network = Object.fromEntries((entry.settings || []).map((k) => [k.key, k]));
  return { ...entry, network, start: [], minima: [], bounds: null,
    formula: `mean binary cross-entropy of an MLP on ${entry.n_samples} ${entry.dataset} rows` };
}

/** The number of weights of a network with these layers: Σ (fan_in + 1)·fan_out. */
export const weightsOf = (layers) => layers.slice(1).reduce((n, out, i) => n + (layers[i] + 1) * out, 0);

/** The state's network settings, defaults filled in ({} for a surface that is no network). */
export function netSettings(schema, state) {
  const net = schema.surfaces.get(state.surface)?.network;
  if (!net) return {};
  return Object.fromEntries(NET_KEYS.map((k) => [k, state.extra[k] ?? net[k].default]));
}

/** The number of weights of the state's model (a network's from its layers). */
export function dimOf(schema, state) {
  const s = schema.surfaces.get(state.surface);
  return s && s.network ? weightsOf(netSettings(schema, state).layers) : state.start.length;
}

/** `extra` without network settings that are the defaults (or that belong to no network). */
function tidyNet(schema, surface, extra) {
  const net = schema.surfaces.get(surface)?.network;
  const out = { ...extra };
  for (const k of NET_KEYS) {
    if (out[k] === undefined) continue;
    if (!net || canonical(out[k]) === canonical(net[k].default)) delete out[k];
  }
  return out;
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
    hyper: hyperDefaults(schema, optimizer), preset: "", embed: false, controls: "", extra: {}, kept: [],
    ...SLICE_DEFAULTS, axes: SLICE_DEFAULTS.axes.slice(),
  };
}

/**
 * The full state a run spec describes on `surface`: a preset's state, one of its labelled
 * runs, or a kept run ({optimizer, lr, steps, start, hyper, schedule, ...}); what the spec
 * leaves out takes the surface's and optimizer's defaults.
 */
export function specState(schema, spec, surface = spec.surface) {
  const name = schema.surfaces.has(surface) ? surface : schema.defaultSurface;
  const optimizer = schema.optimizers.has(spec.optimizer) ? spec.optimizer : schema.defaultOptimizer;
  const next = defaultState(schema, name, optimizer);
  if (Number.isFinite(spec.lr)) next.lr = spec.lr;
  if (Number.isInteger(spec.steps)) next.steps = spec.steps;
  if (Array.isArray(spec.start) && spec.start.length === next.start.length) next.start = spec.start.slice();
  if (typeof spec.start === "number" && next.start.length === 1) next.start = [spec.start];
  for (const [k, v] of Object.entries(spec.hyper || {})) if (k in next.hyper) next.hyper[k] = v;
  const extra = spec.extra || spec;
  for (const k of EXTRA_KEYS) if (extra[k] !== undefined && extra[k] !== null) next.extra[k] = extra[k];
  next.extra = tidyNet(schema, name, next.extra);
  return next;
}

/** The spec of a kept run: what makes the state's run, without the surface. */
export function keptSpec(state) {
  return {
    optimizer: state.optimizer, lr: state.lr, steps: state.steps, start: state.start.slice(),
    hyper: { ...state.hyper }, extra: { ...state.extra },
  };
}

/** The state a preset (lesson) sets up; `embed` and `controls` are kept from `base`. */
export function presetState(schema, name, base) {
  const lesson = schema.lessons.get(name);
  if (!lesson) return { ...base, preset: "", extra: {}, kept: [] };
  const next = specState(schema, lesson.state || {});
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
      ...state, surface: value, lr: s.lr, steps: s.steps, start: s.start.slice(), axes: SLICE_DEFAULTS.axes.slice(),
      preset: keepPreset ? state.preset : "", extra: keepPreset ? state.extra : {}, kept: [],
    };
  }
  if (key === "optimizer") {
    if (!schema.optimizers.has(value) || value === state.optimizer) return state;
    return { ...state, optimizer: value, hyper: hyperDefaults(schema, value) };
  }
  if (key === "preset") {
    if (!value) return { ...state, preset: "", extra: {}, kept: [] };
    return presetState(schema, value, state);
  }
  if (key === "schedule" || key.startsWith("schedule.")) return changeSchedule(schema, state, key, value);
  if (NET_KEYS.includes(key)) {
    if (!schema.surfaces.get(state.surface)?.network) return state;
    const extra = tidyNet(schema, state.surface, { ...state.extra, [key]: value });
    if (canonical(extra) === canonical(state.extra)) return state;
    // new layers: a new d, so the kept runs (of the old net) and a coordinate plane go
    return key === "layers" ? { ...state, extra, kept: [], axes: SLICE_DEFAULTS.axes.slice() } : { ...state, extra };
  }
  if (key === "batch_size" || key === "seed") {
    const extra = { ...state.extra };
    if (value === null || value === "" || (key === "batch_size" && value >= (schema.surfaces.get(state.surface).n_samples || Infinity))) {
      delete extra[key];
    } else extra[key] = value;
    return canonical(extra) === canonical(state.extra) ? state : { ...state, extra };
  }
  if (key.startsWith("hyper.")) {
    const name = key.slice(6);
    if (!(name in state.hyper) || state.hyper[name] === value) return state;
    return { ...state, hyper: { ...state.hyper, [name]: value } };
  }
  if (!(key in state) || JSON.stringify(state[key]) === JSON.stringify(value)) return state;
  return { ...state, [key]: value };
}

/** The state's schedule as {name, ...params} (constant when it has none). */
export function scheduleOf(state) {
  const s = state.extra.schedule;
  if (!s) return { name: "constant" };
  return typeof s === "string" ? { name: s } : s;
}

/** A schedule chosen (`schedule`, by name) or one of its parameters (`schedule.<param>`). */
function changeSchedule(schema, state, key, value) {
  const extra = { ...state.extra };
  const now = scheduleOf(state);
  let next;
  if (key === "schedule") {
    if (value === now.name || !schema.schedules.has(value)) return state;
    next = { name: value };
  } else {
    const name = key.slice(9);
    const spec = schema.schedules.get(now.name);
    if (!spec || !spec.hypers.some((h) => h.name === name) || now[name] === value) return state;
    next = { ...now, [name]: value };
  }
  if (next.name === "constant") delete extra.schedule;
  else extra.schedule = next;
  return { ...state, extra };
}

/** The value a control shows for `key` (state key, "hyper.<k>", "schedule[.<p>]", extra key). */
export function readKey(schema, state, key) {
  if (key.startsWith("hyper.")) return state.hyper[key.slice(6)];
  if (key === "schedule") return scheduleOf(state).name;
  if (key.startsWith("schedule.")) {
    const sched = scheduleOf(state);
    const name = key.slice(9);
    if (name in sched) return sched[name];
    const spec = schema.schedules.get(sched.name);
    return spec?.hypers.find((h) => h.name === name)?.default ?? null;
  }
  if (key === "batch_size") return state.extra.batch_size ?? schema.surfaces.get(state.surface).n_samples;
  if (key === "seed") return state.extra.seed ?? 0;
  if (NET_KEYS.includes(key)) return netSettings(schema, state)[key];
  return state[key];
}

/** True when two states make the same run (the same bridge message). */
export function sameRun(a, b) {
  return canonical(runMessage(a)) === canonical(runMessage(b));
}

/** The bridge message that runs this state (a network's start, [], is left to its init seed). */
export function runMessage(state) {
  return {
    op: "run", surface: state.surface, optimizer: state.optimizer, lr: state.lr, steps: state.steps,
    ...(state.start.length ? { start: state.start.slice() } : {}), hyper: { ...state.hyper }, ...state.extra,
  };
}

/** JSON with object keys sorted, so equal settings give equal text whatever their order. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The key of a state's run: its bridge message as canonical JSON (caches file runs by it). */
export const runKey = (state) => canonical(runMessage(state));

/** True when two states describe the same experiment apart from the learning rate. */
export function sameButLr(a, b) {
  const strip = (s) => canonical([s.surface, s.optimizer, s.steps, s.start, s.hyper, s.extra || {}]);
  return strip(a) === strip(b);
}

/**
 * Slider notches (the catalog's per-surface `slider` and its scale): position 0 is lo,
 * position `max` at or just past hi; notch p is lo·10^(p/per_decade) to `digits` digits.
 */
export function sliderScale(surface) {
  const { lo, max } = surface.slider;
  const per = SLIDER.per_decade;
  return {
    lo, max,
    toLr: (pos) => Number((lo * 10 ** (pos / per)).toPrecision(SLIDER.digits)),
    toPos: (lr) => Math.min(max, Math.max(0, Math.round(Math.log10(lr / lo) * per))),
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
