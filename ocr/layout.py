"""Stage 4: reading order. Glyphs are chained into text lines, lines cut into words.

Lines are built left to right: each glyph joins the line whose last glyph stands at
the same height, so slightly skewed or wavy lines stay whole, and pieces of a line
that curves are joined where one leads on to the other. Words are cut at the gaps
that are clearly wider than the gaps between letters of the page (between the two
groups its gaps fall into, when they clearly do), judged at each line's own letter
height.
"""

import numpy as np

from .kernels import median, percentile

#: Stroke width of an ordinary pen, in letter heights: the word gaps are set for it.
PEN = 0.15


def estimate_skew(glyphs, height):
    """Slope (dy/dx) of the text lines, from each letter and its right-hand neighbour.

    Parameters
    ----------
    glyphs : list of ocr.segment.Glyph
    height : float
        Typical letter height, in pixels.

    Returns
    -------
    slope : float
        Median slope between letters and their nearest neighbour to the right
        (within two letter heights, less than one letter height up or down);
        0 when there are too few pairs.
    """
    big = [g for g in glyphs if not g.small]
    if len(big) < 4:
        return 0.0
    cx = np.array([g.cx for g in big])
    cy = np.array([g.cy for g in big])
    dx = cx[None, :] - cx[:, None]  # [i, j]: from letter i to letter j
    dy = cy[None, :] - cy[:, None]
    ok = (dx > 0.3 * height) & (dx < 2.0 * height) & (np.abs(dy) < 0.8 * dx) & (np.abs(dy) < height)
    has = ok.any(axis=1)
    if has.sum() < 3:
        return 0.0
    j = np.where(ok, dx, np.inf).argmin(axis=1)[has]  # nearest neighbour to the right
    i = np.flatnonzero(has)
    return float(median(dy[i, j] / dx[i, j]))


def group_lines(glyphs, height, slope=None, columns=True):
    """Group glyphs into text lines.

    The page's skew is measured first (:func:`estimate_skew`) and every height is
    taken along it, so lines of a photo turned by ten degrees or more stay whole.

    Parameters
    ----------
    glyphs : list of ocr.segment.Glyph
    height : float
        Typical letter height, in pixels.
    slope : float, optional
        The lines' slope (dy/dx), if known (a column of a page: the page's).
    columns : bool
        Look for columns of writing (:func:`in_columns`); False: the lines as they run.

    Returns
    -------
    lines : list of list of int
        Indices into `glyphs`, lines top to bottom, each left to right (in two
        columns of writing, :func:`in_columns`, the left one's lines first). Small
        marks (``glyph.small``) join the line they sit in, or are left out.
    """
    if not glyphs or height <= 0:
        return []
    if slope is None:
        slope = estimate_skew(glyphs, height)
    # Heights measured across the lines: y minus the skew's rise at the glyph's x.
    lift = [slope * g.cx for g in glyphs]
    ys = [g.cy - d for g, d in zip(glyphs, lift)]
    big = [i for i, g in enumerate(glyphs) if not g.small]
    big.sort(key=lambda i: glyphs[i].box[1])
    feet = [g.box[2] - d for g, d in zip(glyphs, lift)]
    lines = []  # each: list of glyph indices
    tol = 0.55 * height
    for i in big:
        g = glyphs[i]
        best, best_dy = None, None
        for li, line in enumerate(lines):
            last = glyphs[line[-1]]
            # Follow the line's local height (what skew is left) from its last two letters:
            # their middles, or their feet (a letter written much larger than the last
            # ones stands on their line, its middle higher).
            ref = sum(ys[j] for j in line[-2:]) / len(line[-2:])
            foot = sum(feet[j] for j in line[-2:]) / len(line[-2:])
            dy = min(abs(ys[i] - ref), abs(feet[i] - foot))
            if dy < tol and g.box[1] > last.box[1] and (best_dy is None or dy < best_dy):
                best, best_dy = li, dy
        if best is None:
            lines.append([i])
        else:
            lines[best].append(i)
    lines = _attach_low(lines, glyphs, lift, height)
    lines = _merge_fragments(lines, glyphs, ys, height, feet)
    _attach_small(lines, glyphs, lift, height)
    lines.sort(key=lambda line: median([ys[i] for i in line]))
    lines = [sorted(line, key=lambda i: glyphs[i].box[1]) for line in lines]
    return in_columns(lines, glyphs, height, slope) if columns else lines


#: A gap at least this many letter heights wide, clear of letters from the top line
#: to the bottom one, may part two columns of writing (:func:`in_columns`) ...
GUTTER = 1.5
#: ... when each side holds at least this many lines of writing (two letters, or one
#: as tall as COLUMN_TALL), and this many letters a line on average (small marks not
#: counted): not a list's numbers, nor a table's quantities ...
COLUMN_LINES = 2
COLUMN_LETTERS = 3
#: ... whose letters are this many letter heights tall (median): no scraps of a
#: sheet's edge ...
COLUMN_TALL = 0.6
#: ... and the lines of the side with fewer do not line up with the other side's:
#: a line within this many letter heights of one beside it (its middle or its
#: feet) continues it, as a table's row does (unless the right side goes on below).
ROW_ALIGNED = 0.35
#: The first lines of a page (at most this many) may be a title over two columns.
TITLE_LINES = 2


