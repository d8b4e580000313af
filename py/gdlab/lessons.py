"""Presets: every experiment of the lesson texts, ready to run in the page or a terminal.

A ``Lesson`` is a state (the same dict the URL and the CLI speak), optional labelled
runs to compare it with, a note, and the Python the code pane shows. Outcomes are never
written down here: ``run_lesson`` computes them with the core, and tests/test_lessons.py
checks them against independent computations (plain numpy loops, closed forms,
torch.optim). Where a lesson text claims something else, the note says what the learner
will really see; docs/lesson-errata.md lists every such claim.

``run_lesson(name)`` returns::

    {"lesson", "title", "topic", "source", "note", "state",
     "columns": COLUMNS, "rows": [[...] per run], "facts": {...}}

``facts`` holds what a lesson is about beyond the table, computed on demand (the names
in ``Lesson.facts``): ``curvature`` (Hessian eigenvalues, 1/λmax, 2/λmax),
``restarts`` (random restarts and the minimum each reaches), ``range-test`` (the
learning-rate finder of 001), ``stop-rules`` (when each convergence test of 001 fires),
``grad-variance`` (mini-batch gradient variance per batch size), ``adam-state``
(Adam's m, v and per-coordinate learning rates as 004 prints them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from . import netfacts, notes
from .analysis import curvature, summarize
from .errors import GdlabError
from .experiment import prepare, run_experiment
from .program import program
from .runner import run
from .rendered_notes import NOTES as RENDERED
from .surfaces import get_surface


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    topic: str
    source: str                      # "000".."004": the lesson text in sources/
    state: dict                      # surface, optimizer, lr, steps, start, hyper, schedule, ...
    note_template: str               # what to try, what to look for, what really happens;
                                     # its numbers are fields filled from the runs (notes.py)
    compare: tuple[dict, ...] = ()   # labelled extra runs (each a state dict + "label")
    exercise: str | None = None      # reference optimizer the learner's step() is checked against
    facts: tuple[str, ...] = ()      # extra computed facts run_lesson reports (see module doc)
    tol: float | None = None         # absolute tolerance for steps_to_tol (default: 1% of start error)
    step: str | None = None          # the code pane's step() when it is not the state's own rule
    header: str = ""                 # the comment on top of the code pane (default: the title)
    exercise_schedule: dict | None = None  # the schedule the reference runs under (Check)

    @property
    def note(self) -> str:
        """The note as the learner reads it: rendered at build time (rendered_notes.py,
        checked against the runs by tests/test_lessons.py), else rendered now."""
        return RENDERED.get(self.name) or run_lesson(self.name)["note"]

    @cached_property
    def code(self) -> str:
        """The code pane: loss, grad, start, lr, steps[, step]. Computed on first use:
        it reads the surface's code, and a data surface builds its data when looked up."""
        return program(self.state, self.header or self.title, self.step)


LR = "Learning rate"
MOMENTUM = "Momentum and adaptive methods"
DATA = "Data and batches"
SCHEDULES = "Schedules"
LANDSCAPES = "Landscapes and minima"
TOPICS = (LR, MOMENTUM, DATA, SCHEDULES, LANDSCAPES)

def _lesson(name, title, topic, source, state, note, compare=(), exercise=None, step=None,
            header="", facts=(), tol=None, exercise_schedule=None) -> Lesson:
    return Lesson(name, title, topic, source, state, " ".join(note.split()), tuple(compare),
                  exercise, tuple(facts), tol, step, header, exercise_schedule)


def _runs(base: dict, key: str, values, label=None) -> tuple[dict, ...]:
    return tuple({**base, key: v, "label": label(v) if label else f"{key} {v:g}"} for v in values)


PARABOLA = {"surface": "parabola", "optimizer": "sgd", "lr": 0.1, "steps": 30, "start": [-5.0]}
VALLEY = {"surface": "valley", "optimizer": "sgd", "lr": 0.1, "steps": 20, "start": [0.0]}
BOWL = {"surface": "bowl", "optimizer": "sgd", "lr": 0.1, "steps": 30, "start": [3.0, 2.0]}
FIT = {"surface": "fit-line", "optimizer": "sgd", "lr": 0.01, "steps": 100, "start": [0.0]}
LINREG = {"surface": "linreg", "optimizer": "sgd", "lr": 0.1, "steps": 200}
QUARTIC = {"surface": "quartic", "optimizer": "sgd", "lr": 0.01, "steps": 200, "start": [-3.0]}
WELL = {"surface": "double-well", "optimizer": "sgd", "lr": 0.1, "steps": 20, "start": [-3.0]}
ROSEN = {"surface": "rosenbrock", "steps": 5000, "start": [-2.0, 2.0]}
SQUARE5 = {"surface": "square-5", "optimizer": "sgd", "steps": 500, "start": [0.0]}
ELLIPSE = {"surface": "ellipse", "lr": 0.1, "steps": 100, "start": [10.0, 1.0]}
HOUSE = {"surface": "house-prices", "start": [0.0, 0.0]}
NOISY = {"surface": "linreg", "optimizer": "sgd", "lr": 0.05, "steps": 1000, "batch_size": 1}
TEN_K = {"surface": "regression-10k", "optimizer": "sgd", "lr": 0.01, "steps": 300}
# 001's claims about real networks, on a net small enough to train in a blink (33 weights;
# each preset's runs take a fraction of a second in CPython).
NET = {"surface": "moons-mlp", "layers": [2, 8, 1], "activation": "tanh", "init_seed": 0,
       "optimizer": "sgd"}

MOMENTUM_TODO = '''def step(w, g, lr, state):
    """Exercise: momentum. Keep a velocity b in `state` (None on the first call):
    b = g on the first step, then b = 0.9 * b + g; move w by -lr * b.
    This starting version is plain gradient descent: press Check to compare."""
    return w - lr * g, state
'''

ADAM_TODO = '''def step(w, g, lr, state):
    """Exercise: Adam. Keep (t, m, v) in `state` (None on the first call):
    t = t + 1 ;  m = 0.9 m + 0.1 g ;  v = 0.999 v + 0.001 g**2 ;
    m_hat = m / (1 - 0.9**t) ;  v_hat = v / (1 - 0.999**t) ;
    w = w - lr * m_hat / (sqrt(v_hat) + 1e-8).
    This starting version is plain gradient descent: press Check to compare."""
    return w - lr * g, state
'''

