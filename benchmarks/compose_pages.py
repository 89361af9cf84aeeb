#!/usr/bin/env python3
"""Compose realistic test pages from photographed pen characters.

Each page is a few lines of text (random words and numbers, or text you give),
written by pasting one photographed character crop from
``../shared/data/photo_chars/<LABEL>/<hash>.png`` per letter onto a synthetic
sheet of paper: letters a little jittered in size, baseline and spacing, words
clearly further apart than letters, uneven light, sensor noise, sometimes
light-blue ruled lines, the page turned by up to a degree. Every page is written
as ``<out>/<name>.png`` with its ground truth ``<out>/<name>.gt.txt`` (one page line
per line, words separated by single spaces), ready for::

    python benchmarks/compose_pages.py --n 20 --split valid
    python ../shared/tools/score_pages.py /tmp/handocr_pages

How a crop is blended: the crop's own grey (uneven) background is estimated with
a grey-level closing (which erases the thin dark strokes) and divided out, so the
crop becomes a darkness map (0 = paper, up to ~0.7 = ink); everything but the
character's own strokes (specks, ruled lines and shadows at the crop's edges, as
found by :func:`ocr.datasets.crop_mask`) is faded out, and the page's
transmittance is multiplied by ``1 - darkness``. No grey rectangle shows, and
overlapping neighbours darken like real ink.

Split (``--split``): a crop belongs to the validation split when
``int(sha1("LABEL/file.png").hexdigest()[:8], 16) % 1000 < 200`` -- the same
20 % that ``handocr train`` holds out of ``photo_chars`` (``ocr.train.name_split``
with ``FOLDER_VALID_FRACTION``), so ``--split valid`` pages use only characters
the bundled model did not train on. ``train`` is the other 80 %, ``all`` both.

``--synthetic`` makes pages with the project's stroke font (:mod:`ocr.synth`)
instead, needing no data; ``--emnist`` makes them of EMNIST characters (thousands of
writers; ``--split valid``: the part ``handocr train`` holds out of EMNIST).

Pages made from ``photo_chars`` are derived from the shared data and must never be
committed: the script refuses to write them inside a git work tree.
"""

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocr import CLASSES  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "photo_chars"
VALID_FRACTION = 0.2

#: Words for the random texts (to-do lists, notes), and the digits come as numbers.
WORDS = (
    "TO DO LIST BUY MILK EGGS BREAD CALL MOM DAD AT PM AM MEET BOB JOE ANN ROOM "
    "PAY RENT BILLS FIX BIKE CAR WASH DOG WALK THE AND OF ON IN FOR WITH NEXT WEEK "
    "DAY MONDAY FRIDAY JUNE JULY MAY BOOK GYM QUIZ EXAM READ WRITE ZOO PARK JAZZ "
    "BOX KEYS VISIT PIZZA COFFEE TEA JAM QUICK FOX JUMPS OVER LAZY YARD WORK HOME "
    "OFFICE SEND EMAIL PLAN TRIP TICKETS APPLES PEARS BUNS SOAP YOGURT VAN EXTRA"
).split()


# ----------------------------------------------------------------------------- data


def is_valid_name(name, fraction=VALID_FRACTION):
    """Whether crop ``"LABEL/file.png"`` is in the validation split (fixed by its name)."""
    return int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) % 1000 < int(round(fraction * 1000))


def list_crops(data, split):
    """``{label: [path, ...]}`` of the crops of one split, sorted by name."""
    data = Path(data)
    if not data.is_dir():
        sys.exit(f"compose_pages: no photo_chars folder at {data} (use --data or --synthetic)")
    out = {}
    for sub in sorted(p for p in data.iterdir() if p.is_dir()):
        label = sub.name.upper()
        if len(label) != 1 or label not in CLASSES:
            continue
        files = sorted(f for f in sub.iterdir() if f.suffix.lower() == ".png")
        if split != "all":
            files = [f for f in files if is_valid_name(f"{sub.name}/{f.name}") == (split == "valid")]
        if files:
            out[label] = files
    missing = sorted(set(CLASSES) - set(out))
    if missing:
        sys.exit(f"compose_pages: no {split} crops for {''.join(missing)} in {data}")
    return out


