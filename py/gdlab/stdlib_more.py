"""The browser's Python beyond what a cold start loads (installed by the worker).

build.py ships what Pyodide, numpy and the lab import at start-up; the other stdlib
modules a learner commonly imports (statistics, fractions, pprint, csv, ...) and
numpy.random (its shared libraries are a fifth of the bytes of a cold visit, and the lab
only needs it for mini-batches, datasets and random restarts) come in archives fetched
when one of their modules is first imported; the rest of the stdlib is left out to save
bytes. ``install`` puts a finder at the end of ``sys.meta_path`` that

- on the first import of a module of a lazy archive fetches it (``fetch(url)`` gives its
  bytes: a synchronous request, which a worker may make), unpacks it into ``SITE`` and
  lets the usual finders load the module (numpy.random's shared libraries are then
  loaded by Pyodide as the import needs them);
- tells the page's clock (``clock(loading, name)``) when such a load starts and ends: the
  fetch, the unpacking and the first import of the archive's module (its shared
  libraries) are the lab's work, not the learner's, and never count against a program's
  time limit;
- for any other stdlib module, or part of numpy (numpy.fft, numpy.ma, numpy.polynomial,
  numpy.testing, ...), that is not there, raises a ModuleNotFoundError saying that the
  lab's browser Python leaves it out.

Not used in CPython, where everything is present (the finder is never reached).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import sys
import zipfile
from collections.abc import Callable
from contextlib import contextmanager

SITE = "/lib/python3.13/site-packages"


class _LoadingLoader:
    """The loader of a module that a lazy archive brought: runs the module with the
    learner's clock paused (its first import loads the archive's shared libraries)."""

    def __init__(self, loader, paused):
        self._loader = loader
        self._paused = paused

    def create_module(self, spec):   # an extension module is loaded here
        with self._paused():
            return self._loader.create_module(spec)

    def exec_module(self, module):
        with self._paused():
            self._loader.exec_module(module)

    def __getattr__(self, name):   # get_resource_reader, is_package, ... as the real loader
        return getattr(self._loader, name)


class LazyArchives:
    def __init__(self, fetch: Callable[[str], bytes], archives, clock=None):
        self.fetch = fetch
        self.clock = clock
        self.depth = 0
        self.todo = [(str(url), tuple(str(n) for n in names)) for url, names in archives]

    @contextmanager
    def paused(self, name: str = ""):
        """The learner's clock stands still inside (nested uses count once)."""
        self.depth += 1
        if self.depth == 1 and self.clock is not None:
            self.clock(True, name)
        try:
            yield
        finally:
            self.depth -= 1
            if self.depth == 0 and self.clock is not None:
                self.clock(False, name)

    def find_spec(self, fullname, path=None, target=None):
        for i, (url, names) in enumerate(self.todo):
            if any(fullname == n or fullname.startswith(n + ".") for n in names):
                del self.todo[i]
                with self.paused(fullname):
                    zipfile.ZipFile(io.BytesIO(bytes(self.fetch(url)))).extractall(SITE)
                    importlib.invalidate_caches()  # the path finders cached the miss
                    spec = importlib.util.find_spec(fullname)
                if spec is not None and spec.loader is not None:
                    spec.loader = _LoadingLoader(spec.loader, lambda: self.paused(fullname))
                return spec
        top = fullname.partition(".")[0]
        if top == "numpy" and "numpy" in sys.modules:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the lab's numpy in the browser leaves it out to "
                "load faster (numpy.linalg and numpy.random are there)", name=fullname)
        if top in sys.stdlib_module_names and top not in sys.builtin_module_names:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the lab's Python in the browser leaves this "
                "part of the standard library out to load faster (numpy and the usual "
                "modules - math, random, statistics, json, ... - are there)", name=fullname)
        return None


def install(fetch: Callable[[str], bytes], archives, clock=None) -> None:
    """Add the finder (once). ``archives``: (url, module names) of each lazy archive;
    ``clock(loading: bool, module: str)`` is told when a lazy load starts and ends."""
    if not any(isinstance(f, LazyArchives) for f in sys.meta_path):
        sys.meta_path.append(LazyArchives(fetch, archives, clock))
