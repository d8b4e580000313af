// The page's layout, apart from what main.js does with the experiment:
//
// - An embed (?embed=1) is marked on <html> before the page paints: the landscape, the
//   learning-rate slider, the status line and Play/Step/Reset fill the first screen, and
//   every other control waits behind one "Settings" disclosure. `controls=lr,optimizer,...`
//   (url.js: CONTROL_NAMES) picks what an embed shows instead.
// - A long preset note (#lesson-note, written by main.js) shows its first sentence; the
//   rest opens from a disclosure.
// - After a tap on a touch screen the plots' hover label goes away again.
// - The plots follow their boxes' size (a box can change size without a window resize,
//   e.g. when the code pane arrives): the two stacked landscape graphs resize together.
//
// Loaded by index.html as its own module before main.js; nothing in main.js calls it.
// `applyLayout(state)` may be called again when the state's `embed` or `controls` change.

import { parseControls } from "../state/url.js";

const root = document.documentElement;
const $ = (id) => document.getElementById(id);

/** Fields of the Settings disclosure a `controls=` list can bring out to the first screen. */
const MOVABLE = ["preset", "surface", "optimizer", "steps", "start", "hyper"];

const TRUE = ["1", "true", "yes"];

/** The embed flag and the controls list a query string asks for. */
export function layoutFromQuery(search) {
  const params = new URLSearchParams(search);
  const embed = TRUE.includes((params.get("embed") || "").toLowerCase());
  const given = params.get("controls");
  return { embed, controls: given === null ? "" : parseControls(given) || "" };
}

let applied = null;
const homes = new Map();   // a moved field -> the comment that marks its place in Settings

/**
 * Show the page, an embed, or an embed with chosen controls. In an embed with a list,
 * the chosen fields move out of the Settings disclosure (in the list's order) into the
 * first screen; the disclosure stays only when the list names `settings`.
 */
export function applyLayout({ embed, controls }) {
  const key = `${Boolean(embed)}|${embed ? controls || "" : ""}`;
  if (key === applied) return;
  const first = applied === null;
  applied = key;
  root.classList.toggle("embed", Boolean(embed));
  const form = $("controls");
  const settings = $("settings");
  if (!form || !settings) return;
  const deck = form.querySelector(".deck");
  let chosen = deck.querySelector(".chosen");
  // Every field back in its home first (a new list starts from the markup's order).
  for (const el of form.querySelectorAll("[data-control]")) {
    el.classList.remove("not-chosen");
    if (homes.has(el)) homes.get(el).after(el);
  }
  settings.hidden = false;
  if (!embed) {
    delete root.dataset.controls;
    settings.open = true;
    return;
  }
  if (!controls) {
    delete root.dataset.controls;
    if (!first || settings.open) settings.open = false;
    return;
  }
  const names = controls === "none" ? [] : controls.split(",");
  root.dataset.controls = names.join(" ") || "none";
  if (!chosen) {
    chosen = document.createElement("div");
    chosen.className = "chosen";
    deck.append(chosen);
  }
  for (const el of form.querySelectorAll("[data-control]")) {
    const name = el.dataset.control;
    if (!names.includes(name)) {
      if (!MOVABLE.includes(name) || !names.includes("settings")) el.classList.add("not-chosen");
      continue;
    }
    if (MOVABLE.includes(name)) {
      if (!homes.has(el)) {
        const marker = document.createComment(` ${name} `);
        el.before(marker);
        homes.set(el, marker);
      }
      chosen.append(el);
    }
  }
  // Keep the list's order on the first screen.
  for (const name of names) {
    const el = chosen.querySelector(`:scope > [data-control="${name}"]`);
    if (el) chosen.append(el);
  }
  settings.hidden = !names.includes("settings");
  settings.open = false;
}

/** The first sentence of a text and the rest ("" when it is one sentence). */
export function firstSentence(text) {
  const m = /[.!?…][)"”’»]?\s+(?=[\p{Lu}“"'(`])/u.exec(text);
  if (!m || m.index + m[0].length >= text.length) return [text, ""];
  const cut = m.index + m[0].length;
  return [text.slice(0, cut).trim(), text.slice(cut).trim()];
}

