"""Hyperparameter specs: one description feeds validation, the CLI, the URL and the UI.

A ``Hyper`` names a keyword (torch.optim's name where torch has one), its default, its
kind and its range. ``resolve`` turns user values (numbers, or strings from a command
line or a query string) into a complete, checked dict.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from .errors import GdlabError

TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: keyword, default, kind ("float", "int" or "bool"), range, help."""

    name: str
    default: float | bool
    kind: str = "float"
    lo: float | None = None
    hi: float | None = None
    help: str = ""


def number(name: str, value, *, lo: float | None = None, hi: float | None = None,
           integer: bool = False, open_lo: bool = False) -> float | int:
    """``value`` as a finite float (or int) within [lo, hi], else a GdlabError naming ``name``."""
    if isinstance(value, bool):
        raise GdlabError(f"{name} must be a number, not {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise GdlabError(f"{name} must be a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(x):
        raise GdlabError(f"{name} must be a finite number, got {value!r}")
    if integer:
        if x != int(x):
            raise GdlabError(f"{name} must be a whole number, got {value!r}")
        x = int(x)
    if lo is not None and (x <= lo if open_lo else x < lo):
        raise GdlabError(f"{name} must be {'>' if open_lo else '>='} {lo:g}, got {value!r}")
    if hi is not None and x > hi:
        raise GdlabError(f"{name} must be <= {hi:g}, got {value!r}")
    return x


def _convert(spec: Hyper, value, owner: str):
    where = f"{spec.name} (for {owner})"
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise GdlabError(f"{where} must be true or false, got {str(value)[:40]!r}")
    x = number(where, value, integer=spec.kind == "int")
    if spec.lo is not None and x < spec.lo or spec.hi is not None and x > spec.hi:
        raise GdlabError(f"{where} must be between {spec.lo:g} and {spec.hi:g}, got {value!r}")
    return x


def resolve(specs: tuple[Hyper, ...], values, owner: str) -> dict:
    """Defaults overlaid with ``values``, every value checked; unknown keywords refused."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise GdlabError(f"hyperparameters for {owner} must be NAME=VALUE pairs")
    by_name = {s.name: s for s in specs}
    for key in values:
        if key not in by_name:
            known = ", ".join(by_name) or "none"
            raise GdlabError(f"unknown hyperparameter {str(key)[:40]!r} for {owner}; expected one of {known}")
    return {s.name: _convert(s, values[s.name], owner) if s.name in values else s.default
            for s in specs}


def literal(value) -> str:
    """A value as Python source for the code pane: numbers as floats (``2.0``, ``1e-07``),
    booleans and anything else by repr. The one literal printer of the package."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return repr(float(value))
    return repr(value)
