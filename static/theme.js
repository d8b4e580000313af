// The lab's colours for the plots, in one place (the page's CSS has its own variables).

export const PATH_COLOR = "#e4572e";
export const COMPARE_COLOR = "#5b5f97";
export const START_COLOR = "#111";
export const CONTOUR_SCALE = [
  [0, "#0b2e4f"], [0.15, "#1d5a85"], [0.35, "#3d8bb5"], [0.55, "#7fbcd2"],
  [0.75, "#c4e1e6"], [1, "#f6f4ea"],
];
export const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#222" };

// Runs other than the live one, in this order (Okabe-Ito, minus the live run's
// vermillion and the black of the start ring): tell apart for colour-blind viewers.
export const RUN_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#8c564b", "#7f7f7f"];
