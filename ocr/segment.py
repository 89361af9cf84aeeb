"""Stage 3: letter segmentation, from an ink mask to glyphs.

Connected components of the ink become glyphs. The typical letter height of the
page is estimated from them; specks are dropped, pieces of one broken letter
(a ``T`` whose bar does not touch its stem, a faint ``E``) are merged, and marks
too small for a letter are kept apart as possible punctuation. Letters that touch
each other are split where the classifier is surest of the parts
(:func:`split_touching`, given the classifier as a function).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi


@dataclass
class Glyph:
    """One letter candidate.

    Attributes
    ----------
    box : tuple of int
        ``(y0, x0, y1, x1)`` in working-image pixels, end exclusive.
    mask : (y1 - y0, x1 - x0) bool ndarray
        Its ink, and only its ink.
    small : bool
        Too small to be a letter: a dot, comma or other punctuation candidate.
    """

    box: tuple
    mask: np.ndarray = field(repr=False)
    small: bool = False

    @property
    def height(self):
        return self.box[2] - self.box[0]

    @property
    def width(self):
        return self.box[3] - self.box[1]

    @property
    def cx(self):
        return 0.5 * (self.box[1] + self.box[3])

    @property
    def cy(self):
        return 0.5 * (self.box[0] + self.box[2])


def components(mask):
    """Label 8-connected ink components.

    Parameters
    ----------
    mask : (H, W) bool ndarray

    Returns
    -------
    labels : (H, W) int32 ndarray
        0 for paper, 1..N for components.
    boxes : (N, 4) int ndarray
        ``(y0, x0, y1, x1)`` of each component, end exclusive.
    areas : (N,) int ndarray
        Pixel count of each component.
    """
    labels, n = ndi.label(mask, structure=np.ones((3, 3), bool))
    if n == 0:
        return labels, np.zeros((0, 4), int), np.zeros(0, int)
    slices = ndi.find_objects(labels)
    boxes = np.array([[s[0].start, s[1].start, s[0].stop, s[1].stop] for s in slices], dtype=int)
    areas = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    return labels, boxes, areas


def letter_height(boxes, areas):
    """Typical letter height on the page, from component boxes.

    Parameters
    ----------
    boxes : (N, 4) int ndarray
    areas : (N,) int ndarray

    Returns
    -------
    height : float
        Median height of the letter-sized components (0 when there are none).
    """
    if len(boxes) == 0:
        return 0.0
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    big = (areas >= 12) & (np.maximum(h, w) >= 6)
    if not big.any():
        return 0.0
    h0 = np.median(h[big])
    for _ in range(2):
        sel = big & (h >= 0.5 * h0) & (h <= 2.5 * h0)
        if not sel.any():
            break
        # Weight by height so that many small pieces do not drag the estimate down.
        h0 = float(np.percentile(h[sel], 60))
    return float(h0)


def _merge_groups(boxes, big, H):
    """Union pieces that stand one above the other within one letter's height."""
    n = len(boxes)
    parent = np.arange(n)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    idx = np.flatnonzero(big)
    order = idx[np.argsort(boxes[idx, 1])]
    for a_i, a in enumerate(order):
        ya0, xa0, ya1, xa1 = boxes[a]
        for b in order[a_i + 1 :]:
            yb0, xb0, yb1, xb1 = boxes[b]
            if xb0 >= xa1:
                break
            overlap = min(xa1, xb1) - max(xa0, xb0)
            narrow = min(xa1 - xa0, xb1 - xb0)
            gap = max(yb0 - ya1, ya0 - yb1)
            top, bottom = min(ya0, yb0), max(ya1, yb1)
            if overlap >= 0.5 * narrow and gap < 0.35 * H and bottom - top <= 1.5 * H:
                parent[find(b)] = find(a)
    return np.array([find(i) for i in range(n)])


def segment(mask, min_speck=0.12):
    """Cut an ink mask into glyphs.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask from :func:`ocr.binarize.binarize`.
    min_speck : float
        Components smaller than this fraction of the letter height on both sides
        are noise and dropped.

    Returns
    -------
    glyphs : list of Glyph
        Letter candidates and small marks, in no particular order.
    height : float
        Typical letter height, in pixels (0 if the page has no letters).
    """
    labels, boxes, areas = components(mask)
    H = letter_height(boxes, areas)
    if H == 0:
        return [], 0.0
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(h, w)
    keep = side >= max(2, min_speck * H)
    # Not letters: taller than three letters, or long thin strokes (underlines, rules).
    keep &= h <= 3.0 * H
    keep &= ~((w > 3.0 * H) & (h < 0.5 * H))
    # Letters that are cut into thin pieces still have pieces of some size.
    big = keep & ((h >= 0.4 * H) | (w >= 0.4 * H))
    group = _merge_groups(boxes, big, H)
    glyphs = []
    for g in np.unique(group[keep]):
        members = np.flatnonzero((group == g) & keep)
        y0, x0 = boxes[members, 0].min(), boxes[members, 1].min()
        y1, x1 = boxes[members, 2].max(), boxes[members, 3].max()
        sub = np.isin(labels[y0:y1, x0:x1], members + 1)
        small = not big[members].any()
        glyphs.append(Glyph(box=(int(y0), int(x0), int(y1), int(x1)), mask=sub, small=small))
    return glyphs, H


