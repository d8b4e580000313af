#!/usr/bin/env python3
"""A course page of many labs (examples/four.html?n=N), not a test: what it costs with
the embeds sharing one Python (a SharedWorker) and, side by side, with `?shared=0` (each
embed boots its own dedicated worker, one at a time: the lab before issue 20).

For 0, 1, 4 and 8 embeds, each a cold visit in a fresh browser profile:
- memory: the PSS of all the browser's processes (the browser started for the visit
  and its descendants, from /proc/PID/smaps_rollup), once every embed has sent
  gdlab:ready and a few seconds have passed for its figures to draw; in Chromium also
  after a garbage collection of the page's renderer (CDP HeapProfiler.collectGarbage:
  what is left once the answers' transient arrays are collected);
- ready: the last gdlab:ready, in ms since the course page's navigation;
- used: the memory again once the pointer has passed over every embed (a learner coming
  to each lab), which starts Plotly in each (an embed untouched keeps its sketch: the same
  figure, no hover), Plotly has drawn in all of them (Chromium: every frame's
  body[data-plotly-ms]; Firefox, whose frames the course page cannot read: USED_WAIT_S)
  and SETTLE_S have passed.
Then the ratios of the issue's budgets: (mem N - mem none) / (mem one - mem none)
(budget <= 1.5 for four) and all-N ready / one's (budget <= 1.2 for four).

One embed alone keeps its figures (budget: within 1.1x of the lab before the shared Python,
which is `?shared=0`): in Chromium, the course page with one embed, shared and `?shared=0`
interleaved, each a cold visit: its first paint and its gdlab:ready (ms since the course
page's navigation) and the slider's answers: SLIDER_MOVES moves to notches not yet run
(an untouched embed has no sweep, so each is a run in Python), each timed from the input
event in the frame to the gdlab:result at the new lr on the course page (both on the epoch
clock).

Chromium (Playwright, Debian's chromium) and Firefox ESR (WebDriver BiDi, the driver of
tests/engines/).

    python3 build.py && python3 bench/bench_shared.py [--repeats 1] [--engines chromium,firefox]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests/engines"))
sys.path.insert(0, str(ROOT / "bench"))

import build  # noqa: E402
from bench_page import ARGS, serve  # noqa: E402

COUNTS = (0, 1, 4, 8)
VIEWPORT = (1280, 2000)   # eight 400 px frames, two a row, all in view (an embed out of view waits)
SETTLE_S = 5.0   # after the last gdlab:ready: Plotly's figures and the labs' first background calls
SLIDER_MOVES = 12
USED_WAIT_S = 8.0   # Firefox: after the pointer passed over every embed, for Plotly to start and draw

FRAMES = """() => JSON.stringify([...document.querySelectorAll('iframe')].map((f) => {
  const r = f.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 3];
}))"""

READY = """() => {
  const frames = [...document.querySelectorAll('iframe')];
  const done = document.readyState === 'complete' && frames.every((f) => f.dataset.ready);
  const last = Math.max(0, ...frames.map((f) => Number(f.dataset.ready) - performance.timeOrigin));
  return JSON.stringify({ done, last, n: frames.length });
}"""


def _ppid(pid: str) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[1]


def tree(root: int) -> list[str]:
    """root and its descendants."""
    parents = {pid: _ppid(pid) for pid in (p.name for p in Path("/proc").iterdir() if p.name.isdigit())}
    found, todo = [], [str(root)]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return found


def pss_mb(pids: list[str]) -> float:
    """The PSS of these processes, in MB, and its part other programs cannot change (see PRIVATE)."""
    total = private = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                key, value = line.split()[:2]
                if key == "Pss:":
                    total += int(value)
                elif key in ("Pss_Anon:", "Pss_Shmem:"):
                    private += int(value)
        except (OSError, ValueError):
            pass
    return Measure(total / 1024, private / 1024)


class Measure(float):
    """PSS in MB, with `.private`: its anonymous and shared-memory part. A file page's PSS is
    divided among every process that maps it, so the browser's own binary counts less while
    another browser runs on the machine (other benches): on this shared machine the same visit
    measured 296 and 506 MB. The private part is the browser's heap, its renderers' and
    workers' memory, shared only among its own processes: that is what the embeds add."""

    def __new__(cls, total: float, private: float):
        m = super().__new__(cls, total)
        m.private = private
        return m


def chromium_root(profile: str) -> int:
    """The browser process of the persistent context started on `profile`."""
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"--user-data-dir={profile}".encode() in cmd and not any(a.startswith(b"--type=") for a in cmd):
            return int(p.name)
    raise RuntimeError("the browser process was not found")


