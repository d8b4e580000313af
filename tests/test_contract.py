"""The bridge's written contract: every op answers exactly the keys schemas.py documents,
docs/architecture.md shows those schemas, and the answers keep the promises they make
(lr per step everywhere, a sweep runs its schedule)."""

from pathlib import Path

import json

import numpy as np
import pytest

from gdlab import schemas
from gdlab.bridge import OPS, handle, handle_json

DOCS = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

QUAD = "def loss(w):\n    return (w[0] - 1) ** 2\n\nstart = [0.0]\nlr = 0.1\nsteps = 20\n"
PLAIN_STEP = QUAD + "\ndef step(w, g, lr, state):\n    return w - lr * g, state\n"

MESSAGES = {
    "catalog": [{}],
    "landscape": [{"surface": "bowl", "n": 11}, {"surface": "parabola", "n": 11}],
    "run": [{"surface": "bowl"},
            {"surface": "parabola", "lr": 1.5, "steps": 400},
            {"surface": "parabola", "schedule": {"name": "cosine"}, "clip": 1.0},
            {"surface": "fit-line", "batch_size": 2, "seed": 3},
            {"surface": "overfit", "steps": 30},
            {"surface": "moons-mlp", "layers": "2,4,1", "activation": "relu", "init_seed": 1,
             "optimizer": "adam", "lr": 0.01, "steps": 20, "batch_size": 16}],
    "sweep": [{"surface": "bowl", "lrs": [0.1, 0.3], "steps": 50},
              {"surface": "parabola", "lr_min": 0.01, "lr_max": 1.0, "num": 3,
               "schedule": {"name": "step", "step_size": 5}}],
    "compare": [{"runs": [{"surface": "bowl", "label": "a"},
                          {"surface": "bowl", "optimizer": "adam"}]},
                {"runs": [{"surface": "overfit", "steps": 10}]},
                {"runs": [{"surface": "xor-mlp", "layers": [2, 3, 1], "steps": 10},
                          {"surface": "noisy-labels", "steps": 10}]}],
    "lesson": [{"name": "lr-regimes"}, {"name": "quartic-restarts"}],
    "user": [{"code": QUAD, "compare": "adam"}, {"code": PLAIN_STEP, "landscape": False},
             {"code": "def loss(w):\n    return w[0] ** 2 + w[1] ** 2\n\nstart = [1.0, 1.0]\n",
              "n": 5}],
    "check": [{"code": PLAIN_STEP, "reference": "sgd"},
              {"code": PLAIN_STEP, "reference": "momentum"}],
    "variance": [{"surface": "linreg", "batch_size": 8}],
    "boundary": [{"surface": "moons-mlp", "layers": "2,4,1", "steps": 20, "frames": 3, "size": 7},
                 {"surface": "xor-mlp", "layers": [2, 3, 1], "w": [0.1] * 13}],
    "warm": [{"modules": ["numpy.random"]}, {"modules": []}],
    "program": [{"surface": "bowl", "optimizer": "adam", "lr": 0.05},
                {"preset": "schedules", "lr": 0.3}],
    "slice": [{"surface": "noisy-labels", "size": 11},
              {"surface": "linreg", "slice": "random", "slice_seed": 4, "size": 9},
              {"surface": "overfit", "slice": "coords", "axes": "3,7", "slice_at": "start",
               "steps": 30},
              {"surface": "bowl", "lr": 1.5, "steps": 400}],
}

BAD = {
    "catalog": None, "landscape": {"surface": "nope"}, "run": {"lr": -1},
    "sweep": {"lrs": []}, "compare": {"runs": 3}, "lesson": {"name": "nope"},
    "user": {"code": "def loss(w):\n    return 1 +\n"}, "check": {"code": QUAD},
    "program": {"preset": "no-such-preset"}, "variance": {"surface": "bowl"},
    "slice": {"surface": "linreg", "slice": "sideways"},
    "boundary": {"surface": "bowl"},
    "warm": {"modules": ["os"]},
}


def _check(answer: dict, schema: dict, where: str, seen: set) -> None:
    required, optional = schemas.keys(schema)
    got = set(answer) - {"op"} if where in schemas.ANSWERS else set(answer)
    assert not got - required - optional, f"{where}: undocumented keys {sorted(got - required - optional)}"
    assert not required - got, f"{where}: documented keys missing {sorted(required - got)}"
    seen.update(f"{where}.{k}" for k in got & optional)


