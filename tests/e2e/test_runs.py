"""Several runs on one view: comparing presets draw every run, the learner keeps runs,
the Runs table, Play/Step/Reset for all runs, and the exports (CSV, PNG, notebook)."""

import csv
import io
import json
import math
import struct
import zlib

import numpy as np
import pytest

from conftest import ROOT, wait_lab, wait_until

from gdlab.bridge import handle

SHOOTOUT = "rosenbrock-shootout"


def ready(page, timeout=90.0):
    wait_lab(page, timeout)


def traces(page, div):
    return page.evaluate(f"""() => (document.getElementById('{div}').data || [])
        .map((t) => ({{name: t.name, n: (t.x || []).length, x: Array.from(t.x || []),
                       y: Array.from(t.y || []), group: t.legendgroup || null,
                       opacity: t.opacity, color: t.line ? t.line.color : null}}))""")


def paths(page, div):
    """The run traces of a plot: one per run (its path), by trace name."""
    return {t["name"]: t for t in traces(page, div) if t["group"]
            and not t["name"].endswith(("(now)", "validation)")) and t["name"] != "validation"}


def table_rows(page):
    table = page.get_by_role("table", name="Runs")
    rows = table.locator("tbody tr")
    out = {}
    for i in range(rows.count()):
        cells = [c.inner_text().strip() for c in rows.nth(i).locator("th, td").all()]
        out[cells[0]] = cells[1:]
    return out


def computed(page, n):
    wait_until(lambda: len(table_rows(page)) == n and "computing" not in
               page.get_by_role("table", name="Runs").inner_text(), 90, f"{n} computed runs")
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.drawn") == str(n), 30,
               f"{n} runs drawn")
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.pending") == "0", 60,
               "Python's numbers for every run")


def close(cell: str, ref) -> bool:
    if ref is None:
        return cell == "–"
    if isinstance(ref, str):
        return cell.startswith(ref)
    return math.isclose(float(cell), ref, rel_tol=2e-3, abs_tol=1e-12)


def test_the_shootout_draws_its_four_runs_with_the_numbers_of_gdlab_compare(page, lab_url):
    page.goto(f"{lab_url}?preset={SHOOTOUT}")
    ready(page)
    computed(page, 4)
    for div in ("landscape", "curve"):
        named = paths(page, div)
        assert len(named) == 4, named.keys()
        assert "path" in named                                  # the live run keeps its name
        assert {"SGD", "Adam", "Adam lr 0.05"} <= set(named)
        assert all(t["n"] == 5001 for t in named.values())
        assert len({t["color"] for t in named.values()}) == 4
    from gdlab.lessons import LESSONS
    runs = [dict(r) for r in LESSONS[SHOOTOUT].compare]
    ref = {r["label"]: r for r in handle({"op": "compare", "runs": runs})["runs"]}
    rows = table_rows(page)
    assert set(rows) == set(ref)
    for label, r in ref.items():
        opt, lr, status, final, steps, dist, length = rows[label]
        assert opt == r["optimizer"] and float(lr) == r["lr_base"] and status == r["status"]
        assert close(final, r["final_loss"]) and close(dist, r["distance_to_min"])
        assert close(length, r["path_length"]) and close(steps, r["steps_to_tol"])


def test_play_step_and_reset_move_every_run_together(page, lab_url):
    page.goto(f"{lab_url}?preset=bowl-momentum")
    ready(page)
    n = len(LESSON_RUNS("bowl-momentum"))
    computed(page, n)
    ends = lambda: [t for t in traces(page, "landscape") if t["name"].endswith("(now)")]
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_until(lambda: all(t["x"] == [3.0] for t in ends()), 10, "every dot at the start")
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: all(t["x"] and t["x"] != [3.0] for t in ends()), 10, "every dot to move")
    for t in paths(page, "curve").values():
        assert t["n"] == 3                                      # steps 0, 1, 2 of every run
    page.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: page.get_by_role("button", name="Play", exact=True).count() == 1, 30, "the play to end")
    assert all(t["n"] == 101 for t in paths(page, "curve").values())


def LESSON_RUNS(name):
    from gdlab.lessons import LESSONS
    return LESSONS[name].compare


def test_a_kept_run_stays_beside_the_live_one_and_survives_a_reload(page, lab_url):
    page.goto(f"{lab_url}?surface=bowl&optimizer=sgd&lr=0.05")
    ready(page)
    computed(page, 1)
    page.get_by_role("button", name="Keep this run").click()
    page.get_by_label("Learning rate value").fill("0.2")
    page.get_by_label("Learning rate value").press("Enter")
    computed(page, 2)
    named = paths(page, "landscape")
    assert "path" in named and any(k.startswith("kept:") for k in named)
    kept = next(t for k, t in named.items() if k.startswith("kept:"))
    live = named["path"]
    assert kept["x"] != live["x"]
    href = lambda: page.evaluate("() => location.href")
    wait_until(lambda: "keep=" in href(), 5, "the kept run in the URL")
    url = href()
    page.goto(url)
    computed(page, 2)
    again = paths(page, "landscape")
    assert again.keys() == named.keys()
    assert again["path"]["x"] == live["x"]
    page.get_by_role("button", name="Clear kept runs").click()
    computed(page, 1)
    wait_until(lambda: "keep=" not in href(), 5, "the kept runs to leave the URL")


