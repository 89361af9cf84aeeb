"""The whole pipeline: image in, :class:`ocr.page.Page` out.

load -> binarize -> segment -> layout -> normalize -> classify -> page.
Each stage is a pure function of the previous stage's arrays; this module only
strings them together, choosing the working scale first (letters about 40 pixels
tall), and adds what needs the classifier: re-reading words whose glyphs may be
touching or broken letters (:func:`ocr.segment.segment_word`), and choosing
between look-alikes (``O``/``0``, ``I``/``1``) from the other characters of the
word, from a lone character's place as a word, and from a list number's dot.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from . import CLASSES, kernels
from .binarize import (MIN_CONTRAST, faint_writing, fill_outside_sheet, find_dot_grid, find_sheet, has_sharp_light_step,
                       hysteresis, ink_darkness, light_strokes, light_trails, lines_under_the_noise,
                       paper_overestimate, remove_frame_bars, remove_page_lines, remove_rules, remove_slanted_rules,
                       rings, sheet_box, strokes_across_lines, threshold_levels, tighten, weak_writing_levels,
                       without_dots, without_rule_remnants)
from .kernels import median
from .layout import estimate_skew, find_marks, gaps, group_lines, line_height, mark_kind, split_words, word_gap_threshold
from .load import DEFAULT_MAX_PIXELS, WORK_PIXELS, Loaded, as_float, downscale, load_image
from .normalize import normalize_many, slant, thinned
from .page import Char, Line, Page, Word
from .segment import (Lattice, components, components_of, enclosures, join_broken_strokes, letter_height,
                      may_hold_several, one_character, segment, shear_glyph, split_stacked, stroke_width, title_letters,
                      word_lattice)

_IS_DIGIT = np.array([c.isdigit() for c in CLASSES])
#: A character standing alone as a word is a number ("2 EGGS") or one of the
#: one-letter words A and I far more often than any other letter.
_LONE = np.array([1.0 if c.isdigit() or c in "AI" else 0.5 for c in CLASSES])
#: ... but ending a line of words, I is no likelier than any other letter: the
#: pronoun is followed by its verb, while a line ends with a number (ROOM 1, BOX 1).
_LONE_END = np.where(np.array([c == "I" for c in CLASSES]), 0.5, _LONE)

#: Letters are worked on at about this height (pixels): enough for the 32x32
#: classifier input, and photos of any resolution cost about the same.
TARGET_HEIGHT = 40

#: Letters shorter than :data:`TARGET_HEIGHT` are enlarged to this share of it
#: (:func:`working_image`): small letters thresholded at 48 pixels keep strokes that at
#: 28-40 ran into each other or broke (EMNIST pages written 28 pixels tall: 7.5 % of
#: characters wrong as they were, 5.9 % enlarged to 40, 4.1 % to 48). :func:`read`
#: reads such a page also as it was (:data:`TOO_SMALL`) and keeps the reading the
#: classifier is surer of on average.
ENLARGE_TO = 1.2
#: Without that (``enlarge=False``), only letters shorter than this share of the
#: target are enlarged, and to the target.
TOO_SMALL = 0.7
#: Dots of dotted paper are at most this share of the working letter height across.
DOT_SIDE = 0.3
#: Blocks (pixels, at the working scale) on which a veil of light over the writing is
#: judged (:func:`ocr.binarize.veil_gain`): about a letter's height.
VEIL_BLOCK = 32
#: Handwriting leaning more than this (dx/dy, about 8 degrees) is sheared upright
#: before classification (:func:`page_slant`).
SLANT_ABOVE = 0.15
#: Glyphs read with less confidence than this are read again (:func:`reread`) ...
REREAD_BELOW = 0.8
#: ... thinned, and drawn this long as well as the usual 24 pixels (thinned or not).
REREAD_BOXES = (22, 26)
#: A line of one glyph read with less confidence than this is a stray mark (:func:`classify`),
#: unless it starts where a line of writing beside it starts (:func:`_in_the_list`).
STRAY_MARK_CONF = 0.5
#: A piece cut out of a glyph lower than this many letter heights is a mark as a glyph
#: of its own is (``small``): a letter only if read surely (:func:`_cut_mark`).
MARK_HEIGHT = 0.3
#: A one-glyph word ending a line, touching the desk painted over (the sheet's
#: edge, a stripe of the cloth beside it), is a mark when read with less confidence
#: than this (:func:`at_sheet_edge`, :func:`classify`).
EDGE_MARK_CONF = 0.7
#: ... unless it is the size of a letter: as tall as the letters by these shares, and as
#: wide as these shares of their height. (A letter the painting cut into at the sheet's
#: edge is read unsure too; the marks are bars, scraps or larger patches of the desk.)
EDGE_LETTER_HEIGHT = (0.8, 1.3)
EDGE_LETTER_WIDTH = (0.5, 1.6)
#: A line's last word of glyphs all read with less confidence than STRAY_MARK_CONF, this
#: many letter heights or more after the word before it, is a stray (:func:`without_stray_words`).
STRAY_WORD_GAP = 3.0
#: ... and one of one glyph shorter than a letter read under this, however near.
SCRAP_CONF = 0.3
#: A line of this many characters or more that the classifier is on average less sure
#: of than GARBAGE_CONF is no writing (:func:`_garbage_line`).
GARBAGE_CHARS = 2
GARBAGE_CONF = 0.45
#: ... and once the page's reading is chosen, one of this many characters or more that
#: it is less sure of than even odds (:func:`without_unsure_lines`).
UNSURE_LINE_CHARS = 4
UNSURE_LINE_CONF = 0.5


@dataclass
class Analysis:
    """Everything the image stages found, before classification (working pixels)."""

    glyphs: list
    height: float
    lines: list  # list of lines, each a list of words, each a list of glyph indices
    shear: float = 0.0  # the writing's italic lean, when it is sheared upright (page_slant)
    edge: frozenset = frozenset()  # glyphs touching the desk painted over (at_sheet_edge)
    floating: frozenset = frozenset()  # glyphs floating mid-line like a + but not one (find_marks)
    smaller: float = 0.0  # the letter height of a smaller writing shrunk to specks (smaller_writing)
    smaller_box: tuple = None  # ... and its (y0, x0, y1, x1)


@dataclass
class Prepared:
    """A page through the image stages, ready to classify (:func:`prepare`)."""

    analysis: Analysis
    scale: float  # working pixels per original pixel
    size: tuple  # (width, height) of the original image
    name: str
    loaded: object = field(default=None, repr=False)  # the Loaded page, to read it turned
    tilt: float = 0.0  # degrees the working image was turned to level its lines (level_image)
    work_shape: tuple = None  # the working image's shape before it was levelled, and after
    level_shape: tuple = None
    offset: tuple = (0.0, 0.0)  # (y, x) of the working image's corner in the original image (a sheet cut out)
    doubtful_sheet: bool = False  # the sheet was found only as enclosed by the ground: read the photo whole too
    coarse: object = field(default=None, repr=False)  # the page at its large writing's scale (Prepared)
    detail: object = field(default=None, repr=False)  # a part of it around smaller writing, at that one's (Prepared)
    rescaled: object = field(default=None, repr=False)  # the page at the scale of the letters it found (Prepared)
    enlarged: bool = False  # its letters were enlarged past TARGET_HEIGHT (working_image's `enlarge`)


def estimate_letter_height(grey, small=None):
    """Quick estimate of the typical letter height (pixels) on a 4x smaller copy.

    Parameters
    ----------
    grey : (H, W) uint8 or float32 ndarray
        See :func:`ocr.load.as_float`.
    small : ndarray, optional
        ``quarter(grey)``, when already made.

    Returns
    -------
    height : float
        0 when no letters are found.

    Notes
    -----
    On a page with a sharp edge of light (:func:`ocr.binarize.has_sharp_light_step`)
    the ink is found twice: under the smooth paper estimate, and under one that
    follows a shadow's sharp edge (a closing 7 pixels wide, as wide as the letters
    of a page are tall at this size). Each can fail by merging letters into a giant
    piece of "ink" (the band along a hard shadow's edge for the first, the printed
    net of squared paper for the second), never by shrinking them, so the smaller
    of the two heights found is taken. Page lines are divided out of the darkness
    as on the full page (:func:`ocr.binarize.remove_page_lines` with the levels):
    removed by shape alone, they cut pencil lighter than a net into pieces a square
    high, and the page was read at twice its scale. The paper's level is first taken
    without following a shadow's ramp to its foot (``feet=False``,
    :func:`ocr.binarize.paper_left`): a rough height needs no faint strokes there, and
    on pencil on a turned squared net, as dark as the pencil at this size, the lower
    paper level made the page a faint one whose net passed for writing. When that
    finds no letters at all (a strong vignette: what the paper level left in the
    corners set the thresholds over the writing), the ramps are followed (one page
    in sixty of pencil or light pen under a vignette or in shade; read at the photo's
    own scale, they had a quarter of their characters wrong). Ink that runs along the
    image's edge for half its length is no writing (a vignette's dark band, which once
    made a faint pencil page's letters four times their height and the page was read
    shrunk to nothing).

    A strip (a photo under 400 pixels across, looked at as it is) is also looked at
    4x smaller, and at half size when the two disagree (:data:`STRIP_DISAGREE`), or
    when 4x smaller finds nothing and half size letters that much taller: letters 62
    pixels tall on squared paper in a side shadow came apart as they are into
    pieces a square high (14 pixels), and 4x smaller the net took all the ink; read
    enlarged for letters of 14 pixels, the strip took 73 s and came out as garbage.
    """
    small = as_float(quarter(grey) if small is None else small)
    if small.shape != grey.shape:
        return _letter_height_at(small, 4)
    full = _letter_height_at(small, 1)  # quarter() leaves a photo under 400 pixels as it is
    if min(grey.shape) >= STRIP_SIDE:
        # Big letters in a small photo (a strip of one line) come apart at full size
        # into pieces of strokes; 4x smaller, lines written close run into one. When
        # the two disagree, half size settles it.
        coarse = _letter_height_at(downscale(small, 0.25), 4)
        if coarse >= STRIP_LETTERS and coarse > STRIP_DISAGREE * full:
            return _letter_height_at(downscale(small, 0.5), 2)
        if coarse <= 0:  # (4x smaller, squared paper's net can take all the ink)
            half = _letter_height_at(downscale(small, 0.5), 2)
            if half > STRIP_DISAGREE * full:
                return half
    return full


#: A photo whose shorter side is under 400 pixels (:func:`quarter` leaves it as it
#: is) but this or more is also looked at 4x smaller, ...
STRIP_SIDE = 100
#: ... and at half size when that finds letters this many pixels tall or more, ...
STRIP_LETTERS = 32
#: ... and this many times taller than at full size. The quick look's paper estimate and
#: smoothing are made for letters of 10-25 pixels: letters 80 pixels tall came out as
#: pieces of strokes 12-50 pixels tall, and the strip was read as fragments.
STRIP_DISAGREE = 1.5
#: A photo whose shorter side is 400 pixels or more but under this is also looked at
#: half size, and analysed again at the letter height found there when that is this
#: many times smaller or larger than its letters' (:func:`_at_half_size`).
HALF_SIDE = 800
HALF_DISAGREE = 1.5


def _letter_height_at(small, k):
    """:func:`estimate_letter_height` on `small`, the photo `k` times smaller."""
    tries = (0, 7) if has_sharp_light_step(small) else (0,)
    for feet in (False, True):
        heights = []
        for edges in tries:
            mask, labelled, darkness, levels = _ink(small, sigma=0.5, edges=edges, feet=feet)
            rest, _ = without_page_lines(mask, labelled, darkness, levels)
            labels, boxes, areas = labelled if rest is mask else components(rest)
            along = _along_the_edge(labels, len(boxes))
            heights.append(letter_height(boxes[~along], areas[~along]))
        found = [h for h in heights if h > 0]
        if found:
            return min(found) * k
    return 0.0


def _along_the_edge(labels, n):
    """Which of the components 1..n of `labels` run along the image's edge for half
    its length or more: a vignette's dark band or a shadow, no writing."""
    along = np.zeros(n + 1, bool)
    for side in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        along |= np.bincount(side, minlength=n + 1)[: n + 1] >= 0.5 * side.size
    return along[1:]


def _ink(grey, sigma=1.0, edges=15, close=False, veil=0, dots=None, feet=True):
    """:func:`ocr.binarize.binarize` with its components, keeping the darkness map
    and the thresholds ``(low, high)``; without the `dots` of dotted paper
    (:class:`ocr.binarize.DotGrid`) when given."""
    return _ink_at(_darkness(grey, sigma, edges, close, veil, dots, feet))


def _darkness(grey, sigma=1.0, edges=15, close=False, veil=0, dots=None, feet=True):
    """:func:`ocr.binarize.ink_darkness`, without the `dots` when given."""
    darkness = ink_darkness(grey, sigma, edges, close, veil, feet)
    return darkness if dots is None else without_dots(darkness, dots)


def _ink_at(darkness, levels=None):
    """The ink of a darkness map, at `levels` or :func:`ocr.binarize.threshold_levels`'
    own: ``(mask, labelled, darkness, levels)`` as :func:`_ink`."""
    levels = threshold_levels(darkness) if levels is None else levels
    mask, labels, n = hysteresis(darkness, *levels, labelled=True)
    return mask, components_of(labels, n), darkness, levels


def without_page_lines(mask, labelled, darkness, levels=None, grey=None, dots=None, least=0.0):
    """:func:`ocr.binarize.remove_page_lines` where some ink is long enough to be a
    page line (`labelled`: ``components(mask)``): ``(mask, lines)``, `mask` itself
    and None when none is removed, else the lines (``PageLines`` when `levels`
    are given, for :func:`ocr.binarize.faint_writing`).

    With `grey` given, a page whose long ink holds no lines is looked at again
    less smoothed (Gaussian 0.5 pixel instead of 1): thin rules that a big
    reduction to the working scale left faint are broken up by the smoothing
    (the `dots` of dotted paper taken out of it, when given). A line's runs are
    `least` pixels long at least (:func:`ocr.binarize.remove_page_lines`).
    """
    rest, lines = mask, None
    if _may_hold_page_lines(labelled, mask.shape):
        rest, lines = remove_page_lines(mask, darkness, levels, return_lines=True, least=least)
        if rest is mask and grey is not None:
            sharp, _, sharp_darkness, sharp_levels = _ink(grey, sigma=0.5, veil=VEIL_BLOCK, dots=dots)
            rest, lines = remove_page_lines(sharp, sharp_darkness, sharp_levels, return_lines=True, least=least)
            if rest is sharp:
                rest, lines = mask, None
    return rest, lines


