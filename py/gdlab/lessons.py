"""Presets: every experiment of the lesson texts, ready to run in the page or a terminal.

A ``Lesson`` is a state (the same dict the URL and the CLI speak), optional labelled
runs to compare it with, a note, and the Python the code pane shows. Outcomes are never
written here: ``run_lesson`` computes them with the core, and tests/test_lessons.py
checks them against independent computations. Where a lesson text claims something
else, the note says what the learner will really see (docs/lesson-errata.md lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import GdlabError


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    topic: str
    source: str
    state: dict
    note: str
    code: str = ""
    compare: tuple[dict, ...] = ()
    exercise: str | None = None
    facts: tuple[str, ...] = field(default=())  # extra computed facts run_lesson reports


LR, MOMENTUM, DATA, SCHEDULES, LANDSCAPES = (
    "Learning rate", "Momentum and adaptive methods", "Data and batches", "Schedules",
    "Landscapes and minima")


def _lit(v) -> str:
    return repr(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else repr(v)


def make_code(state: dict, header: str = "", step: str | None = None) -> str:
    """The code-pane program for a state: the surface's numpy code, the settings, and
    (for optimizers other than plain GD) the update rule written out."""
    from .optimizers import optimizer_code
    from .surfaces import get_surface

    s = get_surface(state["surface"])
    start = state.get("start", s.start)
    parts = [f"# {line}" for line in header.strip().splitlines()] if header else []
    parts += ["import numpy as np", "", s.code.rstrip(), "",
              f"start = [{', '.join(_lit(v) for v in start)}]",
              f"lr = {_lit(state.get('lr', s.lr))}",
              f"steps = {int(state.get('steps', s.steps))}"]
    opt = state.get("optimizer", "sgd")
    if step is not None:
        parts += ["", step.rstrip()]
    elif opt != "sgd" or any(state.get("hyper", {}).values()):
        parts += ["", "# the update rule the lab runs (torch.optim's convention)",
                  optimizer_code(opt, state.get("hyper")).rstrip()]
    return "\n".join(parts) + "\n"


def _lesson(name, title, topic, source, state, note, compare=(), exercise=None, step=None,
            header="", facts=()) -> Lesson:
    return Lesson(name, title, topic, source, state, " ".join(note.split()),
                  make_code(state, header or title, step), tuple(compare), exercise, tuple(facts))


def _runs(base: dict, key: str, values, label=None) -> tuple[dict, ...]:
    return tuple({**base, key: v, "label": label(v) if label else f"{key} {v:g}"} for v in values)


PARABOLA = {"surface": "parabola", "optimizer": "sgd", "lr": 0.1, "steps": 30, "start": [-5.0]}
BOWL = {"surface": "bowl", "optimizer": "sgd", "lr": 0.1, "steps": 30, "start": [3.0, 2.0]}
ROSEN = {"surface": "rosenbrock", "steps": 5000, "start": [-2.0, 2.0]}
SQUARE5 = {"surface": "square-5", "optimizer": "sgd", "steps": 500, "start": [0.0]}

MOMENTUM_TODO = '''def step(w, g, lr, state):
    """Exercise: momentum. Keep a velocity b in `state` (None on the first call):
    b = g on the first step, then b = 0.9 * b + g; move w by -lr * b.
    This starting version is plain gradient descent: press Check to compare."""
    return w - lr * g, state
'''

ADAM_TODO = '''def step(w, g, lr, state):
    """Exercise: Adam. Keep (t, m, v) in `state` (None on the first call):
    m = 0.9 m + 0.1 g ;  v = 0.999 v + 0.001 g**2 ;  bias-correct both with t;
    w = w - lr * m_hat / (sqrt(v_hat) + 1e-8).
    This starting version is plain gradient descent: press Check to compare."""
    return w - lr * g, state
'''

SCHEDULE_TODO = '''def step(w, g, lr, state):
    """Exercise: a step-decay schedule inside the update rule. Count the steps in
    `state` and halve the learning rate every 100 steps (lr0 = 0.5 from the lesson)."""
    t = 0 if state is None else state
    return w - lr * g, t + 1
'''

LESSONS: dict[str, Lesson] = {l.name: l for l in [
    # --- 002: the home view and the learning-rate regimes -------------------------------
    _lesson("watch-a-parameter-move", "Watch a parameter move", LR, "002", PARABOLA,
            """L(w) = (w − 3)² from w = −5 (loss 64). Move the learning rate: below about 0.05
            it crawls, around 0.1–0.5 it converges (0.5 lands on 3 in one step), from 0.5 to 1
            it overshoots but still converges, at exactly 1.0 it flips between −5 and 11 for
            ever, and above 1.0 it blows up.""",
            compare=_runs(PARABOLA, "lr", [0.01, 0.1, 0.9, 1.0, 1.1])),
    _lesson("lr-diagnosis", "Diagnose a learning rate from the loss", LR, "002",
            {"surface": "linreg", "optimizer": "sgd", "lr": 0.1, "steps": 200},
            """Three loss curves on the same regression: lr 0.001 falls slowly (too small),
            0.1 falls fast and flattens at the noise floor (good), 1.5 rises by orders of
            magnitude until the numbers overflow (too large: 2/λmax ≈ 1 here). The texts'
            third symptom, validation loss rising while training loss falls, needs a
            held-out split, which this preset does not have.""",
            compare=_runs({"surface": "linreg", "optimizer": "sgd", "steps": 200}, "lr",
                          [0.001, 0.1, 1.5])),
    _lesson("feature-scaling", "Feature scaling: the stretched valley", DATA, "002",
            {"surface": "unscaled", "optimizer": "sgd", "lr": 2e-6, "steps": 200},
            """One feature spans 0..1, the other 0..1000, so the loss is a valley about a
            million times steeper one way than the other: any lr that is stable for the steep
            weight (below 2/λmax ≈ 2.9e-6) barely moves the other: the condition number is about 2 million. Switch the surface to `scaled`
            (the same data standardised): lr 0.1 converges in a few dozen steps.""",
            compare=({"surface": "unscaled", "optimizer": "sgd", "lr": 2e-6, "steps": 200,
                      "label": "raw features"},
                     {"surface": "scaled", "optimizer": "sgd", "lr": 0.1, "steps": 200,
                      "label": "standardised"}), facts=("curvature",)),
    # --- 000: the bowl ----------------------------------------------------------------
    _lesson("bowl-thresholds", "How large can the learning rate be?", LR, "000",
            {**BOWL, "lr": 0.126, "steps": 100},
            """L = w₀² + 4w₁² has Hessian eigenvalues 2 and 8. The text says the largest stable
            lr is 1/λmax = 0.125 and suggests 0.124 vs 0.126: both converge. 1/λmax is only
            where the steep coordinate starts to overshoot (at 0.125 it lands on 0 in one step);
            plain GD is stable up to 2/λmax = 0.25, where w₁ flips between 2 and −2 for ever,
            and 0.26 diverges. The text's lr 0.28 does not 'grow a little': it diverges.""",
            compare=_runs({**BOWL, "steps": 100}, "lr", [0.01, 0.1, 0.124, 0.126, 0.25, 0.26, 0.28]),
            facts=("curvature",)),
    _lesson("bowl-momentum", "Momentum on the bowl", MOMENTUM, "000",
            {**BOWL, "optimizer": "momentum", "lr": 0.01, "steps": 100},
            """The text's `v = 0.9·v + lr·g; w −= v` is torch's momentum with the lr factored
            out: the same iterates. At lr 0.01, 100 steps, plain GD is still crawling (w₀ has
            only shrunk to 0.98¹⁰⁰ ≈ 13% of 3), while momentum is near the minimum.""",
            compare=({**BOWL, "lr": 0.01, "steps": 100, "label": "plain GD"},
                     {**BOWL, "optimizer": "momentum", "lr": 0.01, "steps": 100,
                      "label": "momentum 0.9"})),
    _lesson("ill-conditioned", "An ill-conditioned bowl", LR, "000",
            {"surface": "ill-conditioned", "optimizer": "sgd", "lr": 0.01, "steps": 100,
             "start": [3.0, 2.0]},
            """L = w₀² + 100w₁²: eigenvalues 2 and 200, so 2/λmax = 0.01 exactly. At the text's
            lr 0.01 the steep coordinate does not 'converge slowly': it flips between 2 and −2
            for ever (status oscillating), while the shallow one crawls (0.98ᵗ). At 0.009 the steep
            one settles at once but w₀ is still ≈ 0.49 after 100 steps (crawling): that slowness
            is what Adam's per-coordinate scaling addresses.""",
            compare=_runs({"surface": "ill-conditioned", "optimizer": "sgd", "steps": 100},
                          "lr", [0.009, 0.01]), facts=("curvature",)),
    # --- 001 --------------------------------------------------------------------------
    _lesson("valley-descent", "Down the valley x² − 4x + 5", LR, "001",
            {"surface": "valley", "optimizer": "sgd", "lr": 0.1, "steps": 20, "start": [0.0]},
            """From x = 0 at lr 0.1 each step shrinks the distance to x = 2 by 0.8: after 20 steps
            x ≈ 1.977, loss 1.0005. Close, but still 1.2% of the way away.""",
            compare=()),
    _lesson("valley-lr-table", "Seven learning rates on the valley", LR, "001",
            {"surface": "valley", "optimizer": "sgd", "lr": 0.5, "steps": 20, "start": [0.0]},
            """lr 0.5 jumps to x = 2 in one step; 0.1 and 0.9 shrink the error by 0.8 each step
            (0.9 from alternating sides); 1.0 flips between 0 and 4 for ever; 1.1 and 1.5 diverge.
            In 20 steps lr 0.01 only gets to x ≈ 0.66 (crawling).""",
            compare=_runs({"surface": "valley", "optimizer": "sgd", "steps": 20, "start": [0.0]},
                          "lr", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1, 1.5])),
    _lesson("house-prices", "House prices: w and b", DATA, "001",
            {"surface": "house-prices", "optimizer": "sgd", "lr": 0.01, "steps": 1000,
             "start": [0.0, 0.0]},
            """The text says 1000 epochs at lr 0.01 learn price = 100·sqft + 100 'perfectly'. They
            do not: the valley is stretched (eigenvalues ≈ 10.8 and 0.185), and after 1000 steps
            the fit is about w = 103.2, b = 92.9 (loss ≈ 5.6). It takes about 5000 steps, or a
            larger lr (below 2/10.8 ≈ 0.185), to get there.""",
            compare=_runs({"surface": "house-prices", "optimizer": "sgd", "lr": 0.01,
                           "start": [0.0, 0.0]}, "steps", [1000, 5000],
                          label=lambda v: f"{v} steps"), facts=("curvature",)),
    _lesson("revenue", "Maximise revenue by descending its negative", LANDSCAPES, "001",
            {"surface": "revenue", "optimizer": "sgd", "lr": 0.1, "steps": 50, "start": [0.0, 0.0]},
            """Revenue 100a + 50d − a² − d² is largest at ad spend a = 50, discount d = 25 (3125).
            Descending its negative with lr 0.1 shrinks the distance by 0.8 per step.""",
            compare=()),
    _lesson("sigmoid-neuron", "A sigmoid neuron", DATA, "001",
            {"surface": "sigmoid-neuron", "optimizer": "sgd", "lr": 1.0, "steps": 100,
             "start": [0.5, 0.0]},
            """Fit σ(w·x + b) to (0 → 0, 1 → 1) by squared error. There is no finite minimum: the
            loss keeps falling as w grows and b falls, ever more slowly as the sigmoid saturates,
            so the run never 'converges' by its gradient test; watch the predictions improve.""",
            compare=()),
    _lesson("lr-finder", "The learning-rate finder", LR, "001",
            {"surface": "linreg", "optimizer": "sgd", "lr": 0.1, "steps": 50},
            """Run the same problem at many learning rates (here one vectorised sweep) and keep the
            largest one whose loss still falls smoothly. On this regression (λmax ≈ 2.2) the loss
            falls faster up to lr ≈ 0.45 = 1/λmax, bounces at 0.9 and blows up above
            2/λmax ≈ 0.91.""",
            compare=_runs({"surface": "linreg", "optimizer": "sgd", "steps": 50}, "lr",
                          [0.001, 0.01, 0.1, 0.5, 0.9, 1.1]), facts=("curvature",)),
    _lesson("batch-vs-minibatch", "Batch, stochastic and mini-batch", DATA, "001",
            {"surface": "linreg", "optimizer": "sgd", "lr": 0.05, "steps": 300, "batch_size": 32},
            """Full batch (1000 rows) follows the exact gradient; batch size 1 makes a noisy path
            that never settles at lr 0.05; 32 is in between. Each step here is one update, so the
            full batch does 1000× the arithmetic of batch size 1 per step.""",
            compare=tuple({"surface": "linreg", "optimizer": "sgd", "lr": 0.05, "steps": 300,
                           "batch_size": b, "label": f"batch {b}"} for b in (1, 32, 1000))),
    _lesson("convergence-criteria", "When to stop", LR, "001",
            {"surface": "valley", "optimizer": "sgd", "lr": 0.1, "steps": 100, "start": [0.0]},
            """Three ways to stop: the gradient norm falls below a tolerance, the loss stops
            changing, or a step limit is reached. The lab's status word uses the distance to the
            minimum (1% of where it started); the loss curve shows how small the last changes are.""",
            compare=_runs({"surface": "valley", "optimizer": "sgd", "lr": 0.1, "start": [0.0]},
                          "steps", [10, 20, 50, 100], label=lambda v: f"{v} steps")),
    _lesson("quartic-restarts", "Local minima: momentum and restarts", LANDSCAPES, "001",
            {"surface": "quartic", "optimizer": "sgd", "lr": 0.01, "steps": 200, "start": [-3.0]},
            """The text calls x ≈ −2 the local minimum and x ≈ 2 the global one. It is the other
            way round: f(−2.03) ≈ −18.0 is the global minimum, f(1.97) ≈ −14.0 the local one. From
            x = −3 plain GD already reaches the global minimum. Restarts from other points show
            which valley each start falls into.""",
            compare=tuple({"surface": "quartic", "optimizer": "sgd", "lr": 0.01, "steps": 200,
                           "start": [x], "label": f"start {x:g}"} for x in (-3.0, -0.5, 0.5, 3.0))
            + ({"surface": "quartic", "optimizer": "momentum", "lr": 0.01, "steps": 200,
                "start": [-3.0], "label": "momentum from −3"},)),
    _lesson("gradient-clipping", "Gradient clipping", LR, "001",
            {"surface": "parabola", "optimizer": "sgd", "lr": 1.1, "steps": 60, "start": [-5.0],
             "clip": 1.0},
            """At lr 1.1 plain GD on (w − 3)² diverges. Clipping the gradient norm to 1 caps every
            step at lr·1 = 1.1, so the run can no longer blow up: it bounces around the minimum
            instead of converging. Clipping is a safety net; the fix is a smaller lr.""",
            compare=({**PARABOLA, "lr": 1.1, "steps": 60, "label": "no clipping"},
                     {**PARABOLA, "lr": 1.1, "steps": 60, "clip": 1.0, "label": "clip 1.0"})),
    # --- 003 --------------------------------------------------------------------------
    _lesson("fit-line", "Fit a line: too small, right, too large", LR, "003",
            {"surface": "fit-line", "optimizer": "sgd", "lr": 0.01, "steps": 30, "start": [0.0]},
            """The text prints 'Step 0: w=0.2200' for its own code; that code gives w = 0.44 after
            the first step (gradient −44 at w = 0, lr 0.01). The curvature is 22, so lr must stay
            below 2/22 ≈ 0.091: 0.001 crawls, 0.01 converges, 0.1 diverges.""",
            compare=_runs({"surface": "fit-line", "optimizer": "sgd", "steps": 30, "start": [0.0]},
                          "lr", [0.001, 0.01, 0.1]), facts=("curvature",)),
    _lesson("fit-line-minibatch", "Mini-batches on the line fit", DATA, "003",
            {"surface": "fit-line", "optimizer": "sgd", "lr": 0.01, "steps": 60, "start": [0.0],
             "batch_size": 2},
            """Batches of 2 of the 5 points: every batch agrees on w = 2 (the data are exact), so
            the noise only changes the speed, not the answer.""",
            compare=tuple({"surface": "fit-line", "optimizer": "sgd", "lr": 0.01, "steps": 60,
                           "start": [0.0], "batch_size": b, "label": f"batch {b}"}
                          for b in (1, 2, 5))),
    _lesson("adam-by-hand", "Exercise: write Adam", MOMENTUM, "003",
            {"surface": "ellipse", "optimizer": "adam", "lr": 0.1, "steps": 100,
             "start": [10.0, 1.0]},
            """Write Adam in `step` and press Check: the lab runs your rule and torch-style Adam
            from the same start and shows the first step where they part ways.""",
            exercise="adam", step=ADAM_TODO),
    _lesson("momentum-by-hand", "Exercise: write momentum", MOMENTUM, "000",
            {**BOWL, "optimizer": "momentum", "lr": 0.01, "steps": 100},
            """Write heavy-ball momentum in `step` and press Check against the lab's momentum
            (torch's convention: the first velocity is the gradient itself).""",
            exercise="momentum", step=MOMENTUM_TODO),
    # --- 004 --------------------------------------------------------------------------
    _lesson("double-well-momentum", "Double well: SGD and momentum", LANDSCAPES, "004",
            {"surface": "double-well", "optimizer": "sgd", "lr": 0.1, "steps": 20, "start": [-3.0]},
            """The text says SGD from −3 gets stuck near the 'local minimum at −2' and momentum
            reaches the 'global minimum at 2'. Neither happens: the minima are at x ≈ −3.95
            (global, −26.4) and x ≈ 3.79 (local, −18.7). SGD at lr 0.1 reaches the global one in a
            few steps; the EMA momentum of the text is still on its way to it after 20 steps.""",
            compare=({"surface": "double-well", "optimizer": "sgd", "lr": 0.1, "steps": 20,
                      "start": [-3.0], "label": "SGD"},
                     {"surface": "double-well", "optimizer": "momentum", "lr": 0.1, "steps": 20,
                      "start": [-3.0], "hyper": {"ema": True}, "label": "momentum (EMA form)"})),
    _lesson("rosenbrock-shootout", "Rosenbrock shootout", MOMENTUM, "004",
            {**ROSEN, "optimizer": "momentum", "lr": 0.001},
            """The text's verdict is that SGD gets stuck and 'Adam finds the optimum'. With its own
            settings (5000 steps; SGD and momentum at lr 0.001, Adam at 0.01) momentum is the one
            that reaches (1, 1); SGD is still in the valley about 0.16 away, and Adam ends about
            0.97 away. (The text's path length also counts only the first 1000 steps.)""",
            compare=({**ROSEN, "optimizer": "sgd", "lr": 0.001, "label": "SGD"},
                     {**ROSEN, "optimizer": "momentum", "lr": 0.001, "label": "Momentum"},
                     {**ROSEN, "optimizer": "adam", "lr": 0.01, "label": "Adam"}),
            facts=("tol=0.1",)),
    _lesson("schedules", "Learning-rate schedules on (x − 5)²", SCHEDULES, "004",
            {**SQUARE5, "lr": 0.5, "schedule": {"name": "cosine"}},
            """On a quadratic with curvature 2, lr 0.5 is the one-step answer, so every schedule
            that starts at 0.5 (step, exponential, cosine) hits x = 5 at once, and a schedule
            cannot help there; constant 0.1 converges geometrically (about 20 steps to 1%), and
            warm-up, which starts small, takes about as long. Schedules matter when the lr must be large early and small
            late, not on a bowl this simple.""",
            compare=({**SQUARE5, "lr": 0.1, "label": "constant 0.1"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "step", "step_size": 100,
                                                         "gamma": 0.5}, "label": "step decay"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "exponential", "gamma": 0.99},
                      "label": "exponential"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "cosine"}, "label": "cosine"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "warmup-cosine", "warmup": 50},
                      "label": "warm-up + cosine"})),
    _lesson("schedule-by-hand", "Exercise: a step-decay schedule", SCHEDULES, "004",
            {**SQUARE5, "lr": 0.1, "steps": 300},
            """Change `step` so the learning rate halves every 100 steps, run it, and compare the
            loss curve with the constant rate.""", step=SCHEDULE_TODO),
    _lesson("batch-sizes", "Batch sizes on 10,000 × 5", DATA, "004",
            {"surface": "regression-10k", "optimizer": "sgd", "lr": 0.01, "steps": 300,
             "batch_size": 64},
            """Smaller batches give noisier steps: with lr 0.01, batch 1 wanders around the answer
            while 256 and the full batch follow nearly the same path. The gradient's variance
            falls like 1/batch size; the text's 'sweet spot' depends on the cost per step.""",
            compare=tuple({"surface": "regression-10k", "optimizer": "sgd", "lr": 0.01,
                           "steps": 300, "batch_size": b, "label": f"batch {b}"}
                          for b in (1, 16, 64, 256, 10000))),
    _lesson("adam-ellipse", "Adam on an ellipse", MOMENTUM, "004",
            {"surface": "ellipse", "optimizer": "adam", "lr": 0.1, "steps": 100,
             "start": [10.0, 1.0]},
            """Adam scales each coordinate by the root of its own squared gradients, so its first
            steps have the same size (lr) in x and y whatever the curvature. On this ellipse plain
            GD at lr 0.1 is the faster one: after 100 steps SGD is within 0.001 of the minimum,
            while Adam is still about 2.2 away in x.""",
            compare=({"surface": "ellipse", "optimizer": "sgd", "lr": 0.1, "steps": 100,
                      "start": [10.0, 1.0], "label": "SGD"},
                     {"surface": "ellipse", "optimizer": "adam", "lr": 0.1, "steps": 100,
                      "start": [10.0, 1.0], "label": "Adam"})),
    _lesson("adamw", "AdamW: decoupled weight decay", MOMENTUM, "004",
            {"surface": "house-prices", "optimizer": "adamw", "lr": 1.0, "steps": 500,
             "start": [0.0, 0.0], "hyper": {"weight_decay": 0.01}},
            """AdamW shrinks the weights by lr·λ·w each step outside the adaptive scaling; Adam's
            weight_decay adds λ·w to the gradient, where Adam's scaling then divides it away. On the
            house-price fit at lr 1, λ = 0.01, Adam with L2 still ends next to (100, 100), while
            AdamW's 1%-per-step shrinkage holds both weights near 70 (loss in the thousands):
            decoupled decay is strong when lr is large.""",
            compare=({"surface": "house-prices", "optimizer": "adam", "lr": 1.0, "steps": 500,
                      "start": [0.0, 0.0], "hyper": {"weight_decay": 0.01},
                      "label": "Adam + L2 0.01"},
                     {"surface": "house-prices", "optimizer": "adamw", "lr": 1.0, "steps": 500,
                      "start": [0.0, 0.0], "hyper": {"weight_decay": 0.01},
                      "label": "AdamW 0.01"})),
]}

