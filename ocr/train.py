"""Training the NumPy MLP: data splits, balancing, augmentation, Adam, checkpoints.

The same seed and data give the same weights, and a run resumed from its
checkpoint ends with exactly the weights of an uninterrupted run: every random
draw comes from one ``numpy.random.Generator`` whose state is checkpointed.
"""

import contextlib
import datetime
import hashlib
import json
import math
import os
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import CLASSES
from . import features as features_
from . import mlp
from .atomic import check_folder
from .datasets import kind_of, load_emnist, load_folder, load_mat
from .errors import DataError, HandocrError, ModelError
from .model import Model, default_meta, to_inputs
from .progress import wanted

# Settings that are not command-line options; the bundled model was trained with these.
SMOOTHING = 0.1          # label smoothing
DROPOUT = 0.15           # on hidden activations
WEIGHT_DECAY = 1e-4      # decoupled (AdamW), weights only
PATIENCE = 8             # epochs without a better validation accuracy before stopping
# No early stop in the first half of the epochs: while the learning rate is high the
# validation accuracy swings by a point from epoch to epoch, and a lucky early epoch
# stopped a run before it had settled (kept epoch 7 of 15, 87.7 % on EMNIST).
MIN_EPOCH_SHARE = 0.5
MIN_LR = 0.02            # cosine schedule ends at lr * MIN_LR
WARMUP_EPOCHS = 1        # linear warm-up of the learning rate
FEATURES = "pixels"      # the network's input (ocr.features); --features
AUGMENT = {"rotate": 10.0, "shear": 0.2, "scale": (0.88, 1.08), "aspect": 0.08, "shift": 1.5, "elastic": 1.0}
SPLIT_SEED = 0           # seed of the stratified validation splits, fixed for every model
VALID_FRACTION = 0.1     # held out (stratified) when a source has no validation set
FOLDER_VALID_FRACTION = 0.2  # held out of LABEL/ crop folders, by file name (fixed across seeds)
FOLDER_SHARE = 0.25      # minimum share of each epoch drawn from LABEL/ crop folders
CHECKPOINT_VERSION = 1


# ----------------------------------------------------------------------------- data

@dataclass
class Source:
    """One labelled source with its training and validation parts."""

    name: str
    kind: str
    Xtr: np.ndarray
    ytr: np.ndarray
    Xva: np.ndarray
    yva: np.ndarray
    info: dict = field(default_factory=dict)


def stratified_split(y, fraction, rng):
    """Boolean mask of a validation set holding `fraction` of every class (at least 1 if it has 2+)."""
    y = np.asarray(y)
    valid = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        k = int(round(len(idx) * fraction))
        if len(idx) >= 2:
            k = max(k, 1)
        valid[rng.permutation(idx)[:k]] = True
    return valid


def name_split(names, fraction):
    """Validation mask chosen by a hash of each file name: fixed whatever the seed or the other files."""
    names = np.asarray(names)
    h = np.array([int(hashlib.sha1(str(n).encode()).hexdigest()[:8], 16) for n in names], dtype=np.int64)
    return (h % 1000) < int(round(fraction * 1000))


