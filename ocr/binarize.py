"""Stage 2: from a greyscale photo to an ink mask.

Uneven light is removed by dividing by an estimate of the paper's brightness
(where a reflection's veil of light washed the writing out, its contrast is also
given back: :func:`veil_gain`; the shading that estimate leaves, a vignette's
ramps, is then taken off: :func:`paper_left`), noise by a small Gaussian, and ink is kept by
hysteresis thresholding: strong ink seeds, fainter connected ink grows from them
(for the letters a little less far than for finding page lines: :func:`tighten`).
Long horizontal and vertical rules (ruled paper, table borders, page edges) are
removed without cutting the strokes that cross them, and so are the nets of squared
paper, even when the photo is turned or the sheet seen at an angle.
"""

import itertools
from dataclasses import dataclass, field

import numpy as np

from . import kernels
from .kernels import median, percentile
from .load import as_float


#: On a shadow's edge the paper estimate takes the closing of the page as the darkness
#: divides it (:func:`paper_background`, `divided`) where that is this share brighter
#: than the closing whose min filter is wider: on the step itself (a step of light
#: drops by tens of percent over a few pixels; on flat paper the smoothed page's
#: closing is the lower of the two).
STEP_FOLLOW = 0.01


def paper_background(grey, block=16, edges=15, close=False, divided=None):
    """Estimate the brightness of the paper under the ink.

    Parameters
    ----------
    grey : (H, W) float32 ndarray
        Image in [0, 1], 1 = white.
    block : int
        Size of the blocks (pixels) the estimate is computed on; must be larger
        than a stroke is wide.
    edges : int
        Follow the sharp edge of a shadow with a grey closing this many pixels
        wide: wider than a stroke, narrower than a letter is tall (0: the estimate
        stays smooth). Only done where the paper's brightness changes by 15 % or
        more from a block to the next (:func:`has_sharp_light_step`). Where the edge
        is blurred, the paper is then taken along it (:func:`paper_along_the_edge`).
    close : bool
        Each block's paper is the brightest of the blocks around it (so that a
        block full of ink does not darken it), which over-brightens the paper by a
        little everywhere (the noise) and by more where the light falls fast (a
        vignette): a few percent of darkness, which matters under faint pencil.
        With `close`, only a block 10 % darker than the median of those around it
        takes the brightest of them (:func:`paper_overestimate` says how much
        that changes).
    divided : (H, W) float32 ndarray, optional
        The page as the darkness will divide it by the estimate (`grey` smoothed,
        :func:`ink_darkness`; by default `grey`): on a shadow's edge the estimate
        follows its step to the pixel (:data:`STEP_FOLLOW`).

    Returns
    -------
    background : (H, W) float32 ndarray
        Estimate of the paper brightness, >= 0.05.
    """
    return _paper_background(grey, block, edges, close, divided)[0]


def _paper_background(grey, block, edges, close, divided=None):
    """:func:`paper_background`, and whether it followed a sharp edge of light."""
    h, w = grey.shape
    if h < block or w < block:  # smaller than one block: estimate on edge-padded copies
        pad = ((0, max(0, block - h)), (0, max(0, block - w)))
        big = None if divided is None else np.pad(divided, pad, mode="edge")
        bg, sharp = _paper_background(np.pad(grey, pad, mode="edge"), block, edges, close, big)
        return bg[:h, :w], sharp
    bright = _paper_blocks(grey, block)
    sharp = edges >= 3 and _has_sharp_step(bright)
    if sharp:  # the blocks within two of a step, where the smooth estimate mixes both sides
        b = np.maximum(bright, np.float32(0.05))
        low = kernels.minimum_filter1d(kernels.minimum_filter1d(b, 5, axis=0, mode="nearest"), 5, axis=1,
                                       mode="nearest")
        near_step = kernels.box_max(b, 5) * np.float32(0.85) > low
    bright = _closely(bright) if close else kernels.box_max(bright, 3)
    bright = kernels.median_filter(bright, 5)
    bright = kernels.gaussian_filter(bright, 1.0, mode="nearest")
    # Floored before resizing: bilinear values lie between their neighbours.
    bright = np.maximum(bright, np.float32(0.05), dtype=np.float32)
    # Bilinear up to full size, block centres on pixel centres.
    bg = _upsample(bright, (h, w))
    if not sharp:
        return bg, False
    # The blocks' estimate is smooth: across a shadow's sharp edge it stays too bright
    # on the dark side, which then looks like a band of ink. A grey closing (a max then
    # a min filter, wider than any stroke) follows such steps to the pixel and is taken
    # where it is lower, so it only ever darkens the estimate.
    size = int(edges)
    # the min filter is two pixels wider than the max: the pixels on a step (half dark,
    # half bright) get the dark side's paper, not the bright side's, and are no rim of
    # ink (a sheet's edge on a desk, sharpened by the camera or the resampling, rings)
    closing = _grey_closing(grey, size, size + 2)
    # But on a shadow's blurred edge those two pixels are a band along the bright side
    # whose paper is taken darker than it is, and a stroke crossing the edge was cut
    # there (a U's foot, in two). A closing as wide as its max follows a step that only
    # rises or falls (however blurred) exactly; made of the page the darkness divides,
    # it leaves no rim either, and it is taken where it is the brighter by STEP_FOLLOW.
    exact = _grey_closing(grey if divided is None else divided, size, size)
    closing = np.where(exact - closing > np.float32(STEP_FOLLOW) * exact, exact, closing)
    # Only where it is clearly darker: elsewhere the closing's own noise (it follows the
    # local maxima) would lower the estimate in patches and, with it, the thresholds
    # (on squared paper, enough for the grid to pass for ink). Between 3 % and 6 % darker
    # the two are blended: in the shadow beyond the edge the smooth estimate stays a few
    # percent too bright for a while, and a sudden switch from one to the other there
    # draws a line of darkness (under faint pencil, a line of ink) along the edge.
    # Near the step itself the smooth estimate is too bright on the dark side for two or
    # three blocks: there the closing is taken from 3 % darker (blended up to 1.5 %).
    from PIL import Image

    zone = np.asarray(Image.fromarray(near_step.astype(np.uint8) * 255).resize((w, h), Image.BILINEAR)) > 0
    at = np.where(zone, np.float32(0.97), np.float32(0.94))
    r = np.divide(closing, bg, dtype=np.float32)
    f = np.where(r <= at, r, np.minimum(np.float32(1), at + 2 * (r - at)))
    paper = np.maximum(bg * f, np.float32(0.05))
    return paper_along_the_edge(paper, grey if divided is None else divided, size), True


#: Where the paper estimate would fall by more than this share of itself over half a
#: segment along the edge (:func:`paper_along_the_edge`, `reach`: on the working
#: image, 15 pixels, under half a letter's height), the paper is taken along the
#: edge: a shadow's edge blurred over a few pixels falls by 30-50 % over as many; a
#: vignette or a soft shadow by a few percent over a letter's height.
STEEP = 0.12
#: The quantile of the page along the edge taken for its paper there.
ALONG_Q = 0.7
#: How much more the paper's slope goes one way than the other (its gradients'
#: coherence, 0 to 1) for :func:`paper_along_the_edge` to follow it.
ONE_WAY = 0.8
#: :func:`paper_along_the_edge` measures the paper's slope on blocks this many pixels wide.
SLOPE_SCALE = 4
#: A shadow's edge is a band across the page, where the paper falls steeply over 2-11 %
#: of the image; a desk's grain or stripes (a sheet on a desk read whole) over a third
#: of it and more, in ramps whose paper along them is no paper: over this share,
#: :func:`paper_along_the_edge` leaves the estimate as it is.
STEEP_MOST = 0.2
#: A step of light falling by this share of the paper a pixel is sharp (a sheet's edge
#: on a smooth desk: 30-100 %; a shadow's edge blurred over a dozen pixels: 4-8 %, and
#: up to 20-30 % in the odd block where the estimate still follows a stroke).
SHARP_SLOPE = 0.3


