"""The synthetic page renderer (ocr.synth) and the committed sample pages."""

import os
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from scipy import ndimage as ndi

from ocr.synth import CHARS, VARIANTS, CharBox, glyph_strokes, render_page

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "samples")
TEXT = ["SHOPPING LIST", "2 EGGS 1 MILK", "CALL MOM AT 5"]


def _grey(image):
    return image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _line_groups(text, boxes):
    """Boxes split by text line (boxes are in reading order)."""
    out, k = [], 0
    for line in text.split("\n"):
        n = len(line.replace(" ", ""))
        out.append(boxes[k : k + n])
        k += n
    assert k == len(boxes)
    return out


def _word_groups(line_text, line_boxes):
    out, k = [], 0
    for w in line_text.split():
        out.append(line_boxes[k : k + len(w)])
        k += len(w)
    return out


# --- the font ---------------------------------------------------------------


@pytest.mark.parametrize("ch", list(CHARS))
def test_every_glyph_fits_its_box(ch):
    for v in range(VARIANTS[ch]):
        w, strokes = glyph_strokes(ch, v)
        assert 0.2 < w < 1.0
        assert strokes and all(s.ndim == 2 and s.shape[1] == 2 and len(s) >= 2 for s in strokes)
        p = np.concatenate(strokes)
        assert p[:, 0].min() >= -0.05 and p[:, 0].max() <= w + 0.1, ch
        assert p[:, 1].min() >= -0.05 and p[:, 1].max() <= 1.06, ch
        # every glyph spans most of the letter height
        assert p[:, 1].max() - p[:, 1].min() > 0.9


def test_look_alikes_differ_in_shape():
    wO, _ = glyph_strokes("O")
    w0, _ = glyph_strokes("0")
    assert wO > 1.4 * w0  # round O, narrow oval 0
    assert len(glyph_strokes("I")[1]) == 3  # I has serif bars; 1 has a flag
    one = np.concatenate(glyph_strokes("1")[1])
    assert one[:, 0].min() < 0.1 and one[0, 1] > 0.1  # the flag starts left, below the top


def test_glyph_strokes_rejects_unknown_characters():
    for bad in ["a", "?", "", "AB", " "]:
        with pytest.raises(ValueError):
            glyph_strokes(bad)


# --- render_page ------------------------------------------------------------


def test_output_types_and_text():
    image, text, boxes = render_page(["shopping   list", " 2 eggs"], seed=3, height=30)
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert text == "SHOPPING LIST\n2 EGGS"
    assert all(isinstance(b, CharBox) for b in boxes)
    assert "".join(b.label for b in boxes) == text.replace("\n", "").replace(" ", "")


def test_a_string_is_split_into_lines():
    a = render_page("AB 12\nCD", seed=1, height=24)
    b = render_page(["AB 12", "CD"], seed=1, height=24)
    assert a.text == b.text and np.array_equal(a.image, b.image)


@pytest.mark.parametrize("bad", [["HELLO!"], ["A-B"], ["ÄB"]])
def test_unwritable_characters_raise(bad):
    with pytest.raises(ValueError):
        render_page(bad)


def test_deterministic_for_a_seed():
    kw = dict(ink="blue", ruled=True, rotation=0.8)
    a = render_page(TEXT, seed=5, **kw)
    b = render_page(TEXT, seed=5, **kw)
    assert np.array_equal(a.image, b.image)
    assert a.boxes == b.boxes and a.text == b.text
    c = render_page(TEXT, seed=6, **kw)
    assert not (c.image.shape == a.image.shape and np.array_equal(c.image, a.image))


@pytest.mark.parametrize("kw", [
    dict(),
    dict(ink="blue", ruled=True, rotation=1.2),
    dict(rotation=-2.0, height=30),
    dict(touching=True),
    dict(height=90, ink="black"),
])
def test_boxes_inside_in_reading_order_with_ink(kw):
    image, text, boxes = render_page(TEXT, seed=2, **kw)
    H, W = image.shape[:2]
    grey = _grey(image)
    paper = np.median(grey)
    lines = _line_groups(text, boxes)
    for b in boxes:
        assert 0 <= b.x0 < b.x1 <= W and 0 <= b.y0 < b.y1 <= H
        # ink: clearly darker than the paper somewhere in the box
        assert grey[b.y0 : b.y1, b.x0 : b.x1].min() < paper - 60, b
    for line in lines:
        cx = [0.5 * (b.x0 + b.x1) for b in line]
        assert np.all(np.diff(cx) > 0)
    cy = [np.mean([0.5 * (b.y0 + b.y1) for b in line]) for line in lines]
    assert np.all(np.diff(cy) > 0.5 * kw.get("height", 48))


@pytest.mark.parametrize("seed", range(3))
def test_boxes_cover_all_the_ink(seed):
    """On clean paper (no noise, light or rules) every inked pixel is in some box."""
    image, _, boxes = render_page(TEXT, seed=seed, noise=0, lighting=0)
    grey = _grey(image)
    ink = grey < grey.max() - 8
    covered = np.zeros_like(ink)
    for b in boxes:
        covered[b.y0 : b.y1, b.x0 : b.x1] = True
    assert ink.any() and not (ink & ~covered).any()


