"""The image stages on small generated arrays: load, binarize, segment, layout, normalize."""

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr.binarize import binarize, ink_darkness, paper_background, remove_rules, threshold_levels, veil_gain
from ocr.errors import ImageError
from ocr.layout import group_lines, line_height, split_words, two_groups, word_gap_threshold, gaps
from ocr.load import downscale, load_image, page_count
from ocr.normalize import normalize_glyph, slant
from ocr.segment import (Glyph, components, join_broken_strokes, letter_height, segment, shear_glyph, split_stacked,
                         stroke_width)


def page_with_bars(boxes, shape=(200, 400), ink=0.1, paper=0.9):
    """A grey page with filled dark rectangles at (y0, x0, y1, x1)."""
    a = np.full(shape, paper, np.float32)
    for y0, x0, y1, x1 in boxes:
        a[y0:y1, x0:x1] = ink
    return a


def png_bytes(im, **kw):
    buf = io.BytesIO()
    im.save(buf, format=kw.pop("format", "PNG"), **kw)
    return buf.getvalue()


# ----------------------------------------------------------------------------- load

def test_load_grey_png_keeps_values_and_size(tmp_path):
    a = (np.arange(60 * 80).reshape(60, 80) % 256).astype(np.uint8)
    p = tmp_path / "g.png"
    Image.fromarray(a).save(p)
    L = load_image(p)
    assert L.size == (80, 60) and L.scale == 1.0
    assert L.pixels.dtype == np.uint8 and np.array_equal(L.pixels, a)  # 8 bits until the working scale
    assert L.grey.dtype == np.float32
    assert np.allclose(L.grey, a / 255.0, atol=1e-6)


def test_load_16bit_png_is_not_clipped(tmp_path):
    a = np.full((20, 30), 30000, np.uint16)
    a[5:10, 5:10] = 1000
    p = tmp_path / "g16.png"
    Image.fromarray(a).save(p)
    L = load_image(p)
    assert L.pixels.dtype == np.float32  # 16-bit precision is not rounded to 8 bits
    assert abs(L.grey[0, 0] - 30000 / 65535) < 1e-3
    assert L.grey[7, 7] < 0.05


def test_load_rgba_transparent_is_white():
    im = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    im.putpixel((3, 3), (0, 0, 0, 255))
    L = load_image(png_bytes(im))
    assert L.grey[0, 0] == pytest.approx(1.0)
    assert L.grey[3, 3] == pytest.approx(0.0)


def test_load_applies_exif_orientation():
    im = Image.new("L", (40, 20), 255)
    ImageDraw.Draw(im).rectangle([0, 0, 9, 19], fill=0)  # dark band on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewer turns it 90 degrees clockwise
    L = load_image(png_bytes(im, exif=exif))
    assert L.size == (20, 40) and L.grey.shape == (40, 20)
    assert L.grey[:10].mean() < 0.1  # the dark band is now on top


def test_load_large_image_is_downscaled_not_refused():
    a = np.full((3000, 2000), 200, np.uint8)
    L = load_image(png_bytes(Image.fromarray(a)), work_pixels=1_000_000)
    assert L.grey.shape[0] * L.grey.shape[1] <= 1_000_000
    assert L.size == (2000, 3000)
    assert L.scale == pytest.approx(L.grey.shape[1] / 2000)


def test_load_refuses_bomb_before_decoding():
    im = Image.new("1", (20000, 20000))  # tiny PNG, 400 megapixels claimed
    with pytest.raises(ImageError, match="megapixels"):
        load_image(png_bytes(im), name="bomb.png", max_pixels=100_000_000)


@pytest.mark.parametrize("data, problem", [(b"", "empty"), (b"not an image at all", "not a readable image")])
def test_load_bad_bytes(data, problem):
    with pytest.raises(ImageError, match=problem):
        load_image(data, name="x.jpg")


def test_load_each_page_of_a_multi_page_tiff(tmp_path):
    first = Image.new("L", (40, 30), 255)
    second = Image.new("L", (50, 20), 255)
    ImageDraw.Draw(second).rectangle([0, 0, 9, 19], fill=0)  # dark band on the left
    p = tmp_path / "scan.tif"
    first.save(p, save_all=True, append_images=[second])
    assert page_count(p) == 2
    assert load_image(p).size == (40, 30)
    L = load_image(p, page=1)
    assert L.size == (50, 20) and L.grey[:, :10].mean() < 0.1 and L.grey[:, 20:].mean() > 0.9
    with pytest.raises(ImageError, match="scan.tif: no page 3 \\(the file has 2\\)"):
        load_image(p, page=2, name="scan.tif")


def test_only_a_tiffs_frames_are_pages(tmp_path):
    frames = [Image.new("L", (20, 20), v) for v in (255, 0)]
    gif = tmp_path / "anim.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    png = tmp_path / "one.png"
    frames[0].save(png)
    assert page_count(gif) == 1 and page_count(png) == 1
    assert page_count(tmp_path / "missing.tif") == 1  # load_image reports the problem
    with pytest.raises(ImageError, match="no page 2"):
        load_image(gif, page=1)


def test_load_missing_and_directory(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "missing.jpg")
    with pytest.raises(ImageError, match="directory"):
        load_image(tmp_path)


def test_downscale_is_area_average():
    a = np.zeros((8, 8), np.float32)
    a[:4, :4] = 1
    s = downscale(a, 0.25)
    assert s.shape == (2, 2) and s.dtype == np.float32
    assert np.allclose(s, [[1, 0], [0, 0]])
    s8 = downscale((a * 200).astype(np.uint8), 0.5)  # uint8 stays uint8, averages rounded
    assert s8.dtype == np.uint8 and s8.shape == (4, 4)
    assert np.array_equal(s8, [[200, 200, 0, 0]] * 2 + [[0] * 4] * 2)
    odd = np.array([[0, 255, 255, 0]] * 2, np.uint8)
    assert np.array_equal(downscale(odd, 0.5), [[128, 128]])


def test_working_image_same_from_8_bits_as_from_floats():
    from ocr.pipeline import working_image
    from ocr.synth import render_page

    rgb, _, _ = render_page(["BIG LETTERS 42"], seed=1)
    page8 = np.asarray(Image.fromarray(rgb).convert("L"))
    page8 = np.asarray(Image.fromarray(page8).resize((page8.shape[1] * 2, page8.shape[0] * 2)))
    w8, f8 = working_image(page8)
    wf, ff = working_image(page8 / np.float32(255))
    assert f8 == ff < 1  # shrunk to the working letter height
    assert w8.dtype == wf.dtype == np.float32 and w8.shape == wf.shape
    diff = np.abs(w8 - wf)  # only the rounding to 8 bits differs: at most a grey level
    assert diff.max() <= 1.01 / 255 and diff.mean() < 0.5 / 255


# ----------------------------------------------------------------------------- binarize

def test_dithered_images_are_told_from_photos_and_smoothed():
    """Floyd-Steinberg dithering to two levels or to the web palette makes greys of
    scattered dots; a photo's noise, a JPEG's blocks and clean bilevel writing do not."""
    from ocr.binarize import is_dithered, undither
    from ocr.synth import render_page

    r = render_page(["DITHERED GREY", "PAPER 42"], seed=1, height=40)
    grey = (r.image.mean(axis=2) * 0.6).astype(np.uint8)
    noisy = np.clip(grey + np.random.default_rng(0).normal(0, 8, grey.shape), 0, 255).astype(np.uint8)
    bilevel = np.where(grey < 60, 0, 255).astype(np.uint8)
    cheap = np.asarray(Image.open(io.BytesIO(png_bytes(Image.fromarray(noisy), format="JPEG", quality=15))))
    for photo in (grey, noisy, bilevel, cheap, grey.astype(np.float32) / 255):
        assert not is_dithered(photo)
        assert undither(photo) is photo
    for mode in ("1", "P"):
        dots = np.asarray(Image.fromarray(grey).convert("RGB").convert(mode).convert("L"))
        assert is_dithered(dots)
        smooth = undither(dots)
        assert smooth.dtype == np.uint8 and smooth.shape == dots.shape
        paper = grey > 100
        assert smooth[paper].std() < 0.5 * dots[paper].std()  # the paper's dots are greys again


def test_shear_and_unshear_are_exact():
    from ocr.binarize import _sharpest_slope, _shear, _unshear

    rng = np.random.default_rng(0)
    a = rng.random((40, 70)) < 0.3
    for t in (0.0, 0.05, -0.12):
        b, offsets = _shear(a, t)
        assert b.sum() == a.sum() and np.array_equal(_unshear(b, offsets, 40), a)
    line = np.zeros((200, 300), bool)
    xs = np.arange(300)
    line[np.round(50 + xs * np.tan(np.radians(3))).astype(int), xs] = True
    t = _sharpest_slope(*np.nonzero(line))
    assert t == pytest.approx(np.tan(np.radians(3)), abs=0.005)
    assert _shear(line, t)[0].sum(axis=1).max() >= 280  # the tilted line is one row now


def _fan_of_lines(shape, t, b, every=25):
    """Thin lines along x converging as a sheet's seen from one side (the line through
    the middle column at y0 has slope ``t + b * (y0 - yc)``), drawn between rows and
    blurred: their darkness, (H, W) float32, 0.35 on a line."""
    import scipy.ndimage as ndi

    H, W = shape
    yc, xc = (H - 1) / 2, (W - 1) / 2
    darkness = np.zeros(shape, np.float32)
    xs = np.arange(W)
    for y0 in range(-2 * H, 3 * H, every):
        y = y0 + (t + b * (y0 - yc)) * (xs - xc)
        i, f = np.floor(y).astype(int), (y - np.floor(y)).astype(np.float32)
        ok = (i >= 0) & (i + 1 < H)
        darkness[i[ok], xs[ok]] += 0.6 * (1 - f[ok])
        darkness[i[ok] + 1, xs[ok]] += 0.6 * f[ok]
    return ndi.gaussian_filter(darkness, 1.0).astype(np.float32)


def test_a_fan_of_lines_is_found_and_straightened_into_rows_and_back_exactly():
    from ocr.binarize import _sharpest_fan, _sharpest_slope, _straighten, _unstraighten

    shape, t, b = (300, 500), np.tan(np.radians(1.0)), 0.0003  # slopes -1.6 to 3.6 degrees
    mask = _fan_of_lines(shape, t, b) > 0.1
    ys, xs = np.nonzero(mask)
    found = _sharpest_fan(ys, xs, shape, _sharpest_slope(ys, xs))
    assert found[0] == pytest.approx(t, abs=0.003) and found[1] == pytest.approx(b, abs=0.00002)
    straight, how = _straighten(mask, found)
    assert np.count_nonzero(straight.sum(axis=1) >= 0.9 * shape[1]) >= 8  # the lines in the image's span, one row each
    assert np.array_equal(_unstraighten(straight, how, shape[0]), mask)
    for family in (t, found):  # nearest both ways, finely too: exact
        assert np.array_equal(_unstraighten(*_straighten(mask, family, fine=3), shape[0]), mask)
    # parallel lines are no fan: one slope, columns shifted by whole pixels
    ys, xs = np.nonzero(_fan_of_lines(shape, t, 0.0) > 0.1)
    assert _sharpest_fan(ys, xs, shape, _sharpest_slope(ys, xs))[1] == 0


def test_a_fan_of_lines_is_divided_out_along_its_own_slopes():
    from ocr.binarize import _divide_out

    shape, t, b = (300, 500), 0.0, 0.0003
    darkness = _fan_of_lines(shape, t, b)
    runs = darkness > 0.05
    inner = (slice(20, -20), slice(20, -20))
    # one slope (b = 0) leaves the lines far from the middle; the fan takes them all
    assert _divide_out(darkness, runs, t)[inner].max() > 0.15
    assert _divide_out(darkness, runs, (t, b))[inner].max() < 0.06


def test_a_line_ending_within_a_block_is_divided_out_to_its_end():
    """On a sheet seen at an angle, on a ground, a net's lines stop at the sheet's edge
    anywhere along a block of the line's darkness: that block's 30th percentile was the
    paper's past the end, and the line's last pixels stayed, stubs a third of a square
    long that outnumbered the letters (a page was read at the stubs' height, as
    ``1111111``). With `ends` they go (flat pages keep the old way: see
    divide_out_lines)."""
    from ocr.binarize import _divide_out

    darkness = np.zeros((120, 300), np.float32)
    for y0 in range(10, 120, 25):
        darkness[y0 : y0 + 2, 40:250] = 0.3  # lines from x = 40 to 249: blocks [32, 48) and [240, 256)
    runs = darkness > 0
    assert _divide_out(darkness, runs, 0.0, fine=1)[:, 40:250].max() > 0.25  # the stubs
    assert _divide_out(darkness, runs, 0.0, fine=1, ends=True)[:, 40:250].max() < 0.05


def test_light_trails_are_a_stains_ring_not_the_writing_nor_a_straight_line():
    from ocr.binarize import hysteresis, ink_darkness, light_trails, threshold_levels
    from ocr.synth import coffee_ring, render_page

    def ink(rgb):
        darkness = ink_darkness(rgb.mean(axis=2).astype(np.float32) / 255)
        return hysteresis(darkness, *threshold_levels(darkness)), darkness

    r = render_page(["I NEED TO CALL THE BANK", "PICK UP KIDS AT 3"], seed=1, height=40)
    cy, cx, radius = 0.6 * r.image.shape[0], 0.45 * r.image.shape[1], 100
    stained = coffee_ring(r.image, (cy, cx), radius)
    mask, darkness = ink(stained)
    trails = light_trails(mask, darkness, 40)
    assert trails is not None
    ys, xs = np.nonzero(trails)
    assert np.abs(np.hypot(ys - cy, xs - cx) - radius).max() < 6  # all on the ring
    on_ring = mask & (np.abs(np.hypot(*np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]] - np.array(
        [cy, cx])[:, None, None]) - radius) < 3)
    assert trails.sum() > 0.6 * on_ring.sum()  # most of it, bar where it crosses strokes
    clean, clean_darkness = ink(r.image)
    assert light_trails(clean, clean_darkness, 40) is None
    # a light straight line through the words is a rule, left to the rules' removal
    ruled = r.image.copy()
    ruled[60:62] = (ruled[60:62] * 0.8).astype(np.uint8)
    mask, darkness = ink(ruled)
    assert light_trails(mask, darkness, 40) is None


def test_a_word_as_light_as_its_neighbours_is_no_trail_though_lighter_than_the_page():
    """Under a reflection's veil whole words are lighter than half the page's writing;
    one of them touching a darker letter at the veil's edge was taken for a trail
    (``THEY`` lost its ``THE``). It is as light as the writing around it."""
    from ocr.binarize import light_trails

    def page(neighbours):
        darkness = np.zeros((300, 700), np.float32)
        for k in range(10):
            darkness[20:60, 20 + 30 * k : 24 + 30 * k] = 0.8  # the page's writing, far above
        for x in (330, 360, 560, 590, 620, 650):
            darkness[200:240, x : x + 4] = neighbours  # the writing beside the word
        for x in range(400, 530):  # a word joined up, touching a darker letter
            y = 200 + int(38 * abs(((x - 400) / 30) % 2 - 1))
            darkness[y : y + 3, x] = 0.3
        darkness[195:245, 530:534] = 0.8
        return darkness > 0, darkness

    assert light_trails(*page(0.3), 40) is None  # under the veil with its neighbours
    assert light_trails(*page(0.8), 40) is not None  # among dark writing: a trail


def test_a_ragged_sheet_edge_with_darker_dashes_is_no_trail():
    """A desk photo's sheet edge, found in light ragged pieces with darker dashes along
    them, bends as much as an arc of a ring; cut up, its pieces were read (``18`` ->
    ``19``, a ``1`` ending a line). A trail touches darker ink a letter tall."""
    from ocr.binarize import light_trails

    rng = np.random.default_rng(0)
    darkness = np.zeros((300, 700), np.float32)
    for k in range(12):
        darkness[150:190, 100 + 40 * k : 104 + 40 * k] = 0.8  # the writing
    for x in range(100, 400):  # the edge: light, ragged, with darker dashes in it
        y = 100 + int(8 * np.sin(x / 25)) + int(rng.integers(0, 3))
        darkness[y : y + 3, x] = 0.8 if x % 60 < 4 else 0.3
    mask = darkness > 0
    assert light_trails(mask, darkness, 40) is None
    tall = darkness.copy()
    tall[90:130, 150:154] = 0.8  # a letter's stem on it: the edge is then a trail
    assert light_trails(tall > 0, tall, 40) is not None


def test_a_ring_through_the_writing_is_taken_off_and_the_strokes_crossing_it_kept():
    from ocr.binarize import rings
    from ocr.segment import components

    mask = np.zeros((400, 700), bool)
    for row in (60, 160, 260):
        for k in range(12):
            mask[row : row + 40, 30 + 55 * k : 34 + 55 * k] = True  # letters: upright bars
    yy, xx = np.mgrid[0:400, 0:700]
    mask |= np.abs(np.hypot(yy - 190, xx - 320) - 110) <= 1.5  # a ring through them
    labelled = components(mask)
    ring = rings(labelled, 40)
    assert ring is not None
    ys, xs = np.nonzero(ring)
    assert np.abs(np.hypot(ys - 190, xs - 320) - 110).max() <= 3.5
    left = mask & ~ring
    _, boxes, _ = components(left)
    heights = boxes[:, 2] - boxes[:, 0]
    assert heights.max() <= 41  # no piece joins two lines any more
    # the bars crossing it stay whole (their crossing kept), but for the four it runs along
    assert np.count_nonzero(heights >= 38) == 32
    # stacked letters touching across lines, and a long underline, hold no ring
    stacked = np.zeros((400, 700), bool)
    for row in (60, 100, 140):
        stacked[row : row + 41, 30:34] = True
        stacked[row : row + 4, 30:60] = True
    stacked[250:253, 20:600] = True
    assert rings(components(stacked), 40) is None


