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
import { readLr } from "./lrline.js";
import { sameButLr } from "./state.js";

export const USER_TIME_LIMIT_MS = 1000;
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

export function createCodeLab({ section, store, schema, python, draw, notice, onEdit: onCodeEdit,
  embed = false, instance = "", programs }) {
  const lab = { active: false, request, onState, codeParam };
  let dirty = false;           // the learner edited the code of this view
  let lastRun = null;          // the program text of the last successful run
  let saveTimer = 0;
  // Embedded labs keep edits only when the page gives them an id (several labs on one
  // course page must not read each other's code).
  const persist = !embed || Boolean(instance);
  const scope = embed ? `embed:${instance}:` : "page:";

  const viewKey = (s) => `${STORAGE_PREFIX}${scope}${s.preset || `${s.surface}/${s.optimizer}`}`;
  const pane = mountCodePane(section, {
    onRun: runCode,
    onStop: () => python.client && python.client.restart("stopped by you"),
    onReset: resetCode,
    onEdit,
    compareOptions: [...schema.optimizers.values()].map((o) => [o.name, o.title || o.name]),
    onCompare: () => { if (lab.active) request(store.get()); },
  });

  function save() {
    if (!persist) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const st = storage();
      if (!st) return;
      try {
        if (dirty) st.setItem(viewKey(store.get()), pane.getCode());
        else st.removeItem(viewKey(store.get()));
      } catch { /* storage full or blocked: edits stay in the editor */ }
    }, 300);
  }

  function onEdit(code) {
    dirty = true;
    save();
    onCodeEdit?.();
    const lr = readLr(code);
    if (lr !== null && Math.abs(lr - store.get().lr) > 1e-12 * lr) store.change("lr", lr, "code");
  }

  function loadView(state) {
    const saved = persist ? storage()?.getItem(viewKey(state)) : null;
    dirty = Boolean(saved);
    if (saved) pane.setCode(saved);
    else showProgram(state);
    if (saved) {
      const lr = readLr(saved);
      if (lr !== null && lr !== state.lr) store.change("lr", lr, "code");
    }
    pane.setInfo(saved ? "Your edited code for this view (Reset code brings back the original)." : "");
  }

  function resetCode() {
    dirty = false;
    save();
    lab.active = false;
    pane.setInfo("");
    showProgram(store.get());
    pane.showOutput("");
    store.change("lr", store.get().lr, "reset-code");
  }

  function onState(state, prev) {
    const viewChanged = !prev || prev.surface !== state.surface || prev.optimizer !== state.optimizer
      || prev.preset !== state.preset;
    if (viewChanged) {
      if (prev && prev.optimizer !== state.optimizer && state.optimizer !== "custom") lab.active = false;
      if (prev && (prev.surface !== state.surface || prev.preset !== state.preset)) lab.active = false;
      if (!lab.active) loadView(state);
      return;
    }
    if (!prev || prev.lr !== state.lr) pane.setLr(state.lr);
    if (!dirty && !lab.active && prev && !sameButLr(prev, state)) showProgram(state);
  }

  /** The view's program (Python writes it), unless the learner's own code is in the pane. */
  let asked = 0;
  function showProgram(state) {
    const now = programs.known(state);
    if (now !== null) { pane.setCode(now); pane.setLr(store.get().lr); return; }
    const ticket = ++asked;
    pane.setInfo("Writing the program for these settings …");
    programs.of(state).then((text) => {
      if (ticket !== asked || dirty || lab.active) return;
      pane.setCode(text);
      pane.setLr(store.get().lr);
      pane.setInfo("");
    }, (err) => { if (ticket === asked) pane.setInfo(`The program could not be written: ${err.message}`); });
  }

  function explain(res) {
    const parts = [];
    if (res.grad_source === "numerical") parts.push("No grad(w) in your code: the lab differentiates numerically (central differences).");
    if (res.custom) parts.push("Your step(w, g, lr, state) is the optimizer (custom).");
    if (res.compare) parts.push(`Dotted: ${res.compare.optimizer} on the same loss, start and lr (${res.compare.status}).`);
    pane.setInfo(parts.join(" "));
  }

  async function runCode() {
    const code = pane.getCode();
    pane.setBusy(true);
    pane.showOutput("Running …");
    try {
      python.start?.();
      const client = await python.whenReady;
      const res = await client.call({ op: "user", code, n: 61, compare: pane.compareWith || null },
        { timeLimitMs: USER_TIME_LIMIT_MS });
      if (res.error) {
        pane.showError(res.error, res.traceback, res.line, res.stdout || "");
        return;
      }
      lastRun = code;
      lab.active = true;
      pane.clearMarks();
      pane.showOutput(res.stdout || "(no output)");
      explain(res);
      notice?.("");
      await draw(res, { landscape: true });
    } catch (err) {
      const msg = err && err.reason === "timeout"
        ? `Stopped: your code ran longer than ${USER_TIME_LIMIT_MS / 1000} s (an endless loop?). Python restarts; your code is kept.`
        : `Stopped: ${err && err.message ? err.message : err}. Your code is kept.`;
      pane.showError(msg, msg, null);
    } finally {
      pane.setBusy(false);
    }
  }

  /** A new learning rate or step count for the learner's program (slider traffic). */
  function request(state) {
    if (!lastRun || !python.client) return;
    python.client.latest("user", { op: "user", code: lastRun, lr: state.lr, steps: state.steps,
      landscape: false, compare: pane.compareWith || null },
      { timeLimitMs: USER_TIME_LIMIT_MS }).then((res) => {
      if (!res) return;
      if (res.error) { pane.showError(res.error, res.traceback, res.line, res.stdout || ""); return; }
      explain(res);
      draw(res, { landscape: false });
    }, (err) => pane.showError(String(err.message || err), String(err.message || err), null));
  }

  function codeParam() {
    return dirty || lab.active ? encodeCode(pane.getCode()) : "";
  }

  /** Code that came in a link: shown, never run until the learner presses Run code. */
  lab.showShared = (code) => {
    dirty = true;
    pane.setCode(code);
    pane.setInfo("This code came with the link. It is shown, not run: read it, then press Run code.");
  };
  lab.pane = pane;
  return lab;
}