def _may_hold_page_lines(labelled, shape):
    """Is some ink long enough to be a page line: an eighth of the image's shorter
    side, and three times the median height of the pieces of ink shorter than that
    (a net of lines may come in several long pieces)?"""
    _, boxes, _ = labelled
    if not len(boxes):
        return False
    heights = boxes[:, 2] - boxes[:, 0]
    extents = np.maximum(heights, boxes[:, 3] - boxes[:, 1])
    long = extents >= min(shape) / 8
    if not long.any():
        return False
    others = heights[~long]
    return not (len(others) and extents.max() < 3 * float(median(others)))


def quarter(grey):
    """The 4x smaller copy of a page that quick estimates look at (the page itself
    when its shorter side is under 400 pixels)."""
    return downscale(grey, 0.25) if min(grey.shape) >= 400 else grey


def working_image(grey, target=TARGET_HEIGHT, small=None, height=None, enlarge=True):
    """Scale a page so that its letters are about `target` pixels tall.

    Large letters are shrunk (area average); letters smaller than the target are
    enlarged to :data:`ENLARGE_TO` times it (at most 3x, bilinear), so thin strokes
    are not lost to blur or run together.

    Parameters
    ----------
    grey : (H, W) uint8 or float32 ndarray
        See :func:`ocr.load.as_float`.
    target : float
    small : ndarray, optional
        ``quarter(grey)``, when already made.
    height : float, optional
        The letter height in `grey`, when known (by default estimated,
        :func:`estimate_letter_height`).
    enlarge : bool
        False: only letters shorter than :data:`TOO_SMALL` times the target are
        enlarged, and to the target.

    Returns
    -------
    grey : (H', W') float32 ndarray
        In [0, 1], 1 = white.
    factor : float
        New size / old size.
    """
    H = estimate_letter_height(grey, small) if height is None else height
    if H > 1.25 * target:
        f = target / H
        return as_float(downscale(grey, f)), f
    grey = as_float(grey)
    if 0 < H < (target if enlarge else TOO_SMALL * target):
        from PIL import Image

        f = min(3.0, (ENLARGE_TO if enlarge else 1.0) * target / H)
        size = (max(1, round(grey.shape[1] * f)), max(1, round(grey.shape[0] * f)))
        big = Image.fromarray(np.ascontiguousarray(grey), mode="F").resize(size, Image.BILINEAR)
        return np.asarray(big, dtype=np.float32), f
    return grey, 1.0


#: A page whose paper the usual estimate over-brightens by more than this (the 90th
#: percentile over its blocks, :func:`ocr.binarize.paper_overestimate`) is also
#: thresholded under the close estimate, ...
OVERESTIMATE = 0.025
#: ... which is taken when its seed level is lower by this share or more (or when it finds
#: the ink clear of :data:`MIN_CONTRAST` on a page the usual estimate finds faint), ...
CLOSER_SEEDS = 0.25
#: ... or by this share when it puts the seeds at the floor :data:`MIN_CONTRAST` (weak writing),
#: unless the usual estimate's seeds are above that floor (the page is not faint).
WEAK_CLOSER_SEEDS = 0.1


#: At the working scale (letters about :data:`TARGET_HEIGHT` tall) a page line's runs are
#: this many letter heights long at least: in a photo a few letters tall, the letters'
#: bars and stems line up like a net's (:func:`ocr.binarize.remove_page_lines`, `least`).
LINE_RUNS = 1.25


def find_ink(grey, outside=None):
    """The letters' ink, with its connected components: writing washed out by a
    veil of light (glare) given its contrast back (:func:`ocr.binarize.veil_gain`),
    page lines and rules removed (a form's boxes too, :func:`ocr.binarize.remove_frame_bars`,
    and what the straight lines taken out left, :func:`ocr.binarize.without_rule_remnants`;
    a net of lines whose blur set the seed level over itself is looked for under it,
    :func:`ocr.binarize.lines_under_the_noise`), found again from lower seeds and under a closer
    paper estimate when the writing is all weak (a pencil: :func:`ocr.binarize.weak_writing_levels`,
    :func:`ocr.binarize.paper_background` with ``close``), grown from strong ink a little less
    far than the mask the page lines are looked for in (:func:`ocr.binarize.tighten`),
    strokes written lighter than the rest of their letter joined to it
    (:func:`ocr.binarize.light_strokes`), and strokes a skipping pen broke joined up
    (:func:`ocr.segment.join_broken_strokes`).

    Parameters
    ----------
    grey : (H, W) float32 ndarray
    outside : (H, W) bool ndarray, optional
        What is no part of the photo (:func:`turned_out`).

    Returns
    -------
    mask : (H, W) bool ndarray
    labelled : tuple
        ``components(mask)``: ``(labels, boxes, areas)`` of the returned mask.
    """
    least = LINE_RUNS * TARGET_HEIGHT
    mask, labelled, darkness, levels = _ink(grey, veil=VEIL_BLOCK)
    dots = find_dot_grid(darkness, labelled, largest=round(DOT_SIDE * TARGET_HEIGHT))
    if dots is not None:  # dotted paper: every darkness map is taken without its dots
        mask, labelled, darkness, levels = _ink_at(without_dots(darkness, dots))
    close, close_darkness, close_levels = False, None, None
    if paper_overestimate(grey) > OVERESTIMATE:
        # Light falling fast (a vignette) or a reflection: the usual estimate leaves the
        # paper a few percent dark there, and that spread raises the noise floor over
        # the writing.
        close_darkness = _darkness(grey, close=True, veil=VEIL_BLOCK, dots=dots)
        close_levels = threshold_levels(close_darkness)
        pencil = close_levels[1] <= MIN_CONTRAST  # lowered less: the seeds are at the floor
        # A page is faint only if both estimates find it so: where one finds the ink
        # clear of the floor, the other's faint strokes are the paper's mottle (a cheap
        # JPEG's blocks), which the close estimate leaves at full contrast where it
        # flattens the light, and the usual one where it is too broad for the close
        # one's blocks. (Pencil in a shadow on squared paper, the usual seeds set by
        # the lines, was once read as a faint page by the close estimate alone; the
        # usual estimate, the shading it leaves taken off by paper_left, now finds
        # that page faint itself.)
        clearer = levels[1] < MIN_CONTRAST < close_levels[1]
        lower = close_levels[1] < (1 - (WEAK_CLOSER_SEEDS if pencil else CLOSER_SEEDS)) * levels[1]
        if clearer or (lower and not (pencil and levels[1] > MIN_CONTRAST)):
            mask, labelled, darkness, levels = _ink_at(close_darkness, close_levels)
            close = True
    mask, lines = without_page_lines(mask, labelled, darkness, levels, grey, dots, least)
    # A net of lines blurred over the paper may have set the seed level over all or
    # most of itself, and over a pencil: the page is then read with the net divided
    # out, at that darkness's own levels (which need no lowering for weak writing).
    hidden = lines_under_the_noise(darkness, levels, least=least, broken=lines is None)
    if hidden is not None:
        mask, lines = hidden
        darkness, levels = lines.clean, lines.levels
    weak = weak_writing_levels(darkness, mask, levels) if hidden is None else None
    if weak is not None and not close:  # a pencil: the paper followed closely (its darkness matters), ...
        if close_darkness is None:
            close_darkness = _darkness(grey, close=True, veil=VEIL_BLOCK, dots=dots)
        mask, labelled, darkness, levels = _ink_at(close_darkness, close_levels)
        mask, lines = without_page_lines(mask, labelled, darkness, levels, grey, dots, least)
        weak = weak_writing_levels(darkness, mask, levels)
    if weak is not None:  # ... and its ink found again from lower seeds
        levels = weak
        mask, labels, n = hysteresis(darkness, *levels, labelled=True)
        mask, lines = without_page_lines(mask, components_of(labels, n), darkness, levels, grey, dots, least)
    low, high = levels
    found = mask
    mask, labels, n = tighten(mask, darkness, low, high)
    labelled = components_of(labels, n)
    _, boxes, areas = labelled
    H = letter_height(boxes, areas)
    if lines is not None:  # lined paper: writing as light as its lines, strokes cut at the lines
        fuller = strokes_across_lines(faint_writing(mask, lines, H), lines.runs)
        if fuller is not mask:
            mask = fuller
            labelled = components(mask)
            _, boxes, areas = labelled
            H = letter_height(boxes, areas)
    rules = lines.runs if lines is not None else None
    trails = light_trails(found, darkness, H)
    if trails is not None:  # a stain's ring joining letters
        mask = mask & ~trails
        rules = trails if rules is None else rules | trails
        labelled = components(mask)
        _, boxes, areas = labelled
    extent = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) if len(boxes) else [0]
    # Rules are long: without any long piece of ink there is nothing to remove.
    long_ink = H > 0 and np.max(extent) >= 1.75 * H
    straight = None  # the straight lines taken out, not the page's lines
    if long_ink:
        kept = remove_slanted_rules(remove_rules(mask, min_length=3.5 * H), 3.5 * H, max_width=max(2.0, 0.08 * H))
        # a large title's upright strokes are as long, but its letters stand in a row
        kept |= mask & _title_ink(labelled, H)
        straight = mask & ~kept
        rules = straight if rules is None else rules | straight
        mask = kept
        labelled = components(mask)
    if rules is not None or long_ink:  # a form's boxes' sides
        kept = remove_frame_bars(mask, H, rules)
        if kept is not mask:
            bars = mask & ~kept
            rules = bars if rules is None else rules | bars
            straight = bars if straight is None else straight | bars
            mask = kept
            labelled = components(mask)
    if straight is not None:  # what they left: a sheet's rim's corners and stubs
        kept = without_rule_remnants(mask, straight, H, labelled)
        if kept is not mask:
            mask = kept
            labelled = components(mask)
    # a ring as dark as the writing through it, and one drawn round a word (a form's
    # boxes, taken out above, are not left with their walls between letters)
    for find in (rings, enclosures):
        ring = find(labelled, H)
        if ring is not None:
            ring &= ~_title_ink(labelled, H)  # a large title's O
            mask = mask & ~ring
            rules = ring if rules is None else rules | ring
            labelled = components(mask)
    # a stroke written lighter than the rest of its letter (a D's bowl), not by a line taken out
    lighter = light_strokes(mask, lines.clean if lines is not None else darkness, H, low, rules, outside)
    if lighter is not mask:
        mask = lighter
        labelled = components(mask)
    return join_broken_strokes(mask, labelled, H)


def _title_ink(labelled, height):
    """The pixels of the pieces of ink over three letter heights tall that stand in a
    row of their like (:func:`ocr.segment.title_letters`): a large title's letters."""
    labels, boxes, _ = labelled
    tall = np.flatnonzero(boxes[:, 2] - boxes[:, 0] > 3.0 * height)
    title = np.zeros(len(boxes) + 1, bool)
    title[tall[title_letters(boxes[tall], height) > 0] + 1] = True
    return title[labels]


def analyse(grey, outside=None):
    """Run the image stages on a working greyscale image.

    Parameters
    ----------
    grey : (H, W) float32 ndarray

    Returns
    -------
    Analysis
    """
    mask, labelled = find_ink(grey, outside)
    mask, labelled = without_edge_specks(mask, labelled)
    glyphs, H = segment(mask, labelled=labelled)
    smaller, smaller_box = smaller_writing(labelled[1], H)
    glyphs = split_stacked(glyphs, H)
    line_idx = group_lines(glyphs, H)
    # Gaps are measured between upright letters: italic ones lean into them.
    shear = page_slant([g for g in glyphs if not g.small])
    upright = [shear_glyph(g, shear) for g in glyphs] if shear else glyphs
    marks, floating = find_marks(upright, line_idx, H, return_floating=True)
    # Punctuation the size of a letter (! ? + brackets, a tick) is no letter; ink
    # floating mid-line is laid out as a mark too, and read only if the classifier
    # is sure of it (a letter written small, not a scrap: classify).
    laid_as_marks = marks | floating
    if laid_as_marks:
        glyphs = [replace(g, small=True) if i in laid_as_marks else g for i, g in enumerate(glyphs)]
        upright = [replace(g, small=True) if i in laid_as_marks else g for i, g in enumerate(upright)]
    letters = [[i for i in line if not glyphs[i].small] for line in line_idx]
    all_gaps = np.concatenate([gaps(line, upright, H) for line in letters] or [np.zeros(0)])
    threshold = word_gap_threshold(all_gaps, H, stroke_width(glyphs)) if H else 0.0
    lines = []
    for line in line_idx:  # a line of larger or smaller letters has its gaps scaled
        h = line_height(line, glyphs, H)
        lines.append(split_words(line, upright, threshold * h / H if H else 0.0, h, floating))
    return Analysis(glyphs=glyphs, height=H, lines=lines, shear=shear, floating=frozenset(floating),
                    smaller=smaller, smaller_box=smaller_box)


#: Ink lying wholly within this many target letter heights of the working image's border
#: is no letter (:func:`without_edge_specks`).
EDGE_SPECKS = 0.4


def without_edge_specks(mask, labelled, band=EDGE_SPECKS):
    """`mask` and its ``labelled`` components without the pieces of ink that lie
    wholly within `band` times :data:`TARGET_HEIGHT` of the image's border.

    At the working scale letters are 28 to 50 pixels tall (:func:`working_image`):
    what fits in 16 pixels along the border is a scrap of a letter the photo cut off,
    or the specks that a vignette's dark edge leaves under a pencil's low thresholds.
    Strewn by the dozen along the top and bottom of a faint page, those were taken for
    its letters (7 pixels tall) and the page was read as specks.

    Returns
    -------
    mask : (H, W) bool ndarray
    labelled : tuple
        ``components(mask)``.
    """
    labels, boxes, _ = labelled
    if len(boxes) == 0:
        return mask, labelled
    b = band * TARGET_HEIGHT
    h, w = mask.shape
    near = (boxes[:, 2] <= b) | (boxes[:, 0] >= h - b) | (boxes[:, 3] <= b) | (boxes[:, 1] >= w - b)
    if not near.any():
        return mask, labelled
    keep = np.concatenate([[False], ~near])
    mask = keep[labels]
    return mask, components(mask)


#: A glyph within this many letter heights of the desk painted over is at the sheet's edge.
EDGE_REACH = 0.05
#: ... and one whose box comes within this many letter heights of the image's border.
PHOTO_EDGE_REACH = 0.25