def gutters(lines, glyphs, height, slope=0.0, least=GUTTER, most=3):
    """The widest gaps clear of letters all down the lines.

    Parameters
    ----------
    lines : list of list of int
        Indices into `glyphs`.
    glyphs : list of ocr.segment.Glyph
    height : float
        Typical letter height, in pixels.
    slope : float
        The lines' slope (dy/dx): x is measured along the lines, so that the gap
        between two columns of a turned photo leans with them.
    least : float
        Narrowest gap, in letter heights.
    most : int
        How many gaps at most.

    Returns
    -------
    gaps : list of (float, float)
        Each gap's middle (``x + slope * y``) and width, widest first.
    """
    spans = [_span(glyphs[i], slope) for line in lines for i in line if not glyphs[i].small]
    if len(spans) < 2:
        return []
    x0, x1 = np.array(spans).T
    order = np.argsort(x0)
    reach = np.maximum.accumulate(x1[order])  # the rightmost ink so far
    widths = x0[order][1:] - reach[:-1]
    wide = [k for k in np.argsort(-widths, kind="stable")[:most] if widths[k] >= least * height]
    return [(float(0.5 * (reach[k] + x0[order][k + 1])), float(widths[k])) for k in wide]


def in_columns(lines, glyphs, height, slope=0.0):
    """Read two columns of writing one after the other.

    Where a gap clear of letters runs down the lines (:func:`gutters`; or down all
    but the first :data:`TITLE_LINES` or fewer, a title over both columns that
    crosses the gap or narrows it to a word gap: such a gap counts if it is a letter
    height wider than one down more lines, twice as wide as any down all of them
    within it and as the gap where it runs between the letters of a line left out,
    and no line left out starts where the left column's lines start and goes on where
    the right column's start, :func:`_chained_across`: no two lines chained across
    it), the widest first, the glyphs on each side are
    grouped into lines on their own (columns within a column too). The left column's lines come first if
    each side holds :data:`COLUMN_LINES` lines of writing (two letters, or one
    letter-sized; on the right, beside the left side's lines, not above them all),
    :data:`COLUMN_LETTERS` letters a line on average (``glyph.small``
    marks not counted), letters :data:`COLUMN_TALL` letter heights tall, and those
    lines of the side with fewer do not line up with the other side's
    (:data:`ROW_ALIGNED`): two lists written side by side. Lines that line up across
    the gap stay whole, as rows of a table, unless the right side goes on for
    :data:`COLUMN_LINES` lines or more below the left one (:func:`_goes_on_below`:
    two lists on ruled paper). Lines above both columns (the title left
    out, the right column's lines above all of the left one's) are read first.

    Parameters
    ----------
    lines : list of list of int
        Indices into `glyphs`, as :func:`group_lines` makes them.
    glyphs : list of ocr.segment.Glyph
    height : float
    slope : float
        The lines' slope (dy/dx).

    Returns
    -------
    lines : list of list of int
        `lines`, or the lines above the columns, the left column's, then the right
        column's.
    """
    cuts = []  # (width, -lines left out, x)
    for k in range(min(TITLE_LINES, len(lines) - 2 * COLUMN_LINES) + 1):
        cuts += [(width, -k, cut) for cut, width in gutters(lines[k:], glyphs, height, slope)
                 if not any(abs(x - cut) < width / 2 and w > width / 2 for w, j, x in cuts if j == 0)
                 and not any(w >= width - height for w, _, _ in cuts)
                 and all(_gap_at(cut, line, glyphs, slope) < width / 2 for line in lines[:k])
                 and not _chained_across(lines[:k], cut, lines[k:], glyphs, height, slope)]
    for _, minus_k, cut in sorted(cuts, reverse=True):  # the widest first, then the fewest lines left out
        k = -minus_k
        title, rest = lines[:k], lines[k:]
        columns = _columns_at(cut, rest, glyphs, height, slope)
        if columns and (not title or max(_edge(line, glyphs, slope, 2) for line in title)
                        < min(_edge(line, glyphs, slope, 0) for line in columns)):
            return title + columns
    return lines


def _chained_across(title, cut, lines, glyphs, height, slope, least=GUTTER, aligned=1.0):
    """Is a line of `title` two lines chained across a gap at `cut` between columns of
    `lines`: it starts within `aligned` letter heights of where the left column's lines
    start and, after a gap of `least` letter heights or more, goes on within `aligned`
    of where the right column's lines start? (A title over both columns is centred
    over them.)"""
    if not title:
        return False
    starts = ([], [])
    for other in lines:
        xs = [_span(glyphs[i], slope)[0] for i in other if not glyphs[i].small]
        for side, part in enumerate(([x for x in xs if x < cut], [x for x in xs if x >= cut])):
            if part:
                starts[side].append(min(part))
    if not all(starts):
        return False
    left, right = median(starts[0]), median(starts[1])
    for line in title:
        spans = sorted(_span(glyphs[i], slope) for i in line if not glyphs[i].small)
        if len(spans) < 2 or abs(spans[0][0] - left) > aligned * height:
            continue
        reach = np.maximum.accumulate([x1 for _, x1 in spans])
        if any(spans[k + 1][0] - reach[k] >= least * height and abs(spans[k + 1][0] - right) <= aligned * height
               for k in range(len(spans) - 1)):
            return True
    return False


