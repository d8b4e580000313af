"""The one entry point the browser calls: ``handle(msg) -> dict``.

The worker passes a plain dict (converted from a JS object) and gets back a dict whose
large numeric values are float64 numpy arrays (the worker sends them as transferable
``Float64Array``s with their shape) and whose other values are plain JSON data. Bad
input never raises: the answer is ``{"error": "one line"}``. The ops are listed in
``OPS``; ``schemas.ANSWERS`` writes down every key of every answer (and
docs/architecture.md shows it).
"""

from __future__ import annotations

import dataclasses
import importlib
import json

import numpy as np

from . import networks, runner, slices
from .analysis import curvature, grad_variance, summarize
from .errors import GdlabError
from .experiment import KEYS, SEED_MAX, STATE_KEYS, number, prepare, run_experiment
from .lessons import LESSONS, preset_program, run_lesson
from .limits import limits, slider, slider_range
from .optimizers import OPTIMIZERS, optimizer_code
from .program import answer as program_answer
from .program import program as make_program
from .schedules import SCHEDULES, make_schedule
from .surfaces import SURFACES, get_surface
from .usercode import check_user, run_user

LANDSCAPE_N = {1: 401, 2: 81}
MAX_GRID = 301
MAX_SLICE = 201   # grid points per axis of a slice (its loss is one call over size² points)
MAX_BOUNDARY = 101       # grid points per axis of a decision boundary
MAX_BOUNDARY_ROWS = 256  # weight vectors (or frames of a run) in one boundary answer


def _hypers(specs) -> list[dict]:
    return [dataclasses.asdict(h) for h in specs]


def catalog(_msg=None) -> dict:
    """Names, formulas, defaults and ranges of everything the page can pick, and the
    limits, the slider's scale and the state keys with their checks."""
    surfaces = [{
        "name": s.name, "title": s.title, "formula": s.formula, "dim": s.dim,
        "bounds": [list(b) for b in s.bounds], "start": list(s.start), "lr": s.lr,
        "steps": s.steps, "minima": [list(m) for m in s.minima], "log_loss": s.log_loss,
        "min_loss": s.min_loss if np.isfinite(s.min_loss) else None,
        "n_samples": s.n_samples, "note": s.note, "code": s.code,
        "slider": dict(zip(("lo", "hi", "max"), slider_range(s.lr))),
    } for s in SURFACES.values()]
    optimizers = [{
        "name": o.name, "title": o.title, "equations": o.equations, "hypers": _hypers(o.hypers),
        "code": optimizer_code(o.name, {}),
    } for o in OPTIMIZERS.values()]
    schedules = [{"name": s.name, "title": s.title, "formula": s.formula,
                  "hypers": _hypers(s.hypers)} for s in SCHEDULES.values()]
    nets = [{**networks.catalog_entry(name),
             "slider": dict(zip(("lo", "hi", "max"), slider_range(networks.LR)))}
            for name in networks.NAMES]
    return {"surfaces": surfaces, "networks": nets, "optimizers": optimizers,
            "schedules": schedules, "lessons": _lesson_catalog(), "limits": limits(),
            "slider": slider(), "state_keys": [dict(k) for k in STATE_KEYS]}


def _lesson_catalog() -> list[dict]:
    return [{"name": l.name, "title": l.title, "topic": l.topic, "source": l.source,
             "state": l.state, "note": l.note, "code": l.code, "compare": list(l.compare),
             "exercise": l.exercise, "exercise_schedule": l.exercise_schedule,
             "facts": list(l.facts)} for l in LESSONS.values()]


def landscape(msg: dict) -> dict:
    """The loss on a grid over the surface's view box: a curve (1-D) or a contour (2-D)."""
    s = get_surface(str(msg.get("surface", "parabola")))
    if s.dim > 2:
        raise GdlabError(f"'{s.name}' has {s.dim} parameters: there is no landscape to draw")
    n = number("n", msg.get("n") or LANDSCAPE_N[s.dim], lo=3, hi=MAX_GRID * (4 if s.dim == 1 else 1),
               integer=True)
    axes = [np.linspace(lo, hi, n) for lo, hi in s.bounds]
    out = {"surface": s.name, "dim": s.dim, "bounds": [list(b) for b in s.bounds],
           "minima": [list(m) for m in s.minima], "x": axes[0]}
    with np.errstate(all="ignore"):
        if s.dim == 1:
            out["z"] = s.loss(axes[0][:, None])
        else:
            xx, yy = np.meshgrid(axes[0], axes[1])  # z[i, j] = L(x[j], y[i])
            out["y"] = axes[1]
            out["z"] = s.loss(np.stack([xx, yy], axis=-1))
    return out


