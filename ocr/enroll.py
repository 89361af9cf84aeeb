"""Learning one person's handwriting from a page of known text (``handocr enroll``).

The user copies a known text (by default the alphabet and digits three times,
:func:`template_lines`; :func:`render_template` draws a sheet saying what to write
where), photographs it, and the page is:

1. read by the image stages of the pipeline (:func:`analyse_page`), after the
   sheet's own light-blue printing has been dropped out;
2. aligned line by line with the known text (:func:`align`): the page must have
   as many lines of writing as the text, and every line as many letters as its
   text has characters. A line that is off by a little is re-segmented with the
   known characters as a constraint (touching letters split, broken letters
   joined where the classifier finds the expected letters); a line that still
   does not match, or whose letters the classifier finds nothing like the text,
   is refused with a :class:`~ocr.errors.DataError` naming the line, so that no
   crop is ever silently mislabelled;
3. used to fine-tune the model (:func:`fine_tune`), starting from its weights:
   every batch is half enrolment crops (oversampled, heavily augmented) and half
   the original training data (EMNIST), whose targets also follow the original
   model's predictions, so that other writers' letters are not forgotten. Without the original data the weights are instead held near the
   original ones by an L2 penalty toward them.
"""

import math
from typing import NamedTuple

import numpy as np

from . import CLASSES, LOOK_ALIKE
from . import mlp
from .errors import DataError

#: Printing on the template sheet: light enough to be dropped out (:func:`drop_out`).
GUIDE_RGB = (196, 214, 244)
#: Pixels less than this much darker than the paper are treated as paper on enrolment pages.
DROP_OUT = 0.2
#: Augmentation of enrolment crops (stronger than for the base data: few samples).
ENROL_AUGMENT = {"rotate": 14.0, "shear": 0.3, "scale": (0.82, 1.12), "aspect": 0.15, "shift": 2.0}


class Sample(NamedTuple):
    """One labelled enrolment character.

    Attributes
    ----------
    crop : (32, 32) float32 ndarray, the classifier input (white paper)
    label : str, its character
    line : int, the text line it belongs to (1-based)
    mask : bool ndarray, the glyph's ink (working pixels)
    box : (y0, x0, y1, x1), in working pixels of the page
    """

    crop: np.ndarray
    label: str
    line: int
    mask: np.ndarray
    box: tuple


# ----------------------------------------------------------------------------- the text and sheet

def template_lines(repeats=3, per_line=10):
    """The default enrolment text: the alphabet and digits `repeats` times.

    Characters are separated by spaces (so that letters stay apart on the
    page), at most `per_line` per line, letters and digits on separate lines.

    >>> template_lines(1)
    ['A B C D E F G H I J', 'K L M N O P Q R S T', 'U V W X Y Z', '0 1 2 3 4 5 6 7 8 9']
    """
    letters, digits = CLASSES[:26], CLASSES[26:]
    lines = []
    for _ in range(repeats):
        for group in (letters, digits):
            for i in range(0, len(group), per_line):
                lines.append(" ".join(group[i:i + per_line]))
    return lines


def parse_text(text, name="text"):
    """Enrolment text lines from a string: upper-cased, single spaces, blank lines dropped.

    Raises DataError for characters outside A-Z, 0-9 and spaces, or an empty text.
    """
    lines = [" ".join(line.upper().split()) for line in str(text).splitlines()]
    lines = [line for line in lines if line]
    bad = sorted(set("".join(lines)) - set(CLASSES + " "))
    if bad:
        raise DataError(f"{name}: the text may only use A-Z, 0-9 and spaces (found {''.join(bad)!r})")
    if not lines:
        raise DataError(f"{name}: the text is empty")
    return lines


