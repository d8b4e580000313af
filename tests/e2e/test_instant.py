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
    # the view's runs are the runs (tests/test_dist_python.py: equal to the browser's
    # Python's): none waits for Python, which is not asked for them again
    assert page.evaluate("() => document.getElementById('runs').dataset.pending") == "0"
    assert page.get_by_role("status").first.inner_text().startswith("step ")


# --- the sketch: the first picture, drawn before Plotly has loaded (static/plots/sketch.js) ---

PLOT_BOX = """(id) => {
  // the plot area of a graph in device pixels: the margins plots.js gives Plotly
  const el = document.getElementById(id);
  const m = id === 'curve' ? {l: 72, r: 14, t: 10, b: 44} : {l: 56, r: 14, t: 10, b: 44};
  const d = window.devicePixelRatio || 1;
  return [m.l * d, m.t * d, (el.clientWidth - m.l - m.r) * d, (el.clientHeight - m.t - m.b) * d].map(Math.round);
}"""

SKETCH_PIXELS = """([id, box]) => {
  const c = document.querySelector('#' + id + ' > canvas.sketch');
  return c ? Array.from(c.getContext('2d').getImageData(...box).data) : null;
}"""

PLOTLY_PIXELS = """async ([id, box]) => {
  // Plotly's own picture of the graph, rasterised at the same size
  const el = document.getElementById(id);
  const d = window.devicePixelRatio || 1;
  const url = await Plotly.toImage(el, {format: 'png', width: el.clientWidth, height: el.clientHeight, scale: d});
  const img = new Image();
  img.src = url;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return Array.from(g.getImageData(...box).data);
}"""


def hold_plotly(page):
    """Plotly's script is held (not answered) until the returned function lets it go."""
    held = []
    free = []

    def handle(route):
        if free:
            route.continue_()
        else:
            held.append(route)
    page.route("**/vendor/plotly.min.js", handle)

    def release():
        free.append(True)
        for route in held:
            route.continue_()
    return release


def close_share(a, b, tol=40):
    """The share of pixels whose colours differ by at most `tol` in every channel."""
    a = np.asarray(a, dtype=int).reshape(-1, 4)[:, :3]
    b = np.asarray(b, dtype=int).reshape(-1, 4)[:, :3]
    return float(np.mean(np.abs(a - b).max(axis=1) <= tol))


@pytest.mark.parametrize("query", ["?preset=rosenbrock-shootout", "?surface=revenue"])
def test_the_sketch_shows_the_landscape_plotly_then_draws(page, lab_url, query):
    release = hold_plotly(page)
    page.goto(lab_url + query)
    wait_until(lambda: page.evaluate("() => document.body.dataset.firstDrawMs"), 30, "the first picture")
    assert page.evaluate("() => typeof window.Plotly") == "undefined"
    assert page.evaluate("() => document.getElementById('runs').dataset.drawn") is None   # not Plotly's yet
    box = page.evaluate(PLOT_BOX, "landscape-bg")
    sketched = page.evaluate(SKETCH_PIXELS, ["landscape-bg", box])
    assert sketched, "no sketch of the landscape"
    release()
    page.mouse.move(5, 5)   # the learner's first touch brings Plotly
    page.mouse.down()
    page.mouse.up()
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.drawn"), 60, "Plotly's figure")
    assert page.evaluate("() => document.querySelectorAll('canvas.sketch').length") == 0
    plotted = page.evaluate(PLOTLY_PIXELS, ["landscape-bg", box])
    # the same bands in the same colours; only the thin contour lines fall a pixel apart
    assert close_share(sketched, plotted) > 0.9, close_share(sketched, plotted)


