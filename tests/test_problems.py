"""Data problems against numbers worked by hand, np.linalg.lstsq, torch autograd, and the
per-row formulas written out here; mini-batches against their promises."""

import numpy as np
import pytest
import torch

from gdlab import problems
from gdlab.errors import GdlabError
from gdlab.experiment import run_experiment
from gdlab.problems import DataProblem, minibatches
from gdlab.surfaces import SURFACES, get_surface

DATA = [n for n, s in SURFACES.items() if s.n_samples]
LEAST_SQUARES = {"fit-line": problems.fit_line, "house-prices": problems.house_prices,
                 "house-sizes": problems.house_sizes, "linreg": problems.linreg,
                 "regression-10k": problems.regression_10k, "unscaled": problems.unscaled,
                 "scaled": problems.scaled, "overfit": lambda: problems.overfit()[0]}
SIGMOID = {"sigmoid-neuron": problems.sigmoid_neuron, "noisy-labels": problems.noisy_labels}


def design(p):
    return np.hstack([p.X, np.ones((p.n, 1))]) if p.bias else p.X


def points(s, k, seed=0):
    lo = np.array([b[0] for b in s.bounds])
    hi = np.array([b[1] for b in s.bounds])
    return lo + (hi - lo) * np.random.default_rng(seed).uniform(0.05, 0.95, (k, s.dim))


def test_every_data_surface_is_listed_here():
    assert set(DATA) == set(LEAST_SQUARES) | set(SIGMOID)


# -- numbers worked by hand -------------------------------------------------------------

def test_fit_line_by_hand():
    s = get_surface("fit-line")  # L(w) = mean((w·x − 2x)²) = (w − 2)²·mean(x²) = 11(w − 2)²
    assert float(s.loss([0.0])) == pytest.approx(44.0, rel=1e-14)  # 003 prints 44.0: right
    assert float(s.grad([0.0])[0]) == pytest.approx(-44.0, rel=1e-14)
    assert float(s.loss([3.0])) == pytest.approx(11.0, rel=1e-14)
    assert float(s.hessian([0.0])[0, 0]) == pytest.approx(22.0, rel=1e-14)
    assert s.minima == ((pytest.approx(2.0, abs=1e-14),),) and s.min_loss == pytest.approx(0, abs=1e-25)
    # 003's first step at lr 0.01 from w = 0 lands on 0.44, not the text's 0.2200
    assert 0.0 - 0.01 * float(s.grad([0.0])[0]) == pytest.approx(0.44, rel=1e-14)


def test_house_prices_by_hand():
    s = get_surface("house-prices")  # mean squared error, as 001's 2/n·Σ gradients say
    assert float(s.loss([0.0, 0.0])) == pytest.approx((200**2 + 250**2 + 300**2 + 350**2 + 400**2) / 5)
    assert float(s.loss([0.0, 0.0])) == pytest.approx(95000.0, rel=1e-14)
    # ∂L/∂w = 2·mean(−price·sqft) = −2·3250/5, ∂L/∂b = 2·mean(−price) = −600
    np.testing.assert_allclose(s.grad([0.0, 0.0]), [-1300.0, -600.0], rtol=1e-13)
    np.testing.assert_allclose(s.minima[0], [100.0, 100.0], rtol=1e-13)  # price = 100·sqft + 100
    assert float(s.loss([100.0, 100.0])) == pytest.approx(0.0, abs=1e-20)
    assert float(s.loss([100.0, 90.0])) == pytest.approx(100.0, rel=1e-12)  # every error is 10
    np.testing.assert_allclose(s.hessian([0.0, 0.0]), [[2 * 4.5, 2 * 2.0], [2 * 2.0, 2.0]], rtol=1e-14)


def test_house_sizes_by_hand():
    s = get_surface("house-sizes")  # 001 exercise 1: slope Sxy/Sxx = 340000/2.5e6
    np.testing.assert_allclose(s.minima[0], [0.136, 70.0], rtol=1e-12)
    assert s.min_loss == pytest.approx((36 + 36 + 64 + 100 + 4) / 5, rel=1e-12)  # errors −6 6 8 −10 2
    lam = np.linalg.eigvalsh(s.hessian(s.start))
    assert lam[1] / lam[0] > 1e7  # why the text's lr 1e-7 leaves the bias crawling