def _gap_at(x, line, glyphs, slope):
    """The width of the gap between the letters of a line (along it) at `x`, in
    pixels: 0 where a letter covers `x` or the line does not reach it."""
    big = [_span(glyphs[i], slope) for i in line if not glyphs[i].small]
    before = [x1 for x0, x1 in big if x0 < x]
    after = [x0 for x0, _ in big if x0 >= x]
    if not before or not after or max(before) >= x:
        return 0.0
    return min(after) - max(before)


def _span(g, slope):
    """Where glyph `g` starts and ends along lines of slope `slope` (x + slope * y)."""
    return g.box[1] + slope * g.cy, g.box[3] + slope * g.cy


def _edge(line, glyphs, slope, at):
    """The top (`at` 0) or foot (`at` 2) of a line of `glyphs`, along the skew."""
    return (min if at == 0 else max)(glyphs[i].box[at] - slope * glyphs[i].cx for i in line)


def _columns_at(cut, lines, glyphs, height, slope):
    """The right column's lines above all of the left one's, the left column's
    lines, then the rest of the right one's: the glyphs of `lines` cut at x `cut`
    (along the lines), if they are two columns (:func:`in_columns`), else None."""
    sides = [[i for line in lines for i in line if (glyphs[i].cx + slope * glyphs[i].cy < cut) == left]
             for left in (True, False)]
    left, right = [[[side[j] for j in line] for line in
                    group_lines([glyphs[i] for i in side], height, slope, columns=False)] for side in sides]
    if not left or not right:
        return None
    top = min(_edge(line, glyphs, slope, 0) for line in left)
    writing = []
    for side, column in enumerate((left, right)):
        letters = [[i for i in line if not glyphs[i].small] for line in column]
        # lines of writing: two letters, or one letter-sized (not a speck beside the
        # writing), on the right beside the left column's lines (a scrap of a hard
        # shadow's edge above them all, over a long line's last word, made that word
        # a column)
        written = [line for line, big in zip(column, letters)
                   if len(big) >= 2 or (big and glyphs[big[0]].height >= COLUMN_TALL * height
                                        and (side == 0 or glyphs[big[0]].cy - slope * glyphs[big[0]].cx >= top))]
        if len(written) < COLUMN_LINES or np.mean([len(big) for big in letters]) < COLUMN_LETTERS:
            return None
        if median([glyphs[i].height for big in letters for i in big]) < COLUMN_TALL * height:
            return None  # scraps along the sheet's edge
        writing.append(written)
    if _rows_line_up(writing, glyphs, height, slope) and not _goes_on_below(*writing, glyphs, slope):
        return None
    # A column may hold columns of its own, looked for once this cut is taken: looked for
    # on each side of every cut tried, a net of squares' thousands of scraps, with a gap
    # at every square, were cut and cut again for hours.
    left, right = in_columns(left, glyphs, height, slope), in_columns(right, glyphs, height, slope)
    over = next((k for k, line in enumerate(right) if _edge(line, glyphs, slope, 2) >= top), len(right))
    return right[:over] + left + right[over:]


def _goes_on_below(left, right, glyphs, slope, least=COLUMN_LINES):
    """Does the right column go on for `least` lines or more below the left one's last
    line? A table's rows each start with a cell on the left; two lists side by side on
    ruled paper line up until the shorter one ends."""
    foot = max(_edge(line, glyphs, slope, 2) for line in left)
    return sum(_edge(line, glyphs, slope, 0) > foot for line in right) >= least


def _rows_line_up(columns, glyphs, height, slope, most=ROW_ALIGNED, near=3):
    """Does each line of the column with fewer stand beside a line of the other: its
    middle or its feet within `most` letter heights, over the whole lines or over the
    `near` letters of each next to the gap (a row whose line drifts down the page
    as it goes: a line's words beyond a wide word gap)? `columns` are the left
    column's lines and the right one's."""
    def levels(line, side):  # middle and feet, whole and next to the gap
        big = sorted([i for i in line if not glyphs[i].small] or line, key=lambda i: glyphs[i].cx)
        inner = big[-near:] if side == 0 else big[:near]
        return [median([(glyphs[i].box[2] if foot else glyphs[i].cy) - slope * glyphs[i].cx for i in part])
                for part in (big, inner) for foot in (False, True)]

    sides = [[levels(line, side) for line in column] for side, column in enumerate(columns)]
    fewer, more = sorted(sides, key=len)
    return all(any(any(abs(p - q) < most * height for p, q in zip(a, b)) for b in more) for a in fewer)


def _merge_fragments(lines, glyphs, ys, height, feet):
    """Join pieces of one line that chaining left apart (side by side, at the same height).

    Two pieces join when their median heights agree, or the median heights of their
    letters' feet (`feet`, the glyphs' bottoms measured like `ys`: a list number
    written small left of a large letter), or when the left piece's end stands
    where the right piece's start, followed back along its own slope, arrives
    (:func:`_meets`): a curved line, or a list number written a little low, far
    left of its text.
    """
    merged = True
    while merged:
        merged = False
        # each line's height and horizontal extent
        stats = [(median([ys[i] for i in line]), min(glyphs[i].box[1] for i in line),
                  max(glyphs[i].box[3] for i in line),
                  median([feet[i] for i in line])) for line in lines]
        for a in range(len(lines)):
            for b in range(a + 1, len(lines)):
                la, lb = lines[a], lines[b]
                (ya, xa0, xa1, fa), (yb, xb0, xb1, fb) = stats[a], stats[b]
                overlap = min(xa1, xb1) - max(xa0, xb0)
                if overlap >= 0.3 * height:
                    continue
                left, right = (la, lb) if xa0 <= xb0 else (lb, la)
                if (abs(ya - yb) < 0.4 * height or abs(fa - fb) < 0.4 * height
                        or _meets(left, right, glyphs, ys, height)):
                    lines[a] = la + lb
                    del lines[b]
                    merged = True
                    break
            if merged:
                break
    return lines


