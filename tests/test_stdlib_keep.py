"""The browser's stdlib as build.py promises it: every module of its allow-list (and of
the archive fetched on a learner's first import) is in the shipped zips as a .pyc, and
nothing left out is there."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402


def modules(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        return {build.stdlib_module(n.removesuffix("c")) for n in z.namelist() if n.endswith(".pyc")}


@pytest.fixture(scope="module")
def shipped():
    if build.needs_build():
        build.build()
    core = build.DIST / "pyodide/python_stdlib.zip"
    if not core.exists():
        pytest.skip("a --cdn build ships no stdlib")
    return modules(core), modules(build.DIST / build.LAZY_ARCHIVES[0][0])


def test_every_module_promised_is_shipped(shipped):
    core, more = shipped
    source = modules_in_source()
    promised = {m for m in build.STDLIB_KEEP if not m.endswith("/*") and m in source}
    assert promised - core == set()
    assert {m for m in source if build.stdlib_kept(m) and not build.stdlib_more(m.replace(".", "/") + ".py")} - core == set()
    assert {m for m in build.STDLIB_MORE if m in source} - more == set()


def test_the_learners_imports_are_shipped_or_builtin(shipped):
    core, more = shipped
    source = modules_in_source()
    assert [m for m in build.LEARNER_IMPORTS if m in source and m not in core | more] == []


def test_what_is_left_out_is_not_there(shipped):
    core, more = shipped
    for name in ("xml", "unittest", "http", "tkinter", "pydoc", "asyncio.windows_events", "encodings.idna"):
        assert name not in core | more


def modules_in_source() -> set[str]:
    with zipfile.ZipFile(build.PYODIDE / "python_stdlib.zip") as z:
        return {build.stdlib_module(n) for n in z.namelist() if n.endswith(".py")}
