"""The browser's standard library beyond what a cold start loads (installed by the worker).

build.py ships the stdlib modules that Pyodide, numpy and the lab import at start-up in
python_stdlib.zip, the other modules a learner commonly imports (statistics, fractions,
pprint, csv, ...) in a second archive that is fetched only when one of them is first
imported, and leaves the rest of the stdlib out to save bytes. ``install`` puts a finder
at the end of ``sys.meta_path`` that

- on the first import of a module of the second archive fetches it (``fetch(url)`` gives
  its bytes; a synchronous request, which a worker may make), puts it on ``sys.path``
  and lets the usual zip importer load the module;
- for any other stdlib module that is not there, raises a ModuleNotFoundError saying
  that the lab's browser Python leaves it out.

Not used in CPython, where the whole stdlib is present (the finder is never reached).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable

ARCHIVE = "/lib/python_stdlib_more.zip"


class StdlibMore:
    def __init__(self, fetch: Callable[[str], bytes], url: str, names: frozenset[str]):
        self.fetch, self.url, self.names, self.loaded = fetch, url, names, False

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.names and not self.loaded:
            self.loaded = True
            with open(ARCHIVE, "wb") as f:
                f.write(bytes(self.fetch(self.url)))
            sys.path.append(ARCHIVE)
            importlib.invalidate_caches()
            return importlib.util.find_spec(fullname)
        if top in sys.stdlib_module_names and top not in sys.builtin_module_names:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the lab's Python in the browser leaves this "
                "part of the standard library out to load faster (numpy and the usual "
                "modules - math, random, statistics, json, ... - are there)", name=fullname)
        return None


def install(fetch: Callable[[str], bytes], url: str, names) -> None:
    """Add the finder (once): ``names`` are the top-level modules of the archive at ``url``."""
    if not any(isinstance(f, StdlibMore) for f in sys.meta_path):
        sys.meta_path.append(StdlibMore(fetch, url, frozenset(names)))
