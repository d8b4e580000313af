"""The networks DATASET-mlp against torch.nn (float64): the same weights give the same loss,
gradient and Hessian-vector product; every optimizer walks the same 200-step path, full
batch and on gdlab's own mini-batches; and the data sets, the Glorot start, the settings,
the code pane and the CLI keep their promises.

The reference model is built here from the layout alone: torch.nn.Linear(fan_in, fan_out)
holds W_kᵀ (its weight is (fan_out, fan_in)), so W_k = weight.T and w is the concat of
weight.T.ravel() and bias layer by layer; the loss is torch.nn.BCEWithLogitsLoss.
"""

import json

import numpy as np
import pytest
import torch

from gdlab import networks
from gdlab.__main__ import main
from gdlab.errors import GdlabError
from gdlab.experiment import run_experiment
from gdlab.optimizers import make_optimizer
from gdlab.problems import minibatches
from gdlab.program import program
from gdlab.runner import run
from gdlab.surfaces import SURFACES, get, get_surface
from gdlab.usercode import run_user

TORCH_OPT = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
             "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
             "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
ACT = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}
SHAPES = [(2, 1), (2, 3, 1), (2, 16, 16, 1), (2, 5, 7, 3, 1), (2, 32, 1)]


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Nets this small run fastest on one thread (two threads on a busy 2-core machine
    made each 200-step path 30x slower)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def torch_model(layers, activation, w):
    """torch.nn.Sequential of Linear layers (and the activation between them) holding w."""
    mods, o = [], 0
    for k, (a, b) in enumerate(zip(layers[:-1], layers[1:])):
        lin = torch.nn.Linear(a, b, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w[o:o + a * b].reshape(a, b).T.copy()))
            lin.bias.copy_(torch.from_numpy(w[o + a * b:o + a * b + b].copy()))
        o += a * b + b
        mods += [lin] + ([ACT[activation]()] if k < len(layers) - 2 else [])
    assert o == len(w)
    return torch.nn.Sequential(*mods)


def flat(model, what="data"):
    """The model's weights (or their .grad) in gdlab's layout."""
    out = []
    for m in model:
        if isinstance(m, torch.nn.Linear):
            W, b = (m.weight, m.bias) if what == "data" else (m.weight.grad, m.bias.grad)
            out += [W.detach().numpy().T.ravel(), b.detach().numpy()]
    return np.concatenate(out)


def torch_loss(model, X, y):
    X, y = torch.tensor(X), torch.tensor(y)  # copies: the data sets are read-only arrays
    return torch.nn.BCEWithLogitsLoss()(model(X)[:, 0], y)


def point(s, seed=0, scale=0.5):
    """The Glorot start moved a little (biases no longer 0, relu units partly off)."""
    return np.array(s.start) + scale * np.random.default_rng(seed).standard_normal(s.dim)


# -- loss, gradient, Hessian-vector product -------------------------------------------------------

@pytest.mark.parametrize("activation", networks.ACTIVATIONS)
@pytest.mark.parametrize("layers", SHAPES, ids=lambda l: "-".join(map(str, l)))
def test_loss_and_gradient_equal_torch_nn(layers, activation):
    s = get("moons-mlp", layers=layers, activation=activation, init_seed=1)
    X, y = networks.dataset("moons")[:2]
    rows = minibatches(200, 16, 3, seed=5)[2]
    for seed in (0, 1):
        w = point(s, seed)
        for sub, ours_loss, ours_grad in (
                (slice(None), s.loss(w), s.grad(w)),
                (rows, s.batch_loss(w, rows), s.batch_grad(w, rows))):
            model = torch_model(layers, activation, w)
            loss = torch_loss(model, X[sub], y[sub])
            loss.backward()
            np.testing.assert_allclose(ours_loss, loss.item(), rtol=1e-12)
            g = flat(model, "grad")
            np.testing.assert_allclose(ours_grad, g, rtol=1e-9, atol=1e-12 * np.abs(g).max())


