"""The browser's Python as shipped in dist/, booted in node from the dist's own files:
numpy loads without a word from Pyodide's package loader, and the stdlib, numpy and
gdlab are imported from the .pyc that build.py compiled with Pyodide's Python 3.13."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

SCRIPT = r"""
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const dist = process.argv.at(-1);
const { loadPyodide } = await import(pathToFileURL(dist + "/pyodide/pyodide.mjs").href);
const stderr = [];
const py = await loadPyodide({ indexURL: dist + "/pyodide/", packages: ["numpy"],
                               stdout: () => {}, stderr: (line) => stderr.push(line) });
py.unpackArchive(new Uint8Array(readFileSync(dist + "/static/gdlab.zip")), "zip",
                 { extractDir: "/home/pyodide/lib" });
// as py-worker.js does, with the lazy archives read from dist instead of fetched
const config = readFileSync(dist + "/static/config.js", "utf8");
const lazy = JSON.parse(config.split("LAZY_ARCHIVES = ")[1].trim().replace(/;$/, ""));
const fetched = [];
const clock = [];   // [loading, module, fetches so far] as the worker's clock is told
py.runPython("import sys; sys.path.insert(0, '/home/pyodide/lib')");
py.pyimport("gdlab.stdlib_more").install((url) => { fetched.push(url.split("/").at(-1));
  return new Uint8Array(readFileSync(url)); }, py.toPy(lazy.map(([f, names]) => [dist + "/static/" + f, names])),
  (loading, name) => clock.push([loading, name, fetched.length]));
const viewRuns = JSON.parse(readFileSync(dist + "/static/views/" + process.argv.at(-3) + ".json", "utf8")).runs;
py.globals.set("view_runs", JSON.stringify(viewRuns.map(({ spec }) => spec)));
const out = py.runPython(`
import sys, json
import numpy, gdlab.bridge
answer = gdlab.bridge.handle_json(json.dumps({"op": "run", "surface": "bowl", "optimizer": "adam", "lr": 0.1}))
view_live = []
for spec in json.loads(view_runs):
    msg = {"op": "run", **{k: v for k, v in spec.items() if k != "extra"}, **spec["extra"]}
    out = gdlab.bridge.handle(msg)
    view_live.append({"path": out["path"].tolist(), "loss": out["loss"].tolist()})
at_start = sorted(sys.modules)
learner, missing = ${JSON.stringify(process.argv.at(-2))}.split(), {}
for name in learner:
    try:
        __import__(name)
    except ImportError as exc:
        missing[name] = str(exc)
import numpy as np
rng = np.random.default_rng(0)
codecs = ["x".encode("utf-16").decode("utf-16"), b"a\\\\n".decode("unicode_escape"), "é".encode("latin-1").decode("latin-1")]
left_out = {}
for name in ["xml.dom", "unittest", "tkinter", "numpy.fft"]:
    try:
        __import__(name)
    except ModuleNotFoundError as exc:
        left_out[name] = str(exc)
json.dumps({"files": sorted(getattr(m, "__file__", None) or "" for m in list(sys.modules.values())),
            "ok": "error" not in json.loads(answer[0]), "at_start": at_start, "missing": missing,
            "left_out": left_out, "view_live": view_live, "random": float(rng.normal()), "codecs": codecs, "inv": np.linalg.inv(np.eye(2) * 2).tolist()})
`);
console.log(JSON.stringify({ stderr, fetched, clock, packages: Object.keys(py.loadedPackages), ...JSON.parse(out) }));
"""


VIEW = "preset-rosenbrock-shootout"   # four optimizers, 2-D, a few hundred steps each


@pytest.fixture(scope="module")
def booted():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if build.needs_build():
        build.build()
    if not (build.DIST / "pyodide/pyodide.mjs").exists():
        pytest.skip("a --cdn build ships no Pyodide")
    proc = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, "--", VIEW, " ".join(build.LEARNER_IMPORTS),
                           str(build.DIST)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_package_loader_says_nothing_and_numpy_is_loaded(booted):
    assert booted["stderr"] == []
    assert "numpy" in booted["packages"]
    assert booted["ok"]


@pytest.mark.parametrize("prefix", [build.STDLIB_PREFIX, build.SITE_PREFIX + "numpy/",
                                    build.GDLAB_PREFIX + "gdlab/"])
def test_modules_come_from_pyc(booted, prefix):
    files = [f for f in booted["files"] if f.startswith(prefix)]
    assert len(files) > 3
    assert [f for f in files if not f.endswith((".pyc", ".so"))] == []


def test_a_cold_start_loads_no_lazy_archive(booted):
    """Pyodide, numpy, gdlab and a run import nothing from the archives fetched on demand."""
    lazy = {n for _, names in build.LAZY_ARCHIVES for n in names}
    assert [m for m in booted["at_start"] if m in lazy or m.split(".")[0] in lazy
            or m.startswith("numpy.random")] == []


def test_the_learners_usual_imports_work(booted):
    assert booted["missing"] == {}
    assert sorted(booted["fetched"]) == sorted(Path(f).name for f, _ in build.LAZY_ARCHIVES)
    assert isinstance(booted["random"], float) and booted["inv"] == [[0.5, 0.0], [0.0, 0.5]]
    assert booted["codecs"] == ["x", "a\n", "é"]


def test_the_clock_stands_still_while_a_lazy_archive_loads(booted):
    """The clock is told `True` and then `False` around each lazy load, never nested, and
    every archive is fetched while it stands still (the module's first import too)."""
    clock = booted["clock"]
    assert [loading for loading, _, _ in clock] == [True, False] * (len(clock) // 2)
    fetched_inside = sum(after - before for (_, _, before), (_, _, after) in zip(clock[::2], clock[1::2]))
    assert fetched_inside == len(booted["fetched"]) == len(build.LAZY_ARCHIVES)
    assert any(name == "numpy.random" for _, name, _ in clock)


def test_a_views_runs_equal_what_the_browsers_python_computes(booted):
    """The page takes a view's precomputed runs (CPython, at build time) as the runs and
    never asks Python for them again: the same core under Pyodide gives the same numbers."""
    view = json.loads((build.DIST / f"static/views/{VIEW}.json").read_text())
    assert len(view["runs"]) == len(booted["view_live"]) >= 4
    for early, live in zip(view["runs"], booted["view_live"]):
        for key in ("path", "loss"):
            a = np.array(early["run"][key], dtype=float)
            b = np.array(live[key], dtype=float)
            assert a.shape == b.shape, (early["spec"], key)
            # the views keep 6 significant digits: half a unit in the last is 5e-6
            np.testing.assert_allclose(a, b, rtol=5.1e-6, atol=1e-12, err_msg=str(early["spec"]))


def test_a_left_out_module_says_so(booted):
    assert set(booted["left_out"]) == {"xml.dom", "unittest", "tkinter", "numpy.fft"}
    assert all("in the browser leaves" in m for m in booted["left_out"].values())
