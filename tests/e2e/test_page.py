"""The lab page as a learner uses it: by label and role, checked against closed forms.

Fixtures (tests/e2e/conftest.py): `page` (a Playwright page that fails the test on
console errors) and `lab_url` (the served dist/). The page runs under the strict CSP,
so nothing here waits with an in-page string (wait_for_function): conditions are polled
from Python, and the plotted traces are read with `evaluate` on an element.

References used: gradient descent on L(w) = (w - 3)^2 from w0 has the closed form
w_t = 3 + (1 - 2 lr)^t (w0 - 3); Adam's first step moves every coordinate by lr·sign(g)
(m̂/√v̂ = g/|g| after one step, up to eps).
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
from conftest import wait_lab

STATUS_RE = re.compile(
    r"^step (\d+) · (?:w (\S+) · )?loss (\S+) · "
    r"(converged|oscillating|crawling|diverged at step \d+|diverged)$")
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
KEYWORDS = {  # DESIGN.md: hyperparameters take torch.optim's keyword names (the main ones
    # show at once; the rest wait behind "More", controls.js HYPER_LAYOUT)
    "momentum": ["momentum"], "adam": ["beta1", "beta2"], "rmsprop": ["alpha"],
    "adagrad": ["lr_decay"], "adamw": ["beta1", "beta2", "weight_decay"],
}

READ_PATH = """region => {
  for (const gd of region.querySelectorAll('.js-plotly-plot')) {
    const t = (gd.data || []).find((t) => t.name === 'path');
    if (t) return { x: Array.from(t.x || []), y: Array.from(t.y || []) };
  }
  return null;
}"""

READ_TRACES = """region => Array.from(region.querySelectorAll('.js-plotly-plot'))
  .flatMap((gd) => (gd.data || []).map((t) => ({ name: t.name, type: t.type || 'scatter',
    n: t.z ? t.z.length : (t.x ? t.x.length : 0) })))"""

DATA_TO_CLIENT = """(region, p) => {
  const gd = Array.from(region.querySelectorAll('.js-plotly-plot'))
    .find((g) => (g.data || []).some((t) => t.name === 'path'));
  const fl = gd._fullLayout;
  const box = gd.querySelector('.main-svg').getBoundingClientRect();
  return [box.left + fl.xaxis._offset + fl.xaxis.l2p(p[0]),
          box.top + fl.yaxis._offset + fl.yaxis.l2p(p[1])];
}"""


# --- helpers -------------------------------------------------------------------------

def wait_until(fn, timeout=20.0, what="the condition"):
    end = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what} (last: {last!r})")
        time.sleep(0.05)


def wait_python(page, timeout=90.0):
    wait_lab(page, timeout)


def open_lab(page, lab_url, query=""):
    page.goto(lab_url.split("?")[0] + query)
    wait_python(page)


def path(page, region="Loss landscape"):
    return page.get_by_role("region", name=region).evaluate(READ_PATH)


def status(page):
    return page.get_by_role("status").text_content().strip()


def parsed_status(page):
    m = STATUS_RE.match(status(page))
    return m


def parabola_path(lr, w0, steps):
    return [3 + (1 - 2 * lr) ** t * (w0 - 3) for t in range(steps + 1)]


def close(a, b, rel=1e-9, abs_=1e-9):
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=rel, abs_tol=abs_) for x, y in zip(a, b))


def wait_path(page, expected_x, what, rel=1e-9, expected_y=None):
    def ok():
        p = path(page)
        if not p or not close(p["x"], expected_x, rel=rel, abs_=rel):
            return False
        return expected_y is None or close(p["y"], expected_y, rel=rel, abs_=rel)
    wait_until(ok, 20, what)
    wait_until(lambda: parsed_status(page), 5, "a status line")


def wait_prefix(page, expected_x, what, rel=1e-7):
    """Wait for a path that follows `expected_x` as far as it is drawn (a diverging path
    stops where it leaves the finite numbers, or the view by a factor of a million)."""
    def ok():
        p = path(page)
        n = len(p["x"]) if p else 0
        return n >= 2 and close(p["x"], expected_x[:n], rel=rel, abs_=rel)
    wait_until(ok, 20, what)
    wait_until(lambda: parsed_status(page), 5, "a status line")


def start_field(page):
    return [float(v) for v in page.get_by_label("Start", exact=True).input_value().split(",")]


def steps_field(page):
    return int(page.get_by_label("Steps", exact=True).input_value())


def lr_field(page):
    return float(page.get_by_label("Learning rate value", exact=True).input_value())


def set_lr(page, lr):
    box = page.get_by_label("Learning rate value", exact=True)
    box.fill(str(lr))
    box.press("Enter")


# --- start-up ------------------------------------------------------------------------

def test_page_loads_python_and_draws(page, lab_url):
    page.goto(lab_url)
    # The precomputed view (boot.json) or a loading line comes first; Python follows.
    wait_until(lambda: status(page) != "", 10, "a status line")
    wait_python(page)
    m = wait_until(lambda: parsed_status(page), 20, "a run's status line")
    assert not status(page).startswith("loading")
    p = path(page)
    assert p and len(p["x"]) >= 2, p
    assert int(m.group(1)) == len(p["x"]) - 1
    curve = path(page, "Loss curve")
    assert curve and len(curve["y"]) == len(p["x"])
    # The info panel names the loss and the update rule in plain maths.
    assert page.locator("#formula").text_content().strip()
    assert page.locator("#equations").text_content().strip()
    for name in ["Surface", "Optimizer", "Steps", "Learning rate value"]:
        assert page.get_by_label(name, exact=True).is_visible()
    for name in ["Play", "Step", "Reset"]:
        assert page.get_by_role("button", name=name, exact=True).is_visible()


# --- the learning rate ---------------------------------------------------------------

def test_slider_keys_and_fill_change_path_and_status(page, lab_url):
    open_lab(page, lab_url, "?surface=parabola&optimizer=sgd&lr=0.1&steps=40&start=-5")
    wait_path(page, parabola_path(0.1, -5, 40), "the lr = 0.1 path")
    slider = page.get_by_label("Learning rate", exact=True)
    assert slider.get_attribute("aria-valuetext").split(" — ")[0] == "0.1"   # then the regime
    before = status(page)

    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    lr = wait_until(lambda: lr_field(page) if lr_field(page) != 0.1 else None, 5, "the lr to move")
    assert math.isclose(lr, 0.1 * 10 ** (5 / 48), rel_tol=0.01), lr   # 48 notches per decade
    assert slider.get_attribute("aria-valuetext").split(" — ")[0] == page.get_by_label(
        "Learning rate value", exact=True).input_value()
    wait_path(page, parabola_path(lr, -5, 40), f"the lr = {lr} path")
    assert status(page) != before

    slider.press("End")
    top = wait_until(lambda: lr_field(page) if lr_field(page) > 1.5 else None, 5, "the slider's top")
    wait_prefix(page, parabola_path(top, -5, 40), "a blown-up path")
    assert "diverged" in status(page)

    slider.fill("96")   # two decades above the bottom of the scale (1e-4): lr = 0.01
    wait_until(lambda: lr_field(page) == 0.01, 5, "lr = 0.01 from the slider")
    wait_path(page, parabola_path(0.01, -5, 40), "the lr = 0.01 path")


def test_exact_value_applies_on_enter(page, lab_url):
    open_lab(page, lab_url, "?surface=parabola&steps=10&start=-5")
    set_lr(page, 0.5)   # one step lands on the minimum: w1 = -5 - 0.5 * 2 * (-8) = 3
    wait_path(page, parabola_path(0.5, -5, 10), "the lr = 0.5 path")
    assert path(page)["x"][1] == pytest.approx(3.0, abs=1e-12)
    assert page.get_by_label("Learning rate", exact=True).get_attribute("aria-valuetext").split(" — ")[0] == "0.5"
    m = parsed_status(page)
    assert m.group(4) == "converged" and float(m.group(2)) == pytest.approx(3.0)

    box = page.get_by_label("Learning rate value", exact=True)
    box.fill("-1")
    box.press("Enter")
    assert box.get_attribute("aria-invalid") == "true"   # refused, the run stays
    assert path(page)["x"][1] == pytest.approx(3.0, abs=1e-12)


@pytest.mark.parametrize("lr, word", [
    (0.001, "crawling"),      # (1 - 0.002)^50 ≈ 0.90: still on its way
    (0.1, "converged"),       # 0.8^50 ≈ 1.4e-5 of the start's distance
    (1.0, "oscillating"),     # factor -1: -5, 11, -5, 11, ...
    (1.1, "diverged"),        # factor -1.2: |w - 3| grows every step
])
def test_four_regimes_on_the_parabola(page, lab_url, lr, word):
    open_lab(page, lab_url, f"?surface=parabola&optimizer=sgd&lr={lr}&steps=50&start=-5")
    expected = parabola_path(lr, -5, 50)
    if word == "diverged":
        wait_prefix(page, expected, f"the lr = {lr} path")
    else:
        wait_path(page, expected, f"the lr = {lr} path", rel=1e-7)
    m = parsed_status(page)
    assert m, status(page)
    if word == "diverged":
        d = re.search(r"diverged at step (\d+)", status(page))
        assert d and 1 <= int(d.group(1)) <= 50, status(page)
    else:
        assert m.group(4) == word, status(page)
    k = int(m.group(1))
    assert k == 50   # the status reads the last step, drawn or not
    assert float(m.group(2)) == pytest.approx(expected[k], abs=1e-3, rel=1e-3)
    # The loss curve shows L(w_t) = (w_t - 3)^2 per step (minus min_loss = 0).
    curve = path(page, "Loss curve")
    xs = path(page)["x"]
    assert curve["x"] == list(range(len(xs)))
    for got, w in zip(curve["y"], xs):
        assert got == pytest.approx(max((w - 3) ** 2, 1e-16), rel=1e-6, abs=1e-15)


def test_play_step_reset(page, lab_url):
    open_lab(page, lab_url, "?surface=parabola&lr=0.2&steps=20&start=-5")
    expected = parabola_path(0.2, -5, 20)
    wait_path(page, expected, "the lr = 0.2 path")
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_until(lambda: status(page).startswith("step 0 · w -5.000 · loss 64.000"), 5, "step 0")
    assert path(page)["x"] == [-5]
    page.get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: status(page).startswith(f"step 1 · w {expected[1]:.3f}"), 5, "step 1")
    assert close(path(page)["x"], expected[:2])
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=5000)
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=20000)
    wait_until(lambda: status(page).startswith("step 20 ·"), 5, "the last step")
    assert close(path(page)["x"], expected)


# --- optimizers and surfaces ---------------------------------------------------------

def test_each_optimizer_draws_a_path(page, lab_url):
    open_lab(page, lab_url, "?surface=bowl&steps=60")
    select = page.get_by_label("Optimizer", exact=True)
    names = select.evaluate("s => Array.from(s.options, (o) => o.value)")
    assert {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"} <= set(names)
    start = start_field(page)
    seen = set()
    for name in names:
        select.select_option(name)
        wait_until(lambda: page.evaluate("() => new URLSearchParams(location.search).get('optimizer')") == name,
                   5, f"the URL to show {name}")
        for keyword in KEYWORDS.get(name, []):
            assert page.get_by_label(keyword, exact=True).is_visible(), (name, keyword)

        def drawn():
            p = path(page)
            m = parsed_status(page)
            key = (tuple(p["x"]), tuple(p["y"])) if p else None
            return m and p and len(p["x"]) >= 2 and key not in seen and p
        p = wait_until(drawn, 20, f"a new path for {name}")
        seen.add((tuple(p["x"]), tuple(p["y"])))
        assert [p["x"][0], p["y"][0]] == pytest.approx(start)
        assert all(math.isfinite(v) for v in p["x"] + p["y"])
        assert len(p["x"]) <= steps_field(page) + 1
        assert page.locator("#equations").text_content().strip()
    if "momentum" in names:
        select.select_option("momentum")
        assert float(page.get_by_label("momentum", exact=True).input_value()) == 0.9


def test_adam_first_step_is_lr_times_sign(page, lab_url):
    open_lab(page, lab_url, "?surface=bowl&optimizer=adam&lr=0.05&steps=5&start=1,-1")
    p = wait_until(lambda: (q := path(page)) and len(q["x"]) == 6 and q, 20, "the Adam path")
    assert p["x"][1] == pytest.approx(1 - 0.05, abs=1e-6)
    assert p["y"][1] == pytest.approx(-1 + 0.05, abs=1e-6)


def test_each_two_d_surface_draws_contour_and_path(page, lab_url):
    open_lab(page, lab_url)
    select = page.get_by_label("Surface", exact=True)
    names = select.evaluate("s => Array.from(s.options, (o) => o.value)")
    assert {"parabola", "bowl", "rosenbrock", "ill-conditioned", "saddle"} <= set(names)
    two_d = 0
    for name in names:
        if name.endswith("-mlp"):   # a network: no start of its own (tests/e2e/test_network_page.py)
            continue
        select.select_option(name)
        wait_until(lambda: page.evaluate("() => new URLSearchParams(location.search).get('surface')") == name,
                   5, f"the URL to show {name}")
        landscape = page.get_by_role("region", name="Loss landscape").locator("[data-surface]")
        wait_until(lambda: landscape.get_attribute("data-surface") == name, 30, f"{name} on screen")
        start = start_field(page)

        def drawn():
            p = path(page)
            return parsed_status(page) and p and p["x"] and (
                len(start) > 2 or p["x"][0] == pytest.approx(start[0])) and p
        p = wait_until(drawn, 30, f"the path on {name}")
        if len(start) != 2:
            continue
        two_d += 1
        assert [p["x"][0], p["y"][0]] == pytest.approx(start), name
        assert all(math.isfinite(v) for v in p["x"] + p["y"]), name
        traces = page.get_by_role("region", name="Loss landscape").evaluate(READ_TRACES)
        contours = [t for t in traces if t["type"] == "contour"]
        assert contours and contours[0]["n"] >= 20, (name, traces)
    assert two_d >= 5


def test_click_on_the_contour_sets_the_start(page, lab_url):
    open_lab(page, lab_url, "?surface=bowl&optimizer=sgd&lr=0.1&steps=30")
    wait_until(lambda: parsed_status(page), 20, "a run")
    region = page.get_by_role("region", name="Loss landscape")
    x, y = region.evaluate(DATA_TO_CLIENT, [1.0, -1.0])
    page.mouse.click(x, y)
    wait_until(lambda: start_field(page) == pytest.approx([1.0, -1.0], abs=0.05), 5, "the Start field")
    # GD on w0^2 + 4 w1^2: w0 *= (1 - 2 lr), w1 *= (1 - 8 lr) each step.
    s0, s1 = start_field(page)
    wait_path(page, [s0 * 0.8 ** t for t in range(31)], "the path from the clicked start",
              expected_y=[s1 * 0.2 ** t for t in range(31)])
    wait_until(lambda: "start=" in page.evaluate("() => location.search"), 5, "start in the URL")


# --- layouts -------------------------------------------------------------------------

def _console_guard(pg):
    errors = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_desktop_screenshot(page, lab_url):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    open_lab(page, lab_url, "?surface=rosenbrock&optimizer=adam&lr=0.05&steps=300")
    wait_until(lambda: parsed_status(page), 30, "a run")
    page.screenshot(path=str(SHOTS / "lab-desktop.png"), full_page=True)
    controls = page.get_by_role("form", name="Experiment").bounding_box()
    land = page.get_by_role("region", name="Loss landscape").bounding_box()
    assert land["x"] > controls["x"] + controls["width"] - 1   # side by side


def test_phone_layout_and_tap(page, lab_url):
    SHOTS.mkdir(exist_ok=True)
    browser = page.context.browser
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    try:
        phone = ctx.new_page()
        errors = _console_guard(phone)
        open_lab(phone, lab_url, "?surface=bowl&lr=0.1&steps=30")
        wait_until(lambda: parsed_status(phone), 20, "a run")
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
        controls = phone.get_by_role("form", name="Experiment").bounding_box()
        land = phone.get_by_role("region", name="Loss landscape").bounding_box()
        assert controls["y"] >= land["y"] + land["height"] - 1   # stacked: the landscape first
        assert land["width"] <= 390
        region = phone.get_by_role("region", name="Loss landscape")
        region.scroll_into_view_if_needed()
        x, y = region.evaluate(DATA_TO_CLIENT, [-2.0, 1.5])
        phone.touchscreen.tap(x, y)
        wait_until(lambda: start_field(phone) == pytest.approx([-2.0, 1.5], abs=0.08), 5, "a tapped start")
        wait_until(lambda: (p := path(phone)) and p["x"][0] == pytest.approx(start_field(phone)[0]), 20,
                   "the path from the tapped start")
        phone.screenshot(path=str(SHOTS / "lab-phone.png"), full_page=True)
        assert not errors, errors
    finally:
        ctx.close()


def test_keyboard_alone_reaches_every_control(page, lab_url):
    open_lab(page, lab_url)
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(
            "() => { const e = document.activeElement; return e && (e.labels && e.labels[0] ? "
            "e.labels[0].textContent.trim() : e.textContent.trim()); }"))
    for name in ["Surface", "Optimizer", "Learning rate", "Learning rate value", "Steps", "Start",
                 "Play", "Step", "Reset"]:
        assert name in reached, (name, reached)