def test_remove_page_lines_takes_the_net_and_keeps_the_strokes():
    from ocr.binarize import remove_page_lines

    mask = np.zeros((240, 320), bool)
    darkness = np.zeros(mask.shape, np.float32)
    mask[5::30, :] = True  # a net of lines 30 pixels apart, 0.3 dark
    mask[:, 7::30] = True
    darkness[mask] = 0.3
    mask[100:140, 150:154] = True  # a pen stroke crossing a line (row 125), 0.8 dark
    darkness[100:140, 150:154] = 0.8
    rest = remove_page_lines(mask, darkness, (0.15, 0.25))
    assert rest[100:140, 150:154].all()  # the whole stroke, its crossing included
    assert rest.sum() == 40 * 4  # and nothing of the net
    e = np.zeros((240, 320), bool)
    e[20:220, 40:60] = e[20:40, 40:280] = e[110:130, 40:280] = e[200:220, 40:280] = True
    assert remove_page_lines(e, np.where(e, 0.8, 0).astype(np.float32), (0.15, 0.25)) is e  # a big E stays


def test_lines_under_the_noise_looks_lower_for_a_net_a_few_times_and_stops():
    from ocr.binarize import MIN_CONTRAST, _paper_spread, lines_under_the_noise

    rng = np.random.default_rng(0)

    def looked_at(darkness):
        med, mad = _paper_spread(darkness[::2, ::2].ravel())
        noise = med + 6 * mad
        return lines_under_the_noise(darkness, (0.6 * noise, noise))  # the paper's spread set the seed level

    # a net 0.08 darker than paper whose darkness spreads as much (0 to 0.1): three
    # spreads over the paper stand over it, a search lower finds it
    darkness = rng.uniform(0.0, 0.1, (240, 320)).astype(np.float32)
    darkness[5::12, :] += 0.08
    darkness[:, 7::12] += 0.08
    darkness[100:140, 150:153] = 0.35  # a pencil stroke, lighter than the seed level
    med, mad = _paper_spread(darkness[::2, ::2].ravel())
    with pytest.MonkeyPatch.context() as m:
        m.setattr("ocr.binarize.LINES_LOWER_SPREAD", 1.0)  # one search only
        assert looked_at(darkness) is None
    found = looked_at(darkness)
    assert found is not None and found[0][100:140, 150:153].all()
    assert found[1].levels[1] < 0.85 * (med + 6 * mad)  # read at the clean page's own levels
    # paper whose darkness stands over the search's floor everywhere: the search ends
    plain = (0.12 + rng.normal(0, 0.002, (240, 320))).astype(np.float32)
    assert _paper_spread(plain.ravel())[0] > 0.75 * MIN_CONTRAST
    assert looked_at(plain) is None


def test_remove_page_lines_takes_a_small_net_within_the_image():
    """A small sheet of squared paper turned in its cut-out: its lines down run 120
    pixels, under half the image's shorter side (150), but from its first line across
    to its last. They go too, and the strokes crossing them stay."""
    from ocr.binarize import remove_page_lines

    mask = np.zeros((300, 600), bool)
    darkness = np.zeros(mask.shape, np.float32)
    mask[80:201:30, 40:560] = True  # five lines across, 520 long
    mask[80:201, 40:561:30] = True  # lines down, 120 long
    darkness[mask] = 0.3
    strokes = np.zeros_like(mask)
    strokes[95:130, 85:89] = strokes[150:154, 120:175] = True  # crossing a line across; a line down
    mask |= strokes
    darkness[strokes] = 0.8
    rest = remove_page_lines(mask, darkness, (0.15, 0.25))
    assert rest[strokes].all()
    assert not (rest & ~strokes).any()


def test_what_dividing_out_lines_left_of_them_goes():
    """Pieces lying on the page lines that are much lighter than the writing are
    remnants of the lines; a pen's stroke along a line, as dark as the writing, and
    a letter off the lines stay."""
    from ocr import kernels
    from ocr.binarize import _without_remnants

    runs = np.zeros((100, 200), bool)
    runs[:, 50:53] = runs[:, 150:153] = True
    clean = np.zeros(runs.shape, np.float32)
    mask = np.zeros_like(runs)
    mask[10:20, 50:53] = True  # a stub of a line, light
    clean[10:20, 50:53] = 0.06
    mask[40:70, 150:153] = True  # a pen's 1 written on a line
    clean[40:70, 150:153] = 0.5
    mask[40:70, 90:94] = mask[40:44, 90:110] = True  # a letter off the lines
    clean[40:70, 90:94] = clean[40:44, 90:110] = 0.5
    rest = _without_remnants(mask, *kernels.label(mask), clean, runs)
    assert not rest[10:20, 50:53].any()
    assert np.array_equal(rest, mask & ~((np.arange(100)[:, None] < 20) & (np.arange(200) < 60)))


def test_remove_page_lines_takes_rules_seen_over_part_of_the_page():
    """A faint ruling reaches the ink's threshold only where a shadow darkens it: a
    third of the way across. Its pieces still make ruled paper and go, and the
    strokes standing on them stay; three such pieces (underlines) are left alone."""
    from ocr.binarize import remove_page_lines

    mask = np.zeros((240, 400), bool)
    darkness = np.zeros(mask.shape, np.float32)
    for y in (40, 80, 120, 160, 200):
        mask[y:y + 3, 20:120] = True  # 100 pixels: under half the shorter side
    darkness[mask] = 0.3
    for x in (40, 70, 100):  # strokes standing on each rule, 0.8 dark
        for y in (40, 80, 120, 160, 200):
            mask[y - 30:y + 1, x:x + 4] = True
            darkness[y - 30:y + 1, x:x + 4] = 0.8
    rest = remove_page_lines(mask, darkness, (0.15, 0.25))
    strokes = darkness == np.float32(0.8)
    assert rest[strokes].all()
    assert (rest & ~strokes).sum(axis=1).max() < 16  # of the 100-pixel rules, a stub at most
    three = mask.copy()
    three[155:205] = False
    assert remove_page_lines(three, darkness, (0.15, 0.25)) is three


def pencil_on_squared_paper():
    """A net 0.3 dark with a pencil letter 0.2 dark (lighter than the net): an L whose
    upright runs along a line of the net for 24 pixels, and a stroke crossing one."""
    line = np.zeros((240, 320), np.float32)
    line[5::30, :] = line[:, 7::30] = 0.3
    pencil = np.zeros_like(line)
    pencil[128:152, 156:159] = 0.2  # along the line x = 157, between two crossings
    pencil[149:152, 156:200] = 0.2  # the L's foot, across the line x = 187
    pencil[20:60, 250:253] = 0.2  # across the line y = 35
    darkness = 1 - (1 - line) * (1 - pencil)  # transmittances multiply
    return darkness, pencil > 0


def test_remove_page_lines_keeps_pencil_on_the_lines():
    from ocr.binarize import remove_page_lines

    darkness, pencil = pencil_on_squared_paper()
    levels = (0.1, 0.15)
    mask = darkness > levels[0]
    rest = remove_page_lines(mask, darkness, levels)
    assert rest[pencil].all()  # the stroke along the line too
    assert not (rest & ~pencil).any()  # and nothing of the net


def test_a_bar_no_line_runs_through_is_no_page_line():
    """Four rules across a small page make it ruled paper; a T's bar as long as an
    eighth of the page, lighter than the writing and cut off from its stem (a thin
    bar on a form, written between two rules), lies in a row no line runs along:
    it stays, where it was taken for a stretch of a line and dropped as what
    dividing the lines out left of them."""
    from ocr.binarize import remove_page_lines

    darkness = np.zeros((240, 320), np.float32)
    darkness[40::60, :] = 0.3  # rules at rows 40, 100, 160, 220
    darkness[58:92, 60:64] = darkness[58:92, 100:104] = darkness[88:92, 60:90] = 0.5  # writing: an L, a stem
    bar = (slice(118, 120), slice(140, 180))  # 40 px: longer than 240 / 8
    darkness[bar] = 0.2
    darkness[122:155, 158:162] = 0.5  # the T's stem, two pixels under its bar
    levels = (0.1, 0.15)
    rest, lines = remove_page_lines(darkness > levels[0], darkness, levels, return_lines=True)
    assert lines is not None and not rest[40].any() and not rest[100].any()  # the rules go
    assert not lines.runs[bar].any()
    assert rest[bar].all() and rest[122:155, 158:162].all() and rest[58:92, 60:64].all()


def test_a_net_whose_lines_down_were_not_followed_is_no_ruled_paper():
    """A net whose lines down bow (a sheet in perspective, or not flat): no one slope
    follows them, so only its lines across are found. Taken for ruled paper, the
    rules were divided out alone and the lines down left as stubs a square long,
    read as `I`s; beside two lines down a quarter of the page long they are now
    left, net and all. Ruled paper's rules are still found."""
    from ocr.binarize import remove_page_lines

    darkness = np.zeros((240, 320), np.float32)
    darkness[10::30, :] = 0.3
    ruled = darkness > 0.1
    rest, lines = remove_page_lines(ruled, darkness, (0.1, 0.15), return_lines=True)
    assert lines is not None and not rest.any()
    ys = np.arange(240)
    for x0 in range(20, 320, 30):  # lines down bowed by 8 px
        xs = np.clip(np.round(x0 + 8 * np.sin(np.pi * ys / 240)).astype(int), 0, 319)
        darkness[ys, xs] = 0.3
    mask = darkness > 0.1
    assert remove_page_lines(mask, darkness, (0.1, 0.15)) is mask


def test_writing_lighter_than_squared_papers_lines_is_found():
    """A net 0.3 dark sets the page's levels (0.25, 0.35): a pencil letter 0.24 dark,
    lighter than the net, never seeds and is lost. With the net divided out the page's
    own levels find it, across the line it crosses too; a speck of the same pencil,
    and a faint halo round a dark letter, are not taken."""
    from ocr.binarize import faint_writing, remove_page_lines

    rng = np.random.default_rng(0)
    net = np.zeros((240, 320), np.float32)
    net[5::30, :] = net[:, 7::30] = 0.3
    ink = np.zeros_like(net)
    ink[59:101, 39:45] = 0.08  # the halo
    # a dark L, under twice the pencil's darkness: the divided page seeds at half its ink's
    # (at 0.5 the L passed only while its strokes, 30-40 px long, were taken for bits of lines)
    ink[60:100, 40:44] = ink[96:100, 40:70] = 0.45
    light = np.zeros(net.shape, bool)
    light[130:170, 150:154] = light[130:134, 150:180] = True  # crosses the line y = 155
    ink[light] = 0.24
    ink[200:204, 250:254] = 0.24  # a speck
    darkness = 1 - (1 - net) * (1 - ink) + rng.normal(0, 0.005, net.shape).astype(np.float32)
    levels = (0.25, 0.35)
    rest, lines = remove_page_lines(darkness > levels[0], darkness, levels, return_lines=True)
    assert lines is not None and rest[60:100, 40:44].all() and not rest[light].any()
    out = faint_writing(rest, lines, height=40.0)
    assert out[light].all()
    assert not out[200:204, 250:254].any() and not out[59:101, 39].any()
    assert np.count_nonzero(out & ~rest & ~light) <= 2
    # on a page whose levels the lines did not set, nothing changes
    same = faint_writing(rest, type(lines)(runs=lines.runs, clean=lines.clean, levels=(0.1, 0.15)), height=40.0)
    assert same is rest
    # much more faint writing than the writing found is none (lines or shading not
    # quite divided out): with only the L's foot found, nothing is added
    foot = np.zeros_like(rest)
    foot[96:100, 44:70] = True
    assert faint_writing(foot, lines, height=40.0) is foot


