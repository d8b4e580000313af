// The Python program of a view, as the code pane shows it and a notebook carries it.
// Python writes it (the bridge's `program` op: gdlab/program.py, one generator for the
// page, the CLI and the presets); the view's file brings the first one, so the code pane
// is filled before Python has started.
//
//   const programs = createPrograms({ schema, python, early });   // early: view.programs
//   programs.known(state)        the program text now, or null
//   await programs.of(state)     the program text (asks Python when it is not known)

import { canonical, runMessage, specState } from "../state/state.js";

const keyOf = (state) => canonical([runMessage(state), state.preset || null]);

export function createPrograms({ schema, python, early = [] }) {
  const texts = new Map(early.map((p) => [keyOf({ ...specState(schema, p.spec), preset: p.preset || "" }), p.program]));

  function known(state) {
    return texts.get(keyOf(state)) ?? null;
  }

  async function of(state) {
    const hit = known(state);
    if (hit !== null) return hit;
    python.start?.();
    const client = await python.whenReady;
    const { op, ...settings } = runMessage(state);
    const res = await client.call({ op: "program", ...settings, preset: state.preset || undefined });
    if (res.error) throw new Error(res.error);
    texts.set(keyOf(state), res.program);
    return res.program;
  }
  return { known, of };
}
