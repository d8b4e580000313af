"""Small networks as data problems: a multilayer perceptron on seeded 2-D data sets.

Data sets (``DATASETS``): ``moons``, ``circles``, ``xor``, ``spiral``, ``gaussians``, each
200 training rows and 200 held-out rows of X (n, 2) and labels y ∈ {0, 1}, drawn by
``np.random.default_rng(DATA_SEED)`` (the training rows first, then the held-out rows
from the same stream); numpy only.

The model, for layers (n₀ = 2, n₁, …, n_L = 1) and an activation φ (tanh or relu):

    a₀ = X,   h_k = a_{k−1}·W_k + b_k,   a_k = φ(h_k) (k < L),   z = h_L   (one logit a row)

with W_k of shape (n_{k−1}, n_k). All weights are one flat vector

    w = concat(W₁.ravel(), b₁, W₂.ravel(), b₂, …)    (row-major ravel)

and the loss is the mean binary cross-entropy with logits over the rows B,

    L(w) = (1/|B|) Σ_{i∈B} ℓ(z_i, y_i),   ℓ(z, y) = log(1 + eᶻ) − y·z = softplus(z) − y·z,

evaluated as max(z, 0) + log1p(e^−|z|) − y·z (no overflow for any z). Backpropagation,
with σ the logistic function:

    δ_L = (σ(z) − y)/|B|,   ∂L/∂W_k = a_{k−1}ᵀ·δ_k,   ∂L/∂b_k = Σ_rows δ_k,
    δ_{k−1} = (δ_k·W_kᵀ) ⊙ φ'(h_{k−1}),   φ' = 1 − a² (tanh), [h > 0] (relu).

The Hessian-vector product H·v is exact, by forward-over-reverse differentiation (the
R-operator R{·} = d/dε ·(w + εv) at ε = 0), with v = (V_k, c_k) in the layout of w:

    R{h_k} = R{a_{k−1}}·W_k + a_{k−1}·V_k + c_k,   R{a_k} = φ'(h_k) ⊙ R{h_k},  R{a₀} = 0,
    R{δ_L} = σ(z)(1 − σ(z)) ⊙ R{z}/|B|,
    R{∂L/∂W_k} = R{a_{k−1}}ᵀ·δ_k + a_{k−1}ᵀ·R{δ_k},   R{∂L/∂b_k} = Σ_rows R{δ_k},
    R{δ_{k−1}} = (R{δ_k}·W_kᵀ + δ_k·V_kᵀ) ⊙ φ'(h_{k−1}) + (δ_k·W_kᵀ) ⊙ φ''(h_{k−1}) ⊙ R{h_{k−1}},
    φ'' = −2a(1 − a²) (tanh), 0 (relu);

and the Hessian is H = [H·e₁, …, H·e_d] (symmetrised). The start is Glorot-uniform:
W_k ~ U(−r_k, r_k) with r_k = √(6/(n_{k−1} + n_k)), drawn layer by layer from
``np.random.default_rng(init_seed)`` in row-major order, and zero biases. A row is
predicted 1 when z > 0 (σ(z) > ½); accuracy is the share of rows predicted right.

Everything is vectorised over runs: w has shape (..., d) and the results have shapes
(...), (..., d) and (..., d, d). A network surface is named ``DATASET-mlp`` and built
from its settings by ``surface(name, layers=..., activation=..., init_seed=...)``
(cached by name and settings); ``describe`` gives what rebuilds the model elsewhere.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .errors import GdlabError
from .problems import _in_chunks, softplus
from .surface import Surface

DATA_SEED = 0
N_TRAIN = N_VAL = 200
SUFFIX = "-mlp"
ACTIVATIONS = ("tanh", "relu")
MAX_UNITS = 32        # units in a hidden layer
MAX_HIDDEN = 4        # hidden layers
MAX_WEIGHTS = 2000    # d: the code pane's cap (usercode.MAX_DIM)
SEED_MAX = 2**32 - 1
DEFAULTS = {"layers": (2, 16, 16, 1), "activation": "tanh", "init_seed": 0}
LOSS = "bce-logits"
LR, STEPS = 0.1, 1000  # plain GD there: >= 95% training accuracy on all but spiral (2-16-16-1)

# The settings a network surface is built from, as the catalog describes them.
SETTINGS: tuple[dict, ...] = (
    {"key": "layers", "kind": "layers", "default": list(DEFAULTS["layers"]), "first": 2,
     "last": 1, "min": 1, "max": MAX_UNITS, "max_hidden": MAX_HIDDEN,
     "max_weights": MAX_WEIGHTS, "separator": ",",
     "reason": f"units per layer from the 2 inputs to the 1 logit, like 2,16,16,1: up to "
               f"{MAX_HIDDEN} hidden layers of 1 to {MAX_UNITS} units, at most "
               f"{MAX_WEIGHTS} weights"},
    {"key": "activation", "kind": "choice", "default": DEFAULTS["activation"],
     "of": list(ACTIVATIONS), "reason": "must be tanh or relu"},
    {"key": "init_seed", "kind": "int", "default": DEFAULTS["init_seed"], "min": 0,
     "max": SEED_MAX, "reason": f"must be a whole number from 0 to {SEED_MAX}"},
)


# -- the data sets (their code-pane text below draws exactly the same rows) ------------------

def _moons(rng, n):
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    X = (1 - 2 * y)[:, None] * np.stack([np.cos(t) - 0.5, np.sin(t) - 0.25], 1)
    return X + 0.15 * rng.standard_normal((n, 2)), y.astype(float)


def _circles(rng, n):
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.where(y, 0.5, 1.0)[:, None] * np.stack([np.cos(t), np.sin(t)], 1)
    return X + 0.08 * rng.standard_normal((n, 2)), y.astype(float)


def _xor(rng, n):
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float)


def _spiral(rng, n):
    y = np.arange(n) % 2
    t = rng.uniform(0.1, 1, n)
    angle = 3 * np.pi * t + np.pi * y
    X = t[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    return X + 0.03 * rng.standard_normal((n, 2)), y.astype(float)


def _gaussians(rng, n):
    y = np.arange(n) % 2
    X = (2 * y - 1)[:, None] * np.array([0.7, 0.7]) + 0.6 * rng.standard_normal((n, 2))
    return X, y.astype(float)


DATASETS = {  # name: (title, rows of one split (rng, n) -> (X, y), its code-pane text)
    "moons": ("Two moons", _moons,
              "def moons(rng, n):  # two interleaved half circles, noise 0.15\n"
              "    y = np.arange(n) % 2\n    t = rng.uniform(0, np.pi, n)\n"
              "    X = (1 - 2 * y)[:, None] * np.stack([np.cos(t) - 0.5, np.sin(t) - 0.25], 1)\n"
              "    return X + 0.15 * rng.standard_normal((n, 2)), y.astype(float)\n"),
    "circles": ("Two circles", _circles,
                "def circles(rng, n):  # radius 1 (y = 0) around radius 0.5 (y = 1)\n"
                "    y = np.arange(n) % 2\n    t = rng.uniform(0, 2 * np.pi, n)\n"
                "    X = np.where(y, 0.5, 1.0)[:, None] * np.stack([np.cos(t), np.sin(t)], 1)\n"
                "    return X + 0.08 * rng.standard_normal((n, 2)), y.astype(float)\n"),
    "xor": ("XOR", _xor,
            "def xor(rng, n):  # y = 1 where x0 and x1 have the same sign\n"
            "    X = rng.uniform(-1, 1, (n, 2))\n"
            "    return X, (X[:, 0] * X[:, 1] > 0).astype(float)\n"),
    "spiral": ("Two spirals", _spiral,
               "def spiral(rng, n):  # two arms, 1.5 turns each\n"
               "    y = np.arange(n) % 2\n    t = rng.uniform(0.1, 1, n)\n"
               "    angle = 3 * np.pi * t + np.pi * y\n"
               "    X = t[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)\n"
               "    return X + 0.03 * rng.standard_normal((n, 2)), y.astype(float)\n"),
    "gaussians": ("Two Gaussians", _gaussians,
                  "def gaussians(rng, n):  # two overlapping blobs, centres ±(0.7, 0.7)\n"
                  "    y = np.arange(n) % 2\n"
                  "    X = (2 * y - 1)[:, None] * np.array([0.7, 0.7]) + 0.6 * rng.standard_normal((n, 2))\n"
                  "    return X, y.astype(float)\n"),
}
NAMES = tuple(f"{d}{SUFFIX}" for d in DATASETS)


@lru_cache(maxsize=None)
def dataset(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, X_val, y_val) of a data set: 200 training rows, then 200 held-out rows."""
    if name not in DATASETS:
        raise GdlabError(f"unknown data set {str(name)[:40]!r}; expected one of {', '.join(DATASETS)}")
    make = DATASETS[name][1]
    rng = np.random.default_rng(DATA_SEED)
    X, y = make(rng, N_TRAIN)
    Xv, yv = make(rng, N_VAL)
    for a in (X, y, Xv, yv):
        a.setflags(write=False)
    return X, y, Xv, yv


