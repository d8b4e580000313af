"""The core flows of issue 17 in Chromium, Firefox ESR and WebKitGTK (flows.py; the
drivers in driver.py). One browser per engine for this module; `-k firefox` runs one
engine's flows alone."""

import pytest

from . import flows
from .conftest import SHOTS


def embed_first_screen(lab, lab_url):
    SHOTS.mkdir(exist_ok=True)
    flows.embed_first_screen(lab, lab_url, SHOTS / f"engines-embed-800x560-{lab.name}.png")


# each flow of issue 17, written once in flows.py, run in every engine
FLOWS = [flows.cold_first_draw_and_ready, flows.slider_move_redraws, flows.switch_optimizer,
         flows.click_sets_start, flows.run_code_np_random, flows.runaway_stopped, flows.preset_check,
         flows.share_round_trip, embed_first_screen, flows.download_csv, flows.keyboard_slider,
         flows.keyboard_run_code, flows.network_preset]


@pytest.mark.parametrize("flow", FLOWS, ids=[f.__name__ for f in FLOWS])
def test_flow(lab, lab_url, flow):
    flow(lab, lab_url)


def test_a_host_page_drives_the_embed_by_postmessage(lab, lab_url, host_url):
    flows.host_drives_embed(lab, lab_url, host_url)
