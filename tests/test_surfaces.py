"""The surface catalog against finite differences, independent root finding, plain
gradient descent written out here, and its own code-pane programs."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdlab.errors import GdlabError
from gdlab.surfaces import SURFACES, get_surface

NAMES = list(SURFACES)
PROMISED = ["parabola", "valley", "bowl", "ill-conditioned", "ellipse", "rosenbrock", "double-well",
            "quartic", "revenue", "saddle", "himmelblau", "fit-line", "house-prices", "linreg"]


def box(s):
    return np.array([b[0] for b in s.bounds]), np.array([b[1] for b in s.bounds])


def points(s, k=5, seed=0):
    lo, hi = box(s)
    return lo + (hi - lo) * np.random.default_rng(seed).uniform(0.05, 0.95, (k, s.dim))


def fd(f, w, widths):
    """Central differences with one Richardson step (error O(h⁴)), h = 1e-4 of the box width."""
    out = []
    for i in range(len(w)):
        e = np.zeros_like(w)
        e[i] = 1e-4 * widths[i]
        d1 = (f(w + e) - f(w - e)) / (2 * e[i])
        d2 = (f(w + e / 2) - f(w - e / 2)) / e[i]
        out.append((4 * d2 - d1) / 3)
    return np.array(out)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences_of_the_loss(name):
    s = SURFACES[name]
    lo, hi = box(s)
    for w in points(s):
        g = s.grad(w)
        ref = fd(lambda v: float(s.loss(v)), w, hi - lo)
        scale = abs(float(s.loss(w))) / (hi - lo).min() + np.abs(g).max()
        np.testing.assert_allclose(g, ref, rtol=1e-6, atol=1e-9 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_finite_differences_of_the_gradient(name):
    s = SURFACES[name]
    lo, hi = box(s)
    for w in points(s, 3, seed=1):
        H = s.hessian(w)
        ref = fd(lambda v: s.grad(v), w, hi - lo).T  # ref[i, j] = ∂g_i/∂w_j
        scale = np.abs(s.grad(w)).max() / (hi - lo).min() + np.abs(H).max()
        np.testing.assert_allclose(H, ref, rtol=1e-6, atol=1e-9 * scale)
        np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))


@pytest.mark.parametrize("name", [n for n in NAMES if SURFACES[n].minima])
def test_each_minimum_is_stationary_with_a_positive_definite_hessian(name):
    s = SURFACES[name]
    for m in map(np.array, s.minima):
        H = s.hessian(m)
        assert np.linalg.norm(s.grad(m)) <= 1e-10 * (1 + np.abs(H).max() * np.abs(m).max())
        assert np.linalg.eigvalsh(H).min() > 0
        # and nothing nearby is lower: a ring of small steps in random directions
        u = np.random.default_rng(3).standard_normal((64, s.dim))
        step = 1e-3 * u / np.linalg.norm(u, axis=1, keepdims=True) * (1 + np.abs(m).max())
        assert np.all(s.loss(m + step) >= s.loss(m))


@pytest.mark.parametrize("name", [n for n in NAMES if SURFACES[n].minima])
def test_the_first_minimum_is_the_global_one_and_gives_min_loss(name):
    s = SURFACES[name]
    values = [float(s.loss(np.array(m))) for m in s.minima]
    assert values[0] == min(values)
    assert values[0] == pytest.approx(s.min_loss, rel=1e-12, abs=1e-12)
    assert len(set(s.minima)) == len(s.minima)


@pytest.mark.parametrize("name", [n for n in NAMES if SURFACES[n].dim == 1 and not SURFACES[n].n_samples])
def test_one_d_minima_agree_with_bisection_on_the_derivative(name):
    s = SURFACES[name]
    (lo, hi), = s.bounds
    grid = np.linspace(lo, hi, 20001)
    g = s.grad(grid[:, None])[:, 0]
    found = []
    for i in np.nonzero((g[:-1] < 0) & (g[1:] >= 0))[0]:  # L' goes from − to +: a minimum
        a, b = grid[i], grid[i + 1]
        for _ in range(80):
            c = (a + b) / 2
            a, b = (c, b) if float(s.grad([c])[0]) < 0 else (a, c)
        found.append((a + b) / 2)
    found.sort(key=lambda x: float(s.loss([x])))
    np.testing.assert_allclose([m[0] for m in s.minima], found, rtol=0, atol=1e-12)


def test_hand_checked_minima_and_values():
    assert get_surface("parabola").minima == ((3.0,),)
    assert float(get_surface("parabola").loss([-5.0])) == 64.0  # 002: "loss 64.000" at step 0
    assert get_surface("valley").minima == ((2.0,),) and get_surface("valley").min_loss == 1.0
    assert get_surface("square-5").minima == ((5.0,),)
    rev = get_surface("revenue")
    assert rev.minima == ((50.0, 25.0),) and rev.min_loss == -3125.0
    assert float(rev.loss([50.0, 25.0])) == -(100 * 50 + 50 * 25 - 50 ** 2 - 25 ** 2)
    assert not rev.log_loss  # a negative loss: a log scale would need loss − min_loss anyway
    assert get_surface("rosenbrock").minima == ((1.0, 1.0),)
    hb = get_surface("himmelblau")
    assert hb.minima[0] == (3.0, 2.0) and len(hb.minima) == 4
    for m in hb.minima:  # all four are zeros of both squares
        assert float(hb.loss(m)) < 1e-24
    # 004 calls −2 the local and +2 the global minimum of 0.1x⁴ − 3x² + x; 001 says the
    # same of x⁴ − 8x² + x. Both are the other way round: the +x term lowers the left side.
    for name in ("double-well", "quartic"):
        s = get_surface(name)
        assert s.minima[0][0] < 0 < s.minima[1][0]
        assert float(s.loss(s.minima[0])) < float(s.loss(s.minima[1])) - 3


def test_the_saddle_has_no_minimum_and_no_floor():
    s = get_surface("saddle")
    assert s.minima == () and np.isnan(s.min_loss) and not s.log_loss
    assert np.linalg.norm(s.grad([0.0, 0.0])) == 0
    assert sorted(np.linalg.eigvalsh(s.hessian([0.0, 0.0]))) == [-2.0, 2.0]
    assert s.start[1] != 0  # off the ridge, or GD would sit on it for ever
    assert float(s.loss([0.0, 1e6])) == -1e12


@pytest.mark.parametrize("name", NAMES)
def test_evaluation_is_vectorised_over_runs_and_grids(name):
    s = SURFACES[name]
    d, w = s.dim, points(s, 4)
    assert s.loss(w).shape == (4,) and s.grad(w).shape == (4, d) and s.hessian(w).shape == (4, d, d)
    for k in range(4):
        assert s.loss(w)[k] == pytest.approx(float(s.loss(w[k])), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(s.grad(w)[k], s.grad(w[k]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(s.hessian(w)[k], s.hessian(w[k]), rtol=1e-12, atol=1e-12)
    grid = points(s, 12, seed=2).reshape(3, 4, d)  # an (n, n, d)-style grid
    assert s.loss(grid).shape == (3, 4) and s.grad(grid).shape == (3, 4, d)
    assert s.hessian(grid).shape == (3, 4, d, d)
    np.testing.assert_allclose(s.loss(grid).ravel(), s.loss(grid.reshape(12, d)), rtol=1e-12)
    assert s.loss(w[0]).shape == () and s.grad(w[0]).shape == (d,)


@pytest.mark.parametrize("name", NAMES)
def test_start_and_minima_lie_inside_the_view_box(name):
    s = SURFACES[name]
    assert len(s.start) == s.dim == len(s.bounds)
    for lo, hi in s.bounds:
        assert lo < hi
    for p in (s.start, *s.minima):
        assert all(lo < v < hi for v, (lo, hi) in zip(p, s.bounds)), p
    assert s.lr > 0 and s.steps >= 1 and s.name == name and s.formula and s.title


@pytest.mark.parametrize("name", NAMES)
def test_the_code_pane_program_computes_the_same_loss_and_gradient(name):
    s = SURFACES[name]
    ns = {"np": np}
    exec(s.code, ns)
    assert callable(ns["loss"]) and callable(ns["grad"])
    for w in points(s, 3, seed=4):
        assert float(ns["loss"](w.copy())) == pytest.approx(float(s.loss(w)), rel=1e-9, abs=1e-12)
        g = np.asarray(ns["grad"](w.copy()), dtype=float)
        assert g.shape == (s.dim,)
        np.testing.assert_allclose(g, s.grad(w), rtol=1e-9, atol=1e-9 * (1 + np.abs(g).max()))


@pytest.mark.parametrize("name", NAMES)
def test_the_default_run_goes_downhill_without_blowing_up(name):
    s = SURFACES[name]
    w = np.array(s.start, dtype=float)
    first = float(s.loss(w))
    for _ in range(s.steps):  # plain gradient descent, written out
        w = w - s.lr * s.grad(w)
    assert np.all(np.isfinite(w)) and float(s.loss(w)) < first
    if s.minima and name not in ("double-well", "quartic", "himmelblau"):
        m = np.array(s.minima[0])  # single-minimum surfaces head for it
        assert np.linalg.norm(w - m) < np.linalg.norm(np.array(s.start) - m)


def test_the_home_view_shows_all_four_learning_rate_regimes():
    s = get_surface("parabola")
    (lo, hi), = s.bounds
    finals = {}
    for lr in (0.01, 0.1, 1.0, 1.1):
        w, path = s.start[0], [s.start[0]]
        for _ in range(s.steps):
            w = w - lr * float(s.grad([w])[0])
            path.append(w)
        finals[lr] = w
        if lr < 1.1:  # crawl, converge and the ±8 oscillation all stay in the picture
            assert lo < min(path) and max(path) < hi
    assert abs(finals[0.01] - 3) > 4 and abs(finals[0.1] - 3) < 0.01
    assert finals[1.0] == -5.0 and abs(finals[1.1] - 3) > 100


def test_catalog_order_and_names():
    assert NAMES[0] == "parabola" and set(PROMISED) <= set(NAMES)
    assert all(n == n.lower() and " " not in n and "_" not in n for n in NAMES)
    assert len(SURFACES) == len(NAMES) and "bowl" in SURFACES and "bowll" not in SURFACES
    assert [s.name for s in SURFACES.values()] == NAMES


def test_unknown_surface_is_a_one_line_error_listing_the_names():
    with pytest.raises(GdlabError) as e:
        get_surface("bowll")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("unknown surface 'bowll'; expected one of parabola")
    assert all(n in msg for n in NAMES)
    with pytest.raises(GdlabError):
        get_surface(None)


def test_importing_the_catalog_builds_no_data_until_asked():
    code = ("import gdlab.surfaces as s, gdlab.problems as p\n"
            "s.get_surface('parabola'); s.get_surface('rosenbrock')\n"
            "names = ['fit_line', 'house_prices', 'linreg', 'regression_10k', 'noisy_labels']\n"
            "print(sum(getattr(p, n).cache_info().currsize for n in names), end=' ')\n"
            "s.get_surface('linreg')\n"
            "print(sum(getattr(p, n).cache_info().currsize for n in names))\n")
    py = str(Path(__file__).resolve().parents[1] / "py")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": py, "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["0", "1"]


def test_every_surface_program_defines_its_gradient():
    """The code pane shows each surface's own loss and grad (program.program relies on it)."""
    from gdlab.surfaces import SURFACES as ALL

    assert [n for n, s in ALL.items() if "def grad" not in s.code] == []
