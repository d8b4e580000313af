#!/usr/bin/env python3
"""Build, serve and test the Gradient Descent Lab.

    python3 build.py [build] [--cdn]     write dist/ (self-contained unless --cdn)
    python3 build.py serve [--port N]    build if needed, serve dist/ on 127.0.0.1
    python3 build.py test [pytest args]  install what is missing, build, run every test

dist/ holds the page, its modules, Plotly, the CodeMirror bundle, the Pyodide runtime,
numpy's wheel (from an npm package, checked by hash) and gdlab as a zip for the worker,
boot.json (the catalog) and views/ (each surface's and preset's first view), computed by
the same core in CPython, so a link draws before Python has started. The stdlib zip,
the wheel and gdlab.zip hold .pyc compiled by Pyodide's own Python 3.13 in node (no .py:
compiling source was most of Python's start-up), stored uncompressed so the server's
brotli/gzip packs them better.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DIST = Path(os.environ.get("GDLAB_DIST") or ROOT / "dist")   # another place for a side-by-side build
NODE = ROOT / "node_modules"
PYODIDE = NODE / "pyodide"
NUMPY_WHEEL = NODE / "@bentopdf/pymupdf-wasm/assets/numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl"
NUMPY_SHA256 = "125230b4c3ecd08803e5c43f1162e017c0718d9f253146225a705a952b9c16c2"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm")  # + the repacked stdlib zip
CDN = "https://cdn.jsdelivr.net/pyodide/v0.29.5/full/"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; worker-src 'self' blob:")
CHROMIUM = Path("/usr/bin/chromium")
CACHE = ROOT / ".cache" / "brotli"
PYC_CACHE = ROOT / ".cache" / "pyc"

COMPRESSIBLE = (".js", ".mjs", ".css", ".html", ".json", ".wasm", ".zip", ".whl")

sys.path.insert(0, str(ROOT / "py"))

try:  # brotli (what most static hosts send) when installed; gzip otherwise
    import brotli
except ImportError:
    brotli = None


def run(*cmd: str, **kw) -> None:
    subprocess.run(cmd, cwd=ROOT, check=True, **kw)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- set-up ------------------------------------------------------------------------

def ensure_npm() -> None:
    """npm ci when node_modules is missing or was installed from another lock file (by
    content: a fresh checkout's newer mtime alone must not wipe a good node_modules)."""
    stamp = NODE / ".gdlab-lock-sha256"
    want = sha256(ROOT / "package-lock.json")
    if not (NODE / ".package-lock.json").exists() or not stamp.exists() or stamp.read_text() != want:
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
        stamp.write_text(want)


def ensure_python_packages() -> None:
    """pip install the package with its test extra (torch, playwright, selenium,
    websockets) when missing."""
    code = "import gdlab.bridge, torch, playwright, pytest, brotli, selenium, websockets"
    if subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True).returncode:
        run(sys.executable, "-m", "pip", "install", "-q", "-e", ".[test]")


# The browsers of the tests, from Debian (no browser downloads): package -> a file it installs.
# Chromium is driven by Playwright, Firefox ESR over WebDriver BiDi, WebKitGTK by Selenium
# through WebKitWebDriver with its MiniBrowser, under an Xvfb (tests/engines/driver.py).
BROWSER_PACKAGES = {
    "chromium": [CHROMIUM],
    "firefox-esr": [Path("/usr/bin/firefox-esr")],
    "webkit2gtk-driver": [Path("/usr/bin/WebKitWebDriver"),   # depends on the browser, MiniBrowser with it
                          Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")],
    "xvfb": [Path("/usr/bin/Xvfb"), Path("/usr/bin/xvfb-run")],
}


def ensure_browsers() -> None:
    """One apt-get update and install of the browser packages that are missing."""
    missing = [pkg for pkg, paths in BROWSER_PACKAGES.items() if not all(p.exists() for p in paths)]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    run(*sudo, "apt-get", "update", "-qq", env=env)
    run(*sudo, "apt-get", "install", "-y", "-qq", *missing, env=env)


# --- build -------------------------------------------------------------------------

def copy_site() -> None:
    (DIST / "static/vendor").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "index.html", DIST / "index.html")
    for path in (ROOT / "static").rglob("*"):   # the modules in their folders, as in the source
        if path.suffix in (".js", ".css") and path.name != "editor-entry.js":
            (DIST / "static" / path.relative_to(ROOT / "static")).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, DIST / "static" / path.relative_to(ROOT / "static"))
    shutil.copy2(NODE / "plotly.js-cartesian-dist-min/plotly-cartesian.min.js",
                 DIST / "static/vendor/plotly.min.js")


