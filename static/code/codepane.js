// The code pane: a CodeMirror 6 editor holding the experiment's Python, its buttons
// (Run code, Stop, Reset code) and the output area under it. It knows nothing about
// Python or the worker: main.js hands it callbacks and tells it what happened.
//
//   const pane = mountCodePane(sectionElement, { onRun, onStop, onReset, onEdit });
//   pane.getCode() / pane.setCode(text) / pane.setLr(lr)
//   pane.showOutput(text) / pane.showError(message, traceback, line) / pane.clearMarks()
//   pane.setBusy(bool) / pane.setTimer(text)   (the running time beside Stop)

import {
  EditorView, basicSetup, python, keymap, Decoration, EditorState, StateField,
  StateEffect, Prec, indentWithTab,
} from "./vendor/codemirror.js";
import { readLr, writeLr } from "../plots/lrline.js";

const LR_REST_MS = 150;
const markLine = StateEffect.define();

// A line decoration for the failing line; cleared by markLine.of(null) or any edit.
const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (e.is(markLine)) {
        if (e.value == null) return Decoration.none;
        const line = tr.state.doc.line(Math.min(Math.max(1, e.value), tr.state.doc.lines));
        return Decoration.set([Decoration.line({ class: "cm-error-line" }).range(line.from)]);
      }
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

/** The pane's elements in the section: heading, hint, editor host, buttons, info, output. */
function buildPane(section, compareOptions, onCompare) {
  section.replaceChildren();
  const heading = el("h2", { id: "code-heading" }, "Code");
  const hint = el("p", { class: "hint", id: "code-hint" },
    "Edit the Python and press Run code (Ctrl/Cmd + Enter). Esc then Tab leaves the editor.");
  const host = el("div", { class: "editor" });
  const buttons = el("div", { class: "buttons" });
  const run = el("button", { type: "button" }, "Run code");
  const stop = el("button", { type: "button", disabled: "" }, "Stop");
  const reset = el("button", { type: "button" }, "Reset code");
  // the running program's own time, beside Stop (codelab.js writes it)
  const timer = el("span", { class: "run-timer", role: "timer", "aria-label": "Running time" });
  buttons.append(run, stop, timer, reset);
  // Beside a custom step(): a built-in optimizer on the same problem, drawn dotted.
  const compareLabel = el("label", { for: "compare-with", class: "compare" }, "Compare with ");
  const compare = el("select", { id: "compare-with" });
  for (const [value, text] of [["", "nothing"], ...compareOptions]) compare.append(el("option", { value }, text));
  compare.addEventListener("change", () => onCompare?.(compare.value));
  compareLabel.append(compare);
  buttons.append(compareLabel);
  const info = el("p", { class: "code-info", "aria-live": "polite" });
  const output = el("pre", { class: "output", role: "log", "aria-label": "Output", tabindex: "0" });
  section.append(heading, hint, host, buttons, info, output);
  return { host, run, stop, timer, reset, compare, info, output };
}

/** The CodeMirror editor: Python, the error-line mark, Ctrl/Cmd+Enter runs, onChange on edits. */
function createEditor(host, onRun, onChange) {
  return new EditorView({
    parent: host,
    state: EditorState.create({
      doc: "",
      extensions: [
        basicSetup,
        python(),
        errorLine,
        keymap.of([indentWithTab]),
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => { onRun(); return true; } }])),
        EditorView.contentAttributes.of({ "aria-label": "Code", "aria-describedby": "code-hint" }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(); }),
      ],
    }),
  });
}

/** The one change that turns code into next: only the differing span, so the cursor and
 * undo history stay sensible. */
function changedSpan(code, next) {
  let start = 0;
  while (start < code.length && code[start] === next[start]) start++;
  let endA = code.length, endB = next.length;
  while (endA > start && endB > start && code[endA - 1] === next[endB - 1]) { endA--; endB--; }
  return { from: start, to: endA, insert: next.slice(start, endB) };
}

/** The failing line marked and scrolled to the middle (line null: marks cleared). */
function markError(view, line) {
  view.dispatch({ effects: markLine.of(line ?? null) });
  if (line) {
    const target = view.state.doc.line(Math.min(line, view.state.doc.lines));
    view.dispatch({ effects: EditorView.scrollIntoView(target.from, { y: "center" }) });
  }
}

/** The pane in the section, and what the lab may ask of it (see the top of this file). */
export function mountCodePane(section, { onRun, onStop, onReset, onEdit, compareOptions = [], onCompare }) {
  const { host, run, stop, timer, reset, compare, info, output } = buildPane(section, compareOptions, onCompare);
  let silent = false; // programmatic edits (slider -> lr line) do not count as the learner's
  // (The learner's edit is reported with a waiting lr in its lr line: the text on screen
  // has the old one for a moment, and the lab must not take that old lr back.)
  const view = createEditor(host, onRun, () => {
    if (silent) return;
    const code = view.state.doc.toString();
    onEdit?.(lrWaiting === null ? code : writeLr(code, lrWaiting));
  });
  // The slider's lr reaches the lr line once the slider rests for LR_REST_MS: an editor
  // transaction on every notch of a scrub took about 7 ms of each redraw. Whoever reads
  // the code gets the waiting lr written first.
  let lrWaiting = null;
  let lrTimer = 0;
  function writeWaitingLr() {
    clearTimeout(lrTimer);
    lrTimer = 0;
    if (lrWaiting === null) return;
    const code = view.state.doc.toString();
    const next = writeLr(code, lrWaiting);
    lrWaiting = null;
    if (next !== code) change(changedSpan(code, next));
  }
  const getCode = () => { writeWaitingLr(); return view.state.doc.toString(); };

  function change(changes) {
    silent = true;
    view.dispatch({ changes });
    silent = false;
  }

  run.addEventListener("click", () => onRun());
  stop.addEventListener("click", () => onStop());
  reset.addEventListener("click", () => onReset());

  return {
    view,
    getCode,
    setCode(text) {   // a new text: a waiting lr is dropped (callers set the lr after)
      lrWaiting = null;
      clearTimeout(lrTimer);
      change({ from: 0, to: view.state.doc.length, insert: text });
      view.dispatch({ effects: markLine.of(null) });
    },
    setLr(lr) {
      // The line already says it (the learner's own edit, echoed back by the lab): nothing
      // to write. Written 150 ms later it would undo what the learner typed meanwhile
      // ("lr = 0.2" echoed over "lr = 0.25" when the 5 came within 150 ms of the 2).
      const now = readLr(view.state.doc.toString());
      if (now !== null && Math.abs(now - lr) <= 1e-12 * lr) {
        lrWaiting = null;
        clearTimeout(lrTimer);
        return;
      }
      lrWaiting = lr;
      clearTimeout(lrTimer);
      lrTimer = setTimeout(writeWaitingLr, LR_REST_MS);
    },
    setInfo(text) { info.textContent = text; },
    get compareWith() { return compare.value; },
    showOutput(text) { output.classList.remove("error"); output.textContent = text; },
    showError(message, traceback, line, printed = "") {
      output.classList.add("error");
      output.textContent = `${printed}${traceback || message}`;
      markError(view, line);
    },
    clearMarks() { view.dispatch({ effects: markLine.of(null) }); },
    setTimer(text) { timer.textContent = text; },
    setBusy(busy) {
      run.disabled = busy;
      if (busy) stop.removeAttribute("disabled"); else stop.setAttribute("disabled", "");
    },
  };
}