def at_sheet_edge(analysis, desk, shape, tilt=0.0, reach=EDGE_REACH, before=None, level_shape=None):
    """`analysis` with the glyphs whose ink comes within `reach` letter heights of
    the desk painted over marked (``Analysis.edge``): the sheet's edge itself, or
    the desk's pattern or grain beside it, that the painting left. Glyphs whose box
    comes within :data:`PHOTO_EDGE_REACH` letter heights of the image's own border
    are marked too, desk or none: a vignette's dark rim, or a shadow along the
    border, leaves bars there that end lines as unsure ``I``. On a levelled page
    that border is the photo's, turned with it (`before`, `level_shape`): a hard
    shadow's edge, where it met the bottom of a photo turned 4 degrees, left a
    flat scrap there read as a line ``A``.

    Parameters
    ----------
    analysis : Analysis
    desk : (h, w) bool ndarray or None
        The pixels painted over (:func:`ocr.binarize.fill_outside_sheet`), at any
        scale of the image analysed before it was levelled.
    shape : tuple
        ``(H, W)`` of the working image analysed.
    tilt : float
        Degrees the image was turned before it was analysed (:func:`level_image`).
    before, level_shape : tuple of float, optional
        ``(rows, cols)`` of the image before it was turned and after, at the working
        image's scale (:func:`turned_out`); without them the border is `shape`'s.

    Returns
    -------
    Analysis
    """
    from PIL import Image

    if not analysis.glyphs:
        return analysis
    # the photo's own border: a vignette's dark rim, a shadow along it
    b = PHOTO_EDGE_REACH * analysis.height
    edge = {i for i, g in enumerate(analysis.glyphs) if _from_border(g.box, shape, tilt, before, level_shape) < b}
    if desk is None or not desk.any():
        return replace(analysis, edge=frozenset(edge)) if edge else analysis
    im = Image.fromarray(desk.view(np.uint8) * np.uint8(255), mode="L")
    if tilt:
        im = im.rotate(tilt, resample=Image.NEAREST, expand=True, fillcolor=0)
    near = np.asarray(im.resize((shape[1], shape[0]), Image.NEAREST)) > 0
    r = max(1, round(reach * analysis.height))
    near = kernels.box_max(near.view(np.uint8), 2 * r + 1).view(bool)
    edge |= {i for i, g in enumerate(analysis.glyphs) if near[g.box[0]:g.box[2], g.box[1]:g.box[3]][g.mask].any()}
    return replace(analysis, edge=frozenset(edge)) if edge else analysis


def _from_border(box, shape, tilt=0.0, before=None, level_shape=None):
    """How far a box (y0, x0, y1, x1) of a working image of `shape` lies from the
    photo's border: the image's own, or where the photo's lies in the image
    :func:`level_image` turned (`tilt`, `before`, `level_shape`: :func:`turned_out`),
    from the box around it there (:func:`unlevel_box`; 0 for a box reaching past it)."""
    if tilt and before is not None:
        box, shape = unlevel_box(box, tilt, before, level_shape), before
    y0, x0, y1, x1 = box
    return min(y0, x0, shape[0] - y1, shape[1] - x1)


def prepare(loaded, enclosed=True, finer=True, enlarge=True):
    """The image stages of a loaded page: working scale, ink, letters, lines, words.

    A sheet lying on a desk has the desk painted over first (:func:`ocr.binarize.find_sheet`)
    and is cut out (:func:`ocr.binarize.sheet_box`): the desk's flat paint would
    otherwise lower the paper's noise the thresholds are set by, and weigh in every
    other measure of the page. A page whose letters a title much taller set the scale
    by, shrinking the rest to specks (:func:`smaller_writing`), is analysed again at the
    scale of the rest, the title's analysis kept as ``Prepared.coarse`` (:func:`read`
    reads its lines from that). A page whose lines slope by more than
    :data:`LEVEL_ABOVE` degrees is turned level and analysed again (:func:`level_image`). Needs no model, so it can run
    while the model loads (:class:`ocr.load.LoadAhead`).

    Parameters
    ----------
    loaded : ocr.load.Loaded
    enclosed : bool
        Failing all else, also take a sheet that the ground surrounds and whose
        edge steps up sharply, however smooth the ground (``find_sheet(...,
        enclosed=True)``); such a sheet may be the lit part of one half in shadow,
        and :func:`read` reads the photo whole as well (``Prepared.doubtful_sheet``).
    finer : bool
        Look for a smaller writing that the page's scale shrank to specks
        (:func:`smaller_writing`), and read it at its own.
    enlarge : bool
        Enlarge letters shorter than :data:`TARGET_HEIGHT` past it (:func:`working_image`).

    Returns
    -------
    Prepared
    """
    pixels = loaded.pixels
    small = quarter(pixels)
    sheet, doubtful = find_sheet(small, enclosed=enclosed, return_doubtful=True)
    offset, desk = (0.0, 0.0), None
    if sheet is not None:  # a sheet on a textured desk: the desk is painted over, and the sheet cut out
        pixels, desk = fill_outside_sheet(pixels, small, sheet, return_desk=True)
        y0, x0, y1, x1 = sheet_box(sheet, pixels.shape, small.shape)
        pixels, desk = pixels[y0:y1, x0:x1], desk[y0:y1, x0:x1]
        offset = (y0 / loaded.scale, x0 / loaded.scale)
        small = quarter(pixels)
    rough = estimate_letter_height(pixels, small)
    grey, factor = working_image(pixels, small=small, height=rough, enlarge=enlarge)
    analysis = analyse(grey)
    height, coarse, detail = None, None, None  # (height: the letter height in `pixels`, when known)
    if small.shape != pixels.shape and min(pixels.shape) < HALF_SIDE and not analysis.smaller:
        grey, factor, analysis, height = _at_half_size(pixels, small, rough, grey, factor, analysis, enlarge)
    rescaled = None if height is not None or analysis.smaller else _at_found_height(
        loaded, pixels, small, factor, analysis, desk, offset, enlarge, rough)
    if analysis.smaller and finer:
        # A title three times as tall as the rest set the scale, and the rest, shrunk
        # to specks, was dropped: the page is read at the scale of its smaller writing
        # when letters of about that size are found there.
        small_height = analysis.smaller / factor
        grey2, factor2 = working_image(pixels, small=small, height=small_height, enlarge=enlarge)
        again = analyse(grey2)
        if 0.7 * small_height <= again.height / factor2 <= 1.4 * small_height:
            # the large writing, its strokes broken up at this scale, is read at its own
            coarse = Prepared(analysis=at_sheet_edge(analysis, desk, grey.shape), scale=loaded.scale * factor,
                              size=loaded.size, name=loaded.name, offset=offset)
            grey, factor, analysis, height = grey2, factor2, again, small_height
        else:  # the large writing is most of the page: the small is read in a cut of its own
            detail = _cut_out(loaded, pixels, analysis.smaller_box, factor, small_height, offset, enlarge)
    tilt = float(np.degrees(np.arctan(estimate_skew(analysis.glyphs, analysis.height))))
    if abs(tilt) >= LEVEL_ABOVE:
        # The lines are followed along any skew, but the letters themselves lean with the
        # page, beyond what the classifier learned (10 degrees): the page is levelled.
        level = level_image(pixels, tilt)
        grey2, factor2 = working_image(level, height=_level_height(level, height, analysis.height / factor),
                                       enlarge=enlarge)
        work_shape = (pixels.shape[0] * factor2, pixels.shape[1] * factor2)
        level_shape = (level.shape[0] * factor2, level.shape[1] * factor2)
        levelled = analyse(grey2, turned_out(grey2.shape, tilt, work_shape, level_shape))
        # A skew measured on something else than lines of writing (a printed net of
        # squares leaning with the page) can level a page wrongly: the letters found must
        # then be about as tall as before, else the page is read as it was. Turning a page
        # adds no letters or marks: half as many again is ink found wrongly, the grain of a
        # textured paper taken for faint writing in the corners' new light. (It can leave
        # fewer: specks a tilted page's noise made.)
        if (_about_as_tall(levelled.height * factor / factor2, analysis.height)
                and len(levelled.glyphs) <= LEVEL_MORE_GLYPHS * len(analysis.glyphs)):
            return Prepared(analysis=at_sheet_edge(levelled, desk, grey2.shape, tilt, before=work_shape,
                                                   level_shape=level_shape), scale=loaded.scale * factor2,
                            size=loaded.size, name=loaded.name, loaded=loaded, tilt=tilt, offset=offset,
                            doubtful_sheet=doubtful, work_shape=work_shape, level_shape=level_shape, coarse=coarse,
                            detail=detail, rescaled=rescaled, enlarged=enlarge and factor2 > 1)
    # the glyphs at the sheet's edge are marked only on the analysis kept
    return Prepared(analysis=at_sheet_edge(analysis, desk, grey.shape), scale=loaded.scale * factor, size=loaded.size,
                    name=loaded.name, loaded=loaded, offset=offset, doubtful_sheet=doubtful, coarse=coarse,
                    detail=detail, rescaled=rescaled, enlarged=enlarge and factor > 1)


def _at_half_size(pixels, small, rough, grey, factor, analysis, enlarge=True):
    """A page analysed at the scale of the quick look 4x smaller (letters `rough`
    pixels tall), analysed again at the letter height found at half size when the
    two disagree: ``(grey, factor, analysis, height)`` of the one taken (`height`,
    in `pixels`: None for the first).

    In a photo under :data:`HALF_SIDE` pixels, letters are 8-15 pixels tall 4x
    smaller, where lines written close run into one piece: a photo 430 pixels tall of
    six lines 1.3 letter heights apart was taken for letters of 122 pixels instead of
    46, and read shrunk, as one letter (48 errors in 49). Half size sees the letters.
    (A page whose large title set the scale, its other writing found shrunk to
    specks, is not looked at: :func:`prepare` reads both, each at its own scale. Nor
    is one with a sharp edge of light: the paper estimate that follows a shadow's
    edge is made for letters as tall as at the quick look's scale, and squared paper
    under a hard shadow came out of it as lines of ink at half size.) The page is
    taken at half size's scale only if the letters found there are about as tall as
    half size found them (within 0.8-1.25 times): pencil on squared paper in dim
    light, the net as dark as the writing, was not divided out at half size, and
    its squares joined the letters into pieces twice as tall as they are (92 pixels
    for 48); at that scale the letters came out 47 pixels tall again, shrunk to 20,
    and half their strokes were lost (13 errors in 24 characters).
    """
    if has_sharp_light_step(as_float(small)):
        return grey, factor, analysis, None
    half = _letter_height_at(as_float(downscale(pixels, 0.5)), 2)
    if half <= 0 or half / HALF_DISAGREE <= rough <= half * HALF_DISAGREE:
        return grey, factor, analysis, None
    grey2, factor2 = working_image(pixels, small=small, height=half, enlarge=enlarge)
    again = analyse(grey2)
    if not _about_as_tall(again.height / factor2, half):
        return grey, factor, analysis, None  # the letters found there are not that tall
    return grey2, factor2, again, half


def _about_as_tall(height, expected):
    """Whether letters found `height` tall, analysed again at the scale `expected`
    called for, are about that tall (0.8-1.25 times): else something else set it."""
    return 0.8 * expected <= height <= 1.25 * expected


#: A page whose letters, found at the working scale, call for a scale this many times
#: larger is analysed again at theirs (:func:`_at_found_height`), ...
FOUND_RESCALE = 1.5
#: ... unless they are under this fraction of the height the page was scaled for.
FOUND_LEAST = 0.25


def _at_found_height(loaded, pixels, small, factor, analysis, desk, offset, enlarge=True, rough=None):
    """A page analysed at a scale where its letters came out small, analysed again
    at the height they were found: the :class:`Prepared` page there (of `loaded`, whose
    `pixels` are the sheet cut out at `offset`, the `desk` around it), or None.

    The scale is set by a quick look 4x smaller (:func:`estimate_letter_height`),
    which can take words written close for letters. When the letters found at that
    scale (``analysis.height``) ask for one :data:`FOUND_RESCALE` times larger, the
    page is analysed again at theirs, and that is kept when it finds letters as tall
    again (within 0.8-1.25 times); :func:`read` reads both and keeps the one the
    classifier is surer of (:func:`_sureness`). A photo 629 pixels wide of letters
    45 pixels tall, written close on squared paper, was shrunk to half for letters of
    78 pixels and read as specks (19 errors in 34 characters); a form's letters in
    printed boxes 68 pixels wide, shrunk as much, read well at 28 pixels (at 45 the
    boxes' sides were read as letters). Letters found larger than the scale asked for
    are read as they are: shrunk to it, pencil on a turned squared paper read worse
    (its faint strokes broken at 40 pixels a letter, read well at 60-150).

    Letters found under :data:`FOUND_LEAST` of the height `rough` the page was
    scaled for are no letters the quick look took together, but specks: a sheet on
    an oak desk, read whole, scaled for letters of 28 pixels, had its desk's grain
    found as letters of 3.7; enlarged three times more for them, to 11 megapixels,
    it was analysed for 18 s, to find nothing that tall. (Over 1,835 pages of test
    sets, the letters found again were 0.5 and 0.58 of the height first asked for.)
    """
    found = analysis.height / factor
    if found <= 0 or (rough is not None and found < FOUND_LEAST * rough):
        return None
    grey2, factor2 = working_image(pixels, small=small, height=found, enlarge=enlarge)
    if factor2 <= FOUND_RESCALE * factor:
        return None
    again = analyse(grey2)
    if not _about_as_tall(again.height / factor2, found):
        return None
    return Prepared(analysis=at_sheet_edge(again, desk, grey2.shape), scale=loaded.scale * factor2,
                    size=loaded.size, name=loaded.name, loaded=loaded, offset=offset)


def _cut_out(loaded, pixels, box, factor, height, offset, enlarge=True):
    """The part of `pixels` (a loaded page's, the sheet cut out at `offset`) around
    `box` (working pixels at `factor`), a letter `height` (pixels) wider all round,
    through the image stages on its own (:func:`prepare`), or None if it finds no
    letters about that tall."""
    y0, x0 = (int(max(0, v / factor - height)) for v in box[:2])
    y1, x1 = (int(v / factor + height) for v in box[2:])
    cut = prepare(replace(loaded, pixels=pixels[y0:y1, x0:x1]), enclosed=False, finer=False, enlarge=enlarge)
    if not 0.7 * height <= cut.analysis.height * loaded.scale / cut.scale <= 1.4 * height:
        return None
    oy, ox = cut.offset
    return replace(cut, loaded=None, offset=(oy + offset[0] + y0 / loaded.scale, ox + offset[1] + x0 / loaded.scale))


#: :func:`smaller_writing` needs this many glyphs.
SMALL_WRITING_LETTERS = 8


