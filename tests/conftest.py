"""Fixtures shared by the browser tests (tests/e2e/, tests/engines/)."""

import pytest


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver for the whole run: its sync API cannot be started twice at
    once in one thread, and tests/e2e/ keeps its browser for the session while
    tests/engines/ opens one per module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
