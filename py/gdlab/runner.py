"""The loop: run K optimizer configurations side by side and record what happens.

Optimizers never record anything (they are pure ``(init, update)`` pairs); this module
owns the one loop of the lab, as autograd's optimizers hand each iterate to a callback.
Parameters are arrays of shape ``(K, d)``: a learning-rate sweep, a set of random
restarts or a comparison of starts is one call and one loop over steps, never a loop
over runs.

The update applied at step t (t = 0 .. steps-1) is

    g_t   = ∇L(w_t)              (or the mini-batch gradient, then clipped if asked)
    d_t, s = update(g_t, s, w_t)  (the optimizer's direction and new state)
    w_t+1 = w_t − lr_t · d_t      (the one place the minus sign and lr are applied)

A run that leaves the finite numbers (or grows past ``BLOWUP``) is frozen: its row
and every later row of ``path`` and ``loss`` are NaN, and ``diverged_at`` names the
first such step. Other runs go on unaffected.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .errors import GdlabError
from .limits import MAX_RUNS, MAX_STEPS
from .optimizers import clip_by_norm
from .problems import minibatches

BLOWUP = 1e100  # |w| or |loss| past this counts as having left the numbers


class Trajectory(NamedTuple):
    """What a run did, step by step. Rows past a run's divergence are NaN."""

    path: np.ndarray  # (K, steps+1, d)
    loss: np.ndarray  # (K, steps+1)
    lr: np.ndarray  # (K, steps) learning rate used at each step
    grad_norm: np.ndarray  # (K, steps+1) norm of the full-batch gradient at w_t
    diverged_at: np.ndarray  # (K,) first non-finite step, -1 if none

    @property
    def steps(self) -> int:
        return self.lr.shape[1]

    def cut(self, k: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Path and loss of run k up to its last finite row."""
        end = self.diverged_at[k] if self.diverged_at[k] >= 0 else self.path.shape[1]
        return self.path[k, :end], self.loss[k, :end]


def _as_runs(lr, start, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast lr (scalar or (K,)) and start ((d,) or (K, d)) to (K,) and (K, d)."""
    start = np.atleast_2d(np.asarray(start, dtype=float))
    if start.shape[-1] != dim:
        raise GdlabError(f"start has {start.shape[-1]} coordinates; this surface needs {dim}")
    lr = np.atleast_1d(np.asarray(lr, dtype=float))
    if lr.ndim != 1:
        raise GdlabError("lr must be a number or a list of numbers")
    if not np.all(np.isfinite(lr)) or np.any(lr <= 0):
        raise GdlabError("learning rates must be finite and > 0")
    if not np.all(np.isfinite(start)):
        raise GdlabError("start must be finite numbers")
    k = max(len(lr), len(start))
    if len(lr) not in (1, k) or len(start) not in (1, k):
        raise GdlabError(f"{len(lr)} learning rates and {len(start)} starts cannot be paired")
    if k > MAX_RUNS:
        raise GdlabError(f"at most {MAX_RUNS} runs at once (got {k})")
    return np.broadcast_to(lr, (k,)).copy(), np.broadcast_to(start, (k, dim)).copy()


def _gradient_source(surface, steps: int, batch_size, seed: int) -> Callable[[int, np.ndarray], np.ndarray]:
    """g(t, w): the full gradient, or the mini-batch gradient of step t."""
    if not batch_size:
        return lambda t, w: surface.grad(w)
    n = getattr(surface, "n_samples", 0)
    if not n or surface.batch_grad is None:
        raise GdlabError(f"surface '{surface.name}' has no data, so no mini-batches")
    batch_size = int(batch_size)
    if not 1 <= batch_size <= n:
        raise GdlabError(f"batch size must be between 1 and {n} for '{surface.name}'")
    if batch_size == n:
        return lambda t, w: surface.grad(w)
    batches = list(minibatches(n, batch_size, steps, seed))
    return lambda t, w: surface.batch_grad(w, batches[t])


def run(surface, optimizer, lr, steps: int, start=None, *, schedule=None, clip=None,
        batch_size=None, seed: int = 0) -> Trajectory:
    """Run ``optimizer`` on ``surface`` for ``steps`` steps from ``start``, K runs at once.

    ``lr`` is a float or an array (K,), ``start`` is (d,) or (K, d) (default: the
    surface's start). ``schedule`` maps t to the learning rate of step t (a float or an
    array (K,)), replacing ``lr`` for the steps. ``clip`` caps each run's gradient norm
    before the optimizer sees it. ``batch_size`` draws seeded mini-batches on data
    problems.
    """
    steps = int(steps)
    if not 0 <= steps <= MAX_STEPS:
        raise GdlabError(f"steps must be between 0 and {MAX_STEPS}")
    if clip is not None and not (np.isfinite(clip) and clip > 0):
        raise GdlabError("clip must be a number > 0")
    lr0, w = _as_runs(lr, surface.start if start is None else start, surface.dim)
    k, d = w.shape
    gradient = _gradient_source(surface, steps, batch_size, seed)
    path = np.empty((k, steps + 1, d))
    grads = np.empty((k, steps + 1, d))
    lrs = np.empty((k, steps))
    path[:, 0] = w
    state = optimizer.init(w)
    with np.errstate(all="ignore"):
        # The hot loop does only what each step needs; losses, norms and the
        # divergence cut are computed afterwards on whole arrays.
        for t in range(steps):
            full = surface.grad(w)
            grads[:, t] = full
            g = gradient(t, w) if batch_size else full
            if clip is not None:
                g = clip_by_norm(g, clip)
            lrs[:, t] = schedule(t) if schedule else lr0
            direction, state = optimizer.update(g, state, w)
            w = w - lrs[:, t, None] * direction
            path[:, t + 1] = w
        grads[:, steps] = surface.grad(w)
        loss = np.asarray(surface.loss(path), dtype=float)
        gnorm = np.linalg.norm(grads, axis=-1)
        ok = (np.all(np.isfinite(path), axis=-1) & np.isfinite(loss)
              & (np.max(np.abs(path), axis=-1) < BLOWUP) & (np.abs(loss) < BLOWUP))
    bad = ~ok
    diverged_at = np.where(bad.any(axis=1), bad.argmax(axis=1), -1)
    after = np.arange(steps + 1) >= np.where(diverged_at >= 0, diverged_at, steps + 1)[:, None]
    path[after] = np.nan
    loss[after] = np.nan
    gnorm[after] = np.nan
    lrs[after[:, :-1]] = np.nan
    return Trajectory(path, loss, lrs, gnorm, diverged_at)
