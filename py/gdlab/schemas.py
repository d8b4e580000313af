"""The written answer of every bridge op: key -> what it holds.

``ANSWERS[op]`` lists the keys of a successful answer to ``{"op": op, ...}``; a key
ending in ``?`` is present only in the case its description names. ``ITEMS`` lists the
keys of the mappings inside lists and sub-mappings (``"catalog.surfaces"`` is one entry
of ``catalog["surfaces"]``). ``ERRORS`` lists the keys of an error answer. Shapes use m
for the steps actually run (a diverged run is cut after its last finite row), K for
runs, d for parameters, n for grid points. tests/test_contract.py calls every op and
fails on a key that is missing here or missing from an answer; docs/architecture.md
shows ``render()`` of this module.

This module imports nothing from the package.
"""

from __future__ import annotations

SUMMARY = {
    "status": "converged | oscillating | diverged | crawling",
    "diverged_at": "int | null: step of the first non-finite row (or where the error grew for good)",
    "steps_to_tol": "int | null: first step from which the error stays <= tol",
    "tol": "float: the tolerance used (absolute; default 1% of the start's error)",
    "distance_to_min": "float | null: distance to the nearest known minimum at the end",
    "nearest_min": "[d] | null: that minimum",
    "path_length": "float: sum of the step lengths",
    "final_loss": "float | null: loss at the last finite row",
    "final_w": "[d] | null: the last finite point",
    "steps_run": "int: m, finite steps recorded",
}

RUN = {
    "surface": "str: surface name",
    "optimizer": "str: optimizer name",
    "hyper": "{keyword: value}: every hyperparameter used",
    "lr_base": "float: the base learning rate (the slider's value)",
    "steps": "int: steps asked for",
    "start": "[d]: start point",
    "schedule": "{name, ...settings} | null: the schedule used",
    "clip": "float | null: gradient-norm cap",
    "batch_size": "int | null: mini-batch rows (null: full batch)",
    "seed": "int: mini-batch seed",
    "dim": "int: d",
    "path": "array (m+1, d): w per step",
    "loss": "array (m+1,): loss per step",
    "lr": "array (m,): learning rate used at each step",
    "grad_norm": "array (m+1,): full-batch gradient norm per step",
    "val_loss?": "array (m+1,): loss on the held-out rows per step (surfaces with a "
                 "validation split, e.g. overfit)",
    "acc?": "array (m+1,): classifiers (networks, noisy-labels): share of the training "
            "rows predicted right (z > 0 for label 1), per step, from the recorded path",
    "val_acc?": "array (m+1,): classifiers with held-out rows (networks): the same share "
                "on the held-out rows",
    "settings?": "{layers, activation, init_seed}: networks: the settings that built the "
                 "surface (seed stays the mini-batch seed)",
    **SUMMARY,
}