def test_runs_side_by_side_equal_one_at_a_time():
    s = get("xor-mlp", layers="2,6,4,1", activation="tanh")
    W = np.stack([point(s, k) for k in range(4)]).reshape(2, 2, s.dim)
    loss, grad, acc = s.loss(W), s.grad(W), s.accuracy(W)
    assert loss.shape == acc.shape == (2, 2) and grad.shape == (2, 2, s.dim)
    for i in range(2):
        for j in range(2):
            assert loss[i, j] == s.loss(W[i, j]) and acc[i, j] == s.accuracy(W[i, j])
            np.testing.assert_array_equal(grad[i, j], s.grad(W[i, j]))


@pytest.mark.parametrize("activation", networks.ACTIVATIONS)
@pytest.mark.parametrize("layers", [(2, 3, 1), (2, 5, 4, 1), (2, 4, 3, 2, 1)],
                         ids=lambda l: "-".join(map(str, l)))
def test_hessian_vector_product_equals_torch_double_backward(layers, activation):
    s = get("circles-mlp", layers=layers, activation=activation)
    X, y = networks.dataset("circles")[:2]
    w = point(s, 3)
    V = np.random.default_rng(4).standard_normal((3, s.dim))

    def f(p):  # the loss as a function of the flat weights, written with torch ops
        a, o = torch.tensor(X), 0
        for k, (fi, fo) in enumerate(zip(layers[:-1], layers[1:])):
            a = a @ p[o:o + fi * fo].reshape(fi, fo) + p[o + fi * fo:o + fi * fo + fo]
            o += fi * fo + fo
            a = (torch.tanh(a) if activation == "tanh" else torch.relu(a)) if k < len(layers) - 2 else a
        return torch.nn.functional.binary_cross_entropy_with_logits(a[:, 0], torch.tensor(y))

    ours = s.hvp(w, V)
    assert ours.shape == (3, s.dim)
    for v, hv in zip(V, ours):
        ref = torch.autograd.functional.hvp(f, torch.from_numpy(w), torch.from_numpy(v))[1].numpy()
        np.testing.assert_allclose(hv, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    H = s.hessian(w)
    np.testing.assert_array_equal(H, H.T)
    ref = torch.autograd.functional.hessian(f, torch.from_numpy(w)).numpy()
    np.testing.assert_allclose(H, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    # and the mini-batch HVP is the derivative of the mini-batch gradient
    rows, v, h = np.arange(0, 200, 3), V[0], 1e-5
    fd = (s.batch_grad(w + h * v, rows) - s.batch_grad(w - h * v, rows)) / (2 * h)
    np.testing.assert_allclose(networks.network("circles-mlp", layers, activation).hvp(w, v, rows),
                               fd, rtol=1e-5, atol=1e-8 * np.abs(fd).max())


# -- the same path as torch.optim ------------------------------------------------------------------

PATHS = [  # optimizer, lr, activation, batch size (None: the full batch), mini-batch seed
    ("sgd", 0.5, "tanh", None, 0), ("sgd", 0.2, "relu", 32, 1),
    ("momentum", 0.1, "tanh", None, 0), ("momentum", 0.05, "relu", 32, 2),
    ("nesterov", 0.1, "relu", None, 0), ("nesterov", 0.05, "tanh", 32, 3),
    ("adagrad", 0.05, "tanh", None, 0), ("adagrad", 0.05, "relu", 32, 4),
    ("rmsprop", 0.003, "relu", None, 0), ("rmsprop", 0.003, "tanh", 32, 5),
    ("adam", 0.01, "tanh", None, 0), ("adam", 0.01, "relu", 32, 6),
    ("adamw", 0.01, "relu", None, 0), ("adamw", 0.01, "tanh", 32, 7),
]


def torch_kwargs(hyper):
    h = dict(hyper)
    h.pop("ema", None)
    if "beta1" in h:
        h["betas"] = (h.pop("beta1"), h.pop("beta2"))
    return h


@pytest.mark.parametrize("name, lr, activation, batch, seed", PATHS, ids=lambda x: str(x))
def test_a_200_step_path_equals_torch_optim(name, lr, activation, batch, seed):
    layers, steps = (2, 16, 16, 1), 200
    s = get("moons-mlp", layers=layers, activation=activation, init_seed=seed)
    opt, used = make_optimizer(name)
    ours = run(s, opt, lr, steps, batch_size=batch, seed=seed).path[0]
    X, y = networks.dataset("moons")[:2]
    model = torch_model(layers, activation, np.array(s.start))
    topt = TORCH_OPT[name](model.parameters(), lr=lr, **torch_kwargs(used))
    rows = minibatches(200, batch or 200, steps, seed)
    ref = [flat(model)]
    for t in range(steps):
        topt.zero_grad()
        torch_loss(model, X[rows[t]], y[rows[t]]).backward()
        topt.step()
        ref.append(flat(model))
    ref = np.array(ref)
    assert np.abs(ref[-1] - ref[0]).max() > 0.05  # the path goes somewhere
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-11)


# -- the data, the start, the settings -------------------------------------------------------------

@pytest.mark.parametrize("name", list(networks.DATASETS))
def test_data_sets_are_seeded_200_and_200_rows_of_two_balanced_classes(name):
    X, y, Xv, yv = networks.dataset(name)
    assert X.shape == Xv.shape == (200, 2) and y.shape == yv.shape == (200,)
    assert set(np.unique(y)) == set(np.unique(yv)) == {0.0, 1.0}
    assert 0.35 < y.mean() < 0.65 and 0.35 < yv.mean() < 0.65
    assert np.all(np.isfinite(X)) and np.abs(X).max() < 3 and not np.allclose(X, Xv)
    rng = np.random.default_rng(networks.DATA_SEED)  # drawn again: the same rows
    make = networks.DATASETS[name][1]
    for a, b in zip((X, y, Xv, yv), (*make(rng, 200), *make(rng, 200))):
        np.testing.assert_array_equal(a, b)
    ns = {"np": np}  # the code pane's program draws exactly these rows
    exec(get(f"{name}-mlp").code, ns)
    for key, a in zip(("X", "y", "X_val", "y_val"), (X, y, Xv, yv)):
        np.testing.assert_array_equal(ns[key], a)


@pytest.mark.parametrize("layers", [(2, 16, 16, 1), (2, 32, 8, 1), (2, 1)])
def test_the_start_is_glorot_uniform_with_zero_biases_seeded_by_init_seed(layers):
    s = get("spiral-mlp", layers=layers, init_seed=7)
    w0 = np.array(s.start)
    assert len(w0) == s.dim == sum(a * b + b for a, b in zip(layers[:-1], layers[1:]))
    o = 0
    for a, b in zip(layers[:-1], layers[1:]):
        W, bias = w0[o:o + a * b], w0[o + a * b:o + a * b + b]
        r = np.sqrt(6 / (a + b))
        assert np.all(np.abs(W) <= r) and np.all(bias == 0)
        if a * b >= 128:  # uniform on (−r, r): mean 0, variance r²/3
            assert abs(W.mean()) < 0.15 * r and abs(W.var() / (r * r / 3) - 1) < 0.25
            assert np.abs(W).max() > 0.9 * r
        o += a * b + b
    np.testing.assert_array_equal(w0, get("spiral-mlp", layers=layers, init_seed=7).start)
    assert not np.array_equal(w0, get("spiral-mlp", layers=layers, init_seed=8).start)


def test_surfaces_from_name_and_settings_are_cached_by_both():
    a = get("moons-mlp", layers="2,8,1", activation="relu", init_seed=3)
    assert a is get("moons-mlp", layers=[2, 8, 1], activation="relu", init_seed="3")
    assert a is get_surface("moons-mlp", layers=(2, 8, 1), activation="relu", init_seed=3)
    assert a.dim == 33 and dict(a.settings)["layers"] == (2, 8, 1)
    default = get("moons-mlp")
    assert default is get("moons-mlp", layers=None, activation="", init_seed=None)
    assert default.dim == 337 and dict(default.settings) == {
        "layers": (2, 16, 16, 1), "activation": "tanh", "init_seed": 0}
    assert get("moons-mlp", init_seed=1).start != default.start
    assert get("xor-mlp").dim == 337 and get("xor-mlp").name == "xor-mlp"
    assert not any(n.endswith("-mlp") for n in SURFACES) and get("bowl") is SURFACES["bowl"]


@pytest.mark.parametrize("name, settings, words", [
    ("moons-mlp", {"layers": "2,33,1"}, "from 1 to 32"),
    ("moons-mlp", {"layers": "3,4,1"}, "from the 2 inputs to the 1 logit"),
    ("moons-mlp", {"layers": "2,4,2"}, "from the 2 inputs to the 1 logit"),
    ("moons-mlp", {"layers": "2,4,x,1"}, "whole number"),
    ("moons-mlp", {"layers": "2,2,2,2,2,2,1"}, "at most 4 hidden layers"),
    ("moons-mlp", {"layers": "2,32,32,32,1"}, "at most 2000"),
    ("moons-mlp", {"activation": "sigmoid"}, "tanh or relu"),
    ("moons-mlp", {"init_seed": -1}, "init_seed must be a whole number"),
    ("moons-mlp", {"init_seed": 1.5}, "init_seed must be a whole number"),
    ("moons-mlp", {"depth": 3}, "unknown setting 'depth'"),
    ("bowl", {"layers": "2,4,1"}, "takes no settings"),
    ("lines-mlp", {}, "unknown surface 'lines-mlp'"),
])
def test_bad_settings_are_one_line_errors(name, settings, words):
    with pytest.raises(GdlabError) as info:
        get(name, **settings)
    assert words in str(info.value) and "\n" not in str(info.value)


# -- experiments, code pane, CLI ------------------------------------------------------------------

def test_a_run_answer_carries_accuracy_per_step_from_its_path():
    r = run_experiment({"surface": "gaussians-mlp", "layers": "2,6,1", "activation": "relu",
                        "init_seed": 2, "optimizer": "adam", "lr": 0.02, "steps": 60,
                        "batch_size": 20, "seed": 9})
    assert r["settings"] == {"layers": [2, 6, 1], "activation": "relu", "init_seed": 2}
    assert r["acc"].shape == r["val_acc"].shape == r["val_loss"].shape == (61,)
    X, y, Xv, yv = networks.dataset("gaussians")
    for t in (0, 30, 60):  # the reference: torch's logits of the weights at step t
        model = torch_model((2, 6, 1), "relu", r["path"][t])
        with torch.no_grad():
            z, zv = (model(torch.tensor(a))[:, 0].numpy() for a in (X, Xv))
        assert r["acc"][t] == np.mean((z > 0) == (y == 1))
        assert r["val_acc"][t] == np.mean((zv > 0) == (yv == 1))
    assert r["acc"][-1] > 0.85 and r["val_acc"][-1] > 0.85
    # noisy-labels is a classifier too (no held-out rows there)
    n = run_experiment({"surface": "noisy-labels", "steps": 5})
    assert n["acc"].shape == (6,) and "val_acc" not in n


def test_the_code_pane_program_trains_the_same_net():
    state = {"surface": "moons-mlp", "layers": "2,5,3,1", "activation": "relu", "init_seed": 4,
             "optimizer": "adam", "lr": 0.02, "steps": 40}
    text = program(state)
    assert "start = init(INIT_SEED)" in text and "INIT_SEED = 4" in text
    mine = run_user({"code": text, "optimizer": "adam", "landscape": False})
    assert "error" not in mine, mine.get("error")
    core = run_experiment(state)
    np.testing.assert_allclose(mine["path"], core["path"], rtol=1e-12, atol=1e-14)
    body = get("moons-mlp").code
    model = body[body.index("def unpack"):body.index("def val_loss")]
    assert len(model.strip().splitlines()) <= 40  # the forward and backward pass


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_data_prints_what_rebuilds_the_net(capsys):
    code, out, _ = cli(capsys, "data", "moons-mlp", "--layers", "2,8,1", "--init-seed", "3",
                       "--json")
    assert code == 0
    d = json.loads(out)
    assert d["layers"] == [2, 8, 1] and d["activation"] == "tanh" and d["loss"] == "bce-logits"
    assert d["layout"] == [{"name": "W1", "shape": [2, 8]}, {"name": "b1", "shape": [8]},
                           {"name": "W2", "shape": [8, 1]}, {"name": "b2", "shape": [1]}]
    X, y = np.array(d["X"]), np.array(d["y"])
    assert X.shape == np.array(d["X_val"]).shape == (200, 2) and set(d["y"]) | set(d["y_val"]) == {0, 1}
    w0 = np.array(d["w0"])
    assert w0.shape == (sum(np.prod(e["shape"]) for e in d["layout"]),)
    code, out, _ = cli(capsys, "run", "moons-mlp", "--layers", "2,8,1", "--init-seed", "3",
                       "--steps", "0", "--json")
    run0 = json.loads(out)
    np.testing.assert_array_equal(run0["path"][0], w0)
    loss = torch_loss(torch_model(d["layers"], d["activation"], w0), X, y).item()
    np.testing.assert_allclose(run0["loss"][0], loss, rtol=1e-12)


def test_cli_runs_a_network_experiment(capsys):
    code, out, _ = cli(capsys, "run", "xor-mlp", "--layers", "2,8,8,1", "--activation", "relu",
                       "--init-seed", "1", "--optimizer", "adam", "--lr", "0.01", "--steps",
                       "30", "--batch-size", "32", "--seed", "2", "--json")
    assert code == 0
    r = json.loads(out)
    assert len(r["acc"]) == len(r["val_acc"]) == len(r["loss"]) == 31
    assert r["settings"] == {"layers": [2, 8, 8, 1], "activation": "relu", "init_seed": 1}
    same = run_experiment({"surface": "xor-mlp", "layers": "2,8,8,1", "activation": "relu",
                           "init_seed": 1, "optimizer": "adam", "lr": 0.01, "steps": 30,
                           "batch_size": 32, "seed": 2})
    np.testing.assert_array_equal(r["loss"], same["loss"])
    code, out, _ = cli(capsys, "run", "xor-mlp", "--layers", "2,8,1", "--steps", "20")
    assert code == 0 and "val_acc" in out and "layers 2,8,1" in out
    code, out, _ = cli(capsys, "compare", "xor-mlp", "--optimizers", "sgd,adam", "--layers",
                       "2,4,1", "--steps", "10")
    assert code == 0 and out.splitlines()[0].split()[-2:] == ["acc", "val_acc"]


@pytest.mark.parametrize("argv, words", [
    (["run", "moons-mlp", "--layers", "2,64,1"], "from 1 to 32"),
    (["run", "moons-mlp", "--activation", "gelu"], "tanh or relu"),
    (["run", "moons-mlp", "--init-seed", "x"], "init_seed"),
    (["run", "bowl", "--layers", "2,4,1"], "takes no settings"),
    (["data", "bowl"], "not a data problem"),
    (["data", "moons-mlp", "--layers", "1,1"], "2 inputs"),
])
def test_bad_network_flags_exit_2_with_one_line(capsys, argv, words):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == "" and words in err and err.count("\n") == 1


def test_the_catalog_describes_the_networks_and_their_settings():
    from gdlab.bridge import handle

    out = handle({"op": "catalog"})
    assert [n["name"] for n in out["networks"]] == list(networks.NAMES)
    for entry in out["networks"]:
        s = get(entry["name"])
        assert entry["dim"] == s.dim and entry["code"] == s.code and entry["lr"] == s.lr
        defaults = {k["key"]: k["default"] for k in entry["settings"]}
        assert list(defaults) == ["layers", "activation", "init_seed"]
        assert get(entry["name"], **defaults) is s
    keys = {k["key"]: k for k in out["state_keys"]}
    assert all(keys[k]["run"] and keys[k]["of"] == "networks" for k in defaults)


def test_sweep_and_compare_run_networks_with_their_settings():
    from gdlab.bridge import handle

    base = {"surface": "circles-mlp", "layers": "2,4,4,1", "activation": "relu", "init_seed": 5,
            "optimizer": "momentum", "steps": 25, "batch_size": 50, "seed": 3}
    sweep = handle({"op": "sweep", "lrs": [0.05, 0.3], **base})
    assert "error" not in sweep, sweep.get("error")
    assert sweep["paths"].shape == (2, 26, get("circles-mlp", layers="2,4,4,1").dim)
    both = handle({"op": "compare", "runs": [{**base, "lr": 0.05}, {**base, "lr": 0.3}]})
    for k in range(2):
        np.testing.assert_allclose(sweep["paths"][k], both["runs"][k]["path"], rtol=1e-12)
        assert both["runs"][k]["settings"]["init_seed"] == 5
