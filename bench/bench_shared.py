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
- ready: the last gdlab:ready, in ms since the course page's navigation.
Then the ratios of the issue's budgets: (mem N - mem none) / (mem one - mem none)
(budget <= 1.5 for four) and all-N ready / one's (budget <= 1.2 for four).

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
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


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
        ctx.close()
    return {"mem": mem, "gc": gc, "ready": ready}


def visit_firefox(url: str, n: int) -> dict:
    import driver as drivers
    browser = drivers.FirefoxBrowser()
    try:
        tab = drivers.BidiDriver(browser, viewport=VIEWPORT)
        tab.goto(url)
        ready = wait_all(tab.js, n)
        time.sleep(SETTLE_S)
        mem = pss_mb(tree(browser.proc.pid))
    finally:
        browser.quit()
    return {"mem": mem, "gc": float("nan"), "ready": ready}


def report(engine: str, rows: dict) -> None:
    # no embed is the same page either way: its visits of both runs make one baseline
    none = rows[(True, 0)] + rows[(False, 0)]
    rows = {**rows, (True, 0): none, (False, 0): none}
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("mem", "gc", "ready")} for k, v in rows.items()}
    for shared in (True, False):
        name = "shared Python" if shared else "?shared=0 (a worker each)"
        m = {n: med[(shared, n)] for n in COUNTS}
        base = m[1]["mem"] - m[0]["mem"]
        print(f"{engine:8s} {name:27s} memory (PSS) " + "  ".join(f"{n}: {m[n]['mem']:6.0f} MB" for n in COUNTS))
        if m[1]["gc"] == m[1]["gc"]:   # not NaN: measured after a collection too
            print(f"{engine:8s} {'':27s} after a GC   " + "  ".join(f"{n}: {m[n]['gc']:6.0f} MB" for n in COUNTS)
                  + "   ratio four " + f"{(m[4]['gc'] - m[0]['gc']) / (m[1]['gc'] - m[0]['gc']):.2f}"
                  + ", eight " + f"{(m[8]['gc'] - m[0]['gc']) / (m[1]['gc'] - m[0]['gc']):.2f}")
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
    args = ap.parse_args()
    if build.needs_build():
        build.build()
    server, lab = serve(build.DIST, build.CSP)
    _, host = serve(ROOT / "examples")
    urls = {shared: f"{host}four.html?lab={quote(lab if shared else lab + '?shared=0')}" for shared in (True, False)}
    engines = args.engines.split(",")
    rows = {e: {(s, n): [] for s in (True, False) for n in COUNTS} for e in engines}
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        for _ in range(args.repeats):   # side by side, interleaved
            for n in COUNTS:
                for shared in (True, False):
                    for engine in engines:
                        url = urls[shared] + f"&n={n}"
                        row = visit_chromium(p, url, n) if engine == "chromium" else visit_firefox(url, n)
                        rows[engine][(shared, n)].append(row)
                        print(f"  {engine} {'shared' if shared else 'dedicated'} n={n}: {row['mem']:.0f} MB"
                              f" ({row['gc']:.0f} MB after a GC), ready {row['ready']:.0f} ms", flush=True)
    for engine in engines:
        report(engine, rows[engine])
    server.shutdown()


if __name__ == "__main__":
    main()
