"""axe-core (from node_modules) on the main view, a preset with its results, an embed
and a one-slider embed (controls=lr):
no serious or critical accessibility violations. axe is injected as an inline script,
so this context bypasses the page's CSP (every other test runs under it)."""

import re

import pytest

from conftest import ROOT, wait_lab, wait_until

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(browser):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.mark.parametrize("query", ["", "?preset=rosenbrock-shootout", "?embed=1&preset=bowl-thresholds",
                                   "?embed=1&controls=lr&preset=watch-a-parameter-move"])
def test_no_serious_or_critical_violations(axe_page, lab_url, query):
    page = axe_page
    page.goto(lab_url + query)
    wait_lab(page)
    wait_until(lambda: re.match(r"step \d+ ", page.get_by_role("status").first.inner_text()), 60, "a run")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                           ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,"
                           " target: v.nodes[0] && v.nodes[0].target.join(' ')}))")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, bad
