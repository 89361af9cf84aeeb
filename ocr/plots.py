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
