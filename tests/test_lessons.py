"""The lesson presets: their true outcomes, each computed here independently
(plain loops in the lesson texts' own style, closed forms, torch.optim), never by
copying what lessons.py prints."""

import numpy as np
import pytest
import torch

from gdlab.experiment import prepare, run_experiment
from gdlab.lessons import LESSONS, run_lesson
from gdlab.surfaces import get_surface
from gdlab.usercode import run_user


def rows(name):
    out = run_lesson(name)
    return {r[0]: dict(zip(out["columns"], r)) for r in out["rows"]}, out


# --- every preset -------------------------------------------------------------------

@pytest.mark.parametrize("name", list(LESSONS))
def test_every_preset_is_valid_runs_and_its_code_matches_its_surface(name):
    lesson = LESSONS[name]
    prepare(lesson.state)  # raises on any bad name or value
    for r in lesson.compare:
        prepare({k: v for k, v in r.items() if k != "label"})
    out = run_lesson(name)
    assert out["rows"] and all(r[3] in ("converged", "oscillating", "diverged", "crawling")
                                for r in out["rows"])
    ns = {}
    exec(lesson.code, ns)
    for key in ("loss", "start", "lr", "steps"):
        assert key in ns, f"{name}: the code does not define {key}"
    s = get_surface(lesson.state["surface"])
    w = np.array(ns["start"], dtype=float) + 0.37
    assert ns["loss"](w) == pytest.approx(float(s.loss(w)), rel=1e-9)
    assert lesson.topic and lesson.note and lesson.source in ("000", "001", "002", "003", "004")


@pytest.mark.parametrize("name", [n for n, l in LESSONS.items() if not l.exercise and not any(
    l.state.get(k) for k in ("batch_size", "schedule", "clip")) and len(l.state.get("start", [0])) <= 2])
def test_the_code_pane_program_is_what_runs(name):
    """Run the preset's Python as a learner would and compare with the core's run."""
    lesson = LESSONS[name]
    steps = min(lesson.state.get("steps", 50), 200)
    mine = run_user({"code": lesson.code, "steps": steps, "landscape": False})
    assert "error" not in mine, mine
    core = run_experiment({**lesson.state, "steps": steps})
    n = min(len(mine["path"]), len(core["path"]))
    np.testing.assert_allclose(mine["path"][:n], core["path"][:n], rtol=1e-9, atol=1e-9)


# --- 000: thresholds on the bowl -----------------------------------------------------

def gd_bowl(lr, steps=100):
    w = np.array([3.0, 2.0])
    path = [w]
    for _ in range(steps):
        w = w - lr * np.array([2 * w[0], 8 * w[1]])
        path.append(w)
    return np.array(path)


def test_bowl_both_sides_of_one_over_lambda_converge_and_two_over_lambda_is_the_edge():
    assert np.abs(gd_bowl(0.124)[-1]).max() < 1e-9 and np.abs(gd_bowl(0.126)[-1]).max() < 1e-9
    assert gd_bowl(0.125)[1, 1] == 0.0  # lands on 0 in one step
    w1 = gd_bowl(0.25)[:, 1]
    assert np.all(np.abs(w1) == 2.0) and np.all(np.sign(w1[1:]) != np.sign(w1[:-1]))
    assert abs(gd_bowl(0.26)[-1, 1]) > 1e3 and abs(gd_bowl(0.28)[-1, 1]) > 1e6
    table, out = rows("bowl-thresholds")
    assert [table[f"lr {lr}"]["status"] for lr in (0.124, 0.126, 0.25, 0.26, 0.28)] == [
        "converged", "converged", "oscillating", "diverged", "diverged"]
    assert out["facts"]["lr_monotone"] == pytest.approx(1 / 8)
    assert out["facts"]["lr_stable"] == pytest.approx(2 / 8)


def test_lesson_momentum_beats_plain_gd_on_the_bowl():
    w, v = np.array([3.0, 2.0]), np.zeros(2)
    for _ in range(100):  # 000's own loop
        v = 0.9 * v + 0.01 * np.array([2 * w[0], 8 * w[1]])
        w = w - v
    table, _ = rows("bowl-momentum")
    np.testing.assert_allclose(table["momentum 0.9"]["final_w"], w, rtol=1e-10)
    np.testing.assert_allclose(table["plain GD"]["final_w"], gd_bowl(0.01)[-1], rtol=1e-12)
    assert table["momentum 0.9"]["distance_to_min"] < table["plain GD"]["distance_to_min"] / 10