# -- settings ------------------------------------------------------------------------------

def _whole(name: str, value, lo: int, hi: int) -> int:
    try:
        f = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        f = float("nan")
    if not (np.isfinite(f) and f == int(f) and lo <= f <= hi):
        raise GdlabError(f"{name} must be a whole number from {lo} to {hi}, got {str(value)[:40]!r}")
    return int(f)


def check_settings(layers=None, activation=None, init_seed=None) -> dict:
    """The settings, checked and normalised (None or "" takes the default): ``layers`` a
    tuple of ints from 2 to 1 (given as "2,16,16,1" or a list), ``activation`` "tanh" or
    "relu", ``init_seed`` an int."""
    if layers in (None, ""):
        layers = DEFAULTS["layers"]
    if isinstance(layers, str):
        layers = [v for v in layers.replace(" ", "").replace("-", ",").split(",") if v]
    if not isinstance(layers, (list, tuple, np.ndarray)):
        raise GdlabError(f"layers must be a list of units like 2,16,16,1, got {str(layers)[:40]!r}")
    layers = tuple(_whole("each layer's units", v, 1, MAX_UNITS) for v in layers)
    if len(layers) < 2 or layers[0] != 2 or layers[-1] != 1:
        raise GdlabError(f"layers must go from the 2 inputs to the 1 logit, like 2,16,16,1 "
                         f"(got {','.join(map(str, layers))})")
    if len(layers) - 2 > MAX_HIDDEN:
        raise GdlabError(f"at most {MAX_HIDDEN} hidden layers (got {len(layers) - 2})")
    d = n_weights(layers)
    if d > MAX_WEIGHTS:
        raise GdlabError(f"layers {','.join(map(str, layers))} make {d} weights; at most {MAX_WEIGHTS}")
    activation = DEFAULTS["activation"] if activation in (None, "") else str(activation).lower()
    if activation not in ACTIVATIONS:
        raise GdlabError(f"activation must be tanh or relu, got {activation[:40]!r}")
    init_seed = DEFAULTS["init_seed"] if init_seed in (None, "") else _whole(
        "init_seed", init_seed, 0, SEED_MAX)
    return {"layers": layers, "activation": activation, "init_seed": init_seed}


