"""Limits and scales shared by the core, the CLI and the page, each written once.

The core accepts more than the page offers: a terminal run may take ``MAX_STEPS``
steps, the page's controls, links and the learner's program ``PAGE_STEPS_MAX``. The
catalog answer carries ``limits()`` and ``slider()`` so the page reads these numbers
instead of restating them.

The learning-rate slider is a log scale from ``SLIDER_LO`` to ``SLIDER_HI`` (widened
so a surface's default lr fits), ``SLIDER_PER_DECADE`` notches per factor of ten, each
notch's rate rounded to ``SLIDER_DIGITS`` significant digits (half-way cases up, as
JavaScript's ``toPrecision``). ``slider_lrs(surface)`` gives every notch.

This module imports nothing from the package.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MAX_STEPS = 100_000          # steps of one run in the core (CLI, scripts)
PAGE_STEPS_MAX = 10_000      # steps the page's control, a link and the learner's program may ask for
MAX_RUNS = 4096              # runs side by side in one vectorised call (a sweep's K)
MAX_LR = 1e6                 # learning rates are > 0 and at most this
CORE_COORD_MAX = 1e12        # |start coordinate| the core accepts
PAGE_COORD_MAX = 1e6         # |start coordinate| the page accepts from a link or its field

SLIDER_LO = 1e-4             # the slider's lowest rate (before widening)
SLIDER_HI = 2.0              # its highest rate (before widening)
SLIDER_PER_DECADE = 48       # notches per factor of 10 (about 4.9 % apart)
SLIDER_DIGITS = 3            # significant digits of a notch's rate
SLIDER_FALLBACK_LR = 0.1     # the default rate assumed when a surface has none


def limits() -> dict:
    """The limits as the catalog sends them."""
    return {"steps_max": PAGE_STEPS_MAX, "core_steps_max": MAX_STEPS, "runs_max": MAX_RUNS,
            "lr_min_exclusive": 0.0, "lr_max": MAX_LR, "coord_max": PAGE_COORD_MAX,
            "core_coord_max": CORE_COORD_MAX}


def slider() -> dict:
    """The slider's constants and the rule that turns them into notches."""
    return {"lo": SLIDER_LO, "hi": SLIDER_HI, "per_decade": SLIDER_PER_DECADE,
            "digits": SLIDER_DIGITS, "fallback_lr": SLIDER_FALLBACK_LR,
            "rule": "lo' = min(lo, 10^floor(log10(lr/10))); hi' = max(hi, 4·lr); "
                    "notches 0..max with max = ceil(log10(hi'/lo')·per_decade); "
                    "notch p is lo'·10^(p/per_decade) rounded to `digits` significant "
                    "digits (half-way up)"}


def slider_range(lr: float | None) -> tuple[float, float, int]:
    """(lo, hi, max): the slider's range for a surface whose default rate is ``lr``, and
    its last notch (at or just past hi)."""
    lr = lr if lr is not None and math.isfinite(lr) else SLIDER_FALLBACK_LR
    lo = min(SLIDER_LO, 10.0 ** math.floor(math.log10(lr / 10)))
    hi = max(SLIDER_HI, lr * 4)
    return lo, hi, math.ceil(math.log10(hi / lo) * SLIDER_PER_DECADE)


def round_significant(x: float, digits: int = SLIDER_DIGITS) -> float:
    """x to ``digits`` significant digits, half-way cases away from zero (toPrecision)."""
    if x == 0 or not math.isfinite(x):
        return x
    d = Decimal(x)  # exact: the float's own value, as toPrecision rounds it
    exponent = d.adjusted() - digits + 1
    return float(d.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP))


def slider_lrs(surface) -> list[float]:
    """Every notch of the slider for ``surface`` (anything with an ``lr``), lowest first."""
    lo, _, top = slider_range(getattr(surface, "lr", None))
    return [round_significant(lo * 10 ** (p / SLIDER_PER_DECADE)) for p in range(top + 1)]
