// One generic binder between form controls and the state. A control says which state
// key it shows and how to read it, in markup:
//   <input data-key="lr" data-kind="lr-range" data-event="input">
//   <input data-key="hyper.beta1" data-kind="number" data-event="change">
// The binder listens once on the panel (event delegation, so controls added later, like
// a new optimizer's hyperparameters, need nothing), reads the value through the codec
// of the control's kind, and hands it to the store. `render(state)` writes the state
// back into every control. A value that does not read (text in a number field, a
// learning rate of -1) marks the control invalid and leaves the state alone.

import { formatLr, formatPoint } from "./format.js";
import { dimOf, readKey, sliderScale } from "./state.js";
import { checkLr, checkSteps, parseAxes, parseLayers, parseNumber, parsePoint } from "./url.js";


function inRange(el, x) {
  if (el.min !== "" && x < Number(el.min)) return false;
  if (el.max !== "" && x > Number(el.max)) return false;
  if (el.step === "1" && !Number.isInteger(x)) return false;
  return true;
}

/** How each kind of control reads a value (null: not valid) and shows one. */
export function makeCodecs(schema) {
  const scaleOf = (state) => sliderScale(schema.surfaces.get(state.surface));
  return {
    select: {
      read: (el) => el.value,
      write: (el, v) => { if (el.value !== v) el.value = v ?? ""; },
    },
    checkbox: {
      read: (el) => el.checked,
      write: (el, v) => { el.checked = Boolean(v); },
    },
    number: {
      read: (el) => {
        const x = parseNumber(el.value);
        return x !== null && inRange(el, x) ? x : null;
      },
      write: (el, v) => {
        if (parseNumber(el.value) !== v) el.value = String(v);
      },
    },
    lr: {
      read: (el) => checkLr(el.value),
      write: (el, v) => { if (parseNumber(el.value) !== v) el.value = String(v); },
    },
    steps: {
      read: (el) => checkSteps(el.value),
      write: (el, v) => { if (parseNumber(el.value) !== v) el.value = String(v); },
    },
    "lr-range": {
      read: (el, state) => scaleOf(state).toLr(Number(el.value)),
      write: (el, v, state) => {
        const scale = scaleOf(state);
        el.min = "0";
        el.max = String(scale.max);
        el.step = "1";
        el.dataset.lo = String(scale.lo);
        el.value = String(scale.toPos(v));
        el.setAttribute("aria-valuetext", formatLr(v));
      },
    },
    layers: {
      read: (el, state) => {
        const spec = schema.surfaces.get(state.surface)?.network?.layers;
        return spec ? parseLayers(el.value, spec).value ?? null : null;
      },
      write: (el, v) => { if (v && el.value.replace(/\s/g, "") !== v.join(",")) el.value = v.join(","); },
    },
    axes: {
      read: (el, state) => parseAxes(el.value, dimOf(schema, state)),
      write: (el, v) => { if (v && el.value !== v.join(",")) el.value = v.join(","); },
    },
    point: {
      read: (el, state) => parsePoint(el.value, state.start.length),
      write: (el, v, state) => {
        const shown = parsePoint(el.value, state.start.length);
        if (!shown || shown.some((x, i) => x !== v[i])) el.value = formatPoint(v);
      },
    },
  };
}

/**
 * Bind every `[data-key]` control inside `root` to `store`. Returns `{render}`; call it
 * with the state after the controls changed (the binder does not subscribe itself, so
 * the page can add or remove controls first).
 */
export function bindControls(root, store, codecs, schema) {
  function commit(el) {
    const codec = codecs[el.dataset.kind];
    if (!codec) return;
    const value = codec.read(el, store.get());
    if (value === null || value === undefined || Number.isNaN(value)) {
      el.setAttribute("aria-invalid", "true");
      return;
    }
    el.removeAttribute("aria-invalid");
    store.change(el.dataset.key, value, "control");
  }
  function onEvent(event) {
    const el = event.target;
    if (!(el instanceof HTMLElement) || !el.dataset.key || !root.contains(el)) return;
    if (event.type === (el.dataset.event || "change")) commit(el);
  }
  function onKey(event) {
    const el = event.target;
    if (event.key !== "Enter" || !(el instanceof HTMLInputElement) || !el.dataset.key) return;
    if ((el.dataset.event || "change") === "change") commit(el);
  }
  root.addEventListener("input", onEvent);
  root.addEventListener("change", onEvent);
  root.addEventListener("keydown", onKey);
  // Writing a field's value (render, on every notch of a slider scrub) moves its text
  // selection, and the browser tells the whole document: the code editor's selection
  // listener then read the page's selection, a forced layout per notch. The controls'
  // own selections are nobody else's business.
  root.addEventListener("selectionchange", (event) => event.stopPropagation());

  function render(state) {
    for (const el of root.querySelectorAll("[data-key]")) {
      const codec = codecs[el.dataset.kind];
      if (!codec) continue;
      codec.write(el, readKey(schema, state, el.dataset.key), state);
      if (codec.read(el, state) !== null) el.removeAttribute("aria-invalid");
    }
  }
  return { render };
}