# The page's own modules, bundled for the browser: one file per entry (main.js, and
# layout.js, which index.html runs first) and chunks for what they share or load later
# (the code pane), minified, with source maps. The sources stay small modules in static/
# (also copied, for tools that import one; chunks sit beside them, as py-worker.js is
# found from import.meta.url); one request instead of ~30 matters most on a
# course page whose four embeds share the six connections of HTTP/1.1: measured with
# bench/bench_page.py, their JavaScript came 0.5-1 s after one embed's.
PAGE_ENTRIES = ("main.js", "lab/layout.js")   # bundled to static/main.js and static/layout.js


def bundle_page() -> None:
    run(str(NODE / ".bin/esbuild"), *(f"static/{name}" for name in PAGE_ENTRIES), "--bundle",
        "--splitting", "--format=esm", "--minify", "--sourcemap", "--log-level=warning",
        "--external:./vendor/*", "--entry-names=[name]", "--chunk-names=[name]-[hash]",
        f"--outdir={DIST / 'static'}")
    # The chunks the entries import are preloaded with them, not found one round trip later.
    chunks = sorted({name for entry in PAGE_ENTRIES for name in
                     re.findall(r'(?:from|import)"\./(chunk-[A-Z0-9]+\.js)"', (DIST / "static" / entry).read_text())})
    html = DIST / "index.html"
    links = "".join(f'  <link rel="modulepreload" href="static/{name}">\n' for name in chunks)
    html.write_text(html.read_text().replace("  <!-- Layout first:", links + "  <!-- Layout first:", 1))


def bundle_editor() -> None:
    run(str(NODE / ".bin/esbuild"), "static/code/editor-entry.js", "--bundle", "--format=esm",
        "--minify", "--log-level=warning", f"--outfile={DIST / 'static/vendor/codemirror.js'}")
    for path in (DIST / "static/vendor").glob("*.js"):   # served as is by `serve`, not squeezed per request
        precompress(path)


# The browser's stdlib is an allow-list: the modules a cold start and the lab import,
# measured by `sys.modules` in Pyodide (node, tests/test_dist_python.py does the same run)
# after loadPyodide + loadPackage("numpy") + `import numpy` + gdlab's ops + a learner's
# program importing everything in LEARNER_IMPORTS; everything else in python_stdlib.zip
# (xml, http, urllib, unittest, sqlite3, argparse, pyodide.console / pyodide.http, and
# email but for its package, which importlib.metadata imports: so importlib.metadata
# lists distributions but cannot read their metadata, ...) is left out to save bytes, and
# importing it gives a clear ModuleNotFoundError (gdlab.stdlib_more). Packages are kept
# whole only where listed with "/*"; the encodings by ENCODINGS_KEPT. Measured on the
# build of 2026-11-29 (bench/bench_page.py --bytes-only, median of 3): a cold visit 9.20 ->
# 6.05 MB gzip -6 (6.76 -> 4.66 MB brotli); a learner's first import of a lazy archive's
# module costs its fetch and, for numpy.random, ~0.7-0.85 s of loading its shared
# libraries (60-80 ms before). tests/test_stdlib_keep.py checks that every name here is in
# the shipped zips; tests/test_dist_python.py imports LEARNER_IMPORTS in node.
LEARNER_IMPORTS = """math random itertools functools collections statistics json time re
    dataclasses typing fractions decimal copy string textwrap heapq bisect operator enum abc
    warnings traceback io contextlib datetime pprint numbers types inspect csv calendar uuid
    timeit queue weakref base64 hashlib struct array glob fnmatch shlex secrets""".split()
