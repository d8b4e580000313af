"""Many labs, one Python: the embeds of one origin on a course page (examples/four.html)
share one Python (a SharedWorker) for the lab's own work, and each answer goes to the lab
that asked; a lab's removal, a runaway of the learner's code and another lab's lesson do
not stop the others. `?shared=0` in the lab's address gives each embed its own worker."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from conftest import SHARED_OFF, wait_until
from test_python_start import STATE, lab_frames

PRESET_SURFACES = ["parabola", "rosenbrock", "parabola", "rosenbrock"]

MOVE = """(delta) => {
  const range = document.getElementById('lr-range');
  range.value = String(Math.max(Number(range.min), Math.min(Number(range.max), Number(range.value) + delta)));
  range.dispatchEvent(new Event('input', { bubbles: true }));
  return Number(document.getElementById('lr-value').value);
}"""


def course_page(page, lab_url, host_url, shared=True, n=4):
    """The course page with n embeds, all ready (gdlab:ready); their frames, in lab order."""
    lab = lab_url if shared else lab_url + "?shared=0"
    page.goto(f"{host_url}four.html?n={n}&lab={quote(lab)}")
    frames = lab_frames(page, n)
    wait_until(lambda: page.evaluate(STATE).get("ready", "").count("lab") == n, 240,
               f"{n} gdlab:ready messages")
    for f in frames:
        assert f.evaluate(STATE).get("pythonShared") == ("1" if shared and not SHARED_OFF else "0")
    return frames


def frame_data(page, i):
    """What the course page keeps of lab i's messages: results (a count), lr, surface."""
    return page.evaluate("(id) => ({...document.getElementById(id).dataset})", f"lab{i}")


def move_and_wait(page, frames, i, delta, timeout=30.0):
    """Move lab i's slider by delta notches; wait for its gdlab:result at the new lr."""
    before = int(frame_data(page, i).get("results", "0"))
    lr = frames[i - 1].evaluate(MOVE, delta)

    def answered():
        d = frame_data(page, i)
        return (int(d.get("results", "0")) > before and abs(float(d["lr"]) / lr - 1) < 1e-3
                and d["surface"] == PRESET_SURFACES[(i - 1) % 4])
    wait_until(answered, timeout, f"lab {i}'s answer at lr {lr}")
    return lr


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "dedicated"])
def test_four_embeds_are_ready_and_each_draws_its_own_runs(page, lab_url, host_url, shared):
    frames = course_page(page, lab_url, host_url, shared)
    for i, f in enumerate(frames):
        # an embed starts Plotly when the learner comes to it (until then: its sketch)
        page.hover(f"#lab{i + 1}")
        wait_until(lambda: f.evaluate("() => document.getElementById('runs').dataset.pending") == "0"
                   and int(f.evaluate("() => document.getElementById('runs').dataset.drawn || 0")) >= 1,
                   60, f"lab {i + 1}'s runs drawn by Plotly")
        assert f.evaluate("() => document.getElementById('landscape').dataset.surface") == PRESET_SURFACES[i]
    # each lab asks for its own run at its own lr: the answers come back to the lab that asked
    lrs = [move_and_wait(page, frames, i, -(2 + i)) for i in (1, 2, 3, 4)]
    assert len(set(lrs[::2])) == 2 and len(set(lrs[1::2])) == 2
    if shared and not SHARED_OFF:   # one Python: every lab reports the same start-up stages
        assert len({f.evaluate(STATE)["pythonStages"] for f in frames}) == 1


