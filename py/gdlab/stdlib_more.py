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

SITE = "/lib/python3.13/site-packages"


class LazyArchives:
    def __init__(self, fetch: Callable[[str], bytes], archives):
        self.fetch = fetch
        self.todo = [(str(url), tuple(str(n) for n in names)) for url, names in archives]

    def find_spec(self, fullname, path=None, target=None):
        for i, (url, names) in enumerate(self.todo):
            if any(fullname == n or fullname.startswith(n + ".") for n in names):
                del self.todo[i]
                zipfile.ZipFile(io.BytesIO(bytes(self.fetch(url)))).extractall(SITE)
                importlib.invalidate_caches()  # the path finders cached the miss
                return importlib.util.find_spec(fullname)
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


def install(fetch: Callable[[str], bytes], archives) -> None:
    """Add the finder (once). ``archives``: (url, module names) of each lazy archive."""
    if not any(isinstance(f, LazyArchives) for f in sys.meta_path):
        sys.meta_path.append(LazyArchives(fetch, archives))