ANSWERS: dict[str, dict[str, str]] = {
    "catalog": {
        "surfaces": "[surface entry]: every surface, display order (see catalog.surfaces)",
        "networks": "[network entry]: the networks DATASET-mlp, each built from its "
                    "settings (see catalog.networks)",
        "optimizers": "[optimizer entry] (see catalog.optimizers)",
        "schedules": "[schedule entry] (see catalog.schedules)",
        "lessons": "[lesson entry]: the presets (see catalog.lessons)",
        "limits": "{...}: the page's and the core's limits (see catalog.limits)",
        "slider": "{...}: the learning-rate slider's scale (see catalog.slider)",
        "state_keys": "[key entry]: every key of a state and of the page's query string, "
                      "with its checks (see catalog.state_keys)",
    },
    "landscape": {
        "surface": "str: surface name",
        "dim": "int: 1 or 2",
        "bounds": "[[lo, hi] per coordinate]: the grid's box",
        "minima": "[[d]]: known minima, global first",
        "x": "array (n,): first coordinate",
        "y?": "array (n,): second coordinate (2-D only)",
        "z": "array (n,) in 1-D; (n, n) in 2-D with z[i, j] = L(x[j], y[i])",
    },
    "run": RUN,
    "sweep": {
        "surface": "str: surface name",
        "optimizer": "str: optimizer name",
        "hyper": "{keyword: value}: every hyperparameter used",
        "schedule": "{name, ...settings} | null: the schedule each run's lr follows "
                    "(scaled by that run's base lr)",
        "lrs": "array (K,): the base learning rates",
        "paths": "array (K, steps+1, d): NaN past divergence",
        "losses": "array (K, steps+1): NaN past divergence",
        "status": "[K] status words",
        "diverged_at": "[K] int | null",
        "final_loss": "[K] float | null",
        "steps_to_tol": "[K] int | null",
        "distance_to_min": "[K] float | null: to the nearest known minimum at the end",
        "path_length": "[K] float: sum of the step lengths",
        "thresholds": "{lr_monotone, lr_stable, local, why}: plain GD's 1/λmax and 2/λmax "
                      "at the minimum nearest the start (local: the Hessian is not constant); "
                      "null with `why` for other optimizers or a schedule",
    },
    "compare": {
        "runs": "[run answer + label] (see compare.runs)",
    },
    "variance": {
        "surface": "str: surface name (a data problem)",
        "batch_size": "int: B (the full batch when the state has none)",
        "n": "int: rows of data",
        "draws": "int: mini-batches drawn for the measurement",
        "measured": "float: mean ‖g_B − ∇L‖² over the draws, at the start",
        "closed_form": "float: tr(Σ)/B · (n − B)/(n − 1), Σ the per-row gradients' covariance",
    },
    "lesson": {
        "lesson": "str: preset name",
        "title": "str",
        "topic": "str",
        "source": "str: the lesson text, 000..004",
        "note": "str: the note, its numbers filled in from this computation",
        "state": "{...}: the preset's state (surface, optimizer, lr, ...)",
        "exercise": "str | null: reference optimizer of an exercise",
        "columns": "[str]: names of the columns of rows",
        "rows": "[[...]]: one row per run",
        "facts": "{name: {...}}: extra computed facts (curvature, restarts, ...)",
    },
    "user": {
        "custom": "bool: the program's own step() ran",
        "optimizer": "str: 'custom' or the built-in optimizer's name",
        "hyper": "{keyword: value}: the built-in optimizer's hyperparameters ({} for custom)",
        "grad_source": "'grad(w)' or 'numerical'",
        "stdout": "str: what the program printed",
        "dim": "int: d",
        "start": "[d]: start point",
        "lr_base": "float: the base learning rate",
        "steps": "int: steps asked for",
        "path": "array (m+1, d)",
        "loss": "array (m+1,)",
        "lr": "array (m,): learning rate used at each step",
        **SUMMARY,
        "compare?": "when asked: a built-in optimizer on the same problem (see user.compare)",
        "landscape?": "unless landscape is false, for d <= 2 (see user.landscape)",
    },
    "check": {
        "reference": "str: the built-in optimizer checked against",
        "hyper": "{keyword: value}: its hyperparameters",
        "stdout": "str: what the program printed",
        "steps": "int",
        "match": "bool: the two trajectories agree (rtol 1e-6, atol 1e-9)",
        "step?": "int: first step where they differ (when match is false)",
        "yours?": "[d]: the learner's w there",
        "expected?": "[d]: the reference's w there",
    },
    "slice": {
        "surface": "str: surface name (d >= 2)",
        "dim": "int: d",
        "slice": "'pca' | 'random' | 'coords': how the directions were chosen",
        "slice_at": "'end' | 'start': the run's point the plane passes through",
        "slice_seed": "int: random's seed (default_rng(slice_seed))",
        "axes": "[i, j] | null: the two weights of coords (null for pca and random)",
        "directions": "array (2, d): unit rows u, v, u ⟂ v, spanning the plane",
        "centre": "array (d,): c, the run's end or start",
        "alphas": "array (n,): the grid along u, 0 at the centre",
        "betas": "array (n,): the grid along v, 0 at the centre",
        "loss": "array (n, n): loss[i, j] = L(c + alphas[j]·u + betas[i]·v); NaN/inf "
                "where the loss left the numbers",
        "path_ab": "array (m+1, 2): the run's finite rows projected, ((w_t − c)·u, (w_t − c)·v)",
        "explained": "float | null: pca's share 0..1 of the centred path's variance in the "
                     "plane, (s₀² + s₁²)/Σs²; null for random and coords",
        "minima_ab": "array (k, 2): the known minima projected like the path",
        "minima_off": "array (k,): each minimum's distance from the plane",
        "line_t": "array (61,): t from 0 to 1.5 by 1/40",
        "line_loss": "array (61,): L(w_0 + t·(w_m − w_0)), start to end and past it",
    },
    "boundary": {
        "surface": "str: a network DATASET-mlp",
        "dim": "int: d",
        "settings": "{layers, activation, init_seed}: the settings that built the network",
        "bounds": "[[x_lo, x_hi], [y_lo, y_hi]]: the data box, the training and held-out "
                  "rows' range per axis widened by a tenth of its span on each side",
        "x": "array (n,): the grid's first coordinate (n = size, default 41)",
        "y": "array (n,): its second coordinate",
        "prob": "array (n, n) for one w, (K, n, n) for K weight vectors or frames: "
                "prob[..., i, j] = σ(z(x[j], y[i])), the probability of class 1",
        "steps_at?": "[int]: without w: the steps of the state's run drawn (frames of them, "
                     "evenly from 0 to the last finite step; [m] for frames = 1, prob then "
                     "(n, n))",
        "X": "array (200, 2): the training rows, to draw over the grid",
        "labels": "array (200,): their labels, 0 or 1",
    },
    "warm": {
        "warmed": "[str]: the modules now imported (numpy.random: a lazy archive, loaded "
                  "while Python is idle so the learner's first np.random does not wait)",
    },
    "program": {
        "program": "str: the code pane's Python for the state (or the preset with the "
                   "state's settings): loss, grad, start, lr, steps and the update rule",
        "lr_line": "int: 1-based line of `lr = ...`, the line the slider rewrites",
    },
}

