"""The code pane's program for a state, written by one function: ``program(state)``.

The program is what the lab runs, as Python a learner can read and change:

    # header (the surface's title and formula, or a preset's title)
    import numpy as np
    <the surface's loss(w) and grad(w)>            surfaces.py / problems.py
    start = [...]
    lr = ...                                        the one line the slider rewrites
    steps = ...
    <the update rule, when it is not plain gradient descent>

The update rule comes from beside its maths: an optimizer's ``step`` from
``optimizers.optimizer_code``, a schedule's from ``schedules.schedule_code``, clipping
from ``optimizers.clip_code``. It is written out when the optimizer is not ``sgd`` or
a hyperparameter differs from its default, when a schedule is set, or when the
gradient is clipped; more than one of these are composed into one ``step``. A preset's
exercise template replaces the rule. Numbers are written by ``hyper.literal``.
"""

from __future__ import annotations

from .experiment import prepare
from .hyper import literal
from .optimizers import OPTIMIZERS, clip_code, optimizer_code
from .schedules import schedule_code

def _optimizer_rule(x: dict) -> str | None:
    spec = OPTIMIZERS[x["optimizer_name"]]
    defaults = {h.name: h.default for h in spec.hypers}
    if spec.name == "sgd" and x["hyper"] == defaults:
        return None
    return optimizer_code(spec.name, x["hyper"])


def _composed(opt: str | None, sched: dict | None, clip: float | None, steps: int) -> str:
    """One ``step`` doing what the runner does, in its order: clip the gradient, take the
    step's lr from the schedule, apply the optimizer's update (or plain descent)."""
    parts, body = [], ["    t, inner = (0, None) if state is None else state"]
    if clip is not None:
        parts.append(f"MAX_NORM = {literal(clip)}\n")
        body.append("    g = g * min(1.0, MAX_NORM / (np.linalg.norm(g) + 1e-6))  # clipped (torch)")
    if sched:
        settings = {k: v for k, v in sched.items() if k != "name"}
        parts.append(schedule_code(sched["name"], steps, settings, helper=True))
        body.append("    lr_t = lr_at(lr, t)")
    else:
        body.append("    lr_t = lr")
    if opt:
        parts.append(opt.replace("def step(w, g, lr, state):", "def optimizer_step(w, g, lr, state):"))
        body.append("    w, inner = optimizer_step(w, g, lr_t, inner)")
    else:
        body.append("    w = w - lr_t * g")
    parts.append('def step(w, g, lr, state):\n    """The lab\'s update: gradient (clipped), '
                 'scheduled lr, then the optimizer;\n    the state is (step number, the '
                 'optimizer\'s own state)."""\n' + "\n".join(body)
                 + "\n    return w, (t + 1, inner)\n")
    return "\n".join(p.rstrip() + "\n" for p in parts)


def update_rule(x: dict) -> str | None:
    """The update rule of a prepared experiment as code, or None for plain descent."""
    opt, sched, clip = _optimizer_rule(x), x["schedule_params"], x["clip"]
    if sum(v is not None for v in (opt, sched, clip)) > 1:
        return _composed(opt, sched, clip, x["steps"])
    if sched:
        settings = {k: v for k, v in sched.items() if k != "name"}
        return schedule_code(sched["name"], x["steps"], settings)
    if clip is not None:
        return clip_code(clip)
    return opt


def program(state: dict, header: str | None = None, step: str | None = None) -> str:
    """The code-pane program for ``state`` (a state dict as the URL, CLI and bridge speak).

    ``header`` is the comment on top (default: the surface's title and formula); ``step``
    replaces the update rule (a preset's exercise template)."""
    x = prepare(state)
    s = x["surface"]
    header = f"{s.title}: {s.formula}" if header is None else header
    parts = [f"# {line}" for line in header.strip().splitlines()]
    if x["batch_size"]:
        parts.append(f"# The lab draws seeded mini-batches of {x['batch_size']} rows; this "
                     "program is the full-batch loss.")
    start = f"start = [{', '.join(literal(v) for v in x['start'])}]"
    if x["settings"] and x["start"] == list(s.start):  # a network: its seeded Glorot start
        start = "start = init(INIT_SEED)"
    parts += ["import numpy as np", "", s.code.rstrip(), "", start,
              f"lr = {literal(x['lr'])}", f"steps = {x['steps']}"]
    rule = step if step is not None else update_rule(x)
    if rule is not None:
        if step is None and not x["schedule_params"] and x["clip"] is None:
            parts += ["", "# the update rule the lab runs (torch.optim's convention)"]
        else:
            parts.append("")
        parts.append(rule.rstrip())
    return "\n".join(parts) + "\n"


def answer(text: str) -> dict:
    """The bridge's answer for a program: the text and the 1-based line of ``lr = ...``."""
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("lr = "))
    return {"program": text, "lr_line": line}