# fetched by the worker only when a learner first imports one of them (gdlab.stdlib_more)
STDLIB_MORE = set("statistics fractions pprint csv calendar uuid timeit queue shlex locale _strptime".split())
# the archives a cold visit does not fetch: (file in dist, module names it holds)
LAZY_ARCHIVES = [("static/python_stdlib_more.zip", sorted(STDLIB_MORE)), ("static/numpy_random.zip", ["numpy.random"])]
STDLIB_KEEP = (set(LEARNER_IMPORTS) - STDLIB_MORE) | set("""
    _pyodide/* pyodide pyodide._core pyodide._package_loader pyodide._run_js pyodide._state
    pyodide.code pyodide.common pyodide.ffi pyodide.ffi.wrappers pyodide.webloop
    __future__ _collections_abc _colorize _compat_pickle _compression _opcode_metadata
    _sitebuiltins _weakrefset ast asyncio bz2 codecs collections collections.abc
    concurrent concurrent.futures concurrent.futures._base contextvars copyreg ctypes
    ctypes._endian dis email encodings genericpath hmac importlib importlib._abc
    importlib._bootstrap importlib._bootstrap_external importlib.abc importlib.machinery
    importlib.metadata/* importlib.resources importlib.resources._common
    importlib.resources._functional importlib.resources.abc importlib.util json keyword linecache
    logging ntpath opcode os pathlib/* pickle platform posixpath re/* reprlib selectors shutil
    signal site socket stat subprocess tarfile tempfile threading token tokenize warnings
    zipfile zipfile._path zipfile._path.glob zipimport json.decoder json.encoder json.scanner""".split()) | {
    "asyncio." + m for m in """base_events base_futures base_subprocess base_tasks constants coroutines
    events exceptions format_helpers futures locks log mixins protocols queues runners
    selector_events sslproto staggered streams subprocess taskgroups tasks threads timeouts
    transports trsock unix_events""".split()}  # not windows_*, proactor_events, __main__
# utf-8, latin-1, ascii, utf-16/32 text needs no module here (CPython's own fast paths);
# cp437: zipfile's names; the escapes: bytes.decode("unicode_escape")
ENCODINGS_KEPT = {"__init__", "aliases", "utf_8", "ascii", "latin_1", "cp437", "raw_unicode_escape",
                  "unicode_escape"}


def stdlib_module(name: str) -> str:
    """The dotted module of a stdlib zip member ("a/b/__init__.py" -> "a.b")."""
    return name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def stdlib_kept(module: str) -> bool:
    parts = module.split(".")
    return module in STDLIB_KEEP or any(".".join(parts[:i]) + "/*" in STDLIB_KEEP
                                        for i in range(1, len(parts) + 1))


def stdlib_more(name: str) -> bool:
    return name.endswith(".py") and stdlib_module(name).split(".")[0] in STDLIB_MORE


def stdlib_unused(name: str) -> bool:
    if stdlib_more(name):
        return True  # in the second archive
    if name.startswith("encodings/") and name != "encodings/__init__.py":
        return name.split("/")[1].split(".")[0] not in ENCODINGS_KEPT
    return not name.endswith(".py") or not stdlib_kept(stdlib_module(name))


NUMPY_DROPPED = ("numpy/f2py/", "numpy/_pyinstaller/", "numpy/_core/include/", "numpy/doc/",
                 "numpy/fft/", "numpy/ma/", "numpy/polynomial/", "numpy/testing/", "numpy/typing/",
                 "numpy/compat/", "numpy/_core/lib/", "numpy/random/lib/", "numpy/random/_examples/", "numpy/ctypeslib.py",
                 "numpy/matlib.py", "numpy/conftest.py", "numpy/linalg/lapack_lite.",
                 "numpy/core/", "numpy/char/", "numpy/strings/", "numpy/_core/defchararray.py",
                 "numpy/_core/strings.py", "numpy/lib/recfunctions.py",
                 "numpy/lib/user_array.py", "numpy/lib/_user_array_impl.py")


def numpy_lazy(name: str) -> bool:
    """numpy.random: in its own archive, fetched on its first import (gdlab.stdlib_more)."""
    return name.startswith("numpy/random/") and not numpy_unused(name)