def slice_settings(msg: dict, dim: int) -> dict:
    """The slice's own keys of a message, checked: ``slice`` (pca | random | coords, default
    pca), ``slice_at`` (end | start), ``slice_seed`` (random's seed, 0 .. 2³² − 1), ``axes``
    ("i,j" or [i, j]: two different weights, read for coords only, default 0,1) and
    ``size`` (grid points per axis, 3 .. MAX_SLICE, default 41)."""
    how = str(msg.get("slice") or "pca")
    if how not in slices.DIRECTIONS:
        raise GdlabError(f"slice must be one of {', '.join(slices.DIRECTIONS)}, got {how[:40]!r}")
    at = str(msg.get("slice_at") or "end")
    if at not in slices.CENTRES:
        raise GdlabError(f"slice_at must be one of {', '.join(slices.CENTRES)}, got {at[:40]!r}")
    seed = number("slice_seed", msg.get("slice_seed") or 0, lo=0, hi=SEED_MAX, integer=True)
    size = number("size", msg.get("size") or slices.SIZE, lo=3, hi=MAX_SLICE, integer=True)
    axes = None
    if how == "coords":
        raw = msg.get("axes")
        raw = "0,1" if raw in (None, "") else raw
        parts = raw.replace(" ", "").split(",") if isinstance(raw, str) else raw
        if not isinstance(parts, (list, tuple)) or len(parts) != 2:
            raise GdlabError(f"axes needs two weight indices like 0,1 (got {str(raw)[:40]!r})")
        axes = [number("axes", a, lo=0, hi=dim - 1, integer=True) for a in parts]
        if axes[0] == axes[1]:
            raise GdlabError(f"axes needs two different weights, got {axes[0]},{axes[1]}")
    return {"slice": how, "slice_at": at, "slice_seed": seed, "axes": axes, "size": size}


def slice_op(msg: dict) -> dict:
    """The loss on a plane through the state's run (``slices.slice_loss``) and along the
    line from its start to its end; the slice's own keys as ``slice_settings`` reads them."""
    s = prepare(_state(msg))["surface"]       # a network's settings decide its d
    if s.dim < 2:
        raise GdlabError(f"'{s.name}' has 1 parameter: a slice needs at least 2 "
                         "(its landscape is the whole picture)")
    how = slice_settings(msg, s.dim)
    out = run_experiment(_state(msg))
    fallback = float(np.mean([hi - lo for lo, hi in s.bounds])) / 2
    answer = slices.slice_loss(s.loss, out["path"], directions=how["slice"], at=how["slice_at"],
                               seed=how["slice_seed"], axes=how["axes"] or (0, 1),
                               size=how["size"], minima=s.minima, fallback=fallback)
    return {"surface": s.name, "dim": s.dim, **{k: v for k, v in how.items() if k != "size"},
            **answer}


def _frames(m: int, k: int) -> list[int]:
    """k steps spread evenly over 0 .. m (k >= 2: the first and the last among them)."""
    if k <= 1 or m == 0:
        return [m]
    return sorted({int(round(i * m / (k - 1))) for i in range(k)})


def boundary(msg: dict) -> dict:
    """A network's class probability on a grid over its data box (``networks.boundary``):
    at the weights ``w`` ((d,) or (K, d)) when given, else at ``frames`` steps of the
    state's run spread evenly from its start to its end (default 1: the end)."""
    x = prepare(_state(msg))
    s = x["surface"]
    if not networks.is_network(s.name):
        raise GdlabError(f"'{s.name}' is not a network (DATASET-mlp): no decision boundary")
    size = number("size", msg.get("size") or networks.BOX_SIZE, lo=3, hi=MAX_BOUNDARY, integer=True)
    st = networks.settings_of(s)
    out = {"surface": s.name, "dim": s.dim, "settings": st}
    if msg.get("w") is not None:
        try:
            w = np.asarray(msg["w"], dtype=float)
        except (TypeError, ValueError):
            raise GdlabError("w must be a list of numbers (or a list of such lists)") from None
        if w.ndim == 2 and not 1 <= len(w) <= MAX_BOUNDARY_ROWS:
            raise GdlabError(f"w may hold 1 to {MAX_BOUNDARY_ROWS} weight vectors")
        if not np.all(np.isfinite(w)):
            raise GdlabError("w must be finite numbers")
    else:
        k = number("frames", msg.get("frames") or 1, lo=1, hi=MAX_BOUNDARY_ROWS, integer=True)
        path = run_experiment(_state(msg))["path"]
        out["steps_at"] = _frames(len(path) - 1, k)
        w = path[out["steps_at"]] if k > 1 else path[-1]
    X, y, _, _ = networks.dataset(s.name[:-len(networks.SUFFIX)])
    grid = networks.boundary(s.name, w, st["layers"], st["activation"], size)
    return {**out, **grid, "X": X, "labels": y}


