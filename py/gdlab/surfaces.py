"""The catalog of loss surfaces: formula, loss, gradient, Hessian, minima, view box.

Every function takes w of shape (..., d) and returns (...), (..., d) or (..., d, d),
so one call evaluates a contour grid (n, n, 2) or K runs (K, d). ``code`` is the
short numpy program a learner reads in the code pane for the same loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import problems
from .errors import GdlabError


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    formula: str
    dim: int
    loss: Callable
    grad: Callable
    hessian: Callable
    minima: tuple[tuple[float, ...], ...]
    bounds: tuple[tuple[float, float], ...]
    start: tuple[float, ...]
    lr: float
    steps: int
    code: str
    log_loss: bool = True
    min_loss: float = 0.0
    n_samples: int = 0
    batch_loss: Callable | None = None
    batch_grad: Callable | None = None
    note: str = ""


def _xy(w):
    w = np.asarray(w, dtype=float)
    return w[..., 0], w[..., 1]


def _vec(*parts):
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _mat(a, b, c):
    """The symmetric 2×2 matrices [[a, b], [b, c]]."""
    a, b, c = np.broadcast_arrays(a, b, c)
    return np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -2)


def _quadratic(a: float, b: float):
    """L = a·x² + b·y² and its derivatives."""
    return (lambda w: a * _xy(w)[0] ** 2 + b * _xy(w)[1] ** 2,
            lambda w: _vec(2 * a * _xy(w)[0], 2 * b * _xy(w)[1]),
            lambda w: _mat(np.full(np.shape(w)[:-1], 2.0 * a), 0.0, 2.0 * b))


def _poly1d(coeffs):
    """A 1-D polynomial (highest power first): loss, grad, hessian and its minima, global first."""
    p = np.poly1d(coeffs)
    dp, ddp = p.deriv(), p.deriv(2)
    roots = [r.real for r in dp.roots if abs(r.imag) < 1e-12 and ddp(r.real) > 0]
    roots = sorted(roots, key=lambda r: p(r))
    minima = tuple((float(_newton(dp, ddp, r)),) for r in roots)
    return (lambda w: p(np.asarray(w, float)[..., 0]),
            lambda w: dp(np.asarray(w, float)),
            lambda w: ddp(np.asarray(w, float))[..., None],
            minima, float(p(minima[0][0])))


def _newton(f, df, x, steps=8):
    for _ in range(steps):
        x = x - f(x) / df(x)
    return x


def _rosenbrock():
    def loss(w):
        x, y = _xy(w)
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def grad(w):
        x, y = _xy(w)
        return _vec(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))

    def hessian(w):
        x, y = _xy(w)
        return _mat(2 - 400 * y + 1200 * x * x, -400 * x, 200.0)

    return loss, grad, hessian


def _himmelblau():
    def loss(w):
        x, y = _xy(w)
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad(w):
        x, y = _xy(w)
        a, b = x * x + y - 11, x + y * y - 7
        return _vec(4 * x * a + 2 * b, 2 * a + 4 * y * b)

    def hessian(w):
        x, y = _xy(w)
        return _mat(12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26)

    minima = []
    for guess in ((3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)):
        w = np.array(guess)
        for _ in range(20):
            w = w - np.linalg.solve(hessian(w), grad(w))
        minima.append(tuple(float(v) for v in w))
    return loss, grad, hessian, tuple(minima)


def _data(name, title, formula, problem, bounds, start, lr, steps, code, note="",
          minima=None, log_loss=True) -> Surface:
    if minima is None:
        minima = (problem.minimum(),)
    min_loss = float(problem.loss(np.array(minima[0]))) if minima else float("nan")
    return Surface(name, title, formula, len(start), problem.loss, problem.grad, problem.hessian,
                   minima, bounds, start, lr, steps, code, log_loss, min_loss, problem.n,
                   problem.batch_loss, problem.batch_grad, note)


def _one_d(name, title, formula, coeffs, bounds, start, lr, steps, code, note=""):
    loss, grad, hess, minima, low = _poly1d(coeffs)
    return Surface(name, title, formula, 1, loss, grad, hess, minima, (bounds,), (start,), lr,
                   steps, code, True, low, note=note)


def _two_d(name, title, formula, fns, minima, bounds, start, lr, steps, code, min_loss=0.0,
           log_loss=True, note=""):
    return Surface(name, title, formula, 2, *fns, minima, bounds, start, lr, steps, code,
                   log_loss, min_loss, note=note)


def _catalog() -> dict[str, Surface]:
    hb_loss, hb_grad, hb_hess, hb_min = _himmelblau()
    items = [
        _one_d("parabola", "Parabola (w − 3)²", "L(w) = (w − 3)²", [1, -6, 9], (-8.0, 14.0), -5.0,
               0.1, 30, "def loss(w):\n    return (w[0] - 3) ** 2\n\ndef grad(w):\n"
               "    return np.array([2 * (w[0] - 3)])\n",
               "Curvature 2: GD overshoots above lr 0.5, oscillates at lr 1.0, blows up above."),
        _one_d("valley", "Valley x² − 4x + 5", "L(x) = x² − 4x + 5", [1, -4, 5], (-2.0, 6.0), 0.0,
               0.1, 20, "def loss(w):\n    return w[0] ** 2 - 4 * w[0] + 5\n\ndef grad(w):\n"
               "    return np.array([2 * w[0] - 4])\n", "Minimum 1 at x = 2."),
        _one_d("square-5", "(x − 5)²", "L(x) = (x − 5)²", [1, -10, 25], (-2.0, 12.0), 0.0, 0.1,
               500, "def loss(w):\n    return (w[0] - 5) ** 2\n\ndef grad(w):\n"
               "    return np.array([2 * (w[0] - 5)])\n", "004's schedule comparison target."),
        _two_d("bowl", "Bowl w₀² + 4w₁²", "L(w) = w₀² + 4·w₁²", _quadratic(1, 4), ((0.0, 0.0),),
               ((-4.0, 4.0), (-3.0, 3.0)), (3.0, 2.0), 0.1, 30,
               "def loss(w):\n    return w[0] ** 2 + 4 * w[1] ** 2\n\ndef grad(w):\n"
               "    return np.array([2 * w[0], 8 * w[1]])\n",
               note="Eigenvalues 2 and 8: no overshoot below lr 1/8, stable below 2/8."),
        _two_d("ill-conditioned", "Ill-conditioned w₀² + 100w₁²", "L(w) = w₀² + 100·w₁²",
               _quadratic(1, 100), ((0.0, 0.0),), ((-4.0, 4.0), (-3.0, 3.0)), (3.0, 2.0), 0.009,
               100, "def loss(w):\n    return w[0] ** 2 + 100 * w[1] ** 2\n\ndef grad(w):\n"
               "    return np.array([2 * w[0], 200 * w[1]])\n",
               note="Condition number 100: lr must stay below 2/200 = 0.01, so w₀ crawls."),
        _two_d("ellipse", "Ellipse 0.5x² + 5y²", "L(x, y) = 0.5·x² + 5·y²", _quadratic(0.5, 5),
               ((0.0, 0.0),), ((-12.0, 12.0), (-4.0, 4.0)), (10.0, 1.0), 0.1, 100,
               "def loss(w):\n    return 0.5 * w[0] ** 2 + 5 * w[1] ** 2\n\ndef grad(w):\n"
               "    return np.array([w[0], 10 * w[1]])\n"),
        _two_d("rosenbrock", "Rosenbrock", "L(x, y) = (1 − x)² + 100·(y − x²)²", _rosenbrock(),
               ((1.0, 1.0),), ((-2.5, 2.5), (-1.5, 4.5)), (-2.0, 2.0), 0.001, 2000,
               "def loss(w):\n    x, y = w\n    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2\n\n"
               "def grad(w):\n    x, y = w\n    return np.array([-2 * (1 - x) - 400 * x * (y - x ** 2),"
               "\n                     200 * (y - x ** 2)])\n",
               note="A curved valley: easy to fall into, slow to follow to (1, 1)."),
        _one_d("double-well", "Double well 0.1x⁴ − 3x² + x", "L(x) = 0.1·x⁴ − 3·x² + x",
               [0.1, 0, -3, 1, 0], (-6.5, 6.5), -3.0, 0.01, 200,
               "def loss(w):\n    x = w[0]\n    return 0.1 * x ** 4 - 3 * x ** 2 + x\n\n"
               "def grad(w):\n    x = w[0]\n    return np.array([0.4 * x ** 3 - 6 * x + 1])\n",
               "Two valleys; the left one (x ≈ −3.95) is the deeper."),
        _one_d("quartic", "Quartic x⁴ − 8x² + x", "L(x) = x⁴ − 8·x² + x", [1, 0, -8, 1, 0],
               (-3.5, 3.5), -3.0, 0.01, 100,
               "def loss(w):\n    x = w[0]\n    return x ** 4 - 8 * x ** 2 + x\n\n"
               "def grad(w):\n    x = w[0]\n    return np.array([4 * x ** 3 - 16 * x + 1])\n",
               "Two valleys; the left one (x ≈ −2.03) is the deeper."),
        _two_d("revenue", "Negative revenue", "L(a, d) = −(100a + 50d − a² − d²)",
               (lambda w: -(100 * _xy(w)[0] + 50 * _xy(w)[1] - _xy(w)[0] ** 2 - _xy(w)[1] ** 2),
                lambda w: _vec(2 * _xy(w)[0] - 100, 2 * _xy(w)[1] - 50),
                lambda w: _mat(np.full(np.shape(w)[:-1], 2.0), 0.0, 2.0)),
               ((50.0, 25.0),), ((-10.0, 70.0), (-15.0, 45.0)), (0.0, 0.0), 0.1, 50,
               "def loss(w):\n    a, d = w\n    return -(100 * a + 50 * d - a ** 2 - d ** 2)\n\n"
               "def grad(w):\n    a, d = w\n    return np.array([2 * a - 100, 2 * d - 50])\n",
               min_loss=-3125.0, note="Most revenue, 3125, at ad spend 50 and discount 25."),
        _two_d("saddle", "Saddle x² − y²", "L(x, y) = x² − y²", _quadratic(1, -1), (),
               ((-3.0, 3.0), (-3.0, 3.0)), (2.0, 0.01), 0.1, 40,
               "def loss(w):\n    return w[0] ** 2 - w[1] ** 2\n\ndef grad(w):\n"
               "    return np.array([2 * w[0], -2 * w[1]])\n",
               min_loss=float("nan"), log_loss=False,
               note="No minimum: the gradient vanishes at (0, 0), and any y ≠ 0 grows away."),
        _two_d("himmelblau", "Himmelblau", "L(x, y) = (x² + y − 11)² + (x + y² − 7)²",
               (hb_loss, hb_grad, hb_hess), hb_min, ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0), 0.01,
               200, "def loss(w):\n    x, y = w\n    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2\n\n"
               "def grad(w):\n    x, y = w\n    a, b = x ** 2 + y - 11, x + y ** 2 - 7\n"
               "    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])\n",
               note="Four minima, all with loss 0: the start decides which one you reach."),
        _data("fit-line", "Fit y = w·x", "L(w) = mean((w·xᵢ − yᵢ)²), x = 1..5, y = 2x",
              problems.fit_line(), ((-1.0, 5.0),), (0.0,), 0.01, 30,
              "x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])\ny = 2 * x\n\n"
              "def loss(w):\n    return np.mean((w[0] * x - y) ** 2)\n\n"
              "def grad(w):\n    return np.array([np.mean(2 * (w[0] * x - y) * x)])\n"),
        _data("house-prices", "House prices (w, b)",
              "L(w, b) = mean((w·sqftᵢ + b − priceᵢ)²)", problems.house_prices(),
              ((-20.0, 220.0), (-60.0, 260.0)), (0.0, 0.0), 0.01, 1000,
              "sqft = np.array([1.0, 1.5, 2.0, 2.5, 3.0])       # thousands of square feet\n"
              "price = np.array([200.0, 250.0, 300.0, 350.0, 400.0])  # thousands of dollars\n\n"
              "def loss(w):\n    return np.mean((w[0] * sqft + w[1] - price) ** 2)\n\n"
              "def grad(w):\n    e = w[0] * sqft + w[1] - price\n"
              "    return np.array([2 * np.mean(e * sqft), 2 * np.mean(e)])\n",
              "Mean squared error (not half of it); the exact fit is price = 100·sqft + 100."),
        _data("linreg", "Linear regression, 1000 samples", "L(w) = mean((xᵢ·w + b − yᵢ)²), 3 features",
              problems.linreg(), ((-4.0, 4.0),) * 4, (0.0, 0.0, 0.0, 0.0), 0.1, 200,
              "rng = np.random.default_rng(42)\nX = rng.standard_normal((1000, 3))\n"
              "y = X @ np.array([2.0, -3.0, 0.5]) + 1.0 + 0.5 * rng.standard_normal(1000)\n\n"
              "def loss(w):\n    return np.mean((X @ w[:3] + w[3] - y) ** 2)\n",
              "Four parameters (three weights and a bias): only the loss curve is drawn."),
        _data("regression-10k", "Regression, 10,000 × 5", "L(w) = mean((xᵢ·w − yᵢ)²), 5 features",
              problems.regression_10k(), ((-4.0, 4.0),) * 5, (0.0,) * 5, 0.1, 100,
              "rng = np.random.default_rng(42)\nX = rng.standard_normal((10000, 5))\n"
              "y = X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.5 * rng.standard_normal(10000)\n\n"
              "def loss(w):\n    return np.mean((X @ w - y) ** 2)\n",
              "004's batch-size experiment."),
        _data("unscaled", "Unscaled features (0..1 and 0..1000)",
              "L(w) = mean((w₁x₁ + w₂x₂ − y)²), x₁ ∈ [0, 1], x₂ ∈ [0, 1000]", problems.unscaled(),
              ((-2.0, 8.0), (-0.004, 0.008)), (0.0, 0.0), 2e-6, 200,
              _scaling_code(False), "A stretched valley: lr must suit x₂'s huge curvature."),
        _data("scaled", "Standardised features", "L(w) = mean((w₁z₁ + w₂z₂ − (y − ȳ))²)",
              problems.scaled(), ((-1.5, 2.5), (-1.0, 1.5)), (0.0, 0.0), 0.1, 50,
              _scaling_code(True), "The same data standardised: a round bowl, one lr fits both."),
        _data("sigmoid-neuron", "Sigmoid neuron", "L(w, b) = mean((σ(w·xᵢ + b) − yᵢ)²), x = (0, 1), y = (0, 1)",
              problems.sigmoid_neuron(), ((-2.0, 12.0), (-8.0, 3.0)), (0.5, 0.0), 1.0, 100,
              "x = np.array([0.0, 1.0])\ny = np.array([0.0, 1.0])\n\n"
              "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n"
              "def loss(w):\n    return np.mean((sigmoid(w[0] * x + w[1]) - y) ** 2)\n",
              "No finite minimum: the loss keeps falling as w grows and b falls.",
              minima=(), log_loss=False),
    ]
    return {s.name: s for s in items}


def _scaling_code(standardise: bool) -> str:
    lines = ["rng = np.random.default_rng(7)",
             "X = np.stack([rng.uniform(0, 1, 200), rng.uniform(0, 1000, 200)], 1)",
             "y = 3.0 * X[:, 0] + 0.002 * X[:, 1] + 0.1 * rng.standard_normal(200)"]
    if standardise:
        lines += ["X = (X - X.mean(0)) / X.std(0)   # each feature: mean 0, std 1",
                  "y = y - y.mean()"]
    return "\n".join(lines) + "\n\ndef loss(w):\n    return np.mean((X @ w - y) ** 2)\n"


SURFACES: dict[str, Surface] = _catalog()


def get_surface(name: str) -> Surface:
    """The surface called ``name``, or a one-line error listing the names."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise GdlabError(f"unknown surface {str(name)[:40]!r}; expected one of "
                         f"{', '.join(SURFACES)}") from None