def numpy_unused(name: str) -> bool:
    """Type stubs, Cython headers, static libraries, build tools, tests, examples, and what the lab and
    a learner's usual numpy never import: numpy.fft / ma / polynomial / testing / typing /
    ctypeslib / matlib / lib.recfunctions / char / strings, numpy.core (numpy 1's name,
    deprecated), numpy.linalg.lapack_lite (only numpy's tests import it); np.poly1d,
    np.roots, np.linalg, np.random stay."""
    return (name.endswith((".pyi", ".pxd", ".a")) or "/tests/" in name
            or name.startswith(NUMPY_DROPPED))


# Where each archive's modules live in Pyodide's file system (their code objects'
# co_filename, as if compiled from source there).
STDLIB_PREFIX = "/lib/python313.zip/"
SITE_PREFIX = "/lib/python3.13/site-packages/"
GDLAB_PREFIX = "/home/pyodide/lib/"

# Run by Pyodide's own Python 3.13 in node: every .py member of /in.zip compiled to a
# sourceless .pyc (unchecked hash: valid without the source) in /out.zip. Compiled with
# optimize=2 (as `python -OO`): the stdlib, numpy and gdlab ship without docstrings and
# without asserts (the interpreter's own sys.flags.optimize stays 0). What reads
# __doc__ copes with None, but for numpy/_core/multiarray.py (DOCSTRINGS_NEEDED: its
# dispatchers' docstrings become the C functions' at import, optimize=1 there); numpy's
# docstrings of C objects go too (DOC_CALLS_DROPPED): np.linspace.__doc__ and
# np.sum.__doc__ are None; help() has no pydoc here anyway. The
# learner's own code is compiled in the browser at run time, so its asserts still run.
PYC_PY = """
import ast, importlib.util, types, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

def varint(out, v):
    while v >= 64:
        out.append(0x40 | (v & 63))
        v >>= 6
    out.append(v)

def lines_only(code, exact):
    # the same code with a line table of line numbers only (no columns: about a third of
    # a .pyc's gzip bytes); exact: co_lines() unchanged, else every instruction on the
    # first line of its function (the stdlib's and numpy's frames, which the learner's
    # tracebacks never show: another 15% of their bytes)
    units, out, prev, i = [p[0] for p in code.co_positions()], bytearray(), code.co_firstlineno, 0
    if not exact:
        units = [code.co_firstlineno] * len(units)
    while i < len(units):
        line, n = units[i], 1
        while i + n < len(units) and n < 8 and units[i + n] == line:
            n += 1
        if line is None:
            out.append(0x80 | 15 << 3 | n - 1)  # no location
        else:
            out.append(0x80 | 13 << 3 | n - 1)  # a line delta, no columns
            d = line - prev
            varint(out, (-d << 1) | 1 if d < 0 else d << 1)
            prev = line
        i += n
    consts = tuple(lines_only(c, exact) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    new = code.replace(co_linetable=bytes(out), co_consts=consts)
    assert not exact or list(new.co_lines()) == list(code.co_lines()), code.co_qualname
    return new

# gdlab keeps its exact lines (its own errors stay easy to place)
EXACT_LINES = "/home/pyodide/lib/"

# numpy's C functions take their docstrings from these modules' dispatchers at import
# (overrides.py: add_docstring(implementation, dispatcher.__doc__) needs a str)
DOCSTRINGS_NEEDED = {"numpy/_core/multiarray.py"}

# numpy's docstrings of its C objects: under -OO numpy's C add_docstring does nothing, so
# here, as the interpreter's own flag stays 0, these modules' top-level add_newdoc(...)
# calls are left out instead (~60 kB gzip; np.ndarray.__doc__, np.sum.__doc__ are None)
DOC_CALLS_DROPPED = {"numpy/_core/_add_newdocs.py", "numpy/_core/_add_newdocs_scalars.py"}

def without_doc_calls(src):
    tree = ast.parse(src)
    tree.body = [s for s in tree.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                 and getattr(s.value.func, "id", "") in ("add_newdoc", "add_newdoc_for_scalar_type"))]
    return tree

def compile_zip(prefix):
    with zipfile.ZipFile("/in.zip") as zin, zipfile.ZipFile("/out.zip", "w") as zout:
        for name in zin.namelist():
            src = zin.read(name)
            try:  # optimize=2: no docstrings, no asserts (see above)
                code = compile(without_doc_calls(src) if name in DOC_CALLS_DROPPED else src,
                               prefix + name, "exec", dont_inherit=True,
                               optimize=1 if name in DOCSTRINGS_NEEDED else 2)
            except SyntaxError:
                continue  # left as source
            zout.writestr(name[:-3] + ".pyc",
                          _code_to_hash_pyc(lines_only(code, prefix.startswith(EXACT_LINES)), importlib.util.source_hash(src), False))
"""
PYC_JS = """
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [dir, jobs] = process.argv.slice(-2);
const { loadPyodide } = await import(pathToFileURL(dir + "/pyodide.mjs").href);
const py = await loadPyodide({ indexURL: dir + "/" });
py.runPython(readFileSync(0, "utf8"));
for (const [src, dst, prefix] of JSON.parse(jobs)) {
  py.FS.writeFile("/in.zip", readFileSync(src));
  py.globals.get("compile_zip")(prefix);
  writeFileSync(dst, py.FS.readFile("/out.zip"));
}
"""


