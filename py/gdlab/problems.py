"""Losses made of data: a model, fixed rows (X, y), and seeded mini-batches of those rows.

A data problem is the mean of a per-row loss over n rows. With the design matrix A
(X, plus a column of ones when the model has a bias) and z = A·w for each row:

    linear, "mse":            ℓ = (z − y)²         ℓ' = 2(z − y)     ℓ'' = 2
    sigmoid, "mse":           ℓ = (σ(z) − y)²      ℓ' = 2(p − y)·s   ℓ'' = 2[s² + (p − y)·s·(1 − 2p)]
    sigmoid, "cross-entropy": ℓ = log(1 + eᶻ) − y·z = −y·log p − (1 − y)·log(1 − p)
                                                   ℓ' = p − y        ℓ'' = s
    with p = σ(z) = 1/(1 + e⁻ᶻ) and s = p(1 − p), and

    L(w) = (1/n) Σᵢ ℓ(aᵢ·w, yᵢ),   ∇L = (1/n) Aᵀℓ',   H = (1/n) Aᵀ diag(ℓ'') A.

A mini-batch (an int array of rows B) gives the same formulas with the mean over B:
``batch_loss(w, rows)`` and ``batch_grad(w, rows)``.

Least squares (linear, "mse") has the closed-form minimum w* (np.linalg.lstsq) and a
constant Hessian H = (2/n)AᵀA, so the full-batch loss and gradient are evaluated as

    L(w) = L* + ½(w − w*)ᵀH(w − w*),   ∇L = H(w − w*),   L* = L(w*) = mean((Aw* − y)²),

which is the same function (the cross term vanishes because ∇L(w*) = 0) at O(d²) a run
instead of O(n·d): a 64-rate sweep over 10,000 rows stays fast, and loss − L* is never
negative, so the log-scale loss curve stays clean near the minimum.

Every function is vectorised over runs: ``w`` has shape (..., d) and the results have
shapes (...), (..., d) and (..., d, d).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .errors import GdlabError
from .surface import Surface

MODELS = ("linear", "sigmoid")
LOSSES = ("mse", "cross-entropy")
ROW_LOSS = {("linear", "mse"): "ℓ(z, y) = (z − y)²",
            ("sigmoid", "mse"): "ℓ(z, y) = (σ(z) − y)², σ(z) = 1/(1 + e⁻ᶻ)",
            ("sigmoid", "cross-entropy"): "ℓ(z, y) = log(1 + eᶻ) − y·z"}


def minibatches(n: int, batch_size: int, steps: int, seed: int = 0) -> list[np.ndarray]:
    """Row indices for each of ``steps`` steps: shuffled epochs drawn from
    ``np.random.default_rng(seed)``, each row exactly once per epoch, batches of
    ``batch_size`` rows in shuffled order (an epoch's last batch holds what is left,
    n mod batch_size rows, when batch_size does not divide n). Same seed, same batches.
    ``batch_size >= n`` is the full batch: every step gets ``arange(n)``."""
    n, batch_size, steps = int(n), int(batch_size), int(steps)
    if n < 1 or batch_size < 1 or steps < 0:
        raise GdlabError(f"mini-batches need n >= 1, batch size >= 1 and steps >= 0 "
                         f"(got n={n}, batch size={batch_size}, steps={steps})")
    if batch_size >= n:
        every = np.arange(n)
        return [every] * steps
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        order = rng.permutation(n)
        out.extend(order[i:i + batch_size] for i in range(0, n, batch_size))
    return out[:steps]


def _sigmoid_parts(z):
    """σ(z) and σ'(z) = σ(1 − σ) from e = exp(−|z|): no overflow, exact in both tails."""
    e = np.exp(-np.abs(z))
    inv = 1.0 / (1.0 + e)
    return np.where(z >= 0, inv, e * inv), e * inv * inv


def sigmoid(z):
    """σ(z) = 1/(1 + e⁻ᶻ), without overflow for any z."""
    return _sigmoid_parts(np.asarray(z, dtype=float))[0]


