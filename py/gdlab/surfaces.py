"""The catalog of loss surfaces: formula, loss, gradient, Hessian, minima, view box.

Every function takes w of shape (..., d) and returns (...), (..., d) or (..., d, d),
so one call evaluates a contour grid (n, n, 2) or K runs (K, d). ``code`` is the
short numpy program a learner reads in the code pane for the same loss (w of shape
(d,)). Minima are exact: closed forms, or roots of the derivative polished by Newton's
method to full float64 precision, global first. The data problems (a mean over rows,
with mini-batches) come from ``problems.py``; the ``Surface`` record from
``surface.py`` (re-exported here).

``SURFACES`` holds the surfaces that are one record each. A network ``DATASET-mlp``
(``networks.py``) is built from its name plus settings (``layers``, ``activation``,
``init_seed``), which decide its d, start and code: ``get(name, **settings)`` gives either
kind, cached by name and settings (``get_surface`` is the same function).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Iterator

import numpy as np

from . import networks, problems
from .errors import GdlabError
from .surface import Surface


# -- helpers: split (..., 2) into x, y and stack results back --------------------------------

def _xy(w):
    w = np.asarray(w, dtype=float)
    return w[..., 0], w[..., 1]


def _vec(*parts):
    """Stack per-coordinate arrays (...,) into (..., d), broadcasting constants."""
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _mat(a, b, c):
    """The symmetric 2×2 matrices [[a, b], [b, c]] with shape (..., 2, 2)."""
    a, b, c = np.broadcast_arrays(a, b, c)
    return np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -2).astype(float)


def _newton_polish(f, df, x, steps: int = 8):
    for _ in range(steps):
        x = x - f(x) / df(x)
    return x


# -- families --------------------------------------------------------------------------------

def _poly1d(coeffs):
    """L(x) = Σ cₖ xᵏ (coefficients highest power first): loss, grad, hessian and its
    minima — real roots of L' (np.roots) with L'' > 0, Newton-polished, lowest loss first."""
    p = np.asarray(coeffs, dtype=float)
    dp, ddp = np.polyder(p), np.polyder(p, 2)
    minima = []
    for r in np.roots(dp):
        if abs(r.imag) < 1e-9 and np.polyval(ddp, r.real) > 0:
            x = _newton_polish(lambda v: np.polyval(dp, v), lambda v: np.polyval(ddp, v), r.real)
            minima.append(float(x))
    minima.sort(key=lambda x: np.polyval(p, x))

    def loss(w):
        return np.polyval(p, np.asarray(w, dtype=float)[..., 0])

    def grad(w):
        return np.polyval(dp, np.asarray(w, dtype=float)[..., :1])

    def hessian(w):
        return np.polyval(ddp, np.asarray(w, dtype=float)[..., :1])[..., None]

    return loss, grad, hessian, tuple((x,) for x in minima), float(np.polyval(p, minima[0]))


def _quadratic(a: float, b: float, ca: float = 0.0, cb: float = 0.0, c0: float = 0.0):
    """L = a·x² + b·y² + ca·x + cb·y + c0 and its derivatives."""
    def loss(w):
        x, y = _xy(w)
        return a * x * x + b * y * y + ca * x + cb * y + c0

    def grad(w):
        x, y = _xy(w)
        return _vec(2 * a * x + ca, 2 * b * y + cb)

    def hessian(w):
        return _mat(np.full(np.shape(w)[:-1], 2.0 * a), 0.0, 2.0 * b)

    return loss, grad, hessian


def _rosenbrock(a: float = 1.0, b: float = 100.0):
    def loss(w):
        x, y = _xy(w)
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(w):
        x, y = _xy(w)
        return _vec(-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x))

    def hessian(w):
        x, y = _xy(w)
        return _mat(2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2.0 * b)

    return loss, grad, hessian


