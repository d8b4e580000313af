// The runs of a view computed at build time (static/views/, py/gdlab/views.py) by the
// same core in CPython: a run of exactly the state asked for is that state's run, and
// Python is never asked for it again (it would repeat the numbers, and hold up the
// learner's first call behind the lab's own); a run at the nearest lr stands in, marked
// `early`, until Python has computed the state's own.
//
//   const early = createEarlyRuns(schema, view);
//   early.runOf(state, nearest)   the precomputed run of this state; with `nearest`, else
//                                 the same experiment's at the nearest lr (`early: true`); or null

import { normalizeRun } from "../plots/plots.js";
import { runKey, sameButLr, specState } from "../state/state.js";

export function createEarlyRuns(schema, view) {
  // (the view's runs move here: made drawable, the file's numbers are dropped, not held twice)
  const early = ((view && view.runs) || []).map(({ spec, run }) => {
    const state = specState(schema, spec);
    return { state, key: runKey(state), raw: run, run: null };
  });
  if (view) view.runs = null;
  const byKey = new Map(early.map((e) => [e.key, e]));
  // Made drawable when first asked for (the first paint needs a few of a view's runs),
  // then kept: the same object each time, as the plots' caches expect.
  // (`fromView`: numbers to the view file's 6 digits; an export asks Python for all of them)
  const runOfEntry = (e) => {
    if (!e.run) { e.run = { ...normalizeRun(e.raw), fromView: true }; e.raw = null; }
    return e.run;
  };
  const standIn = (e) => e.near || (e.near = { ...runOfEntry(e), early: true });

  function runOf(state, nearest) {
    const exact = byKey.get(runKey(state));
    if (exact || !nearest) return exact ? runOfEntry(exact) : null;
    let best = null;
    const dist = (e) => Math.abs(Math.log(e.state.lr / state.lr));
    for (const e of early) if (sameButLr(state, e.state) && (!best || dist(e) < dist(best))) best = e;
    return best ? standIn(best) : null;
  }
  return { runOf };
}
