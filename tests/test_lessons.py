"""The lesson presets and their true outcomes.

Every number pinned here is computed in this file independently of the core: plain
numpy loops written the way the lesson texts write them, closed forms, or torch.optim.
The presets are then run through ``run_lesson`` and must agree. Where a lesson text
prints or claims something else, the test says so (docs/lesson-errata.md lists them).
"""

import functools
import math

import numpy as np
import pytest
import torch

from gdlab.experiment import prepare, run_experiment
from gdlab.lessons import COLUMNS, LESSONS, TOPICS, run_lesson
from gdlab.optimizers import OPTIMIZERS
from gdlab.surfaces import get_surface
from gdlab.usercode import check_user, run_user

STATUSES = ("converged", "oscillating", "diverged", "crawling")


@functools.lru_cache(maxsize=None)
def lesson_output(name):
    return run_lesson(name)  # each preset is run once per session


def table(name):
    out = lesson_output(name)
    return {r[0]: dict(zip(out["columns"], r)) for r in out["rows"]}, out


def final(row):
    return np.asarray(row["final_w"], dtype=float)


# --- every preset ---------------------------------------------------------------------

@pytest.mark.parametrize("name", list(LESSONS))
def test_every_preset_is_valid_and_runs(name):
    lesson = LESSONS[name]
    assert lesson.name == name and name == name.lower() and " " not in name
    assert lesson.topic in TOPICS and lesson.source in ("000", "001", "002", "003", "004")
    assert 2 <= lesson.note.count(". ") + 1 <= 8 and len(lesson.note) < 900
    assert lesson.exercise is None or lesson.exercise in OPTIMIZERS
    prepare(lesson.state)  # raises on any bad name or value
    labels = [r["label"] for r in lesson.compare]
    assert len(set(labels)) == len(labels)
    for r in lesson.compare:
        prepare({k: v for k, v in r.items() if k != "label"})
    out = lesson_output(name)
    assert out["columns"] == COLUMNS and out["lesson"] == name and out["note"] == lesson.note
    assert len(out["rows"]) == max(1, len(lesson.compare))
    assert all(len(r) == len(COLUMNS) and r[COLUMNS.index("status")] in STATUSES
               for r in out["rows"])
    assert set(out["facts"]) == set(lesson.facts)


@pytest.mark.parametrize("name", list(LESSONS))
def test_the_code_defines_the_names_and_matches_the_surface(name):
    lesson = LESSONS[name]
    ns = {}
    exec(lesson.code, ns)  # a fresh namespace: the code imports numpy itself
    for key in ("loss", "grad", "start", "lr", "steps"):
        assert key in ns, f"{name}: the code does not define {key}"
    s = prepare(lesson.state)["surface"]   # a network's settings decide d and the start
    assert list(ns["start"]) == list(lesson.state.get("start", s.start))
    assert ns["lr"] == lesson.state["lr"] and ns["steps"] == lesson.state["steps"]
    rng = np.random.default_rng(1)
    for _ in range(3):
        w = np.asarray(ns["start"], dtype=float) + rng.uniform(-0.5, 0.5, s.dim)
        assert ns["loss"](w) == pytest.approx(float(s.loss(w)), rel=1e-9, abs=1e-12)
        np.testing.assert_allclose(ns["grad"](w), s.grad(w), rtol=1e-9, atol=1e-12)
        # and grad really is the derivative of loss (central differences)
        h = 1e-6 * max(1.0, float(np.abs(w).max()))
        fd = [(ns["loss"](w + h * e) - ns["loss"](w - h * e)) / (2 * h) for e in np.eye(s.dim)]
        np.testing.assert_allclose(ns["grad"](w), fd, rtol=1e-5, atol=1e-5 * (1 + abs(ns["loss"](w))))
    if lesson.exercise or lesson.state.get("optimizer", "sgd") != "sgd" or lesson.state.get(
            "schedule") or lesson.state.get("clip"):
        assert callable(ns.get("step")), f"{name}: the update rule is not written out"


@pytest.mark.parametrize("name", [n for n, l in LESSONS.items() if not l.exercise
                                  and not l.state.get("batch_size")
                                  and len(l.state.get("start", [0])) <= 2])
def test_the_code_pane_program_is_what_runs(name):
    """Run the preset's Python as a learner would (its own step(), schedule, clipping)
    and compare with the core's run of the preset's state."""
    lesson = LESSONS[name]
    mine = run_user({"code": lesson.code, "landscape": False})
    assert "error" not in mine, mine
    core = run_experiment(lesson.state)
    assert len(mine["path"]) == len(core["path"])
    np.testing.assert_allclose(mine["path"], core["path"], rtol=1e-9, atol=1e-9)


# --- 002: the parabola ----------------------------------------------------------------

@pytest.mark.parametrize("lr, status", [(0.01, "crawling"), (0.1, "converged"), (0.5, "converged"),
                                        (0.9, "converged"), (1.0, "oscillating"), (1.1, "diverged")])
