// The runs of a view: which runs a state shows, and where each one's numbers come from.
//
//   const runs = createRuns({ schema, python, view, onChange, background });   // view: precomputed;
//                                          background(): may the lab prefetch (learner.js)
//   runs.view(state)      -> [slot, ...]   what to draw now (runtraces.js: slot), the live
//                                          run last; slots whose run is not known yet have
//                                          run === null and are fetched
//   runs.setUser(run)     the learner's own program drives the live run (null: it stops)
//   runs.liveError        the live run's last error, or ""
//   runs.sweepOf(state)   {lrs, status, final_loss, diverged_at, thresholds} at every
//                         notch of the slider (one vectorised run), or null
//
// A view is the live run (the one the controls drive, trace name "path"), the runs of a
// comparing preset and the runs the learner kept. Every run is a state; a run's numbers
// come, fastest first, from the cache (filled by every answer and by one vectorised
// sweep over the slider's notches), from Python, or, until Python has answered, from the
// view's file computed at build time (static/views/, see py/gdlab/views.py). `onChange` fires when an answer arrives;
// the page then asks for the view again (state -> runs -> plots, one way).

import { formatLr } from "../state/format.js";
import { normalizeRun } from "../plots/plots.js";
import { COMPARE_COLOR, PATH_COLOR, RUN_COLORS } from "../plots/theme.js";
import { runKey, runMessage, sameRun, specState } from "../state/state.js";
import { createEarlyRuns } from "./earlyruns.js";
import { createSweeps } from "./sweeps.js";

const CACHE_SIZE = 800;
// A network's live run trains for about a second in the browser: its first HEAD_STEPS
// steps are asked for first (the same path's start: constant lr, the same batches) and
// drawn, marked `partial`, while the rest trains.
const HEAD_STEPS = 100;
const FIXED_TIME_LIMIT_MS = 20000;


/** A short label for a run that differs from the view's defaults in `spec`. */
export function runLabel(schema, state) {
  const o = schema.optimizers.get(state.optimizer);
  const name = o ? (o.short || o.title || o.name) : state.optimizer;
  const parts = [`${name.replace(/\s*\(.*\)$/, "")}, lr ${formatLr(state.lr)}`];
  const defaults = Object.fromEntries((o?.hypers || []).map((h) => [h.name, h.default]));
  for (const [k, v] of Object.entries(state.hyper || {})) if (v !== defaults[k]) parts.push(`${k} ${v}`);
  const s = schema.surfaces.get(state.surface);
  if (s && s.start.length && state.start.some((v, i) => v !== s.start[i])) parts.push(`from (${state.start.join(", ")})`);
  if (s && state.steps !== s.steps) parts.push(`${state.steps} steps`);
  const sched = state.extra && state.extra.schedule;
  if (sched) parts.push(`${typeof sched === "string" ? sched : sched.name} schedule`);
  if (state.extra && state.extra.batch_size) parts.push(`batch ${state.extra.batch_size}`);
  if (state.extra && state.extra.init_seed !== undefined) parts.push(`init seed ${state.extra.init_seed}`);
  return parts.join(", ");
}

/** The colour of the c-th run other than the live one (which has RUN_COLORS[0]). */
const otherColor = (c) => RUN_COLORS[1 + (c % (RUN_COLORS.length - 1))];

/**
 * Where runs' numbers come from: the cache, Python (the live run through `latest`, newest
 * wins; fixed runs one call each) and, until Python has answered, the view's file.
 */
function createRunSource({ schema, python, view, onChange }) {
  const cache = new Map();
  const pending = new Set();
  const errors = new Map();
  const early = createEarlyRuns(schema, view);
  const heads = new Map();      // run key -> the first HEAD_STEPS steps of a network's live run
  const src = { cache, errors, runOf, remember, liveError: "" };

  function remember(key, run) {
    cache.set(key, run);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
  }

  let liveAsked = "";   // the live run asked for and not answered yet

  function fetchLive(state, key) {
    if (liveAsked === key) return;   // asked already: every redraw until the answer comes asks
    liveAsked = key;
    python.client.latest("run", runMessage(state)).then((res) => {
      if (liveAsked === key) liveAsked = "";
      if (res === null || res === undefined) return;      // superseded by a newer request
      if (cache.has(key)) return;   // the same run: the drawn object stays (new runs show their end)
      if (res.error) { src.liveError = res.error; onChange("error"); return; }
      src.liveError = "";
      heads.clear();
      remember(key, normalizeRun(res));
      onChange("live");
    }, (err) => {
      if (liveAsked === key) liveAsked = "";
      src.liveError = String(err && err.message || err);
      onChange("error");
    });
  }

  /** A network's long live run: its head first (no schedule: a schedule's lr depends on the steps). */
  function fetchHead(state, key) {
    if (!schema.surfaces.get(state.surface)?.network || state.steps < 2 * HEAD_STEPS
        || state.extra.schedule || heads.has(key)) return;
    heads.set(key, null);
    python.client.latest("run-head", { ...runMessage(state), steps: HEAD_STEPS }).then((res) => {
      if (!res || res.error || cache.has(key)) return;
      heads.set(key, { ...normalizeRun(res), partial: { of: state.steps } });
      onChange("live");
    }, () => {});
  }

  function fetchFixed(state, key) {
    if (pending.has(key) || errors.has(key)) return;
    pending.add(key);
    python.whenReady
      .then((client) => client.call(runMessage(state), { timeLimitMs: FIXED_TIME_LIMIT_MS }))
      .then((res) => {
        if (res.error) errors.set(key, res.error);
        else remember(key, normalizeRun(res));
      }, (err) => errors.set(key, String(err && err.message || err)))
      .finally(() => { pending.delete(key); onChange("fixed"); });
  }

  /**
   * The run of a state: from the cache or the view's file (computed at build time), else
   * asked of Python; meanwhile, for the live run, the view's run at the nearest lr, or null.
   */
  function runOf(state, live) {
    const key = runKey(state);
    const hit = cache.get(key);
    if (hit) return hit;
    const known = early.runOf(state, false);
    if (known && !known.projected) { remember(key, known); return known; }
    if (!python.ready) {
      python.start();
      return known || early.runOf(state, live);
    }
    // (a network's run from the view file holds no weights, only its path on the view's
    // plane: it stands in until Python has the run, which a new plane or Play needs)
    if (live) { fetchHead(state, key); fetchLive(state, key); } else fetchFixed(state, key);
    return (live && heads.get(key)) || known;
  }
  return src;
}

