"""The learning rate as a landscape: the sweep plot, the regimes on the slider,
schedules and mini-batches, driven as a learner would."""

import math

import pytest
import torch

from conftest import wait_lab, wait_until


def ready(page, timeout=90.0):
    wait_lab(page, timeout)


def sweep_points(page):
    return page.evaluate("""() => (document.getElementById('sweep').data || [])
        .flatMap((t) => Array.from(t.x).map((x, i) => [x, t.y[i], t.name]))""")


def sweep_lines(page):
    return page.evaluate("""() => ((document.getElementById('sweep').layout || {}).shapes || []).map((s) => s.x0)""")


def valuetext(page):
    return page.get_by_label("Learning rate", exact=True).get_attribute("aria-valuetext")


def set_lr(page, lr):
    box = page.get_by_label("Learning rate value")
    box.fill(str(lr))
    box.press("Enter")


def test_bowl_sweep_marks_the_thresholds_and_the_slider_names_the_regime(page, lab_url):
    page.goto(f"{lab_url}?surface=bowl&optimizer=sgd&steps=100&lr=0.05")
    ready(page)
    wait_until(lambda: len(sweep_points(page)) >= 40, 30, "the sweep")
    assert page.get_by_role("region", name="Learning-rate sweep").is_visible()
    lines = sweep_lines(page)
    assert any(math.isclose(x, 0.125) for x in lines) and any(math.isclose(x, 0.25) for x in lines)
    wait_until(lambda: "converges" in valuetext(page), 10, "converges at 0.05")
    assert valuetext(page).startswith("0.05 — converges (below 1/λmax = 0.125)")
    set_lr(page, 0.2)
    wait_until(lambda: "overshoots but converges" in valuetext(page), 10, "overshoots at 0.2")
    set_lr(page, 0.26)
    wait_until(lambda: valuetext(page) == "0.26 — diverges (above 2/λmax = 0.25)", 10, "diverges at 0.26")
    names = {p[2] for p in sweep_points(page)}
    assert {"converges", "overshoots but converges", "diverges"} <= names
    # diverged runs sit on the top edge, not dropped
    top = max(p[1] for p in sweep_points(page))
    assert all(p[1] == top for p in sweep_points(page) if p[2] == "diverges")


def lr_mark(page):
    """The sweep plot's lr line: its label and its x against the x of the axis at that lr."""
    return page.evaluate("""() => {
        const gd = document.getElementById('sweep'), mark = document.querySelector('#sweep-section .lr-mark');
        if (!mark || mark.hidden || !gd._fullLayout) return null;
        const lr = Number(mark.textContent.replace(/^lr /, '')), fl = gd._fullLayout;
        const g = gd.getBoundingClientRect(), m = mark.getBoundingClientRect();
        return { text: mark.textContent, x: m.left, axisX: g.left + fl.xaxis._offset + fl.xaxis.l2p(Math.log10(lr)),
                 top: m.top, plotTop: g.top + fl.yaxis._offset };
    }""")


def test_the_sweep_plot_marks_the_learning_rate_and_follows_the_slider(page, lab_url):
    page.goto(f"{lab_url}?surface=bowl&optimizer=sgd&steps=100&lr=0.05")
    ready(page)
    wait_until(lambda: len(sweep_points(page)) >= 40, 30, "the sweep")
    page.get_by_role("region", name="Learning-rate sweep").scroll_into_view_if_needed()
    for lr in ("0.05", "0.2", "0.001"):
        set_lr(page, lr)
        m = wait_until(lambda: (lambda m: m if m and m["text"] == f"lr {lr}" else None)(lr_mark(page)), 5,
                       f"the sweep's lr line at {lr}")
        assert abs(m["x"] - m["axisX"]) < 1.5 and abs(m["top"] - m["plotTop"]) < 1.5, m


