"""Run a script of the page's ES modules in node: the last line it prints, as JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(script: str, *modules: str):
    """`script` (an ES module) gets the file URLs of `modules` (paths under the repo) as its
    last arguments; node missing skips the test."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    proc = subprocess.run(["node", "--input-type=module", "-e", script, "--",
                           *((ROOT / m).as_uri() for m in modules)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
