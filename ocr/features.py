"""Stage 6, the classifier's input: what the network sees of a normalised crop.

A crop is the 32x32 image :func:`ocr.normalize.normalize_glyph` makes (1 = white
paper, 0 = ink). Four kinds of input exist, named in a model's metadata
(``meta["input"]["features"]``):

``pixels``
    The 1,024 pixels, ink = 1 and paper = 0 (so the blank page adds nothing to
    the first layer).
``pixels+directions-v1``
    The same pixels followed by 512 stroke-direction features
    (:func:`directions`): for each 4x4 cell of the crop, how much the ink darkens
    towards each of 8 directions across the strokes' edges (the two sides of a
    vertical stroke darken towards +x and -x, its ends towards +y and -y). Classic handwriting recognisers feed such
    gradient-direction histograms to their classifiers; here they let the MLP see
    stroke orientation directly instead of learning it from the few writers of
    its training data.
``deskewed-v1``
    The crop with its slant sheared away first (:func:`deskew`): its pixels and
    its stroke directions as above, then the slant that was removed. Writers
    lean their letters by different amounts; a network that sees every letter
    upright learns the shapes instead of the slants (and still knows the slant
    from the last input).
``moments-v1``
    The crop deskewed and then *moment-normalised* (:func:`moment_normalize`):
    moved so that its ink's centre of mass is the crop's centre and scaled so
    that the ink's spread (standard deviation along its longer axis) is the
    same for every letter, instead of its box's longest side filling 24
    pixels; its pixels and stroke directions, then the slant, the scale and the
    ink's aspect (log of its spreads' ratio). A long tail, a flag or a stray
    tick sets the box but moves the moments little: a different view of the
    same letter, which helps most when averaged with the other kinds.
"""

import numpy as np

