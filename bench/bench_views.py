#!/usr/bin/env python3
"""Linked views and several runs, measured against floors in the same run (not a test):

- paint: a link's first path on screen, cold (a new browser profile per visit), against
  the paint floor: a bare page that loads the same Plotly and draws the same figure
  (the view's contour or curve with its path, and the loss curve) from the same file.
  The lab's first path is its sketch (static/plots/sketch.js); when Plotly's figure replaced
  it is printed beside;
- slider -> redrawn plots (p50 / p95) on a 1000-step bowl with no kept runs and with
  four kept 1000-step runs, against the redraw floor: a bare Plotly.restyle of two
  201-point traces, timed the same way (input to the next frame after the DOM changed).

    python3 build.py && python3 bench/bench_views.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import build  # noqa: E402
from bench_page import ARGS, SLIDER, wait_ready  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

LINKS = [("preset", "?preset=rosenbrock-shootout", "preset-rosenbrock-shootout"),
         ("2-D surface", "?surface=himmelblau&optimizer=adam", "surface-himmelblau&optimizer=adam"),
         ("embed", "?embed=1&preset=watch-a-parameter-move", "preset-watch-a-parameter-move"),
         ("network", "?preset=adam-vs-sgd-net", "preset-adam-vs-sgd-net")]

FLOOR_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>paint floor</title>
<link rel="icon" href="data:,">
<script src="plotly.min.js" async id="plotly"></script><script type="module" src="floor.js"></script></head>
<body><div id="a" style="width:700px;height:420px"></div><div id="b" style="width:460px;height:420px"></div></body></html>"""

FLOOR_JS = """
// The figure the lab first shows for this link: the landscape with every run it draws
// (a preset's own run and the runs it compares; a surface's run under the link's
// optimizer) and their loss curves.
const q = new URLSearchParams(location.search);
const view = await (await fetch(`${q.get('view')}.json`)).json();
if (!window.Plotly) await new Promise((r) => document.getElementById('plotly').addEventListener('load', r));
const runs = view.runs.filter((r) => view.kind === 'preset' ? r.role !== 'notch'
  : r.role === 'live' && r.spec.optimizer === (q.get('optimizer') || 'sgd')).map((r) => r.run);
// (a surface of more than two weights: its first slice, and each run's path on that plane)
const land = view.landscape || { x: view.slice.alphas, y: view.slice.betas, z: view.slice.loss };
const fig = [land.y ? { type: 'contour', x: land.x, y: land.y, z: land.z, showscale: false }
                    : { type: 'scatter', mode: 'lines', x: land.x, y: land.z }];
for (const run of runs) {
  const path = run.path || run.path_ab;
  fig.push({ type: 'scatter', mode: 'lines+markers', x: path.map((p) => p[0]),
             y: land.y ? path.map((p) => p[1]) : run.loss, marker: { maxdisplayed: 300 } });
}
await Promise.all([
  Plotly.newPlot('a', fig, { margin: { t: 10 } }, { displayModeBar: false }),
  Plotly.newPlot('b', runs.map((run) => ({ type: 'scatter', mode: 'lines', y: run.loss })),
                 { margin: { t: 10 }, yaxis: { type: 'log' } }, { displayModeBar: false }),
]);
document.body.dataset.firstDrawMs = String(Math.round(performance.now()));
"""

RESTYLE = """async (n) => {
  const gd = document.createElement('div');
  gd.style.cssText = 'width:600px;height:400px';
  document.body.append(gd);
  const line = (k) => Array.from({ length: 201 }, (_, i) => Math.sin(i / 20 + k));
  await Plotly.newPlot(gd, [{ y: line(0) }, { y: line(1) }]);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await Plotly.restyle(gd, { y: [line(i), line(i + 1)] }, [0, 1]);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 50));
  }
  gd.remove();
  return times;
}"""


