"""The browser's one entry point: shapes of what it returns, and no exception ever escapes."""

import json

import numpy as np
import pytest

from gdlab.bridge import handle
from gdlab.experiment import jsonable
from gdlab.surfaces import get_surface


def test_catalog_is_plain_json_with_every_picker_entry():
    cat = handle({"op": "catalog"})
    json.dumps(jsonable(cat), allow_nan=False)
    names = [s["name"] for s in cat["surfaces"]]
    assert names[0] == "parabola" and "rosenbrock" in names
    adam = next(o for o in cat["optimizers"] if o["name"] == "adam")
    assert {h["name"] for h in adam["hypers"]} >= {"beta1", "beta2", "eps", "weight_decay", "amsgrad"}
    assert "def step(w, g, lr, state)" in adam["code"]
    assert {s["name"] for s in cat["schedules"]} >= {"constant", "step", "exponential", "cosine",
                                                     "warmup-cosine", "one-cycle"}


@pytest.mark.parametrize("name", ["bowl", "rosenbrock", "parabola"])
def test_landscape_is_the_loss_on_the_grid(name):
    s = get_surface(name)
    out = handle({"op": "landscape", "surface": name, "n": 21})
    if s.dim == 2:
        assert out["z"].shape == (21, 21)
        i, j = 5, 13  # z[i, j] is the loss at (x[j], y[i])
        assert out["z"][i, j] == pytest.approx(float(s.loss(np.array([out["x"][j], out["y"][i]]))))
    else:
        assert out["z"].shape == (21,)
        assert out["z"][7] == pytest.approx(float(s.loss(np.array([out["x"][7]]))))
    assert out["x"][0] == s.bounds[0][0] and out["x"][-1] == s.bounds[0][1]


def test_run_returns_arrays_and_summary():
    out = handle({"op": "run", "surface": "bowl", "optimizer": "momentum", "lr": 0.01,
                  "steps": 100, "start": [3, 2]})
    assert out["path"].shape == (101, 2) and out["loss"].shape == (101,) and out["lr"].shape == (100,)
    assert out["path"].dtype == np.float64 and out["status"] in ("converged", "crawling")
    assert out["hyper"]["momentum"] == 0.9


def test_sweep_runs_all_rates_as_one_array():
    out = handle({"op": "sweep", "surface": "bowl", "optimizer": "sgd", "steps": 100,
                  "lrs": [0.124, 0.126, 0.25, 0.26]})
    assert out["paths"].shape == (4, 101, 2)
    assert out["status"] == ["converged", "converged", "oscillating", "diverged"]


@pytest.mark.parametrize("msg", [
    None, [], "run", {}, {"op": 3}, {"op": "nope"},
    {"op": "run", "surface": "<img src=x onerror=alert(1)>"},
    {"op": "run", "surface": "bowl", "lr": "<b>1</b>"},
    {"op": "run", "surface": "bowl", "lr": 1e308, "steps": 5},
    {"op": "run", "surface": "bowl", "steps": 10 ** 12},
    {"op": "run", "surface": "bowl", "start": "1,2,3"},
    {"op": "run", "surface": "bowl", "start": ["a", "b"]},
    {"op": "run", "surface": "bowl", "hyper": {"momentum": "lots"}},
    {"op": "run", "surface": "bowl", "hyper": "momentum=1"},
    {"op": "run", "surface": "bowl", "schedule": {"name": "cosine", "eta_min": "x"}},
    {"op": "landscape", "surface": "bowl", "n": 10 ** 9},
    {"op": "sweep", "surface": "bowl", "lrs": []},
    {"op": "compare", "runs": "all"},
    {"op": "lesson", "name": "no-such-lesson"},
])
def test_bad_messages_answer_with_an_error_and_never_raise(msg):
    out = handle(msg)
    assert isinstance(out.get("error"), str) and out["error"]
    assert "\n" not in out["error"]


def test_handle_json_sends_arrays_apart_and_no_nan_in_the_text():
    from gdlab.bridge import handle_json

    text, arrays = handle_json(json.dumps({"op": "sweep", "surface": "parabola", "steps": 400,
                                           "lrs": [0.1, 1.5]}))
    out = json.loads(text)
    ref = out["paths"]
    assert ref["shape"] == [2, 401, 1]
    data = arrays[ref["$nd"]].reshape(ref["shape"])
    assert np.isnan(data[1, -1, 0]) and data[0, 1, 0] == pytest.approx(-5 + 0.1 * 16)
    assert out["status"] == ["converged", "diverged"]
    text, arrays = handle_json("{not json")
    assert "error" in json.loads(text) and arrays == []
