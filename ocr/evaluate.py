"""Measuring the reader: character error rates on pages, accuracy on characters."""

import re

import numpy as np

from . import CLASSES, LOOK_ALIKE


def normalize_lines(text):
    """Uppercase lines with punctuation dropped and single spaces, empty lines removed."""
    lines = []
    for line in text.upper().splitlines():
        line = " ".join(re.sub(r"[^A-Z0-9 ]", "", line).split())
        if line:
            lines.append(line)
    return lines


def levenshtein(a, b):
    """Edit distance between two sequences (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    prev = np.arange(len(b) + 1)
    for i, ca in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        sub = prev[:-1] + (np.array([ca != cb for cb in b], dtype=int) if b else 0)
        # cur[j] = min(prev[j] + 1, cur[j-1] + 1, prev[j-1] + cost): the left term is sequential.
        best = np.minimum(prev[1:] + 1, sub)
        for j in range(1, len(b) + 1):
            cur[j] = min(best[j - 1], cur[j - 1] + 1)
        prev = cur
    return int(prev[-1])


def alignment(a, b):
    """Align two strings: list of (op, a_char, b_char), op in '=', 'S', 'D', 'I'."""
    n, m = len(a), len(b)
    D = np.zeros((n + 1, m + 1), dtype=int)
    D[:, 0] = np.arange(n + 1)
    D[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    ops, i, j = [], n, m
    while i or j:
        if i and j and D[i, j] == D[i - 1, j - 1] + (a[i - 1] != b[j - 1]):
            ops.append(("=" if a[i - 1] == b[j - 1] else "S", a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif i and D[i, j] == D[i - 1, j] + 1:
            ops.append(("D", a[i - 1], ""))
            i -= 1
        else:
            ops.append(("I", "", b[j - 1]))
            j -= 1
    return ops[::-1]


def page_scores(truth, hypothesis):
    """Character error rates of a transcript against its ground truth.

    Returns
    -------
    dict
        ``cer`` (characters only: spaces, line breaks and punctuation ignored),
        ``cer_layout`` (spaces and line breaks count), ``exact_lines`` (share of
        truth lines read exactly), ``errors`` and ``chars`` (for ``cer``).
    """
    g, h = normalize_lines(truth), normalize_lines(hypothesis)
    gc, hc = "".join(g).replace(" ", ""), "".join(h).replace(" ", "")
    gs, hs = "\n".join(g), "\n".join(h)
    errors = levenshtein(gc, hc)
    return {
        "cer": errors / max(1, len(gc)),
        "cer_layout": levenshtein(gs, hs) / max(1, len(gs)),
        "exact_lines": sum(1 for line in g if line in h) / max(1, len(g)),
        "errors": errors,
        "chars": len(gc),
    }


def confusion_matrix(y_true, y_pred, n=len(CLASSES)):
    """(n, n) counts: rows are true classes, columns predicted."""
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


def char_report(y_true, y_pred, classes=CLASSES, top=10):
    """Accuracy, per-class accuracy and the most confused pairs.

    Also ``balanced`` (the mean of the classes' accuracies, so that every class
    counts the same however many samples it has) and ``merged`` (the accuracy
    when each pair of :data:`ocr.LOOK_ALIKE` counts as one class).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    cm = confusion_matrix(y_true, y_pred, len(classes))
    per_class, rates = {}, []
    for k, c in enumerate(classes):
        n = int(cm[k].sum())
        if n:
            rates.append(cm[k, k] / n)
            per_class[c] = {"n": n, "accuracy": round(float(rates[-1]), 4)}
    off = cm.copy()
    np.fill_diagonal(off, 0)
    pairs = []
    for flat in np.argsort(off, axis=None)[::-1][:top]:
        t, p = np.unravel_index(flat, off.shape)
        if off[t, p] == 0:
            break
        pairs.append({"true": classes[t], "pred": classes[p], "count": int(off[t, p])})
    n = len(y_true)
    merge = np.arange(len(classes))
    for a, b in LOOK_ALIKE:
        if a in classes and b in classes:
            merge[classes.index(b)] = classes.index(a)
    return {
        "accuracy": round(float((y_true == y_pred).mean()) if n else 0.0, 4),
        "balanced": round(float(np.mean(rates)) if n else 0.0, 4),
        "merged": round(float((merge[y_true] == merge[y_pred]).mean()) if n else 0.0, 4),
        "n": int(n),
        "per_class": per_class,
        "confused": pairs,
        "confusion": cm,
    }