def test_clicking_a_sweep_point_sets_the_learning_rate(page, lab_url):
    page.goto(f"{lab_url}?surface=bowl&optimizer=sgd&steps=100&lr=0.05")
    ready(page)
    wait_until(lambda: len(sweep_points(page)) >= 40, 30, "the sweep")
    page.get_by_role("region", name="Learning-rate sweep").scroll_into_view_if_needed()
    target = [p for p in sweep_points(page) if p[2] == "crawls"][5]
    xy = page.evaluate("""([x, y]) => {
        const gd = document.getElementById('sweep'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis.l2p(Math.log10(x)),
                r.top + fl.yaxis._offset + fl.yaxis.l2p(Math.log10(y))];
    }""", target[:2])
    page.mouse.click(*xy)
    lrs = {p[0] for p in sweep_points(page)}
    # the points lie a pixel or two apart: the click takes the one under the pointer
    value = lambda: float(page.get_by_label("Learning rate value").input_value())
    wait_until(lambda: value() in lrs and abs(math.log(value() / target[0])) < 0.1, 10,
               f"the lr to become the clicked point's (about {target[0]})")


def test_a_cosine_schedule_draws_the_lr_per_step_as_torch_computes_it(page, lab_url):
    page.goto(f"{lab_url}?surface=bowl&optimizer=sgd&steps=60&lr=0.1")
    ready(page)
    page.get_by_label("Schedule", exact=True).select_option("cosine")
    region = page.get_by_role("region", name="Learning-rate schedule")
    wait_until(lambda: region.is_visible(), 20, "the schedule plot")
    lrs = page.evaluate("() => Array.from(document.getElementById('schedule-plot').data[0].y)")
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60, eta_min=0.0)
    expected = []
    for _ in range(60):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert len(lrs) == 60
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(lrs, expected))
    wait_until(lambda: "schedule=cosine" in page.evaluate("() => location.search"), 5, "the URL")


def test_batch_size_one_on_linreg_draws_the_full_batch_path_beside_it(page, lab_url):
    page.goto(f"{lab_url}?surface=linreg")
    ready(page)
    batch = page.get_by_label("Batch size")
    assert batch.is_visible()
    batch.fill("1")
    batch.press("Enter")
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.drawn") == "2", 60,
               "two paths")
    names = page.evaluate("""() => document.getElementById('landscape').data
        .filter((t) => t.legendgroup && !t.name.endsWith('(now)')).map((t) => t.name)""")
    assert sorted(names) == ["full batch", "path"]
    wait_until(lambda: "batch_size=1" in page.evaluate("() => location.search"), 5, "the batch size in the URL")


def test_the_validation_preset_draws_a_held_out_curve_that_turns_up_while_training_falls(page, lab_url):
    import numpy as np

    rng = np.random.default_rng(2)           # the overfit surface's data, drawn here by hand
    w_true = np.zeros(22)
    w_true[:5] = [1.5, -2.0, 1.0, 0.5, -1.0]
    X = rng.standard_normal((20, 22))
    y = X @ w_true + rng.standard_normal(20)
    Xv = rng.standard_normal((500, 22))
    yv = Xv @ w_true + rng.standard_normal(500)
    w, val = np.zeros(22), []
    for _ in range(2001):
        val.append(np.mean((Xv @ w - yv) ** 2))
        w = w - 0.02 * 2 * X.T @ (X @ w - y) / 20
    turn = int(np.argmin(val))

    page.goto(f"{lab_url}?preset=validation-rises")
    ready(page)
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.pending") == "0", 60,
               "Python's run")
    curves = page.evaluate("""() => Object.fromEntries(document.getElementById('curve').data
        .map((t) => [t.name, Array.from(t.y)]))""")
    train, held = np.array(curves["path"]), np.array(curves["validation"])
    assert len(held) == len(train) == 2001
    assert int(np.argmin(held)) == turn
    assert held[-1] > 3 * held[turn] and np.all(np.diff(train) < 0)


def test_a_batch_size_shows_the_gradient_variance_beside_its_closed_form(page, lab_url):
    page.goto(f"{lab_url}?surface=linreg&batch_size=8")
    ready(page)
    help_text = page.locator("#batch-help")
    wait_until(lambda: "closed form" in help_text.inner_text(), 30, "the variance")
    import re
    m = re.search(r"batch 8: ([\d.e+-]+) measured over \d+ seeded batches; closed form .* = ([\d.e+-]+)\.",
                  help_text.inner_text())
    measured, closed = float(m.group(1)), float(m.group(2))
    from gdlab.analysis import grad_variance
    from gdlab.surfaces import get_surface
    ref = grad_variance(get_surface("linreg"), [0.0] * 4, 8)
    assert closed == pytest.approx(ref["closed_form"], rel=2e-3) and measured == pytest.approx(ref["measured"], rel=2e-3)
