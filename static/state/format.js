// Numbers as the page shows them: short, stable width where it matters, and read back
// (by the URL and the number inputs) to nearly the same value.

/** A learning rate as short text: 0.1, 0.0316, 1.1, 3.16e-4. */
export function formatLr(lr) {
  if (!Number.isFinite(lr)) return String(lr);
  if (lr >= 1e-3 && lr < 1e4) return String(Number(lr.toPrecision(3)));
  return lr.toExponential(2).replace(/\.?0+e/, "e");
}

/** A loss value for the status line: 64.000, 0.0123, 1.23e-7, 4.56e+12. */
export function formatLoss(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 1 && a < 1e5) return x.toFixed(3);
  if (a >= 1e-3 && a < 1) return x.toPrecision(3);
  return x.toExponential(2);
}

/** A coordinate for the status line and the Start field: -5.000, 0.123, 1.2e-9. */
export function formatCoord(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return "0.000";
  if (a >= 1e-3 && a < 1e5) return x.toFixed(3);
  return x.toExponential(2);
}

/** A number for the URL and the inputs: shortest text that reads back to the same float. */
export function formatValue(x) {
  if (typeof x === "boolean") return x ? "1" : "0";
  return String(x);
}

/** A point for the Start field and the URL: "3,2" or "-5". Rounded to 4 significant digits. */
export function formatPoint(p) {
  return p.map((v) => String(Number(Number(v).toPrecision(4)))).join(",");
}

/** A value in a results table: 4 significant digits (an exponent when very large or
 * small), integers as they are, "–" for none, vectors as (a, b). */
export function formatCell(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(4)));
  }
  if (Array.isArray(value)) return `(${value.map(formatCell).join(", ")})`;
  if (value && typeof value === "object" && value.data) return formatCell(Array.from(value.data));
  return String(value);
}
