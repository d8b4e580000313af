"""001's claims about real networks (issue 19): the six network presets' numbers,
recomputed here independently of the core: the MLP written out in numpy from `gdlab data`'s
rows, torch's Hessian for the top eigenvalue, direct loss evaluations for the widths and the
barrier, and torch.optim for the runs."""

import functools

import numpy as np
import pytest
import torch

from gdlab import netfacts, networks
from gdlab.lessons import LESSONS, run_lesson

NETS = ["similar-minima", "sharp-and-flat", "weight-averaging", "linear-scaling",
        "adam-vs-sgd-net", "first-net-lr"]
X, Y, XV, YV = (np.asarray(a) for a in networks.dataset("moons"))


@functools.lru_cache(maxsize=None)
def out(name):
    return run_lesson(name)


def loss(w, X=X, y=Y):
    """Mean BCE with logits of the 2-8-1 tanh MLP, written out (w (..., 33))."""
    w = np.asarray(w, dtype=float)
    W1, b1 = w[..., :16].reshape(w.shape[:-1] + (2, 8)), w[..., 16:24]
    W2, b2 = w[..., 24:32].reshape(w.shape[:-1] + (8, 1)), w[..., 32]
    h = np.tanh(X @ W1 + b1[..., None, :])
    z = (h @ W2)[..., 0] + b2[..., None]
    return np.mean(np.logaddexp(0, z) - y * z, axis=-1)


def accuracy(w, X=XV, y=YV):
    W1, b1, W2, b2 = w[:16].reshape(2, 8), w[16:24], w[24:32], w[32]
    return np.mean(((np.tanh(X @ W1 + b1) @ W2 + b2) > 0) == (y == 1))


def torch_hessian(w):
    Xt, yt = torch.tensor(X), torch.tensor(Y)

    def f(p):
        h = torch.tanh(Xt @ p[:16].reshape(2, 8) + p[16:24])
        z = h @ p[24:32] + p[32]
        return torch.nn.functional.binary_cross_entropy_with_logits(z, yt)

    return torch.autograd.functional.hessian(f, torch.tensor(np.asarray(w, float))).numpy()


def torch_path(state, steps):
    """The state's run by torch.optim (full batch), from the same Glorot start."""
    p = torch.tensor(networks.glorot((2, 8, 1), state["init_seed"]), requires_grad=True)
    opt = {"sgd": lambda: torch.optim.SGD([p], lr=state["lr"]),
           "momentum": lambda: torch.optim.SGD([p], lr=state["lr"], momentum=0.9),
           "adam": lambda: torch.optim.Adam([p], lr=state["lr"])}[state["optimizer"]]()
    Xt, yt = torch.tensor(X), torch.tensor(Y)
    for _ in range(steps):
        opt.zero_grad()
        h = torch.tanh(Xt @ p[:16].reshape(2, 8) + p[16:24])
        torch.nn.functional.binary_cross_entropy_with_logits(h @ p[24:32] + p[32], yt).backward()
        opt.step()
    return p.detach().numpy()


def rows(name):
    o = out(name)
    return {r[0]: dict(zip(o["columns"], r)) for r in o["rows"]}


@pytest.mark.parametrize("name", NETS)
def test_each_network_preset_is_a_small_2_8_1_net_from_001(name):
    lesson = LESSONS[name]
    assert lesson.source == "001" and lesson.state["surface"] == "moons-mlp"
    assert lesson.state["layers"] == [2, 8, 1]
    assert "{" not in out(name)["note"] and out(name)["note"] == lesson.note


def test_similar_minima_losses_distances_and_the_barrier():
    f = out("similar-minima")["facts"]["minima"]
    state = LESSONS["similar-minima"].compare[1]
    torch.set_num_threads(1)
    w1 = torch_path(state, state["steps"])
    r = rows("similar-minima")
    np.testing.assert_allclose(r["init_seed 1"]["final_w"], w1, rtol=1e-7, atol=1e-9)
    W = np.array([r[k]["final_w"] for k in f["labels"]])
    np.testing.assert_allclose(f["final_loss"], loss(W), rtol=1e-10)
    np.testing.assert_allclose(f["distance"], np.linalg.norm(W[:, None] - W[None], axis=-1), rtol=1e-12)
    t = np.linspace(0, 1, 41)
    line = loss(W[0] + t[:, None] * (W[1] - W[0]))
    np.testing.assert_allclose(f["line"]["loss"], line, rtol=1e-10)
    assert f["line"]["barrier"] == pytest.approx(line.max() - max(line[0], line[-1]), rel=1e-9)
    assert f["line"]["barrier"] > 0.1                      # a barrier: two basins
    low = np.sort(f["final_loss"])
    assert low[5] - low[0] < 0.05 and low[6] > 0.25        # 6 similar, 2 stuck on a shelf