@pytest.mark.parametrize("seed", range(4))
def test_letters_are_separate_and_words_clearly_apart(seed):
    image, text, boxes = render_page(TEXT, seed=seed, noise=0, lighting=0)
    grey = _grey(image)
    ink = grey < 0.5 * (grey.max() + grey.min())
    _, n = ndi.label(ink, structure=np.ones((3, 3), bool))
    assert n == len(boxes)  # one connected piece per letter: none broken, none touching
    letter_gaps, word_gaps = [], []
    for line_text, line in zip(text.split("\n"), _line_groups(text, boxes)):
        words = _word_groups(line_text, line)
        for w in words:
            letter_gaps += [b.x0 - a.x1 for a, b in zip(w[:-1], w[1:])]
        word_gaps += [b[0].x0 - a[-1].x1 for a, b in zip(words[:-1], words[1:])]
    assert min(word_gaps) > 2 * max(letter_gaps)
    assert min(word_gaps) > 48


def test_touching_makes_some_neighbours_touch():
    image, _, boxes = render_page(TEXT, seed=0, touching=True, noise=0, lighting=0)
    grey = _grey(image)
    _, n = ndi.label(grey < 0.5 * (grey.max() + grey.min()), structure=np.ones((3, 3), bool))
    assert n < len(boxes) - 3


def test_ruled_blue_ink_colours():
    image, _, boxes = render_page(["AB"], seed=0, ink="blue", ruled=True, noise=0, lighting=0)
    b = boxes[0]
    crop = image[b.y0 : b.y1, b.x0 : b.x1].reshape(-1, 3).astype(int)
    darkest = crop[crop.sum(axis=1).argmin()]
    assert darkest[2] > darkest[0] + 40  # blue ink
    # ruled lines: some rows away from the letters are bluish
    rows = image[:, -5].astype(int)
    assert ((rows[:, 2] - rows[:, 0]) > 20).any()


def test_fast_enough():
    render_page(TEXT, seed=0)  # warm up imports
    t = time.perf_counter()
    render_page(TEXT + ["BREAD 4 BUNS", "6 APPLES AND 3 PEARS"], seed=1)
    assert time.perf_counter() - t < 1.5  # about 0.1 s on a laptop; slack for slow CI


@settings(max_examples=15, deadline=None)
@given(
    lines=st.lists(
        st.lists(st.text(alphabet=CHARS, min_size=1, max_size=6), min_size=1, max_size=3).map(" ".join),
        min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    rotation=st.floats(-2, 2),
)
def test_any_text_gives_consistent_boxes(lines, seed, rotation):
    image, text, boxes = render_page(lines, seed=seed, height=20, rotation=rotation)
    assert text == "\n".join(lines)
    assert "".join(b.label for b in boxes) == "".join(lines).replace(" ", "")
    H, W = image.shape[:2]
    assert all(0 <= b.x0 < b.x1 <= W and 0 <= b.y0 < b.y1 <= H for b in boxes)


# --- the committed samples --------------------------------------------------


def test_committed_samples_are_what_the_script_makes(tmp_path):
    sys.path.insert(0, SAMPLES)
    try:
        import make_samples
    finally:
        sys.path.remove(SAMPLES)
    written = make_samples.write_samples(str(tmp_path))
    assert len(written) == 2 * len(make_samples.SAMPLES)
    for path in written:
        name = os.path.basename(path)
        committed = os.path.join(SAMPLES, name)
        assert os.path.exists(committed), f"{name} missing: run python samples/make_samples.py"
        if name.endswith(".txt"):
            assert open(path).read() == open(committed).read()
            text = open(committed).read()
            assert text.endswith("\n") and all(
                line and line == " ".join(line.split()) and set(line) <= set(CHARS + " ")
                for line in text.splitlines())
        else:
            new, old = Image.open(path), Image.open(committed)
            assert new.mode == old.mode and new.size == old.size
            diff = np.abs(np.asarray(new, np.int16) - np.asarray(old, np.int16))
            assert diff.max() <= 1, f"{name} differs: run python samples/make_samples.py"
            assert os.path.getsize(committed) < 300_000


def test_distance_to_segment_measures_to_the_nearest_point_of_it():
    from ocr.synth import distance_to_segment

    d = distance_to_segment((12, 14), (5.0, 2.0), (5.0, 10.0))
    assert d.shape == (12, 14) and d.dtype == np.float32
    assert d[5, 2] == 0 and d[5, 6] == 0 and d[8, 6] == pytest.approx(3)  # on it, and across it
    assert d[5, 13] == pytest.approx(3) and d[9, 13] == pytest.approx(5)  # beyond its end: to the end
    slant = distance_to_segment((20, 20), (-5.0, -5.0), (30.0, 30.0))  # ends outside the image
    assert slant[10, 10] == 0 and slant[10, 12] == pytest.approx(np.sqrt(2))
