"""A 2-D slice through a d-dimensional loss: the loss on a plane through one point of a
run, spanned by two unit directions, with the run projected on it (Li et al. 2018,
"Visualizing the Loss Landscape of Neural Nets"), and the loss along the straight line
from the run's start to its end (Goodfellow et al. 2015).

Notation: the run's path w_0 .. w_m (its finite rows only: a diverged path stops before
its first non-finite row, as ``runner.Trajectory.cut`` cuts it), the centre c (w_m, the
end, or w_0, the start), and the directions D = [u; v], 2 × d, unit rows with u ⟂ v.

    plane     P(α, β) = c + α·u + β·v
    grid      loss[i, j] = L(P(alphas[j], betas[i]))      (as landscape's z[i, j] = L(x[j], y[i]))
              one call of L over the (n·n, d) points: no Python loop over points
    path      path_ab[t] = ((w_t − c)·u, (w_t − c)·v)       (coordinates of the orthogonal
              projection; ‖(w_t − c) − a_t·u − b_t·v‖ is w_t's distance from the plane)
    minima    minima_ab and minima_off: the same for each known minimum
    line      line_loss[k] = L(w_0 + t_k·(w_m − w_0)),  t_k = k / 40, k = 0 .. 60  (t ∈ [0, 1.5])

The directions:

    pca     M = the path's rows centred on their mean (w_t − w̄), M = U·diag(s)·Vᵀ (SVD,
            s_0 ≥ s_1 ≥ ...): u, v are the first two rows of Vᵀ, each times the sign of
            (w_m − w_0)·row, so that end − start has a non-negative component along it
            (where that component is 0, to 1e-12·‖w_m − w_0‖·√d, the sign instead makes
            the row's largest-magnitude entry positive).
            explained = (s_0² + s_1²) / Σ_k s_k², the fraction of the centred path's
            variance in the plane; null when the path is one point to rounding,
            s_0 <= 1e-12·(1 + ‖w̄‖)·√(m + 1) (then u, v = e_0, e_1). A straight path has s_1 = 0: v is then
            the unit vector ⟂ u that the SVD gives, and explained = 1.
    random  g_0, g_1 = np.random.default_rng(seed).standard_normal((2, d));
            u = g_0 / ‖g_0‖,  v = (g_1 − (g_1·u)·u) / ‖g_1 − (g_1·u)·u‖  (Gram–Schmidt).
            Li et al. scale each direction to the size of what they look at and plot
            α ∈ [−1, 1]. Here the rows stay unit and that scale goes into the grid: its axes
            reach at least ±R, R = max_t ‖w_t − c‖ (the path's extent from the centre), so
            α here is R times the α of a direction of length R. explained = null.
    coords  u = e_i, v = e_j (axes = (i, j), i ≠ j): the plane of two weights, the others
            held at c. explained = null.

The grid's axes, per direction k with a_t = path_ab[t, k] (R = 0 unless random):

    lo_k = min(0, −R, min_t a_t),  hi_k = max(0, R, max_t a_t)
    S = max_k (hi_k − lo_k)
    span_k = max(hi_k − lo_k, ASPECT·S)     (the narrower axis spans at least ASPECT of the wider;
                                             both are ``fallback`` when S <= 1e-9·fallback:
                                             a path of one point, or one that barely moved)
    axis_k = linspace(mid_k − (½ + MARGIN)·span_k, mid_k + (½ + MARGIN)·span_k, n),
             mid_k = (lo_k + hi_k) / 2

so the grid covers the projected path (and the centre, at 0) with a margin of MARGIN·span_k
on each side. Non-finite losses stay NaN/inf in the arrays (JSON writes them as null).

Bad settings raise ``GdlabError``; the bridge's ``slice`` op checks the values a page or a
command line sends before calling ``slice_loss``.
"""

from __future__ import annotations

import numpy as np

from .errors import GdlabError

DIRECTIONS = ("pca", "random", "coords")
CENTRES = ("end", "start")
SIZE = 41              # grid points per axis
MARGIN = 0.15          # of each axis's span, added on both sides of the path
ASPECT = 0.25          # the narrower axis spans at least this fraction of the wider one
LINE_PER_UNIT = 40     # line points per unit of t
LINE_END = 1.5         # the line runs from t = 0 (start) to t = 1.5 (past the end, t = 1)


def finite_path(path) -> np.ndarray:
    """The rows of ``path`` (m, d) before its first row with a non-finite value."""
    path = np.asarray(path, dtype=float)
    bad = ~np.all(np.isfinite(path), axis=-1)
    return path[:int(bad.argmax())] if bad.any() else path


def pca_directions(path) -> tuple[np.ndarray, float | None]:
    """(D, explained): the top two right-singular vectors of the centred path, signed so that
    end − start has a non-negative component along each, and the fraction of the centred
    path's variance they hold, (s_0² + s_1²)/Σ s_k² (None for a path of one point, to
    rounding, whose directions are then e_0, e_1)."""
    path = np.asarray(path, dtype=float)
    d = path.shape[-1]
    mean = path.mean(axis=0)
    if len(path) < 2:
        return np.eye(d)[:2].copy(), None
    _, s, vt = np.linalg.svd(path - mean, full_matrices=False)
    total = float(np.sum(s * s))
    if vt.shape[0] < 2 or s[0] <= 1e-12 * (1 + np.linalg.norm(mean)) * np.sqrt(len(path)):
        return np.eye(d)[:2].copy(), None   # every row the same point, to rounding
    rows = vt[:2].copy()
    delta = path[-1] - path[0]
    tiny = 1e-12 * float(np.linalg.norm(delta)) * np.sqrt(d)
    for k in range(2):
        along = float(rows[k] @ delta)
        if abs(along) <= tiny:
            along = float(rows[k][np.argmax(np.abs(rows[k]))])
        if along < 0:
            rows[k] = -rows[k]
    return rows, float(np.sum(s[:2] ** 2) / total)