def test_parabola_regimes(lr, status):
    w, path = -5.0, [-5.0]
    for _ in range(30):
        w = w - lr * 2 * (w - 3)
        path.append(w)
    assert w == pytest.approx(3 - 8 * (1 - 2 * lr) ** 30, rel=1e-9, abs=1e-12)
    if lr == 1.0:  # ten times 0.1: flips between -5 and 11 for ever
        assert set(path) == {-5.0, 11.0}
    rows, out = table("lr-regimes")
    assert rows[f"lr {lr:g}"]["final_w"][0] == pytest.approx(w, rel=1e-12, abs=1e-12)
    assert rows[f"lr {lr:g}"]["status"] == status
    assert out["facts"]["curvature"]["lr_stable"] == pytest.approx(1.0)
    home, _ = table("watch-a-parameter-move")
    assert final(home["Watch a parameter move"])[0] == pytest.approx(3 - 8 * 0.8 ** 30)


def linreg_data():
    rng = np.random.default_rng(42)  # the recipe the surface documents
    X = rng.standard_normal((1000, 3))
    y = X @ np.array([2.0, -3.0, 0.5]) + 1.0 + 0.5 * rng.standard_normal(1000)
    return np.hstack([X, np.ones((1000, 1))]), y


def test_lr_diagnosis_slow_good_and_exploding():
    X, y = linreg_data()
    lam = np.linalg.eigvalsh(2 * X.T @ X / len(y)).max()
    assert 2 / lam == pytest.approx(0.91, abs=0.005)
    ends = {}
    for lr in (0.001, 0.1, 1.5):
        w = np.zeros(4)
        with np.errstate(all="ignore"):
            for _ in range(200):
                w = w - lr * 2 * X.T @ (X @ w - y) / len(y)
        ends[lr] = w
    best = np.linalg.lstsq(X, y, rcond=None)[0]
    rows, out = table("lr-diagnosis")
    assert out["facts"]["curvature"]["lr_stable"] == pytest.approx(2 / lam)
    assert rows["lr 0.001"]["status"] == "crawling" and np.linalg.norm(ends[0.001] - best) > 2
    assert rows["lr 0.1"]["status"] == "converged"
    assert rows["lr 0.1"]["final_loss"] == pytest.approx(np.mean((X @ best - y) ** 2), rel=1e-6)
    assert not np.all(np.isfinite(ends[1.5])) or np.abs(ends[1.5]).max() > 1e40
    assert rows["lr 1.5"]["status"] == "diverged"


def test_feature_scaling_condition_numbers():
    rng = np.random.default_rng(7)  # the surface's documented recipe
    X = np.stack([rng.uniform(0, 1, 200), rng.uniform(0, 1000, 200)], 1)
    raw = np.linalg.eigvalsh(2 * X.T @ X / 200)
    Z = (X - X.mean(0)) / X.std(0)
    std = np.linalg.eigvalsh(2 * Z.T @ Z / 200)
    assert raw.max() / raw.min() > 1e6 and std.max() / std.min() < 2
    rows, out = table("feature-scaling")
    assert out["facts"]["curvature"]["condition_number"] == pytest.approx(raw.max() / raw.min(), rel=1e-6)
    assert rows["raw features"]["status"] == "crawling"
    assert rows["standardised"]["status"] == "converged"


# --- 000: the bowl --------------------------------------------------------------------

def gd_bowl(lr, steps=100):
    w = np.array([3.0, 2.0])
    path = [w]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w = w - lr * np.array([2 * w[0], 8 * w[1]])
            path.append(w)
    return np.array(path)


def test_bowl_one_over_lambda_is_not_the_edge_two_over_lambda_is():
    assert np.abs(gd_bowl(0.124)[-1]).max() < 1e-9 and np.abs(gd_bowl(0.126)[-1]).max() < 1e-9
    assert gd_bowl(0.125)[1, 1] == 0.0  # the steep coordinate lands on 0 in one step
    w1 = gd_bowl(0.25)[:, 1]
    assert np.all(np.abs(w1) == 2.0) and np.all(np.sign(w1[1:]) != np.sign(w1[:-1]))
    assert abs(gd_bowl(0.26)[-1, 1]) > 1e3
    p = gd_bowl(0.28)
    assert p[-1, 0] ** 2 + 4 * p[-1, 1] ** 2 > 1e19  # "edge of divergence": it diverges
    assert abs(gd_bowl(0.3, 30)[-1, 1]) > 1e4  # the text's lr 0.3 diverges, as it says
    rows, out = table("bowl-thresholds")
    assert [rows[f"lr {lr:g}"]["status"] for lr in (0.124, 0.125, 0.126, 0.25, 0.26, 0.28)] == [
        "converged", "converged", "converged", "oscillating", "diverged", "diverged"]
    for lr in (0.01, 0.1, 0.124, 0.25):
        np.testing.assert_allclose(final(rows[f"lr {lr:g}"]), gd_bowl(lr)[-1], rtol=1e-12, atol=1e-300)
    assert out["facts"]["curvature"]["lr_monotone"] == pytest.approx(1 / 8)
    assert out["facts"]["curvature"]["lr_stable"] == pytest.approx(2 / 8)


