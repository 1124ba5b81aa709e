"""Bad input gets a clear error that names the argument and the value received."""
import numpy as np
import pytest

import coursekit as ck

rng = np.random.default_rng(0)
X2 = rng.standard_normal((4, 2))


def linear():
    return ck.Linear(2, 3, rng=0)


def after_forward(module, x):
    module(x)
    return module


CASES = {
    "n_in zero": (lambda: ck.Linear(0, 2, rng=0), ValueError, ["n_in", "0"]),
    "n_out negative": (lambda: ck.Linear(2, -3, rng=0), ValueError, ["n_out", "-3"]),
    "n_in float": (lambda: ck.Linear(2.5, 2, rng=0), TypeError, ["n_in", "2.5"]),
    "rng None": (lambda: ck.Linear(2, 2, rng=None), TypeError, ["rng", "None"]),
    "legacy RandomState": (lambda: ck.Linear(2, 2, rng=np.random.RandomState(0)), TypeError, ["rng", "RandomState"]),
    "integer dtype": (lambda: ck.Linear(2, 2, rng=0, dtype=np.int32), TypeError, ["dtype", "int32"]),
    "init string": (lambda: ck.Linear(2, 2, rng=0, init="he"), TypeError, ["init", "'he'"]),
    "wrong feature count": (lambda: linear()(np.ones((4, 5))), ValueError, ["X", "2 features", "(4, 5)"]),
    "1-D input": (lambda: linear()(np.ones(2)), ValueError, ["X", "2-D", "(2,)"]),
    "NaN input": (lambda: linear()(np.array([[1.0, np.nan]])), ValueError, ["X", "NaN"]),
    "inf input": (lambda: linear()(np.array([[np.inf, 1.0]])), ValueError, ["X", "infinite"]),
    "string input": (lambda: linear()(np.array([["a", "b"]])), TypeError, ["X", "<U1"]),
    "Linear backward first": (lambda: linear().backward(np.ones((4, 3))), RuntimeError, ["Linear.backward", "forward"]),
    "ReLU backward first": (lambda: ck.ReLU().backward(np.ones((4, 3))), RuntimeError, ["ReLU.backward", "forward"]),
    "Softmax backward first": (lambda: ck.Softmax().backward(np.ones((4, 3))), RuntimeError, ["Softmax.backward"]),
    "dZ wrong shape": (lambda: after_forward(linear(), X2).backward(np.ones((4, 2))), ValueError, ["dZ", "(4, 3)", "(4, 2)"]),
    "activation NaN": (lambda: ck.Tanh()(np.array([np.nan])), ValueError, ["z", "NaN"]),
    "float labels": (lambda: ck.CrossEntropyLoss()(np.zeros((2, 3)), np.array([0.5, 1.0])), TypeError, ["target", "float64"]),
    "label too large": (lambda: ck.CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 5])), ValueError, ["target", "[0, 3)", "5"]),
    "negative label": (lambda: ck.CrossEntropyLoss()(np.zeros((2, 3)), np.array([-1, 0])), ValueError, ["target", "-1"]),
    "label count": (lambda: ck.CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 1, 2])), ValueError, ["target", "(2,)", "(3,)"]),
    "one-hot rows": (lambda: ck.CrossEntropyLoss()(np.zeros((2, 3)), np.ones((2, 3))), ValueError, ["one-hot", "sum to 1"]),
    "MSE shapes": (lambda: ck.MSELoss()(np.zeros((3, 1)), np.zeros(3)), ValueError, ["target", "(3, 1)", "(3,)", "reshape"]),
    "MSE NaN target": (lambda: ck.MSELoss()(np.zeros((1, 1)), np.array([[np.nan]])), ValueError, ["target", "NaN"]),
    "BCE target range": (lambda: ck.BCEWithLogitsLoss()(np.zeros((2, 1)), np.array([0.0, 2.0])), ValueError, ["target", "[0, 1]"]),
    "BCE two columns": (lambda: ck.BCEWithLogitsLoss()(np.zeros((2, 2)), np.zeros(2)), ValueError, ["pred", "(2, 2)"]),
    "loss backward first": (lambda: ck.MSELoss().backward(), RuntimeError, ["MSELoss.backward"]),
    "MLP one size": (lambda: ck.MLP([2], rng=0), ValueError, ["sizes"]),
    "MLP zero width": (lambda: ck.MLP([2, 0, 1], rng=0), ValueError, ["sizes[1]", "0"]),
    "MLP activation string": (lambda: ck.MLP([2, 2], "relu", rng=0), TypeError, ["activation", "'relu'"]),
    "Sequential non-module": (lambda: ck.Sequential(ck.ReLU(), "x"), TypeError, ["layer 1", "'x'"]),
    "leaky slope NaN": (lambda: ck.LeakyReLU(float("nan")), ValueError, ["negative_slope", "nan"]),
    "normal std negative": (lambda: ck.init.normal(-1.0), ValueError, ["std", "-1.0"]),
    "gradcheck float32": (lambda: ck.check_gradients(ck.Linear(2, 2, rng=0, dtype=np.float32), X2), TypeError, ["float64", "float32"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_raises_a_clear_error(name):
    call, error, fragments = CASES[name]
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"