def wait_all(js, n: int, timeout: float = 240.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json.loads(js(READY))
        if state["done"] and state["n"] == n:
            return state["last"]
        time.sleep(0.05)
    raise RuntimeError(f"the {n} embeds did not all send gdlab:ready")


def hover_all(js, pointer) -> None:
    """The pointer passes over every embed, one after the other (a learner coming to each)."""
    for x, y in json.loads(js(FRAMES)):
        pointer([("move", x, y), ("pause", 50), ("move", x + 5, y + 5)])
    pointer([("move", 2, 2)])


def visit_chromium(p, url: str, n: int) -> dict:
    with tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM), args=ARGS,
                                                   viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]})
        page = ctx.new_page()
        page.goto(url)
        ready = wait_all(page.evaluate, n)
        time.sleep(SETTLE_S)
        mem = pss_mb(tree(chromium_root(profile)))
        ctx.new_cdp_session(page).send("HeapProfiler.collectGarbage")
        time.sleep(2)
        gc = pss_mb(tree(chromium_root(profile)))

        def pointer(steps):
            for step in steps:
                if step[0] == "move":
                    page.mouse.move(step[1], step[2], steps=2)
                else:
                    time.sleep(step[1] / 1000)
        hover_all(page.evaluate, pointer)
        labs = [f for f in page.frames if "embed=1" in f.url]
        deadline = time.monotonic() + 60
        while not all(f.evaluate("() => document.body.dataset.plotlyMs || ''") for f in labs):
            if time.monotonic() > deadline:
                raise RuntimeError("Plotly did not draw in every embed the pointer passed over")
            time.sleep(0.1)
        time.sleep(SETTLE_S)
        used = pss_mb(tree(chromium_root(profile)))
        ctx.close()
    return {"mem": mem, "gc": gc, "ready": ready, "used": used, "mem_private": mem.private,
            "used_private": used.private}


def visit_firefox(url: str, n: int) -> dict:
    import driver as drivers
    browser = drivers.FirefoxBrowser()
    try:
        tab = drivers.BidiDriver(browser, viewport=VIEWPORT)
        tab.goto(url)
        ready = wait_all(tab.js, n)
        time.sleep(SETTLE_S)
        mem = pss_mb(tree(browser.proc.pid))
        hover_all(tab.js, tab.pointer)
        time.sleep(USED_WAIT_S + SETTLE_S)
        used = pss_mb(tree(browser.proc.pid))
    finally:
        browser.quit()
    return {"mem": mem, "gc": float("nan"), "ready": ready, "used": used, "mem_private": mem.private,
            "used_private": used.private}


LISTEN = """() => { window.__results = [];
  if (!window.__listening) { window.__listening = true;
    window.addEventListener('message', (e) => { if (e.data && e.data.type === 'gdlab:result')
      window.__results.push([performance.timeOrigin + performance.now(), e.data.lr]); }); }
  return true; }"""
MOVE = """() => { const range = document.getElementById('lr-range');
  range.value = String(Math.max(Number(range.min), Number(range.value) - 1));
  const t = performance.timeOrigin + performance.now();
  range.dispatchEvent(new Event('input', { bubbles: true }));
  return [t, Number(document.getElementById('lr-value').value)]; }"""


def one_embed(p, url: str) -> dict:
    """One embed alone (a cold visit): its first paint, its gdlab:ready and its slider's answers."""
    with tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=str(build.CHROMIUM), args=ARGS,
                                                   viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(url)
        ready = wait_all(page.evaluate, 1)
        origin = page.evaluate("() => performance.timeOrigin")
        frame = next(f for f in page.frames if "embed=1" in f.url)
        painted = frame.evaluate("() => performance.timeOrigin + Number(document.body.dataset.firstDrawMs)") - origin
        time.sleep(2)   # past the lab's first calls
        answers = []
        for _ in range(SLIDER_MOVES):
            page.evaluate(LISTEN)
            t, lr = frame.evaluate(MOVE)
            deadline = time.monotonic() + 30
            while True:
                got = [at for at, x in page.evaluate("() => window.__results") if abs(x / lr - 1) < 1e-6]
                if got:
                    answers.append(got[0] - t)
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no gdlab:result at lr {lr}")
                time.sleep(0.01)
            time.sleep(0.3)
        ctx.close()
    answers.sort()
    return {"painted": painted, "ready": ready, "slider": statistics.median(answers),
            "slider95": answers[min(len(answers) - 1, int(0.95 * len(answers)))]}


def report_one(rows: dict) -> None:
    med = {s: {k: statistics.median(r[k] for r in v) for k in ("painted", "ready", "slider", "slider95")}
           for s, v in rows.items()}
    for key, label in (("painted", "first paint"), ("ready", "gdlab:ready"), ("slider", "slider answer, median"),
                       ("slider95", "slider answer, p95")):
        a, b = med[True][key], med[False][key]
        print(f"chromium one embed alone  {label:22s} shared {a:6.0f} ms   ?shared=0 {b:6.0f} ms   = {a / b:.2f}x (budget 1.1x)")