def emnist_crops(folder, split):
    """EMNIST characters (thousands of writers) as crops: ``({label: [key, ...]}, {key: darkness})``.

    `split` "valid" is the part ``handocr train`` holds out of EMNIST (the same
    stratified split, ``ocr.train.stratified_split`` with ``SPLIT_SEED``), "train" the
    rest. Each 28x28 tile (white ink on black) becomes a darkness map cut to its
    ink, the ink 0.7 dark like a pen's.
    """
    import json

    from PIL import Image

    from ocr.datasets import _emnist_parts, load_emnist
    from ocr.train import SPLIT_SEED, stratified_split
    from ocr.train import VALID_FRACTION as EMNIST_VALID

    folder = Path(folder)
    if not folder.is_dir():
        sys.exit(f"compose_pages: no EMNIST folder at {folder} (use --data)")
    _, y, ids = load_emnist(folder, return_ids=True)
    valid = stratified_split(y, EMNIST_VALID, np.random.default_rng([SPLIT_SEED, 1]))
    keep = set(ids[valid] if split == "valid" else ids[~valid] if split == "train" else ids)
    crops, cache = {c: [] for c in CLASSES}, {}
    dirs = [folder] + sorted(p for p in folder.iterdir() if p.is_dir())
    for sheet, a, b, js in [p for d in dirs for p in _emnist_parts(d)]:
        meta = json.loads(Path(js).read_text())
        with Image.open(sheet) as im:
            img = np.asarray(im.convert("RGB"))[:, :, 0]
        cols = img.shape[1] // 28
        for k in range(b - a + 1):
            key = f"{Path(js).stem}:{a + k}"
            if key not in keep:
                continue
            r, c = divmod(k, cols)
            dark = _trim(img[r * 28 : (r + 1) * 28, c * 28 : (c + 1) * 28].astype(np.float32) / 255 * 0.7)
            crops[chr(meta["mapping"][meta["id"][a + k]])].append(key)
            cache[key] = dark
    return {c: v for c, v in crops.items() if v}, cache


def cross_stroke(dark, ch, rng):
    """A ``7`` or ``Z`` crossed by a bar through its middle, or a ``0`` slashed (as many
    people write them): the stroke drawn into the crop's darkness map with the crop's
    own pen, as wide and as dark as its strokes.

    Parameters
    ----------
    dark : (h, w) float32 ndarray
        :func:`crop_darkness` of a 7, Z or 0.
    ch : str
    rng : numpy.random.Generator

    Returns
    -------
    (h', w') float32 ndarray
        The darkness map with the stroke, grown where a slash reaches beyond the ring.
    """
    from scipy import ndimage as ndi

    from ocr.synth import distance_to_segment

    ink = dark > 0.5 * dark.max()
    if ink.sum() < 10:
        return dark
    pen = max(2.0, 2 * float(ndi.distance_transform_edt(ink).max()))
    level = float(np.percentile(dark[ink], 75))
    ys, xs = np.nonzero(ink)
    y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
    if ch == "0":  # from below the lower left to beyond the upper right
        e = rng.uniform(0.0, 0.15, 2) * (y1 - y0)
        m = int(np.ceil(e.max() + pen))
        dark = np.pad(dark, m)
        y0, y1, x0, x1 = y0 + m, y1 + m, x0 + m, x1 + m
        a, b = (y1 + e[0], x0 - e[0]), (y0 - e[1], x1 + e[1])
    else:  # a bar across the stem, a little below the middle
        r = y0 + rng.uniform(0.45, 0.6) * (y1 - y0)
        on = xs[np.abs(ys - r) < pen]
        c = float(on.mean()) if on.size else 0.5 * (x0 + x1)
        reach = rng.uniform(0.2, 0.45, 2) * (x1 - x0 + 1)
        tilt = rng.uniform(-0.1, 0.1)
        a, b = (r - tilt * reach[0], c - reach[0]), (r + tilt * reach[1], c + reach[1])
    dist = distance_to_segment(dark.shape, a, b)
    return np.maximum(dark, level * np.clip(pen / 2 + 0.5 - dist, 0.0, 1.0)).astype(np.float32)


