"""The runner and the status words, checked against closed forms of plain gradient descent.

These tests build their own tiny quadratic surfaces so that they check the loop and the
analysis alone; the catalog has its own tests.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from gdlab.analysis import curvature, summarize
from gdlab.errors import GdlabError
from gdlab.runner import Trajectory, run


def quadratic(diag, center, start, name="q"):
    """L(w) = Σ a_i (w_i − c_i)², a surface with one minimum at c."""
    a, c = np.asarray(diag, float), np.asarray(center, float)
    return SimpleNamespace(
        name=name, dim=len(a), start=tuple(start), minima=(tuple(c),), n_samples=0,
        batch_grad=None,
        loss=lambda w: np.sum(a * (w - c) ** 2, axis=-1),
        grad=lambda w: 2 * a * (w - c),
        hessian=lambda w: np.broadcast_to(np.diag(2 * a), np.shape(w)[:-1] + (len(a), len(a))),
    )


GD = SimpleNamespace(init=lambda p: (), update=lambda g, s, p: (g, s))
PARABOLA = quadratic([1.0], [3.0], [-5.0])
BOWL = quadratic([1.0, 4.0], [0.0, 0.0], [3.0, 2.0])


def test_gd_matches_closed_form_for_many_learning_rates_at_once():
    lrs = np.array([0.001, 0.1, 0.5, 0.9, 1.0, 1.1])
    traj = run(PARABOLA, GD, lrs, 30)
    t = np.arange(31)
    expected = 3.0 + (1 - 2 * lrs[:, None]) ** t * (-8.0)  # w_t − 3 = (1 − 2 lr)^t (w_0 − 3)
    np.testing.assert_allclose(traj.path[:, :, 0], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traj.loss, (expected - 3.0) ** 2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traj.lr, np.repeat(lrs[:, None], 30, axis=1))
    assert (traj.diverged_at == -1).all()


def test_a_run_that_overflows_is_cut_at_its_first_non_finite_step_and_others_go_on():
    # L = w⁴ with a large step: w ← w − lr·4w³ explodes; find the step independently
    quartic = SimpleNamespace(name="w4", dim=1, start=(2.0,), minima=((0.0,),), n_samples=0,
                              loss=lambda w: np.sum(w ** 4, axis=-1), grad=lambda w: 4 * w ** 3)
    traj = run(quartic, GD, np.array([0.01, 1.0]), 40)
    w, first_bad = 2.0, None
    for t in range(41):
        if not (abs(w) < 1e100 and abs(w) ** 4 < 1e100):
            first_bad = t
            break
        w = w - 1.0 * 4 * w ** 3
    assert first_bad is not None and traj.diverged_at[1] == first_bad
    assert np.isnan(traj.path[1, first_bad:]).all() and np.isfinite(traj.path[1, :first_bad]).all()
    assert traj.diverged_at[0] == -1 and np.isfinite(traj.path[0]).all()
    path, loss = traj.cut(1)
    assert len(path) == first_bad and np.isfinite(loss).all()
    assert summarize(quartic, traj)[1]["status"] == "diverged"
    assert summarize(quartic, traj)[1]["diverged_at"] == first_bad


def test_schedule_sets_the_lr_of_each_step():
    traj = run(PARABOLA, GD, 0.1, 5, schedule=lambda t: 0.1 / (t + 1))
    w = -5.0
    for t in range(5):
        w -= 0.1 / (t + 1) * 2 * (w - 3)
        assert traj.path[0, t + 1, 0] == pytest.approx(w, rel=1e-14)
    np.testing.assert_allclose(traj.lr[0], 0.1 / np.arange(1, 6))


def test_starts_and_learning_rates_pair_up_or_say_why_not():
    traj = run(BOWL, GD, 0.1, 3, start=[[1.0, 1.0], [2.0, -1.0], [0.0, 3.0]])
    assert traj.path.shape == (3, 4, 2) and isinstance(traj, Trajectory)
    with pytest.raises(GdlabError, match="cannot be paired"):
        run(BOWL, GD, [0.1, 0.2], 3, start=[[1.0, 1.0], [2.0, -1.0], [0.0, 3.0]])
    with pytest.raises(GdlabError, match="> 0"):
        run(BOWL, GD, 0.0, 3)
    with pytest.raises(GdlabError, match="needs 2"):
        run(BOWL, GD, 0.1, 3, start=[1.0])


@pytest.mark.parametrize("surface, lr, steps, status", [
    (PARABOLA, 0.001, 30, "crawling"),     # 8·0.998^30 ≈ 7.5 from the minimum
    (PARABOLA, 0.01, 30, "crawling"),
    (PARABOLA, 0.1, 30, "converged"),      # 8·0.8^30 ≈ 0.0099 < 1% of 8
    (PARABOLA, 0.5, 30, "converged"),      # lands on the minimum in one step
    (PARABOLA, 0.9, 30, "converged"),      # overshoots, flips sign, still shrinks by 0.8
    (PARABOLA, 1.0, 30, "oscillating"),    # w flips between −5 and 11 forever
    (PARABOLA, 1.1, 30, "diverged"),       # |1 − 2.2| = 1.2 > 1
    (BOWL, 0.124, 100, "converged"),       # both sides of 1/λmax = 1/8 converge
    (BOWL, 0.126, 100, "converged"),
    (BOWL, 0.25, 100, "oscillating"),      # 2/λmax: w1 flips between 2 and −2
    (BOWL, 0.26, 100, "diverged"),
])
def test_status_words_follow_the_learning_rate(surface, lr, steps, status):
    traj = run(surface, GD, lr, steps)
    assert summarize(surface, traj)[0]["status"] == status


def test_summary_numbers_match_an_independent_loop():
    lr, steps = 0.1, 40
    w = np.array([3.0, 2.0])
    pts = [w.copy()]
    for _ in range(steps):
        w = w - lr * np.array([2 * w[0], 8 * w[1]])
        pts.append(w.copy())
    pts = np.array(pts)
    dist = np.linalg.norm(pts, axis=1)
    tol = 0.01 * dist[0]
    first_in = next(t for t in range(steps + 1) if (dist[t:] <= tol).all())
    s = summarize(BOWL, run(BOWL, GD, lr, steps))[0]
    assert s["distance_to_min"] == pytest.approx(dist[-1], rel=1e-12)
    assert s["path_length"] == pytest.approx(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())
    assert s["steps_to_tol"] == first_in
    assert s["final_loss"] == pytest.approx(pts[-1, 0] ** 2 + 4 * pts[-1, 1] ** 2)


def test_curvature_thresholds_of_the_bowl():
    c = curvature(BOWL)
    assert c["hessian_eigenvalues"] == pytest.approx([2.0, 8.0])
    assert c["lr_monotone"] == pytest.approx(0.125) and c["lr_stable"] == pytest.approx(0.25)
    assert c["condition_number"] == pytest.approx(4.0)