def read_members(src: Path, drop) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """The members kept, without the directory entries left empty (zipimport would import
    an empty directory as a namespace package: `import xml` must fail, not give nothing)."""
    with zipfile.ZipFile(src) as z:
        kept = [info for info in z.infolist() if not info.is_dir() and not drop(info.filename)]
        dirs = [info for info in z.infolist() if info.is_dir()
                and any(k.filename.startswith(info.filename) for k in kept)]
        return [(info, z.read(info)) for info in dirs + kept]


def pyc_jobs(jobs: list[tuple[list, str]]) -> list[dict[str, bytes]]:
    """For each (members, prefix): {name.py: .pyc bytes} made by Pyodide's Python in node,
    cached in .cache/pyc/ by the sources, the prefix, the interpreter and this code."""
    keys, todo = [], []
    for members, prefix in jobs:
        h = hashlib.sha256((PYC_PY + PYC_JS + prefix).encode() + sha256(PYODIDE / "pyodide.asm.wasm").encode())
        for info, data in members:
            if info.filename.endswith(".py"):
                h.update(info.filename.encode() + b"\0" + hashlib.sha256(data).digest())
        keys.append(PYC_CACHE / f"{h.hexdigest()}.zip")
        if not keys[-1].exists():
            todo.append((members, prefix, keys[-1]))
    if todo:
        compile_in_pyodide(todo)
    out = []
    for key in keys:
        with zipfile.ZipFile(key) as z:
            out.append({n[:-1]: z.read(n) for n in z.namelist()})  # "x.pyc" read under "x.py"
    return out


def compile_in_pyodide(todo) -> None:
    PYC_CACHE.mkdir(parents=True, exist_ok=True)
    args = []
    for i, (members, prefix, key) in enumerate(todo):
        src = PYC_CACHE / f"in-{i}.zip"
        with zipfile.ZipFile(src, "w") as z:
            for info, data in members:
                if info.filename.endswith(".py"):
                    z.writestr(info.filename, data)
        args.append([str(src), str(key) + ".part", prefix])
    subprocess.run(["node", "--input-type=module", "-e", PYC_JS, "--", str(PYODIDE), json.dumps(args)],
                   input=PYC_PY, text=True, cwd=ROOT, check=True)
    for src, part, _ in args:
        Path(part).rename(part.removesuffix(".part"))
        Path(src).unlink()


def write_stored(dst: Path, members, pyc: dict[str, bytes]) -> None:
    """The archive with its .py members replaced by their .pyc and every member stored
    uncompressed (the server's brotli/gzip of the whole file does better than per-member
    deflate); a wheel's RECORD lists what it now holds."""
    out = [(zipfile.ZipInfo(info.filename + "c", info.date_time), pyc[info.filename])
           if info.filename in pyc else (info, data) for info, data in members]
    out = [(info, rewrite_record(out) if info.filename.endswith(".dist-info/RECORD") else data)
           for info, data in out]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as z:
        for info, data in out:
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, data)


def rewrite_record(members) -> bytes:
    lines = []
    for info, data in members:
        if info.is_dir():
            continue
        if info.filename.endswith(".dist-info/RECORD"):
            lines.append(f"{info.filename},,\n")
        else:
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            lines.append(f"{info.filename},sha256={digest},{len(data)}\n")
    return "".join(lines).encode()