def test_ill_conditioned_at_lr_0_01_flips_for_ever():
    w = np.array([3.0, 2.0])
    for _ in range(100):
        w = w - 0.01 * np.array([2 * w[0], 200 * w[1]])
        assert abs(w[1]) == 2.0
    table, out = rows("ill-conditioned")
    assert table["lr 0.01"]["status"] == "oscillating"
    assert out["facts"]["lr_stable"] == pytest.approx(0.01)


# --- 001 ------------------------------------------------------------------------------

@pytest.mark.parametrize("lr, status", [(0.01, "crawling"), (0.5, "converged"),
                                        (1.0, "oscillating"), (1.1, "diverged"), (1.5, "diverged")])
def test_valley_learning_rates(lr, status):
    x = 0.0
    for _ in range(20):
        x = x - lr * (2 * x - 4)
    assert x == pytest.approx(2 - 2 * (1 - 2 * lr) ** 20, abs=1e-9)
    table, _ = rows("valley-lr-table")
    assert table[f"lr {lr:g}"]["final_w"][0] == pytest.approx(x, rel=1e-12, abs=1e-12)
    assert table[f"lr {lr:g}"]["status"] == status


def test_house_prices_are_not_learned_perfectly_in_1000_epochs():
    sqft = np.array([1.0, 1.5, 2.0, 2.5, 3.0])
    prices = np.array([200, 250, 300, 350, 400])
    w, b = 0.0, 0.0
    for _ in range(1000):  # 001's own loop
        error = w * sqft + b - prices
        w, b = w - 0.01 * (2 / 5) * np.sum(error * sqft), b - 0.01 * (2 / 5) * np.sum(error)
    assert abs(w - 100) > 2 and abs(b - 100) > 5
    table, _ = rows("house-prices")
    np.testing.assert_allclose(table["1000 steps"]["final_w"], [w, b], rtol=1e-10)
    assert table["5000 steps"]["status"] == "converged"


def test_quartic_the_left_minimum_is_the_global_one():
    f = np.poly1d([1, 0, -8, 1, 0])
    crit = [r.real for r in f.deriv().roots if abs(r.imag) < 1e-12 and f.deriv(2)(r.real) > 0]
    left, right = min(crit), max(crit)
    assert f(left) < f(right)  # the text says the opposite
    assert left == pytest.approx(-2.0305, abs=1e-4) and f(left) == pytest.approx(-18.0154, abs=1e-3)
    x = -3.0
    for _ in range(200):
        x -= 0.01 * (4 * x ** 3 - 16 * x + 1)
    table, _ = rows("quartic-restarts")
    assert table["start -3"]["final_w"][0] == pytest.approx(x, rel=1e-12) == pytest.approx(left)


def test_clipping_turns_a_blow_up_into_a_bounded_bounce():
    w = -5.0
    for _ in range(60):
        g = 2 * (w - 3)
        g = g * min(1.0, 1.0 / (abs(g) + 1e-6))
        w -= 1.1 * g
        assert abs(w - 3) <= 8
    table, _ = rows("gradient-clipping")
    assert table["clip 1.0"]["final_w"][0] == pytest.approx(w, rel=1e-12)
    assert table["no clipping"]["status"] == "diverged"


# --- 003 ------------------------------------------------------------------------------

def test_fit_line_first_step_is_0_44_not_0_22():
    x, y = np.arange(1.0, 6.0), 2 * np.arange(1.0, 6.0)
    w = 0.0
    grad = np.mean(2 * (w * x - y) * x)
    assert grad == pytest.approx(-44.0)
    w -= 0.01 * grad
    assert w == pytest.approx(0.44)
    out = run_experiment(LESSONS["fit-line"].state)
    assert out["path"][1, 0] == pytest.approx(0.44)
    table, _ = rows("fit-line")
    assert [table[f"lr {lr:g}"]["status"] for lr in (0.001, 0.01, 0.1)] == [
        "crawling", "converged", "diverged"]