def test_a_pencil_lighter_than_the_lines_on_squared_paper_is_found_whole():
    """A net 0.3 dark sets the page's levels (seeds at 0.15); a pencil's letters are
    0.2 and 0.105 dark. With the net divided out the page's own levels stop at the
    floor (seeds at 0.12), over the light letters: bits of them were found, pieces
    that read as other letters. The writing found there is all weak, so the seeds go
    down as for a pencil on plain paper (:func:`ocr.binarize.weak_writing_levels`),
    and the light letters are found whole, with nothing of the net."""
    from ocr.binarize import faint_writing, remove_page_lines, threshold_levels, weak_writing_levels

    rng = np.random.default_rng(0)
    pencil = np.zeros((300, 400), np.float32)
    strokes = []
    for k in range(24):  # staggered, not lined up in columns as a net's lines are
        y, x = 30 + 90 * (k // 8), 20 + 48 * (k % 8) + 13 * (k // 8)
        pencil[y : y + 40, x : x + 4] = 0.2 if k % 2 else 0.105
        strokes.append((k % 2 == 0, slice(y, y + 40), slice(x, x + 4)))
    net = np.zeros_like(pencil)
    net[12::30, :] = net[:, 2::30] = 0.3
    darkness = (1 - (1 - net) * (1 - pencil) + rng.normal(0, 0.01, net.shape)).astype(np.float32)
    levels = threshold_levels(darkness)
    assert levels[1] > 0.14  # the net's
    rest, lines = remove_page_lines(darkness > levels[0], darkness, levels, return_lines=True)
    assert lines is not None
    assert threshold_levels(lines.clean)[1] == pytest.approx(0.12)  # the floor
    weak = weak_writing_levels(lines.clean, rest, threshold_levels(lines.clean))
    assert weak is not None and weak[1] < 0.105
    out = faint_writing(rest, lines, height=40.0)
    light = [(ys, xs) for is_light, ys, xs in strokes if is_light]
    assert sum(out[ys, xs].any(axis=1).sum() >= 38 for ys, xs in light) >= 10
    assert not out[pencil == 0].any()


def test_a_stroke_cut_where_it_crosses_a_line_is_joined_again():
    """A pencil leg cut by a line across it (3 pixels of gap) is one piece again; a
    stroke already whole beside the line gains nothing, nor do two letters standing
    on either side of a line down, nor pieces further apart than the reach."""
    from ocr.binarize import strokes_across_lines
    from ocr.kernels import label

    runs = np.zeros((80, 120), bool)
    runs[40, :] = runs[:, 60] = True
    mask = np.zeros_like(runs)
    mask[20:39, 20:23] = mask[42:60, 21:24] = True  # a leg cut by the line across
    mask[25:60, 40:43] = mask[38:40, 43:50] = True  # whole, a bar ending over the line
    mask[20:60, 55:59] = mask[20:60, 62:66] = True  # two letters either side of the line down
    mask[10:33, 90:93] = mask[48:70, 90:93] = True  # too far apart
    out = strokes_across_lines(mask, runs)
    assert label(out[:, :30])[1] == 1 and out[39:42, 21:23].all()
    assert not (out & ~mask)[:, 30:].any()
    right = mask[:, 30:].copy()
    assert strokes_across_lines(right, runs[:, 30:].copy()) is right


def test_divide_out_lines_up_to_where_they_stop():
    from ocr.binarize import divide_out_lines

    darkness = np.zeros((200, 400), np.float32)
    darkness[20::40, :300] = 0.3  # ruled lines ending at the sheet's edge, x = 300
    clean = divide_out_lines(darkness, darkness > 0, (0.0, None))
    assert clean[:, :290].max() < 0.01  # gone, up to their ends
    assert clean.max() < 0.1  # but for a stub there
    stroke = np.zeros_like(darkness)
    stroke[50:100, 200:203] = 0.6  # a stroke crossing the line y = 60
    darkness = 1 - (1 - darkness) * (1 - stroke)
    clean = divide_out_lines(darkness, darkness == np.float32(0.3), (0.0, None))
    assert np.allclose(clean[50:100, 200:203], 0.6)


def test_blank_page_has_no_ink():
    rng = np.random.default_rng(0)
    grey = np.clip(0.85 + 0.01 * rng.standard_normal((300, 300)), 0, 1).astype(np.float32)
    assert not binarize(grey).any()


def test_ink_found_under_uneven_light():
    yy, xx = np.mgrid[0:300, 0:600]
    light = (0.45 + 0.5 * xx / 600).astype(np.float32)  # dark left, bright right
    page = page_with_bars([(100, 50, 160, 58), (100, 500, 160, 508)], shape=(300, 600), ink=0.3, paper=1.0)
    grey = page * light
    mask = binarize(grey)
    assert mask[130, 54] and mask[130, 504]  # both strokes, in shade and in light
    assert mask.mean() < 0.02  # and little else


def _veiled(page, centre, radius, v=0.75):
    """`page` under a round veil of light (glare): ``a (1 - v) + v`` at its centre."""
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    r2 = ((yy - centre[0]) ** 2 + (xx - centre[1]) ** 2) / radius**2
    veil = (v * np.exp(-r2)).astype(np.float32)
    return page * (1 - veil) + veil


def test_veil_of_light_over_writing_is_lifted():
    # Rows of strokes across a page, a glare washing out the middle ones (their
    # darkness falls to a fifth): with `veil` it comes back near the others'.
    bars = [(y, x, y + 40, x + 4) for y in (60, 160, 260) for x in range(20, 880, 40)]
    page = page_with_bars(bars, shape=(380, 900), ink=0.15, paper=0.8)
    grey = _veiled(page, (180, 450), 130)
    plain, lifted = ink_darkness(grey), ink_darkness(grey, veil=32)
    far, under = (80, 22), (180, 462)
    assert plain[under] < 0.25 * plain[far]  # washed out
    assert lifted[under] > 0.6 * plain[far]  # restored
    assert lifted[far] == pytest.approx(plain[far])  # the rest as it was
    assert lifted[130, 450] < 0.03 and lifted[230, 450] < 0.03  # the paper between them stays paper
    assert plain[under] < threshold_levels(plain)[1] and lifted[under] > threshold_levels(lifted)[1]  # seeds ink


def test_without_rule_remnants_drops_what_a_line_left_but_not_a_letters_bar():
    """Of the ink by a line taken out (a sheet's rim), a piece lying along it far from
    any other ink goes (a rim's corner and its stubs); a letter's bar lying as close to
    it, and the letter whose bar it is, stay."""
    from ocr.binarize import without_rule_remnants

    H = 40
    mask = np.zeros((200, 400), bool)
    rules = np.zeros_like(mask)
    rules[150:153, 20:380] = True  # the line taken out along row 150
    rules[20:153, 377:380] = True  # ... and up the right side
    mask[146:149, 330:376] = True  # the rim's corner: along the line and up the side
    mask[100:149, 373:376] = True
    mask[154:157, 60:64] = True  # a stub under the line
    mask[100:145, 100:104] = True  # an L's stem ...
    mask[145:149, 100:130] = True  # ... and its bar, along the line
    mask[154:157, 200:226] = True  # a Z's bottom bar the line cut off, under its diagonal
    mask[110:148, 205:208] = True
    kept = without_rule_remnants(mask, rules, H)
    assert not kept[146:149, 330:376].any() and not kept[100:149, 373:376].any()
    assert not kept[154:157, 60:64].any()
    assert (kept[100:149, 100:130] == mask[100:149, 100:130]).all()
    assert kept[154:157, 200:226].all() and kept[110:148, 205:208].all()
    assert not without_rule_remnants(mask, rules, H, apart=0)[154:157, 200:226].any()
    assert without_rule_remnants(mask, np.zeros_like(mask), H) is mask


def test_veil_is_not_lifted_without_writing_or_without_a_veil():
    rng = np.random.default_rng(1)
    bars = [(60, x, 100, x + 4) for x in range(20, 300, 40)]
    page = page_with_bars(bars, shape=(260, 620), ink=0.15, paper=0.8)
    page += 0.004 * rng.standard_normal(page.shape).astype(np.float32)
    # a glare over blank paper: its noise is not raised into ink
    grey = _veiled(page, (150, 480), 70)
    assert veil_gain(ink_darkness(grey), paper_background(grey), 32) is None
    assert not binarize(grey)[:, 380:].any()
    # brighter light without a veil (the ink as bright, in proportion): nothing to lift
    light = (0.85 + 0.3 * np.arange(620) / 620).astype(np.float32)[None, :]
    grey = np.clip(page_with_bars(bars + [(160, 500, 200, 504)], shape=(260, 620), ink=0.15, paper=0.8) * light, 0, 1)
    lifted, plain = ink_darkness(grey, veil=32), ink_darkness(grey)
    assert np.abs(lifted - plain)[plain > 0.3].max() < 0.05 * plain.max()
    # broad shading under the veil (no thin strokes) is not writing either
    shade = page_with_bars(bars + [(120, 440, 200, 540)], shape=(260, 620), ink=0.7, paper=0.8)
    grey = _veiled(shade, (160, 490), 70)
    lifted, plain = ink_darkness(grey, veil=32), ink_darkness(grey)
    assert lifted[160, 490] == pytest.approx(plain[160, 490], abs=1e-6)


def test_hard_shadow_edge_is_not_ink():
    # a shadow with a sharp edge (the phone's, a hand's) over half the page, strokes near it
    rng = np.random.default_rng(0)
    page = page_with_bars([(100, 270, 160, 276), (100, 320, 160, 326), (100, 50, 160, 56)],
                          shape=(300, 600), ink=0.3, paper=0.9)
    light = np.where(np.arange(600) < 300, 0.45, 1.0).astype(np.float32)[None, :]
    grey = np.clip(page * light + 0.01 * rng.standard_normal(page.shape), 0, 1).astype(np.float32)
    dark = ink_darkness(grey)
    assert dark[:, 280:296].max() < 0.2  # the paper in the shadow beside its edge stays paper
    mask = binarize(grey)
    assert mask[130, 273] and mask[130, 323] and mask[130, 53]  # the strokes on both sides
    assert mask[:, 279:317].sum() == 0 and mask.mean() < 0.02  # and nothing along the edge


def strokes_in_a_shadow(blur, slope, ink, shade, noise, top, seed=0):
    """Three strokes 4 px wide down a 300 x 420 page (rows `top` to ``300 - top``),
    across the edge of a hard shadow taking `shade` of the light, the edge through the
    page's middle at `slope`, blurred by `blur` pixels; Gaussian noise `noise`."""
    from PIL import ImageFilter

    H, W = 300, 420
    page = page_with_bars([(top, x - 2, H - top, x + 2) for x in (100, 200, 300)], shape=(H, W), ink=ink)
    yy, xx = np.mgrid[0:H, 0:W]
    edge = Image.fromarray(((yy - 150 > slope * (xx - 210)) * 255).astype(np.uint8))
    light = 1 - shade * np.asarray(edge.filter(ImageFilter.GaussianBlur(blur)), np.float32) / 255
    return np.clip(page * light + np.random.default_rng(seed).normal(0, noise, page.shape), 0, 1).astype(np.float32)


def test_a_stroke_crossing_a_shadows_edge_is_not_cut_there(monkeypatch):
    # Pencil strokes down a page across the edge of a hard shadow (45 % of the light,
    # the edge level or sloping, blurred by 1 or 2 pixels). The paper estimate's grey
    # closing, its min filter 2 pixels wider than its max, took the dark side's paper
    # for a band along the bright side of the edge, and the strokes were cut there.
    import ocr.binarize as B

    def whole_strokes(grey):
        mask = binarize(grey)
        labels = components(mask)[0]
        # nothing along the edge but the strokes: no rim of ink
        assert mask[130:170, 10:80].sum() == mask[130:170, 130:170].sum() == mask[130:170, 330:410].sum() == 0
        return sum(labels[80, x] != 0 and labels[80, x] == labels[220, x] for x in (100, 200, 300))

    pages = [strokes_in_a_shadow(blur, slope, ink=0.63, shade=0.55, noise=0.01, top=60)
             for blur in (1, 2) for slope in (0.0, 0.3, -0.3)]
    assert [whole_strokes(g) for g in pages] == [3] * 6
    monkeypatch.setattr(B, "STEP_FOLLOW", np.inf)  # the wider closing everywhere
    # (the paper taken along the edge mends those cuts too: not that, here)
    monkeypatch.setattr(B, "paper_along_the_edge", lambda paper, page, reach: paper)
    assert sum(whole_strokes(g) for g in pages) <= 6  # of 18 (5)


def test_a_faint_stroke_crossing_a_blurred_shadow_edge_is_whole(monkeypatch):
    # Faint strokes (pencil, 12 % darker than the paper) down a page across a hard
    # shadow's edge blurred over a dozen pixels, level, sloping or steep: across the
    # edge the light falls by up to 4 % a pixel, faster than the strokes are dark, and
    # the square closing took a stroke there for the paper just beside it on the
    # darker side, cutting it in two. Along the edge the paper is even.
    import ocr.binarize as B

    def whole_strokes(grey):
        mask = binarize(grey)
        labels = components(mask)[0]
        assert mask.mean() < 0.03  # the strokes (2.2 % of the page), no rim along the edge
        return sum(labels[60, x] != 0 and labels[60, x] == labels[240, x] for x in (100, 200, 300))

    pages = [strokes_in_a_shadow(5, slope, ink=0.79, shade=0.5, noise=0.008, top=40) for slope in (0.0, 0.4, -0.6)]
    assert [whole_strokes(g) for g in pages] == [3] * 3
    monkeypatch.setattr(B, "paper_along_the_edge", lambda paper, page, reach: paper)
    assert sum(whole_strokes(g) for g in pages) <= 3  # of 9 (3: the level edge's)


def test_no_darkness_at_the_corners_of_a_highlighted_word(monkeypatch):
    # A highlighter's rectangle is a sharp step of light on its four sides. At its
    # corners the paper's slope has no one direction, and a segment across it runs out
    # of the rectangle on both sides: the paper outside was taken for the paper inside,
    # a speck of "ink" at each corner. There the paper is not looked for along an edge.
    import ocr.binarize as B

    rng = np.random.default_rng(1)
    H, W = 240, 480
    page = page_with_bars([(100, x, 140, x + 4) for x in range(150, 330, 30)], shape=(H, W), ink=0.3)
    page[90:150, 130:350] *= 0.8  # the highlighter's band behind the word
    grey = np.clip(page + rng.normal(0, 0.01, page.shape), 0, 1).astype(np.float32)
    rim = np.zeros((H, W), bool)
    rim[80:160, 120:360] = True
    rim[95:145, 135:345] = False  # the band's rim, inside and out, corners included
    assert ink_darkness(grey)[rim].max() < 0.06
    assert not binarize(grey)[rim].any()
    monkeypatch.setattr(B, "ONE_WAY", 0.0)
    assert ink_darkness(grey)[rim].max() > 0.1


def test_no_line_of_darkness_in_the_shadow_beyond_its_edge():
    # A diagonal hard shadow (the phone's) over a blank page, the light falling a
    # little across it: in the shadow, the paper estimate passes from the edge's
    # closing to the smooth estimate somewhere; that must leave no band of darkness
    # (under faint pencil it was a line of ink parallel to the edge).
    from PIL import Image, ImageFilter

    H, W = 600, 900
    yy, xx = np.mgrid[0:H, 0:W]
    along = 0.6 * xx + yy - 0.6 * (0.6 * W + H)
    edge = Image.fromarray(((along > 0) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2))
    light = 1 - 0.5 * np.asarray(edge, np.float32) / 255
    rng = np.random.default_rng(0)
    grey = np.clip(0.85 * light * (1 - 0.08 * xx / W) + rng.normal(0, 0.01, (H, W)), 0, 1).astype(np.float32)
    dark = ink_darkness(grey)
    dist = along / np.hypot(0.6, 1)
    inside = (xx > 50) & (xx < W - 50) & (yy > 20) & (yy < H - 20)
    band = [float(dark[inside & (dist >= d) & (dist < d + 4)].mean()) for d in range(4, 100, 4)]
    assert max(band) - float(np.median(band)) < 0.01  # was 0.021, 56-60 px into the shadow


def test_no_band_of_darkness_at_the_foot_of_a_soft_shadow():
    # A soft shadow over the left of a blank page, the light rising in a ramp: where
    # the ramp meets the shadow the smoothed paper estimate is too bright, and the least
    # of the blocks around, taken from the flat shadow, left a band of darkness (under
    # a pencil's low thresholds, a column of "ink" that swallowed the letters it met).
    H, W = 500, 800
    rng = np.random.default_rng(0)
    light = 0.45 + 0.55 * np.clip((np.arange(W) / W - 0.25) / 0.4, 0, 1)
    grey = np.clip(0.85 * light[None, :] + rng.normal(0, 0.01, (H, W)), 0, 1).astype(np.float32)
    band = ink_darkness(grey)[:, 150:260].mean(axis=0)  # the foot is at x = 200
    assert band.max() < 0.035  # under the faintest ink there is (FAINT_CONTRAST)
    assert ink_darkness(grey, feet=False)[:, 150:260].mean(axis=0).max() > 0.05  # the old rule's band


def test_binarize_labels_are_the_masks_own_components():
    """binarize(..., labelled=True) skips a second labelling: its labels must be
    exactly what labelling the mask gives, faint unseeded strokes left out."""
    from ocr.kernels import label

    page = page_with_bars([(40, 30, 90, 36), (40, 80, 90, 86), (120, 30, 126, 200)], shape=(200, 260), ink=0.2)
    page[150:190, 100:104] = 0.93  # too faint to seed: not ink
    page[20:30, 20:240] = 0.6      # a grey band joining nothing
    mask, labels, n = binarize(page, labelled=True)
    ref, n_ref = label(mask)
    assert (mask == binarize(page)).all()
    assert n == n_ref >= 3 and (labels == ref).all()
    assert not mask[150:190, 100:104].any()


def test_faint_writing_is_read_and_faint_paper_is_not_ink():
    """Writing only 9-12 % darker than the paper (light pencil, washed-out photo)
    is below the usual ink contrast; the page is read at a lower floor because
    nearly all its ink is that faint. Paper with the same noise stays blank."""
    import ocr
    from ocr.synth import render_page

    r = render_page(["FAINT PENCIL", "NOTE 42"], seed=5, height=40, noise=1.0)
    g = r.image.mean(axis=2) / 255
    paper = np.percentile(g, 90)
    for k in (0.12, 0.16):
        faint = (paper - (paper - g) * k).astype(np.float32)
        assert ocr.read(faint).text == "FAINT PENCIL\nNOTE 42"
    rng = np.random.default_rng(2)
    yy, xx = np.mgrid[0:400, 0:600]
    blank = (0.8 + 0.05 * xx / 600 + 0.008 * rng.standard_normal((400, 600))).astype(np.float32)
    assert not binarize(blank).any()
    # a grey sheet (a rendered page) on a white one, with dark writing: the grey
    # band along the white is not faint ink
    from ocr.synth import touching_pair_page

    two = touching_pair_page("LM", seed=7)
    assert two.min() < 0.3 and (np.abs(two - 0.91) < 0.02).mean() > 0.3 and (two == 1).mean() > 0.2
    low, high = threshold_levels(ink_darkness(two, 0.5))
    assert high > 0.12 and low >= 0.6 * 0.12


def test_tighten_parts_strokes_that_only_a_faint_bridge_joins():
    """Ink grown from strong strokes down to 0.6 of the seed level joins two
    strokes through a bridge at 0.65 of it (blur between letters, a page line as
    dark as the writing); the letters' mask, grown down to 0.7, does not, and
    drops the stub of line the bridge leaves. Nothing outside the mask is ink."""
    from ocr.binarize import LETTER_LEVEL, hysteresis, tighten

    low, high = 0.3, 0.5
    d = np.zeros((60, 120), np.float32)
    d[10:50, 20:26] = d[5:50, 80:86] = 0.8    # two strokes
    d[30:32, 26:80] = 0.65 * high              # a faint bridge between them
    d[5:7, 86:118] = 0.65 * high               # a stub of line off the second
    loose, labels, n = hysteresis(d, low, high, labelled=True)
    assert n == 1 and loose[31, 50] and loose[6, 100]
    mask, labels, n = tighten(loose, d, low, high)
    assert LETTER_LEVEL * high > 0.65 * high
    assert n == 2 and labels[20, 22] != labels[20, 82]
    assert not mask[31, 50] and not mask[6, 100] and mask[10:50, 20:26].all()
    cut = loose.copy()
    cut[:, 80:86] = False  # a stroke removed (as page lines are) does not come back
    assert not tighten(cut, d, low, high)[0][:, 80:86].any()


def _light_bowl(yy, xx, cy, cx):
    """A D's bowl on a page's grid (`yy`, `xx`): an ellipse 50 px tall and 44 wide
    round (`cy`, `cx`), right of `cx` (the bowl) and in the 4 px left of it (its
    ends, which the stem stops short of)."""
    rim = np.abs(np.hypot((yy - cy) / 25.0, (xx - cx) / 22.0) - 1) < 0.1
    return rim & (xx >= cx), rim & (xx >= cx - 4) & (xx < cx)


def _ink_of(d, rng):
    """A darkness map `d` with a little noise, its hysteresis levels and the ink
    found at them, as find_ink finds it."""
    from ocr.binarize import hysteresis, threshold_levels, tighten

    d = d + rng.normal(0, 0.004, d.shape).astype(np.float32)
    low, high = threshold_levels(d)
    return d, low, high, tighten(hysteresis(d, low, high), d, low, high)[0]


def test_a_stroke_written_lighter_than_its_letter_is_joined_to_it():
    """A D whose bowl the pen drew at a third of its stem's darkness: the page's
    levels seed the stem only, and the bowl, parted from it by ink under the floor,
    is lost. It is followed from the stem and joined to it. As light and as joined,
    a rule ending at a letter (straight), a loop under it (below its rows), a
    little ring beside it (short) and, beside another letter, a smudge (no stroke)
    and a stroke lighter than any ink of the page (never as dark as the low level)
    are not taken."""
    from ocr.binarize import hysteresis, light_strokes, threshold_levels, tighten

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:150, 0:300]
    stem = (yy >= 30) & (yy < 80) & (xx >= 40) & (xx < 46)
    bowl, ends = _light_bowl(yy, xx, 55, 50)  # 4 px short of the stem at both ends
    rule = (yy >= 40) & (yy < 42) & (xx >= 2) & (xx < 40)
    scrawl = np.abs(np.hypot(yy - 100, xx - 28) - 16) < 1  # a loop under the letter
    speck = np.abs(np.hypot(yy - 63, xx - 30) - 4.5) < 1  # a little ring beside it
    smudge = np.hypot((yy - 55) / 12.0, (xx - 185) / 10.0) < 1  # beside another letter
    stem2 = (yy >= 30) & (yy < 80) & (xx >= 200) & (xx < 206)
    faint, ends2 = _light_bowl(yy, xx, 55, 210)
    d = np.zeros(yy.shape, np.float32)
    d[bowl | rule | scrawl | speck | smudge] = 0.13
    d[ends | ends2] = 0.05
    d[(yy >= 62) & (yy < 65) & (xx >= 34) & (xx < 40)] = 0.06  # faint ties to the stem
    d[(yy >= 80) & (yy < 90) & (xx >= 40) & (xx < 43)] = 0.06
    d[(yy >= 54) & (yy < 57) & (xx >= 194) & (xx < 200)] = 0.06
    d[faint] = 0.07
    d[stem | stem2] = 0.4
    d[30:80, 260:280] = 0.4  # more dark ink, so that the page's levels are the stems'
    d += rng.normal(0, 0.004, d.shape).astype(np.float32)
    low, high = threshold_levels(d)
    assert low < 0.13 < high
    mask, _, _ = tighten(hysteresis(d, low, high), d, low, high)
    assert mask[stem].all() and not mask[bowl].any()
    out = light_strokes(mask, d, 50.0, low)
    from ocr.kernels import box_max, label

    # the bowl, its blurred rim, and the rim of the stem where the two join
    joins = (box_max((bowl | ends).view(np.uint8), 9) > 0) | (box_max(stem.view(np.uint8), 5) > 0)
    assert out[bowl].mean() > 0.95 and not (out & ~mask & ~joins).any()
    labels, _ = label(out)
    assert len(np.unique(labels[stem | bowl])) == 1  # one letter
    # with no light stroke to add, the mask itself
    d[bowl] = 0.0
    assert light_strokes(mask, d, 50.0, low) is mask


