"""Slices through many dimensions (slices.py, the bridge op and `gdlab slice`/`gdlab data`)
against independent references: numpy's SVD and eigh of the centred path, the loss
recomputed from `gdlab data`'s rows, runs built to lie in a plane, and Gram–Schmidt by QR."""

import json

import numpy as np
import pytest

from gdlab import problems, slices, views
from gdlab.__main__ import main
from gdlab.bridge import handle
from gdlab.experiment import jsonable
from gdlab.lessons import LESSONS
from gdlab.limits import slider_lrs
from gdlab.surfaces import get_surface

HIGH = ["linreg", "regression-10k", "noisy-labels", "overfit"]


from test_cli import cli, cli_json  # noqa: E402  (the CLI's call and its NaN-free JSON)


def op(**msg):
    out = handle({"op": "slice", **msg})
    assert "error" not in out, out.get("error")
    return out


def row_loss(data: dict, w):
    """The mean row loss of `gdlab data`'s rows at the points w (..., d), written out here."""
    z = np.asarray(w) @ np.asarray(data["A"]).T
    y = np.asarray(data["y"])
    if data["model"] == "linear":
        return np.mean((z - y) ** 2, axis=-1)
    if data["loss"] == "cross-entropy":
        return np.mean(np.logaddexp(0, z) - y * z, axis=-1)
    return np.mean((1 / (1 + np.exp(-z)) - y) ** 2, axis=-1)


def plane_points(out):
    c, (u, v) = np.asarray(out["centre"]), np.asarray(out["directions"])
    a, b = np.asarray(out["alphas"]), np.asarray(out["betas"])
    return c + a[None, :, None] * u + b[:, None, None] * v     # [i, j] at alphas[j], betas[i]


# -- PCA --------------------------------------------------------------------------------------

@pytest.mark.parametrize("msg", [
    {"surface": "linreg"},
    {"surface": "linreg", "optimizer": "adam", "lr": 0.05, "batch_size": 16, "seed": 3},
    {"surface": "regression-10k", "optimizer": "momentum", "lr": 0.02},
    {"surface": "noisy-labels"},
    {"surface": "noisy-labels", "optimizer": "rmsprop", "lr": 0.01, "slice_at": "start"},
    {"surface": "overfit", "steps": 500},
    {"surface": "rosenbrock", "steps": 300},
])
def test_pca_directions_are_orthonormal_signed_and_explain_what_svd_says(msg):
    out = op(**msg)
    run = handle({"op": "run", **{k: v for k, v in msg.items() if k != "slice_at"}})
    path = run["path"]
    D = out["directions"]
    np.testing.assert_allclose(D @ D.T, np.eye(2), atol=1e-12)
    centred = path - path.mean(axis=0)
    _, s, vt = np.linalg.svd(centred)
    assert out["explained"] == pytest.approx((s[0] ** 2 + s[1] ** 2) / np.sum(s ** 2), rel=1e-12)
    ev = np.sort(np.linalg.eigvalsh(centred.T @ centred))[::-1]       # a second reference
    assert out["explained"] == pytest.approx(ev[:2].sum() / ev.sum(), rel=1e-9)
    for k in range(2):   # the same lines as numpy's vectors, signed along end − start
        assert abs(D[k] @ vt[k]) == pytest.approx(1.0, abs=1e-9)
        assert D[k] @ (path[-1] - path[0]) >= 0
    at = 0 if msg.get("slice_at") == "start" else -1
    np.testing.assert_array_equal(out["centre"], path[at])


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05),
                                           ("sgd", 0.45)])