def _himmelblau():
    def loss(w):
        x, y = _xy(w)
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad(w):
        x, y = _xy(w)
        u, v = x * x + y - 11, x + y * y - 7
        return _vec(4 * x * u + 2 * v, 2 * u + 4 * y * v)

    def hessian(w):
        x, y = _xy(w)
        return _mat(12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26)

    minima = []  # (3, 2) is exact; the other three by Newton's method from nearby guesses
    for guess in ((3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)):
        w = np.array([guess])
        for _ in range(8):  # quadratic convergence: 8 steps are ample from these guesses
            w = w - np.linalg.solve(hessian(w), grad(w)[..., None])[..., 0]
        minima.append(tuple(float(v) for v in w[0]))
    return loss, grad, hessian, tuple(minima)


def _code(loss_body: str, grad_body: str, unpack: str = "") -> str:
    """The code-pane program: ``def loss(w)`` and ``def grad(w)`` (w of shape (d,))."""
    pre = f"    {unpack}\n" if unpack else ""
    return (f"def loss(w):\n{pre}    return {loss_body}\n\n"
            f"def grad(w):\n{pre}    return np.array({grad_body})\n")


# -- the catalog -------------------------------------------------------------------------------

def _one_d(name, title, formula, coeffs, bounds, start, lr, steps, code, note=""):
    """A 1-D polynomial surface; ``note`` may name the computed minima as {x0}, {L0}, {x1}, {L1}."""
    loss, grad, hess, minima, low = _poly1d(coeffs)
    found = {f"{k}{i}": v for i, (x,) in enumerate(minima) for k, v in (("x", x), ("L", loss([x])))}
    note = note.format(**found)
    return Surface(name, title, formula, 1, loss, grad, hess, minima, (bounds,), (start,),
                   lr, steps, code, True, low, note=note)


def _two_d(name, title, formula, fns, minima, bounds, start, lr, steps, code, *,
           min_loss=0.0, log_loss=True, note=""):
    return Surface(name, title, formula, 2, *fns, minima, bounds, start, lr, steps, code,
                   log_loss, min_loss, note=note)


