"""Preset notes whose numbers come from the runs: templates, their fields, their rendering.

A lesson's note is a ``str.format`` template. ``render(template, context)`` fills it from
what ``lessons.run_lesson`` computed; the fields it may name:

    {main[...]}     the lesson's own run (lessons without compared runs)
    {r[LABEL][...]} the compared run labelled LABEL: any key of a run answer, e.g.
                    {r[lr 0.01][final_w][0]:.2f} or {r[SGD][steps_to_tol]}
    {f[NAME][...]}  an extra fact (``curvature``, ``range_test``, ``stop_rules``, ...)
    {c[...]}        the curvature fact plus ``lmax`` and ``lmin`` (largest and smallest
                    Hessian eigenvalue)
    {x[...]}        a value ``EXTRAS[lesson]`` derives from the above (growth factors,
                    crossings, a longer run), for numbers no run answer holds directly

Format specs are Python's, plus ``sciN`` (N digits, exponent without padding: 2.9e-6).
Negative numbers get a real minus sign (−), as the prose uses.
"""

from __future__ import annotations

import string

import numpy as np

from .experiment import run_experiment
from .surfaces import get_surface

MINUS = "−"


class _NoteFormatter(string.Formatter):
    def format_field(self, value, spec: str) -> str:
        if spec.startswith("sci"):
            mantissa, exponent = f"{float(value):.{int(spec[3:] or 1)}e}".split("e")
            text = f"{mantissa}e{int(exponent)}"
        else:
            text = format(value, spec)
        number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        return MINUS + text[1:] if number and text.startswith("-") else text


FORMATTER = _NoteFormatter()


def fields(template: str) -> list[tuple[str, str]]:
    """(field, spec) of every replacement field of a template, in order."""
    return [(name, spec) for _, name, spec, _ in FORMATTER.parse(template) if name is not None]


def render(template: str, context: dict) -> str:
    return FORMATTER.format(template, **context)


def context(lesson, runs: dict[str, dict], facts: dict[str, dict]) -> dict:
    """The values a note may name (see the module docstring)."""
    ctx = {"r": runs, "main": runs.get(lesson.title) if not lesson.compare else None,
           "f": {k.replace("-", "_"): v for k, v in facts.items()}, "c": {}}
    if "curvature" in facts:
        eig = facts["curvature"]["hessian_eigenvalues"]
        ctx["c"] = {**facts["curvature"], "lmax": max(eig), "lmin": min(eig)}
    extra = EXTRAS.get(lesson.name)
    ctx["x"] = extra(ctx, lesson) if extra else {}
    return ctx


# --- derived values, per lesson ---------------------------------------------------------

def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _first(condition) -> int | None:
    hits = np.flatnonzero(condition)
    return int(hits[0]) if hits.size else None


def _longer(state: dict, steps: int, tol: float) -> int | None:
    """steps_to_tol of the same state run for ``steps`` steps with absolute ``tol``."""
    return run_experiment({**state, "steps": steps}, tol)["steps_to_tol"]


def _lr_diagnosis(ctx, lesson):
    return {"growth": abs(1 - 1.5 * ctx["c"]["lmax"])}


def _feature_scaling(ctx, lesson):
    lmax = ctx["c"]["lmax"]
    return {"lmax3": float(f"{lmax:.3g}"), "cond_million": ctx["c"]["condition_number"] / 1e6}


def _bowl_thresholds(ctx, lesson):
    return {"loss_power": "10" + _superscript(int(np.floor(np.log10(ctx["r"]["lr 0.28"]["final_loss"]))))}


def _bowl_momentum(ctx, lesson):
    w0 = ctx["r"]["momentum 0.9"]["path"][:, 0]
    crossing = _first(w0 < 0)
    return {"crossing": crossing, "back": crossing + _first(w0[crossing:] >= 0) - 1}


def _valley_descent(ctx, lesson):
    main = ctx["main"]
    start_error = abs(main["start"][0] - main["nearest_min"][0])
    return {"left": main["distance_to_min"] / start_error,
            "to_tol": run_experiment({**lesson.state, "steps": 4 * lesson.state["steps"]})["steps_to_tol"]}


def _sigmoid_neuron(ctx, lesson):
    w, b = ctx["main"]["final_w"]
    return {"p0": 1 / (1 + np.exp(-b)), "p1": 1 / (1 + np.exp(-(w + b)))}


def _lr_finder(ctx, lesson):
    return {"past": ctx["f"]["range_test"]["explode_lr"] / ctx["c"]["lr_stable"]}


def _batch_vs_minibatch(ctx, lesson):
    return {"longer": ctx["r"]["batch 1"]["path_length"] / ctx["r"]["batch 1000"]["path_length"]}


def _quartic(ctx, lesson):
    s = get_surface(lesson.state["surface"])
    lo, hi = sorted(m[0] for m in s.minima)
    lo, hi = lo + 1e-6, hi - 1e-6  # the slope rises after the left minimum, falls before the right
    for _ in range(60):  # bisection for the hump between the valleys, where the slope is 0
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if s.grad(np.array([mid]))[0] > 0 else (lo, mid)
    reached = ctx["f"]["restarts"]["reached"]
    return {"hump": (lo + hi) / 2, "global_count": sum(r.startswith("global") for r in reached),
            "restarts": len(reached)}


def _validation(ctx, lesson):
    out = run_experiment(lesson.state)
    val = out["val_loss"]
    turn = int(np.argmin(val))
    return {"turn": turn, "val0": float(val[0]), "val_min": float(val[turn]),
            "val_end": float(val[-1]), "train_end": float(out["loss"][-1])}


