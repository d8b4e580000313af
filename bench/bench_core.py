#!/usr/bin/env python3
"""Core speed on CPython: µs per optimizer step for 1 run and for 64 runs side by side,
the 64-rate x 500-step learning-rate sweep the page runs in one call, and 1000
full-batch Adam steps of the 2-16-16-1 network on 200 rows (issue 19's budget compares
the worker's time for the same steps with this one).

    python3 bench/bench_core.py

Prints the median of several repeats. Not a test: compare the figures between commits.
"""

import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "py"))

from gdlab.bridge import handle  # noqa: E402
from gdlab.optimizers import make_optimizer  # noqa: E402
from gdlab.runner import run  # noqa: E402
from gdlab.surfaces import get_surface  # noqa: E402


def median_seconds(fn, repeats=7):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    print(f"CPython {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    bowl = get_surface("bowl")
    steps = 500
    print(f"{'optimizer':<10} {'K':>3} {'µs/step':>9} {'µs/step/run':>12}")
    for name in ("sgd", "momentum", "adam"):
        opt, _ = make_optimizer(name)
        for k in (1, 64):
            lrs = np.geomspace(1e-3, 0.2, k)
            t = median_seconds(lambda: run(bowl, opt, lrs, steps))
            print(f"{name:<10} {k:>3} {t / steps * 1e6:>9.1f} {t / steps / k * 1e6:>12.2f}")
    t = median_seconds(lambda: handle({"op": "sweep", "surface": "rosenbrock", "optimizer": "sgd",
                                       "steps": 500, "lr_min": 1e-4, "lr_max": 3e-3, "num": 64}))
    print(f"sweep 64 rates x 500 steps (rosenbrock, bridge op incl. summary): {t * 1e3:.1f} ms")
    t = median_seconds(lambda: handle({"op": "run", "surface": "bowl", "optimizer": "adam",
                                       "steps": 200}))
    print(f"one 200-step run through the bridge (bowl, adam): {t * 1e3:.2f} ms")
    net = get_surface("moons-mlp")  # layers 2,16,16,1, tanh: d = 337
    adam, _ = make_optimizer("adam")
    t = median_seconds(lambda: run(net, adam, 0.01, 1000), repeats=5)
    print(f"1000 full-batch adam steps, MLP 2-16-16-1 on 200 rows (moons-mlp, d = {net.dim}, "
          f"runner incl. the path's loss): {t:.3f} s")


if __name__ == "__main__":
    main()
