"""The browser's Python as shipped in dist/, booted in node from the dist's own files:
numpy loads without a word from Pyodide's package loader, and the stdlib, numpy and
gdlab are imported from the .pyc that build.py compiled with Pyodide's Python 3.13."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
py.runPython("import sys; sys.path.insert(0, '/home/pyodide/lib')");
py.pyimport("gdlab.stdlib_more").install((url) => { fetched.push(url.split("/").at(-1));
  return new Uint8Array(readFileSync(url)); }, py.toPy(lazy.map(([f, names]) => [dist + "/static/" + f, names])));
const out = py.runPython(`
import sys, json
import numpy, gdlab.bridge
answer = gdlab.bridge.handle_json(json.dumps({"op": "run", "surface": "bowl", "optimizer": "adam", "lr": 0.1}))
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
            "left_out": left_out, "random": float(rng.normal()), "codecs": codecs, "inv": np.linalg.inv(np.eye(2) * 2).tolist()})
`);
console.log(JSON.stringify({ stderr, fetched, packages: Object.keys(py.loadedPackages), ...JSON.parse(out) }));
"""


@pytest.fixture(scope="module")
def booted():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if build.needs_build():
        build.build()
    if not (build.DIST / "pyodide/pyodide.mjs").exists():
        pytest.skip("a --cdn build ships no Pyodide")
    proc = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, "--", " ".join(build.LEARNER_IMPORTS),
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


def test_a_left_out_module_says_so(booted):
    assert set(booted["left_out"]) == {"xml.dom", "unittest", "tkinter", "numpy.fft"}
    assert all("in the browser leaves" in m for m in booted["left_out"].values())