def smaller_writing(boxes, height, least=SMALL_WRITING_LETTERS):
    """The letter height of a second, smaller writing on the page (0 if none), and where.

    The working scale is set by the page's letter height, estimated on a small copy
    where thin small writing hardly shows: under a title three times as tall, the
    rest of the page was shrunk until its letters were specks, and dropped as dust.
    They are still pieces of ink of about one size in rows: `least` or more, 0.2-0.55
    letter heights tall and no more than twice as wide, in runs of three or more along
    a row, each within two of their heights of the last. (The caller checks that the
    page read at that scale has letters that tall: a large writing's punctuation, or
    dust, has not.)

    Parameters
    ----------
    boxes : (N, 4) int ndarray
        The ink's components (``y0, x0, y1, x1``).
    height : float
        The page's letter height.

    Returns
    -------
    small : float
        The small pieces' median height in pixels, 0 when there are not so many.
    box : (4,) tuple or None
        ``(y0, x0, y1, x1)`` around them.
    """
    if not height or not len(boxes):
        return 0.0, None
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    mid = (boxes[:, 0] + boxes[:, 2]) / 2
    cand = np.flatnonzero((h >= 0.2 * height) & (h <= 0.55 * height) & (w <= 2 * h))
    rows = []
    for k in cand[np.argsort(mid[cand], kind="stable")]:
        # a row: pieces whose middles are within half their height of the row's first
        if rows and abs(mid[k] - mid[rows[-1][0]]) <= 0.5 * h[k]:
            rows[-1].append(k)
        else:
            rows.append([k])
    small = []
    for row in rows:  # ... and runs along it of three or more, each within two heights of the last
        row = sorted(row, key=lambda k: boxes[k, 1])
        run = [row[0]]
        for a, b in zip(row, row[1:]):
            if boxes[b, 1] - boxes[a, 3] > 2 * h[b]:
                small.extend(run if len(run) >= 3 else [])
                run = []
            run.append(b)
        small.extend(run if len(run) >= 3 else [])
    if len(small) < least:
        return 0.0, None
    b = boxes[small]
    return float(median(h[small])), (int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max()))


#: Pages whose lines slope by more than this many degrees are levelled before reading
#: (the classifier was trained on letters leaning up to 10 degrees).
LEVEL_ABOVE = 4.0
#: A levelled page's letter height estimated more than this many times off the letters
#: found before turning it is taken as theirs (:func:`_level_height`).
LEVEL_HEIGHT_OFF = 2.0
#: A levelled page is read as it was when it holds more than this many times as many
#: glyphs (letters and marks) as before (:func:`prepare`).
LEVEL_MORE_GLYPHS = 1.5


def _level_height(level, height, found, off=LEVEL_HEIGHT_OFF):
    """The letter height (pixels) to analyse a levelled page `level` at: `height` when
    known, else the estimate on `level` (:func:`estimate_letter_height`), unless that is
    more than :data:`LEVEL_HEIGHT_OFF` times off the letters `found` tall before
    turning, then those.

    Turning a page changes its letters' height by a few percent; its estimate can fail
    on the turned copy (the corners filled, a net of squares turned level with the
    letters: letters 72 pixels tall estimated at 8), and the page, enlarged three
    times, took a quarter of an hour to read.
    """
    if height is not None:
        return height
    rough = estimate_letter_height(level)
    return rough if found / off <= rough <= found * off else found


def level_image(pixels, tilt):
    """`pixels` turned `tilt` degrees counterclockwise (lines sloping down to the right
    by `tilt` become level), enlarged to hold all of it, the corners filled with paper
    (the brightness of the image's brightest quarter).

    Parameters
    ----------
    pixels : (H, W) uint8 or float32 ndarray
        ``Loaded.pixels``.
    tilt : float

    Returns
    -------
    (H2, W2) ndarray, same dtype, the page's centre at the centre
    """
    from PIL import Image

    paper = np.percentile(pixels[::4, ::4], 75)
    if pixels.dtype == np.uint8:
        im, fill = Image.fromarray(pixels, mode="L"), int(paper)
    else:
        im, fill = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.float32), mode="F"), float(paper)
    return np.asarray(im.rotate(tilt, resample=Image.BICUBIC, expand=True, fillcolor=fill), dtype=pixels.dtype)


def turned_out(shape, tilt, before, level_shape):
    """Which pixels of a working image of the page :func:`level_image` turned are no
    part of the photo (the corners the turn added, filled with paper).

    Parameters
    ----------
    shape : tuple of int
        The working image's ``(rows, cols)``.
    tilt : float
    before, level_shape : tuple of float
        ``(rows, cols)`` of the image before it was turned and after, at the working
        image's scale.

    Returns
    -------
    (rows, cols) bool ndarray
    """
    ys = (np.arange(shape[0], dtype=np.float32) + 0.5)[:, None]
    xs = (np.arange(shape[1], dtype=np.float32) + 0.5)[None, :]
    yo, xo = _before_turn(ys, xs, tilt, before, level_shape)
    return (xo < 0) | (xo > before[1]) | (yo < 0) | (yo > before[0])


def _before_turn(ys, xs, tilt, shape, level_shape):
    """Where the points (`ys`, `xs`) of the image :func:`level_image` made lay in the
    image before (`shape` before, `level_shape` after), as ``(ys, xs)``."""
    t = np.radians(tilt)
    c, s = np.cos(t), np.sin(t)
    ys, xs = ys - level_shape[0] / 2, xs - level_shape[1] / 2
    # the levelled image is the page turned counterclockwise by `tilt` (y pointing down)
    return s * xs + c * ys + shape[0] / 2, c * xs - s * ys + shape[1] / 2


def unlevel_box(box, tilt, shape, level_shape):
    """A box ``(y0, x0, y1, x1)`` of the image :func:`level_image` made, as the box
    around it in the image before (`shape` before, `level_shape` after; both centred
    on the page's centre).

    Parameters
    ----------
    box : tuple of float
    tilt : float
    shape, level_shape : tuple of float
        ``(rows, cols)``.

    Returns
    -------
    tuple of float
    """
    y0, x0, y1, x1 = box
    H, W = shape
    yo, xo = _before_turn(np.array([y0, y0, y1, y1], float), np.array([x0, x1, x1, x0], float), tilt, shape,
                          level_shape)
    return (max(0.0, yo.min()), max(0.0, xo.min()), min(float(H), yo.max()), min(float(W), xo.max()))


#: Word kinds for :func:`apply_word_context` and their prior odds ("mixed": codes
#: such as ``B12``, where each character is a letter or a digit at even odds).
WORD_KINDS = {"letters": 0.45, "digits": 0.45, "mixed": 0.1}
#: How often a word of one kind holds a character of the other (a slip of the pen).
STRAY = 0.05
_ONE, _ZERO = np.array([c in "I1" for c in CLASSES]), np.array([c in "O0" for c in CLASSES])
_TWINS = _ONE | _ZERO


def page_slant(glyphs, above=SLANT_ABOVE):
    """The italic lean of a page's handwriting, if it is strong enough to remove.

    Parameters
    ----------
    glyphs : list of ocr.segment.Glyph
        The page's letters.
    above : float
        Leans under this (dx/dy) are left alone: the classifier learned them.

    Returns
    -------
    shear : float
        The median :func:`ocr.normalize.slant` of the letters, or 0.
    """
    if len(glyphs) < 5:
        return 0.0
    s = float(median([slant(g.mask) for g in glyphs]))
    return s if abs(s) > above else 0.0


def apply_word_context(P, strength=0.9):
    """Choose letters or digits for a word from its other characters.

    A word is usually all letters or all digits; ``O``/``0``, ``I``/``1``,
    ``S``/``5``, ``Z``/``2``, ``B``/``8`` look alike. Each character gets a prior
    from the *other* characters of the word (leave-one-out): how likely the word
    is all letters, all digits or mixed (:data:`WORD_KINDS`), given each other
    character's share of digit probability, a letter word holding a digit (and
    the reverse) with probability :data:`STRAY`. The evidence adds up: two
    characters say little, nine confident digits say a lot, while unsure ones
    (an ``I``/``1`` at even odds) count for nothing either way. The prior's weight
    for digits is kept within ``[1 - strength, strength]``, so a confident
    reading is never overturned but a close call goes the word's way. A word that
    can only be a number (:func:`number_part`: digits, ``I``/``1`` and ``O``/``0``
    alone, ``10`` read ``IO``, ``118`` read ``II8``), or the number of an ordinal
    (``1ST``), gets the digits' full weight there: a bar or a ring says nothing of
    its word's kind, and no word is written so. So does a twin beside a digit other
    than a twin read surely (:data:`BESIDE_DIGIT`) in a word of three characters or
    more: ``12B`` read ``I2B`` (no English word has a bar or a ring beside a digit).

    Parameters
    ----------
    P : (N, 36) ndarray
        Class probabilities of the word's characters, left to right.
    strength : float
        Largest weight given to the word's kind (0.5 = no effect).

    Returns
    -------
    P : (N, 36) ndarray
        Re-weighted and renormalised probabilities.
    """
    P = np.asarray(P, dtype=np.float64)
    n = len(P)
    if n < 2:
        return P
    digit = P[:, _IS_DIGIT].sum(axis=1)
    # log-likelihood of each character under each kind of word ...
    log_if_digits = np.log(digit * (1 - STRAY) + (1 - digit) * STRAY)
    log_if_letters = np.log((1 - digit) * (1 - STRAY) + digit * STRAY)
    log_if_mixed = np.full(n, np.log(0.5))
    # ... summed over the other characters: posterior of the word's kind, per character
    log_post = np.stack([np.log(WORD_KINDS[k]) + (L.sum() - L) for k, L in
                         (("letters", log_if_letters), ("digits", log_if_digits), ("mixed", log_if_mixed))],
                        axis=1)
    post = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    w_digit = post @ np.array([STRAY, 1 - STRAY, 0.5])
    whole = _a_number(P)
    ending = None if whole else _ordinal(P)  # (number_part's two cases)
    w_digit[: n if whole else n - 2 if ending else 0] = strength
    w_digit = np.clip(w_digit, 1 - strength, strength)[:, None]
    Q = P * np.where(_IS_DIGIT, w_digit, 1 - w_digit)
    if ending:  # an ordinal's ending leans to its letters
        for j, c in zip((-2, -1), ending):
            Q[j, CLASSES.index(c)] *= ORDINAL_ODDS
    Q /= Q.sum(axis=1, keepdims=True)
    if n >= 3:  # a bar or a ring beside a digit read surely is a digit: 12B, not I2B
        sure = Q[:, _IS_DIGIT & ~_TWINS].sum(axis=1) >= BESIDE_DIGIT
        beside = np.zeros(n, bool)
        beside[1:] |= sure[:-1]
        beside[:-1] |= sure[1:]
        for k in np.flatnonzero(beside & _TWINS[Q.argmax(axis=1)]):
            Q[k] = prefer_digits(P[k], strength)
    return Q


#: A twin (``I``/``1``, ``O``/``0``) next to a digit other than a twin read at least this
#: surely, in a word of three characters or more, is a digit (:func:`apply_word_context`).
BESIDE_DIGIT = 0.7

#: A character of a number read as a digit or a twin (``I``/``1``, ``O``/``0``) at least
#: this surely (:func:`number_part`); `_SURE_DIGIT`: one read as a digit other than
#: a twin at least this surely makes a word of them a number.
NUMBER_SHARE = 0.6
_SURE_DIGIT = 0.5


def ordinal_ending(number):
    """The letters an ordinal number takes: ``ST`` after 1, ``ND`` after 2, ``RD``
    after 3, ``TH`` else (and after 11, 12, 13)."""
    if len(number) >= 2 and number[-2] == "1":
        return "TH"
    return {"1": "ST", "2": "ND", "3": "RD"}.get(number[-1], "TH")


def number_part(P):
    """How many characters of a word are a number, if the word is one.

    A word is a number when every character is read as a digit or a twin (``I``/``1``,
    ``O``/``0``; the two together at least :data:`NUMBER_SHARE`) and one of them
    surely as a digit, or the first as an ``I``/``1`` (``118`` read ``II8``; ``10``,
    ``11``, ``101``: no word of two letters or more is written with I and O alone), or
    three or more are twins and the first two rings (``000``, ``0011``; but ``OI`` is
    more often ``OF`` with its bars lost, ``OII`` an ``OIL``, ``OO`` a ``DO`` misread);
    or when such characters are followed by their ordinal's ending (``1ST`` read
    ``IST``; not ``ITH``). No English word is written so.

    Parameters
    ----------
    P : (N, 36) ndarray
        Class probabilities of the word's characters.

    Returns
    -------
    int
        The number's length: 0 if the word is none.
    """
    if len(P) < 2:
        return 0
    if _a_number(P):
        return len(P)
    return len(P) - 2 if _ordinal(P) else 0


#: An ordinal's ending may be misread: each of its letters at least this probable
#: will do (``3RD`` read ``3RO``), and gets :data:`ORDINAL_ODDS` times its odds.
ORDINAL_LEAST = 0.05
ORDINAL_ODDS = 4.0


def _ordinal(P):
    """The ending of the ordinal the characters P (N, 36) may be (``1ST``, ``22ND``,
    ``3RD`` read ``3RO``): a number (:func:`_a_number`) then the two letters its last
    digit takes (:func:`ordinal_ending`), each at least :data:`ORDINAL_LEAST` probable;
    None if none (``ITH``: a ``1`` takes ``ST``)."""
    head = P[:-2]
    if not len(head) or not _a_number(head):
        return None
    ending = ordinal_ending("".join(CLASSES[k] for k in np.where(_IS_DIGIT, head, 0).argmax(axis=1)))
    tail = P[-2:]
    if all(tail[j, CLASSES.index(c)] >= ORDINAL_LEAST for j, c in enumerate(ending)):
        return ending
    return None


def _a_number(P):
    """Are the characters P (N, 36) a number's (:func:`number_part`)?"""
    digit = P[:, _IS_DIGIT & ~_TWINS].sum(axis=1)
    if not np.all((digit + P[:, _TWINS].sum(axis=1) >= NUMBER_SHARE)
                  & (_IS_DIGIT | _TWINS)[P.argmax(axis=1)]):  # (not the L of LIST)
        return False
    if np.any(digit >= _SURE_DIGIT) or P[0, _ONE].sum() > P[0, _ZERO].sum():
        return True
    # three or more rings and bars, the first two rings: 000, 0011 (not OI, OF with its
    # bars lost, nor OII, OIL with its foot lost, nor OO, a DO or a GO misread)
    return bool(len(P) >= 3 and np.all(_TWINS[P.argmax(axis=1)]) and np.all(_ZERO[P[:2].argmax(axis=1)]))


