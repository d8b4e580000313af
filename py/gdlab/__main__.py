"""Command line: every experiment of the lab in a terminal.

    gdlab surfaces [--json]            gdlab optimizers [--json]
    gdlab run SURFACE --optimizer NAME --lr LR --steps N [--start X[,Y]]
              [-p NAME=VALUE ...] [--schedule NAME [-s NAME=VALUE ...]]
              [--clip NORM] [--batch-size B] [--seed S] [--tol T] [--json]
    gdlab compare SURFACE --optimizers a,b,c [--lr LR | --lr NAME=LR ...]
              [-p NAME=VALUE | -p OPT.NAME=VALUE ...] [run options] [--json]
    gdlab sweep SURFACE --optimizer NAME --lr-min A --lr-max B --num K --steps N [--json]
    gdlab analyze SURFACE [--at X,Y] [--json]
    gdlab data SURFACE [--json]         (networks: the rows, the model, w0)
    gdlab lessons [--json]             gdlab lesson NAME [--json]
    gdlab slice SURFACE [--directions pca|random|coords] [--at end|start] [--slice-seed N]
              [--axes I,J] [--size 41] [--optimizer NAME] [run options] [--json | --csv]
    gdlab data SURFACE [--json]        (data problems: the rows, A, the model and the loss)

A network DATASET-mlp (moons, circles, xor, spiral, gaussians) also takes
[--layers 2,16,16,1] [--activation tanh|relu] [--init-seed S]; --seed stays the
mini-batch seed.

Bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from .analysis import curvature
from .bridge import slice_op, sweep
from .errors import GdlabError
from .experiment import jsonable, run_experiment, vector
from .lessons import LESSONS, run_lesson
from .networks import describe as describe_network
from .optimizers import OPTIMIZERS
from .problems import describe as describe_rows
from .surfaces import SETTING_KEYS, SURFACES, get_surface


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message):  # noqa: D401 - argparse's hook
        raise GdlabError(f"{message} (see '{self.prog} --help')")


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise GdlabError(f"{what} takes NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}" if v == v else "nan"
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return str(v)


def table(columns: list[str], rows: list[list]) -> str:
    """A plain text table, columns padded to their widest cell."""
    cells = [[str(c) for c in columns]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _emit(args, data: dict, text: str) -> None:
    if args.json:
        print(json.dumps(jsonable(data), allow_nan=False))
    else:
        print(text)


def _state(args, optimizer: str, hyper: dict, lr) -> dict:
    state = {"surface": args.surface, "optimizer": optimizer, "hyper": hyper, "lr": lr,
             "steps": args.steps, "start": args.start, "clip": args.clip,
             "batch_size": args.batch_size, "seed": args.seed, **_settings(args)}
    if getattr(args, "schedule", None):
        state["schedule"] = {"name": args.schedule, **_pairs(args.sched_param, "-s")}
    return state


def _settings(args) -> dict:
    """A network's settings from --layers, --activation and --init-seed (those given)."""
    return {k: getattr(args, k) for k in SETTING_KEYS if getattr(args, k, None) is not None}


RUN_FIELDS = ["status", "diverged_at", "steps_to_tol", "final_loss", "distance_to_min",
              "path_length"]


def cmd_surfaces(args):
    rows = [[s.name, s.dim, s.formula, tuple(s.start), len(s.minima)] for s in SURFACES.values()]
    data = {"surfaces": [{"name": s.name, "title": s.title, "dim": s.dim, "formula": s.formula,
                          "start": s.start, "minima": s.minima, "bounds": s.bounds,
                          "lr": s.lr, "steps": s.steps} for s in SURFACES.values()]}
    _emit(args, data, table(["surface", "d", "formula", "start", "minima"], rows))


def cmd_optimizers(args):
    data = {"optimizers": [{"name": o.name, "title": o.title, "equations": o.equations,
                            "hypers": {h.name: h.default for h in o.hypers}}
                           for o in OPTIMIZERS.values()]}
    rows = [[o.name, ", ".join(f"{h.name}={h.default}" for h in o.hypers)]
            for o in OPTIMIZERS.values()]
    _emit(args, data, table(["optimizer", "hyperparameters (defaults)"], rows))


