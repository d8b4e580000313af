// The Python program of a view, as the code pane shows it and a notebook carries it.

import { writeLr } from "./lrline.js";

/** Python literal of a hyperparameter value. */
function pyLiteral(v) {
  if (typeof v === "boolean") return v ? "True" : "False";
  const s = String(v);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** The built-in optimizer's step() with the state's hyperparameter values filled in. */
function optimizerCode(spec, hyper) {
  let code = spec.code || "";
  for (const [name, value] of Object.entries(hyper || {})) {
    code = code.replace(new RegExp(`^${name.toUpperCase()} = .*$`, "m"), `${name.toUpperCase()} = ${pyLiteral(value)}`);
  }
  return code;
}

function num(v) {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** The Python program of a view: the preset's, or the surface's code with the settings. */
export function codeForState(state, schema) {
  const lesson = state.preset ? schema.lessons.get(state.preset) : null;
  if (lesson && lesson.code) return writeLr(lesson.code, state.lr);
  const s = schema.surfaces.get(state.surface);
  const o = schema.optimizers.get(state.optimizer);
  const lines = [`# ${s.title || s.name}: ${s.formula || ""}`.trim(), "import numpy as np", "",
    (s.code || "").trimEnd(), "",
    `start = [${state.start.map(num).join(", ")}]`,
    `lr = ${String(state.lr)}`,
    `steps = ${state.steps}`];
  const defaults = Object.fromEntries((o?.hypers || []).map((h) => [h.name, h.default]));
  const changed = Object.entries(state.hyper || {}).some(([k, v]) => defaults[k] !== v);
  if (o && (o.name !== "sgd" || changed)) {
    lines.push("", `# ${o.title}: the update rule the lab runs (torch.optim's convention)`,
      optimizerCode(o, state.hyper).trimEnd());
  }
  return `${lines.join("\n")}\n`;
}