SIDE = 32
CELL = 4
#: Unit vectors of the 8 directions, every 45 degrees, counter-clockwise from +x
#: (x to the right, y down the image).
_C = float(np.sqrt(0.5))
DIRECTIONS = ((1, 0), (_C, _C), (0, 1), (-_C, _C), (-1, 0), (-_C, -_C), (0, -1), (_C, -_C))
#: Number of network inputs for each kind of input.
SIZES = {
    "pixels": SIDE * SIDE,
    "pixels+directions-v1": SIDE * SIDE + len(DIRECTIONS) * (SIDE // CELL) ** 2,
    "deskewed-v1": SIDE * SIDE + len(DIRECTIONS) * (SIDE // CELL) ** 2 + 1,
    "moments-v1": SIDE * SIDE + len(DIRECTIONS) * (SIDE // CELL) ** 2 + 3,
}
DEFAULT = "pixels"
#: Largest slant (x per y) :func:`deskew` removes: about 27 degrees from upright.
MAX_SLANT = 0.5
#: :func:`moment_normalize` scales the ink so that its larger standard deviation is
#: this many pixels (that of ink spread evenly over 24, the box's longest side) ...
SPREAD = 24 / np.sqrt(12)
#: ... by a factor within these bounds.
MOMENT_SCALE = (0.8, 1.25)
#: Largest log aspect ratio of the ink that :func:`moment_normalize` reports.
MAX_ASPECT = 3.0


def pixels(crops):
    """Crops as rows of ink.

    Parameters
    ----------
    crops : (N, 32, 32) float ndarray
        1 = paper, 0 = ink.

    Returns
    -------
    X : (N, 1024) float32 ndarray
        1 = ink, 0 = paper.
    """
    crops = np.asarray(crops, dtype=np.float32)
    return 1.0 - crops.reshape(len(crops), SIDE * SIDE)


def _cell_sums(a):
    """Sum of every CELL x CELL block: (N, 32, 32) -> (N, 8, 8)."""
    rows = a[:, 0::CELL] + a[:, 1::CELL] + a[:, 2::CELL] + a[:, 3::CELL]
    return rows[:, :, 0::CELL] + rows[:, :, 1::CELL] + rows[:, :, 2::CELL] + rows[:, :, 3::CELL]


def directions(crops):
    """Stroke-edge directions per 4x4 cell (a gradient-direction histogram).

    The ink's Sobel gradient ``(gx, gy)`` is projected on the 8 directions of
    :data:`DIRECTIONS`; each projection's positive part is summed over every 4x4
    cell, and the square root of the sum (divided by 16) is taken, which evens
    out the spread between faint and strong edges.

    Parameters
    ----------
    crops : (N, 32, 32) float ndarray
        1 = paper, 0 = ink.

    Returns
    -------
    F : (N, 512) float32 ndarray
        Ordered as (direction, cell row, cell column); >= 0, and 0 on blank paper.
    """
    x = np.asarray(crops, dtype=np.float32).reshape(-1, SIDE, SIDE)
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    # Sobel of the ink (1 - x): the paper's differences with their signs turned.
    v = p[:, :-2] + 2 * p[:, 1:-1] + p[:, 2:]
    gx = v[:, :, :-2] - v[:, :, 2:]
    h = p[:, :, :-2] + 2 * p[:, :, 1:-1] + p[:, :, 2:]
    gy = h[:, :-2] - h[:, 2:]
    n, k = len(x), SIDE // CELL
    F = np.empty((n, len(DIRECTIONS), k, k), np.float32)
    half = len(DIRECTIONS) // 2
    for d, (ux, uy) in enumerate(DIRECTIONS[:half]):
        proj = gx * np.float32(ux) + gy * np.float32(uy)
        F[:, d] = _cell_sums(np.maximum(proj, 0))
        F[:, d + half] = _cell_sums(np.maximum(-proj, 0))  # the opposite direction
    return np.sqrt(F.reshape(n, -1) / np.float32(CELL * CELL))


def slant(crops):
    """How far each crop's ink leans: x moves by this much per row down.

    The ratio of the ink's second moments, mu11 / mu02 (the slope of the
    least-squares line x = cx + s (y - cy) through the ink), clipped to
    +-:data:`MAX_SLANT`; 0 for a blank crop. Writing leaning to the right
    (tops to the right of the feet) has a negative slant, as y runs down.

    Parameters
    ----------
    crops : (N, 32, 32) float ndarray
        1 = paper, 0 = ink.

    Returns
    -------
    s, cy : (N,) float32 ndarrays
        The slant, and the row of the ink's centre of mass.
    """
    w = np.clip(1.0 - np.asarray(crops, dtype=np.float32).reshape(-1, SIDE, SIDE), 0, 1)
    mass, cy, _, mu02, mu11, _ = _moments(w)
    return _slant(mass, mu02, mu11), np.where(mass > 0, cy, SIDE / 2).astype(np.float32)


def _slant(mass, mu02, mu11):
    """mu11 / mu02 clipped to +-MAX_SLANT, 0 where there is no ink or no height."""
    s = np.where(mu02 > 1e-6, mu11 / np.maximum(mu02, 1e-6), 0.0)
    return np.where(mass > 0, np.clip(s, -MAX_SLANT, MAX_SLANT), 0.0).astype(np.float32)


def _moments(w):
    """Ink mass, centre (cy, cx) and central second moments (mu02, mu11, mu20) of
    ink images w (N, 32, 32), each divided by the mass (0 for a blank crop)."""
    r = np.arange(SIDE, dtype=np.float32)
    rows, cols = w.sum(axis=2), w.sum(axis=1)
    mass = rows.sum(axis=1)
    safe = np.maximum(mass, 1e-6)
    cy, cx = rows @ r / safe, cols @ r / safe
    mu02 = rows @ (r * r) / safe - cy * cy
    mu20 = cols @ (r * r) / safe - cx * cx
    mu11 = np.einsum("nyx,y,x->n", w, r, r) / safe - cx * cy
    return mass, cy, cx, np.maximum(mu02, 0), mu11, np.maximum(mu20, 0)


def deskew(crops):
    """Crops sheared so that their ink stands upright.

    Every row is shifted sideways by ``s * (y - cy)`` (:func:`slant`), with
    linear interpolation between pixels; paper comes in from the sides. The row
    through the ink's centre does not move.

    Parameters
    ----------
    crops : (N, 32, 32) float ndarray
        1 = paper, 0 = ink.

    Returns
    -------
    upright : (N, 32, 32) float32 ndarray
        1 = paper, 0 = ink.
    s : (N,) float32 ndarray
        The slant removed.
    """
    x = np.asarray(crops, dtype=np.float32).reshape(-1, SIDE, SIDE)
    s, cy = slant(x)
    pad = int(np.ceil(MAX_SLANT * SIDE))
    width = SIDE + 2 * pad + 1
    ink = np.pad(1.0 - x, ((0, 0), (0, 0), (pad, pad + 1))).reshape(-1)
    r = np.arange(SIDE, dtype=np.float32)
    shift = s[:, None] * (r[None, :] - cy[:, None]) + pad      # (N, rows): where each row starts reading
    k = np.floor(shift)
    f = (shift - k)[:, :, None]
    rows = np.arange(len(x) * SIDE).reshape(len(x), SIDE) * width
    at = (rows + k.astype(np.intp))[:, :, None] + np.arange(SIDE)
    return 1.0 - ((1 - f) * ink[at] + f * ink[at + 1]), s


def moment_normalize(crops):
    """Crops deskewed, centred on their ink's centre of mass and scaled by its spread.

    One affine resampling (bilinear) of each crop: the slant mu11/mu02 is sheared
    away as in :func:`deskew`, then the ink is moved so that its centre of mass
    falls on the crop's centre and scaled so that the larger of its standard
    deviations (vertical, or horizontal once upright) becomes :data:`SPREAD`, by a
    factor within :data:`MOMENT_SCALE`. The aspect ratio is kept.

    Parameters
    ----------
    crops : (N, 32, 32) float ndarray
        1 = paper, 0 = ink.

    Returns
    -------
    normalised : (N, 32, 32) float32 ndarray
        1 = paper, 0 = ink.
    extra : (N, 3) float32 ndarray
        The slant removed, the scale applied and the log of the upright ink's
        horizontal over vertical standard deviation, within +-:data:`MAX_ASPECT`
        (0 for a blank crop).
    """
    x = np.asarray(crops, dtype=np.float32).reshape(-1, SIDE, SIDE)
    n = len(x)
    w = np.clip(1.0 - x, 0, 1)
    mass, cy, cx, mu02, mu11, mu20 = _moments(w)
    blank = mass <= 0
    s = _slant(mass, mu02, mu11)
    # the upright ink's horizontal variance: x' = x - s (y - cy)
    var_x = np.maximum(mu20 - 2 * s * mu11 + s * s * mu02, 1e-6)
    sd_y, sd_x = np.sqrt(np.maximum(mu02, 1e-6)), np.sqrt(var_x)
    scale = np.clip(SPREAD / np.maximum(sd_y, sd_x), *MOMENT_SCALE)
    scale = np.where(blank, 1.0, scale).astype(np.float32)
    cy, cx = np.where(blank, SIDE / 2 - 0.5, cy), np.where(blank, SIDE / 2 - 0.5, cx)
    # where each output pixel reads the crop: back through the scaling, then the shear
    r = np.arange(SIDE, dtype=np.float32) - (SIDE / 2 - 0.5)
    yu = cy[:, None] + r[None, :] / scale[:, None]                          # (N, rows)
    xu = cx[:, None] + r[None, :] / scale[:, None]                          # (N, cols)
    yo = np.broadcast_to(yu[:, :, None], (n, SIDE, SIDE))
    xo = xu[:, None, :] + (s[:, None] * (yu - cy[:, None]))[:, :, None]
    # one pixel of paper around the crop: reads from outside it are clipped onto that paper
    ink = np.pad(w, ((0, 0), (1, 2), (1, 2)))
    side = SIDE + 3
    yo, xo = np.clip(yo + 1, 0, side - 2), np.clip(xo + 1, 0, side - 2)
    y0, x0 = np.floor(yo), np.floor(xo)
    fy, fx = yo - y0, xo - x0
    at = (np.arange(n)[:, None, None] * side + y0.astype(np.intp)) * side + x0.astype(np.intp)
    flat = ink.reshape(-1)
    out = ((1 - fy) * ((1 - fx) * flat[at] + fx * flat[at + 1])
           + fy * ((1 - fx) * flat[at + side] + fx * flat[at + side + 1]))
    # within +-3 (20 times wider than tall or the reverse): no letter comes near it
    # (EMNIST and photo_chars: -2.3 to 1.8), a one-pixel line would give +-9
    aspect = np.where(blank, 0.0, np.clip(np.log(sd_x / sd_y), -MAX_ASPECT, MAX_ASPECT))
    extra = np.stack([s, scale, aspect], axis=1).astype(np.float32)
    return (1.0 - out).astype(np.float32), extra


def inputs(crops, kind=DEFAULT):
    """The network's input rows for crops.

    Parameters
    ----------
    crops : (N, 32, 32) or (N, 1024) float ndarray
        1 = paper, 0 = ink.
    kind : str
        A key of :data:`SIZES`.

    Returns
    -------
    X : (N, SIZES[kind]) float32 ndarray
    """
    crops = np.asarray(crops, dtype=np.float32)
    if crops.ndim == 2 and crops.shape[1] == SIDE * SIDE:
        crops = crops.reshape(len(crops), SIDE, SIDE)
    if crops.ndim != 3 or crops.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"expected crops of shape (N, {SIDE}, {SIDE}), got {crops.shape}")
    if kind == "pixels":
        return pixels(crops)
    if kind == "pixels+directions-v1":
        return np.concatenate([pixels(crops), directions(crops)], axis=1)
    if kind == "deskewed-v1":
        upright, s = deskew(crops)
        return np.concatenate([inputs(upright, "pixels+directions-v1"), s[:, None]], axis=1)
    if kind == "moments-v1":
        normalised, extra = moment_normalize(crops)
        return np.concatenate([inputs(normalised, "pixels+directions-v1"), extra], axis=1)
    raise ValueError(f"unknown kind of input {kind!r}; known: {', '.join(SIZES)}")


def kind_for_size(n):
    """The kind of input that has `n` values per crop (None when none has)."""
    return next((k for k, size in SIZES.items() if size == n), None)