def test_lesson_momentum_beats_plain_gd_on_the_bowl():
    w, v = np.array([3.0, 2.0]), np.zeros(2)
    for _ in range(100):  # 000's own loop
        v = 0.9 * v + 0.01 * np.array([2 * w[0], 8 * w[1]])
        w = w - v
    rows, _ = table("bowl-momentum")
    np.testing.assert_allclose(final(rows["momentum 0.9"]), w, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(final(rows["plain GD"]), gd_bowl(0.01)[-1], rtol=1e-12)
    assert np.linalg.norm(w) < 0.016 and np.linalg.norm(gd_bowl(0.01)[-1]) == pytest.approx(0.398, abs=1e-3)
    assert rows["plain GD"]["status"] == "crawling" and rows["momentum 0.9"]["status"] == "converged"


def test_ill_conditioned_at_lr_0_01_flips_for_ever():
    w = np.array([3.0, 2.0])
    for _ in range(100):
        w = w - 0.01 * np.array([2 * w[0], 200 * w[1]])
        assert abs(w[1]) == 2.0
    assert w[0] == pytest.approx(3 * 0.98 ** 100)
    rows, out = table("ill-conditioned")
    assert rows["lr 0.01"]["status"] == "oscillating"
    assert final(rows["lr 0.009"])[0] == pytest.approx(3 * 0.982 ** 100)
    assert out["facts"]["curvature"]["lr_stable"] == pytest.approx(0.01)


# --- 001 ------------------------------------------------------------------------------

def text_valley_status(lr):
    """001's own run_gd and status code, as printed."""
    x, history = 0, [0]
    for _ in range(20):
        x = x - lr * (2 * x - 4)
        history.append(x)
        if abs(x) > 1000:
            break
    d = abs(history[-1] - 2.0)
    if abs(history[-1]) > 1000:
        return "DIVERGED"
    if d < 0.01:
        return "Converged"
    if len(set(round(v, 4) for v in history[-5:])) > 1 and d < 1:
        return "Oscillating"
    return "Still converging"


@pytest.mark.parametrize("lr, status, printed", [
    (0.01, "crawling", "Still converging"), (0.1, "crawling", "Oscillating"),
    (0.5, "converged", "Converged"), (0.9, "crawling", "Oscillating"),
    (1.0, "oscillating", "Still converging"), (1.1, "diverged", "Still converging"),
    (1.5, "diverged", "DIVERGED")])
def test_valley_learning_rates(lr, status, printed):
    x = 0.0
    for _ in range(20):
        x = x - lr * (2 * x - 4)
    assert x == pytest.approx(2 - 2 * (1 - 2 * lr) ** 20, abs=1e-9)
    assert text_valley_status(lr) == printed  # what the text's own code labels it
    rows, _ = table("valley-lr-table")
    assert rows[f"lr {lr:g}"]["final_w"][0] == pytest.approx(x, rel=1e-12, abs=1e-12)
    assert rows[f"lr {lr:g}"]["status"] == status


def test_valley_descent_prints_what_the_text_says():
    x = 0.0
    for _ in range(20):
        x = x - 0.1 * (2 * x - 4)
    assert round(x, 4) == 1.9769 and round(x * x - 4 * x + 5, 4) == 1.0005
    rows, _ = table("valley-descent")
    row = next(iter(rows.values()))
    assert row["final_w"][0] == pytest.approx(x, rel=1e-12) and row["status"] == "crawling"


def house_gd(lr, steps):
    sqft = np.array([1.0, 1.5, 2.0, 2.5, 3.0])
    prices = np.array([200, 250, 300, 350, 400])
    w, b, hit = 0.0, 0.0, None
    for t in range(1, steps + 1):  # 001's own loop
        error = w * sqft + b - prices
        w, b = w - lr * (2 / 5) * np.sum(error * sqft), b - lr * (2 / 5) * np.sum(error)
        if hit is None and math.hypot(w - 100, b - 100) <= 0.01 * math.hypot(100, 100):
            hit = t
    return np.array([w, b]), hit


def test_house_prices_are_not_learned_perfectly_in_1000_epochs():
    wb, _ = house_gd(0.01, 1000)
    assert np.round(wb, 2).tolist() == [103.23, 92.88]
    wb5, hit = house_gd(0.01, 5000)
    assert 1850 <= hit <= 1950 and np.round(wb5, 2).tolist() == [100.0, 100.0]
    rows, out = table("house-prices")
    np.testing.assert_allclose(final(rows["1000 steps"]), wb, rtol=1e-10)
    assert rows["1000 steps"]["status"] == "crawling" and rows["5000 steps"]["status"] == "converged"
    assert rows["lr 0.15"]["status"] == "converged"
    H = 2 / 5 * np.array([[22.5, 10.0], [10.0, 5.0]])  # Σx², Σx, n for x = 1..3 by 0.5
    np.testing.assert_allclose(out["facts"]["curvature"]["hessian_eigenvalues"], np.linalg.eigvalsh(H))


def test_revenue_reaches_50_and_25():
    rows, _ = table("revenue")
    row = next(iter(rows.values()))
    np.testing.assert_allclose(final(row), [50 * (1 - 0.8 ** 50), 25 * (1 - 0.8 ** 50)], rtol=1e-12)
    assert row["final_loss"] == pytest.approx(-3125, abs=1e-3)


def test_sigmoid_neuron_after_the_texts_100_steps():
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    X, y, w, b = np.array([0, 1]), np.array([0, 1]), 0.5, 0.0
    for _ in range(100):  # 001's loop, gradients summed then averaged
        gw = gb = 0.0
        for i in range(2):
            p = sig(w * X[i] + b)
            d = 2 * (p - y[i]) * p * (1 - p)
            gw, gb = gw + d * X[i], gb + d
        w, b = w - 1.0 * gw / 2, b - 1.0 * gb / 2
    assert (round(w, 2), round(b, 2), round(sig(b), 2), round(sig(w + b), 2)) == (3.71, -1.73, 0.15, 0.88)
    rows, _ = table("sigmoid-neuron")
    np.testing.assert_allclose(final(next(iter(rows.values()))), [w, b], rtol=1e-10)


def test_lr_finder_range_test():
    X, y = linreg_data()
    w, lr, losses, lrs = np.zeros(4), 1e-7, [], []
    with np.errstate(all="ignore"):
        for _ in range(300):  # 001's sketch: record, step, grow lr by 10%, stop at 4x the min
            losses.append(np.mean((X @ w - y) ** 2))
            if len(losses) > 1 and not losses[-1] <= 4 * min(losses):
                break
            lrs.append(lr)
            w = w - lr * 2 * X.T @ (X @ w - y) / len(y)
            lr *= 1.1
    explode = lrs[-1]
    lam = np.linalg.eigvalsh(2 * X.T @ X / len(y)).max()
    assert 5 * (2 / lam) < explode < 7 * (2 / lam)  # far past the real edge
    _, out = table("lr-finder")
    f = out["facts"]["range-test"]
    assert f["explode_lr"] == pytest.approx(explode, rel=1e-9)
    assert f["suggested_lr"] == pytest.approx(explode / 10, rel=1e-9)


def test_batch_vs_minibatch():
    X, y = linreg_data()
    w = np.zeros(4)
    for _ in range(300):
        w = w - 0.05 * 2 * X.T @ (X @ w - y) / len(y)
    rows, _ = table("batch-vs-minibatch")
    np.testing.assert_allclose(final(rows["batch 1000"]), w, rtol=1e-9)
    assert rows["batch 1"]["path_length"] > 5 * rows["batch 1000"]["path_length"]
    assert rows["batch 1"]["distance_to_min"] > rows["batch 32"]["distance_to_min"] > \
        rows["batch 1000"]["distance_to_min"]


def test_convergence_criteria_fire_at_different_steps():
    f = lambda x: x * x - 4 * x + 5  # noqa: E731
    x, prev, g_step, c_step = 0.0, 5.0, None, None
    for t in range(1, 101):
        x -= 0.1 * (2 * x - 4)
        if c_step is None and abs(f(x) - prev) < 1e-6:
            c_step, c_dist = t, abs(x - 2)
        if g_step is None and abs(2 * x - 4) < 1e-6:
            g_step, g_dist = t, abs(x - 2)
        prev = f(x)
    assert (c_step, g_step) == (33, 69)
    _, out = table("convergence-criteria")
    rules = out["facts"]["stop-rules"]
    assert (rules["loss_change_step"], rules["grad_norm_step"]) == (c_step, g_step)
    assert rules["loss_change_distance"] == pytest.approx(c_dist, rel=1e-9)
    assert rules["grad_norm_distance"] == pytest.approx(g_dist, rel=1e-6)


def quartic_gd(x, momentum=False, steps=200):
    v = 0.0
    for _ in range(steps):  # 001's gd_basic / gd_momentum
        g = 4 * x ** 3 - 16 * x + 1
        if momentum:
            v = 0.9 * v + 0.01 * g
            x = x - v
        else:
            x = x - 0.01 * g
    return x


def test_quartic_the_left_minimum_is_the_global_one():
    f = np.poly1d([1, 0, -8, 1, 0])
    crit = sorted(r.real for r in f.deriv().roots if abs(r.imag) < 1e-12)
    left, hump, right = crit
    assert f(left) < f(right)  # the text says the opposite
    assert (round(left, 2), round(f(left), 2), round(right, 2), round(f(right), 2)) == (
        -2.03, -18.02, 1.97, -14.02)
    xs = np.linspace(-3, 3, 1000)  # the text's grid search prints the same point twice
    assert np.argmin(f(xs)[:500]) == np.argmin(f(xs))
    rows, out = table("quartic-restarts")
    for start in (-3.0, -1.0, 0.0, 1.0, 3.0):
        x = quartic_gd(start)
        assert rows[f"GD from {start:g}"]["final_w"][0] == pytest.approx(x, rel=1e-10, abs=1e-12)
        assert rows[f"GD from {start:g}"]["reached"].startswith("global" if x < hump else "local")
    for start in (-3.0, 1.0, 3.0):
        x = quartic_gd(start, momentum=True)
        assert rows[f"momentum from {start:g}"]["final_w"][0] == pytest.approx(x, rel=1e-8)
    assert quartic_gd(3.0, momentum=True) == pytest.approx(left, abs=1e-3)  # rolls over the hump
    r = out["facts"]["restarts"]
    ends = [quartic_gd(s) for s in r["starts"]]
    assert r["reached"] == [("global" if e < hump else "local") + f" ({left if e < hump else right:.3g})"
                            for e in ends]
    assert r["global_share"] == pytest.approx(np.mean([e < hump for e in ends]))
    assert r["best_w"][0] == pytest.approx(left, abs=1e-6)


def test_clipping_turns_a_blow_up_into_a_bounded_bounce():
    w = -5.0
    for _ in range(60):
        g = 2 * (w - 3)
        g = g * min(1.0, 1.0 / (abs(g) + 1e-6))  # torch's clip_grad_norm_ factor
        w -= 1.1 * g
        assert abs(w - 3) <= 8
    rows, _ = table("gradient-clipping")
    assert rows["clip 1.0"]["final_w"][0] == pytest.approx(w, rel=1e-12)
    assert 0.3 < abs(w - 3) < 0.7
    assert rows["no clipping"]["status"] == "diverged"
    assert rows["clip 1.0"]["status"] == "oscillating"


# --- 003 ------------------------------------------------------------------------------

def fit_gd(lr, steps, w=0.0, every=None):
    x = np.arange(1.0, 6.0)
    y = 2 * x
    printed = {}
    with np.errstate(all="ignore"):
        for step in range(steps):
            w = w - lr * 2 * np.mean(x * (w * x - y))
            if every and step % every == 0:
                printed[step] = (round(w, 4), round(np.mean((w * x - y) ** 2), 4))
    return w, printed


def test_fit_line_the_texts_own_code():
    x = np.arange(1.0, 6.0)
    assert np.mean((0 * x - 2 * x) ** 2) == 44.0 and 2 * np.mean(x * (0 * x - 2 * x)) == -44.0
    _, printed = fit_gd(0.01, 100, every=10)
    assert printed[0] == (0.44, 26.7696)  # the text: w=0.2200, loss=33.8416
    assert printed[10] == (1.87, 0.186)  # the text: w=1.3686, loss=2.0611
    assert printed[50][0] == 2.0 and printed[90][0] == 2.0  # the text: 1.9314 and 1.9906
    small, _ = fit_gd(0.0001, 1000)
    assert round(small, 4) == 1.7789  # the text: w=1.2
    big, _ = fit_gd(1.0, 20)
    assert abs(big) > 1e26
    rows, out = table("fit-line")
    assert rows["lr 0.0001, 1000 steps"]["final_w"][0] == pytest.approx(small, rel=1e-12)
    assert [rows[k]["status"] for k in ("lr 0.0001, 1000 steps", "lr 0.01, 100 steps",
                                        "lr 0.1, 20 steps", "lr 1, 20 steps")] == [
        "crawling", "converged", "diverged", "diverged"]
    assert out["facts"]["curvature"]["lr_stable"] == pytest.approx(2 / 22)
    assert run_experiment(LESSONS["fit-line"].state)["path"][1, 0] == pytest.approx(0.44)


def test_fit_line_minibatches_all_end_at_two():
    rows, _ = table("fit-line-minibatch")
    for row in rows.values():
        assert row["final_w"][0] == pytest.approx(2.0, abs=1e-6)


def text_adam(grad, w, lr, steps, b1=0.9, b2=0.999, eps=1e-8):
    m = v = np.zeros_like(w)
    for t in range(1, steps + 1):  # the texts' Adam, written out
        g = grad(w)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


def test_the_texts_adam_does_not_reach_two_in_200_steps():
    x = np.arange(1.0, 6.0)
    grad = lambda w: np.array([2 * np.mean(x * (w[0] * x - 2 * x))])  # noqa: E731
    w = text_adam(grad, np.zeros(1), 0.001, 200)
    assert round(w[0], 4) == 0.1959  # the text: "w≈2.0, converges faster"
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        torch.mean((p * torch.arange(1.0, 6.0, dtype=torch.float64) - 2 * torch.arange(
            1.0, 6.0, dtype=torch.float64)) ** 2).backward()
        opt.step()
    rows, _ = table("adam-by-hand")
    assert rows["Adam lr 0.001 (the text's)"]["final_w"][0] == pytest.approx(w[0], rel=1e-10)
    assert rows["Adam lr 0.1"]["final_w"][0] == pytest.approx(p.item(), rel=1e-10)
    assert abs(p.item() - 2) < 1e-3


@pytest.mark.parametrize("name", ["momentum-by-hand", "adam-by-hand"])
def test_exercise_check_finds_the_starting_version_wrong_and_the_reference_right(name):
    from gdlab.optimizers import optimizer_code

    lesson = LESSONS[name]
    out = check_user({"code": lesson.code, "reference": lesson.exercise})
    assert out["match"] is False
    solved = lesson.code.split("def step")[0] + optimizer_code(lesson.exercise)
    assert check_user({"code": solved, "reference": lesson.exercise})["match"] is True


# --- 004 ------------------------------------------------------------------------------

def test_double_well_sgd_finds_the_global_minimum_and_ema_momentum_stays_left():
    grad = lambda x: 0.4 * x ** 3 - 6 * x + 1  # noqa: E731
    x = -3.0
    for _ in range(20):
        x = x - 0.1 * grad(x)
    xm, v, lowest = -3.0, 0.0, 0.0
    for _ in range(20):  # 004's own loop (EMA momentum)
        v = 0.9 * v + (1 - 0.9) * grad(xm)
        xm = xm - 0.1 * v
        lowest = min(lowest, xm)
    f = np.poly1d([0.1, 0, -3, 1, 0])
    mins = sorted(r.real for r in f.deriv().roots if f.deriv(2)(r.real) > 0)
    assert (round(mins[0], 2), round(mins[1], 2)) == (-3.95, 3.79) and f(mins[0]) < f(mins[1])
    assert round(x, 2) == -3.95 and round(xm, 2) == -3.74 and round(lowest, 2) == -4.45
    rows, _ = table("double-well-momentum")
    assert rows["SGD"]["final_w"][0] == pytest.approx(x, rel=1e-12)
    assert rows["SGD"]["steps_to_tol"] == 3 and rows["SGD"]["reached"].startswith("global")
    assert rows["momentum (EMA form)"]["final_w"][0] == pytest.approx(xm, rel=1e-10)


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)])