/** The preset's labelled runs on this surface, as full states. */
function presetSpecs(schema, state) {
  const lesson = state.preset ? schema.lessons.get(state.preset) : null;
  if (!lesson || !lesson.compare) return [];
  return lesson.compare
    .map((spec, i) => ({ i, label: spec.label || `run ${i + 1}`, state: specState(schema, spec) }))
    .filter((p) => p.state.surface === state.surface);
}

/** The runs drawn beside the live one: a preset's others, kept runs, a full-batch twin. */
function otherSlots(schema, src, state, matched) {
  const slot = (id, label, color, s, kind) => ({ id, label, color, run: src.runOf(s, false), live: false,
    kind, state: s, error: src.errors.get(runKey(s)) || "" });
  const slots = [];
  let c = 0;
  for (const p of presetSpecs(schema, state)) {
    if (!matched || p.i !== matched.i) slots.push(slot(`preset-${p.i}`, p.label, otherColor(c++), p.state, "preset"));
  }
  (state.kept || []).forEach((spec, i) => {
    const s = specState(schema, spec, state.surface);
    slots.push(slot(`kept-${i}`, `kept: ${runLabel(schema, s)}`, otherColor(c++), s, "kept"));
  });
  if (state.extra.batch_size) {           // a mini-batch run beside the full batch's
    const full = { ...state, extra: { ...state.extra } };
    delete full.extra.batch_size;
    slots.push(slot("full-batch", "full batch", otherColor(c++), full, "full-batch"));
  }
  return slots;
}

/** A learner's step() beside a built-in optimizer: the built-in one, dotted. */
function compareSlot(run) {
  const cmp = (run._compare ??= normalizeRun(run.compare));
  return { id: "compare", label: `compare: ${cmp.optimizer}`, traceName: "compare",
    color: COMPARE_COLOR, dash: "dot", run: cmp, live: false, kind: "compare" };
}

export function createRuns({ schema, python, view: view0, onChange, background = () => true }) {
  const src = createRunSource({ schema, python, view: view0, onChange });
  const sweeps = createSweeps({ schema, python, remember: src.remember, known: (key) => src.cache.has(key), onChange });
  let lastLive = null;       // the live run drawn last: shown while the next one computes
  let user = null;           // a result of the learner's program
  const api = { view, setUser, sweepOf: sweeps.sweepOf, approx: false,
    get liveError() { return src.liveError; } };

  function liveSlot(state, matched) {
    if (user) {
      return { id: "live", label: "Your code", color: PATH_COLOR, run: user, live: true, traceName: "path", state };
    }
    let run = src.runOf(state, true);
    const exact = src.cache.has(runKey(state)) || Boolean(run && run.projected);
    api.approx = Boolean(run && !exact && !run.partial);
    // until the new run comes, the last one stands in: `borrowed`, as it is another state's
    // (its weights are not this state's: nothing may be computed from them under this key)
    const borrowed = !run && Boolean(lastLive && lastLive.surface === state.surface);
    if (run) lastLive = run;
    else if (borrowed) run = lastLive;
    if (run && python.ready && exact && background()) sweeps.prefetch(state);
    return { id: "live", label: matched ? matched.label : runLabel(schema, state), color: PATH_COLOR,
      run, borrowed, live: true, traceName: "path", state, error: src.liveError };
  }

  function view(state) {
    const matched = user ? null : presetSpecs(schema, state).find((p) => sameRun(p.state, state)) || null;
    const slots = user ? [] : otherSlots(schema, src, state, matched);
    const live = liveSlot(state, matched);
    if (live.run && live.run.compare) slots.push(compareSlot(live.run));
    return [...slots, live];
  }

  function setUser(run) {
    user = run;
    if (run) lastLive = null;
  }

  return api;
}
