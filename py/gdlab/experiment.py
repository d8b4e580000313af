"""One experiment described by a plain dict: the shape the CLI, the URL, the browser
bridge and the lesson presets all speak.

A *state* is ``{"surface", "optimizer", "lr", "steps", "start", "hyper", "schedule",
"clip", "batch_size", "seed"}``; everything but ``surface`` is optional and falls back
to the surface's and the optimizer's defaults. Values may be strings (from a command
line or a query string): they are checked and converted here, once, and every bad
value raises a one-line ``GdlabError``.
"""

from __future__ import annotations

import math

import numpy as np

from .analysis import summarize
from .errors import GdlabError
from .hyper import number  # noqa: F401 - re-exported: callers check values with it
from .optimizers import make_optimizer
from .runner import MAX_STEPS, run
from .schedules import make_schedule
from .surfaces import get_surface

MAX_LR = 1e6
KEYS = ("surface", "optimizer", "lr", "steps", "start", "hyper", "schedule", "clip",
        "batch_size", "seed")


def vector(name: str, value, dim: int) -> list[float]:
    """A point: "x,y" or a list of numbers, with exactly ``dim`` coordinates."""
    if isinstance(value, str):
        value = [v for v in value.replace(" ", "").split(",") if v != ""]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != dim:
        raise GdlabError(f"{name} needs {dim} number{'s' if dim > 1 else ''} (like "
                         f"{','.join(['1.5'] * dim)})")
    return [float(number(name, v, lo=-1e12, hi=1e12)) for v in value]


def prepare(state: dict) -> dict:
    """Check a state and fill in every default: the complete, validated experiment."""
    if not isinstance(state, dict):
        raise GdlabError("an experiment must be a mapping of settings")
    unknown = sorted(set(state) - set(KEYS))
    if unknown:
        raise GdlabError(f"unknown setting {unknown[0]!r}; expected one of {', '.join(KEYS)}")
    surface = get_surface(str(state.get("surface", "parabola")))
    name = str(state.get("optimizer") or "sgd")
    optimizer, hyper = make_optimizer(name, state.get("hyper") or {})
    lr = number("lr", state["lr"] if state.get("lr") is not None else surface.lr,
                lo=0, hi=MAX_LR, open_lo=True)
    steps = number("steps", state["steps"] if state.get("steps") is not None else surface.steps,
                   lo=0, hi=MAX_STEPS, integer=True)
    start = vector("start", state["start"] if state.get("start") is not None else surface.start,
                   surface.dim)
    clip = state.get("clip")
    clip = None if clip in (None, "", 0) else number("clip", clip, lo=0, open_lo=True)
    batch = state.get("batch_size")
    batch = None if batch in (None, "", 0) else number("batch_size", batch, lo=1, integer=True)
    seed = number("seed", state.get("seed") or 0, lo=0, hi=2**32 - 1, integer=True)
    schedule, sched_params = None, None
    spec = state.get("schedule")
    if isinstance(spec, str):
        spec = {"name": spec}
    if spec:
        if not isinstance(spec, dict):
            raise GdlabError("schedule must be a name or a mapping with a 'name'")
        sched_name = str(spec.get("name") or "constant")
        params = {k: v for k, v in spec.items() if k != "name"}
        schedule, used = make_schedule(sched_name, lr, steps, params)
        sched_params = {"name": sched_name, **used}
    return {"surface": surface, "optimizer_name": name, "optimizer": optimizer, "hyper": hyper,
            "lr": lr, "steps": steps, "start": start, "schedule": schedule,
            "schedule_params": sched_params, "clip": clip, "batch_size": batch, "seed": seed}


def run_experiment(state: dict, tol: float | None = None) -> dict:
    """Run one state; the result holds numpy arrays cut at divergence plus the summary."""
    x = prepare(state)
    surface = x["surface"]
    traj = run(surface, x["optimizer"], x["lr"], x["steps"], x["start"], schedule=x["schedule"],
               clip=x["clip"], batch_size=x["batch_size"], seed=x["seed"])
    summary = summarize(surface, traj, tol)[0]
    path, loss = traj.cut(0)
    m = len(path)
    return {
        "surface": surface.name, "optimizer": x["optimizer_name"], "hyper": x["hyper"],
        "lr_base": x["lr"], "steps": x["steps"], "start": x["start"],
        "schedule": x["schedule_params"], "clip": x["clip"], "batch_size": x["batch_size"],
        "seed": x["seed"], "dim": surface.dim,
        "path": path, "loss": loss, "lr": traj.lr[0, :max(m - 1, 0)],
        "grad_norm": traj.grad_norm[0, :m],
        **summary,
    }


def jsonable(value):
    """Plain JSON data: arrays to lists, non-finite floats to None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
