"""Every optimizer and hyperparameter combination against torch.optim, step by step.

The oracle is torch 2.13 in float64: the same start, the same analytic gradient put in
``p.grad``, ``opt.step()``; every iterate must agree to ~1e-12. The test losses are
defined here so that these tests check the optimizers alone.
"""

import itertools

import numpy as np
import pytest
import torch

from gdlab.errors import GdlabError
from gdlab.optimizers import OPTIMIZERS, clip_by_norm, make_optimizer, optimizer_code

LOSSES = {  # name: (grad(w) for w of shape (..., 2), start)
    "bowl": (lambda w: np.stack([2 * w[..., 0], 8 * w[..., 1]], -1), [3.0, 2.0]),
    "ill-conditioned": (lambda w: np.stack([2 * w[..., 0], 200 * w[..., 1]], -1), [3.0, 2.0]),
    "rosenbrock": (lambda w: np.stack([
        -2 * (1 - w[..., 0]) - 400 * w[..., 0] * (w[..., 1] - w[..., 0] ** 2),
        200 * (w[..., 1] - w[..., 0] ** 2)], -1), [-1.2, 1.0]),
    "quartic-2d": (lambda w: np.stack([4 * w[..., 0] ** 3 - 16 * w[..., 0] + 1,
                                       2 * w[..., 1]], -1), [-3.0, 1.5]),
}

TORCH = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
         "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
         "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*axes.values())]


CASES = (
    [("sgd", h) for h in grid(momentum=[0.0, 0.9], dampening=[0.0, 0.3], weight_decay=[0.0, 0.1])]
    + [("sgd", {"momentum": 0.8, "nesterov": True, "weight_decay": w}) for w in (0.0, 0.05)]
    + [("momentum", {}), ("nesterov", {}), ("momentum", {"dampening": 0.5})]
    + [("adagrad", h) for h in grid(lr_decay=[0.0, 0.01], weight_decay=[0.0, 0.1],
                                    initial_accumulator_value=[0.0, 0.5])]
    + [("rmsprop", h) for h in grid(momentum=[0.0, 0.5], centered=[False, True],
                                    weight_decay=[0.0, 0.1])]
    + [("rmsprop", {"alpha": 0.9, "eps": 1e-6})]
    + [(n, h) for n in ("adam", "adamw") for h in grid(amsgrad=[False, True],
                                                        weight_decay=[0.0, 0.1])]
    + [("adam", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-6}), ("adamw", {"beta1": 0.0})]
)
LR = {"sgd": 0.01, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.01,
      "adam": 0.05, "adamw": 0.05}


def torch_kwargs(name, hyper):
    h = dict(hyper)
    h.pop("ema", None)
    if "beta1" in h or "beta2" in h:
        h["betas"] = (h.pop("beta1"), h.pop("beta2"))
    return h


def torch_path(name, used, lr, grad, start, steps):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = TORCH[name]([p], lr=lr, **torch_kwargs(name, used))
    out = [p.detach().numpy().copy()]
    for _ in range(steps):
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def core_path(opt, lr, grad, start, steps):
    w = np.atleast_2d(np.asarray(start, dtype=float))
    state = opt.init(w)
    out = [w[0].copy()]
    for _ in range(steps):
        d, state = opt.update(grad(w), state, w)
        w = w - lr * d
        out.append(w[0].copy())
    return np.array(out)