def test_no_light_stroke_joins_two_lines():
    """A shadow's edge or a blot between two lines, followed down to the paper's noise,
    can bend as a stroke does and touch a letter of each line: the rows of what it
    joins then span more than a letter's height, and it is no stroke of either
    (a J above a T once became one tall glyph, and both letters were lost). The same
    light stroke beside one letter, a D's bowl, is still joined to it."""
    from ocr.binarize import light_strokes

    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:200, 0:300]
    upper = (yy >= 20) & (yy < 70) & (xx >= 40) & (xx < 46)  # a letter of the upper line
    lower = (yy >= 120) & (yy < 170) & (xx >= 40) & (xx < 46)  # one of the line under it
    # a curve from the upper letter's foot to the lower one's head, 4 px short of each
    arc = (np.abs(np.hypot((yy - 95) / 21.0, (xx - 43) / 16.0) - 1) < 0.1) & (xx >= 43) & (yy > 74) & (yy < 116)
    stem = (yy >= 70) & (yy < 120) & (xx >= 200) & (xx < 206)
    bowl, ends = _light_bowl(yy, xx, 95, 210)
    d = np.zeros(yy.shape, np.float32)
    d[arc | bowl] = 0.13
    d[ends] = 0.05
    d[(yy >= 70) & (yy < 75) & (xx >= 43) & (xx < 47)] = 0.05  # faint ties to the letters
    d[(yy >= 115) & (yy < 120) & (xx >= 43) & (xx < 47)] = 0.05
    d[upper | lower | stem] = 0.4
    d, low, _, mask = _ink_of(d, rng)
    assert not mask[arc].any() and not mask[bowl].any()
    out = light_strokes(mask, d, 50.0, low)
    assert out[bowl].mean() > 0.95
    assert not out[arc].any()


def test_no_light_stroke_by_the_photos_edge():
    """The shading along a photo's edge, or along the corners a turn added, can be as
    dark as a light stroke and bend as one does: a D's light bowl half a letter
    height from what is no photo is not joined; away from it, or from the image's
    own edge, it is."""
    from ocr.binarize import light_strokes

    rng = np.random.default_rng(2)
    yy, xx = np.mgrid[0:150, 0:300]
    stem = (yy >= 30) & (yy < 80) & (xx >= 40) & (xx < 46)
    bowl, ends = _light_bowl(yy, xx, 55, 50)
    d = np.zeros(yy.shape, np.float32)
    d[bowl] = 0.13
    d[ends] = 0.05
    d[stem] = 0.4
    d[30:80, 200:220] = 0.4
    d, low, _, mask = _ink_of(d, rng)
    assert not mask[bowl].any()
    assert light_strokes(mask, d, 50.0, low)[bowl].mean() > 0.95
    outside = xx >= 95  # the bowl's far side 21 px (0.42 letter heights) from it
    assert not light_strokes(mask, d, 50.0, low, outside=outside)[bowl].any()
    assert light_strokes(mask, d, 50.0, low, outside=xx >= 125)[bowl].mean() > 0.95
    # the image's own edge as near
    assert not light_strokes(mask[:, :95], d[:, :95], 50.0, low)[bowl[:, :95]].any()


def test_a_faint_page_line_crossing_between_two_letters_is_no_light_stroke():
    """Squared paper whose lines are as light as a light stroke and were not found
    (no page lines to exclude): between two letters, a line across and a broken
    line down cross, and that cross bends as a bowl does. The line across runs on
    along the page, so it is a page line, and neither it nor the cross is joined to
    the letters; a D's light bowl below it on the same page still is."""
    from ocr.binarize import light_strokes
    from ocr.kernels import box_max

    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:200, 0:420]  # the D clear of the image's edge
    stems = (((yy >= 30) & (yy < 80)) & (((xx >= 40) & (xx < 46)) | ((xx >= 100) & (xx < 106)))
             | (yy >= 90) & (yy < 140) & (xx >= 300) & (xx < 306))
    across = (yy >= 60) & (yy < 62)  # the whole width, through the letters
    down = (xx >= 70) & (xx < 72) & (yy >= 44) & (yy < 78)  # a piece of a line down, broken above and below
    bowl, ends = _light_bowl(yy, xx, 115, 310)
    d = np.zeros(yy.shape, np.float32)
    d[across | down] = 0.12
    d[bowl] = 0.13
    d[ends] = 0.05
    d[stems] = 0.4
    d[100:140, 200:220] = 0.4
    d, low, high, mask = _ink_of(d, rng)
    assert low < 0.12 < high  # the lines as dark as the bowl, above the low level
    assert not mask[(across | down) & ~stems].any() and not mask[bowl].any()
    out = light_strokes(mask, d, 50.0, low)
    assert out[bowl].mean() > 0.95  # the D's bowl, as on a plain page
    between = (xx >= 50) & (xx < 96)  # the cross, clear of the two letters' rims
    assert not (out & ~mask)[between].any()
    rim = (box_max((bowl | ends).view(np.uint8), 9) > 0) | (box_max((stems & (xx >= 300)).view(np.uint8), 5) > 0)
    assert not (out & ~mask & ~rim).any()  # nothing but the D's bowl


def test_threshold_levels_order():
    page = page_with_bars([(50, 50, 100, 60)])
    low, high = threshold_levels(ink_darkness(page))
    assert 0 < low < high < 1


def test_remove_rules_keeps_crossing_stroke():
    mask = np.zeros((100, 300), bool)
    mask[50:52, :] = True  # a ruled line
    mask[20:80, 100:104] = True  # a letter stroke crossing it
    out = remove_rules(mask, min_length=120)
    assert not out[50, 10] and not out[50, 250]  # the rule is gone
    assert out[20:80, 100:104].all()  # the stroke is whole, also where it crosses


def test_remove_slanted_rules_takes_a_turned_line_and_keeps_what_touches_or_crosses_it():
    from ocr.binarize import remove_slanted_rules

    H = 40
    mask = np.zeros((400, 200), bool)
    ys = np.arange(20, 390)
    xs = np.round(40 + (ys - 20) * np.tan(np.radians(3))).astype(int)  # a margin turned 3 degrees
    for dx in (0, 1):
        mask[ys, xs + dx] = True
    mask[78:90, :] = False  # where a crossing stroke was drawn wider, a break
    line = mask.copy()
    one = np.zeros_like(mask)
    one[200:240, 70:74] = one[236:240, 50:80] = True  # a 1 whose foot touches the margin
    bar = np.zeros_like(mask)
    bar[80:88, 20:100] = True  # a stroke across the margin
    out = remove_slanted_rules(mask | one | bar, 3.5 * H)
    assert out[one & ~line].all() and out[bar].all()  # (the 1 loses the pixels it shares with the line)
    assert not (out & line & ~bar & ~one).any()  # the line, the bit above the stroke too
    # a word's letters touching in a row are no line: WWWW written in one stroke
    word = np.zeros((100, 400), bool)
    xs = np.arange(20, 380)
    ys = np.round(50 + 20 * np.abs(((xs - 20) % 20) - 10) / 10 - 10).astype(int)
    for dy in (-1, 0, 1):
        word[ys + dy, xs] = True
    assert remove_slanted_rules(word, 3.5 * H) is word
    # nor is a broad band a thin line could be drawn through (a shadow's edge)
    band = np.zeros((300, 200), bool)
    for y in range(300):
        x = int(20 + y * np.tan(np.radians(12)))
        band[y, x : x + 24] = True
    assert remove_slanted_rules(band, 3.5 * H) is band


# ----------------------------------------------------------------------------- segment

def test_remove_frame_bars_takes_a_forms_boxes_and_keeps_the_letters():
    from ocr.binarize import remove_frame_bars

    H = 40
    # a row of three boxes 56 px tall, 50 wide, one letter's stem in each, the
    # middle letter's bar touching the box's side
    form = np.zeros((100, 200), bool)
    form[20:22, 20:172] = form[74:76, 20:172] = True  # its top and bottom rules
    for x in (20, 70, 120, 170):
        form[20:76, x : x + 2] = True  # the boxes' sides
    letters = np.zeros_like(form)
    for x in (44, 94, 144):
        letters[30:66, x : x + 4] = True
    letters[46:50, 94:120] = True  # reaches the side at x = 120
    out = remove_frame_bars(form | letters, H)
    assert not (out & form & ~letters)[:, 21:169].any(axis=0)[[0, 49, 99]].any()  # sides gone
    assert out[30:66, 44:48].all() and out[30:66, 144:148].all() and out[46:50, 94:117].all()  # (the pixel by the side goes with it)
    assert not out[20:22, 30:40].any()  # the rules too
    # the stems of a letter (an H) running from a rule to the next are no box's sides
    ruled = np.zeros((100, 200), bool)
    ruled[20:22, :] = ruled[74:76, :] = True
    h = np.zeros_like(ruled)
    h[22:74, 90:94] = h[22:74, 120:124] = h[46:50, 90:124] = True
    assert remove_frame_bars(h, H, rules=ruled) is h
    # nor, on squared paper (its upright lines among the rules), letters between its lines
    grid = ruled.copy()
    grid[:, 20:22] = grid[:, 180:182] = True
    hi = h.copy()
    hi[22:74, 160:164] = True  # H I
    assert remove_frame_bars(hi, H, rules=grid) is hi
    assert remove_frame_bars(hi, H, rules=ruled) is not hi  # (which only the squared paper keeps)
    # nor on squared paper turned 4 degrees, its upright lines stepping a pixel every 14 rows
    turned = ruled.copy()
    for y in range(100):
        turned[y, 20 + y // 14 : 22 + y // 14] = turned[y, 180 + y // 14 : 182 + y // 14] = True
    assert remove_frame_bars(hi, H, rules=turned) is hi


def test_remove_frame_bars_takes_a_lone_box_and_a_short_field():
    from ocr.binarize import remove_frame_bars

    H = 40
    page = np.zeros((100, 300), bool)
    # a lone box around a 1, and a field of two boxes narrower than two letter
    # heights, its print broken in two places; no rule runs on beyond them
    page[20:22, 20:56] = page[74:76, 20:56] = True
    page[20:76, 20:22] = page[20:76, 54:56] = True
    page[20:22, 100:172] = page[74:76, 100:172] = True
    page[20:22, 130:132] = page[74:76, 150:151] = False
    for x in (100, 135, 170):
        page[20:76, x : x + 2] = True
    letters = np.zeros_like(page)
    letters[30:66, 36:40] = letters[30:66, 115:119] = True  # a 1 and a stem
    letters[30:34, 145:160] = letters[30:66, 150:154] = True  # a T
    out = remove_frame_bars(page | letters, H)
    assert not (out & ~letters).any()  # no side or rule left
    assert out[30:66, 36:40].all() and out[30:66, 115:119].all() and out[30:34, 145:160].all()
    # a box whose letter is a little too wide for it, touching both its sides at a point
    wide = np.zeros((100, 120), bool)
    wide[20:22, 20:60] = wide[74:76, 20:60] = wide[20:76, 20:22] = wide[20:76, 58:60] = True
    four = np.zeros_like(wide)
    four[30:66, 44:48] = four[52:56, 22:58] = True  # a 4's stem and its bar from side to side
    out = remove_frame_bars(wide | four, H)
    assert not (out & wide & ~four).any() and out[30:66, 44:48].all()
    # two letters' stems whose serifs do not quite meet are no box (an I I)
    ii = np.zeros((100, 200), bool)
    ii[20:24, 60:84] = ii[72:76, 60:84] = ii[20:24, 90:114] = ii[72:76, 90:114] = True
    ii[20:76, 70:74] = ii[20:76, 100:104] = True
    assert remove_frame_bars(ii, H) is ii
    # nor is a squarish O (nothing between its sides) or B (its middle bar joined to them)
    o = np.zeros((100, 200), bool)
    o[30:33, 60:90] = o[63:66, 60:90] = o[30:66, 60:63] = o[30:66, 87:90] = True
    assert remove_frame_bars(o, 34) is o
    o[47:50, 60:80] = True
    assert remove_frame_bars(o, 34) is o


def _lone_box(shape=(100, 80)):
    """A lone printed box, 56 pixels tall and 36 wide, its lines 2 pixels thick."""
    box = np.zeros(shape, bool)
    box[20:22, 20:56] = box[74:76, 20:56] = box[20:76, 20:22] = box[20:76, 54:56] = True
    return box


def test_remove_frame_bars_takes_a_lone_box_with_its_print_broken_at_the_top():
    """A sixth of the box's top missing in its middle (a faint print): the rest of
    it, four fifths of the way between the sides, still joins them."""
    from ocr.binarize import remove_frame_bars

    box = _lone_box()
    box[20:22, 35:40] = False
    one = np.zeros_like(box)
    one[30:66, 36:40] = True
    out = remove_frame_bars(box | one, 40)
    assert not (out & ~one).any() and out[one].all()


def test_remove_frame_bars_takes_a_row_whose_end_sides_reach_into_its_corners():
    from ocr.binarize import remove_frame_bars

    H = 40
    # two fields on one line, their rules already taken as the page's (long) rules;
    # the second field stands 2 px higher than the first, and its end sides reach
    # 2 px further into its corners than the side between them
    rules = np.zeros((120, 260), bool)
    rules[42:44, 10:112] = rules[94:96, 10:112] = rules[40:42, 130:234] = rules[94:96, 130:234] = True
    sides = np.zeros_like(rules)
    for x in (10, 60, 110):
        sides[42:96, x : x + 2] = True
    sides[40:96, 180:182] = True
    sides[38:97, 130:132] = sides[38:97, 232:234] = True
    out = remove_frame_bars(sides, H, rules=rules)
    assert not out.any()


def test_remove_frame_bars_takes_a_field_whose_first_side_reaches_further_down():
    from ocr.binarize import remove_frame_bars

    H = 40
    # a field of two boxes, its rules taken as the page's; its first side runs 4 px
    # further down than the others (into a corner printed thicker)
    rules = np.zeros((120, 200), bool)
    rules[40:42, 20:122] = rules[94:96, 20:122] = True
    page = np.zeros_like(rules)
    page[42:98, 20:22] = True
    page[42:94, 70:72] = page[42:94, 120:122] = True
    letters = np.zeros_like(page)
    letters[52:86, 44:48] = letters[52:86, 94:98] = True  # a 1 in each box
    out = remove_frame_bars(page | letters, H, rules=rules)
    assert not (out & ~letters).any() and out[letters].all()


def test_remove_frame_bars_takes_the_slivers_a_rule_left_above_the_letters():
    from ocr.binarize import remove_frame_bars

    H = 40
    # a field of three boxes whose top rule was taken as the page's a pixel too thin:
    # a row of it is left over the middle box (shorter than two letters, clear of the sides)
    rules = np.zeros((120, 260), bool)
    rules[38:40, 20:172] = rules[94:96, 20:172] = True
    page = np.zeros_like(rules)
    page[40, 75:116] = True  # the sliver
    for x in (20, 70, 120, 170):
        page[40:94, x : x + 2] = True
    letters = np.zeros_like(page)
    letters[50:86, 44:48] = letters[50:86, 94:98] = True  # a 1 and a T
    letters[44:48, 130:162] = letters[44:86, 144:148] = True
    letters[40:86, 230:234] = True  # a 1 beside the field, its top on the rule's line
    out = remove_frame_bars(page | letters, H, rules=rules)
    assert not (out & ~letters).any() and out[letters].all()


def _dotted(shape=(160, 240), pitch=20.0, angle=0.0):
    """The darkness of dotted paper and of a letter's strokes over it (an H)."""
    from ocr.synth import dot_grid

    dots = dot_grid(shape, pitch, 2.0, 0.5, offset=(3.0, 4.0), angle=angle)
    strokes = np.zeros(shape, np.float32)
    strokes[40:100, 60:64] = strokes[40:100, 100:104] = strokes[68:72, 60:104] = 0.8
    return 1 - (1 - dots) * (1 - strokes), strokes > 0


@pytest.mark.parametrize("angle", [0.0, 4.0])
def test_without_dots_takes_a_dot_grid_and_keeps_the_strokes(angle):
    from ocr.binarize import find_dot_grid, without_dots

    darkness, strokes = _dotted(angle=angle)
    grid = find_dot_grid(darkness, components(darkness > 0.1))
    assert grid is not None and abs(grid.pitch - 20) < 0.5 and len(grid.free) > 60
    assert len(grid.hidden)  # dots under and beside the H's strokes
    clean = without_dots(darkness, grid)
    ink = clean > 0.2  # (the drawn dots' sharp rims leave a pixel at 0.14 by the strokes)
    assert not (ink & ~strokes)[3:-3, 3:-3].any()  # no dot left, free or touching the strokes
    assert ink[strokes].mean() > 0.97  # the strokes kept, over the dots too


def test_find_dot_grid_takes_no_dust_for_a_grid():
    from ocr.binarize import find_dot_grid

    rng = np.random.default_rng(0)
    darkness = np.zeros((160, 240), np.float32)
    for y, x in zip(rng.integers(3, 157, 100), rng.integers(3, 237, 100)):
        darkness[y - 2 : y + 2, x - 2 : x + 2] = 0.5  # specks strewn at random
    assert find_dot_grid(darkness, components(darkness > 0.1)) is None
    # nor a grid's dots as big as the gaps between them (a pattern, no dotted paper)
    big = np.zeros((160, 240), np.float32)
    for y in range(5, 150, 12):
        for x in range(5, 230, 12):
            big[y : y + 7, x : x + 7] = 0.5
    assert find_dot_grid(big, components(big > 0.1)) is None
    # the H alone on dotted paper is found
    assert find_dot_grid(_dotted()[0], components(_dotted()[0] > 0.1)) is not None


def test_components_boxes_and_areas():
    mask = np.zeros((20, 20), bool)
    mask[2:5, 3:9] = True
    mask[10:15, 10:12] = True
    _, boxes, areas = components(mask)
    assert sorted(map(tuple, boxes.tolist())) == [(2, 3, 5, 9), (10, 10, 15, 12)]
    assert sorted(areas.tolist()) == [10, 18]


def test_segment_drops_specks_merges_broken_letter():
    mask = np.zeros((120, 300), bool)
    mask[20:60, 20:24] = True  # letter 1: a bar
    mask[20:60, 60:64] = True  # letter 2: a stem...
    mask[14:17, 50:75] = True  # ...with its top bar detached above (a broken T)
    mask[20:60, 110:130] = True  # letter 3
    mask[90, 200] = True  # a speck
    glyphs, H = segment(mask)
    assert H == pytest.approx(40, abs=1)
    big = sorted((g for g in glyphs if not g.small), key=lambda g: g.box[1])
    assert [g.box for g in big] == [(20, 20, 60, 24), (14, 50, 60, 75), (20, 110, 60, 130)]
    assert big[1].mask.sum() == 40 * 4 + 3 * 25
    assert all(g.box != (90, 200, 91, 201) for g in glyphs)


def test_a_dash_above_a_stems_top_and_beside_it_joins_the_stem():
    """A ``j``'s dot or a ``J``'s bar written apart stands above the stem's top, beside
    it rather than over it: it stood as a line of its own (read ``1``), or took the
    words to its right into a line of its own. It joins the stem now; a dash a quarter
    of a letter height aside stays apart."""
    mask = np.zeros((120, 300), bool)
    mask[40:80, 40:44] = True  # a stem...
    mask[22:39, 44:48] = True  # ...with a dash above its top, just right of it
    mask[40:80, 120:124] = True  # a stem...
    mask[22:39, 134:138] = True  # ...with a dash 10 px to its right
    mask[40:80, 200:230] = True  # a letter
    glyphs, H = segment(mask)
    assert H == pytest.approx(40, abs=1)
    big = sorted((g.box for g in glyphs if not g.small), key=lambda b: b[1])
    assert big == [(22, 40, 80, 48), (40, 120, 80, 124), (22, 134, 39, 138), (40, 200, 80, 230)]


def _ellipse(mask, cy, cx, ry, rx):
    yy, xx = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]]
    mask |= ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1


