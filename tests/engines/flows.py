"""The lab's core flows (issue 17), written once against driver.Driver.

Each flow takes a driver and the served lab's URL (and, for the embed, the host's) and
checks what a learner sees: the page's own states (body[data-python], data-first-draw-ms,
the status line, the URL, the output under the editor) and the plotted path, against
closed forms where there is one. test_flows.py runs them in every engine,
test_slow.py some of them under 4x CPU throttling, test_touch.py on a phone.

The programs typed into the editor are typed key by key (as a learner would, in every
engine), so they avoid what the editor would add to typed text: no line ends in ":"
(CodeMirror indents the next line) and no line is indented; brackets and quotes are
auto-closed and typed over, which leaves the text as typed.
"""

from __future__ import annotations

import csv
import io
import math
import re
import time

from .driver import Driver

READY_S = 120.0   # Python's start, WebKit on a busy 2-core machine included
STATUS_RE = re.compile(r"^step (\d+) · (?:w (\S+) · )?loss (\S+) · "
                       r"(converged|oscillating|crawling|diverged at step \d+|diverged)$")

READ_PATH = """(region) => {
  const gd = document.getElementById(region);
  const t = gd && (gd.data || []).find((d) => d.name === 'path');
  return t ? { x: Array.from(t.x || []), y: Array.from(t.y || []) } : null;
}"""
DATA_TO_CLIENT = """(p) => {
  const gd = document.getElementById('landscape');
  const fl = gd._fullLayout;
  const box = gd.querySelector('.main-svg').getBoundingClientRect();
  return [box.left + fl.xaxis._offset + fl.xaxis.l2p(p[0]), box.top + fl.yaxis._offset + fl.yaxis.l2p(p[1])];
}"""
STATE = """() => ({ python: document.body.dataset.python || '', plotly: document.body.dataset.plotlyMs || '',
  firstDraw: document.body.dataset.firstDrawMs || '', pythonState: (document.getElementById('python-state') || {}).textContent || '' })"""
SCROLL_TOP = "() => { scrollTo(0, 0); return true; }"


# --- reading the page -------------------------------------------------------------------

def wait_ready(lab: Driver, timeout: float = READY_S) -> None:
    """Python ready, then Plotly's figure (the page fetches Plotly once Python is ready)."""
    def python():
        s = lab.js(STATE)
        assert s["python"] != "failed", f"[{lab.name}] Python failed to start: {s['pythonState']}"
        return s["python"] == "ready"
    lab.wait_until(python, timeout, "body[data-python=ready]")
    lab.wait_until(lambda: lab.js(STATE)["plotly"], 30, "Plotly's figure (body[data-plotly-ms])")


def open_lab(lab: Driver, url: str) -> None:
    lab.goto(url)
    wait_ready(lab)


def status(lab: Driver) -> str:
    return (lab.text("[role=status]") or "").strip()


def wait_status(lab: Driver, timeout: float = 30.0, unlike: str | None = None):
    """A status line with a run's numbers (and other than `unlike`)."""
    return lab.wait_until(lambda: (m := STATUS_RE.match(status(lab))) and status(lab) != unlike and m,
                          timeout, "a status line" + (f" other than {unlike!r}" if unlike else ""))


def path(lab: Driver, region: str = "landscape"):
    return lab.js(READ_PATH, region)


def value(lab: Driver, css: str) -> str:
    return lab.prop("value", css=css)


def lr_value(lab: Driver) -> float:
    return float(value(lab, "#lr-value"))


def output(lab: Driver) -> str:
    return lab.text("#code-pane [role=log]") or ""


def search(lab: Driver) -> str:
    return lab.js("() => location.search")


def parabola_path(lr, w0, steps):
    return [3 + (1 - 2 * lr) ** t * (w0 - 3) for t in range(steps + 1)]


def close(a, b, rel=1e-7):
    return a is not None and len(a) == len(b) and all(math.isclose(x, y, rel_tol=rel, abs_tol=rel) for x, y in zip(a, b))


def wait_parabola(lab: Driver, lr: float, w0: float, steps: int, timeout: float = 60.0) -> None:
    """The drawn path is gradient descent's closed form on (w - 3)^2 at this lr."""
    want = parabola_path(lr, w0, steps)
    try:
        lab.wait_until(lambda: close((path(lab) or {}).get("x"), want), timeout, f"the lr = {lr} path")
    except AssertionError as exc:
        drawn = (path(lab) or {}).get("x") or []
        raise AssertionError(f"{exc}; drawn {drawn[:3]}... ({len(drawn)} points) against {want[:3]}..., "
                             f"lr field {value(lab, '#lr-value')}, status {status(lab)!r}") from None