@pytest.mark.parametrize("surface", sorted(LOSSES))
@pytest.mark.parametrize("name, hyper", CASES, ids=lambda x: str(x))
def test_iterates_equal_torch(name, hyper, surface):
    grad, start = LOSSES[surface]
    opt, used = make_optimizer(name, hyper)
    lr = LR[name] / (50 if surface in ("rosenbrock", "ill-conditioned") and name in (
        "sgd", "momentum", "nesterov") else 1)
    # Rosenbrock's curved valley amplifies last-bit differences in the order of float
    # operations; 40 steps keep it comparable at the same tight tolerance.
    steps = 40 if surface == "rosenbrock" else 60
    ours = core_path(opt, lr, grad, start, steps)
    ref = torch_path(name, used, lr, grad, start, steps)
    assert np.isfinite(ref).all()
    np.testing.assert_allclose(ours, ref, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_k_runs_side_by_side_equal_k_separate_torch_runs(name):
    grad, _ = LOSSES["bowl"]
    opt, used = make_optimizer(name)
    starts = np.array([[3.0, 2.0], [-1.0, 0.5], [0.2, -4.0]])
    lrs = np.array([0.01, 0.05, 0.1])
    state = opt.init(starts)
    w = starts.copy()
    for _ in range(40):
        d, state = opt.update(grad(w), state, w)
        w = w - lrs[:, None] * d
    for k in range(3):
        ref = torch_path(name, used, lrs[k], grad, starts[k].tolist(), 40)
        np.testing.assert_allclose(w[k], ref[-1], rtol=1e-11, atol=1e-12)


def test_ema_momentum_is_the_lesson_form():
    grad, start = LOSSES["bowl"]
    opt, _ = make_optimizer("momentum", {"ema": True, "momentum": 0.9})
    ours = core_path(opt, 0.1, grad, start, 30)
    w, v = np.array(start), np.zeros(2)
    for t in range(30):
        v = 0.9 * v + (1 - 0.9) * grad(w)
        w = w - 0.1 * v
        np.testing.assert_allclose(ours[t + 1], w, rtol=1e-13)


def test_lesson_momentum_with_lr_inside_equals_torch_convention():
    """000's `v = 0.9 v + lr g; w -= v` is torch momentum with the lr factored out."""
    grad, start = LOSSES["bowl"]
    ours = core_path(make_optimizer("momentum")[0], 0.01, grad, start, 50)
    w, v = np.array(start), np.zeros(2)
    for t in range(50):
        v = 0.9 * v + 0.01 * grad(w)
        w = w - v
    np.testing.assert_allclose(ours[-1], w, rtol=1e-12)


@pytest.mark.parametrize("max_norm", [0.5, 5.0, 100.0])
def test_clip_by_norm_equals_torch(max_norm):
    g = np.array([[3.0, -4.0], [0.1, 0.2], [30.0, 1.0]])
    ours = clip_by_norm(g, max_norm)
    for k in range(3):
        p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        p.grad = torch.from_numpy(g[k].copy())
        torch.nn.utils.clip_grad_norm_([p], max_norm)
        np.testing.assert_allclose(ours[k], p.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"momentum": 0.9, "weight_decay": 0.1}), ("nesterov", {}),
    ("momentum", {"ema": True}), ("momentum", {"dampening": 0.3}),
    ("adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("rmsprop", {"centered": True, "momentum": 0.5}), ("rmsprop", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.1}), ("adamw", {}),
])
def test_code_pane_step_does_what_the_core_does(name, hyper):
    grad, start = LOSSES["rosenbrock"]
    ns = {"np": np}
    exec(optimizer_code(name, hyper), ns)
    opt, _ = make_optimizer(name, hyper)
    ours = core_path(opt, 1e-4 if name in ("sgd", "momentum", "nesterov") else 0.01, grad, start, 40)
    lr = 1e-4 if name in ("sgd", "momentum", "nesterov") else 0.01
    w, state = np.array(start), None
    for t in range(40):
        w, state = ns["step"](w, grad(w), lr, state)
        np.testing.assert_allclose(w, ours[t + 1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, hyper, words", [
    ("adamm", {}, "unknown optimizer 'adamm'"),
    ("adam", {"betaa": 0.9}, "unknown hyperparameter 'betaa' for adam; expected one of beta1"),
    ("adam", {"beta1": "x"}, "beta1 (for adam) must be a number"),
    ("adam", {"beta1": 1.5}, "between"),
    ("adam", {"amsgrad": "maybe"}, "true or false"),
    ("sgd", {"nesterov": True}, "nesterov needs momentum > 0"),
    ("sgd", {"momentum": float("nan")}, "finite"),
])
def test_bad_hyperparameters_are_refused_in_one_line(name, hyper, words):
    with pytest.raises(GdlabError, match=None) as info:
        make_optimizer(name, hyper)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_strings_from_a_command_line_are_accepted():
    _, used = make_optimizer("adam", {"beta1": "0.8", "amsgrad": "true"})
    assert used["beta1"] == 0.8 and used["amsgrad"] is True
