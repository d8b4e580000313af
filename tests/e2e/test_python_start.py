"""Starting Python: the browser's Python loads numpy without a loader error; labs
embedded on one course page (examples/four.html) share one Python, started once, without
queueing; with `?shared=0` (or no SharedWorker) they start their Pythons one at a time,
the touched one first; an out-of-view one starts only once it comes into view."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import SHARED_OFF, wait_until

STATE = "() => ({...document.body.dataset})"


def lab_frames(page, n=4):
    """The n lab frames of the host page, in lab order (each carries its id in its URL)."""
    def found():
        frames = {f.url.split("&id=")[-1]: f for f in page.frames if "&id=" in f.url}
        return [frames[str(i)] for i in range(1, n + 1)] if len(frames) >= n else None
    return wait_until(found, 30, "the lab frames")


def states(frames):
    return [f.evaluate(STATE) for f in frames]


def assert_one_at_a_time(labs):
    """No lab's Python started before the one started before it was ready."""
    order = sorted(labs, key=lambda s: int(s["pythonStartAt"]))
    for before, after in zip(order, order[1:]):
        assert int(after["pythonStartAt"]) >= int(before["pythonReadyAt"]) - 2, order
    return order


def test_python_loads_numpy_without_loader_errors(page, lab_url):
    page.goto(lab_url + "?surface=bowl")
    wait_until(lambda: page.evaluate(STATE).get("python") == "ready", 90, "Python")
    assert "numpy" in page.evaluate(STATE)["pythonPackages"].split(",")
    # the page fixture fails this test on any console error, the worker's report of a
    # package-loader error among them


def test_four_embeds_share_one_python_started_once(page, lab_url, host_url):
    if SHARED_OFF:
        pytest.skip("SharedWorker switched off")
    page.goto(f"{host_url}four.html?lab={quote(lab_url)}")
    frames = lab_frames(page)
    wait_until(lambda: page.evaluate(STATE).get("ready", "").count("lab") == 4, 180,
               "four gdlab:ready messages")
    labs = states(frames)
    assert [(s["python"], s["pythonShared"]) for s in labs] == [("ready", "1")] * 4
    # no lab waited for another's Python: each asked before the first was ready
    first_ready = min(int(s["pythonReadyAt"]) for s in labs)
    assert all(int(s["pythonStartAt"]) < first_ready for s in labs), labs
    assert len({s["pythonStages"] for s in labs}) == 1   # one start-up, reported to each


def test_four_embeds_start_python_one_at_a_time(page, lab_url, host_url):
    page.goto(f"{host_url}four.html?lab={quote(lab_url + '?shared=0')}")
    frames = lab_frames(page)
    wait_until(lambda: page.evaluate(STATE).get("ready", "").count("lab") == 4, 180,
               "four gdlab:ready messages")
    labs = states(frames)
    assert [s["python"] for s in labs] == ["ready"] * 4
    assert_one_at_a_time(labs)


def test_the_touched_embed_jumps_the_queue(page, lab_url, host_url):
    page.goto(f"{host_url}four.html?lab={quote(lab_url + '?shared=0')}")
    frames = lab_frames(page)
    # touch lab 4 once it waits in the line (its start-up code listens), while the first
    # Python is starting: on a warm visit every lab queues at once
    wait_until(lambda: frames[3].evaluate(STATE).get("python") == "queued", 30, "lab 4 in the line")
    page.locator("#lab4").dispatch_event("pointerdown")  # reaches the host page only
    page.frame_locator("#lab4").locator("body").dispatch_event("pointerdown")
    wait_until(lambda: all(s.get("python") == "ready" for s in states(frames)), 180, "four ready labs")
    labs = states(frames)
    order = assert_one_at_a_time(labs)
    assert labs[3].get("pythonPriority") == "1"
    assert order.index(labs[3]) <= 1, "the touched lab started after another waiting lab"


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "dedicated"])
def test_an_embed_out_of_view_waits_until_it_is_scrolled_to(page, lab_url, host_url, shared):
    page.goto(f"{host_url}four.html?below=1&lab={quote(lab_url + ('' if shared else '?shared=0'))}")
    frames = lab_frames(page)
    wait_until(lambda: all(s.get("python") == "ready" for s in states(frames[:3])), 180,
               "the three labs in view")
    below = frames[3].evaluate(STATE)
    assert below.get("python") in (None, "queued") and "pythonStartAt" not in below, below
    page.locator("#lab4").scroll_into_view_if_needed()
    wait_until(lambda: frames[3].evaluate(STATE).get("python") == "ready", 90, "lab 4's Python")
    if shared and not SHARED_OFF:
        assert frames[3].evaluate(STATE)["pythonShared"] == "1"
    else:
        assert_one_at_a_time(states(frames))