def test_the_sketch_draws_each_run_in_its_colour_where_plotly_puts_it(page, lab_url):
    release = hold_plotly(page)
    page.goto(lab_url + "?preset=rosenbrock-shootout")
    wait_until(lambda: page.evaluate("() => document.body.dataset.firstDrawMs"), 30, "the first picture")
    box = page.evaluate(PLOT_BOX, "curve")
    sketched = np.asarray(page.evaluate(SKETCH_PIXELS, ["curve", box])).reshape(box[3], box[2], 4)
    release()
    page.mouse.click(5, 5)
    wait_until(lambda: page.evaluate("() => document.getElementById('runs').dataset.drawn"), 60, "Plotly's figure")
    plotted = np.asarray(page.evaluate(PLOTLY_PIXELS, ["curve", box])).reshape(box[3], box[2], 4)
    colours = page.evaluate("""() => [...document.querySelectorAll('#legend .swatch')].map((s) =>
        getComputedStyle(s).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number))""")
    assert len(colours) == 4
    for colour in colours:
        near = lambda img: np.abs(img[:, :, :3] - np.array(colour)).max(axis=2) <= 30   # noqa: E731
        a, b = near(sketched), near(plotted)
        assert a.sum() > 50 and b.sum() > 50, colour
        # the loss curves of the run cover the same pixels (give or take the line's width)
        ya, yb = np.nonzero(a)[0].mean(), np.nonzero(b)[0].mean()
        assert abs(ya - yb) < 6, (colour, ya, yb)


def test_a_graph_below_the_fold_is_sketched_once_it_scrolls_into_view(page, lab_url):
    # a course page's 400-px frame: the loss curve starts at its last few pixels
    hold_plotly(page)
    page.set_viewport_size({"width": 476, "height": 400})
    page.goto(lab_url + "?embed=1&preset=rosenbrock-shootout")
    wait_until(lambda: page.evaluate("() => document.body.dataset.firstDrawMs"), 30, "the first picture")
    has_sketch = "(id) => Boolean(document.querySelector('#' + id + ' > canvas.sketch'))"
    # the landscape and its runs: one canvas (the runs' graph is stacked on the landscape's)
    assert page.evaluate(has_sketch, "landscape-bg") and not page.evaluate(has_sketch, "landscape")
    assert page.evaluate("() => document.getElementById('landscape').dataset.sketch") == "1"
    shown = page.evaluate("""() => { const r = document.getElementById('curve').getBoundingClientRect();
        return (Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)) / r.height; }""")
    assert shown < 0.1, shown
    assert not page.evaluate(has_sketch, "curve")
    page.locator("#curve").scroll_into_view_if_needed()
    wait_until(lambda: page.evaluate(has_sketch, "curve"), 10, "the loss curve sketched once in view")
    box = page.evaluate(PLOT_BOX, "curve")
    pixels = np.asarray(page.evaluate(SKETCH_PIXELS, ["curve", box])).reshape(-1, 4)
    assert (pixels[:, 3] > 0).mean() > 0.5   # the plot area is drawn, not blank


def test_a_click_on_the_sketch_picks_a_start(page, lab_url):
    hold_plotly(page)
    page.goto(lab_url + "?surface=revenue")
    wait_until(lambda: page.evaluate("() => document.body.dataset.firstDrawMs"), 30, "the first picture")
    box = page.evaluate(PLOT_BOX, "landscape")
    rect = page.locator("#landscape").bounding_box()
    # a quarter of the way along each axis of the view (bounds (-10, 70) x (-15, 45))
    page.mouse.click(rect["x"] + box[0] + box[2] / 4, rect["y"] + box[1] + 3 * box[3] / 4)
    start = wait_until(lambda: page.get_by_label("Start").input_value() != "0,0"
                       and page.get_by_label("Start").input_value(), 10, "the picked start")
    x, y = (float(v) for v in start.split(","))
    assert abs(x - 10) < 0.5 and abs(y - 0) < 0.5, start


def test_without_plotly_the_lab_goes_on_with_sketches(page, lab_url):
    page.expect_errors("plotly.min.js", "Failed to load resource")
    page.route("**/vendor/plotly.min.js", lambda route: route.abort())
    page.goto(lab_url + "?surface=bowl&lr=0.05")
    wait_until(lambda: page.evaluate("() => document.body.dataset.python") == "ready", 90, "Python")
    notice = page.locator("#notice")
    wait_until(lambda: "plotting library did not load" in notice.inner_text(), 20, "the notice")
    before = page.evaluate("() => document.querySelector('#landscape-bg > canvas.sketch').toDataURL()")
    status = page.get_by_role("status").first
    first = status.inner_text()
    page.get_by_label("Learning rate value").fill("0.2")
    page.get_by_label("Learning rate value").press("Enter")
    wait_until(lambda: status.inner_text() != first, 20, "the status of the new run")
    wait_until(lambda: page.evaluate("() => document.querySelector('#landscape-bg > canvas.sketch').toDataURL()") != before,
               20, "the path sketched again")