def _catalog() -> dict[str, Surface]:
    hb_loss, hb_grad, hb_hess, hb_min = _himmelblau()
    items = [
        _one_d("parabola", "Parabola (w − 3)²", "L(w) = (w − 3)²", [1, -6, 9], (-8.0, 14.0),
               -5.0, 0.1, 30, _code("(w[0] - 3) ** 2", "[2 * (w[0] - 3)]"),
               "Curvature 2: GD crawls at lr 0.01, converges without overshoot up to "
               "lr 0.5, overshoots and zigzags in above it, bounces between −5 and 11 for "
               "ever at lr 1.0, and blows up above 1.0."),
        _one_d("valley", "Valley x² − 4x + 5", "L(x) = x² − 4x + 5", [1, -4, 5], (-2.0, 6.0),
               0.0, 0.1, 20, _code("w[0] ** 2 - 4 * w[0] + 5", "[2 * w[0] - 4]"),
               "Minimum 1 at x = 2; curvature 2, so lr 1 oscillates and lr > 1 diverges."),
        _one_d("square-5", "Parabola (x − 5)²", "L(x) = (x − 5)²", [1, -10, 25], (-2.0, 12.0),
               0.0, 0.1, 500, _code("(w[0] - 5) ** 2", "[2 * (w[0] - 5)]"),
               "004's learning-rate schedule target: minimum 0 at x = 5."),
        _one_d("double-well", "Double well 0.1x⁴ − 3x² + x", "L(x) = 0.1·x⁴ − 3·x² + x",
               [0.1, 0, -3, 1, 0], (-6.5, 6.5), -3.0, 0.01, 200,
               _code("0.1 * x ** 4 - 3 * x ** 2 + x", "[0.4 * x ** 3 - 6 * x + 1]", "x = w[0]"),
               "Two valleys: the left one (x ≈ {x0:.3f}, L ≈ {L0:.1f}) is the global minimum, "
               "the right one (x ≈ {x1:.3f}, L ≈ {L1:.1f}) a local one."),
        _one_d("quartic", "Quartic x⁴ − 8x² + x", "L(x) = x⁴ − 8·x² + x", [1, 0, -8, 1, 0],
               (-3.5, 3.5), -3.0, 0.01, 100,
               _code("x ** 4 - 8 * x ** 2 + x", "[4 * x ** 3 - 16 * x + 1]", "x = w[0]"),
               "Two valleys: the left one (x ≈ {x0:.3f}, L ≈ {L0:.1f}) is the global minimum, "
               "the right one (x ≈ {x1:.3f}, L ≈ {L1:.1f}) a local one."),
        _one_d("flat-inflection", "Flat inflection x⁴ − 3x³ + 2", "L(x) = x⁴ − 3·x³ + 2",
               [1, -3, 0, 0, 2], (-1.5, 3.6), -1.0, 0.05, 200,
               _code("x ** 4 - 3 * x ** 3 + 2", "[4 * x ** 3 - 9 * x ** 2]", "x = w[0]"),
               "001's exercise: L'(x) = x²(4x − 9) vanishes at x = 0 without a minimum there "
               "(a flat inflection) and at the minimum x = 9/4 (L ≈ {L0:.3f})."),
        _two_d("bowl", "Bowl w₀² + 4w₁²", "L(w) = w₀² + 4·w₁²", _quadratic(1, 4), ((0.0, 0.0),),
               ((-4.0, 4.0), (-3.0, 3.0)), (3.0, 2.0), 0.1, 30,
               _code("w[0] ** 2 + 4 * w[1] ** 2", "[2 * w[0], 8 * w[1]]"),
               note="Hessian eigenvalues 2 and 8: no overshoot below lr 1/8, stable below "
                    "2/8 = 0.25, oscillating for ever at 0.25, diverging above."),
        _two_d("ellipse", "Ellipse 0.5x² + 5y²", "L(x, y) = 0.5·x² + 5·y²", _quadratic(0.5, 5),
               ((0.0, 0.0),), ((-12.0, 12.0), (-4.0, 4.0)), (10.0, 1.0), 0.1, 100,
               _code("0.5 * w[0] ** 2 + 5 * w[1] ** 2", "[w[0], 10 * w[1]]"),
               note="Curvatures 1 and 10: at lr 0.1 plain GD zeroes y in one step and "
                    "shrinks x by 0.9 a step."),
        _two_d("ill-conditioned", "Ill-conditioned w₀² + 100w₁²", "L(w) = w₀² + 100·w₁²",
               _quadratic(1, 100), ((0.0, 0.0),), ((-4.0, 4.0), (-3.0, 3.0)), (3.0, 2.0),
               0.009, 100, _code("w[0] ** 2 + 100 * w[1] ** 2", "[2 * w[0], 200 * w[1]]"),
               note="Condition number 100: lr must stay below 2/200 = 0.01 (at exactly "
                    "0.01 w₁ flips sign for ever), so w₀ crawls by a factor 1 − 2·lr a step."),
        _two_d("revenue", "Negative revenue", "L(a, d) = −(100a + 50d − a² − d²)",
               _quadratic(1, 1, -100, -50), ((50.0, 25.0),), ((-10.0, 70.0), (-15.0, 45.0)),
               (0.0, 0.0), 0.1, 50,
               _code("-(100 * a + 50 * d - a ** 2 - d ** 2)", "[2 * a - 100, 2 * d - 50]",
                     "a, d = w"),
               min_loss=-3125.0, log_loss=False,
               note="A loss is negative revenue: the most revenue, 3125, is at ad spend "
                    "a = 50 and discount d = 25."),
        _two_d("saddle", "Saddle x² − y²", "L(x, y) = x² − y²", _quadratic(1, -1), (),
               ((-3.0, 3.0), (-3.0, 3.0)), (2.0, 0.01), 0.1, 30,
               _code("w[0] ** 2 - w[1] ** 2", "[2 * w[0], -2 * w[1]]"),
               min_loss=float("nan"), log_loss=False,
               note="No minimum and no bottom: the gradient vanishes at (0, 0), but any "
                    "y ≠ 0 grows by 1 + 2·lr a step, so the run slides off along y."),
        _two_d("rosenbrock", "Rosenbrock", "L(x, y) = (1 − x)² + 100·(y − x²)²", _rosenbrock(),
               ((1.0, 1.0),), ((-2.5, 2.5), (-1.5, 4.5)), (-2.0, 2.0), 0.001, 2000,
               "def loss(w):\n    x, y = w\n    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2\n\n"
               "def grad(w):\n    x, y = w\n"
               "    return np.array([-2 * (1 - x) - 400 * x * (y - x ** 2),\n"
               "                     200 * (y - x ** 2)])\n",
               note="A curved valley (a = 1, b = 100): easy to fall into, slow to follow to "
                    "the minimum 0 at (1, 1)."),
        _two_d("himmelblau", "Himmelblau", "L(x, y) = (x² + y − 11)² + (x + y² − 7)²",
               (hb_loss, hb_grad, hb_hess), hb_min, ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0),
               0.01, 200,
               "def loss(w):\n    x, y = w\n"
               "    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2\n\n"
               "def grad(w):\n    x, y = w\n    u, v = x ** 2 + y - 11, x + y ** 2 - 7\n"
               "    return np.array([4 * x * u + 2 * v, 2 * u + 4 * y * v])\n",
               note="Four minima, all with loss 0: the start decides which one you reach."),
    ]
    return {s.name: s for s in items}


