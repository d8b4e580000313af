"""The core flows of issue 17 in Chromium, Firefox ESR and WebKitGTK (flows.py; the
drivers in driver.py). One browser per engine for this module; `-k firefox` runs one
engine's flows alone."""

from . import flows
from .conftest import SHOTS


def test_cold_first_draw_and_python_ready(lab, lab_url):
    flows.cold_first_draw_and_ready(lab, lab_url)


def test_a_slider_move_redraws(lab, lab_url):
    flows.slider_move_redraws(lab, lab_url)


def test_switching_the_optimizer(lab, lab_url):
    flows.switch_optimizer(lab, lab_url)


def test_a_click_on_the_landscape_sets_the_start(lab, lab_url):
    flows.click_sets_start(lab, lab_url)


def test_run_code_with_np_random_on_the_home_view(lab, lab_url):
    flows.run_code_np_random(lab, lab_url)


def test_a_runaway_is_stopped_by_stop(lab, lab_url):
    flows.runaway_stopped(lab, lab_url)


def test_a_presets_check(lab, lab_url):
    flows.preset_check(lab, lab_url)


def test_a_share_link_round_trip(lab, lab_url):
    flows.share_round_trip(lab, lab_url)


def test_the_800x560_embed_first_screen(lab, lab_url):
    SHOTS.mkdir(exist_ok=True)
    flows.embed_first_screen(lab, lab_url, SHOTS / f"engines-embed-800x560-{lab.name}.png")


def test_a_host_page_drives_the_embed_by_postmessage(lab, lab_url, host_url):
    flows.host_drives_embed(lab, lab_url, host_url)


def test_download_csv(lab, lab_url):
    flows.download_csv(lab, lab_url)


def test_keyboard_only_slider(lab, lab_url):
    flows.keyboard_slider(lab, lab_url)


def test_keyboard_only_run_code(lab, lab_url):
    flows.keyboard_run_code(lab, lab_url)
