"""Lesson presets, their results tables, exercises, sharing and embedding, as a course
author and a learner would use them."""

import json
import re
import subprocess
import sys
import time

import pytest

from conftest import ROOT, wait_lab, wait_until

ALL = json.loads(subprocess.run(
    [sys.executable, "-m", "gdlab", "lessons", "--json"], capture_output=True, text=True,
    env={"PYTHONPATH": str(ROOT / "py")}, check=True).stdout)["lessons"]
PRESETS = [l["name"] for l in ALL]   # every one, the networks' (DATASET-mlp) too


def ready(page, timeout=90.0):
    wait_lab(page, timeout)


def status(page):
    return page.get_by_role("status").first.inner_text()


def test_every_preset_loads_and_runs_without_errors(page, lab_url):
    page.goto(lab_url)
    ready(page)
    for name in PRESETS:
        page.goto(f"{lab_url}?preset={name}")
        wait_until(lambda: page.get_by_label("Preset").input_value() == name, 20, f"{name} to load")
        wait_until(lambda: re.match(r"step \d+ ", status(page)), 60, f"{name} to run")
        assert "error" not in status(page)


def test_the_lesson_picker_is_grouped_by_topic(page, lab_url):
    page.goto(lab_url)
    groups = page.locator("#preset optgroup")
    wait_until(lambda: groups.count() >= 4, 20, "the picker's topics")   # (filled once the catalog is read)
    labels = [groups.nth(i).get_attribute("label") for i in range(groups.count())]
    assert "Learning rate" in labels and "Momentum and adaptive methods" in labels


def test_a_comparing_preset_shows_its_runs_and_facts_computed_live(page, lab_url):
    page.goto(f"{lab_url}?preset=bowl-thresholds")
    ready(page)
    table = page.get_by_role("table", name="Runs")
    wait_until(lambda: table.count() == 1 and table.locator("tbody tr").count() >= 5
               and "computing" not in table.inner_text(), 60, "the runs table")
    rows = {table.locator("tbody tr").nth(i).locator("th").inner_text(): table.locator("tbody tr").nth(i).inner_text()
            for i in range(table.locator("tbody tr").count())}
    assert "oscillating" in rows["lr 0.25"] and "diverged at" in rows["lr 0.26"]
    assert "converged" in rows["lr 0.124"] and "converged" in rows["lr 0.126"]
    facts = page.get_by_role("region", name="Results").locator("dl").inner_text()
    assert "0.125" in facts and "0.25" in facts


def check_result(page, lab_url, preset, timeout):
    """Open an exercise preset, press Check and return what it says."""
    page.goto(f"{lab_url}?preset={preset}")
    ready(page)
    check = page.get_by_role("button", name="Check")
    wait_until(lambda: check.count() == 1 and check.is_visible(), 20, "the Check button")
    check.click()
    out = page.locator(".check-result")
    wait_until(lambda: "step" in out.inner_text(), timeout, "the check result")
    return out.inner_text()


def test_check_says_where_an_exercise_parts_ways_with_the_reference(page, lab_url):
    assert "Parts ways with the lab's momentum at step 2" in check_result(page, lab_url, "momentum-by-hand", 20)


def test_unknown_preset_gives_the_defaults_and_a_notice(page, lab_url):
    page.goto(f"{lab_url}?preset=<b>nope</b>")
    notice = page.locator("#notice")
    wait_until(lambda: notice.is_visible(), 20, "the notice")
    assert "preset" in notice.inner_text() and page.locator("#notice b").count() == 0
    assert page.get_by_label("Surface").input_value() == "parabola"


def test_share_and_embed_give_the_link_and_an_iframe_of_this_view(page, lab_url):
    page.goto(f"{lab_url}?surface=bowl&lr=0.05")
    ready(page)
    page.get_by_role("button", name="Embed").click()
    snippet = page.get_by_label("Embed code").input_value()
    assert snippet.startswith("<iframe src=") and "embed=1" in snippet and "surface=bowl" in snippet
    page.get_by_role("button", name="Share").click()
    assert page.get_by_role("status").count() == 1  # the one status line DESIGN.md promises
    wait_until(lambda: page.locator(".share-said").inner_text() in ("Link copied", "Copy the link below"),
               5, "Share to answer")


