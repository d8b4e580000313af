"""Surfaces with more than two weights show a slice (issue 18): the loss on the plane of
the run's two PCA directions, the path projected on it, a caption, and a click that sets
the start at the picked combination of the two directions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from conftest import wait_lab, wait_until

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "py"))

from gdlab.bridge import slice_op  # noqa: E402
from gdlab.surfaces import SURFACES  # noqa: E402

TRACE = """(name) => {
    const gd = document.getElementById('landscape');
    const t = (gd.data || []).find((d) => d.name === name);
    return t ? [Array.from(t.x), Array.from(t.y)] : null;
}"""
CONTOUR = """() => {
    const gd = document.getElementById('landscape-bg');
    const t = (gd.data || []).find((d) => d.type === 'contour');
    return t ? [Array.from(t.x), Array.from(t.y), t.z.map((r) => Array.from(r))] : null;
}"""


@pytest.mark.parametrize("query,surface", [("?surface=linreg", "linreg"),
                                           ("?preset=validation-rises", "overfit")])
def test_a_many_weight_surface_shows_its_slice_with_the_projected_path(page, lab_url, query, surface):
    page.goto(lab_url + query)
    wait_lab(page)
    land = page.locator("#landscape")
    wait_until(lambda: land.get_attribute("data-slice") == "pca" and land.get_attribute("data-surface") == surface,
               20, "the slice")
    caption = page.get_by_role("region", name="Loss landscape").locator(".slice-caption")
    assert caption.inner_text().startswith("PCA 1 and 2: ") and caption.inner_text().endswith("% of the path")
    # the core computes the same slice (CPython): grid and projected path, to the view's rounding
    state = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    s = SURFACES[surface]
    msg = {"surface": surface, "optimizer": state.get("optimizer", "sgd"), "lr": float(state.get("lr", s.lr)),
           "steps": int(state.get("steps", s.steps)),
           "start": [float(x) for x in state["start"].split(",")] if "start" in state else list(s.start)}
    for key in ("batch_size", "seed"):
        if key in state:
            msg[key] = int(state[key])
    want = slice_op(msg)
    x, y, z = wait_until(lambda: page.evaluate(CONTOUR), 20, "the slice's contour")
    np.testing.assert_allclose(x, want["alphas"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(y, want["betas"], rtol=1e-4, atol=1e-6)
    # the contour's z is the loss as the page plots it (over its minimum, log scaled): same lowest point
    z = np.array(z, dtype=float)
    assert np.unravel_index(np.nanargmin(z), z.shape) == np.unravel_index(np.nanargmin(want["loss"]), z.shape)
    px, py = wait_until(lambda: page.evaluate(TRACE, "path"), 20, "the path")
    assert len(px) > 2
    np.testing.assert_allclose(np.c_[px, py][[0, -1]], want["path_ab"][[0, -1]], atol=1e-4 * np.ptp(want["alphas"]))


def test_the_slice_follows_the_run_and_a_click_picks_a_start_in_d_weights(page, lab_url):
    page.goto(lab_url + "?surface=linreg")
    wait_lab(page)
    land = page.locator("#landscape")
    wait_until(lambda: land.get_attribute("data-slice") == "pca", 20, "the slice")
    before = page.evaluate(CONTOUR)[0]
    page.get_by_label("Learning rate value").fill("0.02")
    page.get_by_label("Learning rate value").press("Enter")
    # a slower run ends elsewhere: the plane through its end, and its grid, are new
    wait_until(lambda: page.evaluate(CONTOUR)[0] != before, 20, "the slice of the new run")
    box = page.evaluate("""() => {
        const gd = document.getElementById('landscape'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis._length * 0.25, r.top + fl.yaxis._offset + fl.yaxis._length * 0.25];
    }""")
    page.mouse.click(*box)
    start = lambda: page.get_by_label("Start").input_value()
    wait_until(lambda: len(start().split(",")) == 4 and start() != "0,0,0,0", 10, "a 4-weight start from the click")


def test_the_slice_controls_and_their_url_keys(page, lab_url):
    page.goto(lab_url + "?surface=linreg&slice=coords&axes=1,3")
    wait_lab(page)
    caption = page.locator("#slice-caption")
    wait_until(lambda: caption.inner_text() == "w1 and w3", 30, "the plane of weights 1 and 3")
    assert page.get_by_label("Slice", exact=True).input_value() == "coords"
    assert page.get_by_label("Axes").input_value() == "1,3"
    settings = page.locator("details", has=page.locator("#slice-fieldset"))
    if settings.get_attribute("open") is None:
        settings.locator("summary").click()
    page.get_by_label("Slice", exact=True).select_option("random")
    wait_until(lambda: caption.inner_text() == "random 1 and random 2", 30, "the random plane")
    href = lambda: page.evaluate("() => location.href")   # page.url follows replaceState only when events are pumped
    wait_until(lambda: "slice=random" in href() and "axes" not in href(), 10, "the URL to follow")
    page.get_by_label("Slice seed").fill("7")
    page.get_by_label("Slice seed").press("Enter")
    wait_until(lambda: "slice_seed=7" in href(), 10, "the seed in the URL")


def test_bad_slice_keys_are_named_and_ignored(page, lab_url):
    page.goto(lab_url + "?surface=linreg&slice=foo&axes=9,9&slice_at=middle")
    notice = page.locator("#notice")
    wait_until(lambda: "slice=foo" in notice.inner_text(), 20, "the notice")
    assert "axes=9,9" in notice.inner_text() and "slice_at=middle" in notice.inner_text()
    wait_until(lambda: page.locator("#landscape").get_attribute("data-slice") == "pca", 30, "the default slice")
    page.goto(lab_url + "?surface=bowl&slice=pca")
    wait_until(lambda: "only surfaces with more than two weights" in page.locator("#notice").inner_text(), 20,
               "the notice on a 2-D surface")
    assert page.locator("#slice-fieldset").is_hidden()


def test_the_loss_along_a_line_has_a_line_per_drawn_run(page, lab_url):
    page.goto(lab_url + "?surface=linreg")
    wait_lab(page)
    region = page.get_by_role("region", name="Loss along a line")
    lines = lambda: int(page.locator("#line-plot").get_attribute("data-lines") or 0)
    wait_until(lambda: region.is_visible() and lines() == 1, 20, "the live run's line")
    line = page.evaluate("""() => { const t = document.getElementById('line-plot').data[0];
        return [Array.from(t.x), Array.from(t.y)]; }""")
    t, loss = np.array(line[0]), np.array(line[1], dtype=float)
    assert t[0] == 0 and t[-1] == pytest.approx(1.5)
    # the loss at t = 0 and t = 1 is the run's first and last loss (the core's, in CPython)
    s = SURFACES["linreg"]
    want = slice_op({"surface": "linreg", "optimizer": "sgd", "lr": s.lr, "steps": s.steps, "start": list(s.start)})
    np.testing.assert_allclose(loss, want["line_loss"], rtol=1e-4)   # the view file keeps 5 digits
    page.get_by_role("button", name="Keep this run").click()
    page.get_by_label("Learning rate value").fill("0.02")
    page.get_by_label("Learning rate value").press("Enter")
    wait_until(lambda: lines() == 2, 30, "the kept run's line beside the live one")
    assert page.get_by_role("region", name="Loss along a line").is_visible()
    page.get_by_label("Surface", exact=True).select_option("bowl")
    wait_until(lambda: region.is_hidden(), 10, "no line view on a 2-D surface")