def python_archives(cdn: bool) -> list[tuple]:
    """(members, destination, co_filename prefix) of each archive the worker loads."""
    out = DIST / "pyodide"
    archives = [(gdlab_members(), DIST / "static/gdlab.zip", GDLAB_PREFIX)]
    if not cdn:
        archives += [(read_members(PYODIDE / "python_stdlib.zip", stdlib_unused), out / "python_stdlib.zip", STDLIB_PREFIX),
                     (read_members(NUMPY_WHEEL, lambda n: numpy_unused(n) or numpy_lazy(n)),
                      out / NUMPY_WHEEL.name, SITE_PREFIX)]
        # fetched on first import, unpacked into site-packages (gdlab.stdlib_more)
        archives += [(read_members(PYODIDE / "python_stdlib.zip", lambda n: not stdlib_more(n)),
                      DIST / LAZY_ARCHIVES[0][0], SITE_PREFIX),
                     (read_members(NUMPY_WHEEL, lambda n: not numpy_lazy(n)), DIST / LAZY_ARCHIVES[1][0], SITE_PREFIX)]
    return archives


def pack_python(cdn: bool) -> None:
    """gdlab, and unless --cdn the stdlib and numpy, as stored zips of .pyc."""
    archives = python_archives(cdn)
    for (members, dst, _), pyc in zip(archives, pyc_jobs([(m, prefix) for m, _, prefix in archives])):
        write_stored(dst, members, pyc)
        precompress(dst)


def copy_pyodide(cdn: bool) -> None:
    out = DIST / "pyodide"
    if cdn:
        (DIST / "static/config.js").write_text(f'export const PYODIDE_URL = "{CDN}";\nexport const LAZY_ARCHIVES = [];\n')
        return
    out.mkdir()
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE / name, out / name)
    if sha256(NUMPY_WHEEL) != NUMPY_SHA256:
        sys.exit(f"build: {NUMPY_WHEEL.name} does not have the expected sha256; refusing to ship it")
    precompress(out / "pyodide.asm.wasm")
    (DIST / "static/config.js").write_text('export const PYODIDE_URL = "../pyodide/";\n'
                                           "export const LAZY_ARCHIVES = " + json.dumps(
                                               [[Path(f).name, names] for f, names in LAZY_ARCHIVES]) + ";\n")


def write_lock() -> None:
    """pyodide-lock.json with the one package shipped, its sha256 that of the repacked wheel."""
    wheel = DIST / "pyodide" / NUMPY_WHEEL.name
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text())
    lock["packages"] = {"numpy": dict(lock["packages"]["numpy"], file_name=wheel.name, sha256=sha256(wheel))}
    (DIST / "pyodide/pyodide-lock.json").write_text(json.dumps(lock))


def precompress(path: Path) -> None:
    """path.br beside path: brotli at its best setting (slow, so cached by content in .cache/)."""
    if brotli is None:
        return
    cached = CACHE / f"{sha256(path)}.br"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(brotli.compress(path.read_bytes(), quality=11))
    shutil.copy2(cached, path.with_name(path.name + ".br"))


def gdlab_members() -> list[tuple[zipfile.ZipInfo, bytes]]:
    """gdlab's modules as zip members (compiled to .pyc-only: the learner's tracebacks
    show only frames of the learner's code, so gdlab's own source is not needed)."""
    return [(zipfile.ZipInfo(f"gdlab/{p.name}", (2020, 1, 1, 0, 0, 0)), p.read_bytes())
            for p in sorted((ROOT / "py/gdlab").glob("*.py"))]


def boot_data() -> dict:
    """The catalog (computed here in CPython) and the name of the home surface."""
    from gdlab.bridge import handle

    catalog = handle({"op": "catalog"})
    return {"catalog": catalog, "home": catalog["surfaces"][0]["name"]}


def write_views(home: str) -> None:
    """static/views/NAME.json: each surface's and preset's first view, so a link paints
    before Python starts (py/gdlab/views.py); home.json is the home surface's."""
    from gdlab.views import all_views

    out = DIST / "static/views"
    out.mkdir()
    views = all_views(home)
    views["home"] = views[f"surface-{home}"]
    for name, view in views.items():
        (out / f"{name}.json").write_text(json.dumps(view, allow_nan=False, separators=(",", ":")))