SCHEDULE_TODO = '''def step(w, g, lr, t):
    """Exercise: step decay. The step number t is the state (None at the first call).
    Halve the learning rate every 100 steps: lr_t = lr * 0.5 ** (t // 100).
    This starting version keeps lr constant."""
    t = 0 if t is None else t
    lr_t = lr
    return w - lr_t * g, t + 1
'''

LESSONS: dict[str, Lesson] = {l.name: l for l in [
    # --- 002: the home view and the learning-rate regimes -------------------------------
    _lesson("watch-a-parameter-move", "Watch a parameter move", LR, "002", PARABOLA,
            """L(w) = (w − 3)² from w = −5 (loss 64). Each step measures the slope (the dashed
            line) and moves against it by lr × slope. At lr 0.1 the distance to w = 3 shrinks by
            0.8 per step: after 30 steps w ≈ {main[final_w][0]:.3f}. Drag the learning rate to see it crawl
            (0.01), land in one step (0.5), overshoot and still converge (0.9), flip between −5
            and 11 for ever (1.0) and blow up (1.1)."""),
    _lesson("lr-regimes", "Four regimes of the learning rate", LR, "002",
            {**PARABOLA, "lr": 0.9},
            """Same parabola, six rates side by side. The error is multiplied by (1 − 2·lr) each
            step: 0.01 crawls (0.98 per step, still at w ≈ {r[lr 0.01][final_w][0]:.2f} after 30 steps), 0.1 converges,
            0.5 lands on w = 3 in one step, 0.9 overshoots but converges (−0.8 per step), 1.0
            flips between −5 and 11 for ever, 1.1 blows up (−1.2 per step). The lesson's
            question, 'what if lr is ten times larger?': from 0.1, ten times is exactly 1.0,
            which oscillates for ever rather than exploding; from 0.5 it would diverge.""",
            compare=_runs(PARABOLA, "lr", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1]), facts=("curvature",)),
    _lesson("lr-diagnosis", "Diagnose a learning rate from the loss", LR, "002", LINREG,
            """Three loss curves on the same regression (λmax ≈ {c[lmax]:.2f}, so GD is stable below
            2/λmax ≈ {c[lr_stable]:.2f}): lr 0.001 falls slowly and is still far off after 200 steps (too
            small: raise it); 0.1 falls fast and flattens at the noise floor (loss ≈ {r[lr 0.1][final_loss]:.3f}); 1.5
            grows by a factor of about {x[growth]:.1f} per step until the numbers leave the float range
            (step {r[lr 1.5][diverged_at]}): the text's 'explodes to nan' (lower it). The third symptom, validation
            loss rising while training loss falls, needs a held-out split: the preset
            `validation-rises` shows it on `overfit` (20 training rows, 500 held out).""",
            compare=_runs({**LINREG}, "lr", [0.001, 0.1, 1.5]), facts=("curvature",)),
    _lesson("feature-scaling", "Feature scaling: the stretched valley", DATA, "002",
            {"surface": "unscaled", "optimizer": "sgd", "lr": 2e-6, "steps": 200},
            """One feature spans 0..1, the other 0..1000, so the Hessian's eigenvalues are about
            {c[lmin]:.2f} and {x[lmax3]:,.0f} (condition number ≈ {x[cond_million]:.1f} million): any lr that is stable for the steep
            weight (below 2/λmax ≈ {c[lr_stable]:sci1}) barely moves the other, and after 200 steps the run is
            still ≈ {r[raw features][distance_to_min]:.0f} away. Switch the surface to `scaled` (the same data standardised): lr 0.1
            gets within 1% in {r[standardised][steps_to_tol]} steps.""",
            compare=({"surface": "unscaled", "optimizer": "sgd", "lr": 2e-6, "steps": 200,
                      "label": "raw features"},
                     {"surface": "scaled", "optimizer": "sgd", "lr": 0.1, "steps": 200,
                      "label": "standardised"}), facts=("curvature",)),
    # --- 000: the bowl ----------------------------------------------------------------
    _lesson("bowl-thresholds", "How large can the learning rate be?", LR, "000",
            {**BOWL, "lr": 0.126, "steps": 100},
            """L = w₀² + 4w₁² has Hessian eigenvalues {c[hessian_eigenvalues][0]:g} and {c[hessian_eigenvalues][1]:g}. The text says the largest stable
            lr is 1/λmax = {c[lr_monotone]:g} and suggests 0.124 vs 0.126: both converge. 1/λmax is only
            where the steep coordinate starts to overshoot (at 0.125 it lands on 0 in one step);
            plain GD is stable up to 2/λmax = {c[lr_stable]:g}, where w₁ flips between 2 and −2 for ever,
            and 0.26 diverges. The text's 'edge of divergence' lr 0.28 is past the edge: w₁ is
            multiplied by −1.24 per step and the loss passes {x[loss_power]} in 100 steps.""",
            compare=_runs({**BOWL, "steps": 100}, "lr",
                          [0.01, 0.1, 0.124, 0.125, 0.126, 0.25, 0.26, 0.28]),
            facts=("curvature",)),
    _lesson("bowl-momentum", "Momentum on the bowl", MOMENTUM, "000",
            {**BOWL, "optimizer": "momentum", "lr": 0.01, "steps": 100},
            """The text's `v = 0.9·v + lr·g; w −= v` is torch's momentum with the lr folded in:
            the same iterates. At lr 0.01 plain GD is still crawling after 100 steps (w₀ has only
            shrunk to 0.98¹⁰⁰ ≈ 13% of 3, distance ≈ {r[plain GD][distance_to_min]:.2f}), while momentum is within {r[momentum 0.9][distance_to_min]:.3f} of the
            minimum; it overshoots on the way (w₀ < 0 from step {x[crossing]} to {x[back]}).""",
            compare=({**BOWL, "lr": 0.01, "steps": 100, "label": "plain GD"},
                     {**BOWL, "optimizer": "momentum", "lr": 0.01, "steps": 100,
                      "label": "momentum 0.9"})),
    _lesson("momentum-by-hand", "Exercise: write momentum", MOMENTUM, "000",
            {**BOWL, "optimizer": "momentum", "lr": 0.01, "steps": 100},
            """Write heavy-ball momentum in `step` and press Check against the lab's momentum.
            The lab uses torch's convention (the first velocity is the gradient itself); the
            text's v = 0.9·v + lr·g, w −= v is the same iterates with lr folded into v.""",
            exercise="momentum", step=MOMENTUM_TODO),
    _lesson("ill-conditioned", "An ill-conditioned bowl", LR, "000",
            {"surface": "ill-conditioned", "optimizer": "sgd", "lr": 0.01, "steps": 100,
             "start": [3.0, 2.0]},
            """L = w₀² + 100w₁²: eigenvalues {c[hessian_eigenvalues][0]:g} and {c[hessian_eigenvalues][1]:g}, so 2/λmax = {c[lr_stable]:g} exactly. At the text's
            lr 0.01 the steep coordinate does not 'converge slowly': it flips between 2 and −2
            for ever (status oscillating), while the shallow one crawls (×0.98 per step, {r[lr 0.01][final_w][0]:.2f}
            after 100 steps). At 0.009 the steep one settles at once but w₀ is still ≈ {r[lr 0.009][final_w][0]:.2f} after
            100 steps: that slowness is what Adam's per-coordinate scaling addresses.""",
            compare=_runs({"surface": "ill-conditioned", "optimizer": "sgd", "steps": 100,
                           "start": [3.0, 2.0]}, "lr", [0.005, 0.009, 0.01]),
            facts=("curvature",)),
    # --- 001 --------------------------------------------------------------------------
    _lesson("valley-descent", "Down the valley x² − 4x + 5", LR, "001", VALLEY,
            """From x = 0 at lr 0.1 each step shrinks the distance to x = 2 by 0.8: after 20 steps
            x ≈ {main[final_w][0]:.4f}, loss ≈ {main[final_loss]:.4f} (the text's printout is right). Close, but still {x[left]:.1%} of the
            way away: the lab calls that crawling; {x[to_tol]} steps reach 1%."""),
    _lesson("valley-lr-table", "Seven learning rates on the valley", LR, "001",
            {**VALLEY, "lr": 0.5},
            """20 steps from x = 0: lr 0.5 jumps to x = 2 in one step; 0.1 and 0.9 both shrink the
            error by 0.8 per step (0.9 from alternating sides) and end at x ≈ {r[lr 0.1][final_w][0]:.3f}; 1.0 flips
            between 0 and 4 for ever; 1.1 and 1.5 diverge; 0.01 only reaches x ≈ {r[lr 0.01][final_w][0]:.2f}. The text's
            own status code mislabels three of them: it prints 'Oscillating' for 0.1 (which never
            overshoots) and 'Still converging' for 1.0 (a 0 ↔ 4 flip) and 1.1 ({r[lr 1.1][distance_to_min]:.1f} away and
            growing ×1.2 per step).""",
            compare=_runs(VALLEY, "lr", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1, 1.5]),
            facts=("curvature",)),
    _lesson("house-prices", "House prices: w and b", DATA, "001",
            {**HOUSE, "optimizer": "sgd", "lr": 0.01, "steps": 1000},
            """The text says 1000 epochs at lr 0.01 learn price = 100·sqft + 100 'perfectly'. They
            do not: the valley is stretched (eigenvalues ≈ {c[lmax]:.1f} and {c[lmin]:.3f}), and after 1000 steps
            the fit is w ≈ {r[1000 steps][final_w][0]:.2f}, b ≈ {r[1000 steps][final_w][1]:.2f} (loss ≈ {r[1000 steps][final_loss]:.2f}). It takes {r[5000 steps][steps_to_tol]} steps to get
            within 1% of the answer and 5000 to print {r[5000 steps][final_w][0]:.2f} and {r[5000 steps][final_w][1]:.2f}; a larger lr (below
            2/{c[lmax]:.1f} ≈ {c[lr_stable]:.3f}) is faster.""",
            compare=_runs({**HOUSE, "optimizer": "sgd", "lr": 0.01}, "steps", [1000, 5000],
                          label=lambda v: f"{v} steps")
            + ({**HOUSE, "optimizer": "sgd", "lr": 0.15, "steps": 1000, "label": "lr 0.15"},),
            facts=("curvature",)),
    _lesson("revenue", "Maximise revenue by descending its negative", LANDSCAPES, "001",
            {"surface": "revenue", "optimizer": "sgd", "lr": 0.1, "steps": 50, "start": [0.0, 0.0]},
            """Revenue 100a + 50d − a² − d² is largest at ad spend a = 50, discount d = 25 (3125).
            Descending its negative with lr 0.1 shrinks the distance by 0.8 per step: after 50
            steps a ≈ {main[final_w][0]:.4f}, d ≈ {main[final_w][1]:.4f}, which the text rightly prints as 50.00 and 25.00."""),
    _lesson("sigmoid-neuron", "A sigmoid neuron", DATA, "001",
            {"surface": "sigmoid-neuron", "optimizer": "sgd", "lr": 1.0, "steps": 100,
             "start": [0.5, 0.0]},
            """Fit σ(w·x + b) to (0 → 0, 1 → 1) by squared error (the text calls the data
            'XOR-like'; it is the identity, separable by one threshold). There is no finite
            minimum: the loss keeps falling as w grows and b falls, ever more slowly as the
            sigmoid saturates. After the text's 100 steps w ≈ {main[final_w][0]:.2f}, b ≈ {main[final_w][1]:.2f} and the neuron
            predicts {x[p0]:.2f} for 0 and {x[p1]:.2f} for 1 (loss ≈ {main[final_loss]:.3f})."""),
    _lesson("lr-finder", "The learning-rate finder", LR, "001",
            {**LINREG, "steps": 50},
            """The text's finder: one run whose lr grows by 10% per step from 1e-7, stopped when
            the loss passes 4× its lowest value; then take a tenth of that lr. On this
            regression (2/λmax ≈ {c[lr_stable]:.2f}) the loss first passes 4× its minimum at lr ≈ {f[range_test][explode_lr]:.1f}, {x[past]:.0f} times
            past the true edge, because an unstable run needs a few steps to blow up; a tenth,
            ≈ {f[range_test][suggested_lr]:.2f}, is a good rate here. The table checks fixed rates for 50 steps: 0.5 converges
            in {r[lr 0.5][steps_to_tol]} steps, 0.9 bounces, 1.1 diverges.""",
            compare=_runs({**LINREG, "steps": 50}, "lr", [0.001, 0.01, 0.1, 0.5, 0.9, 1.1]),
            facts=("curvature", "range-test")),
    _lesson("batch-vs-minibatch", "Batch, stochastic and mini-batch", DATA, "001",
            {**LINREG, "lr": 0.05, "steps": 300, "batch_size": 32},
            """Full batch (1000 rows) follows the exact gradient; batch size 1 makes a noisy path
            about {x[longer]:.0f} times longer that never settles at lr 0.05; 32 is in between. Each step
            here is one update, so the full batch does 1000× the arithmetic of batch size 1 per
            step, and per epoch mini-batches make many more updates: that is why the text's
            mini-batch run reaches a low loss in fewer epochs.""",
            compare=tuple({**LINREG, "lr": 0.05, "steps": 300, "batch_size": b,
                           "label": f"batch {b}"} for b in (1, 32, 1000))),
    _lesson("convergence-criteria", "When to stop", LR, "001",
            {**VALLEY, "steps": 100},
            """The text's three stopping rules fire at very different points on the valley at
            lr 0.1: 'loss change < 1e-6' stops at step {f[stop_rules][loss_change_step]} while x is still {f[stop_rules][loss_change_distance]:sci1} from the
            minimum; 'gradient norm < 1e-6' waits until step {f[stop_rules][grad_norm_step]} ({f[stop_rules][grad_norm_distance]:sci0} away); 'max iterations'
            stops wherever the budget ends. The lab's status word uses the distance to the
            minimum (1% of where it started: step {r[100 steps][steps_to_tol]}).""",
            compare=_runs(VALLEY, "steps", [10, 20, 50, 100], label=lambda v: f"{v} steps"),
            facts=("stop-rules",)),
    _lesson("quartic-restarts", "Local minima: momentum and restarts", LANDSCAPES, "001",
            QUARTIC,
            """The text calls x ≈ −2 the local minimum and x ≈ 2 the global one. It is the other
            way round: f({r[GD from -3][final_w][0]:.2f}) ≈ {r[GD from -3][final_loss]:.2f} is the global minimum, f({r[GD from 3][final_w][0]:.2f}) ≈ {r[GD from 3][final_loss]:.2f} the local one
            (its own grid search prints −2.03 for both). From x = −3 plain GD already reaches the
            global minimum, though the text's code prints '❌ Stuck local'. Starts right of the
            hump at x ≈ {x[hump]:.3f} fall into the local valley; momentum from 3 rolls over it into the
            global one. The text's ten random restarts in [−4, 4] (here seeded): only {x[global_count]} of {x[restarts]} land
            in the global valley, but keeping the best of them finds it.""",
            compare=tuple({**QUARTIC, "start": [x], "label": f"GD from {x:g}"}
                          for x in (-3.0, -1.0, 0.0, 1.0, 3.0))
            + tuple({**QUARTIC, "optimizer": "momentum", "start": [x],
                     "label": f"momentum from {x:g}"} for x in (-3.0, 1.0, 3.0)),
            facts=("restarts",)),
    _lesson("validation-rises", "Training loss falls, validation loss rises", DATA, "002",
            {"surface": "overfit", "optimizer": "sgd", "lr": 0.02, "steps": 2000},
            """002's third diagnosis: the training loss drops while the validation loss rises.
            Here 20 training rows meet 22 weights, so gradient descent can fit the noise too.
            The held-out loss (dashed) falls from {x[val0]:.2f} to {x[val_min]:.2f} at step
            {x[turn]}, then climbs to {x[val_end]:.2f} by step 2000 while the training loss goes
            on falling to {x[train_end]:.3f}. Stopping at the turn (early stopping), more data or
            fewer features would help; a smaller learning rate only delays it."""),
    _lesson("flat-inflection", "A flat inflection: where the gradient vanishes too", LANDSCAPES, "001",
            {"surface": "flat-inflection", "optimizer": "sgd", "lr": 0.05, "steps": 200, "start": [-1.0]},
            """001's exercise minimizes x⁴ − 3x³ + 2. Its slope x²(4x − 9) is zero at x = 0 as well
            as at the minimum 9/4, and near 0 it is tiny on both sides. From x = −1 gradient
            descent crawls to a halt just left of 0: after 200 steps it is at
            {r[from -1][final_w][0]:.3f}, and after 2000 at {x[long]:.3f}, still short of the flat
            point it can never cross. From x = 0.5 the slope points right and it reaches the
            minimum ({r[from 0.5][final_w][0]:.3f}). A zero gradient is not a minimum: check the
            curvature, or start somewhere else.""",
            compare=tuple({"surface": "flat-inflection", "optimizer": "sgd", "lr": 0.05, "steps": 200,
                           "start": [x], "label": f"from {x:g}"} for x in (-1.0, 0.5, 3.0))),
    _lesson("gradient-clipping", "Gradient clipping", LR, "001",
            {**PARABOLA, "lr": 1.1, "steps": 60, "clip": 1.0},
            """At lr 1.1 plain GD on (w − 3)² diverges (×−1.2 per step). Clipping the gradient
            norm to 1 caps every step at lr·1 = 1.1, so the run can no longer blow up: it walks
            to the minimum and then bounces around it, about {r[clip 1.0][distance_to_min]:.1f} away, instead of converging.
            Clipping is a safety net; the fix is a smaller lr.""",
            compare=({**PARABOLA, "lr": 1.1, "steps": 60, "label": "no clipping"},
                     {**PARABOLA, "lr": 1.1, "steps": 60, "clip": 1.0, "label": "clip 1.0"},
                     {**PARABOLA, "lr": 0.5, "steps": 60, "clip": 1.0, "label": "lr 0.5, clip 1.0"})),
    # --- 003 --------------------------------------------------------------------------
    _lesson("fit-line", "Fit a line: too small, right, too large", LR, "003", FIT,
            """The text prints 'Step 0: w=0.2200' for its own code; that code gives w = {r[lr 0.01, 100 steps][path][1][0]:.2f} after
            the first step (gradient −44 at w = 0, lr 0.01), {x[step_10]:.2f} at step 10 (not 1.3686) and
            2.0000 from step {x[exact_from]} on. The curvature is {c[lmax]:g}, so lr must stay below 2/{c[lmax]:g} ≈ {c[lr_stable]:.3f}. Its
            'too small' lr 0.0001 reaches w ≈ {r[lr 0.0001, 1000 steps][final_w][0]:.2f} in 1000 steps (the text says 1.2); lr 1.0
            multiplies the error by −21 per step.""",
            compare=({**FIT, "lr": 0.0001, "steps": 1000, "label": "lr 0.0001, 1000 steps"},
                     {**FIT, "lr": 0.01, "steps": 100, "label": "lr 0.01, 100 steps"},
                     {**FIT, "lr": 0.1, "steps": 20, "label": "lr 0.1, 20 steps"},
                     {**FIT, "lr": 1.0, "steps": 20, "label": "lr 1, 20 steps"}),
            facts=("curvature",)),
    _lesson("fit-line-minibatch", "Mini-batches on the line fit", DATA, "003",
            {**FIT, "steps": 60, "batch_size": 2},
            """Compare batches of 1, 2 and all 5 points at lr 0.01. Every batch agrees on w = 2
            (the data are exact), so the noise changes only the speed, not the answer: all three
            end at 2. On noisy data (`batch-vs-minibatch`) a small batch never settles.""",
            compare=tuple({**FIT, "steps": 60, "batch_size": b, "label": f"batch {b}"}
                          for b in (1, 2, 5))),
    _lesson("adam-by-hand", "Exercise: write Adam", MOMENTUM, "003",
            {**FIT, "optimizer": "adam", "lr": 0.001, "steps": 200},
            """Write Adam in `step` and press Check: the lab runs your rule and torch-style Adam
            from the same start and shows the first step where they part ways. The text says
            its Adam (lr 0.001, 200 steps) reaches w ≈ 2.0 and 'converges faster'; it ends at
            w ≈ {r[Adam lr 0.001 (the text's)][final_w][0]:.3f}. Adam's steps are about lr long whatever the gradient, so 200 steps of
            0.001 cannot cover the distance 2 (it needs {x[needs]} steps to get within 0.02).
            The text's PyTorch version uses lr 0.1, which does reach 2.0.""",
            compare=({**FIT, "optimizer": "adam", "lr": 0.001, "steps": 200,
                      "label": "Adam lr 0.001 (the text's)"},
                     {**FIT, "optimizer": "adam", "lr": 0.1, "steps": 200, "label": "Adam lr 0.1"},
                     {**FIT, "lr": 0.01, "steps": 100, "label": "GD lr 0.01"}),
            exercise="adam", step=ADAM_TODO),
    # --- 004 --------------------------------------------------------------------------
    _lesson("double-well-momentum", "Double well: SGD and momentum", LANDSCAPES, "004", WELL,
            """The text says SGD from −3 gets stuck near the 'local minimum at −2' and momentum
            reaches the 'global minimum at 2'. Neither happens: the minima are at x ≈ {x[global]:.2f}
            (global, {x[global_loss]:.2f}) and x ≈ {x[local]:.2f} (local, {x[local_loss]:.2f}). SGD at lr 0.1 reaches the global one
            in {r[SGD][steps_to_tol]} steps; the text's EMA momentum overshoots to {x[overshoot]:.2f}, swings back and is at {r[momentum (EMA form)][final_w][0]:.2f}
            after 20 steps, still in the same (global) valley.""",
            compare=({**WELL, "label": "SGD"},
                     {**WELL, "optimizer": "momentum", "hyper": {"ema": True},
                      "label": "momentum (EMA form)"},
                     {**WELL, "optimizer": "momentum", "hyper": {"ema": True}, "steps": 200,
                      "label": "momentum, 200 steps"})),
    _lesson("rosenbrock-shootout", "Rosenbrock shootout", MOMENTUM, "004",
            {**ROSEN, "optimizer": "momentum", "lr": 0.001},
            """The text's verdict is that SGD gets stuck and 'Adam finds the optimum'. With its own
            settings (5000 steps from (−2, 2); SGD and momentum at lr 0.001, Adam at 0.01)
            momentum wins: within 0.1 of (1, 1) from step {r[Momentum][steps_to_tol]} and exactly there at the end. SGD
            is still in the valley {r[SGD][distance_to_min]:.3f} away; Adam is last, {r[Adam][distance_to_min]:.3f} away (at this lr it first gets
            within 0.1 at step {x[adam_needs]}; at lr 0.05 by step {r[Adam lr 0.05][steps_to_tol]}). The text's path lengths count
            only the first 1000 steps.""",
            compare=({**ROSEN, "optimizer": "sgd", "lr": 0.001, "label": "SGD"},
                     {**ROSEN, "optimizer": "momentum", "lr": 0.001, "label": "Momentum"},
                     {**ROSEN, "optimizer": "adam", "lr": 0.01, "label": "Adam"},
                     {**ROSEN, "optimizer": "adam", "lr": 0.05, "label": "Adam lr 0.05"}),
            tol=0.1),
    _lesson("schedules", "Learning-rate schedules on (x − 5)²", SCHEDULES, "004",
            {**SQUARE5, "lr": 0.5, "schedule": {"name": "cosine"}},
            """The text compares a constant 0.1 with schedules that start at 0.5. On a quadratic
            with curvature 2, lr 0.5 is the one-step answer, so step decay, exponential and
            cosine all hit x = 5 in the first step, and so does a constant 0.5: the table shows
            the starting rate, not the schedule. Constant 0.1 takes {r[constant 0.1][steps_to_tol]} steps to 1% ({x[to_text_tol]} to the
            text's 0.01), warm-up + cosine {r[warm-up + cosine][steps_to_tol]}. Nothing oscillates and nothing is
            unstable, whatever the text's insights say. `schedules-sgd-noise` shows where a
            decaying rate really helps.""",
            compare=({**SQUARE5, "lr": 0.1, "label": "constant 0.1"},
                     {**SQUARE5, "lr": 0.5, "label": "constant 0.5"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "step", "step_size": 100,
                                                         "gamma": 0.5}, "label": "step decay"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "exponential", "gamma": 0.99},
                      "label": "exponential"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "cosine"}, "label": "cosine"},
                     {**SQUARE5, "lr": 0.5, "schedule": {"name": "warmup-cosine", "warmup": 50},
                      "label": "warm-up + cosine"})),
    _lesson("schedules-sgd-noise", "Schedules where they matter: noisy gradients", SCHEDULES,
            "004", {**NOISY, "schedule": {"name": "cosine"}},
            """With one-sample gradients (batch 1) a constant lr never settles: the noise keeps the
            weights hopping around the answer (about {r[constant 0.05][distance_to_min]:.2f} away at lr 0.05). A schedule that
            shrinks the rate shrinks the hopping: cosine and exponential decay end several times
            closer with the same number of steps. That, not the noiseless bowl, is why training
            recipes decay the learning rate.""",
            compare=({**NOISY, "label": "constant 0.05"},
                     {**NOISY, "schedule": {"name": "step", "step_size": 250, "gamma": 0.5},
                      "label": "step decay"},
                     {**NOISY, "schedule": {"name": "exponential", "gamma": 0.995},
                      "label": "exponential"},
                     {**NOISY, "schedule": {"name": "cosine"}, "label": "cosine"})),
    _lesson("schedule-by-hand", "Exercise: a step-decay schedule", SCHEDULES, "004",
            {**NOISY, "steps": 600},
            """Change `step` so the learning rate halves every 100 steps, press Run code, and
            compare the final distance with the constant rate. Noisy gradients make the
            difference visible; on a noiseless bowl it would not be.""",
            step=SCHEDULE_TODO, exercise="sgd",
            exercise_schedule={"name": "step", "step_size": 100, "gamma": 0.5}),
    _lesson("batch-sizes", "Batch sizes on 10,000 × 5", DATA, "004",
            {**TEN_K, "batch_size": 64},
            """Smaller batches give noisier steps: at lr 0.01, batch 1 and 16 still wander around
            the answer after 300 steps while 64, 256 and the full batch settle. The mini-batch
            gradient's variance is tr(Σ)/B (Σ the per-row gradient covariance): 64× more rows,
            64× less variance (the facts show it at the start). The text's 'Avg Grad Var'
            column pools all five coordinates of gradients taken at different points, so it
            does not fall with the batch size; and its 'sweet spot 16-64' is not visible in its
            own run: with its threshold every batch size up to 256 finishes in one epoch.""",
            compare=tuple({**TEN_K, "batch_size": b, "label": f"batch {b}"}
                          for b in (1, 16, 64, 256, 10000)),
            facts=("grad-variance",)),
    _lesson("adam-ellipse", "Adam on an ellipse", MOMENTUM, "004",
            {**ELLIPSE, "optimizer": "adam"},
            """Adam divides each coordinate's step by the root of its own squared gradients, so
            its first steps are lr = 0.1 long in x and y alike, whatever the curvature. On this
            ellipse plain GD at lr 0.1 is much faster: after 100 steps SGD is within {r[SGD][distance_to_min]:.4f} of the
            minimum (y is exact after one step), Adam is still {r[Adam][final_w][0]:.2f} away in x. The text says Adam
            takes 'larger steps in x (flat) and smaller in y (steep)'; its own table of
            per-coordinate rates shows y's rate growing larger ({f[adam_state][steps][2][lr_per_coordinate][1]:.3f} vs {f[adam_state][steps][2][lr_per_coordinate][0]:.3f} at step {f[adam_state][steps][2][step]}).""",
            compare=({**ELLIPSE, "optimizer": "sgd", "label": "SGD"},
                     {**ELLIPSE, "optimizer": "adam", "label": "Adam"}),
            facts=("adam-state",)),
    _lesson("adamw", "AdamW: decoupled weight decay", MOMENTUM, "004",
            {**HOUSE, "optimizer": "adamw", "lr": 1.0, "steps": 500, "hyper": {"weight_decay": 0.01}},
            """AdamW shrinks the weights by lr·λ·w each step outside the adaptive scaling; Adam's
            weight_decay adds λ·w to the gradient, where Adam's scaling then divides it away. On
            the house-price fit at lr 1, λ = 0.01, Adam with L2 still ends next to (100, 100),
            while AdamW's 1%-per-step shrinkage holds both weights near {r[AdamW 0.01][final_w][0]:.0f} (loss ≈ {x[loss]:.0f}):
            decoupled decay is strong when lr is large.""",
            compare=({**HOUSE, "optimizer": "adam", "lr": 1.0, "steps": 500,
                      "hyper": {"weight_decay": 0.01}, "label": "Adam + L2 0.01"},
                     {**HOUSE, "optimizer": "adamw", "lr": 1.0, "steps": 500,
                      "hyper": {"weight_decay": 0.01}, "label": "AdamW 0.01"})),
    # --- 001's claims about real networks (moons, MLP 2-8-1 tanh) ------------------------
    _lesson("similar-minima", "Do a net's minima have similar losses?", LANDSCAPES, "001",
            {**NET, "lr": 2.0, "steps": 200}, """The same 2-8-1 net, plain GD at lr 2 for 200 steps, from 8 init seeds. 001 says most
            minima have similar losses. Here {x[near]} of 8 end between {x[near_lo]:.3f} and {x[near_hi]:.3f} ({x[near_acc]:.1%}
            held out at worst), but {x[far]} stall near {x[far_lo]:.2f} ({x[far_acc]:.1%} held out), with gradients {x[far_g]:.3f} or less: a flat
            shelf, not a similar minimum. The solutions are far apart ({f[minima][distance_min]:.1f} to {f[minima][distance_max]:.1f}, weights of
            norm ≈ {x[norm]:.0f}), partly because swapping hidden units changes w but not the loss. On the
            straight line from seed 0's solution to seed 1's the loss rises {f[minima][line][barrier]:.2f} above the higher
            end: a barrier, so the minima are separate basins, not one.""",
            compare=tuple({**NET, "lr": 2.0, "steps": 200, "init_seed": k,
                           "label": f"init_seed {k}"} for k in range(8)),
            facts=("minima", "net-runs")),
    _lesson("sharp-and-flat", "Small batches, flat minima?", LANDSCAPES, "001",
            {**NET, "lr": 0.5, "steps": 1000, "batch_size": 8}, """Batch 8 against the full batch, plain GD at lr 0.5 for 1000 steps. 001 says small batches
            find flatter minima that generalise better. Flatter holds here: the top Hessian
            eigenvalue (power iteration on Hessian-vector products) is {x[lam8]:.2f} after batch 8, {x[lamfull]:.2f}
            after the full batch, and the loss takes {x[w8]:.2f} against {x[wfull]:.2f} along the sharpest direction
            to rise by 0.1. Better does not: held-out accuracy is {x[val8]:.1%} and {x[valfull]:.1%}, and the
            training loss {x[loss8]:.3f} against {x[lossfull]:.3f}. On 200 easy rows flatness buys nothing.""",
            compare=({**NET, "lr": 0.5, "steps": 1000, "batch_size": 8, "label": "batch 8"},
                     {**NET, "lr": 0.5, "steps": 1000, "label": "full batch"}),
            facts=("sharp-flat", "net-runs")),
    _lesson("weight-averaging", "Averaging the last checkpoints (SWA)", LANDSCAPES, "001",
            {**NET, "lr": 0.5, "steps": 1000, "batch_size": 8}, """SWA averages checkpoints to land nearer a basin's centre. Plain GD with batch 8 at lr 0.5
            for 1000 steps, one checkpoint every 10 steps. The average of the last 10 has loss {x[loss10]:.4f}
            against the last iterate's {x[loss_last]:.4f}, but its top Hessian eigenvalue is {x[lam10]:.2f}
            against {x[lam_last]:.2f}: not flatter. Held-out accuracy is {x[val10]:.1%} against {x[val_last]:.1%}.
            Averaging the last 50 (500 steps, while the run still moves) is worse: loss {x[loss50]:.4f},
            {x[val50]:.1%} held out. SWA needs a run that circles one basin, not one still on its way.""",
            facts=("averaging",)),
    _lesson("linear-scaling", "The linear scaling rule", DATA, "001",
            {**NET, "lr": 0.25, "steps": 500, "batch_size": 8}, """001's rule: k times the batch, k times the lr. Three runs of 20 epochs (an epoch is 200
            rows: 25 steps of batch 8, 6.25 of batch 32). After 20 epochs batch 8 at lr 0.25 has
            loss {x[base]:.3f}; batch 32 at lr 1 (the rule) {x[scaled]:.3f}, close to it epoch by epoch; batch 32
            at lr 0.25 lags at {x[lagging]:.3f}, with {x[lag_acc]:.1%} held out against {x[base_acc]:.1%}. The rule holds
            while k·lr stays stable: it is a small-lr approximation (four small steps ≈ one
            step four times as long), so it fails once k·lr nears the edge of stability.""",
            compare=({**NET, "lr": 0.25, "steps": 500, "batch_size": 8, "label": "B 8, lr 0.25"},
                     {**NET, "lr": 1.0, "steps": 125, "batch_size": 32, "label": "B 32, lr 1"},
                     {**NET, "lr": 0.25, "steps": 125, "batch_size": 32,
                      "label": "B 32, lr 0.25"}),
            facts=("net-runs",)),
    _lesson("adam-vs-sgd-net", "Adam against SGD with momentum on a net", MOMENTUM, "001",
            {**NET, "optimizer": "adam", "lr": 0.05, "steps": 300}, """The same 2-8-1 net, full batch, 300 steps. At 001's table rates Adam 0.001 crawls
            (loss {r[Adam 0.001][final_loss]:.3f}, {x[adam_slow_acc]:.1%} of the training rows right) and momentum 0.1 reaches {r[momentum 0.1][final_loss]:.3f}
            ({x[mom_slow_acc]:.1%}). 'Adam works out of the box' needs a larger rate: Adam 0.05 ends at {r[Adam 0.05][final_loss]:.3f},
            momentum 0.3 at {r[momentum 0.3][final_loss]:.3f}, and momentum first gets 95% of the training rows right
            (step {x[mom_goal]} against {x[adam_goal]}). Both tuned nets score {x[adam_val]:.1%} and {x[mom_val]:.1%} held out.""",
            compare=({**NET, "optimizer": "adam", "lr": 0.001, "steps": 300, "label": "Adam 0.001"},
                     {**NET, "optimizer": "momentum", "lr": 0.1, "steps": 300,
                      "label": "momentum 0.1"},
                     {**NET, "optimizer": "adam", "lr": 0.05, "steps": 300, "label": "Adam 0.05"},
                     {**NET, "optimizer": "momentum", "lr": 0.3, "steps": 300,
                      "label": "momentum 0.3"}),
            facts=("net-runs",)),
    _lesson("first-net-lr", "A first learning rate for a small net", LR, "001",
            {**NET, "lr": 0.001, "steps": 300}, """001 suggests 0.001 as a first lr for a small net. With plain GD that moves the loss from
            {f[lr_sweep][start_loss]:.3f} to only {r[SGD 0.001][final_loss]:.3f} in 300 steps; Adam at 0.001 gets to {r[Adam 0.001][final_loss]:.3f}. The sweep beside it
            runs the same net at ten rates from 0.001 to 30: the loss falls with every step up
            the rates to a best at lr {f[lr_sweep][best_lr]:g} (loss {f[lr_sweep][best_loss]:.3f}, {f[lr_sweep][best_acc]:.1%} right) and only turns back at
            30. A guideline is a place to start a sweep, not an answer: this net wants a rate
            {x[times]:,.0f} times larger.""",
            compare=({**NET, "lr": 0.001, "steps": 300, "label": "SGD 0.001"},
                     {**NET, "optimizer": "adam", "lr": 0.001, "steps": 300, "label": "Adam 0.001"},
                     {**NET, "lr": 3.0, "steps": 300, "label": "SGD 3"}),
            facts=("lr-sweep", "net-runs")),
]}

