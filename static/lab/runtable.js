// The `Runs` table: one row per run of the view, in the runs' colours. Hovering or
// focusing a row highlights its path; the checkbox of a row hides or shows it.
//
//   const table = createRunTable(container, { onHighlight, onToggle });
//   table.render(slots, hidden)     hidden: a Set of slot ids
//
// Numbers come from the core (each run's summary); text is inserted as text.

import { formatCell, formatLr } from "../state/format.js";

const COLUMNS = [
  ["optimizer", "optimizer"], ["lr", "lr"], ["status", "status"], ["final loss", "final_loss"],
  ["steps to tol", "steps_to_tol"], ["distance to min", "distance_to_min"], ["path length", "path_length"],
];
// A classifier's runs (the networks, noisy-labels) also say how many rows they get right.
const ACCURACY = [["train accuracy", "acc"], ["held-out accuracy", "val_acc"]];

/** The last value of a per-step array (Python's typed array or a view file's list) in %. */
function lastPercent(v) {
  const a = v && (v.data || v);
  if (!a || !a.length) return "";
  const x = a[a.length - 1];
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "";
}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== "") node.textContent = text;
  return node;
}

function values(slot, columns) {
  const r = slot.run;
  const acc = columns.slice(COLUMNS.length).map(([, k]) => (r ? lastPercent(r[k]) : ""));
  return [...baseValues(slot), ...acc];
}

function baseValues(slot) {
  const r = slot.run;
  if (!r) return COLUMNS.map(([, k]) => (k === "optimizer" ? slot.state?.optimizer : k === "lr" ? formatLr(slot.state?.lr) : k === "status" ? (slot.error ? "error" : "computing …") : ""));
  return COLUMNS.map(([, k]) => {
    if (k === "lr") return formatLr(r.lr_base);
    if (k === "status" && r.partial) return "training …";
    if (k === "status" && r.status === "diverged" && r.diverged_at !== null && r.diverged_at !== undefined) {
      return `diverged at ${r.diverged_at}`;
    }
    return formatCell(r[k]);
  });
}

export function createRunTable(container, { onHighlight, onToggle }) {
  const table = el("table", { class: "runs" });
  const caption = el("caption", {}, "Runs");
  const head = el("tr");
  let columns = COLUMNS;
  const heading = () => head.replaceChildren(el("th", { scope: "col" }, "run"), ...columns.map(([t]) => el("th", { scope: "col" }, t)));
  heading();
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  table.append(caption, thead, body);
  container.append(table);

  function row(slot, hidden) {
    const tr = el("tr", { "data-run": slot.id });
    if (slot.live) tr.classList.add("live");
    const th = el("th", { scope: "row" });
    const box = el("input", { type: "checkbox", "aria-label": `show ${slot.label}` });
    box.checked = !hidden.has(slot.id);
    box.addEventListener("change", () => onToggle(slot.id, !box.checked));
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = slot.color;
    if (slot.dash) swatch.classList.add("dotted");
    const name = el("span", { class: "run-label" }, slot.label);
    th.append(box, swatch, name);
    tr.append(th, ...values(slot, columns).map((v, i) => el("td", { "data-label": columns[i][0] }, v)));
    for (const [on, id] of [["mouseenter", slot.id], ["mouseleave", null], ["focusin", slot.id], ["focusout", null]]) {
      tr.addEventListener(on, () => onHighlight(id));
    }
    return tr;
  }

  // Rows are rebuilt only when their run changes, so a focused checkbox keeps its focus.
  const made = new Map();   // slot id -> {tr, sig}
  function render(slots, hidden) {
    const want = slots.some((s) => s.run && s.run.acc) ? [...COLUMNS, ...ACCURACY] : COLUMNS;
    if (want.length !== columns.length) { columns = want; heading(); made.clear(); }
    const rows = slots.map((s) => {
      const sig = [s.run, s.label, s.color, s.error, hidden.has(s.id)];
      const old = made.get(s.id);
      if (old && old.sig.every((v, i) => v === sig[i])) return old.tr;
      const tr = row(s, hidden);
      made.set(s.id, { tr, sig });
      return tr;
    });
    for (const id of [...made.keys()]) if (!slots.some((s) => s.id === id)) made.delete(id);
    if (rows.length !== body.children.length || rows.some((tr, i) => body.children[i] !== tr)) {
      const focused = document.activeElement;
      body.replaceChildren(...rows);
      if (focused && body.contains(focused)) focused.focus();
    }
  }

  return { render, table };
}