def crop_darkness(path):
    """A character crop as a tight darkness map.

    Returns
    -------
    dark : (h, w) float32 ndarray
        0 = paper, towards 1 = black ink, cropped to the character's ink.
    """
    from scipy import ndimage as ndi

    from ocr.datasets import crop_mask, read_grey

    grey = read_grey(path)
    h, w = grey.shape
    k = max(7, int(round(min(h, w) * 0.35)) | 1)
    paper = ndi.uniform_filter(ndi.grey_closing(grey, size=(k, k)), size=3)
    paper = np.maximum(paper, grey)  # paper is never darker than what we see
    dark = 1.0 - grey / np.maximum(paper, 1e-3)
    dark = np.clip((dark - 0.04) / 0.96, 0, 1)  # the paper's own mottling is not ink
    mask = crop_mask(grey)
    if not mask.any():
        return None
    keep = ndi.binary_dilation(mask, iterations=2)
    soft = ndi.gaussian_filter(keep.astype(np.float32), 1.0)
    dark = dark * np.clip(1.5 * soft, 0, 1)
    ys, xs = np.nonzero(mask)
    y0, y1 = max(0, ys.min() - 2), min(h, ys.max() + 3)
    x0, x1 = max(0, xs.min() - 2), min(w, xs.max() + 3)
    dark = dark[y0:y1, x0:x1]
    p = float(np.percentile(dark[dark > 0.02], 95)) if (dark > 0.02).any() else 0.0
    if 0 < p < 0.35:  # very faint photos: bring the ink up to a readable darkness
        dark = np.clip(dark * (0.35 / p), 0, 1)
    return dark.astype(np.float32)


def _resize(a, size):
    from PIL import Image

    return np.asarray(Image.fromarray(a, mode="F").resize(size, Image.BICUBIC), dtype=np.float32).clip(0, 1)


def _trim(d, level=0.12, pad=1):
    """Cut a darkness map to its visible ink (plus `pad` pixels)."""
    ys, xs = np.nonzero(d > level)
    if ys.size == 0:
        return d
    y0, y1 = max(0, ys.min() - pad), min(d.shape[0], ys.max() + 1 + pad)
    x0, x1 = max(0, xs.min() - pad), min(d.shape[1], xs.max() + 1 + pad)
    return d[y0:y1, x0:x1]


# ----------------------------------------------------------------------------- texts


def random_text(rng):
    """A few lines of words and numbers, like a to-do list."""
    lines = []
    for i in range(int(rng.integers(3, 7))):
        words = []
        if rng.random() < 0.4:
            words.append(str(i + 1))  # numbered items
        for _ in range(int(rng.integers(1, 4))):
            r = rng.random()
            if r < 0.65:
                words.append(str(rng.choice(WORDS)))
            elif r < 0.85:
                words.append(str(int(rng.integers(0, 10 ** int(rng.integers(1, 4))))))
            else:  # a random code: covers every class
                words.append("".join(rng.choice(list(CLASSES), int(rng.integers(2, 5)))))
        lines.append(" ".join(words))
    return lines


def parse_text(text):
    lines = [" ".join(line.upper().split()) for line in text.replace("|", "\n").splitlines()]
    lines = [line for line in lines if line]
    bad = sorted(set("".join(lines)) - set(CLASSES + " "))
    if bad:
        sys.exit(f"compose_pages: --text may only use A-Z, 0-9 and spaces (got {''.join(bad)!r})")
    if not lines:
        sys.exit("compose_pages: --text is empty")
    return lines