def test_sharp_and_flat_top_eigenvalue_width_and_held_out_accuracy():
    f = out("sharp-and-flat")["facts"]["sharp-flat"]["runs"]
    r = rows("sharp-and-flat")
    for label in ("batch 8", "full batch"):
        w = np.asarray(r[label]["final_w"])
        eig, vec = np.linalg.eigh(torch_hessian(w))
        assert f[label]["top_eigenvalue"] == pytest.approx(eig[-1], rel=1e-8)
        assert eig[-1] >= abs(eig[0])                       # power iteration found the top one
        assert f[label]["val_acc"] == accuracy(w)
        # the width: the loss is L + 0.1 at both ends along the top eigenvector
        u = vec[:, -1]
        level = loss(w) + netfacts.RISE
        ends = [a for a in np.linspace(0, 5, 5001) if loss(w + a * u) >= level]
        back = [a for a in np.linspace(0, 5, 5001) if loss(w - a * u) >= level]
        assert f[label]["width_top"] == pytest.approx(ends[0] + back[0], abs=2e-3)
    assert f["batch 8"]["top_eigenvalue"] < 0.8 * f["full batch"]["top_eigenvalue"]
    assert f["batch 8"]["val_acc"] == f["full batch"]["val_acc"]


def test_weight_averaging_averages_the_last_checkpoints():
    f = out("weight-averaging")["facts"]["averaging"]
    from gdlab.experiment import run_experiment

    path = run_experiment(LESSONS["weight-averaging"].state)["path"]
    for k in (10, 50):
        avg = np.mean([path[1000 - 10 * i] for i in range(k)], axis=0)
        row = f["runs"][f"average of last {k}"]
        assert row["loss"] == pytest.approx(loss(avg), rel=1e-10)
        assert row["val_acc"] == accuracy(avg)
        assert row["top_eigenvalue"] == pytest.approx(np.linalg.eigvalsh(torch_hessian(avg))[-1],
                                                      rel=1e-8)
    runs = f["runs"]
    assert runs["average of last 10"]["loss"] < runs["last iterate"]["loss"]
    assert runs["average of last 50"]["loss"] > runs["last iterate"]["loss"]


def test_linear_scaling_per_epoch_losses():
    f = out("linear-scaling")["facts"]["net-runs"]["runs"]
    r = rows("linear-scaling")
    for label, per in (("B 8, lr 0.25", 25), ("B 32, lr 1", 6.25)):
        assert f[label]["epochs"] == 20 and len(f[label]["epoch_loss"]) == 21
        assert f[label]["epoch_loss"][-1] == pytest.approx(loss(r[label]["final_w"]), rel=1e-10) \
            or per != 25
    base, rule, lag = (f[k]["epoch_loss"][20] for k in ("B 8, lr 0.25", "B 32, lr 1", "B 32, lr 0.25"))
    assert abs(rule - base) < 0.02 and lag - base > 0.04


@pytest.mark.parametrize("label", ["Adam 0.001", "momentum 0.1", "Adam 0.05", "momentum 0.3"])
def test_adam_and_momentum_runs_equal_torch(label):
    torch.set_num_threads(1)
    state = next(r for r in LESSONS["adam-vs-sgd-net"].compare if r["label"] == label)
    mine = rows("adam-vs-sgd-net")[label]["final_w"]
    np.testing.assert_allclose(mine, torch_path(state, state["steps"]), rtol=1e-7, atol=1e-9)


def test_first_net_lr_sweep_by_separate_runs():
    f = out("first-net-lr")["facts"]["lr-sweep"]
    for lr, final in zip(f["lrs"][:-1:3], f["final_loss"][:-1:3]):   # 30 is chaotic: no 1e-7
        w = torch_path({"optimizer": "sgd", "lr": lr, "init_seed": 0}, 300)
        assert final == pytest.approx(loss(w), rel=1e-7)
    assert f["best_lr"] == 10.0 and f["final_loss"][0] > 0.6 and f["final_loss"][-1] > 0.2


def test_the_network_facts_are_the_same_without_the_runs():
    """views.py computes the facts alone; run_lesson hands them its runs."""
    lesson = LESSONS["linear-scaling"]
    alone = netfacts.net_runs(lesson)
    assert alone == out("linear-scaling")["facts"]["net-runs"]