def _meets(left, right, glyphs, ys, height, k=3, max_slope=0.2):
    """Does the end of line piece `left` stand where `right`'s first `k` letters,
    followed back along their slope, arrive?"""
    end = max(left, key=lambda i: glyphs[i].box[3])
    start = sorted(right, key=lambda i: glyphs[i].box[1])[:k]
    x = np.array([glyphs[i].cx for i in start])
    y = np.array([ys[i] for i in start])
    slope = 0.0
    if len(start) >= 2 and np.ptp(x) > 0:
        slope = float(np.clip(np.polyfit(x, y, 1)[0], -max_slope, max_slope))
    # the right piece's first letter's height, carried back to the left piece's end
    # (at most a letter height up or down: a slope from three letters is rough)
    rise = np.clip(slope * (glyphs[end].cx - x[0]), -height, height)
    expected = y[0] + rise
    return abs(ys[end] - expected) < 0.4 * height


#: A glyph shorter than this many letter heights, standing at a line's foot, may be
#: its punctuation rather than a line of its own (:func:`_attach_low`).
LOW_MARK = 0.8


def _attach_low(lines, glyphs, lift, height, short=LOW_MARK, near=4):
    """Give each short glyph that stands alone at the foot of a line to that line.

    A comma written large (a slanted stroke from the baseline down, a third to a
    half of a letter tall) has its centre under the line's letters, often far
    enough under them to start a line of its own, which then reads as ``I I``. A
    glyph under `short` letter heights with no letter of its own line within 1.5
    letter heights beside it, and no other short glyph within one (small letters
    written just under a line), joins the line whose letters it stands at the
    foot of, just after a word: its head (the ink of its top rows) right of where
    a letter of that line ends at its foot, and within 0.75 letter heights of that
    letter's box (an italic letter's top may overhang the comma); its top below
    the middle of the `near` letters nearest it and at most a quarter of a letter
    height under their baseline. (A list number written small and low, under the
    first letter of the line above, has no letter on its left there.)
    """
    is_short = [g.height < short * height for g in glyphs]
    tall = [[j for j in line if not is_short[j]] for line in lines]

    ends = {}  # where each letter ends at its foot, measured once

    def end(k):
        if k not in ends:
            ends[k] = _ink_x(glyphs[k], top=False)
        return ends[k]

    def foot(j, li, head):  # does glyph j, its head at x `head`, end a word of line li?
        g = glyphs[j]
        before = [k for k in tall[li] if end(k) <= head]
        if not before:
            return None
        last = max(before, key=end)
        if head - glyphs[last].box[3] > 0.75 * height:  # (a P's foot is its stem)
            return None
        t = sorted(tall[li], key=lambda k: abs(glyphs[k].cx - g.cx))[:near]
        top = median([glyphs[k].box[0] - lift[k] for k in t])
        base = median([glyphs[k].box[2] - lift[k] for k in t])
        y = g.box[0] - lift[j]
        return abs(y - base) if 0.5 * (top + base) <= y <= base + 0.25 * height else None

    moved = {}
    for li, line in enumerate(lines):
        for j in line:
            if not is_short[j]:
                continue
            # among letters of its own line (a letter written small, a line pressed
            # close under another), or among other short glyphs (small letters): it stays
            if any(k != j and abs(glyphs[k].cx - glyphs[j].cx) < (height if is_short[k] else 1.5 * height)
                   for k in line):
                continue
            head = _ink_x(glyphs[j], top=True)  # where its top is: at the baseline, after the word
            found = [(d, hi) for hi in range(len(lines)) if hi != li for d in [foot(j, hi, head)] if d is not None]
            if found:
                moved[j] = min(found)[1]
    if not moved:
        return lines
    out = [[j for j in line if j not in moved] for line in lines]
    for j, hi in moved.items():
        out[hi].append(j)
    return [line for line in out if line]


def _ink_x(g, top, share=0.25):
    """The mean x of `g`'s ink in its top (or bottom) `share` of rows: where a
    comma's head is, or where a letter ends at its foot, in an italic hand too."""
    h = g.mask.shape[0]
    k = max(1, int(round(share * h)))
    rows = g.mask[:k] if top else g.mask[h - k:]
    cols = np.flatnonzero(rows.any(axis=0))
    if not len(cols):
        return g.cx
    return g.box[1] + (float(cols.mean()) if top else float(cols.max()))


