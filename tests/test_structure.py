"""The core's shape: imports at the top, no import cycle, no data built at import time,
no function longer than about 80 lines (in py/gdlab/ and in static/**/*.js)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "py" / "gdlab"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))
# The page's hand-written modules. The bundles (vendor/plotly.min.js, vendor/codemirror.js
# built from editor-entry.js) and config.js are written into dist/ by build.py, never here;
# there is no static/vendor/ in the source.
STATIC = PACKAGE.parents[1] / "static"
JS_FILES = sorted(STATIC.rglob("*.js"))


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


# After one of these (or at a file's start) a "/" opens a regex literal, else it divides.
REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of",
                                               "new", "delete", "void", "throw", "yield", "await"}
FUNCTION = re.compile(r"(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(")
WORD = re.compile(r"[\w$]+")
ARROW = re.compile(r"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?"
                   r"(?:\([^()]*\)|[A-Za-z_$][\w$]*)\s*=>\s*\{")


def js_functions(src: str) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of each named function in a module: `function NAME(`
    and `async function NAME(` (top-level or nested) from that line to its closing brace,
    and `const NAME = (...) => {` arrows. A small scanner: it skips strings, template
    literals (with their ${...}), comments and regex literals, and matches braces."""
    out, stack = [], []      # stack: "tmpl" (a ${), a (name, line) function body, or None
    pending = None           # (name, line, paren depth) of a function whose body comes next
    i, line, parens, last = 0, 1, 0, ""
    while i < len(src):
        c = src[i]
        if c == "\n":
            line += 1
        elif src.startswith("//", i):
            i = src.find("\n", i) % (len(src) + 1)   # -1 (no newline) -> the end
            continue
        elif src.startswith("/*", i):
            end = src.index("*/", i) + 2
            line, i = line + src.count("\n", i, end), end
            continue
        elif c in "'\"`" or (c == "/" and (last in REGEX_AFTER or last == "")):
            i, line = _skip_literal(src, i, line, stack)
            last = "x"
            continue
        elif c == "}" and stack and stack[-1] == "tmpl":   # back into the template literal
            stack.pop()
            i, line = _skip_literal(src, i, line, stack)
            continue
        elif c.isalpha() or c in "_$":
            word = WORD.match(src, i).group()
            m = (FUNCTION.match(src, i) if word in ("function", "async") else
                 ARROW.match(src, i) if word in ("const", "let", "var") else None)
            if m and m.group(0).endswith("{"):     # an arrow: its body brace is the match's end
                pending, i, c = (m.group(1), line, parens), m.end() - 1, "{"
                line += m.group(0).count("\n")
            elif m:
                pending = (m.group(1), line, parens)
            if c != "{":
                i, last = i + len(word), word
                continue
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            body = pending and parens == pending[2]
            stack.append(pending[:2] if body else None)
            pending = None if body else pending
        elif c == "}":
            top = stack.pop()
            if top:
                out.append((top[0], top[1], line))
        if not c.isspace():
            last = c
        i += 1
    if stack or parens or pending:
        raise ValueError(f"unbalanced braces or parentheses (scanner lost its place by line {line})")
    return out


def _skip_literal(src: str, i: int, line: int, stack: list) -> tuple[int, int]:
    """Past the string, regex or template literal (up to its next ${) starting at i; a } at i
    resumes a template literal after its ${...}."""
    quote = "`" if src[i] == "}" else src[i]
    i, in_class = i + 1, False
    while i < len(src):
        c = src[i]
        if c == "\\":
            line += src[i + 1] == "\n"
            i += 2
            continue
        line += c == "\n"
        if quote == "/" and c in "[]":
            in_class = c == "["
        elif c == quote and not in_class:
            if quote == "/":
                while i + 1 < len(src) and src[i + 1].isalpha():   # flags
                    i += 1
            return i + 1, line
        elif quote == "`" and src.startswith("${", i):
            stack.append("tmpl")
            return i + 2, line
        i += 1
    raise ValueError(f"unterminated {quote} literal")


def test_the_js_scanner_finds_functions_past_strings_regexes_and_templates():
    src = ("function a() {\n  const s = '}' + \"{\" + `${ {x: 1}.x }}`;\n  if (/[}{\"]/.test(s)) {}\n"
           "  async function b({ c } = {}) {\n    return 1 / 2 / 3;\n  }\n  // }\n}\n"
           "const d = async (e) => {\n  /* } */\n};\n")
    assert sorted(js_functions(src)) == [("a", 1, 8), ("b", 4, 6), ("d", 9, 11)]


def test_no_js_function_is_longer_than_about_80_lines():
    """As above for the page's modules: a nested function counts in its parent too."""
    long = [f"{p.name}:{name} ({end - start + 1} lines)" for p in JS_FILES
            for name, start, end in js_functions(p.read_text()) if end - start + 1 > 80]
    assert long == [], "\n".join(long)


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