def gather(paths):
    """Load every data path and split it into training and validation parts.

    * ``*_train.mat`` uses its sibling ``*_valid.mat`` for validation (else a stratified 10 %);
    * EMNIST sheets: a stratified 10 %;
    * LABEL/ crop folders (e.g. photo_chars): 20 % chosen by file name;
    * the shared data folder: its emnist/ and photo_chars/ parts as two sources.

    The validation parts do not depend on the training seed (stratified splits
    draw from a fixed generator), so models trained with different seeds are all
    measured on data none of them saw, alone or averaged together.
    """
    split_rng = np.random.default_rng([SPLIT_SEED, 1])
    sources = []

    def add_split(name, kind, X, y, valid, **info):
        sources.append(Source(name, kind, X[~valid], y[~valid], X[valid], y[valid], info))

    for path in paths:
        path = Path(path)
        kind = kind_of(path)
        if kind == "mat":
            X, y = load_mat(path)
            sib = None
            if "_train" in path.name:
                cand = path.with_name(path.name.replace("_train", "_valid"))
                sib = cand if cand.is_file() else None
            if sib is not None:
                Xv, yv = load_mat(sib, split="valid")
                sources.append(Source(path.name, "mat", X, y, Xv, yv, {"valid": str(sib)}))
            else:
                add_split(path.name, "mat", X, y, stratified_split(y, VALID_FRACTION, split_rng))
        elif kind == "folder":
            X, y, names = load_folder(path, return_names=True)
            add_split(path.name, "folder", X, y, name_split(names, FOLDER_VALID_FRACTION))
        elif kind == "emnist":
            X, y = load_emnist(path)
            add_split(path.name, "emnist", X, y, stratified_split(y, VALID_FRACTION, split_rng))
        else:  # shared data folder
            if (path / "emnist").is_dir():
                X, y = load_emnist(path / "emnist")
                add_split("emnist", "emnist", X, y, stratified_split(y, VALID_FRACTION, split_rng))
            if (path / "photo_chars").is_dir():
                X, y, names = load_folder(path / "photo_chars", return_names=True)
                add_split("photo_chars", "folder", X, y, name_split(names, FOLDER_VALID_FRACTION))
    sources = [s for s in sources if len(s.ytr)]
    if not sources:
        raise DataError(f"{', '.join(map(str, paths))}: no labelled training samples")
    return sources


def sample_weights(sources):
    """Per-sample drawing probabilities: classes balanced within each source.

    Each source gets a share of every epoch proportional to its size, except that
    LABEL/ crop folders (photographed crops, closest to real use) get at least
    FOLDER_SHARE; inside a source every class present gets the same share.
    """
    sizes = np.array([len(s.ytr) for s in sources], dtype=np.float64)
    share = sizes / sizes.sum()
    folder = np.array([s.kind == "folder" for s in sources])
    if folder.any() and not folder.all():
        share[folder] = np.maximum(share[folder], FOLDER_SHARE)
        rest = max(0.0, 1.0 - share[folder].sum())
        share[~folder] *= rest / share[~folder].sum()
        share /= share.sum()
    ps = []
    for s, sh in zip(sources, share):
        counts = np.bincount(s.ytr, minlength=len(CLASSES)).astype(np.float64)
        present = (counts > 0).sum()
        ps.append(sh / present / counts[s.ytr])
    p = np.concatenate(ps)
    return p / p.sum()


def fingerprint(sources):
    """A short hash of the training data, to refuse resuming on different data."""
    h = hashlib.sha256()
    for s in sources:
        for a in (s.ytr, s.yva):
            h.update(np.ascontiguousarray(a).tobytes())
        for a in (s.Xtr, s.Xva):
            h.update(str(a.shape).encode())
            h.update(np.float64(a.sum(dtype=np.float64)).tobytes())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------- augmentation