def cmd_run(args):
    r = run_experiment(_state(args, args.optimizer, _pairs(args.param, "-p"), args.lr), args.tol)
    data = {k: r[k] for k in ("surface", "optimizer", "hyper", "start", "path", "loss", "lr",
                              *RUN_FIELDS, "schedule", "grad_norm", "settings", "val_loss",
                              "acc", "val_acc") if k in r}
    every = max(1, len(r["path"]) // 10)
    rows = [[t, r["path"][t].tolist(), float(r["loss"][t])]
            for t in range(0, len(r["path"]), every)]
    if (len(r["path"]) - 1) % every:
        rows.append([len(r["path"]) - 1, r["path"][-1].tolist(), float(r["loss"][-1])])
    hyper = ", ".join(f"{k}={v}" for k, v in r["hyper"].items())
    head = f"{r['surface']} · {r['optimizer']} ({hyper}) · lr {r['lr_base']:g} · {r['steps']} steps"
    summary = " · ".join(f"{k} {_fmt(r[k])}" for k in RUN_FIELDS)
    if r["dim"] > 8:  # a network: the weights are too many to print, the accuracy tells
        rows = [[t, float(r["loss"][t]), *([float(r["acc"][t])] if "acc" in r else []),
                 *([float(r["val_acc"][t])] if "val_acc" in r else [])] for t, *_ in rows]
        cols = ["step", "loss", *(["acc"] if "acc" in r else []),
                *(["val_acc"] if "val_acc" in r else [])]
        settings = r.get("settings") or {}
        head += "".join(f" · {k} {','.join(map(str, v)) if isinstance(v, list) else v}"
                        for k, v in settings.items())
        _emit(args, data, f"{head}\n{table(cols, rows)}\n{summary}")
        return
    _emit(args, data, f"{head}\n{table(['step', 'w', 'loss'], rows)}\n{summary}")


def cmd_compare(args):
    names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
    if not names:
        raise GdlabError("--optimizers needs a comma-separated list of names")
    common_lr, lr_for = None, {}
    for item in args.lr or []:
        name, sep, value = item.partition("=")
        if sep:
            lr_for[name.strip()] = value
        else:
            common_lr = item
    params = _pairs(args.param, "-p")
    results = []
    for name in names:
        spec = OPTIMIZERS.get(name)
        hyper = {}
        for key, value in params.items():
            opt, dot, hname = key.rpartition(".")
            if dot and opt == name:
                hyper[hname] = value
            elif not dot and spec is not None and any(h.name == key for h in spec.hypers):
                hyper[key] = value
        r = run_experiment(_state(args, name, hyper, lr_for.get(name, common_lr)), args.tol)
        results.append(r)
    cols = ["optimizer", "lr", *RUN_FIELDS]
    rows = [[r["optimizer"], r["lr_base"], *[r[k] for k in RUN_FIELDS]] for r in results]
    for key in ("acc", "val_acc"):  # classifiers: the accuracy at the last step
        if all(key in r for r in results):
            cols.append(key)
            for row, r in zip(rows, results):
                row.append(float(r[key][-1]) if len(r[key]) else None)
    data = {"surface": args.surface, "runs": [{k: r[k] for k in (
        "optimizer", "hyper", "lr_base", "start", "path", "loss", *RUN_FIELDS, "settings",
        "val_loss", "acc", "val_acc") if k in r} for r in results]}
    _emit(args, data, table(cols, rows))


def cmd_sweep(args):
    state = _state(args, args.optimizer, _pairs(args.param, "-p"), None)
    out = sweep({**{k: v for k, v in state.items() if k != "lr"}, "lr_min": args.lr_min,
                 "lr_max": args.lr_max, "num": args.num, "tol": args.tol})
    rows = [[float(lr), s, d, f, t] for lr, s, d, f, t in zip(
        out["lrs"], out["status"], out["diverged_at"], out["final_loss"], out["steps_to_tol"])]
    data = {k: out[k] for k in ("surface", "optimizer", "hyper", "schedule", "lrs", "status",
                                "diverged_at", "final_loss", "steps_to_tol", "thresholds")}
    _emit(args, data, table(["lr", "status", "diverged_at", "final_loss", "steps_to_tol"], rows))


def cmd_analyze(args):
    s = get_surface(args.surface, **_settings(args))
    at = vector("--at", args.at, s.dim) if args.at else None
    c = curvature(s, at)
    data = {"surface": s.name, "formula": s.formula, "minima": s.minima, **c}
    text = "\n".join([f"{s.name}: {s.formula}", f"at {_fmt(c['at'])}",
                      f"hessian eigenvalues  {_fmt(c['hessian_eigenvalues'])}",
                      f"condition number     {_fmt(c['condition_number'])}",
                      f"lr_monotone = 1/λmax {_fmt(c['lr_monotone'])}  (no overshoot below)",
                      f"lr_stable   = 2/λmax {_fmt(c['lr_stable'])}  (GD diverges above, on a quadratic)"])
    _emit(args, data, text)


def _network_data(args, s):
    """`gdlab data` of a network: its rows, layers, activation, loss, layout of w and w0."""
    d = describe_network(s)
    shapes = ", ".join(f"{e['name']} {'x'.join(map(str, e['shape']))}" for e in d["layout"])
    text = "\n".join([
        f"{s.name}: {s.formula}",
        f"rows: X {d['X'].shape[0]} x 2, y in {{0, 1}}; held out: X_val {d['X_val'].shape[0]} x 2",
        f"layers {','.join(map(str, d['layers']))} · activation {d['activation']} · "
        f"loss {d['loss']} · init_seed {d['init_seed']} · d = {d['dim']}",
        f"w = concat({shapes})"])
    _emit(args, d, text)


def cmd_lessons(args):
    data = {"lessons": [{"name": l.name, "title": l.title, "topic": l.topic, "source": l.source,
                         "state": l.state} for l in LESSONS.values()]}
    rows = [[l.name, l.topic, l.title] for l in LESSONS.values()]
    _emit(args, data, table(["lesson", "topic", "title"], rows))


def cmd_lesson(args):
    if args.name not in LESSONS:
        raise GdlabError(f"unknown lesson {args.name!r}; 'gdlab lessons' lists them")
    out = run_lesson(args.name)
    lesson = LESSONS[args.name]
    text = [f"{lesson.title}  [{lesson.name}]", "", out["note"], ""]
    if out.get("rows"):
        text.append(table(out["columns"], out["rows"]))
    for key, value in (out.get("facts") or {}).items():
        text.append(f"{key}: {_fmt(value)}")
    _emit(args, {"lesson": lesson.name, "title": lesson.title, "note": out["note"],
                 "state": lesson.state, **out}, "\n".join(text))


def cmd_slice(args):
    if args.json and args.csv:
        raise GdlabError("choose one of --json and --csv")
    state = _state(args, args.optimizer, _pairs(args.param, "-p"), args.lr)
    out = slice_op({**state, "slice": args.directions, "slice_at": args.at,
                    "slice_seed": args.slice_seed, "axes": args.axes, "size": args.size})
    if args.csv:  # one row per grid point, betas outer and alphas inner (loss's row order)
        rows = ["alpha,beta,loss"]
        for b, losses in zip(out["betas"].tolist(), out["loss"]):
            rows += [f"{a!r},{b!r},{v!r}" if np.isfinite(v) else f"{a!r},{b!r},"
                     for a, v in zip(out["alphas"].tolist(), losses.tolist())]
        print("\n".join(rows))
        return
    data = {k: v for k, v in out.items() if k != "op"}
    grid, line = out["loss"], out["line_loss"]
    finite = grid[np.isfinite(grid)]
    share = (f": {100 * out['explained']:.4g} % of the path" if out["explained"] is not None
             else f" {out['axes'][0]} and {out['axes'][1]}" if out["axes"] else
             f", seed {out['slice_seed']}")
    text = [f"{out['surface']} (d = {out['dim']}) · {out['slice']}{share} · plane through the "
            f"run's {out['slice_at']}",
            f"grid {len(out['alphas'])} × {len(out['betas'])}: α {_fmt(float(out['alphas'][0]))} .. "
            f"{_fmt(float(out['alphas'][-1]))}, β {_fmt(float(out['betas'][0]))} .. "
            f"{_fmt(float(out['betas'][-1]))}; loss "
            + (f"{_fmt(float(finite.min()))} .. {_fmt(float(finite.max()))}" if finite.size else "-")
            + (f" ({grid.size - finite.size} points left the numbers)" if finite.size < grid.size else ""),
            f"path {len(out['path_ab'])} points, end at α, β = {_fmt(out['path_ab'][-1].tolist())}",
            f"line start -> end: L(t=0) {_fmt(float(line[0]))}, L(t=1) {_fmt(float(line[40]))}, "
            f"L(t=1.5) {_fmt(float(line[-1]))}"]
    _emit(args, data, "\n".join(text))


def cmd_data(args):
    s = get_surface(args.surface, **_settings(args))
    if s.settings:
        return _network_data(args, s)
    out = describe_rows(args.surface)
    held = f"; {len(out['y_val'])} held-out rows (X_val, y_val)" if "y_val" in out else ""
    head = (f"{out['surface']}: {out['model']} model, {out['loss']} loss, {out['row_loss']}; "
            f"L(w) = mean(ℓ(A·w, y)) over {out['n']} rows, d = {out['d']}"
            + (" (the bias last: A's last column is ones)" if out["bias"] else "") + held)
    cols = [f"A[:, {k}]" for k in range(out["d"])] + ["y"]
    rows = [[*a, y] for a, y in zip(out["A"][:5].tolist(), out["y"][:5].tolist())]
    _emit(args, out, f"{head}\n{table(cols, rows)}\n(first {len(rows)} of {out['n']} rows; "
                     "--json prints every row)")


def _network_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", type=str, metavar="2,16,16,1", help="a network's units per layer")
    p.add_argument("--activation", type=str, metavar="tanh|relu")
    p.add_argument("--init-seed", dest="init_seed", type=str, metavar="S",
                   help="a network's seed for its Glorot-uniform start")


def _run_options(p: argparse.ArgumentParser, lr_repeat: bool = False) -> None:
    p.add_argument("surface", metavar="SURFACE")
    if lr_repeat:
        p.add_argument("--lr", action="append", metavar="LR|NAME=LR")
    else:
        p.add_argument("--lr", type=str, help="learning rate (default: the surface's)")
    p.add_argument("--steps", type=str)
    p.add_argument("--start", type=str, metavar="X[,Y]")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE")
    p.add_argument("--schedule", metavar="NAME")
    p.add_argument("-s", "--sched-param", action="append", metavar="NAME=VALUE")
    p.add_argument("--clip", type=str, metavar="NORM")
    p.add_argument("--batch-size", type=str, metavar="B")
    p.add_argument("--seed", type=str, default="0")
    p.add_argument("--tol", type=float)
    p.add_argument("--json", action="store_true")
    _network_options(p)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="gdlab", description="Gradient Descent Lab: run optimizers on loss surfaces.")
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in ("surfaces", "optimizers", "lessons"):
        sub.add_parser(name).add_argument("--json", action="store_true")
    p = sub.add_parser("run", help="run one optimizer")
    _run_options(p)
    p.add_argument("--optimizer", default="sgd")
    p = sub.add_parser("compare", help="run several optimizers on one surface")
    _run_options(p, lr_repeat=True)
    p.add_argument("--optimizers", required=True)
    p = sub.add_parser("sweep", help="one optimizer at K learning rates, as one vectorised run")
    p.add_argument("surface", metavar="SURFACE")
    p.add_argument("--optimizer", default="sgd")
    p.add_argument("--lr-min", type=str, required=True)
    p.add_argument("--lr-max", type=str, required=True)
    p.add_argument("--num", type=str, default="16")
    p.add_argument("--steps", type=str)
    p.add_argument("--start", type=str)
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE")
    p.add_argument("--schedule", metavar="NAME")
    p.add_argument("-s", "--sched-param", action="append", metavar="NAME=VALUE")
    p.add_argument("--clip", type=str, metavar="NORM")
    p.add_argument("--batch-size", type=str, metavar="B")
    p.add_argument("--seed", type=str, default="0")
    p.add_argument("--tol", type=float)
    p.add_argument("--json", action="store_true")
    _network_options(p)
    p = sub.add_parser("analyze", help="curvature and learning-rate thresholds")
    p.add_argument("surface", metavar="SURFACE")
    p.add_argument("--at", type=str)
    p.add_argument("--json", action="store_true")
    _network_options(p)
    p = sub.add_parser("lesson", help="one lesson preset, computed")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("slice", help="the loss on a plane through a run (d >= 2)")
    _run_options(p)
    p.add_argument("--optimizer", default="sgd")
    p.add_argument("--directions", default="pca", metavar="pca|random|coords")
    p.add_argument("--at", default="end", metavar="end|start")
    p.add_argument("--slice-seed", default="0", metavar="N")
    p.add_argument("--axes", metavar="I,J")
    p.add_argument("--size", default="41", metavar="N")
    p.add_argument("--csv", action="store_true", help="alpha,beta,loss rows")
    p = sub.add_parser("data", help="a data problem's rows (a network's also its layers, layout of w and start)")
    p.add_argument("surface", metavar="SURFACE")
    p.add_argument("--json", action="store_true")
    _network_options(p)
    return top


COMMANDS = {"surfaces": cmd_surfaces, "optimizers": cmd_optimizers, "run": cmd_run,
            "compare": cmd_compare, "sweep": cmd_sweep, "analyze": cmd_analyze,
            "lessons": cmd_lessons, "lesson": cmd_lesson, "slice": cmd_slice, "data": cmd_data}


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        COMMANDS[args.command](args)
    except GdlabError as exc:
        print(f"gdlab: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