# --- the code pane ----------------------------------------------------------------------

def code_text(lab: Driver) -> str:
    return lab.js("() => Array.from(document.querySelectorAll('#code-pane .cm-line'), (l) => l.textContent).join('\\n')")


def type_program(lab: Driver, program: str) -> None:
    """Replace the editor's text by typing `program` (focus in the editor already)."""
    lab.press("Control+a", "Delete")
    lab.wait_until(lambda: code_text(lab).strip() == "", 5, "the editor to be empty")
    lab.type(program)
    try:
        lab.wait_until(lambda: code_text(lab).strip() == program.strip(), 10, "the typed program")
    except AssertionError:
        raise AssertionError(f"[{lab.name}] typed {program!r}, the editor holds {code_text(lab)!r}") from None


def put_program(lab: Driver, program: str) -> None:
    lab.click(css="#code-pane .cm-content")
    type_program(lab, program)


NP_RANDOM = ("import numpy as np\n"
             "rng = np.random.default_rng(0)\n"
             "def loss(w): return (w[0] - 3) ** 2\n"
             "start = [-5.0]\n"
             "print('sample', rng.normal(size=3).round(3).tolist())\n")
NP_RANDOM_OUT = "sample [0.126, -0.132, 0.64]"   # numpy's PCG64 with seed 0, the same everywhere
RUNAWAY = "def loss(w): return (w[0] - 3) ** 2\nstart = [-5.0]\nwhile True: pass\n"


# --- the flows --------------------------------------------------------------------------

def cold_first_draw_and_ready(lab: Driver, lab_url: str) -> None:
    """A first visit: the picture (sketch or Plotly) and a status before Python, then Python."""
    lab.goto(lab_url)
    lab.wait_until(lambda: lab.js(STATE)["firstDraw"], 30, "the first draw (body[data-first-draw-ms])")
    wait_status(lab, 30)
    wait_ready(lab)
    p = lab.wait_until(lambda: path(lab), 20, "Plotly's path trace")
    assert len(p["x"]) >= 2
    wait_status(lab)


def slider_move_redraws(lab: Driver, lab_url: str) -> None:
    """A pointer drag on the Learning rate slider: the lr, the path and the status follow."""
    open_lab(lab, lab_url + "?surface=parabola&optimizer=sgd&lr=0.1&steps=40&start=-5")
    wait_parabola(lab, 0.1, -5, 40)
    before = wait_status(lab).group(0)
    box = lab.locate("slider", "Learning rate")
    x0, y = box["x"], box["y"]
    lab.drag(x0, y, x0 - box["w"] * 0.2, y)
    lr = lab.wait_until(lambda: lr_value(lab) != 0.1 and lr_value(lab), 10, "the lr to follow the slider")
    assert lr < 0.1
    lab.wait_until(lambda: lab.prop("aria-valuetext", "slider", "Learning rate").split(" — ")[0] == value(lab, "#lr-value"),
                   5, "the slider's aria-valuetext to name the lr")
    wait_parabola(lab, lr_value(lab), -5, 40)
    wait_status(lab, unlike=before)


def wait_adam_first_step(lab: Driver, lr: float) -> None:
    """Adam's first step on the bowl moves each coordinate by lr·sign(g): (3, 2) -> (3 - lr, 2 - lr)."""
    lab.wait_until(lambda: (p := path(lab)) and len(p["x"]) > 1 and math.isclose(p["x"][1], 3 - lr, abs_tol=1e-9)
                   and math.isclose(p["y"][1], 2 - lr, abs_tol=1e-9), 30, f"Adam's first step at lr {lr}")