def floor_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="gdlab-floor-"))
    (d / "floor.html").write_text(FLOOR_HTML)
    (d / "floor.js").write_text(FLOOR_JS)
    shutil.copy2(build.DIST / "static/vendor/plotly.min.js", d / "plotly.min.js")
    for _, _, view in LINKS:
        name = view.split("&")[0]
        shutil.copy2(build.DIST / f"static/views/{name}.json", d / f"{name}.json")
    return d


def first_draw(p, url: str, python: bool) -> tuple[float, float]:
    """ms from navigation to the first path on screen, in a new (cold) profile; and, for
    the lab (python=True), to Plotly's figure replacing the sketch (NaN for the floor)."""
    with tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM), args=ARGS)
        page = ctx.new_page()
        page.goto(url)
        deadline = time.monotonic() + 60
        while not page.evaluate("() => document.body.dataset.firstDrawMs") and time.monotonic() < deadline:
            time.sleep(0.01)
        ms = float(page.evaluate("() => document.body.dataset.firstDrawMs"))
        while python and not page.evaluate("() => document.body.dataset.plotlyMs") and time.monotonic() < deadline:
            time.sleep(0.02)
        plotly = float(page.evaluate("() => document.body.dataset.plotlyMs")) if python else float("nan")
        ctx.close()
    return ms, plotly


def pct(times, q):
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * q))]


NEAR = 3   # views.NET_AROUND: the notches a network view precomputes each side of its lr
# SLIDER's timing, with the slider moved only to the notches a network view holds
NEAR_SLIDER = SLIDER.replace("range.value = String(lo + ((i * 37) % Math.max(1, hi - lo)));",
                             "range.value = String(Number(range.dataset.home) + [-3, -2, -1, 1, 2, 3][i % 6]);")


# A network's notch that no view holds trains live: ms from the move to its first 100
# steps in the status line ("training: 100 of ..."), and to the whole run.
STREAM = """async (n) => {
  const range = document.querySelector('input[type=range]');
  const status = document.getElementById('status');
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const times = {};
    const done = new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        const s = status.textContent;
        if (s.includes('training:') && !times.head) times.head = performance.now() - t;
        if (!s.includes('training:') && /^step [1-9]/.test(s) && times.head) {
          times.all = performance.now() - t; mo.disconnect(); resolve();
        }
      });
      mo.observe(status, { subtree: true, childList: true, characterData: true });
      setTimeout(() => { mo.disconnect(); resolve(); }, 30000);
    });
    range.value = String(Number(range.dataset.home) + 8 + 3 * i);
    range.dispatchEvent(new Event('input', { bubbles: true }));
    await done;
    out.push(times);
    await new Promise((r) => setTimeout(r, 2500));   // Python idle again (its slice and boundary)
  }
  return out;
}"""


