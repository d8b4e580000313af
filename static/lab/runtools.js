// The buttons under the plots: Keep this run, Clear kept runs, and the downloads.
//
//   mountRunTools(lab, { keptMax, keptSpec, sameRun, setText })
// `lab` gives the store, the schema, the view (its drawn slots), the plots' divs and the
// code lab (for the program a notebook carries).

import { download, notebook, plotsPng, runsCsv } from "./export.js";
import { formatCell } from "../state/format.js";
import { runMessage, specState } from "../state/state.js";
import { normalizeRun } from "../plots/plots.js";

const $ = (id) => document.getElementById(id);

function fileStem(state) {
  return `gdlab-${state.preset || state.surface}-${state.optimizer}`.replace(/[^a-z0-9-]+/gi, "-");
}

/** A markdown table of the drawn runs (for the notebook). */
function markdownTable(slots) {
  const head = "| run | optimizer | lr | status | final loss | steps to tol |\n|---|---|---|---|---|---|";
  const rows = slots.map(({ label, run }) => `| ${label.replace(/\|/g, "/")} | ${run.optimizer ?? ""} | ${formatCell(run.lr_base)} | ${run.status ?? ""} | ${formatCell(run.final_loss)} | ${formatCell(run.steps_to_tol)} |`);
  return [head, ...rows].join("\n");
}

/**
 * The slots with every run in full precision: a run drawn from the view file (6 digits,
 * `fromView`) is asked of Python once it is ready; before that the view's numbers go.
 */
async function fullPrecision(lab, slots) {
  if (!lab.python.ready || !slots.some((s) => s.run.fromView && s.state)) return slots;
  const client = await lab.python.whenReady;
  return Promise.all(slots.map(async (slot) => {
    if (!slot.run.fromView || !slot.state) return slot;
    const res = await client.call(runMessage(slot.state)).catch(() => null);
    return res && !res.error ? { ...slot, run: normalizeRun(res) } : slot;
  }));
}

export function mountRunTools(lab, { keptMax, keptSpec, sameRun, setText }) {
  const { store, schema } = lab;

  $("keep").addEventListener("click", () => {
    const state = store.get();
    if (lab.codeLab && lab.codeLab.active) { setText("notice", "Runs of your own code cannot be kept yet: Reset code first."); return; }
    const kept = state.kept || [];
    if (kept.some((k) => sameRun(specState(schema, k, state.surface), state))) return;
    if (kept.length >= keptMax) { setText("notice", `At most ${keptMax} kept runs: clear some first.`); return; }
    store.change("kept", [...kept, keptSpec(state)], "keep");
  });
  $("clear-kept").addEventListener("click", () => store.change("kept", [], "clear"));

  $("download-csv").addEventListener("click", async () => {
    download(`${fileStem(store.get())}.csv`, runsCsv(await fullPrecision(lab, lab.view.slots())), "text/csv");
  });
  $("download-png").addEventListener("click", async () => {
    try {
      await lab.plotted;   // an embed starts Plotly at the learner's first touch (this press, maybe)
      const blob = await plotsPng([$("landscape-bg"), $("landscape"), $("curve")]);
      download(`${fileStem(store.get())}.png`, blob);
    } catch (err) {
      setText("error", `The image could not be made: ${err && err.message ? err.message : err}`);
    }
  });
  $("download-notebook").addEventListener("click", async () => {
    const state = store.get();
    const s = schema.surfaces.get(state.surface);
    let program;
    try {
      program = lab.codeLab ? lab.codeLab.pane.getCode() : await lab.programs.of(state);
    } catch (err) {
      setText("error", `The notebook could not be written: ${err && err.message ? err.message : err}`);
      return;
    }
    const lesson = state.preset ? schema.lessons.get(state.preset) : null;
    const text = notebook({
      title: lesson ? lesson.title : `${s.title || s.name}: ${state.optimizer}, lr ${state.lr}`,
      program, link: location.href, bounds: s.bounds, table: markdownTable(lab.view.slots()),
    });
    download(`${fileStem(state)}.ipynb`, text, "application/x-ipynb+json");
  });
}