def lone_prior(P, ends_line=False):
    """Re-weight the probabilities (N, 36) of characters standing alone as words:
    numbers and the words A and I are twice as likely as any other letter; I not,
    when the character `ends_line` after other words (the pronoun comes before its
    verb: ``BOX 1``)."""
    Q = np.asarray(P) * (_LONE_END if ends_line else _LONE)
    return Q / Q.sum(axis=-1, keepdims=True)


#: Prior for digits of a list item's number ("1." or a lone character by numbered lines).
NUMBER_PRIOR = 0.8
#: A numbered list counts up: the number a lone first character would have in the
#: count of the numbered lines around it is this many times likelier (:func:`number_lines`).
NEXT_NUMBER = 4.0
#: A line read as a lone digit that breaks the count of this many numbered lines or more,
#: more than half of the others, ...
COUNT_LINES = 2
#: ... is the count's digit when that is at least this many times less likely than the
#: reading (a random number starting a line reads a digit of the count 0.004-0.06 as
#: likely as its own; a 2 read 9 or 1, a 4 read 9, 0.4-0.7) (:func:`number_lines`).
COUNT_ODDS = 8.0


def prefer_digits(p, w_digit):
    """Re-weight class probabilities `p` (36,) by a prior: digits `w_digit`, letters the rest."""
    q = p * np.where(_IS_DIGIT, w_digit, 1 - w_digit)
    return q / q.sum()


def _needs_resegmenting(glyphs, probs, height, width, sure=0.8, max_gap=0.15):
    """Could a word read better split or merged: a glyph wide enough for two
    letters (an unsure one need only be a little wider than one,
    :func:`ocr.segment.may_hold_several`), or an unsure glyph close to its neighbour?"""
    for k, g in enumerate(glyphs):
        if may_hold_several(g, height, width, probs[k].max()):
            return True
        if k and g.box[1] - glyphs[k - 1].box[3] <= max_gap * height:
            if min(probs[k].max(), probs[k - 1].max()) < sure:
                return True
    return False


def reread(model, masks, probs, boxes=REREAD_BOXES):
    """Read glyphs the classifier is unsure of again, in other views, and average.

    The views: the strokes a pixel thinner (a page's ink comes out a little
    fatter than the training crops', closing an S's loops into an 8), and the
    glyph drawn a little smaller and larger than usual, thinned and not (a near
    tie is then tipped less by where the glyph's skeleton fell on the 32x32 grid).

    Parameters
    ----------
    model : ocr.Model
    masks : list of (h, w) bool ndarray
        The glyphs' ink.
    probs : (N, 36) ndarray
        Their probabilities as read the usual way.
    boxes : tuple of int
        Longest sides (classifier pixels) of the other sizes.

    Returns
    -------
    probs : (N, 36) ndarray
        The mean of the ``2 + 2 * len(boxes)`` readings.
    """
    thin = [thinned(m) for m in masks]
    views = [normalize_many(thin)] + [normalize_many(ms, box=b) for b in boxes for ms in (masks, thin)]
    again = model.predict_proba(np.concatenate(views)).reshape(len(views), len(masks), -1)
    return (probs + again.sum(axis=0)) / (1 + len(views))


def classify(analysis, model, context=True):
    """Classify every glyph of an analysed page, splitting touching letters and
    joining broken ones where the classifier reads the word better that way.

    On a page of italic writing (``analysis.shear``, :func:`page_slant`) the
    letters are sheared upright first (:func:`ocr.segment.shear_glyph`), so that
    they are measured, cut and classified as upright letters; the glyphs returned
    are on the page as it is.

    Returns
    -------
    lines : list of list of list of (Glyph, probs, crop)
        Lines of words of characters with their (36,) probability vectors and
        (32, 32) classifier inputs.
    """
    glyphs, H = analysis.glyphs, analysis.height
    big = [i for line in analysis.lines for word in line for i in word
           if not glyphs[i].small or i in analysis.floating]
    shear = analysis.shear
    upright = {i: shear_glyph(glyphs[i], shear) if shear else glyphs[i] for i in big}
    back = {id(upright[i]): glyphs[i] for i in big}  # upright glyph -> the page's glyph
    crops = dict(zip(big, normalize_many([upright[i].mask for i in big])))
    probs = dict(zip(big, model.predict_proba(np.stack([crops[i] for i in big])))) if big else {}
    laid_out = [i for i in big if not glyphs[i].small]  # (a floating glyph may be a scrap)
    W = typical_width([upright[i].width for i in laid_out], [probs[i].max() for i in laid_out]) if laid_out else 0.0
    unsure = [i for i in big if probs[i].max() < REREAD_BELOW]
    if unsure:
        again = reread(model, [upright[i].mask for i in unsure], np.stack([probs[i] for i in unsure]))
        probs.update(zip(unsure, again))
    # a glyph floating mid-line is a letter written small if the classifier is sure of it, else a scrap
    letter = {i for i in big if not glyphs[i].small or not _unsure(probs[i])}
    out = []
    letters_of = [[glyphs[i] for word in line for i in word if i in letter] for line in analysis.lines]
    for k_line, (line, line_letters) in enumerate(zip(analysis.lines, letters_of)):
        words, read_as_is, at_edge = [], [], []
        for word in line:
            idx = [i for i in word if i in letter]
            if not idx:
                continue
            at_edge.append(len(idx) == 1 and idx[0] in analysis.edge and not _letter_sized(glyphs[idx[0]], H))
            gs, ps = [upright[i] for i in idx], [probs[i] for i in idx]
            if len(idx) == 1 and _numbered(word, glyphs, line_letters, H):  # (not with a letter written small)
                ps = [prefer_digits(ps[0], NUMBER_PRIOR)]
            items, lattice, path = list(zip(gs, ps, [crops[i] for i in idx])), None, None
            if _needs_resegmenting(gs, ps, H, W):
                lattice = word_lattice(gs, H, model.predict_proba, width=W, crops=[crops[i] for i in idx], probs=ps)
                if shear:  # back on the page (a letter cut or joined is sheared back)
                    lattice.on_page = lambda g: back.get(id(g)) or shear_glyph(g, -shear)
                path = lattice.best_path()
                items = lattice.letters(path)
                kept = [k for k, (g, p, _) in enumerate(items) if not _cut_mark(g, p, H)]
                if kept and len(kept) < len(items):
                    path, items = [path[k] for k in kept], [items[k] for k in kept]
            elif shear:
                items = [(back[id(g)], p, c) for g, p, c in items]
            read_as_is.append(items)
            if context:
                P = apply_word_context(np.stack([p for _, p, _ in items]))
                if len(items) == 1:
                    P = lone_prior(P, ends_line=word is line[-1] and len(line) >= 2)
                items = [(g, p, c) for (g, _, c), p in zip(items, P)]
            words.append(Letters(items, lattice, path))
        if context:
            words = numbers_after_nouns(bars_before_numbers(words))
            words = months_in_dates(numbers_in_dates(units_after_numbers(words)))
        if not words or (_garbage_line(read_as_is)
                         and not _short_line_in_the_list(read_as_is, letters_of, k_line, H)):
            continue
        for k in sorted({0, len(words) - 1}, reverse=True):  # the line's ends
            if at_edge[k] and _stray_mark(read_as_is[k], EDGE_MARK_CONF):
                del words[k], read_as_is[k], at_edge[k]
        if words and not (len(words) == 1 and _stray_mark(read_as_is[0])
                          and not _in_the_list(letters_of, k_line, H)):
            out.append(words)
    return number_lines(out) if context else out


def typical_width(widths, confs, sure=REREAD_BELOW, least=5):
    """A page's typical letter width: the median width of the glyphs the classifier
    is sure of (`confs` >= `sure`), or of all when fewer than `least` are.

    Two touching letters make one wide glyph the classifier is unsure of; where
    letters often touch, such glyphs widened the median, and a glyph had to be wider
    still to be cut (:func:`ocr.segment.may_hold_several`).

    Parameters
    ----------
    widths, confs : sequence of float
        Each glyph's width (pixels) and its class probability's maximum.

    Returns
    -------
    float
    """
    sure_widths = [w for w, c in zip(widths, confs) if c >= sure]
    return float(median(sure_widths if len(sure_widths) >= least else widths))


def _letter_sized(glyph, height):
    """Is `glyph` the size of a letter of a page whose letters are `height` tall
    (:data:`EDGE_LETTER_HEIGHT`, :data:`EDGE_LETTER_WIDTH`)?"""
    low, high = EDGE_LETTER_HEIGHT
    narrow, wide = EDGE_LETTER_WIDTH
    return low * height <= glyph.height <= high * height and narrow * height <= glyph.width <= wide * height


def _stray_mark(items, below=STRAY_MARK_CONF):
    """Is a line's one word one glyph the classifier is unsure of? A bit of a grid
    line where a shadow's edge crosses it, a scratch, a piece of a desk's grain or a
    cloth's pattern left beside the sheet: no letter looks much like them. `items`
    are the word's (glyph, probabilities, crop) as the classifier read them, before
    the word's context and a lone character's prior (which lean a bare stroke to
    ``1`` whatever it is). ``O`` and ``0`` count as one: a lone ring, split between
    them, is surely one of the two. `below` is the confidence it is a mark under
    (:data:`EDGE_MARK_CONF` for a glyph at a sheet's edge)."""
    if len(items) != 1:
        return False
    _, p, _ = items[0]
    return _unsure(p, below)


def without_edge_scraps(classified, analysis, below=EDGE_MARK_CONF):
    """`classified` lines without a first or last character that is a scrap at the
    sheet's or the photo's edge (``Analysis.edge``) taken into the line's first or
    last word: shorter than a letter (:data:`EDGE_LETTER_HEIGHT`) and read less
    surely than `below`, as a scrap standing apart there is no letter
    (:func:`classify`; a hard shadow's edge meeting the border of a turned photo made
    ``1234567890`` read ``41234567890``). (A letter as tall as the others, however wide,
    stays: an ``M`` twice as wide as tall by the border, read at 0.5.) Taken out once
    the page's reading is chosen (:func:`read`), as :func:`without_stray_words`. A word
    left changed is read glyph by glyph."""
    edge = {id(analysis.glyphs[i]) for i in analysis.edge}
    if not edge:
        return classified

    def scrap(item):
        g, p = item[0], item[1]
        return id(g) in edge and _scrap(g, p, analysis.height, below)

    out = []
    for words in classified:
        words = list(words)
        for k, end in ((0, 0), (len(words) - 1, -1)):
            if words and len(words[k]) >= 2 and scrap(words[k][end]):
                words[k] = Letters(words[k][1:] if end == 0 else words[k][:-1])
        out.append(words)
    return out


def without_stray_words(classified, height, far=STRAY_WORD_GAP, below=STRAY_MARK_CONF):
    """`classified` lines without a last word of glyphs the classifier is unsure of
    (each under `below`) that stands `far` letter heights or more after the word before
    it: a desk's grain or a cloth's pattern beyond the sheet's edge, cut into
    letter-sized pieces (writing goes on a word gap after the last word); nor one of
    one glyph shorter than a letter (:data:`EDGE_LETTER_HEIGHT`) read under
    :data:`SCRAP_CONF`, however near (a sliver of the desk by the sheet's edge read
    ``2`` at 0.18: ``TABLE FOR 4 2``). Taken out once the page's reading is chosen
    (:func:`read`): a reading's unsure characters count against it (:func:`_sureness`)."""
    out = []
    for words in classified:
        if len(words) >= 2:
            before, last = words[-2], words[-1]
            if (last[0][0].box[1] - before[-1][0].box[3] >= far * height
                    and all(_unsure(p, below) for _, p, *_ in last)):
                words = words[:-1]
            elif len(last) == 1 and _scrap(last[0][0], last[0][1], height, SCRAP_CONF):
                words = words[:-1]
        out.append(words)
    return out


def _in_the_list(letters_of, k, height, near=3.0, aligned=1.0, tall=0.6):
    """Does line `k` start where the lines of writing around it start: its first
    letter as tall as a letter by `tall`, its left edge within `aligned` letter
    heights of the first letter of another line of two letters or more within `near`
    letter heights above or below it? (A list's lone number or a short line, not a
    scrap beside the sheet.) `letters_of` are the lines' letter glyphs, left to right."""
    if not letters_of[k] or letters_of[k][0].height < tall * height:
        return False
    g = letters_of[k][0]
    return any(j != k and len(o) >= 2 and abs(o[0].cy - g.cy) <= near * height
               and abs(o[0].box[1] - g.box[1]) <= aligned * height for j, o in enumerate(letters_of))


def _short_line_in_the_list(words, letters_of, k, height, most=UNSURE_LINE_CHARS, near=3.0):
    """Is line `k`, of `words` (as :func:`_garbage_line` takes them), a short line of
    the list: of fewer than `most` characters, starting where the lines around it start
    (:func:`_in_the_list`) and lying between two lines of two letters or more, each
    within `near` letter heights? A desk's grain or a cloth's squares that the sheet
    finder missed lie beyond the writing, never between its lines; a list's line ``5 1``
    of a ``5`` and a ``1`` read at 0.42 and 0.47 does."""
    if sum(len(items) for items in words) >= most or not _in_the_list(letters_of, k, height, near=near):
        return False
    y = np.mean([g.cy for g in letters_of[k]])
    apart = [np.mean([g.cy for g in o]) - y for j, o in enumerate(letters_of) if j != k and len(o) >= 2]
    return any(-near * height <= d < 0 for d in apart) and any(0 < d <= near * height for d in apart)


def _cut_mark(glyph, p, height, low=MARK_HEIGHT):
    """Is `glyph`, a piece cut out of a word's glyphs, with the classifier's (36,)
    reading `p`, a mark: lower than `low` letter heights `height` (a bit of a rule
    or a shadow's edge cut off a letter's foot), as a glyph of its own would be
    (``small``), and read unsurely (:func:`_unsure`)?"""
    return glyph.height < low * height and _unsure(p)


def _scrap(glyph, p, height, below):
    """Is `glyph`, read `p` (36,), a scrap: shorter than a letter of a page whose letters
    are `height` tall (:data:`EDGE_LETTER_HEIGHT`) and read less surely than `below`?"""
    return glyph.height < EDGE_LETTER_HEIGHT[0] * height and _unsure(p, below)


def _unsure(p, below=STRAY_MARK_CONF):
    """Is the classifier's (36,) reading `p` less sure than `below` of any one
    character (``O`` and ``0`` as one, :func:`ocr.segment.one_character`)?"""
    return float(one_character(p[None])[0]) < below


