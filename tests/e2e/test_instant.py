"""Links and embeds paint from the views computed at build time, before Python is ready,
and what they paint is what Python computes once it is."""

import numpy as np
import pytest

from conftest import wait_until

LINKS = [
    ("?preset=rosenbrock-shootout", 4),
    ("?surface=himmelblau&optimizer=adam", 1),
    ("?embed=1&preset=watch-a-parameter-move", 1),
    ("?preset=bowl-thresholds", 8),
]


def drawn(page):
    """The run traces of both plots, by name: their x and y."""
    return page.evaluate("""() => ['landscape', 'curve'].map((id) =>
        Object.fromEntries((document.getElementById(id).data || [])
          .filter((t) => t.legendgroup && !t.name.endsWith('(now)') && !/validation\\)?$/.test(t.name))
          .map((t) => [t.name, [Array.from(t.x), Array.from(t.y)]])))""")


def held_python(page):
    """Hold Pyodide's WebAssembly: Python cannot become ready while the test looks."""
    page.route("**/pyodide.asm.wasm*", lambda route: None)


@pytest.mark.parametrize("query,runs", LINKS)
def test_a_link_paints_its_runs_before_python_is_ready(page, lab_url, query, runs):
    held_python(page)
    page.goto(lab_url + query)
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.drawn") == str(runs),
               30, f"{runs} precomputed runs drawn")
    landscape, curve = drawn(page)
    assert len(landscape) == runs and len(curve) == runs and "path" in landscape
    assert all(len(x) > 1 for x, _ in landscape.values())
    assert page.evaluate("() => document.body.dataset.python") != "ready"
    assert page.evaluate("() => document.getElementById('runs').dataset.pending") == str(runs)
    assert page.get_by_role("status").first.inner_text().startswith("step ")


@pytest.mark.parametrize("query,runs", LINKS[:2])
def test_the_precomputed_runs_equal_the_live_ones(browser, lab_url, query, runs):
    early_page = browser.new_page()
    held_python(early_page)
    early_page.goto(lab_url + query)
    wait_until(lambda: early_page.evaluate("() => document.getElementById('runs').dataset.drawn") == str(runs),
               30, "the precomputed runs")
    early = drawn(early_page)
    early_page.close()
    live_page = browser.new_page()
    live_page.goto(lab_url + query)
    wait_until(lambda: live_page.evaluate("() => document.body.dataset.python") == "ready", 90, "Python")
    wait_until(lambda: "computing" not in live_page.get_by_role("table", name="Runs").inner_text()
               and live_page.evaluate("() => document.getElementById('runs').dataset.drawn") == str(runs)
               and live_page.evaluate("() => document.getElementById('runs').dataset.pending") == "0", 60,
               "the live runs")
    live = drawn(live_page)
    live_page.close()
    for e, l in zip(early, live):
        assert e.keys() == l.keys()
        for name in e:
            for a, b in zip(e[name], l[name]):
                assert len(a) == len(b), name
                # the views keep 6 significant digits: half a unit in the last is 5e-6
                np.testing.assert_allclose(a, b, rtol=5.1e-6, atol=1e-12, err_msg=name)