def test_a_column_of_like_pieces_closer_than_lines_is_a_binding_and_not_one_letter():
    """A notebook's holes down the margin: ovals half a letter tall, 0.9 letter heights
    apart. Each two stood within a letter and a half, and the whole column was joined
    into one glyph, read ``I``; now no group of pieces is taller than 1.5 letters, and
    the column is taken for holes. Letters beginning lines are neither."""
    from ocr.segment import _merge_groups, binding_holes, components

    mask = np.zeros((400, 400), bool)
    for k in range(9):
        _ellipse(mask, 20 + 36 * k, 15, 11, 8)  # holes, one lost (k = 4)
    mask[20 + 36 * 4 - 12 : 20 + 36 * 4 + 12, :] = False
    for k, y in enumerate((40, 120, 200, 280, 360)):
        mask[y - 20 : y + 20, 60:64] = True  # letters starting lines 80 px apart: an I...
        mask[y - 20 : y - 16, 60 : 60 + 10 + 5 * k] = True  # ... each with a bar of its own
        mask[y - 20 : y + 20, 100 + 30 * k : 104 + 30 * k] = True
    labels, boxes, areas = components(mask)
    H = 40.0
    holes = binding_holes(labels, boxes, H, np.ones(len(boxes), bool))
    hole_rows = boxes[holes, 0]
    assert holes.sum() == 8 and (boxes[holes, 1] < 30).all() and len(set(hole_rows)) == 8
    group = _merge_groups(boxes, np.ones(len(boxes), bool), H)
    for g in set(group.tolist()):
        members = group == g
        assert boxes[members, 2].max() - boxes[members, 0].min() <= 1.5 * H
    # the same pieces at the pitch of lines of writing are no binding
    far = np.zeros((700, 100), bool)
    for k in range(6):
        _ellipse(far, 40 + 110 * k, 15, 11, 8)
    labels, boxes, _ = components(far)
    assert not binding_holes(labels, boxes, H, np.ones(len(boxes), bool)).any()


def test_letters_cut_by_the_photos_border_are_kept_in_their_line_and_nothing_else():
    """Pieces touching the border are dropped (a page edge, the desk, a shadow) unless
    they are letter-sized, touch it on one side, and stand in a line of letters: one
    that does not touch it, or three that do, not all alike (a last line whose feet
    are all cut; not a cloth's stripes)."""
    from ocr.segment import components, segment

    H = 40
    mask = np.zeros((300, 700), bool)
    for x in (60, 120, 180):  # a line whose first letters lose their feet at the bottom
        mask[268:300, x : x + 6] = True
        mask[268:272, x : x + 24] = True
    mask[262:294, 240:246] = True  # ... beside one that does not touch it
    mask[262:266, 240:264] = True
    for x, w in ((60, 24), (150, 16), (240, 30), (330, 24)):  # a whole line cut at the top, across word gaps
        mask[0:30, x : x + 6] = True
        mask[26:30, x : x + w] = True
    mask[120:160, 0:5] = True  # a lone piece at the left border: a page edge's scrap
    mask[60:250, 690:700] = True  # a page edge down the right
    mask[100:140, 400:406] = True  # a letter in the middle, to set the height
    mask[100:104, 400:424] = True
    mask[100:140, 440:446] = True
    labels, boxes, areas = components(mask)
    glyphs, height = segment(mask, labelled=(labels, boxes, areas))
    assert abs(height - H) <= 10
    xs = sorted((g.box[0] == 0, g.box[1]) for g in glyphs)
    # kept: the bottom line's four, the top line's four and the two in the middle
    assert [x for top, x in xs if not top and x < 300 and any(g.box[2] > 250 for g in glyphs if g.box[1] == x)] == [
        60, 120, 180, 240]
    assert [x for top, x in xs if top] == [60, 150, 240, 330]
    assert not [g for g in glyphs if g.box[1] == 0 or g.box[3] == 700]
    # three in a row are a line; two alone with no letter beside them are not
    two = np.zeros((300, 700), bool)
    two[0:30, 60:66] = two[0:30, 160:166] = True
    two[100:140, 400:406] = two[100:140, 440:446] = two[100:140, 480:486] = True
    glyphs, _ = segment(two)
    assert not [g for g in glyphs if g.box[0] == 0]
    # a list's number written taller than the letters (1.8 heights), cut lengthwise
    # by the left border, stays
    listed = np.zeros((300, 700), bool)
    listed[100:172, 0:8] = True
    for x in (80, 120, 160, 200):
        listed[120:160, x : x + 6] = listed[120:124, x : x + 24] = True
    glyphs, _ = segment(listed)
    assert [g.box for g in glyphs if g.box[1] == 0] == [(100, 0, 172, 8)]
    # nor are many all alike: a cloth's stripes
    stripes = np.zeros((300, 700), bool)
    for x in range(20, 680, 30):
        stripes[0:32, x : x + 14] = True
    stripes[100:140, 400:406] = stripes[100:140, 440:446] = stripes[100:140, 480:486] = True
    glyphs, _ = segment(stripes)
    assert not [g for g in glyphs if g.box[0] == 0]


def test_a_ring_drawn_round_a_word_is_taken_off_but_an_o_is_not():
    from ocr.segment import components, enclosures

    mask = np.zeros((200, 600), bool)
    yy, xx = np.mgrid[0:200, 0:600]
    for k in range(3):
        mask[80:120, 100 + 30 * k : 104 + 30 * k] = True  # a word of three bars...
    stub = np.zeros_like(mask)
    stub[100:102, 160:184] = True  # ... the last one touching...
    mask |= stub
    ring = np.abs(np.hypot(yy - 100, xx - 135) - 50) <= 1.5  # ... the ring round it
    ring &= ~((xx > 160) & (yy < 58) & (yy > 55))  # its ends not quite meeting
    mask |= ring
    mask |= np.abs(np.hypot(yy - 100, xx - 300) - 18) <= 2  # an O
    mask |= np.abs(np.hypot((yy - 100) / 30, (xx - 450) / 22) - 1) * 22 <= 2  # a dotted 0...
    mask[98:102, 448:452] = True  # ... whose dot is no letter
    lines = enclosures(components(mask), 40)
    assert lines is not None
    assert not (lines & ~ring & ~stub).any()  # nothing but the ring (and the stroke joining it)
    assert (lines & ring).sum() > 0.9 * ring.sum()
    left = mask & ~lines
    _, boxes, _ = components(left)
    tall = boxes[boxes[:, 2] - boxes[:, 0] >= 36]
    assert sorted(tall[:, 1].tolist()) == [100, 130, 160, 280, 426]  # the bars, the O, the 0


def test_a_title_letter_keeps_its_detached_bar():
    # a line of 40 px letters, and a title E 64 px tall whose middle bar does not
    # touch its stem: the bar is still part of the letter
    mask = np.zeros((300, 600), bool)
    for k in range(8):
        mask[200:240, 20 + 40 * k : 44 + 40 * k] = True
    mask[20:84, 20:26] = True  # stem
    mask[20:26, 20:60] = True  # top bar
    mask[78:84, 20:60] = True  # bottom bar
    mask[49:55, 32:56] = True  # middle bar, 6 px from the stem
    glyphs, H = segment(mask)
    assert H == pytest.approx(40, abs=1)
    title = [g for g in glyphs if g.box[0] < 100]
    assert len(title) == 1 and title[0].box == (20, 20, 84, 60) and not title[0].small


def _letters(mask, ys, n, x0=20):
    """Draw `n` letters 40 px tall, 50 px apart from `x0`, on each line whose top is in
    `ys`: a bar with a cross stroke."""
    for y in ys:
        for k in range(n):
            mask[y : y + 40, x0 + 50 * k : x0 + 50 * k + 4] = True
            mask[y + 18 : y + 22, x0 + 50 * k : x0 + 50 * k + 24] = True


def test_letters_of_cramped_lines_touching_are_cut_apart():
    # two lines 50 px apart (letters 40 px): the third letter of the upper line
    # reaches down and touches the letter under it
    mask = np.zeros((200, 400), bool)
    _letters(mask, (20, 70), 6)
    mask[58:72, 121:123] = True  # the contact: a tail from above into the letter below
    glyphs, H = segment(mask)
    assert H == pytest.approx(40, abs=1)
    assert sum(not g.small for g in glyphs) == 11  # the two touching letters are one glyph
    parts = split_stacked(glyphs, H)
    cut = sorted(g.box for g in parts if 115 <= g.box[1] <= 125)
    assert [(y0, y1) for y0, _, y1, _ in cut] == [(20, 65), (65, 110)]  # halfway down the contact
    assert sum(not g.small for g in parts) == 12
    lines = group_lines(parts, H)
    assert [len(line) for line in lines] == [6, 6]


def test_a_words_letters_all_touching_the_line_below_are_cut_apart():
    # two lines of ten letters 40 px tall, 50 px apart: the upper line's last six each
    # reach down into the letter under them. The stacks far from the letters left
    # whole have only stacks beside them until the nearer ones are cut
    mask = np.zeros((200, 560), bool)
    _letters(mask, (20, 70), 10)
    for k in range(4, 10):
        mask[58:72, 21 + 50 * k : 23 + 50 * k] = True  # the contacts
    labels, boxes, _ = components(mask)
    glyphs = [Glyph(box=tuple(int(v) for v in b), mask=labels[b[0] : b[2], b[1] : b[3]] == k + 1)
              for k, b in enumerate(boxes)]
    assert sum(g.height > 80 for g in glyphs) == 6
    parts = split_stacked(glyphs, 40)
    assert len(parts) == 20 and all(g.height <= 46 for g in parts)
    assert [len(line) for line in group_lines(parts, 40)] == [10, 10]


def _three_lines(column):
    """Three lines of letters 40 px tall, 52 px apart, right of a 144 px tall `column`
    of ink drawn by ``column(mask)``."""
    mask = np.zeros((200, 500), bool)
    _letters(mask, (20, 72, 124), 6, x0=100)
    column(mask)
    return mask


def test_list_numbers_of_cramped_lines_written_into_one_column_are_cut_apart():
    # three rings 40 px tall, one per line, each touching the next by a short stroke:
    # one piece 3.6 letter heights tall, which was dropped as no letter
    def rings(mask):
        yy, xx = np.mgrid[:200, :60]
        for y in (20, 72, 124):
            r = np.hypot((yy - y - 19.5) / 20, (xx - 31.5) / 12)
            mask[:, :60] |= (r <= 1) & (r >= 0.75)
        mask[58:74, 31:33] = True
        mask[110:126, 31:33] = True

    glyphs, H = segment(_three_lines(rings))
    assert H == pytest.approx(40, abs=1)
    column = sorted(g.box for g in glyphs if g.box[3] <= 60 and not g.small)
    assert len(column) == 3
    for (y0, _, y1, _), top in zip(column, (20, 72, 124)):  # each ring with at most the contact's half
        assert top - 8 <= y0 <= top and top + 40 <= y1 <= top + 48
    assert [len(line) for line in group_lines(glyphs, H)] == [7, 7, 7]


@pytest.mark.parametrize("wave", [0, 6])
def test_a_line_drawn_down_beside_cramped_lines_is_not_cut_into_letters(wave):
    # straight, or wavering 6 px either side (too much for a straight stroke)
    def line(mask):
        for y in range(20, 164):
            x = 30 + int(round(wave * np.sin(y / 9.0)))
            mask[y, x : x + 3] = True

    glyphs, H = segment(_three_lines(line))
    assert not [g for g in glyphs if g.box[3] <= 60]


def test_a_row_of_large_letters_is_not_cut():
    # a title of 80 px letters above 40 px text: large letters stand beside each other
    glyphs = [glyph(10, 30 + 60 * k, h=80, w=40) for k in range(5)]
    glyphs += [glyph(120, 30 + 35 * k) for k in range(8)]
    assert split_stacked(glyphs, 40) == glyphs


def test_strokes_a_skipping_pen_broke_are_joined_without_filling_holes():
    yy, xx = np.mgrid[0:60, 0:400]
    mask = np.zeros((60, 400), bool)
    for k in range(6):  # six O's, 40 px tall, strokes 4 px wide...
        cx = 30 + 60 * k
        mask |= np.abs(np.hypot((yy - 30) / 20, (xx - cx) / 16) - 1) < 0.1
        for dx in (-6, -5, 4, 5):  # ...each with two gaps across its top and its bottom
            mask[:, cx + dx] = False
    labelled = components(mask)
    assert len(labelled[1]) == 24  # two halves and two small arcs a letter
    joined, (labels, boxes, _) = join_broken_strokes(mask, labelled, 40)
    assert len(boxes) == 6  # one piece a letter again
    assert not (joined & ~mask)[20:40, 24:36].any()  # the first O's hole stays open
    # dust strewn over the page, away from the letters, is not joined to anything
    dusty = np.zeros((120, 400), bool)
    dusty[:60] = mask
    for x in range(3, 400, 12):
        dusty[85:92, x : x + 7] = True  # 34 specks under the line, two letters' pieces each
    labelled = components(dusty)
    assert join_broken_strokes(dusty, labelled, 40)[0] is dusty
    # an ordinary page (no pieces too small for letters) is left as it is
    whole = np.abs(np.hypot((yy - 30) / 20, (xx - 30) / 16) - 1) < 0.1
    whole[:, 20:22] = False  # one break, two big pieces
    out, lab = join_broken_strokes(whole, components(whole), 40)
    assert out is whole


def test_stroke_width_of_bars():
    glyphs = [Glyph(box=(0, 0, 120, w), mask=np.ones((120, w), bool)) for w in (5, 6, 7)]
    assert stroke_width(glyphs) == pytest.approx(6, abs=0.5)


