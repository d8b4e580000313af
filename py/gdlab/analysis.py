"""What a run did, in words and numbers, and what the curvature says it should do.

Status of a run (one of ``STATUSES``), judged on its *error* e_t: the distance from
w_t to the known minimum nearest the run's last finite point, or, on a surface with
no known minimum, the gradient norm ||∇L(w_t)||. With tol = ``RTOL`` · e_0 (or the
absolute ``tol`` given):

- ``diverged``: the run left the finite numbers (``diverged_at`` is that step), or it
  ends farther away than it started with the error still growing over the last
  quarter of the steps (``diverged_at`` is then the step after which e_t never came
  back to e_0).
- ``converged``: e_T <= tol at the last step. ``steps_to_tol`` is the first step from
  which e_t stays <= tol.
- ``oscillating``: neither, and at least half of the last quarter's consecutive steps
  turn back (Δw_t · Δw_t+1 < 0) while the error no longer shrinks by half over that
  quarter: bouncing across a valley, or a constant-amplitude flip (lr = 2/λ).
- ``crawling``: none of these: still moving toward a minimum when the steps ran out.

``curvature`` gives the quadratic-model thresholds: below ``lr_monotone`` = 1/λmax
plain gradient descent approaches the minimum without overshooting; below
``lr_stable`` = 2/λmax it converges (overshooting, sign-flipping, between the two);
above 2/λmax it diverges on a quadratic.
"""

from __future__ import annotations

import numpy as np

STATUSES = ("converged", "oscillating", "diverged", "crawling")
RTOL = 1e-2  # converged: error down to 1% of where it started


def _error(surface, path: np.ndarray, grad_norm=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Error per row of one finite path and the minimum it is measured to (without
    minima: the gradient norms, ``grad_norm`` when the runner has them already)."""
    if grad_norm is not None and not surface.minima:
        return np.asarray(grad_norm, dtype=float), None
    if surface.minima:
        minima = np.asarray(surface.minima, dtype=float)
        target = minima[np.argmin(np.linalg.norm(minima - path[-1], axis=-1))]
        return np.linalg.norm(path - target, axis=-1), target
    return np.linalg.norm(surface.grad(path), axis=-1), None


def _settled_from(below: np.ndarray) -> int | None:
    """First index from which ``below`` stays True to the end, or None."""
    if not below[-1]:
        return None
    above = np.flatnonzero(~below)
    return int(above[-1] + 1) if above.size else 0


def _status(err, path, tol) -> tuple[str, int | None]:
    n = len(err)
    quarter = max(2, n // 4)
    if n >= 2 and err[-1] > err[0] and err[-1] > err[-quarter] * (1 + 1e-12) and err[-1] > tol:
        return "diverged", _settled_from(err > err[0])
    if err[-1] <= tol:
        return "converged", None
    moves = np.diff(path[-quarter - 1:], axis=0)
    turns = np.sum(np.einsum("ij,ij->i", moves[:-1], moves[1:]) < 0)
    if n > 2 and turns >= max(1, (len(moves) - 1) / 2) and err[-1] > 0.5 * err[-quarter]:
        return "oscillating", None
    return "crawling", None


def summarize_run(surface, path: np.ndarray, loss: np.ndarray, diverged_at: int = -1,
                  tol: float | None = None, grad_norm=None) -> dict:
    """Status and statistics of one run (path (n, d) and loss (n,), finite rows only;
    ``grad_norm`` (n,), the full-batch gradient norms the runner recorded, spares a
    second gradient pass over the path on a surface without known minima)."""
    err, target = _error(surface, path, grad_norm)
    tol_used = float(tol) if tol is not None else float(RTOL * err[0])
    steps_to_tol = _settled_from(err <= tol_used)
    if diverged_at >= 0:
        status, at = "diverged", int(diverged_at)
    else:
        status, at = _status(err, path, tol_used)
    return {
        "status": status,
        "diverged_at": at,
        "steps_to_tol": steps_to_tol if status != "diverged" else None,
        "tol": tol_used,
        "distance_to_min": float(err[-1]) if target is not None else None,
        "nearest_min": target.tolist() if target is not None else None,
        "path_length": float(np.sum(np.linalg.norm(np.diff(path, axis=0), axis=-1))),
        "final_loss": float(loss[-1]),
        "final_w": path[-1].tolist(),
        "steps_run": len(path) - 1,
    }


def summarize(surface, traj, tol: float | None = None) -> list[dict]:
    """``summarize_run`` for each of the K runs of a Trajectory."""
    out = []
    for k in range(traj.path.shape[0]):
        path, loss = traj.cut(k)
        if len(path) == 0:  # the start itself was not finite
            out.append({"status": "diverged", "diverged_at": 0, "steps_to_tol": None,
                        "tol": tol, "distance_to_min": None, "nearest_min": None,
                        "path_length": 0.0, "final_loss": None, "final_w": None, "steps_run": 0})
            continue
        out.append(summarize_run(surface, path, loss, int(traj.diverged_at[k]), tol,
                                 traj.grad_norm[k, :len(path)]))
    return out


def curvature(surface, at=None) -> dict:
    """Hessian eigenvalues at ``at`` (default: the global minimum, else the start)."""
    if at is None:
        at = surface.minima[0] if surface.minima else surface.start
    at = np.asarray(at, dtype=float)
    eig = np.linalg.eigvalsh(surface.hessian(at))
    top = float(np.max(eig))
    low = float(np.min(eig))
    return {
        "at": at.tolist(),
        "hessian_eigenvalues": eig.tolist(),
        "condition_number": float(top / low) if low > 0 else None,
        "lr_monotone": 1.0 / top if top > 0 else None,
        "lr_stable": 2.0 / top if top > 0 else None,
    }


def grad_variance(surface, w, batch_size: int, draws: int = 2000, seed: int = 0) -> dict:
    """The mini-batch gradient's spread at ``w``: E‖g_B − ∇L‖² measured over ``draws``
    seeded batches of ``batch_size`` rows (drawn without replacement), beside its closed
    form tr(Σ)/B · (n − B)/(n − 1), Σ the covariance of the per-row gradients."""
    n = surface.n_samples
    w = np.asarray(w, dtype=float)
    full = surface.grad(w)
    rows = np.stack([surface.batch_grad(w, np.array([i])) for i in range(n)])
    trace = float(np.mean(np.sum((rows - full) ** 2, axis=-1)))
    rng = np.random.default_rng(seed)
    picks = [rng.choice(n, batch_size, replace=False) for _ in range(draws)]
    measured = float(np.mean([np.sum((rows[p].mean(axis=0) - full) ** 2) for p in picks]))
    return {"batch_size": batch_size, "n": n, "draws": draws, "measured": measured,
            "closed_form": trace / batch_size * (n - batch_size) / max(n - 1, 1)}