def n_weights(layers) -> int:
    """d = Σ_k (n_{k−1}·n_k + n_k)."""
    return sum(a * b + b for a, b in zip(layers[:-1], layers[1:]))


def layout(layers) -> list[dict]:
    """The entries of w in order: {"name": "W1", "shape": [2, 16]}, {"name": "b1", ...}."""
    out = []
    for k, (a, b) in enumerate(zip(layers[:-1], layers[1:]), 1):
        out += [{"name": f"W{k}", "shape": [a, b]}, {"name": f"b{k}", "shape": [b]}]
    return out


def glorot(layers, init_seed: int) -> np.ndarray:
    """w₀: W_k ~ U(−√(6/(n_{k−1} + n_k)), +…) row-major from default_rng(init_seed), b_k = 0."""
    rng = np.random.default_rng(int(init_seed))
    parts = []
    for a, b in zip(layers[:-1], layers[1:]):
        r = np.sqrt(6.0 / (a + b))
        parts += [rng.uniform(-r, r, a * b), np.zeros(b)]
    return np.concatenate(parts)


# -- the model ----------------------------------------------------------------------------------

def _act(activation: str, h):
    """φ(h); tanh as 1 − 2/(e^{2h} + 1) (within 4e-16 of np.tanh, and about twice as fast;
    2h is capped at 700, where the value is 1 to the last bit, so e^{2h} never overflows)."""
    if activation == "tanh":
        return 1.0 - 2.0 / (np.exp(np.minimum(2.0 * h, 700.0)) + 1.0)
    return np.maximum(h, 0.0)