def test_letter_height_ignores_small_pieces():
    boxes = np.array([[0, 0, 40, 20]] * 5 + [[0, 0, 4, 4]] * 20)
    areas = np.array([300] * 5 + [10] * 20)
    assert letter_height(boxes, areas) == pytest.approx(40)


def test_letter_height_not_set_by_bits_of_a_broken_rule():
    # 12 letters 40 px tall and 40 flat bits of a ruled line the threshold broke up
    # (3 px tall, 10-30 px long): the bits are the most pieces, the letters set the height
    boxes = np.array([[0, 0, 40, 28]] * 12 + [[0, 0, 3, 10 + k % 21] for k in range(40)])
    areas = np.array([300] * 12 + [30] * 40)
    assert letter_height(boxes, areas) == pytest.approx(40)
    # a page of dashes and nothing else still has a height
    assert letter_height(boxes[12:], areas[12:]) == 3


def test_letter_height_of_a_dusty_page():
    # 30 letters (40 px strokes in 30 x 40 boxes) and 80 specks of dust, 8 px filled
    # discs: the specks are the most pieces, but the letters set the height
    boxes = np.array([[0, 0, 40, 30]] * 30 + [[0, 0, 8, 8]] * 80)
    areas = np.array([300] * 30 + [50] * 80)
    assert letter_height(boxes, areas) == pytest.approx(40)
    # as many small pieces that are strokes (broken bits of letters), not dots: as before
    thin = np.array([[0, 0, 8, 2]] * 80)
    assert letter_height(np.concatenate([boxes[:30], thin]), np.array([300] * 30 + [14] * 80)) == 8


