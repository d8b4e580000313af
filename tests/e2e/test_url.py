"""Any view is a link: the query string sets every control, and every change rewrites it.

`?surface=...&optimizer=...&lr=...&steps=...&start=x,y&<hyperparameter keyword>=...&preset=...&embed=1`
Bad values never break the page: the lab keeps its defaults for them and says, as text,
what it ignored. Fixtures `page` and `lab_url` come from tests/e2e/conftest.py.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from test_page import close, open_lab, parsed_status, path, start_field, wait_until


def href(page) -> str:
    # location.href, not page.url: Playwright's page.url can lag behind history.replaceState.
    return page.evaluate("() => location.href")


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(href(page)).query, keep_blank_values=True).items()}


def controls(page) -> dict:
    label = page.get_by_label
    return {
        "surface": label("Surface", exact=True).input_value(),
        "optimizer": label("Optimizer", exact=True).input_value(),
        "lr": label("Learning rate value", exact=True).input_value(),
        "lr_text": label("Learning rate", exact=True).get_attribute("aria-valuetext"),
        "steps": label("Steps", exact=True).input_value(),
        "start": label("Start", exact=True).input_value(),
    }


def test_link_sets_every_control(page, lab_url):
    open_lab(page, lab_url, "?surface=bowl&optimizer=adam&lr=0.05&beta1=0.8&start=1,1")
    c = controls(page)
    assert c["surface"] == "bowl" and c["optimizer"] == "adam"
    assert float(c["lr"]) == 0.05 and c["lr_text"].split(" — ")[0] == "0.05"
    assert [float(v) for v in c["start"].split(",")] == [1.0, 1.0]
    assert float(page.get_by_label("beta1", exact=True).input_value()) == 0.8
    assert page.get_by_label("beta2", exact=True).is_visible()
    # The run uses them: it starts at (1, 1) and Adam's first step is lr·sign(g) per coordinate.
    p = wait_until(lambda: (q := path(page)) and len(q["x"]) > 2 and q, 20, "the path")
    assert [p["x"][0], p["y"][0]] == [1.0, 1.0]
    assert p["x"][1] == pytest.approx(0.95, abs=1e-6) and p["y"][1] == pytest.approx(0.95, abs=1e-6)
    # Nothing was ignored.
    assert page.locator("#notice").is_hidden()


def test_url_follows_every_change(page, lab_url):
    open_lab(page, lab_url, "?surface=bowl&optimizer=adam&lr=0.05&beta1=0.8&start=1,1")
    wait_until(lambda: query(page).get("beta1") == "0.8", 5, "the URL to keep beta1")

    page.get_by_label("beta1", exact=True).fill("0.7")
    page.get_by_label("beta1", exact=True).press("Enter")
    wait_until(lambda: query(page).get("beta1") == "0.7", 5, "beta1 in the URL")

    box = page.get_by_label("Learning rate value", exact=True)
    box.fill("0.2")
    box.press("Enter")
    wait_until(lambda: query(page).get("lr") == "0.2", 5, "lr in the URL")

    page.get_by_label("Steps", exact=True).fill("77")
    page.get_by_label("Steps", exact=True).press("Enter")
    wait_until(lambda: query(page).get("steps") == "77", 5, "steps in the URL")

    page.get_by_label("Optimizer", exact=True).select_option("sgd")
    wait_until(lambda: query(page).get("optimizer") == "sgd", 5, "the optimizer in the URL")
    assert "beta1" not in query(page)   # sgd has no beta1: its hyperparameters are its own

    # The link now reproduces the view.
    before = controls(page)
    wait_until(lambda: query(page).get("optimizer") == "sgd" and query(page).get("steps") == "77", 5, "the URL")
    page.goto(href(page))
    wait_until(lambda: controls(page) == before, 10, "the same controls after a reload")


def test_new_surface_brings_its_defaults(page, lab_url):
    open_lab(page, lab_url, "?surface=parabola")
    parabola = controls(page)
    page.goto(lab_url.split("?")[0] + "?surface=bowl&lr=0.05&start=1,1&steps=33")
    wait_until(lambda: controls(page)["surface"] == "bowl", 10, "bowl")
    assert controls(page)["steps"] == "33"
    page.get_by_label("Surface", exact=True).select_option("parabola")
    wait_until(lambda: controls(page)["surface"] == "parabola", 5, "parabola")
    now = controls(page)
    for key in ["lr", "steps", "start"]:
        assert now[key] == parabola[key], key
    # one read of the URL per poll: reading it twice raced with the page rewriting it
    wait_until(lambda: query(page).get("start", parabola["start"]) == parabola["start"], 5,
               "the URL to drop bowl's start")


@pytest.mark.parametrize("bad", [
    "surface=no-such-surface",
    "optimizer=zzz",
    "lr=-3",
    "lr=abc",
    "steps=2.5",
    "steps=1e9",
    "start=1",
    "start=a,b",
    "beta1=0.8",              # not a setting of the default optimizer
    "momentum=banana",
    "embed=maybe",
    "foo=%3Cb%3Ebold%3C%2Fb%3E",
])
def test_nonsense_gives_defaults_and_a_notice(page, lab_url, bad):
    open_lab(page, lab_url, "?surface=bowl")
    defaults = controls(page)
    page.goto(lab_url.split("?")[0] + "?surface=bowl&" + bad)
    notice = page.locator("#notice")
    wait_until(lambda: notice.is_visible(), 10, "a visible notice")
    key = bad.split("=")[0]
    text = notice.text_content()
    assert key in text, text
    assert notice.locator("*").count() == 0   # text only, never markup
    if key == "foo":
        assert "<b>bold</b>" in text
    wait_until(lambda: parsed_status(page), 20, "a run despite the bad link")
    now = controls(page)
    for k in ["surface", "optimizer", "lr", "steps", "start"]:
        assert now[k] == defaults[k], (bad, k)


def test_embed_drops_the_page_chrome(page, lab_url):
    open_lab(page, lab_url, "?surface=bowl&embed=1")
    assert page.get_by_role("heading", name="Gradient Descent Lab").is_hidden()
    assert page.get_by_role("region", name="Loss landscape").is_visible()
    page.get_by_text("Settings", exact=True).click()     # an embed keeps the pickers there
    page.get_by_label("Optimizer", exact=True).select_option("adam")
    wait_until(lambda: query(page).get("embed") == "1" and query(page).get("optimizer") == "adam", 5,
               "embed=1 kept in the URL")
