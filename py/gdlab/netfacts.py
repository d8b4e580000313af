"""Facts about trained networks that seed 001's claims are about: sharpness, basin width,
the loss between two solutions, weight averaging, per-epoch losses and an lr sweep.

Every function takes a preset (``lessons.Lesson``) and, optionally, the answers of its
compared runs by label (``runs``: what ``run_lesson`` has just computed; without them the
runs are made here). The definitions:

- top eigenvalue λ₁ of the Hessian of the full training loss at w, by power iteration on
  exact Hessian-vector products: v₀ = default_rng(0) normal, unit; v_{k+1} = H·v_k/‖H·v_k‖,
  λ = v_kᵀH·v_k, stopped when λ changes by at most 1e-12·|λ| (at most ``POWER_ITERS``
  products). It converges to the eigenvalue largest in magnitude, which at the end of
  these runs is the largest one (tests check it against eigvalsh of the full Hessian).
- width along a unit direction u: α₋ + α₊, where α± is the first α > 0 with
  L(w ± α·u) = L(w) + ``RISE`` (bracketed on a geometric grid, then bisected to 1e-9·α).
  ``width_top`` is along the top eigenvector, ``width_random`` along the unit
  direction of default_rng(1) normal: the same directions for every point.
  For a quadratic, the width along an eigenvector of λ is 2·√(2·RISE/λ).
- the line between two solutions a, b: L(a + t·(b − a)) at t = k/40, k = 0..40, and its
  barrier max_t L − max(L(a), L(b)) (≤ 0: no barrier; the ends are the highest points).
- per-epoch losses: an epoch is n/B steps (n = 200 rows); ``epoch_loss[e]`` is the
  full training loss after e epochs (step e·n/B, rounded down).
"""

from __future__ import annotations

import numpy as np

from . import networks
from .experiment import prepare, run_experiment
from .runner import run

POWER_ITERS = 500
RISE = 0.1          # the loss rise that bounds a basin's width
LINE_POINTS = 41    # points on the line between two solutions (t = 0 .. 1)
AVERAGE_EVERY = 10  # steps between the checkpoints weight averaging keeps
AVERAGE_LAST = (10, 30, 50)   # how many of the last checkpoints are averaged
SWEEP_LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
ACC_GOAL = 0.95     # a run "reaches" this training accuracy


def _state(r: dict) -> dict:
    return {k: v for k, v in r.items() if k != "label"}


def _runs(lesson, runs) -> dict[str, dict]:
    """The compared runs (or the lesson's own run) by label, made here when not given."""
    states = lesson.compare or ({**lesson.state, "label": lesson.title},)
    runs = runs or {}
    return {r["label"]: runs.get(r["label"]) or run_experiment(_state(r)) for r in states}


def _net(state: dict):
    """(surface, training-rows Network) of a network state."""
    s = prepare(state)["surface"]
    st = networks.settings_of(s)
    return s, networks.network(s.name, st["layers"], st["activation"])


def top_eigen(net, w) -> tuple[float, np.ndarray, int]:
    """(λ₁, its unit eigenvector, Hessian-vector products used) by power iteration."""
    w = np.asarray(w, dtype=float)
    v = np.random.default_rng(0).standard_normal(w.shape[-1])
    v /= np.linalg.norm(v)
    lam = np.inf
    for k in range(1, POWER_ITERS + 1):
        hv = net.hvp(w, v)
        new = float(v @ hv)
        v = hv / np.linalg.norm(hv)
        if abs(new - lam) <= 1e-12 * abs(new):
            return new, v, k
        lam = new
    return lam, v, POWER_ITERS


def _reach(loss, w, u, level: float) -> float | None:
    """The first α > 0 with loss(w + α·u) >= level: a geometric bracket, then bisection."""
    alphas = np.geomspace(1e-4, 1e3, 141)
    with np.errstate(all="ignore"):
        values = loss(w + alphas[:, None] * u)
    above = np.flatnonzero(~(values < level))
    if not above.size:
        return None
    hi = alphas[above[0]]
    lo = alphas[above[0] - 1] if above[0] else 0.0
    while hi - lo > 1e-9 * hi:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if loss(w + mid * u) < level else (lo, mid)
    return float((lo + hi) / 2)


def width(loss, w, u) -> dict:
    """α₋, α₊ and their sum along the unit direction u from w (None past α = 1000)."""
    level = float(loss(w)) + RISE
    minus, plus = _reach(loss, w, -u, level), _reach(loss, w, u, level)
    return {"minus": minus, "plus": plus,
            "width": None if minus is None or plus is None else minus + plus}


def sharpness(s, net, w) -> dict:
    """What 001's sharp/flat claim is about at w: loss, accuracies, λ₁ and the widths."""
    w = np.asarray(w, dtype=float)
    lam, v, iters = top_eigen(net, w)
    rand = np.random.default_rng(1).standard_normal(len(w))
    return {"loss": float(s.loss(w)), "acc": float(s.accuracy(w)),
            "val_acc": float(s.val_accuracy(w)), "val_loss": float(s.val_loss(w)),
            "top_eigenvalue": lam, "hvp_count": iters,
            "width_top": width(s.loss, w, v)["width"],
            "width_random": width(s.loss, w, rand / np.linalg.norm(rand))["width"]}


