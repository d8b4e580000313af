"""The learner's Python: run it, read the experiment it defines, and explain what broke.

The code pane's program may define

    loss(w)              required; w is a numpy array of shape (d,), d from 1 to MAX_DIM
                         (2,000: a network's weights); the landscape is drawn for d <= 2
    grad(w)              optional; without it the gradient is taken numerically
                         (central differences, h = 1e-6·max(1, |w_i|)) and the result says so
    start, lr, steps     the experiment (start fixes d)
    step(w, g, lr, state) optional custom update rule returning (w, state); state is None
                         on the first call (``msg["compare"]`` names a built-in optimizer
                         to run beside it on the same problem)
    bounds               optional view box [(lo, hi), ...] for the landscape

``run_user(msg)`` executes the code once per distinct text (the namespace is cached,
so moving the slider re-runs the optimization, not the program), then runs either the
custom ``step`` or a built-in optimizer through the same runner as everything else.
``print`` output comes back as text. Errors come back as a dict with a one-line
message, the traceback trimmed to the learner's own lines, and the line to mark.
"""

from __future__ import annotations

import contextlib
import functools
import io
import linecache
import sys
import traceback
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from .analysis import summarize
from .errors import GdlabError
from .experiment import number, vector
from .limits import MAX_LR, PAGE_STEPS_MAX
from .optimizers import make_optimizer
from .runner import run
from .schedules import make_schedule

FILENAME = "<code>"
MAX_USER_STEPS = PAGE_STEPS_MAX  # the learner's program runs under the page's limit
MAX_DIM = 2000  # a network of up to 2,000 weights (networks.MAX_WEIGHTS)
_cache: dict[str, tuple[dict, str]] = {}


class UserError(Exception):
    """A failure inside the learner's code, with the line to mark."""

    def __init__(self, message: str, line: int | None = None, trace: str = ""):
        super().__init__(message)
        self.line, self.trace = line, trace


def _user_trace(exc: BaseException) -> tuple[str, int | None]:
    """The traceback restricted to frames of the learner's code, and its deepest line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == FILENAME]
    line = frames[-1].lineno if frames else None
    text = "Traceback (most recent call last):\n" if frames else ""
    text += "".join(traceback.format_list(frames))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    return text, line


def _call(fn, *args, what: str):
    """Call a learner's function, turning its exceptions into UserError."""
    try:
        return fn(*args)
    except Exception as exc:  # the learner's code may raise anything
        text, line = _user_trace(exc)
        raise UserError(f"{what} raised {type(exc).__name__}: {exc}", line, text) from None


def execute(code: str) -> tuple[dict, str]:
    """Run the program once (cached by its text); its namespace and what it printed."""
    if code in _cache:
        return _cache[code]
    if not isinstance(code, str) or not code.strip():
        raise UserError("the code is empty: define loss(w) and start")
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    try:
        compiled = compile(code, FILENAME, "exec")
    except SyntaxError as exc:
        msg = f"SyntaxError: {exc.msg} (line {exc.lineno})"
        raise UserError(msg, exc.lineno, "".join(traceback.format_exception_only(type(exc), exc))) from None
    ns: dict = {"__name__": "__lab__", "np": np, "numpy": np}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compiled, ns)  # noqa: S102 - running the learner's code is the point
    except Exception as exc:
        text, line = _user_trace(exc)
        err = UserError(f"{type(exc).__name__}: {exc}", line, text)
        err.stdout = out.getvalue()
        raise err from None
    _cache.clear()  # keep one program: the one on screen
    _cache[code] = (ns, out.getvalue())
    return ns, out.getvalue()


def _scalar(value, what: str) -> float:
    """A learner's loss value as a float, or a plain-language reason why it is not one."""
    if isinstance(value, (str, bytes)):
        raise UserError(f"{what} returned text ({value!r:.40}); it must return one number")
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise UserError(f"{what} returned {type(value).__name__}; it must return one number")
    if arr.size != 1:
        raise UserError(f"{what} returned an array of shape {arr.shape}; it must return one "
                        "number (did you forget a sum or a mean?)")
    if np.iscomplexobj(arr):
        raise UserError(f"{what} returned a complex number; it must be real")
    return float(arr.reshape(()))