def _flat(ctx, lesson):
    long = run_experiment({**lesson.state, "steps": 2000})
    return {"long": float(long["final_w"][0])}


def _fit_line(ctx, lesson):
    """The text prints w after each update, numbered from 0, every 10 steps: its 'step k'
    is path[k + 1]; 'exact_from' is the first printed step that shows 2.0000."""
    path = ctx["r"]["lr 0.01, 100 steps"]["path"][:, 0]
    shown = np.round(path[1::10], 4) == 2.0
    return {"step_10": path[11], "exact_from": 10 * _first(shown)}


def _adam_by_hand(ctx, lesson):
    adam = {k: v for k, v in lesson.compare[0].items() if k != "label"}
    return {"needs": _longer(adam, 10_000, 0.02)}


def _double_well(ctx, lesson):
    s = get_surface(lesson.state["surface"])
    (g,), (l,) = s.minima[0], s.minima[1]
    ema = ctx["r"]["momentum (EMA form)"]["path"][:, 0]
    return {"global": g, "local": l, "global_loss": float(s.loss(np.array([g]))),
            "local_loss": float(s.loss(np.array([l]))), "overshoot": float(ema.min())}


def _rosenbrock(ctx, lesson):
    adam = {k: v for k, v in lesson.compare[2].items() if k != "label"}
    return {"adam_needs": _longer(adam, 10_000, lesson.tol)}


def _schedules(ctx, lesson):
    const = {k: v for k, v in lesson.compare[0].items() if k != "label"}
    return {"to_text_tol": _longer(const, const["steps"], 0.01)}


def _adamw(ctx, lesson):
    return {"loss": round(ctx["r"]["AdamW 0.01"]["final_loss"], -2)}


EXTRAS = {"lr-diagnosis": _lr_diagnosis, "feature-scaling": _feature_scaling,
          "bowl-thresholds": _bowl_thresholds, "bowl-momentum": _bowl_momentum,
          "valley-descent": _valley_descent, "sigmoid-neuron": _sigmoid_neuron,
          "lr-finder": _lr_finder,
          "batch-vs-minibatch": _batch_vs_minibatch, "quartic-restarts": _quartic, "flat-inflection": _flat, "validation-rises": _validation,
          "fit-line": _fit_line, "adam-by-hand": _adam_by_hand,
          "double-well-momentum": _double_well, "rosenbrock-shootout": _rosenbrock,
          "schedules": _schedules, "adamw": _adamw}


# --- the network presets (001's claims): values from the facts of netfacts.py --------------

def _similar_minima(ctx, lesson):
    m = ctx["f"]["minima"]
    loss = np.array(m["final_loss"])
    near = loss <= loss.min() + 0.05
    return {"near": int(near.sum()), "near_lo": float(loss[near].min()),
            "near_hi": float(loss[near].max()), "near_acc": min(np.array(m["val_acc"])[near]),
            "far": int((~near).sum()), "far_lo": float(loss[~near].min()),
            "far_acc": max(np.array(m["val_acc"])[~near]),
            "far_g": float(max(np.array(m["grad_norm"])[~near])),
            "norm": float(np.median(m["weight_norm"]))}


def _sharp_and_flat(ctx, lesson):
    small, full = ctx["f"]["sharp_flat"]["runs"]["batch 8"], ctx["f"]["sharp_flat"]["runs"]["full batch"]
    return {"lam8": small["top_eigenvalue"], "lamfull": full["top_eigenvalue"],
            "w8": small["width_top"], "wfull": full["width_top"], "val8": small["val_acc"],
            "valfull": full["val_acc"], "loss8": small["loss"], "lossfull": full["loss"]}


def _weight_averaging(ctx, lesson):
    rows = ctx["f"]["averaging"]["runs"]
    last, a10, a50 = rows["last iterate"], rows["average of last 10"], rows["average of last 50"]
    return {"loss10": a10["loss"], "loss_last": last["loss"], "lam10": a10["top_eigenvalue"],
            "lam_last": last["top_eigenvalue"], "val10": a10["val_acc"],
            "val_last": last["val_acc"], "loss50": a50["loss"], "val50": a50["val_acc"]}


def _linear_scaling(ctx, lesson):
    runs = ctx["f"]["net_runs"]["runs"]
    return {"base": runs["B 8, lr 0.25"]["epoch_loss"][20],
            "scaled": runs["B 32, lr 1"]["epoch_loss"][20],
            "lagging": runs["B 32, lr 0.25"]["epoch_loss"][20],
            "lag_acc": runs["B 32, lr 0.25"]["val_acc"], "base_acc": runs["B 8, lr 0.25"]["val_acc"]}


def _adam_vs_sgd(ctx, lesson):
    runs = ctx["f"]["net_runs"]["runs"]
    return {"adam_slow_acc": runs["Adam 0.001"]["acc"], "mom_slow_acc": runs["momentum 0.1"]["acc"],
            "mom_goal": runs["momentum 0.3"]["step_to_goal"],
            "adam_goal": runs["Adam 0.05"]["step_to_goal"],
            "adam_val": runs["Adam 0.05"]["val_acc"], "mom_val": runs["momentum 0.3"]["val_acc"]}


def _first_net_lr(ctx, lesson):
    return {"times": ctx["f"]["lr_sweep"]["best_lr"] / lesson.state["lr"]}


EXTRAS.update({"first-net-lr": _first_net_lr, "similar-minima": _similar_minima, "sharp-and-flat": _sharp_and_flat,
               "weight-averaging": _weight_averaging, "linear-scaling": _linear_scaling,
               "adam-vs-sgd-net": _adam_vs_sgd})
