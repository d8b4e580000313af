// The query string <-> the page state. Any view is a link:
//   ?surface=bowl&optimizer=adam&lr=0.05&steps=200&start=1,1&beta1=0.8&preset=NAME&embed=1
//   &controls=lr,optimizer,play   (what an embed shows; see CONTROL_NAMES)
// Hyperparameters go by their keyword (torch.optim's names). Parsing checks every value
// against the catalog; what does not fit is left out (the default stays) and reported,
// so the page can say what it ignored. Serialising writes surface, optimizer and lr
// always and the rest when it differs from the defaults (everything when a preset is set,
// so a reload gives the same view even where the preset differs from the defaults).

import {
  KEPT_MAX, LIMITS, NET_KEYS, SLICE_DEFAULTS, applyChange, defaultState, dimOf, hyperDefaults,
  presetState, scheduleOf, weightsOf,
} from "./state.js";

/**
 * What `controls=` may list (layout.js shows these in an embed): the slider with its
 * value, Play/Step/Reset, the pickers and fields, the hyperparameters, the rest behind
 * "Settings"; `none` shows only the plots and the status line.
 */
export const CONTROL_NAMES = ["lr", "play", "preset", "surface", "optimizer", "steps", "start",
  "hyper", "settings", "none"];

/** "lr, optimizer,play" -> "lr,optimizer,play" (known names, once each), or null. */
export function parseControls(text) {
  const names = String(text).split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (!names.length || names.some((n) => !CONTROL_NAMES.includes(n))) return null;
  const once = [...new Set(names)];
  return once.includes("none") ? "none" : once.join(",");
}

/** Why a value is refused, or null when it is fine. Values come in as strings. */
function checkHyper(spec, text) {
  if (spec.kind === "bool") {
    const t = text.toLowerCase();
    if (["1", "true", "on", "yes"].includes(t)) return { value: true };
    if (["0", "false", "off", "no"].includes(t)) return { value: false };
    return { reason: "must be 1 or 0" };
  }
  const x = parseNumber(text);
  if (x === null) return { reason: "must be a number" };
  if (spec.kind === "int" && !Number.isInteger(x)) return { reason: "must be a whole number" };
  if (spec.lo !== null && spec.lo !== undefined && x < spec.lo) return { reason: `must be >= ${spec.lo}` };
  if (spec.hi !== null && spec.hi !== undefined && x > spec.hi) return { reason: `must be <= ${spec.hi}` };
  return { value: x };
}

