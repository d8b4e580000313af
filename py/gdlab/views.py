"""Views computed ahead of time, so a link paints before Python starts in the browser.

build.py writes one small JSON file per view: ``views/surface-NAME.json`` for a surface
link and ``views/preset-NAME.json`` for a preset link. A view holds its landscape and the
runs the page first draws, each with the settings (``spec``) that make it, so the page
can file it under the same key as the live run that replaces it:

    {"kind", "name", "surface", "landscape": {...},
     "runs": [{"role", "spec": {surface, optimizer, lr, steps, start, hyper, extra}, "run": {...}}],
     "slice": {"spec", ...the bridge's slice answer} | null}

A surface with more than two weights has no landscape (null); its view carries instead the
first slice (``slice``): the bridge's ``slice`` answer for the view's first live run (the
default plane: PCA directions through the run's end, 41 × 41), filed under that run's
``spec`` and rounded like the landscape. d <= 2 views have ``slice: null``.

A preset view with facts (1/λmax, restarts, ...) holds them as ``facts``, as the
``lesson`` op gives them, so the Results panel needs no call to Python either.

``programs`` holds the code pane's program of each live run (``{spec, preset, program,
lr_line}``), so the code pane too is filled before Python starts.

``role`` is "live" (what the link shows first: a preset's state, or the surface at its
default lr under each optimizer), "compare" (a preset's other runs), "notch" (the
same experiment at a nearby slider notch, for scrubbing before Python is ready) or
"full-batch" (the full-batch twin the page draws beside a mini-batch preset's run).

A surface view has every optimizer at the surface's default lr and plain GD at the
slider's notches around it (all of them for the home view); a preset view its own state
at the notches around its lr and every run it compares. Numbers are rounded to
``DIGITS`` significant digits: enough to draw, and a tenth of the bytes of full floats.

Network views (a ``DATASET-mlp`` surface at its default settings, 2-16-16-1 tanh,
init_seed 0, or a preset on a network) carry what is drawn, not the weights (337 a step
at 2-16-16-1: megabytes for seven 1000-step runs). They are within 300 kB gzip each
(tests/test_net_views.py), keep every step (nothing is thinned), and differ from the
others thus:

    "slice"     as above, for runs[0] (a surface view's sgd run); its ``directions`` (2 × d)
                and ``centre`` (d) are the plane every run's ``path_ab`` lies on.
    "boundary"  {"spec" (runs[0]'s), "bounds" [[x_lo, x_hi], [y_lo, y_hi]], "x" (41),
                "y" (41), "steps_at" (FRAMES steps of runs[0], 0 and its last among them),
                "prob" (FRAMES × 41 × 41: σ(z) to PROB_DIGITS decimals, prob[f][i][j] at
                (x[j], y[i]) for the weights at step steps_at[f]), "X" (the 200 training
                rows), "labels" (0/1)}: the bridge's ``boundary`` answer with frames=FRAMES.
    run         "path" is left out and "start" is null (``init_seed`` in the spec rebuilds
                it); "path_ab" ((m + 1) × 2, one row per step of the finite path, 5 digits):
                path_ab[t] = ((w_t − centre)·u, (w_t − centre)·v) with [u; v] = directions;
                "loss" (DIGITS), "val_loss", "acc", "val_acc" (5 digits) per step;
                "final_w" (d, the last weights) in "live", "compare" and "full-batch" runs,
                not in "notch" runs (projected path and losses only).
    spec        no "start"; "extra" holds the network settings the state names (a surface
                view's are the defaults, so its "extra" is {}).

A network surface view has each optimizer at the surface's lr (0.1) and steps (1000)
("live", sgd first), plain GD at NET_AROUND notches each side of that lr ("notch") and
the program of each live run. A network preset has NET_AROUND notches each side of its
lr (none when its state has a schedule) and its full-batch twin when it is mini-batch.
"""

from __future__ import annotations

import math

import numpy as np

from . import networks, slices
from .bridge import boundary as make_boundary
from .bridge import landscape as make_landscape
from .bridge import program as make_program
from .bridge import slice_op as make_slice
from .experiment import run_experiment
from .experiment import prepare
from .lessons import LESSONS, fact
from .limits import slider_lrs
from .optimizers import OPTIMIZERS
from .surfaces import SURFACES

DIGITS = 6
AROUND = 6                 # slider notches each side of a view's lr
NET_AROUND = 3             # ... of a network view's (projected paths and losses only)
NOTCH_BUDGET = 8_000       # points (runs x steps) for the notches of one view
RUN_KEYS = ("surface", "optimizer", "hyper", "lr_base", "steps", "start", "dim", "status",
            "diverged_at", "steps_to_tol", "final_loss", "distance_to_min", "path_length")