def _garbage_line(words, below=None, least=None):
    """Is a line of `least` (:data:`GARBAGE_CHARS`) characters or more one the
    classifier is, on average, less sure of than `below` (:data:`GARBAGE_CONF`)? A
    desk's grain or a cloth's squares that the sheet finder missed, cut into
    letter-sized pieces: no letter looks much like them, and a line of writing reads
    at 0.8-0.95 (:func:`classify` reads a short line between lines of the list all the
    same, :func:`_short_line_in_the_list`). `words` are the
    line's words of (glyph, probabilities, crop): in :func:`classify`, as the
    classifier read them, before any context. ``O`` and ``0`` count as one, as in
    :func:`_stray_mark` (a ``20`` whose ring is split between them is sure)."""
    confs = [float(c) for items in words for c in one_character(np.stack([p for _, p, *_ in items]))]
    below, least = GARBAGE_CONF if below is None else below, GARBAGE_CHARS if least is None else least
    return len(confs) >= least and sum(confs) / len(confs) < below


def without_unsure_lines(classified):
    """`classified` lines without those of :data:`UNSURE_LINE_CHARS` characters or more
    read, on average, at less than even odds (:data:`UNSURE_LINE_CONF`;
    :func:`_garbage_line`): a cloth's stripes or a desk's grain that a sheet's edge
    left by its first or last line, cut into letters the classifier can barely tell
    (``TFZZ``, ``7 E Z ZI``). A shorter line may be a number or a code read so (``61``
    read ``6I``, ``CH4``). Taken out once the page's reading is chosen (:func:`read`),
    as :func:`without_stray_words`: a reading's unsure characters count against it
    (:func:`_sureness`), and the whole photo's garbage, left out in :func:`classify`,
    made it the surer of a doubtful sheet's two readings (a photo read 1 -> 52
    errors)."""
    return [words for words in classified if not _garbage_line(words, UNSURE_LINE_CONF, UNSURE_LINE_CHARS)]


def _reweighted(word, probs):
    """`word` (:class:`Letters` of ``(glyph, probs, crop)``) with new probabilities."""
    return Letters([(g, p, c) for (g, _, c), p in zip(word, probs)], word.lattice, word.path)


#: Words that follow the pronoun ``I`` and hardly ever a number: auxiliaries and modals,
#: verbs of thinking and wanting, past tenses, the adverbs that come between the pronoun
#: and its verb. Not ``AM`` (``1 AM`` is a time), ``MAY`` (a month), ``CAN``, ``STILL``,
#: ``LEFT`` and ``ONLY`` (``1 CAN OF BEANS``, ``1 STILL WATER``, ``ONLY 1 LEFT``), nor a
#: to-do list's verbs (``1 BUY``, ``1 CALL``, ``1 DO``: a list's first item), nor past
#: tenses a shopping list's food is (``1 SLICED LOAF``) (:func:`bars_before_numbers`,
#: :func:`pronoun_or_one`).
AFTER_I = frozenset("""
HAVE HAD WILL WOULD COULD SHALL SHOULD MUST MIGHT WAS DID DONT DIDNT CANT WONT WASNT HAVENT HADNT
COULDNT WOULDNT SHOULDNT THINK KNOW NEED WANT HOPE LOVE LIKE HATE WISH FEEL GUESS MEAN BELIEVE
SUPPOSE WONDER OWE PREFER AGREE UNDERSTAND PROMISE SWEAR BET APPRECIATE REMEMBER FORGOT JUST ALSO
REALLY NEVER ALWAYS ALREADY ACTUALLY PROBABLY USUALLY OFTEN SOMETIMES EVEN SAID THOUGHT SAW TOLD
WANTED WENT FOUND HEARD MADE TRIED TOOK LOST CALLED ASKED KNEW GOT GAVE CAME BROUGHT BOUGHT SENT
MET PAID COOKED FINISHED STARTED LOOKED NEEDED LOVED LIKED HOPED USED MISSED LEARNED LEARNT WROTE
SPOKE TALKED WALKED RAN ATE FELL SLEPT WOKE BROKE MOVED BOOKED ORDERED PICKED FIXED CLEANED
WASHED CHECKED RANG TEXTED SPENT SOLD FED
""".split())
#: Words the pronoun ``I`` follows: conjunctions, question words, modals and verbs asking
#: or saying (``AND I``, ``IF I``, ``CAN I``, ``THINK I``) (:func:`pronoun_or_one`).
BEFORE_I = frozenset("""
AND BUT SO IF WHEN THEN THAT BECAUSE AS OR WHAT WHERE HOW WHY WHO WHICH UNTIL TILL BEFORE AFTER
SINCE WHILE ONCE NOW THAN UNLESS THOUGH ALTHOUGH WHETHER LIKE CAN COULD SHOULD WOULD WILL SHALL
DO DID AM MAY MIGHT MUST HAVE HAD THINK THOUGHT KNOW HOPE GUESS WISH SAY SAID SORRY YES NO OK
OKAY WELL OH HI HELLO DEAR THANKS
""".split())
#: ... and a lone bar before one of them is this many times likelier an ``I``.
PRONOUN_ODDS = 4.0
_I, _1 = CLASSES.index("I"), CLASSES.index("1")


def bars_before_numbers(words, w_digit=NUMBER_PRIOR, pronoun_odds=PRONOUN_ODDS):
    """A line's lone ``I``/``1`` followed by a number (:func:`number_part`) is more
    likely a ``1`` (``1 45``, a price): the pronoun comes before a verb. Its
    probabilities get the prior of :func:`prefer_digits`. Followed by a word of
    :data:`AFTER_I` (``I WILL``, ``I NEED``), it is `pronoun_odds` times likelier an ``I``.

    Parameters
    ----------
    words : list of list of (Glyph, probs, crop)
        A line's words, read in context.

    Returns
    -------
    list : the same words, such bars re-weighted.
    """
    out = list(words)
    for k in range(len(words) - 1):
        if len(words[k]) != 1 or not _ONE[int(np.argmax(words[k][0][1]))]:
            continue
        nxt = np.stack([p for _, p, _ in words[k + 1]])
        (_, p, _), = words[k]
        if number_part(nxt) == len(nxt):
            out[k] = _reweighted(words[k], [prefer_digits(p, w_digit)])
        elif _text(words[k + 1]) in AFTER_I:
            q = p.copy()
            q[_I] *= pronoun_odds
            out[k] = _reweighted(words[k], [q / q.sum()])
    return out


#: Nouns a note writes a number after: counts, sums and pages (``TOTAL 48``, ``PIN
#: 4821``, ``PAGE 45``), nothing but a number ...
COUNT_NOUNS = frozenset("""
TOTAL PIN PAGE PAGES CHAPTER STEP EXERCISE EXERCISES QUESTION NUMBER NO PRICE COST BUDGET LOAN
RENT SCORE AGE SIZE WEIGHT HEIGHT YEAR LESSON EPISODE SEASON VERSE ISSUE VOLUME ROUND OVEN PHONE
TEL MOBILE ROUTE
""".split())
#: ... and places, seats and codes, a number or a code (``ROOM 12``, ``GATE 16``, ``FLAT
#: 4B``, ``GATE B12``) (:func:`numbers_after_nouns`).
PLACE_NOUNS = frozenset("""
ROOM GATE FLAT SEAT ROW PLATFORM TERMINAL UNIT HOUSE APARTMENT APT SUITE BLOCK BAY LANE WARD BED
DESK LOCKER SPACE TABLE CODE REF ACCOUNT ORDER TICKET FLIGHT TRAIN BUS EXIT JUNCTION LEVEL
FLOOR GRADE EXT TRACK
""".split())
#: A word of up to this many characters after one of them ...
NOUN_NUMBER_CHARS = 5
#: ... is a number when this many times the odds of its digits make each of them its
#: character's most probable.
NOUN_NUMBER_ODDS = 8.0


def numbers_after_nouns(words, odds=NOUN_NUMBER_ODDS, longest=NOUN_NUMBER_CHARS):
    """A line's words with a word after a noun a number follows read as a number when
    it may be one.

    A note writes a number after a room, a gate, a total (:data:`COUNT_NOUNS`,
    :data:`PLACE_NOUNS`): ``ROOM 12`` read ``ROOM IZ`` (the ``2`` at 0.15 against the
    ``Z``'s 0.77), ``LOAN 1500`` read ``I5OB``. A word of up to `longest` characters
    after such a noun gets `odds` times the odds of its digits, when that makes every
    character a digit; else it stays as read (``ROOM IS TIDY``: the ``S`` stays a letter,
    and so does the ``I``; ``CODE RED``). After a place, a reading that holds a digit
    other than a bar's ``1`` or a ring's ``0``, and a letter, stays too: it is a code
    (``FLAT 4B``, its ``B`` at 0.62 and ``8`` at 0.15; but ``ROOM 1Z`` is ``12``, and
    ``TOTAL 4X`` ``48``).

    Parameters
    ----------
    words : list of list of (Glyph, probs, crop)
        A line's words, read in context.
    odds : float
    longest : int

    Returns
    -------
    list : the same words, such numbers re-weighted.
    """
    texts = [_text(w) for w in words]
    out = list(words)
    for k in range(1, len(words)):
        noun = texts[k - 1]
        if (noun not in COUNT_NOUNS and noun not in PLACE_NOUNS) or len(words[k]) > longest or texts[k].isdigit():
            continue
        if noun in PLACE_NOUNS and any(c.isdigit() and c not in "10" for c in texts[k]):
            continue  # a code (4B: a digit, not a bar's or a ring's, and a letter)
        P = np.stack([p for _, p, _ in words[k]]) * np.where(_IS_DIGIT, odds, 1.0)
        P /= P.sum(axis=1, keepdims=True)
        if np.all(_IS_DIGIT[P.argmax(axis=1)]):
            out[k] = _reweighted(words[k], list(P))
    return out


def units_after_numbers(words):
    """A line's words with a character standing alone between a number and a word of
    letters read without a lone character's lean to digits (:func:`lone_prior`): there
    it is a unit, ``200 G FLOUR`` (its ``G`` at 0.50, ``6`` at 0.29, read ``6``); but
    not when that reading is a ring or a bar, which says nothing of the character.

    Parameters
    ----------
    words : list of list of (Glyph, probs, crop)
        A line's words, read in context.

    Returns
    -------
    list : the same words, such characters re-weighted.
    """
    texts = [_text(w) for w in words]
    out = list(words)
    for k in range(1, len(words) - 1):
        if len(words[k]) == 1 and texts[k - 1].isdigit() and len(texts[k + 1]) >= 2 and texts[k + 1].isalpha():
            p = words[k][0][1] / _LONE
            if not _TWINS[p.argmax()]:  # (no unit is a ring or a bar: 5 0 MEET)
                out[k] = _reweighted(words[k], [p / p.sum()])
    return out


#: The months, as a date writes them, whole or cut short.
MONTHS = frozenset("JAN FEB MAR APR MAY JUN JUL AUG SEP SEPT OCT NOV DEC JANUARY FEBRUARY MARCH APRIL JUNE "
                   "JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER".split())
_MONTH_CLASSES = [np.array([CLASSES.index(c) for c in m]) for m in sorted(MONTHS)]
#: A character of a word that may be a date's day or a time's minutes is a digit this
#: likely at least (its digits' probabilities summed: the ``5`` of an ``S``-like ``5``).
DATE_DIGIT = 0.2
#: A time's minutes after its hour, ending the line, get the digits' prior this strong
#: (odds of 49 to 1), each of their characters a digit this likely at least, ...
MINUTES_PRIOR = 0.98
MINUTES_DIGIT = 0.01
#: ... and read as a digit or a letter a digit is written like (not the ``M`` of a
#: random code ``5M``), and not as a unit (``8 OZ``, ``2 LB``).
_DIGIT_LIKE = np.array([c in "0123456789ODQILJZSFGTB" for c in CLASSES])
UNITS = frozenset("OZ LB GB TB FT ST QT".split())


def _a_month(word, least=0.05):
    """May this word (``(glyph, probs, crop)`` items) read as a month: each letter of
    one of :data:`MONTHS` at least `least` probable (``APRII``, the lexicon's
    ``APRIL`` later)?"""
    P = np.stack([p for _, p, _ in word])
    return any(len(m) == len(P) and np.all(P[np.arange(len(P)), m] >= least) for m in _MONTH_CLASSES)


def numbers_in_dates(words, w_digit=NUMBER_PRIOR, least=DATE_DIGIT, minutes=MINUTES_PRIOR,
                     minutes_least=MINUTES_DIGIT):
    """A word of one or two characters that may each be a digit, beside a month
    (``BY 15 APRIL``, ``APRIL 15``) or, of two, the minutes of a time (after a number
    of one or two digits that does not start the line, and ending the line or before
    ``AM``/``PM``: ``PICKUP 3 15``, ``CHECK IN 14 00``) or the hour (before ``PM``, and
    before ``AM`` when two characters or after ``AT`` or ``BY``: ``I AM`` is the pronoun;
    after ``AT`` or ``BY`` before minutes: ``AT 4 30`` read ``AT T 30``),
    is more likely a number: ``15`` had been read ``IS``, ``00`` ``OO``, ``AT 1 PM`` ``AT I
    PM``. Its characters get the prior of
    :func:`prefer_digits`. (Not after a list's number, ``3 DO``, nor inside a line,
    ``1 OF 23``.) Minutes ending the line, read as digits or letters digits are written
    like but for a unit (:data:`UNITS`), get a far stronger prior, when it reads them
    as minutes (00 to 59): a line hardly ever ends in a number and a word, and the
    ``5`` of ``AT 9 15``, read ``IS``, was an ``S`` at 0.92 and a ``5`` at 0.03. So does
    an hour of one character before ``PM`` (or ``AM``, as above): no word of one letter
    is written there, and ``BEFORE 5 PM`` was read ``BEFORE S PM`` (the ``5`` at 0.09).

    Parameters
    ----------
    words : list of list of (Glyph, probs, crop)
        A line's words, read in context.
    w_digit, least : float
        The digits' prior (:func:`prefer_digits`); the least probability of a digit
        (summed) of each character re-weighted.
    minutes, minutes_least : float
        The same for minutes ending the line.

    Returns
    -------
    list : the same words, such words re-weighted.
    """
    texts = [_text(w) for w in words]
    out = list(words)
    for k, w in enumerate(words):
        if not 1 <= len(w) <= 2 or texts[k].isdigit():
            continue
        digits = min(p[_IS_DIGIT].sum() for _, p, _ in w)
        month = (k + 1 < len(words) and _a_month(words[k + 1])) or (k > 0 and _a_month(words[k - 1]))
        time = (len(w) == 2 and k > 1 and len(texts[k - 1]) <= 2 and texts[k - 1].isdigit()
                and (k + 1 == len(words) or texts[k + 1] in ("AM", "PM")))
        # the hour: before PM, or before AM when no pronoun (I AM): of two, or after AT or BY;
        # or after AT or BY before a time's minutes (AT 4 30)
        at = k > 0 and texts[k - 1] in ("AT", "BY")
        meridiem = k + 1 < len(words) and (texts[k + 1] == "PM" or texts[k + 1] == "AM" and (len(w) == 2 or at))
        hour = meridiem or at and _minutes_at(texts, k + 1)
        if (time or meridiem and len(w) == 1) and digits >= minutes_least and texts[k] not in UNITS and all(
                _DIGIT_LIKE[int(np.argmax(p))] for _, p, _ in w):
            # a line ending in a number and two characters is a time, even when the
            # minutes look more like a word (9 IS): few words end a line after a number
            timed = _reweighted(w, [prefer_digits(p, minutes) for _, p, _ in w])
            minute = _text(timed)
            if minute.isdigit() and (int(minute) < 60 or not time):  # (or the hour, 0-9)
                out[k] = timed
                continue
        if (month or time or hour) and digits >= least:
            out[k] = _reweighted(w, [prefer_digits(p, w_digit) for _, p, _ in w])
    return out


