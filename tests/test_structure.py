"""The core's shape: imports at the top, no import cycle, no data built at import time,
no function longer than about 80 lines."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "py" / "gdlab"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def _tree(name: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{name}.py").read_text(), filename=f"{name}.py")


def _package_imports(node: ast.AST) -> set[str]:
    """Modules of gdlab that one import statement names (relative or absolute)."""
    found = set()
    if isinstance(node, ast.ImportFrom):
        if node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif node.level == 1:  # from . import a, b
            found.update(a.name for a in node.names)
        elif node.module and node.module.split(".")[0] == "gdlab":
            parts = node.module.split(".")
            found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
    elif isinstance(node, ast.Import):
        for a in node.names:
            parts = a.name.split(".")
            if parts[0] == "gdlab" and len(parts) > 1:
                found.add(parts[1])
    return found & set(MODULES)


def import_graph() -> dict[str, set[str]]:
    return {m: set().union(*[_package_imports(n) for n in ast.walk(_tree(m))]) for m in MODULES}


def test_every_import_sits_at_the_top_of_its_module():
    inner = []
    for m in MODULES:
        tree = _tree(m)
        top = {id(n) for n in tree.body}
        inner += [f"{m}.py:{n.lineno}" for n in ast.walk(tree)
                  if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in top]
    assert inner == []


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m, path):
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in MODULES:
        if m not in state:
            visit(m, [m])


def test_surface_record_imports_nothing_from_the_package():
    assert import_graph()["surface"] == set()
    assert "surfaces" not in import_graph()["problems"]


def test_no_function_is_longer_than_about_80_lines():
    long = [f"{m}.{n.name} ({n.end_lineno - n.lineno + 1} lines)" for m in MODULES
            for n in ast.walk(_tree(m)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.end_lineno - n.lineno + 1 > 80]
    assert long == []


IMPORT_BUILDS_NOTHING = """
import gdlab.problems as problems
built = []
original = problems.DataProblem.__init__
def spy(self, *a, **k):
    built.append(a[0].shape if hasattr(a[0], 'shape') else len(a[0]))
    original(self, *a, **k)
problems.DataProblem.__init__ = spy
import gdlab, gdlab.lessons, gdlab.bridge, gdlab.__main__
from gdlab.lessons import LESSONS
from gdlab.surfaces import SURFACES
names = [(l.name, l.title, l.state, l.note) for l in LESSONS.values()]  # reading presets
assert list(SURFACES)  # listing names builds nothing either
print(len(built))
"""


def test_importing_the_package_and_the_presets_builds_no_data_set():
    """Data problems stay lazy: DataProblem (the one place rows become a problem) is never
    constructed by importing gdlab, its lessons, the bridge or the CLI."""
    out = subprocess.run([sys.executable, "-c", IMPORT_BUILDS_NOTHING], capture_output=True,
                         text=True, env={"PYTHONPATH": str(PACKAGE.parent)}, check=True)
    assert out.stdout.strip() == "0"


def test_a_broken_lessons_module_is_an_error_not_an_empty_catalog(monkeypatch):
    """The bridge imports the presets at the top: a broken lessons.py fails loudly."""
    code = ("import sys, types\nbad = types.ModuleType('gdlab.lessons')\n"
            "sys.modules['gdlab.lessons'] = bad\nimport gdlab.bridge\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(PACKAGE.parent)})
    assert out.returncode != 0 and "ImportError" in out.stderr
