"""A phone: Chromium with touch (has_touch, is_mobile) at 390 x 844. Taps and drags are
touch events (CDP Input.dispatchTouchEvent), not mouse events."""

import math

import pytest

from . import driver as drivers
from . import flows
from .conftest import checked


@pytest.fixture
def phone(chromium, request):
    drv = drivers.PlaywrightDriver(chromium, viewport=(390, 844), has_touch=True, is_mobile=True,
                                   device_scale_factor=2)
    yield from checked(drv, request)


def tap_control(phone, role, name):
    box = phone.wait_until(lambda: (b := phone.locate(role, name)) and b["visible"] and not b["disabled"] and b,
                           10, f"{name} to be visible and enabled")
    phone.tap(box["x"], box["y"])


def test_a_tap_on_the_landscape_sets_the_start(phone, lab_url):
    flows.open_lab(phone, lab_url + "?surface=bowl&optimizer=sgd&lr=0.1&steps=30")
    flows.wait_status(phone)
    phone.js("() => { document.querySelector('[aria-label=\"Loss landscape\"]').scrollIntoView({block: 'center'}); return true; }")
    x, y = phone.js(flows.DATA_TO_CLIENT, [-2.0, 1.5])
    phone.tap(x, y)
    s0, s1 = map(float, phone.wait_until(lambda: (v := flows.value(phone, "#start")) and v != "3, 2" and v != "3,2"
                                         and v.replace(" ", "").split(","), 10, "the Start field to follow the tap"))
    assert abs(s0 + 2.0) < 0.15 and abs(s1 - 1.5) < 0.15, (s0, s1)
    phone.wait_until(lambda: "start=" in flows.search(phone), 10, "start= in the URL")
    phone.wait_until(lambda: (p := flows.path(phone)) and flows.close(p["x"], [s0 * 0.8 ** t for t in range(31)], 1e-6),
                     20, "the path from the tapped start")


def test_the_slider_follows_a_touch_drag(phone, lab_url):
    flows.open_lab(phone, lab_url + "?surface=parabola&optimizer=sgd&lr=0.1&steps=40&start=-5")
    flows.wait_parabola(phone, 0.1, -5, 40)
    box = phone.locate("slider", "Learning rate")
    lo, hi, now = (float(phone.prop(k, css="#lr-range")) for k in ("min", "max", "value"))
    left = box["x"] - box["w"] / 2
    thumb = left + box["w"] * (now - lo) / (hi - lo)   # the thumb, give or take its own width
    seen = []
    phone.pointer([("move", thumb, box["y"]), ("down",)], "touch")
    for i in range(1, 6):   # the finger moves right in steps; the lr follows each
        phone.pointer([("move", thumb + box["w"] * 0.04 * i, box["y"])], "touch")
        seen.append(phone.wait_until(lambda: (v := flows.lr_value(phone)) and v not in seen[-1:] and v > 0.1 and v,
                                     5, f"the lr to follow the finger ({i})"))
    phone.pointer([("up",)], "touch")
    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen
    flows.wait_parabola(phone, flows.lr_value(phone), -5, 40)


def test_play_and_step_by_touch(phone, lab_url):
    flows.open_lab(phone, lab_url + "?surface=parabola&optimizer=sgd&lr=0.2&steps=20&start=-5")
    expected = flows.parabola_path(0.2, -5, 20)
    flows.wait_parabola(phone, 0.2, -5, 20)
    tap_control(phone, "button", "Reset")
    phone.wait_until(lambda: flows.status(phone).startswith("step 0 · w -5.000"), 10, "step 0")
    tap_control(phone, "button", "Step")
    phone.wait_until(lambda: flows.status(phone).startswith(f"step 1 · w {expected[1]:.3f}"), 10, "step 1")
    tap_control(phone, "button", "Play")
    phone.wait_until(lambda: phone.locate("button", "Pause"), 10, "Play to become Pause")
    phone.wait_until(lambda: flows.status(phone).startswith("step 20 ·") and phone.locate("button", "Play"), 30,
                     "the play-through to the last step")
    assert flows.close(flows.path(phone)["x"], expected, 1e-9)
    assert math.isclose(float(flows.status(phone).split(" · ")[1].split()[1]), expected[20], abs_tol=1e-3)