def read_text(path):
    """Enrolment text lines from a file (see :func:`parse_text`)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read text ({getattr(e, 'strerror', None) or e})") from None
    return parse_text(text, name=str(path))


def _stroke_text(draw, text, x, y, height, fill, width):
    """Write `text` with the stroke font of :mod:`ocr.synth` (cap line at y); returns the end x."""
    from .synth import glyph_strokes

    for ch in text:
        if ch == " ":
            x += 0.6 * height
            continue
        w, strokes = glyph_strokes(ch)
        for s in strokes:
            pts = [(x + px * height, y + py * height) for px, py in s]
            draw.line(pts, fill=fill, width=width, joint="curve")
        x += (w + 0.35) * height
    return x


def render_template(lines=None, dpi=150):
    """An A4 sheet (portrait) telling the user what to write where.

    Instructions at the top, then every text line printed small in light blue
    with a writing line under it. All the printing is in a light "drop-out"
    blue that :func:`analyse_page` ignores, so only the handwriting is read.

    Parameters
    ----------
    lines : list of str, optional
        The text to copy (default :func:`template_lines`).
    dpi : int

    Returns
    -------
    PIL.Image.Image (RGB); save as ``.png`` or ``.pdf`` (``resolution=dpi``).
    """
    from PIL import Image, ImageDraw, ImageFont

    lines = template_lines() if lines is None else parse_text("\n".join(lines))
    W, H = int(8.27 * dpi), int(11.69 * dpi)
    im = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(im)
    m = int(0.6 * dpi)
    font = ImageFont.load_default(size=max(10, int(0.14 * dpi)))
    small = ImageFont.load_default(size=max(8, int(0.11 * dpi)))
    y = int(0.5 * dpi)
    d.text((m, y), "handocr: learn my handwriting", fill=GUIDE_RGB, font=font)
    y += int(0.3 * dpi)
    for t in ("Copy every line in BLOCK CAPITALS on the writing line under it, with a dark pen.",
              "Leave a clear space between characters, as shown. Write nothing else on the sheet.",
              "Then photograph the whole sheet, flat and evenly lit, and run:",
              "    handocr enroll photo.jpg --text template.txt -o my-model.npz"):
        d.text((m, y), t, fill=GUIDE_RGB, font=small)
        y += int(0.17 * dpi)
    top = y + int(0.25 * dpi)
    pitch = (H - top - int(0.5 * dpi)) / max(len(lines), 1)
    pitch = min(pitch, 1.1 * dpi)
    guide = max(8, int(0.16 * dpi))
    for k, text in enumerate(lines):
        y0 = top + k * pitch
        d.text((m - int(0.4 * dpi), y0), f"{k + 1}", fill=GUIDE_RGB, font=small)
        _stroke_text(d, text, m, y0, guide, GUIDE_RGB, max(1, dpi // 100))
        rule = int(y0 + 0.85 * pitch)
        d.line([(m, rule), (W - m, rule)], fill=GUIDE_RGB, width=max(1, dpi // 75))
    return im


def save_template(image, path, dpi=150):
    """Write the sheet atomically as PNG or PDF (by the file's extension)."""
    import os

    from .atomic import atomic_path

    ext = os.path.splitext(str(path))[1].lower()
    fmt = {".png": "PNG", ".pdf": "PDF"}.get(ext)
    if fmt is None:
        raise DataError(f"{path}: the template is written as .png or .pdf")
    with atomic_path(path, suffix=ext) as tmp:
        image.save(tmp, format=fmt, resolution=float(dpi))


# ----------------------------------------------------------------------------- reading the page

def drop_out(grey, level=DROP_OUT):
    """Turn everything fainter than `level` (darkness relative to the paper) into paper.

    Removes the template sheet's light-blue printing; pen strokes are far darker.
    """
    from .binarize import ink_darkness, paper_background

    grey = np.asarray(grey, dtype=np.float32)
    bg = paper_background(grey)
    dark = ink_darkness(grey)
    return np.where(dark < level, bg, grey).astype(np.float32)


def analyse_page(source, name=None, level=DROP_OUT):
    """Load a photo of an enrolment page and run the pipeline's image stages on it.

    Returns
    -------
    ocr.pipeline.Analysis
        With two more attributes: ``name`` (of the image) and ``scale`` (working
        pixels per original pixel, for the samples' boxes).
    """
    from .load import load_image
    from .pipeline import analyse, working_image

    loaded = load_image(source, name=name)
    grey, factor = working_image(loaded.pixels)
    if level:
        grey = drop_out(grey, level)
    analysis = analyse(grey)
    analysis.name = loaded.name
    analysis.scale = loaded.scale * factor  # working pixels per original pixel
    return analysis


def _found_lines(analysis):
    """Letter glyphs of every line of the page, as words left to right (lines without letters dropped)."""
    g = analysis.glyphs
    out = []
    for line in analysis.lines:
        words = [sorted((g[i] for i in word if not g[i].small), key=lambda x: x.cx) for word in line]
        words = [w for w in words if w]
        if words:
            out.append(words)
    return out


def _resegment(words, text, height, proba):
    """Letters of a line whose glyph count is off: word by word when the words match, else the line."""
    want = text.split()
    if len(words) != len(want) and len(want) > 1:
        # The page's word gaps did not come out as the text's: cut at the widest gaps instead.
        flat = sorted((g for w in words for g in w), key=lambda x: x.box[1])
        if len(flat) >= len(want):
            gaps = [b.box[1] - a.box[3] for a, b in zip(flat[:-1], flat[1:])]
            cuts = sorted(np.argsort(gaps)[::-1][:len(want) - 1] + 1)
            words = [flat[a:b] for a, b in zip([0, *cuts], [*cuts, len(flat)])]
    if len(words) == len(want):
        out = []
        for glyphs, labels in zip(words, want):
            if len(glyphs) == len(labels):
                out.extend(glyphs)
                continue
            fixed = forced_segment(glyphs, labels, height, proba)
            if fixed is None:
                break
            out.extend(fixed)
        else:
            return out
    return forced_segment([g for w in words for g in w], text.replace(" ", ""), height, proba)


def forced_segment(glyphs, labels, height, proba, max_gap=0.5, cut=False):
    """Cut and join a line's glyphs into exactly ``len(labels)`` letters.

    Like :func:`ocr.segment.segment_word`, but the letters are known: the line is
    over-segmented (wide glyphs cut at their thinnest columns), and the dynamic
    programme chooses the runs of pieces that make exactly the expected letters,
    each costing ``-log p(expected letter)`` plus penalties for being too wide or
    bridging gaps.

    cut : bool
        Cut wide glyphs even when there are enough glyphs already (they may be
        as many as the letters but the wrong ones: a letter cut in two, two joined).

    Returns
    -------
    letters : list of Glyph, or None when no such segmentation exists
    """
    from .normalize import normalize_glyph
    from .segment import _part, candidate_letters, cut_candidates

    def pieces(g):  # any glyph that may be two letters is cut; the programme can join the pieces again
        if (len(glyphs) >= n_want and not cut) or g.width < 0.75 * height:
            return [g]
        cuts = [0] + cut_candidates(g.mask, height) + [g.width]
        parts = [_part(g, a, b) for a, b in zip(cuts[:-1], cuts[1:])]
        return [p for p in parts if p is not None] or [g]

    n_want = len(labels)
    atoms, joins, spans, cands = candidate_letters(glyphs, height, lambda k, g: pieces(g),
                                                   max_gap=max_gap, max_width=1.6, keep_whole=False)
    n = len(atoms)
    if n < n_want:
        return None
    P = proba(np.stack([normalize_glyph(c.mask) for c in cands]))
    lab = [CLASSES.index(ch) for ch in labels]
    shape_cost = []
    for (i, j), c in zip(spans, cands):
        wide = max(0.0, c.width / max(height, c.height) - 1.3)
        bridged = sum(gap is not None for gap in joins[i:j - 1])
        shape_cost.append(5.0 * wide + 0.5 * bridged)
    ends = {}
    for s, (i, j) in enumerate(spans):
        ends.setdefault(j, []).append((i, s))
    INF = float("inf")
    best = np.full((n + 1, n_want + 1), INF)
    back = np.zeros((n + 1, n_want + 1), int)
    best[0, 0] = 0.0
    for j in range(1, n + 1):
        for i, s in ends.get(j, []):
            for k in range(1, n_want + 1):
                if best[i, k - 1] == INF:
                    continue
                c = best[i, k - 1] - math.log(max(float(P[s, lab[k - 1]]), 1e-6)) + shape_cost[s]
                if c < best[j, k]:
                    best[j, k], back[j, k] = c, s
    if best[n, n_want] == INF:
        return None
    out, j, k = [], n, n_want
    while k:
        s = back[j, k]
        out.append(cands[s])
        j, k = spans[s][0], k - 1
    return out[::-1]


def _shifted(P, labels, top=3, slack=2):
    """Do the glyphs fit the text better shifted than in place?

    A glyph "fits" a character when the character is among its `top` classes.
    Counts the fits in place and along the best monotonic alignment (longest
    common subsequence); `slack` more fits when shifted means glyphs and letters
    are out of step.
    """
    n = len(labels)
    order = np.argsort(-np.asarray(P), axis=1)[:, :top]
    fits = np.array([[CLASSES.index(c) in order[i] for c in labels] for i in range(n)])
    in_place = int(np.trace(fits))
    L = np.zeros((n + 1, n + 1), int)
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            L[i, j] = max(L[i - 1, j], L[i, j - 1], L[i - 1, j - 1] + fits[i - 1, j - 1])
    return L[n, n] - in_place >= max(slack, int(0.2 * n))


def _describe(text):
    return f"{text!r} ({len(text.replace(' ', ''))} characters)"


def align(page, lines, model, max_off=0.25, min_agreement=0.25, top=5):
    """Label the letters of an enrolment page with its known text.

    Parameters
    ----------
    page : ocr.pipeline.Analysis, or an image (path, bytes, array) for :func:`analyse_page`
    lines : list of str
        The text written on the page, one string per line.
    model : ocr.model.Model
        Classifier used to re-segment lines that are off by a little and to
        check that the page says what the text says.
    max_off : float
        A line may have at most this share of its characters (at least 2) too
        many or too few glyphs to be re-segmented; more, and it is refused.
    min_agreement : float
        Refuse a line (4+ characters) where fewer than this share of the glyphs
        have their expected character among the classifier's `top` guesses:
        the page does not say what the text says. Lines whose glyphs fit the
        text clearly better shifted than in place (a letter cut in two and two
        letters joined, so the count is right but the letters are not) are
        re-cut with the known letters, and refused if they still do not fit.
        0 turns both checks off.
    top : int

    Returns
    -------
    samples : list of Sample, in reading order

    Raises
    ------
    DataError
        Naming the first line that does not match (its number, its text, and what
        was found there).
    """
    from .normalize import normalize_glyph
    from .pipeline import Analysis

    analysis = page if isinstance(page, Analysis) else analyse_page(page)
    name = getattr(analysis, "name", None) or "page"
    want = parse_text("\n".join(lines))
    found = _found_lines(analysis)
    counts = [sum(len(w) for w in f) for f in found]

    def refuse(k, problem):
        raise DataError(f"{name}: line {k + 1} {_describe(want[k])} does not match the page: {problem}; "
                        "the photo must show exactly the text, one written line per text line")

    if len(found) != len(want):
        # Name the first line where the written lines stop matching the text.
        for k in range(min(len(found), len(want))):
            n = len(want[k].replace(" ", ""))
            if abs(counts[k] - n) > max(2, max_off * n):
                refuse(k, f"the page has {len(found)} lines of writing and the text {len(want)}; "
                          f"written line {k + 1} has {counts[k]} letters")
        k = min(len(found), len(want))
        if len(found) < len(want):
            refuse(k, f"the page has only {len(found)} lines of writing, the text {len(want)}")
        raise DataError(f"{name}: the page has {len(found)} lines of writing but the text only "
                        f"{len(want)}; line {k + 1} of the page is not in the text")
    samples = []
    for k, (words, text) in enumerate(zip(found, want)):
        labels = text.replace(" ", "")
        n = len(labels)
        glyphs = [g for w in words for g in w]
        if len(glyphs) != n:
            if abs(len(glyphs) - n) > max(2, max_off * n):
                refuse(k, f"{len(glyphs)} letters are written there")
            fixed = _resegment(words, text, analysis.height, model.predict_proba)
            if fixed is None:
                refuse(k, f"{len(glyphs)} letters are written there and they cannot be cut or "
                          f"joined into {n}")
            glyphs = fixed
        crops = np.stack([normalize_glyph(g.mask) for g in glyphs])
        if min_agreement > 0 and n >= 4:
            P = model.predict_proba(crops)
            if _shifted(P, labels):
                # As many glyphs as letters, but not the right ones (a letter cut in two and
                # two letters joined): try the known letters as a constraint before refusing.
                fixed = forced_segment(glyphs, labels, analysis.height, model.predict_proba, cut=True)
                if fixed is not None:
                    fixed_crops = np.stack([normalize_glyph(g.mask) for g in fixed])
                    fixed_P = model.predict_proba(fixed_crops)
                    if not _shifted(fixed_P, labels):
                        glyphs, crops, P = fixed, fixed_crops, fixed_P
            idx = np.array([CLASSES.index(c) for c in labels])
            rank = (P > P[np.arange(n), idx][:, None]).sum(axis=1)
            agree = float((rank < top).mean())
            guess = "".join(CLASSES[i] for i in P.argmax(axis=1))
            if agree < min_agreement:
                refuse(k, f"the letters there read like {guess!r}")
            if _shifted(P, labels):
                refuse(k, f"the letters there read like {guess!r}, as if some were cut in two or "
                          "joined")
        for g, c, ch in zip(glyphs, crops, labels):
            samples.append(Sample(crop=c.astype(np.float32), label=ch, line=k + 1, mask=g.mask, box=g.box))
    return samples


def save_crops(samples, folder, prefix="page"):
    """Write every sample's ink as ``folder/LABEL/<prefix>_<line>_<n>.png`` (black on white, padded).

    The folder can be given to ``handocr train`` / ``handocr eval`` as LABEL/*.png crops.
    Returns the list of written paths.
    """
    import os

    from PIL import Image

    from .atomic import atomic_path

    paths = []
    for n, s in enumerate(samples):
        sub = os.path.join(folder, s.label)
        os.makedirs(sub, exist_ok=True)
        pad = max(4, s.mask.shape[0] // 3)
        img = np.pad(np.where(s.mask, 0, 255).astype(np.uint8), pad, constant_values=255)
        path = os.path.join(sub, f"{prefix}_{s.line:02d}_{n:03d}.png")
        with atomic_path(path, suffix=".png") as tmp:
            Image.fromarray(img).save(tmp, format="PNG")
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------- fine-tuning

def _base_arrays(base_data):
    """(X, y) training samples from a list of ocr.train.Source, an (X, y) pair, or None."""
    if base_data is None:
        return None
    if isinstance(base_data, tuple) and len(base_data) == 2:
        X, y = base_data
    else:
        srcs = list(base_data)
        if not srcs:
            return None
        X = np.concatenate([s.Xtr for s in srcs])
        y = np.concatenate([s.ytr for s in srcs])
    X, y = np.asarray(X, np.float32), np.asarray(y, np.int64)
    return (X, y) if len(y) else None


def _balanced_p(y):
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float64)
    p = 1.0 / counts[y]
    return p / p.sum()


def fine_tune(model, X, y, base_data=None, epochs=15, seed=0, lr=3e-4, batch_size=128,
              steps_per_epoch=40, base_share=0.75, distill=0.5, look_alike=1.0, anchor=0.05,
              enrolled_from=None, name=None, report=None):
    """Fine-tune `model` on enrolment crops, starting from its weights.

    Every step draws a batch that is `base_share` original training data
    (classes balanced, the usual augmentation) and the rest enrolment crops
    (oversampled, :data:`ENROL_AUGMENT`), and takes an AdamW step with a warm-up
    and cosine-decayed learning rate, label smoothing and dropout as in
    :func:`ocr.train.train`. On the original data the target is also blended
    (weight `distill`) with the original model's own predictions ("learning
    without forgetting"), so that other writers' letters keep being read as
    before; for look-alike pairs the enrolment labels are softened (`look_alike`). Without `base_data`, the weights are held near the original ones
    instead, by a penalty ``anchor * |w - w0|^2 / 2`` (``L2-SP``).

    Parameters
    ----------
    model : ocr.model.Model
    X : (N, 32, 32) float array, enrolment crops; y : (N,) int class indices (or characters)
    base_data : list of ocr.train.Source (their training parts are used), (X, y), or None
    base_share : float
        Share of every batch drawn from `base_data`.
    distill : float
        Weight of the original model's predictions in the targets of the base samples.
    look_alike : float
        For enrolment crops of :data:`ocr.LOOK_ALIKE` pairs (``O``/``0``, ``I``/``1``),
        this share of the label's target is split within the pair as the original
        model splits it: the page teaches the shape, not which of two identical
        shapes it is (the word context settles that when reading). Without it, a
        writer whose ``1`` and ``I`` are both bars moves every bar to one side, and
        other writers' digits suffer.
    epochs, steps_per_epoch : int
        ``epochs * steps_per_epoch`` steps in all.
    seed : int
        Same data and seed, same weights.
    enrolled_from : list of str, optional
        Names of the enrolment pages, for the model's metadata.
    name : str, optional
        Name of the new model (default ``<base>-enrolled``).
    report : callable(str), optional
        Receives progress lines (and the note when there is no base data).

    Returns
    -------
    ocr.model.Model
    """
    from .model import Model, to_inputs
    from .train import AUGMENT, DROPOUT, SMOOTHING, WEIGHT_DECAY, augment, lr_at

    say = report or (lambda msg: None)
    X = np.asarray(X, np.float32)
    y = np.array([CLASSES.index(c) if isinstance(c, str) else int(c) for c in y], np.int64)
    if len(y) == 0:
        raise DataError("no enrolment characters to learn from")
    base = _base_arrays(base_data)
    if base is None:
        say("no original training data: keeping the weights near the model's own "
            f"(L2 penalty {anchor} toward them) instead of mixing in other writers' letters")
    rng = np.random.default_rng([seed, 2024])
    params = {k: v.astype(np.float32).copy() for k, v in model.params.items()}
    w0 = {k: v.copy() for k, v in params.items()}
    opt = mlp.Adam(params, lr=lr, weight_decay=WEIGHT_DECAY)
    p_enrol = _balanced_p(y)
    p_base = _balanced_p(base[1]) if base is not None else None
    n_base = int(round(batch_size * base_share)) if base is not None else 0
    n_enrol = batch_size - n_base
    total = epochs * steps_per_epoch
    K = len(CLASSES)
    pair_of = np.full(K, -1)
    for a, b in LOOK_ALIKE:
        pair_of[CLASSES.index(a)], pair_of[CLASSES.index(b)] = CLASSES.index(b), CLASSES.index(a)
    P0 = model.predict_proba(X)
    own, oth = P0[np.arange(len(y)), y], P0[np.arange(len(y)), np.maximum(pair_of[y], 0)]
    pair_q = own / np.maximum(own + oth, 1e-9)  # the original model's share for the label in its pair
    warm = min(steps_per_epoch, total // 4)
    for epoch in range(1, epochs + 1):
        loss_sum = 0.0
        for i in range(steps_per_epoch):
            idx = rng.choice(len(y), size=n_enrol, p=p_enrol)
            xb, yb = augment(X[idx], rng, **ENROL_AUGMENT), y[idx]
            if n_base:
                bi = rng.choice(len(base[1]), size=n_base, p=p_base)
                xb = np.concatenate([xb, augment(base[0][bi], rng, **AUGMENT)])
                yb = np.concatenate([yb, base[1][bi]])
            inputs = to_inputs(xb, model.features)
            logits, cache = mlp.forward(params, inputs, train=True, dropout=DROPOUT, rng=rng)
            target = np.full(logits.shape, SMOOTHING / K, np.float32)
            target[np.arange(len(yb)), yb] += 1.0 - SMOOTHING
            if look_alike:
                # O/0 and I/1: the crop's share between the pair follows the original model
                rows = np.flatnonzero(pair_of[yb[:n_enrol]] >= 0)
                if rows.size:
                    lab, other = yb[rows], pair_of[yb[rows]]
                    mass = target[rows, lab] * look_alike
                    q = pair_q[idx[rows]]
                    target[rows, lab] -= mass * (1 - q)
                    target[rows, other] += mass * (1 - q)
            if n_base and distill:
                # Learning without forgetting: on the original data, also follow the original model.
                soft = mlp.softmax(mlp.forward(w0, inputs[n_enrol:])[0].astype(np.float64))
                target[n_enrol:] = (1 - distill) * target[n_enrol:] + distill * soft
            logp = mlp.log_softmax(logits)
            loss = float(-(target * logp).sum() / len(yb))
            dlogits = ((np.exp(logp) - target) / len(yb)).astype(np.float32)
            grads = mlp.backward(params, cache, dlogits)
            if base is None and anchor:
                for k in grads:
                    grads[k] = grads[k] + anchor * (params[k] - w0[k])
            opt.step(params, grads, lr=lr_at((epoch - 1) * steps_per_epoch + i, total, warm, lr))
            loss_sum += loss
        if not math.isfinite(loss_sum):
            raise DataError(f"fine-tuning diverged at epoch {epoch}; try a smaller learning rate")
        say(f"epoch {epoch:3d}/{epochs}  loss {loss_sum / steps_per_epoch:.4f}")
    # one network: the first member of an ensemble, fine-tuned
    meta = {k: v for k, v in model.meta.items() if k not in ("weights_dtype", "members", "member_features")}
    meta["format_version"] = 1
    pages = [str(p) for p in (enrolled_from or [])]
    meta["name"] = name or f"{model.name}-enrolled"
    meta["training"] = {
        "enrolled_from": pages,
        "note": f"enrolled from {', '.join(pages) if pages else 'enrolment crops'}: "
                f"{len(y)} characters, fine-tuned from {model.name}",
        "base_model": model.name,
        "base_training": {k: v for k, v in model.meta.get("training", {}).items()
                          if k in ("command", "data", "seed", "valid_accuracy", "date", "base_model")},
        "enrolment_characters": int(len(y)),
        "base_samples": int(len(base[1])) if base is not None else 0,
        "mixing": (f"{n_base}/{batch_size} of every batch original training data, targets "
                   f"{distill} the original model's predictions" if base is not None
                   else f"L2 penalty {anchor} toward the base weights (no original data)"),
        "look_alike": look_alike, "epochs": epochs, "steps": total, "lr": lr, "batch_size": batch_size, "seed": seed,
        "augment": {k: list(v) if isinstance(v, tuple) else v for k, v in ENROL_AUGMENT.items()},
    }
    return Model.from_params(params, meta)
