"""The code pane's program, from one Python function: running it does what the lab does."""

import numpy as np
import pytest

from gdlab.bridge import handle
from gdlab.lessons import LESSONS
from gdlab.program import program
from gdlab.schedules import SCHEDULES


def _runs_like_the_lab(state: dict, text: str) -> None:
    """The program's own step (or plain descent), run as learner code, gives the lab's path."""
    lab = handle({"op": "run", **state})
    mine = handle({"op": "user", "code": text, "landscape": False})
    assert "error" not in mine, mine.get("error")
    np.testing.assert_allclose(mine["path"], lab["path"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(LESSONS))
def test_a_preset_program_is_the_preset_code_and_follows_the_page_settings(name):
    lesson = LESSONS[name]
    out = handle({"op": "program", "preset": name})
    assert out["program"] == lesson.code
    lines = out["program"].splitlines()
    assert lines[out["lr_line"] - 1].startswith("lr = ")
    moved = handle({"op": "program", "preset": name, "lr": 0.0123, "steps": 7})
    assert "lr = 0.0123" in moved["program"] and "steps = 7" in moved["program"]


@pytest.mark.parametrize("state", [
    {"surface": "bowl", "optimizer": "sgd", "lr": 0.1, "steps": 30},
    {"surface": "bowl", "optimizer": "sgd", "lr": 0.05, "steps": 30, "hyper": {"momentum": 0.5}},
    {"surface": "bowl", "optimizer": "nesterov", "lr": 0.05, "steps": 30},
    {"surface": "rosenbrock", "optimizer": "adagrad", "lr": 0.1, "steps": 50,
     "hyper": {"lr_decay": 0.01}},
    {"surface": "bowl", "optimizer": "rmsprop", "lr": 0.01, "steps": 40,
     "hyper": {"centered": True, "momentum": 0.5}},
    {"surface": "ellipse", "optimizer": "adamw", "lr": 0.1, "steps": 40},
])
def test_an_optimizer_program_runs_like_the_lab(state):
    text = program(state)
    assert text.startswith("# ") and ("def step" in text) == (
        state["optimizer"] != "sgd" or "hyper" in state)
    _runs_like_the_lab(state, text)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_program_runs_like_the_lab(name):
    state = {"surface": "parabola", "lr": 0.3, "steps": 40, "schedule": {"name": name}}
    _runs_like_the_lab(state, program(state))


@pytest.mark.parametrize("extra", [
    {"optimizer": "momentum", "schedule": {"name": "cosine"}},
    {"optimizer": "adam", "clip": 0.5},
    {"optimizer": "sgd", "clip": 0.5, "schedule": {"name": "step", "step_size": 5}},
    {"optimizer": "rmsprop", "clip": 1.0, "schedule": {"name": "one-cycle"}},
])
def test_combined_rules_compose_into_one_step_that_runs_like_the_lab(extra):
    """A schedule, clipping and an optimizer together: the old generator wrote only the
    first of them; the composed step does all three, in the runner's order."""
    state = {"surface": "bowl", "lr": 0.2, "steps": 40, **extra}
    text = program(state)
    assert text.count("def step(") == 1
    _runs_like_the_lab(state, text)


def test_the_default_header_names_the_surface_and_bad_states_are_errors():
    assert program({"surface": "bowl"}).startswith("# Bowl w₀² + 4w₁²: L(w) = w₀² + 4·w₁²\n")
    assert "error" in handle({"op": "program", "surface": "nope"})
    assert "error" in handle({"op": "program", "surface": "bowl", "lr": -1})
