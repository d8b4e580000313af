#!/usr/bin/env python3
"""Page budgets, measured in headless Chromium on this machine (not a test):

- first draw of the home view (the sketch; then Plotly's figure) and Python ready, cold
  (empty cache) and warm (second visit);
- the Python floor measured beside it (DESIGN.md, "Budgets"): a bare page whose worker
  only runs loadPyodide({packages: ["numpy"]}) and `import numpy`, cold and warm, twice:
  on the dist's own (shipped) Pyodide files, and on the stock files of the same stack
  (npm's python_stdlib.zip and the numpy wheel as published: .py source, no .pyc);
- four embeds on one course page (examples/four.html) against one: all painted, first
  gdlab:ready; beside it the same course page with bare frames (a canvas drawn at once),
  the browser's own cost of four same-origin documents on one main thread;
- bytes of a cold visit: over the wire (as build.py serves them), and gzip -6 / brotli of
  every response;
- slider input -> redrawn path and loss curve, with live Python (p50 / p95);
- a 64-rate x 500-step learning-rate sweep through the worker.

    python3 build.py && python3 bench/bench_page.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
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
  const { createPython } = await import('./static/python/worker-client.js');
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


FLOOR_HTML = """<!doctype html><meta charset="utf-8"><title>Python floor</title>
<script type="module" src="floor.js"></script>"""
FLOOR_JS = """const worker = new Worker("floor-worker.js", { type: "module" });
worker.onmessage = (e) => {
  document.body.dataset.pythonReadyMs = String(Math.round(performance.now()));
  document.body.dataset.python = e.data;
};"""
FLOOR_WORKER = """const indexURL = new URL("./pyodide/", import.meta.url).href;
const { loadPyodide } = await import(indexURL + "pyodide.mjs");
const pyodide = await loadPyodide({ indexURL, packages: ["numpy"] });
pyodide.runPython("import numpy");
self.postMessage("ready");"""


# The course page's floor: the same four frames, each a bare page that draws a canvas in
# its first animation frame and says gdlab:ready. Frames of one origin share one main
# thread, so even these take longer four at a time; the lab's ratio is read beside theirs.
BARE_HTML = """<!doctype html><meta charset="utf-8"><title>Paint floor</title>
<canvas width="600" height="300"></canvas><script type="module" src="bare.js"></script>"""
BARE_JS = """requestAnimationFrame(() => {
  const g = document.querySelector("canvas").getContext("2d");
  g.fillRect(10, 10, 200, 100);
  document.body.dataset.firstDrawMs = String(performance.now());
  parent.postMessage({ type: "gdlab:ready" }, "*");
});"""


def bare_site(root: Path) -> Path:
    (root / "index.html").write_text(BARE_HTML)
    (root / "bare.js").write_text(BARE_JS)
    return root


def floor_site(root: Path, stock: bool) -> Path:
    """A bare page that boots Pyodide with numpy: on dist/pyodide/ as shipped, or on the
    stock files of the same stack (npm's stdlib zip, the published wheel, their lock)."""
    for name, text in (("index.html", FLOOR_HTML), ("floor.js", FLOOR_JS), ("floor-worker.js", FLOOR_WORKER)):
        (root / name).write_text(text)
    if not stock:
        os.symlink(build.DIST / "pyodide", root / "pyodide")
        return root
    (root / "pyodide").mkdir()
    for name in ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"):
        os.symlink(build.PYODIDE / name, root / "pyodide" / name)
    os.symlink(build.DIST / "pyodide/pyodide.asm.wasm.br", root / "pyodide/pyodide.asm.wasm.br")
    os.symlink(build.NUMPY_WHEEL, root / "pyodide" / build.NUMPY_WHEEL.name)
    lock = json.loads((build.PYODIDE / "pyodide-lock.json").read_text())
    lock["packages"] = {"numpy": dict(lock["packages"]["numpy"], file_name=build.NUMPY_WHEEL.name,
                                      sha256=build.NUMPY_SHA256)}
    (root / "pyodide/pyodide-lock.json").write_text(json.dumps(lock))
    return root


def wait_ready(page, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate("() => document.body.dataset.python") == "ready":
            return
        time.sleep(0.02)
    raise RuntimeError("Python did not become ready")


def visit(context, url, files: bool = False) -> dict:
    page = context.new_page()
    sizes, paths = [], []

    def finished(req):
        sizes.append(req.sizes()["responseBodySize"])
        if req.response() and req.response().status == 200:
            paths.append(req.url.split("?")[0].split("/", 3)[3])
    page.on("requestfinished", finished)
    page.goto(url)
    wait_ready(page)
    deadline = time.monotonic() + 30
    while not page.evaluate("() => document.body.dataset.plotlyMs") and time.monotonic() < deadline:
        time.sleep(0.02)
    marks = page.evaluate("""() => ({first: Number(document.body.dataset.firstDrawMs),
                                     ready: Number(document.body.dataset.pythonReadyMs),
                                     plotly: Number(document.body.dataset.plotlyMs)})""")
    page.close()
    return {**marks, "bytes": sum(s for s in sizes if s > 0), **encoded_sizes(paths, files)}


def encoded_sizes(paths: list[str], files: bool = False) -> dict:
    """gzip -6 (what GitHub Pages sends) and brotli (best of the shipped .br or quality 9)
    of every response of the visit, from the dist files themselves."""
    gz = br = 0
    each = {}
    for path in paths:
        file = build.DIST / (path or "index.html")
        if not file.is_file():
            continue
        data = file.read_bytes()
        packed = file.suffix in build.COMPRESSIBLE
        g = len(gzip.compress(data, 6)) if packed else len(data)
        ready = file.with_name(file.name + ".br")
        b = (ready.stat().st_size if ready.exists() else len(build.brotli.compress(data, quality=9))) if packed else len(data)
        gz, br, each[path] = gz + g, br + b, (g, b)
    return {"gzip": gz, "brotli": br, **({"files": each} if files else {})}


def cold_and_warm(p, url) -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM), args=ARGS)
        cold, warm = visit(ctx, url), visit(ctx, url)
        ctx.close()
    return cold, warm


