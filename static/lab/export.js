// What a learner can take away from a view: the runs as CSV, the plots as one PNG and
// the experiment as a Jupyter notebook (numpy and matplotlib only).
//
//   runsCsv(slots) -> text          one row per run per step
//   plotsPng(graphs) -> Blob        [landscape background, landscape, loss curve] divs
//   notebook({ title, code, link, surface, runs }) -> text (nbformat 4 JSON)
//   download(name, blobOrText, type)

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
function field(v) {
  const s = v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every run per step: run, step, w0.., loss, lr (the lr used for the step from that row). */
export function runsCsv(slots) {
  const d = Math.max(1, ...slots.map((s) => (s.run.points[0] || []).length));
  const lines = [["run", "step", ...Array.from({ length: d }, (_, i) => `w${i}`), "loss", "lr"].join(",")];
  for (const { label, run } of slots) {
    const lrs = run.lr && run.lr.data ? run.lr.data : Array.isArray(run.lr) ? run.lr : null;
    run.points.forEach((p, k) => {
      const lr = k < run.points.length - 1 || (lrs && k < lrs.length) ? (lrs ? lrs[k] : run.lr_base) : "";
      lines.push([label, k, ...p, run.losses[k], lr].map(field).join(","));
    });
  }
  return `${lines.join("\n")}\n`;
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("a plot could not be turned into an image"));
    img.src = url;
  });
}

/** The landscape (background and runs stacked) beside the loss curve, as one PNG. */
export async function plotsPng([bg, fg, curve], scale = 2) {
  const P = window.Plotly;
  const size = (gd) => ({ width: gd.clientWidth || 600, height: gd.clientHeight || 400 });
  const [a, b, c] = await Promise.all([bg, fg, curve].map((gd) => P.toImage(gd, { format: "png", ...size(gd), scale })));
  const [ia, ib, ic] = await Promise.all([a, b, c].map(loadImage));
  const canvas = document.createElement("canvas");
  canvas.width = ia.width + ic.width;
  canvas.height = Math.max(ia.height, ic.height);
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(ia, 0, 0);
  g.drawImage(ib, 0, 0);
  g.drawImage(ic, ia.width, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

const LOOP = `# The plain loop the lab runs: w <- step(w, g, lr, state) when the program defines step,
# else w <- w - lr * g. Without grad(w), a central difference stands in for it.
import numpy as np

def numerical_grad(f, w, h=1e-6):
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        g[i] = (f(w + e) - f(w - e)) / (2 * h)
    return g

grad_fn = grad if "grad" in globals() else (lambda w: numerical_grad(loss, w))
w = np.array(start, dtype=float).reshape(-1)
state = None
path = [w.copy()]
for t in range(steps):
    g = np.asarray(grad_fn(w), dtype=float).reshape(-1)
    if "step" in globals():
        w, state = step(w.copy(), g, lr, state)
        w = np.asarray(w, dtype=float).reshape(-1)
    else:
        w = w - lr * g
    path.append(w.copy())
    if not np.all(np.isfinite(w)):
        print(f"diverged at step {t + 1}")
        break
path = np.array(path)
losses = np.array([float(loss(p)) for p in path])
print("final w:", path[-1], " loss:", losses[-1])
`;

function plotCell(bounds) {
  const b = JSON.stringify(bounds);
  return `import matplotlib.pyplot as plt

bounds = ${b}   # the lab's view of this surface
fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
ok = np.all(np.isfinite(path), axis=1)
if path.shape[1] == 1:
    xs = np.linspace(*bounds[0], 400)
    ax.plot(xs, [loss(np.array([x])) for x in xs], color="#1d5a85")
    ax.plot(path[ok, 0], losses[ok], "o-", color="#D55E00", ms=4, alpha=0.8)
    ax.set_xlabel("w"); ax.set_ylabel("loss")
elif path.shape[1] == 2:
    xs = np.linspace(*bounds[0], 120)
    ys = np.linspace(*bounds[1], 120)
    Z = np.array([[loss(np.array([x, y])) for x in xs] for y in ys])
    ax.contourf(xs, ys, np.log10(Z - Z.min() + 1e-3), levels=24, cmap="Blues_r")
    ax.plot(path[ok, 0], path[ok, 1], "o-", color="#D55E00", ms=3)
    ax.plot(*path[0], "ko", mfc="none", ms=10)
    ax.set_xlim(bounds[0]); ax.set_ylim(bounds[1]); ax.set_xlabel("w0"); ax.set_ylabel("w1")
else:
    ax.plot(path[ok, 0], path[ok, 1], "o-", color="#D55E00", ms=3)
    ax.set_xlabel("w0"); ax.set_ylabel("w1")
bx.plot(losses, color="#D55E00")
if np.all(losses[np.isfinite(losses)] > 0):
    bx.set_yscale("log")
bx.set_xlabel("step"); bx.set_ylabel("loss")
plt.tight_layout()
plt.show()
`;
}

const lines = (text) => text.replace(/\n$/, "").split("\n").map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l));
const md = (text) => ({ cell_type: "markdown", metadata: {}, source: lines(text) });
const code = (text) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source: lines(text) });

/** The view as a notebook: its program, the loop that runs it and a plot of the path. */
export function notebook({ title, program, link, bounds, table }) {
  const cells = [
    md(`# ${title}\n\nFrom the Gradient Descent Lab: [this view](${link}). Run the cells in order; `
      + "they need only numpy and matplotlib. Change the program and run them again."),
    code(program),
    code(LOOP),
    code(plotCell(bounds)),
  ];
  if (table) cells.push(md(`What the lab computed for the runs of this view:\n\n${table}`));
  return JSON.stringify({
    cells,
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3", language: "python" },
      language_info: { name: "python" },
    },
    nbformat: 4, nbformat_minor: 4,
  }, null, 1);
}

/** Save a Blob or text as a file named `name`. */
export function download(name, data, type = "text/plain") {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