def _part(glyph, a, b):
    """The ink of columns ``a:b`` of a glyph as a glyph of its own (None if empty)."""
    y0, x0, _, _ = glyph.box
    sub = glyph.mask[:, a:b]
    rows = np.flatnonzero(sub.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(sub.any(axis=0))
    sub = sub[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    box = (y0 + rows[0], x0 + a + cols[0], y0 + rows[-1] + 1, x0 + a + cols[-1] + 1)
    return Glyph(box=tuple(int(v) for v in box), mask=sub)


def cut_candidates(mask, height, most=10):
    """Columns where a wide glyph is thinnest: where touching letters may meet.

    Parameters
    ----------
    mask : (h, w) bool ndarray
        The glyph's ink.
    height : float
        Typical letter height of the page.
    most : int
        At most this many candidates, the thinnest first.

    Returns
    -------
    cuts : list of int
        Column indices, sorted, away from the glyph's ends.
    """
    w = mask.shape[1]
    ink = np.convolve(mask.sum(axis=0).astype(float), np.ones(3) / 3, mode="same")
    edge = max(2, int(0.15 * height))
    xs = [x for x in range(edge, w - edge) if ink[x] <= ink[x - 1] and ink[x] <= ink[x + 1]]
    xs.sort(key=lambda x: ink[x])
    picks = []
    for x in xs:
        if all(abs(x - p) >= 0.12 * height for p in picks):
            picks.append(x)
        if len(picks) == most:
            break
    return sorted(picks)


def split_touching(glyph, height, proba, penalty=0.3):
    """Split a glyph made of touching letters where the classifier is surest of the parts.

    The glyph is over-segmented at its thinnest columns; every run of pieces of a
    plausible letter width is classified, and the cheapest path from the left
    edge to the right one is kept (dynamic programming), each letter costing
    ``-log(confidence) + penalty`` so that a split has to pay for itself.

    Parameters
    ----------
    glyph : Glyph
    height : float
        Typical letter height on the page, in pixels.
    proba : callable
        ``proba(crops (N, 32, 32)) -> (N, 36)`` class probabilities.
    penalty : float
        Cost of every letter beyond the first (in nats).

    Returns
    -------
    glyphs : list of Glyph
        Left to right; ``[glyph]`` when keeping it whole is best.
    """
    from .normalize import normalize_glyph

    if glyph.small or glyph.width < max(1.1 * height, 0.9 * glyph.height):
        return [glyph]
    cuts = [0] + cut_candidates(glyph.mask, height) + [glyph.width]
    if len(cuts) == 2:
        return [glyph]
    spans, parts = [], []
    for i in range(len(cuts)):
        for j in range(i + 1, len(cuts)):
            width = cuts[j] - cuts[i]
            whole = i == 0 and j == len(cuts) - 1
            if not whole and not (0.12 * height <= width <= 1.5 * height):
                continue
            part = glyph if whole else _part(glyph, cuts[i], cuts[j])
            if part is None or part.mask.sum() < 0.04 * glyph.mask.sum():
                continue
            spans.append((i, j))
            parts.append(part)
    conf = proba(np.stack([normalize_glyph(p.mask) for p in parts])).max(axis=1)
    # A letter is rarely wider than 1.3 letter heights, whatever the classifier says.
    too_wide = [max(0.0, p.width / max(height, p.height) - 1.3) for p in parts]
    cost = {s: -np.log(max(c, 1e-6)) + penalty + 5.0 * wide
            for s, c, wide in zip(spans, conf, too_wide)}
    part_of = dict(zip(spans, parts))
    best = {0: (0.0, None)}
    for j in range(1, len(cuts)):
        options = [(best[i][0] + cost[(i, j)], i) for i in range(j) if i in best and (i, j) in cost]
        if options:
            best[j] = min(options)
    end = len(cuts) - 1
    if end not in best:
        return [glyph]
    path, j = [], end
    while j:
        i = best[j][1]
        path.append(part_of[(i, j)])
        j = i
    return path[::-1]
