"""The surface catalog against finite differences, its own minima and its own code."""

import numpy as np
import pytest

from gdlab.errors import GdlabError
from gdlab.problems import minibatches
from gdlab.surfaces import SURFACES, get_surface

NAMES = list(SURFACES)


def points(s, k=5, seed=0):
    rng = np.random.default_rng(seed)
    lo = np.array([b[0] for b in s.bounds])
    hi = np.array([b[1] for b in s.bounds])
    return lo + (hi - lo) * rng.uniform(0.1, 0.9, (k, s.dim))


def fd_grad(f, w, h=1e-6):
    g = np.zeros_like(w)
    for i in range(len(w)):
        e = np.zeros_like(w)
        e[i] = h * max(1.0, abs(w[i]))
        g[i] = (f(w + e) - f(w - e)) / (2 * e[i])
    return g


@pytest.mark.parametrize("name", NAMES)
def test_gradient_and_hessian_agree_with_finite_differences(name):
    s = SURFACES[name]
    for w in points(s):
        g = s.grad(w)
        np.testing.assert_allclose(g, fd_grad(lambda v: float(s.loss(v)), w), rtol=1e-5,
                                   atol=1e-6 * max(1.0, np.abs(g).max()))
        H = s.hessian(w)
        fd_h = np.array([fd_grad(lambda v: s.grad(v)[i], w) for i in range(s.dim)])
        np.testing.assert_allclose(H, fd_h, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(H).max()))


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_minima_and_the_first_is_the_lowest(name):
    s = SURFACES[name]
    for m in s.minima:
        m = np.array(m)
        assert np.linalg.norm(s.grad(m)) < 1e-8 * max(1.0, np.abs(s.hessian(m)).max() * np.abs(m).max())
        assert np.all(np.linalg.eigvalsh(s.hessian(m)) > 0)
    if s.minima:
        values = [float(s.loss(np.array(m))) for m in s.minima]
        assert values[0] == pytest.approx(min(values)) and values[0] == pytest.approx(s.min_loss, abs=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_evaluation_is_vectorised_over_runs_and_grids(name):
    s = SURFACES[name]
    w = points(s, 4)
    assert s.loss(w).shape == (4,) and s.grad(w).shape == (4, s.dim)
    assert s.hessian(w).shape == (4, s.dim, s.dim)
    np.testing.assert_allclose(s.loss(w), [float(s.loss(v)) for v in w])
    grid = np.broadcast_to(w[:, None, :], (4, 3, s.dim))
    assert s.loss(grid).shape == (4, 3) and s.grad(grid).shape == (4, 3, s.dim)


@pytest.mark.parametrize("name", NAMES)
def test_start_and_minima_lie_in_the_view_box(name):
    s = SURFACES[name]
    for p in (s.start, *s.minima):
        assert all(lo <= v <= hi for v, (lo, hi) in zip(p, s.bounds)), p
    assert len(s.start) == s.dim == len(s.bounds)


@pytest.mark.parametrize("name", NAMES)
def test_the_code_pane_program_computes_the_same_loss_and_gradient(name):
    s = SURFACES[name]
    ns = {"np": np}
    exec(s.code, ns)
    for w in points(s, 3):
        assert ns["loss"](w) == pytest.approx(float(s.loss(w)), rel=1e-9, abs=1e-12)
        if "grad" in ns:
            np.testing.assert_allclose(ns["grad"](w), s.grad(w), rtol=1e-9, atol=1e-12)


def test_known_values_by_hand():
    assert float(get_surface("fit-line").loss(np.array([0.0]))) == pytest.approx(np.mean((2 * np.arange(1, 6)) ** 2))
    hp = get_surface("house-prices")
    assert float(hp.loss(np.array([100.0, 100.0]))) == pytest.approx(0, abs=1e-9)
    assert hp.minima[0] == pytest.approx((100, 100))
    assert float(hp.loss(np.array([0.0, 0.0]))) == pytest.approx(np.mean(np.array([200, 250, 300, 350, 400.0]) ** 2))
    assert get_surface("revenue").minima[0] == (50.0, 25.0) and get_surface("revenue").min_loss == -3125
    assert get_surface("quartic").minima[0][0] == pytest.approx(-2.0305, abs=1e-4)
    assert get_surface("double-well").minima[0][0] == pytest.approx(-3.9538, abs=1e-4)
    assert len(get_surface("himmelblau").minima) == 4


@pytest.mark.parametrize("name", [n for n, s in SURFACES.items() if s.n_samples])
def test_data_problems_batches_sum_to_the_full_gradient(name):
    s = SURFACES[name]
    w = points(s, 2)
    rows = np.arange(s.n_samples)
    np.testing.assert_allclose(s.batch_grad(w, rows), s.grad(w), rtol=1e-12)
    np.testing.assert_allclose(s.batch_loss(w, rows), s.loss(w), rtol=1e-12)
    if name not in ("sigmoid-neuron",):
        from gdlab import problems  # least squares: the minimum is lstsq's answer
        X = {"fit-line": problems.fit_line, "house-prices": problems.house_prices,
             "linreg": problems.linreg, "regression-10k": problems.regression_10k,
             "unscaled": problems.unscaled, "scaled": problems.scaled}[name]()
        np.testing.assert_allclose(s.minima[0], np.linalg.lstsq(X.X, X.y, rcond=None)[0], rtol=1e-8, atol=1e-10)


def test_minibatches_are_seeded_and_cover_every_row_once_per_epoch():
    a = minibatches(10, 3, 8, seed=1)
    b = minibatches(10, 3, 8, seed=1)
    assert all((x == y).all() for x, y in zip(a, b))
    assert sorted(np.concatenate(a[:4]).tolist()) == list(range(10))
    assert [len(x) for x in a[:4]] == [3, 3, 3, 1]
    assert not all((x == y).all() for x, y in zip(a, minibatches(10, 3, 8, seed=2)))


def test_unknown_surface_lists_the_names():
    with pytest.raises(GdlabError, match="unknown surface 'bowll'; expected one of parabola"):
        get_surface("bowll")
