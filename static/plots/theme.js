// The lab's colours for the plots, in one place (the page's CSS has its own variables,
// static/style.css). Chosen once at import time: light, or dark when the reader's system
// asks for it (prefers-color-scheme). Every colour here survives a greyscale print and
// the common colour-vision deficiencies:
// - runs: the Okabe-Ito palette (Okabe & Ito, "Color Universal Design"), ordered so the
//   first ones stand out on the blue contour;
// - the contour: one sequential scale, dark (low loss, the valley) to light (high), its
//   lightness rising evenly so the valley reads in colour and in grey; blue-green-yellow,
//   apart from the orange path;
// - the minimum: a yellow star with a black rim; the start: a black ring.

const dark = typeof window !== "undefined" && typeof window.matchMedia === "function"
  && window.matchMedia("(prefers-color-scheme: dark)").matches;

/** True when the plots use the dark variant. */
export const DARK = dark;

/** One colour per run, in order: the live run takes the first (Okabe-Ito). */
// (The contour is the same in both variants, so the runs keep their colours; only the
// black one turns white for a dark plot area.)
export const RUN_COLORS = ["#D55E00", "#CC79A7", "#E69F00", dark ? "#FFFFFF" : "#000000",
  "#F0E442", "#009E73", "#56B4E9", "#0072B2"];

export const PATH_COLOR = RUN_COLORS[0];
export const COMPARE_COLOR = RUN_COLORS[1];
export const START_COLOR = "#000000";
export const MIN_COLOR = "#F0E442";
export const MIN_LINE_COLOR = "#000000";

/** Low loss dark, high loss light (a ColorBrewer-like yellow-green-blue, reversed). */
export const CONTOUR_SCALE = [
  [0, "#081d58"], [0.125, "#253494"], [0.25, "#225ea8"], [0.375, "#1d91c0"],
  [0.5, "#41b6c4"], [0.625, "#7fcdbb"], [0.75, "#c7e9b4"], [0.875, "#edf8b1"], [1, "#ffffd9"],
];
/** Thin lines between contour levels: dark enough to show on the light levels too. */
export const CONTOUR_LINE = "rgba(8, 29, 88, 0.28)";

/** The plot area and its grid (the page's background shows around them). */
export const PLOT_BG = dark ? "#1b2029" : "#ffffff";
export const GRID_COLOR = dark ? "#353d4b" : "#e3e7ee";
/** A 1-D loss curve L(w) and the dashed slope there. */
export const CURVE_COLOR = dark ? "#7db9e8" : "#0072B2";
export const SLOPE_COLOR = dark ? "#e3e7ee" : "#333333";

export const FONT = {
  family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  size: 12,
  color: dark ? "#dfe4ec" : "#222222",
};