COLUMNS = ["label", "optimizer", "lr", "steps", "status", "final_loss", "steps_to_tol",
           "distance_to_min", "path_length", "diverged_at", "final_w", "reached"]


def _reached(surface, summary: dict) -> str | None:
    """'global' or 'local x≈…' on surfaces with more than one minimum, else None."""
    if len(surface.minima) < 2 or summary.get("nearest_min") is None:
        return None
    i = [list(m) for m in surface.minima].index(summary["nearest_min"])
    where = ", ".join(f"{v:.3g}" for v in surface.minima[i])
    return f"{'global' if i == 0 else 'local'} ({where})"


# --- extra facts --------------------------------------------------------------------------

def _curvature(lesson: Lesson) -> dict:
    c = curvature(get_surface(lesson.state["surface"]))
    return {k: c[k] for k in ("hessian_eigenvalues", "condition_number", "lr_monotone",
                              "lr_stable")}


def _restarts(lesson: Lesson, n: int = 10, seed: int = 0) -> dict:
    """The text's random restarts: n starts uniform in [−4, 4] (seeded), all in one run."""
    x = prepare(lesson.state)
    starts = np.random.default_rng(seed).uniform(-4.0, 4.0, size=(n, 1))
    traj = run(x["surface"], x["optimizer"], x["lr"], x["steps"], starts)
    out = summarize(x["surface"], traj)
    reached = [_reached(x["surface"], s) for s in out]
    best = int(np.nanargmin([s["final_loss"] for s in out]))
    return {"starts": starts[:, 0].tolist(), "reached": reached,
            "global_share": sum(r.startswith("global") for r in reached) / n,
            "best_w": out[best]["final_w"], "best_loss": out[best]["final_loss"]}


