// A network's decision boundary beside its landscape: the frames of the live run, from
// the view file while they match it, else asked of Python (the `boundary` op, at
// FRAMES steps of the live run's own weights) once its run has come.
//
//   const net = createNetView({ schema, python, home, redraw });
//   net.show(liveSlot, cursor)    draws the boundary at the player's step (hidden for
//                                 surfaces that are no network, and for the learner's code)

import { createBoundary, boundaryFrames } from "../plots/boundary.js";
import { runKey, runMessage, specState } from "../state/state.js";

export const FRAMES = 26;   // boundary frames of a live run (views.py writes as many)

/** FRAMES steps spread evenly over 0 .. m (the first and the last among them). */
export function frameSteps(m, k = FRAMES) {
  if (m === 0 || k <= 1) return [m];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * m) / (k - 1))))];
}

export function createNetView({ schema, python, home, redraw }) {
  const plot = createBoundary(document.getElementById("boundary"), document.getElementById("boundary-caption"));
  const cache = new Map();     // run key -> frames
  const asked = new Set();
  let lastShown = null;
  if (home.boundary && home.boundary.spec) {
    cache.set(runKey(specState(schema, home.boundary.spec)), boundaryFrames(home.boundary));
  }

  function ask(state, run, key) {
    if (asked.has(key) || !python.ready || run.projected || run.partial || run.early || !run.points.length) return;
    asked.add(key);
    const steps = frameSteps(run.points.length - 1);
    const msg = { ...runMessage(state), op: "boundary", w: steps.map((t) => run.points[t]) };
    python.client.latest("boundary", msg).then((answer) => {
      if (!answer) { asked.delete(key); return; }   // superseded: asked again when shown
      if (answer.error) return;
      cache.set(key, boundaryFrames({ ...answer, steps_at: steps }));
      if (cache.size > 40) cache.delete(cache.keys().next().value);
      redraw();
    }, () => asked.delete(key));
  }

  function show(slot, cursor) {
    const s = slot && slot.state ? schema.surfaces.get(slot.state.surface) : null;
    // (the learner's own program's run, surface "custom", is their model: no boundary of ours)
    if (!s || !s.network || (slot.run && slot.run.surface === "custom")) {
      lastShown = null;
      plot.show(null);
      return;
    }
    const key = runKey(slot.state);
    const frames = cache.get(key);
    // (a borrowed run is the last state's: its weights, under this key, would draw another net)
    if (!frames && slot.run && !slot.borrowed) ask(slot.state, slot.run, key);
    // until the live run's own frames come, the last ones stay (a new lr moves them soon)
    const drawn = frames || (lastShown && lastShown.surface === s.name ? lastShown.frames : null);
    if (drawn) lastShown = { surface: s.name, frames: drawn };
    if (drawn) plot.show(drawn, cursor); else plot.wait();
    document.getElementById("boundary-section").dataset.current = String(Boolean(frames));
  }
  return { show };
}
