"""The network view files a link paints from (py/gdlab/views.py), as build.py ships them in
dist/static/views/: the surface views of the five DATASET-mlp surfaces at their defaults
and the network presets' views. They carry projected paths instead of weights, so each
is checked against what the core computes: the runs' real paths (run_experiment) put on
the view's plane, their losses, the decision-boundary frames, and the 300 kB gzip budget
(issue 19)."""

from __future__ import annotations

import gzip
import json
import os
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from gdlab import networks, slices, views  # noqa: E402
from gdlab.experiment import prepare, run_experiment  # noqa: E402
from gdlab.lessons import LESSONS  # noqa: E402
from gdlab.limits import slider_lrs  # noqa: E402
from gdlab.optimizers import OPTIMIZERS  # noqa: E402

BUDGET = 300_000   # bytes of a network view file, gzip -9 (issue 19)
NET_PRESETS = [n for n, lesson in LESSONS.items()
               if networks.is_network(prepare(lesson.state)["surface"].name)]
NET_VIEWS = [f"surface-{n}" for n in networks.NAMES] + [f"preset-{n}" for n in NET_PRESETS]
# Views whose every run is retrained by the path test: the presets (300 steps of 2-8-1) and
# one surface; the other surfaces' 13 runs of 1000 steps at d = 337 cost about a minute
# each, so they check a sample (GDLAB_ALL_VIEW_RUNS=1 checks every run of every view).
EVERY_RUN = {f"preset-{n}" for n in NET_PRESETS} | {"surface-moons-mlp"}
SAMPLE = ("sgd", "adam", "notch")   # a surface view's sgd and adam runs and its last notch


@pytest.fixture(scope="module")
def dist_views() -> Path:
    if build.needs_build():
        build.build()
    return build.DIST / "static/views"


@lru_cache(maxsize=None)
def _read(path: Path) -> tuple[bytes, dict]:
    raw = path.read_bytes()
    return raw, json.loads(raw)


def _state(spec: dict) -> dict:
    return {**{k: v for k, v in spec.items() if k != "extra"}, **spec["extra"]}


_RUNS: dict = {}


def _real(spec: dict) -> dict:
    """run_experiment of a spec, once per test module."""
    key = json.dumps(spec, sort_keys=True)
    if key not in _RUNS:
        _RUNS[key] = run_experiment(_state(spec))
    return _RUNS[key]


def _checked(name: str, runs: list[dict]) -> list[dict]:
    if name in EVERY_RUN or os.environ.get("GDLAB_ALL_VIEW_RUNS"):
        return runs
    notch = [r for r in runs if r["role"] == "notch"][-1:]
    return [r for r in runs if r["role"] == "live" and r["spec"]["optimizer"] in SAMPLE] + notch


