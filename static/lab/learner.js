// Whether the learner has come to this lab. A top-level page is theirs from the start; an
// embed on a course page of several labs is theirs once they come to it: the pointer over
// it, a tap, a key, the focus or a wheel. A host page's gdlab:set is not the learner: a
// course page may set all its labs as it loads. Until then an embed does only what its
// figure needs: no Plotly and no background work such as the slider's sweep (the sweep of
// an untouched 5000-step lab held several MB and took the shared Python's time).
//
//   import { learnerHere, learnerCame } from "./learner.js";
//   learnerHere()        true once the learner came (always, outside a frame)
//   learnerCame          a promise that resolves then

import { embedded } from "./embed.js";

const TYPES = ["pointerover", "pointerdown", "keydown", "focus", "wheel", "touchstart"];
let here = !embedded;
let arrive;
export const learnerCame = new Promise((resolve) => { arrive = resolve; });

function markLearner() {
  if (!here) {
    here = true;
    for (const type of TYPES) window.removeEventListener(type, markLearner, true);
  }
  arrive();
}

export const learnerHere = () => here;

if (here) arrive();
else {
  for (const type of TYPES) window.addEventListener(type, markLearner, { capture: true, passive: true });
  if (document.hasFocus()) markLearner();   // the learner is already in it
}