def softplus(z):
    """log(1 + eᶻ) = max(z, 0) + log1p(e^−|z|), without overflow for any z."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _row_terms(model: str, loss: str, z, y, order: int):
    """ℓ (order 0), ℓ' (order 1) or ℓ'' (order 2) of every row, as a function of z = a·w."""
    if model == "linear":  # loss == "mse"
        return ((z - y) ** 2, 2 * (z - y), np.full_like(z, 2.0))[order]
    if loss == "cross-entropy" and order == 0:
        return softplus(z) - y * z
    p, s = _sigmoid_parts(z)
    if loss == "cross-entropy":
        return p - y if order == 1 else s
    if order == 0:
        return (p - y) ** 2
    return 2 * (p - y) * s if order == 1 else 2 * (s * s + (p - y) * s * (1 - 2 * p))


def _in_chunks(w, rows: int, f, budget: int = 1 << 20):
    """f over the runs of w (..., d), a few at a time so that no (runs, rows) intermediate
    exceeds ``budget`` numbers (a whole recorded path, (K, steps + 1, d), is one call)."""
    w = np.asarray(w, dtype=float)
    flat = w.reshape(-1, w.shape[-1])
    per = max(1, budget // max(rows, 1))
    if len(flat) <= per:
        return f(w)
    out = np.concatenate([f(flat[i:i + per]) for i in range(0, len(flat), per)])
    return out.reshape(w.shape[:-1] + out.shape[1:])


class DataProblem:
    """A model on fixed data: X (n, p) features, y (n,) targets.

    ``model`` is "linear" (z = X·w [+ b]) or "sigmoid" (a neuron σ(X·w [+ b]));
    ``loss`` is "mse" (mean squared error, not half of it) or "cross-entropy" (sigmoid
    only, targets in [0, 1]). With ``bias`` the last parameter is the bias, so d = p + 1.
    """

    def __init__(self, X, y, *, bias: bool = False, model: str = "linear", loss: str = "mse"):
        X = np.asarray(X, dtype=float)
        X = X[:, None] if X.ndim == 1 else X
        y = np.asarray(y, dtype=float)
        if X.ndim != 2 or y.shape != (X.shape[0],) or not len(y):
            raise GdlabError(f"data must be X (n, p) and y (n,), got {X.shape} and {y.shape}")
        if model not in MODELS or loss not in LOSSES or (model, loss) == ("linear",
                                                                           "cross-entropy"):
            raise GdlabError(f"unknown model/loss {model}/{loss}; expected linear/mse, "
                             "sigmoid/mse or sigmoid/cross-entropy")
        self.X, self.y, self.bias, self.model, self.loss_name = X, y, bias, model, loss
        self.A = np.ascontiguousarray(np.hstack([X, np.ones((len(y), 1))]) if bias else X)
        self.AT = np.ascontiguousarray(self.A.T)  # w @ AT: matmul is far slower on a .T view
        self.n, self.dim = self.A.shape
        self.least_squares = model == "linear"
        if self.least_squares:
            H = 2.0 / self.n * self.A.T @ self.A
            self.H = (H + H.T) / 2  # exactly symmetric
            w = np.linalg.lstsq(self.A, y, rcond=None)[0]
            w = w + np.linalg.lstsq(self.A, y - self.A @ w, rcond=None)[0]  # one refinement
            self.w_star = w
            self.min_loss = float(self.batch_loss(w))

    def describe(self) -> dict:
        """The problem as plain rows, so anyone can recompute its loss outside the lab:
        ``X`` (n, p), ``y`` (n,), and ``A`` (n, d), X with a last column of ones when the
        model has a bias, in the order of the weights (w = (one weight per column of X,
        bias)), so that L(w) = mean(ℓ(A·w, y)) with ℓ the row loss ``row_loss`` writes out.
        ``model`` is "linear" or "sigmoid", ``loss`` "mse" or "cross-entropy"."""
        return {"model": self.model, "loss": self.loss_name, "bias": self.bias,
                "n": self.n, "d": self.dim, "row_loss": ROW_LOSS[self.model, self.loss_name],
                "X": self.X, "y": self.y, "A": self.A}

    # -- any rows ------------------------------------------------------------------------
    def _rows(self, rows):
        """(A_B, A_Bᵀ, y_B) for the rows B, all rows when ``rows`` is None."""
        if rows is None:
            return self.A, self.AT, self.y
        rows = np.asarray(rows, dtype=np.intp)
        return self.A[rows], self.AT[:, rows], self.y[rows]

    def batch_loss(self, w, rows=None):
        """(1/|B|) Σ_{i∈B} ℓ(aᵢ·w, yᵢ) for w (..., d); all rows when ``rows`` is None."""
        _, AT, y = self._rows(rows)
        return _in_chunks(w, len(y), lambda v: np.mean(
            _row_terms(self.model, self.loss_name, v @ AT, y, 0), axis=-1))

    def batch_grad(self, w, rows=None):
        """(1/|B|) Σ_{i∈B} ℓ'(aᵢ·w, yᵢ)·aᵢ for w (..., d) -> (..., d)."""
        A, AT, y = self._rows(rows)
        return _in_chunks(w, len(y), lambda v: _row_terms(
            self.model, self.loss_name, v @ AT, y, 1) @ A / len(y))

    # -- the full batch --------------------------------------------------------------------
    def loss(self, w):
        if not self.least_squares:
            return self.batch_loss(w)
        e = np.asarray(w, dtype=float) - self.w_star
        return self.min_loss + 0.5 * np.einsum("...i,ij,...j->...", e, self.H, e)

    def grad(self, w):
        if not self.least_squares:
            return self.batch_grad(w)
        return (np.asarray(w, dtype=float) - self.w_star) @ self.H  # H is symmetric

    def hessian(self, w):
        w = np.asarray(w, dtype=float)
        if self.least_squares:
            return np.broadcast_to(self.H, w.shape[:-1] + self.H.shape).copy()
        c = _row_terms(self.model, self.loss_name, w @ self.AT, self.y, 2)
        H = (self.AT * c[..., None, :]) @ self.A / self.n
        return (H + np.swapaxes(H, -1, -2)) / 2

    def accuracy(self, w):
        """Classifiers (cross-entropy): the share of rows with (z > 0) == (y = 1), (...)."""
        return _in_chunks(w, self.n, lambda v: np.mean((v @ self.AT > 0) == (self.y > 0.5),
                                                       axis=-1))

    def minimum(self) -> tuple[float, ...] | None:
        """The minimiser: lstsq for least squares; for a sigmoid model Newton's method from
        w = 0 (step halving while the loss does not fall), accepted once the steps shrink
        to rounding and the Hessian there is positive definite. None when there is no
        finite minimiser (separable data: the loss keeps falling toward infinity, where
        the gradient vanishes but Newton's steps never shrink)."""
        if self.least_squares:
            return tuple(float(v) for v in self.w_star)
        w = np.zeros(self.dim)
        for _ in range(100):
            try:
                step = np.linalg.solve(self.hessian(w), self.grad(w))
            except np.linalg.LinAlgError:
                return None
            if np.linalg.norm(step) <= 1e-13 * (1 + np.linalg.norm(w)):
                ok = np.linalg.eigvalsh(self.hessian(w)).min() > 0
                return tuple(float(v) for v in w) if ok else None
            t, f0 = 1.0, self.loss(w)
            while not self.loss(w - t * step) <= f0 + 1e-15 * abs(f0):
                t /= 2
                if t < 1e-10:
                    return None
            w = w - t * step
        return None

    def surface(self, name: str, title: str, formula: str, *, bounds, start, lr: float,
                steps: int, code: str, note: str = "", minima=None, min_loss=None,
                log_loss: bool = True, validation: DataProblem | None = None):
        """This problem as a catalog ``Surface`` (minima and min_loss computed unless given)."""
        if minima is None:
            m = self.minimum()
            minima = (m,) if m is not None else ()
        if min_loss is None:
            min_loss = float(self.loss(np.array(minima[0]))) if minima else float("nan")
        classifier = self.loss_name == "cross-entropy"
        return Surface(name, title, formula, self.dim, self.loss, self.grad, self.hessian,
                       tuple(minima), tuple(tuple(map(float, b)) for b in bounds),
                       tuple(map(float, start)), lr, steps, code, log_loss, min_loss, self.n,
                       self.batch_loss, self.batch_grad, note,
                       validation.loss if validation is not None else None,
                       accuracy=self.accuracy if classifier else None,
                       val_accuracy=validation.accuracy if classifier and validation else None)


# -- the data of the lesson texts (each built once, on first use) --------------------------

@cache
def overfit() -> tuple[DataProblem, DataProblem]:
    """002's "training loss drops, validation loss rises": 20 training rows of 22 features
    (y = 1.5x₁ − 2x₂ + x₃ + 0.5x₄ − x₅ + noise σ = 1, default_rng(2)) and 500 held-out rows
    of the same model. With more weights than rows, GD ends up fitting the noise."""
    rng = np.random.default_rng(2)
    w_true = np.zeros(22)
    w_true[:5] = [1.5, -2.0, 1.0, 0.5, -1.0]
    X = rng.standard_normal((20, 22))
    y = X @ w_true + rng.standard_normal(20)
    Xv = rng.standard_normal((500, 22))
    yv = Xv @ w_true + rng.standard_normal(500)
    return DataProblem(X, y), DataProblem(Xv, yv)


@cache
def fit_line() -> DataProblem:
    """003: y = 2x at x = 1..5, model y = w·x (no bias)."""
    x = np.arange(1.0, 6.0)
    return DataProblem(x, 2 * x)


@cache
def house_prices() -> DataProblem:
    """001 example 1: price = w·sqft + b, sqft in thousands, prices in $1000s."""
    sqft = np.array([1.0, 1.5, 2.0, 2.5, 3.0])
    price = np.array([200.0, 250.0, 300.0, 350.0, 400.0])
    return DataProblem(sqft, price, bias=True)


@cache
def house_sizes() -> DataProblem:
    """001 exercise 1: the same model on raw square feet (1000..3000) and other prices."""
    sizes = np.array([1000.0, 1500.0, 2000.0, 2500.0, 3000.0])
    price = np.array([200.0, 280.0, 350.0, 400.0, 480.0])
    return DataProblem(sizes, price, bias=True)


@cache
def linreg() -> DataProblem:
    """1000 noisy rows of y = 2x₁ − 3x₂ + 0.5x₃ + 1 (noise σ = 0.5), default_rng(42);
    w = (w₁, w₂, w₃, b)."""
    rng = np.random.default_rng(42)
    X = rng.standard_normal((1000, 3))
    y = X @ np.array([2.0, -3.0, 0.5]) + 1.0 + 0.5 * rng.standard_normal(1000)
    return DataProblem(X, y, bias=True)


@cache
def regression_10k() -> DataProblem:
    """004's batch-size data: 10,000 × 5, true w = (1, −2, 0.5, 3, −1), noise σ = 0.5."""
    rng = np.random.default_rng(42)
    X = rng.standard_normal((10_000, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + 0.5 * rng.standard_normal(10_000)
    return DataProblem(X, y)


@cache
def _scaling_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = np.stack([rng.uniform(0, 1, 200), rng.uniform(0, 1000, 200)], 1)
    y = 3.0 * X[:, 0] + 0.002 * X[:, 1] + 0.1 * rng.standard_normal(200)
    return X, y


@cache
def unscaled() -> DataProblem:
    """002: two features on very different scales (0..1 and 0..1000): a stretched valley."""
    return DataProblem(*_scaling_data())


@cache
def scaled() -> DataProblem:
    """002: the same data, each feature standardised and y centred: a round bowl."""
    X, y = _scaling_data()
    return DataProblem((X - X.mean(0)) / X.std(0), y - y.mean())


@cache
def sigmoid_neuron() -> DataProblem:
    """001 example 3: one sigmoid neuron σ(w·x + b), inputs 0 and 1, targets 0 and 1,
    squared error (the text's dL/dpred = 2·error)."""
    return DataProblem([0.0, 1.0], [0.0, 1.0], bias=True, model="sigmoid", loss="mse")


@cache
def noisy_labels() -> DataProblem:
    """001 "messy data": 1000 × 10 standard normal features, label x₀ + x₁ > 0, 10% of
    the labels flipped at random; logistic regression with cross-entropy."""
    rng = np.random.default_rng(42)
    X = rng.standard_normal((1000, 10))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    flip = rng.random(1000) < 0.10
    y[flip] = 1 - y[flip]
    return DataProblem(X, y, bias=True, model="sigmoid", loss="cross-entropy")


def _scaling_code(standardise: bool) -> str:
    lines = ["rng = np.random.default_rng(7)",
             "X = np.stack([rng.uniform(0, 1, 200), rng.uniform(0, 1000, 200)], 1)",
             "y = 3.0 * X[:, 0] + 0.002 * X[:, 1] + 0.1 * rng.standard_normal(200)"]
    if standardise:
        lines += ["X = (X - X.mean(0)) / X.std(0)   # each feature: mean 0, std 1",
                  "y = y - y.mean()"]
    return ("\n".join(lines) + "\n\ndef loss(w):\n    return np.mean((X @ w - y) ** 2)\n\n"
            "def grad(w):\n    return 2 * X.T @ (X @ w - y) / len(y)\n")


def _entry(problem, name, title, formula, **settings):
    """(name, problem, builder): the builder makes the problem's ``Surface`` on first use (a
    pair of problems is a training set and its held-out validation set)."""
    def make():
        built = problem()
        if isinstance(built, tuple):
            return built[0].surface(name, title, formula, validation=built[1], **settings)
        return built.surface(name, title, formula, **settings)
    return name, problem, make


# The data problems in display order, each built (data drawn, minimum solved) only when
# first asked for: importing the catalog stays cheap, in the browser too.
_DATA: list = [
        _entry(fit_line, "fit-line", "Fit y = w·x", "L(w) = mean((w·xᵢ − yᵢ)²), x = 1..5, y = 2x",
            bounds=((-1.0, 5.0),), start=(0.0,), lr=0.01, steps=30,
            code="x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])\ny = 2 * x\n\n"
                 "def loss(w):\n    return np.mean((w[0] * x - y) ** 2)\n\n"
                 "def grad(w):\n    return np.array([2 * np.mean((w[0] * x - y) * x)])\n",
            note="Mean squared error; L(w) = 11·(w − 2)², so the curvature is 22: GD "
                 "overshoots above lr 1/22 ≈ 0.045 and diverges above 2/22 ≈ 0.091."),
        _entry(house_prices, "house-prices", "House prices (w, b)",
            "L(w, b) = mean((w·sqftᵢ + b − priceᵢ)²)",
            bounds=((-20.0, 220.0), (-60.0, 260.0)), start=(0.0, 0.0), lr=0.01, steps=1000,
            code="sqft = np.array([1.0, 1.5, 2.0, 2.5, 3.0])             # 1000s of square feet\n"
                 "price = np.array([200.0, 250.0, 300.0, 350.0, 400.0])  # $1000s\n\n"
                 "def loss(w):  # w = (weight, bias)\n"
                 "    return np.mean((w[0] * sqft + w[1] - price) ** 2)\n\n"
                 "def grad(w):\n    e = w[0] * sqft + w[1] - price\n"
                 "    return np.array([2 * np.mean(e * sqft), 2 * np.mean(e)])\n",
            note="Mean squared error (not half of it), as the text's gradients 2/n·Σ say; "
                 "the data lie exactly on price = 100·sqft + 100."),
        _entry(house_sizes, "house-sizes", "House prices on raw square feet",
            "L(w, b) = mean((w·sizeᵢ + b − priceᵢ)²), size = 1000..3000",
            bounds=((0.0, 0.25), (30.0, 90.0)), start=(0.1, 50.0), lr=1e-7, steps=1000,
            code="sizes = np.array([1000.0, 1500.0, 2000.0, 2500.0, 3000.0])  # square feet\n"
                 "price = np.array([200.0, 280.0, 350.0, 400.0, 480.0])       # $1000s\n\n"
                 "def loss(w):  # w = (weight, bias)\n"
                 "    return np.mean((w[0] * sizes + w[1] - price) ** 2)\n\n"
                 "def grad(w):\n    e = w[0] * sizes + w[1] - price\n"
                 "    return np.array([2 * np.mean(e * sizes), 2 * np.mean(e)])\n",
            note="001's exercise: unscaled sizes make the Hessian's eigenvalues about 9·10⁶ "
                 "and 0.22, so any stable lr leaves the bias b crawling; the best fit is "
                 "price = 0.136·size + 70."),
        _entry(sigmoid_neuron, "sigmoid-neuron", "Sigmoid neuron",
            "L(w, b) = mean((σ(w·xᵢ + b) − yᵢ)²), x = (0, 1), y = (0, 1)",
            bounds=((-2.0, 12.0), (-8.0, 3.0)), start=(0.5, 0.0), lr=1.0, steps=100,
            code="x = np.array([0.0, 1.0])\ny = np.array([0.0, 1.0])\n\n"
                 "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n"
                 "def loss(w):  # w = (weight, bias)\n"
                 "    return np.mean((sigmoid(w[0] * x + w[1]) - y) ** 2)\n\n"
                 "def grad(w):\n    p = sigmoid(w[0] * x + w[1])\n"
                 "    d = 2 * (p - y) * p * (1 - p)\n"
                 "    return np.array([np.mean(d * x), np.mean(d)])\n",
            note="No finite minimum: the loss falls toward 0 as w grows and b falls "
                 "(b ≈ −w/2), so gradient descent never arrives anywhere.",
            minima=(), min_loss=0.0),
        _entry(unscaled, "unscaled", "Unscaled features (0..1 and 0..1000)",
            "L(w) = mean((w₁x₁ + w₂x₂ − y)²), x₁ ∈ [0, 1], x₂ ∈ [0, 1000]",
            bounds=((-2.0, 8.0), (-0.004, 0.008)), start=(0.0, 0.0), lr=2e-6, steps=200,
            code=_scaling_code(False),
            note="A stretched valley: lr must suit x₂'s huge curvature, so w₁ crawls."),
        _entry(scaled, "scaled", "Standardised features", "L(w) = mean((w₁z₁ + w₂z₂ − (y − ȳ))²)",
            bounds=((-1.5, 2.5), (-1.0, 1.5)), start=(0.0, 0.0), lr=0.1, steps=50,
            code=_scaling_code(True),
            note="The same data standardised: a round bowl, one lr fits both weights."),
        _entry(linreg, "linreg", "Linear regression, 1000 samples",
            "L(w) = mean((xᵢ·w₁..₃ + b − yᵢ)²), 3 features and a bias",
            bounds=((-4.0, 4.0),) * 4, start=(0.0,) * 4, lr=0.1, steps=200,
            code="rng = np.random.default_rng(42)\nX = rng.standard_normal((1000, 3))\n"
                 "y = X @ np.array([2.0, -3.0, 0.5]) + 1.0 + 0.5 * rng.standard_normal(1000)\n\n"
                 "def loss(w):  # w = (w1, w2, w3, bias)\n"
                 "    return np.mean((X @ w[:3] + w[3] - y) ** 2)\n\n"
                 "def grad(w):\n    r = X @ w[:3] + w[3] - y\n"
                 "    return np.append(2 * X.T @ r / len(y), 2 * np.mean(r))\n",
            note="Four parameters (three weights and a bias): only the loss curve is drawn."),
        _entry(overfit, "overfit", "Overfitting: 20 rows, 22 features",
            "L(w) = mean((xᵢ·w − yᵢ)²) on 20 training rows; validation: 500 held-out rows",
            bounds=((-4.0, 4.0),) * 22, start=(0.0,) * 22, lr=0.02, steps=2000,
            code="rng = np.random.default_rng(2)\nw_true = np.zeros(22)\n"
                 "w_true[:5] = [1.5, -2.0, 1.0, 0.5, -1.0]\n"
                 "X = rng.standard_normal((20, 22))\ny = X @ w_true + rng.standard_normal(20)\n"
                 "X_val = rng.standard_normal((500, 22))  # held out: never trained on\n"
                 "y_val = X_val @ w_true + rng.standard_normal(500)\n\n"
                 "def loss(w):\n    return np.mean((X @ w - y) ** 2)\n\n"
                 "def grad(w):\n    return 2 * X.T @ (X @ w - y) / len(y)\n\n"
                 "def val_loss(w):\n    return np.mean((X_val @ w - y_val) ** 2)\n",
            note="More weights than training rows: the training loss falls towards 0 while "
                 "the loss on held-out rows (dashed in the loss curve) turns and rises."),
        _entry(regression_10k, "regression-10k", "Regression, 10,000 × 5",
            "L(w) = mean((xᵢ·w − yᵢ)²), 5 features",
            bounds=((-4.0, 4.0),) * 5, start=(0.0,) * 5, lr=0.1, steps=100,
            code="rng = np.random.default_rng(42)\nX = rng.standard_normal((10000, 5))\n"
                 "y = X @ np.array([1.0, -2.0, 0.5, 3.0, -1.0])"
                 " + 0.5 * rng.standard_normal(10000)\n\n"
                 "def loss(w):\n    return np.mean((X @ w - y) ** 2)\n\n"
                 "def grad(w):\n    return 2 * X.T @ (X @ w - y) / len(y)\n",
            note="004's batch-size experiment (no bias, like the text)."),
        _entry(noisy_labels, "noisy-labels", "Logistic regression, 10% noisy labels",
            "L(w) = mean(log(1 + e^zᵢ) − yᵢ·zᵢ), zᵢ = xᵢ·w₁..₁₀ + b",
            bounds=((-3.0, 3.0),) * 11, start=(0.0,) * 11, lr=2.0, steps=200,
            code="rng = np.random.default_rng(42)\nX = rng.standard_normal((1000, 10))\n"
                 "y = (X[:, 0] + X[:, 1] > 0).astype(float)\n"
                 "flip = rng.random(1000) < 0.10  # 10% of the labels are wrong\n"
                 "y[flip] = 1 - y[flip]\n\n"
                 "def loss(w):  # w = (10 weights, bias); cross-entropy\n"
                 "    z = X @ w[:10] + w[10]\n"
                 "    return np.mean(np.logaddexp(0, z) - y * z)\n\n"
                 "def grad(w):\n    p = 1 / (1 + np.exp(-(X @ w[:10] + w[10])))\n"
                 "    return np.append(X.T @ (p - y) / len(y), np.mean(p - y))\n",
            note="Cross-entropy on 001's noisy-label data: the flipped labels keep the "
                 "weights finite, so there is a minimum (Newton's method finds it)."),
    ]
DATA_SURFACES: dict = {name: make for name, _, make in _DATA}
PROBLEMS: dict = {name: problem for name, problem, _ in _DATA}  # name -> DataProblem (or a pair)


def describe(name: str) -> dict:
    """``gdlab data NAME``: the data problem's ``DataProblem.describe()`` under ``surface``,
    plus ``X_val``, ``y_val`` and ``A_val`` (the held-out rows, never trained on) where the
    surface has a validation split. A GdlabError for a surface without data."""
    if name not in PROBLEMS:
        raise GdlabError(f"{str(name)[:40]!r} is not a data problem (it has a formula, no rows); "
                         f"data problems: {', '.join(PROBLEMS)} and the networks DATASET-mlp")
    built = PROBLEMS[name]()
    train, held_out = built if isinstance(built, tuple) else (built, None)
    out = {"surface": name, **train.describe()}
    if held_out is not None:
        out.update(X_val=held_out.X, y_val=held_out.y, A_val=held_out.A)
    return out