EXTRA = ("schedule", "clip", "batch_size", "seed", "layers", "activation", "init_seed")
FRAMES = 26                # decision-boundary frames of a network view's live run
PROB_DIGITS = 3            # decimals of a boundary's probabilities


def _round(value, digits=DIGITS):
    """Nested lists of floats rounded to significant digits; non-finite numbers to None."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return float(f"{v:.{digits}g}") if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _plain(value):
    """A fact as JSON: dicts kept, numbers to 15 significant digits (the page shows fewer)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    return _round(value, 15)


def _spec(state: dict) -> dict:
    spec = {k: state[k] for k in ("surface", "optimizer", "lr", "steps", "start", "hyper") if k in state}
    spec["extra"] = {k: state[k] for k in EXTRA if state.get(k) is not None}
    return spec


def _run(state: dict, role: str, paths: list | None = None) -> dict:
    """A run entry. A network's (``paths`` given) carries no weights: its path goes to
    ``paths`` for ``_project`` to put on the view's slice, and acc and val_acc come along;
    its last weights (``final_w``) too, except a notch's (projected path and losses only)."""
    out = run_experiment({k: v for k, v in state.items() if k != "label"})
    run = {k: _round(out[k]) for k in RUN_KEYS}
    if paths is None:
        run["path"] = _round(out["path"])
    else:
        paths.append(out["path"])
        run["start"] = None   # the seeded Glorot start: init_seed in the spec rebuilds it
        if role != "notch":
            run["final_w"] = _round(out["final_w"])
    run["loss"] = _round(out["loss"])
    for key in ("val_loss", "acc", "val_acc"):
        if key in out:
            run[key] = _round(out[key], 5 if paths is not None else DIGITS)
    lrs = np.unique(out["lr"])
    run["lr"] = _round(out["lr"]) if len(lrs) > 1 else None   # None: lr_base at every step
    spec = {**state, "lr": out["lr_base"], "steps": out["steps"]}
    if paths is None:
        spec["start"] = list(out["start"])
    return {"role": role, "spec": _spec(spec), "run": run}


def _program(spec: dict, preset: str | None = None) -> dict:
    """The code pane's program of a live run (bridge ``program``), filed by its spec."""
    msg = {**{k: v for k, v in spec.items() if k != "extra"}, **spec["extra"]}
    return {"spec": spec, "preset": preset, **make_program({**msg, "preset": preset})}


def _landscape(surface) -> dict | None:
    if surface.dim > 2:
        return None
    land = make_landscape({"surface": surface.name})
    return {k: _round(v, 5) if isinstance(v, np.ndarray) else v for k, v in land.items()}


def _slice(surface, live: dict) -> dict | None:
    """The first slice of a d > 2 view: the bridge's answer for the live run ``live`` (a
    ``_run`` entry), rounded to 5 digits like the landscape; None for d <= 2."""
    if surface.dim <= 2:
        return None
    spec = live["spec"]
    out = make_slice({**{k: v for k, v in spec.items() if k != "extra"}, **spec["extra"]})
    return {"spec": spec, **{k: _round(v, 5) for k, v in out.items() if k != "op"}}


def _notch_runs(state: dict, notches, every: bool, paths: list | None = None) -> list[dict]:
    """The state at the slider notches around its lr (all of them when ``every``). A
    network's (``paths`` given, as ``_run`` takes it): NET_AROUND notches each side, their
    paths to be projected, whatever their steps (a network view has a byte budget instead)."""
    lrs = list(notches)
    if not every:
        around = AROUND if paths is None else NET_AROUND
        i = min(range(len(lrs)), key=lambda j: abs(math.log(lrs[j] / state["lr"])))
        lrs = lrs[max(0, i - around): i + around + 1]
    if len(lrs) * (state["steps"] + 1) > NOTCH_BUDGET and not every and paths is None:
        return []
    return [_run({**state, "lr": lr}, "notch", paths) for lr in lrs
            if not math.isclose(lr, state["lr"], rel_tol=1e-12)]


def _filled(state: dict, surface) -> dict:
    """A compare run's state with the defaults a preset's own state carries (a network's
    start stays its init_seed's)."""
    start = {} if surface.settings else {"start": list(surface.start)}
    return {"optimizer": "sgd", "lr": surface.lr, "steps": surface.steps, **start,
            **{k: v for k, v in state.items() if k != "label"}}


