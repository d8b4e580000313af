#!/usr/bin/env python3
"""Slice speed on CPython: a 41 x 41 slice (issue 18) of `noisy-labels` and `regression-10k`,
the whole bridge op (the run, then the plane) and the plane's one loss call alone.

    python3 bench/bench_slice.py
    OPENBLAS_NUM_THREADS=1 python3 bench/bench_slice.py   # one thread, as in the browser

Prints the median of several repeats. Not a test: the browser's figure (the same op in the
worker) is measured against this one on the same machine; the budget is a ratio <= 3.
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from gdlab import slices  # noqa: E402
from gdlab.bridge import handle  # noqa: E402
from gdlab.surfaces import get_surface  # noqa: E402

import bench_core  # noqa: E402  (beside this file)

SURFACES = ("noisy-labels", "regression-10k")


def median_seconds(fn, repeats=9):
    fn()  # warm: the data problem is built on first use
    return bench_core.median_seconds(fn, repeats)


def main():
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    print(f"CPython {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"BLAS threads: {threads}")
    print(f"{'surface':<16} {'d':>3} {'op slice ms':>12} {'op run ms':>10} {'grid ms':>8}")
    for name in SURFACES:
        s = get_surface(name)
        msg = {"op": "slice", "surface": name, "size": 41}
        op = median_seconds(lambda: handle(msg))
        run = median_seconds(lambda: handle({"op": "run", "surface": name}))
        out = handle(msg)
        grid = median_seconds(lambda: slices.plane_loss(s.loss, out["centre"], out["directions"],
                                                         out["alphas"], out["betas"]))
        print(f"{name:<16} {s.dim:>3} {op * 1e3:>12.1f} {run * 1e3:>10.1f} {grid * 1e3:>8.1f}")
    print("op slice: the bridge op, 41 x 41 (its run, PCA, the grid, the line); "
          "grid: the one (1681, d) loss call")


if __name__ == "__main__":
    main()
