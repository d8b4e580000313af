"""A slow machine: the core flows in Chromium under 4x CPU throttling (CDP's
Emulation.setCPUThrottlingRate on every page). The flows wait for the page's states,
so they hold at a quarter of this machine's speed; only Stop keeps its time bound."""

import pytest

from . import driver as drivers
from . import flows
from .conftest import checked

THROTTLE = 4.0


@pytest.fixture
def slow(chromium, request):
    yield from checked(drivers.PlaywrightDriver(chromium, throttle=THROTTLE), request)


# the flows that must hold at a quarter of this machine's speed
FLOWS = [flows.cold_first_draw_and_ready, flows.slider_move_redraws, flows.click_sets_start,
         flows.run_code_np_random, flows.runaway_stopped]


@pytest.mark.parametrize("flow", FLOWS, ids=[f.__name__ for f in FLOWS])
def test_throttled(slow, lab_url, flow):
    flow(slow, lab_url)