def surface_view(name: str, notches, home: bool = False) -> dict:
    if networks.is_network(name):
        return network_surface_view(name, notches)
    s = SURFACES[name]
    base = {"surface": name, "lr": s.lr, "steps": s.steps, "start": list(s.start)}
    runs = [_run({**base, "optimizer": o}, "live") for o in OPTIMIZERS]
    runs += _notch_runs({**base, "optimizer": "sgd"}, notches, every=home)
    programs = [_program(r["spec"]) for r in runs if r["role"] == "live"]
    return {"kind": "surface", "name": name, "surface": name, "landscape": _landscape(s), "runs": runs,
            "programs": programs, "slice": _slice(s, runs[0])}


def _project(view: dict, paths: list) -> None:
    """A network view's runs drawn on its slice: each path's coordinates in the slice's
    plane (``path_ab``, as the slice op projects the live run), not its weights."""
    D, centre = np.asarray(view["slice"]["directions"]), np.asarray(view["slice"]["centre"])
    for entry, path in zip(view["runs"], paths):
        ab, _ = slices.project(slices.finite_path(path), centre, D)
        entry["run"]["path_ab"] = _round(ab, 5)


def _boundary(live: dict) -> dict:
    """The live run's decision boundary at FRAMES steps from its start to its end (the
    bridge's ``boundary`` answer, probabilities to PROB_DIGITS decimals)."""
    spec = live["spec"]
    out = make_boundary({**{k: v for k, v in spec.items() if k != "extra"}, **spec["extra"],
                         "frames": FRAMES})
    return {"spec": spec, "bounds": out["bounds"], "x": _round(out["x"], 5),
            "y": _round(out["y"], 5), "steps_at": out["steps_at"],
            "prob": np.round(out["prob"], PROB_DIGITS).tolist(),
            "X": _round(out["X"], 5), "labels": out["labels"].astype(int).tolist()}


def network_surface_view(name: str, notches) -> dict:
    """A network surface's view at its default settings, shaped like a network preset's:
    each optimizer at the surface's lr and steps ("live"), plain GD at NET_AROUND notches
    each side of that lr ("notch"), every path projected on the slice of the first (sgd)
    live run, and that run's decision-boundary frames."""
    s = networks.surface(name)
    base = {"surface": name, "lr": s.lr, "steps": s.steps}
    paths: list = []
    runs = [_run({**base, "optimizer": o}, "live", paths) for o in OPTIMIZERS]
    runs += _notch_runs({**base, "optimizer": "sgd"}, notches, every=False, paths=paths)
    view = {"kind": "surface", "name": name, "surface": name, "landscape": None, "runs": runs,
            "programs": [_program(r["spec"]) for r in runs if r["role"] == "live"],
            "slice": _slice(s, runs[0])}
    _project(view, paths)
    view["boundary"] = _boundary(runs[0])
    return view


def preset_view(name: str, notches) -> dict:
    lesson = LESSONS[name]
    state = {"optimizer": "sgd", **lesson.state}
    s = prepare(state)["surface"]
    net = bool(s.settings)
    paths = [] if net else None
    state.setdefault("lr", s.lr)
    state.setdefault("steps", s.steps)
    runs = [_run(state, "live", paths)]
    runs += [_run(r, "compare", paths) for r in lesson.compare
             if runs[0]["spec"] != _spec(_filled(r, s))]
    if not state.get("schedule"):
        runs += _notch_runs(state, notches, every=False, paths=paths)
    twin = {k: v for k, v in state.items() if k != "batch_size"}
    if state.get("batch_size") and _spec(twin) not in [r["spec"] for r in runs]:
        runs.append(_run({k: v for k, v in state.items() if k != "batch_size"}, "full-batch", paths))
    view = {"kind": "preset", "name": name, "surface": s.name, "landscape": _landscape(s), "runs": runs,
            "programs": [_program(runs[0]["spec"], preset=name)], "slice": _slice(s, runs[0])}
    if net:
        _project(view, paths)
        view["boundary"] = _boundary(runs[0])
    if lesson.facts:
        view["facts"] = _plain({key: fact(key, lesson) for key in lesson.facts})
    return view


def all_views(home: str) -> dict[str, dict]:
    """Every view by file name: a surface view per surface, a preset view per preset."""
    out = {}
    for name, s in SURFACES.items():
        out[f"surface-{name}"] = surface_view(name, slider_lrs(s), home=name == home)
    for name in networks.NAMES:
        out[f"surface-{name}"] = network_surface_view(name, slider_lrs(networks.surface(name)))
    for name, lesson in LESSONS.items():
        s = prepare(lesson.state)["surface"]
        out[f"preset-{name}"] = preset_view(name, slider_lrs(s))
    return out