def build(cdn: bool = False) -> None:
    ensure_npm()
    if DIST.exists():
        shutil.rmtree(DIST)
    copy_site()
    bundle_page()
    bundle_editor()
    copy_pyodide(cdn)
    pack_python(cdn)
    if not cdn:
        write_lock()
    boot = boot_data()
    (DIST / "static/boot.json").write_text(json.dumps(boot, allow_nan=False, separators=(",", ":")))
    write_views(boot["home"])
    stamp_build()
    (DIST / ".built").write_text("")   # needs_build compares the sources with this
    print(f"build: wrote {DIST}/ ({'CDN' if cdn else 'self-contained'})")


def stamp_build() -> None:
    """A hash of the build (every file of dist/ but the page that carries it) in index.html's
    <meta name="gdlab-build">: the embeds name their SharedWorker with it, so a page of a new
    deployment never talks to the shared Python of an old one still alive in another tab
    (a SharedWorker is found by its origin, URL and name)."""
    h = hashlib.sha256()
    for path in sorted(p for p in DIST.rglob("*") if p.is_file()):
        rel = path.relative_to(DIST).as_posix()
        if rel in ("index.html", ".built"):
            continue
        h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    html = DIST / "index.html"
    meta = f'  <meta name="gdlab-build" content="{h.hexdigest()[:16]}">\n'
    html.write_text(html.read_text().replace('  <meta charset="utf-8">\n', '  <meta charset="utf-8">\n' + meta, 1))


def needs_build() -> bool:
    stamp = DIST / ".built"
    if not stamp.exists():
        return True
    built = stamp.stat().st_mtime
    sources = [ROOT / "index.html", ROOT / "build.py", *(ROOT / "static").rglob("*"),
               *(ROOT / "py/gdlab").glob("*.py")]
    return any(p.stat().st_mtime > built for p in sources)


# --- serve -------------------------------------------------------------------------

class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the lab's CSP, wasm MIME type, gzip and cache headers."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json",
                      ".whl": "application/zip", ".zip": "application/zip"}
    csp = CSP
    compressed: dict = {}

    def log_message(self, *args):  # quiet
        pass

    def end_headers(self):
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        long_lived = "/pyodide/" in self.path or "/vendor/" in self.path
        self.send_header("Cache-Control", "public, max-age=86400" if long_lived else "no-cache")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        accepted = self.headers.get("Accept-Encoding", "")
        coding = "br" if brotli and "br" in accepted else "gzip" if "gzip" in accepted else None
        if not (path.is_file() and path.suffix in COMPRESSIBLE and coding):
            return super().send_head()
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-{coding}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        key = (str(path), stat.st_mtime_ns, coding)
        ready = path.with_name(path.name + ".br")
        if coding == "br" and ready.exists():
            self.compressed[key] = ready.read_bytes()
        if key not in self.compressed:
            data = path.read_bytes()
            self.compressed[key] = brotli.compress(data, quality=9) if coding == "br" else gzip.compress(data, 6)
        body = self.compressed[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)   # a browser that hung up is no error


def make_server(port: int = 8000, directory: Path | None = None, csp: str | None = CSP):
    handler = type("LabHandler", (Handler,), {"csp": csp})
    return Server(("127.0.0.1", port), partial(handler, directory=str(directory or DIST)))


def serve(port: int) -> None:
    if needs_build():
        build()
    server = make_server(port)
    print(f"serving the lab on http://127.0.0.1:{server.server_port}/  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


# --- test --------------------------------------------------------------------------

def test(pytest_args: list[str]) -> int:
    ensure_npm()
    ensure_python_packages()
    ensure_browsers()
    build()
    return subprocess.run([sys.executable, "-m", "pytest", *(pytest_args or ["tests"])],
                          cwd=ROOT).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="build", choices=["build", "serve", "test"])
    parser.add_argument("--cdn", action="store_true", help="load Pyodide and numpy from the CDN")
    parser.add_argument("--port", type=int, default=8000)
    args, rest = parser.parse_known_args()
    if args.command == "test":
        return test(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "serve":
        serve(args.port)
    else:
        build(args.cdn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