def augment(X, rng, rotate=10.0, shear=0.2, scale=(0.88, 1.08), aspect=0.08, shift=1.5, elastic=0.0,
            cval=1.0):
    """Random small warps of a batch of images (B, H, W), all sampled at once.

    Every image gets its own rotation (degrees), shear, scale, aspect change and
    shift (pixels) about its centre, plus, if `elastic` > 0, a smooth random
    displacement of about `elastic` pixels (a 4x4 grid of random offsets,
    interpolated bilinearly: strokes bend a little, as from hand to hand);
    outside pixels become `cval` (paper).
    """
    X = np.asarray(X, dtype=np.float32)
    B, H, W = X.shape
    if B == 0:
        return X
    th = np.deg2rad(rng.uniform(-rotate, rotate, B))
    sh = rng.uniform(-shear, shear, B)
    s = rng.uniform(scale[0], scale[1], B)
    a = rng.uniform(-aspect, aspect, B)
    t = rng.uniform(-shift, shift, (B, 2))
    sy, sx = s * (1 + a), s * (1 - a)
    cos, sin = np.cos(th), np.sin(th)
    # Output pixel p (row, col) reads input M @ (p - centre) + centre + t, where
    # M = R(theta) @ Shear @ diag(1/sy, 1/sx) is the inverse of the warp applied to the glyph.
    R = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)          # (B,2,2)
    Sh = np.zeros((B, 2, 2)); Sh[:, 0, 0] = 1; Sh[:, 1, 1] = 1; Sh[:, 1, 0] = sh       # col += sh*row
    S = np.zeros((B, 2, 2)); S[:, 0, 0] = 1 / sy; S[:, 1, 1] = 1 / sx
    M = R @ Sh @ S
    cy, cx = (H - 1) / 2, (W - 1) / 2
    rr, cc = np.mgrid[0:H, 0:W]
    p = np.stack([rr.ravel() - cy, cc.ravel() - cx]).astype(np.float32)               # (2, HW)
    q = M.astype(np.float32) @ p + (np.array([cy, cx]) + t).astype(np.float32)[:, :, None]  # (B, 2, HW)
    if elastic > 0:
        q += _smooth_field(rng, B, H, W, elastic).reshape(B, 2, H * W)
    # Bilinear sampling of each image padded by one pixel of paper: clipping every
    # coordinate into its own padded block keeps it from reading a neighbouring image.
    np.clip(q, -1, [[H], [W]], out=q)
    q += 1
    stack = np.pad(X, ((0, 0), (1, 1), (1, 1)), constant_values=cval).ravel()
    y0, x0 = np.floor(q[:, 0]), np.floor(q[:, 1])  # (B, HW)
    wy, wx = q[:, 0] - y0, q[:, 1] - x0
    i00 = (y0.astype(np.int64) + (H + 2) * np.arange(B)[:, None]) * (W + 2) + x0.astype(np.int64)
    i01 = np.minimum(i00 + 1, stack.size - 1)
    i10 = np.minimum(i00 + (W + 2), stack.size - 1)
    i11 = np.minimum(i10 + 1, stack.size - 1)
    top = stack[i00] + wx * (stack[i01] - stack[i00])
    bottom = stack[i10] + wx * (stack[i11] - stack[i10])
    return (top + wy * (bottom - top)).reshape(B, H, W).astype(np.float32, copy=False)


#: The ways of writing a character that the training data lacks, drawn in by
#: :func:`cross_variants`: a seven and a zed crossed by a bar through their middle,
#: a zero slashed (continental and engineers' habits).
CROSSED = {"7": "bar", "Z": "bar", "0": "slash"}


def cross_variants(X, y, rng, share):
    """The batch and, added to it, crossed copies of `share` of its ``7``, ``Z`` and
    ``0`` crops: a bar drawn through a seven's or a zed's middle, a slash through a
    zero (:data:`CROSSED`).

    The copies are added rather than drawn over the crops: a plain zero stays as
    common among the zeros as in the data, and is not pushed towards ``O``. The
    crops are already normalised (:func:`ocr.normalize.normalize_glyph`: ink 0,
    paper 1, one fixed pen), so the stroke is drawn with that pen's width (2.5
    pixels): a bar a fifth to a half of the ink's width either side of the stem,
    45-62 % of the way down, tilted a little; a slash from below the ink's lower
    left corner to beyond its upper right one (up to 4 pixels), the zero first
    shrunk by up to 28 % (a slash reaching far beyond it leaves it smaller once
    normalised).

    Parameters
    ----------
    X : (B, 32, 32) float ndarray
    y : (B,) int ndarray
        Class indices into :data:`ocr.CLASSES`.
    rng : numpy.random.Generator
    share : float

    Returns
    -------
    X : (B + K, 32, 32) float32 ndarray
    y : (B + K,) int ndarray
        The batch (`X` and `y` themselves when no copy is made), then the K copies.
    """
    kinds = {CLASSES.index(c): k for c, k in CROSSED.items()}
    picked = [i for i in np.flatnonzero(np.isin(y, list(kinds))) if rng.random() < share]
    if not picked:
        return X, y
    from .synth import distance_to_segment

    copies = np.array(X[picked], dtype=np.float32)
    for crop, label in zip(copies, y[picked]):
        if kinds[int(label)] == "slash":  # a slash beyond the ring makes the ring smaller in the frame
            s = rng.uniform(0.72, 1.0)
            crop[:] = augment(crop[None], rng, rotate=0, shear=0, scale=(s, s), aspect=0, shift=0)[0]
        rows, cols = np.nonzero(crop < 0.5)
        if rows.size < 4:
            continue
        y0, y1, x0, x1 = rows.min(), rows.max(), cols.min(), cols.max()
        if kinds[int(label)] == "bar":
            r = y0 + rng.uniform(0.45, 0.62) * (y1 - y0)
            on = cols[np.abs(rows - r) < 1.0]
            c = float(on.mean()) if on.size else 0.5 * (x0 + x1)
            reach = rng.uniform(0.2, 0.5, 2) * (x1 - x0 + 1)
            tilt = rng.uniform(-0.12, 0.12)
            a, b = (r - tilt * reach[0], c - reach[0]), (r + tilt * reach[1], c + reach[1])
        else:
            e = rng.uniform(-1.0, 4.0, 2)
            a, b = (y1 + e[0], x0 - e[0]), (y0 - e[1], x1 + e[1])
        # the pen's stroke along a-b, its edge soft over a pixel
        np.minimum(crop, np.clip(distance_to_segment(crop.shape, a, b) - 0.75, 0.0, 1.0), out=crop)
    return np.concatenate([np.asarray(X, np.float32), copies]), np.concatenate([y, y[picked]])