def slider(page, url: str, n: int = 40, script: str = SLIDER, drawn: int | None = None) -> list[float]:
    page.goto(url)
    wait_ready(page)
    deadline = time.monotonic() + 120
    drawn = drawn or (url.count(";") + 2 if "keep=" in url else 1)
    while page.evaluate("() => document.getElementById('runs').dataset.drawn") != str(drawn):
        if time.monotonic() > deadline:
            raise RuntimeError("runs were not drawn")
        time.sleep(0.1)
    time.sleep(1.0)   # the sweep prefetch of the slider's notches
    page.evaluate("() => { const r = document.querySelector('input[type=range]'); r.dataset.home = r.value; return true; }")
    return page.evaluate(script, n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", choices=["paint", "slider"], help="measure one part")
    args = ap.parse_args()
    if build.needs_build():
        build.build()
    server = build.make_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    floor = build.make_server(0, floor_dir())
    threading.Thread(target=floor.serve_forever, daemon=True).start()
    lab = f"http://127.0.0.1:{server.server_port}/"
    bare = f"http://127.0.0.1:{floor.server_port}/floor.html?view="
    with sync_playwright() as p:
        for name, query, view in LINKS if args.only != "slider" else []:
            floors, labs, plotly = [], [], []
            for _ in range(args.repeats):   # interleaved, so both see the same machine
                floors.append(first_draw(p, f"{bare}{view}", False)[0])
                first, figure = first_draw(p, lab + query, True)
                labs.append(first)
                plotly.append(figure)
            f, l = statistics.median(floors), statistics.median(labs)
            print(f"linked view, cold, {name:12s} first path {l:6.0f} ms / paint floor {f:6.0f} ms = {l / f:.2f}x"
                  f"   (the sketch; Plotly's figure at {statistics.median(plotly):6.0f} ms, after Python)")
        if args.only == "paint":
            return
        browser = p.chromium.launch(executable_path=str(build.CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        base = "?surface=bowl&optimizer=sgd&steps=1000&lr=0.01"
        keep = "&keep=" + ";".join(f"{o},{lr},steps:1000" for o, lr in
                                   [("sgd", 0.02), ("momentum", 0.01), ("adam", 0.05), ("nesterov", 0.005)])
        none, four, floors, short, many, near, stream = [], [], [], [], [], [], []
        for _ in range(args.repeats):
            short += slider(page, lab + "?surface=bowl&optimizer=sgd&steps=200&lr=0.05")
            many += slider(page, lab + "?surface=linreg")     # 4 weights: the path on its slice
            near += slider(page, lab + "?preset=adam-vs-sgd-net", script=NEAR_SLIDER, drawn=4)   # a network's precomputed notches
            stream += slider(page, lab + "?preset=adam-vs-sgd-net", 4, STREAM, drawn=4)
            none += slider(page, lab + base)
            four += slider(page, lab + base + keep)
            page.goto(f"{lab}")
            wait_ready(page)
            while not page.evaluate("() => document.body.dataset.plotlyMs"):   # Plotly runs after Python
                time.sleep(0.05)
            floors += page.evaluate(RESTYLE, 40)
        f95 = pct(floors, 0.95)
        print(f"redraw floor (restyle 2 x 201 points): p50 {pct(floors, 0.5):.1f} ms  p95 {f95:.1f} ms")
        print(f"slider -> redraw, 200-step bowl (sweep + redraw): p50 {pct(short, 0.5):.1f} ms  "
              f"p95 {pct(short, 0.95):.1f} ms  = {pct(short, 0.95) / f95:.2f}x the floor")
        print(f"slider -> redraw, network preset, the {NEAR} notches each side of its lr (precomputed): "
              f"p50 {pct(near, 0.5):.1f} ms  p95 {pct(near, 0.95):.1f} ms  = {pct(near, 0.95) / f95:.2f}x the floor")
        heads = [t["head"] for t in stream if "head" in t]
        alls = [t["all"] for t in stream if "all" in t]
        print(f"slider -> a network notch trained live (300 Adam steps, 2-8-1): first 100 steps drawn at "
              f"median {statistics.median(heads) if heads else float('nan'):.0f} ms (budget 300 ms), the whole run at "
              f"{statistics.median(alls) if alls else float('nan'):.0f} ms; {len(heads)} of {len(stream)} moves streamed")
        print(f"slider -> redraw, d > 2 (linreg, the path projected on its slice): p50 {pct(many, 0.5):.1f} ms  "
              f"p95 {pct(many, 0.95):.1f} ms  = {pct(many, 0.95) / f95:.2f}x the floor")
        for label, t in (("no kept runs", none), ("4 kept runs ", four)):
            print(f"slider -> redraw, 1000-step bowl, {label}: p50 {pct(t, 0.5):.1f} ms  p95 {pct(t, 0.95):.1f} ms"
                  f"  = {pct(t, 0.95) / f95:.2f}x the floor")
        print(f"4 kept runs / no kept runs, p95: {pct(four, 0.95) / pct(none, 0.95):.2f}x")
        browser.close()
    server.shutdown()
    floor.shutdown()


if __name__ == "__main__":
    main()
