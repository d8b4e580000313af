// The `Learning-rate sweep` plot: the loss after the run's steps against the learning
// rate (log-log), one point per slider notch from one vectorised run, coloured by what
// the run did. Diverged runs sit on the top edge (marked ×). The current lr is a line
// that follows the slider (an element over the graph, moved by CSS: a Plotly relayout
// took 20 ms per notch of a scrub); for plain GD the thresholds 1/λmax and 2/λmax are drawn
// (labelled local off a quadratic), else a note says why none is. Clicking a point
// sets the lr.
//
//   const plot = createSweepPlot(div, note, { onPick });
//   plot.show(sweep, lr, { lossLog, minLoss })     sweep: runs.sweepOf(state) or null

import { formatLr } from "../state/format.js";
import { REGIME_COLORS, regimeAt } from "./regimes.js";
import { FONT, PLOT_BG } from "./theme.js";

const CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };

function vline(x, color, dash, label, y = 1) {
  return {
    shape: { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1, line: { color, width: 1.5, dash } },
    note: label ? { xref: "x", yref: "paper", x: Math.log10(x), y, text: label, showarrow: false,
      font: { size: 11, color }, bgcolor: `${PLOT_BG}d9`,   // 85%
      yanchor: "bottom" } : null,
  };
}

/**
 * The current lr: a line and its label over the graph's plot area. The plot area is
 * measured after each Plotly draw; a new lr then only moves the line.
 */
function createLrMark(div) {
  const mark = document.createElement("div");
  mark.className = "lr-mark";
  mark.setAttribute("aria-hidden", "true");
  mark.hidden = true;
  const label = document.createElement("span");
  mark.append(label);
  div.after(mark);      // beside the graph, not in it: Plotly owns the graph's children
  let left = null;      // the plot area's left edge, in the section's coordinates
  let lr = null;
  function place() {
    const ax = div._fullLayout && div._fullLayout.xaxis;
    const x = ax && lr !== null && left !== null ? ax.l2p(Math.log10(lr)) : NaN;
    mark.hidden = !(x >= 0 && x <= ax._length);
    if (mark.hidden) return;
    mark.style.transform = `translateX(${left + x}px)`;
    label.textContent = `lr ${formatLr(lr)}`;
  }
  return {
    measure() {
      const fl = div._fullLayout;
      if (!fl || !fl.xaxis || !fl.yaxis) return;
      left = div.offsetLeft + fl.xaxis._offset;
      mark.style.top = `${div.offsetTop + fl.yaxis._offset}px`;
      mark.style.height = `${fl.yaxis._length}px`;
      place();
    },
    set(value) { lr = value; place(); },
    hide() { left = null; mark.hidden = true; },
  };
}

export function createSweepPlot(div, note, { onPick } = {}) {
  const P = () => window.Plotly;
  const mark = createLrMark(div);
  let shown = null;     // the sweep on screen

  function traces(sweep, lossOf, log) {
    // The top edge (where diverged runs sit) is set by the runs that did not diverge.
    const finite = sweep.final_loss.map(lossOf)
      .filter((v, i) => sweep.status[i] !== "diverged" && Number.isFinite(v) && (!log || v > 0));
    const hi = finite.length ? Math.max(...finite) : 1;
    const lo = finite.length ? Math.min(...finite) : 0;
    const top = log ? hi * 30 : hi + 0.1 * (hi - lo || 1);
    const byWord = new Map();
    sweep.lrs.forEach((lr, i) => {
      const word = regimeAt(sweep, lr).word;
      const v = lossOf(sweep.final_loss[i]);
      const diverged = sweep.status[i] === "diverged" || !Number.isFinite(v) || (log ? v > top : v > top);
      if (!byWord.has(word)) byWord.set(word, { x: [], y: [], symbol: [], text: [] });
      const t = byWord.get(word);
      t.x.push(lr);
      t.y.push(diverged ? top : log ? Math.max(v, 1e-300) : v);
      t.symbol.push(diverged ? "x" : "circle");
      t.text.push(diverged ? `diverged at step ${sweep.diverged_at[i]}` : `loss ${v.toPrecision(3)}`);
    });
    return [...byWord.entries()].map(([word, t]) => ({
      type: "scatter", mode: "markers", name: word, x: t.x, y: t.y, text: t.text,
      marker: { color: REGIME_COLORS[word], size: 7, symbol: t.symbol, line: { color: "#fff", width: 0.5 } },
      hovertemplate: `lr %{x:.3g}<br>%{text}<br>${word}<extra></extra>`,
    }));
  }

  function decorations(sweep) {
    const t = sweep.thresholds || {};
    const marks = [];
    const local = t.local ? "local " : "";
    if (Number.isFinite(t.lr_monotone)) marks.push(vline(t.lr_monotone, "#0072B2", "dot", `${local}1/λmax`, 0.88));
    if (Number.isFinite(t.lr_stable)) marks.push(vline(t.lr_stable, "#D55E00", "dash", `${local}2/λmax`, 0.76));
    return { shapes: marks.map((m) => m.shape), annotations: marks.map((m) => m.note).filter(Boolean) };
  }

  function show(sweep, lr, { lossLog = false, minLoss = 0 } = {}) {
    div.closest("section").hidden = !sweep;
    if (!sweep || !P()) { shown = null; mark.hide(); return Promise.resolve(); }   // no Plotly yet: drawn on its upgrade
    mark.set(lr);
    if (shown === sweep) return Promise.resolve();
    const t = sweep.thresholds || {};
    note.textContent = t.why ? `No thresholds drawn: ${t.why}.` : t.local
      ? "1/λmax and 2/λmax from the Hessian at the nearest minimum (local: the surface is not a quadratic)."
      : "";
    const deco = decorations(sweep);
    shown = sweep;
    const lossOf = (v) => (v === null || v === undefined ? NaN : lossLog ? v - minLoss : v);
    const log = sweep.final_loss.every((v) => v === null || !(lossOf(v) <= 0));
    const layout = {
      margin: { l: 60, r: 12, t: 22, b: 40 }, font: FONT, dragmode: false, hovermode: "closest",
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: PLOT_BG, showlegend: true,
      legend: { orientation: "h", x: 0, y: -0.22, font: { size: 11 } },
      xaxis: { type: "log", title: { text: "learning rate", standoff: 2 }, fixedrange: true, exponentformat: "power" },
      yaxis: { type: log ? "log" : "linear", title: { text: lossLog ? "final loss − min" : "final loss" }, fixedrange: true,
        exponentformat: "power" },
      ...deco,
    };
    return P().react(div, traces(sweep, lossOf, log), layout, CONFIG).then(() => {
      if (!div.dataset.bound) {
        div.dataset.bound = "1";
        div.on("plotly_click", (ev) => { const p = ev.points && ev.points[0]; if (p) onPick?.(p.x); });
        div.on("plotly_afterplot", mark.measure);   // a resize draws the graph again
      }
      mark.measure();
    });
  }

  return { show };
}
