"""One experiment described by a plain dict: the shape the CLI, the URL, the browser
bridge and the lesson presets all speak.

A *state* is ``{"surface", "optimizer", "lr", "steps", "start", "hyper", "schedule",
"clip", "batch_size", "seed", "layers", "activation", "init_seed"}``; everything but
``surface`` is optional and falls back to the surface's and the optimizer's defaults.
``layers``, ``activation`` and ``init_seed`` are a network's settings (``DATASET-mlp``):
they build the surface itself (its d, start and code); ``seed`` stays the mini-batch
seed. Values may be strings (from a command
line or a query string): they are checked and converted here, once, and every bad
value raises a one-line ``GdlabError``.
"""

from __future__ import annotations

import math

import numpy as np

from . import networks
from .analysis import summarize
from .errors import GdlabError
from .hyper import FALSE, TRUE, number  # number is re-exported: callers check values with it
from .limits import CORE_COORD_MAX, MAX_LR, MAX_STEPS, PAGE_COORD_MAX, PAGE_STEPS_MAX
from .optimizers import make_optimizer
from .runner import run
from .schedules import make_schedule
from .surfaces import SETTING_KEYS, get_surface

SEED_MAX = 2**32 - 1
EMBED_TRUE, EMBED_FALSE = ("1", "true", "yes"), ("0", "false", "no", "")

# Every key of a state, once: its kind and checks, whether the core runs it ("run") and
# whether the page's query string carries it ("url": True, False, or "keyword" for the
# hyperparameters, each its own query key). "max" is the page's limit where the core
# allows more ("core_max"). The catalog sends this list; KEYS derives from it.
STATE_KEYS: tuple[dict, ...] = (
    {"key": "surface", "kind": "choice", "of": "surfaces", "run": True, "url": True,
     "reason": "no such surface"},
    {"key": "optimizer", "kind": "choice", "of": "optimizers", "run": True, "url": True,
     "reason": "no such optimizer"},
    {"key": "lr", "kind": "float", "min": 0.0, "min_exclusive": True, "max": MAX_LR,
     "run": True, "url": True, "reason": f"must be a number > 0 and <= {MAX_LR:g}"},
    {"key": "steps", "kind": "int", "min": 0, "max": PAGE_STEPS_MAX, "core_max": MAX_STEPS,
     "run": True, "url": True, "reason": f"must be a whole number from 0 to {PAGE_STEPS_MAX}"},
    {"key": "start", "kind": "point", "dim": "surface", "min": -PAGE_COORD_MAX,
     "max": PAGE_COORD_MAX, "core_max": CORE_COORD_MAX, "run": True, "url": True,
     "separator": ",", "reason": "must be the surface's number of coordinates, like 1,-0.5"},
    {"key": "hyper", "kind": "hypers", "of": "optimizer", "run": True, "url": "keyword",
     "true": sorted(TRUE), "false": sorted(FALSE), "write_bool": ["0", "1"],
     "reason": "checked against the optimizer's hyper spec (kind, lo, hi)"},
    {"key": "schedule", "kind": "schedule", "of": "schedules", "run": True, "url": True,
     "reason": "no such schedule (its settings go by keyword, e.g. step_size=10)"},
    {"key": "clip", "kind": "float", "min": 0.0, "min_exclusive": True, "off": [None, "", 0],
     "run": True, "url": False},
    {"key": "batch_size", "kind": "int", "min": 1, "max": "n_samples", "off": [None, "", 0],
     "run": True, "url": True, "reason": "must be a whole number from 1 to the surface's rows"},
    {"key": "seed", "kind": "int", "min": 0, "max": SEED_MAX, "run": True, "url": True,
     "reason": f"must be a whole number from 0 to {SEED_MAX}"},
    # A network's settings ("of": catalog.networks, whose entries describe them in full).
    # The page's query string carries them where they differ from the defaults.
    *({"key": k["key"], "kind": k["kind"], "of": "networks", "run": True, "url": True,
       **({"min": k["min"], "max": k["max"]} if k["kind"] == "int" else {}),
       **({"separator": k["separator"]} if "separator" in k else {}), "reason": k["reason"]}
      for k in networks.SETTINGS),
    # The landscape of a surface with more than two weights: the slice's plane (the page's
    # view, not the run: bridge.slice_settings reads and checks them).
    {"key": "slice", "kind": "choice", "of": ["pca", "random", "coords"], "run": False, "url": True,
     "reason": "must be pca, random or coords"},
    {"key": "slice_seed", "kind": "int", "min": 0, "max": SEED_MAX, "run": False, "url": True,
     "reason": f"must be a whole number from 0 to {SEED_MAX}"},
    {"key": "slice_at", "kind": "choice", "of": ["end", "start"], "run": False, "url": True,
     "reason": "must be end or start"},
    {"key": "axes", "kind": "pair", "run": False, "url": True,
     "reason": "must be two different weights like 0,1"},
    {"key": "preset", "kind": "choice", "of": "lessons", "empty": True, "run": False,
     "url": True, "reason": "no such preset"},
    {"key": "embed", "kind": "bool", "true": list(EMBED_TRUE), "false": list(EMBED_FALSE),
     "run": False, "url": True, "reason": "must be 1 or 0"},
    {"key": "controls", "kind": "controls", "run": False, "url": True,
     "reason": "must list some of lr, play, preset, surface, optimizer, steps, start, hyper, "
               "settings, or none"},
    {"key": "keep", "kind": "kept", "run": False, "url": True,
     "reason": "runs as optimizer,lr[,name:value...] joined by ;"},
    {"key": "code", "kind": "text", "owner": "the code pane (base64url of the program)",
     "run": False, "url": True},
    {"key": "id", "kind": "text", "owner": "an embed's instance id (keeps its edits apart)",
     "run": False, "url": True},
    {"key": "shared", "kind": "text", "owner": "the page's Python: 0 keeps an embed's Python its "
                                               "own instead of the origin's shared one",
     "run": False, "url": True},
)
KEYS = tuple(k["key"] for k in STATE_KEYS if k["run"])