/** Replace a select's options: items are [value, text] pairs (text set as text). */
export function fillSelect(select, items) {
  const options = items.map(([value, text]) => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  });
  select.replaceChildren(...options);
}

/**
 * Which hyperparameters each optimizer shows at once (`main`), which wait behind "More",
 * and which it hides because setting them makes it another optimizer of the picker
 * (plain SGD with momentum is "Momentum"). Hidden ones still work from a link, and show
 * under "More" when the link sets them away from their default. An optimizer not listed
 * here shows its first two hyperparameters and keeps the rest under "More".
 */
export const HYPER_LAYOUT = {
  sgd: { main: [], hide: ["momentum", "dampening", "nesterov", "ema"] },
  momentum: { main: ["momentum"], hide: ["nesterov"] },
  nesterov: { main: ["momentum"], hide: ["nesterov", "dampening"] },
  adagrad: { main: ["lr_decay"], hide: [] },
  rmsprop: { main: ["alpha"], hide: [] },
  adam: { main: ["beta1", "beta2"], hide: [] },
  adamw: { main: ["beta1", "beta2", "weight_decay"], hide: [] },
};

/** The spec's hypers split as {main, more} (lists of hyper specs), hidden ones left out. */
export function splitHypers(spec, linkParams = null) {
  const hypers = spec ? spec.hypers : [];
  const layout = spec && HYPER_LAYOUT[spec.name];
  const mainNames = layout ? layout.main : hypers.slice(0, 2).map((h) => h.name);
  const hide = layout ? layout.hide : [];
  const fromLink = Boolean(spec && linkParams && linkParams.get("optimizer") === spec.name);
  const setByLink = (h) => {
    const text = fromLink ? linkParams.get(h.name) : null;
    if (text === null || text === undefined) return false;
    if (h.kind === "bool") return ["1", "true", "on", "yes"].includes(text.toLowerCase()) !== Boolean(h.default);
    return Number(text) !== h.default;
  };
  const main = mainNames.map((n) => hypers.find((h) => h.name === n)).filter(Boolean);
  const more = hypers.filter((h) => !mainNames.includes(h.name) && (!hide.includes(h.name) || setByLink(h)));
  return { main, more, opened: more.some(setByLink) };
}

function hyperField(h, prefix = "hyper") {
  const id = `${prefix}-${h.name}`;
  const row = document.createElement("div");
  row.className = h.kind === "bool" ? "field check" : "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = h.name;
  const input = document.createElement("input");
  input.id = id;
  input.dataset.key = `${prefix}.${h.name}`;
  if (h.kind === "bool") {
    input.type = "checkbox";
    input.dataset.kind = "checkbox";
    input.dataset.event = "change";
  } else {
    input.type = "number";
    input.dataset.kind = "number";
    input.dataset.event = "change";
    input.step = h.kind === "int" ? "1" : "any";
    input.inputMode = "decimal";
    if (h.lo !== null && h.lo !== undefined) input.min = String(h.lo);
    if (h.hi !== null && h.hi !== undefined) input.max = String(h.hi);
  }
  if (h.help) {
    const help = document.createElement("small");
    help.id = `${id}-help`;
    help.className = "help";
    help.textContent = h.help;
    input.setAttribute("aria-describedby", help.id);
    if (h.kind === "bool") row.append(input, label, help);
    else row.append(label, input, help);
  } else if (h.kind === "bool") {
    row.append(input, label);
  } else {
    row.append(label, input);
  }
  return row;
}

/**
 * The inputs for one optimizer's hyperparameters, each labelled by its keyword
 * (`momentum`, `beta1`, ...) with its help text as the description: the main ones
 * (HYPER_LAYOUT) first, the rest in a "More" disclosure. The link's query string tells
 * which hidden ones it set, and opens "More" when it set one of those.
 */
export function renderHyperFields(container, spec, prefix = "hyper") {
  const { main, more, opened } = splitHypers(spec, new URLSearchParams(location.search));
  const nodes = main.map((h) => hyperField(h, prefix));
  if (more.length) {
    const details = document.createElement("details");
    details.className = "more";
    details.open = opened;
    const summary = document.createElement("summary");
    summary.textContent = main.length ? "More" : "More: " + more.map((h) => h.name).join(", ");
    const body = document.createElement("div");
    body.className = "more-body";
    body.append(...more.map((h) => hyperField(h, prefix)));
    details.append(summary, body);
    nodes.push(details);
  }
  container.replaceChildren(...nodes);
  container.hidden = nodes.length === 0;
}