def _range_test(lesson: Lesson, lr0: float = 1e-7, factor: float = 1.1, steps: int = 250) -> dict:
    """001's learning-rate finder: one run, lr_t = lr0·factor^t; stop when the loss passes
    4× the lowest loss so far; suggest a tenth of that lr."""
    x = prepare(lesson.state)
    traj = run(x["surface"], x["optimizer"], lr0, steps, x["start"],
               schedule=lambda t: lr0 * factor ** t)
    loss, lrs = traj.loss[0], lr0 * factor ** np.arange(steps + 1)
    stop = next((t for t in range(1, steps + 1)
                 if not loss[t] <= 4 * np.min(loss[:t + 1])), None)  # NaN counts as a blow-up
    if stop is None:
        return {"explode_lr": None, "suggested_lr": None}
    drop = np.diff(np.log(loss[:stop]))
    return {"explode_lr": float(lrs[stop - 1]), "suggested_lr": float(lrs[stop - 1] / 10),
            "steepest_lr": float(lrs[int(np.argmin(drop))]), "stopped_at_step": int(stop)}


def _stop_rules(lesson: Lesson, tol: float = 1e-6) -> dict:
    """When each of 001's stopping rules fires on the main run (None: not within the run)."""
    out = run_experiment(lesson.state)
    loss, gnorm, path = out["loss"], out["grad_norm"], out["path"]
    target = np.asarray(out["nearest_min"])
    g = next((t for t in range(len(gnorm)) if gnorm[t] < tol), None)
    c = next((t for t in range(1, len(loss)) if abs(loss[t] - loss[t - 1]) < tol), None)

    def dist(t):
        return None if t is None else float(np.linalg.norm(path[t] - target))

    return {"grad_norm_step": g, "grad_norm_distance": dist(g),
            "loss_change_step": c, "loss_change_distance": dist(c),
            "max_iterations_step": int(out["steps"]), "tol": tol}