def vector(name: str, value, dim: int) -> list[float]:
    """A point: "x,y" or a list of numbers, with exactly ``dim`` coordinates."""
    if isinstance(value, str):
        value = [v for v in value.replace(" ", "").split(",") if v != ""]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != dim:
        raise GdlabError(f"{name} needs {dim} number{'s' if dim > 1 else ''} (like "
                         f"{','.join(['1.5'] * dim)})")
    return [float(number(name, v, lo=-CORE_COORD_MAX, hi=CORE_COORD_MAX)) for v in value]


def prepare(state: dict) -> dict:
    """Check a state and fill in every default: the complete, validated experiment."""
    if not isinstance(state, dict):
        raise GdlabError("an experiment must be a mapping of settings")
    unknown = sorted(set(state) - set(KEYS))
    if unknown:
        raise GdlabError(f"unknown setting {unknown[0]!r}; expected one of {', '.join(KEYS)}")
    surface = get_surface(str(state.get("surface", "parabola")),
                          **{k: state.get(k) for k in SETTING_KEYS})
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
    seed = number("seed", state.get("seed") or 0, lo=0, hi=SEED_MAX, integer=True)
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
            "schedule_params": sched_params, "clip": clip, "batch_size": batch, "seed": seed,
            "settings": networks.settings_of(surface) or None}


def run_experiment(state: dict, tol: float | None = None) -> dict:
    """Run one state; the result holds numpy arrays cut at divergence plus the summary."""
    x = prepare(state)
    surface = x["surface"]
    traj = run(surface, x["optimizer"], x["lr"], x["steps"], x["start"], schedule=x["schedule"],
               clip=x["clip"], batch_size=x["batch_size"], seed=x["seed"])
    summary = summarize(surface, traj, tol)[0]
    path, loss = traj.cut(0)
    m = len(path)
    extra = {}
    if surface.val_loss is not None:
        extra["val_loss"] = surface.val_loss(path)
    if surface.accuracy is not None:  # classifiers: from the recorded path, all steps at once
        extra["acc"] = surface.accuracy(path)
    if surface.val_accuracy is not None:
        extra["val_acc"] = surface.val_accuracy(path)
    if x["settings"]:
        extra["settings"] = x["settings"]
    return {
        **extra,
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