def _attach_small(lines, glyphs, lift, height):
    """Give each small mark to the line whose letters it sits among or just under
    (heights taken along the skew: `lift` is each glyph's rise)."""
    def extent(j):  # top, bottom (along the skew), left, right
        return glyphs[j].box[0] - lift[j], glyphs[j].box[2] - lift[j], glyphs[j].box[1], glyphs[j].box[3]

    def union(a, b):
        return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])

    extents = []  # each line's, grown with the marks given to it
    for line in lines:
        e = extent(line[0])
        for j in line[1:]:
            e = union(e, extent(j))
        extents.append(e)
    for i, g in enumerate(glyphs):
        if not g.small:
            continue
        best, best_d = None, None
        y = g.cy - lift[i]
        for li, (top, bottom, x0, x1) in enumerate(extents):
            if not (top - 0.1 * height <= y <= bottom + 0.4 * height):
                continue
            if not (x0 - 2 * height <= g.cx <= x1 + 2 * height):
                continue
            d = abs(y - 0.5 * (top + bottom))
            if best_d is None or d < best_d:
                best, best_d = li, d
        if best is not None:
            lines[best].append(i)
            extents[best] = union(extents[best], extent(i))


def gaps(line, glyphs, height=None):
    """Horizontal gaps between consecutive glyphs of a line (pixels, may be negative).

    With `height`, a narrow letter (``1``, ``I``) counts as if it were as wide as
    an ordinary letter, centred on its stroke: writers space letters by their
    cells, not by their ink. Punctuation (a small glyph) is measured by its ink.
    """
    out = []
    for a, b in zip(line[:-1], line[1:]):
        ga, gb = glyphs[a], glyphs[b]
        gap = gb.box[1] - ga.box[3]
        if height:
            cell = 0.5 * height
            gap -= sum(max(0.0, 0.5 * (cell - g.width)) for g in (ga, gb) if not g.small)
        out.append(gap)
    return np.array(out, dtype=float)


def word_gap_threshold(all_gaps, height, stroke=0.0):
    """Smallest gap that separates words on this page.

    Parameters
    ----------
    all_gaps : (M,) ndarray
        Gaps between consecutive letters over all lines of the page, in pixels
        (from :func:`gaps` with the height given).
    height : float
        Typical letter height, in pixels.
    stroke : float
        Typical stroke width, in pixels (:func:`ocr.segment.stroke_width`).

    Returns
    -------
    threshold : float
        In pixels. At most 0.95 letter heights; less when the page's gaps fall
        clearly into two groups (:func:`two_groups`), letter gaps and narrower
        word gaps than that, and then halfway between the groups' means (but at
        least 0.4 letter heights). Gaps are measured between the edges of the
        ink, so a pen wider than :data:`PEN` letter heights (a marker) narrows
        them: the 0.95 letter heights are lowered by the extra width. Always at
        least 1.8 times the page's usual letter spacing (its 40th percentile
        gap), so widely spaced handwriting is not cut into single letters.
    """
    g = np.asarray(all_gaps, float)
    spacing = float(percentile(g, 40)) if g.size >= 3 else 0.0
    threshold = 0.95 * height - max(0.0, stroke - PEN * height)
    groups = two_groups(g)
    if groups is not None:
        letters, words = groups
        threshold = min(threshold, max(0.5 * (letters + words), 0.4 * height))
    return max(threshold, 1.8 * spacing)


def two_groups(values, min_separation=0.8, min_ratio=2.5):
    """The means of the two groups a set of gaps falls into, if it clearly does.

    The values are cut in two where the groups' means are furthest apart for
    their sizes (Otsu's criterion, the between-group variance), with at least
    two values above the cut; the cut counts when that variance is at least `min_separation` of the whole variance (0.64
    for one bell-shaped group) and the upper mean at least `min_ratio` times
    the lower one.

    Parameters
    ----------
    values : (M,) ndarray

    Returns
    -------
    means : tuple of float, or None
        ``(lower mean, upper mean)``; None for fewer than 6 values or no clear cut.
    """
    v = np.sort(np.asarray(values, float))
    n = v.size
    if n < 6 or v[-1] - v[0] <= 0:
        return None
    k = np.arange(1, n)  # the lower group is v[:k]
    low = np.cumsum(v)[:-1] / k
    high = (v.sum() - low * k) / (n - k)
    between = k * (n - k) / n**2 * (high - low) ** 2
    between[-1] = 0.0  # a single value above the rest is an odd gap, not a group
    best = int(np.argmax(between))
    if between[best] < min_separation * v.var():
        return None
    m0, m1 = float(low[best]), float(high[best])
    if m1 < min_ratio * max(m0, 0.0) or m1 <= 0:
        return None
    return m0, m1


def line_height(line, glyphs, height, band=1.33):
    """The letter height to judge a line's gaps by: the page's, unless the line's
    own letters are more than `band` times larger or smaller (a title, a footnote).

    Parameters
    ----------
    line : list of int
        Glyph indices.
    glyphs : list of ocr.segment.Glyph
    height : float
        The page's typical letter height, in pixels.

    Returns
    -------
    height : float
    """
    own = [glyphs[i].height for i in line if not glyphs[i].small]
    if not own:
        return height
    h = float(median(own))
    return h if not (height / band <= h <= height * band) else height


