"""The command line, as a terminal user and a script would use it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdlab.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
SURFACE_NAMES = ["parabola", "valley", "bowl", "ill-conditioned", "ellipse", "rosenbrock",
                 "double-well", "quartic", "revenue", "saddle", "himmelblau", "fit-line",
                 "house-prices", "linreg"]
OPTIMIZER_NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv):
    code, out, err = cli(capsys, *argv, "--json")
    assert code == 0, err

    def no_nan(token):
        raise AssertionError(f"JSON must not contain {token}")

    return json.loads(out, parse_constant=no_nan)


def test_the_console_entry_point_runs(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "py")}
    proc = subprocess.run([sys.executable, "-m", "gdlab", "run", "bowl", "--optimizer", "adam",
                           "--lr", "0.1", "--steps", "50"], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "bowl" in proc.stdout and "status" in proc.stdout


def test_catalog_commands_list_every_promised_name(capsys):
    surfaces = {s["name"] for s in cli_json(capsys, "surfaces")["surfaces"]}
    assert set(SURFACE_NAMES) <= surfaces
    optimizers = [o["name"] for o in cli_json(capsys, "optimizers")["optimizers"]]
    assert optimizers[:7] == OPTIMIZER_NAMES
    code, out, _ = cli(capsys, "surfaces")
    assert code == 0 and "rosenbrock" in out and "himmelblau" in out


def test_run_json_has_every_promised_field_and_the_true_path(capsys):
    r = cli_json(capsys, "run", "parabola", "--optimizer", "sgd", "--lr", "0.1", "--steps", "30")
    for key in ("surface", "optimizer", "hyper", "start", "path", "loss", "lr", "status",
                "diverged_at", "steps_to_tol", "distance_to_min", "path_length"):
        assert key in r
    expected = 3 + 0.8 ** np.arange(31) * -8.0
    np.testing.assert_allclose(np.array(r["path"])[:, 0], expected, rtol=1e-12)
    assert len(r["loss"]) == 31 and len(r["lr"]) == 30 and r["status"] == "converged"
    assert r["hyper"] == {"momentum": 0.0, "dampening": 0.0, "nesterov": False,
                          "weight_decay": 0.0, "ema": False}


def test_a_diverged_run_stops_at_its_first_non_finite_row(capsys):
    r = cli_json(capsys, "run", "parabola", "--lr", "1.5", "--steps", "1000")
    assert r["status"] == "diverged"
    # |w − 3| = 8·2^t passes 1e100 (our "left the numbers" bound) at the first t below
    first = next(t for t in range(1000) if 8 * 2.0 ** t >= 1e100 or (8 * 2.0 ** t) ** 2 >= 1e100)
    assert r["diverged_at"] == first and len(r["path"]) == first
    assert all(v is not None for row in r["path"] for v in row)


def test_hyperparameters_schedules_and_clipping_reach_the_run(capsys):
    r = cli_json(capsys, "run", "bowl", "--optimizer", "adam", "--lr", "0.1", "--steps", "20",
                 "-p", "beta1=0.8", "-p", "amsgrad=true", "--schedule", "step",
                 "-s", "step_size=5", "-s", "gamma=0.5", "--clip", "1.0")
    assert r["hyper"]["beta1"] == 0.8 and r["hyper"]["amsgrad"] is True
    np.testing.assert_allclose(r["lr"], 0.1 * 0.5 ** (np.arange(20) // 5))


def test_analyze_gives_both_thresholds_of_the_bowl(capsys):
    a = cli_json(capsys, "analyze", "bowl")
    assert a["hessian_eigenvalues"] == pytest.approx([2, 8])
    assert a["lr_monotone"] == pytest.approx(0.125) and a["lr_stable"] == pytest.approx(0.25)
    assert a["condition_number"] == pytest.approx(4)
    code, out, _ = cli(capsys, "analyze", "ill-conditioned")
    assert code == 0 and "0.01" in out  # 1/λmax = 1/200 = 0.005, 2/λmax = 0.01


def test_sweep_agrees_with_separate_runs(capsys):
    s = cli_json(capsys, "sweep", "valley", "--optimizer", "sgd", "--lr-min", "0.01",
                 "--lr-max", "1.5", "--num", "7", "--steps", "20")
    for lr, status in zip(s["lrs"], s["status"]):
        r = cli_json(capsys, "run", "valley", "--lr", repr(lr), "--steps", "20")
        assert r["status"] == status


@pytest.mark.parametrize("extra", [
    ["--schedule", "cosine"],
    ["--schedule", "step", "-s", "step_size=10", "-s", "gamma=0.5"],
])
def test_sweep_runs_a_schedule_like_separate_runs(capsys, extra):
    out = cli_json(capsys, "sweep", "bowl", "--lr-min", "0.02", "--lr-max", "0.3", "--num", "4",
                   "--steps", "40", *extra)
    assert out["schedule"]["name"] == extra[1]
    assert out["thresholds"]["lr_stable"] is None            # no thresholds under a schedule
    for lr, loss, status in zip(out["lrs"], out["final_loss"], out["status"]):
        one = cli_json(capsys, "run", "bowl", "--lr", repr(lr), "--steps", "40", *extra)
        assert one["loss"][-1] == pytest.approx(loss, rel=1e-12) and one["status"] == status


def test_sweep_takes_batches_and_seeds_like_separate_runs(capsys):
    out = cli_json(capsys, "sweep", "linreg", "--lr-min", "0.01", "--lr-max", "0.1", "--num", "3",
                   "--steps", "30", "--batch-size", "8", "--seed", "3")
    for lr, loss in zip(out["lrs"], out["final_loss"]):
        one = cli_json(capsys, "run", "linreg", "--lr", repr(lr), "--steps", "30", "--batch-size", "8",
                       "--seed", "3")
        assert one["loss"][-1] == pytest.approx(loss, rel=1e-12)


def test_compare_runs_each_optimizer_with_its_own_settings(capsys):
    c = cli_json(capsys, "compare", "rosenbrock", "--optimizers", "sgd,momentum,adam",
                 "--lr", "0.001", "--lr", "adam=0.01", "-p", "adam.beta1=0.85",
                 "--steps", "100")
    runs = {r["optimizer"]: r for r in c["runs"]}
    assert runs["sgd"]["lr_base"] == 0.001 and runs["adam"]["lr_base"] == 0.01
    assert runs["adam"]["hyper"]["beta1"] == 0.85 and runs["momentum"]["hyper"]["momentum"] == 0.9
    code, out, _ = cli(capsys, "compare", "bowl", "--optimizers", "sgd,adam")
    assert code == 0 and "adam" in out and "path_length" in out


@pytest.mark.parametrize("argv, words", [
    (["run", "no-such-surface"], "unknown surface"),
    (["run", "bowl", "--lr", "0"], "lr must be > 0"),
    (["run", "bowl", "--lr", "-1"], "lr must be > 0"),
    (["run", "bowl", "--lr", "fast"], "lr must be a number"),
    (["run", "bowl", "--lr", "nan"], "finite"),
    (["run", "bowl", "-p", "momentum"], "NAME=VALUE"),
    (["run", "bowl", "--optimizer", "adam", "-p", "betaa=0.9"], "betaa"),
    (["run", "bowl", "--optimizer", "lbfgs"], "lbfgs"),
    (["run", "bowl", "--steps", "1000000000"], "steps must be <="),
    (["run", "bowl", "--steps", "2.5"], "whole number"),
    (["run", "bowl", "--start", "1"], "start needs 2"),
    (["run", "bowl", "--frobnicate"], "unrecognized"),
    (["run", "bowl", "--schedule", "zigzag"], "zigzag"),
    (["run", "bowl", "--batch-size", "4"], "no data"),
    (["sweep", "bowl", "--lr-min", "0", "--lr-max", "1"], "lr_min must be > 0"),
    (["analyze", "bowl", "--at", "1,2,3"], "needs 2"),
    (["lesson", "no-such-lesson"], "unknown lesson"),
    ([], "required"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, words):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("gdlab: error:") and words in err
    assert "Traceback" not in err