def _grad_variance(lesson: Lesson) -> dict:
    """E‖g_B − ∇L‖² at the start for each compared batch size B, exactly: with the
    per-row gradients g_i, σ² = mean‖g_i − ∇L‖², and B rows drawn without replacement,
    E‖g_B − ∇L‖² = σ²/B · (n − B)/(n − 1)."""
    s = get_surface(lesson.state["surface"])
    w = np.asarray(lesson.state.get("start", s.start), dtype=float)
    n = s.n_samples
    rows = np.stack([s.batch_grad(w, np.array([i])) for i in range(n)])
    sigma2 = float(np.mean(np.sum((rows - s.grad(w)) ** 2, axis=-1)))
    sizes = [int(r.get("batch_size") or n) for r in lesson.compare]
    return {"batch_size": sizes, "variance": [sigma2 / b * (n - b) / (n - 1) for b in sizes],
            "at": w.tolist()}


def _adam_state(lesson: Lesson, at=(1, 10, 50)) -> dict:
    """Adam's m and v after steps ``at`` and the per-coordinate rate lr/(√v̂ + ε) that 004
    prints, from the preset's Adam run."""
    x = prepare(lesson.state)
    h, s = x["hyper"], x["surface"]
    path = run_experiment(lesson.state)["path"]
    m = v = np.zeros(s.dim)
    rows = []
    for t in range(1, max(at) + 1):
        g = s.grad(path[t - 1])
        m = h["beta1"] * m + (1 - h["beta1"]) * g
        v = h["beta2"] * v + (1 - h["beta2"]) * g * g
        if t in at:
            v_hat = v / (1 - h["beta2"] ** t)
            rows.append({"step": t, "m": m.tolist(), "v": v.tolist(),
                         "lr_per_coordinate": (x["lr"] / (np.sqrt(v_hat) + h["eps"])).tolist()})
    return {"steps": rows}