def split_words(line, glyphs, threshold, height, floating=()):
    """Cut a line (glyph indices, left to right) into words at gaps above `threshold`.

    A small mark (punctuation) after such a gap starts a word only when it is
    closer to the glyph after it (an opening dash, a letter's detached bar);
    otherwise it ends the word before it (a full stop written a little apart).
    The gap after a word's full stop or comma (a mark below the middle of the
    letter before it) is measured from that letter, as the page's letter gaps
    are: the mark takes nothing off the word gap. Other marks standing apart in
    a gap (more than a quarter of `threshold` from the letters on both sides: a
    ``+``, a tick between words) take their width off it, unless they are among
    `floating` (indices of marks that may be letters written small, to be read
    as part of the word).
    """
    if not line:
        return []
    between = list(gaps(line, glyphs, height)) + [np.inf]
    words = [[line[0]]]
    last = None if glyphs[line[0]].small else line[0]  # the last letter so far
    for k, i in enumerate(line[1:]):
        gap = between[k]
        g = glyphs[i]
        if not g.small and last is not None and glyphs[line[k]].small and last in words[-1]:
            full = gaps([last, i], glyphs, height)[0]
            marks = words[-1][words[-1].index(last) + 1:]
            if _low_after(glyphs, last, words[-1]):  # a full stop or comma takes nothing off the word gap
                gap = max(gap, full)
            elif not any(j in floating for j in marks) and min(gaps([last] + marks + [i], glyphs, height)) > 0.25 * threshold:
                gap = max(gap, full - sum(glyphs[j].width for j in marks))  # a mark apart takes its width
        if gap > threshold and (not g.small or between[k + 1] < gap):
            words.append([i])
        else:
            words[-1].append(i)
        if not g.small:
            last = i
    return words


def _low_after(glyphs, letter, word):
    """Are the marks after `letter` at the end of `word` all below its middle (a full
    stop, a comma)?"""
    marks = word[word.index(letter) + 1:] if letter in word else []
    return bool(marks) and all(glyphs[j].box[0] >= glyphs[letter].cy for j in marks)


def mark_kind(mark, letters, height):
    """What a small mark is, from its shape and its place in the line.

    Parameters
    ----------
    mark : ocr.segment.Glyph
        A glyph too small to be a letter.
    letters : list of ocr.segment.Glyph
        The letters of its line.
    height : float
        Typical letter height.

    Returns
    -------
    kind : str
        ``"."`` (a dot on the baseline), ``","`` (a dot with a tail below the
        baseline), ``"-"`` (a short dash at mid height), ``"'"`` (high up), or
        ``""`` (noise).
    """
    if not letters:
        return ""
    top = float(median([g.box[0] for g in letters]))
    base = float(median([g.box[2] for g in letters]))
    span = max(base - top, 1.0)
    y0, x0, y1, x1 = mark.box
    h, w = y1 - y0, x1 - x0
    if y1 <= top + 0.45 * span:
        return "'"
    if y0 >= top + 0.55 * span:
        if y1 > base + 0.2 * height and h > 1.6 * w:
            return ","
        return "." if h <= 2.0 * w and w <= 2.0 * h else ""
    if w >= 2.0 * h and top + 0.25 * span <= 0.5 * (y0 + y1) <= base - 0.2 * span:
        return "-"
    return ""


