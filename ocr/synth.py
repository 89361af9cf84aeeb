"""Synthetic "handwritten" pages from a single-stroke vector font.

A small pen font for the 36 classes ``A-Z0-9`` (each character a few polylines
and arcs in a box one unit tall, shaped the way people write block capitals), and
:func:`render_page`, which writes text lines with it the way a hand would: every
letter a little slanted, rotated, scaled and wobbly, a pen whose width varies,
small gaps between letters and clearly bigger ones between words, on paper with
uneven light, sensor noise, optional light-blue ruled lines and a slight page
rotation. The result comes with its ground-truth text and the box of every
character, so it can be used for tests and benchmarks of the pipeline.

Everything is a pure function of its arguments: the same text, options and seed
give the same pixels.

>>> from ocr.synth import render_page
>>> image, text, boxes = render_page(["SHOPPING LIST", "2 EGGS"], seed=1)
>>> image.shape[2], image.dtype.name, text
(3, 'uint8', 'SHOPPING LIST\\n2 EGGS')
>>> boxes[0].label, len(boxes)
('S', 17)
"""

from typing import NamedTuple

import numpy as np

#: The characters the font can write (the classifier's classes).
CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

#: Ink colours (RGB) by name.
INKS = {"grey": (48, 48, 52), "black": (22, 22, 28), "blue": (28, 46, 140)}