def _check_nested(op: str, out: dict, seen: set) -> None:
    if op == "catalog":
        for part in ("surfaces", "optimizers", "schedules", "lessons"):
            for entry in out[part]:
                _check(entry, schemas.ITEMS[f"catalog.{part}"], f"catalog.{part}", seen)
                for h in entry.get("hypers", []):
                    _check(h, schemas.ITEMS["hyper"], "hyper", seen)
        for entry in out["networks"]:
            _check(entry, schemas.ITEMS["catalog.networks"], "catalog.networks", seen)
            for setting in entry["settings"]:
                _check(setting, schemas.ITEMS["catalog.settings"], "catalog.settings", seen)
        for entry in out["state_keys"]:
            _check(entry, schemas.ITEMS["catalog.state_keys"], "catalog.state_keys", seen)
        for part in ("limits", "slider"):
            _check(out[part], schemas.ITEMS[f"catalog.{part}"], f"catalog.{part}", seen)
    if op == "compare":
        for r in out["runs"]:
            _check(r, schemas.ITEMS["compare.runs"], "compare.runs", seen)
    if op == "user":
        for part in ("compare", "landscape"):
            if part in out:
                _check(out[part], schemas.ITEMS[f"user.{part}"], f"user.{part}", seen)


def test_every_op_has_a_schema_and_representative_messages():
    assert set(schemas.ANSWERS) == set(OPS) == set(MESSAGES) == set(BAD)


def test_every_answer_has_exactly_its_documented_keys():
    seen: set[str] = set()
    for op, messages in MESSAGES.items():
        for msg in messages:
            out = handle({"op": op, **msg})
            assert "error" not in out, (op, msg, out.get("error"))
            assert out["op"] == op
            _check(out, schemas.ANSWERS[op], op, seen)
            _check_nested(op, out, seen)
    optional = {f"{where}.{k[:-1]}" for where, schema in {**schemas.ANSWERS, **schemas.ITEMS}.items()
                for k in schema if k.endswith("?")}
    assert optional - seen == set(), "optional keys no message exercised"


@pytest.mark.parametrize("op", sorted(BAD))
def test_error_answers_have_the_documented_keys(op):
    out = handle({"op": op, **(BAD[op] or {})}) if op != "catalog" else handle({"op": "nope"})
    required, optional = schemas.keys(schemas.ERRORS)
    assert "error" in out and set(out) <= required | optional
    if op in ("user", "check"):
        assert {"line", "traceback", "stdout"} <= set(out)


def test_the_docs_show_the_schemas_as_written():
    assert schemas.render() in DOCS.read_text(), "run: python3 -m gdlab.schemas and paste it"


def test_lr_is_a_per_step_array_in_run_and_user_answers():
    run = handle({"op": "run", "surface": "parabola", "lr": 0.1, "steps": 20, "start": [0.0]})
    user = handle({"op": "user", "code": QUAD, "landscape": False})
    for out in (run, user):
        assert isinstance(out["lr"], np.ndarray) and out["lr"].shape == (20,)
        assert out["lr_base"] == 0.1 and np.all(out["lr"] == 0.1)


@pytest.mark.parametrize("schedule", [{"name": "cosine"}, {"name": "step", "step_size": 7},
                                      {"name": "warmup-cosine", "warmup": 5},
                                      {"name": "one-cycle"}])
def test_a_sweep_runs_its_schedule_like_separate_runs(schedule):
    lrs = [0.02, 0.1, 0.5]
    base = {"surface": "bowl", "optimizer": "momentum", "steps": 40, "schedule": schedule}
    sweep = handle({"op": "sweep", "lrs": lrs, **base})
    assert sweep["schedule"]["name"] == schedule["name"]
    for k, lr in enumerate(lrs):
        one = handle({"op": "run", "lr": lr, **base})
        assert sweep["status"][k] == one["status"]
        np.testing.assert_allclose(sweep["paths"][k, :len(one["path"])], one["path"], rtol=1e-12)
    plain = handle({"op": "sweep", "lrs": lrs, **{**base, "schedule": None}})
    assert not np.allclose(plain["paths"], sweep["paths"])