FACTS = {"curvature": _curvature, "restarts": _restarts, "range-test": _range_test,
         "stop-rules": _stop_rules, "grad-variance": _grad_variance, "adam-state": _adam_state,
         **netfacts.FACTS}


def fact(key: str, lesson: Lesson, runs: dict | None = None):
    """One extra fact; the network facts reuse the runs just made (``runs`` by label)."""
    return FACTS[key](lesson, runs) if key in netfacts.FACTS else FACTS[key](lesson)


def run_lesson(name: str) -> dict:
    """The preset's runs computed by the core: a results table and the extra facts."""
    lesson = LESSONS.get(name) if isinstance(name, str) else None
    if lesson is None:
        raise GdlabError(f"unknown lesson {str(name)[:40]!r}; 'gdlab lessons' lists them")
    runs = lesson.compare or ({**lesson.state, "label": lesson.title},)
    rows, outs = [], {}
    for r in runs:
        out = outs[r["label"]] = run_experiment({k: v for k, v in r.items() if k != "label"},
                                                lesson.tol)
        rows.append([r["label"], out["optimizer"], out["lr_base"], out["steps"], out["status"],
                     out["final_loss"], out["steps_to_tol"], out["distance_to_min"],
                     out["path_length"], out["diverged_at"], out["final_w"],
                     _reached(get_surface(out["surface"]), out)])
    facts = {key: fact(key, lesson, outs) for key in lesson.facts}
    note = notes.render(lesson.note_template, notes.context(lesson, outs, facts))
    return {"lesson": lesson.name, "title": lesson.title, "topic": lesson.topic,
            "source": lesson.source, "note": note, "state": lesson.state,
            "exercise": lesson.exercise, "columns": COLUMNS, "rows": rows, "facts": facts}


RENDERED_PATH = Path(__file__).with_name("rendered_notes.py")


def rendered_notes_source() -> str:
    """rendered_notes.py as it should read: every note rendered from its runs now."""
    items = "".join(f"    {name!r}:\n        {run_lesson(name)['note']!r},\n" for name in LESSONS)
    return ('"""Every preset\'s note rendered with the numbers its runs give. Generated by\n'
            "``python3 -m gdlab.lessons`` (tests/test_lessons.py fails when it is stale): the\n"
            'catalog sends these, so listing the presets runs nothing."""\n\n'
            f"NOTES: dict[str, str] = {{\n{items}}}\n")


def preset_program(name: str, settings: dict) -> str:
    """The code pane's program of preset ``name`` with the page's ``settings`` (state
    keys: lr, steps, start, ...) over the preset's own state."""
    lesson = LESSONS.get(name) if isinstance(name, str) else None
    if lesson is None:
        raise GdlabError(f"unknown lesson {str(name)[:40]!r}; 'gdlab lessons' lists them")
    return program({**lesson.state, **settings}, lesson.header or lesson.title, lesson.step)


if __name__ == "__main__":  # regenerate rendered_notes.py
    RENDERED_PATH.write_text(rendered_notes_source())
