"""Optimizers as pure ``(init, update)`` pairs over arrays of shape (K, d).

``init(params) -> state`` and ``update(grads, state, params) -> (direction, state)``
never touch the parameters: the runner applies every step as

    w ← w − lr_t · direction

so the minus sign and the learning rate live in one place. Each optimizer is a chain
of small transforms (the optax way): ``add_decayed_weights`` for L2 or decoupled decay,
``trace`` for momentum, ``scale_by_adagrad``, ``scale_by_rms``, ``scale_by_adam``.
For the same hyperparameters the iterates equal torch.optim 2.x (float64), whose
keyword names the hyperparameters carry (``beta1``/``beta2`` for ``betas``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from .errors import GdlabError
from .hyper import Hyper, literal, resolve


class Optimizer(NamedTuple):
    """A pure pair: ``init(params) -> state``; ``update(grads, state, params) -> (direction, state)``."""

    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]


def chain(*parts: Optimizer) -> Optimizer:
    """Run transforms one after another, each refining the direction of the one before."""

    def init(params):
        return tuple(p.init(params) for p in parts)

    def update(grads, state, params):
        new = []
        for part, s in zip(parts, state):
            grads, s = part.update(grads, s, params)
            new.append(s)
        return grads, tuple(new)

    return Optimizer(init, update)


def identity() -> Optimizer:
    """direction = g: plain gradient descent."""
    return Optimizer(lambda p: (), lambda g, s, p: (g, s))


def add_decayed_weights(weight_decay: float) -> Optimizer:
    """u ← u + λ·w. First in a chain it is L2 (coupled) decay; last, decoupled (AdamW)."""
    if not weight_decay:
        return identity()
    return Optimizer(lambda p: (), lambda u, s, p: (u + weight_decay * p, s))


class TraceState(NamedTuple):
    buf: np.ndarray
    started: bool


def trace(momentum: float, dampening: float = 0.0, nesterov: bool = False,
          ema: bool = False) -> Optimizer:
    """Heavy-ball momentum, torch's SGD convention unless ``ema``.

    torch:  b₁ = g₁;  b_t = μ·b_{t−1} + (1−τ)·g_t;  u = g + μ·b (nesterov) else u = b
    ema:    b₀ = 0;   b_t = μ·b_{t−1} + (1−μ)·g_t   (the lesson texts' form; τ unused)
    """
    if not momentum:
        return identity()

    def init(params):
        return TraceState(np.zeros_like(params), ema)

    def update(g, s, p):
        if ema:
            buf = momentum * s.buf + (1 - momentum) * g
        elif not s.started:
            buf = g.copy()
        else:
            buf = momentum * s.buf + (1 - dampening) * g
        u = g + momentum * buf if nesterov else buf
        return u, TraceState(buf, True)

    return Optimizer(init, update)


class AdagradState(NamedTuple):
    sum: np.ndarray
    step: int


def scale_by_adagrad(lr_decay: float, initial_accumulator_value: float, eps: float) -> Optimizer:
    """s_t = s_{t−1} + g²;  u = g / (√s_t + ε) / (1 + (t−1)·lr_decay)."""

    def init(params):
        return AdagradState(np.full_like(params, initial_accumulator_value), 0)

    def update(g, s, p):
        step = s.step + 1
        total = s.sum + g * g
        u = g / (np.sqrt(total) + eps) / (1 + (step - 1) * lr_decay)
        return u, AdagradState(total, step)

    return Optimizer(init, update)


def _lerp(a, b, weight):
    """a + weight·(b − a), computed the way torch.lerp does for float64."""
    if weight < 0.5:
        return a + weight * (b - a)
    return b - (b - a) * (1 - weight)


class RmsState(NamedTuple):
    square_avg: np.ndarray
    grad_avg: np.ndarray
    buf: np.ndarray


def scale_by_rms(alpha: float, eps: float, momentum: float, centered: bool) -> Optimizer:
    """v = α·v + (1−α)·g²;  c = c + (1−α)(g − c) if centered;  a = √(v − c²) + ε (or √v + ε);
    u = g/a, or with momentum b = μ·b + g/a and u = b (b₀ = 0)."""

    def init(params):
        z = np.zeros_like(params)
        return RmsState(z, z, z)

    def update(g, s, p):
        sq = alpha * s.square_avg + (1 - alpha) * g * g
        ga = _lerp(s.grad_avg, g, 1 - alpha) if centered else s.grad_avg
        avg = (np.sqrt(sq - ga * ga) if centered else np.sqrt(sq)) + eps
        if momentum > 0:
            buf = momentum * s.buf + g / avg
            return buf, RmsState(sq, ga, buf)
        return g / avg, RmsState(sq, ga, s.buf)

    return Optimizer(init, update)


class AdamState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray
    step: int


def scale_by_adam(beta1: float, beta2: float, eps: float, amsgrad: bool) -> Optimizer:
    """m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  v̂ = max(v̂, v) if amsgrad;
    u = (m / (1−β₁ᵗ)) / (√v / √(1−β₂ᵗ) + ε)."""

    def init(params):
        z = np.zeros_like(params)
        return AdamState(z, z, z, 0)

    def update(g, s, p):
        t = s.step + 1
        m = _lerp(s.m, g, 1 - beta1)
        v = beta2 * s.v + (1 - beta2) * g * g
        v_max = np.maximum(s.v_max, v) if amsgrad else s.v_max
        denom = np.sqrt(v_max if amsgrad else v) / np.sqrt(1 - beta2 ** t) + eps
        return (m / denom) / (1 - beta1 ** t), AdamState(m, v, v_max, t)

    return Optimizer(init, update)


# --- the catalog ---------------------------------------------------------------------

def sgd(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, ema=False) -> Optimizer:
    """Stochastic gradient descent, torch.optim.SGD's update (the lab's ``sgd``).

    With g_t = ∇L(w_t) + λ·w_t (λ = weight_decay, L2 added to the gradient):

        μ = 0:   w_{t+1} = w_t − lr_t·g_t
        μ > 0:   b_1 = g_1,   b_t = μ·b_{t−1} + (1 − τ)·g_t        (τ = dampening)
                 u_t = g_t + μ·b_t  if nesterov,  else  u_t = b_t
                 w_{t+1} = w_t − lr_t·u_t
        ema:     b_0 = 0,     b_t = μ·b_{t−1} + (1 − μ)·g_t        (τ unused)

    Momentum convention: torch's. The learning rate multiplies the whole buffer at each
    step, and the first buffer is the gradient itself (no zero start, no bias). The
    Sutskever et al. form v_t = μ·v_{t−1} + lr·g_t, w −= v_t (the lesson texts' "lr
    folded in") gives the same iterates when lr is constant and different ones under a
    schedule. ``ema`` is the texts' exponential-moving-average form, whose steps are
    (1 − μ) times shorter at the same lr. nesterov needs μ > 0 and τ = 0, as in torch.

    References: B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", USSR Comp. Math. and Math. Physics 4(5), 1964 (heavy ball); I. Sutskever,
    J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and momentum in
    deep learning", ICML 2013 (the formulation torch follows); torch.optim.SGD.
    """
    if nesterov and (momentum <= 0 or (dampening != 0 and not ema)):
        raise GdlabError("nesterov needs momentum > 0 and dampening 0 (as in torch)")
    return chain(add_decayed_weights(weight_decay), trace(momentum, dampening, nesterov, ema))


def momentum(momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0,
             ema=False) -> Optimizer:
    """Heavy-ball momentum: ``sgd`` with μ = 0.9 by default (the lab's ``momentum``).

        g_t = ∇L(w_t) + λ·w_t
        b_1 = g_1,   b_t = μ·b_{t−1} + (1 − τ)·g_t      (ema: b_0 = 0, b_t = μ·b_{t−1} + (1 − μ)·g_t)
        w_{t+1} = w_t − lr_t·b_t

    torch.optim.SGD(momentum=0.9)'s convention (see ``sgd``). Reference: Polyak 1964;
    Sutskever et al., ICML 2013.
    """
    return sgd(momentum, dampening, nesterov, weight_decay, ema)


def nesterov(momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.0,
             ema=False) -> Optimizer:
    """Nesterov momentum: ``sgd`` with μ = 0.9 and nesterov=True (the lab's ``nesterov``).

        g_t = ∇L(w_t) + λ·w_t
        b_1 = g_1,   b_t = μ·b_{t−1} + g_t
        w_{t+1} = w_t − lr_t·(g_t + μ·b_t)

    The look-ahead is taken on the buffer, as torch.optim.SGD(nesterov=True) does (the
    Sutskever et al. rewriting of Nesterov's method in terms of the current iterate).
    References: Y. Nesterov, "A method of solving a convex programming problem with
    convergence rate O(1/k²)", Soviet Math. Doklady 27, 1983; Sutskever et al., ICML 2013.
    """
    return sgd(momentum, dampening, nesterov, weight_decay, ema)


def adagrad(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10) -> Optimizer:
    """Adagrad, torch.optim.Adagrad's update (the lab's ``adagrad``).

        g_t = ∇L(w_t) + λ·w_t
        s_0 = initial_accumulator_value,   s_t = s_{t−1} + g_t²        (per coordinate)
        w_{t+1} = w_t − lr_t / (1 + (t − 1)·lr_decay) · g_t / (√s_t + ε)

    ε is added outside the root, as in torch. No momentum. Reference: J. Duchi, E. Hazan,
    Y. Singer, "Adaptive subgradient methods for online learning and stochastic
    optimization", JMLR 12, 2011.
    """
    return chain(add_decayed_weights(weight_decay),
                 scale_by_adagrad(lr_decay, initial_accumulator_value, eps))


def rmsprop(alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False) -> Optimizer:
    """RMSprop, torch.optim.RMSprop's update (the lab's ``rmsprop``).

        g_t = ∇L(w_t) + λ·w_t
        v_t = α·v_{t−1} + (1 − α)·g_t²                     (v_0 = 0)
        centered:  c_t = α·c_{t−1} + (1 − α)·g_t,  a_t = √(v_t − c_t²) + ε   (c_0 = 0)
        else:      a_t = √v_t + ε
        μ = 0:     w_{t+1} = w_t − lr_t·g_t / a_t
        μ > 0:     b_t = μ·b_{t−1} + g_t / a_t  (b_0 = 0),   w_{t+1} = w_t − lr_t·b_t

    ε is added outside the root (torch; Keras and the lecture put it inside). Momentum
    here acts on the scaled step, from a zero buffer. References: T. Tieleman,
    G. Hinton, Lecture 6.5 "rmsprop", COURSERA: Neural Networks for Machine Learning,
    2012; A. Graves, "Generating sequences with recurrent neural networks",
    arXiv:1308.0850, 2013 (the centered form).
    """
    return chain(add_decayed_weights(weight_decay), scale_by_rms(alpha, eps, momentum, centered))


def adam(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False) -> Optimizer:
    """Adam, torch.optim.Adam's update (the lab's ``adam``).

        g_t = ∇L(w_t) + λ·w_t                   (weight_decay is L2: coupled, in the gradient)
        m_t = β₁·m_{t−1} + (1 − β₁)·g_t          (m_0 = 0)
        v_t = β₂·v_{t−1} + (1 − β₂)·g_t²         (v_0 = 0)
        v̄_t = max(v̄_{t−1}, v_t) if amsgrad, else v_t
        w_{t+1} = w_t − lr_t · (m_t / (1 − β₁ᵗ)) / (√v̄_t / √(1 − β₂ᵗ) + ε)

    Both moments are bias-corrected; ε is added after the correction of √v (torch's
    order, the paper's Algorithm 1). The first step is about lr long in every coordinate.
    References: D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR
    2015; S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond", ICLR
    2018 (amsgrad).
    """
    return chain(add_decayed_weights(weight_decay), scale_by_adam(beta1, beta2, eps, amsgrad))


def adamw(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, amsgrad=False) -> Optimizer:
    """AdamW, torch.optim.AdamW's update (the lab's ``adamw``): Adam, then decoupled decay.

        g_t = ∇L(w_t)                            (no decay in the gradient)
        m_t, v_t, v̄_t as in ``adam``
        w_{t+1} = w_t − lr_t · ( (m_t / (1 − β₁ᵗ)) / (√v̄_t / √(1 − β₂ᵗ) + ε) + λ·w_t )

    The same as torch's w ← w·(1 − lr·λ) followed by the Adam step: the decay is scaled
    by lr but not by Adam's per-coordinate denominator. Reference: I. Loshchilov,
    F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
    """
    return chain(scale_by_adam(beta1, beta2, eps, amsgrad), add_decayed_weights(weight_decay))


def _momentum_hypers(momentum: float, nesterov: bool) -> tuple[Hyper, ...]:
    return (
        Hyper("momentum", momentum, "float", 0.0, 0.9999, "μ: how much of the last step carries over"),
        Hyper("dampening", 0.0, "float", 0.0, 1.0, "τ: scales the new gradient by (1 − τ) (torch)"),
        Hyper("nesterov", nesterov, "bool", help="look-ahead: step along g + μ·b"),
        Hyper("weight_decay", 0.0, "float", 0.0, 10.0, "λ: L2 penalty added to the gradient"),
        Hyper("ema", False, "bool", help="lesson form b = μ·b + (1 − μ)·g from b = 0"),
    )


ADAM_HYPERS = (
    Hyper("beta1", 0.9, "float", 0.0, 0.9999, "β₁: decay of the mean of gradients"),
    Hyper("beta2", 0.999, "float", 0.0, 0.999999, "β₂: decay of the mean of squared gradients"),
    Hyper("eps", 1e-8, "float", 0.0, 1.0, "ε: keeps the division finite"),
)

SGD_EQ = ("g ← ∇L(w) + λ·w\n"
          "b ← g at the first step, then b ← μ·b + (1 − τ)·g   (torch's convention;\n"
          "    with ema: b ← μ·b + (1 − μ)·g from b = 0)\n"
          "w ← w − lr·(g + μ·b) with nesterov, else w ← w − lr·b")
ADAM_EQ = ("m ← β₁·m + (1 − β₁)·g ;  v ← β₂·v + (1 − β₂)·g²   (from 0; t = step number)\n"
           "m̂ = m / (1 − β₁ᵗ) ;  v̂ = v / (1 − β₂ᵗ)   (amsgrad: v̂ uses the running max of v)\n")


@dataclass(frozen=True)
class OptimizerSpec:
    """A catalog entry: names, hyperparameters, equations and the code-pane version."""

    name: str
    title: str
    hypers: tuple[Hyper, ...]
    equations: str
    code: str
    build: Callable[..., Optimizer]


_CODE_SGD = '''MOMENTUM = {momentum}
DAMPENING = {dampening}
NESTEROV = {nesterov}
WEIGHT_DECAY = {weight_decay}
EMA = {ema}

def step(w, g, lr, state):
    """{title}: one update, torch.optim.SGD's convention."""
    g = g + WEIGHT_DECAY * w
    if MOMENTUM == 0:
        return w - lr * g, state
    if EMA:          # the lesson form: b = mu*b + (1 - mu)*g, from b = 0
        b = (1 - MOMENTUM) * g if state is None else MOMENTUM * state + (1 - MOMENTUM) * g
    else:            # torch: the first buffer is g itself
        b = g if state is None else MOMENTUM * state + (1 - DAMPENING) * g
    u = g + MOMENTUM * b if NESTEROV else b
    return w - lr * u, b
'''

_CODE_ADAGRAD = '''LR_DECAY = {lr_decay}
WEIGHT_DECAY = {weight_decay}
INITIAL_ACCUMULATOR_VALUE = {initial_accumulator_value}
EPS = {eps}

def step(w, g, lr, state):
    """Adagrad: divide by the root of all squared gradients so far."""
    t, total = (0, np.full_like(w, INITIAL_ACCUMULATOR_VALUE)) if state is None else state
    t += 1
    g = g + WEIGHT_DECAY * w
    total = total + g * g
    step_lr = lr / (1 + (t - 1) * LR_DECAY)
    return w - step_lr * g / (np.sqrt(total) + EPS), (t, total)
'''

_CODE_RMSPROP = '''ALPHA = {alpha}
EPS = {eps}
WEIGHT_DECAY = {weight_decay}
MOMENTUM = {momentum}
CENTERED = {centered}

def step(w, g, lr, state):
    """RMSprop: divide by a running root-mean-square of the gradients."""
    if state is None:
        state = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(w))
    sq, mean, b = state
    g = g + WEIGHT_DECAY * w
    sq = ALPHA * sq + (1 - ALPHA) * g * g
    if CENTERED:
        mean = mean + (1 - ALPHA) * (g - mean)
        avg = np.sqrt(sq - mean * mean) + EPS
    else:
        avg = np.sqrt(sq) + EPS
    if MOMENTUM > 0:
        b = MOMENTUM * b + g / avg
        return w - lr * b, (sq, mean, b)
    return w - lr * g / avg, (sq, mean, b)
