"""Browser tests: dist/ served on 127.0.0.1 with the lab's CSP, driven in Debian's Chromium.

Fixtures:
- ``lab_url``: the served lab (build.py builds dist/ first when it is stale).
- ``host_url``: examples/ served on another port, a cross-origin course page.
- ``page``: a fresh tab in a shared browser context (so the HTTP cache makes Python
  start faster after the first test). Console errors, uncaught exceptions and CSP
  violations fail the test; a test that provokes errors on purpose lists the texts it
  expects with ``page.expect_errors(*substrings)``.

``GDLAB_SHARED=0`` runs the suite as in an engine without SharedWorker (an init script
deletes it in every frame): embeds then keep a dedicated worker each, as a top-level
page does. The e2e suite passes both ways.

The page's CSP blocks string-evaluated waits (``wait_for_function("...")``): poll
from Python with ``wait_until`` instead.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

# Run as in an engine without SharedWorker (embeds keep a dedicated worker each).
SHARED_OFF = os.environ.get("GDLAB_SHARED") == "0"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def wait_until(fn, timeout: float = 20.0, what: str = "the condition", interval: float = 0.05):
    """Poll ``fn`` until it returns a truthy value; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except Exception as exc:  # the page may be between states
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def wait_lab(page, timeout: float = 90.0):
    """Python ready, then Plotly's figure up (body[data-plotly-ms]): the page fetches
    Plotly only once Python is ready, so a test that reads Plotly's graphs waits for both."""
    def python():
        state = page.evaluate("() => document.body.dataset.python || ''")
        assert state != "failed", page.locator("#python-state").text_content()
        return state == "ready"
    wait_until(python, timeout, "Python to be ready")
    wait_until(lambda: page.evaluate("() => document.body.dataset.plotlyMs"), 30, "Plotly's figure")


@pytest.fixture(scope="session")
def host_url(serve_dir):
    return serve_dir(ROOT / "examples")


@pytest.fixture(scope="session")
def browser(playwright_session):
    b = playwright_session.chromium.launch(executable_path=str(build.CHROMIUM), args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def shared_context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    if SHARED_OFF:
        ctx.add_init_script("delete window.SharedWorker;")
    yield ctx
    ctx.close()


@pytest.fixture
def page(shared_context):
    pg = shared_context.new_page()
    errors: list[str] = []
    expected: list[str] = []

    def on_console(msg):
        if msg.type == "error" or "Content Security Policy" in msg.text:
            errors.append(f"console {msg.type}: {msg.text}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    pg.expect_errors = lambda *texts: expected.extend(texts)
    pg.errors = errors
    yield pg
    try:  # tests share a context (and its HTTP cache); stored code edits must not leak
        pg.evaluate("() => localStorage.clear()")
    except Exception:
        pass
    pg.close()
    unexpected = [e for e in errors if not any(t in e for t in expected)]
    assert not unexpected, "the page reported errors:\n" + "\n".join(unexpected)
