"""The cross-engine flows: the same tests in Chromium, Firefox ESR and WebKitGTK.

Fixtures:
- ``engine`` (module scope, parametrised over driver.ENGINES): one browser per engine
  per module; a test's id carries the engine (``-k firefox`` runs one engine alone).
- ``lab``: a fresh tab (Chromium: a context; Firefox: a BiDi tab; WebKit: the session's
  one window) as a ``driver.Driver``. Errors the page reports (uncaught errors, rejected
  promises, CSP violations; console errors where the engine reports them) fail the test
  unless it expects them with ``lab.expect_errors(*substrings)``.
- ``lab_url``: dist/ served on 127.0.0.1 with the lab's CSP, as in tests/e2e/.
- ``host_url``: tests/engines/host/ served on another port (another origin), no CSP.

Every wait is on a state the page shows (body[data-python], the status line, the URL,
the output), never a fixed sleep.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from . import driver as drivers  # noqa: E402

SHOTS = ROOT / "test-results"


@pytest.fixture(scope="session")
def host_url(serve_dir):
    return serve_dir(Path(__file__).resolve().parent / "host")


@pytest.fixture(scope="module")
def chromium(playwright_session):
    """A plain Chromium for the modules of one engine's own (throttled, touch)."""
    if missing("chromium"):
        pytest.skip(missing("chromium"))
    browser = playwright_session.chromium.launch(executable_path=str(drivers.CHROMIUM), args=drivers.CHROMIUM_ARGS)
    yield browser
    browser.close()


def missing(engine: str) -> str | None:
    absent = [str(p) for p in drivers.MISSING[engine] if not p.exists()]
    return f"{engine}: not installed ({', '.join(absent)}); `python3 build.py test` installs it" if absent else None


class Engine:
    """The module's browser of one engine, and how to open a tab in it."""

    def __init__(self, name: str, playwright=None):
        self.name = name
        if name == "chromium":
            self.browser = playwright.chromium.launch(executable_path=str(drivers.CHROMIUM),
                                                      args=drivers.CHROMIUM_ARGS)
        elif name == "firefox":
            self.browser = drivers.FirefoxBrowser()
        else:
            self.browser = drivers.WebKitBrowser()

    def open(self, viewport=(1280, 900), **chromium_options) -> drivers.Driver:
        if self.name == "chromium":
            return drivers.PlaywrightDriver(self.browser, viewport, **chromium_options)
        if self.name == "firefox":
            return drivers.BidiDriver(self.browser, viewport)
        return drivers.SeleniumDriver(self.browser, viewport)

    def close(self):
        if self.name == "chromium":
            self.browser.close()
        else:
            self.browser.quit()


@pytest.fixture(scope="module", params=drivers.ENGINES)
def engine(request, playwright_session):
    reason = missing(request.param)
    if reason:
        pytest.skip(reason)
    eng = Engine(request.param, playwright_session if request.param == "chromium" else None)
    yield eng
    eng.close()


def checked(drv: drivers.Driver, request):
    """Yield the driver; after the test, fail on errors it did not expect, and keep a
    screenshot of a failed test in test-results/."""
    expected: list[str] = []
    drv.expect_errors = lambda *texts: expected.extend(texts)
    yield drv
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SHOTS.mkdir(exist_ok=True)
        try:
            drv.screenshot(SHOTS / f"engines-{request.node.name}.png".replace("/", "_"))
        except Exception:
            pass
    errors = [e for e in drv.errors() if not any(t in e for t in expected)]
    try:
        drv.js("() => { localStorage.clear(); return true; }")   # stored code edits must not leak
    except Exception:
        pass
    drv.close()
    assert not errors, f"[{drv.name}] the page reported errors:\n" + "\n".join(errors)


@pytest.fixture
def lab(engine, request):
    yield from checked(engine.open(), request)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call = rep