def switch_optimizer(lab: Driver, lab_url: str) -> None:
    """The Optimizer select, by keyboard as every engine's select takes it: adam draws Adam."""
    open_lab(lab, lab_url + "?surface=bowl&optimizer=sgd&lr=0.05&steps=30")
    wait_status(lab)
    assert lab.focus("combobox", "Optimizer")
    lab.wait_until(lambda: lab.active_name() == "Optimizer", 5, "focus on the Optimizer select")
    names = lab.js("() => Array.from(document.getElementById('optimizer').options, (o) => o.value)")
    for _ in range(names.index("adam") - names.index("sgd")):
        lab.press("ArrowDown")
    lab.wait_until(lambda: value(lab, "#optimizer") == "adam", 5, "adam in the select")
    lab.wait_until(lambda: "optimizer=adam" in search(lab), 10, "optimizer=adam in the URL")
    wait_adam_first_step(lab, 0.05)
    assert lab.locate("textbox", "beta1"), "Adam's beta1 field"


def click_sets_start(lab: Driver, lab_url: str) -> None:
    """A click on the landscape's contour sets the start: the URL's start= follows."""
    open_lab(lab, lab_url + "?surface=bowl&optimizer=sgd&lr=0.1&steps=30")
    wait_status(lab)
    before = search(lab)
    lab.js("() => { document.querySelector('[aria-label=\"Loss landscape\"]').scrollIntoView({block: 'center'}); return true; }")
    x, y = lab.js(DATA_TO_CLIENT, [1.0, -1.0])
    lab.click_at(x, y)
    m = lab.wait_until(lambda: re.search(r"start=([-\d.e]+)(?:,|%2C)([-\d.e]+)", search(lab)), 10, "start= in the URL")
    assert search(lab) != before
    s0, s1 = float(m.group(1)), float(m.group(2))
    assert abs(s0 - 1.0) < 0.1 and abs(s1 + 1.0) < 0.1, (s0, s1)
    # GD on w0^2 + 4 w1^2 at lr 0.1: w0 *= 0.8 and w1 *= 0.2 each step
    lab.wait_until(lambda: (p := path(lab)) and close(p["x"], [s0 * 0.8 ** t for t in range(31)], 1e-3)
                   and close(p["y"], [s1 * 0.2 ** t for t in range(31)], 1e-3), 20, "the path from the clicked start")


def run_code_np_random(lab: Driver, lab_url: str, timeout: float = 60.0) -> None:
    """Run code with np.random on the home view: it finishes and shows its output (the
    first np.random fetches and loads a lazy archive; that is not the learner's time)."""
    open_lab(lab, lab_url)
    put_program(lab, NP_RANDOM)
    lab.click("button", "Run code")
    lab.wait_until(lambda: NP_RANDOM_OUT in output(lab) or "Stopped" in output(lab), timeout,
                   "the program to finish")
    assert NP_RANDOM_OUT in output(lab), f"[{lab.name}] the np.random program did not finish: {output(lab)!r}"


def runaway_stopped(lab: Driver, lab_url: str) -> None:
    """`while True: pass` runs until Stop; Stop ends it at once and the code is kept."""
    lab.expect_errors("Python was restarted")
    open_lab(lab, lab_url)
    put_program(lab, RUNAWAY)
    lab.click("button", "Run code")
    box = lab.wait_until(lambda: (b := lab.locate("button", "Stop")) and not b["disabled"] and b, 10,
                         "Stop to be enabled")
    t0 = time.monotonic()
    lab.click_at(box["x"], box["y"])
    lab.wait_until(lambda: "Stopped" in output(lab), 5, "Stop to stop the program")
    took = time.monotonic() - t0
    assert took < 2.0, f"[{lab.name}] Stop took {took:.2f} s"
    assert "while True: pass" in code_text(lab)
    wait_ready(lab, 60)
    put_program(lab, "def loss(w): return (w[0] - 1) ** 2\nstart = [4.0]\nlr = 0.25\nsteps = 10\nprint('again')\n")
    lab.click("button", "Run code")
    # the lab works again once the new worker has booted (body[data-python] stays "ready"
    # across a restart, so the wait above does not wait for it): a whole start, up to
    # READY_S (WebKit at load 15-17 on 2 cores took more than 30 s for boot and program)
    lab.wait_until(lambda: "again" in output(lab), READY_S, "the next program to run")


def preset_check(lab: Driver, lab_url: str) -> None:
    """An exercise preset's Check compares the learner's code with the lab's optimizer."""
    open_lab(lab, lab_url + "?preset=momentum-by-hand")
    lab.click("button", "Check", timeout=30)
    lab.wait_until(lambda: "step" in (lab.text(".check-result") or ""), 30, "the check result")
    assert "Parts ways with the lab's momentum at step 2" in lab.text(".check-result")


