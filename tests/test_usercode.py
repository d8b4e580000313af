"""The learner's code: what the lab reads from it, and how its failures are explained."""

import numpy as np
import pytest

from gdlab.usercode import run_user

PARABOLA = """
import numpy as np

def loss(w):
    return (w[0] - 3) ** 2

def grad(w):
    return np.array([2 * (w[0] - 3)])

start = [-5.0]
lr = 0.1
steps = 30
"""


def test_the_program_defines_the_experiment_and_gd_runs_it():
    out = run_user({"code": PARABOLA})
    assert "error" not in out, out
    expected = 3 + (1 - 2 * 0.1) ** np.arange(31) * -8.0
    np.testing.assert_allclose(out["path"][:, 0], expected, rtol=1e-12)
    assert out["grad_source"] == "grad(w)" and out["custom"] is False
    assert out["status"] == "converged" and out["steps"] == 30 and out["lr_base"] == 0.1


def test_overrides_from_the_slider_win_over_the_code():
    out = run_user({"code": PARABOLA, "lr": 1.0, "steps": 4})
    np.testing.assert_allclose(out["path"][:, 0], [-5, 11, -5, 11, -5])
    assert out["status"] == "oscillating"


def test_without_grad_the_lab_differentiates_numerically_and_says_so():
    code = "def loss(w):\n    return w[0]**2 + 4*w[1]**2\nstart = [3.0, 2.0]\nlr = 0.1\nsteps = 20\n"
    out = run_user({"code": code})
    assert out["grad_source"] == "numerical"
    w = np.array([3.0, 2.0])
    for _ in range(20):
        w = w - 0.1 * np.array([2 * w[0], 8 * w[1]])
    np.testing.assert_allclose(out["path"][-1], w, atol=1e-7)
    assert out["landscape"]["z"].shape == (41, 41)


def test_a_custom_step_rule_is_used_exactly_as_written():
    code = PARABOLA + """
def step(w, g, lr, state):
    return w - lr * np.sign(g), state
"""
    out = run_user({"code": code, "steps": 3})
    assert out["custom"] is True and out["optimizer"] == "custom"
    np.testing.assert_allclose(out["path"][:, 0], [-5.0, -4.9, -4.8, -4.7])


def test_a_custom_momentum_rule_keeps_its_state_between_calls():
    code = PARABOLA + """
def step(w, g, lr, state):
    v = g if state is None else 0.9 * state + g
    return w - lr * v, v
"""
    out = run_user({"code": code, "steps": 5})
    w, v = -5.0, None
    for _ in range(5):
        g = 2 * (w - 3)
        v = g if v is None else 0.9 * v + g
        w = w - 0.1 * v
    assert out["path"][-1, 0] == pytest.approx(w, rel=1e-12)


def test_print_output_comes_back_as_text():
    out = run_user({"code": PARABOLA + "print('hello <b>lab</b>')\n"})
    assert out["stdout"] == "hello <b>lab</b>\n"


@pytest.mark.parametrize("code, message, line", [
    ("def loss(w):\n    return w[0]**2\nstart = [1.0]\nx = undefined_name\n", "NameError", 4),
    ("def loss(w):\n    return w[0]**2\n\nstart = [1.0\n", "SyntaxError", None),
    ("def loss(w):\n    return 1 / 0\nstart = [1.0]\n", "ZeroDivisionError", 2),
    ("def loss(w):\n    return 'big'\nstart = [1.0]\n", "returned text", None),
    ("def loss(w):\n    return w * 2\nstart = [1.0, 2.0]\n", "shape (2,)", None),
    ("start = [1.0]\n", "define a function loss", None),
    ("def loss(w):\n    return w[0]**2\n", "define start", None),
    ("def loss(w):\n    return w[0]**2\nstart = [1.0]\nlr = -1\n", "lr must be", None),
])
def test_errors_say_what_went_wrong_and_where(code, message, line):
    out = run_user({"code": code})
    assert message in out["error"]
    if line is not None:
        assert out["line"] == line
        assert f'File "<code>", line {line}' in out["traceback"]
        assert "usercode.py" not in out["traceback"]  # trimmed to the learner's own code


def test_a_syntax_error_marks_its_line():
    out = run_user({"code": "def loss(w):\n    return w[0]**2\n\nstart = [1.0\nlr = 0.1\n"})
    assert out["line"] in (4, 5) and "SyntaxError" in out["error"]


def test_a_diverging_loss_ends_the_path_where_numbers_end():
    code = "import numpy as np\ndef loss(w):\n    return np.exp(w[0])\ndef grad(w):\n    return np.exp(w)\nstart = [1.0]\nlr = -0.0 + 5\nsteps = 20\n"
    # w moves to −∞ where exp underflows to 0: finite; make it blow up upward instead
    code = code.replace("start = [1.0]", "start = [1.0]\n").replace("return np.exp(w)", "return -np.exp(w)")
    out = run_user({"code": code})
    assert out["status"] == "diverged"
    assert np.isfinite(out["path"]).all() and np.isfinite(out["loss"]).all()
    assert out["diverged_at"] == len(out["path"])


def test_check_finds_where_a_wrong_momentum_parts_from_torch_style_momentum():
    from gdlab.usercode import check_user

    right = PARABOLA + """
def step(w, g, lr, state):
    b = g if state is None else 0.9 * state + g
    return w - lr * b, b
"""
    out = check_user({"code": right, "reference": "momentum", "steps": 20})
    assert out["match"] is True, out
    wrong = right.replace("b = g if state is None else", "b = 0.1 * g if state is None else")
    out = check_user({"code": wrong, "reference": "momentum", "steps": 20})
    assert out["match"] is False and out["step"] == 1
    assert out["yours"][0] == pytest.approx(-5 + 0.1 * 0.1 * 16)
    assert out["expected"][0] == pytest.approx(-5 + 0.1 * 16)


def test_a_built_in_optimizer_runs_beside_a_custom_step_for_comparison():
    code = PARABOLA + "\ndef step(w, g, lr, state):\n    return w - lr * np.sign(g), state\n"
    out = run_user({"code": code, "steps": 30, "compare": "sgd"})
    assert out["custom"] is True and out["compare"]["optimizer"] == "sgd"
    np.testing.assert_allclose(out["compare"]["path"][:, 0], 3 + 0.8 ** np.arange(31) * -8.0, rtol=1e-12)
    assert out["compare"]["status"] == "converged"
    assert run_user({"code": code, "compare": "nope"})["error"].startswith("unknown optimizer")
