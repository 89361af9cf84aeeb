"""The NumPy MLP: gradients, softmax / cross-entropy, Adam, learning."""

import numpy as np
import pytest

from ocr import mlp


def _net(seed=0, sizes=(5, 7, 6, 4), n=8):
    rng = np.random.default_rng(seed)
    params = mlp.init_params(sizes, rng, dtype=np.float64)
    for k in params:  # non-zero biases so that their gradients are exercised too
        params[k] += rng.normal(0, 0.1, params[k].shape)
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return params, X, y


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_gradient_check_every_parameter(smoothing):
    """backward() agrees with central differences for every entry of W1, b1, W2, b2, W3, b3."""
    params, X, y = _net()

    def loss_of(p):
        return mlp.cross_entropy(mlp.forward(p, X)[0], y, smoothing)[0]

    logits, cache = mlp.forward(params, X)
    _, dlogits = mlp.cross_entropy(logits, y, smoothing)
    grads = mlp.backward(params, cache, dlogits)
    assert set(grads) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    h = 1e-6
    for k, p in params.items():
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = loss_of(params)
            p[i] = old - h
            down = loss_of(params)
            p[i] = old
            num[i] = (up - down) / (2 * h)
        assert grads[k].shape == p.shape
        err = np.abs(grads[k] - num).max() / max(1e-8, np.abs(num).max())
        assert err < 1e-5, (k, err)


def test_gradient_check_with_dropout():
    """With a fixed dropout mask the analytic gradient still matches the numerical one."""
    params, X, y = _net(1)
    seed = 3

    def run(p):
        return mlp.forward(p, X, train=True, dropout=0.5, rng=np.random.default_rng(seed))

    logits, cache = run(params)
    assert any(m is not None and (m == 0).any() for m in cache["masks"])
    grads = mlp.backward(params, cache, mlp.cross_entropy(logits, y)[1])
    p = params["W1"]
    h = 1e-6
    for i in [(0, 0), (2, 3), (4, 6)]:
        old = p[i]
        p[i] = old + h
        up = mlp.cross_entropy(run(params)[0], y)[0]
        p[i] = old - h
        down = mlp.cross_entropy(run(params)[0], y)[0]
        p[i] = old
        assert grads["W1"][i] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_softmax_stable_on_huge_logits():
    z = np.array([[1000.0, 1000.0, -1000.0], [1e30, 0.0, -1e30]], dtype=np.float32)
    p = mlp.softmax(z)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0], atol=1e-7)
    np.testing.assert_allclose(p[1], [1.0, 0.0, 0.0], atol=1e-7)
    loss, d = mlp.cross_entropy(z, np.array([0, 0]))
    assert np.isfinite(loss) and np.isfinite(d).all()
    assert loss == pytest.approx(np.log(2) / 2, rel=1e-5)


def test_softmax_shift_invariant():
    z = np.random.default_rng(0).normal(size=(4, 5))
    np.testing.assert_allclose(mlp.softmax(z), mlp.softmax(z + 123.0), rtol=1e-12)
    np.testing.assert_allclose(mlp.softmax(z).sum(axis=1), 1.0)


def test_cross_entropy_known_values():
    # uniform logits over 4 classes: loss ln 4 whatever the label
    loss, d = mlp.cross_entropy(np.zeros((2, 4)), np.array([1, 3]))
    assert loss == pytest.approx(np.log(4))
    np.testing.assert_allclose(d, (np.full((2, 4), 0.25) - np.eye(4)[[1, 3]]) / 2)
    # logits (ln 1, ln 2, ln 1): p = (1/4, 1/2, 1/4); label 1 -> -ln(1/2)
    z = np.log(np.array([[1.0, 2.0, 1.0]]))
    assert mlp.cross_entropy(z, np.array([1]))[0] == pytest.approx(np.log(2))
    # label smoothing 0.3 over 3 classes: target (0.1, 0.8, 0.1)
    want = -(0.1 * np.log(0.25) + 0.8 * np.log(0.5) + 0.1 * np.log(0.25))
    assert mlp.cross_entropy(z, np.array([1]), smoothing=0.3)[0] == pytest.approx(want)


def test_init_params_glorot_and_float32():
    rng = np.random.default_rng(0)
    p = mlp.init_params([1024, 300, 36], rng)
    assert p["W1"].dtype == np.float32 and p["W1"].shape == (1024, 300)
    a = np.sqrt(6 / (1024 + 300))
    assert np.abs(p["W1"]).max() <= a and np.abs(p["W1"]).max() > 0.95 * a
    assert p["W1"].std() == pytest.approx(a / np.sqrt(3), rel=0.02)
    assert not p["b1"].any() and p["b2"].shape == (36,)
    assert mlp.layer_sizes(p) == [1024, 300, 36]


def test_forward_float32_and_eval_ignores_dropout():
    params, X, _ = _net()
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    a, _ = mlp.forward(p32, X.astype(np.float32))
    b, _ = mlp.forward(p32, X.astype(np.float32), train=False, dropout=0.5)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


def test_tiny_network_learns_separable_problem():
    """Four Gaussian blobs in 2-D: a 2-16-4 net with Adam reaches > 97 % training accuracy."""
    rng = np.random.default_rng(0)
    centres = np.array([[2, 2], [-2, 2], [-2, -2], [2, -2]], dtype=np.float32)
    y = rng.integers(0, 4, 400)
    X = centres[y] + rng.normal(0, 0.5, (400, 2)).astype(np.float32)
    params = mlp.init_params([2, 16, 4], rng)
    opt = mlp.Adam(params, lr=0.02)
    before = mlp.accuracy(mlp.forward(params, X)[0], y)
    losses = []
    for _ in range(150):
        logits, cache = mlp.forward(params, X, train=True)
        loss, d = mlp.cross_entropy(logits, y)
        losses.append(loss)
        opt.step(params, mlp.backward(params, cache, d))
    after = mlp.accuracy(mlp.forward(params, X)[0], y)
    assert after > 0.97 and after > before
    assert losses[-1] < 0.2 * losses[0]


def test_adam_state_round_trip_continues_identically():
    params, X, y = _net(2)
    opt = mlp.Adam(params, lr=0.01, weight_decay=0.01)
    for _ in range(3):
        logits, c = mlp.forward(params, X)
        opt.step(params, mlp.backward(params, c, mlp.cross_entropy(logits, y)[1]))
    copy = {k: v.copy() for k, v in params.items()}
    opt2 = mlp.Adam(copy, lr=0.01, weight_decay=0.01)
    opt2.load_state_dict({k: np.array(v) for k, v in opt.state_dict().items()})
    for p, o in ((params, opt), (copy, opt2)):
        logits, c = mlp.forward(p, X)
        o.step(p, mlp.backward(p, c, mlp.cross_entropy(logits, y)[1]))
    for k in params:
        np.testing.assert_array_equal(params[k], copy[k])
