// The learning rate's regimes: what a run at a given lr does, in five words, from the
// sweep's statuses (one run per slider notch) and, for plain GD, the curvature's
// thresholds 1/λmax and 2/λmax.
//
//   regimeAt(sweep, lr)    -> { word, reason }   word: crawls | converges |
//                             overshoots but converges | oscillates | diverges
//   bands(sweep, toPos, max) -> [{ from, to, word }] in slider positions
//   valueText(lr, regime)  -> "0.26 — diverges (above 2/λmax = 0.25)"

import { formatLr } from "../state/format.js";

export const REGIME_COLORS = {
  crawls: "#56B4E9", converges: "#009E73", "overshoots but converges": "#E69F00",
  oscillates: "#CC79A7", diverges: "#D55E00",
};

const WORD = { crawling: "crawls", converged: "converges", oscillating: "oscillates", diverged: "diverges" };

function nearestIndex(lrs, lr) {
  let best = 0;
  for (let i = 1; i < lrs.length; i++) {
    if (Math.abs(Math.log(lrs[i] / lr)) < Math.abs(Math.log(lrs[best] / lr))) best = i;
  }
  return best;
}

/** What the run at `lr` does, and why we say so. */
export function regimeAt(sweep, lr) {
  if (!sweep || !sweep.lrs.length) return null;
  const t = sweep.thresholds || {};
  const status = sweep.status[nearestIndex(sweep.lrs, lr)];
  let word = WORD[status] || status;
  const local = t.local ? "local " : "";
  const m = t.lr_monotone;
  const s = t.lr_stable;
  let reason = "";
  if (Number.isFinite(m) && Number.isFinite(s)) {
    if (lr > s) reason = `above ${local}2/λmax = ${formatLr(s)}`;
    else if (lr > m) reason = `between ${local}1/λmax = ${formatLr(m)} and 2/λmax = ${formatLr(s)}`;
    else reason = `below ${local}1/λmax = ${formatLr(m)}`;
    if (word === "converges" && lr > m && lr <= s) word = "overshoots but converges";
  }
  return { word, reason };
}

/** Slider positions grouped into runs of one regime. */
export function bands(sweep, toPos, max) {
  if (!sweep) return [];
  const out = [];
  for (let pos = 0; pos <= max; pos++) {
    const lr = posLr(sweep, pos, toPos);
    const r = regimeAt(sweep, lr);
    const last = out[out.length - 1];
    if (last && last.word === r.word) last.to = pos;
    else out.push({ from: pos, to: pos, word: r.word });
  }
  return out;
}

function posLr(sweep, pos, toPos) {
  // the sweep's lr whose slider position is nearest `pos`
  let best = 0;
  for (let i = 1; i < sweep.lrs.length; i++) {
    if (Math.abs(toPos(sweep.lrs[i]) - pos) < Math.abs(toPos(sweep.lrs[best]) - pos)) best = i;
  }
  return sweep.lrs[best];
}

export function valueText(lr, regime) {
  if (!regime) return formatLr(lr);
  return `${formatLr(lr)} — ${regime.word}${regime.reason ? ` (${regime.reason})` : ""}`;
}

/** A CSS gradient of the bands along a track of positions 0 .. max. */
export function bandGradient(list, max) {
  if (!list.length) return "";
  const stops = list.flatMap((b) => {
    const a = (100 * b.from) / Math.max(1, max);
    const z = (100 * (b.to + 1)) / Math.max(1, max + 1);
    return [`${REGIME_COLORS[b.word]} ${a.toFixed(2)}%`, `${REGIME_COLORS[b.word]} ${z.toFixed(2)}%`];
  });
  return `linear-gradient(to right, ${stops.join(", ")})`;
}
