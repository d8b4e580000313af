"""Losses made of data: least-squares fits and a sigmoid neuron, with seeded mini-batches.

A data problem is a ``Surface`` whose loss is a mean over n rows, so it also has
``batch_loss(w, rows)`` and ``batch_grad(w, rows)`` for a mini-batch of row indices.
Everything is vectorised over runs: ``w`` has shape (..., d).

Least squares:   L(w) = (1/n) Σ_i (x_i·w − y_i)²,  ∇L = (2/n) Xᵀ(Xw − y),  H = (2/n) XᵀX
(a bias is a column of ones in X). Its minimum is the least-squares solution.
"""

from __future__ import annotations

from functools import cache

import numpy as np


def minibatches(n: int, batch_size: int, steps: int, seed: int = 0) -> list[np.ndarray]:
    """Row indices for each of ``steps`` steps: seeded shuffled epochs, each row once per
    epoch; the last batch of an epoch may be smaller. Same seed, same batches."""
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        order = rng.permutation(n)
        out.extend(order[i:i + batch_size] for i in range(0, n, batch_size))
    return out[:steps]


class LeastSquares:
    """Mean squared error of a linear model on fixed data (X (n, d), y (n,))."""

    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.X, self.y = np.asarray(X, float), np.asarray(y, float)
        self.n = len(self.y)

    def batch_loss(self, w, rows=None):
        X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
        r = np.asarray(w) @ X.T - y
        return np.mean(r * r, axis=-1)

    def batch_grad(self, w, rows=None):
        X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
        r = np.asarray(w) @ X.T - y
        return 2.0 / len(y) * r @ X

    def loss(self, w):
        return self.batch_loss(w)

    def grad(self, w):
        return self.batch_grad(w)

    def hessian(self, w):
        h = 2.0 / self.n * self.X.T @ self.X
        return np.broadcast_to(h, np.shape(w)[:-1] + h.shape)

    def minimum(self) -> tuple[float, ...]:
        return tuple(float(v) for v in np.linalg.lstsq(self.X, self.y, rcond=None)[0])


class SigmoidNeuron:
    """L(w, b) = (1/n) Σ (σ(w·x_i + b) − y_i)² for one input feature."""

    def __init__(self, x, y):
        self.x, self.y = np.asarray(x, float), np.asarray(y, float)
        self.n = len(self.y)

    def _parts(self, w, rows):
        x, y = (self.x, self.y) if rows is None else (self.x[rows], self.y[rows])
        w = np.asarray(w, float)
        z = w[..., :1] * x + w[..., 1:2]
        p = 1.0 / (1.0 + np.exp(-z))
        return x, y, p

    def batch_loss(self, w, rows=None):
        _, y, p = self._parts(w, rows)
        return np.mean((p - y) ** 2, axis=-1)

    def batch_grad(self, w, rows=None):
        x, y, p = self._parts(w, rows)
        dz = 2 * (p - y) * p * (1 - p) / len(y)
        return np.stack([np.sum(dz * x, axis=-1), np.sum(dz, axis=-1)], axis=-1)

    def loss(self, w):
        return self.batch_loss(w)

    def grad(self, w):
        return self.batch_grad(w)

    def hessian(self, w):
        x, y, p = self._parts(w, None)
        s = p * (1 - p)
        # d/dz of 2(p − y)p(1 − p) = 2[s² + (p − y)s(1 − 2p)]
        c = 2 * (s * s + (p - y) * s * (1 - 2 * p)) / self.n
        hww, hwb, hbb = np.sum(c * x * x, -1), np.sum(c * x, -1), np.sum(c, -1)
        return np.stack([np.stack([hww, hwb], -1), np.stack([hwb, hbb], -1)], -2)


@cache
def fit_line() -> LeastSquares:
    x = np.arange(1.0, 6.0)
    return LeastSquares(x[:, None], 2 * x)


@cache
def house_prices() -> LeastSquares:
    sqft = np.array([1.0, 1.5, 2.0, 2.5, 3.0])  # thousands of square feet
    price = np.array([200.0, 250.0, 300.0, 350.0, 400.0])  # thousands of dollars
    return LeastSquares(np.stack([sqft, np.ones(5)], 1), price)


@cache
def linreg() -> LeastSquares:
    """1000 noisy samples of y = 2x₁ − 3x₂ + 0.5x₃ + 1 (noise σ = 0.5), seed 42; w = (w₁, w₂, w₃, b)."""
    rng = np.random.default_rng(42)
    X = rng.standard_normal((1000, 3))
    y = X @ np.array([2.0, -3.0, 0.5]) + 1.0 + 0.5 * rng.standard_normal(1000)
    return LeastSquares(np.hstack([X, np.ones((1000, 1))]), y)


@cache
def regression_10k() -> LeastSquares:
    """004's batch-size data: 10,000 × 5, true w = (1, −2, 0.5, 3, −1), noise σ = 0.5."""
    rng = np.random.default_rng(42)
    X = rng.standard_normal((10_000, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.5 * rng.standard_normal(10_000)
    return LeastSquares(X, y)


@cache
def _scaling_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = np.stack([rng.uniform(0, 1, 200), rng.uniform(0, 1000, 200)], 1)
    y = 3.0 * X[:, 0] + 0.002 * X[:, 1] + 0.1 * rng.standard_normal(200)
    return X, y


@cache
def unscaled() -> LeastSquares:
    """Two features on very different scales (0..1 and 0..1000): a stretched valley."""
    X, y = _scaling_data()
    return LeastSquares(X, y)


@cache
def scaled() -> LeastSquares:
    """The same data, each feature standardised and y centred: a round bowl."""
    X, y = _scaling_data()
    return LeastSquares((X - X.mean(0)) / X.std(0), y - y.mean())


@cache
def sigmoid_neuron() -> SigmoidNeuron:
    """001's neuron: inputs 0 and 1, targets 0 and 1."""
    return SigmoidNeuron([0.0, 1.0], [0.0, 1.0])
