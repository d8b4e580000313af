#!/usr/bin/env python3
"""Page budgets, measured in headless Chromium on this machine (not a test):

- first draw of the home view and Python ready, cold (empty cache) and warm (second visit);
- bytes over the wire for a cold visit (compressed, as served by build.py serve);
- slider input -> redrawn path and loss curve, with live Python (p50 / p95);
- a 64-rate x 500-step learning-rate sweep through the worker.

    python3 build.py && python3 bench/bench_page.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

SLIDER = """async (n) => {
  const range = document.querySelector('input[type=range]');
  const land = document.getElementById('landscape'), curve = document.getElementById('curve');
  const times = [];
  const lo = Number(range.min), hi = Number(range.max);
  for (let i = 0; i < n; i++) {
    const seen = new Set();
    const done = new Promise((resolve) => {
      for (const [node, name] of [[land, 'l'], [curve, 'c']]) {
        const mo = new MutationObserver(() => { mo.disconnect(); seen.add(name);
          if (seen.size === 2) resolve(); });
        mo.observe(node, { subtree: true, attributes: true, childList: true });
      }
      setTimeout(resolve, 3000);
    });
    const t = performance.now();
    range.value = String(lo + ((i * 37) % Math.max(1, hi - lo)));
    range.dispatchEvent(new Event('input', { bubbles: true }));
    await done;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  return times;
}"""

SWEEP = """async () => {
  const { createPython } = await import('./static/worker-client.js');
  const py = createPython({});
  await py.ready;
  const msg = { op: 'sweep', surface: 'rosenbrock', optimizer: 'sgd', steps: 500,
                lr_min: 1e-4, lr_max: 3e-3, num: 64 };
  await py.call(msg);
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const out = await py.call(msg);
    times.push(performance.now() - t);
    if (out.paths.data.length !== 64 * 501 * 2) throw new Error('wrong shape');
  }
  return times;
}"""


def wait_ready(page, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate("() => document.body.dataset.python") == "ready":
            return
        time.sleep(0.02)
    raise RuntimeError("Python did not become ready")


def visit(context, url) -> dict:
    page = context.new_page()
    sizes = []
    page.on("requestfinished", lambda req: sizes.append(req.sizes()["responseBodySize"]))
    page.goto(url)
    wait_ready(page)
    marks = page.evaluate("""() => ({first: Number(document.body.dataset.firstDrawMs),
                                     ready: Number(document.body.dataset.pythonReadyMs)})""")
    page.close()
    return {**marks, "bytes": sum(s for s in sizes if s > 0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if build.needs_build():
        build.build()
    server = build.make_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    plain = build.make_server(0, csp=None)  # the sweep bench imports a module via evaluate
    threading.Thread(target=plain.serve_forever, daemon=True).start()

    with sync_playwright() as p:
        cold, warm = [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as profile:
                ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM),
                                                           args=ARGS)
                cold.append(visit(ctx, url))
                warm.append(visit(ctx, url))
                ctx.close()
        med = lambda rows, k: statistics.median(r[k] for r in rows)  # noqa: E731
        print(f"first draw     cold {med(cold, 'first'):6.0f} ms   warm {med(warm, 'first'):6.0f} ms")
        print(f"python ready   cold {med(cold, 'ready'):6.0f} ms   warm {med(warm, 'ready'):6.0f} ms")
        print(f"bytes (cold)   {med(cold, 'bytes') / 1e6:.2f} MB compressed over the wire; "
              f"warm visit {med(warm, 'bytes') / 1e6:.2f} MB")

        browser = p.chromium.launch(executable_path=str(build.CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        wait_ready(page)
        time.sleep(0.5)
        times = sorted(page.evaluate(SLIDER, 60))
        print(f"slider -> redraw (live Python, 30-step parabola home view): p50 {times[len(times) // 2]:.1f} ms"
              f"  p95 {times[int(len(times) * 0.95) - 1]:.1f} ms  max {times[-1]:.1f} ms")
        page.goto(url + "?surface=bowl&steps=200&lr=0.05")
        wait_ready(page)
        time.sleep(0.5)
        times = sorted(page.evaluate(SLIDER, 60))
        print(f"slider -> redraw (live Python, 200-step bowl):           p50 {times[len(times) // 2]:.1f} ms"
              f"  p95 {times[int(len(times) * 0.95) - 1]:.1f} ms  max {times[-1]:.1f} ms")
        page.goto(f"http://127.0.0.1:{plain.server_port}/")
        sweep = sorted(page.evaluate(SWEEP))
        print(f"sweep 64 rates x 500 steps in the worker: median {sweep[len(sweep) // 2]:.0f} ms "
              f"(min {sweep[0]:.0f}, max {sweep[-1]:.0f})")
        browser.close()
    server.shutdown()
    plain.shutdown()


if __name__ == "__main__":
    main()