def _minutes_at(texts, k):
    """Is the `k`-th of a line's words (`texts`) a time's minutes: two digits, 00 to
    59, ending the line or before ``AM`` or ``PM``?"""
    return (k < len(texts) and len(texts[k]) == 2 and texts[k].isdigit() and int(texts[k]) < 60
            and (k + 1 == len(texts) or texts[k + 1] in ("AM", "PM")))


#: A word beside a day's number that may be a month gets this many times the odds of
#: the month's letters (:func:`months_in_dates`; 20 read the words of random notes beside
#: numbers, ``DAY 5``, ``JAM 24``, as ``MAY`` and ``JAN``), ...
MONTH_ODDS = 8.0
#: ... each of them at least this probable, and no letter changed this sure (as the lexicon's).
MONTH_LEAST = 0.02
MONTH_SURE = 0.95


def months_in_dates(words, odds=MONTH_ODDS, least=MONTH_LEAST, sure=MONTH_SURE):
    """A word beside a day's number (one or two digits, 1 to 31) that may read as a
    month (each of its letters at least `least` probable, none of the others sure) is
    that month: its letters get `odds` times their odds when that makes them all the
    most probable. ``28 NOU``, ``14 DUNE`` are ``28 NOV``, ``14 JUNE``.

    Parameters
    ----------
    words : list of list of (Glyph, probs, crop)
        A line's words, read in context.

    Returns
    -------
    list : the same words, such words re-weighted.
    """
    def day(w):
        t = _text(w)
        return len(t) <= 2 and t.isdigit() and 1 <= int(t) <= 31

    out = list(words)
    for k, w in enumerate(words):
        if not ((k > 0 and day(words[k - 1])) or (k + 1 < len(words) and day(words[k + 1]))):
            continue
        P = np.stack([p for _, p, _ in w])
        best, score = None, -np.inf
        for idx in _MONTH_CLASSES:
            if len(idx) != len(P):
                continue
            q = P[np.arange(len(P)), idx]
            if np.all(q >= least) and np.all((q == P.max(axis=1)) | (P.max(axis=1) < sure)) and np.log(q).sum() > score:
                best, score = idx, np.log(q).sum()
        if best is None:
            continue
        Q = P.copy()
        Q[np.arange(len(P)), best] *= odds
        Q /= Q.sum(axis=1, keepdims=True)
        if np.array_equal(Q.argmax(axis=1), best):
            out[k] = _reweighted(w, Q)
    return out


def number_lines(lines, near=2, w_digit=NUMBER_PRIOR, next_number=NEXT_NUMBER, least=COUNT_LINES):
    """A lone character starting a line, when a line at most `near` lines away
    starts with a lone digit, is more likely a number too (a numbered list whose
    ``1`` is a bare stroke): its probabilities get the prior of :func:`prefer_digits`,
    and the digit that continues the count of those lines (a ``2`` between ``1`` and
    ``3``, written like a ``Z``) is `next_number` times likelier again for each of
    them (a ``4`` written like an ``A`` between ``3`` and ``5``; a ``0`` after it counts
    to no lone digit, and is of another count). When all the page's
    lines that start with a lone digit count alike, however far (a list numbered
    here and there: ``4``, ``5`` and ``6`` on its fourth to sixth lines), each of
    them counts, and the lone character starting its first line is likelier a ``1``
    (without the prior, if no numbered line is near it). A line read as a lone digit
    that breaks the count of `least` numbered lines or more, more than half of the
    page's others (a ``1`` read ``3``, a ``2`` read ``1``, in a list numbered 1 to 5),
    gets the digit of their count :data:`COUNT_ODDS` times likelier, however many they
    are (a random number starting a line, read surely, stays).

    Parameters
    ----------
    lines : list of list of list of (Glyph, probs, crop)
        :func:`classify`'s lines of words.
    near : int
        How many lines away a numbered line counts, when the page's do not all count alike.
    w_digit, next_number : float
        The digits' prior (:func:`prefer_digits`); how much likelier each numbered line
        that counts to it makes a digit, for a lone character not read as a digit.
    least : int
        How many numbered lines it takes to put a lone digit back in their count.

    Returns
    -------
    lines : the same structure, the lone first characters re-weighted.
    """
    def lone_digit(k):
        word = lines[k][0]
        return len(word) == 1 and _IS_DIGIT[int(np.argmax(word[0][1]))]

    numbers = {k: int(CLASSES[int(np.argmax(lines[k][0][0][1]))]) for k in range(len(lines)) if lone_digit(k)}
    # the page's numbered lines all count alike: a list, numbered here and there
    a_list = len({d - j for j, d in numbers.items()}) == 1
    out = []
    for k, words in enumerate(lines):
        first = words[0]
        near_numbers = {j: d for j, d in numbers.items() if 0 < abs(j - k) <= near}
        listed = numbers if a_list else near_numbers  # (for a line k not among them)
        if k in numbers:  # a number that breaks the count of most of the others
            digit = _count_digit(numbers, k, least)
            if digit is not None:
                g, p, c = first[0]
                p = p.copy()
                p[CLASSES.index(str(digit))] *= COUNT_ODDS
                words = [[(g, p / p.sum(), c)]] + words[1:]
        elif len(first) == 1 and listed:
            g, p, c = first[0]
            p = prefer_digits(p, w_digit) if near_numbers else p.copy()
            # the digit each line counts to (none from a line that would give this one
            # no lone digit: a 0 after it is of another count)
            counts = [n for n in (d + k - j for j, d in listed.items()) if 0 <= n <= 9]
            if counts and len(set(counts)) == 1:  # the lines agree on it
                # each line that counts to it is evidence of its own (above and below it)
                p[CLASSES.index(str(counts[0]))] *= next_number ** len(counts)
                p /= p.sum()
            words = [[(g, p, c)]] + words[1:]
        out.append(words)
    return out


def _count_digit(numbers, k, least):
    """The digit line `k` would have in the count of the other lines of `numbers`
    (line: its lone digit), when `least` or more of them, more than half, count alike
    to a digit other than line `k`'s own; else None."""
    steps = [d - j for j, d in numbers.items() if j != k]
    if not steps:
        return None
    step = max(set(steps), key=steps.count)
    agree = steps.count(step)
    if agree < least or 2 * agree <= len(steps) or not 0 <= k + step <= 9 or k + step == numbers[k]:
        return None
    return k + step


def _numbered(word, glyphs, line_letters, height):
    """Is this word a lone character followed by a dot ("1." "2." starting list items)?"""
    big = [i for i in word if not glyphs[i].small]
    if len(big) != 1:
        return False
    end = glyphs[big[0]].box[3]
    return any(glyphs[i].small and glyphs[i].box[1] >= end - 1
               and mark_kind(glyphs[i], line_letters, height) == "." for i in word)


class Letters(list):
    """A word's letters, ``(glyph, probabilities, crop)`` items left to right, and
    where they were chosen: the word's :class:`ocr.segment.Lattice` and the path
    through it that the items are (both None for a word read glyph by glyph)."""

    def __init__(self, items=(), lattice=None, path=None):
        super().__init__(items)
        self.lattice, self.path = lattice, path


def apply_lexicon(classified, lexicon):
    """Re-read unsure words as words of `lexicon`.

    A word read glyph by glyph is corrected letter for letter
    (:meth:`ocr.lexicon.Lexicon.correct`); a word whose letters were chosen among
    cuts and joins (:class:`Letters` with a lattice) may also become a word cut
    or joined otherwise (:meth:`ocr.lexicon.Lexicon.correct_lattice`). Two words
    read as one are split (:func:`split_joined_words`), one word read as two
    joined (:func:`join_split_words`).

    Returns `classified` with a fourth element, the chosen class, on the items
    of every corrected word; the probabilities are kept, so a corrected
    character's confidence is what the classifier gave that letter.
    """
    out = []
    for words in classified:
        line = []
        for items in words:
            P = np.stack([p for _, p, _ in items])
            lattice = getattr(items, "lattice", None)
            if lattice is None:  # read glyph by glyph: its letters are the only way
                lattice, items = Lattice.glyph_by_glyph(P), Letters(items, path=list(range(len(items))))
            choice = lexicon.correct_lattice(lattice, items.path, P)
            if choice is not None:
                kept = dict(zip(items.path, items))  # the reading's letters keep their context
                items = [(*(kept.get(s) or lattice.letters([s])[0]), k) for s, k in choice]
            line.append(items)
        out.append(pronoun_or_one(join_split_words(split_joined_words(line, lexicon), lexicon), lexicon))
    return out


#: A lone character the classifier read as ``I`` as much as ``1``, each at least this
#: probable, is read by its neighbours (:func:`pronoun_or_one`).
PRONOUN_TORN = 0.25


def pronoun_or_one(words, lexicon, torn=PRONOUN_TORN):
    """A line's words with a lone stroke, read ``I`` as much as ``1``, read by its neighbours.

    The classifier cannot tell the two apart in many hands (a bare stroke: ``I``
    0.48, ``1`` 0.44), nor can the letter and digit priors. English can: the pronoun
    comes before a verb, and after a line's start or a word such as ``AND``, ``IF`` or
    ``CAN``; a count of one comes before a noun. Once the lexicon has read the
    neighbours (:func:`bars_before_numbers` saw them as the classifier read them, ``WIIL``),
    the stroke is the pronoun before a word of :data:`AFTER_I` (``I WILL``, ``SORRY I
    MISSED``), the digit between a word of `lexicon` (or a number) that is none of
    :data:`BEFORE_I` and a word that is none of :data:`AFTER_I` (``BRING 1 TOWEL``,
    ``ROOM 1 IS``), and left as read otherwise: after a reading that is no word (``JI I
    AM``, ``IF`` misread), and before ``AM`` (``I AM``; ``AT 1 AM`` is the hour's,
    :func:`numbers_in_dates`). `words` are one line's words of ``(glyph, probabilities,
    crop[, chosen])``.
    """
    texts = [_text(items) for items in words]
    out = list(words)
    for k, items in enumerate(words):
        if len(items) != 1 or min(items[0][1][_I], items[0][1][_1]) < torn:
            continue
        after = texts[k + 1] if k + 1 < len(words) else None
        before = texts[k - 1] if k else None
        if after in AFTER_I:
            chosen = _I
        elif (after is not None and after != "AM" and before is not None and before not in BEFORE_I
              and (before.isdigit() or before in lexicon)):
            chosen = _1
        else:
            continue
        g, p, crop, *_ = items[0]
        out[k] = [(g, p, crop, chosen)]
    return out


#: A word's widest letter gap, at least this many letter heights (its letters' median
#: height) ...
SPLIT_GAP = 0.25
#: ... and this many times its other gaps' median, may be a word gap (split_joined_words).
SPLIT_WIDER = 2.0


def split_joined_words(words, lexicon, gap=SPLIT_GAP, wider=SPLIT_WIDER):
    """A line's words with two words written too close, read as one, split again.

    A reading of four characters or more that is no word of `lexicon` and no number
    is split at its widest letter gap, when that gap is `gap` letter heights or more
    and `wider` times the word's other gaps (their median), if its two parts, each
    corrected by the lexicon (:meth:`ocr.lexicon.Lexicon.correct`), are words: words
    of the lexicon of two letters or more (one of them of three or more), ``A``,
    ``I``, or numbers. ``TRIPCALL`` is ``TRIP CALL``, ``353GYM`` is ``353 GYM``; a
    word of the lexicon (``TODAY``) and a code whose parts are no words stay whole.
    `words` are one line's words of ``(glyph, probabilities, crop[, chosen])``.
    """
    def is_word(t):
        return t in ("A", "I") or t.isdigit() or (len(t) >= 2 and t in lexicon)

    out = []
    for items in words:
        text = _text(items)
        if len(items) < 4 or text.isdigit() or text in lexicon:
            out.append(items)
            continue
        boxes = [g.box for g, *_ in items]
        gaps = np.array([b[1] - a[3] for a, b in zip(boxes, boxes[1:])], float)
        k = int(np.argmax(gaps))
        height = float(np.median([b[2] - b[0] for b in boxes]))
        if gaps[k] < gap * height or gaps[k] < wider * max(1.0, float(np.median(np.delete(gaps, k)))):
            out.append(items)
            continue
        parts = []
        for part in (items[: k + 1], items[k + 1 :]):
            choice = lexicon.correct(np.stack([p for _, p, *_ in part]))
            parts.append(part if choice is None else [(g, p, c, int(n)) for (g, p, c, *_), n in zip(part, choice)])
        a, b = _text(parts[0]), _text(parts[1])
        if is_word(a) and is_word(b) and max(len(a), len(b)) >= 3:
            out.extend(parts)
        else:
            out.append(items)
    return out


def _text(items):
    """A word's reading: each item's chosen class, or its most probable."""
    return "".join(CLASSES[int(chosen[0]) if chosen else int(np.argmax(p))] for _, p, _, *chosen in items)


