// The lesson side of the page: the Preset picker grouped by topic, the facts a preset
// computes beyond its runs (1/λmax, restarts, ...: the runs are in the Runs table), and
// the Check button of exercise presets.
//
//   groupPresets(select, schema)
//   const panel = createLessonPanel({ section, store, schema, python, codeLab, view });
//   (view: the view file the link painted from; a preset's facts there need no Python)
//   panel.onState(state, prev)      // after every state change
//
// Everything shown comes from the core (`lesson` and `check` ops) and is inserted as
// text, never as HTML.

import { formatCell } from "../state/format.js";

const CHECK_TIME_LIMIT_MS = 10000;   // the learner's own time, as Run code's

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== "") node.textContent = text;
  return node;
}

/** The Preset picker with one <optgroup> per lesson topic. */
export function groupPresets(select, schema) {
  const current = select.value;
  select.replaceChildren(el("option", { value: "" }, "none"));
  const groups = new Map();
  for (const lesson of schema.lessons.values()) {
    const topic = lesson.topic || "Lessons";
    if (!groups.has(topic)) groups.set(topic, el("optgroup", { label: topic }));
    groups.get(topic).append(el("option", { value: lesson.name }, lesson.title || lesson.name));
  }
  select.append(...groups.values());
  select.value = current;
}

/** The lesson computed by Python (`lesson` op), or {error}. */
async function fetchLesson(python, name) {
  try {
    python.start?.();
    const client = await python.whenReady;
    return await client.call({ op: "lesson", name }, { timeLimitMs: 20000, background: true });
  } catch (err) {
    return { error: err && err.message ? err.message : String(err) };
  }
}

/** A lesson's facts under "Results" (its runs are in the Runs table); no facts: hidden. */
function showFacts(section, out) {
  if (out.error) {
    section.replaceChildren(el("h2", {}, "Results"), el("p", { class: "error" }, out.error));
    return;
  }
  // facts may be grouped ({curvature: {lr_monotone: …}}): one level is flattened
  const facts = Object.entries(out.facts || {}).flatMap(([k, v]) => (
    v && typeof v === "object" && !Array.isArray(v) && !v.data ? Object.entries(v) : [[k, v]]));
  if (!facts.length) { section.hidden = true; section.replaceChildren(); return; }
  const dl = el("dl", { class: "facts" });
  for (const [k, v] of facts) dl.append(el("dt", {}, k.replace(/_/g, " ")), el("dd", {}, formatCell(v)));
  section.replaceChildren(el("h2", {}, "Results"), dl);
}

/** What Check found, in one sentence. */
function checkMessage(res) {
  if (res.error) return `Your code did not run: ${res.error}`;
  if (res.match) return `✓ Matches the lab's ${res.reference} for all ${res.steps} steps.`;
  return `✗ Parts ways with the lab's ${res.reference} at step ${res.step}: yours ${formatCell(res.yours)}, expected ${formatCell(res.expected)}.`;
}

/** Check: the learner's code against the lab's own optimizer for an exercise preset. */
async function runCheck(out, lesson, codeLab, python) {
  if (!lesson || !lesson.exercise || !codeLab()) return;
  out.textContent = "checking …";
  try {
    const client = await python.whenReady;
    const res = await client.call({ op: "check", code: codeLab().pane.getCode(), reference: lesson.exercise,
      hyper: (lesson.state && lesson.state.hyper) || {}, schedule: lesson.exercise_schedule || null },
    { timeLimitMs: CHECK_TIME_LIMIT_MS });
    out.textContent = checkMessage(res);
  } catch (err) {
    out.textContent = err && err.reason === "timeout"
      ? `Stopped: your step ran past ${CHECK_TIME_LIMIT_MS / 1000} s of its own time (an endless loop?).`
      : `Stopped: ${err && err.message ? err.message : err}`;
  }
}

/** The preset's facts and, for an exercise, the Check button (the API is at the top). */
export function createLessonPanel({ section, store, schema, python, codeLab, view = null }) {
  const checkOut = el("p", { class: "check-result", "aria-live": "polite" });
  let checkButton = null;
  let shown = null;

  async function showTable(lesson) {
    shown = lesson.name;
    section.replaceChildren(el("h2", {}, "Results"), el("p", { class: "hint" }, "computing …"));
    section.hidden = false;
    const known = view && view.kind === "preset" && view.name === lesson.name && view.facts;
    const out = known ? { facts: view.facts } : await fetchLesson(python, lesson.name);
    if (shown === lesson.name) showFacts(section, out);   // else the learner moved on
  }

  function ensureCheck(lesson) {
    const buttons = document.querySelector("#code-pane .buttons");
    if (!buttons) return;
    if (!checkButton) {
      checkButton = el("button", { type: "button" }, "Check");
      checkButton.addEventListener("click", () => runCheck(checkOut, schema.lessons.get(store.get().preset), codeLab, python));
      buttons.after(checkOut);
      buttons.insertBefore(checkButton, buttons.children[1] || null);
    }
    checkButton.hidden = !lesson;
    checkOut.hidden = !lesson;
    if (!lesson) checkOut.textContent = "";
    else checkButton.dataset.reference = lesson.exercise;
  }

  function onState(state, prev) {
    if (prev && prev.preset === state.preset) return;
    const lesson = state.preset ? schema.lessons.get(state.preset) : null;
    ensureCheck(lesson && lesson.exercise ? lesson : null);
    if (lesson && lesson.facts && lesson.facts.length) {
      showTable(lesson);
    } else {
      shown = null;
      section.hidden = true;
      section.replaceChildren();
    }
  }

  return { onState };
}