def test_a_run_in_a_plane_projects_with_zero_residual(capsys, optimizer, lr):
    """GD (with or without momentum) on a quadratic started at w* + 2·q₀ − 1.5·q₃ (q the
    Hessian's eigenvectors) stays in the plane w* + span(q₀, q₃): the projection is exact."""
    data = cli_json(capsys, "data", "regression-10k")
    A = np.asarray(data["A"])
    _, q = np.linalg.eigh(2 * A.T @ A / len(A))
    w_star = np.linalg.lstsq(A, np.asarray(data["y"]), rcond=None)[0]
    start = w_star + 2 * q[:, 0] - 1.5 * q[:, 3]
    msg = {"surface": "regression-10k", "optimizer": optimizer, "lr": lr, "steps": 60,
           "start": start.tolist()}
    out, path = op(**msg), handle({"op": "run", **msg})["path"]
    rebuilt = out["centre"] + out["path_ab"] @ out["directions"]
    assert np.max(np.linalg.norm(path - rebuilt, axis=1)) < 1e-12 * np.linalg.norm(start)
    assert out["explained"] == pytest.approx(1.0, abs=1e-12)


def test_a_run_off_any_plane_has_a_residual_the_test_above_would_see():
    msg = {"surface": "regression-10k", "optimizer": "adam", "lr": 0.1, "steps": 60}
    out, path = op(**msg), handle({"op": "run", **msg})["path"]
    _, off = slices.project(path, out["centre"], out["directions"])
    assert off.max() > 1e-3 and out["explained"] < 1


def test_project_is_exact_for_a_path_built_in_a_plane():
    rng = np.random.default_rng(5)
    base, plane = rng.standard_normal(9), np.linalg.qr(rng.standard_normal((9, 2)))[0].T
    coeffs = np.cumsum(rng.standard_normal((40, 2)), axis=0)
    path = base + coeffs @ plane
    D, explained = slices.pca_directions(path)
    ab, off = slices.project(path, path[-1], D)
    assert explained == pytest.approx(1.0, abs=1e-12) and off.max() < 1e-12
    np.testing.assert_allclose(path[-1] + ab @ D, path, atol=1e-12)
    assert np.linalg.matrix_rank(np.vstack([D, plane]), tol=1e-9) == 2   # the same plane


# -- every grid value is the loss, recomputed from the rows ------------------------------------

@pytest.mark.parametrize("surface, run_argv, slice_argv", [
    ("noisy-labels", [], []),
    ("noisy-labels", [], ["--at", "start"]),
    ("noisy-labels", [], ["--directions", "random", "--slice-seed", "7"]),
    ("noisy-labels", [], ["--directions", "coords", "--axes", "0,10"]),
    ("noisy-labels", ["--optimizer", "adam", "--lr", "0.05", "--batch-size", "32"], []),
    ("linreg", [], []),
    ("overfit", ["--steps", "300"], ["--directions", "random"]),
    ("house-prices", [], []),
    ("sigmoid-neuron", [], ["--directions", "coords"]),
])
def test_every_grid_value_is_the_mean_row_loss_of_gdlab_datas_rows(capsys, surface, run_argv,
                                                                    slice_argv):
    data = cli_json(capsys, "data", surface)
    out = cli_json(capsys, "slice", surface, *run_argv, *slice_argv)
    got = np.array(out["loss"], dtype=float)
    assert got.shape == (41, 41)
    np.testing.assert_allclose(got, row_loss(data, plane_points(out)), rtol=1e-9, atol=1e-9)
    run = cli_json(capsys, "run", surface, *run_argv)
    w0, w1 = np.asarray(run["path"][0]), np.asarray(run["path"][-1])
    t = np.asarray(out["line_t"])
    np.testing.assert_allclose(out["line_loss"], row_loss(data, w0 + t[:, None] * (w1 - w0)),
                               rtol=1e-9, atol=1e-9)


def test_the_line_runs_from_the_start_to_half_past_the_end():
    out = op(surface="linreg")
    t = out["line_t"]
    assert t[0] == 0 and t[-1] == 1.5 and t[40] == 1.0 and len(t) == 61
    run = handle({"op": "run", "surface": "linreg"})
    assert out["line_loss"][0] == pytest.approx(run["loss"][0], rel=1e-12)
    assert out["line_loss"][40] == pytest.approx(run["loss"][-1], rel=1e-12)


