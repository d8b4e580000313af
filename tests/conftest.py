"""Fixtures shared by the browser tests (tests/e2e/, tests/engines/)."""

import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402


@pytest.fixture(scope="session")
def serve_dir():
    """serve(directory, csp) -> its URL on 127.0.0.1 (a free port), shut down at the end."""
    servers = []

    def serve(directory: Path, csp=None) -> str:
        server = build.make_server(0, directory, csp)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def lab_url(serve_dir):
    """The built lab (dist/, built first when stale) served with the lab's CSP."""
    if build.needs_build():
        build.build()
    return serve_dir(build.DIST, build.CSP)


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver for the whole run: its sync API cannot be started twice at
    once in one thread, and tests/e2e/ keeps its browser for the session while
    tests/engines/ opens one per module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