HYPER = {
    "name": "str: keyword (torch.optim's name)",
    "default": "float | bool",
    "kind": "'float' | 'int' | 'bool'",
    "lo": "float | null",
    "hi": "float | null",
    "help": "str",
}

ITEMS: dict[str, dict[str, str]] = {
    "catalog.surfaces": {
        "name": "str", "title": "str", "formula": "str: plain maths", "dim": "int: d",
        "bounds": "[[lo, hi]]: view box", "start": "[d]: default start",
        "lr": "float: default learning rate", "steps": "int: default steps",
        "minima": "[[d]]: global first", "log_loss": "bool: plot loss − min_loss on a log scale",
        "min_loss": "float | null", "n_samples": "int: rows of data (0: closed form)",
        "note": "str", "code": "str: numpy loss(w) and grad(w)",
        "slider": "{lo, hi, max}: this surface's slider range and last notch",
    },
    "catalog.networks": {
        "name": "str: DATASET-mlp", "dataset": "str: moons | circles | xor | spiral | gaussians",
        "title": "str", "n_samples": "int: training rows (200)", "n_val": "int: held-out rows (200)",
        "loss": "'bce-logits': mean binary cross-entropy of one logit",
        "settings": "[setting entry]: layers, activation, init_seed (see catalog.settings)",
        "dim": "int: d at the default settings",
        "lr": "float: default learning rate", "steps": "int: default steps",
        "code": "str: the numpy program at the default settings: the rows, the forward and "
                "the backward pass, init(seed)",
        "slider": "{lo, hi, max}: the slider range and last notch",
    },
    "catalog.settings": {
        "key": "str: layers | activation | init_seed (state, CLI --layers, --activation, "
               "--init-seed)",
        "kind": "'layers' | 'choice' | 'int'",
        "default": "[int] | str | int",
        "reason": "str: what is refused, in words",
        "of?": "[str]: choice: the values",
        "min?": "int: int: lowest value; layers: fewest units in a layer",
        "max?": "int: int: highest value; layers: most units in a layer",
        "first?": "int: layers: the inputs (2)", "last?": "int: layers: the logits (1)",
        "max_hidden?": "int: layers: most hidden layers",
        "max_weights?": "int: layers: most weights d",
        "separator?": "str: layers: between the units in a link or on a command line",
    },
    "catalog.limits": {
        "steps_max": "int: steps the page, a link and the learner's program may ask for",
        "core_steps_max": "int: steps of one run in the core (CLI)",
        "runs_max": "int: runs in one vectorised call",
        "lr_min_exclusive": "float: a learning rate must be above this (0)",
        "lr_max": "float: and at most this",
        "coord_max": "float: |start coordinate| the page accepts",
        "core_coord_max": "float: |start coordinate| the core accepts",
    },
    "catalog.slider": {
        "lo": "float: lowest rate before widening", "hi": "float: highest rate before widening",
        "per_decade": "int: notches per factor of 10", "digits": "int: significant digits",
        "fallback_lr": "float: default rate assumed without one", "rule": "str: the notch formula",
    },
    "catalog.state_keys": {
        "key": "str: the state key (and query key, unless url is false)",
        "kind": "choice | float | int | point | hypers | schedule | bool | controls | kept | text "
                "| layers",
        "run": "bool: part of the experiment the core runs (experiment.KEYS)",
        "url": "true | false | 'keyword' (hyperparameters: one query key per keyword)",
        "of?": "choice/hypers/schedule: the catalog list (or the optimizer) holding the values; "
               "'networks' for a network's settings (see catalog.settings)",
        "min?": "number: lowest value (per coordinate for a point)",
        "max?": "number | 'n_samples': highest value the page accepts",
        "core_max?": "number: highest value the core accepts, where it is more",
        "min_exclusive?": "bool: min itself is refused",
        "dim?": "'surface': a point has the surface's number of coordinates",
        "separator?": "str: between a point's coordinates in a link",
        "true?": "[str]: words read as true (bool, hyper)",
        "false?": "[str]: words read as false",
        "write_bool?": "[false word, true word] written into a link",
        "off?": "[values]: values that mean 'not set'",
        "empty?": "bool: an empty value means 'none'",
        "owner?": "str: the part of the page that owns a text key",
        "reason?": "str: what the page says when a link's value is refused",
    },
    "catalog.optimizers": {
        "name": "str", "title": "str", "equations": "str: the update rule",
        "hypers": "[hyper spec] (see hyper)", "code": "str: step(w, g, lr, state) at the defaults",
    },
    "catalog.schedules": {
        "name": "str", "title": "str", "formula": "str", "hypers": "[hyper spec] (see hyper)",
    },
    "catalog.lessons": {
        "name": "str", "title": "str", "topic": "str", "source": "str", "state": "{...}",
        "note": "str: rendered with the numbers run_lesson computes",
        "code": "str: the code pane's program", "compare": "[{...state, label}]",
        "exercise": "str | null",
        "exercise_schedule": "{name, ...settings} | null: the schedule the exercise's "
                             "reference runs under (Check)",
        "facts": "[str]: the extra facts run_lesson computes for this preset",
    },
    "hyper": HYPER,
    "compare.runs": {"label": "str", **RUN},
    "user.compare": {
        "optimizer": "str", "hyper": "{keyword: value}", "path": "array (m+1, d)",
        "loss": "array (m+1,)", "status": "str",
    },
    "user.landscape": {
        "x": "array (n,)", "y?": "array (n,) (2-D only)", "z": "array (n,) or (n, n)",
        "bounds": "[[lo, hi]]",
    },
}

ERRORS = {
    "op": "str: the op asked for (absent when the message had no valid op)",
    "error": "str: one line",
    "line?": "int | null: user/check: the line of the learner's code to mark",
    "traceback?": "str: user/check: the traceback, trimmed to the learner's frames",
    "stdout?": "str: user/check: what the program printed before failing",
}


def keys(schema: dict[str, str]) -> tuple[set[str], set[str]]:
    """(required, optional) key names of a schema."""
    required = {k for k in schema if not k.endswith("?")}
    return required, {k[:-1] for k in schema if k.endswith("?")}


def render() -> str:
    """The schemas as Markdown (docs/architecture.md holds this text)."""
    lines = ["Every answer also carries `op`. A key marked `?` is present only when its "
             "description says.", ""]
    for title, group in (("Answers", ANSWERS), ("Entries inside answers", ITEMS)):
        lines += [f"#### {title}", ""]
        for name, schema in group.items():
            lines.append(f"- `{name}`:")
            lines += [f"  - `{k}` — {v}" for k, v in schema.items()]
        lines.append("")
    lines += ["#### Errors", "", "- error answer:"]
    lines += [f"  - `{k}` — {v}" for k, v in ERRORS.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - prints the docs section
    print(render(), end="")