def test_an_untouched_embed_keeps_its_sketch_until_the_pointer_comes(page, lab_url, host_url):
    """Plotly (about 15 MB a frame) and background work such as the slider's sweep (the
    regime bands under it) start in an embed only when the learner comes to it: the others
    show their sketches, the same figure with the runs Python answered."""
    frames = course_page(page, lab_url, host_url, n=2)
    plotly = "() => [document.body.dataset.plotlyMs || '', Boolean(window.Plotly)]"
    sketched = "() => document.getElementById('landscape').dataset.sketch || ''"
    bands = "() => document.getElementById('lr-bands').title"
    for f in frames:
        wait_until(lambda: f.evaluate("() => document.getElementById('runs').dataset.pending") == "0", 60,
                   "the runs Python answered, sketched")
        assert f.evaluate(sketched) == "1"
    time.sleep(1)
    assert [f.evaluate(plotly) for f in frames] == [["", False]] * 2
    assert [f.evaluate(bands) for f in frames] == ["", ""]
    page.hover("#lab1")
    wait_until(lambda: frames[0].evaluate(plotly)[0], 30, "Plotly's figure in the lab the pointer is over")
    assert frames[0].evaluate(sketched) == ""
    wait_until(lambda: frames[0].evaluate(bands), 30, "the sweep's bands under the slider of the lab in use")
    assert frames[1].evaluate(plotly) == ["", False] and frames[1].evaluate(sketched) == "1"
    # the untouched lab drew the view's file and asked Python for nothing
    assert frames[1].evaluate(bands) == "" and frames[1].evaluate(STATE).get("pythonCalls") is None
    # numpy.random is warmed only for a learner's code, never in the shared Python
    assert [f.evaluate(STATE).get("pythonWarmed") for f in frames] == [None, None]
    move_and_wait(page, frames, 2, -2)   # the sketch follows the slider
    assert frames[1].evaluate(sketched) == "1"


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "dedicated"])
def test_removing_one_embed_leaves_the_others_working(page, lab_url, host_url, shared):
    frames = course_page(page, lab_url, host_url, shared)
    # the first lab (which started the shared Python) goes while its slider's call is asked
    frames[0].evaluate(MOVE, -3)
    page.evaluate("() => document.getElementById('lab1').remove()")
    for i in (2, 3, 4):
        move_and_wait(page, frames, i, -3)
        move_and_wait(page, frames, i, 2)
    for f in frames[1:]:
        assert f.evaluate(STATE).get("pythonShared") == ("1" if shared and not SHARED_OFF else "0")


RUNAWAY = """async () => {
  const { createLabPython } = await import(new URL('static/python/worker-client.js', location.href).href);
  const py = createLabPython({ shared: true, timeLimitMs: 10000 });
  window.runaway = { py, state: 'running', shared: py.shared };
  await py.ready;
  py.call({ op: 'user', code: 'while True:\\n    pass\\n' }, { timeLimitMs: 4000 }).then(
    () => { window.runaway.state = 'finished'; },
    (err) => { window.runaway.state = err.reason; });
  return py.shared;
}"""


def test_a_runaway_in_one_embeds_code_does_not_stop_the_others(page, lab_url, host_url):
    """Embeds show no code pane, so the learner's code is run here through the lab's own
    client (createLabPython, as a lab with a code pane does): it goes to a dedicated worker
    of that lab, whose runaway is stopped and restarted while the shared Python answers."""
    frames = course_page(page, lab_url, host_url)
    assert frames[1].evaluate(RUNAWAY) is (not SHARED_OFF)
    answered_during = 0
    for delta in (-2, -2, 3):
        move_and_wait(page, frames, 3, delta)
        move_and_wait(page, frames, 2, delta)
        answered_during += frames[1].evaluate("() => window.runaway.state") == "running"
    assert answered_during >= 1, "no lab answered while the runaway ran"
    wait_until(lambda: frames[1].evaluate("() => window.runaway.state") == "timeout", 30,
               "the runaway stopped by its time limit")
    # the learner's worker restarted; the shared Python and the lab's own work go on
    out = frames[1].evaluate("""async () => {
      const py = window.runaway.py;
      const run = await py.call({ op: 'run', surface: 'bowl', optimizer: 'sgd', lr: 0.1, steps: 10 });
      const user = await py.call({ op: 'user', code: 'def loss(w):\\n    return w[0] ** 2\\nstart = [1.0]\\n' });
      return { shared: py.shared, run: run.steps_run, user: !user.error };
    }""")
    assert out == {"shared": not SHARED_OFF, "run": 10, "user": True}
    for i in (1, 2, 3, 4):
        move_and_wait(page, frames, i, 1)
    assert all(f.evaluate(STATE).get("pythonShared") == ("0" if SHARED_OFF else "1") for f in frames)


def test_a_slider_in_one_embed_is_answered_while_another_loads_a_lesson(page, lab_url, host_url):
    frames = course_page(page, lab_url, host_url)
    results = "() => document.getElementById('results').textContent"
    # lab 1 turns to a preset whose facts Python computes (a background call of ~2 s)
    page.evaluate("""() => document.getElementById('lab1').contentWindow.postMessage(
      { type: 'gdlab:set', preset: 'batch-sizes' }, '*')""")
    wait_until(lambda: "computing" in frames[0].evaluate(results), 30, "lab 1's lesson computing")
    during = 0
    for delta in (-2, -2, 3, 3, -1):
        move_and_wait(page, frames, 2, delta)
        during += "computing" in frames[0].evaluate(results)
    assert during >= 4, f"lab 2's slider waited for lab 1's lesson ({during} of 5 answered during it)"
    wait_until(lambda: frames[0].evaluate("() => Boolean(document.querySelector('#results dl.facts'))"),
               90, "lab 1's lesson facts")
