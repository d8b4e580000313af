#!/usr/bin/env python3
"""Core ops in the browser's worker against CPython on the same machine (not a test):

- a 41 x 41 slice of `noisy-labels` and of `regression-10k` (issue 18: <= 3x);
- 1000 full-batch Adam steps of a 2-16-16-1 network on 200 rows (issue 19: <= 3x).

The worker is the lab's own (static/python/worker-client.js on the built dist/, in headless
Chromium); CPython runs gdlab.bridge.handle in this process, one BLAS thread (Pyodide
has one). Each figure is the median of --repeats calls after one warm-up call.

    python3 build.py && OPENBLAS_NUM_THREADS=1 python3 bench/bench_worker_ops.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "py"))

import build  # noqa: E402
from gdlab.bridge import handle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

OPS = {
    "slice 41x41 noisy-labels": {"op": "slice", "surface": "noisy-labels", "optimizer": "sgd"},
    "slice 41x41 regression-10k": {"op": "slice", "surface": "regression-10k", "optimizer": "sgd"},
    "1000 Adam steps, 2-16-16-1 net": {"op": "run", "surface": "moons-mlp", "optimizer": "adam",
                                       "lr": 0.01, "steps": 1000, "layers": "2,16,16,1"},
}

IN_WORKER = """async ([msg, n]) => {
  const { createPython } = await import('/static/python/worker-client.js');
  const py = window.__py || (window.__py = createPython({ timeLimitMs: 120000 }));
  await py.ready;
  const first = await py.call(msg);
  if (first.error) throw new Error(first.error);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await py.call(msg);
    times.push(performance.now() - t);
  }
  return times;
}"""


def cpython(msg, n):
    out = handle(msg)
    assert "error" not in out, out
    times = []
    for _ in range(n):
        t = time.perf_counter()
        handle(msg)
        times.append(1000 * (time.perf_counter() - t))
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if build.needs_build():
        build.build()
    server = build.make_server(0, build.DIST)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(build.CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/static/boot.json")
        print(f"{'op':34s} {'worker ms':>10s} {'CPython ms':>11s} {'ratio':>6s}  (budget <= 3x)")
        for name, msg in OPS.items():
            worker = statistics.median(page.evaluate(IN_WORKER, [msg, args.repeats]))
            native = statistics.median(cpython(msg, args.repeats))
            print(f"{name:34s} {worker:10.1f} {native:11.1f} {worker / native:5.2f}x")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
