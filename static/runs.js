// The runs of a view: which runs a state shows, and where each one's numbers come from.
//
//   const runs = createRuns({ schema, python, view, onChange });   // view: precomputed
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

import { formatLr } from "./format.js";
import { normalizeRun } from "./plots.js";
import { COMPARE_COLOR, PATH_COLOR, RUN_COLORS } from "./theme.js";
import { canonical, runMessage, sameRun, specState } from "./state.js";
import { createEarlyRuns } from "./earlyruns.js";
import { createSweeps } from "./sweeps.js";

const CACHE_SIZE = 800;
const FIXED_TIME_LIMIT_MS = 20000;

/** The cache key of a state's run: its bridge message, keys sorted. */
export const keyOf = (state) => canonical(runMessage(state));

/** A short label for a run that differs from the view's defaults in `spec`. */
export function runLabel(schema, state) {
  const o = schema.optimizers.get(state.optimizer);
  const name = o ? (o.short || o.title || o.name) : state.optimizer;
  const parts = [`${name.replace(/\s*\(.*\)$/, "")}, lr ${formatLr(state.lr)}`];
  const defaults = Object.fromEntries((o?.hypers || []).map((h) => [h.name, h.default]));
  for (const [k, v] of Object.entries(state.hyper || {})) if (v !== defaults[k]) parts.push(`${k} ${v}`);
  const s = schema.surfaces.get(state.surface);
  if (s && state.start.some((v, i) => v !== s.start[i])) parts.push(`from (${state.start.join(", ")})`);
  if (s && state.steps !== s.steps) parts.push(`${state.steps} steps`);
  const sched = state.extra && state.extra.schedule;
  if (sched) parts.push(`${typeof sched === "string" ? sched : sched.name} schedule`);
  if (state.extra && state.extra.batch_size) parts.push(`batch ${state.extra.batch_size}`);
  return parts.join(", ");
}

/** The colour of the c-th run other than the live one (which has RUN_COLORS[0]). */
const otherColor = (c) => RUN_COLORS[1 + (c % (RUN_COLORS.length - 1))];

export function createRuns({ schema, python, view: view0, onChange }) {
  const cache = new Map();
  const pending = new Set();
  const errors = new Map();
  const early = createEarlyRuns(schema, view0);
  let lastLive = null;       // the live run drawn last: shown while the next one computes
  let user = null;           // a result of the learner's program
  const sweeps = createSweeps({ schema, python, remember, known: (key) => cache.has(key), onChange });
  const api = { view, setUser, remember, sweepOf: sweeps.sweepOf, liveError: "", approx: false };

  function remember(key, run) {
    cache.set(key, run);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
  }

  function fetchLive(state, key) {
    python.client.latest("run", runMessage(state)).then((res) => {
      if (res === null || res === undefined) return;      // superseded by a newer request
      if (res.error) { api.liveError = res.error; onChange("error"); return; }
      api.liveError = "";
      remember(key, normalizeRun(res));
      onChange("live");
    }, (err) => { api.liveError = String(err && err.message || err); onChange("error"); });
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
   * The run of a state: from the cache, else asked of Python; meanwhile the run computed
   * at build time (for the live run before Python is ready: the nearest lr's), or null.
   */
  function runOf(state, live) {
    const key = keyOf(state);
    const hit = cache.get(key);
    if (hit) return hit;
    if (!python.ready) {
      python.start();
      return early.runOf(state, live);
    }
    if (live) fetchLive(state, key); else fetchFixed(state, key);
    return early.runOf(state, false);
  }

  function liveSlot(state, matched) {
    if (user) {
      return { id: "live", label: "Your code", color: PATH_COLOR, run: user, live: true, traceName: "path", state };
    }
    let run = runOf(state, true);
    api.approx = Boolean(run && !cache.has(keyOf(state)));
    if (run) lastLive = run;
    else if (lastLive && lastLive.surface === state.surface) run = lastLive;   // until the new one comes
    if (run && python.ready && !api.approx && cache.has(keyOf(state))) sweeps.prefetch(state);
    return { id: "live", label: matched ? matched.label : runLabel(schema, state), color: PATH_COLOR,
      run, live: true, traceName: "path", state, error: api.liveError };
  }

  /** The preset's labelled runs on this surface, as full states. */
  function presetSpecs(state) {
    const lesson = state.preset ? schema.lessons.get(state.preset) : null;
    if (!lesson || !lesson.compare || user) return [];
    return lesson.compare
      .map((spec, i) => ({ i, label: spec.label || `run ${i + 1}`, state: specState(schema, spec) }))
      .filter((p) => p.state.surface === state.surface);
  }

  function view(state) {
    const presets = presetSpecs(state);
    const matched = presets.find((p) => sameRun(p.state, state)) || null;
    const slots = [];
    let c = 0;
    for (const p of presets) {
      if (p === matched) continue;
      slots.push(fixedSlot(`preset-${p.i}`, p.label, otherColor(c++), p.state));
    }
    (user ? [] : state.kept || []).forEach((spec, i) => {
      const s = specState(schema, spec, state.surface);
      slots.push(fixedSlot(`kept-${i}`, `kept: ${runLabel(schema, s)}`, otherColor(c++), s, "kept"));
    });
    // A mini-batch run is drawn beside the full-batch run of the same settings.
    if (state.extra.batch_size && !user) {
      const full = { ...state, extra: { ...state.extra } };
      delete full.extra.batch_size;
      slots.push(fixedSlot("full-batch", "full batch", otherColor(c++), full, "full-batch"));
    }
    slots.push(liveSlot(state, matched));
    const liveRun = slots[slots.length - 1].run;
    if (liveRun && liveRun.compare) {
      const cmp = (liveRun._compare ??= normalizeRun(liveRun.compare));
      slots.splice(slots.length - 1, 0, { id: "compare", label: `compare: ${cmp.optimizer}`,
        traceName: "compare", color: COMPARE_COLOR, dash: "dot", run: cmp, live: false, kind: "compare" });
    }
    return slots;
  }

  function fixedSlot(id, label, color, state, kind = "preset") {
    const key = keyOf(state);
    const run = runOf(state, false);
    return { id, label, color, run, live: false, kind, state, error: errors.get(key) || "" };
  }

  function setUser(run) {
    user = run;
    if (run) lastLive = null;
  }

  return api;
}