def paper_along_the_edge(paper, page, reach, steep=STEEP, q=ALONG_Q):
    """The paper on a shadow's blurred edge, seen along the edge.

    Across the edge the page's brightness falls by a few percent a pixel, so a
    closing (square, :func:`paper_background`) fills a faint stroke crossing it with
    the paper just beside it on the darker side: the stroke's own darkness is taken
    for the ramp's and the stroke is cut there. Along the edge the paper is even:
    there each pixel's paper is taken along a segment ``2 * reach + 1`` pixels long
    through it, across the paper's slope, where that is brighter: the `q` quantile
    of the page over each half of the segment (strokes crossing it cover a few of its
    pixels), the darker of the two halves'. Not where the slope has no one direction
    (a corner), within two blocks of a sharp step (:data:`SHARP_SLOPE`: the closing
    follows it to the pixel), nor on a page over :data:`STEEP_MOST` of which is steep
    (a desk's grain).

    Parameters
    ----------
    paper : (H, W) float32 ndarray
        The paper estimate, following the edge's step.
    page : (H, W) float32 ndarray
        The page the darkness divides (smoothed grey).
    reach : int
        Half the segment's length, pixels: about a stroke's length.
    steep : float
        Where the edge is: the smoothed estimate falls by this share over `reach`.
    q : float
        Quantile of the page along the segment.

    Returns
    -------
    paper : (H, W) float32 ndarray
    """
    # The slope, measured on blocks of SLOPE_SCALE pixels (the estimate is smooth but
    # for its steps); its direction from the gradients' structure tensor over a wider
    # patch, so that the strokes the estimate still follows do not turn it.
    f = SLOPE_SCALE
    h, w = paper.shape
    if h < 2 * f or w < 2 * f:
        return paper
    small = _block_means(paper, f, -(-h // f), -(-w // f))
    smooth = kernels.gaussian_filter(small, 3.0 / f, mode="nearest")
    gy, gx = np.gradient(smooth)
    steep_at = np.hypot(gy, gx) * np.float32(reach / f) > np.float32(steep) * smooth
    if not steep_at.any() or steep_at.mean() > STEEP_MOST:
        return paper
    # Not by a sharp step (a sheet's edge on a desk, a highlighter's): the square
    # closing follows it to the pixel, and a segment along it a degree off the step
    # would take the bright side's paper for a rim of pixels on the step.
    py, px = np.gradient(paper)
    sharp = _block_max(np.hypot(py, px) / paper, f, *small.shape) > np.float32(SHARP_SLOPE)
    steep_at &= ~kernels.box_max(sharp.astype(np.float32), 5).astype(bool)
    if not steep_at.any():
        return paper
    jxx = kernels.gaussian_filter(gx * gx, 6.0 / f, mode="nearest")
    jxy = kernels.gaussian_filter(gx * gy, 6.0 / f, mode="nearest")
    jyy = kernels.gaussian_filter(gy * gy, 6.0 / f, mode="nearest")
    # Only where the slope has one direction: not at a corner (of a highlighter's
    # rectangle), where a segment across the slope runs out of it on both sides.
    coherence = np.hypot(jxx - jyy, 2 * jxy) / np.maximum(jxx + jyy, np.float32(1e-12))
    steep_at &= coherence >= np.float32(ONE_WAY)
    if not steep_at.any():
        return paper
    theta = (0.5 * np.arctan2(2 * jxy, jxx - jyy)).astype(np.float32)  # the slope's direction (x, y)
    rows = np.minimum(np.arange(h) // f, steep_at.shape[0] - 1)
    cols = np.minimum(np.arange(w) // f, steep_at.shape[1] - 1)
    at = steep_at[np.ix_(rows, cols)]
    ys, xs = np.nonzero(at)
    theta = theta[rows[ys], cols[xs]]
    s = np.arange(-reach, reach + 1, dtype=np.float32)
    # along the edge (across the slope), to the nearest pixel
    Y = np.clip(np.rint(ys[:, None] + np.cos(theta)[:, None] * s), 0, h - 1).astype(np.intp)
    X = np.clip(np.rint(xs[:, None] - np.sin(theta)[:, None] * s), 0, w - 1).astype(np.intp)
    along = page[Y, X]
    # Each half of the segment on its own, and the darker of the two: where the edge
    # ends (a highlighter's rectangle turns a corner) one half runs out on to the
    # brighter paper beyond it.
    k = int(round(q * reach))
    level = np.minimum(np.partition(along[:, : reach + 1], k, axis=1)[:, k],
                       np.partition(along[:, reach:], k, axis=1)[:, k])
    out = paper.copy()
    out[ys, xs] = np.maximum(paper[ys, xs], level)
    return out


def _grey_closing(a, size, wider):
    """A grey closing of `a`: a max filter `size` pixels wide, then a min filter `wider`."""
    a = kernels.maximum_filter1d(a, size, axis=0, mode="nearest")
    a = kernels.maximum_filter1d(a, size, axis=1, mode="nearest")
    a = kernels.minimum_filter1d(a, wider, axis=0, mode="nearest")
    return kernels.minimum_filter1d(a, wider, axis=1, mode="nearest")


def _closely(bright):
    """Block brightnesses with only the blocks 10 % darker than the median of those
    around them (mostly ink) raised to the brightest around them."""
    darker = bright < np.float32(0.9) * kernels.median_filter(bright, 3)
    return np.where(darker, kernels.box_max(bright, 3), bright)


def paper_overestimate(grey, block=16):
    """How much brighter the usual paper estimate is than the close one.

    Parameters
    ----------
    grey : (H, W) float32 ndarray
    block : int

    Returns
    -------
    float
        The 90th percentile over the blocks of ``(usual - close) / usual``
        (:func:`paper_background`): about 0.01 on an evenly lit photo, 0.05 and
        more under a lens's vignette or a reflection.
    """
    if grey.shape[0] < 3 * block or grey.shape[1] < 3 * block:
        return 0.0
    bright = _paper_blocks(grey, block)
    usual = kernels.box_max(bright, 3)
    return float(percentile((usual - _closely(bright)) / np.maximum(usual, np.float32(0.05)), 90))


def _paper_blocks(grey, block):
    """Each `block` x `block` block's paper brightness (:func:`paper_background`)."""
    h, w = grey.shape
    bh, bw = max(1, h // block), max(1, w // block)
    # Every other pixel of each block is plenty for its brightness distribution.
    return _block_brightness(_block_values(grey[: bh * block : 2, : bw * block : 2], block // 2))


def _has_sharp_step(bright, step=0.15):
    """Does the paper's brightness change by `step` (relative) from a block to the next?
    A hard shadow's edge does; a soft shadow or uneven light changes over many blocks."""
    b = np.maximum(bright, np.float32(0.05))
    down = np.abs(b[1:] - b[:-1]) / np.maximum(b[1:], b[:-1])
    across = np.abs(b[:, 1:] - b[:, :-1]) / np.maximum(b[:, 1:], b[:, :-1])
    return bool((down.size and down.max() >= step) or (across.size and across.max() >= step))


def has_sharp_light_step(grey, block=16):
    """Whether :func:`paper_background` would follow a sharp edge of light on `grey`.

    Parameters
    ----------
    grey : (H, W) float32 ndarray
    block : int

    Returns
    -------
    bool
    """
    if grey.shape[0] < block or grey.shape[1] < block:
        return False
    return _has_sharp_step(_paper_blocks(grey, block))


def ink_darkness(grey, sigma=1.0, edges=15, close=False, veil=0, feet=True):
    """How much darker than the paper each pixel is.

    Parameters
    ----------
    grey : (H, W) float32 ndarray
        Image in [0, 1], 1 = white.
    sigma : float
        Gaussian denoising, in pixels.
    edges, close
        See :func:`paper_background`.
    veil : int
        If > 0, the writing's contrast is restored where a veil of light washed it
        out (glare, highlights), judged on blocks this many pixels wide, about a
        letter's height: see :func:`veil_gain`.
    feet : bool
        Also take off the paper left at the foot of a shadow's ramp (see
        :func:`paper_left`).

    Returns
    -------
    darkness : (H, W) float32 ndarray
        0 on paper, towards 1 for black ink: ``1 - grey / background``.
    """
    smooth = kernels.gaussian_filter(grey, sigma) if sigma > 0 else None
    bg, sharp = _paper_background(grey, 16, edges, close, smooth)
    if sigma > 0:
        darkness = np.divide(smooth, bg, out=smooth, dtype=np.float32)  # in place: no page copy
    else:
        darkness = np.divide(grey, bg, dtype=np.float32)
    np.subtract(np.float32(1), darkness, out=darkness)
    np.clip(darkness, 0.0, 1.0, out=darkness)
    gain = veil_gain(darkness, bg, veil) if veil > 0 else None
    if gain is not None:
        np.multiply(darkness, gain, out=darkness)
        np.clip(darkness, 0.0, 1.0, out=darkness)
    # across a shadow's sharp edge the blocks' paper would be a step, smoothed: there
    # the paper estimate follows the edge itself, and what it leaves stays
    left = None if sharp else paper_left(darkness, feet=feet)
    if left is not None:
        np.subtract(darkness, left, out=darkness)
        np.maximum(darkness, 0.0, out=darkness)
    return darkness


#: A dithered image (a bilevel or palette image whose greys are made of scattered
#: pixels) has few grey levels: this many make up 99 % of its pixels or fewer (two-level
#: and web-palette dithering: 2-23; photos, even dim and noisy ones: 57 or more), ...
DITHER_LEVELS = 32
#: ... and pixels darker or lighter than both their neighbours in the row by this many
#: grey levels or more, ...
DITHER_STEP = 16
#: ... are this share of it or more (photos: under 0.5 %, 5-30 % with sensor noise of
#: 8-20 grey levels; Floyd-Steinberg dithering to two levels: 20-80 %, to the web
#: palette: 4-50 %).
DITHER_SHARE = 0.02


def is_dithered(grey, levels=DITHER_LEVELS, step=DITHER_STEP, share=DITHER_SHARE, every=8):
    """Whether `grey` makes its greys of scattered dots (a dithered bilevel or palette image).

    Parameters
    ----------
    grey : (H, W) uint8 or float ndarray
        Image, 255 (or 1) = white. Only 8-bit images can be dithered ones.
    levels : int
        Most grey levels making up 99 % of the pixels.
    step : int
        Least difference to both row neighbours, in grey levels.
    share : float
        Least share of the pixels that differ so.
    every : int
        Only every `every`-th row is looked at.

    Returns
    -------
    bool
    """
    rows = np.asarray(grey)[::every]
    if rows.dtype != np.uint8 or rows.shape[1] < 3:
        return False
    counts = np.sort(np.bincount(rows.ravel(), minlength=256))[::-1]
    if np.cumsum(counts)[levels - 1] < 0.99 * rows.size:
        return False  # the many greys of a photo
    rows = rows.astype(np.int16)
    mid = rows[:, 1:-1]
    # darker than both neighbours by `step`, or lighter than both
    low = (mid <= rows[:, :-2] - step) & (mid <= rows[:, 2:] - step)
    high = (mid >= rows[:, :-2] + step) & (mid >= rows[:, 2:] + step)
    return bool(np.count_nonzero(low | high) >= share * mid.size)


def undither(grey, sigma=1.0):
    """`grey` with a dithered image's dots smoothed back into greys.

    A photo saved as a bilevel or palette image (a 1-bit scan, a GIF) makes its
    greys, the paper's included, of scattered black and white pixels: thresholded
    as they are, the dots make specks by the thousand and break thin strokes (a
    dithered grey page lost a third of its letters).

    Parameters
    ----------
    grey : (H, W) uint8 or float32 ndarray
        Image, 1 (or 255) = white.
    sigma : float
        Gaussian smoothing, in pixels, when `grey` is dithered (:func:`is_dithered`).

    Returns
    -------
    grey : (H, W) ndarray, same dtype
        `grey` itself when it is not dithered.
    """
    if not is_dithered(grey):
        return grey
    smooth = kernels.gaussian_filter(np.asarray(grey, dtype=np.float32), sigma)
    if grey.dtype == np.uint8:
        return np.clip(np.rint(smooth), 0, 255).astype(np.uint8)
    return smooth.astype(grey.dtype, copy=False)


#: Blocks (pixels) over which :func:`paper_left` measures the paper's darkness.
LEFT_BLOCK = 32

#: A block's paper this much darker than the lightest around it is the foot of a
#: shadow's ramp, not noise (:func:`paper_left`).
RAMP_FOOT = 0.01


def paper_left(darkness, block=LEFT_BLOCK, q=0.2, feet=True):
    """The paper's own darkness that the paper estimate left, to be taken off.

    :func:`paper_background` takes each block's paper from the brightest blocks
    around it, so where the light falls fast (a lens's vignette towards the corners,
    a soft shadow) the paper is still a few percent dark, in broad ramps. To a page
    threshold that spread looks like noise: it raises the seeds over the faint
    writing everywhere (and under the lowest seeds the dark paper itself would pass
    for ink). Per block, the `q` quantile of the darkness is paper (ink covers far
    less of a block than that); the blocks' levels, the least of each 3 x 3 blocks
    (a block nearly full of ink is no paper, and across a shadow's sharp edge the
    lighter side's is taken), interpolated bilinearly, are what is left of the
    paper's shading. Paper's grain is not: within a block it is what it is. The blocks
    cover the image to its edges, the last row and column of them against the far
    edges (:func:`_covering`): a vignette is darkest at the edge, and from the last
    whole block the levels left a band of darkness there (up to a block and a half
    wide), which a pencil's low thresholds took for a row of specks. (Carrying the
    levels on linearly beyond the outer blocks' centres, rather than holding them,
    took off a little more of a vignette's ramp, but also carried the noise of a
    squared paper's levels on to its edges: a dense net read as ink.)
    (:func:`ink_darkness` leaves a page with a shadow's sharp edge as it is: the
    blocks' levels would blur the step into a band of darkness along it.)

    Over a soft shadow's ramp the paper estimate, taken from the brighter blocks
    around, is a few percent too bright all along (more, the steeper the ramp), and
    where the ramp meets the shadow (its foot) the least of 3 x 3 blocks, taken from
    the flat shadow beside it, leaves a band one or two blocks wide of that: under a
    pencil's low thresholds, a band of "ink" down the page that swallows the letters
    it crosses. With `feet`, a block whose own level and the
    median of the 3 x 3 around it are both over :data:`RAMP_FOOT` above the least
    keeps the lower of those two instead (a lone block full of ink is still outvoted
    by its neighbours).

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        ``1 - grey / background``, in [0, 1].
    block : int
        Block size, pixels: under a letter's height.
    q : float
        Quantile of a block's darkness taken for its paper.
    feet : bool
        Follow the foot of a shadow's ramp (above).

    Returns
    -------
    left : (H, W) float32 ndarray or None
        >= 0; None when the image is under 3 x 3 blocks or the paper left is nowhere
        over 0.005.
    """
    half = block // 2
    sub = darkness[::2, ::2]  # every other pixel is plenty for a quantile
    if sub.shape[0] // half < 3 or sub.shape[1] // half < 3:
        return None
    # the blocks cover the image to its far edges, where a vignette is darkest
    rows, row_centres = _covering(sub.shape[0], half)
    cols, col_centres = _covering(sub.shape[1], half)
    values = _block_values(sub[np.ix_(rows, cols)], half)
    k = int(q * (values.shape[2] - 1))
    level = np.partition(values, k, axis=2)[:, :, k].astype(np.float32)
    lowest = kernels.minimum_filter1d(kernels.minimum_filter1d(level, 3, axis=0, mode="nearest"), 3, axis=1,
                                      mode="nearest")
    if feet:
        middle = np.minimum(level, kernels.median_filter(level, 3))
        level = np.where(middle > lowest + np.float32(RAMP_FOOT), middle, lowest)
    else:
        level = lowest
    if level.max() <= 0.005:
        return None
    R = _weights_at(2 * row_centres, darkness.shape[0])
    C = _weights_at(2 * col_centres, darkness.shape[1])
    return R @ (level @ C.T)


def _covering(size, block):
    """Indices that lay blocks of `block` along `size` pixels (at least three blocks'
    worth) to cover them all, and the blocks' centres: whole blocks from the start,
    and what they leave over covered by one more against the far end, in place of the
    last whole one when less than half a block is left (the two would nearly
    coincide)."""
    n = size // block
    starts = np.arange(n) * block
    left = size - n * block
    if left:
        starts = np.append(starts if 2 * left >= block else starts[:-1], size - block)
    index = (starts[:, None] + np.arange(block)).ravel()
    return index, (starts + 0.5 * block).astype(np.float32)


def _weights_at(centres, size):
    """(size, n) float32 weights that interpolate `n` values (n >= 2) at `centres`
    (increasing, pixels from the first pixel's outer edge) linearly to `size` pixels,
    held beyond the first and last."""
    x = np.arange(size) + 0.5
    i0 = np.clip(np.searchsorted(centres, x) - 1, 0, len(centres) - 2)
    i1 = i0 + 1
    t = np.clip((x - centres[i0]) / (centres[i1] - centres[i0]), 0, 1).astype(np.float32)
    R = np.zeros((size, len(centres)), np.float32)
    R[np.arange(size), i0] += 1 - t
    R[np.arange(size), i1] += t
    return R


def _upsample(values, shape, block=None):
    """Bilinear interpolation of block values up to an image, block centres on pixel
    centres, the edge blocks' values held beyond them (as Pillow's bilinear resize,
    within 1e-6): two small matrix products, several times faster than a resized
    image copied out of Pillow.

    Parameters
    ----------
    values : (n, m) float32 ndarray
    shape : (H, W)
    block : float, optional
        Pixels per block; by default the image spans the blocks exactly (``H / n``
        and ``W / m``).

    Returns
    -------
    (H, W) float32 ndarray
    """
    (n, m), (H, W) = values.shape, shape
    rows = _bilinear_weights(n, H, block or H / n)
    cols = _bilinear_weights(m, W, block or W / m)
    return rows @ (values.astype(np.float32) @ cols.T)


def _bilinear_weights(n, size, block):
    """(size, n) float32 weights that interpolate `n` values at the centres of blocks
    `block` pixels wide bilinearly to `size` pixels (held constant past the first and
    last centres)."""
    u = np.clip((np.arange(size) + 0.5) / block - 0.5, 0, n - 1)
    i0 = np.floor(u).astype(np.intp)
    i1 = np.minimum(i0 + 1, n - 1)
    t = (u - i0).astype(np.float32)
    R = np.zeros((size, n), np.float32)
    R[np.arange(size), i0] += 1 - t
    R[np.arange(size), i1] += t
    return R


#: Paper brighter than the page's bright paper by more than this is taken to be
#: under a veil of light (:func:`veil_gain`); less is ordinary uneven light.
VEIL_MARGIN = 0.04


def veil_gain(darkness, background, block, stroke=9, most=4.0, least=0.10, strong=0.25, margin=VEIL_MARGIN):
    """How much to raise the darkness of writing washed out by a veil of light.

    Glare on glossy paper, or a camera's highlights squeezed towards white, add
    light to the ink and the paper alike: with a veil ``v``, a grey ``a`` is seen
    as ``a (1 - v) + v``, and the paper ``p`` as ``P = p (1 - v) + v``. Dividing by
    the paper no longer undoes that: the ink's darkness is only ``(P - v) / P`` of
    what it was. ``v`` is estimated per block from how much brighter its paper is
    than the page's bright paper ``p0`` (the 75th percentile of the blocks', so
    that the bright half of a page lit from one side is not taken for a veil):
    ``v = (P - p0) / (1 - p0)``, taken in full from ``P - p0 = 2 margin`` down to
    none at ``margin`` (ordinary uneven light). The gain ``P / (P - v)`` is applied
    only where the block holds some writing (thin strokes at least `least` dark,
    and three times as dark as in blank blocks: the fifth of the blocks with the
    lightest strokes), and never beyond what lifts the writing there to the page's
    typical ink.

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        ``1 - grey / background``, in [0, 1].
    background : (H, W) float32 ndarray
        The paper's brightness (:func:`paper_background`).
    block : int
        Block size in pixels, about a letter's height.
    stroke : int
        Strokes are what a grey opening this wide removes from the darkness
        (a top-hat): broad shading does not count as writing.
    most : float
        Largest gain.
    least : float
        Smallest stroke darkness that counts as writing in a block.
    strong : float
        Blocks whose strokes reach this darkness set the page's typical ink.
    margin : float
        Paper brighter than the bright paper ``p0`` by less than this is not veiled.

    Returns
    -------
    gain : (H, W) float32 ndarray or None
        >= 1 everywhere; None where nothing is to be raised.
    """
    H, W = darkness.shape
    nb, nx = -(-H // block), -(-W // block)
    if nb * nx < 4:
        return None
    paper = _block_means(background, block, nb, nx)
    p0 = float(percentile(paper.ravel(), 75))
    above = paper - p0
    veil = np.clip(above / max(1.0 - p0, 1e-3), 0.0, 0.9) * np.clip(above / margin - 1.0, 0.0, 1.0)
    if not veil.any():
        return None
    opened = kernels.minimum_filter1d(kernels.minimum_filter1d(darkness, stroke, axis=0), stroke, axis=1)
    opened = kernels.maximum_filter1d(kernels.maximum_filter1d(opened, stroke, axis=0), stroke, axis=1)
    strokes = _block_max(darkness - opened, block, nb, nx)
    inked = strokes[strokes >= strong]
    if inked.size < 3:
        return None
    typical = float(median(inked))
    writing = strokes >= max(least, 3.0 * float(percentile(strokes.ravel(), 20)))  # over blank paper's
    # the writing's own level: its darkest strokes in the block or a neighbour (a block
    # holding only a stroke's tapering end is not lifted above the stroke)
    level = kernels.box_max(strokes, 3)
    gain = np.minimum(paper / np.maximum(paper - veil, 1e-3), typical / np.maximum(level, 1e-6))
    gain = np.where(writing, np.clip(gain, 1.0, most), 1.0).astype(np.float32)
    if gain.max() <= 1.0:
        return None
    return _upsample(gain, (H, W), block)


def _padded_blocks(a, block, nb, nx):
    """`a` padded with zeros to `nb` x `nx` tiles: (nb, block, nx, block)."""
    p = np.zeros((nb * block, nx * block), np.float32)
    p[: a.shape[0], : a.shape[1]] = a
    return p.reshape(nb, block, nx, block)


def _block_means(a, block, nb, nx):
    """Means of `block` x `block` tiles; the last row and column of tiles over the image only."""
    H, W = a.shape
    sums = _padded_blocks(a, block, nb, nx).sum(axis=(1, 3))
    rows = np.minimum(block, H - block * np.arange(nb))[:, None]
    cols = np.minimum(block, W - block * np.arange(nx))[None, :]
    return (sums / (rows * cols)).astype(np.float32)


def _block_max(a, block, nb, nx):
    """Maxima of `block` x `block` tiles (the padding's zeros are no higher than darkness)."""
    return _padded_blocks(a, block, nb, nx).max(axis=(1, 3))


#: Smallest darkness that is ink on an ordinary page (:func:`threshold_levels`).
MIN_CONTRAST = 0.12
#: Nothing fainter than this is ever ink, on a page of faint writing either
#: (:func:`threshold_levels`).
FAINT_CONTRAST = 0.035

#: A page is read as faint when its faint stroke pixels outnumber the darker ones
#: this many times (:func:`threshold_levels`) ...
FAINT_SHARE = 1.5
#: ... and cover no more than this share of it: writing covers a few percent of a page
#: (faint pages 2-4 %); more is the paper's own mottle, set in a cheap JPEG's blocks.
FAINT_COVER = 0.07


def threshold_levels(darkness, min_contrast=MIN_CONTRAST, faint_contrast=FAINT_CONTRAST):
    """Choose the low and high hysteresis thresholds for ink.

    Ink is what stands out of the paper's noise by a robust margin, and at least
    `min_contrast` darker than the paper (so a blank page gives no ink at all).
    A page whose writing is nearly all fainter than that (pencil, a washed-out
    photo) is read down to `faint_contrast`, still above the paper's noise.

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        Output of :func:`ink_darkness`.
    min_contrast : float
        Smallest darkness that can be ink on an ordinary page.
    faint_contrast : float
        Smallest darkness that can be ink on a faint page: one where faint
        stroke pixels (between this and `min_contrast`, above the noise, with
        paper within three pixels) outnumber the darker ones :data:`FAINT_SHARE` to one and
        cover at least 0.2 % of the page, and at most :data:`FAINT_COVER` of it. Broad
        grey areas (a second sheet, a shadow's edge) have no paper beside them, so
        they do not count.

    Returns
    -------
    low, high : float
    """
    sub = darkness[::2, ::2]
    d = sub.ravel()
    med, mad = _paper_spread(d)
    noise = med + 6 * mad
    floor = min_contrast
    if noise < min_contrast:
        strong = np.count_nonzero(d > min_contrast)
        lowest = max(noise, faint_contrast)
        faint = (sub > lowest) & (sub <= min_contrast)
        if np.count_nonzero(faint) > FAINT_SHARE * strong:
            # keep the faint pixels that have paper near them: strokes, not areas
            near = kernels.minimum_filter1d(kernels.minimum_filter1d(sub, 7, axis=0), 7, axis=1)
            faint = np.count_nonzero(_short_pieces(faint & (near < 0.5 * lowest)))
            if FAINT_SHARE * strong < faint and 0.002 * d.size < faint <= FAINT_COVER * d.size:
                floor = lowest
    high = max(floor, noise)
    ink = d[d > high]
    if ink.size > 50:
        # Strokes are seeded at half the typical ink darkness: faint photos still pass.
        high = max(high, 0.5 * float(percentile(ink, 60)))
    low = max(0.6 * high, med + 3 * mad, 0.6 * floor)
    return low, high


def _short_pieces(mask):
    """`mask` without its pieces a third of the image's shorter side long or longer:
    the lines of squared or ruled paper, as faint as pencil, are no faint writing."""
    labels, n = kernels.label(mask)
    if n == 0:
        return mask
    long = min(mask.shape) / 3
    keep = np.zeros(n + 1, bool)
    for k, box in enumerate(kernels.find_objects(labels, n), start=1):
        keep[k] = box is not None and max(box[0].stop - box[0].start, box[1].stop - box[1].start) < long
    return keep[labels]


def _paper_spread(d):
    """Median and robust spread (MAD as a standard deviation, + 0.001) of darkness
    values `d`: the paper's level and noise, since most of a page is paper."""
    med = float(median(d))
    return med, float(median(np.abs(d - med))) * 1.4826 + 1e-3


def weak_writing_levels(darkness, mask, levels, min_contrast=MIN_CONTRAST, faint_contrast=FAINT_CONTRAST):
    """Lower hysteresis thresholds for writing that is all weak (a pencil), or None.

    :func:`threshold_levels` seeds strokes at half the typical ink darkness, but
    never below `min_contrast`; where the ink is little darker than that (a
    pencil, whose strokes are 0.1 to 0.3 dark), the seeds then miss the lighter
    parts of the letters, and letters break. Whether that is so is judged on the
    writing alone (`mask`, page lines removed: on ruled or squared paper the lines
    would pass for weak ink): when half its typical darkness is under the page's
    seed level, and that level is the floor `min_contrast` itself (the ink did not
    set it), the seeds go down to half the writing's typical darkness, still above
    the paper's noise and `faint_contrast`.

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        :func:`ink_darkness` of the page.
    mask : (H, W) bool ndarray
        The writing found with `levels`, page lines removed.
    levels : (float, float)
        :func:`threshold_levels` of `darkness`.
    min_contrast, faint_contrast : float
        As for :func:`threshold_levels`.

    Returns
    -------
    (low, high) or None
    """
    low, high = levels
    if high != min_contrast:
        return None
    ink = darkness[mask]
    if ink.size <= 50:
        return None
    med, mad = _paper_spread(darkness[::2, ::2].ravel())
    lowered = max(med + 6 * mad, faint_contrast, 0.5 * float(percentile(ink, 60)))
    if lowered >= high:
        return None
    return max(0.6 * lowered, med + 3 * mad), lowered


def remove_rules(mask, min_length, which="both"):
    """Remove long straight horizontal/vertical lines (rules, borders, page edges).

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask.
    min_length : int
        A run of ink this long (pixels) in one row or column is a rule, not a letter.
    which : {'both', 'horizontal', 'vertical'}
        The rules to remove.

    Returns
    -------
    mask : (H, W) bool ndarray
        The ink without the rules; strokes crossing a rule keep their pixels
        on it, so letters are not cut.
    """
    min_length = int(max(3, min_length))
    horiz = _straight_runs(mask, min_length, 1, 5) if which != "vertical" else np.zeros_like(mask)
    vert = _straight_runs(mask, min_length, 0, 5) if which != "horizontal" else np.zeros_like(mask)
    rules = horiz | vert
    if not rules.any():
        return mask
    # A rule pixel stays if ink continues on both sides of it (a stroke crossing):
    # above and below a horizontal rule, left and right of a vertical one.
    rest = mask & ~rules
    keep = horiz & _ink_on_both_sides(rest, 4, axis=0)
    if vert.any():
        keep |= vert & ~horiz & _ink_on_both_sides(rest, 4, axis=1)
    return rest | keep


def remove_slanted_rules(mask, min_length, max_width=3.0, reach=4, most_slant=10.0):
    """Remove long straight lines at a slant (a notebook's margin line or a page's
    edge in a photo turned by a few degrees), which :func:`remove_rules` finds only
    within a degree or two of level or upright, from the letters that touch them.

    In a piece of ink `min_length` pixels long or longer, the straight line within
    `most_slant` degrees of level (of upright, for a piece taller than wide) that
    runs through the most of its pixels is found as a Hough transform would: for
    every slant, a histogram of the pixels' distances across it. Its pixels (those
    within its own thickness of it, at most `max_width` either side) are a line
    when they run along it over nine tenths of the piece's length, and of
    `min_length`, or more without a gap longer than `reach`, and the piece is no
    thicker than the line along most of it (not a broad band the line cuts
    through). They are removed but where ink continues on both sides of the line
    (a stroke crossing it); so are the bits of the same line that a crossing
    stroke cut off (pieces lying wholly on it, within half `min_length` of its
    ends).

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask.
    min_length : float
        A straight run of ink this long (pixels) is a line, not a letter.
    max_width : float
        A line is no thicker than twice this many pixels.
    reach : int
        How far beyond the line a crossing stroke's ink is looked for, pixels.
    most_slant : float
        Lines slanting further from level or upright are left alone, degrees.

    Returns
    -------
    mask : (H, W) bool ndarray
        Without the lines; `mask` itself when there are none.
    """
    labels, n = kernels.label(mask)
    slices = kernels.find_objects(labels, n)
    slopes = np.tan(np.radians(np.arange(-most_slant, most_slant + 0.01, 0.25)))
    out, boxes = None, None
    for k, (ys, xs) in enumerate(slices, start=1):
        h, w = ys.stop - ys.start, xs.stop - xs.start
        if max(h, w) < min_length:
            continue
        py, px = np.nonzero(labels[ys, xs] == k)
        along, across = (py, px) if h > w else (px, py)  # a line down, or across
        # the slant and offset with most pixels within a pixel of the line
        best = (0, 0.0, 0)
        for t in slopes:
            off = np.round(across - t * along).astype(np.intp)
            lo = int(off.min())
            counts = np.bincount(off - lo)
            if len(counts) >= 3:
                counts = counts[:-2] + counts[1:-1] + counts[2:]
                peak = int(np.argmax(counts))
                if counts[peak] > best[0]:
                    best = (int(counts[peak]), float(t), lo + peak + 1)
        _, t, centre = best
        norm = np.hypot(1.0, t)

        def off_line(a, c):  # distance across the line of the points at (along a, across c)
            return (c - t * a - centre) / norm

        d = off_line(along, across)
        band = np.abs(d) <= 1.5
        positions = np.unique(along[band])
        if len(positions) < 2 or np.ptp(positions) < 0.9 * max(min_length, np.ptp(along)) or np.diff(positions).max() > reach:
            continue  # (a line must run the piece's whole length: not a part of something more slanted)
        # thin along most of its length: not a cut through a broad band (a shadow's edge)
        around = np.abs(d) <= max_width + 3
        if np.median(np.bincount(along[around] - along.min())[positions - along.min()]) > 2 * max_width + 1:
            continue
        width = min(max_width, 0.5 * np.count_nonzero(band) / len(positions) + 0.5)
        line = np.abs(d) <= width
        # ink on both sides of the line, within `reach` pixels beyond it
        normal = np.array([-t, 1.0]) / norm  # (along, across) components
        ny, nx = (normal[0], normal[1]) if h > w else (normal[1], normal[0])
        rest = np.zeros((h, w), bool)
        rest[py[~line], px[~line]] = True
        sides = []
        for sign in (-1, 1):
            seen = np.zeros(len(py), bool)
            for r in range(1, reach + 1):
                qy = np.round(py + sign * (width + r) * ny).astype(np.intp)
                qx = np.round(px + sign * (width + r) * nx).astype(np.intp)
                ok = (qy >= 0) & (qy < h) & (qx >= 0) & (qx < w)
                seen[ok] |= rest[qy[ok], qx[ok]]
            sides.append(seen)
        drop = line & ~(sides[0] & sides[1])
        if out is None:
            out = mask.copy()
        out[ys.start + py[drop], xs.start + px[drop]] = False
        # and the bits of the same line that strokes crossing it cut off
        if boxes is None:
            boxes = np.array([(v.start, u.start, v.stop, u.stop) for v, u in slices], float).reshape(-1, 4)
        cy, cx = (boxes[:, 0] + boxes[:, 2] - 1) / 2 - ys.start, (boxes[:, 1] + boxes[:, 3] - 1) / 2 - xs.start
        ca, cc = (cy, cx) if h > w else (cx, cy)
        size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        on = (np.abs(off_line(ca, cc)) <= width + 1 + 0.5 * size) & (size <= min_length)
        on &= (ca >= positions[0] - 0.5 * min_length) & (ca <= positions[-1] + 0.5 * min_length)  # near its ends
        on[k - 1] = False
        for j in np.flatnonzero(on) + 1:
            vs, us = slices[j - 1]
            qy, qx = np.nonzero(labels[vs, us] == j)
            qy, qx = qy + vs.start - ys.start, qx + us.start - xs.start
            qa, qc = (qy, qx) if h > w else (qx, qy)
            if (np.abs(off_line(qa, qc)) <= width + 1).all():
                out[qy + ys.start, qx + xs.start] = False
    return mask if out is None else out


def _straight_runs(mask, length, axis, width):
    """The pixels of `mask` on runs of ink `length` pixels long along `axis`, the ink
    first thickened `width` pixels across them, so that a slightly tilted stroke
    (which steps by a pixel every so often) still forms one long run."""
    thick = kernels.maximum_filter1d(mask.view(np.uint8), width, axis=1 - axis).view(bool)
    return _opening_1d(thick, length, axis=axis) & mask


def _ink_on_both_sides(ink, reach, axis):
    """Pixels with `ink` (bool) within `reach` pixels before them and within `reach`
    after them along `axis`."""
    r = ink.view(np.uint8)
    before = kernels.maximum_filter1d(r, 2 * reach + 1, axis=axis, origin=reach).view(bool)
    after = kernels.maximum_filter1d(r, 2 * reach + 1, axis=axis, origin=-reach).view(bool)
    return before & after


def remove_frame_bars(mask, height, rules=None, reach=3):
    """Remove printed frames around letters: a form's boxes, one per letter.

    A row of boxes is a rule along its top and one along its bottom (runs of ink
    two letter heights long or longer, or `rules` already removed from the page)
    with upright bars between them, as tall as the boxes, which would be read as
    ``I``s. An upright straight stroke 0.8 letter heights long or longer whose top
    and bottom both touch such rules (within `reach` pixels) is a box's side when it
    stands in a row of three or more such strokes on the same rules, each within 2.5
    letter heights of the next (:func:`_rows_of_sides`: a field of two boxes has three
    sides; the stems of a letter or two filling the space between two rules of ruled
    or squared paper are fewer or further apart). The page's rules are not used when they hold
    upright lines (squared paper, whose letters stand between its lines like a
    form's; its upright lines may lean a few degrees). Boxes whose rules are
    shorter (a lone box, a field of two, a print broken in places) are found by
    their two sides joined at both ends, with something written between them
    (:func:`_boxes`). The sides are removed with a pixel around them, and the rules
    they stand on, and the slivers the rules left (:func:`_without_rule_slivers`).
    Pixels of a side with ink on both sides of it, and of a rule with ink above and
    below it (a letter's stroke crossing or touching it), are kept.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask.
    height : float
        Typical letter height, in pixels.
    rules : (H, W) bool ndarray, optional
        Rules already removed from `mask` (a page's lines).
    reach : int
        How far from a rule a side's end may stop.

    Returns
    -------
    mask : (H, W) bool ndarray
        Without the frames; `mask` itself when there are none.
    """
    if height <= 0:
        return mask
    if rules is not None and _straight_runs(rules, max(3, int(2 * height)), 0, 7).any():
        rules = None  # squared paper (turned a little): its letters stand between its lines like a form's
    flat = _straight_runs(mask, max(3, int(2 * height)), 1, 3)
    upright = _straight_runs(mask, max(3, int(0.8 * height)), 0, 3)
    labels, n = kernels.label(upright & ~flat)
    slices = kernels.find_objects(labels, n)
    sides = np.zeros(n + 1, bool)
    boxed, joining = _boxes(mask, slices, height, reach)
    sides[boxed] = True
    flat |= joining
    anchors = flat if rules is None else flat | rules
    if not anchors.any():
        return mask
    near = kernels.box_max(anchors.view(np.uint8), 2 * reach + 1).view(bool)
    standing = [k for k, (ys, xs) in enumerate(slices, start=1)
                if near[ys.start, xs].any() and near[ys.stop - 1, xs].any()]
    for row in _rows_of_sides([(slices[k - 1], k) for k in standing], reach, 2.5 * height):
        sides[row] = True
    if not sides.any():
        return mask
    side = sides[labels]
    # the rules the sides stand on
    lines, n_lines = kernels.label(flat)
    touched = np.zeros(n_lines + 1, bool)
    touched[lines[kernels.box_max(side.view(np.uint8), 2 * reach + 1).view(bool)]] = True
    touched[0] = False
    # and the frame's edge pixels the openings left (its corners, a ragged edge)
    frame = kernels.box_max((side | touched[lines]).view(np.uint8), 3).view(bool) & mask
    side = frame & kernels.box_max(side.view(np.uint8), 3).view(bool)
    rest = mask & ~frame
    kept = rest | (side & _ink_on_both_sides(rest, 2, axis=1)) | (frame & ~side & _ink_on_both_sides(rest, 2, axis=0))
    return _without_rule_slivers(kept, near, side, height, reach)


def _without_rule_slivers(mask, near, side, height, reach):
    """`mask` without the slivers a form's rules left: pieces lying wholly on the
    rules (`near`: the rules and `reach` pixels around them) within 2.5 letter
    heights of a box's `side`. A rule a pixel thicker than was taken, or broken by
    a faint print into stretches shorter than two letters, leaves such slivers,
    which would join the letters under them (a ``2`` and a ``7`` under a sliver of
    rule read as ``I`` and ``T``)."""
    along = kernels.maximum_filter1d(side.view(np.uint8), 2 * reach + 1, axis=0)
    along = kernels.maximum_filter1d(along, max(3, int(5 * height)) | 1, axis=1).view(bool)
    labels, n = kernels.label(mask)
    if n == 0:
        return mask
    outside = np.bincount(labels[~(near & along)], minlength=n + 1)
    sliver = outside == 0
    sliver[0] = False
    return mask & ~sliver[labels] if sliver.any() else mask


#: A piece of ink with this share of its pixels or more within RIM_NEAR letter heights
#: of the straight lines taken out is what they left (:func:`without_rule_remnants`) ...
RIM_SHARE = 0.8
RIM_NEAR = 0.1
#: ... unless it lies within this many letter heights of other ink (a letter's bar a rule cut off).
RIM_APART = 0.3


def without_rule_remnants(mask, rules, height, labelled=None, share=RIM_SHARE, near=RIM_NEAR, apart=RIM_APART):
    """`mask` without the pieces of ink that the straight lines taken out of it left.

    A sheet's edge on a dark desk leaves a rim of ink just outside it, where the
    paper's light still sets the level, and that rim, taken out as a rule
    (:func:`remove_rules`, :func:`remove_slanted_rules`), leaves its corners and the
    stubs where the desk's noise crossed it; a phone's shadow along the edge does the
    same. Read as ``J``, ``7`` or ``M`` round the writing, they are no letters: a piece
    with `share` of its pixels or more within `near` letter heights of `rules` goes,
    unless other ink lies within `apart` letter heights of it (a letter's bar that a
    rule through the letter cut off).

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The ink, the rules taken out.
    rules : (H, W) bool ndarray
        The straight lines' pixels taken out of it.
    height : float
        The page's letter height, pixels.
    labelled : tuple, optional
        ``(labels, boxes, areas)`` of `mask`'s components (:func:`ocr.segment.components`),
        when the caller has them.

    Returns
    -------
    mask : (H, W) bool ndarray
        `mask` itself when nothing goes.
    """
    if height <= 0 or not rules.any():
        return mask
    if labelled is None:
        labels, n = kernels.label(mask)
        areas = np.bincount(labels[mask], minlength=n + 1)[1:]
    else:
        labels, _, areas = labelled
        n = len(areas)
    if n == 0:
        return mask
    r = max(2, round(near * height))
    close = kernels.box_max(rules.view(np.uint8), 2 * r + 1).view(bool)
    on = np.bincount(labels[close], minlength=n + 1)
    drop = np.concatenate([[False], on[1:] >= share * areas])
    if drop.any():  # ... but not beside other ink
        a = max(2, round(apart * height))
        by = kernels.box_max((mask & ~drop[labels]).view(np.uint8), 2 * a + 1).view(bool)
        drop[labels[by & mask]] = False
    return mask & ~drop[labels] if drop.any() else mask


def _boxes(mask, slices, height, reach, covered=0.75):
    """Boxes printed around letters, found by their sides: two upright strokes of
    `mask` (`slices`, ``(rows, columns)``, indexed from 1) as long as each other
    (their ends within `reach` pixels), 0.4 to 2.5 times that length apart, joined
    at their tops and at their bottoms by straight horizontal ink over `covered` of
    the columns between them, with a piece of ink between them that touches
    neither, or both at a point (:func:`_written_between`: a letter written in the
    box). The rules need not run on (a lone box) and may be broken (a faint print).
    A letter's two stems are not joined so at both ends, and what lies between a
    squarish ``O``'s or a ``B``'s sides is joined to them otherwise.

    Returns
    -------
    sides : list of int
        The labels of the boxes' sides.
    rules : (H, W) bool ndarray
        The rules joining them.
    """
    strokes = sorted(((s[1].start, s[1].stop, s[0].start, s[0].stop, k) for k, s in enumerate(slices, start=1)
                      if s[0].stop - s[0].start >= 0.8 * height), key=lambda s: s[0])
    sides, rules = [], np.zeros_like(mask)
    for i, (x0, x1, y0, y1, k) in enumerate(strokes):
        side = y1 - y0
        for u0, u1, v0, v1, j in strokes[i + 1 :]:
            if u0 - x0 > 2.5 * side:
                break
            if abs(v0 - y0) > reach or abs(v1 - y1) > reach or u0 - x1 < 0.4 * side:
                continue
            if not _written_between(mask[max(y0, v0) + reach + 1 : min(y1, v1) - reach - 1, x1:u0]):
                continue  # an O's or a B's sides, or an empty box
            # straight horizontal ink along the tops and the bottoms
            bands = [(max(0, min(y0, v0) - reach), max(y0, v0) + reach + 1),
                     (min(y1, v1) - reach - 1, max(y1, v1) + reach)]
            flat = [_straight_runs(mask[a:b, x0:u1], max(3, int(0.3 * height)), 1, 3) for a, b in bands]
            if all(f[:, x1 - x0 : u0 - x0].any(axis=0).mean() >= covered for f in flat):
                for (a, b), f in zip(bands, flat):
                    rules[a:b, x0:u1] |= f
                sides += [k, j]
    return sides, rules


def _written_between(inside):
    """Whether `inside` (bool, the ink between two upright strokes, their ends left
    out) holds a piece of ink that reaches its middle fifth of rows and touches
    neither of them, or both only along a quarter of their length or less: a letter
    written in a box (a little too wide for it). The ink between a letter's own
    stems is joined to them further (an ``O``'s thick stroke) or to one only (a
    ``B``'s middle)."""
    if inside.shape[0] < 5 or inside.shape[1] < 3:
        return False
    labels, n = kernels.label(inside)
    if n == 0:
        return False
    h = inside.shape[0]
    # rows along which each piece touches the left and the right stroke
    left = np.bincount(labels[:, 0], minlength=n + 1)
    right = np.bincount(labels[:, -1], minlength=n + 1)
    # free, or touching both sides at a point each (a letter a little too wide for its box)
    free = ((left == 0) & (right == 0)) | ((left > 0) & (right > 0) & (left <= 0.25 * h) & (right <= 0.25 * h))
    free[0] = False
    middle = labels[int(0.4 * h) : int(0.6 * h) + 1]
    return bool(free[middle].any())


def _rows_of_sides(strokes, reach, gap):
    """The strokes (``((rows, columns) slices, label)``) that stand three or more in a
    row on the same rules: strokes within `gap` pixels of each other with their tops
    and bottoms within `reach` pixels are neighbours, and a row is a chain of
    neighbours. A form's row of two boxes has three sides; a letter's two stems, or
    two letters' stems, filling the space between two rules of ruled or squared paper
    are not taken for one. (A row's end sides reach a few pixels further, into the
    frame's corners: a stroke running past another by up to twice `reach` at one
    end or both is still its neighbour.) Returns lists of labels."""
    strokes = sorted(strokes, key=lambda s: s[0][1].start)
    root = list(range(len(strokes)))

    def find(i):
        while root[i] != i:
            root[i] = i = root[root[i]]
        return i

    for i, ((ys, xs), _) in enumerate(strokes):
        for j in range(i + 1, len(strokes)):
            (vs, us), _ = strokes[j]
            if us.start - xs.start > gap:
                break
            top, bottom = vs.start - ys.start, vs.stop - ys.stop
            if (abs(top) <= reach and abs(bottom) <= reach) or (
                    # one running past the other at one end or both, into the frame's corners
                    max(abs(top), abs(bottom)) <= 2 * reach and top * bottom <= 0):
                root[find(j)] = find(i)
    rows = {}
    for i, (_, label) in enumerate(strokes):
        rows.setdefault(find(i), []).append(label)
    return [row for row in rows.values() if len(row) >= 3]


def remove_page_lines(mask, darkness, levels=None, return_lines=False, least=0.0):
    """Remove the lines of squared paper, ruled paper and tables.

    Page lines are straight runs of ink at least an eighth of the image's
    shorter side long (and `least` pixels) that line up over at least half of it: two such lines
    each way and five in all make a net (squared paper, a table), its lines
    down needing only to run :data:`NET_SPAN` of the way from its first line
    across to its last (a quarter of the shorter side at least); four or more
    across, over at least a quarter of it, and at most one down a quarter of it
    long make ruled paper (beside two such lines down they are a net whose lines
    down were not followed, and are left); anything less (a big letter, a frame,
    a '#') is left alone, and so is a run in a row (a column) that lines up with
    too little else to be a line (a T's bar on a form, an eighth of a small page
    long). The photo may be turned: each family of lines is first made axis-aligned by
    shifting whole columns (or rows) by whole pixels, at the slope where the
    ink's projection is sharpest (within 8 degrees), so nothing is resampled. A
    sheet seen at an angle has a family whose lines draw together (a fan, each
    line's slope changing with its place: :func:`_sharpest_fan`): where one slope
    finds lines, they are followed along the fan instead when the ink piles up
    more sharply along it, its columns then also stretched a little each
    (nearest pixel, no row lost: :func:`_straighten`).

    The lines are then divided out of the darkness like the paper's own shading
    (:func:`divide_out_lines`), and the ink is thresholded again: a stroke that
    crosses a line or runs along it keeps its pixels on the line, whether it is
    darker than the line (a pen) or lighter (pencil on squared paper). What that
    leaves of the lines themselves goes (:func:`_without_remnants`).

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask: ``hysteresis(darkness, *levels)``.
    darkness : (H, W) float32 ndarray
        :func:`ink_darkness` of the page.
    levels : (float, float), optional
        The ``(low, high)`` thresholds `mask` was made with
        (:func:`threshold_levels`). Without them (a quick look) the runs are
        removed by shape, and darkness only tells strokes darker than the lines
        (:func:`_without_runs`): pencil lighter than the lines is cut wherever it
        crosses one.

    return_lines : bool
        Also return the lines found (:class:`PageLines`, None when there are none
        or no `levels`), for :func:`faint_writing`.
    least : float
        Shortest run that makes a row (a column) a line's, in pixels, however small
        the image: a line of letters in a photo a few letters tall is no net, though
        its letters' bars and stems are each an eighth of its height long and line
        up in rows and columns. A line's runs from an eighth of the shorter side go
        with it.

    Returns
    -------
    mask : (H, W) bool ndarray
        Without the page lines; `mask` itself when it has none.
    """
    if not return_lines:
        return _remove_page_lines(mask, darkness, levels, least)[0]
    return _remove_page_lines(mask, darkness, levels, least)


#: The lines down of a net run at least this share of the way from its first line
#: across to its last (:func:`remove_page_lines`).
NET_SPAN = 0.75


def _remove_page_lines(mask, darkness, levels, least=0.0):
    """:func:`remove_page_lines`: ``(mask, PageLines or None)``."""
    short = min(mask.shape)
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return mask, None

    def lines_along(m, t):  # m without the runs along t in rows where they add up to a line, and their lengths
        sheared, offsets = _straighten(m, t)
        kept = remove_rules(sheared, short / 8, which="horizontal")
        # a row is a line's by its runs of `least` or more; once it is, its shorter runs
        # (a rule between two letters of a big hand) go with it
        long = kept if least <= short / 8 else remove_rules(sheared, least, which="horizontal")
        per_row = (sheared & ~long).sum(axis=1)
        # A stroke an eighth of a small page long (a T's bar on a form) is no line's
        # part unless its row, or one beside it, holds runs enough to be a line.
        line = per_row >= short / 4
        lined = line.copy()
        lined[1:] |= line[:-1]
        lined[:-1] |= line[1:]
        return kept | (sheared & ~lined[:, None]), offsets, per_row

    def family_along(m, ys, xs, shape):  # the lines of m along the x axis: along a slope, or a fan finding more
        t = _sharpest_slope(ys, xs)
        kept, offsets, per_row = lines_along(m, t)
        if _count_lines(per_row >= short / 4) >= 2:  # lines: they may draw together
            fan = _sharpest_fan(ys, xs, shape, t)
            if fan[1] != 0:
                more = lines_along(m, fan)
                if _count_lines(more[2] >= short / 2) > _count_lines(per_row >= short / 2):
                    return fan, *more
        return t, kept, offsets, per_row

    t_across, kept, offsets, per_row = family_along(mask, ys, xs, mask.shape)
    across, part_across = _count_lines(per_row >= short / 2), _count_lines(per_row >= short / 4)
    if part_across < 2:
        return mask, None  # neither a net nor ruled paper: the common case, at half the cost
    rows = np.flatnonzero(per_row >= short / 4)
    rest_across = _unstraighten(kept, offsets, mask.shape[0])
    t_down, kept, offsets, per_column = family_along(rest_across.T, xs, ys, mask.shape[::-1])
    rest_both = _unstraighten(kept, offsets, mask.shape[1]).T
    down = _count_lines(per_column >= short / 2)
    # The lines down of a net cross its lines across, and need only run from the
    # first of those to the last (a small sheet turned in its cut-out, a table).
    net_down = _count_lines(per_column >= min(short / 2, max(short / 4, NET_SPAN * (rows[-1] - rows[0]))))
    if min(across, net_down) >= 2 and across + net_down >= 5:
        runs, slopes = mask & ~rest_both, (t_across, t_down)  # squared paper, a table
    elif part_across >= 4 and _count_lines(per_column >= short / 4) < 2:
        # Rules need only be found over a quarter of the page: where light falls off
        # (a shadow's edge) a faint ruling may reach the ink's threshold only there.
        # Beside two lines down as long, they are a net whose lines down no one slope
        # followed (a sheet in perspective, not flat): divided out alone, the rules
        # would leave those as stubs a square long, read as `I`s.
        runs, slopes = mask & ~rest_across, (t_across, None)  # ruled paper
    else:
        return mask, None
    if levels is None:
        return _without_runs(mask, darkness, runs), None
    clean = divide_out_lines(darkness, runs, slopes)
    rest = _without_remnants(*hysteresis(clean, *levels, labelled=True, within=mask), clean, runs)
    return rest, PageLines(runs=runs, clean=clean, levels=tuple(levels))


#: A piece of ink lying on the page lines is what dividing them out left of them when
#: it is lighter than this share of the writing's typical darkness (:func:`_without_remnants`).
REMNANT = 0.5


def _without_remnants(mask, labels, n, clean, runs, share=REMNANT):
    """`mask` (its components `labels`, 1..`n`) without the pieces of the page lines
    that dividing them out left.

    Lines a little curved are followed along one slope (or one fan) each way
    (:func:`divide_out_lines`), so a line drifting off it by a pixel or two leaves
    stubs. Such a piece lies on the lines (nine tenths of its pixels within a
    pixel of `runs`) and is light: its mean `clean` darkness under `share` of the
    median of the ink off the lines. A pen's stroke along a line is as dark as the
    writing, and stays.
    """
    near = kernels.box_max(runs.view(np.uint8), 3).view(bool)
    off = mask & ~near
    if n == 0 or not off.any():
        return mask
    typical = float(median(clean[off]))
    on_lines = _mean_by_label(near.astype(np.float32), labels, n, mask) >= 0.9
    light = _mean_by_label(clean, labels, n, mask) < share * typical
    drop = on_lines & light
    drop[0] = False
    return mask & ~drop[labels] if drop.any() else mask


@dataclass(eq=False)
class PageLines:
    """The page lines :func:`remove_page_lines` found and divided out.

    Attributes
    ----------
    runs : (H, W) bool ndarray
        Their pixels.
    clean : (H, W) float32 ndarray
        The page's darkness with them divided out.
    levels : (float, float)
        The ``(low, high)`` levels the ink was found with, lines and all.
    """

    runs: np.ndarray = field(repr=False)
    clean: np.ndarray = field(repr=False)
    levels: tuple


#: :func:`lines_under_the_noise` seeds its search for lines this many spreads of the
#: paper's darkness above its median (:func:`threshold_levels` seeds ink at six).
LINES_SEED_SPREAD = 3.0
#: ... and again at this share of that many, and so on down to its floor or one spread,
#: while no net is found: a dense net in a dim photo may be most of the paper's spread
#: itself (1: one search).
LINES_LOWER_SPREAD = 0.7
#: ... those lower searches seeded at most this dark: a printed net hidden in the paper's
#: spread is light (0.05-0.15); a pattern found darker is a cloth's under the sheet.
LINES_LOWER_MOST = 1.5 * MIN_CONTRAST
#: ... and reads the page anew only if the lines divided out lower its seed level
#: to this share of what it was or less.
LINES_LOWER_LEVEL = 0.85
#: A net the page's ink showed no line of (`broken`) is looked for also when the ink set
#: the seed level, at most this many times what the paper's spread would have set it to.
LINES_BROKEN_SLACK = 1.1


def lines_under_the_noise(darkness, levels, seed_spread=LINES_SEED_SPREAD, least=0.0, broken=False):
    """Page lines lighter than the seed level they set themselves, and the writing
    found again with them divided out; or None.

    :func:`threshold_levels` takes the paper's spread of darkness for its noise.
    A net of lines blurred over much of the paper (squared paper in a soft or dim
    photo) widens that spread until the seed level stands above the lines, and
    above a pencil as light as they are: neither is found, and the letters are
    lost. When the paper's spread set the seed level (not the ink, not the floor
    `MIN_CONTRAST`), the lines are looked for in the ink seeded at `seed_spread`
    spreads above the paper instead of six (:func:`remove_page_lines`), and when none
    are found there, at :data:`LINES_LOWER_SPREAD` of that, and so on down to the
    floor or one spread (a dense net in a small, dim photo is a fifth of the paper, and most of its
    spread: three spreads stood over it, six over the pencil; those searches are seeded
    no darker than :data:`LINES_LOWER_MOST`, and a net found so is taken only when
    dividing it out lowers the seed level); once they
    are divided out the page has its own levels, and if they are clearly lower
    (:data:`LINES_LOWER_LEVEL`) its writing is thresholded at them, what the
    dividing left of the lines dropped. Those levels keep the
    ordinary floor `MIN_CONTRAST` (no faint page): the edge of a hard shadow, which
    the paper estimate does not follow, stands out of the divided darkness as much
    as a faint pencil does.

    A net just under the seed level can also come through in pieces: its crossings
    and bits of its lines, seeded where the noise darkens them, none long enough to be
    a line's (squared paper in a side shadow with sensor noise, the ink's half
    darkness 0.3 % above the noise's level: the pieces were read as letters 8 pixels
    tall, the page as 15 lines of fragments). When the page's ink showed no line
    (`broken`), the search is also made when the ink set the seed level, up to
    :data:`LINES_BROKEN_SLACK` times the paper's; lines found so are divided out of
    the page, its writing thresholded at `levels` when the clean darkness's own levels
    are no lower.

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        :func:`ink_darkness` of the page.
    levels : (float, float)
        Its :func:`threshold_levels`.
    seed_spread : float
        Seed level of the search for lines, in spreads of the paper's darkness
        above its median (at least three quarters of `MIN_CONTRAST`), of the first
        search.
    least : float
        Shortest run of a line, as for :func:`remove_page_lines`.
    broken : bool
        No page line was found in the ink at `levels`.

    Returns
    -------
    (mask, lines) or None
        `mask` : (H, W) bool ndarray, the writing; `lines` : :class:`PageLines`,
        whose `clean` darkness and `levels` the writing was found at.
    """
    high = levels[1]
    if high <= MIN_CONTRAST:
        return None  # the floor set the seed level
    med, mad = _paper_spread(darkness[::2, ::2].ravel())  # as threshold_levels did (6 ms a page)
    noise = med + 6 * mad
    if high > (LINES_BROKEN_SLACK if broken else 1.0) * noise + 1e-6:
        return None  # the ink set the seed level, not the paper's spread
    lines, spread, floor = None, seed_spread, 0.75 * MIN_CONTRAST
    while lines is None and spread >= 1.0:
        seed = max(floor, med + spread * mad)
        if spread < seed_spread and seed > LINES_LOWER_MOST:
            break  # (a pattern so dark is a desk's, a cloth's: no printed net)
        if seed < 0.8 * high:  # (a search so close to the seed level finds what it found)
            low_levels = (0.6 * seed, seed)
            _, lines = _remove_page_lines(hysteresis(darkness, *low_levels), darkness, low_levels, least)
        if seed <= floor or LINES_LOWER_SPREAD >= 1.0:
            break
        spread *= LINES_LOWER_SPREAD
    if lines is None:
        return None
    clean = lines.clean
    new = threshold_levels(clean, faint_contrast=MIN_CONTRAST)
    if new[1] >= LINES_LOWER_LEVEL * high:
        if high <= noise + 1e-6 or spread < seed_spread:  # (a net found lower only if it hid the writing)
            return None
        new = tuple(levels)  # (a broken net under the ink's level: its pieces go, the writing stays)
    mask = _without_remnants(*hysteresis(clean, *new, labelled=True), clean, lines.runs)
    return mask, PageLines(runs=lines.runs, clean=clean, levels=tuple(new))


#: A piece of faint writing keeps its pixels darker than this share of its own
#: typical darkness (:func:`faint_writing`): a pencil's letter keeps the leg it
#: pressed lighter (at 0.5 an ``A`` on squared paper lost one and was read ``I``;
#: 0.4 read 1,792 composed pages with 1,654 errors against 1,707; on 152 pages of
#: squared paper 0.3 read one fewer than 0.4).
FAINT_STROKE_SHARE = 0.4


#: :func:`faint_writing` adds no more than this many times the ink already found
#: (on real pages it adds 1-15 %; a net of lines not quite divided out, 150 %).
FAINT_MOST = 1.25


def faint_writing(mask, lines, height, share=FAINT_STROKE_SHARE, off=2):
    """Writing lighter than the page's levels allowed, on lined or squared paper.

    The seed level of a page is set by the noise of its paper, and a net of lines
    counts as noise: pencil as light as the lines then never seeds, and lighter
    strokes of the letters found fall under the floor of :func:`tighten`. Once the
    lines are divided out (`lines.clean`) the page has its own, lower levels
    (:func:`threshold_levels`), lowered again when the writing found is all weak
    there (a pencil on squared paper, :func:`weak_writing_levels`: the lines, not
    the floor, had set the page's levels, so the page was not lowered for weak
    writing before). Where they are lower, pixels above the new seed
    level seed, but only more than `off` pixels from a line (the lines' crossings
    are never quite divided out); pixels above the new floor are candidates, near a
    line only if above the new seed level. Each piece of candidate ink keeps what
    is darker than `share` of its own typical darkness (that of the ink already
    found in it, else of its seeds: a light letter keeps its light strokes, a dark
    one grows no halo); a piece that touches no ink found before must be at least
    0.4 letter heights long (a letter, not a speck).

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The letters' ink (:func:`tighten`), lines removed.
    lines : PageLines
        From :func:`remove_page_lines` with ``return_lines``.
    height : float
        The page's letter height, pixels.

    Returns
    -------
    mask : (H, W) bool ndarray
        `mask` with the faint writing added; `mask` itself when nothing is, or when
        it would be more than :data:`FAINT_MOST` times what `mask` holds.
    """
    clean, high = lines.clean, lines.levels[1]
    levels = threshold_levels(clean)
    new_low, new_high = weak_writing_levels(clean, mask, levels) or levels
    if new_high >= high or height <= 0:
        return mask
    near_line = kernels.box_max(lines.runs.view(np.uint8), 2 * off + 1) > 0
    seeds = (clean > new_high) & ~near_line
    candidates = (clean > max(new_low, 0.6 * new_high)) & ~(near_line & (clean <= new_high))
    labels, n = kernels.label(candidates)
    ink = mask & candidates
    typical = _mean_by_label(clean, labels, n, ink)
    typical = np.where(np.isnan(typical), _mean_by_label(clean, labels, n, seeds), typical)
    typical[0] = np.inf
    kept = candidates & (clean > share * typical[labels])
    labels, n = kernels.label(kept | mask)
    if n == 0:
        return mask
    seeded = np.zeros(n + 1, bool)
    seeded[labels[seeds & kept]] = True
    found = np.zeros(n + 1, bool)
    found[labels[mask]] = True
    for k, box in enumerate(kernels.find_objects(labels, n), start=1):
        if seeded[k] and not found[k] and box is not None:
            if max(box[0].stop - box[0].start, box[1].stop - box[1].start) < 0.4 * height:
                seeded[k] = False
    add = (seeded | found)[labels] & ~mask
    # Much more "faint writing" than all the writing found is no writing: the lines,
    # or a shading, left where they were not quite divided out.
    if not add.any() or np.count_nonzero(add) > FAINT_MOST * np.count_nonzero(mask):
        return mask
    return mask | add


#: :func:`strokes_across_lines` joins pieces of ink this many pixels or fewer from a page
#: line, on both sides of it (at the working scale a line is 1-3 pixels wide).
ACROSS_REACH = 3


def strokes_across_lines(mask, runs, reach=ACROSS_REACH):
    """Strokes cut where they cross a page line, joined again.

    Dividing the page lines out (:func:`divide_out_lines`) never quite clears
    their crossings with a stroke lighter than they are: a pencil's stroke that
    crosses a line of squared paper is cut there (an ``A``'s leg in two, read
    ``II``). A pixel within a pixel of the lines (`runs`) with ink within `reach`
    pixels above and below it is ink again when the pixels so found join two pieces
    of ink that were apart: a corner of one stroke next to a line, already whole,
    gains nothing. (Gaps are not joined left and right: across a line down, that
    joins two letters written close on either side of it.)

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The letters' ink, the lines removed.
    runs : (H, W) bool ndarray
        The page lines' pixels (:class:`PageLines`).
    reach : int
        How far from the gap's middle the ink on either side may be, pixels.

    Returns
    -------
    mask : (H, W) bool ndarray
        With the joins; `mask` itself when there is none.
    """
    near = kernels.box_max(runs.view(np.uint8), 3).view(bool)
    gaps = near & ~mask & _ink_on_both_sides(mask, reach, 0)
    if not gaps.any():
        return mask
    pieces, m = kernels.label(mask)
    joins, n = kernels.label(gaps)
    touching = kernels.box_max(joins, 3)
    on = (touching > 0) & mask
    # each (join, piece) pair that touches, once, as one number; then how many pieces
    # each join touches
    pairs = np.unique(touching[on].astype(np.int64) * (m + 1) + pieces[on])
    joined = np.bincount(pairs // (m + 1), minlength=n + 1) >= 2
    return mask | joined[joins] if joined.any() else mask


#: :func:`light_strokes` follows ink down to this many spreads of the paper's darkness
#: above its median, on the darkness smoothed by a further Gaussian of LIGHT_SIGMA px.
LIGHT_SPREAD = 4.5
LIGHT_SIGMA = 1.5
#: A light stroke lies this many letter heights or more from the photo's edge (where its shading lies).
LIGHT_EDGE = 0.5
#: What a light stroke joins spans at most this many letter heights of rows (one line's letters).
LIGHT_JOINS = 1.6


def light_strokes(mask, darkness, height, low, exclude=None, outside=None, halo=3, least=0.3):
    """Strokes of a letter written lighter than the rest of it, joined to the letter.

    A pen pressed lightly for one stroke (a ``D``'s bowl, a ``5``'s body) leaves
    it at a third or a quarter of the letter's darkness: under the seed level, and
    cut from the letter's own strokes by pixels under the floor, it is lost, and
    the rest is read (``DAY`` -> ``I AY``). The darkness, smoothed a little more,
    is followed down to the paper's noise (:data:`LIGHT_SPREAD` spreads above its
    median) from the ink found; what that reaches beyond the halo of blur round
    the ink (`halo` pixels) is a light stroke when it

    - is `least` to 1.5 letter heights long;
    - is somewhere as dark as `low` (ink that the page's hysteresis keeps when it
      touches a seed), beyond the ink's blur (`halo` + 2 pixels: there a cheap
      JPEG's ringing is as dark);
    - is a stroke: its area over its skeleton's length (how wide it is) at most 0.3
      of a letter height, and not straight (its pixels spread across their main
      direction by 0.06 of a letter height or more: the faint page lines and rules
      that pass a letter are straight, a letter's own light strokes mostly bend);
    - lies at least half within the rows of the ink it is joined to (not shading
      or a scrawl under a line), and that ink spans at most :data:`LIGHT_JOINS`
      letter heights (not a blot or a shadow's edge touching letters of two lines);
    - lies :data:`LIGHT_EDGE` letter heights or more from the photo's edge (and
      from `outside`), where its shading is.

    What holds a piece of a page line too faint to be found with the ink (`least`
    letter heights of a straight run of 3.5 or more at the level followed) is no
    stroke either: squared paper's lines crossing between two letters bend as a bowl
    does. A light stroke is added with the pixels of the halo that join it to the
    letter. Only the part of the page around pixels as dark as `low` beyond the halo
    is looked at (most pages have few or none), and the paper's level and spread are
    measured there, away from the ink.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The letters' ink.
    darkness : (H, W) float32 ndarray
        The page's darkness (:func:`ink_darkness`; page lines divided out where
        they were).
    height : float
        The page's letter height, pixels.
    low : float
        The page's low hysteresis level.
    exclude : (H, W) bool ndarray, optional
        Page lines and rules taken out of `mask`: nothing within `halo` of them
        is followed.
    outside : (H, W) bool ndarray, optional
        What is no part of the photo (the corners a turn added): like the image's
        own edge, where its shading lies, no piece within :data:`LIGHT_EDGE` letter
        heights of it is a light stroke.

    Returns
    -------
    mask : (H, W) bool ndarray
        `mask` with the light strokes; `mask` itself when there are none.
    """
    if height <= 0 or not mask.any():
        return mask
    ring = kernels.box_max(mask.view(np.uint8), 2 * halo + 1) > 0
    if exclude is not None:
        exclude = kernels.box_max(exclude.view(np.uint8), 2 * halo + 1) > 0
    # a light stroke is somewhere as dark as `low`: only the page around such pixels is looked at
    ys, xs = np.nonzero((darkness >= low) & ~ring & (True if exclude is None else ~exclude))
    if not ys.size:
        return mask
    m = int(2 * height) + 8 * halo
    y0, x0 = max(0, ys.min() - m), max(0, xs.min() - m)
    y1, x1 = min(mask.shape[0], ys.max() + m + 1), min(mask.shape[1], xs.max() + m + 1)
    window = (slice(y0, y1), slice(x0, x1))
    edge = np.zeros(mask.shape, bool) if outside is None else outside.copy()
    edge[[0, -1], :] = edge[:, [0, -1]] = True
    near_edge = kernels.box_max(edge.view(np.uint8), 2 * int(round(LIGHT_EDGE * height)) + 1)[window] > 0
    added = _light_strokes(mask[window], darkness[window], ring[window], near_edge, height, low,
                           None if exclude is None else exclude[window], halo, least)
    if added is None:
        return mask
    out = mask.copy()
    out[window] |= added
    return out


def _light_strokes(mask, darkness, ring, near_edge, height, low, exclude, halo, least):
    """:func:`light_strokes` within a window of the page: the pixels to add, or None
    (`ring`: the ink's halo; `near_edge`: the photo's edge and what is near it;
    `exclude`: the page lines' own, or None)."""
    smooth = kernels.gaussian_filter(darkness, LIGHT_SIGMA)
    # the paper's level and spread, away from the ink and its blur (the window may be mostly writing)
    paper = kernels.box_max(mask.view(np.uint8), 2 * (halo + 6) + 1)[::2, ::2] == 0
    sample = smooth[::2, ::2][paper] if np.count_nonzero(paper) > 1000 else smooth[::2, ::2].ravel()
    med, mad = _paper_spread(sample)
    reach = smooth > max(med + LIGHT_SPREAD * mad, FAINT_CONTRAST)
    if exclude is not None:
        reach &= ~exclude
    labels, n = kernels.label(reach | mask)
    seeded = np.zeros(n + 1, bool)
    seeded[labels[mask]] = True
    seeded[0] = False
    grown = seeded[labels]
    labels, n = kernels.label(grown & ~ring)
    if n == 0:
        return None
    inked, m = kernels.label(mask)
    rows = [box[0] for box in kernels.find_objects(inked, m)]
    # the ink's own blur, and a cheap JPEG's ringing, lie within `halo` + 2 of it
    far = kernels.box_max(mask.view(np.uint8), 2 * (halo + 2) + 1) == 0
    by_edge = np.bincount(labels[near_edge], minlength=n + 1) > 0
    keep = np.zeros(n + 1, bool)
    for k, box in enumerate(kernels.find_objects(labels, n), start=1):
        keep[k] = (box is not None and not by_edge[k]
                   and _is_light_stroke(labels, k, box, darkness, far, inked, rows, height, low, halo + 2, least))
    if not keep.any():
        return None
    # page lines too faint to be found with the ink, but not at this level: long and straight
    lined = reach & ~mask & ~remove_slanted_rules(remove_rules(reach, 3.5 * height), 3.5 * height,
                                                  max_width=max(2.0, 0.08 * height))
    keep[np.bincount(labels[lined], minlength=n + 1) >= least * height] = False  # pieces of page lines
    if not keep.any():
        return None
    add = keep[labels]
    bridge = grown & ring & ~mask & (kernels.box_max(add.view(np.uint8), 2 * halo + 3) > 0)
    return add | bridge


def _is_light_stroke(labels, k, box, darkness, far, inked, rows, height, low, r, least):
    """:func:`light_strokes`' tests of piece `k` (its bounding `box`) but the page
    lines'; `far` marks the page beyond the ink's blur, `inked` labels the ink found,
    `rows` its pieces' row slices, `r` the reach that joins them."""
    h, w = box[0].stop - box[0].start, box[1].stop - box[1].start
    if not least * height <= max(h, w) <= 1.5 * height:
        return False
    piece = labels[box] == k
    beyond = piece & far[box]
    if not beyond.any() or darkness[box][beyond].max() < low:
        return False
    if np.count_nonzero(piece) > 0.3 * height * max(1, np.count_nonzero(kernels.skeletonize(piece))):
        return False  # no stroke (its ink over its skeleton's length is how wide it is)
    ys, xs = np.nonzero(piece)
    across = np.linalg.eigvalsh(np.cov(np.stack([ys, xs]).astype(np.float64)))[0]
    if np.sqrt(max(across, 0.0)) < 0.06 * height:
        return False
    y0, x0 = max(0, box[0].start - r), max(0, box[1].start - r)
    around = (slice(y0, box[0].stop + r), slice(x0, box[1].stop + r))
    near = kernels.box_max((labels[around] == k).view(np.uint8), 2 * r + 1) > 0
    joined = np.unique(inked[around][near])
    joined = joined[joined > 0]
    if not joined.size:
        return True
    top = min(rows[j - 1].start for j in joined)
    bottom = max(rows[j - 1].stop for j in joined)
    if bottom - top > LIGHT_JOINS * height:
        return False  # it joins ink of two lines: no letter is that tall
    return min(bottom, box[0].stop) - max(top, box[0].start) >= 0.5 * h


def _mean_by_label(values, labels, n, where):
    """Mean of `values` over the pixels `where` of each label 0..n (NaN where none)."""
    count = np.bincount(labels[where], minlength=n + 1)
    total = np.bincount(labels[where], weights=values[where], minlength=n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def _without_runs(mask, darkness, runs):
    """The quick removal (:func:`remove_page_lines` without `levels`): the runs go;
    of what is left, pieces no darker than the lines too (hysteresis between 1.2 and
    1.5 times the lines' darkness: the bits of a faint net the threshold broke up);
    of the runs, pixels 1.5 times darker than the lines come back (a pen crossing
    them). Pencil lighter than the lines keeps all but the runs."""
    line = float(percentile(darkness[runs], 75))  # most pixels of the runs are line
    rest = mask & ~runs
    if rest.any() and float(percentile(darkness[rest], 50)) < line:
        return rest
    return (rest & hysteresis(darkness, 1.2 * line, 1.5 * line)) | (runs & (darkness > 1.5 * line))


#: Dotted paper: at least this many dots, and this share of them at the grid's
#: pitch from their nearest neighbour (within 15 %), make a printed dot grid.
DOT_GRID_LEAST = 40
DOT_GRID_REGULAR = 0.8
#: A dot's darkness is measured by distance from its centre in steps of this many pixels.
DOT_BIN = 0.25


@dataclass
class DotGrid:
    """The dots of dotted paper found on a page (:func:`find_dot_grid`), in
    pixels of the darkness map they were found on.

    Attributes
    ----------
    free : (K, 2) float ndarray
        Centres ``(row, column)`` of the dots standing on their own.
    radii : (K,) float ndarray
        Half their size across.
    hidden : (M, 2) float ndarray
        Centres of the dots that lie in other ink (a letter's strokes).
    pitch : float
        Distance between neighbouring dots.
    """

    free: np.ndarray
    radii: np.ndarray
    hidden: np.ndarray
    pitch: float


def find_dot_grid(darkness, labelled, largest=12, least=DOT_GRID_LEAST, regular=DOT_GRID_REGULAR):
    """Find the printed dots of dotted paper (a bullet journal's page).

    A dot grid's dots are small compact pieces of ink standing at the same
    distance from their nearest neighbours (dust is strewn at random: its
    nearest-neighbour distances spread widely). Where a letter covers or
    touches the grid, the dots hidden in its ink are found by stepping from
    the dots around it along the grid's directions, by the steps measured
    there (the grid is followed however the photo is turned or taken at an
    angle).

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        :func:`ink_darkness` of the page (weighs the dots' centres).
    labelled : tuple
        ``(labels, boxes, areas)`` of the page's ink mask
        (:func:`ocr.segment.components`).
    largest : int
        Pieces longer than this many pixels are no dots.
    least : int
        Fewest dots that make a grid.
    regular : float
        Share of the dots that must stand within 15 % of the grid's pitch
        from their nearest neighbour.

    Returns
    -------
    DotGrid or None
        None when the page has no dot grid.
    """
    labels, boxes, areas = labelled
    if len(boxes) < least:
        return None
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(h, w)
    is_dot = (side >= 2) & (side <= largest) & (areas >= 0.5 * h * w) & (side <= 2 * np.minimum(h, w))
    dots = np.flatnonzero(is_dot)
    if len(dots) < least:
        return None
    # the grid is looked for among the boxes' centres, the dots' own taken once found
    pitch, (nearest, steps) = _grid_steps((boxes[dots, :2] + boxes[dots, 2:] - 1) / 2)
    if steps is None or np.mean(np.abs(nearest - pitch) < 0.15 * pitch) < regular \
            or pitch < 2 * float(median(side[dots])):
        return None
    centres = _centres(labels, darkness, len(boxes))[dots]
    pitch, (_, steps) = _grid_steps(centres)  # the steps again, from the dots' own centres
    if steps is None:
        return None
    # The grid's dots have neighbours a step away (a tenth of the pitch out at most) in
    # two directions or more, or one such neighbour that has (a dot between a
    # letter's stems); a full stop, the dot of a ! or a ? among them mostly has not,
    # and is left to the marks.
    reach = 0.25 * pitch
    cells = _cells(centres, labels.shape, reach)
    near = np.array([_near_dot(centres + g, centres, cells, reach, 0.1 * pitch) for g in steps])
    on_grid = (near >= 0).sum(axis=0) >= 2
    on_grid |= ((near >= 0) & on_grid[np.maximum(near, 0)]).any(axis=0)
    if np.count_nonzero(on_grid) < least:
        return None
    dot_label = np.zeros(len(boxes) + 1, bool)  # no grid dot lies in these
    dot_label[dots + 1] = True
    hidden = _hidden_dots(centres[on_grid], steps, labels, dot_label, reach,
                          _cells(centres[on_grid], labels.shape, reach))
    # and a dot a step from a hidden one is the grid's (between letters that hide all
    # its neighbours)
    if len(hidden) and not on_grid.all():
        sites = np.concatenate([hidden + g for g in steps])
        others = np.flatnonzero(~on_grid)
        cells = _cells(centres[others], labels.shape, reach)
        hit = _near_dot(sites, centres[others], cells, reach, 0.1 * pitch)
        on_grid[others[hit[hit >= 0]]] = True
    dots, centres = dots[on_grid], centres[on_grid]
    return DotGrid(free=centres, radii=0.5 * side[dots], hidden=hidden, pitch=pitch)


def without_dots(darkness, grid):
    """The darkness of a page without its dot grid's dots.

    The free dots are wiped out with their rims (a fainter threshold, a
    pencil's, takes more of them); the darkness of the hidden ones, that of a
    free dot at the same distance from its centre, is divided out as page
    lines' is (:func:`divide_out_lines`): a stroke over a dot keeps what the
    pen added.

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        Any darkness map of the page at the scale `grid` was found at.
    grid : DotGrid

    Returns
    -------
    darkness : (H, W) float32 ndarray
    """
    profile = _dot_darkness(darkness, grid.free, grid.pitch)
    # out to where a dot's darkness fades under the faintest ink (a blurred photo's
    # dots have wide rims: left, they made a page of faint writing of it)
    rim = DOT_BIN * np.count_nonzero(profile >= FAINT_CONTRAST)
    clean = darkness.copy()
    clean[_discs(darkness.shape, grid.free, np.maximum(grid.radii + 1.5, rim))] = 0
    if len(grid.hidden):
        clean = _divide_out_dots(clean, grid.hidden, profile)
    return clean


def _discs(shape, centres, radii):
    """A mask of discs of `radii` (pixels) about `centres` ``(K, 2)``."""
    y, x, dist = _around(centres, int(np.ceil(radii.max())))
    inside = (dist <= radii[:, None, None]) & (y >= 0) & (y < shape[0]) & (x >= 0) & (x < shape[1])
    out = np.zeros(shape, bool)
    out[y[inside], x[inside]] = True
    return out


def _around(points, r):
    """The pixels within `r` rows and columns of each of `points` ``(K, 2)``:
    their rows, columns and distances from the point, each ``(K, 2r+1, 2r+1)``."""
    oy, ox = np.mgrid[-r:r + 1, -r:r + 1]
    at = np.round(points).astype(np.intp)
    y, x = at[:, 0, None, None] + oy, at[:, 1, None, None] + ox
    return y, x, np.hypot(y - points[:, 0, None, None], x - points[:, 1, None, None])


def _centres(labels, darkness, n):
    """Darkness-weighted centres ``(n, 2)`` (row, column) of labels 1..n."""
    ys, xs = np.nonzero(labels)
    lab, wt = labels[ys, xs], darkness[ys, xs].astype(np.float64)
    total = np.maximum(np.bincount(lab, wt, n + 1), 1e-9)
    return np.stack([np.bincount(lab, wt * ys, n + 1) / total,
                     np.bincount(lab, wt * xs, n + 1) / total], axis=1)[1:]


def _grid_steps(centres, sample=200):
    """The dots' nearest-neighbour distances and the grid's directions.

    Returns ``(pitch, (nearest, steps))``: the median distance from a dot (of a
    sample) to its nearest neighbour, those distances, and one step vector
    ``(dy, dx)`` per direction the grid runs in (the median of the neighbour
    vectors within 15 % of the pitch whose angle falls in that direction's
    bin), each with its opposite; `steps` is None when the dots run in fewer than two
    directions, or when not half of them stand at the pitch from their nearest neighbour.
    """
    pick = centres[:: max(1, len(centres) // sample)]
    nearest = np.concatenate([_distances(p, centres).min(axis=1) for p in np.array_split(pick, 4)])
    pitch = float(np.median(nearest))
    if np.mean(np.abs(nearest - pitch) < 0.15 * pitch) < 0.5:
        return pitch, (nearest, None)  # strewn at random: no grid to follow
    v = []
    for p in np.array_split(pick, 4):  # (in parts: a dusty page has dots by the ten thousand)
        i, j = np.nonzero(np.abs(_distances(p, centres) - pitch) < 0.15 * pitch)
        v.append(centres[j] - p[i])
    v = np.concatenate(v)
    angle = np.degrees(np.arctan2(v[:, 0], v[:, 1])) % 180  # a step and its opposite alike
    counts = np.bincount((angle // 10).astype(int) % 18, minlength=18)
    steps = []
    for b in np.argsort(counts)[::-1]:
        if counts[b] < 0.15 * len(v):
            break
        if any(min(abs(b - c), 18 - abs(b - c)) <= 2 for c, _ in steps):
            continue  # the next bin of a direction already taken
        centre = np.radians(b * 10 + 5)
        near = np.abs(((angle - (b * 10 + 5)) + 90) % 180 - 90) <= 15
        u = v[near]
        u = np.where((u @ [np.sin(centre), np.cos(centre)] < 0)[:, None], -u, u)  # all one way
        steps.append((b, np.median(u, axis=0)))
    if len(steps) < 2:
        return pitch, (nearest, None)
    g = np.array([s for _, s in steps])
    return pitch, (nearest, np.concatenate([g, -g]))


def _distances(a, b):
    """Distances ``(len(a), len(b))`` between points ``(row, column)``, inf for a
    point and itself."""
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    d[d < 1e-6] = np.inf
    return d


def _near_dot(points, centres, cells, cell, reach=None):
    """For each point ``(row, column)``, the dot of `centres` nearest to it within
    `reach` pixels (default `cell`; -1 for none); `cells` (:func:`_cells`) holds
    each dot's index in cells of `cell` pixels, no smaller than `reach`."""
    reach = cell if reach is None else reach
    at = np.floor(points / cell).astype(np.intp)
    best = np.full(len(points), -1, np.intp)
    best_d = np.full(len(points), np.inf)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            y, x = at[:, 0] + dy, at[:, 1] + dx
            inside = (y >= 0) & (y < cells.shape[0]) & (x >= 0) & (x < cells.shape[1])
            k = np.full(len(points), -1, np.intp)
            k[inside] = cells[y[inside], x[inside]]
            d = np.hypot(*(centres[np.maximum(k, 0)] - points).T)
            better = (k >= 0) & (d <= reach) & (d < best_d)
            best[better], best_d[better] = k[better], d[better]
    return best


def _on_ink(points, labels, dot_label):
    """Does a point fall on ink that is no dot (`dot_label`: by label; rounded to
    the nearest pixel)?"""
    H, W = labels.shape
    at = np.round(points).astype(np.intp)
    inside = (at[:, 0] >= 0) & (at[:, 0] < H) & (at[:, 1] >= 0) & (at[:, 1] < W)
    lab = np.zeros(len(points), np.intp)
    lab[inside] = labels[at[inside, 0], at[inside, 1]]
    return (lab > 0) & ~dot_label[lab]


def _cells(centres, shape, reach):
    """Each dot's index (-1 for none) on a grid of cells `reach` pixels wide
    over an image of `shape`, for :func:`_near_dot`."""
    cells = np.full((int(shape[0] / reach) + 1, int(shape[1] / reach) + 1), -1, np.intp)
    cells[tuple(np.floor(centres / reach).astype(np.intp).T)] = np.arange(len(centres))
    return cells


def _hidden_dots(centres, steps, labels, dot_label, reach, cells, most=8):
    """Centres ``(K, 2)`` of the grid's dots that lie in other ink (a letter; not
    in the pieces `dot_label` marks, by label).

    From every free dot next to such ink, the grid is stepped into it, by the
    step measured from that dot to its neighbour on the other side (the grid's
    own step where that neighbour is missing), for as long as the step lands on
    that ink (at most `most` steps). A neighbour is a dot within `reach` pixels
    of where a step lands; `cells`: :func:`_cells` of `centres` by `reach`.
    """
    hidden = []
    for g in steps:
        start = np.flatnonzero(_on_ink(centres + g, labels, dot_label))
        if not len(start):
            continue
        back = _near_dot(centres[start] - g, centres, cells, reach)
        step = np.where((back >= 0)[:, None], centres[start] - centres[np.maximum(back, 0)], g)
        site = centres[start] + step
        for _ in range(most):
            hidden.append(site)
            site = site + step
            go = _on_ink(site, labels, dot_label) & (_near_dot(site, centres, cells, reach) < 0)
            site, step = site[go], step[go]
            if not len(site):
                break
    return np.concatenate(hidden) if hidden else np.zeros((0, 2))


def _dot_darkness(darkness, centres, pitch, sample=300, bin=DOT_BIN):
    """The darkness of a free dot by distance from its centre: for every `bin`
    of distance (pixels) out to 0.3 of the pitch, the median of the dots'
    darkness there, never rising outwards."""
    r = int(np.ceil(0.3 * pitch))
    y, x, dist = _around(centres[:: max(1, len(centres) // sample)], r)
    b = np.minimum((dist / bin).astype(int), int(r / bin)).ravel()
    values = darkness[y.clip(0, darkness.shape[0] - 1), x.clip(0, darkness.shape[1] - 1)].ravel()
    profile = np.zeros(int(r / bin) + 1, np.float32)
    for k in range(len(profile)):
        if np.any(b == k):
            profile[k] = np.median(values[b == k])
    return np.maximum.accumulate(profile[::-1])[::-1]


def _divide_out_dots(darkness, sites, profile, bin=DOT_BIN):
    """`darkness` with dots of darkness `profile` (by distance from the centre,
    :func:`_dot_darkness`) divided out at `sites`."""
    H, W = darkness.shape
    y, x, dist = _around(sites, int(np.ceil(len(profile) * bin)))
    k = (dist / bin).astype(int)
    d = np.where(k < len(profile), profile[np.minimum(k, len(profile) - 1)], 0)
    inside = (y >= 0) & (y < H) & (x >= 0) & (x < W)
    dots = np.zeros((H, W), np.float32)
    np.maximum.at(dots, (y[inside], x[inside]), d[inside])
    return _without_print(darkness, dots)


def divide_out_lines(darkness, runs, slopes):
    """The darkness of a page without its printed lines.

    Ink and lines darken the paper together: their transmittances multiply
    (``1 - darkness``), so a line's own darkness is divided out the way the
    paper's shading is (:func:`ink_darkness`), and what a pen or pencil adds on
    a line is left.

    Parameters
    ----------
    darkness : (H, W) float32 ndarray
        :func:`ink_darkness` of the page.
    runs : (H, W) bool ndarray
        The long runs of ink that make the lines (:func:`remove_page_lines`).
    slopes : (family, family or None)
        The lines across and the lines down: each a slope (rows per column
        across, columns per row down) or a fan ``(t, b)`` (:func:`_sharpest_fan`);
        None for a family the page does not have.

    Returns
    -------
    darkness : (H, W) float32 ndarray
    """
    t_across, t_down = slopes
    # a net's thin lines are followed more finely (:func:`_divide_out`); ruled paper
    # read worse so (a levelled page's rules ending in its filled corner kept stubs)
    fine = 3 if t_down is not None else 1
    # A sheet seen at an angle (a fan) lies on a ground, its lines ending in the photo:
    # they are divided out to their ends. (On flat pages that changed letters' pixels
    # here and there, and lost more readings than it mended.)
    ends = any(_family(t)[1] != 0 for t in slopes if t is not None)
    clean = _divide_out(darkness, runs, t_across, fine, ends)
    if t_down is not None:  # the lines down, made horizontal by transposing
        # Divided out of what the lines across left: where two lines cross, the first
        # took the crossing's darkness and the second takes a stroke's pixel there.
        clean = _divide_out(np.ascontiguousarray(clean.T), np.ascontiguousarray(runs.T), t_down, fine, ends).T
    return np.ascontiguousarray(clean)


def _divide_out(darkness, runs, t, fine=3, ends=False):
    """`darkness` with the lines of slope `t` (rows per column), or of the fan `t`
    (``(t, b)``: :func:`_sharpest_fan`), divided out.

    A turned line is made horizontal by shifting whole columns, which leaves it
    stepping by a row every ``1 / t`` pixels; on a row of a thin line that is
    half its darkness, as much as a pencil's. So the lines are followed on a copy
    `fine` times taller (linear between rows), where the steps are that much
    smaller, and their darkness averaged back to the page's rows. With `ends`, a line
    is divided out to its end (:func:`_line_darkness`).
    """
    family = _family(t)
    tall, how = _straighten(darkness, family, fine, linear=True)
    line = _line_darkness(tall, _straighten(runs, family, fine)[0], ends=ends)
    return _without_print(darkness, _unstraighten(line, how, darkness.shape[0], linear=True))


def _without_print(darkness, printed):
    """`darkness` with the darkness `printed` on the paper (lines, dots) divided
    out: ink and print darken the paper together, their transmittances
    (``1 - darkness``) multiply."""
    clean = np.subtract(1, np.divide(1 - darkness, np.maximum(1 - printed, np.float32(0.05))), dtype=np.float32)
    return np.clip(clean, 0, 1, out=clean)


def _line_darkness(dark, runs, block=16, reach=8, ends=False):
    """The darkness of the page lines along the rows of `dark`, at every pixel.

    A line's darkness is taken, block by block along each row, as the 30th
    percentile of the block (below the strokes crossing it), but no more than
    1.25 times the median of the 2 `reach` + 1 blocks around it: a stroke running
    along the line for a few blocks is no part of the line, and a letter's
    horizontal bar on a row without a line is not taken for one. Where the row
    holds `runs`, the median is of the blocks holding them, so a line that stops
    (at the sheet's edge) is taken up to its end. With `ends`, the block it stops in
    (on the line's middle rows) is taken at the percentile of the line's own pixels
    there, not the paper's past the end.
    """
    H, W = dark.shape
    nb = max(1, W // block)
    k = int(0.3 * (block - 1))
    blocks = dark[:, : nb * block].reshape(H, nb, block)
    local = np.partition(blocks, k, axis=2)[:, :, k]
    if ends:
        _at_line_ends(local, blocks, runs[:, : nb * block].reshape(H, nb, block))
    r = min(reach, (nb - 1) // 2)
    if r > 0:
        win = np.lib.stride_tricks.sliding_window_view(np.pad(local, ((0, 0), (r, r)), mode="edge"), 2 * r + 1,
                                                        axis=1)
        along = np.partition(win, r, axis=2)[:, :, r]
        # the median of the blocks that hold a run (-1 marks the others: they sort first)
        near = kernels.maximum_filter1d(runs.view(np.uint8), 3, axis=0)
        held = near[:, : nb * block].reshape(H, nb, block).max(axis=2).astype(bool)
        rows = np.flatnonzero(held.any(axis=1))
        vals = np.pad(np.where(held[rows], local[rows], np.float32(-1)), ((0, 0), (r, r)), constant_values=-1)
        win = np.sort(np.lib.stride_tricks.sliding_window_view(vals, 2 * r + 1, axis=1), axis=2)
        n = np.count_nonzero(win >= 0, axis=2)
        mid = np.take_along_axis(win, (2 * r + 1 - n + n // 2).clip(max=2 * r)[..., None], axis=2)[..., 0]
        along[rows] = np.maximum(along[rows], np.where(n > 0, mid, np.float32(0)))
    else:
        along = local
    line = np.minimum(local, along * np.float32(1.25))
    # back to every pixel: linear between block centres
    pos = np.clip((np.arange(W) - (block - 1) / 2) / block, 0, nb - 1)
    i0 = np.floor(pos).astype(np.intp)
    i1 = np.minimum(i0 + 1, nb - 1)
    w = (pos - i0).astype(np.float32)
    return line[:, i0] * (1 - w) + line[:, i1] * w


def _at_line_ends(local, blocks, on):
    """`local` (rows, blocks: :func:`_line_darkness`) with each block a line stops in
    (its first or last holding `on` pixels, on the line's middle rows, those holding at
    least half the runs of the rows beside them) taken at the 30th percentile of its
    `on` pixels' darkness in `blocks`."""
    cover = on.sum(axis=2)
    per_row = cover.sum(axis=1)
    middle = per_row >= 0.5 * kernels.maximum_filter1d(per_row, 5, axis=0)
    before = np.cumsum(cover, axis=1) - cover
    end = (cover >= 2) & (cover < on.shape[2]) & middle[:, None] & ((before == 0) | (before + cover == per_row[:, None]))
    if end.any():
        ordered = np.sort(np.where(on[end], blocks[end], np.inf), axis=1)
        local[end] = ordered[np.arange(len(ordered)), (0.3 * (cover[end] - 1)).astype(np.intp)]


def _sharpest_slope(ys, xs, degrees=12.0, step=0.5, most=100_000):
    """The slope t (rows per column) at which ``ys - t * xs`` piles up most: the
    tilt of the lines that run along the x axis, within +-`degrees`. (Within 8, the
    net of a sheet turned 9 degrees on black was never divided out, and the page's
    letter height was taken from it whole.)"""
    if len(ys) > most:
        ys, xs = ys[:: len(ys) // most + 1], xs[:: len(xs) // most + 1]
    best, best_t = -1.0, 0.0
    for t in np.tan(np.radians(np.arange(-degrees, degrees + step / 2, step))):
        energy = _pile_up(ys - np.round(xs * t).astype(np.intp))
        if energy > best:
            best, best_t = energy, float(t)
    return best_t


def _pile_up(rows):
    """How much integer `rows` pile up: the sum of their counts squared."""
    return float(np.sum(np.bincount(rows - rows.min()).astype(np.float64) ** 2))


#: A family of page lines is taken for a fan (lines seen in perspective, converging:
#: :func:`_sharpest_fan`) only when its ink piles up onto this many times as sharp
#: rows along the fan as along the one sharpest slope.
FAN_SHARPER = 1.1
#: ... and its slopes differ by at most this much (rows per column) across the image.
FAN_MOST = 0.6


def _sharpest_fan(ys, xs, shape, t, most=100_000, search=30_000, sharper=FAN_SHARPER, widest=FAN_MOST):
    """The lines along the x axis that the points ``(ys, xs)`` lie on: parallel
    (one slope, :func:`_sharpest_slope`), or converging to a point off the image
    (a sheet seen in perspective: the far lines of a page photographed from one
    side draw together), each line's slope then ``t + b * (y0 - yc)`` for the line
    through ``(yc, xc)``, the middle of the image of `shape`, at ``y0``.

    The slopes of the lines in the image's upper half and its lower half, each the
    sharpest there, give a first fan, refined by a pattern search on (at most)
    `search` of the points; it is taken when the points pile up along it `sharper`
    times as much as along the one sharpest slope `t`, its slopes differing by at
    most `widest` across the image.

    Returns
    -------
    (t, b) : (float, float)
        ``b`` is 0 for parallel lines.
    """
    if len(ys) > most:
        ys, xs = ys[:: len(ys) // most + 1], xs[:: len(xs) // most + 1]
    upper = ys < shape[0] / 2
    if min(np.count_nonzero(upper), np.count_nonzero(~upper)) < 100:
        return t, 0.0
    t1, t2 = _sharpest_slope(ys[upper], xs[upper]), _sharpest_slope(ys[~upper], xs[~upper])
    m1, m2 = float(ys[upper].mean()), float(ys[~upper].mean())
    if t1 == t2 or m2 - m1 < 1:
        return t, 0.0
    b = (t2 - t1) / (m2 - m1)
    if abs(b) * shape[1] > widest:
        return t, 0.0
    tc = t1 + b * ((shape[0] - 1) / 2 - m1)

    def pile(ys, xs, t, b):
        return _pile_up(np.round(_fan_rows(ys, xs, t, b, shape)).astype(np.intp))

    # The halves' slopes are a half degree apart or more, each an average over its
    # half's lines: the fan is refined by a pattern search, on a sample of the points.
    fy, fx = ys[:: len(ys) // search + 1], xs[:: len(xs) // search + 1]
    dt = np.tan(np.radians(0.5))
    db = dt / (m2 - m1)
    fan = pile(fy, fx, tc, b)
    while dt > np.tan(np.radians(0.05)):
        e, u, v = max((pile(fy, fx, tc + u * dt, b + v * db), u, v) for u, v in itertools.product((-1, 0, 1), repeat=2))
        if e > fan:
            fan, tc, b = e, tc + u * dt, b + v * db
        else:
            dt, db = dt / 2, db / 2
    fan, flat = pile(ys, xs, tc, b), _pile_up(ys - np.round(xs * t).astype(np.intp))
    return (float(tc), float(b)) if fan > sharper * flat and abs(b) * shape[1] <= widest else (t, 0.0)


def _fan_rows(ys, xs, t, b, shape):
    """Where the line of the fan ``(t, b)`` (:func:`_sharpest_fan`) through each
    point ``(ys, xs)`` crosses the image's middle column."""
    yc, xc = (shape[0] - 1) / 2, (shape[1] - 1) / 2
    dx = xs - xc
    # the line through (y0, xc) runs y = y0 + (t + b (y0 - yc)) dx: solved for y0
    return (ys - (t - b * yc) * dx) / (1 + b * dx)


def _family(slope):
    """A family of page lines as ``(t, b)``: a slope ``t`` alone is ``(t, 0)``."""
    return (float(slope), 0.0) if np.isscalar(slope) else (float(slope[0]), float(slope[1]))


def _straighten(a, family, fine=1, linear=False):
    """`a` with the lines of `family` (``(t, b)``, :func:`_sharpest_fan`) made rows,
    and what :func:`_unstraighten` needs.

    Lines of one slope (``b`` 0) are made rows by shifting whole columns by whole
    pixels (:func:`_shear`), `fine` times taller when `fine` > 1 (linear between rows). A fan's
    columns are stretched a little each, too: its rows are sampled from `a`
    (nearest, or `linear` between rows) at least as densely as `a`'s own rows
    everywhere, `fine` times so.
    """
    t, b = _family(family)
    H, W = a.shape
    if b == 0:
        k = fine if fine > 1 and abs(t) * W >= 1 else 1
        if k > 1:
            pos = (np.arange(H * k) + 0.5) / k - 0.5
            i0 = np.floor(pos).astype(np.intp)
            if linear:
                w = (pos - i0).astype(np.float32)[:, None]
                a = a[i0.clip(0, H - 1)] * (1 - w) + a[(i0 + 1).clip(0, H - 1)] * w
            else:
                a = np.repeat(a, k, axis=0)
        out, offsets = _shear(a, t * k)
        return out, ("shear", offsets, k)
    yc, xc = (H - 1) / 2, (W - 1) / 2
    dx = np.arange(W) - xc
    s, c = 1 + b * dx, (t - b * yc) * dx  # column x's row y of the line at y0: y0 * s + c
    y0 = np.concatenate([-c / s, (H - 1 - c) / s])  # the lines through the top and bottom rows
    lo, step = float(y0.min()) - 1, 1 / (max(fine, 1) * float(s.max()))
    R = int(np.ceil((float(y0.max()) + 1 - lo) / step)) + 1
    y = (lo + np.arange(R, dtype=np.float64)[:, None] * step) * s + c
    cols = np.arange(W)[None, :]
    if linear:
        i0 = np.floor(y).astype(np.intp)
        w = (y - i0).astype(np.float32)
        inside = (i0 >= 0) & (i0 + 1 < H)
        i0 = i0.clip(0, H - 2)
        out = a[i0, cols] * (1 - w) + a[i0 + 1, cols] * w
        out[~inside] = 0
    else:
        i = np.rint(y).astype(np.intp)
        out = a[i.clip(0, H - 1), cols]
        out[(i < 0) | (i >= H)] = 0
    return out.astype(a.dtype, copy=False), ("fan", (s, c, lo, step), max(fine, 1))


def _unstraighten(b, how, height, linear=False):
    """The `height` rows of the image that :func:`_straighten` made `b` of: each
    pixel the straightened pixel it came from (`linear`: the mean of the `fine`
    rows it was made, linear between the straightened rows)."""
    kind, geometry, k = how
    if kind == "shear":
        out = _unshear(b, geometry, height * k)
        if k == 1:
            return out
        return out.reshape(height, k, -1).mean(axis=1).astype(b.dtype, copy=False) if linear else out[k // 2 :: k]
    s, c, lo, step = geometry
    cols = np.arange(b.shape[1])[None, :]
    if not linear:
        r = np.rint((((np.arange(height)[:, None] - c) / s) - lo) / step).astype(np.intp)
        return b[r.clip(0, b.shape[0] - 1), cols]
    out = np.zeros((height, b.shape[1]), np.float32)
    for j in range(k):
        y = np.arange(height)[:, None] + ((j + 0.5) / k - 0.5)
        r = (((y - c) / s) - lo) / step
        i0 = np.floor(r).astype(np.intp).clip(0, b.shape[0] - 2)
        w = (r - i0).astype(np.float32).clip(0, 1)
        out += b[i0, cols] * (1 - w) + b[i0 + 1, cols] * w
    return out / np.float32(k)


def _shear(a, t):
    """Shift column x of `a` by ``round(x * t)`` rows (padding with zeros), so that
    lines of slope `t` become rows. Returns the taller array and what
    :func:`_unshear` needs."""
    H, W = a.shape
    s = np.round(np.arange(W) * t).astype(np.intp)
    s -= s.min()
    pad = int(s.max())
    if pad == 0:
        return a, (s, 0)
    out = np.zeros((H + pad, W), a.dtype)
    out[np.arange(H)[:, None] + (pad - s)[None, :], np.arange(W)[None, :]] = a
    return out, (s, pad)


def _unshear(b, offsets, height):
    """Inverse of :func:`_shear`: the original `height` rows back."""
    s, pad = offsets
    if pad == 0:
        return b
    return b[np.arange(height)[:, None] + (pad - s)[None, :], np.arange(b.shape[1])[None, :]]


def _count_lines(rows):
    """Number of runs of True in a 1-D bool array (a line is a few pixels thick)."""
    rows = np.asarray(rows, dtype=np.int8)
    return int(np.count_nonzero(np.diff(rows, prepend=0) == 1))


def _opening_1d(mask, length, axis):
    """Binary opening by a line of `length` pixels along `axis` (van Herk: O(pixels))."""
    m = mask.view(np.uint8)
    # "nearest": a rule running off the edge of the photo is still a rule
    m = kernels.minimum_filter1d(m, length, axis=axis, mode="nearest")
    return kernels.maximum_filter1d(m, length, axis=axis, mode="nearest").astype(bool)


def hysteresis(darkness, low, high, labelled=False, within=None):
    """Pixels above `low` that are connected to a pixel above `high`.

    Parameters
    ----------
    darkness : (H, W) float ndarray
    low, high : float
    labelled : bool
        Also return the mask's 8-connected components. They are the seeded
        components of ``darkness > low``, so they need no second labelling.
    within : (H, W) bool ndarray, optional
        Only these pixels can be ink (seeds included).

    Returns
    -------
    mask : (H, W) bool ndarray
    labels : (H, W) int32 ndarray
        Only when `labelled`: 0 for paper, 1..n for the components, numbered as
        :func:`ocr.kernels.label` numbers them on `mask` (raster order).
    n : int
        Only when `labelled`.
    """
    candidates = darkness > low
    if within is not None:
        candidates &= within
    labels, n = kernels.label(candidates)
    seeded = np.zeros(n + 1, bool)
    seeded[labels[darkness > high]] = True
    seeded[0] = False
    if not labelled:
        return seeded[labels]
    if seeded[1:].all():  # every piece is seeded: the labels stand as they are
        return labels > 0, labels, n
    renumber = np.cumsum(seeded, dtype=np.int32) * seeded  # seeded ones 1..m, in order
    labels = renumber[labels]
    return labels > 0, labels, int(seeded.sum())


#: Letters keep ink down to this share of the seed level, a little more than the
#: mask that page lines are looked for in (:func:`threshold_levels`: 0.6): blurred
#: strokes then run together less, and ink does not creep along page lines nearly
#: as dark as the writing.
LETTER_LEVEL = 0.7


#: A stain's trail (a coffee cup's ring) is ink lighter than this share of the
#: writing's darkness (:func:`light_trails`), ...
TRAIL_LIGHT = 0.5
#: ... farther than this many pixels from darker ink (a stroke's blurred edge is nearer), ...
TRAIL_HALO = 3
#: ... whose pieces, joined across the strokes they cross, run this many letter heights
#: or more (a letter's own light stroke is shorter), ...
TRAIL_LONG = 1.5
#: ... and bend: only a band this many letter heights wide or wider holds them.
TRAIL_BENT = 0.15


def _band_width(mask):
    """How wide a band along its main direction holds the pixels of `mask` (2nd to
    98th percentile across it), in pixels."""
    ys, xs = np.nonzero(mask)
    if len(ys) < 3:
        return 0.0
    pts = np.stack([ys - ys.mean(), xs - xs.mean()]).astype(np.float64)
    _, vectors = np.linalg.eigh(pts @ pts.T)
    across = vectors[:, 0] @ pts  # along the smaller axis
    return float(np.percentile(across, 98) - np.percentile(across, 2))


def paper_pieces(mask):
    """The paper of a box `mask` (h, w), padded by a pixel all round, in 8-connected
    pieces: ``(labels, outside)``, `outside` True for the labels that are no hole (0,
    the ink; the paper around it, joined up by the padding).

    Parameters
    ----------
    mask : (h, w) bool ndarray

    Returns
    -------
    labels : (h + 2, w + 2) int32 ndarray
    outside : (labels.max() + 1,) bool ndarray
    """
    h, w = mask.shape
    paper = np.ones((h + 2, w + 2), bool)
    paper[1:-1, 1:-1] = ~mask
    labels, _ = kernels.label(paper)
    outside = np.zeros(labels.max() + 1, bool)
    outside[0] = outside[labels[0, 0]] = True
    return labels, outside


def _holes(mask):
    """How many holes `mask` closes (:func:`paper_pieces` that are no outside)."""
    _, outside = paper_pieces(mask)
    return int(np.count_nonzero(~outside))


def light_trails(mask, darkness, height, light=TRAIL_LIGHT, halo=TRAIL_HALO, longest=TRAIL_LONG, bent=TRAIL_BENT):
    """Light ink running through the writing: a stain's trail.

    A coffee cup's ring crossing the writing is found with the ink it touches, and
    joins letters of two words or lines into one piece, which was read as garbage
    or dropped (a page read 12 % wrong). Its ink is a few times lighter than the
    writing's: what is lighter than `light` times the writing's darkness (the 75th
    percentile of the mask's) and lies over `halo` pixels from darker ink is a trail
    when its pieces, joined across the strokes they cross (`halo` pixels beyond
    their blur on each side), run `longest` letter heights or more, make a line
    (closing one hole at most, a whole ring's), bend (a band `bent` letter heights
    wide holds them, no narrower one), touch darker ink a letter tall (half to twice
    `height`: a letter; the ragged pieces of a desk photo's sheet edge bend as much as
    a ring's arc, but touch only their own flat dashes), and are lighter than `light`
    times the writing within two letter heights of them too (the 75th percentile of
    the mask's darkness there). A letter's own light stroke (a ``D``'s bowl written
    lightly) is shorter; under a reflection's veil whole words are lighter than the
    page's writing, but as light as their neighbours (``THEY`` lost its ``THE``);
    mottled paper in a shadow is a mesh of holes; a straight light line is a rule or a
    shadow's edge, which the rules' removal takes whole (cut up here, its pieces
    were read as ``I``); a word written in a lighter pen, standing apart, touches no
    darker ink.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The ink, found down to the paper's noise (its hysteresis mask, before
        :func:`tighten`: the trail unbroken).
    darkness : (H, W) float32 ndarray
        The page's darkness (:func:`ink_darkness`).
    height : float
        Letter height, in pixels.

    Returns
    -------
    trails : (H, W) bool ndarray or None
        The trails' pixels, None when there are none.
    """
    if height <= 0 or not mask.any():
        return None
    dark = mask & (darkness >= np.float32(light * percentile(darkness[mask], 75)))
    faint = mask & ~kernels.box_max(dark, 2 * halo + 1)
    if np.count_nonzero(faint) < longest * height:
        return None
    groups, n = kernels.label(kernels.box_max(faint, 4 * halo + 1))
    trails, cores = None, None
    for g, (ys, xs) in enumerate(kernels.find_objects(groups, n), start=1):
        if max(ys.stop - ys.start, xs.stop - xs.start) < longest * height:
            continue
        group = groups[ys, xs] == g
        line = group & faint[ys, xs]
        if _holes(line) > 1:
            continue  # a mesh, not a line (or a ring): mottled paper in a shadow
        if _band_width(line) < bent * height:
            continue  # straight: a rule or a shadow's edge, which the rules' removal takes whole
        if cores is None:
            cores, n_cores = kernels.label(dark)
            tall = np.array([0] + [sl[0].stop - sl[0].start for sl in kernels.find_objects(cores, n_cores)])
            letter = (tall >= 0.5 * height) & (tall <= 2.0 * height)
        if not letter[cores[ys, xs][group]].any():
            continue  # it joins no letters (standing apart, or a sheet edge's dashes)
        # lighter than the writing around it too: under a reflection's veil whole
        # words are lighter than the page's writing, and as light as their neighbours
        r = round(2 * height)
        wy = slice(max(0, ys.start - r), ys.stop + r)
        wx = slice(max(0, xs.start - r), xs.stop + r)
        around = percentile(darkness[wy, wx][mask[wy, wx]], 75)
        if median(darkness[ys, xs][line]) >= light * around:
            continue
        if trails is None:
            trails = np.zeros_like(mask)
        trails[ys, xs] |= line
    return trails


#: A ring through the writing (:func:`rings`) is a circle this many letter heights
#: in radius or more (a circled word's, a cup's), ...
RING_RADIUS = 1.2
#: ... whose piece of ink's skeleton runs along it, within this many letter heights, ...
RING_TOLERANCE = 0.06
#: ... over this share of the part of it inside the photo or more.
RING_COVER = 0.6


def _circle_through(ys, xs):
    """The least-squares circle through points (n,): ``(cy, cx, r)``."""
    A = np.stack([xs, ys, np.ones_like(xs)], axis=-1).astype(np.float64)
    b = xs.astype(np.float64) ** 2 + ys.astype(np.float64) ** 2
    c = np.linalg.lstsq(A, b, rcond=None)[0]
    cx, cy = c[0] / 2, c[1] / 2
    return cy, cx, float(np.sqrt(max(c[2] + cx * cx + cy * cy, 0.0)))


def _circles_through_three(ys, xs):
    """The circles through triples of points (n, 3): ``(cy, cx, r)``, each (n,); r is
    infinite for points in a line."""
    y, x = ys.astype(np.float64), xs.astype(np.float64)
    q = x * x + y * y
    d = 2 * (x[:, 0] * (y[:, 1] - y[:, 2]) + x[:, 1] * (y[:, 2] - y[:, 0]) + x[:, 2] * (y[:, 0] - y[:, 1]))
    line = np.abs(d) < 1e-9
    d = np.where(line, 1.0, d)
    cx = (q[:, 0] * (y[:, 1] - y[:, 2]) + q[:, 1] * (y[:, 2] - y[:, 0]) + q[:, 2] * (y[:, 0] - y[:, 1])) / d
    cy = (q[:, 0] * (x[:, 2] - x[:, 1]) + q[:, 1] * (x[:, 0] - x[:, 2]) + q[:, 2] * (x[:, 1] - x[:, 0])) / d
    r = np.where(line, np.inf, np.hypot(x[:, 0] - cx, y[:, 0] - cy))
    return cy, cx, r


def rings(labelled, height, radius=RING_RADIUS, tolerance=RING_TOLERANCE, cover=RING_COVER, tries=300):
    """Circles drawn or stained through the writing: a coffee cup's ring, a circled word.

    A ring as dark as the writing joins the letters it crosses, of several lines,
    into one piece of ink over two letters tall, which is no letter and was dropped
    with them (``CHECK OFF`` -> ``CHECK``). In a piece of ink over 2.4 letter heights
    tall and wide, the circle through most of its skeleton (three points drawn
    `tries` times, then fitted to the points within `tolerance` letter heights of
    it) is a ring when its radius is `radius` letter heights or more and its
    skeleton runs along it over `cover` of the part of it inside the photo, and
    the skeleton goes on off it for a letter height or more (the letters it joins). The
    piece's pixels along it, as far out as the ring's line is wide, are the ring's,
    but for those with ink beyond them on both sides: a letter's stroke crossing it.
    (A letter the ring runs along for a while loses a piece: ``O`` may be read
    ``G``.) A large title's ``O`` is about a letter tall at its own scale, at which
    it is read.

    Parameters
    ----------
    labelled : tuple
        ``(labels, boxes, areas)``: the letters' ink's components
        (:func:`ocr.segment.components`).
    height : float
        Letter height, in pixels.

    Returns
    -------
    ring : (H, W) bool ndarray or None
        The rings' pixels, None when there are none.
    """
    labels, boxes, _ = labelled
    if height <= 0 or not len(boxes):
        return None
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    big = np.flatnonzero((h >= 2 * radius * height) & (w >= 2 * radius * height))
    found = None
    rng = np.random.default_rng(0)
    near = max(2.0, tolerance * height)
    for k in big:
        y0, x0, y1, x1 = boxes[k]
        piece = labels[y0:y1, x0:x1] == k + 1
        ys, xs = np.nonzero(kernels.skeletonize(piece))
        if len(ys) < 2 * np.pi * radius * height * cover:
            continue
        picks = np.stack([rng.choice(len(ys), 3, replace=False) for _ in range(tries)])
        cy, cx, r = _circles_through_three(ys[picks], xs[picks])
        ok = (r >= radius * height) & (r <= 10 * height)
        if not ok.any():
            continue
        cy, cx, r = cy[ok], cx[ok], r[ok]
        off = np.abs(np.hypot(ys[None] - cy[:, None], xs[None] - cx[:, None]) - r[:, None]) <= near
        best = int(np.argmax(off.sum(axis=1)))
        on = off[best]
        for _ in range(2):  # fitted to its points
            cy1, cx1, r1 = _circle_through(ys[on], xs[on])
            on = np.abs(np.hypot(ys - cy1, xs - cx1) - r1) <= near
        cy1, cx1, r1 = _circle_through(ys[on], xs[on])
        if r1 < radius * height or np.count_nonzero(~on) < height:
            continue  # (a circle and nothing else: a large O, or a ring touching no letter)
        # the share of the circle, in 72 arcs, that the skeleton runs along, of those in the photo
        t = (np.arange(72) + 0.5) * (2 * np.pi / 72) - np.pi
        arc_y, arc_x = y0 + cy1 + r1 * np.sin(t), x0 + cx1 + r1 * np.cos(t)
        inside = (arc_y >= 0) & (arc_y < labels.shape[0]) & (arc_x >= 0) & (arc_x < labels.shape[1])
        angles = np.arctan2(ys[on] - cy1, xs[on] - cx1)
        covered = np.zeros(72, bool)
        covered[((angles + np.pi) * (72 / (2 * np.pi))).astype(int) % 72] = True
        if not inside.any() or covered[inside].mean() < cover:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        off = np.abs(np.hypot(yy - y0 - cy1, xx - x0 - cx1) - r1)
        along = piece & (off <= near + 2)
        # as wide as the ring's line (its pixels over its length), so that the letters
        # it crosses lose no more than that
        half = 0.5 * np.count_nonzero(along) / (covered.sum() / 72 * 2 * np.pi * r1) + 1
        along &= off <= min(near + 2, half)
        # where a letter's stroke crosses it, ink goes on beyond it on both sides: kept
        py, px = np.nonzero(along)
        dy, dx = py - cy1, px - cx1
        dist = np.maximum(np.hypot(dy, dx), 1e-9)
        step = half + 2
        beyond = []
        for s in (1, -1):
            qy = np.clip(np.rint(cy1 + dy / dist * (r1 + s * step)).astype(int), 0, piece.shape[0] - 1)
            qx = np.clip(np.rint(cx1 + dx / dist * (r1 + s * step)).astype(int), 0, piece.shape[1] - 1)
            beyond.append(piece[qy, qx])
        along[py[beyond[0] & beyond[1]], px[beyond[0] & beyond[1]]] = False
        if found is None:
            found = np.zeros(labels.shape, bool)
        found[y0:y1, x0:x1] |= along
    return found


def tighten(mask, darkness, low, high):
    """The letters' ink within an ink mask: hysteresis again, from a higher floor.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        Ink mask, e.g. :func:`hysteresis` between `low` and `high`, page lines removed.
    darkness : (H, W) float ndarray
        :func:`ink_darkness` of the page.
    low, high : float
        The levels of :func:`threshold_levels`.

    Returns
    -------
    mask : (H, W) bool ndarray
        The pixels of `mask` darker than ``max(low, LETTER_LEVEL * high)``
        connected through such pixels to one darker than `high`.
    labels : (H, W) int32 ndarray
        Its 8-connected components, as :func:`hysteresis` numbers them.
    n : int
    """
    return hysteresis(darkness, max(low, LETTER_LEVEL * high), high, labelled=True, within=mask)


def binarize(grey, sigma=1.0, min_contrast=MIN_CONTRAST, labelled=False):
    """Ink mask of a page photo.

    Parameters
    ----------
    grey : (H, W) float32 ndarray
        Image in [0, 1], 1 = white.
    sigma : float
        Gaussian denoising before thresholding, in pixels.
    min_contrast : float
        Smallest darkness relative to the paper that counts as ink.
    labelled : bool
        Also return the ink's connected components, ``(mask, labels, n)``
        (see :func:`hysteresis`).

    Returns
    -------
    mask : (H, W) bool ndarray
        True where there is ink.
    """
    return threshold_ink(ink_darkness(grey, sigma), min_contrast, labelled=labelled)


def threshold_ink(darkness, min_contrast=MIN_CONTRAST, labelled=False):
    """:func:`binarize` from a darkness map already made (:func:`ink_darkness`):
    hysteresis between the levels :func:`threshold_levels` chooses."""
    low, high = threshold_levels(darkness, min_contrast)
    return hysteresis(darkness, low, high, labelled=labelled)


# ----------------------------------------------------------------------------- the sheet on a desk

def _block_values(grey, block):
    """The pixels of each `block` x `block` block: (bh, bw, block * block)."""
    h, w = grey.shape
    bh, bw = h // block, w // block
    v = grey[: bh * block, : bw * block].reshape(bh, block, bw, block)
    return v.transpose(0, 2, 1, 3).reshape(bh, bw, block * block)


def _block_brightness(values):
    """Each block's paper brightness: its 90th percentile (ink is darker)."""
    k = int(0.9 * (values.shape[2] - 1))
    return np.partition(values, k, axis=2)[:, :, k]


def _otsu(values, bins=64, top=False):
    """Otsu's threshold of values in [0, 1]: the middle of the dark class's last bin,
    or with `top` its top, so that ``values > threshold`` is the bright class whole."""
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = hist / max(1, hist.sum())
    centres = (edges[:-1] + edges[1:]) / 2
    w0, m0 = np.cumsum(p), np.cumsum(p * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 - m0) ** 2 / (w0 * (1 - w0))
    k = int(np.argmax(np.nan_to_num(between, nan=0.0, posinf=0.0)))
    return float(edges[k + 1] if top else centres[k])


def find_sheet(grey, block=8, enclosed=False, return_doubtful=False):
    """Where the sheet of paper is, when the photo shows it lying on a textured ground.

    A wooden or patterned desk around the page is dark "ink" to the thresholds:
    it raises them above the writing and drowns the letter height. The sheet is
    the largest bright region (Otsu's cut of the blocks' paper brightness, holes
    filled). It is only taken as such when all of these hold; otherwise the page
    is read whole, as before:

    * it covers 15-97 % of the photo;
    * it is at least 0.08 brighter than the rest;
    * the rest lines at least :data:`DESK_BORDER` of the photo's border (words
      marked with a highlighter, darker than the paper, sharp-edged and rough with
      their letters, lie within it);
    * its edge is a sharp step (the blocks just outside are darker than their
      neighbours on the sheet by 0.6 of that contrast or more, :data:`SHEET_STEP`; 0.3
      when the rest is five times rougher than the sheet, :data:`ROUGH_DESK_STEP`;
      of the contrast between the sheet and the rest within :data:`STEP_REACH` blocks
      of the edge where that is less, as under a vignette):
      a shadow or a lighting gradient fades, a sheet's edge does not, and a
      shadow is no rougher than the paper; and the sheet beside its edge is
      brighter than the ground beside it by at least half the contrast asked of
      the whole (light falling off smoothly across a page has no edge to step up),
      and steps up more than the ground rises towards it (:data:`OVER_RAMP`: the
      top of a ramp of light, flat beyond it, is no edge);
    * the rest is textured: the spread of the pixels within its blocks (away from
      the edge) is at least 0.01 and twice the sheet's; or it is blank and clearly
      darker (a contrast of 0.15 or more): not one of its blocks holds writing (a
      few pixels 20 % darker than the block's median, which is nearly as bright as
      its brightest tenth), while 2 % or more of the sheet's do. A shadowed part
      of the page is neither: it spreads no more than the lit part, and it holds
      writing or is not that much darker. But a hard shadow over a blank corner
      of the page, its edge across a few letters, passes for a blank desk; so a
      sheet on a ground no rougher than 1.5 times the paper is taken only with
      `enclosed`, as doubtful.

    When that fails, a second candidate is tried for a desk nearly as bright as
    the paper (light oak, whose bright grain joins the bright region): the bright
    blocks as smooth as paper (spread under 2.5 times that of the smoothest fifth
    of the bright blocks), holes filled, with the bright blocks around them (the
    writing near the edge). It must pass the same checks with a contrast of 0.04
    but a desk at least four times as rough as the sheet.

    When both fail, a third is the smooth region whatever its brightness, for a
    ground that is rough all over and as bright as the paper in places, under a
    vignette or a shadow that leaves the sheet's edge no step (:func:`_smooth_sheet`).

    A sheet found by its brightness (any but the third) may be its lit part only,
    the rest in a shade that falls off smoothly: it is grown into that shade
    (:func:`_into_shade`).

    With `enclosed`, when every other try fails on a photo whose bright region
    leaves ground along the border and whose rest is not smooth paper
    (:data:`EDGE_LOOK`), the sheet is looked for by its straight edges
    (:func:`_straight_edged_sheet`), and taken, as doubtful, when the ground they
    leave is no smooth paper either (:data:`EDGE_GROUND`). A sheet found otherwise by its
    brightness gives way to the one its four straight edges make when that
    holds it (:func:`_whole_of`: the lit part of a sheet beyond a hard shadow's edge), and
    to the one they make when the two have half of each in common (bright stripes of a
    cloth beyond the sheet's edge, or a part of the sheet in a shade).

    With `enclosed`, when all that fails, the sheet may be all that is brighter than the
    cut between the darker side's two parts (Otsu's again, on the blocks under the first
    cut), with the usual checks on a blank ground nearly black (:data:`DARK_GROUND`), as
    doubtful: a page partly in shade on a black ground (a scan's black margin, the black
    corners of a photo turned in an app) had its lit part taken for the sheet, its
    shade, holding writing, for the ground, and no sheet was found; read whole, with the
    black as ink, it came out as a few scraps. Failing that too, black corners too thin
    to hold blocks of ground away from the sheet's edge (a small photo turned a little
    in an app) leave a sheet of all but the black, as doubtful, when that is blank,
    near black and along the border. (A bright region that fills the photo is cut
    again at the top of Otsu's bin: a black frame's blocks, all in one bin, straddle
    its middle.)

    Parameters
    ----------
    grey : (H, W) uint8 or float ndarray
        A small copy of the photo, 1 = white (the pipeline passes a quarter-size
        copy of the loaded page, :func:`ocr.pipeline.quarter`).
    block : int
        Block size in pixels of `grey`.
    enclosed : bool
        Only when all that fails: also take a bright region that the ground
        surrounds (:data:`ENCLOSED` of the photo's border) and whose edge steps up
        sharply (:data:`SHARP_STEP`) however smooth the ground, such as a sheet of
        squared paper, rougher than the light oak it lies on. The lit part of a sheet
        whose other side lies in a shadow passes too: the caller reads the page both
        ways (:func:`ocr.pipeline.read`). Failing that as well, a candidate that passes
        the checks leniently is taken, as doubtful too: an edge stepping up by only
        :data:`SOFT_STEP` of the contrast (a phone's blur and vignette soften it), the
        paper's roughness taken from its smoothest fifth of blocks (a sheet crowded
        with writing is rough in most), a blank ground allowed a few blocks like
        writing (:data:`LENIENT_INK`).
    return_doubtful : bool
        Also return whether the sheet was found only so (by `enclosed`).

    Returns
    -------
    sheet : (H // block, W // block) bool ndarray or None
        The sheet's blocks, or None when the photo is not a sheet on a textured ground.
    doubtful : bool
        Only with `return_doubtful`.
    """
    sheet, doubtful = _find_sheet(as_float(grey), block, enclosed)
    return (sheet, doubtful) if return_doubtful else sheet


#: A sheet covers at least and at most these shares of the photo: less is a scrap,
#: more the photo itself, no ground around it (:func:`_sheet_sized`).
SHEET_SHARE = (0.15, 0.97)


def _sheet_sized(mask):
    """Does `mask` (bool (h, w)) cover a sheet's share of the photo (:data:`SHEET_SHARE`)?"""
    least, most = SHEET_SHARE
    return least <= mask.mean() <= most


#: A sheet partly in shade is looked for above a second cut (:func:`find_sheet`) only on
#: a ground this much darker than it at most (a scan's black margin: 0.02-0.1 of the paper).
DARK_GROUND = 0.25


def _find_sheet(g, block, enclosed):
    """:func:`find_sheet`'s work: ``(sheet or None, found only as enclosed)``."""
    if g.shape[0] < 8 * block or g.shape[1] < 8 * block:
        return None, False
    values = _block_values(g, block)
    B = _block_brightness(values)
    spread = values.std(axis=2)
    n = values.shape[2] - 1
    low, mid = np.partition(values, (int(0.05 * n), n // 2), axis=2)[:, :, [int(0.05 * n), n // 2]].transpose(2, 0, 1)
    # writing: a few pixels 20 % darker than the block's paper, most of it as bright as
    # the brightest tenth (a blotch's or a shadow's edge grades evenly instead)
    inky = (mid - low > 0.2 * np.maximum(mid, 0.05)) & (B - mid < 0.5 * (mid - low))
    bright = B > _otsu(B.ravel())
    sheet = _filled(_largest(bright))
    if sheet is not None and sheet.mean() > SHEET_SHARE[1]:
        # A black ground's blocks, all in the dark class's last bin, half of them above
        # its middle by a JPEG's noise, joined the bright region, which filled the photo
        # (a dim sheet framed in black): the cut is then the top of that bin.
        bright = B > _otsu(B.ravel(), top=True)
        sheet = _filled(_largest(bright))
    if sheet is not None and _is_sheet_on_desk(sheet, B, spread, inky=inky):
        if _may_be_shadow(sheet, spread):
            # a blank ground as smooth as the paper may be the page itself in a hard
            # shadow whose edge crosses the writing: the page is read whole as well
            return (_whole_of(_into_shade(sheet, B, spread), g, block), True) if enclosed else (None, False)
        return _whole_of(_into_shade(sheet, B, spread), g, block), False
    # A desk about as bright as the paper (light oak) joins the bright region; the
    # paper is then told by its smoothness.
    second = _smooth_bright(bright, spread)
    light_desk = dict(min_contrast=0.04, texture=4.0, everywhere=ROUGH_EVERYWHERE)  # the checks of the second
    if second is not None and _is_sheet_on_desk(second, B, spread, inky=inky, **light_desk):
        return _whole_of(_into_shade(second, B, spread), g, block), False
    smooth = _smooth_sheet(spread)
    if smooth is not None or not enclosed:
        return smooth, False
    for candidate, min_contrast in ((sheet, 0.08), (second, 0.04)):
        if candidate is not None and _is_sheet_on_desk(candidate, B, spread, min_contrast, enclosed=True):
            return _whole_of(_into_shade(candidate, B, spread), g, block), True
    # A phone's blur and vignette soften a sheet's edge, and a sheet crowded with
    # writing is rough in most of its blocks: a sheet that passes the checks leniently
    # is doubtful too.
    for candidate, checks in ((sheet, {}), (second, light_desk)):
        if candidate is not None and _is_sheet_on_desk(candidate, B, spread, inky=inky, lenient=True, **checks):
            return _whole_of(_into_shade(candidate, B, spread), g, block), True
    # Last, a sheet told by its straight edges, where a desk as bright as the paper in
    # places (a light oak's grain, a cloth's stripes) joins the bright region; only
    # when the rest of the photo is no smooth paper (a page filling the photo is not
    # looked at again), nor the ground its edges leave (a walnut desk that a phone's
    # blur smoothed, beside the sheet's shaded half, passes the first)
    if sheet is not None and _ground_on_border(sheet) >= DESK_BORDER and median(spread[~sheet]) >= EDGE_LOOK:
        edged = _straight_edged_sheet(g, B.shape, block)
        if (edged is not None and _sheet_sized(edged) and _ground_on_border(edged) >= DESK_BORDER
                and median(spread[~edged]) >= EDGE_GROUND):
            return edged, True
    # A sheet partly in shade on a dark ground (a scan's black margin, the black corners
    # of a photo turned in an app): the bright region is its lit part alone, and the
    # shade, with writing in it, is taken for ground. The sheet is then what is brighter
    # than the cut between the ground and the shade, if that leaves a blank ground near
    # black (DARK_GROUND: the dark stripes of a cloth would pass, its light ones as paper).
    if sheet is not None and enclosed and (~bright).sum() >= 2:
        under = _filled(_largest(B > _otsu(B[~bright])))
        if (under is not None and not under.all() and median(B[~under]) <= DARK_GROUND * median(B[under])
                and _is_sheet_on_desk(under, B, spread, texture=np.inf, inky=inky)):
            return _whole_of(_into_shade(under, B, spread), g, block), True
    # The black corners of a photo turned in an app, too thin to hold blocks of ground
    # away from the sheet's edge, which the checks look at: the sheet is all but the
    # black, as doubtful, when that is blank and near black (DARK_GROUND) along the
    # border (a vignette's dark corners read as ink, and the pencil was lost).
    if (sheet is not None and enclosed and _sheet_sized(sheet) and not _far_ground(sheet).any()
            and _ground_on_border(sheet) >= DESK_BORDER and median(B[~sheet]) <= DARK_GROUND * median(B[sheet])
            and not inky[~sheet].any()):
        return sheet, True
    return None, False


#: A sheet's straight edge (:func:`_straight_edged_sheet`) is a line along which the
#: side towards the sheet is brighter by EDGE_STEP or more, 4 pixels either side, ...
EDGE_STEP = 0.06
#: ... over this share of its stretch between the sheet's corners; and a line is only
#: tried as one when it steps so over this share of its length across the photo.
EDGE_SUPPORT = 0.6
EDGE_CANDIDATE = 0.25
#: Lines are looked for through the points stepping across them most steeply: those
#: over this percentile of the log brightness's gradient.
EDGE_POINTS = 90
#: The side of an edge towards the sheet must stay brighter this many times 4 pixels in:
#: a cloth's stripe steps up as sharply, but to a stripe as narrow.
EDGE_DEPTH = 3
#: Edges are looked for within this many degrees of level and of upright ...
EDGE_TILT = 15
#: ... when the rest of the photo, outside the bright region, spreads this much or more
#: in the median block (0.003-0.006 for the paper around the shared pages' bright
#: middles, 0.010-0.026 for the desks whose sheets are found this way, 0.007 for a
#: walnut desk that a phone's blur smoothed, beside the sheet's shaded half), ...
EDGE_LOOK = 0.005
#: ... and the sheet they make is taken when the ground outside it spreads this much
#: (0.009 for that walnut desk).
EDGE_GROUND = 0.008
#: A sheet found by its brightness is replaced by the one its four edges make when that
#: holds this share of it (:func:`_whole_of`), ...
EDGE_HOLDS = 0.95
#: ... or when the two have this share of each in common.
EDGE_SHARES = 0.5


def _whole_of(sheet, g, block):
    """A sheet found by its brightness (bool blocks), or the one its four straight
    edges make (:func:`_straight_edged_sheet`) when that is shaped like a sheet on a
    desk (15-97 % of the photo, the ground along :data:`DESK_BORDER` of its border)
    and either holds it (:data:`EDGE_HOLDS`: a sheet whose part beyond a hard shadow's
    edge was left out, as that edge steps down like a sheet's) or has half of each in
    common with it (:data:`EDGE_SHARES`: the bright region also took in a cloth's
    bright stripes or the grain beyond the sheet's edge, or left out a part of it in
    a shade). Brightness cannot tell a stripe as bright as the paper from the paper;
    the sheet's straight edges, stepping up to it all along, can. A sheet with little
    in common with the four edges is kept: they belong to something else."""
    edged = _straight_edged_sheet(g, sheet.shape, block, least=4)
    if edged is None or not _sheet_sized(edged) or _ground_on_border(edged) < DESK_BORDER:
        return sheet
    near = sheet & kernels.box_max(edged.view(np.uint8), 3).view(bool)  # its blocks at the edges too
    both = int((edged & sheet).sum())
    if near.sum() < EDGE_HOLDS * sheet.sum() and (both < EDGE_SHARES * edged.sum() or both < EDGE_SHARES * sheet.sum()):
        return sheet
    return edged | near


def _straight_edged_sheet(g, shape, block, least=3):
    """A sheet found by its straight edges: the lines where the photo steps up to paper.

    A desk as bright as the paper in places (light oak's grain under a vignette, a
    cloth's bright stripes) joins the bright region and leaves the sheet's edge no
    step in the blocks' brightness, so :func:`find_sheet`'s other tries fail, and
    the whole photo is read: the grain sets the letter height and the writing is
    lost. But the sheet's edges are still straight lines along which the photo steps
    up to the paper all the way, and the grain's or the stripes' edges are not. The
    lines near level and near upright (:data:`EDGE_TILT`) are found by a Hough
    transform of the points where the smoothed photo's log steps most steeply
    (:data:`EDGE_POINTS`) across such a line rather than along it: in the log, a
    sheet's edge in a shade steps as steeply as in the light, and a cloth's stripes
    slanting by more than 27 degrees do not step across such lines (taking the
    strongest gradients of the photo itself, the stripes in the light left a shaded
    edge no points). Each is weighed by the share of its length along which one side
    is brighter by :data:`EDGE_STEP`, and stays so :data:`EDGE_DEPTH` steps in (a
    cloth striped along the sheet's edge steps up as sharply at every stripe, but to a
    stripe as narrow), that side telling whether it would be a top, bottom, left or
    right edge (over :data:`EDGE_CANDIDATE` of it to count). Of the three strongest lines of each kind,
    or none (the photo's border stands in), the sheet is the choice of at least
    three whose sides, between the corners they make, step up so along
    :data:`EDGE_SUPPORT` of their stretches, and most in all.

    Parameters
    ----------
    g : (H, W) float ndarray
        The small copy of the photo :func:`find_sheet` looks at, 1 = white.
    shape : (int, int)
        The shape of its grid of blocks.
    block : int
        Block size in pixels of `g`.
    least : int
        The fewest sides found as edges (3 or 4).

    Returns
    -------
    (h, w) bool ndarray or None
        The blocks within the sheet.
    """
    H, W = g.shape
    smooth = kernels.gaussian_filter(g.astype(np.float32), 2.0)
    # the gradient of the log: a shade scales the light, and leaves an edge in it as steep
    gy, gx = np.gradient(np.log(np.maximum(smooth, 0.02)))
    mag = np.hypot(gx, gy)
    options = {kind: [] for kind in ("top", "bottom", "left", "right")}
    for level in (True, False):
        # the points where the photo steps across a line near level (or upright), its
        # gradient within 27 degrees of square to it: stripes slanting more give none
        across = np.abs(gy) > 2 * np.abs(gx) if level else np.abs(gx) > 2 * np.abs(gy)
        if not across.any():
            continue
        ys, xs = np.nonzero(across & (mag > max(float(percentile(mag[across], EDGE_POINTS)), 0.01)))
        for theta, rho in _hough_peaks(xs, ys, level):
            steps = _steps_across(smooth, theta, rho)
            if steps is None:
                continue
            up, down = float(np.mean(steps > EDGE_STEP)), float(np.mean(steps < -EDGE_STEP))
            kind = ("top" if up > down else "bottom") if level else ("left" if up > down else "right")
            # weighed by how far in the paper stays brighter (a cloth's stripe is narrow)
            inward = EDGE_DEPTH if up > down else -EDGE_DEPTH
            deep = (1.0 if up > down else -1.0) * _steps_across(smooth, theta, rho, inward=inward)
            strength = float(np.mean(deep > EDGE_STEP))
            if strength >= EDGE_CANDIDATE:
                options[kind].append((strength, theta, rho))
    border = {"top": (np.pi / 2, 0.0), "bottom": (np.pi / 2, H - 1.0), "left": (0.0, 0.0), "right": (0.0, W - 1.0)}
    # the three strongest lines of each kind, or none (the photo's border): the sheet is
    # the choice whose sides step up most along their stretches between its corners
    choices = [[None] + [o[1:] for o in sorted(options[kind], reverse=True)[:3]] for kind in border]
    best, here = 0.0, None
    for pick in itertools.product(*choices):
        sides = dict(zip(border, pick))
        if sum(v is not None for v in sides.values()) < least:
            continue
        lines = {k: v or border[k] for k, v in sides.items()}
        support = _sides_support(smooth, lines, sides)
        if support is not None and support > best:
            best, here = support, lines
    if here is None:
        return None
    # the blocks that reach within the four lines (a block partly paper is the sheet's,
    # as in the other tries: its brightness is the paper's)
    cy, cx = (np.mgrid[0 : shape[0], 0 : shape[1]] + 0.5) * block
    inside = np.ones(shape, bool)
    for kind, (theta, rho) in here.items():
        d = cx * np.cos(theta) + cy * np.sin(theta) - rho
        inside &= d >= 0 if kind in ("top", "left") else d <= 0
    return inside if inside.any() else None


def _sides_support(smooth, lines, found):
    """The summed share of their stretches along which the `found` sides (not None)
    of the quadrilateral `lines` step up to it by :data:`EDGE_STEP`; None when the
    lines make no quadrilateral or one of those sides steps up along less than
    :data:`EDGE_SUPPORT` of its stretch."""
    tl, tr, br, bl = [_crossing(lines[a], lines[b]) for a, b in (("top", "left"), ("top", "right"),
                                                              ("bottom", "right"), ("bottom", "left"))]
    if not (tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1]):
        return None
    ends = {"top": (tl, tr), "bottom": (bl, br), "left": (tl, bl), "right": (tr, br)}
    total = 0.0
    for kind, line in found.items():
        if line is None:
            continue
        sign = 1.0 if kind in ("top", "left") else -1.0
        steps = _steps_along(smooth, *ends[kind], kind in ("top", "bottom"), inward=int(sign) * EDGE_DEPTH)
        share = 0.0 if steps is None else float(np.mean(sign * steps > EDGE_STEP))
        if share < EDGE_SUPPORT:
            return None
        total += share
    return total


def _hough_peaks(xs, ys, level, most=12, reach=5):
    """The strongest lines through points (xs, ys): ``(theta, rho)`` with ``x cos(theta)
    + y sin(theta) = rho``, theta within :data:`EDGE_TILT` degrees of pi/2 (lines
    near level) or of 0 (near upright), each at least a fifth as strong as the
    strongest, `reach` pixels and degrees apart."""
    if xs.size == 0:
        return []
    thetas = np.deg2rad(np.arange(-EDGE_TILT, EDGE_TILT + 0.5, 0.5) + (90.0 if level else 0.0))
    rho = np.rint(np.outer(np.cos(thetas), xs) + np.outer(np.sin(thetas), ys)).astype(np.int64)
    lo = int(rho.min())
    span = int(rho.max()) - lo + 1
    acc = np.bincount((np.arange(len(thetas))[:, None] * span + (rho - lo)).ravel(),
                      minlength=len(thetas) * span).reshape(len(thetas), span)
    peaks, top = [], acc.max()
    for _ in range(most):
        i, r = np.unravel_index(int(np.argmax(acc)), acc.shape)
        if acc[i, r] < 0.2 * top or acc[i, r] == 0:
            break
        peaks.append((float(thetas[i]), float(r + lo)))
        acc[max(0, i - 2 * reach) : i + 2 * reach + 1, max(0, r - reach) : r + reach + 1] = 0
    return peaks


def _crossing(a, b):
    """Where lines ``(theta, rho)`` `a` and `b` cross: (x, y)."""
    M = np.array([[np.cos(a[0]), np.sin(a[0])], [np.cos(b[0]), np.sin(b[0])]])
    return tuple(np.linalg.solve(M, [a[1], b[1]]))


def _steps_across(smooth, theta, rho, d=4, inward=1):
    """How much brighter `smooth` is `d` pixels on the side the normal `theta` points to
    than `d` pixels on the other, at every pixel of the line ``(theta, rho)`` within
    the photo (:func:`_brightness_step`, `inward`); None when under 20 pixels of it are."""
    H, W = smooth.shape
    c, s = np.cos(theta), np.sin(theta)
    t = np.arange(-float(H + W), float(H + W))
    return _brightness_step(smooth, rho * c - s * t, rho * s + c * t, c, s, d, inward)


def _steps_along(smooth, p, q, level, d=4, inward=1):
    """The same steps along the stretch p -> q (x, y) of a side, its tenths at either
    end left out (the corners), measured straight down (a level side) or straight
    right (an upright one): the sides lean 15 degrees at most."""
    t = np.linspace(0.1, 0.9, max(0, int(np.hypot(q[0] - p[0], q[1] - p[1]))))
    xs, ys = p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t
    return _brightness_step(smooth, xs, ys, 0.0 if level else 1.0, 1.0 if level else 0.0, d, inward)


def _brightness_step(smooth, xs, ys, nx, ny, d, inward=1):
    """At each point (xs, ys) at least `d` pixels inside the photo, how much brighter
    `smooth` is `d` pixels along the normal (nx, ny) than `d` pixels the other way;
    None when under 20 points are inside. With `inward` k > 1 (or < -1), the side
    along (against) the normal counts by its darkest of the points 1 to |k| times `d`
    pixels out: how much brighter it stays all that way in."""
    H, W = smooth.shape
    ok = (xs >= d) & (xs < W - d) & (ys >= d) & (ys < H - d)
    if ok.sum() < 20:
        return None
    xs, ys = xs[ok], ys[ok]

    def at(k):
        x, y = xs + k * d * nx, ys + k * d * ny
        return smooth[np.clip(np.rint(y).astype(int), 0, H - 1), np.clip(np.rint(x).astype(int), 0, W - 1)]

    if inward > 1:
        return np.min([at(k) for k in range(1, inward + 1)], axis=0) - at(-1)
    if inward < -1:
        return at(1) - np.min([at(-k) for k in range(1, 1 - inward)], axis=0)
    return at(1) - at(-1)


#: A sheet found by its brightness grows into the blocks beside it whose brightness is
#: within this share of the sheet's contrast with the ground of a neighbour's on the
#: sheet (:func:`_into_shade`) ...
SHADE_STEP = 0.25
#: ... and that spread no more than this many times, and no less than this share, of
#: the sheet's smoothest fifth of blocks (paper; a flat fill around a turned scan is not) ...
SHADE_SMOOTH = 2.5
SHADE_FLAT = 0.25
#: ... when that fifth spreads no more than this (squared paper or crowded writing
#: is as rough as a light desk's grain: such a sheet is not grown) ...
SHADE_PAPER = 0.015
#: ... taking in only what a square of this many blocks fits in (a band of a cloth's
#: stripe or a desk's grain as bright as the shade beside it is narrower) ...
SHADE_BROAD = 5
#: ... and only when the grown sheet fills this share of its convex hull.
SHADE_HULL = 0.85


def _into_shade(sheet, B, spread):
    """A sheet found by its brightness, grown into the part of it that lies in shade.

    Light falling off across a page (a lamp on one side, the phone's own shadow)
    can darken one side of the sheet as much as the ground: the bright region, and
    so the sheet found, is then the lit part only, and the writing in the shade is
    painted over as desk. But the shaded paper is as smooth as the lit paper and its
    brightness falls block by block with no step, while a textured ground is rough
    and a sheet's edge steps down. So the sheet takes in, again and again, every
    block beside it as smooth as its paper (:data:`SHADE_SMOOTH`, :data:`SHADE_FLAT`)
    and as bright as a neighbour on the sheet (within :data:`SHADE_STEP` of the
    contrast); then, once, the blocks beside that as bright however rough (writing at
    the shaded edge; writing inside is filled in as holes). Of what was taken in, only
    the broad part is kept (:data:`SHADE_BROAD`). The grown sheet replaces the one
    found when it still fills :data:`SHADE_HULL` of its hull, leaves 3 % of the photo
    to the ground and the ground along :data:`DESK_BORDER` of the photo's border. A
    sheet whose paper is rough (:data:`SHADE_PAPER`) is not grown.

    Parameters
    ----------
    sheet : (h, w) bool ndarray
        The sheet's blocks as found.
    B : (h, w) float ndarray
        The blocks' paper brightness.
    spread : (h, w) float ndarray
        The standard deviation of each block's pixels.

    Returns
    -------
    (h, w) bool ndarray
        The sheet grown, or `sheet` itself.
    """
    paper = float(percentile(spread[sheet], 20))
    if sheet.all() or paper > SHADE_PAPER:
        return sheet
    step = SHADE_STEP * float(median(B[sheet]) - median(B[~sheet]))
    smooth = (spread < max(0.004, SHADE_SMOOTH * paper)) & (spread > SHADE_FLAT * paper)
    grown = sheet.copy()
    while True:
        more = ~grown & smooth & (_nearest_step(grown, B) <= step)
        if not more.any():
            break
        grown |= more
    # and, once, the blocks beside it as bright, however rough: writing at the shaded edge
    grown |= ~grown & (_nearest_step(grown, B) <= step)
    # only a broad stretch of shade: a light desk's grain or a cloth's stripe as bright
    # as the shaded paper beside it leads off in a narrow band
    broad = _opened(_filled(grown) & ~sheet, SHADE_BROAD)
    labels, _ = kernels.label(broad)
    beside = np.unique(labels[kernels.box_max(sheet.view(np.uint8), 3).view(bool)])
    grown = _filled(sheet | np.isin(labels, beside[beside > 0]))
    if (grown.sum() == sheet.sum() or grown.mean() > SHEET_SHARE[1] or _ground_on_border(grown) < DESK_BORDER
            or grown.sum() < SHADE_HULL * _convex_hull(grown).sum()):
        return sheet
    return grown


#: A desk as bright as the paper (:func:`find_sheet`'s second try) is rough nearly
#: everywhere: the smoothest fifth of its blocks this many times rougher than the
#: sheet's (1.5-1.7 for the blank paper between a form's boxes on an unevenly lit
#: page, whose blank part was taken for the sheet; 3.6-26 for the striped cloths this
#: try finds, 1.8 for a part of one that it took wrongly).
ROUGH_EVERYWHERE = 2.5


def _smooth_bright(bright, spread):
    """:func:`find_sheet`'s second candidate: the bright blocks no rougher than 2.5 times
    the smoothest fifth of them, holes (the writing) filled, and the bright blocks
    next to them added (writing close to the edge)."""
    if not bright.any():
        return None
    rough = max(0.004, 2.5 * float(percentile(spread[bright], 20)))
    sheet = _filled(_largest(bright & (spread < rough)))
    if sheet is None:
        return None
    return _filled(sheet | (bright & kernels.box_max(sheet.view(np.uint8), 3).view(bool)))


#: The ground around a sheet found by its smoothness (:func:`_smooth_sheet`) holds no
#: smooth region as large as this share of the sheet.
SMOOTH_GROUND = 0.1


def _smooth_sheet(spread, fill=0.8, rough=0.03, texture=4.0, most=0.06):
    """A sheet told from its ground by texture alone (:func:`find_sheet`'s last try).

    A gingham cloth, or wood whose grain is as bright as the paper in places, under
    a vignette or a shadow, leaves the sheet neither the bright region nor a step
    up at its edge; but the paper is smooth and that ground is rough all over. The
    sheet is the convex hull of the largest region of blocks smoother than a cut
    (writing inside it filled as holes, writing at its edge taken in by the hull),
    taken when it is shaped like a sheet (the smooth blocks fill `fill` of their
    hull), covers 15-97 % of the photo with the ground along :data:`DESK_BORDER` of
    the photo's border, and the ground (a block away from the hull) is rough nearly
    everywhere: over the cut in three quarters of its blocks, in the median over
    `rough` and `texture` times the sheet's median, and nowhere as smooth as the cut
    over :data:`SMOOTH_GROUND` of the sheet's area. A page of writing is no such
    ground: there is paper between its letters and lines. The cut is Otsu's of the
    log of the blocks' spread, then 1.5 times higher in turn up to `most` (squared
    paper's lines make the paper's blocks rougher than its blank margins).

    Parameters
    ----------
    spread : (h, w) float ndarray
        Standard deviation of the pixels of every block.

    Returns
    -------
    sheet : (h, w) bool ndarray or None
    """
    lo, hi = np.log(1e-3), np.log(0.5)
    scaled = (np.log(np.clip(spread, 1e-3, 0.5)) - lo) / (hi - lo)
    cut = float(np.exp(lo + (hi - lo) * _otsu(scaled.ravel())))
    while cut <= most:
        sheet = _sheet_smoother_than(spread, cut, fill, rough, texture)
        if sheet is not None:
            return sheet
        cut *= 1.5
    return None


def _sheet_smoother_than(spread, cut, fill, rough, texture):
    """:func:`_smooth_sheet`'s sheet and checks for one cut."""
    region = _filled(_largest(spread < cut))
    if region is None or region.mean() > SHEET_SHARE[1]:
        return None
    sheet = _convex_hull(region)
    if not _sheet_sized(sheet) or region.sum() < fill * sheet.sum():
        return None
    if _ground_on_border(sheet) < DESK_BORDER:
        return None
    ground = ~kernels.box_max(sheet.view(np.uint8), 3).view(bool)
    if not ground.any():
        return None
    inside = float(median(spread[sheet]))
    if float(percentile(spread[ground], 25)) < cut or float(median(spread[ground])) < max(rough, texture * inside):
        return None
    # and nowhere as smooth as paper over a tenth of the sheet's area (the lit part of a
    # sheet whose shadowed part is the larger)
    smooth = _largest(ground & (spread < cut))
    if smooth is not None and smooth.sum() >= SMOOTH_GROUND * sheet.sum():
        return None
    return sheet


def _convex_hull(region):
    """The blocks whose centres lie in the convex hull of `region`'s blocks (bool (h, w))."""
    rows = np.flatnonzero(region.any(axis=1))
    first = region[rows].argmax(axis=1)
    last = region.shape[1] - 1 - region[rows, ::-1].argmax(axis=1)
    # the outer corners of each row's first and last blocks; their hull by Andrew's monotone chain
    pts = sorted(set(zip(np.concatenate([first, first, last + 1, last + 1]).tolist(),
                         np.concatenate([rows, rows + 1, rows, rows + 1]).tolist())))

    def half(points):
        out = []
        for p in points:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    hull = np.array(half(pts) + half(pts[::-1]), dtype=float)
    cy, cx = np.mgrid[0 : region.shape[0], 0 : region.shape[1]] + 0.5
    inside = np.ones(region.shape, bool)
    for (x0, y0), (x1, y1) in zip(hull, np.roll(hull, -1, axis=0)):  # on the inner side of every edge
        inside &= (x1 - x0) * (cy - y0) - (y1 - y0) * (cx - x0) >= 0
    return inside | region


def _nearest_step(region, B):
    """For every block, the least brightness step to a 4-neighbour in `region` (inf if none)."""
    lit = np.pad(np.where(region, B, np.inf), 1, constant_values=np.inf)
    return np.min([np.abs(lit[a:a + B.shape[0], b:b + B.shape[1]] - B) for a, b in ((0, 1), (2, 1), (1, 0), (1, 2))],
                  axis=0)


def _opened(mask, size):
    """`mask` (bool (h, w)) opened by a `size` x `size` square: only what such a square fits in."""
    eroded = ~kernels.box_max((~mask).view(np.uint8), size).view(bool)
    return kernels.box_max(eroded.view(np.uint8), size).view(bool)


def _ground_on_border(sheet):
    """The share of the photo's border (blocks) that is not `sheet`."""
    return float(np.mean(~np.concatenate([sheet[0], sheet[-1], sheet[:, 0], sheet[:, -1]])))


def _largest(mask):
    """The largest 8-connected region of a boolean block mask, or None."""
    labels, n = kernels.label(mask)
    if n == 0:
        return None
    return labels == 1 + int(np.argmax(np.bincount(labels.ravel())[1:]))


def _reaching(mask, seeds=None):
    """The 8-connected parts of `mask` that reach the image's border (or a `seeds` pixel)."""
    labels, n = kernels.label(mask)
    reach = np.zeros(n + 1, bool)
    for part in (labels[0], labels[-1], labels[:, 0], labels[:, -1]) + ((labels[seeds],) if seeds is not None else ()):
        reach[part] = True
    reach[0] = False
    return reach[labels]


def _filled(region):
    """`region` with its holes (the parts of the rest that do not reach the border) filled."""
    if region is None:
        return None
    return region | ~_reaching(~region)


#: A sheet's edge steps up from the blocks just outside it by at least this share of
#: the sheet's contrast with the rest of the photo (:func:`find_sheet`), ...
SHEET_STEP = 0.6
#: ... or by this share when the rest is :data:`ROUGH_DESK` times rougher than the
#: sheet, and 0.02 or more (a gingham cloth, the sheet's edge darkened by a vignette).
ROUGH_DESK_STEP = 0.3
ROUGH_DESK = 5.0
#: With ``enclosed``, failing all else, a sheet whose edge steps up by this share, and
#: that passes the other checks with the paper's roughness taken from its smoothest
#: blocks, is taken as doubtful (the photo is also read whole, :func:`find_sheet`).
SOFT_STEP = 0.3
#: ... and whose ground, if not textured, holds writing in at most this share as many
#: blocks as the sheet does.
LENIENT_INK = 0.05

#: A sheet's edge steps up more than the ground rises towards it, by at least this
#: many times the ground's own step from the block beyond (:func:`_ground_rise`): light
#: falling off across a page in a ramp brightens each block by as much as the last,
#: and the ramp's top is no edge (0.89 on a page lit from one side whose darker half was
#: cut off as a desk; 1.29 and up, most over 2, on the 304 sheets found in the photos
#: of the desk and page sets).
OVER_RAMP = 1.1

#: A desk shows along at least this share of the photo's border (0.17 to 1 on every
#: photo of a sheet on a desk measured; highlighted words that reach a darker edge of
#: the photo took 0.06 of it).
DESK_BORDER = 0.1


#: With ``enclosed`` (:func:`find_sheet`), a sheet with the ground along this share of
#: the photo's border or more, ...
ENCLOSED = 0.9
#: ... whose edge steps up by this share of the contrast, is on a desk however smooth.
SHARP_STEP = 0.8

#: The contrast a sheet's edge is weighed against is that of the sheet's and the
#: desk's blocks within this many blocks of it (:func:`find_sheet`).
STEP_REACH = 3


def _near_mean(values, where, r):
    """Mean of `values` over the `where` blocks within `r` blocks of each block (NaN if none).

    Parameters
    ----------
    values : (h, w) float ndarray
    where : (h, w) bool ndarray
    r : int

    Returns
    -------
    (h, w) float ndarray
    """
    k = 2 * r + 1

    def box(a):  # sums over (2r+1)^2 windows, from a summed-area table
        c = np.pad(a, ((r + 1, r), (r + 1, r))).cumsum(0).cumsum(1)
        return c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]

    w = where.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return box(values * w) / box(w)


#: A ground beyond a sheet's edge that is no rougher than this many times the sheet
#: (median block spread) may be the page itself in a shadow (:func:`_may_be_shadow`).
SHADOW_ROUGH = 1.5


def _neighbours(values, where, fill):
    """The `values` of each block's four neighbours: four (h, w) arrays (above, below,
    left, right), `fill` where the neighbour is outside `where` or the grid."""
    p = np.pad(np.where(where, values, fill), 1, constant_values=fill)
    return [p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]]


def _ground_rise(B, edge, far):
    """How much the ground brightens towards a sheet's edge: the median step up from
    the darkest far-ground 4-neighbour of each `edge` block to the block (0 when none
    has one).

    Parameters
    ----------
    B : (h, w) float ndarray
        The blocks' paper brightness.
    edge, far : (h, w) bool ndarray
        The ground's blocks beside the sheet, and the rest of the ground.

    Returns
    -------
    float
    """
    below = np.minimum.reduce(_neighbours(B, far, np.inf))
    beyond = edge & np.isfinite(below)
    return float(median(B[beyond] - below[beyond])) if beyond.any() else 0.0


def _far_ground(sheet):
    """The ground's blocks (bool) that are no 4-neighbour of the `sheet`'s."""
    beside = sheet.copy()
    beside[1:] |= sheet[:-1]
    beside[:-1] |= sheet[1:]
    beside[:, 1:] |= sheet[:, :-1]
    beside[:, :-1] |= sheet[:, 1:]
    return ~beside


def _may_be_shadow(sheet, spread):
    """Could the ground beyond the blocks beside the `sheet` (bool blocks) be a shadow on
    the page: its median block's `spread` at most :data:`SHADOW_ROUGH` times the
    sheet's? A shadow is no rougher than the paper it falls on."""
    far = _far_ground(sheet)
    if not far.any():
        return True
    return float(median(spread[far])) <= SHADOW_ROUGH * float(median(spread[sheet]))


def _is_sheet_on_desk(sheet, B, spread, min_contrast=0.08, texture=2.0, inky=None, enclosed=False, everywhere=None,
                      lenient=False):
    """The checks of :func:`find_sheet` on a candidate sheet (blocks).

    `everywhere`, when given, asks a textured ground to be rough nearly everywhere:
    the smoothest fifth of its blocks `everywhere` times rougher than the sheet's
    smoothest fifth (a page crowded with writing or a form's boxes has blank paper
    between them). `inky` (blocks holding something as dark as writing), when given, also lets
    through a desk that is not textured but holds no writing at all while the
    sheet does; `enclosed`, a ground of any texture along :data:`ENCLOSED` of the
    photo's border that the sheet's edge steps up from by :data:`SHARP_STEP` of the
    contrast. `lenient` asks a step of only :data:`SOFT_STEP` of the edge, weighs the
    ground's roughness against the paper's smoothest fifth of blocks, and lets a blank
    ground hold a little writing (:data:`LENIENT_INK`).
    """
    if not _sheet_sized(sheet):
        return False
    on_border = _ground_on_border(sheet)
    if on_border < DESK_BORDER:
        return False  # what is darker lies within the photo: words highlighted, no desk
    contrast = float(median(B[sheet]) - median(B[~sheet]))
    if contrast < min_contrast:
        return False
    # the step up from each block just outside the sheet to its brightest sheet neighbour
    up = np.maximum.reduce(_neighbours(B, sheet, -1.0))
    far = _far_ground(sheet)
    edge = ~sheet & ~far
    if not edge.any() or not far.any():
        return False
    # leniently, the paper's roughness is that of its smoothest fifth (the median block
    # of a sheet crowded with writing holds some)
    s_out = float(median(spread[far]))
    s_in = float(percentile(spread[sheet], 20) if lenient else median(spread[sheet]))
    # a ground many times rougher than the paper is no shadow (a shadow is as smooth
    # as the paper it falls on): its bright squares step up to a sheet whose edge a
    # vignette darkened by less, and less of a step is asked of it
    rough = s_out >= 0.02 and s_out >= ROUGH_DESK * s_in
    # the step is weighed against the contrast around the edge (a vignette darkens a
    # sheet's edge far more than its middle), when that is the smaller
    around = _near_mean(B, sheet, STEP_REACH)[edge] - _near_mean(B, far, STEP_REACH)[edge]
    around = around[~np.isnan(around)]
    against = min(contrast, float(median(around))) if around.size else contrast
    if against < 0.5 * min_contrast:  # no edge: the light merely falls off across the page
        return False
    step = median(up[edge] - B[edge])
    if step < (SOFT_STEP if lenient else ROUGH_DESK_STEP if rough else SHEET_STEP) * against:
        return False
    if step < OVER_RAMP * _ground_rise(B, edge, far):
        return False  # the top of a ramp of light, no edge
    if s_out >= 0.01 and s_out >= texture * s_in:
        return everywhere is None or (float(percentile(spread[far], 20))
                                      >= everywhere * float(percentile(spread[sheet], 20)))
    if enclosed and on_border >= ENCLOSED and step >= SHARP_STEP * against:
        return True
    # or a blank ground, clearly darker: no block around the sheet holds writing, while
    # the sheet does
    # (leniently, a twentieth as many of its blocks as of the sheet's: a knot in the wood)
    return (inky is not None and contrast >= 0.15 and inky[sheet].mean() >= 0.02
            and inky[~sheet].mean() <= (LENIENT_INK * inky[sheet].mean() if lenient else 0.0))


def sheet_box(sheet, shape, small_shape, block=8):
    """The box ``(y0, x0, y1, x1)`` around a sheet in an image of `shape`, pixels:
    `sheet` is :func:`find_sheet`'s blocks of `block` pixels of a copy of the image
    of `small_shape`. The blocks at the sheet's edge hold a little of the desk: what
    is left of it there after :func:`fill_outside_sheet` touches the box's border."""
    rows, cols = np.flatnonzero(sheet.any(axis=1)), np.flatnonzero(sheet.any(axis=0))
    fy, fx = block * shape[0] / small_shape[0], block * shape[1] / small_shape[1]  # pixels per block
    return (int(rows[0] * fy), int(cols[0] * fx),
            min(shape[0], int(np.ceil((rows[-1] + 1) * fy))), min(shape[1], int(np.ceil((cols[-1] + 1) * fx))))


#: In the strip where a sheet's edge runs, a pixel at least this bright against the
#: paper near by is paper, however bright the desk beside it (:func:`fill_outside_sheet`).
PAPER_SHARE = 0.9


def _near_desk_top(values, sheet, desk, reach=2):
    """Each block's nearest desk's brightest parts, (h, w) float32: the 95th
    percentile of the desk blocks within `reach` blocks, the whole desk's where none is."""
    where = desk if desk.any() else ~sheet
    everywhere = float(percentile(values[where].ravel(), 95))
    tops = np.where(where, np.percentile(values, 95, axis=2), -np.inf).astype(np.float32)
    near = kernels.box_max(tops, 2 * reach + 1)
    return np.where(np.isfinite(near), near, everywhere).astype(np.float32)


def fill_outside_sheet(grey, small, sheet, block=8, return_desk=False):
    """Paint everything but the sheet with the sheet's own paper brightness.

    The sheet's blocks two blocks in from its edge are kept (a block a tenth
    paper counts as sheet to :func:`find_sheet`), and the blocks one block out
    are desk. Between the two, where the edge runs, each pixel is told
    apart by its brightness: what is at least half-way from the brightest parts of
    the desk near by to the paper near by, or :data:`PAPER_SHARE` of the paper's brightness
    (a desk as bright as the paper, a shade over the sheet's edge), and joined to the
    kept sheet that way, is paper; ink enclosed
    by paper (letters near the edge) is kept with it; the rest, all that reaches
    the desk or the photo's border, is desk. The desk gets the paper brightness of
    the nearest kept blocks, carried outwards block by block and interpolated, so
    no step is left for the thresholds to find.

    Parameters
    ----------
    grey : (H, W) uint8 or float32 ndarray
        The photo (``Loaded.pixels``).
    small : (h, w) ndarray
        The copy :func:`find_sheet` looked at (any scale of `grey`).
    sheet : (h // block, w // block) bool ndarray
        Its result.
    block : int
    return_desk : bool
        Also return the pixels painted over.

    Returns
    -------
    grey : (H, W) ndarray, same dtype as `grey`
    desk : (H, W) bool ndarray
        Only with `return_desk`: the pixels painted over.
    """
    from PIL import Image

    scale = 255.0 if grey.dtype == np.uint8 else 1.0
    values = _block_values(as_float(small), block)
    B = _block_brightness(values)
    # kept: two blocks in from the sheet's edge and from the photo's border (a sheet
    # cut off by the frame may still have a strip of desk in its last blocks)
    keep = ~kernels.box_max(np.pad(~sheet, 1, constant_values=True).view(np.uint8), 5)[1:-1, 1:-1].view(bool)
    if not keep.any():  # a strip too thin for inner blocks: its own blocks are all there is
        keep = sheet.copy()
    desk = ~kernels.box_max(sheet.view(np.uint8), 3).view(bool)
    F = np.where(keep, B, np.nan).astype(np.float32)
    for _ in range(sum(F.shape)):  # carry the paper brightness outwards
        missing = np.isnan(F)
        if not missing.any():
            break
        P = np.pad(F, 1, constant_values=np.nan)
        around = np.stack([P[:-2, 1:-1], P[2:, 1:-1], P[1:-1, :-2], P[1:-1, 2:]])
        known = ~np.isnan(around)
        mean = np.where(known, around, 0).sum(axis=0) / np.maximum(known.sum(axis=0), 1)
        F = np.where(missing & known.any(axis=0), mean, F).astype(np.float32)
    H, W = grey.shape

    f = block * H / small.shape[0], block * W / small.shape[1]  # pixels of `grey` per block
    iy = np.minimum((np.arange(H) / f[0]).astype(np.intp), sheet.shape[0] - 1)
    ix = np.minimum((np.arange(W) / f[1]).astype(np.intp), sheet.shape[1] - 1)

    def to_pixels(mask):  # each pixel takes its block's value (the last, partial blocks their neighbour's)
        return mask[iy][:, ix]

    def to_pixels_smooth(values):  # interpolated between the blocks' centres
        return np.asarray(Image.fromarray(values.astype(np.float32) * np.float32(scale), mode="F")
                          .resize((W, H), Image.BILINEAR))

    paper = to_pixels_smooth(F)
    kept, out = to_pixels(keep), to_pixels(desk)
    # half-way from the desk's brightest parts near by (its bright grain or stripes) to
    # the paper near by: light falling off towards the sheet's edge darkens both, and
    # the edge's own blocks show its paper (their 90th percentile) where it is darker
    # than the paper carried out from further in
    top = _near_desk_top(values, sheet, desk)
    near = to_pixels_smooth(np.where(sheet & ~keep & (B > top) & (B < F), B, F))  # (interpolation is linear)
    contrast = np.float32(scale * float(median(B[sheet]) - median(B[~sheet])))
    level = np.maximum(near - 0.5 * contrast, 0.5 * (near + to_pixels_smooth(top)))
    # a cloth's stripes as bright as the paper, or brighter than a shade over the sheet's
    # edge, would set the level over the paper itself: ink is darker than that
    level = np.minimum(level, np.float32(PAPER_SHARE) * near)
    bright, n = kernels.label(kept | (~out & (grey >= level)))  # in the band: paper-bright pixels
    joined = np.zeros(n + 1, bool)  # ... that join the sheet (not a bright stripe of the desk)
    joined[bright[kept]] = True
    joined[0] = False
    desk_px = _reaching(~joined[bright], seeds=out)  # what is not that reaches the desk or the border
    # and the sheet's edge itself, a pixel wide (half desk, half paper), outside the kept blocks
    desk_px |= kernels.box_max(desk_px.view(np.uint8), 3).view(bool) & ~kept
    filled = np.where(desk_px, paper.astype(grey.dtype), grey)
    return (filled, desk_px) if return_desk else filled
