"""The Module contract: parameters, modes, dtypes, determinism and readable reprs."""
import numpy as np
import pytest

import coursekit as ck


def test_parameter_grad_starts_at_zero_with_same_shape_and_dtype():
    for dtype in (np.float32, np.float64):
        p = ck.Parameter(np.ones((3, 2), dtype=dtype))
        assert p.grad.shape == (3, 2) and p.grad.dtype == dtype and not p.grad.any()


def test_named_parameters_and_modes():
    model = ck.MLP([2, 3, 1], ck.ReLU(), ck.Sigmoid(), rng=0)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.W", "0.b", "2.W", "2.b"]
    assert model[0].W.shape == (2, 3)              # batch-first: W is (n_in, n_out)
    model.eval()
    assert not any(m.training for m in [model, *model.children()])
    model.train()
    assert all(m.training for m in [model, *model.children()])


def test_readable_repr():
    text = repr(ck.MLP([2, 2, 1], ck.ReLU(), ck.Sigmoid(), rng=0))
    assert "Linear(2 -> 2" in text and "ReLU()" in text and "Sigmoid()" in text
    assert "sizes=[2, 2, 1]" in text


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_end_to_end(dtype):
    """No silent upcasting: a float32 model gives float32 outputs and gradients."""
    rng = np.random.default_rng(0)
    model = ck.MLP([4, 8, 3], ck.Tanh(), rng=rng, dtype=dtype)
    X = rng.standard_normal((5, 4))                # float64 input is converted by the model
    out = model(X)
    loss = ck.CrossEntropyLoss()
    loss(out, np.array([0, 1, 2, 0, 1]))
    dX = model.backward(loss.backward())
    assert out.dtype == dtype and dX.dtype == dtype
    assert all(p.grad.dtype == dtype for p in model.parameters())


def test_same_seed_same_weights():
    a, b = ck.MLP([3, 5, 2], rng=42), ck.MLP([3, 5, 2], rng=np.random.default_rng(42))
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    c = ck.MLP([3, 5, 2], rng=43)
    assert not np.array_equal(a[0].W.data, c[0].W.data)


def test_mlp_default_init_is_he_for_relu_and_glorot_otherwise():
    assert ck.MLP([2, 2], ck.ReLU(), rng=0)[0].init is ck.init.he_normal
    assert ck.MLP([2, 2], ck.Tanh(), rng=0)[0].init is ck.init.xavier_uniform


def test_each_hidden_layer_gets_its_own_activation():
    model = ck.MLP([2, 3, 3, 1], ck.ReLU(), rng=0)
    assert model[1] is not model[3]