def _slopes(activation: str, a, second: bool = False):
    """φ'(h) written in terms of a = φ(h) (1 − a² for tanh, [a > 0] for relu), and with
    ``second`` also φ''(h) (−2a(1 − a²) for tanh; None for relu, whose φ'' is 0)."""
    if activation == "tanh":
        d1 = 1.0 - a * a
        return (d1, -2.0 * a * d1) if second else d1
    d1 = (a > 0).astype(float)
    return (d1, None) if second else d1


def _sigmoid(z):
    """σ(z) = ½(1 + tanh(z/2)): no overflow for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Network:
    """The MLP of ``layers`` with ``activation`` on X (n, 2) and labels y (n,) ∈ {0, 1}."""

    def __init__(self, layers, activation: str, X, y):
        self.layers, self.activation = tuple(layers), activation
        self.X, self.y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        self.n, self.dim = len(self.y), n_weights(self.layers)
        self.width = max(self.layers)
        self._slices = []
        o = 0
        for a, b in zip(self.layers[:-1], self.layers[1:]):
            self._slices.append(((o, o + a * b, (a, b)), (o + a * b, o + a * b + b)))
            o += a * b + b

    def unpack(self, w) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W_k (..., n_{k−1}, n_k), b_k (..., n_k))] as views of w (..., d)."""
        lead = w.shape[:-1]
        return [(w[..., i:j].reshape(lead + shape), w[..., p:q]) for (i, j, shape), (p, q)
                in self._slices]

    def _rows(self, rows):
        if rows is None:
            return self.X, self.y
        rows = np.asarray(rows, dtype=np.intp)
        return self.X[rows], self.y[rows]

    def _forward(self, w, X):
        """The parameters, every layer's input [a₀ = X, a₁, …, a_{L−1}], and z (..., n)."""
        params = self.unpack(w)
        acts = [X]
        for W, b in params[:-1]:
            acts.append(_act(self.activation, acts[-1] @ W + b[..., None, :]))
        W, b = params[-1]
        return params, acts, (acts[-1] @ W)[..., 0] + b

    def _budget(self, w, rows: int, f):
        return _in_chunks(w, rows * self.width, f)

    def logits(self, w, X=None):
        """z for the rows X (default: the training rows), shape (..., n)."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        return self._budget(w, len(X), lambda v: self._forward(v, X)[2])

    def batch_loss(self, w, rows=None):
        """(1/|B|) Σ softplus(z_i) − y_i·z_i over the rows B (all when ``rows`` is None)."""
        X, y = self._rows(rows)
        return self._budget(w, len(y), lambda v: np.mean(
            softplus(z := self._forward(v, X)[2]) - y * z, axis=-1))

    def batch_grad(self, w, rows=None):
        """∇L over the rows B by backpropagation, (..., d)."""
        X, y = self._rows(rows)
        return self._budget(w, len(y), lambda v: self._backward(v, X, y))

    def _backward(self, w, X, y, v=None):
        """∂L/∂w by backpropagation, or, given a direction v, the exact H·v (the R-operator
        of the module docstring: one forward pass of R{h_k}, then the backward pass of
        R{δ_k} beside δ_k)."""
        if v is not None:
            w, v = np.broadcast_arrays(w, v)
        params, acts, z = self._forward(w, X)
        L, lead = len(params), w.shape[:-1]
        p = _sigmoid(z)
        delta = ((p - y) / len(y))[..., None]                        # δ_L (..., n, 1)
        if v is not None:
            dirs = self.unpack(v)
            slopes = [_slopes(self.activation, a, second=True) for a in acts[1:]]
            r_acts, r_hs = [None], []                                # R{a₀} = 0
            for k, ((W, _), (V, c)) in enumerate(zip(params, dirs)):
                r_h = acts[k] @ V + c[..., None, :]
                if r_acts[k] is not None:
                    r_h = r_h + r_acts[k] @ W
                r_hs.append(r_h)
                if k < L - 1:
                    r_acts.append(slopes[k][0] * r_h)
            r_delta = (p * (1 - p) / len(y))[..., None] * r_hs[-1]   # R{δ_L}
        out = []
        for k in range(L - 1, -1, -1):
            W, a_in = params[k][0], acts[k]
            if v is None:
                gW, gb = np.swapaxes(a_in, -1, -2) @ delta, delta.sum(-2)
            else:
                gW, gb = np.swapaxes(a_in, -1, -2) @ r_delta, r_delta.sum(-2)
                if r_acts[k] is not None:
                    gW = gW + np.swapaxes(r_acts[k], -1, -2) @ delta
            out += [gb, gW.reshape(lead + (-1,))]
            if k:
                e = delta @ np.swapaxes(W, -1, -2)
                if v is None:
                    delta = e * _slopes(self.activation, acts[k])
                    continue
                d1, d2 = slopes[k - 1]
                r_e = r_delta @ np.swapaxes(W, -1, -2) + delta @ np.swapaxes(dirs[k][0], -1, -2)
                r_delta = r_e * d1
                if d2 is not None:
                    r_delta = r_delta + e * d2 * r_hs[k - 1]
                delta = e * d1
        return np.concatenate(out[::-1], axis=-1)

    def hvp(self, w, v, rows=None):
        """H·v for w and v of shape (..., d) (broadcast together), exact."""
        X, y = self._rows(rows)
        w, v = np.broadcast_arrays(np.asarray(w, dtype=float), np.asarray(v, dtype=float))
        both = np.concatenate([w, v], axis=-1)
        d = self.dim
        return _in_chunks(both, len(y) * self.width * 2,
                          lambda u: self._backward(u[..., :d], X, y, u[..., d:]))

    def hessian(self, w, block: int = 64):
        """H (..., d, d) from H·e_j, ``block`` directions at a time, symmetrised."""
        w = np.asarray(w, dtype=float)
        flat = w.reshape(-1, self.dim)
        eye = np.eye(self.dim)
        H = np.empty((len(flat), self.dim, self.dim))
        for i, p in enumerate(flat):
            for j in range(0, self.dim, block):
                H[i, j:j + block] = self.hvp(p, eye[j:j + block])
        H = (H + np.swapaxes(H, -1, -2)) / 2
        return H.reshape(w.shape[:-1] + (self.dim, self.dim))

    def accuracy(self, w, X=None, y=None):
        """Share of rows with (z > 0) == (y = 1), shape (...)."""
        X, y = (self.X, self.y) if X is None else (np.asarray(X, float), np.asarray(y, float))
        return self._budget(w, len(y), lambda v: np.mean(
            (self._forward(v, X)[2] > 0) == (y > 0.5), axis=-1))


# -- the code pane's program ---------------------------------------------------------------------

_MODEL_CODE = '''
def unpack(w):  # w = concat(W1.ravel(), b1, W2.ravel(), b2, ...), W_k (fan_in, fan_out)
    out, o = [], 0
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:]):
        W = w[o:o + fan_in * fan_out].reshape(fan_in, fan_out)
        o += fan_in * fan_out
        out.append((W, w[o:o + fan_out]))
        o += fan_out
    return out

def forward(w, X):  # the input of every layer, and the logits z
    *hidden, (W, b) = unpack(w)
    acts = [X]
    for Wk, bk in hidden:
        acts.append(act(acts[-1] @ Wk + bk))
    return acts, (acts[-1] @ W + b)[:, 0]

def loss(w):  # mean binary cross-entropy with logits: log(1 + e^z) - y·z
    z = forward(w, X)[1]
    return np.mean(np.logaddexp(0, z) - y * z)

def grad(w):  # backpropagation
    layers = unpack(w)
    acts, z = forward(w, X)
    delta = ((1 + np.tanh(z / 2)) / 2 - y)[:, None] / len(y)  # dL/dz = (sigmoid(z) - y)/n
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        W, b = layers[k]
        grads = [(acts[k].T @ delta).ravel(), delta.sum(0)] + grads
        if k:
            delta = (delta @ W.T) * act_grad(acts[k])
    return np.concatenate(grads)

def val_loss(w):  # the same loss on the held-out rows
    z = forward(w, X_val)[1]
    return np.mean(np.logaddexp(0, z) - y_val * z)

def accuracy(w, X, y):  # predict 1 where z > 0
    return np.mean((forward(w, X)[1] > 0) == (y == 1))

def init(seed):  # Glorot-uniform weights, zero biases
    rng = np.random.default_rng(seed)
    parts = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:]):
        r = np.sqrt(6 / (fan_in + fan_out))
        parts += [rng.uniform(-r, r, fan_in * fan_out), np.zeros(fan_out)]
    return np.concatenate(parts)
'''

_ACT_CODE = {
    "tanh": "def act(h):\n    return np.tanh(h)\n\n"
            "def act_grad(a):  # tanh'(h) from a = tanh(h)\n    return 1 - a ** 2\n",
    "relu": "def act(h):\n    return np.maximum(h, 0)\n\n"
            "def act_grad(a):  # relu'(h) from a = relu(h)\n    return (a > 0).astype(float)\n",
}


def code(data: str, layers, activation: str, init_seed: int) -> str:
    """The numpy program of the code pane: the rows, the forward and the backward pass,
    and ``INIT_SEED`` for ``start = init(INIT_SEED)``."""
    return (DATASETS[data][2] + f"\nrng = np.random.default_rng({DATA_SEED})\n"
            f"X, y = {data}(rng, {N_TRAIN})\n"
            f"X_val, y_val = {data}(rng, {N_VAL})  # held out: never trained on\n\n"
            f"LAYERS = [{', '.join(map(str, layers))}]\nINIT_SEED = {int(init_seed)}\n\n"
            + _ACT_CODE[activation] + _MODEL_CODE)


# -- surfaces ----------------------------------------------------------------------------------

def is_network(name) -> bool:
    return isinstance(name, str) and name.endswith(SUFFIX) and name[:-len(SUFFIX)] in DATASETS


@lru_cache(maxsize=64)
def _network(data: str, layers: tuple, activation: str, split: str) -> Network:
    X, y, Xv, yv = dataset(data)
    return Network(layers, activation, *((X, y) if split == "train" else (Xv, yv)))


def network(name: str, layers=None, activation=None, split: str = "train") -> Network:
    """The Network of a surface name and settings on its training (or "val") rows."""
    s = check_settings(layers, activation)
    return _network(name[:-len(SUFFIX)] if is_network(name) else name, s["layers"],
                    s["activation"], split)


@lru_cache(maxsize=64)
def _surface(name: str, layers: tuple, activation: str, init_seed: int) -> Surface:
    data = name[:-len(SUFFIX)]
    train = _network(data, layers, activation, "train")
    val = _network(data, layers, activation, "val")
    d = train.dim
    title = f"{DATASETS[data][0]}, MLP {'-'.join(map(str, layers))} {activation}"
    return Surface(
        name, title,
        f"L(w) = mean(log(1 + e^zᵢ) − yᵢ·zᵢ), z = MLP {'-'.join(map(str, layers))} "
        f"({activation}) of xᵢ; {N_TRAIN} training rows, {N_VAL} held out",
        d, train.batch_loss, train.batch_grad, train.hessian, (), ((-3.0, 3.0),) * d,
        tuple(float(v) for v in glorot(layers, init_seed)), LR, STEPS,
        code(data, layers, activation, init_seed), True, 0.0, N_TRAIN,
        train.batch_loss, train.batch_grad,
        "A network: the loss has no known minimum (its infimum is 0 where the rows can be "
        "separated), so the status words judge the gradient norm; accuracy is the share of "
        "rows on the right side of z = 0.",
        val.batch_loss, hvp=train.hvp, accuracy=train.accuracy, val_accuracy=val.accuracy,
        settings=(("layers", layers), ("activation", activation), ("init_seed", init_seed)))


def surface(name: str, layers=None, activation=None, init_seed=None) -> Surface:
    """The network surface ``DATASET-mlp`` for its settings, cached by name and settings."""
    if not is_network(name):
        raise GdlabError(f"unknown network {str(name)[:40]!r}; expected one of {', '.join(NAMES)}")
    s = check_settings(layers, activation, init_seed)
    return _surface(name, s["layers"], s["activation"], s["init_seed"])


def settings_of(s: Surface) -> dict:
    """A surface's settings as a dict ({} for a surface without any)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in s.settings}


