// The `Loss along a line` plot of a surface with more than two weights: the loss on the
// straight line from a run's start (t = 0) to its end (t = 1), extended to t = 1.5
// (Goodfellow et al., 2015): a bump between them is a barrier the run went around or
// over, a rise past t = 1 says how sharp the end is along the run's own direction.
// One line per drawn run, in its colour. Hidden on 1-D and 2-D surfaces.
//
//   const plot = createLinePlot(div);
//   plot.show([{id, label, color, t, loss}, ...] | null)

import { FONT, PLOT_BG } from "./theme.js";

const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false, scrollZoom: false };

export function createLinePlot(div) {
  const P = () => window.Plotly;
  let shownKey = "";

  function show(lines) {
    const section = div.closest("section");
    section.hidden = !lines || !lines.length;
    div.dataset.lines = String(section.hidden ? 0 : lines.length);
    if (section.hidden || !P()) { shownKey = ""; return Promise.resolve(); }   // no Plotly yet: drawn on the next call
    const key = lines.map((l) => `${l.id}:${l.loss.length}:${l.loss[0]}:${l.loss.at(-1)}`).join(";");
    if (key === shownKey) return Promise.resolve();
    shownKey = key;
    const traces = lines.map((l) => ({
      type: "scatter", mode: "lines", name: l.label, x: l.t, y: l.loss.map((v) => (Number.isFinite(v) ? v : null)),
      line: { color: l.color, width: 2 }, hovertemplate: `${l.label}<br>t %{x:.3f}<br>loss %{y:.4g}<extra></extra>`,
    }));
    const layout = {
      margin: { l: 60, r: 12, t: 10, b: 40 }, font: FONT, showlegend: false, dragmode: false,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: PLOT_BG,
      xaxis: { title: { text: "t (0 = start, 1 = end)", standoff: 2 }, fixedrange: true, zeroline: false },
      yaxis: { title: { text: "loss" }, fixedrange: true, exponentformat: "power" },
      shapes: [0, 1].map((x) => ({ type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1,
        line: { color: "#9aa3b2", width: 1, dash: "dot" } })),
    };
    return P().react(div, traces, layout, CONFIG);
  }
  return { show };
}
