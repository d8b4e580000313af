"""Limits, the slider's scale and the state keys: written once in Python, sent in the
catalog, and what build.py precomputes."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from gdlab import views
from gdlab import limits
from gdlab.bridge import handle
from gdlab.experiment import KEYS
from gdlab.limits import slider_lrs
from gdlab.surfaces import SURFACES, get_surface

ROOT = Path(__file__).resolve().parents[1]
CATALOG = handle({"op": "catalog"})


def notches_from_constants(lr: float, c: dict) -> list[float]:
    """The slider as documented in the catalog's `slider` entry, written independently."""
    lo = min(c["lo"], 10.0 ** np.floor(np.log10(lr / 10)))
    hi = max(c["hi"], 4 * lr)
    top = int(np.ceil(np.log10(hi / lo) * c["per_decade"]))
    raw = lo * 10.0 ** (np.arange(top + 1) / c["per_decade"])
    return [float(f"{x:.{c['digits'] - 1}e}") for x in raw]


@pytest.mark.parametrize("entry", CATALOG["surfaces"], ids=lambda e: e["name"])
def test_slider_notches_equal_the_documented_scale(entry):
    mine = slider_lrs(get_surface(entry["name"]))
    assert mine == notches_from_constants(entry["lr"], CATALOG["slider"])
    assert entry["slider"]["max"] == len(mine) - 1 and entry["slider"]["lo"] == mine[0]
    assert mine[0] <= entry["lr"] <= mine[-1] and mine[-1] >= entry["slider"]["hi"] * 0.95
    steps = np.diff(np.log10(mine))
    assert np.all(steps > 0) and np.allclose(steps, 1 / 48, atol=5e-3)


def test_the_home_surface_has_208_notches_from_1e_4_to_past_2():
    lrs = slider_lrs(SURFACES["parabola"])
    assert lrs[0] == 1e-4 and lrs[48] == 1e-3 and lrs[-1] == 2.05 and lrs[-2] < 2
    assert len(lrs) == 1 + math.ceil(math.log10(2 / 1e-4) * 48)


def test_rounding_takes_half_way_cases_up_like_to_precision():
    assert limits.round_significant(1.125) == 1.13 and limits.round_significant(0.0001) == 1e-4
    assert limits.round_significant(9.996) == 10.0


def test_build_precomputes_exactly_the_home_slider_notches():
    sys.path.insert(0, str(ROOT))
    try:
        import build
    finally:
        sys.path.remove(str(ROOT))
    boot = build.boot_data()
    assert boot["catalog"]["limits"] == limits.limits()
    home = get_surface(boot["home"])
    view = views.surface_view(home.name, slider_lrs(home), home=True)
    sgd = sorted(r["spec"]["lr"] for r in view["runs"] if r["spec"]["optimizer"] == "sgd")
    assert sgd == slider_lrs(home)        # plain GD at every notch of the home view's slider
    assert [r["run"]["lr_base"] for r in view["runs"] if r["spec"]["optimizer"] == "sgd"] == \
        [r["spec"]["lr"] for r in view["runs"] if r["spec"]["optimizer"] == "sgd"]


def test_limits_are_the_ones_the_core_enforces():
    lim = CATALOG["limits"]
    assert lim["steps_max"] < lim["core_steps_max"]
    ok = handle({"op": "run", "surface": "parabola", "steps": lim["core_steps_max"], "lr": 0.1})
    assert "error" not in ok
    too_many = handle({"op": "run", "surface": "parabola", "steps": lim["core_steps_max"] + 1})
    assert "error" in too_many
    code = f"def loss(w):\n    return w[0] ** 2\n\nstart = [1.0]\nsteps = {lim['steps_max'] + 1}\n"
    assert "error" in handle({"op": "user", "code": code})
    assert "error" in handle({"op": "run", "surface": "parabola", "lr": lim["lr_max"] * 1.01})


def test_state_keys_list_every_key_once_and_give_the_core_keys():
    specs = CATALOG["state_keys"]
    names = [k["key"] for k in specs]
    assert len(names) == len(set(names))
    assert tuple(k["key"] for k in specs if k["run"]) == KEYS
    assert {k["key"] for k in specs if k["url"]} == {"surface", "optimizer", "lr", "steps",
                                                      "start", "hyper", "schedule", "batch_size",
                                                      "seed", "preset", "embed", "controls", "keep",
                                                      "code", "id", "slice", "slice_seed",
                                                      "slice_at", "axes", "shared", "layers",
                                                      "activation", "init_seed"}
    by = {k["key"]: k for k in specs}
    assert by["steps"]["max"] == CATALOG["limits"]["steps_max"]
    assert by["lr"]["max"] == CATALOG["limits"]["lr_max"] and by["lr"]["min_exclusive"]
    assert by["start"]["max"] == CATALOG["limits"]["coord_max"]
