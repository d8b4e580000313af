"""Learning-rate schedules: closures from the step number t = 0 .. steps−1 to the lr.

``make_schedule(name, lr, steps, params)`` returns ``(schedule, params_used)``;
``lr`` may be a float or an array of K learning rates (one per run), and the
closure returns the same shape. Each formula equals the torch.optim.lr_scheduler
named in its docstring for the same settings. Beside each formula, its ``*_code``
writes the same formula as the code pane's Python: lines that set ``lr_t`` from ``lr``
and the step number ``t``; ``schedule_code`` wraps them into a ``step`` function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import GdlabError
from .hyper import Hyper, literal, resolve
from .limits import MAX_LR, MAX_STEPS


def constant(lr, steps):
    """lr_t = lr."""
    return lambda t: lr


def constant_code(steps):
    return "lr_t = lr\n"


def step_decay(lr, steps, step_size=10, gamma=0.5):
    """lr_t = lr · γ^⌊t / step_size⌋   (torch StepLR)."""
    return lambda t: lr * gamma ** (t // step_size)


def step_decay_code(steps, step_size=10, gamma=0.5):
    return f"lr_t = lr * {literal(gamma)} ** (t // {int(step_size)})\n"


def exponential(lr, steps, gamma=0.95):
    """lr_t = lr · γ^t   (torch ExponentialLR)."""
    return lambda t: lr * gamma ** t


def exponential_code(steps, gamma=0.95):
    return f"lr_t = lr * {literal(gamma)} ** t\n"


def _cosine(lr, eta_min, t, span):
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / span)) / 2


def cosine(lr, steps, eta_min=0.0):
    """lr_t = η_min + (lr − η_min)·(1 + cos(π t / T))/2 with T = steps   (torch CosineAnnealingLR)."""
    return lambda t: _cosine(lr, eta_min, t, max(steps, 1))


def _cosine_code(eta_min, t: str, span: int) -> str:
    m = literal(eta_min)
    return f"(lr - {m}) * (1 + np.cos(np.pi * {t} / {span})) / 2 + {m}"


def cosine_code(steps, eta_min=0.0):
    return f"lr_t = {_cosine_code(eta_min, 't', max(steps, 1))}\n"


def warmup_cosine(lr, steps, warmup=10, eta_min=0.0):
    """lr_t = lr·(t+1)/W for t < W, then cosine from lr to η_min over the remaining steps."""
    warmup = min(int(warmup), steps)
    span = max(steps - warmup, 1)
    return lambda t: lr * (t + 1) / warmup if t < warmup else _cosine(lr, eta_min, t - warmup, span)


def warmup_cosine_code(steps, warmup=10, eta_min=0.0):
    w = min(int(warmup), steps)
    return (f"if t < {w}:\n    lr_t = lr * (t + 1) / {w}\nelse:\n"
            f"    lr_t = {_cosine_code(eta_min, f'(t - {w})', max(steps - w, 1))}\n")


def one_cycle(lr, steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    """torch OneCycleLR (cos annealing, two phases), with max_lr = lr and total_steps = steps:
    from lr/div_factor up to lr over the first pct_start of the steps, then down to
    lr/(div_factor·final_div_factor)."""
    initial = lr / div_factor
    final = initial / final_div_factor
    peak = float(pct_start * steps) - 1

    def at(t):
        if t <= peak:
            start, end, pct = initial, lr, t / peak
        else:
            start, end, pct = lr, final, (t - peak) / (steps - 1 - peak)
        return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)

    return at


def one_cycle_code(steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    return (f"initial = lr / {literal(div_factor)}\nfinal = initial / {literal(final_div_factor)}\n"
            f"peak = {literal(pct_start)} * {steps} - 1\n"
            f"if t <= peak:\n    start, end, pct = initial, lr, t / peak\n"
            f"else:\n    start, end, pct = lr, final, (t - peak) / ({steps} - 1 - peak)\n"
            "lr_t = end + (start - end) / 2 * (np.cos(np.pi * pct) + 1)\n")


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    title: str
    hypers: tuple[Hyper, ...]
    formula: str
    build: Callable
    code: Callable  # code(steps, **settings) -> Python lines setting lr_t from lr and t


SCHEDULES: dict[str, ScheduleSpec] = {
    "constant": ScheduleSpec("constant", "Constant", (), "lr_t = lr", constant, constant_code),
    "step": ScheduleSpec("step", "Step decay", (
        Hyper("step_size", 10, "int", 1, MAX_STEPS, "steps between drops"),
        Hyper("gamma", 0.5, "float", 0.0, 1.0, "factor at each drop"),
    ), "lr_t = lr·γ^⌊t/step_size⌋", step_decay, step_decay_code),
    "exponential": ScheduleSpec("exponential", "Exponential decay", (
        Hyper("gamma", 0.95, "float", 0.0, 1.0, "factor per step"),
    ), "lr_t = lr·γ^t", exponential, exponential_code),
    "cosine": ScheduleSpec("cosine", "Cosine annealing", (
        Hyper("eta_min", 0.0, "float", 0.0, MAX_LR, "lr at the end"),
    ), "lr_t = η_min + (lr − η_min)(1 + cos(πt/T))/2", cosine, cosine_code),
    "warmup-cosine": ScheduleSpec("warmup-cosine", "Warm-up, then cosine", (
        Hyper("warmup", 10, "int", 1, MAX_STEPS, "steps of linear warm-up"),
        Hyper("eta_min", 0.0, "float", 0.0, MAX_LR, "lr at the end"),
    ), "lr_t = lr·(t+1)/W for t < W, then cosine to η_min", warmup_cosine,
        warmup_cosine_code),
    "one-cycle": ScheduleSpec("one-cycle", "One cycle", (
        Hyper("pct_start", 0.3, "float", 0.01, 0.99, "share of steps spent rising"),
        Hyper("div_factor", 25.0, "float", 1.0, 1e6, "start at lr / div_factor"),
        Hyper("final_div_factor", 1e4, "float", 1.0, 1e9, "end at start / final_div_factor"),
    ), "up from lr/25 to lr (cosine), then down to lr/(25·10⁴)", one_cycle,
        one_cycle_code),
}


def make_schedule(name: str, lr, steps: int, params: dict | None = None):
    """The schedule ``name`` for base ``lr`` over ``steps`` steps, and the settings used."""
    spec = SCHEDULES.get(name)
    if spec is None:
        raise GdlabError(f"unknown schedule {str(name)[:40]!r}; expected one of {', '.join(SCHEDULES)}")
    used = resolve(spec.hypers, params, f"the {name} schedule")
    if name == "one-cycle" and steps < 2:
        raise GdlabError("the one-cycle schedule needs at least 2 steps")
    fn = spec.build(np.asarray(lr, dtype=float) if np.ndim(lr) else float(lr), steps, **used)
    return fn, used


def schedule_code(name: str, steps: int, settings: dict, helper: bool = False) -> str:
    """The code pane's Python for schedule ``name`` with the ``settings`` make_schedule
    used: ``step(w, g, lr, t)`` doing gradient descent at the scheduled rate (the step
    number t is the state), or with ``helper`` just ``lr_at(lr, t)``."""
    body = SCHEDULES[name].code(steps, **settings)
    inner = "".join(f"    {line}\n" for line in body.splitlines())
    if helper:
        return f"def lr_at(lr, t):\n    \"\"\"The {name} schedule: the lr of step t.\"\"\"\n{inner}    return lr_t\n"
    return (f'def step(w, g, lr, t):\n    """Gradient descent, learning rate by the {name} schedule;\n'
            '    the step number t is the state (None at the first call)."""\n'
            "    t = 0 if t is None else t\n" + inner + "    return w - lr_t * g, t + 1\n")