def _smooth_field(rng, B, H, W, amplitude, grid=4):
    """(B, 2, H, W) random displacements: Gaussian offsets (sd `amplitude`) on a
    `grid` x `grid` lattice over the image, interpolated bilinearly."""
    def lattice_weights(n):  # (n, grid): bilinear weights of each pixel on the lattice
        pos = np.linspace(0, grid - 1, n)
        lo = np.minimum(np.floor(pos).astype(int), grid - 2)
        w = np.zeros((n, grid), np.float32)
        w[np.arange(n), lo] = 1 - (pos - lo)
        w[np.arange(n), lo + 1] = pos - lo
        return w

    offsets = rng.normal(0.0, amplitude, (B, 2, grid, grid)).astype(np.float32)
    return lattice_weights(H) @ (offsets @ lattice_weights(W).T)


# ----------------------------------------------------------------------------- training

@dataclass
class Config:
    hidden: list
    lr: float = 1e-3
    epochs: int = 30
    batch_size: int = 256
    seed: int = 0
    features: str = FEATURES
    smoothing: float = SMOOTHING
    dropout: float = DROPOUT
    weight_decay: float = WEIGHT_DECAY
    patience: int = PATIENCE
    augment: dict = field(default_factory=lambda: dict(AUGMENT))
    crossed: float = 0.0  # share of 7, Z and 0 crops added crossed or slashed (cross_variants)

    def as_dict(self):
        d = dict(self.__dict__)
        d["augment"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.augment.items()}
        return d


def lr_at(step, total, warmup, lr):
    """Linear warm-up then cosine decay from lr to lr * MIN_LR."""
    if step < warmup:
        return lr * (step + 1) / warmup
    frac = (step - warmup) / max(1, total - warmup)
    return lr * (MIN_LR + (1 - MIN_LR) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def evaluate(params, X, y, features=FEATURES, batch=4096):
    """Accuracy and predicted labels of `params` (taking `features` inputs) on crops X."""
    if len(y) == 0:
        return float("nan"), np.zeros(0, np.int64)
    pred = np.concatenate([np.argmax(mlp.forward(params, to_inputs(X[i:i + batch], features))[0], axis=1)
                           for i in range(0, len(X), batch)])
    return float((pred == y).mean()), pred


def _valid_scores(params, sources, features):
    accs = {}
    for s in sources:
        if len(s.yva):
            accs[s.name] = evaluate(params, s.Xva, s.yva, features)[0]
    metric = float(np.mean(list(accs.values()))) if accs else float("nan")
    return metric, accs


def _json_bytes(obj):
    return np.frombuffer(json.dumps(obj).encode("utf-8"), dtype=np.uint8)


def save_checkpoint(path, params, best, opt, state):
    from .atomic import atomic_path

    arrays = {f"P_{k}": v for k, v in params.items()}
    arrays.update({f"B_{k}": v for k, v in best.items()})
    arrays.update({f"O_{k}": v for k, v in opt.state_dict().items()})
    arrays["state"] = _json_bytes(state)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)