def find_marks(glyphs, lines, height, return_floating=False):
    """Letter-sized glyphs that are punctuation, not letters or digits.

    The classifier knows only ``A-Z0-9``, so a ``!`` or ``?`` would come out as
    ``I`` or ``7``, a ``+`` as ``T``, a bracket as ``I``, a tick as ``V``. Capitals
    and digits fill the line from its top to its baseline; these do not:

    * ``!`` and ``?``: a stroke ending clearly above the baseline (15 % of the
      letters' height) with a dot (a small mark) under it, apart, on the baseline;
    * ``+`` and ``~``: ink floating between the top and the baseline of the
      letters beside it (its top 20 % of their height below theirs, its bottom
      10 % above their baseline, and under two thirds of their height), two
      strokes crossing in its middle (:func:`_is_plus`) or twice as wide as tall
      (a ``*`` is read as a letter); other floating ink is a letter written
      small or a scrap, for the classifier to tell (`return_floating`);
    * ``,`` and ``.`` written large: ink all below the middle of the letters beside
      it, reaching down to their baseline or under it, no wider than tall (a
      letter's foot is a flat bar), just after a letter (within 0.75 letter
      heights, below its middle), beside it rather than under it, and a quarter
      of a letter height or more before the next (a piece broken off a letter);
    * ``(`` and ``)``: one thin stroke, narrow and as tall as the letters, bowed
      (its middle a tenth of their height aside from its two ends, which stand
      one above the other);
    * a tick (check mark) first or last in its line: a short arm down to a point
      left of the middle, a long straight one leaning up to the right;
    * a bullet starting its line (a ``*``, an arrow, a ring): ink under two thirds
      of the letters' height that ends clearly above their baseline (15 % of their
      height), however close to their top, and stands a quarter of their height or
      more before the next (not a piece broken off a letter); not a letter written
      small, though it floats.

    Tops and baselines are those of the letters beside the glyph (for a comma,
    carried to it along the page's skew, :func:`estimate_skew`). A ``/`` is not
    told from a ``1``: a third of EMNIST's straight ``1`` strokes lean more than
    a slash might (27 degrees).

    Parameters
    ----------
    glyphs : list of ocr.segment.Glyph
    lines : list of list of int
        :func:`group_lines` of `glyphs`.
    height : float
        Typical letter height, in pixels.
    return_floating : bool
        Also return the glyphs that float like a ``+`` without its shape.

    Returns
    -------
    marks : set of int
        Indices of the glyphs (none of them ``small``) that are punctuation.
    floating : set of int
        Only with `return_floating`: indices of the other floating glyphs.
    """
    marks, floating = set(), set()
    skew = []  # the page's skew, measured once and only if a comma is in question

    def slope():
        if not skew:
            skew.append(estimate_skew(glyphs, height))
        return skew[0]

    for line in lines:
        big = [i for i in line if not glyphs[i].small]
        dots = [glyphs[i] for i in line if glyphs[i].small and _dot_like(glyphs[i], height)]
        for k, i in enumerate(big):
            g = glyphs[i]
            near = [glyphs[j] for j in big[max(0, k - 3):k] + big[k + 1:k + 4]]
            if len(near) < 2:
                continue
            top = float(median([n.box[0] for n in near]))
            base = float(median([n.box[2] for n in near]))
            span = base - top
            if span < 0.5 * height:
                continue
            y0, _, y1, _ = g.box
            if y1 < base - 0.15 * span and any(_dot_under(g, d, base, span) for d in dots):
                marks.add(i)  # ! or ?
            elif (k == 0 and y1 < base - 0.15 * span and y1 - y0 < 0.65 * span
                  and glyphs[big[1]].box[1] - g.box[3] >= 0.25 * span):
                marks.add(i)  # a bullet starting its line (a star, an arrow, a ring)
            elif y0 > top + 0.2 * span and y1 < base - 0.1 * span and y1 - y0 < 0.65 * span:
                if g.width >= 2 * g.height or _is_plus(g.mask):
                    marks.add(i)  # + or ~
                else:
                    floating.add(i)  # a letter written small, or a scrap
            elif (k and g.width <= 1.2 * g.height and _comma_sized(g, height)
                  and _ends_word(g, glyphs[big[k - 1]], [glyphs[j] for j in big[k + 1:k + 2]], height)
                  and _apart(g, [glyphs[j] for j in big[k - 1:k] + big[k + 1:k + 2]])
                  and _below_middle(g, near, slope())):
                marks.add(i)  # , or . written large: all below the letters' middle
            elif _is_bracket(g.mask, span):
                marks.add(i)
            elif (k == 0 or k == len(big) - 1) and _is_tick(g.mask, span):
                marks.add(i)
    return (marks, floating) if return_floating else marks


def _comma_sized(g, height, thin=0.75, dot=0.5):
    """Is `g` the size of a comma or a full stop written large: a stroke at most `thin`
    times as wide as tall (a short comma's blob and slant make it 0.65), or a blob at
    most `dot` letter heights across (not a letter written small beside large ones, as
    wide as tall and 0.6 letter heights)?"""
    return g.width <= thin * g.height or max(g.width, g.height) <= dot * height


def _below_middle(g, near, slope):
    """Does `g` stand below the middle of the letters `near` it and reach down to
    their baseline or under it (their top and baseline carried to it along the
    page's `slope`)?"""
    top = float(median([n.box[0] - slope * (n.cx - g.cx) for n in near]))
    base = float(median([n.box[2] - slope * (n.cx - g.cx) for n in near]))
    span = base - top
    return g.box[0] > top + 0.5 * span and base - 0.2 * span < g.box[2] < base + 0.8 * span


def _ends_word(g, letter, after, height, most=0.75, gap=0.25):
    """Does `g` stand where a word's comma or full stop does after `letter`: within
    `most` letter heights of it, its top below the letter's middle, and the glyph
    `after` it (if any) at least `gap` letter heights further on (the next word,
    not a letter's other leg)?"""
    return (g.box[1] - letter.box[3] <= most * height and g.box[0] >= letter.cy
            and all(n.box[1] - g.box[3] >= gap * height for n in after))


def _apart(g, neighbours, most=0.3):
    """Does `g` stand beside its `neighbours`, overlapping none of them across by
    more than `most` of its width (unlike a piece broken off a letter, under it)?"""
    y0, x0, y1, x1 = g.box
    return all(min(x1, n.box[3]) - max(x0, n.box[1]) <= most * g.width for n in neighbours)


def _dot_under(g, dot, base, span):
    """Is `dot` the dot of a ``!`` or ``?`` whose stroke is `g`: under the stroke's end
    (its lowest tenth), apart from it, and on the baseline `base` of letters `span`
    tall? Both marks are taller than wide (a ``T`` written high is not, whatever speck
    of dust lies under it)."""
    y0, x0, y1, x1 = g.box
    if g.width > g.height:
        return False
    foot = g.mask[-max(1, round(0.1 * g.height)):].any(axis=0)
    end = x0 + float(np.flatnonzero(foot).mean())
    return (abs(dot.cx - end) <= 0.15 * span and y1 + 0.04 * span <= dot.box[0] <= y1 + 0.5 * span
            and base - 0.15 * span <= dot.box[2] <= base + 0.3 * span)


def _dot_like(g, height):
    """A small mark compact enough for the dot of a ``!`` or ``?``."""
    return g.height <= 0.35 * height and g.width <= 0.35 * height and g.height <= 2 * g.width and g.width <= 2 * g.height