class CharBox(NamedTuple):
    """A character's box on a rendered page, in image pixels (end exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int
    label: str


class Rendered(NamedTuple):
    """What :func:`render_page` returns.

    Attributes
    ----------
    image : (H, W, 3) uint8 ndarray
        The page, RGB.
    text : str
        Ground truth: one line per text line, words separated by single spaces.
    boxes : list of CharBox
        Every character's box and label, in reading order (lines top to bottom,
        each left to right).
    """

    image: np.ndarray
    text: str
    boxes: list


# ---------------------------------------------------------------------------
# The font. Coordinates: x to the right from the character's left edge, y down
# from the cap line (0) to the baseline (1). A glyph is (width, strokes), each
# stroke an (N, 2) float array traced by the pen without lifting it.


def _arc(cx, cy, rx, ry, a0, a1, step=12.0):
    """Points of an elliptic arc from angle `a0` to `a1` (degrees, 90 = up)."""
    n = max(2, int(abs(a1 - a0) / step) + 1)
    t = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy - ry * np.sin(t)], axis=1)


def _pl(*pts):
    """A polyline, from points and/or arrays of points, joined in order."""
    parts = [np.atleast_2d(np.asarray(p, dtype=float)) for p in pts]
    return np.concatenate(parts, axis=0)


def _glyph(ch, variant):
    """Width and strokes of character `ch`; `variant` picks among its usual shapes."""
    v = variant
    if ch == "A":
        return 0.72, [_pl((0, 1), (0.36, 0), (0.72, 1)), _pl((0.15, 0.62), (0.57, 0.62))]
    if ch == "B":
        return 0.62, [_pl((0, 0), (0, 1)),
                      _pl((0, 0), (0.34, 0), _arc(0.34, 0.24, 0.24, 0.24, 90, -90), (0, 0.48)),
                      _pl((0, 0.48), (0.36, 0.48), _arc(0.36, 0.74, 0.26, 0.26, 90, -90), (0, 1))]
    if ch == "C":
        return 0.66, [_arc(0.36, 0.5, 0.36, 0.5, 50, 310)]
    if ch == "D":
        return 0.66, [_pl((0, 0), (0, 1)),
                      _pl((0, 0), (0.22, 0), _arc(0.22, 0.5, 0.44, 0.5, 90, -90), (0, 1))]
    if ch == "E":
        return 0.55, [_pl((0.55, 0), (0, 0), (0, 1), (0.56, 1)), _pl((0, 0.5), (0.45, 0.5))]
    if ch == "F":
        return 0.55, [_pl((0.56, 0), (0, 0), (0, 1)), _pl((0, 0.48), (0.44, 0.48))]
    if ch == "G":
        return 0.72, [_pl(_arc(0.37, 0.5, 0.37, 0.5, 45, 345), (0.72, 0.55), (0.44, 0.55))]
    if ch == "H":
        return 0.62, [_pl((0, 0), (0, 1)), _pl((0.62, 0), (0.62, 1)), _pl((0, 0.5), (0.62, 0.5))]
    if ch == "I":  # with serif bars: tells it from the digit one
        return 0.5, [_pl((0.25, 0), (0.25, 1)), _pl((0, 0), (0.5, 0)), _pl((0, 1), (0.5, 1))]
    if ch == "J":
        if v % 2:  # with a top bar
            return 0.74, [_pl((0.52, 0), (0.52, 0.7), _arc(0.28, 0.7, 0.24, 0.3, 0, -170)),
                          _pl((0.3, 0), (0.74, 0))]
        return 0.58, [_pl((0.55, 0), (0.55, 0.7), _arc(0.3, 0.7, 0.25, 0.3, 0, -170))]
    if ch == "K":
        return 0.6, [_pl((0, 0), (0, 1)), _pl((0.58, 0), (0, 0.58)), _pl((0.18, 0.42), (0.62, 1))]
    if ch == "L":
        return 0.5, [_pl((0, 0), (0, 1), (0.52, 1))]
    if ch == "M":
        return 0.8, [_pl((0, 1), (0.04, 0), (0.4, 0.62), (0.76, 0), (0.8, 1))]
    if ch == "N":
        return 0.62, [_pl((0, 1), (0, 0), (0.62, 1), (0.62, 0))]
    if ch == "O":  # round
        return 0.86, [_arc(0.43, 0.5, 0.43, 0.5, 100, 470)]
    if ch == "P":
        return 0.56, [_pl((0, 1), (0, 0), (0.3, 0), _arc(0.3, 0.26, 0.26, 0.26, 90, -90), (0, 0.52))]
    if ch == "Q":
        return 0.86, [_arc(0.43, 0.5, 0.43, 0.5, 100, 470), _pl((0.5, 0.68), (0.88, 1.04))]
    if ch == "R":
        return 0.6, [_pl((0, 1), (0, 0), (0.3, 0), _arc(0.3, 0.26, 0.26, 0.26, 90, -90), (0, 0.52)),
                     _pl((0.22, 0.52), (0.6, 1))]
    if ch == "S":
        return 0.6, [_pl(_arc(0.3, 0.25, 0.28, 0.25, 25, 270), _arc(0.3, 0.75, 0.3, 0.25, 90, -155))]
    if ch == "T":
        return 0.66, [_pl((0, 0), (0.66, 0)), _pl((0.33, 0), (0.33, 1))]
    if ch == "U":
        return 0.62, [_pl((0, 0), (0, 0.64), _arc(0.31, 0.64, 0.31, 0.36, 180, 360), (0.62, 0))]
    if ch == "V":
        return 0.66, [_pl((0, 0), (0.33, 1), (0.66, 0))]
    if ch == "W":
        return 0.92, [_pl((0, 0), (0.2, 1), (0.46, 0.32), (0.72, 1), (0.92, 0))]
    if ch == "X":
        return 0.62, [_pl((0, 0), (0.62, 1)), _pl((0.62, 0), (0, 1))]
    if ch == "Y":
        return 0.66, [_pl((0, 0), (0.33, 0.5), (0.66, 0)), _pl((0.33, 0.5), (0.33, 1))]
    if ch == "Z":
        return 0.62, [_pl((0, 0), (0.6, 0), (0, 1), (0.64, 1))]
    if ch == "0":  # narrower oval than the letter O
        return 0.52, [_arc(0.26, 0.5, 0.26, 0.5, 100, 470)]
    if ch == "1":  # with a flag, sometimes a foot
        strokes = [_pl((0.02, 0.24), (0.24, 0), (0.24, 1))]
        if v % 2:
            strokes.append(_pl((0.0, 1), (0.48, 1)))
            return 0.48, strokes
        return 0.3, strokes
    if ch == "2":
        return 0.62, [_pl(_arc(0.3, 0.27, 0.3, 0.27, 160, -35), (0, 1), (0.62, 1))]
    if ch == "3":
        return 0.58, [_pl(_arc(0.27, 0.25, 0.27, 0.25, 150, -90), _arc(0.27, 0.75, 0.31, 0.25, 90, -150))]
    if ch == "4":
        if v % 2:  # open
            return 0.64, [_pl((0.14, 0), (0, 0.66), (0.64, 0.66)), _pl((0.46, 0.3), (0.46, 1))]
        return 0.64, [_pl((0.46, 1), (0.46, 0), (0, 0.68), (0.64, 0.68))]
    if ch == "5":
        return 0.6, [_pl((0.56, 0), (0.06, 0), (0.03, 0.46), _arc(0.3, 0.7, 0.3, 0.3, 125, -150))]
    if ch == "6":
        return 0.6, [_pl(_arc(0.32, 0.6, 0.32, 0.6, 65, 180), _arc(0.3, 0.72, 0.3, 0.28, 180, 530))]
    if ch == "7":
        return 0.6, [_pl((0, 0), (0.6, 0), (0.2, 1))]
    if ch == "8":
        return 0.56, [_arc(0.28, 0.24, 0.23, 0.24, 270, 630), _arc(0.28, 0.73, 0.28, 0.27, 90, 450)]
    if ch == "9":
        return 0.58, [_arc(0.29, 0.28, 0.29, 0.28, 0, 360), _pl((0.58, 0.28), (0.52, 1))]
    raise ValueError(f"no glyph for {ch!r}: the font writes only {CHARS}")


#: How many shapes each character has (variant numbers are taken modulo this).
VARIANTS = {c: 2 if c in "J14" else 1 for c in CHARS}


def glyph_strokes(ch, variant=0):
    """The pen strokes of one character.

    Parameters
    ----------
    ch : str
        One of :data:`CHARS`.
    variant : int
        Which of the character's usual shapes (``'1'`` with or without a foot,
        ``'4'`` closed or open, ``'J'`` with or without a top bar); taken modulo
        :data:`VARIANTS` ``[ch]``.

    Returns
    -------
    width : float
        Advance width of the character, in letter heights.
    strokes : list of (N, 2) float64 ndarray
        Polylines ``(x, y)`` in letter heights, y down from the cap line (0) to
        the baseline (1).

    Raises
    ------
    ValueError
        If `ch` is not in :data:`CHARS`.
    """
    if not isinstance(ch, str) or len(ch) != 1 or ch not in CHARS:
        raise ValueError(f"no glyph for {ch!r}: the font writes only {CHARS}")
    w, strokes = _glyph(ch, int(variant) % VARIANTS[ch])
    return float(w), [s.copy() for s in strokes]


# ---------------------------------------------------------------------------
# Rendering helpers.


def _resample(stroke, step):
    """Points along a polyline, at most `step` apart (keeps the corners)."""
    out = [stroke[:1]]
    for a, b in zip(stroke[:-1], stroke[1:]):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        t = np.arange(1, n + 1)[:, None] / n
        out.append(a + t * (b - a))
    return np.concatenate(out, axis=0)


def _wobble(rng, amplitude):
    """A smooth random displacement field (x, y) -> (dx, dy): sum of a few waves."""
    k = rng.uniform(1.5, 5.0, (3, 2)) * rng.choice([-1, 1], (3, 2))
    phase = rng.uniform(0, 2 * np.pi, (3, 2))
    amp = amplitude * rng.uniform(0.3, 1.0, (3, 2)) / np.sqrt(3)

    def field(p):
        d = np.zeros_like(p)
        for i in range(3):
            d[:, 0] += amp[i, 0] * np.sin(k[i, 0] * p[:, 1] + k[i, 1] * p[:, 0] + phase[i, 0])
            d[:, 1] += amp[i, 1] * np.sin(k[i, 1] * p[:, 0] - k[i, 0] * p[:, 1] + phase[i, 1])
        return d

    return field


def _normalise_lines(lines):
    if isinstance(lines, str):
        lines = lines.splitlines()
    out = []
    for line in lines:
        words = str(line).upper().split()
        for w in words:
            bad = sorted(set(w) - set(CHARS))
            if bad:
                raise ValueError(f"cannot write {''.join(bad)!r}: the font writes only {CHARS}")
        out.append(words)
    return out


def illumination(shape, rng, strength=0.25):
    """Smooth uneven light over a page: a tilted plane plus a vignette.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W)`` of the page.
    rng : numpy.random.Generator
        Source of the random direction and centre (consumes 4 draws).
    strength : float
        How much darker the darkest point is than the brightest (0..1).

    Returns
    -------
    light : (H, W) float32 ndarray
        Multiplier in about ``[1 - strength, 1]``.
    """
    H, W = shape
    y = np.linspace(-1, 1, H, dtype=np.float32)[:, None]
    x = np.linspace(-1, 1, W, dtype=np.float32)[None, :]
    gx, gy = rng.uniform(-1, 1, 2)
    plane = 0.5 * (gx * x + gy * y) / max(abs(gx) + abs(gy), 1e-6)  # in [-0.5, 0.5]
    cx, cy = rng.uniform(-0.4, 0.4, 2)
    vignette = ((x - cx) ** 2 + (y - cy) ** 2) / 4.0  # 0 .. ~0.9
    light = 1.0 - strength * (0.55 * (plane + 0.5) + 0.45 * vignette)
    return np.clip(light, 0.0, 1.0).astype(np.float32)


def render_page(lines, seed=0, height=48, *, ink="grey", ruled=False, rotation=0.0,
                touching=False, pen=0.085, slant=None, letter_gap=0.32, word_gap=1.6,
                line_pitch=2.1, margin=1.5, lighting=0.25, noise=2.5, supersample=3,
                paper=(236, 233, 224)):
    """Draw text lines as a photographed page of handwritten block capitals.

    Parameters
    ----------
    lines : list of str, or str
        Text lines (a string is split at newlines). Letters ``A-Z`` (lower case
        is upper-cased), digits and spaces only; runs of spaces count as one.
    seed : int
        Seed of every random choice: same arguments, same image.
    height : float
        Cap height of the letters, in pixels.
    ink : {"grey", "black", "blue"} or tuple of 3 int
        Ink colour (RGB).
    ruled : bool
        Draw light-blue ruled lines under the text lines (the text sits on them).
    rotation : float
        Rotation of the whole page content, in degrees (counter-clockwise).
    touching : bool
        Write letters so close that many neighbours touch (to test splitting).
    pen : float
        Pen width, in letter heights (varies a little per letter and along strokes).
    slant : float, optional
        Writer's slant (shear, positive leans right); random near 0 when None.
    letter_gap, word_gap : float
        Mean gap between letters of a word, and between words, ink to ink,
        in letter heights.
    line_pitch : float
        Distance between baselines, in letter heights.
    margin : float
        Paper around the text, in letter heights.
    lighting : float
        How much darker the darkest corner is than the brightest (0..1).
    noise : float
        Standard deviation of the sensor noise, in grey levels.
    supersample : int
        Letters are drawn this many times larger, then area-averaged down.
    paper : tuple of 3 int
        Paper colour (RGB) where the light is brightest.

    Returns
    -------
    Rendered
        ``(image, text, boxes)``: an ``(H, W, 3)`` uint8 RGB array, the text
        (lines joined with ``"\\n"``, words with single spaces) and a list of
        :class:`CharBox` ``(x0, y0, x1, y1, label)`` in reading order. Boxes are
        in image pixels, end exclusive, and cover the character's whole stroke.

    Raises
    ------
    ValueError
        For characters the font cannot write or a non-positive height.
    """
    from PIL import Image, ImageDraw

    words_by_line = _normalise_lines(lines)
    if not height > 0:
        raise ValueError(f"height must be positive, got {height}")
    ink_rgb = np.array(INKS[ink] if isinstance(ink, str) else ink, dtype=np.float32)
    rng = np.random.default_rng(seed)
    h = float(height)
    s = int(supersample)
    if slant is None:
        slant = rng.normal(0.05, 0.06)
    pen_px = max(1.2, pen * h)

    # 1. Lay out every character: strokes in page pixels (before page rotation).
    chars = []  # (label, list of (N, 2) points, list of (N,) radii, line index)
    rules_y = []
    x_max = 0.0
    for li, words in enumerate(words_by_line):
        baseline = (margin + 1.0 + li * line_pitch + rng.normal(0, 0.05)) * h
        rules_y.append(baseline + 0.06 * h)
        x = (margin + abs(rng.normal(0, 0.15))) * h
        tilt = np.tan(np.radians(rng.normal(0, 0.4)))  # baseline drift of this line
        x0_line = x
        for wi, word in enumerate(words):
            if wi:
                x += max(0.8 * word_gap, rng.normal(word_gap, 0.12)) * h
            for ci, ch in enumerate(word):
                if ci:
                    if touching and rng.random() < 0.6:
                        x += rng.uniform(-0.12, -0.03) * h  # ink overlaps a little
                    else:
                        x += max(0.12, rng.normal(letter_gap, 0.06)) * h
                w, strokes = glyph_strokes(ch, int(rng.integers(0, 2)))
                sx = np.exp(rng.normal(0, 0.06))
                sy = np.exp(rng.normal(0, 0.05))
                sh = slant + rng.normal(0, 0.04)
                rot = np.radians(rng.normal(0, 2.0))
                c, sn = np.cos(rot), np.sin(rot)
                field = _wobble(rng, rng.uniform(0.012, 0.028))
                width = pen_px * np.exp(rng.normal(0, 0.08))
                dy = rng.normal(0, 0.035) * h
                pts, radii = [], []
                for st in strokes:
                    p = _resample(st, 0.06)
                    p = p + field(p)
                    # about the glyph's centre: scale, shear, rotate
                    q = p - (0.5 * w, 0.5)
                    q = q * (sx, sy)
                    q[:, 0] -= sh * q[:, 1]  # y grows downwards: lean right when sh > 0
                    q = q @ np.array([[c, sn], [-sn, c]])
                    pts.append(q * h)
                    t = np.linspace(0, 1, len(p))
                    ph = rng.uniform(0, 2 * np.pi)
                    radii.append(0.5 * width * (1 + 0.12 * np.sin(2 * np.pi * t * rng.uniform(0.5, 1.5) + ph)))
                allp = np.concatenate(pts)
                allr = np.concatenate(radii)
                left, right = (allp[:, 0] - allr).min(), (allp[:, 0] + allr).max()
                cx = x - left
                cy = baseline - 0.5 * h * sy + dy
                pts = [p + (cx, cy + tilt * (x - x0_line)) for p in pts]
                chars.append((ch, pts, radii, li))
                x = cx + right
        x_max = max(x_max, x)

    W = int(np.ceil(x_max + margin * h))
    n_lines = max(1, len(words_by_line))
    Ht = int(np.ceil((2 * margin + 1.0 + (n_lines - 1) * line_pitch) * h + 0.3 * h))
    W, Ht = max(W, 8), max(Ht, 8)

    # 2. Page rotation about the image centre.
    a = np.radians(rotation)
    ca, sa = np.cos(a), np.sin(a)
    centre = np.array([W / 2, Ht / 2])
    R = np.array([[ca, -sa], [sa, ca]])  # image y is down: positive angle turns counter-clockwise

    def turn(p):
        return (p - centre) @ R + centre

    # 3. Ink coverage, supersampled.
    cov = Image.new("L", (W * s, Ht * s), 0)
    draw = ImageDraw.Draw(cov)
    boxes = []
    for ch, pts, radii, li in chars:
        lo, hi = np.array([np.inf, np.inf]), np.array([-np.inf, -np.inf])
        for p, r in zip(pts, radii):
            p = turn(p)
            lo = np.minimum(lo, (p - r[:, None]).min(axis=0))
            hi = np.maximum(hi, (p + r[:, None]).max(axis=0))
            P, Rr = p * s, r * s
            for (x0, y0), rr in zip(P, Rr):
                draw.ellipse([x0 - rr, y0 - rr, x0 + rr, y0 + rr], fill=255)
            if len(P) > 1:
                wline = max(1, int(round(2 * Rr.min())))
                draw.line([tuple(q) for q in P], fill=255, width=wline)
        bx0, by0 = int(np.floor(max(0, lo[0]))), int(np.floor(max(0, lo[1])))
        bx1, by1 = int(np.ceil(min(W, hi[0]))), int(np.ceil(min(Ht, hi[1])))
        boxes.append(CharBox(bx0, by0, bx1, by1, ch))
    cov = np.asarray(cov.reduce(s), dtype=np.float32) / 255.0

    rules = np.zeros((Ht, W), np.float32)
    if ruled:
        rim = Image.new("L", (W * s, Ht * s), 0)
        rd = ImageDraw.Draw(rim)
        pitch = line_pitch * h
        first = rules_y[0] if rules_y else (margin + 1) * h
        y = first - pitch * (np.floor(first / pitch) + 1)
        while y < Ht + pitch:
            p = turn(np.array([[-W, y], [2 * W, y]]))
            rd.line([tuple(q * s) for q in p], fill=255, width=max(1, int(round(0.035 * h * s))))
            y += pitch
        rules = np.asarray(rim.reduce(s), dtype=np.float32) / 255.0

    # 4. Paper, light, rules, ink, noise.
    light = illumination((Ht, W), rng, lighting)
    rule_rgb = np.array([150, 185, 230], np.float32)
    img = np.broadcast_to(np.asarray(paper, np.float32), (Ht, W, 3)).copy()
    img = img * (1 - 0.8 * rules[..., None]) + rule_rgb * 0.8 * rules[..., None] * (img / 255.0)
    strength = rng.uniform(0.85, 1.0)
    a_ink = (cov * strength)[..., None]
    img = img * (1 - a_ink) + ink_rgb * a_ink
    img = img * light[..., None]
    img += rng.normal(0, noise, (Ht, W, 1)).astype(np.float32) + rng.normal(0, 0.4 * noise, (Ht, W, 3)).astype(np.float32)
    image = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    text = "\n".join(" ".join(words) for words in words_by_line)
    return Rendered(image=image, text=text, boxes=boxes)


#: Letter pairs of the touching-letters test (``benchmarks/bench_accuracy.py``).
TOUCHING_PAIRS = ("HE", "CK", "EN", "DE", "NO", "AB", "TR", "LM", "ST", "OK",
                  "RA", "WE", "PA", "MB", "GH", "XY", "UV", "FI", "JO", "ZE")


def in_form_boxes(image, boxes, words, ink=(70, 70, 70), margin=8, width=2):
    """A page as if filled in on a form: every word in a row of printed boxes, one
    character in each.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
        The page.
    boxes : sequence of (x0, y0, x1, y1)
        The characters' boxes, in reading order (spaces have none).
    words : list of str
        The page's words, in reading order.
    ink : tuple of 3 int
        The boxes' colour (RGB).
    margin : int
        The rules stand this many pixels above and below the word's letters.
    width : int
        Line width of the print, in pixels.

    Returns
    -------
    page : (H, W, 3) uint8 ndarray
        Each word's top and bottom rules and its boxes' sides, halfway between its
        letters (a box at least 0.7 of the row's height wide) drawn over `image`.
    """
    from PIL import Image, ImageDraw

    im = Image.fromarray(image)
    draw = ImageDraw.Draw(im)
    k = 0
    for word in words:
        row, k = boxes[k : k + len(word)], k + len(word)
        y0, y1 = min(b[1] for b in row) - margin, max(b[3] for b in row) + margin
        centres = [(b[0] + b[2]) / 2 for b in row]
        between = [(a + b) / 2 for a, b in zip(centres, centres[1:])]
        half = max(between[0] - centres[0] if between else 0, 0.35 * (y1 - y0))
        left, right = centres[0] - half, centres[-1] + half
        for y in (y0, y1):
            draw.line([(left, y), (right, y)], fill=ink, width=width)
        for x in [left] + between + [right]:
            draw.line([(x, y0), (x, y1)], fill=ink, width=width)
    return np.asarray(im)


def distance_to_segment(shape, a, b):
    """How far every pixel of an image is from the segment a-b.

    Parameters
    ----------
    shape : (int, int)
        The image's shape (rows, columns).
    a, b : (float, float)
        The segment's ends (row, column), pixels; they may lie outside the image.

    Returns
    -------
    (H, W) float32 ndarray
        Distances in pixels, from each pixel's centre: a stroke of width w along
        the segment is where they are under w / 2.
    """
    rr, cc = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    d = np.subtract(b, a).astype(np.float32)
    t = np.clip(((rr - a[0]) * d[0] + (cc - a[1]) * d[1]) / max(float(d @ d), 1e-6), 0.0, 1.0)
    return np.hypot(rr - a[0] - t * d[0], cc - a[1] - t * d[1]).astype(np.float32)


def dot_grid(shape, pitch, radius, darkness=0.5, offset=(0.0, 0.0), angle=0.0):
    """The dots of dotted paper (a bullet journal's), as darkness.

    Parameters
    ----------
    shape : (int, int)
        The page's shape (rows, columns).
    pitch : float
        Distance between neighbouring dots, pixels.
    radius : float
        The dots' radius, pixels.
    darkness : float
        How much darker than the paper a dot's middle is (0-1).
    offset : (float, float)
        Where the grid starts (row, column), pixels.
    angle : float
        The grid turned by this many degrees.

    Returns
    -------
    dots : (H, W) float32 ndarray
        0 on the paper, `darkness` in a dot, anti-aliased edges; multiply a page
        by ``1 - dots`` to print them on it.
    """
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    t = np.radians(angle)
    y = (yy - offset[0]) * np.cos(t) - (xx - offset[1]) * np.sin(t)
    x = (yy - offset[0]) * np.sin(t) + (xx - offset[1]) * np.cos(t)
    dy, dx = y % pitch, x % pitch
    r = np.hypot(np.minimum(dy, pitch - dy), np.minimum(dx, pitch - dx))
    return np.clip(radius + 0.5 - r, 0, 1).astype(np.float32) * np.float32(darkness)


def coffee_ring(image, centre, radius, strength=0.35, width=2.4):
    """A page under the brown ring a coffee cup leaves.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
        An RGB page.
    centre : (float, float)
        The ring's centre (row, column), pixels.
    radius : float
        The ring's radius, pixels.
    strength : float
        How much of the blue light the ring's edge takes (its rim is darkest; inside,
        a wash 0.06 as strong).
    width : float
        The rim's half width, pixels (a Gaussian's).

    Returns
    -------
    stained : (H, W, 3) uint8 ndarray
    """
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    d = np.hypot(yy - centre[0], xx - centre[1])
    band = strength * np.exp(-(((d - radius) / width) ** 2)) + 0.06 * (d < radius)
    brown = np.array([0.375, 0.675, 0.975])  # what coffee takes of red, green and blue
    return np.clip(image * (1 - band[..., None] * brown), 0, 255).astype(np.uint8)


def punched_holes(image, pitch, size, x, darkness=0.8):
    """A page torn from a spiral notebook: a column of oval holes down its margin,
    the desk dark through them.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
        An RGB page.
    pitch : float
        Distance between holes, pixels (the first is `pitch` / 3 from the top).
    size : (float, float)
        The holes' half height and half width, pixels.
    x : float
        The column their middles stand in, pixels.
    darkness : float
        How much of the light a hole takes (0-1).

    Returns
    -------
    holed : (H, W, 3) uint8 ndarray
    """
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    out = image.astype(np.float32)
    for y in np.arange(pitch / 3, image.shape[0], pitch):
        d = ((yy - y) / size[0]) ** 2 + ((xx - x) / size[1]) ** 2
        out *= 1 - darkness * np.clip(1.5 - 1.5 * d, 0, 1)[..., None]
    return out.astype(np.uint8)


def touching_pair_page(pair, seed=0, overlap=2, height=44):
    """A line of ordinary writing above two letters that touch.

    Parameters
    ----------
    pair : str
        Two characters.
    seed : int
    overlap : int
        The second letter is drawn this many pixels into the first one's box,
        past its own margin (2: strokes just meet; 4: they overlap).
    height : float
        Letter height, in pixels.

    Returns
    -------
    page : (H, W) float32 ndarray
        Grey page in [0, 1], 1 = white; its last text line is `pair`, one blob of ink.
    """
    def letter(ch, s):
        im, _, boxes = render_page([ch], seed=s, height=height, noise=0, lighting=0)
        x0, y0, x1, y1, _ = boxes[0]
        return im.mean(axis=2)[y0 - 2 : y1 + 2, x0 - 2 : x1 + 2] / 255

    above = render_page(["KEEP CALM 1234"], seed=seed, height=height, noise=0, lighting=0)[0].mean(axis=2) / 255
    a, b = letter(pair[0], seed), letter(pair[1], seed + 7)
    page = np.ones((above.shape[0] + max(a.shape[0], b.shape[0]) + 60, max(above.shape[1], 300)))
    page[: above.shape[0], : above.shape[1]] = above
    y = above.shape[0] + 20
    page[y : y + a.shape[0], 40 : 40 + a.shape[1]] = a
    x = 40 + a.shape[1] - 4 - overlap
    region = page[y : y + b.shape[0], x : x + b.shape[1]]
    np.minimum(region, b, out=region)
    return page.astype(np.float32)