def _close_to_digits(got, want, digits: int, scale: float) -> None:
    """``got`` is ``want`` rounded to ``digits`` significant digits (to float noise of
    ``scale``, the largest magnitude drawn beside it)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0.51 * 10.0 ** (1 - digits), atol=1e-12 * scale)


def test_every_network_surface_and_preset_has_a_view_within_budget(dist_views):
    sizes = {}
    for name in NET_VIEWS:
        raw, view = _read(dist_views / f"{name}.json")
        sizes[name] = len(gzip.compress(raw, 9))
        assert view["landscape"] is None and view["slice"] is not None and view["boundary"]
    assert max(sizes.values()) <= BUDGET, sizes


@pytest.mark.parametrize("name", [f"surface-{n}" for n in networks.NAMES])
def test_a_network_surface_view_has_each_optimizer_live_and_sgd_at_the_notches(dist_views, name):
    _, view = _read(dist_views / f"{name}.json")
    surface = networks.surface(view["surface"])
    live = [r for r in view["runs"] if r["role"] == "live"]
    assert [r["spec"]["optimizer"] for r in live] == list(OPTIMIZERS)
    assert {(r["spec"]["lr"], r["spec"]["steps"]) for r in live} == {(surface.lr, surface.steps)}
    assert view["slice"]["spec"] == view["boundary"]["spec"] == live[0]["spec"]
    notches = slider_lrs(surface)
    i = notches.index(surface.lr)
    near = notches[i - views.NET_AROUND: i] + notches[i + 1: i + views.NET_AROUND + 1]
    notch = [r for r in view["runs"] if r["role"] == "notch"]
    assert [r["spec"]["lr"] for r in notch] == near
    assert all(r["spec"]["optimizer"] == "sgd" and "final_w" not in r["run"] for r in notch)
    assert [p["spec"] for p in view["programs"]] == [r["spec"] for r in live]
    for p in view["programs"]:
        assert f"lr = {p['spec']['lr']}" in p["program"] and "def grad(w)" in p["program"]


@pytest.mark.parametrize("name", [f"preset-{n}" for n in NET_PRESETS])
def test_a_network_preset_view_carries_the_notches_around_its_lr(dist_views, name):
    _, view = _read(dist_views / f"{name}.json")
    live = view["runs"][0]
    notch = [r for r in view["runs"] if r["role"] == "notch"]
    if live["spec"]["extra"].get("schedule"):
        assert notch == []
        return
    lrs = slider_lrs(prepare(_state(live["spec"]))["surface"])
    assert 1 <= len(notch) <= 2 * views.NET_AROUND + 1   # + 1 when its lr is no notch
    for r in notch:
        assert r["spec"]["lr"] in lrs and r["spec"]["lr"] != live["spec"]["lr"]
        assert {**r["spec"], "lr": None} == {**live["spec"], "lr": None}


@pytest.mark.parametrize("name", NET_VIEWS)
def test_a_network_views_paths_are_the_real_paths_on_its_plane(dist_views, name):
    """Each run's path_ab is its real path (run_experiment of its spec) projected on the
    view's plane, the file's ``slice`` directions and centre, to the file's 5 digits (the
    plane the page projects a live run on); that plane is the slice op's for the first
    live run to 5 digits, so path_ab is also the projection on the unrounded plane to 1e-4
    of the path's extent. The losses and accuracies are the run's to the file's digits."""
    _, view = _read(dist_views / f"{name}.json")
    first = slices.finite_path(_real(view["slice"]["spec"])["path"])
    D, _ = slices.pca_directions(first)
    _close_to_digits(view["slice"]["directions"], D, 5, 1.0)
    _close_to_digits(view["slice"]["centre"], first[-1], 5, float(np.abs(first[-1]).max()))
    file_D = np.asarray(view["slice"]["directions"])
    file_c = np.asarray(view["slice"]["centre"])
    for entry in _checked(name, view["runs"]):
        run = entry["run"]
        out = _real(entry["spec"])
        path = slices.finite_path(out["path"])
        ab, _ = slices.project(path, file_c, file_D)
        scale = float(np.abs(ab).max()) + 1.0
        _close_to_digits(run["path_ab"], ab, 5, scale)
        exact, _ = slices.project(path, first[-1], D)
        np.testing.assert_allclose(run["path_ab"], exact, atol=1e-4 * scale)
        _close_to_digits(run["loss"], out["loss"], views.DIGITS, float(np.nanmax(np.abs(out["loss"]))))
        for key in ("acc", "val_acc", "val_loss"):
            _close_to_digits(run[key], out[key], 5, 1.0)
        assert run["start"] is None and "path" not in run
        if entry["role"] != "notch":
            _close_to_digits(run["final_w"], out["final_w"], views.DIGITS, 1.0)
        for key in ("status", "diverged_at", "steps", "dim"):
            assert run[key] == out[key]


@pytest.mark.parametrize("name", NET_VIEWS)
def test_a_network_views_boundary_frames_are_the_live_runs(dist_views, name):
    """The boundary's frames are networks.boundary at the first live run's weights at
    steps_at (the first step, the last and FRAMES spread between), to PROB_DIGITS decimals."""
    _, view = _read(dist_views / f"{name}.json")
    b = view["boundary"]
    assert b["spec"] == view["runs"][0]["spec"]
    state = _state(b["spec"])
    out = _real(b["spec"])
    m = len(out["path"]) - 1
    assert b["steps_at"][0] == 0 and b["steps_at"][-1] == m and len(b["steps_at"]) == views.FRAMES
    settings = networks.settings_of(prepare(state)["surface"])
    want = networks.boundary(b["spec"]["surface"], out["path"][b["steps_at"]],
                             settings["layers"], settings["activation"])
    prob = np.asarray(b["prob"])
    assert prob.shape == (views.FRAMES, networks.BOX_SIZE, networks.BOX_SIZE)
    np.testing.assert_allclose(prob, want["prob"], atol=0.5 * 10.0 ** -views.PROB_DIGITS + 1e-12)
    np.testing.assert_allclose(b["x"], want["x"], rtol=5e-5)
    np.testing.assert_allclose(b["y"], want["y"], rtol=5e-5)
    assert b["bounds"] == want["bounds"]