/** A finite number written plainly (no hex, no empty string), else null. */
export function parseNumber(text) {
  const t = String(text).trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

/** "x,y" (or "x" in 1-D) as numbers, or null. */
export function parsePoint(text, dim) {
  const parts = String(text).split(",").map((p) => p.trim());
  if (parts.length !== dim) return null;
  const xs = parts.map(parseNumber);
  if (xs.some((x) => x === null || Math.abs(x) > LIMITS.coord_max)) return null;
  return xs;
}

export function checkLr(text) {
  const x = parseNumber(text);
  if (x === null || x <= 0 || x > LIMITS.lr_max) return null;
  return x;
}

export function checkSteps(text) {
  const x = parseNumber(text);
  if (x === null || !Number.isInteger(x) || x < 0 || x > LIMITS.steps_max) return null;
  return x;
}

/**
 * The state a query string asks for, and what was ignored:
 *   { state, ignored: [{key, value, reason}] }
 * `passthrough` lists keys other parts of the page own (left alone, not reported).
 */
export function parseQuery(search, schema, { passthrough = [] } = {}) {
  return applyParams(defaultState(schema), new URLSearchParams(search), schema, { passthrough });
}

/**
 * `base` with the settings in `params` (URLSearchParams) applied, checked like a link:
 * a surface or optimizer that differs from the base's brings its own defaults first.
 */
export function applyParams(base, params, schema, { passthrough = [] } = {}) {
  const ignored = [];
  const refuse = (key, value, reason) => ignored.push({ key, value: String(value).slice(0, 40), reason });
  const seen = new Set(params.keys());
  for (const key of seen) {
    const all = params.getAll(key);
    if (all.length > 1) refuse(key, all.join(","), "given more than once; the first is used");
  }
  const get = (key) => (params.has(key) ? params.get(key) : null);

  let state = applyFrame(base, get, refuse);
  state = applyView(state, get, schema, refuse);
  state = applyRun(state, get, refuse);
  state = applyExtras(state, get, schema, refuse);
  state = applySlice(state, get, schema, refuse);
  const keep = get("keep");
  if (keep !== null) {
    const { kept, problems } = decodeKept(keep, state, schema);
    state.kept = kept;
    for (const p of problems) refuse("keep", p.value, p.reason);
  }
  const keyed = [...seen].filter((key) => !schema.urlKeys.includes(key) && !passthrough.includes(key));
  return { state: applyKeyed(state, keyed, params, schema, refuse), ignored };
}

/** embed and controls: how the page frames the lab. */
function applyFrame(state, get, refuse) {
  const embed = get("embed");
  if (embed !== null) {
    if (["1", "true", "yes"].includes(embed.toLowerCase())) state = { ...state, embed: true };
    else if (["0", "false", "no", ""].includes(embed.toLowerCase())) state = { ...state, embed: false };
    else refuse("embed", embed, "must be 1 or 0");
  }
  const shown = get("controls");
  if (shown !== null) {
    const c = parseControls(shown);
    if (c === null) refuse("controls", shown, `must list some of ${CONTROL_NAMES.join(", ")}`);
    else state = { ...state, controls: c };
  }
  return state;
}

/** The preset, the surface and the optimizer, in that order: each brings its own defaults. */
function applyView(state, get, schema, refuse) {
  const preset = get("preset");
  if (preset !== null && preset !== "") {
    if (schema.lessons.has(preset)) state = presetState(schema, preset, state);
    else refuse("preset", preset, "no such preset");
  }
  const surface = get("surface");
  if (surface !== null) {
    if (schema.surfaces.has(surface)) state = applyChange(schema, state, "surface", surface);
    else refuse("surface", surface, "no such surface");
  }
  const optimizer = get("optimizer");
  if (optimizer !== null) {
    if (schema.optimizers.has(optimizer)) state = applyChange(schema, state, "optimizer", optimizer);
    else refuse("optimizer", optimizer, "no such optimizer");
  }
  return state;
}

/** lr, steps and start, on a copy of the state (its hyper and start copied too). */
function applyRun(base, get, refuse) {
  const state = { ...base, hyper: { ...base.hyper }, start: base.start.slice() };
  const lr = get("lr");
  if (lr !== null) {
    const x = checkLr(lr);
    if (x === null) refuse("lr", lr, `must be a number > 0 and <= ${LIMITS.lr_max}`);
    else state.lr = x;
  }
  const steps = get("steps");
  if (steps !== null) {
    const x = checkSteps(steps);
    if (x === null) refuse("steps", steps, `must be a whole number from 0 to ${LIMITS.steps_max}`);
    else state.steps = x;
  }
  const start = get("start");
  if (start !== null && !state.start.length) {
    refuse("start", start, "a network starts from its init seed's weights (init_seed=)");
  } else if (start !== null) {
    const dim = state.start.length;
    const p = parsePoint(start, dim);
    if (p === null) refuse("start", start, dim === 1 ? "must be one number" : `must be ${dim} numbers like 1,-0.5`);
    else state.start = p;
  }
  return state;
}

/**
 * The settings given by keyword (`keys`: the link's keys that are no named parameter):
 * the schedule's, then the optimizer's hyperparameters; any other is refused, saying
 * whose setting it would have been.
 */
function applyKeyed(state, keys, params, schema, refuse) {
  const schedSpecs = new Map((schema.schedules.get(scheduleOf(state).name)?.hypers || []).map((h) => [h.name, h]));
  const specs = new Map((schema.optimizers.get(state.optimizer)?.hypers || []).map((h) => [h.name, h]));
  for (const key of keys) {
    if (schedSpecs.has(key)) {
      const r = checkHyper(schedSpecs.get(key), params.get(key));
      if (r.reason) refuse(key, params.get(key), r.reason);
      else state = applyChange(schema, state, `schedule.${key}`, r.value);
      continue;
    }
    const spec = specs.get(key);
    if (!spec) {
      const other = [...schema.optimizers.values()].some((o) => o.hypers.some((h) => h.name === key));
      const sched = [...schema.schedules.values()].some((o) => o.hypers.some((h) => h.name === key));
      refuse(key, params.get(key), other ? `not a setting of ${state.optimizer}`
        : sched ? `not a setting of the ${scheduleOf(state).name} schedule` : "unknown setting");
      continue;
    }
    const r = checkHyper(spec, params.get(key));
    if (r.reason) refuse(key, params.get(key), r.reason);
    else state.hyper[key] = r.value;
  }
  return state;
}

/** The schedule (by name), the batch size and the seed a link asks for. */
function applyExtras(state, get, schema, refuse) {
  const sched = get("schedule");
  if (sched !== null) {
    if (schema.schedules.has(sched)) state = applyChange(schema, state, "schedule", sched);
    else refuse("schedule", sched, "no such schedule");
  }
  const n = schema.surfaces.get(state.surface).n_samples || 0;
  for (const key of ["batch_size", "seed"]) {
    const text = get(key);
    if (text === null) continue;
    const x = parseNumber(text);
    const hi = key === "seed" ? 2 ** 32 - 1 : n;
    if (key === "batch_size" && !n) refuse(key, text, "this surface has no data to batch");
    else if (x === null || !Number.isInteger(x) || x < (key === "seed" ? 0 : 1) || x > hi) {
      refuse(key, text, `must be a whole number from ${key === "seed" ? 0 : 1} to ${hi}`);
    } else state = applyChange(schema, state, key, x);
  }
  return applyNet(state, get, schema, refuse);
}

/**
 * A network's layers ("2,16,16,1": the 2 inputs, the hidden units, the 1 logit), checked
 * against its spec (catalog.networks' settings): [units, ...] or {reason}.
 */
export function parseLayers(text, spec) {
  const parts = String(text).split(",").map((t) => t.trim());
  const units = parts.map(parseNumber);
  const hidden = units.length - 2;
  if (units.some((u) => u === null || !Number.isInteger(u)) || units[0] !== spec.first
      || units.at(-1) !== spec.last || hidden < 0 || hidden > spec.max_hidden
      || units.slice(1, -1).some((u) => u < spec.min || u > spec.max)) return { reason: spec.reason };
  if (weightsOf(units) > spec.max_weights) return { reason: `${weightsOf(units)} weights: at most ${spec.max_weights}` };
  return { value: units };
}

/** A network's layers, activation and init seed (only a network has them). */
function applyNet(state, get, schema, refuse) {
  const net = schema.surfaces.get(state.surface).network;
  for (const key of NET_KEYS) {
    const text = get(key);
    if (text === null) continue;
    if (!net) { refuse(key, text, "only a network (a DATASET-mlp surface) has it"); continue; }
    const spec = net[key];
    let r;
    if (spec.kind === "layers") r = parseLayers(text, spec);
    else if (spec.kind === "choice") r = spec.of.includes(text) ? { value: text } : { reason: spec.reason };
    else {
      const x = parseNumber(text);
      r = x !== null && Number.isInteger(x) && x >= spec.min && x <= spec.max ? { value: x } : { reason: spec.reason };
    }
    if (r.reason) refuse(key, text, r.reason);
    else state = applyChange(schema, state, key, r.value);
  }
  return state;
}

/** "i,j": two different weight indices below d, or null. */
export function parseAxes(text, dim) {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(String(text));
  if (!m) return null;
  const axes = [Number(m[1]), Number(m[2])];
  return axes[0] !== axes[1] && axes.every((i) => i < dim) ? axes : null;
}

/** The slice's plane (surfaces with more than two weights): slice, slice_seed, slice_at, axes. */
function applySlice(state, get, schema, refuse) {
  const dim = dimOf(schema, state);
  const choices = { slice: ["pca", "random", "coords"], slice_at: ["end", "start"] };
  const next = { ...state };
  for (const key of ["slice", "slice_seed", "slice_at", "axes"]) {
    const text = get(key);
    if (text === null) continue;
    if (dim <= 2) { refuse(key, text, "only surfaces with more than two weights have a slice"); continue; }
    if (choices[key]) {
      if (choices[key].includes(text)) next[key] = text;
      else refuse(key, text, `must be ${choices[key].join(", ").replace(/, (\w+)$/, " or $1")}`);
    } else if (key === "slice_seed") {
      const x = parseNumber(text);
      if (x === null || !Number.isInteger(x) || x < 0 || x > 2 ** 32 - 1) refuse(key, text, `must be a whole number from 0 to ${2 ** 32 - 1}`);
      else next.slice_seed = x;
    } else {
      const axes = parseAxes(text, dim);
      if (axes === null) refuse(key, text, `must be two different weights from 0 to ${dim - 1}, like 0,1`);
      else next.axes = axes;
    }
  }
  return next;
}

/** One line for the page: what the link asked for that the lab did not take. */
export function describeIgnored(ignored) {
  if (!ignored.length) return "";
  const items = ignored.map((i) => `${i.key}=${i.value} (${i.reason})`);
  return `Ignored from the link: ${items.join("; ")}. Using the defaults for these.`;
}

/** URLSearchParams as text with its commas, semicolons and colons left plain (start=1,2). */
export const plainQuery = (params) => params.toString().replace(/%2C/g, ",").replace(/%3B/g, ";").replace(/%3A/g, ":");

/** The query string (with "?", or "" when there is nothing to say) for a state. */
export function serialize(state, schema, { keep = null } = {}) {
  const params = new URLSearchParams();
  const s = schema.surfaces.get(state.surface);
  const all = Boolean(state.preset);
  if (state.preset) params.set("preset", state.preset);
  params.set("surface", state.surface);
  params.set("optimizer", state.optimizer);
  params.set("lr", String(state.lr));
  if (all || !s || state.steps !== s.steps) params.set("steps", String(state.steps));
  if (state.start.length && (all || !s || state.start.some((v, i) => v !== s.start[i]))) params.set("start", state.start.map(String).join(","));
  const defaults = hyperDefaults(schema, state.optimizer);
  for (const [k, v] of Object.entries(state.hyper)) {
    if (all || v !== defaults[k]) params.set(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  const sched = scheduleOf(state);
  if (sched.name !== "constant") {
    params.set("schedule", sched.name);
    for (const [k, v] of Object.entries(sched)) if (k !== "name") params.set(k, String(v));
  }
  for (const k of ["batch_size", "seed", ...NET_KEYS]) if (state.extra[k] !== undefined) params.set(k, String(state.extra[k]));
  if (dimOf(schema, state) > 2) {
    // the seed belongs to random directions, the axes to two weights: written only for those
    for (const k of ["slice", "slice_at"]) if (state[k] !== undefined && state[k] !== SLICE_DEFAULTS[k]) params.set(k, String(state[k]));
    if (state.slice === "random" && state.slice_seed) params.set("slice_seed", String(state.slice_seed));
    if (state.slice === "coords" && state.axes && state.axes.join(",") !== SLICE_DEFAULTS.axes.join(",")) params.set("axes", state.axes.join(","));
  }
  if (state.embed) params.set("embed", "1");
  if (state.kept && state.kept.length) params.set("keep", encodeKept(state.kept, state, schema));
  if (state.controls) params.set("controls", state.controls);
  if (keep) for (const [k, v] of keep) params.append(k, v);
  const text = plainQuery(params);
  return text ? `?${text}` : "";
}

/** Write the state into the address bar without a new history entry. */
export function writeUrl(state, schema, { passthrough = [] } = {}) {
  const current = new URLSearchParams(location.search);
  const keep = [...current].filter(([k]) => passthrough.includes(k));
  const query = serialize(state, schema, { keep });
  if (query !== location.search) history.replaceState(history.state, "", `${location.pathname}${query}${location.hash}`);
}

// --- kept runs in the link -------------------------------------------------------------
// keep=RUN;RUN;...  with RUN = optimizer,lr[,name:value...]: the settings that differ from
// the optimizer's and the surface's defaults (steps, start as x_y, hyperparameters by
// keyword, clip, batch_size, seed, schedule). Example: keep=sgd,0.1;adam,0.05,beta1:0.8

const KEPT_EXTRA = { clip: "number", batch_size: "int", seed: "int", schedule: "name", init_seed: "int", activation: "name" };

function encodeValue(v) {
  return typeof v === "boolean" ? (v ? "1" : "0") : String(v);
}

/** The `keep` parameter for a list of kept-run specs on the state's surface. */
export function encodeKept(kept, state, schema) {
  const s = schema.surfaces.get(state.surface);
  return kept.map((spec) => {
    const parts = [spec.optimizer, String(spec.lr)];
    if (s && spec.steps !== s.steps) parts.push(`steps:${spec.steps}`);
    if (s && spec.start.some((v, i) => v !== s.start[i])) parts.push(`start:${spec.start.join("_")}`);
    const defaults = hyperDefaults(schema, spec.optimizer);
    for (const [k, v] of Object.entries(spec.hyper || {})) if (v !== defaults[k]) parts.push(`${k}:${encodeValue(v)}`);
    for (const [k, v] of Object.entries(spec.extra || {})) {
      if (k === "schedule" && v && typeof v === "object") parts.push(`schedule:${v.name}`);
      else if (k in KEPT_EXTRA && v !== null && typeof v !== "object") parts.push(`${k}:${encodeValue(v)}`);
    }
    return parts.join(",");
  }).join(";");
}

function decodeOne(text, state, schema) {
  const [optimizer, lrText, ...rest] = text.split(",");
  const o = schema.optimizers.get(optimizer);
  if (!o) return { reason: `no such optimizer '${String(optimizer).slice(0, 20)}'` };
  const lr = checkLr(lrText ?? "");
  if (lr === null) return { reason: `the learning rate must be a number > 0 and <= ${LIMITS.lr_max}` };
  // (a network's kept runs have its layers: new layers clear the kept runs)
  const spec = { optimizer, lr, steps: state.steps, start: state.start.slice(),
    hyper: hyperDefaults(schema, optimizer), extra: state.extra.layers ? { layers: state.extra.layers } : {} };
  const s = schema.surfaces.get(state.surface);
  if (s) { spec.steps = s.steps; spec.start = s.start.slice(); }
  const hypers = new Map(o.hypers.map((h) => [h.name, h]));
  for (const part of rest) {
    const i = part.indexOf(":");
    const [k, v] = i < 0 ? [part, ""] : [part.slice(0, i), part.slice(i + 1)];
    if (k === "steps") {
      const x = checkSteps(v);
      if (x === null) return { reason: `steps must be a whole number from 0 to ${LIMITS.steps_max}` };
      spec.steps = x;
    } else if (k === "start") {
      const p = parsePoint(v.replace(/_/g, ","), spec.start.length);
      if (p === null) return { reason: "start must be numbers joined by _" };
      spec.start = p;
    } else if (hypers.has(k)) {
      const r = checkHyper(hypers.get(k), v);
      if (r.reason) return { reason: `${k} ${r.reason}` };
      spec.hyper[k] = r.value;
    } else if (k in KEPT_EXTRA) {
      const kind = KEPT_EXTRA[k];
      const x = kind === "name" ? (/^[a-z][a-z0-9-]{0,30}$/.test(v) ? v : null) : parseNumber(v);
      const net = schema.surfaces.get(state.surface)?.network;
      if ((k === "init_seed" || k === "activation") && !net) return { reason: `${k}: only a network has it` };
      if (x === null || (kind === "int" && !Number.isInteger(x)) || (kind !== "name" && x <= 0 && k !== "seed" && k !== "init_seed")
          || (k === "activation" && !net.activation.of.includes(x))) {
        return { reason: `${k} cannot be '${v.slice(0, 20)}'` };
      }
      spec.extra[k] = x;
    } else {
      return { reason: `unknown setting '${k.slice(0, 20)}'` };
    }
  }
  return { spec };
}

/** The kept runs a `keep` parameter lists: {kept: [spec], problems: [{value, reason}]}. */
export function decodeKept(text, state, schema) {
  const kept = [];
  const problems = [];
  for (const item of String(text).split(";").filter(Boolean)) {
    if (kept.length >= KEPT_MAX) { problems.push({ value: item, reason: `at most ${KEPT_MAX} kept runs` }); break; }
    const r = decodeOne(item, state, schema);
    if (r.spec) kept.push(r.spec);
    else problems.push({ value: item, reason: r.reason });
  }
  return { kept, problems };
}