def run(msg: dict) -> dict:
    """One run: path, loss and lr per step (cut where it diverged) and its summary."""
    return run_experiment(_state(msg), _tol(msg))


def sweep(msg: dict) -> dict:
    """The same experiment at K learning rates as one (K, d) run."""
    lrs = msg.get("lrs")
    if lrs is None:
        lo = number("lr_min", msg.get("lr_min", 1e-3), lo=0, open_lo=True)
        hi = number("lr_max", msg.get("lr_max", 1.0), lo=lo)
        k = number("num", msg.get("num", 64), lo=1, hi=1024, integer=True)
        lrs = np.geomspace(lo, hi, k)
    if not isinstance(lrs, (list, tuple, np.ndarray)) or not len(lrs):
        raise GdlabError("lrs must be a non-empty list of learning rates")
    lrs = np.array([number("lr", v, lo=0, open_lo=True) for v in lrs])
    x = prepare(_state(msg))
    schedule, params = None, x["schedule_params"]
    if params:  # the same schedule for every run, each scaled by its own base lr
        settings = {k: v for k, v in params.items() if k != "name"}
        schedule, _ = make_schedule(params["name"], lrs, x["steps"], settings)
    traj = runner.run(x["surface"], x["optimizer"], lrs, x["steps"], x["start"],
                      schedule=schedule, clip=x["clip"], batch_size=x["batch_size"],
                      seed=x["seed"])
    summary = summarize(x["surface"], traj, _tol(msg))
    return {"surface": x["surface"].name, "optimizer": x["optimizer_name"], "hyper": x["hyper"],
            "schedule": params, "lrs": lrs, "paths": traj.path, "losses": traj.loss,
            "status": [r["status"] for r in summary],
            "diverged_at": [r["diverged_at"] for r in summary],
            "final_loss": [r["final_loss"] for r in summary],
            "steps_to_tol": [r["steps_to_tol"] for r in summary],
            "distance_to_min": [r["distance_to_min"] for r in summary],
            "path_length": [r["path_length"] for r in summary],
            "thresholds": thresholds(x)}


def thresholds(x: dict) -> dict:
    """Where plain GD's learning rate changes regime: 1/λmax (no overshoot below) and
    2/λmax (divergence above), from the Hessian at the nearest minimum to the start.
    Exact on a quadratic (constant Hessian); ``local`` elsewhere. ``why`` says why none
    apply when the optimizer is not plain GD with a constant lr."""
    s = x["surface"]
    plain = x["optimizer_name"] == "sgd" and not x["hyper"].get("momentum") and x["schedule"] is None
    out = {"lr_monotone": None, "lr_stable": None, "local": False, "why": None}
    if not plain:
        out["why"] = (f"{x['optimizer_name']} does not step by lr·g: the thresholds 1/λmax and 2/λmax "
                      "are plain gradient descent's" if x["schedule"] is None else
                      "the learning rate changes every step under a schedule")
        return out
    if not s.minima:
        out["why"] = "this surface has no minimum to measure the curvature at"
        return out
    start = np.asarray(x["start"], dtype=float)
    at = min(s.minima, key=lambda m: float(np.linalg.norm(np.asarray(m) - start)))
    c = curvature(s, at)
    probe = [np.asarray(at, float), start, start + 0.37]
    hs = [s.hessian(p) for p in probe]
    out.update(lr_monotone=c["lr_monotone"], lr_stable=c["lr_stable"],
               local=not all(np.allclose(h, hs[0], rtol=1e-6, atol=1e-9) for h in hs))
    if c["lr_stable"] is None:
        out["why"] = "the Hessian at the minimum is not positive: no step size threshold"
    return out