def share_round_trip(lab: Driver, lab_url: str) -> None:
    """Share gives the link of what is on screen; opening it shows the same view."""
    open_lab(lab, lab_url + "?surface=bowl&optimizer=adam&lr=0.05&steps=60")
    wait_status(lab)
    lab.focus("textbox", "Learning rate value")
    lab.press("Control+a")
    lab.type("0.02\n")
    lab.wait_until(lambda: "lr=0.02" in search(lab), 10, "lr=0.02 in the URL")
    wait_adam_first_step(lab, 0.02)
    seen = wait_status(lab).group(0)
    lab.click("button", "Share")
    lab.wait_until(lambda: (lab.text(".share-said") or "") in ("Link copied", "Copy the link below"), 10, "Share to answer")
    link = lab.prop("value", "textbox", "Link to this view")
    assert link.startswith(lab_url) and "lr=0.02" in link and "optimizer=adam" in link, link
    lab.goto("about:blank")
    open_lab(lab, link)
    assert value(lab, "#surface") == "bowl" and value(lab, "#optimizer") == "adam"
    assert value(lab, "#lr-value") == "0.02" and value(lab, "#steps") == "60"
    wait_adam_first_step(lab, 0.02)
    lab.wait_until(lambda: status(lab) == seen, 30, f"the shared view's status {seen!r}")


EMBED_FIRST_SCREEN = """() => {
  const inView = (el) => { if (!el) return false; const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1; };
  const se = document.scrollingElement;
  return { landscape: inView(document.querySelector('[aria-label="Loss landscape"]')),
           curve: inView(document.querySelector('[aria-label="Loss curve"]')),
           slider: inView(document.getElementById('lr-range')), status: inView(document.querySelector('[role=status]')),
           play: inView(document.getElementById('play')), sideways: se.scrollWidth - se.clientWidth,
           size: [innerWidth, innerHeight] };
}"""


def embed_first_screen(lab: Driver, lab_url: str, shot=None) -> None:
    """?embed=1 at the README's 800 x 560: the plots, the slider, the status and Play on
    the first screen, nothing sideways."""
    lab.set_viewport(800, 560)
    open_lab(lab, lab_url + "?embed=1&preset=watch-a-parameter-move")
    wait_status(lab)
    lab.js(SCROLL_TOP)
    seen = lab.js(EMBED_FIRST_SCREEN)
    assert seen["size"] == [800, 560], seen
    assert all(seen[k] for k in ("landscape", "curve", "slider", "status", "play")) and seen["sideways"] <= 0, seen
    if shot:
        lab.screenshot(shot)


def host_drives_embed(lab: Driver, lab_url: str, host_url: str) -> None:
    """A course page on another origin with the lab at 800 x 560: it hears gdlab:ready and
    gdlab:result, and a gdlab:set with an lr makes the lab rerun at that lr."""
    lab.goto(f"{host_url}embed.html?lab={lab_url}&query=preset%3Dwatch-a-parameter-move")
    heard = lambda kind: [m for m in lab.js("() => window.heard") if isinstance(m, dict) and m.get("type") == kind]
    lab.wait_until(lambda: heard("gdlab:ready") and heard("gdlab:result"), READY_S, "gdlab:ready and a gdlab:result")
    lab.js("() => { send({ type: 'gdlab:set', lr: 1.1 }); return true; }")
    res = lab.wait_until(lambda: next((m for m in heard("gdlab:result") if m.get("lr") == 1.1), None), 30,
                         "a gdlab:result at lr 1.1")
    assert res["status"] == "diverged", res


def download_csv(lab: Driver, lab_url: str) -> None:
    """Download CSV saves the drawn run per step: run, step, w0, w1, loss, lr."""
    open_lab(lab, lab_url + "?surface=bowl&optimizer=sgd&lr=0.1&steps=20")
    wait_status(lab)
    box = lab.wait_until(lambda: (b := lab.locate("button", "Download CSV")) and not b["disabled"] and b, 10,
                         "Download CSV")
    name, data = lab.expect_download(lambda: lab.click_at(box["x"], box["y"]))
    assert name.endswith(".csv"), name
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert list(rows[0]) == ["run", "step", "w0", "w1", "loss", "lr"], list(rows[0])
    live = [r for r in rows if r["run"] == rows[0]["run"]]
    assert [int(r["step"]) for r in live] == list(range(21))
    # GD on w0^2 + 4 w1^2 from (3, 2) at lr 0.1: w0 = 3 * 0.8^t
    assert all(math.isclose(float(r["w0"]), 3 * 0.8 ** int(r["step"]), rel_tol=1e-9) for r in live)
    assert all(float(r["lr"]) == 0.1 for r in live[:-1]) and live[-1]["lr"] == ""   # lr of each step taken


