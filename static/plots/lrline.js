// The `lr = …` line of the learner's code and the learning-rate slider follow each
// other: these two pure functions read and rewrite that line (the first top-level
// assignment to `lr`), leaving every other character of the program alone.

const LR_LINE = /^lr[ \t]*=[ \t]*([^#\n]*?)([ \t]*(#.*)?)$/m;

/** The number on the `lr = …` line, or null when there is none or it is not a plain number. */
export function readLr(code) {
  const m = LR_LINE.exec(code);
  if (!m) return null;
  const text = m[1].trim();
  if (!/^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** The code with its `lr = …` value replaced (a comment after it is kept). */
export function writeLr(code, lr) {
  const text = formatLr(lr);
  if (!LR_LINE.test(code)) return code;
  return code.replace(LR_LINE, (_all, _value, tail) => `lr = ${text}${tail || ""}`);
}

/** A learning rate as short text that reads back to (nearly) the same number. */
export function formatLr(lr) {
  if (lr >= 1e-3 && lr < 1e4) return String(Number(lr.toPrecision(4)));
  return lr.toExponential(3).replace(/\.?0+e/, "e");
}