# ----------------------------------------------------------------------------- pages


#: Highlighter colours (RGB): yellow, pink, green, blue, orange.
HIGHLIGHTERS = ((255, 240, 90), (255, 160, 205), (150, 240, 150), (140, 205, 255), (255, 195, 100))


def compose_page(lines, crops, rng, height=48.0, rotation=1.0, ruled=0.3, noise=2.5, cache=None,
                 letter_gap=0.32, word_gap=1.6, line_pitch=2.15, grid=0.0, ink=1.0, dots=0.0,
                 highlight=0.0, drift=0.5, uphill=0.0, size_spread=0.07, crossed=0.0):
    """Compose one page from photographed crops.

    Parameters
    ----------
    lines : list of str
        Text lines (A-Z, 0-9, single spaces).
    crops : dict
        ``{label: [path, ...]}`` to choose the characters from.
    rng : numpy.random.Generator
    height : float
        Typical letter height in pixels.
    rotation : float
        Largest page rotation, degrees (drawn uniformly in +-rotation).
    ruled : float
        Probability that the paper has light-blue ruled lines.
    noise : float
        Sensor noise, grey levels.
    cache : dict, optional
        ``{path: darkness}``, filled as crops are read.
    letter_gap, word_gap : float
        Mean gap between letters and between words, in letter heights (drawn
        with a spread of 0.08 and 0.15; letters may touch when the first is small).
    line_pitch : float
        Mean distance from one baseline to the next, in letter heights (drawn
        uniformly within 0.25 of it).
    grid : float
        Probability that the paper is squared instead: grey-blue lines both ways,
        0.6 to 1.1 letter heights apart, 20 to 45 % darker than the paper.
    ink : float
        How dark the ink is, relative to the crops' own (0.45: a pencil).
    dots : float
        Probability that the paper is dotted instead (a bullet journal's): grey
        dots 0.05 to 0.12 letter heights across, 0.5 to 1.1 letter heights apart,
        25 to 65 % darker than the paper.
    highlight : float
        Probability that a word is marked with a highlighter: a band of light
        colour (yellow, pink, green, blue or orange) over it, 0.1-0.3 letter
        heights beyond its ink, printed under the ink.
    drift : float
        Spread (standard deviation, degrees) of each line's own slope: writing on
        blank paper rises or falls, each line its own way.
    uphill : float
        Largest slope of all the lines together, degrees (drawn uniformly in
        +-uphill): writing that runs uphill or downhill across the sheet, the
        letters themselves upright (unlike `rotation`).
    size_spread : float
        Spread of the letters' heights (standard deviation of their logarithm).
    crossed : float
        Share of the ``7``, ``Z`` and ``0`` written crossed or slashed
        (:func:`cross_stroke`).

    Returns
    -------
    image : (H, W, 3) uint8 ndarray
    boxes : list of (label, x0, y0, x1, y1)
        Character boxes before the page rotation.
    """
    from PIL import Image

    from ocr.synth import dot_grid, illumination

    cache = {} if cache is None else cache
    h = float(height)
    margin = 1.5 * h
    pitch = h * rng.uniform(line_pitch - 0.25, line_pitch + 0.25)
    used = set()
    placed = []  # (dark, x, y, label)
    words = []  # the placed letters of each highlighted word
    x_max = 0.0
    common = np.radians(rng.uniform(-uphill, uphill)) if uphill else 0.0
    for li, line in enumerate(lines):
        baseline = margin + h + li * pitch + rng.normal(0, 0.05 * h)
        x = margin + abs(rng.normal(0, 0.2 * h))
        slope = np.tan(common + np.radians(rng.normal(0, drift)))
        x_start = x
        for wi, word in enumerate(line.split()):
            if wi:
                x += max(word_gap - 0.35, rng.normal(word_gap, 0.15)) * h
            first = len(placed)
            for ci, ch in enumerate(word):
                if ci:
                    x += max(letter_gap - 0.2, rng.normal(letter_gap, 0.08)) * h
                dark = None
                for _ in range(5):
                    choices = [f for f in crops[ch] if f not in used] or crops[ch]
                    f = choices[int(rng.integers(len(choices)))]
                    if f not in cache:
                        cache[f] = crop_darkness(f)
                    dark = cache[f]
                    used.add(f)
                    if dark is not None and dark.shape[0] >= 6:
                        break
                if dark is None:
                    continue
                if crossed and ch in "7Z0" and rng.random() < crossed:
                    dark = cross_stroke(dark, ch, rng)
                target = h * np.exp(rng.normal(0, size_spread))
                f = target / max(1, _trim(dark).shape[0] - 2)
                size = (max(2, int(round(dark.shape[1] * f))), max(2, int(round(dark.shape[0] * f))))
                d = _trim(_resize(dark, size))
                y = baseline - d.shape[0] + rng.normal(0, 0.04 * h) + slope * (x - x_start)
                placed.append((d, x, y, ch))
                x += d.shape[1]
            if highlight and len(placed) > first and rng.random() < highlight:
                words.append(placed[first:])
        x_max = max(x_max, x)
    W = int(np.ceil(x_max + margin))
    Ht = int(np.ceil(margin * 2 + h + (len(lines) - 1) * pitch + 0.5 * h))
    if uphill and placed:  # the sheet grows to hold the lines' rise or fall
        top = min(y for _, _, y, _ in placed)
        bottom = max(y + d.shape[0] for d, _, y, _ in placed)
        placed = [(d, x, y - top + margin, ch) for d, x, y, ch in placed]
        words = [[(d, x, y - top + margin, ch) for d, x, y, ch in w] for w in words]
        Ht = int(np.ceil(bottom - top + 2 * margin))
    trans = np.ones((Ht, W), np.float32)
    boxes = []
    for d, x, y, ch in placed:
        xi, yi = int(round(x)), int(round(y))
        y0, x0 = max(0, yi), max(0, xi)
        y1, x1 = min(Ht, yi + d.shape[0]), min(W, xi + d.shape[1])
        trans[y0:y1, x0:x1] *= 1.0 - d[y0 - yi : y1 - yi, x0 - xi : x1 - xi]
        boxes.append((ch, x0, y0, x1, y1))
    strength = rng.uniform(0.85, 1.1) * ink
    trans = np.clip(1 - strength * (1 - trans), 0, 1)

    paper = np.array([rng.uniform(190, 240)] * 3, np.float32) * rng.uniform(0.97, 1.0, 3).astype(np.float32)
    rgb = np.broadcast_to(paper, (Ht, W, 3)).copy()
    if grid and rng.random() < grid:
        rule = np.zeros((Ht, W), np.float32)
        step, dark = h * rng.uniform(0.6, 1.1), rng.uniform(0.2, 0.45)
        width = max(1, int(round(0.04 * h)))
        for y in np.arange(rng.uniform(0, step), Ht, step):
            rule[int(y) : int(y) + width] = dark
        for x in np.arange(rng.uniform(0, step), W, step):
            rule[:, int(x) : int(x) + width] = dark
        rgb *= 1 - rule[..., None] * np.array([0.8, 0.7, 0.45], np.float32)
    elif dots and rng.random() < dots:
        step, dark = h * rng.uniform(0.5, 1.1), rng.uniform(0.25, 0.65)
        radius = 0.5 * h * rng.uniform(0.05, 0.12)
        dots = dot_grid((Ht, W), step, radius, dark, offset=rng.uniform(0, step, 2))
        rgb *= 1 - dots[..., None] * np.array([0.9, 0.9, 0.85], np.float32)
    elif rng.random() < ruled:
        rule = np.zeros((Ht, W), np.float32)
        y = margin + h + 0.08 * h
        y -= pitch * np.floor(y / pitch)
        while y < Ht:
            r0 = int(y)
            rule[r0 : r0 + max(1, int(0.04 * h))] = 0.55
            y += pitch
        rgb *= 1 - rule[..., None] * np.array([0.35, 0.2, 0.02], np.float32)
    for word in words:  # a highlighter's band under the word's ink
        colour = HIGHLIGHTERS[int(rng.integers(len(HIGHLIGHTERS)))]
        top, left, bottom, right = rng.uniform(0.1, 0.3, 4) * h  # how far the band reaches past the ink
        y0 = int(round(min(y for _, _, y, _ in word) - top))
        x0 = int(round(word[0][1] - left))
        y1 = int(round(max(y + d.shape[0] for d, _, y, _ in word) + bottom))
        x1 = int(round(word[-1][1] + word[-1][0].shape[1] + right))
        rgb[max(0, y0):y1, max(0, x0):x1] *= np.array(colour, np.float32) / 255
    rgb *= trans[..., None]
    angle = rng.uniform(-rotation, rotation) if rotation else 0.0
    if angle:
        fill = tuple(int(v) for v in paper)
        im = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
        im = im.rotate(angle, resample=Image.BICUBIC, fillcolor=fill)
        rgb = np.asarray(im, np.float32)
    rgb = rgb * illumination((Ht, W), rng, rng.uniform(0.1, 0.35))[..., None]
    rgb += rng.normal(0, noise, (Ht, W, 1)) + rng.normal(0, 0.4 * noise, (Ht, W, 3))
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8), boxes