# -- random and coords ------------------------------------------------------------------------

@pytest.mark.parametrize("surface, seed", [("linreg", 0), ("noisy-labels", 1), ("overfit", 12345)])
def test_random_directions_are_the_seeds_normals_made_orthonormal(surface, seed):
    out = op(surface=surface, slice="random", slice_seed=seed, steps=100)
    g = np.random.default_rng(seed).standard_normal((2, out["dim"]))
    q, r = np.linalg.qr(g.T)                     # Gram–Schmidt by Householder, signs fixed below
    np.testing.assert_allclose(out["directions"], (q * np.sign(np.diag(r))).T, atol=1e-12)
    path = handle({"op": "run", "surface": surface, "steps": 100})["path"]
    reach = np.max(np.linalg.norm(path - path[-1], axis=1))
    for axis in (out["alphas"], out["betas"]):   # the scale: ±R, R the path's extent
        assert axis[0] <= -reach and axis[-1] >= reach
    assert out["explained"] is None
    other = op(surface=surface, slice="random", slice_seed=seed + 1, steps=100)
    assert not np.allclose(other["directions"], out["directions"])


@pytest.mark.parametrize("surface, axes", [("linreg", "0,1"), ("linreg", "3,0"),
                                           ("noisy-labels", "10,2"), ("overfit", "21,4"),
                                           ("bowl", "1,0")])
def test_coords_picks_the_named_unit_vectors(surface, axes):
    i, j = map(int, axes.split(","))
    out = op(surface=surface, slice="coords", axes=axes, size=9)
    path = handle({"op": "run", "surface": surface})["path"]
    assert out["axes"] == [i, j]
    np.testing.assert_array_equal(out["directions"], np.eye(out["dim"])[[i, j]])
    np.testing.assert_allclose(out["path_ab"], path[:, [i, j]] - path[-1, [i, j]], atol=1e-15)
    s = get_surface(surface)
    for bi, b in enumerate(out["betas"]):
        for aj, a in enumerate(out["alphas"]):
            w = path[-1].copy()
            w[i] += a
            w[j] += b
            assert out["loss"][bi, aj] == pytest.approx(float(s.loss(w)), rel=1e-12, abs=1e-12)


def test_coords_defaults_to_the_first_two_weights_and_axes_are_read_for_coords_only():
    assert op(surface="linreg", slice="coords")["axes"] == [0, 1]
    assert op(surface="linreg", axes="1,1")["axes"] is None      # pca: axes ignored


# -- the grid's extent, degenerate paths, non-finite values -----------------------------------

@pytest.mark.parametrize("msg", [{"surface": "linreg"}, {"surface": "noisy-labels"},
                                 {"surface": "overfit", "slice": "coords", "axes": "5,6"},
                                 {"surface": "linreg", "slice_at": "start"},
                                 {"surface": "himmelblau", "lr": 0.02}])
def test_the_grid_covers_the_projected_path_and_the_centre_with_a_margin(msg):
    out = op(**msg, size=21)
    ab = out["path_ab"]
    for k, axis in enumerate((out["alphas"], out["betas"])):
        lo, hi = min(ab[:, k].min(), 0), max(ab[:, k].max(), 0)
        span = axis[-1] - axis[0]
        assert axis[0] < lo and axis[-1] > hi and len(axis) == 21
        assert min(lo - axis[0], axis[-1] - hi) >= slices.MARGIN / (1 + 2 * slices.MARGIN) * span * 0.999
    np.testing.assert_allclose(ab[-1 if msg.get("slice_at") != "start" else 0], 0, atol=1e-12)
    widths = [out["alphas"][-1] - out["alphas"][0], out["betas"][-1] - out["betas"][0]]
    assert min(widths) >= slices.ASPECT * max(widths) * 0.999


def test_a_path_of_one_point_gets_the_first_two_axes_and_the_fallback_span():
    out = op(surface="linreg", steps=0)
    np.testing.assert_array_equal(out["directions"], np.eye(4)[:2])
    assert out["explained"] is None and out["path_ab"].shape == (1, 2)
    assert out["alphas"][-1] - out["alphas"][0] == pytest.approx((1 + 2 * slices.MARGIN) * 4.0)