@pytest.mark.parametrize("msg, words", [
    ({"surface": "parabola"}, "at least 2"),
    ({"surface": "linreg", "slice": "sideways"}, "slice must be one of"),
    ({"surface": "linreg", "slice_at": "middle"}, "slice_at must be one of"),
    ({"surface": "linreg", "slice": "coords", "axes": "1,1"}, "two different"),
    ({"surface": "linreg", "slice": "coords", "axes": "0,4"}, "axes must be <= 3"),
    ({"surface": "linreg", "slice": "coords", "axes": "0"}, "two weight indices"),
    ({"surface": "linreg", "slice_seed": -1}, "slice_seed must be >= 0"),
    ({"surface": "linreg", "size": 2}, "size must be >= 3"),
    ({"surface": "linreg", "size": 10_000}, "size must be <="),
    ({"surface": "linreg", "lr": -1}, "lr must be > 0"),
])
def test_a_bad_slice_setting_is_one_line_naming_it(msg, words):
    out = handle({"op": "slice", **msg})
    assert words in out["error"] and "\n" not in out["error"]


def test_a_slice_answer_travels_through_json_as_arrays_and_null():
    text, arrays = handle_json('{"op": "slice", "surface": "linreg", "slice": "random"}')
    out = json.loads(text)
    assert out["op"] == "slice" and out["explained"] is None and out["axes"] is None
    grid = arrays[out["loss"]["$nd"]].reshape(out["loss"]["shape"])
    assert out["loss"]["shape"] == [41, 41] and np.all(np.isfinite(grid))
    assert out["directions"]["shape"] == [2, 4] and out["path_ab"]["shape"] == [201, 2]


def test_a_boundary_is_the_networks_probability_on_the_data_box():
    """prob[..., i, j] = σ(z(x[j], y[i])) at the weights sent (K rows at once), and a run's
    frames are its steps' weights; the box holds every row."""
    from gdlab import networks

    ws = np.stack([networks.glorot((2, 3, 1), k) for k in range(2)])
    out = handle({"op": "boundary", "surface": "xor-mlp", "layers": "2,3,1", "w": ws.tolist(),
                  "size": 5})
    assert out["prob"].shape == (2, 5, 5)
    net = networks.network("xor-mlp", "2,3,1")
    z = net.logits(ws[1], np.array([[out["x"][3], out["y"][1]]]))
    assert out["prob"][1, 1, 3] == pytest.approx(1 / (1 + np.exp(-z[0])), rel=1e-12)
    X, _, Xv, _ = networks.dataset("xor")
    (x0, x1), (y0, y1) = out["bounds"]
    assert x0 < min(X[:, 0].min(), Xv[:, 0].min()) and y1 > max(X[:, 1].max(), Xv[:, 1].max())
    run = handle({"op": "run", "surface": "xor-mlp", "layers": "2,3,1", "steps": 10})
    framed = handle({"op": "boundary", "surface": "xor-mlp", "layers": "2,3,1", "steps": 10,
                     "frames": 3, "size": 5})
    assert framed["steps_at"] == [0, 5, 10]
    again = handle({"op": "boundary", "surface": "xor-mlp", "layers": "2,3,1", "size": 5,
                    "w": run["path"][[0, 5, 10]].tolist()})
    np.testing.assert_array_equal(framed["prob"], again["prob"])
    assert "needs 13 weights" in handle({"op": "boundary", "surface": "xor-mlp",
                                         "layers": "2,3,1", "w": [0.0] * 5})["error"]


def test_a_sweep_of_a_network_runs_with_its_settings():
    msg = {"surface": "moons-mlp", "layers": "2,4,1", "lrs": [0.1, 1.0], "steps": 20}
    sweep = handle({"op": "sweep", **msg})
    assert "error" not in sweep and sweep["paths"].shape == (2, 21, 17)
    assert sweep["thresholds"]["why"]
    one = handle({"op": "run", **{k: v for k, v in msg.items() if k != "lrs"}, "lr": 1.0})
    np.testing.assert_allclose(sweep["paths"][1], one["path"], rtol=1e-12)
    assert sweep["status"][1] == one["status"]