# --- 004 ------------------------------------------------------------------------------

def test_double_well_sgd_finds_the_global_minimum_and_ema_momentum_does_not_jump():
    grad = lambda x: 0.4 * x ** 3 - 6 * x + 1  # noqa: E731
    x = -3.0
    for _ in range(20):
        x = x - 0.1 * grad(x)
    xm, v = -3.0, 0.0
    for _ in range(20):  # 004's own loops
        v = 0.9 * v + 0.1 * grad(xm)
        xm = xm - 0.1 * v
    f = np.poly1d([0.1, 0, -3, 1, 0])
    assert x == pytest.approx(-3.9538, abs=1e-3) and f(-3.9538) < f(3.7868)
    assert xm < 0  # momentum does not reach the right-hand valley
    table, _ = rows("double-well-momentum")
    assert table["SGD"]["final_w"][0] == pytest.approx(x, rel=1e-12)
    assert table["momentum (EMA form)"]["final_w"][0] == pytest.approx(xm, rel=1e-10)


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)])


def test_rosenbrock_shootout_momentum_wins_and_adam_ends_far_off():
    pos = np.array([-2.0, 2.0])
    for _ in range(5000):
        pos = pos - 0.001 * rosenbrock_grad(pos)
    sgd_end = pos
    pos, vel = np.array([-2.0, 2.0]), np.zeros(2)
    for _ in range(5000):
        vel = 0.9 * vel + rosenbrock_grad(pos)
        pos = pos - 0.001 * vel
    mom_end = pos
    p = torch.tensor([-2.0, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01)
    for _ in range(5000):
        p.grad = torch.from_numpy(rosenbrock_grad(p.detach().numpy().copy()))
        opt.step()
    adam_end = p.detach().numpy()
    table, _ = rows("rosenbrock-shootout")
    np.testing.assert_allclose(table["SGD"]["final_w"], sgd_end, rtol=1e-9)
    np.testing.assert_allclose(table["Momentum"]["final_w"], mom_end, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table["Adam"]["final_w"], adam_end, rtol=1e-8)
    d = {k: np.linalg.norm(v - 1) for k, v in (("sgd", sgd_end), ("mom", mom_end), ("adam", adam_end))}
    assert d["mom"] < 1e-6 < d["sgd"] < d["adam"]


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
    table, _ = rows("adam-ellipse")
    np.testing.assert_allclose(table["Adam"]["final_w"], p.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(table["SGD"]["final_w"], w, rtol=1e-12, atol=1e-300)
    assert table["SGD"]["distance_to_min"] < 1e-3 < 2 < table["Adam"]["distance_to_min"]


def test_schedules_starting_at_half_hit_the_target_in_one_step():
    for name, lr0 in (("step decay", 0.5), ("exponential", 0.5), ("cosine", 0.5)):
        x = 0.0 - lr0 * 2 * (0.0 - 5)  # one step of GD at lr 0.5 from 0
        assert x == 5.0
    table, _ = rows("schedules")
    assert all(table[k]["steps_to_tol"] == 1 for k in ("step decay", "exponential", "cosine"))
    x = 0.0
    for t in range(500):
        x -= 0.1 * 2 * (x - 5)
    assert table["constant 0.1"]["final_w"][0] == pytest.approx(x)


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
    table, _ = rows("adamw")
    np.testing.assert_allclose(table["Adam + L2 0.01"]["final_w"], ends["Adam"], rtol=1e-8)
    np.testing.assert_allclose(table["AdamW 0.01"]["final_w"], ends["AdamW"], rtol=1e-8)


def test_exercise_check_finds_the_starting_version_wrong_and_the_reference_right():
    from gdlab.optimizers import optimizer_code
    from gdlab.usercode import check_user

    lesson = LESSONS["momentum-by-hand"]
    out = check_user({"code": lesson.code, "reference": lesson.exercise})
    assert out["match"] is False and out["step"] == 2  # plain GD equals momentum's first step
    solved = lesson.code.split("def step")[0] + optimizer_code("momentum")
    assert check_user({"code": solved, "reference": "momentum"})["match"] is True