def tab_to(lab: Driver, name: str, presses: int = 60) -> None:
    """Tab through the page until the control named `name` has the focus."""
    for _ in range(presses):
        if lab.active_name() == name:
            return
        lab.press("Tab")
    raise AssertionError(f"[{lab.name}] Tab never reached {name!r} (at {lab.active_name()!r})")


def keyboard_slider(lab: Driver, lab_url: str) -> None:
    """Keyboard only: Tab to the slider, arrow keys move the lr (48 notches a decade)."""
    open_lab(lab, lab_url + "?surface=parabola&optimizer=sgd&lr=0.1&steps=40&start=-5")
    wait_parabola(lab, 0.1, -5, 40)
    before = wait_status(lab).group(0)
    tab_to(lab, "Learning rate")
    for _ in range(3):
        lab.press("ArrowRight")
    lr = lab.wait_until(lambda: lr_value(lab) != 0.1 and lr_value(lab), 10, "the lr to move")
    assert math.isclose(lr, 0.1 * 10 ** (3 / 48), rel_tol=0.01), lr
    wait_parabola(lab, lr, -5, 40)
    wait_status(lab, unlike=before)


def keyboard_run_code(lab: Driver, lab_url: str) -> None:
    """Keyboard only: Tab into the editor, type a program, Esc then Tab to Run code, Enter."""
    open_lab(lab, lab_url)
    tab_to(lab, "Code", 120)
    type_program(lab, "def loss(w): return (w[0] - 1) ** 2\nstart = [4.0]\nlr = 0.25\nsteps = 10\nprint('typed', 6 * 7)\n")
    lab.press("Escape", "Tab")
    lab.wait_until(lambda: lab.active_name() == "Run code", 5, "Esc, Tab to reach Run code")
    lab.press("Enter")
    lab.wait_until(lambda: "typed 42" in output(lab), 30, "the program's output")
    # lr 0.25 on (w - 1)^2 from 4: w_t = 1 + 0.5^t * 3
    lab.wait_until(lambda: close((path(lab) or {}).get("x"), [1 + 0.5 ** t * 3 for t in range(11)], 1e-9), 20,
                   "the program's path")


BOUNDARY = """() => {
  const c = document.getElementById('boundary');
  if (!c || c.closest('section').hidden || !c.width) return null;
  // the canvas holds a picture: blue and orange both present (the two classes' sides)
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let blue = 0, orange = 0;
  for (let i = 0; i < px.length; i += 16) {
    if (px[i + 2] > px[i] + 40) blue++;
    if (px[i] > px[i + 2] + 60) orange++;
  }
  return { step: c.dataset.step, blue, orange };
}"""


def network_preset(lab: Driver, lab_url: str) -> None:
    """A network preset paints its decision boundary from the view file (a canvas: the
    same in every engine), shows the accuracies, and Reset takes the boundary to step 0."""
    open_lab(lab, lab_url + "?preset=adam-vs-sgd-net")
    seen = lab.wait_until(lambda: (b := lab.js(BOUNDARY)) and b["step"] == "300" and b, 30, "the boundary at step 300")
    assert seen["blue"] > 50 and seen["orange"] > 50, seen
    wait_ready(lab)
    # Python's own runs (the view's hold no weights): then Reset is not followed by new runs
    lab.wait_until(lambda: lab.js("() => document.getElementById('runs').dataset.pending") == "0", 90,
                   "Python's runs")
    assert lab.text("#runs-table tr.live td[data-label='train accuracy']").endswith("%")
    def reset():   # (a late answer that brings new runs shows their end: Reset again)
        lab.click("button", "Reset")
        try:
            return lab.wait_until(lambda: (lab.js(BOUNDARY) or {}).get("step") == "0", 5, "the boundary at step 0")
        except AssertionError:
            return False
    lab.wait_until(reset, 30, "Reset to take the boundary to step 0", interval=0.5)
    assert status(lab).startswith("step 0 ")