def test_segment_drops_the_specks_of_a_dusty_page():
    rng = np.random.default_rng(1)
    mask = np.zeros((400, 800), bool)
    for k in range(16):  # two lines of bar letters
        y, x = 60 + 160 * (k // 8), 30 + 90 * (k % 8)
        mask[y : y + 40, x : x + 5] = True
        mask[y : y + 5, x : x + 25] = True
    yy, xx = np.mgrid[0:7, 0:7]
    disc = (yy - 3) ** 2 + (xx - 3) ** 2 <= 9
    for y, x in zip(rng.integers(0, 390, 60), rng.integers(0, 790, 60)):  # 60 specks of dust
        mask[y : y + 7, x : x + 7] |= disc
    glyphs, H = segment(mask)
    assert H == pytest.approx(40, abs=2)
    assert sum(g.height < 10 for g in glyphs) == 0  # no speck is left, not even as a mark
    assert sum(not g.small for g in glyphs) >= 16
# ----------------------------------------------------------------------------- layout

def glyph(y0, x0, h=40, w=25, small=False):
    return Glyph(box=(y0, x0, y0 + h, x0 + w), mask=np.ones((h, w), bool), small=small)


def test_lines_follow_skew_and_order():
    # two lines; the first rises 4 px per letter (skewed), given shuffled
    line1 = [glyph(100 - 4 * k, 30 + 35 * k) for k in range(8)]
    line2 = [glyph(200, 30 + 35 * k) for k in range(5)]
    glyphs = line2[::-1] + line1
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [8, 5]
    assert [glyphs[i].box[1] for i in lines[0]] == sorted(g.box[1] for g in line1)


def test_a_letter_written_larger_stays_in_its_rising_line():
    """A line rising 7 px a letter over level lines, one letter of it written nearly
    twice as tall, standing on the line (its middle 26 px above the last two's). It
    began a line of its own with the letters after it (``EET`` over ``1 M``); its
    feet agree with its line's."""
    line = [glyph(100, 30), glyph(93, 90), glyph(54, 150, h=72), glyph(79, 210), glyph(72, 260)]
    below = [glyph(y, 30 + 35 * k) for y in (220, 310) for k in range(8)]
    lines = group_lines(line + below, 40)
    assert [len(line) for line in lines] == [5, 8, 8]
    assert lines[0] == [0, 1, 2, 3, 4]


def test_list_number_joins_its_curved_line():
    # a page curling up at its left: each line rises 6 px a letter for four letters,
    # then runs level; its list number, far to the left, sits where the line would
    # have been (24 px below its first letter)
    glyphs = []
    for y in (100, 220):
        glyphs.append(glyph(y + 24, 30))
        glyphs += [glyph(y - 6 * min(k, 3), 150 + 35 * k) for k in range(12)]
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [13, 13]
    assert [lines[0][0], lines[1][0]] == [0, 13]


def _two_columns(offset, slope=0.0, left_words=(4, 3, 5, 2, 4), right_words=(3, 5, 4)):
    """Letter boxes of two lists side by side, 40 px letters, lines 86 px apart: the
    left list's lines `left_words` letters long from x=30, the right list's from x=400
    (over 3 letter heights clear of the longest left line), its lines `offset` pixels
    lower; the page turned so that the lines rise `slope`. Returns the glyphs and how
    many of them the left list has."""
    def at(y, x):
        return glyph(int(round(y - slope * x)), int(round(x + slope * y)))

    left = [at(100 + 86 * r, 30 + 35 * k) for r, n in enumerate(left_words) for k in range(n)]
    right = [at(100 + offset + 86 * r, 400 + 35 * k) for r, n in enumerate(right_words) for k in range(n)]
    return left + right, len(left)


@pytest.mark.parametrize("offset, slope", [(43, 0.0), (30, 0.0), (-35, 0.0), (43, 0.05), (55, -0.05)])
def test_two_lists_side_by_side_are_read_one_after_the_other(offset, slope):
    """Two lists written beside each other, their lines not lining up: the right
    list's lines were chained onto the left list's (or read between them), mixing the
    lists. The left list is read first, then the right one."""
    glyphs, n_left = _two_columns(offset, slope)
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [4, 3, 5, 2, 4, 3, 5, 4]
    assert all(i < n_left for line in lines[:5] for i in line)


def test_a_line_over_the_right_list_above_all_of_the_left_one_is_read_first():
    """A title written over the right list, above every line of the left one (its
    middle right of the gap), comes before the left list, not after it."""
    glyphs, n_left = _two_columns(43)
    title = [glyph(10, 420 + 35 * k) for k in range(5)]
    lines = group_lines(glyphs + title, 40)
    assert [len(line) for line in lines] == [5, 4, 3, 5, 2, 4, 3, 5, 4]
    assert all(i >= len(glyphs) for i in lines[0])


def test_a_title_crossing_the_gap_is_left_out_but_not_two_lines_chained_across_it():
    """A title over the gap between two lists, and the lists' first lines at one
    height, chained into one line across the gap (the left one the longest line of
    its list). Left out with the title, that line widened the gap the most and was
    read as a heading, ``L1 R1``; now the title alone is read first, then each list."""
    left = [glyph(100 + 86 * r, 30 + 35 * k) for r, n in enumerate((8, 3, 5, 2, 4)) for k in range(n)]
    right = [glyph(100 + (0 if r == 0 else 43) + 86 * r, 450 + 35 * k)
             for r, n in enumerate((3, 5, 4, 4)) for k in range(n)]
    title = [glyph(10, 250 + 35 * k) for k in range(5)]
    glyphs = left + right + title
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [5, 8, 3, 5, 2, 4, 3, 5, 4, 4]
    assert all(i >= len(left) + len(right) for i in lines[0]) and all(i < len(left) for i in lines[1])


def test_lines_drifting_down_across_a_wide_word_gap_stay_whole():
    """The first two lines of a list drift down 5 px in 100 and go on past a word gap
    wider than the other lines are long: their last words stood 15 px (0.37 letter
    heights) under their lines' middles and were read as a second list. Beside the gap,
    they stand as high as the words before it."""
    def drifting(y0, xs):
        return [glyph(int(round(y0 + 0.05 * (x - 30))), x) for x in xs]

    left = [30 + 35 * k for k in range(10)]
    glyphs = []
    for y in (100, 190):
        glyphs += drifting(y, left + [445, 480, 515])
    for y in (280, 370, 460):
        glyphs += [glyph(y, x) for x in left]
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [13, 13, 10, 10, 10]


@pytest.mark.parametrize("offset", [0, 8, -10])
def test_lines_that_line_up_across_a_wide_gap_are_a_tables_rows(offset):
    """Items and their quantities far to the right (or two lists whose lines line up):
    each line read across, as before. (A quarter of a letter height up or down is
    still a row: two words of a turned photo's lines, 5-6 letter heights apart, were
    that far off the page's measured slope, and a tighter rule read them apart.)"""
    glyphs, _ = _two_columns(offset, right_words=(1, 2, 1, 3, 2))
    assert [len(line) for line in group_lines(glyphs, 40)] == [5, 5, 6, 5, 6]
    glyphs, _ = _two_columns(offset)
    assert [len(line) for line in group_lines(glyphs, 40)] == [7, 8, 9, 2, 4]


@pytest.mark.parametrize("offset", [0, 8])
def test_a_right_list_going_on_below_the_left_one_is_no_tables_rows(offset):
    """Two lists side by side on ruled paper line up until the left one ends: its lines
    were read across, as a table's rows, each joined to the right list's line beside
    it. A right list that goes on for two lines or more below the left one is read
    after it; one line more is still a table's row without its first cell."""
    glyphs, n_left = _two_columns(offset, left_words=(4, 3, 5), right_words=(3, 5, 4, 4, 2))
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [4, 3, 5, 3, 5, 4, 4, 2]
    assert all(i < n_left for line in lines[:3] for i in line)
    glyphs, _ = _two_columns(offset, left_words=(4, 3, 5), right_words=(3, 5, 4, 4))
    assert [len(line) for line in group_lines(glyphs, 40)] == [7, 8, 9, 4]


def test_a_lists_longest_line_chained_to_the_other_lists_first_is_no_title():
    """The right list starts a line lower, its first line beside the left list's
    second, the longest: the two were chained into one line across the gap, and with
    the left list's first line read as a title over both (left out, that line widens
    the gap the most), the right list lost its first line to the left one
    (``2 0 GYM OPF3 EXTRA 355``). A line left out that starts where the left list's
    lines start and goes on where the right list's start is no title."""
    left = [glyph(100 + 86 * r, 30 + 35 * k) for r, n in enumerate((3, 9, 4, 3, 4)) for k in range(n)]
    right = [glyph(186 + 96 * r, 400 + 35 * k) for r, n in enumerate((3, 5, 4, 4)) for k in range(n)]
    lines = group_lines(left + right, 40)  # (the right list's lines further apart: they drift off the left's)
    assert [len(line) for line in lines] == [3, 9, 4, 3, 4, 3, 5, 4, 4]
    assert all(i < len(left) for line in lines[:5] for i in line)


def test_a_lists_numbers_far_left_are_no_column():
    """A list's numbers far left of their items, written a little low (not within
    0.35 letter heights of the items' middles or feet), stay with their lines: a
    column needs lines of three glyphs on average (so does a curved line's number,
    ``test_list_number_joins_its_curved_line``)."""
    glyphs = []
    for r in range(4):
        glyphs.append(glyph(100 + 86 * r + 15, 30))  # written low
        glyphs += [glyph(100 + 86 * r, 150 + 35 * k) for k in range(5)]
    assert [len(line) for line in group_lines(glyphs, 40)] == [6, 6, 6, 6]


def test_a_table_of_many_columns_is_grouped_into_its_rows_without_cutting_each_side_again(monkeypatch):
    """Six rows of a table of twelve columns, a gap of 2.5 letter heights between them:
    its rows line up, so it is no two columns of writing, whatever the gap. Each side of
    a cut tried was looked at for columns of its own before the cut was refused, and
    each side of theirs: 4,275 groupings of lines for this table, and a photo of squared
    paper, its net in thousands of scraps, was read for over a quarter of an hour. A
    side is looked at for columns only once its cut is taken."""
    import ocr.layout as layout

    glyphs = [glyph(100 + 80 * r, 30 + c * 190 + 35 * k) for r in range(6) for c in range(12) for k in range(3)]
    calls = []
    grouped = layout.group_lines
    monkeypatch.setattr(layout, "group_lines", lambda *a, **k: calls.append(1) or grouped(*a, **k))
    lines = layout.group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [36] * 6
    assert len(calls) <= 2 + 2 * 12  # the table's own, and each side of each gap once at most


def test_a_wide_word_gap_beside_a_speck_or_scraps_of_a_sheets_edge_is_no_gutter():
    """A word 1.5 letter heights right of the line's others, and a speck under it:
    two "lines" right of the gap, one lining up with no line left of it. And scraps
    of a sheet's edge left of the writing, half a letter tall, not at its lines'
    heights. Neither is a column: the lines are read as before."""
    line = [glyph(100, 30 + 35 * k) for k in range(3)] + [glyph(100, 200 + 35 * k) for k in range(6)]
    glyphs = line + [glyph(186 + 86 * r, 30 + 35 * k) for r in range(2) for k in range(3)]
    glyphs.append(glyph(340, 240, h=18, w=28))  # a speck under the word
    assert [len(line) for line in group_lines(glyphs, 40)] == [9, 3, 3, 1]
    scraps = [glyph(152 + 86 * r, 5 + 30 * k, h=18, w=24) for r in range(2) for k in range(4)]
    glyphs, n_left = _two_columns(0)
    lines = group_lines(scraps + [replace(g, box=(g.box[0], g.box[1] + 200, g.box[2], g.box[3] + 200))
                                  for g in glyphs[:n_left]], 40)
    assert [len(line) for line in lines] == [4, 4, 3, 4, 5, 2, 4]


def test_a_letter_sized_scrap_above_a_long_lines_last_word_makes_no_column():
    """A line's last word beyond where the lines under it end, 1.75 letter heights
    past its other words, and a scrap of a hard shadow's edge above it, letter-sized
    (``p75/n038``): the scrap counted as a line of writing, the word's column had two
    lines, and the word was read after the lines below it. A lone letter over all of
    the left column's lines is no line of the right one: the first line stays whole."""
    first = [glyph(100, 30 + 35 * k) for k in range(10)] + [glyph(100, 440 + 35 * k) for k in range(5)]
    below = [glyph(y, 30 + 35 * k) for y in (186, 272) for k in range(8)]
    scrap = glyph(40, 500, h=34, w=66)
    lines = group_lines(first + below + [scrap], 40)
    assert [len(line) for line in lines] == [1, 15, 8, 8]
    assert sorted(lines[1]) == list(range(15))


def test_a_glyph_cut_into_six_pieces_may_join_the_stroke_beside_it():
    """A W whose last stroke stands apart, its body cut into six pieces: a run of
    seven pieces is offered as one letter, since it is two whole glyphs."""
    from ocr.segment import candidate_letters, union

    body, stroke = glyph(100, 0, w=50), glyph(100, 54, w=6)

    def pieces(k, g):
        if k == 1:
            return [g]
        return [Glyph(box=(100, x, 140, x + 8), mask=np.ones((40, 8), bool)) for x in range(0, 48, 8)]

    atoms, joins, spans, cands = candidate_letters([body, stroke], 40, pieces)
    assert len(atoms) == 7 and (0, 7) in spans
    assert cands[spans.index((0, 7))].box == union([body, stroke]).box
    far = glyph(100, 60, w=6)  # 10 px away: more than 0.15 letter heights
    assert (0, 7) not in candidate_letters([body, far], 40, pieces)[2]


def test_a_small_list_number_left_of_a_large_letter_joins_its_line():
    # "4 OF": the 4 written small, the O large and the F between; their feet stand on
    # one baseline (150), their middles 13-22 px apart, more than a line's middles may
    # differ: the feet say they are one line, not two
    glyphs = [glyph(128, 30, h=22, w=18), glyph(84, 110, h=66, w=40), glyph(102, 165, h=48)]
    glyphs += [glyph(250, x) for x in (30, 70, 110)]
    lines = group_lines(glyphs, 40)
    assert [sorted(line) for line in lines] == [[0, 1, 2], [3, 4, 5]]


def test_small_mark_joins_its_line():
    glyphs = [glyph(100, 30), glyph(130, 58, h=8, w=8, small=True), glyph(100, 90)]
    lines = group_lines(glyphs, 40)
    assert lines == [[0, 1, 2]]


def _comma(y0, x0, h=22, w=9):
    return Glyph(box=(y0, x0, y0 + h, x0 + w), mask=np.ones((h, w), bool))


def test_a_large_comma_under_its_line_joins_that_line():
    # "EGGS, MILK, JAM" and a line under it: the commas (0.55 letter heights) start at
    # the baseline (140) and hang under it, their centres 27 px under the letters'
    line1 = [glyph(100, x) for x in (0, 30, 60, 90, 160, 190, 220, 250, 320, 350, 380)]
    commas = [_comma(138, 118), _comma(136, 278)]
    line2 = [glyph(200, x) for x in (0, 30, 60)]
    glyphs = line1 + commas + line2
    lines = group_lines(glyphs, 40)
    assert [sorted(line) for line in lines] == [list(range(13)), [13, 14, 15]]


def test_a_large_comma_after_an_italic_word_joins_its_line():
    # the word's last letter leans right: its top overhangs the comma, which starts
    # 8 px left of the letter's box but right of where the letter meets the baseline
    lean = np.zeros((40, 30), bool)
    for y in range(40):
        x = round(22 * (39 - y) / 39)
        lean[y, x:x + 8] = True
    letters = [glyph(100, x) for x in (0, 40, 80)] + [Glyph(box=(100, 120, 140, 150), mask=lean)]
    after = [glyph(100, x) for x in (230, 270)]
    glyphs = letters + [_comma(138, 142)] + after
    lines = group_lines(glyphs, 40)
    assert [sorted(line) for line in lines] == [list(range(7))]


def test_small_letters_written_under_a_line_keep_their_own_line():
    # letters half as tall, written close under the line (their tops 8 px under its
    # baseline): a line of their own, not the line's punctuation
    line1 = [glyph(100, x) for x in (0, 30, 60, 90)]
    small = [glyph(148, x, h=20, w=12) for x in (10, 27, 44)]
    lines = group_lines(line1 + small, 40)
    assert [sorted(line) for line in lines] == [[0, 1, 2, 3], [4, 5, 6]]


def test_a_large_comma_is_a_mark_and_keeps_the_word_gap():
    from ocr.layout import find_marks

    # "EGGS, MILK": the comma 4 px after the S; the word gap is 60 px from the S, 47 from
    # the comma
    glyphs = [glyph(100, x) for x in (0, 30, 60, 90)] + [_comma(138, 119)] + [glyph(100, x) for x in (175, 205)]
    line = list(range(7))
    assert find_marks(glyphs, [line], 40) == {4}
    # a piece broken off under a letter is no mark: it stands under the letter
    broken = glyphs[:3] + [glyph(100, 90, h=20), _comma(126, 95, h=24)] + glyphs[5:]
    assert find_marks(broken, [line], 40) == set()
    marked = [replace(g, small=True) if i == 4 else g for i, g in enumerate(glyphs)]
    assert split_words(line, marked, 50.0, 40) == [[0, 1, 2, 3, 4], [5, 6]]


def test_a_letter_written_small_after_a_large_one_is_no_full_stop():
    """``3 GYM`` with the Y written half as tall again and the M small (0.6 letter
    heights, as wide as tall) on the baseline: all below the middle of the letters beside
    it, the M was taken for a full stop written large and left out (``3 GY``). A
    comma's stroke, as tall and thin, still is one."""
    from ocr.layout import find_marks

    glyphs = [glyph(100, 0), glyph(90, 35, h=60, w=35), glyph(122, 75, h=24, w=24)]
    assert find_marks(glyphs, [[0, 1, 2]], 40) == set()
    glyphs[2] = _comma(122, 75, h=24, w=9)
    assert find_marks(glyphs, [[0, 1, 2]], 40) == {2}


def test_a_stroke_over_a_dot_is_punctuation_but_a_t_written_high_over_dust_is_not():
    from ocr.layout import find_marks

    # a ! in a line of 40 px letters: its stroke ends 12 px over the baseline, its dot
    # under the stroke's end, on the baseline
    bar = Glyph(box=(100, 100, 128, 106), mask=np.ones((28, 6), bool))
    dot = Glyph(box=(133, 99, 140, 107), mask=np.ones((7, 8), bool), small=True)
    letters = [glyph(100, x) for x in (0, 30, 60)] + [glyph(100, x) for x in (140, 170)]
    assert find_marks(letters[:3] + [bar, dot] + letters[3:], [list(range(7))], 40) == {3}
    # a T written high, a speck of dust under its bar (dusty photo: OPQRSU for OPQRSTU)
    t = np.zeros((30, 36), bool)
    t[:5] = True
    t[:, 16:21] = True
    tee = Glyph(box=(98, 96, 128, 132), mask=t)
    speck = Glyph(box=(133, 124, 139, 130), mask=np.ones((6, 6), bool), small=True)
    assert find_marks(letters[:3] + [tee, speck] + letters[3:], [list(range(7))], 40) == set()
    # (nor is the bar itself when the speck is not under its end)
    off = Glyph(box=(133, 112, 139, 118), mask=np.ones((6, 6), bool), small=True)
    assert find_marks(letters[:3] + [bar, off] + letters[3:], [list(range(7))], 40) == set()


def test_a_floating_plus_is_a_mark_and_a_floating_small_letter_is_not():
    from PIL import Image, ImageDraw

    from ocr.layout import find_marks

    def drawn(strokes, h=22, w=20):
        im = Image.new("L", (w, h), 0)
        for xy in strokes:
            ImageDraw.Draw(im).line(xy, fill=255, width=3)
        return np.asarray(im) > 0

    # each floats in the middle of a line of 40 px letters (its top 9 px under
    # theirs, its bottom 9 px over their baseline); the letters (a 7 crossed too)
    # are left to the classifier
    shapes = {
        "+": drawn([[(1, 11), (18, 11)], [(10, 1), (10, 20)]]),
        "+ leaning": drawn([[(1, 13), (18, 9)], [(8, 1), (12, 20)]]),
        "~": drawn([[(0, 8), (8, 3), (16, 8), (24, 3)]], h=12, w=26),
        "T": drawn([[(0, 1), (19, 1)], [(10, 1), (10, 21)]]),
        "H": drawn([[(1, 0), (1, 21)], [(18, 0), (18, 21)], [(1, 11), (18, 11)]]),
        "7": drawn([[(1, 1), (18, 1), (6, 21)], [(4, 11), (16, 11)]]),
        "M": drawn([[(1, 21), (1, 0), (10, 14), (18, 0), (18, 21)]]),
        "X": drawn([[(1, 0), (18, 21)], [(18, 0), (1, 21)]]),
    }
    for name, mask in shapes.items():
        h, w = mask.shape
        floating = Glyph(box=(120 - h // 2, 100, 120 - h // 2 + h, 100 + w), mask=mask)
        glyphs = [glyph(100, x) for x in (0, 30, 60)] + [floating] + [glyph(100, x) for x in (140, 170)]
        marks, floats = find_marks(glyphs, [list(range(6))], 40, return_floating=True)
        expected = "+~".count(name[0])
        assert (marks, floats) == (({3}, set()) if expected else (set(), {3})), name
        assert find_marks(glyphs, [list(range(6))], 40) == marks


def test_a_mark_standing_apart_in_a_word_gap_takes_only_its_width_off_it():
    # "TEA + MILK" written with the + in the gap: 15 px after the A, 25 before the M,
    # each under the threshold (35), the gap less the + 40 px, over it
    plus = replace(glyph(110, 100, h=18, w=15), small=True)
    glyphs = [glyph(100, x) for x in (0, 30, 60)] + [plus] + [glyph(100, x) for x in (140, 170, 200, 230)]
    line = list(range(8))
    assert split_words(line, glyphs, 35.0, 40) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    # ink floating there that may be a letter written small keeps its width
    assert split_words(line, glyphs, 35.0, 40, floating={3}) == [line]
    # a mark 6 px from the letter before it is not apart: a letter's piece, a hyphen
    # (the gap less its width, 37 px, would be over the threshold)
    near = [replace(plus, box=(110, 91, 128, 106))] + [glyph(100, x) for x in (137, 167, 197, 227)]
    assert split_words(line, glyphs[:3] + near, 35.0, 40) == [line]


def test_words_cut_at_wide_gaps_only():
    xs = [0, 35, 70, 160, 195, 300]  # letter gaps 10, word gaps 65 and 80
    glyphs = [glyph(0, x) for x in xs]
    line = list(range(len(xs)))
    t = word_gap_threshold(gaps(line, glyphs, 40), 40)
    words = split_words(line, glyphs, t, 40)
    assert words == [[0, 1, 2], [3, 4], [5]]


def test_a_mark_after_a_word_gap_goes_with_the_nearer_word():
    """A full stop written a little apart ends the word before it; a dash or a
    letter's detached bar just before a word starts that word."""
    from ocr.segment import Glyph

    def mark(x):
        return Glyph(box=(15, x, 20, x + 6), mask=np.ones((5, 6), bool), small=True)

    letters = [glyph(0, x) for x in (0, 35, 160, 195)]  # two words, gap 100 between
    for x, want in ((104, [[0, 1, 4], [2, 3]]), (122, [[0, 1], [4, 2, 3]])):
        glyphs = letters + [mark(x)]
        line = [0, 1, 4, 2, 3]
        assert split_words(line, glyphs, 40.0, 40) == want


def test_a_marker_s_narrower_word_gaps_still_cut_words():
    # strokes of 0.25 letter heights: the ink eats 4 px more of every gap than a pen's
    xs = [0, 35, 70, 131, 166, 271]  # word gaps 36 (under 0.95 letter heights) and 80
    glyphs = [glyph(0, x) for x in xs]
    line = list(range(len(xs)))
    pen = word_gap_threshold(gaps(line, glyphs, 40), 40, stroke=6)
    marker = word_gap_threshold(gaps(line, glyphs, 40), 40, stroke=10)
    assert split_words(line, glyphs, pen, 40) == [[0, 1, 2, 3, 4], [5]]
    assert split_words(line, glyphs, marker, 40) == [[0, 1, 2], [3, 4], [5]]


def test_a_line_of_small_letters_has_its_words_cut_at_its_own_scale():
    # a page of 40 px letters; one line of 20 px letters with letter gaps 5, word gap 25
    glyphs = [glyph(0, x, h=20, w=12) for x in (0, 17, 34, 71, 88)]
    line = list(range(5))
    assert line_height(line, glyphs, 40) == 20
    assert line_height(line, [glyph(0, x, h=36) for x in range(5)], 40) == 40
    t = word_gap_threshold(gaps(line, glyphs, 40), 40)
    h = line_height(line, glyphs, 40)
    assert split_words(line, glyphs, t, 40) == [line]
    assert split_words(line, glyphs, t * h / 40, h) == [[0, 1, 2], [3, 4]]


def test_punctuation_gap_measured_by_its_ink():
    # "2. CHECK": a list number, its full stop, a word gap of 40 px to the next word
    dot = Glyph(box=(34, 30, 40, 36), mask=np.ones((6, 6), bool), small=True)
    glyphs = [glyph(0, 0), dot, glyph(0, 76), glyph(0, 111)]
    assert split_words([0, 1, 2, 3], glyphs, 38.0, 40) == [[0, 1], [2, 3]]


def test_narrow_word_gaps_found_between_two_groups_of_gaps():
    # tightly written: letter gaps 4-10 px, word gaps 28-34 px (0.7-0.85 letter heights)
    xs, x = [], 0
    for word in range(6):
        for k in range(4):
            xs.append(x)
            x += 25 + (4, 10, 7)[k % 3]
        x += 28 + 2 * word - (4, 10, 7)[3 % 3]
    glyphs = [glyph(0, x) for x in xs]
    line = list(range(len(xs)))
    g = gaps(line, glyphs, 40)
    low, high = two_groups(g)
    assert 5 < low < 9 and 27 < high < 35
    t = word_gap_threshold(g, 40)
    assert 16 <= t <= 22
    assert split_words(line, glyphs, t, 40) == [line[i : i + 4] for i in range(0, 24, 4)]


def test_one_group_of_gaps_is_not_cut_in_two():
    rng = np.random.default_rng(0)
    assert two_groups(rng.normal(20, 6, 60)) is None
    assert two_groups([5, 6, 7, 5, 6, 7, 30, 32]) == (6, 31)  # clearly apart, however few
    assert two_groups([5, 6, 7, 5, 6, 7, 6, 30]) is None  # one odd gap
    assert two_groups([5, 6, 7]) is None


def test_widely_spaced_letters_stay_one_word():
    # every gap about one letter height: spaced-out handwriting, one word
    glyphs = [glyph(0, 65 * k) for k in range(7)]
    line = list(range(7))
    t = word_gap_threshold(gaps(line, glyphs, 40), 40)
    assert split_words(line, glyphs, t, 40) == [line]


# ----------------------------------------------------------------------------- normalize

def italic_h(shear=-0.35, h=40):
    """An H whose uprights lean right by `shear` (dx/dy, y downwards)."""
    mask = np.zeros((h, 40), bool)
    for y in range(h):
        x = int(round(20 + shear * (y - h / 2)))
        mask[y, x - 12 : x - 8] = mask[y, x + 8 : x + 12] = True
    mask[h // 2 - 2 : h // 2 + 2, 10:30] = True
    return mask


def test_slant_measures_the_lean_and_shearing_removes_it():
    m = italic_h(-0.35)
    assert slant(m) == pytest.approx(-0.35, abs=0.05)
    assert abs(slant(np.fliplr(italic_h(0.0)))) < 0.02
    cols = np.flatnonzero(m.any(axis=0))
    m = m[:, cols[0] : cols[-1] + 1]  # cropped to its ink, as segment makes glyphs
    g = Glyph(box=(100, 50, 140, 50 + m.shape[1]), mask=m)
    up = shear_glyph(g, slant(m))
    assert abs(slant(up.mask)) < 0.03
    assert up.mask.sum() == m.sum()  # rows move, no ink is lost
    assert up.width < g.width
    # page coordinates: row y moves by 0.35 * y, so the box moves right as a whole
    assert up.box[0] == 100 and up.box[1] > 50 + 0.3 * 100
    # straightened, its classifier input is the upright letter's
    upright = normalize_glyph(italic_h(0.0))
    assert np.abs(normalize_glyph(up.mask) - upright).mean() < np.abs(normalize_glyph(m) - upright).mean() / 2
    back = shear_glyph(up, -slant(m))
    assert back.box == g.box and np.array_equal(back.mask, g.mask)


def test_page_slant_only_for_clear_italics():
    from ocr.pipeline import page_slant

    def page(shear):
        return [Glyph(box=(0, 45 * k, 40, 45 * k + 40), mask=italic_h(shear)) for k in range(8)]

    assert page_slant(page(0.0)) == 0.0
    assert page_slant(page(-0.08)) == 0.0  # a lean the classifier learned
    assert page_slant(page(-0.3)) == pytest.approx(-0.3, abs=0.05)
    assert page_slant(page(-0.3)[:3]) == 0.0  # too few letters to tell


def test_normalize_shape_range_and_centring():
    mask = np.zeros((100, 60), bool)
    mask[10:90, 28:32] = True  # a tall bar, off-centre in its crop
    out = normalize_glyph(mask)
    assert out.shape == (32, 32) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1 and out[0, 0] == 1.0
    ink = 1 - out
    ys, xs = np.nonzero(ink > 0.5)
    assert abs(xs.mean() - 15.5) < 1.5 and abs(ys.mean() - 15.5) < 1.5
    assert ys.max() - ys.min() >= 20  # scaled up to fill the frame


def test_normalize_stroke_width_is_fixed():
    thin = np.zeros((200, 200), bool)
    thin[20:180, 98:102] = True
    thick = np.zeros((200, 200), bool)
    thick[20:180, 80:120] = True
    a, b = 1 - normalize_glyph(thin), 1 - normalize_glyph(thick)
    assert abs(a.sum() - b.sum()) / a.sum() < 0.25


def test_normalize_empty_is_blank():
    assert (normalize_glyph(np.zeros((5, 5), bool)) == 1).all()


def test_remove_rules_tilted_rule():
    mask = np.zeros((100, 400), bool)
    for x in range(400):
        mask[60 - x // 80, x] = True  # a 1-px rule climbing one pixel every 80 columns
    mask[20:58, 200:204] = True  # a letter stroke standing on it
    out = remove_rules(mask, min_length=140)
    assert out[:, :150].sum() == 0 and out[:, 250:].sum() == 0
    assert out[20:56, 200:204].all()


def test_straight_lines_at_any_angle_are_not_letters():
    """A page edge or rule tilted too much for remove_rules (here 6 degrees) is
    dropped as a straight line; letters, and a word of touching letters, stay."""
    from ocr.segment import straight_stroke
    from ocr.synth import render_page

    page = render_page(["FOUR WORDS HERE", "AND TWO 1234"], seed=3, height=40, noise=0).image
    page = np.concatenate([page, np.repeat(page[-1:], 120, axis=0)])  # more paper below
    im = Image.fromarray(page)
    ImageDraw.Draw(im).line([(20, im.height - 12), (im.width - 20, im.height - 12 - 0.1 * im.width)],
                            fill=(60, 60, 60), width=3)
    lined = np.asarray(im.convert("L"), np.float32) / 255
    mask = binarize(lined)
    labels, boxes, areas = components(mask)
    lines = [k for k in range(len(boxes)) if (straight_stroke(labels, boxes[k], k + 1, 40) or (0,))[0] > 2]
    assert len(lines) >= 1
    glyphs, _ = segment(mask)
    assert max(g.box[3] - g.box[1] for g in glyphs) < 3 * 40  # no glyph is the long line
    import ocr

    assert ocr.read(lined).text.splitlines() == ["FOUR WORDS HERE", "AND TWO 1234"]  # not a "T" line
    # a blob of touching letters is long but not straight
    word = np.zeros((40, 200), bool)
    for x in range(0, 200, 40):
        word[:, x : x + 4] = True
        word[:4, x : x + 40] = True
    assert straight_stroke(word.astype(int), (0, 0, 40, 200), 1, 40) is None


def test_page_on_a_desk_gives_no_letters_from_its_edges():
    """A sheet photographed at 6 degrees on a dark desk: the sheet's edges (slivers
    along them, pieces at the photo's border) are not read as letters."""
    import ocr
    from ocr.synth import render_page

    for seed in (1, 3):
        r = render_page(["PAPER ON A DESK", "TURNED 6 DEGREES", "READ 123"], seed=seed, height=40, margin=0.6)
        im = Image.fromarray(r.image).rotate(6, resample=Image.BICUBIC, expand=True, fillcolor=(95, 75, 55))
        assert ocr.read(np.asarray(im)).text == r.text


def test_a_t_with_its_bar_broken_off_keeps_the_bar():
    """A flat bar is dropped only when nothing stands on it: a T whose bar is
    detached from its stem still reads as a T."""
    import ocr

    for gap in (0, 3):
        im = Image.new("L", (420, 160), 255)
        d = ImageDraw.Draw(im)
        d.line([(40, 50), (90, 50)], fill=0, width=4)  # T: the bar...
        d.line([(65, 52 + gap), (65, 100)], fill=0, width=4)  # ...and the stem, maybe apart
        d.line([(104, 50), (104, 100)], fill=0, width=4)  # E
        for y in (50, 75, 100):
            d.line([(104, y), (132, y)], fill=0, width=4)
        d.line([(146, 100), (162, 50), (178, 100)], fill=0, width=4)  # A
        d.line([(154, 80), (170, 80)], fill=0, width=4)
        assert ocr.read(np.asarray(im)).text == "TEA"


def test_a_letter_written_as_one_slanting_stroke_is_no_flat_bar():
    """A flat straight stroke longer than a letter is dropped when nothing stands on
    it (a dash, a bit of a page's edge), but a ``Y`` written as one long diagonal with
    a short branch, rising 40 degrees and as tall as the letters, is a letter."""
    def page(draw_it):
        im = Image.new("L", (420, 160), 255)
        d = ImageDraw.Draw(im)
        d.line([(40, 50), (90, 50)], fill=0, width=4)  # T
        d.line([(65, 50), (65, 100)], fill=0, width=4)
        d.line([(104, 50), (104, 100)], fill=0, width=4)  # E
        for y in (50, 75, 100):
            d.line([(104, y), (132, y)], fill=0, width=4)
        d.line([(146, 100), (162, 50), (178, 100)], fill=0, width=4)  # A
        d.line([(154, 80), (170, 80)], fill=0, width=4)
        draw_it(d)
        return np.asarray(im) < 128

    def y(d):  # the diagonal from the baseline up to the right, its branch to the left
        d.line([(196, 100), (256, 50)], fill=0, width=5)
        d.line([(224, 77), (214, 64)], fill=0, width=5)

    def dash(d):  # a dash (or a bit of a shadow's edge) rising 25 degrees
        d.line([(196, 84), (256, 56)], fill=0, width=4)

    glyphs, H = segment(page(y))
    assert 45 <= H <= 55
    assert len(glyphs) == 4
    assert [(g.box[0] // 10, g.box[2] // 10, g.small) for g in glyphs if g.box[1] > 190] == [(4, 10, False)]
    glyphs, _ = segment(page(dash))
    assert len(glyphs) == 3 and all(g.box[1] < 190 for g in glyphs)


def test_mark_kinds():
    from ocr.layout import mark_kind

    letters = [glyph(100, 30 * k) for k in range(4)]  # tops at 100, baseline at 140
    assert mark_kind(glyph(133, 130, h=7, w=6, small=True), letters, 40) == "."
    assert mark_kind(glyph(134, 130, h=16, w=6, small=True), letters, 40) == ","
    assert mark_kind(glyph(118, 130, h=3, w=12, small=True), letters, 40) == "-"
    assert mark_kind(glyph(98, 130, h=8, w=4, small=True), letters, 40) == "'"


def test_skew_estimated_and_steep_lines_kept_apart():
    from ocr.layout import estimate_skew

    slope = np.tan(np.radians(12))  # three lines, each rising 12 degrees
    glyphs = [glyph(int(100 + 60 * row - slope * 35 * k), 30 + 35 * k) for row in range(3) for k in range(10)]
    assert estimate_skew(glyphs, 40) == pytest.approx(-slope, abs=0.02)
    lines = group_lines(glyphs, 40)
    assert [len(line) for line in lines] == [10, 10, 10]
    assert lines[0] == list(range(10))


def test_divide_out_follows_turned_thin_lines_finely():
    import scipy.ndimage as ndi

    from ocr.binarize import _divide_out

    H, W, t = 240, 400, np.tan(np.radians(3))
    darkness = np.zeros((H, W), np.float32)
    for y0 in range(10, H, 30):  # thin lines turned 3 degrees, drawn between rows, blurred
        y = y0 + np.arange(W) * t
        i, f = np.floor(y).astype(int), (y - np.floor(y)).astype(np.float32)
        ok = i + 1 < H
        darkness[i[ok], np.arange(W)[ok]] += 0.6 * (1 - f[ok])
        darkness[i[ok] + 1, np.arange(W)[ok]] += 0.6 * f[ok]
    darkness = ndi.gaussian_filter(darkness, 1.0).astype(np.float32)  # lines 0.35 dark
    runs = darkness > 0.05
    inner = (slice(20, -20), slice(20, -20))
    # followed row by row, a line steps by a row every 1 / t pixels and leaves part of
    # itself there, as dark as a light pencil; three times finer, much less of it
    coarse = _divide_out(darkness, runs, t, fine=1)[inner]
    fine = _divide_out(darkness, runs, t, fine=3)[inner]
    assert coarse.max() > 0.08
    assert fine.max() < 0.06
    assert np.count_nonzero(fine > 0.04) < 0.5 * np.count_nonzero(coarse > 0.04)


def pencil_strokes(peak):
    """A page of 24 vertical strokes 40 px long whose darkness fades from `peak` at the
    top to a fifth of it at the bottom (a pencil's pressure), with paper noise."""
    rng = np.random.default_rng(0)
    darkness = np.clip(0.01 * rng.standard_normal((300, 400)), 0, 1).astype(np.float32)
    fade = np.linspace(1.0, 0.2, 40, dtype=np.float32)[:, None]
    for k in range(24):
        y, x = 30 + 90 * (k // 8), 20 + 48 * (k % 8)
        darkness[y : y + 40, x : x + 4] = peak * fade
    return darkness


def test_weak_writing_levels_find_the_whole_pencil_stroke():
    from ocr.binarize import hysteresis, threshold_levels, weak_writing_levels

    darkness = pencil_strokes(0.25)
    levels = threshold_levels(darkness)
    mask = hysteresis(darkness, *levels)
    weak = weak_writing_levels(darkness, mask, levels)
    assert weak is not None and weak[1] < levels[1]
    stroke = slice(30, 68), slice(20, 24)  # all but its two faintest rows (0.05 dark)
    assert mask[stroke].any(axis=1).sum() < 36  # the faint end lost...
    assert hysteresis(darkness, *weak)[stroke].all()  # ...found from the lower seeds
    assert not hysteresis(darkness, *weak)[150:, 390:].any()  # and no paper


def test_weak_writing_levels_leave_pen_writing_alone():
    from ocr.binarize import hysteresis, threshold_levels, weak_writing_levels

    darkness = pencil_strokes(0.7)
    levels = threshold_levels(darkness)
    assert weak_writing_levels(darkness, hysteresis(darkness, *levels), levels) is None


def test_close_paper_estimate_follows_fast_falling_light():
    from ocr.binarize import paper_background

    yy, xx = np.mgrid[0:320, 0:480]
    light = (1.0 - 0.6 * (xx / 480) ** 2).astype(np.float32)  # the light falls faster to the right
    grey = light.copy()
    for x in range(40, 440, 50):  # bold strokes, 12 px wide
        grey[100:180, x : x + 12] *= 0.4
    usual = paper_background(grey)
    close = paper_background(grey, close=True)
    assert np.abs(close - light).mean() < 0.7 * np.abs(usual - light).mean()  # over-brightened by less
    # and the strokes not taken for paper: nowhere further off than the usual estimate
    assert np.abs(close - light)[100:180].max() < min(0.06, np.abs(usual - light)[100:180].max())


def ramped_strokes(step=False):
    """A darkness map whose paper the paper estimate left darker towards the right
    (a vignette: 0 to 0.1, or with `step` a shadow's sharp edge: 0, then 0.1 from
    the middle), noise 0.005, and 3 rows of 12 strokes 0.14 darker than the paper
    under them (faint pencil). Returns ``(darkness, paper, strokes)``."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:320, 0:640]
    paper = (0.1 * (xx >= 320) if step else 0.1 * xx / 640).astype(np.float32)
    darkness = np.clip(paper + 0.005 * rng.standard_normal(paper.shape), 0, 1).astype(np.float32)
    strokes = np.zeros(paper.shape, bool)
    for k in range(36):
        y, x = 40 + 100 * (k // 12), 20 + 52 * (k % 12)
        strokes[y : y + 40, x : x + 4] = True
    darkness[strokes] = paper[strokes] + 0.14
    return darkness, paper, strokes


def test_paper_left_takes_off_a_vignettes_ramp_and_faint_strokes_then_seed():
    """The paper estimate left a ramp of darkness (0 to 0.1): to the page's levels it
    is noise, and the seeds rise over faint strokes (0.14 above their paper) on the
    light side. paper_left follows the ramp, not the strokes; taken off, every
    stroke seeds and no paper does."""
    from ocr.binarize import hysteresis, paper_left

    darkness, paper, strokes = ramped_strokes()
    left = paper_left(darkness)
    assert np.abs(left - paper)[~strokes].mean() < 0.012
    assert (left - paper)[strokes].max() < 0.02  # the strokes are not paper
    assert threshold_levels(darkness)[1] > 0.14  # the ramp raised the seeds over them
    flat = np.maximum(darkness - left, 0)
    low, high = threshold_levels(flat)
    assert high < 0.13
    mask = hysteresis(flat, low, high)
    assert all(mask[40 + 100 * (k // 12) + 20, 20 + 52 * (k % 12) + 2] for k in range(36))
    assert not mask[~strokes].any() or mask[~strokes].mean() < 0.001


def test_paper_left_follows_a_ramp_to_the_images_far_edges():
    """A vignette darkest along the bottom and right edges, of an image whose sides
    are no whole number of blocks: the blocks reach the far edges (the last ones lie
    against them), so most of the ramp is taken off. From the whole blocks alone, all
    of it was left (here nowhere under a whole block): under faint pencil's low
    thresholds, a band of specks along the edge that set the letter height."""
    from ocr.binarize import paper_left

    rng = np.random.default_rng(2)
    yy, xx = np.mgrid[0:337, 0:650].astype(np.float32)
    paper = 0.08 * np.maximum(np.maximum(yy - 297, 0) / 40, np.maximum(xx - 610, 0) / 40)
    darkness = np.clip(paper + 0.005 * rng.standard_normal(paper.shape), 0, 1).astype(np.float32)
    darkness[100:140, 100:104] += 0.14  # a faint stroke, kept
    left = paper_left(darkness)
    assert left is not None
    rest = np.maximum(darkness - left, 0)
    assert rest[-20:, :600].mean(axis=1).max() < 0.055 and rest[:300, -20:].mean(axis=0).max() < 0.055
    assert rest[-40:-20, :600].mean() < 0.015 and rest[:300, -40:-20].mean() < 0.015
    assert rest[100:140, 100:104].min() > 0.13


def test_paper_left_takes_the_lighter_side_of_a_sharp_edge():
    """Across a shadow's sharp edge no paper is taken off more than it is dark, so
    the light side's strokes keep their darkness; and evenly dark paper is taken off
    evenly. Following the foot of a ramp (`feet`, the default), the edge of a plateau
    of darkness looks the same to the blocks as a ramp's foot: the dark side's level
    is then taken off there too, and within half a block of the edge the light side
    loses up to half the step. (ink_darkness never leaves such a plateau: its paper
    estimate follows any shading broader than three of its blocks, and a sharp edge
    is followed to the pixel, without paper_left.)"""
    from ocr.binarize import paper_left

    darkness, paper, strokes = ramped_strokes(step=True)  # the edge at x = 320
    left = paper_left(darkness, feet=False)
    assert (left - paper).max() < 0.01
    assert np.abs(left - paper)[:, 400:].max() < 0.01  # well inside the shadow: all of it
    left = paper_left(darkness)
    assert (left - paper)[:, :304].max() < 0.01 and (left - paper).max() < 0.06
    assert np.abs(left - paper)[:, 352:].max() < 0.01  # in the shadow, from a block in: all of it
    rng = np.random.default_rng(3)
    even = np.clip(0.02 + 0.005 * rng.standard_normal((320, 640)), 0, 1).astype(np.float32)
    for feet in (True, False):
        left = paper_left(even, feet=feet)
        assert left is not None and np.abs(left - 0.02).max() < 0.01


def test_lines_of_squared_paper_do_not_make_a_page_faint():
    """Squared paper's lines (0.06-0.08 dark, as light as pencil) with pen writing on
    it: the lines are no faint writing, the page keeps its usual levels, and the
    lines do not seed."""
    from ocr.binarize import hysteresis

    rng = np.random.default_rng(4)
    darkness = np.clip(0.005 * rng.standard_normal((400, 600)), 0, 1).astype(np.float32)
    darkness[::20, :] = 0.08
    darkness[:, ::20] = 0.06
    for k in range(8):
        darkness[100:140, 40 + 60 * k : 44 + 60 * k] = 0.6
    low, high = threshold_levels(darkness)
    assert high >= 0.12
    assert not hysteresis(darkness, low, high)[200:, :].any()


def test_upsample_is_pillows_bilinear_resize():
    """The block values' bilinear interpolation (two matrix products) gives what
    Pillow's resize gives: to an image that spans the blocks, and at a given block
    size cropped to the image (the edge blocks' values held beyond them)."""
    from ocr.binarize import _upsample

    rng = np.random.default_rng(0)
    values = rng.random((7, 11)).astype(np.float32)
    pil = np.asarray(Image.fromarray(values, mode="F").resize((173, 101), Image.BILINEAR))
    assert np.abs(_upsample(values, (101, 173)) - pil).max() < 1e-5
    big = np.asarray(Image.fromarray(values, mode="F").resize((11 * 16, 7 * 16), Image.BILINEAR))
    assert np.abs(_upsample(values, (100, 170), 16) - big[:100, :170]).max() < 1e-5


def _framed(shape=(100, 80), bottom=True):
    """A lone box 56 pixels tall and 36 wide (lines 2 pixels thick), and a 5 written in
    it that touches its left side and its top."""
    box = _lone_box(shape)
    if not bottom:
        box[74:76] = False
    five = np.zeros(shape, bool)
    five[22:26, 22:50] = True  # the top bar, against the box's top and its left side
    five[22:48, 22:26] = True  # the stem, along the left side
    five[44:48, 22:46] = True
    five[44:70, 44:48] = True  # the bowl's right
    five[66:70, 26:48] = True
    return box, five


@pytest.mark.parametrize("bottom", [True, False])
def test_in_frame_takes_a_lone_box_off_the_letter_that_touches_it(bottom):
    from ocr.segment import Glyph, in_frame

    box, five = _framed(bottom=bottom)
    ink = box | five
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    glyph = Glyph(box=(int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1),
                  mask=ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    letter = in_frame(glyph, 40)
    assert letter is not None and not letter.small
    y0, x0, y1, x1 = letter.box
    assert 20 < y0 and x0 > 22 and x1 < 54 and y1 < 74  # inside the frame's lines
    page = np.zeros_like(ink)
    page[y0:y1, x0:x1] = letter.mask
    assert not (page & box).any()
    assert page[five].mean() > 0.8  # the 5 loses only the pixel beside the frame
    # The same box is no letter's on a page of larger letters: a check box no taller
    # than the letters beside it, and its tick.
    assert in_frame(glyph, 60) is None


def test_in_frame_leaves_letters_and_empty_boxes():
    from ocr.segment import Glyph, in_frame

    box = _lone_box()[20:76, 20:56]
    assert in_frame(Glyph(box=(20, 20, 76, 56), mask=box), 40) is None  # an empty box, a squarish O
    b = box.copy()
    b[27:29, :] = True  # a B's middle bar, side to side: no letter inside
    assert in_frame(Glyph(box=(20, 20, 76, 56), mask=b), 40) is None
    tick = box.copy()
    tick[30:50, 8:12] = tick[46:50, 8:28] = True  # something small inside
    assert in_frame(Glyph(box=(20, 20, 76, 56), mask=tick), 40) is None


def test_the_lines_of_a_sheet_turned_ten_degrees_are_found_at_their_slope():
    """Page lines turned 10 degrees (``blk69/n001``: squared paper turned 9.2 degrees
    on black): the slopes were searched within 8 degrees, so the net was never divided
    out and the page's letter height was taken from it whole (1,692 px)."""
    from ocr.binarize import _sharpest_slope

    t = np.tan(np.radians(10.0))
    xs = np.tile(np.arange(0, 800), 6)
    ys = np.repeat(np.arange(6) * 40 + 100, 800) + np.round(t * xs).astype(int)
    assert abs(_sharpest_slope(ys, xs) - t) < 0.01


def test_rule_stubs_are_a_words_flat_end_pieces_cut_out_of_the_letter_beside_them():
    from ocr.segment import rule_stubs

    def atom(x0, x1, y0=97, y1=100):
        return Glyph(box=(y0, x0, y1, x1), mask=np.ones((y1 - y0, x1 - x0), bool))

    letter = atom(60, 90, 60, 100)  # a letter 40 px tall; three flat pieces 60 px long before it
    stub = [atom(0, 20), atom(20, 40), atom(40, 60)]
    assert rule_stubs(stub + [letter], [None, None, None], 40.0) == (3, 0)
    after = [atom(90, 110), atom(110, 130)]
    assert rule_stubs([letter] + after, [None, None], 40.0) == (0, 2)
    # a dash apart from the letter is no stub of it; nor a flat piece shorter than half a letter
    assert rule_stubs(stub + [letter], [None, None, 4], 40.0) == (0, 0)
    assert rule_stubs([atom(50, 60), letter], [None], 40.0) == (0, 0)
    assert rule_stubs(stub, [None, None], 40.0) == (0, 0)  # no letter to leave it out of
    bar = [atom(90, 110, 60, 63), atom(110, 130, 60, 63)]  # a T's long bar, at the letter's top
    assert rule_stubs([letter] + bar, [None, None], 40.0) == (0, 0)