def _broadcast(loss_fn, flat: np.ndarray):
    """loss evaluated on all points at once (w of shape (d, N)), or None if it will not."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            out = np.asarray(loss_fn(flat.T.copy()), dtype=float)
    except Exception:  # a loss written for one point only: fall back to a loop
        return None
    return out if out.shape == (len(flat),) else None


class UserProblem(NamedTuple):
    surface: SimpleNamespace
    grad_source: str  # "grad(w)" or "numerical"


def problem(ns: dict, start: list[float]) -> UserProblem:
    """Wrap the learner's loss and grad as a surface the runner can use (K = 1 rows)."""
    loss_fn, grad_fn = ns.get("loss"), ns.get("grad")
    if not callable(loss_fn):
        raise UserError("define a function loss(w) that returns one number")
    d = len(start)

    def loss_one(w):
        return _scalar(_call(loss_fn, w.copy(), what="loss(w)"), "loss(w)")

    def loss(w):
        w = np.asarray(w, float)
        flat = w.reshape(-1, d)
        if len(flat) > 8:  # a grid: try w[i] as whole coordinate arrays, check a few points
            fast = _broadcast(loss_fn, flat)
            if fast is not None and all(np.isclose(fast[i], loss_one(flat[i]), equal_nan=True)
                                        for i in (0, len(flat) // 2, len(flat) - 1)):
                return fast.reshape(w.shape[:-1])
        return np.array([loss_one(p) for p in flat]).reshape(w.shape[:-1])

    def grad_one(w):
        if callable(grad_fn):
            g = np.asarray(_call(grad_fn, w.copy(), what="grad(w)"), dtype=float).reshape(-1)
            if g.shape != (d,):
                raise UserError(f"grad(w) returned {g.size} numbers; w has {d}")
            return g
        g = np.empty(d)
        for i in range(d):
            h = 1e-6 * max(1.0, abs(w[i]))
            e = np.zeros(d)
            e[i] = h
            g[i] = (loss_one(w + e) - loss_one(w - e)) / (2 * h)
        return g

    def grad(w):
        w = np.asarray(w, float)
        flat = w.reshape(-1, d)
        return np.array([grad_one(p) for p in flat]).reshape(w.shape)

    surface = SimpleNamespace(name="custom", title="Your code", dim=d, loss=loss, grad=grad,
                              start=tuple(start), minima=(), n_samples=0, batch_grad=None)
    return UserProblem(surface, "grad(w)" if callable(grad_fn) else "numerical")


def step_optimizer(step_fn, lr: float):
    """The learner's step(w, g, lr, state) as an optimizer for the runner (K = 1).

    The runner applies w ← w − lr·direction, so the direction handed back is
    (w − w_new)/lr: the learner's rule runs exactly as written.
    """

    def update(grads, state, params):
        w_new, inner = _call(lambda: _split(step_fn(params[0].copy(), grads[0].copy(), lr, state)),
                             what="step(w, g, lr, state)")
        w_new = np.asarray(w_new, dtype=float).reshape(-1)
        if w_new.shape != params[0].shape:
            raise UserError(f"step() returned w with {w_new.size} numbers; w has {params.shape[1]}")
        return ((params[0] - w_new) / lr)[None, :], inner

    return SimpleNamespace(init=lambda params: None, update=update)


def _split(result):
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("step(w, g, lr, state) must return a pair (w, state)")
    return result


def _settings(ns: dict, msg: dict) -> dict:
    """start, lr, steps: the message's overrides first, then the code's names."""
    if msg.get("start") is None and "start" not in ns:
        raise UserError("define start, the point where descent begins (e.g. start = [-5.0])")
    raw = msg["start"] if msg.get("start") is not None else ns["start"]
    raw = np.atleast_1d(np.asarray(raw, dtype=float)).tolist() if not isinstance(raw, str) else raw
    if not 1 <= len(raw) <= MAX_DIM:
        raise UserError(f"start has {len(raw)} numbers; the lab takes 1 to {MAX_DIM} parameters "
                        "(and draws the landscape for 1 or 2)")
    start = vector("start", raw, len(raw))
    lr = number("lr", msg["lr"] if msg.get("lr") is not None else ns.get("lr", 0.1), lo=0,
                open_lo=True, hi=MAX_LR)
    steps = number("steps", msg["steps"] if msg.get("steps") is not None else ns.get("steps", 50),
                   lo=0, hi=MAX_USER_STEPS, integer=True)
    return {"start": start, "lr": lr, "steps": steps}


def _bounds(ns, msg, path, d) -> list[tuple[float, float]]:
    raw = msg.get("bounds") or ns.get("bounds")
    if raw is not None:
        b = np.asarray(raw, dtype=float).reshape(d, 2)
        if np.all(np.isfinite(b)) and np.all(b[:, 1] > b[:, 0]):
            return [tuple(r) for r in b]
    lo, hi = np.nanmin(path, axis=0), np.nanmax(path, axis=0)
    mid, half = (lo + hi) / 2, np.maximum((hi - lo) * 0.75, 1.0)
    return [(float(m - h), float(m + h)) for m, h in zip(mid, half)]


def _landscape(surface, bounds, n: int) -> dict:
    axes = [np.linspace(lo, hi, n) for lo, hi in bounds]
    if surface.dim == 1:
        return {"x": axes[0], "z": surface.loss(axes[0][:, None]), "bounds": bounds}
    xx, yy = np.meshgrid(axes[0], axes[1])
    return {"x": axes[0], "y": axes[1], "z": surface.loss(np.stack([xx, yy], -1)), "bounds": bounds}


def _answer_errors(fn):
    """Failures of the learner's code (and bad settings) as an answer, never an exception."""
    @functools.wraps(fn)
    def wrapper(msg: dict) -> dict:
        try:
            return fn(msg)
        except UserError as err:
            return {"error": str(err), "line": err.line, "traceback": err.trace,
                    "stdout": getattr(err, "stdout", "")}
        except GdlabError as err:
            return {"error": str(err), "line": None, "traceback": "", "stdout": ""}

    return wrapper


@_answer_errors
def run_user(msg: dict) -> dict:
    """Run the code in ``msg["code"]``; see the module docstring for what it may define."""
    ns, printed = execute(msg.get("code", ""))
    cfg = _settings(ns, msg)
    prob = problem(ns, cfg["start"])
    surf = prob.surface
    with np.errstate(all="ignore"):
        _scalar(_call(ns["loss"], np.array(cfg["start"]), what="loss(start)"), "loss(start)")
    custom = callable(ns.get("step")) and not msg.get("optimizer")
    if custom:
        opt, hyper, name = step_optimizer(ns["step"], cfg["lr"]), {}, "custom"
    else:
        name = str(msg.get("optimizer") or "sgd")
        opt, hyper = make_optimizer(name, msg.get("hyper") or {})
    traj = run(surf, opt, cfg["lr"], cfg["steps"], cfg["start"])
    summary = summarize(surf, traj)[0]
    path, loss = traj.cut(0)
    out = {"custom": custom, "optimizer": name, "hyper": hyper, "grad_source": prob.grad_source,
           "stdout": printed, "dim": surf.dim, "start": cfg["start"], "lr_base": cfg["lr"],
           "steps": cfg["steps"], "path": path, "loss": loss,
           "lr": traj.lr[0, :max(len(path) - 1, 0)], **summary}
    if msg.get("compare"):  # a built-in optimizer on the same loss, start, lr and steps
        other, other_hyper = make_optimizer(str(msg["compare"]), msg.get("compare_hyper") or {})
        ctraj = run(surf, other, cfg["lr"], cfg["steps"], cfg["start"])
        cpath, closs = ctraj.cut(0)
        out["compare"] = {"optimizer": str(msg["compare"]), "hyper": other_hyper, "path": cpath,
                          "loss": closs, "status": summarize(surf, ctraj)[0]["status"]}
    if msg.get("landscape", True) and len(path) and surf.dim <= 2:
        n = int(number("n", msg.get("n") or (201 if surf.dim == 1 else 41), lo=3, hi=401,
                       integer=True))
        with np.errstate(all="ignore"):
            out["landscape"] = _landscape(surf, _bounds(ns, msg, path, surf.dim), n)
    return out


@_answer_errors
def check_user(msg: dict) -> dict:
    """Compare the learner's ``step`` with a built-in optimizer from the same start.

    ``msg["reference"]`` names the optimizer (with ``msg["hyper"]``), ``msg["schedule"]``
    (``{name, ...settings}``, optional) the schedule its lr follows. The answer says
    whether the two trajectories agree (to ``rtol`` 1e-6 relative, 1e-9 absolute) and,
    if not, the first step where they part ways and both values there.
    """
    ns, printed = execute(msg.get("code", ""))
    if not callable(ns.get("step")):
        raise UserError("define step(w, g, lr, state) to check it against the reference")
    cfg = _settings(ns, msg)
    surf = problem(ns, cfg["start"]).surface
    reference, hyper = make_optimizer(str(msg.get("reference") or "sgd"), msg.get("hyper") or {})
    mine = run(surf, step_optimizer(ns["step"], cfg["lr"]), cfg["lr"], cfg["steps"], cfg["start"])
    sched = msg.get("schedule")
    schedule = None
    if isinstance(sched, dict) and sched.get("name"):
        schedule, _ = make_schedule(str(sched["name"]), cfg["lr"], cfg["steps"],
                                    {k: v for k, v in sched.items() if k != "name"})
    ref = run(surf, reference, cfg["lr"], cfg["steps"], cfg["start"], schedule=schedule)
    a, b = mine.path[0], ref.path[0]
    same = np.isclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True).all(axis=-1)
    bad = np.flatnonzero(~same)
    out = {"reference": str(msg.get("reference") or "sgd"), "hyper": hyper, "stdout": printed,
           "steps": cfg["steps"], "match": not bad.size}
    if bad.size:
        t = int(bad[0])
        out.update(step=t, yours=a[t].tolist(), expected=b[t].tolist())
    return out


if __name__ == "__main__":  # pragma: no cover - a quick manual check
    print(run_user({"code": sys.stdin.read()}))