def describe(s: Surface) -> dict:
    """Everything that rebuilds a network surface elsewhere: the rows, the model, the
    loss, the layout of w and the start w0 (``gdlab data SURFACE --json``)."""
    if not is_network(s.name):
        raise GdlabError(f"'{s.name}' is not a network (DATASET-mlp)")
    st = settings_of(s)
    X, y, Xv, yv = dataset(s.name[:-len(SUFFIX)])
    return {"surface": s.name, "dataset": s.name[:-len(SUFFIX)], "X": X, "y": y,
            "X_val": Xv, "y_val": yv, "layers": st["layers"], "activation": st["activation"],
            "init_seed": st["init_seed"], "loss": LOSS, "layout": layout(st["layers"]),
            "dim": s.dim, "w0": np.array(s.start)}


def catalog_entry(name: str) -> dict:
    """A network family for the catalog: its settings and what the defaults make (built
    without drawing its rows). The start w0 (337 numbers at the defaults, a third of the
    catalog's bytes for five networks) is left to the surface and ``describe``."""
    data = name[:-len(SUFFIX)]
    layers, act, seed = DEFAULTS["layers"], DEFAULTS["activation"], DEFAULTS["init_seed"]
    return {"name": name, "dataset": data, "title": f"{DATASETS[data][0]}, MLP",
            "n_samples": N_TRAIN, "n_val": N_VAL, "loss": LOSS,
            "settings": [dict(s) for s in SETTINGS],
            "dim": n_weights(layers), "lr": LR, "steps": STEPS, "code": code(data, layers, act, seed)}