@pytest.mark.parametrize("width", [320, 390])
def test_embed_fits_narrow_frames_without_horizontal_scroll(page, lab_url, width):
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(f"{lab_url}?embed=1&preset=watch-a-parameter-move")
    ready(page)
    wait_until(lambda: re.match(r"step \d+ ", status(page)), 30, "the run")
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
    assert overflow <= 0
    assert not page.locator("header.chrome").is_visible() and not page.get_by_role("button", name="Share").is_visible()


def test_a_cross_origin_course_page_drives_the_lab_and_hears_its_results(page, lab_url, host_url):
    page.goto(f"{host_url}host.html?lab={lab_url}")
    result = page.locator("#result1")
    wait_until(lambda: re.search(r"converged|crawling|oscillating|diverged", result.inner_text()), 120,
               "the first lab's result")
    page.get_by_role("button", name="Blow up (lr 1.1)").click()
    wait_until(lambda: "diverged" in result.inner_text(), 30, "the lab to diverge")
    page.get_by_role("button", name="Oscillate (lr 1.0)").click()
    wait_until(lambda: "oscillating" in result.inner_text(), 30, "the lab to oscillate")


def test_hostile_messages_are_ignored_or_refused_as_text(page, lab_url, host_url):
    page.goto(f"{host_url}host.html?lab={lab_url}")
    result = page.locator("#result1")
    wait_until(lambda: re.search(r"converged|crawling", result.inner_text()), 120, "the lab")
    lab = page.frame_locator("#lab1")
    frame = next(f for f in page.frames if f.url.startswith(lab_url) and "watch-a-parameter" in f.url)
    notice = lab.locator("#notice")

    def send(msg):
        page.evaluate("([m, origin]) => document.getElementById('lab1').contentWindow.postMessage(m, origin)",
                      [msg, lab_url.rstrip("/")])

    send({"type": "gdlab:set", "lr": "<img src=x onerror=alert(1)>"})
    wait_until(lambda: notice.is_visible() and "lr" in notice.inner_text(), 10, "a notice about lr")
    assert frame.locator("#notice img").count() == 0 and "<img" in notice.inner_text()
    send({"type": "gdlab:set", "lr": 1e300, "steps": -4})
    wait_until(lambda: "steps" in notice.inner_text(), 10, "a notice about lr and steps")
    send({"type": "gdlab:set", "surface": {"x": 1}})
    wait_until(lambda: "surface" in notice.inner_text(), 10, "a notice about surface")
    for msg in ({"type": "other", "lr": 0.5}, "gdlab:set", None, [1, 2]):
        send(msg)
    time.sleep(1.0)
    assert frame.get_by_label("Learning rate value").input_value() == "0.1"


def test_check_holds_the_schedule_exercise_to_step_decay(page, lab_url):
    assert "Parts ways with the lab's sgd at step 101" in check_result(page, lab_url, "schedule-by-hand", 30)


def test_the_messages_a_host_hears_carry_exactly_the_keys_the_readme_promises(page, lab_url, host_url):
    """The postMessage contract: README's "Talking to the lab" lists each message's keys."""
    readme = (ROOT / "README.md").read_text()
    promised = {}
    for kind in ("gdlab:ready", "gdlab:result"):
        m = re.search(r"\{type: \"" + kind + r"\"(?:, ([^}]*))?\}", readme)
        promised[kind] = {"type", *(k.strip() for k in (m.group(1) or "").split(",") if k.strip())}
    page.add_init_script("window.__heard = []; addEventListener('message', (e) => __heard.push(e.data));")
    page.goto(f"{host_url}host.html?lab={lab_url}")
    heard = lambda kind: [m for m in page.evaluate("() => window.__heard")
                          if isinstance(m, dict) and m.get("type") == kind]
    wait_until(lambda: heard("gdlab:result") and heard("gdlab:ready"), 120, "a result and ready")
    for kind, keys in promised.items():
        for message in heard(kind):
            assert set(message) == keys, (kind, sorted(set(message) ^ keys))