def _is_bracket(mask, span):
    """Is this ink a bracket: one thin stroke, at least 85 % as tall as the letters
    (`span`) and at most a third as wide, whose middle bows at least a tenth of
    `span` aside from its two ends, the ends standing one above the other (unlike
    a ``J``'s)?"""
    h, w = mask.shape
    if h < 0.85 * span or not 0.1 * span <= w <= 0.33 * span:
        return False
    rows = mask.any(axis=1)
    if np.count_nonzero(rows) < 0.9 * h:
        return False  # not one stroke from top to bottom
    first = np.where(rows, mask.argmax(axis=1), 0)
    last = np.where(rows, w - 1 - mask[:, ::-1].argmax(axis=1), 0)
    centre, run = 0.5 * (first + last), (last - first + 1)
    k = max(1, h // 10)
    inner = slice(int(0.15 * h), int(0.85 * h) + 1)
    if np.percentile(run[inner][rows[inner]], 90) > 0.5 * w:
        return False  # arms or a closed shape, not one bowed stroke
    top, bottom = centre[:k][rows[:k]], centre[-k:][rows[-k:]]
    if not len(top) or not len(bottom):
        return False
    top, bottom = float(top.mean()), float(bottom.mean())
    mid = float(centre[int(0.4 * h):int(0.6 * h) + 1].mean())
    return abs(top - bottom) < 0.12 * span and abs(mid - 0.5 * (top + bottom)) >= 0.1 * span


def _is_plus(mask, cover=0.8, arm=0.2):
    """Is this ink a ``+``: two strokes crossing in the middle of the box (their
    crossing within its middle 40 %), each reaching out on both sides of the
    other by at least `arm` of the box, and together holding at least `cover` of
    the ink (unlike a small ``T``, ``H``, ``7`` or ``M``, whose strokes end at the
    crossing, stand at the box's side or go elsewhere; a ``4`` whose bar reaches
    past its stem may pass for one)?"""
    h, w = mask.shape
    if w < 0.5 * h or h < 0.5 * w:
        return False
    ink = np.count_nonzero(mask)
    # half a pen width (the ink's area over the two strokes' length) and room to lean
    r = max(1, int(round(0.5 * ink / (h + w) + 0.06 * max(h, w))))
    window = np.ones(2 * r + 1)
    rows = np.convolve(mask.sum(axis=1), window, "same")
    cols = np.convolve(mask.sum(axis=0), window, "same")
    y = int(0.3 * h) + int(np.argmax(rows[int(0.3 * h):int(0.7 * h) + 1]))
    x = int(0.3 * w) + int(np.argmax(cols[int(0.3 * w):int(0.7 * w) + 1]))
    along = mask[max(0, y - r):y + r + 1]
    down = mask[:, max(0, x - r):x + r + 1]
    held = np.count_nonzero(along) + np.count_nonzero(down) - np.count_nonzero(along[:, max(0, x - r):x + r + 1])
    if held < cover * ink:
        return False
    xs = np.flatnonzero(along.any(axis=0))
    ys = np.flatnonzero(down.any(axis=1))
    if not len(xs) or not len(ys):  # no stroke across (or down) the middle
        return False
    return min(x - r - xs[0], xs[-1] - x - r) >= arm * w and min(y - r - ys[0], ys[-1] - y - r) >= arm * h


def _is_tick(mask, span):
    """Is this ink a tick: its lowest point in the left part of its box, the ink
    left of that point ending well below the top (a short arm, at least a third
    of the height lower, at least a fifth of it tall), and the ink right of it
    rising to the top along one straight line leaning right by 0.3 or more
    (unlike a ``V``'s two arms of one height, a ``J``'s upright stem, the
    several strokes of a ``K``, or a ``1`` slanted with no arm at all)?"""
    h, w = mask.shape
    if h < 0.6 * span or w < 0.4 * h:
        return False
    ys, xs = np.nonzero(mask)
    bottom = ys >= h - max(2, int(0.1 * h))
    xv = float(xs[bottom].mean())
    if xv > 0.45 * w:
        return False
    left, right = xs < xv - 0.1 * w, xs > xv + 0.1 * w
    if not right.any() or not left.any():
        return False
    top_right, top_left = ys[right].min(), ys[left].min()
    if top_right > 0.15 * h or top_left - top_right < 0.35 * h or top_left > 0.8 * h:
        return False
    xr = float(xs[right & (ys <= top_right + 0.1 * h)].mean())
    if xr - xv < 0.3 * (h - top_right):
        return False
    # half-way up, the long arm is half-way across: a straight arm, not a J's stem
    mid = right & (np.abs(ys - 0.5 * (top_right + h)) <= 0.08 * h)
    if not mid.any() or float(xs[mid].mean()) >= xr - 0.25 * (xr - xv):
        return False
    return _straight(ys[right], xs[right], 0.03) and _straight(ys[left], xs[left], 0.15)


def _straight(ys, xs, most):
    """Do these ink pixels lie along one line: their spread across it at most
    `most` of their spread along it (variances)?"""
    if len(ys) < 3:
        return True
    evals = np.linalg.eigvalsh(np.cov(np.stack([ys - ys.mean(), xs - xs.mean()])))
    return bool(evals[0] <= most * evals[1])