def test_rosenbrock_shootout_momentum_wins_and_adam_comes_last():
    hist = {"sgd": [np.array([-2.0, 2.0])], "mom": [np.array([-2.0, 2.0])]}
    vel = np.zeros(2)
    for _ in range(5000):  # 004's run_sgd and run_momentum
        hist["sgd"].append(hist["sgd"][-1] - 0.001 * rosenbrock_grad(hist["sgd"][-1]))
        vel = 0.9 * vel + rosenbrock_grad(hist["mom"][-1])
        hist["mom"].append(hist["mom"][-1] - 0.001 * vel)
    ends = {}
    for lr in (0.01, 0.05):
        p = torch.tensor([-2.0, 2.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=lr)
        for _ in range(5000):
            p.grad = torch.from_numpy(rosenbrock_grad(p.detach().numpy().copy()))
            opt.step()
        ends[lr] = p.detach().numpy().copy()
    h = {k: np.array(v) for k, v in hist.items()}
    d = {k: np.linalg.norm(v[-1] - 1) for k, v in h.items()}
    d["adam"] = np.linalg.norm(ends[0.01] - 1)
    assert d["mom"] < 1e-6 and round(d["sgd"], 3) == 0.156 and round(d["adam"], 3) == 0.967
    first = int(np.argmax(np.linalg.norm(h["mom"] - 1, axis=1) < 0.1))
    assert first == 518
    full = np.sum(np.linalg.norm(np.diff(h["sgd"], axis=0), axis=1))
    first1000 = np.sum(np.linalg.norm(np.diff(h["sgd"][:1001], axis=0), axis=1))
    assert round(first1000, 2) == 4.87 and round(full, 2) == 6.47
    rows, _ = table("rosenbrock-shootout")
    np.testing.assert_allclose(final(rows["SGD"]), h["sgd"][-1], rtol=1e-9)
    np.testing.assert_allclose(final(rows["Momentum"]), h["mom"][-1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(final(rows["Adam"]), ends[0.01], rtol=1e-8)
    np.testing.assert_allclose(final(rows["Adam lr 0.05"]), ends[0.05], rtol=1e-6, atol=1e-9)
    assert rows["Momentum"]["steps_to_tol"] == first
    assert rows["SGD"]["path_length"] == pytest.approx(full, rel=1e-9)


def test_schedules_on_the_bowl_show_the_starting_rate_not_the_schedule():
    def train(schedule, steps=500):  # 004's train_with_schedule and its schedules
        x, hist = 0.0, [0.0]
        for step in range(steps):
            x = x - schedule(step) * 2 * (x - 5)
            hist.append(x)
        return np.array(hist)

    def warmup_cosine(s, lr0=0.5, w=50, T=500):
        return lr0 * s / w if s < w else lr0 * 0.5 * (1 + np.cos(np.pi * (s - w) / (T - w)))

    text = {"constant 0.1": lambda s: 0.1, "constant 0.5": lambda s: 0.5,
            "step decay": lambda s: 0.5 * 0.5 ** (s // 100),
            "exponential": lambda s: 0.5 * 0.99 ** s,
            "cosine": lambda s: 0.5 * 0.5 * (1 + np.cos(np.pi * s / 500)),
            "warm-up + cosine": warmup_cosine}
    first = {k: int(np.argmax(np.abs(train(f) - 5) < 0.01)) for k, f in text.items()}
    assert first == {"constant 0.1": 28, "constant 0.5": 1, "step decay": 1, "exponential": 1,
                     "cosine": 1, "warm-up + cosine": 24}  # the text's "Converged at" column
    assert np.all(np.diff(train(text["constant 0.1"])) >= 0)  # no oscillation near the optimum
    rows, _ = table("schedules")
    for k in ("constant 0.5", "step decay", "exponential", "cosine"):
        assert rows[k]["steps_to_tol"] == 1 and rows[k]["final_w"][0] == 5.0
    assert rows["constant 0.1"]["steps_to_tol"] == 21  # 1% of the start distance: 0.8^21 < 0.01
    assert 15 <= rows["warm-up + cosine"]["steps_to_tol"] <= 25


def test_decaying_schedules_beat_a_constant_rate_under_gradient_noise():
    from gdlab.problems import minibatches  # the documented seeded batch source

    X, y = linreg_data()
    best = np.linalg.lstsq(X, y, rcond=None)[0]
    batches = minibatches(1000, 1, 1000, seed=0)
    rates = {"constant 0.05": lambda t: 0.05,
             "exponential": lambda t: 0.05 * 0.995 ** t,
             "cosine": lambda t: 0.05 * (1 + math.cos(math.pi * t / 1000)) / 2}
    dist = {}
    for label, rate in rates.items():
        w = np.zeros(4)
        for t, rows_t in enumerate(batches):
            Xb, yb = X[rows_t], y[rows_t]
            w = w - rate(t) * 2 * Xb.T @ (Xb @ w - yb) / len(yb)
        dist[label] = np.linalg.norm(w - best)
    assert dist["constant 0.05"] > 4 * dist["cosine"] and dist["constant 0.05"] > 4 * dist["exponential"]
    rows, _ = table("schedules-sgd-noise")
    for label, dd in dist.items():
        assert rows[label]["distance_to_min"] == pytest.approx(dd, rel=1e-8)


def test_batch_size_gradient_variance_falls_like_one_over_b():
    rng = np.random.default_rng(42)  # the surface's documented recipe
    X = rng.standard_normal((10_000, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.5 * rng.standard_normal(10_000)
    G = 2 * X * (X @ np.zeros(5) - y)[:, None]  # per-row gradients at the start w = 0
    n, g = len(y), G.mean(0)
    rows, out = table("batch-sizes")
    v = dict(zip(out["facts"]["grad-variance"]["batch_size"], out["facts"]["grad-variance"]["variance"]))
    assert v[1] == pytest.approx(np.mean(np.sum((G - g) ** 2, axis=1)), rel=1e-9)  # every row once
    draw = np.random.default_rng(5)
    for b in (16, 64, 256):  # a Monte Carlo estimate over random batches without replacement
        est = np.mean([np.sum((G[draw.choice(n, b, replace=False)].mean(0) - g) ** 2)
                       for _ in range(1500)])
        assert v[b] == pytest.approx(est, rel=0.15)
        assert v[b] == pytest.approx(v[1] / b, rel=0.03)  # 1/B (up to the finite-population factor)
    assert v[10000] == 0.0
    w = np.zeros(5)
    for _ in range(300):
        w = w - 0.01 * 2 * X.T @ (X @ w - y) / n
    np.testing.assert_allclose(final(rows["batch 10000"]), w, rtol=1e-9)
    assert rows["batch 1"]["distance_to_min"] > rows["batch 64"]["distance_to_min"]


def test_the_texts_batch_size_table():
    """004's own train(): with its loss < 0.3 stop, every batch size up to 256 stops after one
    epoch, so no 'sweet spot' shows; its 'Avg Grad Var' column does not fall with B."""
    np.random.seed(42)
    n = 10000
    X = np.random.randn(n, 5)
    true_w = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    y = X @ true_w + np.random.randn(n) * 0.5
    epochs, avg_var = {}, {}
    for bs in (1, 16, 64, 256, 1024, n):
        lr, w, gv = (0.01 if bs < 256 else 0.1), np.zeros(5), []
        for epoch in range(50):
            if bs >= n:
                w = w - lr * 2 * X.T @ (X @ w - y) / n
                gv.append(0)
            else:
                idx, grads = np.random.permutation(n), []
                for i in range(0, n, bs):
                    b = idx[i:i + bs]
                    grads.append(2 * X[b].T @ (X[b] @ w - y[b]) / len(b))
                    w = w - lr * grads[-1]
                gv.append(np.var(grads))
            if np.mean((X @ w - y) ** 2) < 0.3:
                break
        epochs[bs], avg_var[bs] = epoch + 1, np.mean(gv)
    assert [epochs[b] for b in (1, 16, 64, 256)] == [1, 1, 1, 1] and epochs[n] > 10
    v = [avg_var[b] for b in (1, 16, 64, 256, 1024)]
    assert any(later > earlier for earlier, later in zip(v, v[1:]))  # not falling with B


def test_adam_on_the_ellipse_against_torch_and_plain_gd():
    p = torch.tensor([10.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    for _ in range(100):
        x, y = p.detach().numpy()
        p.grad = torch.tensor([x, 10 * y], dtype=torch.float64)
        opt.step()
    w = np.array([10.0, 1.0])
    for _ in range(100):
        w = w - 0.1 * np.array([w[0], 10 * w[1]])
    rows, out = table("adam-ellipse")
    np.testing.assert_allclose(final(rows["Adam"]), p.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(final(rows["SGD"]), w, rtol=1e-12, atol=1e-300)
    assert np.linalg.norm(w) < 3e-4 and round(float(np.linalg.norm(p.detach().numpy())), 2) == 2.24
    # 004's own per-coordinate rate table: lr / sqrt(v_hat), from its own loop
    g = lambda q: np.array([q[0], 10 * q[1]])  # noqa: E731
    q, m, v = np.array([10.0, 1.0]), np.zeros(2), np.zeros(2)
    rates = {}
    for t in range(1, 51):
        m, v = 0.9 * m + 0.1 * g(q), 0.999 * v + 0.001 * g(q) ** 2
        q = q - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        rates[t] = 0.1 / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    assert rates[50][1] > 2 * rates[50][0]  # y (the steep direction) gets the larger rate
    facts = {r["step"]: r for r in out["facts"]["adam-state"]["steps"]}
    for t in (1, 10, 50):
        np.testing.assert_allclose(facts[t]["lr_per_coordinate"], rates[t], rtol=1e-9)


def test_adamw_decay_holds_the_weights_down_at_a_large_lr():
    sqft = torch.tensor([1.0, 1.5, 2.0, 2.5, 3.0], dtype=torch.float64)
    price = torch.tensor([200.0, 250, 300, 350, 400], dtype=torch.float64)
    ends = {}
    for cls in (torch.optim.Adam, torch.optim.AdamW):
        p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        opt = cls([p], lr=1.0, weight_decay=0.01)
        for _ in range(500):
            opt.zero_grad()
            torch.mean((p[0] * sqft + p[1] - price) ** 2).backward()
            opt.step()
        ends[cls.__name__] = p.detach().numpy()
    rows, _ = table("adamw")
    np.testing.assert_allclose(final(rows["Adam + L2 0.01"]), ends["Adam"], rtol=1e-8)
    np.testing.assert_allclose(final(rows["AdamW 0.01"]), ends["AdamW"], rtol=1e-8)
    assert np.abs(ends["Adam"] - 100).max() < 1 and np.abs(ends["AdamW"] - 70).max() < 1


# --- notes: their numbers are fields filled from the runs ---------------------------------

@pytest.mark.parametrize("name", list(LESSONS))
def test_every_note_renders_with_the_numbers_its_runs_compute(name):
    """Each field of the note's template, evaluated on runs made here with run_experiment,
    appears formatted at its place in the note run_lesson renders; the catalog's copy
    (rendered_notes.py) is that same text."""
    from gdlab import notes

    lesson = LESSONS[name]
    out = lesson_output(name)
    runs = lesson.compare or ({**lesson.state, "label": lesson.title},)
    mine = {r["label"]: run_experiment({k: v for k, v in r.items() if k != "label"}, lesson.tol)
            for r in runs}
    ctx = notes.context(lesson, mine, out["facts"])
    pieces = []
    for literal, field, spec, _ in notes.FORMATTER.parse(lesson.note_template):
        pieces.append(literal)
        if field is not None:
            value, _ = notes.FORMATTER.get_field(field, (), ctx)
            assert value is not None and (not isinstance(value, float) or np.isfinite(value)), field
            pieces.append(notes.FORMATTER.format_field(value, spec))
    assert "".join(pieces) == out["note"]
    assert "{" not in out["note"] and "}" not in out["note"]
    assert lesson.note == out["note"], "stale: run  PYTHONPATH=py python3 -m gdlab.lessons"


def test_notes_state_outcomes_as_fields_not_typed_numbers():
    """The outcomes the issue named are fields now, not digits in the prose."""
    from gdlab import notes

    for name, typed in [("watch-a-parameter-move", "2.990"), ("lr-diagnosis", "137"),
                        ("double-well-momentum", "26.41")]:
        template = LESSONS[name].note_template
        assert typed not in template and typed in LESSONS[name].note
        assert notes.fields(template)


def test_note_numbers_use_a_real_minus_and_compact_exponents():
    from gdlab import notes

    assert notes.render("{a:.2f} {b:sci1} {c:g}", {"a": -26.413, "b": 2.93e-6, "c": -1}) == \
        "−26.41 2.9e-6 −1"


def test_flat_inflection_stalls_left_of_zero_and_finds_nine_quarters_from_the_right():
    """001's x⁴ − 3x³ + 2 by a plain loop: L' = 4x³ − 9x² = x²(4x − 9)."""
    from gdlab.lessons import run_lesson
    from gdlab.surfaces import get_surface

    def descend(x, lr=0.05, steps=200):
        for _ in range(steps):
            x = x - lr * (4 * x ** 3 - 9 * x ** 2)
        return x

    s = get_surface("flat-inflection")
    assert s.minima == ((2.25,),) and s.min_loss == pytest.approx(2.25 ** 4 - 3 * 2.25 ** 3 + 2)
    left, right = descend(-1.0), descend(0.5)
    assert -0.02 < left < 0 and descend(-1.0, steps=2000) < 0       # never crosses the flat point
    assert right == pytest.approx(2.25, abs=1e-9)
    rows = {r[0]: r for r in run_lesson("flat-inflection")["rows"]}
    assert rows["from -1"][10][0] == pytest.approx(left, rel=1e-12)
    assert rows["from 0.5"][10][0] == pytest.approx(right, rel=1e-12)
    assert f"{left:.3f}".replace("-", "−") in run_lesson("flat-inflection")["note"]


def test_schedule_by_hand_is_checked_against_sgd_under_step_decay():
    """The exercise's Check: the starting code parts ways at step 101 (the first halving);
    the rule written as the text asks matches torch-equal step decay for all 600 steps."""
    from gdlab.bridge import handle

    lesson = LESSONS["schedule-by-hand"]
    msg = {"op": "check", "reference": lesson.exercise, "schedule": lesson.exercise_schedule}
    start = handle({**msg, "code": lesson.code})
    assert not start["match"] and start["step"] == 101
    done = lesson.code.replace("    lr_t = lr\n", "    lr_t = lr * 0.5 ** (t // 100)\n")
    assert handle({**msg, "code": done})["match"]
