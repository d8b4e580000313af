// The `Learning-rate schedule` plot: the lr the live run used at each step (the run's
// own `lr`, from the core), with the step shown now marked. Hidden without a schedule.
//
//   const plot = createSchedulePlot(div);
//   plot.show(run | null, cursor)

import { vec } from "./landscape.js";
import { FONT, PATH_COLOR, PLOT_BG } from "./theme.js";

const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false, scrollZoom: false };

export function createSchedulePlot(div) {
  const P = () => window.Plotly;
  let shown = null;

  function show(run, cursor) {
    const section = div.closest("section");
    const lrs = run && run.lr ? Array.from(vec(run.lr)) : [];
    section.hidden = !run || !run.schedule || !lrs.length;
    if (section.hidden || !P()) { shown = null; return Promise.resolve(); }   // no Plotly yet: drawn on its upgrade
    const k = Math.max(0, Math.min(cursor, lrs.length - 1));
    const now = { x: [k], y: [lrs[k]] };
    if (shown === run) return P().restyle(div, { x: [now.x], y: [now.y] }, [1]);
    shown = run;
    const traces = [
      { type: "scatter", mode: "lines", name: "lr", x: lrs.map((_, i) => i), y: lrs,
        line: { color: PATH_COLOR, width: 2, shape: "hv" }, hovertemplate: "step %{x}<br>lr %{y:.4g}<extra></extra>" },
      { type: "scatter", mode: "markers", name: "now", ...now, hoverinfo: "skip",
        marker: { color: PATH_COLOR, size: 9, line: { color: "#fff", width: 1.5 } } },
    ];
    const layout = {
      margin: { l: 60, r: 12, t: 10, b: 40 }, font: FONT, showlegend: false, dragmode: false,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: PLOT_BG,
      xaxis: { title: { text: "step", standoff: 2 }, fixedrange: true, zeroline: false },
      yaxis: { title: { text: "learning rate" }, fixedrange: true, exponentformat: "power", rangemode: "tozero" },
    };
    return P().react(div, traces, layout, CONFIG);
  }
  return { show };
}
