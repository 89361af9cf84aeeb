"""A multi-layer perceptron in plain NumPy: forward, backward, loss, Adam.

In the spirit of micrograd / nanoGPT: a few small functions whose names follow
the maths. Parameters are a dict ``{"W1": (n0, n1), "b1": (n1,), "W2": ...}``;
hidden layers use ReLU, the last layer gives logits. Everything works on whole
batches (rows of ``X``) with matrix products; there is no loop over samples.
"""

import numpy as np

DTYPE = np.float32


# ----------------------------------------------------------------------------- parameters

def init_params(sizes, rng, dtype=DTYPE):
    """Xavier/Glorot-uniform weights and zero biases for layer sizes ``[n_in, h1, ..., n_out]``.

    W_l ~ U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"need at least an input and an output size, all >= 1, got {sizes}")
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        a = np.sqrt(6.0 / (n_in + n_out))
        params[f"W{l}"] = rng.uniform(-a, a, size=(n_in, n_out)).astype(dtype)
        params[f"b{l}"] = np.zeros(n_out, dtype=dtype)
    return params


def n_layers(params):
    """Number of weight layers (L) in ``params``."""
    return sum(1 for k in params if k.startswith("W"))


def layer_sizes(params):
    """``[n_in, h1, ..., n_out]`` read from the weight shapes."""
    L = n_layers(params)
    return [params["W1"].shape[0]] + [params[f"W{l}"].shape[1] for l in range(1, L + 1)]


def param_names(params):
    """Parameter names in layer order: W1, b1, W2, b2, ..."""
    return [f"{p}{l}" for l in range(1, n_layers(params) + 1) for p in ("W", "b")]


# ----------------------------------------------------------------------------- forward / backward

def relu(z):
    return np.maximum(z, 0)


def forward(params, X, train=False, dropout=0.0, rng=None):
    """Logits for a batch.

    Parameters
    ----------
    params : dict of arrays
    X : (N, n_in) array (or (N, ...) reshaped to rows)
    train : bool
        Apply (inverted) dropout on hidden activations when True and ``dropout > 0``.
    dropout : float
        Probability of zeroing a hidden unit during training.
    rng : numpy.random.Generator
        Needed for dropout.

    Returns
    -------
    logits : (N, n_out) array
    cache : dict
        What :func:`backward` needs: the input of every layer and the dropout masks.
    """
    L = n_layers(params)
    h = np.asarray(X).reshape(len(X), -1)
    hs, masks = [h], []
    for l in range(1, L):
        z = h @ params[f"W{l}"] + params[f"b{l}"]
        h = relu(z)
        mask = None
        if train and dropout > 0:
            if rng is None:
                raise ValueError("dropout needs an rng")
            # inverted dropout: scale kept units by 1/(1-p) so inference needs no change
            mask = (rng.random(h.shape, dtype=np.float32) >= dropout).astype(h.dtype) / h.dtype.type(1 - dropout)
            h = h * mask
        hs.append(h)
        masks.append(mask)
    logits = h @ params[f"W{L}"] + params[f"b{L}"]
    return logits, {"hs": hs, "masks": masks}


def backward(params, cache, dlogits):
    """Gradients of the loss with respect to every parameter, given dL/dlogits.

    Returns a dict with the same keys and shapes as ``params``.
    """
    L = n_layers(params)
    hs, masks = cache["hs"], cache["masks"]
    grads = {}
    dz = dlogits
    for l in range(L, 0, -1):
        h_in = hs[l - 1]
        grads[f"W{l}"] = h_in.T @ dz
        grads[f"b{l}"] = dz.sum(axis=0)
        if l == 1:
            break
        dh = dz @ params[f"W{l}"].T
        # h_in = relu(z) * mask: d/dz is mask where z > 0 (h_in > 0 there unless dropped, and
        # dropped units get mask 0 anyway), so one comparison covers ReLU and dropout.
        m = masks[l - 2]
        if m is not None:
            dh = dh * m
        dz = dh * (h_in > 0)
    return grads


# ----------------------------------------------------------------------------- loss

def log_softmax(logits):
    """log(softmax(logits)) row-wise, stable for huge logits (max subtracted first)."""
    z = logits - logits.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def softmax(logits):
    """Row-wise softmax; subtracting the row max keeps exp() from overflowing."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(logits, y, smoothing=0.0):
    """Mean cross-entropy of integer labels ``y`` under softmax(logits), and its gradient.

    With label smoothing ``eps`` the target is ``(1 - eps) * onehot(y) + eps / K``.

    Returns
    -------
    loss : float
    dlogits : (N, K) array, d loss / d logits (already divided by N)
    """
    N, K = logits.shape
    y = np.asarray(y)
    target = np.full((N, K), smoothing / K, dtype=logits.dtype)
    target[np.arange(N), y] += 1.0 - smoothing
    logp = log_softmax(logits)
    loss = -(target * logp).sum() / N
    # d/dz of -sum(t * log softmax(z)) is softmax(z) - t, because sum(t) == 1.
    dlogits = (np.exp(logp) - target) / N
    return float(loss), dlogits.astype(logits.dtype, copy=False)


def accuracy(logits, y):
    return float((np.argmax(logits, axis=1) == np.asarray(y)).mean()) if len(y) else float("nan")


# ----------------------------------------------------------------------------- optimiser

class Adam:
    """Adam (Kingma & Ba) with optional decoupled weight decay (AdamW) on the weights only.

    ``step(params, grads, lr=None)`` updates ``params`` in place.
    """

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.weight_decay = weight_decay
        self.t = 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads, lr=None):
        lr = self.lr if lr is None else lr
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c1 = 1 - b1 ** self.t
        c2 = 1 - b2 ** self.t
        for k, p in params.items():
            g = grads[k]
            m, v = self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            step = (lr / c1) * m / (np.sqrt(v / c2) + self.eps)
            if self.weight_decay and k.startswith("W"):
                step += lr * self.weight_decay * p
            p -= step.astype(p.dtype, copy=False)

    def state_dict(self):
        """Arrays and numbers that restore the optimiser exactly (for checkpoints)."""
        state = {"t": np.array(self.t, dtype=np.int64)}
        for k in self.m:
            state[f"m_{k}"] = self.m[k]
            state[f"v_{k}"] = self.v[k]
        return state

    def load_state_dict(self, state):
        self.t = int(state["t"])
        for k in self.m:
            self.m[k] = np.array(state[f"m_{k}"], dtype=self.m[k].dtype)
            self.v[k] = np.array(state[f"v_{k}"], dtype=self.v[k].dtype)