# -- the decision boundary -------------------------------------------------------------------

BOX_MARGIN = 0.1    # of each axis's span, added on both sides of the rows
BOX_SIZE = 41       # grid points per axis


def box(data: str) -> list[list[float]]:
    """The data box [[x_lo, x_hi], [y_lo, y_hi]]: the training and held-out rows' range per
    axis, widened by BOX_MARGIN of its span on each side."""
    X, _, Xv, _ = dataset(data)
    rows = np.concatenate([X, Xv])
    lo, hi = rows.min(axis=0), rows.max(axis=0)
    pad = BOX_MARGIN * (hi - lo)
    return [[float(a), float(b)] for a, b in zip(lo - pad, hi + pad)]


def boundary(name: str, w, layers=None, activation=None, size: int = BOX_SIZE) -> dict:
    """The class probability σ(z(x)) on a size × size grid over the data box for the
    weights w (d,) or (K, d), in one forward pass over every grid point (and every w):
    prob[..., i, j] = σ(z(x[j], y[i]))."""
    net = network(name, layers, activation)
    w = np.asarray(w, dtype=float)
    if w.ndim not in (1, 2) or w.shape[-1] != net.dim:
        raise GdlabError(f"w needs {net.dim} weights (or K rows of them) for layers "
                         f"{','.join(map(str, net.layers))}, got shape {list(w.shape)}")
    bounds = box(name[:-len(SUFFIX)])
    x, y = (np.linspace(lo, hi, int(size)) for lo, hi in bounds)
    grid = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        prob = _sigmoid(net.logits(w, grid))
    return {"bounds": bounds, "x": x, "y": y,
            "prob": prob.reshape(w.shape[:-1] + (len(y), len(x)))}