def test_sigmoid_neuron_by_hand():
    s = get_surface("sigmoid-neuron")
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    w, b = 0.5, 0.0  # 001's start: predictions σ(0) = 0.5 and σ(0.5)
    assert float(s.loss([w, b])) == pytest.approx(((0.5 - 0) ** 2 + (sig(0.5) - 1) ** 2) / 2, rel=1e-14)
    assert s.minima == () and s.min_loss == 0.0
    assert problems.sigmoid_neuron().minimum() is None  # separable: no finite minimiser
    assert float(s.loss([40.0, -20.0])) < 1e-15  # the loss keeps falling toward its infimum 0


# -- least squares against lstsq and the residual form ----------------------------------

@pytest.mark.parametrize("name", LEAST_SQUARES)
def test_least_squares_minimum_is_lstsq(name):
    p, s = LEAST_SQUARES[name](), get_surface(name)
    A = design(p)
    ref, *_ = np.linalg.lstsq(A, p.y, rcond=None)
    np.testing.assert_allclose(s.minima[0], ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    assert s.min_loss == pytest.approx(np.mean((A @ ref - p.y) ** 2), rel=1e-9, abs=1e-20)


@pytest.mark.parametrize("name", LEAST_SQUARES)
def test_full_batch_loss_and_gradient_equal_the_residual_formulas(name):
    p, s = LEAST_SQUARES[name](), get_surface(name)
    A = design(p)
    for w in points(s, 4):
        r = A @ w - p.y
        assert float(s.loss(w)) == pytest.approx(np.mean(r * r), rel=1e-10)
        g = 2 * A.T @ r / p.n
        np.testing.assert_allclose(s.grad(w), g, rtol=1e-9, atol=1e-11 * np.abs(g).max())
        np.testing.assert_allclose(s.hessian(w), 2 * A.T @ A / p.n, rtol=1e-12, atol=1e-14)
    assert float(s.loss(np.array(s.minima[0])) - s.min_loss) == 0.0  # never below the floor


def test_standardising_makes_the_valley_round():
    cond = {n: np.linalg.cond(get_surface(n).hessian(get_surface(n).start)) for n in ("unscaled", "scaled")}
    assert cond["unscaled"] > 1e5 and cond["scaled"] < 2
    Xs = problems.scaled().X  # the same rows, standardised
    np.testing.assert_allclose(Xs.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(0), 1, rtol=1e-12)
    Xu = problems.unscaled().X
    assert 0 <= Xu[:, 0].min() and Xu[:, 0].max() <= 1 and 0 <= Xu[:, 1].min() and Xu[:, 1].max() <= 1000
    assert Xu[:, 1].max() > 900


# -- sigmoid models against torch autograd ----------------------------------------------

def torch_loss(p, w):
    A = torch.tensor(design(p))
    y = torch.tensor(p.y)
    z = A @ w
    if p.loss_name == "cross-entropy":
        return torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    return torch.mean((torch.sigmoid(z) - y) ** 2)


@pytest.mark.parametrize("name", SIGMOID)
def test_sigmoid_losses_gradients_and_hessians_match_torch(name):
    p, s = SIGMOID[name](), get_surface(name)
    for w in points(s, 3):
        wt = torch.tensor(w, requires_grad=True)
        lt = torch_loss(p, wt)
        (gt,) = torch.autograd.grad(lt, wt)
        Ht = torch.autograd.functional.hessian(lambda v: torch_loss(p, v), torch.tensor(w))
        assert float(s.loss(w)) == pytest.approx(lt.item(), rel=1e-12)
        np.testing.assert_allclose(s.grad(w), gt.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(s.hessian(w), Ht.numpy(), rtol=1e-9, atol=1e-14)


def test_noisy_labels_minimum_is_the_convex_minimiser():
    s, p = get_surface("noisy-labels"), problems.noisy_labels()
    m = np.array(s.minima[0])
    assert np.linalg.norm(s.grad(m)) < 1e-12  # convex: a stationary point is the global minimum
    assert np.linalg.eigvalsh(s.hessian(points(s, 5))).min() > 0
    assert abs(p.y.mean() - 0.5) < 0.05 and 0.05 < np.mean(p.y != (p.X[:, 0] + p.X[:, 1] > 0)) < 0.15
    assert m[0] > 1 and m[1] > 1 and np.abs(m[2:]).max() < 0.5  # only x₀ and x₁ carry the label


def test_cross_entropy_stays_finite_far_out():
    p = DataProblem([[-1.0], [1.0]], [0.0, 1.0], model="sigmoid", loss="cross-entropy")
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow is fine
        assert float(p.loss([800.0])) == pytest.approx(0.0, abs=1e-300)
        assert float(p.loss([-800.0])) == pytest.approx(800.0, rel=1e-12)  # log(1 + e⁸⁰⁰) ≈ 800
        np.testing.assert_allclose(p.grad([-800.0]), [-1.0], rtol=1e-12)


# -- mini-batch functions ---------------------------------------------------------------

@pytest.mark.parametrize("name", DATA)
def test_a_batch_of_all_rows_is_the_full_batch(name):
    s = get_surface(name)
    w = points(s, 3, seed=1)
    rows = np.arange(s.n_samples)
    g = s.grad(w)
    np.testing.assert_allclose(s.batch_grad(w, rows), g, rtol=1e-9, atol=1e-10 * np.abs(g).max())
    np.testing.assert_allclose(s.batch_loss(w, rows), s.loss(w), rtol=1e-10)


@pytest.mark.parametrize("name", DATA)
def test_a_batch_is_the_mean_over_its_rows(name):
    s = get_surface(name)
    p = {**LEAST_SQUARES, **SIGMOID}[name]()
    w = points(s, 4, seed=2)  # K = 4 runs share one batch
    rows = np.array([0, p.n - 1, p.n // 2]) if p.n > 2 else np.array([1])
    A, y = design(p)[rows], p.y[rows]
    if p.model == "linear":
        r = w @ A.T - y
        want_l, want_g = np.mean(r * r, -1), 2 * r @ A / len(rows)
    else:  # torch autograd on the same rows, one run at a time
        want_l, want_g = [], []
        for wk in w:
            wt = torch.tensor(wk, requires_grad=True)
            z = torch.tensor(A) @ wt
            yt = torch.tensor(y)
            lt = (torch.nn.functional.binary_cross_entropy_with_logits(z, yt)
                  if p.loss_name == "cross-entropy" else torch.mean((torch.sigmoid(z) - yt) ** 2))
            want_l.append(lt.item())
            want_g.append(torch.autograd.grad(lt, wt)[0].numpy())
    assert s.batch_loss(w, rows).shape == (4,) and s.batch_grad(w, rows).shape == (4, s.dim)
    np.testing.assert_allclose(s.batch_loss(w, rows), want_l, rtol=1e-12)
    np.testing.assert_allclose(s.batch_grad(w, rows), want_g, rtol=1e-10, atol=1e-15)


def test_batch_gradients_average_to_the_full_gradient_over_an_epoch():
    s = get_surface("linreg")
    w = np.array([[0.5, -1.0, 0.2, 0.3]])
    batches = minibatches(s.n_samples, 100, 10, seed=5)  # one epoch, ten equal batches
    mean = np.mean([s.batch_grad(w, b) for b in batches], 0)
    np.testing.assert_allclose(mean, s.grad(w), rtol=1e-10)


# -- minibatches ------------------------------------------------------------------------

@pytest.mark.parametrize("n, b, steps", [(10, 3, 8), (5, 2, 7), (1000, 32, 70), (7, 1, 15), (6, 6, 3)])
def test_minibatches_cover_every_row_once_per_epoch(n, b, steps):
    batches = minibatches(n, b, steps, seed=1)
    assert len(batches) == steps
    per_epoch = -(-n // b)
    sizes = [len(x) for x in batches]
    assert sizes[:per_epoch] == [b] * (n // b) + ([n % b] if n % b else [])[:per_epoch]
    for e in range(steps // per_epoch):  # each complete epoch is a permutation of the rows
        rows = np.concatenate(batches[e * per_epoch:(e + 1) * per_epoch])
        assert sorted(rows.tolist()) == list(range(n))
    assert all(x.dtype.kind == "i" for x in batches)


def test_minibatches_are_reproducible_and_seeded():
    a, b = minibatches(100, 8, 40, seed=3), minibatches(100, 8, 40, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    c = minibatches(100, 8, 40, seed=4)
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    epochs = [np.concatenate(a[i * 13:(i + 1) * 13]) for i in range(3)]  # 13 batches an epoch
    assert not np.array_equal(epochs[0], epochs[1])  # each epoch is shuffled afresh
    assert not np.array_equal(epochs[0], np.arange(100))


@pytest.mark.parametrize("b", [10, 11, 10_000])
def test_a_batch_as_large_as_the_data_is_the_full_batch(b):
    for rows in minibatches(10, b, 4, seed=9):
        np.testing.assert_array_equal(rows, np.arange(10))


@pytest.mark.parametrize("n, b, steps", [(0, 1, 1), (10, 0, 1), (10, 2, -1)])
def test_minibatches_reject_nonsense(n, b, steps):
    with pytest.raises(GdlabError):
        minibatches(n, b, steps)


def test_zero_steps_is_no_batches():
    assert minibatches(10, 3, 0) == []


# -- the builder --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"model": "linear", "loss": "cross-entropy"}, {"model": "tree"},
                                    {"loss": "hinge"}])
def test_builder_rejects_unknown_models_and_losses(kwargs):
    with pytest.raises(GdlabError):
        DataProblem([[1.0], [2.0]], [1.0, 2.0], **kwargs)


def test_builder_rejects_mismatched_data():
    with pytest.raises(GdlabError):
        DataProblem(np.ones((3, 2)), np.ones(4))


def test_builder_bias_column_and_surface():
    p = DataProblem([[1.0], [2.0], [4.0]], [3.0, 5.0, 9.0], bias=True)  # y = 2x + 1 exactly
    assert p.dim == 2 and p.n == 3
    np.testing.assert_allclose(p.minimum(), [2.0, 1.0], rtol=1e-13)
    s = p.surface("toy", "Toy", "L", bounds=((0, 4), (-2, 4)), start=(0, 0), lr=0.1, steps=10, code="")
    assert s.n_samples == 3 and s.dim == 2 and s.min_loss == pytest.approx(0, abs=1e-25)
    assert s.batch_grad(np.zeros((2, 2)), np.array([2])).tolist() == [[-72.0, -18.0]] * 2


def test_large_stacks_of_runs_are_evaluated_in_chunks_with_the_same_values():
    s = get_surface("noisy-labels")  # (3, 400) runs × 1000 rows: more than one chunk
    W = np.random.default_rng(6).uniform(-1, 1, (3, 400, s.dim))
    L, G = s.loss(W), s.grad(W)
    assert L.shape == (3, 400) and G.shape == (3, 400, s.dim)
    for i in range(3):
        np.testing.assert_allclose(L[i], s.loss(W[i]), rtol=1e-14)
        np.testing.assert_allclose(G[i], s.grad(W[i]), rtol=1e-13, atol=1e-16)


def test_overfit_validation_loss_turns_where_a_plain_numpy_loop_says():
    """002's "training loss drops, validation loss rises", from the same seed by hand."""
    rng = np.random.default_rng(2)
    w_true = np.zeros(22)
    w_true[:5] = [1.5, -2.0, 1.0, 0.5, -1.0]
    X = rng.standard_normal((20, 22))
    y = X @ w_true + rng.standard_normal(20)
    Xv = rng.standard_normal((500, 22))
    yv = Xv @ w_true + rng.standard_normal(500)
    w, train, val = np.zeros(22), [], []
    for _ in range(2001):
        train.append(np.mean((X @ w - y) ** 2))
        val.append(np.mean((Xv @ w - yv) ** 2))
        w = w - 0.02 * 2 * X.T @ (X @ w - y) / 20
    turn = int(np.argmin(val))
    out = run_experiment({"surface": "overfit", "lr": 0.02, "steps": 2000})
    np.testing.assert_allclose(out["loss"], train, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["val_loss"], val, rtol=1e-9)
    assert int(np.argmin(out["val_loss"])) == turn and 20 < turn < 200
    assert val[-1] > 3 * val[turn] and np.all(np.diff(train) < 0)   # rises while training falls


@pytest.mark.parametrize("batch", [1, 8, 64, 999])
def test_measured_minibatch_gradient_variance_matches_its_closed_form(batch):
    from gdlab.analysis import grad_variance

    s = get_surface("linreg")
    w = np.zeros(4)
    X = np.hstack([problems.linreg().X, np.ones((1000, 1))])
    y = problems.linreg().y
    per_row = 2 * (X @ w - y)[:, None] * X                       # each row's gradient, by hand
    trace = np.mean(np.sum((per_row - per_row.mean(axis=0)) ** 2, axis=1))
    out = grad_variance(s, w, batch)
    assert out["closed_form"] == pytest.approx(trace / batch * (1000 - batch) / 999, rel=1e-10)
    assert out["measured"] == pytest.approx(out["closed_form"], rel=0.15)