/**
 * main.js writes the preset's note as text into #lesson-note (kept hidden, the source);
 * beside it the note shows its first sentence, the rest behind a disclosure.
 */
function mirrorLessonNote() {
  const src = $("lesson-note");
  if (!src) return;
  const box = document.createElement("div");
  box.className = "lesson";
  box.hidden = true;
  src.after(box);
  let shown = null;
  const render = () => {
    const text = src.hidden ? "" : src.textContent.trim();
    if (text === shown) return;
    shown = text;
    box.hidden = !text;
    if (!text) { box.replaceChildren(); return; }
    const [head, rest] = firstSentence(text);
    if (!rest) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = head;
      box.replaceChildren(p);
      return;
    }
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    const lead = document.createElement("span");
    lead.className = "lead";
    lead.textContent = head;
    summary.append(lead);
    const more = document.createElement("p");
    more.className = "note";
    more.textContent = rest;
    details.append(summary, more);
    box.replaceChildren(details);
  };
  new MutationObserver(render).observe(src, {
    childList: true, characterData: true, subtree: true, attributes: true, attributeFilter: ["hidden"],
  });
  render();
}

/** After a tap, Plotly keeps its hover label up: take it down a moment later. */
function unhoverAfterTap() {
  const timers = new Map();
  document.addEventListener("pointerup", (event) => {
    if (event.pointerType !== "touch" || !(event.target instanceof Element)) return;
    const gd = event.target.closest("#landscape, #curve, #landscape-bg");
    if (!gd) return;
    clearTimeout(timers.get(gd));
    timers.set(gd, setTimeout(() => {
      if (window.Plotly && window.Plotly.Fx && gd._fullLayout) window.Plotly.Fx.unhover(gd);
    }, 1200));
  }, true);
}

/** Resize the graphs when their boxes change size (Plotly only watches the window). */
function followGraphSizes() {
  if (typeof ResizeObserver === "undefined") return;
  const ids = ["landscape", "landscape-bg", "curve"];
  const seen = new Map();
  let frame = 0;
  const pending = new Set();
  const flush = () => {
    frame = 0;
    const P = window.Plotly;
    for (const gd of pending) {
      if (P && gd._fullLayout && gd.offsetWidth > 0) P.Plots.resize(gd).catch(() => {});
    }
    pending.clear();
  };
  const ro = new ResizeObserver((entries) => {
    for (const e of entries) {
      const size = `${Math.round(e.contentRect.width)}x${Math.round(e.contentRect.height)}`;
      if (seen.get(e.target) === size) continue;
      const had = seen.has(e.target);
      seen.set(e.target, size);
      if (!had) continue;      // the first report is the size Plotly drew at
      pending.add(e.target);
      // The landscape is two graphs on top of each other: they move together.
      if (e.target.id.startsWith("landscape")) for (const id of ["landscape", "landscape-bg"]) pending.add($(id));
    }
    if (pending.size && !frame) frame = requestAnimationFrame(flush);
  });
  for (const id of ids) if ($(id)) ro.observe($(id));
}

/**
 * The embed sizes its plots to the frame less the controls' deck: --deck-h on <html>.
 * Measured by the ResizeObserver only, after a layout the page makes anyway: measuring
 * at start-up forced one more layout per lab, and a course page's labs share one main
 * thread. An unchanged height writes nothing (the stylesheet's default is a good guess).
 */
function measureDeck() {
  const form = $("controls");
  const deck = form && form.querySelector(".deck");
  if (!deck || typeof ResizeObserver === "undefined") return;
  let last = null;
  new ResizeObserver(() => {    // (after a layout: reading styles and sizes costs nothing)
    if (last === null) last = getComputedStyle(root).getPropertyValue("--deck-h").trim();
    const style = getComputedStyle(form);
    const chrome = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
      + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    const height = `${Math.ceil(deck.offsetHeight + chrome)}px`;
    if (height === last) return;
    last = height;
    root.style.setProperty("--deck-h", height);
  }).observe(deck);
}

function start() {
  applyLayout(layoutFromQuery(location.search));
  measureDeck();
  mirrorLessonNote();
  unhoverAfterTap();
  followGraphSizes();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();
