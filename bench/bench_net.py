#!/usr/bin/env python3
"""Issue 19's network budget: 1000 full-batch Adam steps of the 2-16-16-1 MLP on moons
(200 rows, d = 337) in Pyodide against CPython on the same machine (budget: Pyodide
≤ 3× CPython).

    python3 bench/bench_net.py [--repeats 5] [--rounds 1] [--lr 0.01]

Both interpreters run the same gdlab code (py/, mounted into Pyodide's file system) and
time the same two things with time.perf_counter, after one warm-up each:

  train   runner.run(moons-mlp, adam, lr, 1000): the training loop (the runner records
          the path's loss too), what the slider waits for;
  run op  bridge.handle({"op": "run", ...}): the same run as the worker answers it (plus
          the summary, held-out loss and both accuracies per step).

Pyodide is node_modules/pyodide (under node, no browser) with the numpy wheel the build
ships (build.NUMPY_WHEEL, loaded by pyodide.loadPackage), in one node process started
once. A round times each job --repeats times in each interpreter, interleaved (CPython,
Pyodide, CPython, ...) so that both see the same load on a shared machine, and prints
the medians and their ratio; with --rounds > 1, the median of the rounds' ratios too.
The ratio of the fastest repeats (min / min) is printed beside: on a busy machine it is
the least disturbed estimate. Not a test.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

BUDGET = 3.0
STEPS = 1000

# The timed code, the same text in both interpreters: SETUP(lr, steps) warms each job up
# (imports, caches, the data set), ONE(what) times one of them once, in seconds.
TIMED = """
import time
from gdlab.bridge import handle
from gdlab.optimizers import make_optimizer
from gdlab.runner import run
from gdlab.surfaces import get_surface

JOBS = {}

def SETUP(lr, steps):
    net = get_surface("moons-mlp")          # layers 2,16,16,1, tanh, init_seed 0: d = 337
    assert net.dim == 337 and net.n_samples == 200
    adam, _ = make_optimizer("adam")
    JOBS["train"] = lambda: run(net, adam, lr, steps)
    JOBS["run op"] = lambda: handle({"op": "run", "surface": "moons-mlp", "optimizer": "adam",
                                     "lr": lr, "steps": steps})
    for job in JOBS.values():
        job()

def ONE(what):
    t0 = time.perf_counter()
    JOBS[what]()
    return time.perf_counter() - t0
"""

# Pyodide under node: loads numpy and py/, then times one job per line it reads on stdin.
NODE_JS = r"""
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
const [dir, wheel, pyDir, code, args] = process.argv.slice(-5);
const { loadPyodide } = await import(pathToFileURL(dir + "/pyodide.mjs").href);
const py = await loadPyodide({ indexURL: dir + "/", stdout: () => {}, stderr: (l) => console.error(l) });
await py.loadPackage(wheel, { messageCallback: () => {} });
py.FS.mkdirTree("/mnt/py");
py.FS.mount(py.FS.filesystems.NODEFS, { root: pyDir }, "/mnt/py");
py.runPython("import sys; sys.path.insert(0, '/mnt/py')");
py.runPython(code);
const [lr, steps] = JSON.parse(args);
py.runPython(`SETUP(${lr}, ${steps})`);
console.log(py.runPython("import json, sys, numpy; json.dumps([sys.version.split()[0], numpy.__version__])"));
for await (const line of createInterface({ input: process.stdin })) {
  console.log(py.runPython(`ONE(${JSON.stringify(JSON.parse(line))})`));
}
"""


class Pyodide:
    """Pyodide in a node process, timing one job per call."""

    def __init__(self, lr: float):
        self.proc = subprocess.Popen(["node", "--input-type=module", "-e", NODE_JS, "--", str(build.PYODIDE),
                                      str(build.NUMPY_WHEEL), str(ROOT / "py"), TIMED, json.dumps([lr, STEPS])],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.version = json.loads(self._line())

    def _line(self) -> str:
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"bench_net: Pyodide under node stopped (exit {self.proc.wait()})")
        return line

    def one(self, what: str) -> float:
        self.proc.stdin.write(json.dumps(what) + "\n")
        return float(self._line())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per interpreter (median)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of interleaved repeats (median of their ratios)")
    ap.add_argument("--lr", type=float, default=0.01)
    a = ap.parse_args()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"CPython {platform.python_version()} numpy {np.__version__} | node {node}, "
          f"Pyodide {json.loads((build.PYODIDE / 'package.json').read_text())['version']}, "
          f"{build.NUMPY_WHEEL.name} | {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"1000 full-batch adam steps (lr {a.lr:g}), MLP 2-16-16-1 tanh on moons (200 rows, d = 337); "
          f"median of {a.repeats} after a warm-up")
    scope: dict = {}
    exec(TIMED, scope)
    scope["SETUP"](a.lr, STEPS)
    pyo = Pyodide(a.lr)
    print(f"Pyodide's Python {pyo.version[0]}, numpy {pyo.version[1]}")
    ratios: dict[str, list[float]] = {}
    best: dict[str, list[float]] = {}   # min / min: the least disturbed repeats, on a busy machine
    for r in range(a.rounds):
        for what in scope["JOBS"]:
            cp, pd = [], []
            for _ in range(a.repeats):   # interleaved, so both see the same load
                cp.append(scope["ONE"](what))
                pd.append(pyo.one(what))
            c, p = statistics.median(cp), statistics.median(pd)
            ratios.setdefault(what, []).append(p / c)
            best.setdefault(what, []).append(min(pd) / min(cp))
            print(f"round {r + 1}  {what:<7} CPython {c:.3f} s  Pyodide {p:.3f} s  ratio {p / c:.2f}x  "
                  f"(CPython {min(cp):.3f}-{max(cp):.3f}, Pyodide {min(pd):.3f}-{max(pd):.3f}; "
                  f"ratio of minima {min(pd) / min(cp):.2f}x)")
    pyo.close()
    for what, rs in ratios.items():
        m = statistics.median(rs)
        print(f"{what:<7} Pyodide/CPython median ratio {m:.2f}x over {len(rs)} round(s): "
              f"{'within' if m <= BUDGET else 'OVER'} the {BUDGET:g}x budget "
              f"(ratio of minima {statistics.median(best[what]):.2f}x)")


if __name__ == "__main__":
    main()
