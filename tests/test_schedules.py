"""Every schedule against torch.optim.lr_scheduler, step by step."""

import math

import numpy as np
import pytest
import torch

from gdlab.errors import GdlabError
from gdlab.schedules import SCHEDULES, make_schedule


def torch_lrs(make, lr, steps):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


def ours(name, lr, steps, **params):
    fn, _ = make_schedule(name, lr, steps, params)
    return np.array([fn(t) for t in range(steps)])


LS = torch.optim.lr_scheduler


@pytest.mark.parametrize("name, params, make", [
    ("constant", {}, lambda o: LS.LambdaLR(o, lambda t: 1.0)),
    ("step", {"step_size": 7, "gamma": 0.3}, lambda o: LS.StepLR(o, 7, 0.3)),
    ("step", {}, lambda o: LS.StepLR(o, 10, 0.5)),
    ("exponential", {"gamma": 0.9}, lambda o: LS.ExponentialLR(o, 0.9)),
    ("cosine", {}, lambda o: LS.CosineAnnealingLR(o, T_max=50)),
    ("cosine", {"eta_min": 0.01}, lambda o: LS.CosineAnnealingLR(o, T_max=50, eta_min=0.01)),
    ("warmup-cosine", {"warmup": 5, "eta_min": 0.001}, lambda o: LS.SequentialLR(o, [
        LS.LambdaLR(o, lambda t: (t + 1) / 5),
        LS.CosineAnnealingLR(o, T_max=45, eta_min=0.001)], milestones=[5])),
    ("one-cycle", {}, lambda o: LS.OneCycleLR(o, max_lr=0.1, total_steps=50)),
    ("one-cycle", {"pct_start": 0.5, "div_factor": 10, "final_div_factor": 100},
     lambda o: LS.OneCycleLR(o, max_lr=0.1, total_steps=50, pct_start=0.5, div_factor=10,
                             final_div_factor=100)),
])
def test_schedule_equals_torch(name, params, make):
    ref = torch_lrs(make, 0.1, 50)
    np.testing.assert_allclose(ours(name, 0.1, 50, **params), ref, rtol=1e-9, atol=1e-15)


def test_every_schedule_is_covered_above():
    assert set(SCHEDULES) == {"constant", "step", "exponential", "cosine", "warmup-cosine",
                              "one-cycle"}


def test_schedules_take_one_lr_per_run():
    fn, _ = make_schedule("cosine", np.array([0.1, 0.2]), 10)
    np.testing.assert_allclose(fn(5), [0.05, 0.1])
    assert fn(0).shape == (2,)


def test_warmup_reaches_the_base_lr_and_cosine_ends_at_eta_min():
    lrs = ours("warmup-cosine", 0.4, 100, warmup=10, eta_min=0.0)
    assert lrs[9] == pytest.approx(0.4) and lrs[0] == pytest.approx(0.04)
    assert lrs[-1] == pytest.approx(0.4 * (1 + math.cos(math.pi * 89 / 90)) / 2)


@pytest.mark.parametrize("name, params, words", [
    ("zigzag", {}, "unknown schedule 'zigzag'"),
    ("step", {"gamma": 2}, "between"),
    ("step", {"step_size": 2.5}, "whole number"),
    ("cosine", {"tmax": 3}, "unknown hyperparameter 'tmax'"),
])
def test_bad_schedule_settings_are_refused(name, params, words):
    with pytest.raises(GdlabError) as info:
        make_schedule(name, 0.1, 10, params)
    assert words in str(info.value)
