#!/usr/bin/env python3
"""Build, serve and test the Gradient Descent Lab.

    python3 build.py [build] [--cdn]     write dist/ (self-contained unless --cdn)
    python3 build.py serve [--port N]    build if needed, serve dist/ on 127.0.0.1
    python3 build.py test [pytest args]  install what is missing, build, run every test

dist/ holds the page, its modules, Plotly, the CodeMirror bundle, the Pyodide runtime,
numpy's wheel (from an npm package, checked by hash, repacked deflated), the gdlab
sources as a zip for the worker, and boot.json: the catalog and the home view computed
by the same core in CPython, so the page draws before Python has started.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"
NODE = ROOT / "node_modules"
PYODIDE = NODE / "pyodide"
NUMPY_WHEEL = NODE / "@bentopdf/pymupdf-wasm/assets/numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl"
NUMPY_SHA256 = "125230b4c3ecd08803e5c43f1162e017c0718d9f253146225a705a952b9c16c2"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
CDN = "https://cdn.jsdelivr.net/pyodide/v0.29.5/full/"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; worker-src 'self' blob:")
CHROMIUM = Path("/usr/bin/chromium")
CACHE = ROOT / ".cache" / "brotli"

COMPRESSIBLE = (".js", ".mjs", ".css", ".html", ".json", ".wasm", ".zip")

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
    """npm ci when node_modules is missing or older than the lock file."""
    stamp = NODE / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "package-lock.json").stat().st_mtime:
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")


def ensure_python_packages() -> None:
    """pip install the package with its test extra (torch, playwright) when missing."""
    code = "import gdlab.bridge, torch, playwright, pytest, brotli"
    if subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True).returncode:
        run(sys.executable, "-m", "pip", "install", "-q", "-e", ".[test]")


def ensure_chromium() -> None:
    """Debian's Chromium for the browser tests (Playwright cannot download one here)."""
    if CHROMIUM.exists():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    run(*sudo, "apt-get", "update", "-qq", env=env)
    run(*sudo, "apt-get", "install", "-y", "-qq", "chromium", env=env)


# --- build -------------------------------------------------------------------------

def copy_site() -> None:
    (DIST / "static/vendor").mkdir(parents=True)
    shutil.copy2(ROOT / "index.html", DIST / "index.html")
    for path in (ROOT / "static").iterdir():
        if path.suffix in (".js", ".css") and path.name != "editor-entry.js":
            shutil.copy2(path, DIST / "static" / path.name)
    shutil.copy2(NODE / "plotly.js-cartesian-dist-min/plotly-cartesian.min.js",
                 DIST / "static/vendor/plotly.min.js")


def bundle_editor() -> None:
    run(str(NODE / ".bin/esbuild"), "static/editor-entry.js", "--bundle", "--format=esm",
        "--minify", "--log-level=warning", f"--outfile={DIST / 'static/vendor/codemirror.js'}")


# What the lab never imports: left out of the browser's stdlib and numpy to save bytes.
STDLIB_UNUSED = set("""unittest xml xmlrpc http multiprocessing _pyrepl pydoc pydoc_data
    doctest pdb tkinter turtledemo idlelib ensurepip venv lib2to3 wsgiref sqlite3 curses dbm
    tomllib mailbox imaplib smtplib ftplib nntplib poplib telnetlib turtle pickletools _pyio
    difflib tarfile zipapp cProfile profile pstats trace tabnanny pyclbr webbrowser
    antigravity this __hello__""".split())
ENCODINGS_KEPT = {"__init__", "aliases", "utf_8", "utf_8_sig", "ascii", "latin_1", "idna",
                  "cp1252", "cp437", "raw_unicode_escape", "unicode_escape", "utf_16", "utf_32", "charmap"}


def stdlib_unused(name: str) -> bool:
    top = name.split("/")[0].removesuffix(".py")
    if top == "encodings" and "/" in name:
        return name.split("/")[1].split(".")[0] not in ENCODINGS_KEPT
    return top in STDLIB_UNUSED


def numpy_unused(name: str) -> bool:
    """Type stubs, build tools, tests and the lazily imported numpy.fft / numpy.ma /
    numpy.polynomial (the lab uses none of them; np.poly1d and np.roots stay)."""
    return (name.endswith(".pyi") or "/tests/" in name or name.startswith((
        "numpy/f2py/", "numpy/_pyinstaller/", "numpy/_core/include/", "numpy/doc/",
        "numpy/fft/", "numpy/ma/", "numpy/polynomial/")))