def synthetic_page(lines, seed, height):
    """A page from the stroke font, with random ink, rules and rotation."""
    from ocr.synth import render_page

    rng = np.random.default_rng([seed, 7])
    ink = str(rng.choice(["grey", "black", "blue"]))
    image, _, boxes = render_page(lines, seed=seed, height=height, ink=ink, ruled=bool(rng.random() < 0.3),
                                  rotation=float(rng.uniform(-1, 1)), slant=None)
    return image, [(b.label, b.x0, b.y0, b.x1, b.y1) for b in boxes]


def _inside_git_tree(path):
    try:
        r = subprocess.run(["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
                           capture_output=True, text=True)
        return r.returncode == 0 and r.stdout.strip() == "true"
    except OSError:
        return False


LIGHTS = ("vignette", "side_shadow", "dim_warm", "hard_shadow")
#: Lights drawn only when asked for (``--light``), so that the pages of a seed stay
#: those of earlier sessions: the curved edge of a hand's or a phone's shadow, in any
#: direction, more or less blurred.
MORE_LIGHTS = ("curved_shadow",)


def photographed(image, rng, lights=LIGHTS):
    """`image` as a phone might have taken it: one of `lights` (a lens's
    vignette darkening the corners by up to half, a soft shadow from one side, dim
    warm light, a hard diagonal shadow; or, asked for, a shadow coming in from any
    side, its edge curved and blurred by 2-10 pixels for every 1,500 of the page's
    longer side), sensor noise (5 grey levels) and a slight blur (0.3-1.2 px).
    Returns the image and the JPEG quality to save it at (70-91)."""
    from PIL import Image, ImageFilter

    a = image.astype(np.float32) / 255
    H, W = a.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W]
    kind = lights[int(rng.integers(len(lights)))]
    if kind == "vignette":
        r = np.sqrt(((yy - H / 2) / (H / 2)) ** 2 + ((xx - W / 2) / (W / 2)) ** 2)
        light = 1 - 0.5 * np.clip(r - 0.3, 0, 1) ** 1.5
    elif kind == "side_shadow":
        light = 0.45 + 0.55 * np.clip((xx / W - rng.uniform(0.1, 0.4)) / 0.4, 0, 1)
    elif kind == "dim_warm":
        light = np.full((H, W), 0.55)
        a = a * np.array([1.0, 0.9, 0.7], np.float32)
    elif kind == "hard_shadow":
        edge = (0.6 * xx + yy > rng.uniform(0.5, 0.8) * (0.6 * W + H)).astype(np.float32)
        edge = np.asarray(Image.fromarray((edge * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(4)),
                          np.float32) / 255
        light = 1 - 0.5 * edge
    else:  # curved_shadow: a disc's edge (radius one to three page sizes) crossing the page
        side = max(H, W)
        radius = rng.uniform(1, 3) * side
        angle = rng.uniform(0, 2 * np.pi)
        reach = rng.uniform(0.25, 0.75)  # how far into the page the shadow comes
        cy = H / 2 + np.sin(angle) * (radius + side * (0.5 - reach))
        cx = W / 2 + np.cos(angle) * (radius + side * (0.5 - reach))
        inside = (np.hypot(yy - cy, xx - cx) < radius).astype(np.float32)
        blur = rng.uniform(2, 10) * max(1.0, side / 1500)
        edge = np.asarray(Image.fromarray((inside * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(blur)),
                          np.float32) / 255
        light = 1 - rng.uniform(0.35, 0.6) * edge
    a = a * light[..., None] + rng.normal(0, 0.02, a.shape)
    im = Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    return np.asarray(im), int(rng.integers(70, 92))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/handocr_pages", help="output folder (default: %(default)s)")
    ap.add_argument("--n", type=int, default=10, help="number of pages (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    ap.add_argument("--split", choices=["train", "valid", "all"], default="valid",
                    help="which photo_chars crops to use (default: %(default)s; see the module doc)")
    ap.add_argument("--height", type=float, default=48, help="letter height in pixels (default: %(default)s)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="render everything this many times larger, like a high-resolution photo "
                         "(letters height*scale px; default: %(default)s)")
    ap.add_argument("--text", help="use this text on every page instead of random text "
                                   "(lines separated by '|' or newlines)")
    ap.add_argument("--rotation", type=float, default=1.0, help="largest page rotation, degrees")
    ap.add_argument("--ruled", type=float, default=0.3, help="share of pages on ruled paper")
    ap.add_argument("--grid", type=float, default=0.0,
                    help="share of pages on squared paper (default: %(default)s)")
    ap.add_argument("--dots", type=float, default=0.0,
                    help="share of pages on dotted paper (default: %(default)s)")
    ap.add_argument("--highlight", type=float, default=0.0,
                    help="share of words marked with a highlighter (default: %(default)s)")
    ap.add_argument("--ink", type=float, default=1.0,
                    help="ink darkness relative to the crops' (0.45: pencil; default: %(default)s)")
    ap.add_argument("--photo", action="store_true",
                    help="as a phone photo: a vignette, a shadow or dim warm light, noise, blur "
                         "(and with --format jpg, quality 70-91)")
    ap.add_argument("--light", choices=LIGHTS + MORE_LIGHTS, action="append",
                    help="with --photo: only this light (repeat for several; default: any but curved_shadow)")
    ap.add_argument("--noise", type=float, default=2.5, help="sensor noise, grey levels")
    ap.add_argument("--letter-gap", type=float, default=0.32,
                    help="mean gap between letters, in letter heights (default: %(default)s)")
    ap.add_argument("--word-gap", type=float, default=1.6,
                    help="mean gap between words, in letter heights (default: %(default)s)")
    ap.add_argument("--line-pitch", type=float, default=2.15,
                    help="mean baseline-to-baseline distance, in letter heights (default: %(default)s)")
    ap.add_argument("--drift", type=float, default=0.5,
                    help="spread of each line's own slope, degrees (default: %(default)s)")
    ap.add_argument("--uphill", type=float, default=0.0,
                    help="largest slope of all the lines together, the letters upright, degrees (default: %(default)s)")
    ap.add_argument("--crossed", type=float, default=0.0,
                    help="share of the 7, Z and 0 written crossed by a bar (7, Z) or slashed (0) (default: %(default)s)")
    ap.add_argument("--size-spread", type=float, default=0.07,
                    help="spread of the letters' heights, as a log (default: %(default)s)")
    ap.add_argument("--synthetic", action="store_true", help="draw pages with the ocr.synth stroke font instead")
    ap.add_argument("--emnist", action="store_true",
                    help="compose from EMNIST characters (thousands of writers) instead of photo_chars; "
                         "--split as for photo_chars (valid: the part handocr train holds out)")
    ap.add_argument("--data", default=None,
                    help=f"photo_chars folder (default: {DEFAULT_DATA}), or with --emnist the EMNIST "
                         f"folder (default: {DEFAULT_DATA.parent / 'emnist'})")
    ap.add_argument("--prefix", default=None, help="page name prefix (default: photo_, emnist_ or synth_)")
    ap.add_argument("--format", choices=["png", "jpg"], default="png", help="image format (default: png)")
    ap.add_argument("--boxes", action="store_true", help="also write <name>.boxes.tsv (label x0 y0 x1 y1)")
    args = ap.parse_args(argv)
    if args.n < 1 or args.height <= 4 or args.scale <= 0:
        ap.error("--n must be >= 1, --height > 4 and --scale > 0")

    out = Path(args.out).resolve()
    probe = out
    while not probe.exists():
        probe = probe.parent
    if not args.synthetic and _inside_git_tree(probe):
        sys.exit(f"compose_pages: {out} is inside a git work tree; pages made from shared data "
                 "must not go into a repository (use --out outside it)")
    out.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    cache = {}
    if args.synthetic:
        crops = None
    elif args.emnist:
        crops, cache = emnist_crops(args.data or DEFAULT_DATA.parent / "emnist", args.split)
    else:
        crops = list_crops(args.data or DEFAULT_DATA, args.split)
    prefix = args.prefix or ("synth_" if args.synthetic else "emnist_" if args.emnist else "photo_")
    height = args.height * args.scale
    for i in range(args.n):
        rng = np.random.default_rng([args.seed, i])
        lines = parse_text(args.text) if args.text else random_text(rng)
        if args.synthetic:
            image, boxes = synthetic_page(lines, seed=args.seed * 100003 + i, height=height)
        else:
            image, boxes = compose_page(lines, crops, rng, height=height, rotation=args.rotation,
                                        ruled=args.ruled, noise=args.noise, cache=cache,
                                        letter_gap=args.letter_gap, word_gap=args.word_gap,
                                        line_pitch=args.line_pitch, grid=args.grid, ink=args.ink,
                                        dots=args.dots, highlight=args.highlight,
                                        drift=args.drift, uphill=args.uphill,
                                        size_spread=args.size_spread, crossed=args.crossed)
        quality = 90
        if args.photo:  # its own draws: the pages themselves are those of the same seed without it
            image, quality = photographed(image, np.random.default_rng([args.seed, i, 1]),
                                          tuple(args.light) if args.light else LIGHTS)
        name = f"{prefix}{i:03d}"
        img_path = out / f"{name}.{args.format}"
        im = Image.fromarray(image)
        if args.format == "jpg":
            im.save(img_path, quality=quality)
        else:
            im.save(img_path)
        (out / f"{name}.gt.txt").write_text("\n".join(lines) + "\n")
        if args.boxes:
            (out / f"{name}.boxes.tsv").write_text(
                "".join(f"{c}\t{x0}\t{y0}\t{x1}\t{y1}\n" for c, x0, y0, x1, y1 in boxes))
        print(f"{img_path}  {image.shape[1]}x{image.shape[0]}  {sum(len(l.replace(' ', '')) for l in lines)} chars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
