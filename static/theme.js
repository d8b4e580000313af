// The lab's colours for the plots, in one place (the page's CSS has its own variables).

export const PATH_COLOR = "#e4572e";
export const COMPARE_COLOR = "#5b5f97";
export const START_COLOR = "#111";
export const CONTOUR_SCALE = [
  [0, "#0b2e4f"], [0.15, "#1d5a85"], [0.35, "#3d8bb5"], [0.55, "#7fbcd2"],
  [0.75, "#c4e1e6"], [1, "#f6f4ea"],
];
export const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#222" };
