"""Stage 3: letter segmentation, from an ink mask to glyphs.

Connected components of the ink become glyphs. The typical letter height of the
page is estimated from them; specks are dropped, pieces of one broken letter
(a ``T`` whose bar does not touch its stem, a faint ``E``) are merged, and marks
too small or too flat for a letter, check boxes and bullets, are kept apart as
possible punctuation. A large title's letters are recognised by standing in a row
(:func:`title_letters`), letters of cramped lines that touch are cut apart between
the lines (:func:`split_stacked`; a column of list numbers written into one piece,
:func:`cut_stacks`), and an italic page's glyphs can be sheared upright
(:func:`shear_glyph`). Letters that touch each other are split where the
classifier is surest of the parts (:func:`split_touching`, given the classifier
as a function).
"""

from dataclasses import dataclass, field, replace

import numpy as np

from . import CLASSES, kernels
from .binarize import paper_pieces, remove_rules
from .kernels import median, percentile


@dataclass(eq=False)
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
    return components_of(*kernels.label(mask))


def components_of(labels, n):
    """:func:`components` from labels already made (1..n, 0 for paper)."""
    if n == 0:
        return labels, np.zeros((0, 4), int), np.zeros(0, int)
    slices = kernels.find_objects(labels, n)
    boxes = np.array([[s[0].start, s[1].start, s[0].stop, s[1].stop] for s in slices], dtype=int)
    areas = np.bincount(labels[labels > 0], minlength=n + 1)[1:]  # ink only: a tenth of the pixels
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
        Median height of the letter-sized components (0 when there are none),
        pieces three times wider than tall left out when there are five others.
        On a page where compact filled dots (dust, pepper noise) make 30 % or
        more of them and pull that median to their size, the median of the other
        pieces, when it is more than twice as large.
    """
    if len(boxes) == 0:
        return 0.0
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    big = (areas >= 12) & (np.maximum(h, w) >= 6)
    if not big.any():
        return 0.0
    # flat pieces (bits of a rule the threshold broke up, dashes) are no letters, unless
    # there are hardly any others
    upright = big & (w < 3 * h)
    if np.count_nonzero(upright) >= 5:
        big = upright
    h0 = _typical_height(h, big)
    # Specks of dust or pepper noise are compact filled blobs; strewn by the hundred
    # they outnumber the letters, and the page's letters would be taken to be specks.
    blob = big & _blob_like(h, w, areas)
    rest = big & ~blob
    if np.count_nonzero(blob) >= 0.3 * np.count_nonzero(big) and rest.any():
        h1 = _typical_height(h, rest)
        speck = median(h[blob])
        if h1 <= 2 * h0 and speck < 0.5 * float(percentile(h[rest], 75)):
            # specks run together in twos and threes are no dots but no letters either
            larger = rest & (np.maximum(h, w) > 2 * speck)
            h1 = _typical_height(h, larger) if larger.any() else h1
        if h1 > 2 * h0:
            return h1
    return h0


def _blob_like(h, w, areas):
    """Compact filled pieces: a dot, a speck of dust (at least half their box is ink,
    at most twice as long as wide)."""
    return (areas >= 0.5 * h * w) & (np.maximum(h, w) <= 2 * np.minimum(h, w))


#: A notebook's holes or its spiral's loops down the margin (:func:`binding_holes`): this
#: many pieces or more, ...
HOLES_LEAST = 5
#: ... one under the other at most this many letter heights apart (lines of writing are
#: 1.3 or more), ...
HOLES_PITCH = 1.25


#: A letter cut off by the photo's border is at most this many letter heights on
#: either side; ...
CUT_OFF_SIZE = 2.0
#: ... and a row of this many stands for a line of letters without one not cut, ...
CUT_OFF_ROW = 3
#: ... each within this many letter heights of the next (:func:`cut_off_letters`).
CUT_OFF_REACH = 2.5
#: Pieces whose widths spread less than this share of their mean are all alike: a
#: pattern's, not letters (:func:`cut_off_letters`).
CUT_OFF_ALIKE = 0.1


def cut_off_letters(boxes, height, touching, letters, shape, size=CUT_OFF_SIZE, row=CUT_OFF_ROW,
                    reach=CUT_OFF_REACH, alike=CUT_OFF_ALIKE):
    """Pieces of ink touching the photo's border that are letters of a line running off
    it, only their ends cut (a photo taken close, or turned, cuts the last line's feet).

    A page edge, a desk or a shadow touches the border too, but none of them is the
    size of a letter, touching the border on one side only, in a line of letters. A
    piece is kept when it is all of that: at most `size` letter heights on either side
    and half of one tall, and in a row of such pieces and letters (each overlapping
    the next by half its height or more, within `reach` letter heights of it: across a
    word gap) that holds a letter not touching the border (in `letters`), or `row` such
    pieces not all of a width (their widths' spread at least `alike` of their mean; a
    cloth's squares or stripes are all alike): a whole line whose feet are cut.

    Parameters
    ----------
    boxes : (n, 4) int ndarray
        Component boxes (y0, x0, y1, x1).
    height : float
        Letter height, in pixels.
    touching : (n,) bool ndarray
        The pieces touching the border.
    letters : (n,) bool ndarray
        The pieces that may stand beside them.
    shape : tuple of int
        The mask's shape.

    Returns
    -------
    (n,) bool ndarray
    """
    y0, x0, y1, x1 = boxes.T
    h, w = y1 - y0, x1 - x0
    sides = (y0 == 0).astype(int) + (x0 == 0) + (y1 == shape[0]) + (x1 == shape[1])
    sized = (h <= size * height) & (w <= size * height) & (h >= 0.5 * height)
    cut = np.flatnonzero(touching & sized & (sides == 1))
    out = np.zeros(len(boxes), bool)
    if not len(cut):
        return out
    k = np.concatenate([cut, np.flatnonzero(letters & sized)])
    overlap = np.minimum(y1[k, None], y1[k]) - np.maximum(y0[k, None], y0[k])
    gap = np.maximum(x0[k, None] - x1[k], x0[k] - x1[k, None])
    beside = (overlap >= 0.5 * np.minimum(h[k, None], h[k])) & (gap <= reach * height)
    beside[len(cut):, len(cut):] = False  # (rows are joined through the cut pieces only)
    beside |= np.eye(len(k), dtype=bool)
    row_of = np.arange(len(k))  # each piece's row: the least index it is joined to
    while True:
        joined = np.where(beside, row_of[None, :], len(k)).min(axis=1)
        if np.array_equal(joined, row_of):
            break
        row_of = joined
    rows = row_of[: len(cut)]
    whole = np.bincount(row_of[len(cut):], minlength=len(k))[rows] > 0
    cuts = np.bincount(rows, minlength=len(k))[rows] >= row
    for r in set(rows[cuts & ~whole].tolist()):  # a cloth's squares or stripes are all alike
        widths = w[cut[rows == r]]
        cuts[rows == r] = widths.std() >= alike * widths.mean()
    out[cut] = whole | cuts
    return out


def binding_holes(labels, boxes, height, candidates, least=HOLES_LEAST, pitch=HOLES_PITCH):
    """Pieces of ink in a column of the same shape at an even pitch: a binding's holes.

    A page torn from a spiral notebook has a column of holes down its margin (or the
    spiral's loops show): pieces about half a letter tall, closer than lines of
    writing are, which stacked two by two and read as ``I`` or ``G`` before each
    line. `least` pieces or more whose middles stand within 0.2 letter heights of one
    column, each under the last by the same step (within 20 %; or by two, where one
    is lost) of at most `pitch` letter heights, with boxes within 20 % of the same
    size and ink of the same shape (their masks, shrunk to 8 x 8, differ in under 15 %
    of the cells), are holes. Letters that begin lines are farther apart, and differ.

    Parameters
    ----------
    labels : (H, W) int ndarray
        Components, 1..n (:func:`components`).
    boxes : (n, 4) int ndarray
        Their boxes (y0, x0, y1, x1).
    height : float
        Letter height, in pixels.
    candidates : (n,) bool ndarray
        The pieces to look among.

    Returns
    -------
    holes : (n,) bool ndarray
    """
    holes = np.zeros(len(boxes), bool)
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    idx = np.flatnonzero(candidates & (np.maximum(h, w) >= 0.2 * height) & (np.maximum(h, w) <= 1.5 * height))
    if len(idx) < least:
        return holes
    cx = 0.5 * (boxes[idx, 1] + boxes[idx, 3])
    cy = 0.5 * (boxes[idx, 0] + boxes[idx, 2])
    shapes = {}

    def shape(k):
        if k not in shapes:
            y0, x0, y1, x1 = boxes[k]
            piece = (labels[y0:y1, x0:x1] == k + 1).astype(np.float32)
            ys = (np.arange(8) * piece.shape[0]) // 8
            xs = (np.arange(8) * piece.shape[1]) // 8
            shapes[k] = np.add.reduceat(np.add.reduceat(piece, ys, axis=0), xs, axis=1) > 0.5 * (
                piece.size / 64)
        return shapes[k]

    def alike(a, b):
        return (abs(h[a] - h[b]) <= 0.2 * max(h[a], h[b]) and abs(w[a] - w[b]) <= 0.2 * max(w[a], w[b])
                and np.count_nonzero(shape(a) != shape(b)) < 0.15 * 64)

    order = np.argsort(cy)
    for i in order:
        k = idx[i]
        below = order[(cy[order] > cy[i]) & (np.abs(cx[order] - cx[i]) <= 0.2 * height)]
        if holes[k] or len(below) < least - 1:
            continue
        column, first = [i], None
        for j in below:  # the pieces under it, top down, one step (or two: one lost) at a time
            step = cy[j] - cy[column[-1]]
            if step <= 0 or (first is None and step > pitch * height):
                continue
            if first and min(abs(step - first), abs(step - 2 * first)) > 0.2 * first:
                continue
            if alike(idx[j], k):
                column.append(j)
                first = first or step
        if len(column) >= least:
            holes[idx[column]] = True
    return holes


def enclosures(labelled, height, reach=0.15):
    """Lines drawn round others: a word or a number circled, or boxed.

    A ring drawn round a word in a list was read with it as letters (``MILK``
    circled read ``1CEIED``), and the letters touching it went with it. A piece of
    ink over 1.2 letter heights tall and wide that, its gaps under `reach` letter
    heights closed, holds a piece at least 0.4 letter heights tall inside it (its
    box within the piece's, its middle in one of the piece's holes) is drawn round
    it; its line is the piece's ink within 1.25 times the line's width of the
    outside (the width: its ink over the length of its outline; once as wide, an
    ellipse's thicker ends were left and read ``I``), and the strokes of letters
    touching it from inside are kept. No letter holds another; a dotted zero's dot is smaller.

    Parameters
    ----------
    labelled : tuple
        ``(labels, boxes, areas)``: components of the ink (:func:`components`).
    height : float
        Letter height, in pixels.

    Returns
    -------
    lines : (H, W) bool ndarray or None
        The pixels of the lines drawn round, None when there are none.
    """
    labels, boxes, _ = labelled
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    inner = np.flatnonzero(h >= 0.4 * height)
    if not len(inner) or height <= 0:
        return None
    cy = (boxes[inner, 0] + boxes[inner, 2]) // 2
    cx = (boxes[inner, 1] + boxes[inner, 3]) // 2
    size = max(1, round(reach * height)) | 1
    found = None
    for k in np.flatnonzero((h > 1.2 * height) & (w > 1.2 * height)):
        y0, x0, y1, x1 = boxes[k]
        sel = ((inner != k) & (boxes[inner, 0] >= y0) & (boxes[inner, 1] >= x0)
               & (boxes[inner, 2] <= y1) & (boxes[inner, 3] <= x1))
        if not sel.any():
            continue
        piece = np.pad(labels[y0:y1, x0:x1] == k + 1, size)
        # closed: a circle drawn by hand rarely meets its start
        closed = ~kernels.box_max(~kernels.box_max(piece, size), size)
        ground, outside = paper_pieces(closed)  # one pixel wider all round
        ground = ground[1:-1, 1:-1]
        if outside[ground[cy[sel] - y0 + size, cx[sel] - x0 + size]].all():
            continue
        out = outside[ground] & ~closed
        outline = np.count_nonzero(kernels.box_max(out, 3) & ~out)
        wide = max(1, round(np.count_nonzero(piece) / max(outline, 1))) + 1
        line = piece & kernels.box_max(out, 2 * round(1.25 * wide) + 1)
        if found is None:
            found = np.zeros(labels.shape, bool)
        found[y0:y1, x0:x1] |= line[size:-size, size:-size]
    return found


def _typical_height(h, big):
    """The median height of the pieces `big`, refined on those within a factor of it."""
    h0 = median(h[big])
    for _ in range(2):
        sel = big & (h >= 0.5 * h0) & (h <= 2.5 * h0)
        if not sel.any():
            break
        # Weight by height so that many small pieces do not drag the estimate down.
        h0 = float(percentile(h[sel], 60))
    return float(h0)


def stroke_width(glyphs):
    """Typical width of the pen's strokes, in pixels.

    Each letter's ink area over the length of its skeleton is its mean stroke
    width; the median over the letters is returned.

    Parameters
    ----------
    glyphs : list of Glyph

    Returns
    -------
    width : float
        0 when there are no letters.
    """
    widths = [g.mask.sum() / max(1, kernels.skeletonize(g.mask).sum()) for g in glyphs if not g.small]
    return float(median(widths)) if widths else 0.0


def join_broken_strokes(mask, labelled, height, share=0.2, near=0.6, gap=5):
    """Join the pieces of strokes a skipping pen left broken.

    Only on a page where pieces of ink too small for letters (0.12 to 0.5 letter
    heights) number at least `share` of the letter-sized ones (an ordinary page has
    almost none), and at least `near` of them lie within 0.15 letter heights of a
    letter-sized one (dust on the page lies anywhere): there, two pieces less than
    `gap` pixels apart are joined where a closing of the mask (a max then a min
    filter, `gap` wide) bridges them. Only bridges that touch two pieces are kept,
    so no letter's hole is filled.

    Parameters
    ----------
    mask : (H, W) bool ndarray
    labelled : tuple
        ``components(mask)``.
    height : float
        Typical letter height.

    Returns
    -------
    mask, labelled
        The same objects when nothing is joined.
    """
    labels, boxes, _ = labelled
    if not len(boxes) or height <= 0:
        return mask, labelled
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    small, big = (side >= 0.12 * height) & (side < 0.5 * height), side >= 0.5 * height
    if np.count_nonzero(small) < share * max(1, np.count_nonzero(big)):
        return mask, labelled
    # A pen's pieces lie along the letters; dust and specks lie anywhere on the page.
    m = 0.15 * height
    s, b = boxes[small][:, None, :], boxes[big][None, :, :]
    beside = ((s[..., 0] < b[..., 2] + m) & (s[..., 2] > b[..., 0] - m)
              & (s[..., 1] < b[..., 3] + m) & (s[..., 3] > b[..., 1] - m)).any(axis=1)
    if np.count_nonzero(beside) < near * len(beside):
        return mask, labelled
    u = mask.view(np.uint8)
    closed = kernels.maximum_filter1d(kernels.maximum_filter1d(u, gap, axis=0), gap, axis=1)
    closed = kernels.minimum_filter1d(kernels.minimum_filter1d(closed, gap, axis=0), gap, axis=1)
    bridges = closed.view(bool) & ~mask
    blabels, bboxes, _ = components(bridges)
    if not len(bboxes):
        return mask, labelled
    # the pieces of ink beside every bridge pixel (8 neighbours), as (bridge, piece) keys
    ys, xs = np.nonzero(bridges)
    padded = np.pad(labels, 1)
    n = int(labels.max()) + 1
    keys = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            beside = padded[ys + 1 + dy, xs + 1 + dx]
            ink = beside > 0
            keys.append(blabels[ys[ink], xs[ink]].astype(np.int64) * n + beside[ink])
    keys = np.sort(np.concatenate(keys))
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]]  # each (bridge, piece) once
    joins = np.bincount(keys // n, minlength=len(bboxes) + 1) >= 2
    if not joins.any():
        return mask, labelled
    mask = mask | joins[blabels]
    return mask, components(mask)


#: A straight stroke is flat (:func:`straight_stroke`) when it rises less than this
#: across (tan 35 degrees): a bar, a dash, a bit of a shadow's edge at 30 degrees; not a
#: letter written as one slanting stroke (a ``Y`` as a long diagonal with a stub of a
#: branch rises 39-42 degrees, as straight as a bar by its spread).
FLAT_SLOPE = 0.7


def straight_stroke(labels, box, label, height, max_spread=0.1):
    """Measure a component that may be a straight stroke (a rule, a page edge, a bar).

    Parameters
    ----------
    labels : (H, W) int ndarray
    box : (y0, x0, y1, x1)
        The component's bounding box.
    label : int
        Its label in `labels`.
    height : float
        Typical letter height.
    max_spread : float
        Largest spread across its length (standard deviation of the distances
        to its principal axis), in letter heights. A word of touching letters
        spreads about 0.3 letter heights.

    Returns
    -------
    (length, flat) or None
        None if the component is not straight; else its length along its
        principal axis, in letter heights, and whether that axis is within 35
        degrees of horizontal (:data:`FLAT_SLOPE`).
    """
    y0, x0, y1, x1 = box
    ys, xs = np.nonzero(labels[y0:y1, x0:x1] == label)
    if ys.size < 3:
        return None
    pts = np.stack([ys, xs]).astype(np.float64)
    pts -= pts.mean(axis=1, keepdims=True)
    evals, evecs = np.linalg.eigh(pts @ pts.T / ys.size)  # ascending: minor axis first
    if np.sqrt(max(evals[0], 0.0)) >= max_spread * height:
        return None
    length = float(np.ptp(evecs[:, 1] @ pts)) / height
    return length, bool(abs(evecs[0, 1]) < FLAT_SLOPE * abs(evecs[1, 1]))


def title_letters(boxes, height, most=8.0):
    """Which pieces too tall for letters of the page stand in a row of their like:
    the letters of a large title.

    Parameters
    ----------
    boxes : (N, 4) int ndarray
        Pieces taller than three letter heights.
    height : float
        The page's letter height.
    most : float
        Pieces taller than this many letter heights are never letters.

    Returns
    -------
    local : (N,) ndarray
        For a title letter, the median height of its row (its own letter height);
        0 for the others. A row is three pieces or more, each one's height within
        1.6 times the others' and sharing at least half of it with them.
    """
    n = len(boxes)
    local = np.zeros(n)
    if n < 3:
        return local
    hs = (boxes[:, 2] - boxes[:, 0]).astype(float)
    for k in range(n):
        if hs[k] > most * height:
            continue
        overlap = np.minimum(boxes[:, 2], boxes[k, 2]) - np.maximum(boxes[:, 0], boxes[k, 0])
        alike = ((overlap >= 0.5 * np.minimum(hs, hs[k])) & (hs <= 1.6 * hs[k]) & (hs[k] <= 1.6 * hs)
                 & (hs <= most * height))
        if alike.sum() >= 3:  # itself and two more
            local[k] = float(np.median(hs[alike]))
    return local


def _merge_groups(boxes, big, H):
    """Union pieces that stand one above the other within one letter's height (over
    each other, or a dot or a dash above a stem's top and beside it: :func:`_dot_above`)."""
    n = len(boxes)
    parent = np.arange(n)
    # each group's rows and tallest piece: a chain of pieces (a notebook's holes down
    # its margin) is no taller than one letter either
    top, bottom = boxes[:, 0].copy(), boxes[:, 2].copy()
    tallest = boxes[:, 2] - boxes[:, 0]

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    idx = np.flatnonzero(big)
    order = idx[np.argsort(boxes[idx, 1])]
    beside = 0.1 * H
    for a_i, a in enumerate(order):
        ya0, xa0, ya1, xa1 = boxes[a]
        for b in order[a_i + 1 :]:
            yb0, xb0, yb1, xb1 = boxes[b]
            if xb0 >= xa1 + beside:
                break
            overlap = min(xa1, xb1) - max(xa0, xb0)
            narrow = min(xa1 - xa0, xb1 - xb0)
            gap = max(yb0 - ya1, ya0 - yb1)
            if gap >= 0.35 * H or (overlap < 0.5 * narrow
                                   and not (overlap > -beside and _dot_above(boxes[a], boxes[b], H))):
                continue
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            # no taller than a letter and a half, or than the tallest piece (a title's
            # large letter, with its detached bar beside its stem)
            y0, y1 = min(top[ra], top[rb]), max(bottom[ra], bottom[rb])
            if y1 - y0 <= max(1.5 * H, 1.05 * max(tallest[ra], tallest[rb])):
                parent[rb] = ra
                top[ra], bottom[ra], tallest[ra] = y0, y1, max(tallest[ra], tallest[rb])
    return np.array([find(i) for i in range(n)])


def _dot_above(a, b, H):
    """Is one of boxes `a`, `b` a dot or a dash standing above the other, a stem at
    least half a letter tall (a ``j``'s dot, a ``J``'s bar written apart)? (How far
    beside it is the caller's to weigh.)"""
    upper, lower = (a, b) if a[2] <= b[0] else (b, a) if b[2] <= a[0] else (None, None)
    if upper is None:
        return False
    short = max(upper[2] - upper[0], upper[3] - upper[1]) < 0.6 * H
    return short and lower[2] - lower[0] >= max(0.5 * H, upper[2] - upper[0])


#: A horizontal stroke this many letter heights long, in ink that spans several
#: letters, is a line through or under them (:func:`strike_lines`): letters' bars,
#: even two touching letters', are shorter.
STRIKE_LENGTH = 2.0


def strike_lines(labels, boxes, height, length=STRIKE_LENGTH):
    """Lines drawn through words (a to-do list's done items) or under them.

    Such a line joins the letters it crosses into one piece of ink, which no cut
    between letters can separate. In pieces of ink wider than 2.5 letters and at
    most two letters tall, horizontal strokes `length` letter heights long or longer
    are found as rules are (:func:`ocr.binarize.remove_rules`: slightly tilted or
    wavy lines included), keeping the pixels of the letters' strokes that cross them,
    and kept when they make one straight line through or under the letters
    (:func:`_is_strike`).

    Parameters
    ----------
    labels : (H, W) int ndarray
        Components, 1..n (:func:`components`).
    boxes : (n, 4) int ndarray
        Their boxes (y0, x0, y1, x1).
    height : float
        Typical letter height.
    length : float
        Shortest line, in letter heights.

    Returns
    -------
    lines : (H, W) bool ndarray or None
        The lines' pixels, None if there are none.
    """
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    lines = None
    for k in np.flatnonzero((w > 2.5 * height) & (h <= 2.0 * height) & (h >= 0.5 * height)):
        y0, x0, y1, x1 = boxes[k]
        ink = labels[y0:y1, x0:x1] == k + 1
        line = ink & ~remove_rules(ink, length * height, which="horizontal")
        if _is_strike(line, ink, length * height, 0.15 * height, 0.08 * height):
            if lines is None:
                lines = np.zeros(labels.shape, bool)
            lines[y0:y1, x0:x1] |= line
    return lines


def _is_strike(line, ink, length, beyond, straight):
    """Is `line`, the long horizontal strokes of `ink` (h, w), a line drawn through or
    under letters rather than their bars?

    It must run `length` pixels, broken only where letters' strokes cross it (bars
    of touching letters are only linked by the tolerance for a tilt), its pixels
    within `straight` pixels (root mean square) of a straight line (touching letters'
    bars stand at several heights), and either go through the letters (its mean row
    in the middle three fifths of the ink) or reach `beyond` pixels past the rest of
    the ink at one end (a line under a word, drawn a little longer than it): touching
    letters' top or bottom bars end where the letters do.
    """
    cols = np.flatnonzero(line.any(axis=0))
    if not cols.size or cols[-1] - cols[0] + 1 < length or cols.size < 0.6 * (cols[-1] - cols[0] + 1):
        return False
    ys, xs = np.nonzero(line)
    xm, ym = xs.mean(), ys.mean()
    slope = ((xs - xm) * (ys - ym)).sum() / max(1e-9, ((xs - xm) ** 2).sum())
    if np.sqrt(np.mean((ys - ym - slope * (xs - xm)) ** 2)) > straight:  # bars at several heights
        return False
    if 0.2 * ink.shape[0] <= ym <= 0.8 * ink.shape[0]:
        return True
    rest = np.flatnonzero((ink & ~line).any(axis=0))
    return not rest.size or rest[0] - cols[0] >= beyond or cols[-1] - rest[-1] >= beyond


def segment(mask, min_speck=0.12, labelled=None):
    """Cut an ink mask into glyphs.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask from :func:`ocr.binarize.binarize`.
    min_speck : float
        Components smaller than this fraction of the letter height on both sides
        are noise and dropped.
    labelled : tuple, optional
        ``components(mask)`` if the caller already has it.

    Returns
    -------
    glyphs : list of Glyph
        Letter candidates and small marks, in no particular order.
    height : float
        Typical letter height, in pixels (0 if the page has no letters).
    """
    labels, boxes, areas = components(mask) if labelled is None else labelled
    H = letter_height(boxes, areas)
    if H == 0:
        return [], 0.0
    struck = strike_lines(labels, boxes, H)
    if struck is not None:  # the words are read without the lines through or under them
        labels, boxes, areas = components(mask & ~struck)
    cut = cut_stacks(labels, boxes, H)
    if cut is not None:  # list numbers of cramped lines written into one column
        labels, boxes, areas = components((labels > 0) & ~cut)
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(h, w)
    keep = side >= max(2, min_speck * H)
    # A dusty photo: specks (compact dots under 0.3 letter heights) by the dozen, as
    # many as half the letters, are dropped, or they stand in the word gaps as marks.
    specks = keep & (side < 0.3 * H) & _blob_like(h, w, areas)
    if np.count_nonzero(specks) > max(10, 0.5 * np.count_nonzero(keep & (h >= 0.5 * H))):
        keep &= ~specks
    # Ink touching the photo's border: a page edge, the desk, a shadow; but a letter of a
    # line running off the photo, only its end cut, stays.
    rows, cols = labels.shape
    touching = (boxes[:, 0] == 0) | (boxes[:, 1] == 0) | (boxes[:, 2] == rows) | (boxes[:, 3] == cols)
    keep &= ~touching | cut_off_letters(boxes, H, touching, keep & ~touching, labels.shape)
    keep &= ~binding_holes(labels, boxes, H, keep)
    # Not letters: taller than three letters (unless in a row of such letters, a large
    # title), or long thin strokes (underlines, rules).
    local = np.full(len(boxes), float(H))  # the letter height each piece is judged by
    tall = np.flatnonzero(keep & (h > 3.0 * H))
    title = title_letters(boxes[tall], H)
    local[tall[title > 0]] = title[title > 0]
    keep &= (h <= 3.0 * H) | (local > H)
    keep &= ~((w > 3.0 * local) & (h < 0.5 * H))
    # Straight strokes: longer than two letters, a rule or a page edge at any angle;
    # flat and longer than a letter, a bar that is only a letter's if one stands on it.
    # (A component taller than wide and under two letter heights is neither: not measured.)
    flat_bars = set()
    for k in np.flatnonzero(keep & (side > local) & ((w >= h) | (side > 2.0 * local))):
        stroke = straight_stroke(labels, boxes[k], k + 1, local[k])
        if stroke is not None and stroke[0] > 2.0:
            keep[k] = False
        elif stroke is not None and stroke[1]:
            flat_bars.add(int(k))
    # Letters that are cut into thin pieces still have pieces of some size.
    big = keep & ((h >= 0.4 * H) | (w >= 0.4 * H))
    group = _merge_groups(boxes, big, H)
    glyphs, boxes_drawn = [], []  # (boxes_drawn: the glyphs that are check boxes)
    # (np.unique and np.isin would import numpy.ma, ~15 ms of start-up.)
    for g in np.flatnonzero(np.bincount(group[keep], minlength=len(group))):
        members = np.flatnonzero((group == g) & keep)
        if len(members) == 1 and int(members[0]) in flat_bars:
            continue
        y0, x0 = boxes[members, 0].min(), boxes[members, 1].min()
        y1, x1 = boxes[members, 2].max(), boxes[members, 3].max()
        window = labels[y0:y1, x0:x1]
        if len(members) == 1:
            sub = window == members[0] + 1
        else:
            wanted = np.zeros(len(boxes) + 1, bool)
            wanted[members + 1] = True
            sub = wanted[window]
        glyph = Glyph(box=(int(y0), int(x0), int(y1), int(x1)), mask=sub)
        framed = in_frame(glyph, H)
        if framed is not None:  # a letter written in a box of its own that it touches
            glyphs.append(framed)
            continue
        # Capitals and digits fill the line's height: ink this flat is a dash or
        # an underscore, not a letter (a letter's detached bar joins its stem above).
        boxy = is_box(sub)
        if boxy:
            boxes_drawn.append(len(glyphs))
        small = not big[members].any() or y1 - y0 < 0.3 * H or boxy or is_bullet(sub, H)
        glyphs.append(replace(glyph, small=small))
    return column_of_boxes(glyphs, boxes_drawn), H


#: Check boxes found in a column (:func:`column_of_boxes`): at least this many, ...
COLUMN_BOXES = 2
#: ... a glyph this close to the nearest one's centre across (of its width) ...
COLUMN_ALIGNED = 0.5
#: ... and within this factor of its height and width ...
COLUMN_SIZE = 1.3
#: ... whose outline fits a four-cornered shape this well (intersection over union).
COLUMN_CORNERS = 0.85


def column_of_boxes(glyphs, boxes_drawn, least=COLUMN_BOXES):
    """`glyphs` with the check boxes of a column that :func:`is_box` missed marked
    ``small`` too.

    A box ticked or crossed with a thick pen may fill so much of itself that little
    paper is left inside (a tick's two rooms one above the other look like a ``B``'s):
    alone, it is read as a ``0`` or a ``Q``. Where `least` boxes or more
    (`boxes_drawn`, indices into `glyphs`) were found, a glyph standing in their
    column (its centre within :data:`COLUMN_ALIGNED` of a box's width from that of
    the box nearest to it up or down the page), of their size (within
    :data:`COLUMN_SIZE`) and with a four-cornered outline (:func:`_four_cornered`
    without its rooms, :data:`COLUMN_CORNERS`) is one of them.
    """
    if len(boxes_drawn) < least:
        return glyphs
    drawn = [glyphs[k] for k in boxes_drawn]
    out = list(glyphs)
    for k, g in enumerate(glyphs):
        if g.small:
            continue
        near = min(drawn, key=lambda b: abs(b.cy - g.cy))
        if (abs(g.cx - near.cx) <= COLUMN_ALIGNED * near.width
                and near.height / COLUMN_SIZE <= g.height <= near.height * COLUMN_SIZE
                and near.width / COLUMN_SIZE <= g.width <= near.width * COLUMN_SIZE
                and _four_cornered(g.mask, COLUMN_CORNERS, rooms=False)):
            out[k] = replace(g, small=True)
    return out


#: A letter in a box of its own (:func:`in_frame`) is at least this many letter heights
#: tall, and its box this many.
FRAMED_LETTER = 0.75
FRAME_TALL = 1.2


def in_frame(glyph, height, tall=FRAMED_LETTER, frame=FRAME_TALL):
    """The letter written in a box that it touches, the box taken off, or None.

    A form's lone box (a line number's) is found with its letter only when the
    letter touches neither side (:func:`ocr.binarize.remove_frame_bars`); a digit
    filling its box touches it, and the two are one glyph, read as a letter with the
    frame (a ``5`` as ``A``) or taken for a ticked check box. A glyph is a letter in
    a box when both its sides and its top or its bottom are lines of ink (rows or
    columns within 0.15 of its size from the edge, inked over 0.9 of their length;
    the fourth side may have gone with the page's rules, the line of the fields
    beside it) and the ink left inside, once those lines and a pixel more are taken
    off, stands `tall` letter heights or more, in a box `frame` letter heights tall
    or more (a squarish ``O`` or ``D`` holds nothing inside, an ``8`` only its middle
    bar): a box drawn to hold a letter is larger than the letters, a check
    box about their size or smaller, and its tick or cross smaller still.

    Parameters
    ----------
    glyph : Glyph
    height : float
        Typical letter height, in pixels.

    Returns
    -------
    Glyph or None
        The letter, its box on the page.
    """
    mask = glyph.mask
    h, w = mask.shape
    if min(h, w) < 8 or h < frame * height or not 0.4 <= w / h <= 2.0:
        return None
    # the frame's lines: the rows and columns from each edge inked nearly all along
    band = max(2, int(np.ceil(0.15 * min(h, w))))
    rows, cols = mask.mean(axis=1), mask.mean(axis=0)
    top, bottom, left, right = (_line_at_edge(a[:band]) for a in (rows, rows[::-1], cols, cols[::-1]))
    # both sides, and the top or the bottom (a form's lone box standing on the line of
    # the fields beside it loses that line with the page's rules)
    if not (left and right and (top or bottom)):
        return None
    m = 1  # and a pixel more: the frame's ragged edge
    inside = mask[top + m : h - bottom - m, left + m : w - right - m]
    labels, n = kernels.label(inside)
    if n == 0:
        return None
    area = np.bincount(labels.ravel(), minlength=n + 1)
    area[0] = 0
    keep = area >= 0.1 * area.max()  # the letter's strokes, not the frame's leftover corners
    ink = keep[labels]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0 or rows[-1] - rows[0] + 1 < tall * height:
        return None
    y0, x0 = glyph.box[0] + top + m + rows[0], glyph.box[1] + left + m + cols[0]
    sub = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return Glyph(box=(int(y0), int(x0), int(y0 + sub.shape[0]), int(x0 + sub.shape[1])), mask=sub)


def _line_at_edge(share, full=0.9):
    """How thick a frame's line is at one edge: up to the last of the rows (or
    columns) `share`, counted from the edge, inked over `full` of their length
    (0: none is; its first may be bare, a frame drawn a little askew)."""
    lines = np.flatnonzero(share >= full)
    return int(lines[-1]) + 1 if lines.size else 0


#: Pieces of ink up to this many letter heights tall are looked at as letters of
#: several cramped lines touching (:func:`cut_stacks`).
STACK_MOST = 6.0
#: ... and one of their parts is this many letter heights wide (a ``1``'s is not; a
#: ``2``'s, a ``3``'s, ... are).
STACK_WIDE = 0.4
#: Two lines' letters touching are cut apart at the thinnest row of the middle fifth
#: between the lines' middles (:func:`stack_cuts`). (Their thinnest row anywhere a
#: tenth of a letter height clear of the middles cut into the letters themselves: the
#: bar of a ``1`` above a ``2``, an ``S``'s waist; cramped lines 4.2 % -> 3.1 %, with
#: the middle fifth 2.0 %, with the middle half 2.7 %, on 200 pages.)
STACK_BAND = 0.4


def cut_stacks(labels, boxes, height, most=STACK_MOST, near=4.0):
    """Where to cut the pieces of ink too tall for letters (over three letter
    heights) that are letters of three or more cramped lines touching: a column of
    list numbers written close, ``1`` on ``2`` on ``3``, otherwise dropped with
    the rules and page edges.

    A piece up to `most` letter heights tall, not straight (a rule) and not in a
    row of its like (a large title, :func:`title_letters`), with ordinary letters
    beside it (within `near` letter heights) level with its top and its bottom, is
    cut where :func:`stack_cuts` says, when one of its parts is :data:`STACK_WIDE`
    letter heights wide or more (a wavering line drawn down beside the lines, or a
    brace, is thin in every part).

    Parameters
    ----------
    labels : (H, W) int ndarray
    boxes : (N, 4) int ndarray
        ``components(mask)``'s.
    height : float
        Typical letter height, in pixels.

    Returns
    -------
    (H, W) bool ndarray or None
        The rows of those pieces' ink to take out (None: none).
    """
    h = boxes[:, 2] - boxes[:, 0]
    tall = np.flatnonzero((h > 3.0 * height) & (h <= most * height))
    if tall.size == 0:
        return None
    tall = tall[title_letters(boxes[tall], height) == 0]
    normal = (h >= 0.6 * height) & (h <= 1.3 * height)
    centres = 0.5 * (boxes[:, 0] + boxes[:, 2])
    cut = None
    for k in tall:
        y0, x0, y1, x1 = boxes[k]
        beside = normal & (boxes[:, 3] > x0 - near * height) & (boxes[:, 1] < x1 + near * height)
        piece = labels[y0:y1, x0:x1] == k + 1
        rows = stack_cuts(piece, centres[beside] - y0, height)
        if not rows or straight_stroke(labels, boxes[k], k + 1, height) is not None:
            continue
        # a line drawn down the page beside the lines, however it wavers, is as thin all along
        widths = [np.ptp(np.flatnonzero(piece[a:b].any(axis=0))) + 1 for a, b in zip([0] + rows, rows + [len(piece)])]
        if max(widths) < STACK_WIDE * height:
            continue
        if cut is None:
            cut = np.zeros(labels.shape, bool)
        for r in rows:
            cut[y0 + r, x0:x1] = labels[y0 + r, x0:x1] == k + 1
    return cut


def split_stacked(glyphs, height, tall=1.6, near=4.0):
    """Cut apart letters of two or more lines that touch (cramped lines).

    A glyph taller than `tall` letter heights is letters one above the other when
    letters of ordinary height stand beside it (within `near` letter heights) at
    both the height of its top and that of its bottom: one line's letter reaching
    down into the next line's, or a column of list numbers written close
    (:func:`stack_cuts`). (A title's large letter has large letters beside it, and
    is kept whole.) The letters beside may be stacked themselves (a word's letters
    touching those of the line below one after another): the parts cut off count
    as letters beside for a second look at the glyphs left whole.

    Parameters
    ----------
    glyphs : list of Glyph
    height : float
        Typical letter height, in pixels.

    Returns
    -------
    glyphs : list of Glyph
        The same glyphs, the stacked ones replaced by their parts.
    """
    for _ in range(2):
        out = _split_stacked(glyphs, height, tall, near)
        if len(out) == len(glyphs):
            break
        glyphs = out
    return out


def _split_stacked(glyphs, height, tall, near):
    """One look of :func:`split_stacked` at every glyph."""
    normal = [g for g in glyphs if not g.small and 0.6 * height <= g.height <= 1.3 * height]
    out = []
    for g in glyphs:
        if g.small or g.height <= tall * height:
            out.append(g)
            continue
        y0, x0, y1, x1 = g.box
        beside = np.array([n.cy for n in normal if n.box[3] > x0 - near * height and n.box[1] < x1 + near * height])
        cuts = stack_cuts(g.mask, beside - y0, height)
        if not cuts:
            out.append(g)
            continue
        for a, b in zip([0] + cuts, cuts + [g.height]):
            part = _part(g, a, b, axis=0)
            if part is not None:  # a sliver of the contact alone is no letter
                part.small = part.height < 0.3 * height
                out.append(part)
    return out


def stack_cuts(mask, centres, height):
    """The rows at which ink of letters of several lines touching is cut apart.

    The letters beside it (their centres given) must stand level with its top and
    with its bottom (within 0.3 letter heights of half a letter from them); those
    whose centres lie 0.8 letter heights or more inside those two lines are lines
    between, grouped where half a letter height apart. It is cut between each two
    lines at its thinnest row in the middle fifth between their middles
    (:data:`STACK_BAND`; the middle of the first run of thinnest rows).

    Parameters
    ----------
    mask : (h, w) bool ndarray
        The ink, cropped to it.
    centres : (n,) float ndarray
        The middle rows of ordinary letters beside it, in the rows of `mask`.
    height : float
        Typical letter height, in pixels.

    Returns
    -------
    list of int
        The rows of `mask` where a part ends and the next begins, top to bottom;
        empty when it is no stack of letters.
    """
    h = mask.shape[0]
    top, bottom = 0.5 * height, h - 0.5 * height
    if not (np.any(np.abs(centres - top) < 0.3 * height) and np.any(np.abs(centres - bottom) < 0.3 * height)):
        return []
    inner = np.sort(centres[(centres >= top + 0.8 * height) & (centres <= bottom - 0.8 * height)])
    # lines between: the letters beside grouped where they are half a letter apart
    groups = np.split(inner, np.flatnonzero(np.diff(inner) > 0.5 * height) + 1) if inner.size else []
    lines = [top] + [float(np.median(g)) for g in groups] + [bottom]
    ink = mask.sum(axis=1)
    cuts = []
    for c0, c1 in zip(lines, lines[1:]):
        lo, hi = int(c0 + STACK_BAND * (c1 - c0)), int(c1 - STACK_BAND * (c1 - c0))
        if hi <= lo:
            return []
        thin = lo + np.flatnonzero(ink[lo:hi] == ink[lo:hi].min())
        run = thin[: 1 + int(np.argmax(np.append(np.diff(thin) > 1, True)))]  # the first run of them
        cuts.append(int(run[len(run) // 2]))
    return cuts


def is_bullet(mask, height):
    """Is this ink a bullet: a filled dot, round or square, under 0.6 letter heights?

    Letters are strokes, which leave most of their box empty; the one that fills
    its box, a bar (``I``, ``1``), is long and thin.

    Parameters
    ----------
    mask : (h, w) bool ndarray
        One glyph's ink, cropped to it.
    height : float
        Typical letter height.

    Returns
    -------
    bool
    """
    h, w = mask.shape
    if max(h, w) > 0.6 * height or not 0.6 <= w / h <= 1.67:
        return False
    return float(mask.mean()) >= 0.6


def is_box(mask):
    """Is this ink a square or rectangle (a to-do list's check box, ticked or not)?

    A printed box has each side drawn nearly all along, close to the edge: a round
    ``O`` or ``0`` leaves its corners empty, a ``D`` its right side (no letter of the
    2,244 ``photo_chars`` and 15,000 EMNIST capitals and digits has all four). A box
    drawn by hand leans and bends a little and its tick may stick out of it: its
    outline, filled, is then a solid four-cornered shape once the tick's strokes are
    opened away (:func:`_four_cornered`). Whatever is inside (a tick, a cross) may not
    fill it.

    Measured on the characters of the shared data at page scale (about 40 pixels
    tall, as the pipeline sees them): none of the 2,244 ``photo_chars`` and 10 of the
    96,231 EMNIST capitals and digits (doubled: 7 ``B``, 3 ``8``) are taken for a box.

    Parameters
    ----------
    mask : (h, w) bool ndarray
        One glyph's ink, cropped to it.

    Returns
    -------
    bool
    """
    h, w = mask.shape
    if min(h, w) < 8 or not 0.5 <= w / h <= 2.0:
        return False
    b = max(2, round(0.1 * min(h, w)))
    sides = (mask[:b].any(axis=0), mask[-b:].any(axis=0), mask[:, :b].any(axis=1), mask[:, -b:].any(axis=1))
    if min(float(side.mean()) for side in sides) >= 0.9:
        my, mx = round(0.2 * h), round(0.2 * w)
        labels, outside = paper_pieces(mask)
        # a blot fills its middle; a thick cross fills much of it too, but leaves rooms
        # in the four corners between its arms, or paper round its arms' ends (short of
        # the corners) inside an outline that is a four-cornered box
        middle = float(mask[my:h - my, mx:w - mx].mean())
        room = middle < 0.5 or _rooms(labels, outside) >= 3 or (middle < 0.75 and _four_cornered(mask))
        return room and not _two_stacked_rooms(labels, outside)
    return _four_cornered(mask)


def _rooms(labels, outside, least=0.05):
    """How many holes of a glyph (`labels` of its paper, `outside` the labels that are
    not holes) hold `least` of the holes' area or more."""
    area = np.bincount(labels.ravel())
    area[outside] = 0
    return int(np.count_nonzero(area >= least * max(1, area.sum())))


#: A hand-drawn box, filled, and the quadrilateral through its four outermost corners
#: overlap by at least this much, intersection over union (:func:`_four_cornered`; 0.92
#: to 0.97 for boxes drawn by hand, 0.64 for a round ``O``, most ``8`` under 0.85).
BOX_CORNERS = 0.9


def _four_cornered(mask, corners=BOX_CORNERS, rooms=True):
    """Is `mask` (h, w) the outline of a quadrilateral, a tick or cross inside allowed?

    The outline must hold room inside (holes of a tenth of its box or more: a blot or
    a letter's strokes do not). Its holes are filled and strokes thinner than 0.3 of its
    size opened away (a tick sticking out); what is left, the solid shape, must stand
    0.75 of the ink's height and width and match the quadrilateral through its four
    extreme points along the diagonals (its corners, for a box turned by less than 45
    degrees; `corners`, intersection over union), whose sides are 0.3 of the ink's
    size or longer, meet at 60 to 120 degrees and have ink all along them. With
    `rooms` False the room inside is not asked for, nor that it is no two rooms one
    above the other (a box ticked so thickly that it is nearly solid,
    :func:`column_of_boxes`).
    """
    h, w = mask.shape
    labels, outside = paper_pieces(mask)
    holes = ~outside[labels[1:-1, 1:-1]]
    if rooms and holes.sum() < 0.1 * h * w:  # strokes with little room inside them
        return False
    if rooms and _two_stacked_rooms(labels, outside):  # a B or an 8, however square
        return False
    solid = mask | holes
    k = max(3, round(0.3 * min(h, w)))
    body = kernels.minimum_filter1d(kernels.minimum_filter1d(solid, k, axis=0, mode="constant"), k, axis=1,
                                    mode="constant")
    body = kernels.maximum_filter1d(kernels.maximum_filter1d(body, k, axis=0), k, axis=1)
    ys, xs = np.nonzero(body)
    if ys.size == 0 or np.ptp(ys) + 1 < 0.75 * h or np.ptp(xs) + 1 < 0.75 * w:
        return False
    s, d = xs + ys, xs - ys
    quad = np.array([[xs[i], ys[i]] for i in (s.argmin(), d.argmax(), s.argmax(), d.argmin())], float)
    edges = np.roll(quad, -1, axis=0) - quad
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    if lengths.min() < 0.3 * min(h, w):  # two corners in one: a triangle (a filled A)
        return False
    cos = -(edges * np.roll(edges, 1, axis=0)).sum(axis=1) / (lengths * np.roll(lengths, 1))
    if np.abs(cos).max() > 0.5:  # every corner between 60 and 120 degrees
        return False
    # ink all along every side (an 8's or a B's waist leaves a side's middle empty)
    near = kernels.box_max(mask, 2 * max(2, round(0.12 * min(h, w))) + 1)
    t = np.linspace(0, 1, 20, endpoint=False)[:, None, None]
    along = np.rint(quad[None] + t * edges[None]).astype(int)
    if (~near[along[..., 1], along[..., 0]]).sum(axis=0).max() > 1:
        return False
    # the quadrilateral's pixels (half a pixel beyond the corners' centres) against the shape's
    gy, gx = np.mgrid[0:h, 0:w]
    ex, ey = edges[:, 0, None, None], edges[:, 1, None, None]
    cross = ex * (gy - quad[:, 1, None, None]) - ey * (gx - quad[:, 0, None, None])
    turn = np.sign((edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)).sum())
    inside = (turn * cross >= -0.5 * lengths[:, None, None]).all(axis=0)
    return (inside & body).sum() >= corners * (inside | body).sum()


def _two_stacked_rooms(labels, outside, least=0.15):
    """Are the holes of a glyph (`labels` of its paper, `outside` the labels that are
    not holes) two, one above the other, as in a ``B`` or an ``8``? A tick inside a
    box leaves holes beside each other (one of them under its arm), a cross four.
    Holes under `least` of the holes' area are left out (specks of paper in the ink),
    but not a third one over a third of that: a thick cross in a box leaves its top
    and bottom rooms the larger, and its side rooms a seventh of the paper each."""
    area = np.bincount(labels.ravel())
    area[outside] = 0
    rooms = np.flatnonzero(area >= least * area.sum())
    if len(rooms) != 2 or _rooms(labels, outside, least / 3) > 2:
        return False
    (a0, a1), (b0, b1) = (np.flatnonzero((labels == r).any(axis=1))[[0, -1]] for r in rooms)
    (c0, c1), (d0, d1) = (np.flatnonzero((labels == r).any(axis=0))[[0, -1]] for r in rooms)
    # one above the other and over each other (a tick's rooms are beside each other)
    side_by_side = min(c1, d1) - max(c0, d0) < 0.5 * min(c1 - c0, d1 - d0)
    return (a1 <= b0 + 1 or b1 <= a0 + 1) and not side_by_side


def _part(glyph, a, b, axis=1):
    """The ink of columns ``a:b`` (or rows, with ``axis=0``) of a glyph as a glyph
    of its own (None if empty)."""
    y0, x0, _, _ = glyph.box
    sub = glyph.mask[:, a:b] if axis == 1 else glyph.mask[a:b]
    rows = np.flatnonzero(sub.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(sub.any(axis=0))
    sub = sub[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    oy, ox = (0, a) if axis == 1 else (a, 0)
    box = (y0 + oy + rows[0], x0 + ox + cols[0], y0 + oy + rows[-1] + 1, x0 + ox + cols[-1] + 1)
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


def shear_glyph(glyph, shear):
    """A glyph as it stands on the page sheared by `shear`: every row ``y`` of the
    page moved ``-shear * y`` pixels along x (rounded), so that writing leaning by
    `shear` (dx/dy, :func:`ocr.normalize.slant`) stands upright. Shearing by
    ``-shear`` gives the glyph back, pixel for pixel.

    Parameters
    ----------
    glyph : Glyph
    shear : float

    Returns
    -------
    Glyph
        Its box in the sheared page's coordinates, cropped to its ink.
    """
    y0, x0, y1, x1 = glyph.box
    h, w = glyph.mask.shape
    shifts = np.rint(-shear * (y0 + np.arange(h))).astype(int)
    lo = int(shifts.min())
    mask = np.zeros((h, w + int(shifts.max()) - lo), dtype=bool)
    for r in range(h):
        mask[r, shifts[r] - lo : shifts[r] - lo + w] = glyph.mask[r]
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size == 0:
        return Glyph(box=glyph.box, mask=glyph.mask, small=glyph.small)
    mask = mask[:, cols[0] : cols[-1] + 1]
    box = (y0, x0 + lo + int(cols[0]), y1, x0 + lo + int(cols[-1]) + 1)
    return Glyph(box=box, mask=mask, small=glyph.small)


def union(glyphs):
    """One glyph holding the ink of several."""
    if len(glyphs) == 1:
        return glyphs[0]
    y0, x0 = min(g.box[0] for g in glyphs), min(g.box[1] for g in glyphs)
    y1, x1 = max(g.box[2] for g in glyphs), max(g.box[3] for g in glyphs)
    mask = np.zeros((y1 - y0, x1 - x0), bool)
    for g in glyphs:
        gy0, gx0, gy1, gx1 = g.box
        mask[gy0 - y0 : gy1 - y0, gx0 - x0 : gx1 - x0] |= g.mask
    return Glyph(box=(y0, x0, y1, x1), mask=mask)


#: A glyph the classifier gives less than this as one letter may be letters that touch
#: once it is a little wider than a letter (:func:`may_hold_several`).
UNSURE_WHOLE = 0.6


def may_hold_several(glyph, height, width=None, conf=1.0):
    """Is a glyph wide enough to be letters that touch?

    A glyph the classifier is sure of has to be as wide as two letters (an ``M``
    or a ``W`` is wide); one it is unsure of (under :data:`UNSURE_WHOLE`) only a
    little wider than one: two narrow letters that touch (``PP``, ``OG``) make a
    glyph no wider than an ``M``, which the classifier reads as an unsure one.

    Parameters
    ----------
    glyph : Glyph
    height : float
        Typical letter height on the page.
    width : float, optional
        Typical letter width on the page (default ``0.7 * height``).
    conf : float
        How sure the classifier is of the glyph as one character.
    """
    width = width or 0.7 * height
    if conf < UNSURE_WHOLE:
        return glyph.width >= max(0.85 * height, 0.8 * glyph.height, 1.25 * width)
    return glyph.width >= max(1.1 * height, 0.9 * glyph.height, 1.6 * width)


def _atoms(glyph, height, width, conf):
    """A glyph cut at its candidate columns if it may be several letters: wide
    enough, and not a letter the classifier is sure of (unless far too wide)."""
    if not may_hold_several(glyph, height, width, conf):
        return [glyph]
    if conf >= 0.9 and glyph.width <= 1.8 * max(height, glyph.height):
        return [glyph]
    cuts = [0] + cut_candidates(glyph.mask, height) + [glyph.width]
    parts = [_part(glyph, a, b) for a, b in zip(cuts[:-1], cuts[1:])]
    parts = [p for p in parts if p is not None]
    return parts or [glyph]


def candidate_letters(glyphs, height, pieces, max_gap=0.15, max_width=1.5, keep_whole=True):
    """Over-segment a word and list every run of pieces that could be one letter.

    Parameters
    ----------
    glyphs : list of Glyph
        The word's glyphs, left to right.
    height : float
        Typical letter height.
    pieces : callable
        ``pieces(k, glyph) -> list of Glyph``: glyph `k` cut into pieces (or ``[glyph]``).
    max_gap : float
        Separate glyphs further apart than this many letter heights are never joined.
    max_width : float
        A run of several pieces wider than this many letter heights is no letter.
    keep_whole : bool
        Also offer every glyph as it is, however many pieces it was cut into.

    Returns
    -------
    atoms : list of Glyph
        The pieces, left to right.
    joins : list
        ``joins[k]``: the gap in pixels between atoms k and k+1, or None inside a glyph.
    spans : list of (int, int)
        Runs ``atoms[i:j]`` of at most six pieces, or of two or three whole glyphs,
        that could be one letter.
    cands : list of Glyph
        The glyph each span makes.
    """
    atoms, joins = [], []
    whole = {}  # (first atom, end atom) of each glyph -> the glyph
    for k, g in enumerate(glyphs):
        parts = pieces(k, g)
        if atoms:
            joins.append(g.box[1] - atoms[-1].box[3])
        joins.extend([None] * (len(parts) - 1))
        whole[(len(atoms), len(atoms) + len(parts))] = g
        atoms.extend(parts)
    n = len(atoms)
    spans, cands = [], []
    for i in range(n):
        for j in range(i + 1, min(n, i + 6) + 1):
            if any(gap is not None and gap > max_gap * height for gap in joins[i : j - 1]):
                break
            if keep_whole and (i, j) in whole:
                continue
            cand = union(atoms[i:j])
            if j - i > 1 and cand.width > max_width * height:
                break
            spans.append((i, j))
            cands.append(cand)
    # Separate glyphs joined whole, however many pieces they were cut into (a W
    # cut into six, its last stroke apart).
    bounds = sorted(whole)
    seen = set(spans)
    for a in range(len(bounds)):
        for b in range(a + 1, min(len(bounds), a + 3)):
            i, j = bounds[a][0], bounds[b][1]
            if any(gap is not None and gap > max_gap * height for gap in joins[i : j - 1]):
                break
            cand = union(atoms[i:j])
            if cand.width > max_width * height:
                break
            if (i, j) not in seen:
                spans.append((i, j))
                cands.append(cand)
    if keep_whole:
        for span, g in whole.items():
            spans.append(span)
            cands.append(g)
    return atoms, joins, spans, cands


#: Of :data:`ocr.LOOK_ALIKE`, the pair a piece may be read as either of and still be
#: one character as surely as the two add up (which one, the word decides). Not
#: ``I``/``1``: a bare bar would then be as sure a character as any letter, and
#: letters would be cut into bars.
SAME_SHAPE = (("O", "0"),)


#: Cost (nats) of cutting through one glyph's ink where the glyph is no wider than
#: ``CUT_FREE[0]`` of its height (one letter, most likely), falling to nothing at
#: ``CUT_FREE[1]`` (as wide as two): an unsure letter's halves are often read surely.
CUT_COST = 0.6
CUT_FREE = (0.9, 1.4)
#: A letter cut out of a glyph stands at least this share of the glyph's height
#: (two letters that touch are both about as tall as the two together; half an
#: ``X`` is a short ``7``).
CUT_TALL = 0.85


def _cut_cost(glyph):
    """What cutting through `glyph`'s ink costs a reading (nats, :data:`CUT_COST`)."""
    lo, hi = CUT_FREE
    return CUT_COST * float(np.clip((hi - glyph.width / glyph.height) / (hi - lo), 0.0, 1.0))


def one_character(P, classes=CLASSES, same=SAME_SHAPE):
    """How sure the classifier is that each row of P (N, 36) is one character,
    either of a pair of :data:`SAME_SHAPE` counting as the same."""
    conf = P.max(axis=1)
    for a, b in same:
        conf = np.maximum(conf, P[:, classes.index(a)] + P[:, classes.index(b)])
    return conf


@dataclass(eq=False)
class Lattice:
    """Every reading of a word's pieces as letters that :func:`word_lattice` weighed.

    Attributes
    ----------
    n : int
        Number of pieces (atoms) the word was cut into.
    spans : list of (int, int)
        Runs ``atoms[i:j]`` that could be one letter.
    cands : list of Glyph
        The letter each span makes (as measured: upright on an italic page).
    P : (len(spans), 36) ndarray
        Each span's class probabilities.
    X : list of (32, 32) ndarray
        Each span's classifier input.
    extra : (len(spans),) ndarray
        What each span costs as a letter besides the classifier's doubt (nats):
        the letter penalty, and the costs of being too wide or short, of bridging
        gaps and of cutting through ink.
    cost : (len(spans),) ndarray
        ``extra - log(confidence that the span is one character)``.
    cut : (len(spans),) bool ndarray
        The span starts or ends inside a glyph: it was cut out of one.
    on_page : callable, optional
        ``Glyph -> Glyph``: a candidate back on the page (sheared back on an
        italic page); None when the candidates are on the page.
    """

    n: int
    spans: list
    cands: list = field(repr=False)
    P: np.ndarray = field(repr=False)
    X: list = field(repr=False)
    extra: np.ndarray = field(repr=False)
    cost: np.ndarray = field(repr=False)
    cut: np.ndarray = field(repr=False)
    on_page: object = field(default=None, repr=False)

    @classmethod
    def glyph_by_glyph(cls, P):
        """The lattice of a word read one glyph a letter, no other way weighed: one span
        per row of `P` (N, 36), nothing to pay besides the classifier's doubt."""
        n = len(P)
        return cls(n=n, spans=[(k, k + 1) for k in range(n)], cands=[None] * n, P=P, X=[None] * n,
                   extra=np.zeros(n), cost=-np.log(np.maximum(one_character(P), 1e-6)), cut=np.zeros(n, bool))

    def best_path(self):
        """The cheapest reading: indices into `spans`, left to right, covering every piece."""
        best = {0: (0.0, None)}
        ends = {}
        for k, (i, j) in enumerate(self.spans):
            ends.setdefault(j, []).append((i, k))
        for j in range(1, self.n + 1):
            options = [(best[i][0] + self.cost[k], i, k) for i, k in ends.get(j, ()) if i in best]
            if options:
                c, i, k = min(options)
                best[j] = (c, k)
        path, j = [], self.n
        while j:
            k = best[j][1]
            path.append(k)
            j = self.spans[k][0]
        return path[::-1]

    def letters(self, path):
        """``(glyph, probabilities, crop)`` of the spans `path`, on the page."""
        at = self.on_page or (lambda g: g)
        return [(at(self.cands[k]), self.P[k], self.X[k]) for k in path]


#: Letters written wider than the others, in groups of one shape: one piece of ink read
#: as one group (at least `WIDE_SURE`) may be wider by this much, in letter heights
#: (`WIDE_ASPECT`) and in typical letter widths (`WIDE_REF`), times the classifier's
#: probability of the group, before its width costs (:func:`word_lattice`; an EMNIST ``M``
#: 2.4 times as wide as tall was cut into ``IYYI``, an ``O`` flattened to 1.75 times into ``CD``).
WIDE_LETTERS = ("MW", "O0")
WIDE_ASPECT, WIDE_REF = 0.9, 1.2
WIDE_SURE = 0.8  # (touching QU, read W at 0.6-0.8, is no W)
#: ... if it is no wider than this many letter heights (touching ``EXAM`` read as an M).
WIDE_MOST = 2.6
_WIDE = np.array([[c in group for c in CLASSES] for group in WIDE_LETTERS])


#: A word's end pieces lower than this many letter heights, all cut out of the glyph
#: next to them, ...
STUB_HEIGHT = 0.2
#: ... and as long as this many letter heights together, are a stub of a rule (a ruled
#: line, an underline) that a letter's foot touched: the letter may be read without it,
#: at this cost (nats; a stub read with its letter made an ``S`` an ``E``, an ``E`` an
#: ``EL``). An ``L`` without its foot is a surer ``I``: the cost keeps it an ``L``.
STUB_LENGTH = 0.5
STUB_COST = 1.0


def rule_stubs(atoms, joins, height, low=STUB_HEIGHT, least=STUB_LENGTH):
    """How many of a word's pieces at its start and at its end are a rule's stub.

    Parameters
    ----------
    atoms : list of Glyph
        The word's pieces, left to right (:func:`candidate_letters`).
    joins : list
        ``joins[k]``: the gap between pieces k and k+1, None inside a glyph.
    height : float
        Typical letter height, in pixels.
    low, least : float
        A stub's pieces are each lower than `low` letter heights, and together at
        least `least` letter heights long, in the lowest third of the piece beside
        them (a rule touching a letter's foot); they are cut out of its glyph, and it
        is no stub.

    Returns
    -------
    lead, trail : int
        The numbers of pieces of the stubs at the start and at the end (0: none).
    """
    n = len(atoms)
    flat = [a.height < low * height for a in atoms]
    lead = next((k for k, f in enumerate(flat) if not f), n)
    trail = next((k for k, f in enumerate(flat[::-1]) if not f), n)
    if lead == n:  # all flat: no letter to leave them out of
        return 0, 0
    def at_foot(stub, letter):  # the stub in the letter's lowest third (a T's long bar is none)
        return all(a.box[0] >= letter.box[2] - height / 3 for a in stub)

    if lead and (any(g is not None for g in joins[:lead]) or atoms[lead - 1].box[3] - atoms[0].box[1] < least * height
                 or not at_foot(atoms[:lead], atoms[lead])):
        lead = 0
    if trail and (any(g is not None for g in joins[n - trail - 1:])
                  or atoms[-1].box[3] - atoms[n - trail].box[1] < least * height
                  or not at_foot(atoms[n - trail:], atoms[n - trail - 1])):
        trail = 0
    return lead, trail


def word_lattice(glyphs, height, proba, width=None, confs=None, crops=None, probs=None, penalty=0.3,
                 merge_cost=0.5, max_gap=0.15):
    """Every way to read a word's glyphs as letters, each with its cost.

    The word's glyphs are over-segmented (wide ones cut at their thinnest
    columns) into pieces; every run of consecutive pieces that could be one
    letter is classified and costed. A letter costs ``-log(confidence) + penalty``
    (the confidence that it is one character, ``O`` and ``0`` summed:
    :data:`SAME_SHAPE`), plus a cost for being wider than letters are or shorter
    (than the line, and than the glyph it was cut out of: :data:`CUT_TALL`; a whole
    glyph the classifier reads as one of the widest letters, :data:`WIDE_LETTERS`, may
    be wider by as much as it is sure of it), plus
    `merge_cost` for every gap it bridges between separate glyphs, plus
    :data:`CUT_COST` for a cut through a glyph no wider than a letter; so a split
    or a merge has to pay for itself in classifier confidence. The word's first or
    last letter may also be read without a rule's stub that touches its foot
    (:func:`rule_stubs`), for :data:`STUB_COST` more.

    Parameters
    ----------
    glyphs : list of Glyph
        The word's letter glyphs, left to right.
    height : float
        Typical letter height on the page, in pixels.
    proba : callable
        ``proba(crops (N, 32, 32)) -> (N, 36)`` class probabilities.
    width : float, optional
        Typical letter width on the page, in pixels.
    confs : list of float, optional
        The classifier's confidence in each glyph as it is (by default, with
        `probs`, their maxima); a glyph it is sure of is not cut unless it is far
        too wide for one letter.
    crops : list of (32, 32) ndarray, optional
        The glyphs' classifier inputs, if already made: reused for glyphs kept whole.
    probs : list of (36,) ndarray, optional
        The glyphs' class probabilities as already read (an unsure glyph's read
        again in other views, :func:`ocr.pipeline.reread`): a glyph kept whole
        keeps them, and is weighed against its cuts and joins by them.
    penalty : float
        Cost of every letter (nats).
    merge_cost : float
        Cost of joining two separate glyphs into one letter (nats).
    max_gap : float
        Only glyphs closer than this many letter heights may be joined.

    Returns
    -------
    Lattice
    """
    from .normalize import normalize_many

    if confs is None and probs is not None:
        confs = [float(p.max()) for p in probs]
    owner = []  # the glyph each atom is part of

    def pieces(k, g):
        parts = _atoms(g, height, width, 0.0 if confs is None else confs[k])
        owner.extend([g] * len(parts))
        return parts

    atoms, joins, spans, cands = candidate_letters(glyphs, height, pieces, max_gap=max_gap,
                                                   max_width=1.5, keep_whole=True)
    n = len(atoms)
    made = {id(g): c for g, c in zip(glyphs, crops)} if crops is not None else {}
    todo = [k for k, c in enumerate(cands) if id(c) not in made]
    X = [made.get(id(c)) for c in cands]
    for k, x in zip(todo, normalize_many([cands[k].mask for k in todo])):
        X[k] = x
    given = {id(g): p for g, p in zip(glyphs, probs)} if probs is not None else {}
    ask = [k for k, c in enumerate(cands) if id(c) not in given]
    P = np.array([given.get(id(c), np.zeros(len(CLASSES))) for c in cands], dtype=float)
    if ask:
        P[ask] = proba(np.stack([X[k] for k in ask]))
    # A letter may also leave out a rule's stub at the word's end, or the stub's part
    # beyond the letter's foot: the same letter, its span taking in the pieces left out.
    inner = list(spans)
    lead, trail = rule_stubs(atoms, joins, height)
    stub = STUB_LENGTH * height
    same = []  # the spans offered again, taking in the stub beside them
    for s, (i, j) in enumerate(inner):
        ends = (0 if 0 < i <= lead < j and atoms[i - 1].box[3] - atoms[0].box[1] >= stub else i,
                n if i < n - trail <= j < n and atoms[-1].box[3] - atoms[j].box[1] >= stub else j)
        if ends != (i, j):
            spans.append(ends)
            same.append(s)
    inner += [inner[s] for s in same]
    cands += [cands[s] for s in same]
    X += [X[s] for s in same]
    P = np.vstack([P, P[same]])
    extra, cut_out = np.zeros(len(spans)), np.zeros(len(spans), dtype=bool)
    given_glyphs = {id(g) for g in glyphs}  # the word's glyphs, each a span as it is
    for s, ((i, j), c) in enumerate(zip(inner, cands)):
        whole = id(c) in given_glyphs
        aspect = c.width / max(height, c.height)
        # a whole glyph read surely as an M, a W or an O (not a touching TR or QU) may
        # be wider (EMNIST's are up to 2.4 times as wide as tall), but not as wide as a
        # word of touching letters, read as an M too
        m = float((_WIDE @ P[s]).max())
        allowed = m if whole and aspect <= WIDE_MOST and m >= WIDE_SURE else 0.0
        wide = max(0.0, aspect - 1.3 - WIDE_ASPECT * allowed)
        if width:
            # One whole piece of ink may be a wide letter (a broad U, M or W); two
            # glyphs joined into one letter must be narrower.
            ref = width * max(1.0, c.height / height)  # a taller letter may be wider
            wide += 0.4 * max(0.0, c.width / ref - (1.8 if whole else 1.5) - WIDE_REF * allowed)
        # Capitals and digits fill the line's height: a flat piece (a bar cut off
        # a T or an H) is part of a letter, not one of its own.
        short = max(0.0, 0.5 - c.height / height)
        cut = j < n and joins[j - 1] is None  # it ends inside a glyph
        cut_out[s] = cut or bool(i and joins[i - 1] is None)
        if cut_out[s]:  # a piece cut out of a glyph
            short = max(short, CUT_TALL - c.height / max(a.height for a in owner[i:j]))
        bridged = sum(gap is not None for gap in joins[i : j - 1])
        extra[s] = (penalty + 5.0 * (wide + short) + merge_cost * bridged
                    + (_cut_cost(owner[j - 1]) if cut else 0.0))
        if spans[s] != (i, j):
            cut_out[s] = True
            extra[s] += STUB_COST
    cost = extra - np.log(np.maximum(one_character(P), 1e-6))
    return Lattice(n=n, spans=spans, cands=cands, P=P, X=X, extra=extra, cost=cost, cut=cut_out)


def segment_word(glyphs, height, proba, **kw):
    """Best letters for a word: touching letters split, broken letters merged.

    The cheapest path through the word's :func:`word_lattice` (its parameters),
    found by dynamic programming.

    Returns
    -------
    letters : list of Glyph
        Left to right.
    probs : (len(letters), 36) ndarray
        Their class probabilities.
    crops : list of (32, 32) ndarray
        Their classifier inputs.
    """
    lattice = word_lattice(glyphs, height, proba, **kw)
    path = lattice.best_path()
    return [lattice.cands[k] for k in path], lattice.P[path], [lattice.X[k] for k in path]


def split_touching(glyph, height, proba, **kw):
    """Split one glyph into the letters it holds (see :func:`segment_word`)."""
    return segment_word([glyph], height, proba, **kw)[0]