def random_directions(dim: int, seed: int = 0) -> np.ndarray:
    """Two orthonormal rows from ``default_rng(seed).standard_normal((2, d))`` by Gram–Schmidt."""
    g = np.random.default_rng(int(seed)).standard_normal((2, int(dim)))
    u = g[0] / np.linalg.norm(g[0])
    v = g[1] - (g[1] @ u) * u
    return np.stack([u, v / np.linalg.norm(v)])


def coord_directions(dim: int, axes) -> np.ndarray:
    """The unit vectors e_i and e_j of ``axes = (i, j)``."""
    i, j = (int(a) for a in axes)
    if i == j or not (0 <= i < dim and 0 <= j < dim):
        raise GdlabError(f"axes must be two different indices in 0..{dim - 1}, got {i},{j}")
    return np.eye(int(dim))[[i, j]].copy()


def project(points, centre, directions) -> tuple[np.ndarray, np.ndarray]:
    """(ab, off): coordinates (..., 2) of the points' orthogonal projections on the plane
    through ``centre`` spanned by the unit rows of ``directions``, ab = (p − c)·Dᵀ, and each
    point's distance from that plane, ‖(p − c) − ab·D‖."""
    rel = np.asarray(points, dtype=float) - np.asarray(centre, dtype=float)
    ab = rel @ directions.T
    return ab, np.linalg.norm(rel - ab @ directions, axis=-1)


def grid_axes(path_ab, size: int = SIZE, reach: float = 0.0,
              fallback: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(alphas, betas): ``size`` points per axis covering the projected path, 0 and ±reach,
    with MARGIN of each axis's span on both sides, the narrower axis at least ASPECT of the
    wider (the module's docstring gives the equations)."""
    ab = np.asarray(path_ab, dtype=float).reshape(-1, 2)
    lo = np.minimum(np.min(ab, axis=0, initial=0.0), -reach)
    hi = np.maximum(np.max(ab, axis=0, initial=0.0), reach)
    widest = float(np.max(hi - lo))
    if widest > 1e-9 * fallback:
        span = np.maximum(hi - lo, ASPECT * widest)
    else:
        span = np.full(2, float(fallback))
    mid = (lo + hi) / 2
    half = (0.5 + MARGIN) * span
    return tuple(np.linspace(m - h, m + h, int(size)) for m, h in zip(mid, half))


def plane_loss(loss, centre, directions, alphas, betas) -> np.ndarray:
    """loss[i, j] = L(c + alphas[j]·u + betas[i]·v): one call of ``loss`` over (n·n, d)."""
    u, v = directions
    pts = (np.asarray(centre, dtype=float) + np.asarray(alphas)[None, :, None] * u
           + np.asarray(betas)[:, None, None] * v)
    with np.errstate(all="ignore"):
        values = np.asarray(loss(pts.reshape(-1, pts.shape[-1])), dtype=float)
    return values.reshape(len(betas), len(alphas))


def line(loss, start, end) -> tuple[np.ndarray, np.ndarray]:
    """(t, L(start + t·(end − start))) for t = k / LINE_PER_UNIT from 0 to LINE_END."""
    t = np.arange(round(LINE_END * LINE_PER_UNIT) + 1) / LINE_PER_UNIT
    start = np.asarray(start, dtype=float)
    pts = start + t[:, None] * (np.asarray(end, dtype=float) - start)
    with np.errstate(all="ignore"):
        return t, np.asarray(loss(pts), dtype=float)


def slice_loss(loss, path, *, directions: str = "pca", at: str = "end", seed: int = 0,
               axes=(0, 1), size: int = SIZE, minima=(), fallback: float = 1.0) -> dict:
    """The slice of ``loss`` ((..., d) -> (...)) through ``path`` (m + 1, d): the answer's
    arrays, by the equations of this module's docstring. ``fallback`` is the grid's span
    when the path is a single point (the caller's view box, say)."""
    path = finite_path(path)
    if path.ndim != 2 or path.shape[1] < 2 or not len(path):
        raise GdlabError("a slice needs a path of at least one finite row of d >= 2 weights")
    if directions not in DIRECTIONS or at not in CENTRES:
        raise GdlabError(f"directions must be one of {DIRECTIONS} and at one of {CENTRES}")
    d = path.shape[1]
    centre = path[-1] if at == "end" else path[0]
    explained, reach = None, 0.0
    if directions == "pca":
        D, explained = pca_directions(path)
    elif directions == "random":
        D = random_directions(d, seed)
        reach = float(np.max(np.linalg.norm(path - centre, axis=-1)))
    else:
        D = coord_directions(d, axes)
    path_ab, _ = project(path, centre, D)
    alphas, betas = grid_axes(path_ab, size, reach, fallback)
    minima = np.asarray(minima, dtype=float).reshape(-1, d)
    minima_ab, minima_off = project(minima, centre, D)
    t, line_loss = line(loss, path[0], path[-1])
    return {"directions": D, "centre": centre.copy(), "alphas": alphas, "betas": betas,
            "loss": plane_loss(loss, centre, D, alphas, betas), "path_ab": path_ab,
            "explained": explained, "minima_ab": minima_ab, "minima_off": minima_off,
            "line_t": t, "line_loss": line_loss}