def load_checkpoint(path):
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        state = json.loads(arrays.pop("state").tobytes().decode("utf-8"))
    except Exception as e:
        raise ModelError(f"{path}: not a handocr checkpoint ({e})") from None
    if state.get("format") != "handocr-checkpoint" or state.get("version") != CHECKPOINT_VERSION:
        raise ModelError(f"{path}: not a handocr checkpoint (format {state.get('format')!r})")
    split = {"P": {}, "B": {}, "O": {}}
    for k, v in arrays.items():
        split[k[0]][k[2:]] = v
    return split["P"], split["B"], split["O"], state


def _quiet_bar():
    class _Bar:
        def update(self, n):
            pass

    return contextlib.nullcontext(_Bar())


def train(sources, config, checkpoint=None, resume=None, progress=False, report=None, init=None):
    """Train an MLP on `sources` (from :func:`gather`).

    Parameters
    ----------
    sources : list of Source
    config : Config
    checkpoint : path or None
        Written atomically after every epoch (weights, best weights, Adam state,
        epoch, random generator state, history).
    resume : path or None
        A checkpoint to continue from; the result equals that of an uninterrupted run.
    progress : bool
        Show a click progress bar on stderr.
    report : callable(str) or None
        Receives one line per epoch.
    init : dict of arrays, optional
        Weights to start from instead of Xavier's (a trained network, tuned
        further); their shapes must be the network's.

    Returns
    -------
    best_params, info : dict, dict
        The weights of the epoch with the best validation accuracy, and a summary
        (history, best epoch, validation accuracies per source, timing).
    """
    import click

    c = config
    Xtr = np.concatenate([s.Xtr for s in sources])
    ytr = np.concatenate([s.ytr for s in sources])
    p = sample_weights(sources)
    n = len(ytr)
    steps_per_epoch = max(1, math.ceil(n / c.batch_size))
    total_steps = steps_per_epoch * c.epochs
    warmup = min(steps_per_epoch * WARMUP_EPOCHS, total_steps // 4)
    if c.features not in features_.SIZES:
        raise ModelError(f"unknown kind of input {c.features!r}; known: {', '.join(features_.SIZES)}")
    sizes = [features_.SIZES[c.features], *c.hidden, len(CLASSES)]
    fp = fingerprint(sources)

    rng = np.random.default_rng(c.seed)
    params = mlp.init_params(sizes, rng)
    if init is not None:
        if set(init) != set(params) or any(init[k].shape != params[k].shape for k in params):
            raise ModelError(f"the network to start from is not a {'-'.join(map(str, sizes))} network")
        params = {k: np.array(init[k], dtype=np.float32) for k in params}
    opt = mlp.Adam(params, lr=c.lr, weight_decay=c.weight_decay)
    best = {k: v.copy() for k, v in params.items()}
    history, start, best_metric, best_epoch, bad, stopped = [], 0, -1.0, 0, 0, False
    elapsed = 0.0

    if resume:
        P, B, O, state = load_checkpoint(resume)
        want = {k: v for k, v in c.as_dict().items() if k not in ("epochs", "patience")}
        # a checkpoint written before --crossed existed was made without crossed copies
        got = {k: state["config"].get(k, Config.crossed if k == "crossed" else None) for k in want}
        if got != json.loads(json.dumps(want)) or state["data"] != fp:
            diff = [k for k in want if got.get(k) != json.loads(json.dumps(want[k]))]
            raise ModelError(f"{resume}: checkpoint was made with other "
                             f"{'settings (' + ', '.join(diff) + ')' if diff else 'data'}; cannot resume")
        if set(P) != set(params) or any(P[k].shape != params[k].shape for k in params):
            raise ModelError(f"{resume}: checkpoint weights do not match the network")
        params = {k: P[k].astype(np.float32) for k in params}
        best = {k: B[k].astype(np.float32) for k in params}
        opt = mlp.Adam(params, lr=c.lr, weight_decay=c.weight_decay)
        opt.load_state_dict(O)
        rng.bit_generator.state = state["rng"]
        history, start = state["history"], state["epoch"]
        best_metric, best_epoch, bad = state["best_metric"], state["best_epoch"], state["bad_epochs"]
        stopped, elapsed = state["stopped"], state.get("elapsed", 0.0)

    for epoch in range(start + 1, c.epochs + 1):
        if stopped:
            break
        t0 = time.perf_counter()
        order = rng.choice(n, size=n, p=p)
        loss_sum, correct, seen = 0.0, 0, 0
        bar = (click.progressbar(length=n, label=f"epoch {epoch}/{c.epochs}", file=sys.stderr)
               if progress else _quiet_bar())
        with bar as b:
            for i in range(steps_per_epoch):
                idx = order[i * c.batch_size:(i + 1) * c.batch_size]
                xb, yb = Xtr[idx], ytr[idx]
                if c.crossed:
                    xb, yb = cross_variants(xb, yb, rng, c.crossed)
                xb = augment(xb, rng, **c.augment) if c.augment else xb
                logits, cache = mlp.forward(params, to_inputs(xb, c.features), train=True, dropout=c.dropout, rng=rng)
                loss, dlogits = mlp.cross_entropy(logits, yb, c.smoothing)
                grads = mlp.backward(params, cache, dlogits)
                opt.step(params, grads, lr=lr_at((epoch - 1) * steps_per_epoch + i, total_steps, warmup, c.lr))
                loss_sum += loss * len(yb)
                correct += int((np.argmax(logits, axis=1) == yb).sum())
                seen += len(yb)
                b.update(len(idx))
        metric, accs = _valid_scores(params, sources, c.features)
        dt = time.perf_counter() - t0
        elapsed += dt
        row = {"epoch": epoch, "loss": loss_sum / seen, "train_acc": correct / seen,
               "valid_acc": metric, "valid": accs, "seconds": dt}
        if not math.isfinite(row["loss"]):
            raise ModelError(f"training diverged at epoch {epoch} (loss {row['loss']}); try a smaller --lr")
        history.append(row)
        if metric > best_metric or math.isnan(best_metric):
            best_metric, best_epoch, bad = metric, epoch, 0
            best = {k: v.copy() for k, v in params.items()}
        else:
            bad += 1
            stopped = bad >= c.patience and epoch >= MIN_EPOCH_SHARE * c.epochs
        if checkpoint:
            state = {"format": "handocr-checkpoint", "version": CHECKPOINT_VERSION, "epoch": epoch,
                     "rng": rng.bit_generator.state, "history": history, "best_metric": best_metric,
                     "best_epoch": best_epoch, "bad_epochs": bad, "stopped": stopped,
                     "config": c.as_dict(), "data": fp, "elapsed": elapsed}
            save_checkpoint(checkpoint, params, best, opt, state)
        if report:
            per = ", ".join(f"{k} {100 * v:.2f}%" for k, v in accs.items())
            report(f"epoch {epoch:3d}/{c.epochs}  loss {row['loss']:.4f}  train acc {100 * row['train_acc']:.2f}%"
                   f"  valid acc {100 * metric:.2f}%" + (f" ({per})" if len(accs) > 1 else "")
                   + f"  {dt:.1f}s" + ("  *" if best_epoch == epoch else "")
                   + ("  (early stop)" if stopped else ""))

    _, accs = _valid_scores(best, sources, c.features)
    info = {"history": history, "best_epoch": best_epoch, "valid_acc": best_metric, "valid": accs,
            "seconds": elapsed, "sizes": sizes}
    return best, info


# ----------------------------------------------------------------------------- plots

def write_plots(folder, params, info, sources, features=FEATURES):
    """Training curves, validation confusion matrix and first-layer weights as PNGs in `folder`."""
    from . import plots
    from .evaluate import confusion_matrix

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    plots.training_curves(info["history"], folder / "curves.png")
    yv = np.concatenate([s.yva for s in sources])
    _, pred = evaluate(params, np.concatenate([s.Xva for s in sources]), yv, features)
    plots.confusion_plot(confusion_matrix(yv, pred), folder / "confusion.png",
                         title=f"validation (n={len(yv)})")
    plots.layer_weights(params["W1"][:features_.SIZES["pixels"]], folder / "weights.png")  # the pixels' part


# ----------------------------------------------------------------------------- CLI

def parse_hidden(hidden):
    try:
        sizes = [int(s) for s in str(hidden).replace(" ", "").split(",") if s != ""]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        import click

        raise click.BadParameter(f"{hidden!r}: expected comma-separated positive sizes, e.g. 512,256",
                                 param_hint="--hidden")
    return sizes


def command_line(data, output, lr, epochs, batch_size, hidden, seed, plots, checkpoint, resume, quiet,
                 features=FEATURES, crossed=0.0, init=None, member=0):
    args = [*map(str, data), "-o", str(output), "--lr", repr(lr), "--epochs", str(epochs),
            "--batch-size", str(batch_size), "--hidden", str(hidden), "--seed", str(seed),
            "--features", FEATURE_OPTIONS_BACK[features]]
    if crossed:
        args += ["--crossed", repr(crossed)]
    if init:
        args += ["--init", str(init), "--member", str(member)]
    for opt, val in (("--plots", plots), ("--checkpoint", checkpoint), ("--resume", resume)):
        if val:
            args += [opt, str(val)]
    if quiet:
        args.append("--quiet")
    return "handocr train " + shlex.join(args)


def _start_from(path, member, features):
    """The weights of network `member` of the model at `path`, checked to take `features`."""
    model = Model.load(path)
    if member >= len(model.members):
        raise ModelError(f"{path}: has {len(model.members)} network(s); there is no --member {member}")
    if model.member_features[member] != features:
        raise ModelError(f"{path}: network {member} takes {FEATURE_OPTIONS_BACK.get(model.member_features[member])}"
                         f" input, not {FEATURE_OPTIONS_BACK[features]} (--features)")
    return model.members[member]


#: ``handocr train --features`` choices and the kinds of input they stand for.
FEATURE_OPTIONS = {"pixels": "pixels", "directions": "pixels+directions-v1", "deskewed": "deskewed-v1",
                   "moments": "moments-v1"}
FEATURE_OPTIONS_BACK = {v: k for k, v in FEATURE_OPTIONS.items()}


def cli_train(data, output, lr, epochs, batch_size, hidden, seed, plots, checkpoint, resume, quiet,
              features="pixels", crossed=0.0, init=None, member=0):
    """The ``handocr train`` command: load data, train, write the model (and plots)."""
    import click

    sizes = parse_hidden(hidden)
    features = FEATURE_OPTIONS[features]
    cmd = command_line(data, output, lr, epochs, batch_size, hidden, seed, plots, checkpoint, resume, quiet,
                       features, crossed, init, member)
    say = (lambda msg: None) if quiet else (lambda msg: click.echo(msg, err=True))
    try:
        check_folder(output)  # before the training, not after it
        start = _start_from(init, member, features) if init else None
        t0 = time.perf_counter()
        sources = gather(data)
        for s in sources:
            say(f"{s.name}: {len(s.ytr)} training, {len(s.yva)} validation samples")
        say(f"data loaded in {time.perf_counter() - t0:.1f}s; network {[features_.SIZES[features], *sizes, len(CLASSES)]}")
        config = Config(hidden=sizes, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed,
                        features=features, crossed=crossed)
        progress = wanted(quiet)
        params, info = train(sources, config, checkpoint=checkpoint, resume=resume, progress=progress,
                             report=say, init=start)
        training = {
            "command": cmd,
            "data": [str(d) for d in data],
            "sources": {s.name: {"train": int(len(s.ytr)), "valid": int(len(s.yva))} for s in sources},
            "seed": seed,
            "epochs": epochs,
            "epochs_run": len(info["history"]),
            "best_epoch": info["best_epoch"],
            "lr": lr,
            "batch_size": batch_size,
            "config": config.as_dict(),
            "valid_accuracy": info["valid"],
            "valid_accuracy_mean": info["valid_acc"],
            "train_seconds": round(info["seconds"], 1),
            "date": datetime.date.today().isoformat(),
        }
        if init:
            training["started_from"] = {"model": str(init), "member": member}
        meta = default_meta(info["sizes"], features=features, **training)
        meta["name"] = Path(output).stem
        model = Model.from_params(params, meta)
        model.save(output, dtype=np.float16)
        if plots:
            write_plots(plots, params, info, sources, features)
    except HandocrError as e:
        raise click.ClickException(str(e)) from None
    per = ", ".join(f"{k} {100 * v:.2f}%" for k, v in info["valid"].items())
    say(f"wrote {output} (best epoch {info['best_epoch']}, validation {per})")