EMBEDS = """() => {
  const frames = [...document.querySelectorAll('iframe')];
  const ready = frames.map((f) => Number(f.dataset.ready) - performance.timeOrigin);
  return { ready: Math.min(...ready), all: frames.length > 0 && frames.every((f) => f.dataset.ready) };
}"""


def course_page(p, url, n: int) -> dict:
    """Cold visit of a course page with n embeds: the last embed's first draw and the
    first gdlab:ready, in ms since the course page's navigation."""
    with tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM), args=ARGS,
                                                   viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(url + f"&n={n}")
        deadline = time.monotonic() + 120
        while not page.evaluate(EMBEDS)["all"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {n} embeds did not all send gdlab:ready")
            time.sleep(0.05)
        origin = page.evaluate("() => performance.timeOrigin")
        frames = [f for f in page.frames if "&id=" in f.url]
        painted = max(f.evaluate("() => performance.timeOrigin + Number(document.body.dataset.firstDrawMs)")
                      for f in frames) - origin
        out = {"painted": painted, "ready": page.evaluate(EMBEDS)["ready"]}
        ctx.close()
    return out


def serve(directory: Path, csp=None):
    """directory served on 127.0.0.1, every file compressed ahead (the server compresses
    on the first request and keeps the result, as a CDN would; that first request must
    not count in a cold visit)."""
    server = build.make_server(0, directory, csp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix in build.COMPRESSIBLE:
            rel = path.relative_to(directory).as_posix()
            req = urllib.request.Request(url + rel, headers={"Accept-Encoding": "br"})
            urllib.request.urlopen(req).read()
    return server, url


def bytes_only(repeats: int) -> None:
    """Cold visits of the lab only: what each response weighs, and Python ready."""
    server, url = serve(build.DIST, build.CSP)
    rows = []
    with sync_playwright() as p:
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as profile:
                ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM), args=ARGS)
                rows.append(visit(ctx, url, files=True))
                ctx.close()
    for path, (gz, br) in sorted(rows[-1]["files"].items(), key=lambda kv: -kv[1][0]):
        print(f"{gz / 1e3:9.1f} kB gzip  {br / 1e3:9.1f} kB brotli  {path}")
    med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
    print(f"bytes (cold)   {med('gzip') / 1e6:.2f} MB gzip -6 ({med('brotli') / 1e6:.2f} MB brotli), "
          f"median of {repeats} (budget 6.5 MB gzip)")
    print(f"python ready   cold {med('ready'):6.0f} ms (median; each: {', '.join(str(round(r['ready'])) for r in rows)})")
    server.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--bytes-only", action="store_true",
                    help="only cold visits of the lab: bytes (gzip -6 / brotli, file by file) and Python ready")
    args = ap.parse_args()
    if build.needs_build():
        build.build()
    if args.bytes_only:
        return bytes_only(args.repeats)
    server, url = serve(build.DIST, build.CSP)
    plain = build.make_server(0, csp=None)  # the sweep bench imports a module via evaluate
    threading.Thread(target=plain.serve_forever, daemon=True).start()

    floors = tempfile.TemporaryDirectory()
    floor_urls = {}
    for kind in ("shipped", "stock"):
        (Path(floors.name) / kind).mkdir()
        floor_urls[kind] = serve(floor_site(Path(floors.name) / kind, kind == "stock"))[1]
    (Path(floors.name) / "bare").mkdir()
    _, bare = serve(bare_site(Path(floors.name) / "bare"))
    _, host = serve(ROOT / "examples")
    four = f"{host}four.html?lab={url}"
    four_bare = f"{host}four.html?lab={bare}"

    with sync_playwright() as p:
        runs = {"lab": [], "shipped": [], "stock": []}
        embeds = {1: [], 4: []}
        bares = {1: [], 4: []}
        for _ in range(args.repeats):  # side by side, interleaved
            for key, u in (("lab", url), *floor_urls.items()):
                runs[key].append(cold_and_warm(p, u))
            for n in embeds:
                embeds[n].append(course_page(p, four, n))
                bares[n].append(course_page(p, four_bare, n))
        med = lambda rows, k: statistics.median(r[k] for r in rows)  # noqa: E731
        cold, warm = [c for c, _ in runs["lab"]], [w for _, w in runs["lab"]]
        print(f"first draw     cold {med(cold, 'first'):6.0f} ms   warm {med(warm, 'first'):6.0f} ms   (the sketch; "
              f"Plotly's figure: cold {med(cold, 'plotly'):6.0f} ms   warm {med(warm, 'plotly'):6.0f} ms)")
        print(f"python ready   cold {med(cold, 'ready'):6.0f} ms   warm {med(warm, 'ready'):6.0f} ms")
        for key, what in (("shipped", "on the shipped files"), ("stock", "on the stock files")):
            fc = med([c for c, _ in runs[key]], "ready")
            fw = med([w for _, w in runs[key]], "ready")
            print(f"python floor {what:21s} cold {fc:6.0f} ms   warm {fw:6.0f} ms   ->  lab ready / floor: "
                  f"cold {med(cold, 'ready') / fc:.2f}x (budget 1.0x)   warm {med(warm, 'ready') / fc:.2f}x "
                  f"(of the cold floor, budget 0.5x; {med(warm, 'ready') / fw:.2f}x of the warm floor)")
        one, all4 = embeds[1], embeds[4]
        print(f"four embeds    all painted {med(all4, 'painted'):6.0f} ms / one embed {med(one, 'painted'):6.0f} ms"
              f" = {med(all4, 'painted') / med(one, 'painted'):.2f}x (budget 1.5x);   first gdlab:ready "
              f"{med(all4, 'ready'):6.0f} ms / one embed {med(one, 'ready'):6.0f} ms = "
              f"{med(all4, 'ready') / med(one, 'ready'):.2f}x (budget 1.3x)")
        b1, b4 = med(bares[1], "painted"), med(bares[4], "painted")
        print(f"paint floor    four bare frames {b4:6.0f} ms / one {b1:6.0f} ms = {b4 / b1:.2f}x  (the same course "
              f"page, each frame a canvas drawn at once); the lab's four-embed ratio is "
              f"{med(all4, 'painted') / med(one, 'painted') / (b4 / b1):.2f}x of this floor's")
        print(f"bytes (cold)   {med(cold, 'gzip') / 1e6:.2f} MB gzip -6 ({med(cold, 'brotli') / 1e6:.2f} MB brotli) "
              f"of every response (budget 6.5 MB gzip); {med(cold, 'bytes') / 1e6:.2f} MB over the wire "
              f"here; warm visit {med(warm, 'bytes') / 1e6:.2f} MB")

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
    floors.cleanup()


if __name__ == "__main__":
    main()
