// The code pane's behaviour: which program belongs to the current view, the `lr = …`
// line and the slider following each other, Run code / Stop / Reset code, edits kept in
// local storage, and code that arrives in a link (shown, not run).
//
//   const lab = createCodeLab({ section, store, schema, python, draw, notice, embed, programs });
//   (programs: program.js's createPrograms, shared with the notebook download)
//   lab.active            true after a successful Run code, until the view changes
//   lab.request(state)    re-run the learner's program for a new lr / steps (slider)
//   lab.onState(state, prev)   keep the editor in step with the controls
//   lab.codeParam()       the current code for a shared link, or "" when unedited
//
// `draw(result, {landscape})` shows a `user` result (main.js owns the plots);
// `python` is main.js's handle ({ready, client, whenReady, start}).

import { mountCodePane } from "./codepane.js";
import { readLr } from "../plots/lrline.js";
import { sameButLr } from "../state/state.js";

// The learner's own time (a module's lazy load, the lab's start and queued calls never
// count): long enough for real programs, short enough that a runaway does not linger.
export const USER_TIME_LIMIT_MS = 10000;
const STORAGE_PREFIX = "gdlab:v1:code:";

/** utf-8 text <-> base64url, for code in a link. */
export function encodeCode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCode(param) {
  if (typeof param !== "string" || param.length > 200000) return null;
  try {
    const bin = atob(param.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

function storage() {
  try { return window.localStorage; } catch { return null; }
}

/**
 * Where a learner's edits are kept: local storage, one entry per view (preset, or surface
 * and optimizer). Embedded labs keep edits only when the page gives them an id (several
 * labs on one course page must not read each other's code).
 */
function createEditStore(embed, instance) {
  const persist = !embed || Boolean(instance);
  const scope = embed ? `embed:${instance}:` : "page:";
  const viewKey = (s) => `${STORAGE_PREFIX}${scope}${s.preset || `${s.surface}/${s.optimizer}`}`;
  let timer = 0;
  return {
    /** The edited code kept for the state's view, or null. */
    load: (state) => (persist ? storage()?.getItem(viewKey(state)) : null),
    /** 300 ms after the last call, read() -> {state, code}: code kept, or (null) forgotten. */
    saveLater(read) {
      if (!persist) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const st = storage();
        if (!st) return;
        const { state, code } = read();
        try {
          if (code !== null) st.setItem(viewKey(state), code);
          else st.removeItem(viewKey(state));
        } catch { /* storage full or blocked: edits stay in the editor */ }
      }, 300);
    },
  };
}

/** The note under the editor on a result: numerical gradient, custom step, comparison. */
function explain(pane, res) {
  const parts = [];
  if (res.grad_source === "numerical") parts.push("No grad(w) in your code: the lab differentiates numerically (central differences).");
  if (res.custom) parts.push("Your step(w, g, lr, state) is the optimizer (custom).");
  if (res.compare) parts.push(`Dotted: ${res.compare.optimizer} on the same loss, start and lr (${res.compare.status}).`);
  pane.setInfo(parts.join(" "));
}

/** Python's error in the learner's program: its traceback, with what it printed. */
function showRunError(pane, res) {
  pane.showError(res.error, res.traceback, res.line, res.stdout || "");
}

/** The view's program (Python writes it), unless the learner's own code is in the pane. */
function showProgram(ctx, state) {
  const { pane, programs, store } = ctx;
  const now = programs.known(state);
  if (now !== null) { pane.setCode(now); pane.setLr(store.get().lr); return; }
  const ticket = ++ctx.asked;
  pane.setInfo("Writing the program for these settings …");
  programs.of(state).then((text) => {
    if (ticket !== ctx.asked || ctx.dirty || ctx.lab.active) return;
    pane.setCode(text);
    pane.setLr(store.get().lr);
    pane.setInfo("");
  }, (err) => { if (ticket === ctx.asked) pane.setInfo(`The program could not be written: ${err.message}`); });
}

/** The learner's edits of the view kept (or, unedited, forgotten) after a short pause. */
function saveEdits(ctx) {
  ctx.edits.saveLater(() => ({ state: ctx.store.get(), code: ctx.dirty ? ctx.pane.getCode() : null }));
}

/** A new view: the learner's edits kept for it (and their lr), else its program. */
function loadView(ctx, state) {
  const { pane, store } = ctx;
  const saved = ctx.edits.load(state);
  ctx.dirty = Boolean(saved);
  if (saved) pane.setCode(saved);
  else showProgram(ctx, state);
  if (saved) {
    const lr = readLr(saved);
    if (lr !== null && lr !== state.lr) store.change("lr", lr, "code");
  }
  pane.setInfo(saved ? "Your edited code for this view (Reset code brings back the original)." : "");
}

/**
 * The timer beside Stop while a program runs: "Running … 3.2 s" of its own time (from
 * the call's meter, worker-client.js), "loading numpy.random …" while a module loads.
 */
function startTimer(pane) {
  let meter = null;
  const tick = () => pane.setTimer(!meter ? "waiting for Python …"
    : meter.loading() ? `loading ${meter.loading()} …` : `Running … ${(meter.ms() / 1000).toFixed(1)} s`);
  tick();
  const every = setInterval(tick, 100);
  return { onStart: (m) => { meter = m; tick(); }, stop: () => { clearInterval(every); pane.setTimer(""); } };
}

/** Why a program was stopped, in the words of what the lab knows. */
export function stoppedMessage(err) {
  if (err && err.reason === "timeout") {
    return `Stopped: your program ran past ${USER_TIME_LIMIT_MS / 1000} s of its own time (an endless loop?). `
      + "Python restarts; your code is kept.";
  }
  const why = err && err.message ? err.message : String(err);
  if (err && err.loading) {
    return `Stopped while ${err.loading} was loading (the lab fetches it on its first import; that time does not `
      + `count against your program). ${why}. Your code is kept.`;
  }
  return `Stopped: ${why}. Your code is kept.`;
}

/** Run code: the learner's program in Python (time-limited), its output, then its plots. */
async function runCode(ctx) {
  const { pane, python, lab } = ctx;
  const code = pane.getCode();
  pane.setBusy(true);
  pane.showOutput("Running …");
  const timer = startTimer(pane);
  try {
    python.start?.();
    const client = await python.whenReady;
    const res = await client.call({ op: "user", code, n: 61, compare: pane.compareWith || null },
      { timeLimitMs: USER_TIME_LIMIT_MS, onStart: timer.onStart });
    timer.stop();
    if (res.error) {
      showRunError(pane, res);
      return;
    }
    ctx.lastRun = code;
    lab.active = true;
    pane.clearMarks();
    pane.showOutput(res.stdout || "(no output)");
    explain(pane, res);
    ctx.notice?.("");
    await ctx.draw(res, { landscape: true });
  } catch (err) {
    const msg = stoppedMessage(err);
    pane.showError(msg, msg, null);
  } finally {
    timer.stop();
    pane.setBusy(false);
  }
}

/** A new learning rate or step count for the learner's program (slider traffic). */
function rerun(ctx, state) {
  const { pane, python } = ctx;
  if (!ctx.lastRun || !python.client) return;
  python.client.latest("user", { op: "user", code: ctx.lastRun, lr: state.lr, steps: state.steps,
    landscape: false, compare: pane.compareWith || null },
    { timeLimitMs: USER_TIME_LIMIT_MS }).then((res) => {
    if (!res) return;
    if (res.error) { showRunError(pane, res); return; }
    explain(pane, res);
    ctx.draw(res, { landscape: false });
  }, (err) => pane.showError(String(err.message || err), String(err.message || err), null));
}

/** One lab's code pane and what it does (the API is at the top of this file). */
export function createCodeLab({ section, store, schema, python, draw, notice, onEdit: onCodeEdit,
  embed = false, instance = "", programs }) {
  const lab = { active: false, request, onState, codeParam };
  // dirty: the learner edited the code of this view; lastRun: the program text of the
  // last successful run; asked: the newest program asked of Python
  const ctx = { lab, store, python, draw, notice, programs, edits: createEditStore(embed, instance),
    dirty: false, lastRun: null, asked: 0 };
  const pane = ctx.pane = mountCodePane(section, {
    onRun: () => runCode(ctx),
    onStop: () => python.client && python.client.restart("stopped by you"),
    onReset: resetCode,
    onEdit,
    compareOptions: [...schema.optimizers.values()].map((o) => [o.name, o.title || o.name]),
    onCompare: () => { if (lab.active) request(store.get()); },
  });

  function onEdit(code) {
    ctx.dirty = true;
    saveEdits(ctx);
    onCodeEdit?.();
    const lr = readLr(code);
    if (lr !== null && Math.abs(lr - store.get().lr) > 1e-12 * lr) store.change("lr", lr, "code");
  }

  function resetCode() {
    ctx.dirty = false;
    saveEdits(ctx);
    lab.active = false;
    pane.setInfo("");
    showProgram(ctx, store.get());
    pane.showOutput("");
    store.change("lr", store.get().lr, "reset-code");
  }

  function onState(state, prev) {
    const viewChanged = !prev || prev.surface !== state.surface || prev.optimizer !== state.optimizer
      || prev.preset !== state.preset;
    if (viewChanged) {
      if (prev && prev.optimizer !== state.optimizer && state.optimizer !== "custom") lab.active = false;
      if (prev && (prev.surface !== state.surface || prev.preset !== state.preset)) lab.active = false;
      if (!lab.active) loadView(ctx, state);
      return;
    }
    if (!prev || prev.lr !== state.lr) pane.setLr(state.lr);
    if (!ctx.dirty && !lab.active && prev && !sameButLr(prev, state)) showProgram(ctx, state);
  }

  function request(state) { rerun(ctx, state); }

  function codeParam() {
    return ctx.dirty || lab.active ? encodeCode(pane.getCode()) : "";
  }

  /** Code that came in a link: shown, never run until the learner presses Run code. */
  lab.showShared = (code) => {
    python.whenReady?.then((client) => client.warmCode?.(), () => {});
    ctx.dirty = true;
    pane.setCode(code);
    pane.setInfo("This code came with the link. It is shown, not run: read it, then press Run code.");
  };
  lab.pane = pane;
  // The learner's code runs in a worker of this lab (in an embed that shares the origin's
  // Python): it starts when the learner first turns to the pane, and boots while they read.
  const warm = () => { python.start?.(); python.whenReady?.then((client) => client.warmCode?.(), () => {}); };
  section.addEventListener("focusin", warm, { once: true });
  section.addEventListener("pointerdown", warm, { once: true });
  return lab;
}
