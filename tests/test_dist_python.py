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
const out = py.runPython(`
import sys, json
sys.path.insert(0, "/home/pyodide/lib")
import numpy, gdlab.bridge
answer = gdlab.bridge.handle_json(json.dumps({"op": "run", "surface": "bowl", "optimizer": "adam", "lr": 0.1}))
json.dumps({"files": sorted(getattr(m, "__file__", None) or "" for m in list(sys.modules.values())),
            "ok": "error" not in json.loads(answer[0])})
`);
console.log(JSON.stringify({ stderr, packages: Object.keys(py.loadedPackages), ...JSON.parse(out) }));
"""


@pytest.fixture(scope="module")
def booted():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if build.needs_build():
        build.build()
    if not (build.DIST / "pyodide/pyodide.mjs").exists():
        pytest.skip("a --cdn build ships no Pyodide")
    proc = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, "--", str(build.DIST)],
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