def test_a_diverged_run_stops_at_its_first_non_finite_row():
    msg = {"surface": "bowl", "lr": 1.5, "steps": 400}
    run, out = handle({"op": "run", **msg}), op(**msg)
    assert run["status"] == "diverged" and len(out["path_ab"]) == run["diverged_at"]
    assert np.all(np.isfinite(out["path_ab"]))
    path = np.vstack([np.ones((5, 3)) * np.arange(5)[:, None], [[np.nan, 1, 1]], np.ones((3, 3))])
    assert len(slices.finite_path(path)) == 5


def test_non_finite_losses_stay_in_the_grid_and_become_null_in_json(capsys):
    def loss(w):   # log of the first weight: NaN left of 0, -inf at 0
        w = np.asarray(w, dtype=float)
        return np.log(w[..., 0]) + w[..., 1] ** 2
    path = np.array([[1.0, 1.0, 0.0], [0.5, 0.5, 0.2], [0.05, 0.1, 0.3]])
    out = slices.slice_loss(loss, path, directions="coords", size=11)
    assert np.isnan(out["loss"]).any() and np.isfinite(out["loss"]).any()
    text = json.dumps(jsonable(out), allow_nan=False)
    assert "null" in text
    code, csv, err = cli(capsys, "slice", "bowl", "--lr", "1.5", "--steps", "400", "--csv")
    assert code == 0 and "nan" not in csv.lower() and "inf" not in csv.lower()


# -- the CLI ----------------------------------------------------------------------------------

def test_slice_json_has_the_issues_keys_and_csv_the_same_grid(capsys):
    out = cli_json(capsys, "slice", "linreg", "--size", "7")
    for key in ("directions", "centre", "alphas", "betas", "loss", "path_ab", "explained",
                "line_t", "line_loss"):
        assert key in out
    assert np.shape(out["directions"]) == (2, 4) and np.shape(out["loss"]) == (7, 7)
    assert np.shape(out["path_ab"]) == (201, 2)
    code, text, _ = cli(capsys, "slice", "linreg", "--size", "7", "--csv")
    lines = text.strip().split("\n")
    assert code == 0 and lines[0] == "alpha,beta,loss" and len(lines) == 1 + 49
    rows = np.array([[float(x) for x in line.split(",")] for line in lines[1:]])
    a, b = np.meshgrid(out["alphas"], out["betas"])
    np.testing.assert_array_equal(rows, np.stack([a.ravel(), b.ravel(),
                                                  np.ravel(out["loss"])], axis=1))
    code, text, _ = cli(capsys, "slice", "noisy-labels")
    assert code == 0 and "% of the path" in text


def test_seed_stays_the_mini_batch_seed_and_slice_seed_the_planes(capsys):
    base = ["slice", "linreg", "--batch-size", "8", "--directions", "random"]
    one = cli_json(capsys, *base, "--seed", "1", "--slice-seed", "5")
    two = cli_json(capsys, *base, "--seed", "2", "--slice-seed", "5")
    three = cli_json(capsys, *base, "--seed", "1", "--slice-seed", "6")
    assert one["directions"] == two["directions"] and one["centre"] != two["centre"]
    assert one["directions"] != three["directions"] and one["centre"] == three["centre"]