def repack_deflated(src: Path, dst: Path, drop=lambda name: False) -> None:
    """The same archive with its members deflated and the unused ones left out (a wheel's
    RECORD loses their lines; the others' hashes cover contents, not compression)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if drop(info.filename):
                continue
            data = zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                data = b"".join(line for line in data.splitlines(True)
                                if not drop(line.split(b",")[0].decode()))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def copy_pyodide(cdn: bool) -> None:
    out = DIST / "pyodide"
    if cdn:
        (DIST / "static/config.js").write_text(f'export const PYODIDE_URL = "{CDN}";\n')
        return
    out.mkdir()
    for name in PYODIDE_FILES:
        if name == "python_stdlib.zip":
            repack_deflated(PYODIDE / name, out / name, stdlib_unused)
        else:
            shutil.copy2(PYODIDE / name, out / name)
    if sha256(NUMPY_WHEEL) != NUMPY_SHA256:
        sys.exit(f"build: {NUMPY_WHEEL.name} does not have the expected sha256; refusing to ship it")
    precompress(out / "pyodide.asm.wasm")
    wheel = out / NUMPY_WHEEL.name
    repack_deflated(NUMPY_WHEEL, wheel, numpy_unused)
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text())
    entry = dict(lock["packages"]["numpy"], file_name=wheel.name, sha256=sha256(wheel))
    lock["packages"] = {"numpy": entry}
    (out / "pyodide-lock.json").write_text(json.dumps(lock))
    (DIST / "static/config.js").write_text('export const PYODIDE_URL = "../pyodide/";\n')


def precompress(path: Path) -> None:
    """path.br beside path: brotli at its best setting (slow, so cached by content in .cache/)."""
    if brotli is None:
        return
    cached = CACHE / f"{sha256(path)}.br"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(brotli.compress(path.read_bytes(), quality=11))
    shutil.copy2(cached, path.with_name(path.name + ".br"))


def pack_gdlab() -> None:
    with zipfile.ZipFile(DIST / "static/gdlab.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted((ROOT / "py/gdlab").glob("*.py")):
            z.write(path, f"gdlab/{path.name}")


def boot_data() -> dict:
    """The catalog and the home view at every notch of its learning-rate slider
    (gdlab.limits.slider_lrs: the page's notches exactly), computed here in CPython."""
    import numpy as np
    from gdlab.bridge import handle
    from gdlab.limits import slider_lrs
    from gdlab.surfaces import get_surface

    def plain(value):
        if isinstance(value, np.ndarray):
            return plain(value.tolist())
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, float) and not np.isfinite(value):
            return None
        return value

    catalog = handle({"op": "catalog"})
    home = catalog["surfaces"][0]
    lrs = slider_lrs(get_surface(home["name"]))
    runs = [handle({"op": "run", "surface": home["name"], "optimizer": "sgd", "lr": lr})
            for lr in lrs]
    landscape = handle({"op": "landscape", "surface": home["name"]})
    program = handle({"op": "program", "surface": home["name"]})  # the code pane before Python
    return plain({"catalog": catalog, "home": {"surface": home["name"], "landscape": landscape,
                                               "lrs": lrs, "runs": runs, "program": program}})


def build(cdn: bool = False) -> None:
    ensure_npm()
    if DIST.exists():
        shutil.rmtree(DIST)
    copy_site()
    bundle_editor()
    copy_pyodide(cdn)
    pack_gdlab()
    (DIST / "static/boot.json").write_text(json.dumps(boot_data(), allow_nan=False,
                                                      separators=(",", ":")))
    print(f"build: wrote {DIST.relative_to(ROOT)}/ ({'CDN' if cdn else 'self-contained'})")


def needs_build() -> bool:
    if not (DIST / "index.html").exists():
        return True
    built = (DIST / "index.html").stat().st_mtime
    sources = [ROOT / "index.html", ROOT / "build.py", *(ROOT / "static").iterdir(),
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


def make_server(port: int = 8000, directory: Path = DIST, csp: str | None = CSP):
    handler = type("LabHandler", (Handler,), {"csp": csp})
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(directory)))


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
    ensure_chromium()
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
