"""Crop normalisation: any glyph mask to the classifier's 32x32 input.

Every source of characters goes through :func:`normalize_glyph`: letters cut
out of a photographed page, EMNIST tiles, NIST36 rows and photographed crops
used for training. The glyph is reduced to its skeleton and redrawn with one
fixed pen, so stroke width, ink colour, blur and resolution of the source no
longer matter to the classifier: only the shape does.
"""

import numpy as np

from .kernels import skeletonize

#: Side of the classifier's input image, in pixels.
SIZE = 32
#: Longest side of the glyph's skeleton inside the 32x32 frame, in pixels.
BOX = 24
#: Radius of the redrawn pen on the 2x working canvas (stroke ~ 2*R/2 px at 32x32).
PEN_RADIUS = 2.5
_UP = 2  # working canvas is _UP times the output size


def _disk(radius):
    r = int(np.ceil(radius))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return xx**2 + yy**2 <= radius**2 + 1e-9


_PEN = _disk(PEN_RADIUS)


def _resize_mask(mask, shape):
    """Resize a boolean mask to `shape` (rows, cols), keeping thin strokes.

    Shrinking averages areas (Pillow's box filter) and keeps every pixel that is
    at least a fifth ink, so a thin stroke becomes a faint line, not a gap;
    enlarging interpolates bilinearly and keeps what is at least half ink.
    """
    from PIL import Image

    h, w = mask.shape
    im = Image.fromarray(mask.astype(np.uint8) * 255)
    if shape[0] < h or shape[1] < w:
        small = np.asarray(im.resize((shape[1], shape[0]), Image.BOX))
        return small > 51
    return np.asarray(im.resize((shape[1], shape[0]), Image.BILINEAR)) > 127


def slant(mask):
    """How far a glyph's ink leans: the shear dx/dy of its second moments.

    Parameters
    ----------
    mask : (H, W) bool ndarray

    Returns
    -------
    slant : float
        ``cov(x, y) / var(y)`` of the ink pixels, y growing downwards: negative
        when the glyph leans right (italic), 0 for an empty or flat mask.
    """
    y, x = np.nonzero(mask)
    if y.size < 2:
        return 0.0
    y = y - y.mean()
    vy = float((y * y).mean())
    return float(((x - x.mean()) * y).mean() / vy) if vy > 0 else 0.0


def thinned(mask, keep=0.4):
    """A glyph's strokes a pixel thinner: eroded by the 4-neighbour cross.

    Parameters
    ----------
    mask : (H, W) bool ndarray
    keep : float
        If erosion leaves less than this share of the ink (hairline strokes), the
        mask is returned as it is.

    Returns
    -------
    mask : (H, W) bool ndarray
    """
    m = np.asarray(mask, dtype=bool)
    p = np.pad(m, 1)
    out = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    return out if out.sum() >= keep * m.sum() else m


def skeleton_canvas(mask, size=SIZE, box=BOX):
    """Place the skeleton of a glyph, centred and scaled, on a 2x working canvas.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        True where there is ink. Anything outside the glyph must be False.
    size, box : int
        Output side and longest glyph side, in output pixels.

    Returns
    -------
    canvas : (2*size, 2*size) bool ndarray
        One-pixel-wide skeleton of the glyph.
    """
    canvas = np.zeros((size * _UP, size * _UP), dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return canvas
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    mask = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = mask.shape
    scale = (box * _UP) / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    glyph = _resize_mask(mask, (nh, nw))
    if not glyph.any():
        glyph = np.ones((nh, nw), dtype=bool)
    skel = skeletonize(glyph)
    y0, x0 = (size * _UP - nh) // 2, (size * _UP - nw) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = skel
    return canvas


def normalize_glyph(mask, size=SIZE, box=BOX):
    """Turn a glyph mask into a classifier input: black ink on white, fixed pen.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        True where there is ink, cropped or not; only this glyph's pixels set.
    size : int
        Side of the output image.
    box : int
        Longest side of the glyph inside the output, before the pen is applied.

    Returns
    -------
    image : (size, size) float32 ndarray
        Values in [0, 1], 1 is paper and 0 is ink, glyph centred by its box.
    """
    return draw_with_pen(skeleton_canvas(mask, size, box)[None], size)[0]


def draw_with_pen(canvases, size=SIZE):
    """Redraw skeletons with the fixed round pen and average down to the output size.

    Parameters
    ----------
    canvases : (N, 2*size, 2*size) bool ndarray
        Skeletons from :func:`skeleton_canvas`.
    size : int

    Returns
    -------
    images : (N, size, size) float32 ndarray
        1 is paper, 0 is ink.
    """
    n, side = len(canvases), size * _UP
    r = _PEN.shape[0] // 2
    padded = np.zeros((n, side + 2 * r, side + 2 * r), dtype=bool)
    padded[:, r : r + side, r : r + side] = canvases
    ink = np.zeros((n, side, side), dtype=bool)
    for dy, dx in zip(*np.nonzero(_PEN)):  # dilation by the pen: one shifted copy per pen pixel
        ink |= padded[:, dy : dy + side, dx : dx + side]
    # Average each _UP x _UP block (summing strided views is much faster than .mean)
    dots = ink.view(np.uint8)
    count = sum(dots[:, i::_UP, j::_UP] for i in range(_UP) for j in range(_UP))
    return 1.0 - count.astype(np.float32) * np.float32(1 / _UP**2)


def normalize_many(masks, size=SIZE, box=BOX):
    """Normalise a sequence of glyph masks.

    Parameters
    ----------
    masks : iterable of (H, W) bool ndarray

    Returns
    -------
    images : (N, size, size) float32 ndarray
    """
    canvases = [skeleton_canvas(m, size, box) for m in masks]
    if not canvases:
        return np.ones((0, size, size), dtype=np.float32)
    step = 1024  # the pen works on blocks of glyphs at once; this bounds its memory
    return np.concatenate([draw_with_pen(np.stack(canvases[i : i + step]), size)
                           for i in range(0, len(canvases), step)])