def line_between(loss, a, b) -> dict:
    """The loss on the segment from a to b and its barrier over the higher end."""
    t = np.linspace(0.0, 1.0, LINE_POINTS)
    values = loss(a + t[:, None] * (np.asarray(b) - a))
    return {"t": t.tolist(), "loss": values.tolist(),
            "barrier": float(values.max() - max(values[0], values[-1]))}


def minima(lesson, runs=None) -> dict:
    """similar-minima: the solutions of the same net from each init seed, side by side."""
    runs = _runs(lesson, runs)
    labels = list(runs)
    s, _ = _net(_state(lesson.compare[0]))
    W = np.array([runs[k]["final_w"] for k in labels])
    dist = np.linalg.norm(W[:, None] - W[None], axis=-1)
    lines = [line_between(s.loss, W[0], W[j]) for j in range(1, len(W))]
    losses = [runs[k]["final_loss"] for k in labels]
    return {"labels": labels, "final_loss": losses,
            "acc": [float(runs[k]["acc"][-1]) for k in labels],
            "val_acc": [float(runs[k]["val_acc"][-1]) for k in labels],
            "grad_norm": [float(runs[k]["grad_norm"][-1]) for k in labels],
            "weight_norm": np.linalg.norm(W, axis=-1).tolist(), "distance": dist.tolist(),
            "distance_min": float(dist[np.triu_indices(len(W), 1)].min()),
            "distance_max": float(dist.max()),
            "barriers_from_first": [ln["barrier"] for ln in lines], "line": lines[0],
            "line_pair": [labels[0], labels[1]]}


def sharp_flat(lesson, runs=None) -> dict:
    """sharp-and-flat: λ₁, widths and held-out accuracy at each compared run's end."""
    runs = _runs(lesson, runs)
    s, net = _net(_state(lesson.compare[0]))
    return {"rise": RISE, "runs": {k: sharpness(s, net, r["final_w"]) for k, r in runs.items()}}


def averaging(lesson, runs=None) -> dict:
    """weight-averaging: the mean of the last checkpoints (one every AVERAGE_EVERY steps,
    ending at the last step) against the last iterate."""
    (out,) = _runs(lesson, runs).values()
    s, net = _net(lesson.state)
    path = np.asarray(out["path"])
    checkpoints = path[::-1][::AVERAGE_EVERY][::-1]     # ..., w_{m−10}, w_m
    rows = {"last iterate": sharpness(s, net, path[-1])}
    for k in AVERAGE_LAST:
        rows[f"average of last {k}"] = sharpness(s, net, checkpoints[-k:].mean(axis=0))
    return {"every": AVERAGE_EVERY, "last": list(AVERAGE_LAST), "rise": RISE, "runs": rows}


def _first(condition) -> int | None:
    hits = np.flatnonzero(condition)
    return int(hits[0]) if hits.size else None


def net_runs(lesson, runs=None) -> dict:
    """Every compared run of a network preset: its end, when it first reaches ACC_GOAL
    training accuracy, its epochs and its full training loss after each whole epoch."""
    out = {}
    for label, r in _runs(lesson, runs).items():
        s = prepare({"surface": r["surface"], **r["settings"]})["surface"]
        per = (r["batch_size"] or s.n_samples) / s.n_samples   # epochs per step
        epochs = int(np.floor(r["steps"] * per + 1e-9))
        at = [int(np.floor(e / per + 1e-9)) for e in range(epochs + 1)]
        loss = np.asarray(r["loss"])
        out[label] = {"optimizer": r["optimizer"], "lr": r["lr_base"], "steps": r["steps"],
                      "batch_size": r["batch_size"], "epochs": r["steps"] * per,
                      "final_loss": r["final_loss"], "acc": float(r["acc"][-1]),
                      "val_acc": float(r["val_acc"][-1]),
                      "step_to_goal": _first(np.asarray(r["acc"]) >= ACC_GOAL),
                      "epoch_loss": [float(loss[t]) if t < len(loss) else None for t in at]}
    return {"goal": ACC_GOAL, "runs": out}


def lr_sweep(lesson, runs=None) -> dict:
    """first-net-lr: the preset's own experiment at SWEEP_LRS as one (K, d) run."""
    x = prepare(lesson.state)
    s = x["surface"]
    traj = run(s, x["optimizer"], np.array(SWEEP_LRS), x["steps"], x["start"])
    end = np.array([traj.cut(k)[0][-1] for k in range(len(SWEEP_LRS))])
    final = np.array([traj.cut(k)[1][-1] for k in range(len(SWEEP_LRS))])
    best = int(np.nanargmin(np.where(traj.diverged_at < 0, final, np.nan)))
    return {"lrs": list(SWEEP_LRS), "final_loss": final.tolist(),
            "acc": s.accuracy(end).tolist(), "val_acc": s.val_accuracy(end).tolist(),
            "diverged_at": [int(v) if v >= 0 else None for v in traj.diverged_at],
            "best_lr": SWEEP_LRS[best], "best_loss": float(final[best]),
            "best_acc": float(s.accuracy(end[best])), "start_loss": float(traj.loss[0, 0])}


FACTS = {"minima": minima, "sharp-flat": sharp_flat, "averaging": averaging,
         "net-runs": net_runs, "lr-sweep": lr_sweep}