@pytest.mark.parametrize("argv, words", [
    (["slice", "parabola"], "at least 2"),
    (["slice", "no-such-surface"], "unknown surface"),
    (["slice", "linreg", "--directions", "sideways"], "slice must be one of"),
    (["slice", "linreg", "--at", "middle"], "slice_at must be one of"),
    (["slice", "linreg", "--directions", "coords", "--axes", "2,2"], "two different"),
    (["slice", "linreg", "--directions", "coords", "--axes", "0,9"], "axes must be <= 3"),
    (["slice", "linreg", "--directions", "coords", "--axes", "x,1"], "axes must be a number"),
    (["slice", "linreg", "--slice-seed", "-3"], "slice_seed must be >= 0"),
    (["slice", "linreg", "--size", "1"], "size must be >= 3"),
    (["slice", "linreg", "--size", "4.5"], "whole number"),
    (["slice", "linreg", "--json", "--csv"], "one of --json and --csv"),
    (["slice", "linreg", "--lr", "0"], "lr must be > 0"),
    (["data", "bowl"], "not a data problem"),
    (["data"], "required"),
])
def test_bad_slice_and_data_input_exits_2_with_one_line(capsys, argv, words):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdlab: error:") and words in err


# -- gdlab data -------------------------------------------------------------------------------

@pytest.mark.parametrize("surface", list(problems.PROBLEMS))
def test_gdlab_data_gives_rows_from_which_the_loss_is_recomputed(capsys, surface):
    data = cli_json(capsys, "data", surface)
    s = get_surface(surface)
    X, A, y = (np.asarray(data[k], dtype=float) for k in ("X", "A", "y"))
    assert A.shape == (len(y), s.dim) == (data["n"], data["d"])
    assert data["model"] in ("linear", "sigmoid") and data["loss"] in ("mse", "cross-entropy")
    want_A = np.hstack([X, np.ones((len(y), 1))]) if data["bias"] else X
    np.testing.assert_array_equal(A, want_A)
    lo, hi = np.array(s.bounds).T
    w = lo + (hi - lo) * np.random.default_rng(0).uniform(0.1, 0.9, (5, s.dim))
    np.testing.assert_allclose(row_loss(data, w), s.loss(w), rtol=1e-9, atol=1e-12)
    assert ("X_val" in data) == (s.val_loss is not None)
    if s.val_loss is not None:
        held = {**data, "A": data["A_val"], "y": data["y_val"]}
        np.testing.assert_allclose(row_loss(held, w), s.val_loss(w), rtol=1e-9)
    code, text, _ = cli(capsys, "data", surface)
    assert code == 0 and data["model"] in text and "rows" in text


# -- the views a link paints from -------------------------------------------------------------

@pytest.mark.parametrize("kind, name", [("surface", "linreg"), ("preset", "lr-finder"),
                                        ("preset", "batch-sizes"), ("surface", "bowl")])
def test_a_d_above_2_view_carries_the_slice_of_its_live_run(kind, name):
    make = views.surface_view if kind == "surface" else views.preset_view
    surface = name if kind == "surface" else LESSONS[name].state["surface"]
    view = make(name, slider_lrs(get_surface(surface)))
    if get_surface(surface).dim <= 2:
        assert view["slice"] is None and view["landscape"] is not None
        return
    live = view["runs"][0]
    assert view["landscape"] is None and view["slice"]["spec"] == live["spec"]
    spec = live["spec"]
    out = op(**{k: v for k, v in spec.items() if k != "extra"}, **spec["extra"])
    np.testing.assert_allclose(view["slice"]["loss"], out["loss"], rtol=5e-5)
    np.testing.assert_allclose(view["slice"]["path_ab"], out["path_ab"], rtol=5e-5, atol=1e-12)
    assert len(view["slice"]["path_ab"]) == len(live["run"]["path"])
    np.testing.assert_allclose(view["slice"]["centre"], live["run"]["path"][-1], rtol=5e-5)
    json.dumps(view["slice"], allow_nan=False)


def test_a_run_that_stays_at_the_minimum_is_one_point():
    w_star = list(get_surface("regression-10k").minima[0])
    out = op(surface="regression-10k", start=w_star, steps=20)
    assert out["explained"] is None
    np.testing.assert_array_equal(out["directions"], np.eye(5)[:2])
    for axis in (out["alphas"], out["betas"]):   # the view box's half-width, not a rounding error
        assert axis[-1] - axis[0] == pytest.approx((1 + 2 * slices.MARGIN) * 4.0)