def report(engine: str, rows: dict) -> None:
    # no embed is the same page either way: its visits of both runs make one baseline
    none = rows[(True, 0)] + rows[(False, 0)]
    rows = {**rows, (True, 0): none, (False, 0): none}
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("mem", "gc", "ready", "used", "mem_private", "used_private")} for k, v in rows.items()}
    for shared in (True, False):
        name = "shared Python" if shared else "?shared=0 (a worker each)"
        m = {n: med[(shared, n)] for n in COUNTS}
        base = m[1]["mem"] - m[0]["mem"]
        print(f"{engine:8s} {name:27s} memory (PSS) " + "  ".join(f"{n}: {m[n]['mem']:6.0f} MB" for n in COUNTS))
        if m[1]["gc"] == m[1]["gc"]:   # not NaN: measured after a collection too
            print(f"{engine:8s} {'':27s} after a GC   " + "  ".join(f"{n}: {m[n]['gc']:6.0f} MB" for n in COUNTS)
                  + "   ratio four " + f"{(m[4]['gc'] - m[0]['gc']) / (m[1]['gc'] - m[0]['gc']):.2f}"
                  + ", eight " + f"{(m[8]['gc'] - m[0]['gc']) / (m[1]['gc'] - m[0]['gc']):.2f}")
        print(f"{engine:8s} {'':27s} used (pointer over each) " + "  ".join(f"{n}: {m[n]['used']:6.0f} MB" for n in COUNTS)
              + "   ratio four " + f"{(m[4]['used'] - m[0]['used']) / (m[1]['used'] - m[0]['used']):.2f}"
              + ", eight " + f"{(m[8]['used'] - m[0]['used']) / (m[1]['used'] - m[0]['used']):.2f}")
        for key, label in (("mem_private", "private part "), ("used_private", "private, used")):
            print(f"{engine:8s} {'':27s} {label} " + "  ".join(f"{n}: {m[n][key]:6.0f} MB" for n in COUNTS)
                  + "   ratio four " + f"{(m[4][key] - m[0][key]) / (m[1][key] - m[0][key]):.2f}"
                  + ", eight " + f"{(m[8][key] - m[0][key]) / (m[1][key] - m[0][key]):.2f}")
        print(f"{engine:8s} {'':27s} ready (last gdlab:ready) " + "  ".join(f"{n}: {m[n]['ready']:6.0f} ms" for n in COUNTS[1:]))
        for n in (4, 8):
            print(f"{engine:8s} {'':27s} {n} embeds: (mem {n} - mem none) / (mem one - mem none) = "
                  f"{(m[n]['mem'] - m[0]['mem']) / base:.2f}" + (" (budget 1.5)" if n == 4 else "")
                  + f";  all {n} ready / one's = {m[n]['ready'] / m[1]['ready']:.2f}x"
                  + (" (budget 1.2x)" if n == 4 else ""))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--engines", default="chromium,firefox")
    ap.add_argument("--only", choices=["memory", "one"], help="only the memory and ready figures, or only one embed's")
    args = ap.parse_args()
    if build.needs_build():
        build.build()
    server, lab = serve(build.DIST, build.CSP)
    _, host = serve(ROOT / "examples")
    urls = {shared: f"{host}four.html?lab={quote(lab if shared else lab + '?shared=0')}" for shared in (True, False)}
    engines = args.engines.split(",")
    rows = {e: {(s, n): [] for s in (True, False) for n in COUNTS} for e in engines}
    from playwright.sync_api import sync_playwright
    alone = {True: [], False: []}
    with sync_playwright() as p:
        for _ in range(args.repeats):   # side by side, interleaved
            if args.only != "memory" and "chromium" in engines:
                for shared in (True, False):
                    row = one_embed(p, urls[shared] + "&n=1")
                    alone[shared].append(row)
                    print(f"  chromium {'shared' if shared else 'dedicated'} one embed alone: painted {row['painted']:.0f} ms,"
                          f" ready {row['ready']:.0f} ms, slider answers median {row['slider']:.0f} ms,"
                          f" p95 {row['slider95']:.0f} ms", flush=True)
            if args.only == "one":
                continue
            for n in COUNTS:
                for shared in (True, False):
                    for engine in engines:
                        url = urls[shared] + f"&n={n}"
                        row = visit_chromium(p, url, n) if engine == "chromium" else visit_firefox(url, n)
                        rows[engine][(shared, n)].append(row)
                        print(f"  {engine} {'shared' if shared else 'dedicated'} n={n}: {row['mem']:.0f} MB"
                              f" ({row['gc']:.0f} MB after a GC, {row['used']:.0f} MB used; private {row['mem_private']:.0f},"
                              f" used {row['used_private']:.0f} MB), ready {row['ready']:.0f} ms",
                              flush=True)
    if args.only != "one":
        for engine in engines:
            report(engine, rows[engine])
    if alone[True]:
        report_one(alone)
    server.shutdown()


if __name__ == "__main__":
    main()
