"""Plots for reports (matplotlib, Agg backend, imported only when a plot is drawn)."""

import os

import numpy as np

from . import CLASSES


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path):
    from .atomic import atomic_path

    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)


def confusion_plot(cm, path, classes=CLASSES, title=""):
    """Write a confusion matrix (rows true, columns predicted), row-normalised, as PNG.

    Parameters
    ----------
    cm : (K, K) int ndarray
    path : str
    """
    plt = _plt()
    cm = np.asarray(cm, dtype=float)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(9, 8))
    im = ax.imshow(norm, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), list(classes), fontsize=7)
    ax.set_yticks(range(len(classes)), list(classes), fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    acc = np.trace(cm) / max(cm.sum(), 1)
    ax.set_title(f"{title}  accuracy {acc:.3f}".strip())
    fig.colorbar(im, ax=ax, fraction=0.046)
    _save(fig, path)


def training_curves(history, path):
    """Write loss and accuracy per epoch (train and validation, per source) as PNG.

    Parameters
    ----------
    history : list of dict
        One per epoch: ``epoch``, ``loss``, ``train_acc``, ``valid_acc`` and
        ``valid`` (accuracy per validation source), as ``ocr.train`` records them.
    """
    plt = _plt()
    ep = [r["epoch"] for r in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(ep, [r["loss"] for r in history], label="train loss")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy")
    ax1.legend()
    ax1.grid(alpha=0.3)
    ax2.plot(ep, [100 * r["train_acc"] for r in history], label="train (augmented)")
    ax2.plot(ep, [100 * r["valid_acc"] for r in history], label="validation (mean)", lw=2)
    names = sorted({k for r in history for k in r["valid"]})
    if len(names) > 1:
        for name in names:
            ax2.plot(ep, [100 * r["valid"].get(name, np.nan) for r in history], "--",
                     label=f"validation {name}")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy (%)")
    ax2.legend()
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    _save(fig, path)


def layer_weights(W1, path, most=100):
    """Write the first layer's weights, one 32x32 image per hidden unit, as PNG.

    Parameters
    ----------
    W1 : (1024, H) ndarray
    most : int
        Show at most this many units.
    """
    import math

    plt = _plt()
    n = min(W1.shape[1], most)
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.9, rows * 0.9))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < n:
            w = W1[:, i].reshape(32, 32)
            m = np.abs(w).max() or 1.0
            ax.imshow(w, cmap="RdBu", vmin=-m, vmax=m)
    fig.suptitle(f"first-layer weights (first {n} of {W1.shape[1]} units)")
    _save(fig, path)


def page_mistakes_plot(pages, path):
    """Write each page's transcript aligned with its ground truth, mistakes in red.

    Parameters
    ----------
    pages : list of dict
        With keys ``image``, ``text``, ``truth``, ``cer`` (as from ``handocr eval``).
    """
    from .evaluate import alignment, normalize_lines

    plt = _plt()
    rows = []
    for p in pages:
        rows.append((f"{os.path.basename(p['image'])}  cer {p['cer']:.3f}", None))
        truth = "\n".join(normalize_lines(p["truth"]))
        hyp = "\n".join(normalize_lines(p["text"]))
        ops = alignment(truth, hyp)
        line_t, line_h = [], []
        for op, a, b in ops + [("=", "\n", "\n")]:
            if a == "\n" and b == "\n":
                rows.append((line_t, line_h))
                line_t, line_h = [], []
                continue
            line_t.append((a or "·", op != "="))
            line_h.append((b or "·", op != "="))
    fig_h = 0.28 * sum(1 if h is None else 2 for _, h in rows) + 0.5
    fig, ax = plt.subplots(figsize=(12, fig_h))
    ax.axis("off")
    y = 1.0
    dy = 1.0 / max(1, sum(1 if h is None else 2 for _, h in rows))
    for t, h in rows:
        if h is None:
            ax.text(0, y, t, fontsize=9, weight="bold", va="top", transform=ax.transAxes)
            y -= dy
            continue
        for label, seq in (("truth", t), ("read ", h)):
            ax.text(0, y, label, fontsize=8, family="monospace", va="top", color="grey",
                    transform=ax.transAxes)
            for k, (ch, bad) in enumerate(seq):
                ax.text(0.07 + 0.0125 * k, y, ch, fontsize=8, family="monospace", va="top",
                        color="red" if bad else "black", transform=ax.transAxes)
            y -= dy
    _save(fig, path)