COLUMNS = ["label", "optimizer", "lr", "status", "final_loss", "steps_to_tol", "distance_to_min",
           "path_length", "diverged_at", "final_w"]


def run_lesson(name: str) -> dict:
    """The preset's runs computed by the core: a results table and extra facts."""
    from .analysis import curvature
    from .experiment import run_experiment
    from .surfaces import get_surface

    lesson = LESSONS.get(name)
    if lesson is None:
        raise GdlabError(f"unknown lesson {str(name)[:40]!r}; 'gdlab lessons' lists them")
    tol = 0.1 if "tol=0.1" in lesson.facts else None
    runs = lesson.compare or ({**lesson.state, "label": lesson.title},)
    rows = []
    for r in runs:
        state = {k: v for k, v in r.items() if k != "label"}
        out = run_experiment(state, tol)
        rows.append([r["label"], out["optimizer"], out["lr_base"], out["status"],
                     out["final_loss"], out["steps_to_tol"], out["distance_to_min"],
                     out["path_length"], out["diverged_at"], out["final_w"]])
    facts = {}
    if "curvature" in lesson.facts:
        c = curvature(get_surface(lesson.state["surface"]))
        facts = {k: c[k] for k in ("hessian_eigenvalues", "lr_monotone", "lr_stable")}
    return {"lesson": name, "columns": COLUMNS, "rows": rows, "facts": facts}