def compare(msg: dict) -> dict:
    """Several states side by side (each may carry a ``label``)."""
    runs = msg.get("runs")
    if not isinstance(runs, list) or not runs or len(runs) > 16:
        raise GdlabError("compare needs a list of 1 to 16 runs")
    out = []
    for r in runs:
        if not isinstance(r, dict):
            raise GdlabError("each run to compare must be a mapping of settings")
        label = str(r.get("label", r.get("optimizer", "run")))
        out.append({"label": label, **run_experiment(_state(r), _tol(msg))})
    return {"runs": out}


def lesson(msg: dict) -> dict:
    """A preset's results table, computed by the core."""
    return run_lesson(str(msg.get("name", "")))


def user(msg: dict) -> dict:
    """The learner's code from the code pane (see ``usercode``)."""
    return run_user(msg)


def check(msg: dict) -> dict:
    """An exercise: the learner's step() against the core's reference optimizer."""
    return check_user(msg)


# the modules of a lazy archive that the page may load ahead of the learner's first import
WARMABLE = ("numpy.random",)


def warm(msg: dict) -> dict:
    """Import lazy modules (WARMABLE) while Python is idle, so that the learner's first
    ``np.random`` does not wait for its archive and shared libraries."""
    names = msg.get("modules")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise GdlabError("modules must be a list of module names")
    for name in names:
        if name not in WARMABLE:
            raise GdlabError(f"{name[:40]!r} cannot be warmed; expected one of {', '.join(WARMABLE)}")
    for name in names:
        importlib.import_module(name)
    return {"warmed": names}


def program(msg: dict) -> dict:
    """The code pane's program for a state, or for a preset (``preset``) with the
    state's settings over the preset's own: the text and the line of ``lr = ...``."""
    settings = _state(msg)
    if msg.get("preset"):
        return program_answer(preset_program(str(msg["preset"]), settings))
    return program_answer(make_program(settings))


def variance(msg: dict) -> dict:
    """The mini-batch gradient's variance at the start, measured and in closed form."""
    x = prepare(_state(msg))
    s = x["surface"]
    if not s.n_samples:
        raise GdlabError(f"'{s.name}' has no data rows to draw mini-batches from")
    b = x["batch_size"] or s.n_samples
    return {"surface": s.name, **grad_variance(s, x["start"], b, seed=x["seed"])}


def _state(msg: dict) -> dict:
    return {k: msg[k] for k in KEYS if k in msg}


def _tol(msg: dict) -> float | None:
    return None if msg.get("tol") is None else number("tol", msg["tol"], lo=0, open_lo=True)


OPS = {"catalog": catalog, "landscape": landscape, "run": run, "sweep": sweep,
       "compare": compare, "lesson": lesson, "user": user,
       "check": check, "program": program, "variance": variance, "slice": slice_op,
       "boundary": boundary, "warm": warm}


def handle(msg) -> dict:
    """Dispatch one message from the page; errors come back as ``{"error": ...}``."""
    if not isinstance(msg, dict):
        return {"error": "a request must be an object with an 'op'"}
    op = msg.get("op")
    if op not in OPS:
        return {"error": f"unknown op {str(op)[:40]!r}; expected one of {', '.join(OPS)}"}
    try:
        out = OPS[op](msg)
    except GdlabError as exc:
        return {"op": op, "error": str(exc)}
    out["op"] = op
    return out


def handle_json(text: str) -> tuple[str, list[np.ndarray]]:
    """``handle`` for the worker: JSON text in; JSON text and flat float64 arrays out.

    Each array in the answer is replaced by ``{"$nd": i, "shape": [...]}`` and sent
    separately as ``arrays[i]`` (contiguous float64, row-major) so the worker can hand
    it to the page as a transferable ``Float64Array``. Non-finite scalars become null.
    """
    try:
        msg = json.loads(text)
    except (TypeError, ValueError):
        msg = None
    arrays: list[np.ndarray] = []

    def pack(value):
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
            arrays.append(np.ascontiguousarray(value, dtype=np.float64).ravel())
            return {"$nd": len(arrays) - 1, "shape": list(value.shape)}
        if isinstance(value, dict):
            return {str(k): pack(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [pack(v) for v in value]
        if isinstance(value, (float, np.floating)):
            return float(value) if np.isfinite(value) else None
        if isinstance(value, (np.integer, np.bool_)):
            return value.item()
        return value

    return json.dumps(pack(handle(msg)), allow_nan=False), arrays