class _Catalog(Mapping):
    """A read-only name -> Surface mapping in display order: the closed-form surfaces,
    then the data problems, each of which draws its data and solves its minimum the
    first time it is looked up (so importing this module stays cheap)."""

    def __init__(self, ready: dict[str, Surface], later: dict[str, Callable[[], Surface]]):
        self._ready, self._later = dict(ready), dict(later)
        self._names = tuple(ready) + tuple(n for n in later if n not in ready)

    def __getitem__(self, name: str) -> Surface:
        if name not in self._ready:
            self._ready[name] = self._later[name]()  # KeyError for unknown names
        return self._ready[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._ready or name in self._later

    def __repr__(self) -> str:
        return f"<surfaces {', '.join(self._names)}>"


SURFACES: Mapping[str, Surface] = _Catalog(_catalog(), problems.DATA_SURFACES)


SETTING_KEYS = tuple(s["key"] for s in networks.SETTINGS)  # layers, activation, init_seed


def get(name: str, **settings) -> Surface:
    """The surface called ``name`` built with ``settings``, cached by both.

    The catalog's surfaces take no settings (each is one record); a network
    ``DATASET-mlp`` takes ``layers``, ``activation`` and ``init_seed`` (None or "" means
    the default), which decide its d, its start and its code. An unknown name or a bad
    setting is a one-line GdlabError."""
    given = {k: v for k, v in settings.items() if v not in (None, "")}
    if networks.is_network(name):
        unknown = sorted(set(given) - set(SETTING_KEYS))
        if unknown:
            raise GdlabError(f"unknown setting {unknown[0]!r} for {name}; expected one of "
                             f"{', '.join(SETTING_KEYS)}")
        return networks.surface(name, **given)
    try:
        surface = SURFACES[name]
    except (KeyError, TypeError):
        raise GdlabError(f"unknown surface {str(name)[:40]!r}; expected one of "
                         f"{', '.join(SURFACES)}, or a network {', '.join(networks.NAMES)}"
                         ) from None
    if given:
        raise GdlabError(f"'{name}' takes no settings ({', '.join(sorted(given))}); "
                         f"layers, activation and init_seed are for the networks DATASET-mlp")
    return surface


def get_surface(name: str, **settings) -> Surface:
    """The surface called ``name`` (with a network's ``settings``), or a one-line GdlabError
    listing the names: ``get`` under its older name."""
    return get(name, **settings)