def join_split_words(words, lexicon):
    """A line's words with a word split in two by too wide a letter gap joined again.

    Two neighbouring words are one when together they read as a word of `lexicon`
    and one of them is no word: a single letter but ``A`` and ``I`` (``P ICK``,
    ``T HE``), or a longer reading the lexicon does not hold. Digits are never
    joined. `words` are one line's words of ``(glyph, probabilities, crop[, chosen])``.
    """
    def no_word(t):
        return t not in ("A", "I") if len(t) == 1 else t not in lexicon

    out = []
    for items in words:
        if out:
            a, b = _text(out[-1]), _text(items)
            if (a + b).isalpha() and len(a + b) >= 3 and a + b in lexicon and (no_word(a) or no_word(b)):
                out[-1] = list(out[-1]) + list(items)
                continue
        out.append(items)
    return out


def build_page(classified, scale, size, name, model_name, height, level=None, offset=(0.0, 0.0)):
    """Page object in original-image coordinates from classified glyphs (`level`:
    ``(tilt, shape, level_shape)`` when the working image was levelled; `offset`: the
    ``(y, x)`` of the working image's corner in the original image)."""
    oy, ox = offset

    def box(g):
        y0, x0, y1, x1 = g.box if level is None else unlevel_box(g.box, *level)
        W, Ht = size
        return (max(0, int(x0 / scale + ox)), max(0, int(y0 / scale + oy)),
                min(W, int(np.ceil(x1 / scale + ox))), min(Ht, int(np.ceil(y1 / scale + oy))))

    lines = []
    for words in classified:
        ws = []
        for items in words:
            chars = []
            for g, p, crop, *chosen in items:  # chosen: a class set by the lexicon
                order = [int(k) for k in np.argsort(p)[::-1]]
                if chosen:
                    order.remove(chosen[0])
                    order.insert(0, chosen[0])
                chars.append(Char(text=CLASSES[order[0]], box=box(g), conf=float(p[order[0]]),
                                  alt=CLASSES[order[1]], crop=crop))
            ws.append(Word(chars))
        lines.append(Line(ws))
    return Page(lines=lines, width=int(size[0]), height=int(size[1]), name=name,
                model=model_name, letter_height=float(height / scale))


def read(source, model=None, max_pixels=DEFAULT_MAX_PIXELS, work_pixels=WORK_PIXELS, context=True,
         name=None, lexicon=None):
    """Read the handwritten text of an image.

    Parameters
    ----------
    source : str, os.PathLike, bytes, ndarray, ocr.load.Loaded or Prepared
        Image file path, image file bytes, an ``(H, W)`` / ``(H, W, 3|4)`` array,
        an image already loaded with :func:`ocr.load.load_image`, or one through
        the image stages already (:func:`prepare`).
    model : ocr.model.Model or str, optional
        Classifier, or path to a model file; the bundled model when None.
    max_pixels : int
        Refuse images claiming more pixels than this.
    work_pixels : int or None
        Work on a copy downscaled to at most this many pixels (None: full size).
    context : bool
        Let the other characters of a word settle letter/digit look-alikes.
    name : str, optional
        Name of the image in the result and in error messages.
    lexicon : ocr.lexicon.Lexicon, optional
        Re-read unsure words as words of this lexicon (never a sure character).

    Returns
    -------
    Page
    """
    from .model import Model

    if model is None or isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
        model = Model.load(model)
    if isinstance(source, Prepared):
        prepared = source
    else:
        loaded = source if isinstance(source, Loaded) else load_image(
            source, max_pixels=max_pixels, work_pixels=work_pixels, name=name)
        prepared = prepare(loaded)
    classified, turns = classify(prepared.analysis, model, context=context), 0
    if prepared.enlarged and prepared.loaded is not None:  # small letters: read also as they are
        prepared, classified = _surer(prepared, classified, prepare(prepared.loaded, enlarge=False), model, context,
                                      sureness=_sure_on_average)
    if prepared.doubtful_sheet and prepared.loaded is not None:
        prepared, classified = _surer(prepared, classified, prepare(prepared.loaded, enclosed=False), model, context)
    if prepared.rescaled is not None:  # read at the scale of the letters it found, too
        prepared, classified = _surer(prepared, classified, prepared.rescaled, model, context)
    if prepared.loaded is not None and (_mean_conf(classified) < TURN_BELOW or _dark_and_empty(prepared, classified)):
        prepared, classified, turns = _best_turn(prepared, classified, model, context)
    classified = without_unsure_lines(without_stray_words(without_edge_scraps(classified, prepared.analysis),
                                                          prepared.analysis.height))
    if lexicon is not None:
        classified = apply_lexicon(classified, lexicon)
    level = (prepared.tilt, prepared.work_shape, prepared.level_shape) if prepared.tilt else None
    page = build_page(classified, prepared.scale, prepared.size, prepared.name, model.name,
                      prepared.analysis.height, level, prepared.offset)
    if prepared.coarse is not None:  # (in the turned image, as `page`)
        page = _with_lines_of(page, prepared.coarse, model, context, lexicon, least=0.6)
    if prepared.detail is not None:
        page = _with_lines_of(page, prepared.detail, model, context, lexicon, most=1.5)
    return _unturned(page, turns) if turns else page


def _with_lines_of(page, other, model, context, lexicon, least=0.0, most=np.inf):
    """`page` with the lines read in `other`, the page or a cut of it at another scale
    (:func:`prepare`), whose letters are `least` to `most` times the letter height
    there, each in place of the lines beside it if it reads better
    (:func:`_in_place_of`). The large writing's lines, at the page's scale, are those
    of letters at least 0.6 of its height (a title's strokes come apart at the
    smaller scale into pieces the classifier is less sure of, or are lost); a cut's
    around a smaller writing, at most 1.5 times its height (not its scraps of the
    large writing).
    """
    classified = classify(other.analysis, model, context=context)
    if lexicon is not None:
        classified = apply_lexicon(classified, lexicon)
    H = other.analysis.height / other.scale  # in the photo's pixels
    lines = build_page(classified, other.scale, other.size, other.name, model.name, other.analysis.height,
                       offset=other.offset).lines
    return _in_place_of(page, [line for line in lines if least * H <= median(
        [c.box[3] - c.box[1] for w in line.words for c in w.chars]) <= most * H])


#: A line read at another scale takes the place of the lines beside it if its characters'
#: confidences over this add up to more than theirs (:func:`_in_place_of`): a sum of
#: confidences favoured a title broken into more pieces (TO DO read T / O IDO), a mean
#: one whose S and P were lost (HOP ING LIST).
SURER = 0.6


def _in_place_of(page, others):
    """`page` with each of the lines `others`, read at another scale, in place of its
    lines beside it (half their height alongside it, over or under some of its
    width: not a line of the other column) if it reads better: its
    characters' confidences over :data:`SURER` add up to more than theirs (a
    character read surely counts for it, an unsure piece against)."""
    lines = list(page.lines)
    for other in others:
        beside = [line for line in lines if _overlap(line.box, other.box, 1) >= 0.5 * (line.box[3] - line.box[1])
                  and _overlap(line.box, other.box, 0) > 0]
        theirs = [c.conf for line in beside for w in line.words for c in w.chars]
        mine = [c.conf for w in other.words for c in w.chars]
        if sum(conf - SURER for conf in mine) > sum(conf - SURER for conf in theirs):
            lines = _placed(lines, other, beside)
    return replace(page, lines=lines)


def _overlap(a, b, axis):
    """How far boxes `a` and `b` (x0, y0, x1, y1) overlap along x (`axis` 0) or y (1)."""
    return min(a[axis + 2], b[axis + 2]) - max(a[axis], b[axis])


def _placed(lines, line, beside):
    """`lines` with `line` in place of those `beside` it: where the first of them
    was, or else before the first line under it (the page's reading order kept, two
    columns' too)."""
    k = next((k for k, other in enumerate(lines) if any(other is b for b in beside)),
             next((k for k, other in enumerate(lines) if other.box[1] > line.box[1]), len(lines)))
    rest = [other for other in lines if all(other is not b for b in beside)]
    return rest[:k] + [line] + rest[k:]  # (no line before k is beside it)


#: A page whose characters the classifier is on average less sure of than this is
#: also read turned by 90, 180 and 270 degrees (a photo taken sideways or upside
#: down, without EXIF orientation) and in negative (chalk on a blackboard); upright
#: pages of writing score 0.8-0.95, the same pages turned 0.4-0.72.
TURN_BELOW = 0.75
#: ... and read turned when that is surer by this much, and surer than TURN_BELOW.
TURN_GAIN = 0.15
#: A reading turned (or in negative) this sure, and surer than upright by TURN_GAIN, is
#: taken without reading the page the other ways (upright writing scores 0.8-0.95).
TURN_SURE = 0.9


def _mean_conf(classified):
    """How sure the classifier is of a page on average (1 when it holds under 3 characters)."""
    confs = [float(p.max()) for words in classified for items in words for _, p, *_ in items]
    return float(np.mean(confs)) if len(confs) >= 3 else 1.0


#: :func:`_sureness` counts a character for its confidence above this.
SURE_OVER = 0.6


def _dark_and_empty(prepared, classified):
    """Did a photo darker than mid-grey read as (next to) nothing? It may be light
    writing on a dark ground, which the reading in negative finds (:func:`_best_turn`)."""
    return _count(classified) < 3 and _dark_photo(prepared.loaded.pixels)


def _dark_photo(pixels):
    """Is a photo (uint8 or float pixels) darker than mid-grey, as a dark ground is?"""
    white = 255 if pixels.dtype == np.uint8 else 1.0
    return float(np.median(pixels[::4, ::4])) < 0.5 * white


def _surer(prepared, classified, other, model, context, sureness=None):
    """``(prepared, classified)``, or the `other` prepared page and its reading when
    the classifier is surer of that (`sureness` of a reading: :func:`_sureness` by
    default), each reading weighed with its page's analysis."""
    sureness = sureness or _sureness
    read_other = classify(other.analysis, model, context=context)
    surer = sureness(read_other, other.analysis) > sureness(classified, prepared.analysis)
    return (other, read_other) if surer else (prepared, classified)


def _sure_on_average(classified, analysis=None):
    """How sure the classifier is of a reading on average (:func:`_mean_conf`), a
    reading of under three characters being sure of nothing (`analysis`, which
    :func:`_surer` gives every sureness, is not needed).

    Small letters enlarged past the working height (:data:`ENLARGE_TO`) keep strokes
    that ran together, but a net of squares can come through the enlarged page's
    thresholds and be read as hundreds of letters (``1111``), or break up faint
    pencil; the page as it was (``prepare(..., enlarge=False)``) reads those better,
    and :func:`read` keeps the reading surer by this. On 512 composed photos with
    letters 22-40 pixels tall (squared paper and pencil among them) read both ways:
    1,025 characters wrong enlarged, 895 as they were, 698 taking the reading surer
    on average (949 taking the one surer in all, :func:`_sureness`: hundreds of
    unsure ``1`` add up).
    """
    return _mean_conf(classified) if _count(classified) >= 3 else 0.0


#: A glyph at the sheet's edge narrower than this many letter heights is a bar that
#: :func:`_sureness` does not count.
EDGE_BAR = 0.15


def _sureness(classified, analysis=None, chance=SURE_OVER, bar=EDGE_BAR):
    """How much of a page the classifier is sure of: the sum over its characters of
    their confidence less `chance`. A desk's grain read as letters adds little or
    takes away (its confidences are low), and so does a page with half its writing
    painted over (it has half the characters).

    With the page's `analysis`, a bar at the sheet's edge (``Analysis.edge``, narrower
    than `bar` letter heights) counts for nothing: the lines of squared or ruled paper
    cut off by a hard shadow's edge, where a sheet was found to end, are bars the
    classifier reads as ``I`` and ``1`` at 0.7-0.85, and they made the lit half's
    reading (the shadow's writing lost: 15 characters wrong) the surer of a doubtful
    sheet's two (:func:`read`; the whole photo's, 1 wrong).
    """
    edge = set() if analysis is None else {
        id(analysis.glyphs[i]) for i in analysis.edge if analysis.glyphs[i].width < bar * analysis.height}
    return sum(float(p.max()) - chance for words in classified for items in words for g, p, *_ in items
               if id(g) not in edge)


def _count(classified):
    """How many characters a classified page holds."""
    return sum(len(items) for words in classified for items in words)


def _best_turn(prepared, classified, model, context):
    """The page read in the orientation (or, for light writing on a dark ground, the
    polarity) the classifier is surest of: (prepared, classified, quarter turns
    counterclockwise). Only a photo darker than mid-grey is read in negative: a bright
    page's negative is mostly ink, and costs many times a reading."""
    loaded = prepared.loaded
    # a reading of next to nothing (a dark photo's, _dark_and_empty) is sure of nothing
    best = (_sure_on_average(classified), prepared, classified, 0)
    upright = best[0]
    # a reading with next to nothing in it is "sure" of it (_mean_conf is 1): it must
    # hold at least half as many characters as the upright one to be taken
    least = max(3, 0.5 * _count(classified))
    white = np.uint8(255) if loaded.pixels.dtype == np.uint8 else np.float32(1)
    candidates = [(k, replace(loaded, pixels=np.ascontiguousarray(np.rot90(loaded.pixels, k)),
                              size=loaded.size[::-1] if k % 2 else loaded.size)) for k in (1, 2, 3)]
    if _dark_photo(loaded.pixels):  # in negative: chalk on a board (a bright photo is no dark ground)
        candidates.append((0, replace(loaded, pixels=white - loaded.pixels)))
    for k, turned in candidates:
        p = prepare(turned, enclosed=False)
        c = classify(p.analysis, model, context=context)
        conf = _mean_conf(c)
        if conf > best[0] and _count(c) >= least:
            best = (conf, p, c, k)
            if conf >= TURN_SURE and conf - upright >= TURN_GAIN:
                break  # as sure as upright writing is: the other ways need not be read
    conf, p, c, k = best
    if p is not prepared and conf >= TURN_BELOW and conf - upright >= TURN_GAIN:
        return p, c, k
    return prepared, classified, 0


def _unturned(page, turns):
    """`page`, read on the image turned `turns` quarter turns counterclockwise, with
    its boxes and size back in the original image's pixels."""
    Wt, Ht = page.width, page.height  # the turned image's size

    def back(box):
        x0, y0, x1, y1 = box
        if turns == 1:  # np.rot90: turned (x, y) is original (W - y, x), W = Ht
            return (Ht - y1, x0, Ht - y0, x1)
        if turns == 2:
            return (Wt - x1, Ht - y1, Wt - x0, Ht - y0)
        return (y0, Wt - x1, y1, Wt - x0)  # turned (x, y) is original (y, H - x), H = Wt

    for ch in page.chars:
        ch.box = back(ch.box)
    if turns % 2:
        page.width, page.height = Ht, Wt
    page.rotation = 90 * turns
    return page
