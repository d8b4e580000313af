"""A slow machine: the core flows in Chromium under 4x CPU throttling (CDP's
Emulation.setCPUThrottlingRate on every page). The flows wait for the page's states,
so they hold at a quarter of this machine's speed; only Stop keeps its time bound."""

import pytest

from . import driver as drivers
from . import flows
from .conftest import checked, missing

THROTTLE = 4.0


@pytest.fixture(scope="module")
def chromium(playwright_session):
    if missing("chromium"):
        pytest.skip(missing("chromium"))
    browser = playwright_session.chromium.launch(executable_path=str(drivers.CHROMIUM), args=drivers.CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def slow(chromium, request):
    yield from checked(drivers.PlaywrightDriver(chromium, throttle=THROTTLE), request)


def test_throttled_cold_first_draw_and_python_ready(slow, lab_url):
    flows.cold_first_draw_and_ready(slow, lab_url)


def test_throttled_slider_move_redraws(slow, lab_url):
    flows.slider_move_redraws(slow, lab_url)


def test_throttled_click_on_the_landscape_sets_the_start(slow, lab_url):
    flows.click_sets_start(slow, lab_url)


def test_throttled_run_code_with_np_random(slow, lab_url):
    flows.run_code_np_random(slow, lab_url)


def test_throttled_runaway_is_stopped_by_stop(slow, lab_url):
    flows.runaway_stopped(slow, lab_url)
