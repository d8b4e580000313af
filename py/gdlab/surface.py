"""``Surface``: one loss surface as a plain record (what every other module passes around).

This module imports nothing from the package, so the catalog (``surfaces``), the data
problems (``problems``) and anything else can build or read surfaces without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Surface:
    name: str                 # "bowl"
    title: str                # "Bowl w₀² + 4w₁²"
    formula: str              # plain maths for display
    dim: int                  # d
    loss: Callable            # (..., d) -> (...)
    grad: Callable            # (..., d) -> (..., d)
    hessian: Callable         # (..., d) -> (..., d, d)
    minima: tuple[tuple[float, ...], ...]   # local minima, global first; () if none
    bounds: tuple[tuple[float, float], ...]  # view box, (lo, hi) per coordinate
    start: tuple[float, ...]  # default start
    lr: float                 # a learning rate that shows the surface well
    steps: int                # default number of steps
    code: str                 # numpy source defining loss(w) and grad(w) for w of shape (d,)
    log_loss: bool = True     # plot loss − min_loss on a log scale
    min_loss: float = 0.0     # loss at the global minimum (its infimum; nan if unbounded below)
    n_samples: int = 0        # data problems: rows of data; 0 for closed-form surfaces
    batch_loss: Callable | None = None  # (w (..., d), rows int array) -> (...)
    batch_grad: Callable | None = None  # (w (..., d), rows int array) -> (..., d)
    note: str = ""
    val_loss: Callable | None = None  # data problems with a held-out split: (..., d) -> (...)
    hvp: Callable | None = None       # exact H·v: (w (..., d), v (..., d)) -> (..., d)
    accuracy: Callable | None = None  # classifiers: share of training rows right, (..., d) -> (...)
    val_accuracy: Callable | None = None  # classifiers with a held-out split: the same there
    settings: tuple = ()              # ((key, value), ...) a surface built from settings
                                      # (networks: layers, activation, init_seed)