def test_eight_kept_runs_come_back_from_a_link(page, lab_url):
    keep = ";".join(f"sgd,{lr}" for lr in (0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2))
    page.goto(f"{lab_url}?surface=bowl&optimizer=adam&lr=0.1&keep={keep}")
    ready(page)
    computed(page, 9)
    assert page.get_by_role("button", name="Clear kept runs").is_enabled()


def test_a_row_highlights_its_path_and_its_checkbox_hides_it(page, lab_url):
    page.goto(f"{lab_url}?preset={SHOOTOUT}")
    ready(page)
    computed(page, 4)
    row = page.get_by_role("table", name="Runs").locator("tbody tr").filter(has_text="SGD")
    row.hover()
    wait_until(lambda: paths(page, "landscape")["Adam"]["opacity"] < 0.5, 5, "the others to fade")
    assert paths(page, "landscape")["SGD"]["opacity"] == 1
    row.get_by_role("checkbox").uncheck()
    wait_until(lambda: "SGD" not in paths(page, "landscape"), 5, "SGD's path to go")
    assert "SGD" not in paths(page, "curve") and len(paths(page, "curve")) == 3


def download(page, name):
    with page.expect_download() as info:
        page.get_by_role("button", name=name).click()
    return info.value


def test_csv_has_one_row_per_run_per_step(page, lab_url, tmp_path):
    page.goto(f"{lab_url}?preset=bowl-momentum")
    ready(page)
    n = len(LESSON_RUNS("bowl-momentum"))
    computed(page, n)
    path = tmp_path / "runs.csv"
    download(page, "Download CSV").save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["run", "step", "w0", "w1", "loss", "lr"]
    by_run = {}
    for r in rows[1:]:
        by_run.setdefault(r[0], []).append(r)
    assert len(by_run) == n
    for label, rs in by_run.items():
        assert [int(r[1]) for r in rs] == list(range(101)), label
        w = np.array([[float(r[2]), float(r[3])] for r in rs])
        loss = np.array([float(r[4]) for r in rs])
        assert np.allclose(loss, w[:, 0] ** 2 + 4 * w[:, 1] ** 2, rtol=1e-9)   # the bowl
        assert all(float(r[5]) > 0 for r in rs[:-1]) and rs[-1][5] == ""


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    assert zlib.crc32(data[12:16 + length]) == struct.unpack(">I", data[16 + length:20 + length])[0]
    return w, h


def test_png_is_an_image_of_both_plots(page, lab_url, tmp_path):
    page.goto(f"{lab_url}?preset={SHOOTOUT}")
    ready(page)
    computed(page, 4)
    path = tmp_path / "plots.png"
    download(page, "Download PNG").save_as(path)
    w, h = png_size(path.read_bytes())
    graphs = page.evaluate("""() => ['landscape', 'curve'].map((id) => document.getElementById(id).clientWidth)""")
    assert w == 2 * sum(graphs) and h > 300


def test_the_notebook_runs_in_plain_python_to_the_labs_final_point(page, lab_url, tmp_path):
    page.goto(f"{lab_url}?surface=bowl&optimizer=adam&lr=0.05&steps=120&beta1=0.8")
    ready(page)
    computed(page, 1)
    wait_until(lambda: page.locator(".cm-content").count() == 1, 20, "the code pane")
    path = tmp_path / "view.ipynb"
    download(page, "Download notebook").save_as(path)
    nb = json.loads(path.read_text())
    assert nb["nbformat"] == 4 and isinstance(nb["nbformat_minor"], int)
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    for cell in nb["cells"]:
        assert cell["cell_type"] in ("markdown", "code") and isinstance(cell["source"], list)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and "execution_count" in cell
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    ns = {}
    for cell in code:
        src = "".join(cell["source"])
        if "matplotlib" in src:
            continue                      # the plot needs matplotlib; the numbers do not
        exec(compile(src, "notebook", "exec"), ns)
    lab_end = paths(page, "landscape")["path"]
    assert np.allclose(ns["path"][-1], [lab_end["x"][-1], lab_end["y"][-1]], rtol=1e-9, atol=1e-12)
    assert len(ns["path"]) == 121


def test_a_phone_shows_the_legend_and_the_table_without_sideways_scroll(browser, lab_url):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        page.goto(f"{lab_url}?preset={SHOOTOUT}")
        ready(page)
        computed(page, 4)
        assert page.locator("#legend li").count() == 4
        widths = page.evaluate("""() => [document.documentElement.scrollWidth,
            document.getElementById('runs').scrollWidth, document.getElementById('legend').scrollWidth]""")
        assert max(widths) <= 390, widths
        page.get_by_role("table", name="Runs").scroll_into_view_if_needed()
        assert page.get_by_role("table", name="Runs").bounding_box()["width"] <= 390
    finally:
        ctx.close()