'''

_CODE_ADAM = '''BETA1 = {beta1}
BETA2 = {beta2}
EPS = {eps}
WEIGHT_DECAY = {weight_decay}
AMSGRAD = {amsgrad}

def step(w, g, lr, state):
    """{title}: momentum on the gradient, per-coordinate scale from its square."""
    if state is None:
        state = (0, np.zeros_like(w), np.zeros_like(w), np.zeros_like(w))
    t, m, v, v_max = state
    t += 1
{decay}    m = BETA1 * m + (1 - BETA1) * g
    v = BETA2 * v + (1 - BETA2) * g * g
    v_max = np.maximum(v_max, v)
    m_hat = m / (1 - BETA1 ** t)
    v_hat = (v_max if AMSGRAD else v) / (1 - BETA2 ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + EPS){after}
    return w, (t, m, v, v_max)
'''

OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec("sgd", "Gradient descent (SGD)", _momentum_hypers(0.0, False),
                         SGD_EQ, _CODE_SGD, sgd),
    "momentum": OptimizerSpec("momentum", "Momentum", _momentum_hypers(0.9, False),
                              SGD_EQ, _CODE_SGD, momentum),
    "nesterov": OptimizerSpec("nesterov", "Nesterov momentum", _momentum_hypers(0.9, True),
                              SGD_EQ, _CODE_SGD, nesterov),
    "adagrad": OptimizerSpec("adagrad", "Adagrad", (
        Hyper("lr_decay", 0.0, "float", 0.0, 10.0, "shrinks the step: lr / (1 + (t−1)·lr_decay)"),
        Hyper("weight_decay", 0.0, "float", 0.0, 10.0, "λ: L2 penalty added to the gradient"),
        Hyper("initial_accumulator_value", 0.0, "float", 0.0, 1e6, "starting sum of squares"),
        Hyper("eps", 1e-10, "float", 0.0, 1.0, "ε: keeps the division finite"),
    ), "g ← ∇L(w) + λ·w ;  s ← s + g²   (s₀ = initial_accumulator_value)\n"
       "w ← w − lr / (1 + (t − 1)·lr_decay) · g / (√s + ε)", _CODE_ADAGRAD, adagrad),
    "rmsprop": OptimizerSpec("rmsprop", "RMSprop", (
        Hyper("alpha", 0.99, "float", 0.0, 0.999999, "α: decay of the mean of squared gradients"),
        Hyper("eps", 1e-8, "float", 0.0, 1.0, "ε: keeps the division finite"),
        Hyper("weight_decay", 0.0, "float", 0.0, 10.0, "λ: L2 penalty added to the gradient"),
        Hyper("momentum", 0.0, "float", 0.0, 0.9999, "μ: momentum on the scaled step"),
        Hyper("centered", False, "bool", help="divide by the variance, not the raw second moment"),
    ), "g ← ∇L(w) + λ·w ;  v ← α·v + (1 − α)·g²   (centered: c ← α·c + (1 − α)·g, v − c²)\n"
       "a = √v + ε ;  w ← w − lr·g/a   (momentum: b ← μ·b + g/a, w ← w − lr·b)",
        _CODE_RMSPROP, rmsprop),
    "adam": OptimizerSpec("adam", "Adam", ADAM_HYPERS + (
        Hyper("weight_decay", 0.0, "float", 0.0, 10.0, "λ: L2 penalty added to the gradient"),
        Hyper("amsgrad", False, "bool", help="use the largest v seen so far"),
    ), "g ← ∇L(w) + λ·w\n" + ADAM_EQ + "w ← w − lr·m̂ / (√v̂ + ε)", _CODE_ADAM, adam),
    "adamw": OptimizerSpec("adamw", "AdamW", ADAM_HYPERS + (
        Hyper("weight_decay", 0.01, "float", 0.0, 10.0, "λ: decoupled decay, not part of g"),
        Hyper("amsgrad", False, "bool", help="use the largest v seen so far"),
    ), "g ← ∇L(w)   (no decay in the gradient)\n" + ADAM_EQ +
        "w ← w − lr·(m̂ / (√v̂ + ε) + λ·w)   (decoupled weight decay)", _CODE_ADAM, adamw),
}


def make_optimizer(name: str, hyper: dict | None = None) -> tuple[Optimizer, dict]:
    """The optimizer called ``name`` with ``hyper`` over its defaults, and the values used."""
    spec = OPTIMIZERS.get(name)
    if spec is None:
        raise GdlabError(f"unknown optimizer {str(name)[:40]!r}; expected one of {', '.join(OPTIMIZERS)}")
    used = resolve(spec.hypers, hyper, name)
    return spec.build(**used), used


def optimizer_code(name: str, hyper: dict | None = None) -> str:
    """Python for the code pane: ``step(w, g, lr, state)`` doing what ``name`` does."""
    spec = OPTIMIZERS[name]
    used = resolve(spec.hypers, hyper, name)
    fields = {k: literal(v) for k, v in used.items()}
    if spec.build is adam:
        fields.update(decay="    g = g + WEIGHT_DECAY * w\n", after="")
    elif spec.build is adamw:  # decoupled: the decay uses the w from before the step
        fields.update(decay="", after=" - lr * WEIGHT_DECAY * w")
    return spec.code.format(title=spec.title, **fields)


def clip_by_norm(grads: np.ndarray, max_norm: float) -> np.ndarray:
    """Scale each run's gradient to norm ≤ max_norm: g·min(1, max_norm/(‖g‖ + 1e-6)) (torch)."""
    norm = np.linalg.norm(grads, axis=-1, keepdims=True)
    return grads * np.minimum(1.0, max_norm / (norm + 1e-6))


def clip_code(max_norm: float) -> str:
    """The code pane's Python for ``clip_by_norm``: plain gradient descent on the clipped
    gradient, as ``step(w, g, lr, state)``."""
    return (f"MAX_NORM = {literal(max_norm)}\n\ndef step(w, g, lr, state):\n"
            '    """Gradient descent on the clipped gradient: its norm is capped at MAX_NORM\n'
            '    (torch\'s clip_grad_norm_ formula)."""\n'
            "    g = g * min(1.0, MAX_NORM / (np.linalg.norm(g) + 1e-6))\n"
            "    return w - lr * g, state\n")
