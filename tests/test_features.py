"""The classifier's inputs: pixels and stroke directions (ocr.features)."""

import numpy as np
import pytest

from ocr import features, mlp
from ocr.errors import ModelError
from ocr.model import Model, default_meta


def _bar(vertical=True):
    """A 4-pixel-wide black bar on white paper, rows/columns 4-27."""
    crop = np.ones((32, 32), np.float32)
    if vertical:
        crop[4:28, 14:18] = 0
    else:
        crop[14:18, 4:28] = 0
    return crop


def _cells(F):
    return F.reshape(8, 8, 8)  # direction, cell row, cell column


def test_inputs_shapes_and_pixels_part():
    crops = np.random.default_rng(0).random((5, 32, 32)).astype(np.float32)
    P = features.inputs(crops, "pixels")
    D = features.inputs(crops, "pixels+directions-v1")
    assert P.shape == (5, 1024) and D.shape == (5, 1536) and D.dtype == np.float32
    np.testing.assert_allclose(P, 1 - crops.reshape(5, -1))
    np.testing.assert_array_equal(D[:, :1024], P)
    np.testing.assert_array_equal(features.inputs(crops.reshape(5, -1), "pixels+directions-v1"), D)
    assert features.SIZES == {"pixels": 1024, "pixels+directions-v1": 1536, "deskewed-v1": 1537, "moments-v1": 1539}
    with pytest.raises(ValueError, match="unknown kind"):
        features.inputs(crops, "hog")
    with pytest.raises(ValueError, match="shape"):
        features.inputs(np.ones((2, 28, 28)), "pixels")


def test_blank_paper_has_no_directions():
    F = features.directions(np.ones((3, 32, 32), np.float32))
    assert F.shape == (3, 512) and not F.any()


def test_vertical_bar_edges_face_left_and_right():
    F = _cells(features.directions(_bar(vertical=True)[None])[0])
    # Cells of rows 8-23 hold the bar's long sides only: ink rises to the right on its
    # left side (direction 0, +x) and to the left on its right side (direction 4, -x).
    mid = slice(2, 6)
    assert F[0, mid, 3].min() > 0.5 and F[4, mid, 4].min() > 0.5
    assert not F[2, mid].any() and not F[6, mid].any()  # no edge faces up or down there
    assert not F[0, mid, 4].any() and not F[4, mid, 3].any()
    # Ink rises downwards (direction 2, +y) across its top end, upwards across its bottom end.
    assert F[2, 0:2, 3:5].max() > 0.5 and F[6, 6:8, 3:5].max() > 0.5
    assert not F[6, 0:2].any() and not F[2, 6:8].any()


def test_horizontal_bar_edges_face_up_and_down():
    F = _cells(features.directions(_bar(vertical=False)[None])[0])
    mid = slice(2, 6)
    assert F[2, 3, mid].min() > 0.5 and F[6, 4, mid].min() > 0.5
    assert not F[0, :, mid].any() and not F[4, :, mid].any()


def test_transposed_crop_swaps_x_and_y():
    # Transposing the image swaps x and y: direction (ux, uy) becomes (uy, ux), so
    # 0 <-> 2, 3 <-> 7, 4 <-> 6, while 1 and 5 stay; and the cells are transposed.
    crops = (np.random.default_rng(1).random((4, 32, 32)) > 0.6).astype(np.float32)
    F = features.directions(crops).reshape(4, 8, 8, 8)
    Ft = features.directions(crops.transpose(0, 2, 1)).reshape(4, 8, 8, 8)
    swap = [2, 1, 0, 7, 6, 5, 4, 3]
    np.testing.assert_allclose(Ft, F[:, swap].transpose(0, 1, 3, 2), atol=1e-5)


def test_model_with_direction_inputs_loads_and_predicts(tmp_path):
    sizes = [1536, 16, 36]
    params = mlp.init_params(sizes, np.random.default_rng(0))
    m = Model.from_params(params)
    assert m.features == "pixels+directions-v1" and m.meta["input"]["features"] == m.features
    m.save(tmp_path / "d.npz")
    m2 = Model.load(tmp_path / "d.npz")
    crops = np.random.default_rng(2).random((3, 32, 32)).astype(np.float32)
    assert m2.features == m.features
    np.testing.assert_allclose(m2.predict_proba(crops), m.predict_proba(crops), atol=1e-6)
    # the metadata must agree with the first layer
    meta = default_meta(sizes)
    meta["input"]["features"] = "pixels"
    with pytest.raises(ModelError, match="1024 for pixels inputs"):
        Model.from_params(params, meta)
    meta["input"]["features"] = "zernike"
    with pytest.raises(ModelError, match="features='zernike'"):
        Model.from_params(params, meta)


def test_model_without_features_key_reads_pixels():
    # models written before the directions have no "features" in their metadata
    sizes = [1024, 8, 36]
    meta = default_meta(sizes)
    del meta["input"]["features"]
    m = Model.from_params(mlp.init_params(sizes, np.random.default_rng(0)), meta)
    assert m.features == "pixels"
    assert m.predict_proba(np.ones((2, 32, 32), np.float32)).shape == (2, 36)


def _leaning_bar(slope):
    """A 4-pixel-wide bar from row 4 to 27 whose x moves by `slope` per row down."""
    crop = np.ones((32, 32), np.float32)
    for y in range(4, 28):
        x = int(round(16 + slope * (y - 16)))
        crop[y, x - 2:x + 2] = 0
    return crop


@pytest.mark.parametrize("slope", [-0.4, -0.2, 0.25])
def test_deskew_stands_a_leaning_bar_upright(slope):
    upright, s = features.deskew(_leaning_bar(slope)[None])
    assert abs(s[0] - slope) < 0.03
    ink = 1 - upright[0]
    centres = [(ink[y] @ np.arange(32)) / ink[y].sum() for y in range(4, 28)]
    assert np.ptp(centres) < 1.5            # every row's ink in the same column (+- the drawing's steps)
    assert abs(ink.sum() - (1 - _leaning_bar(slope)).sum()) < 1.0   # no ink lost or made
    # before, the rows' centres spread over |slope| * 23 px
    before = 1 - _leaning_bar(slope)
    assert np.ptp([(before[y] @ np.arange(32)) / before[y].sum() for y in range(4, 28)]) > abs(slope) * 23 - 1.5


def test_deskew_leaves_upright_and_blank_crops_alone():
    crops = np.stack([_bar(vertical=True), _bar(vertical=False), np.ones((32, 32), np.float32)])
    upright, s = features.deskew(crops)
    np.testing.assert_array_equal(s, [0, 0, 0])
    np.testing.assert_allclose(upright, crops, atol=1e-6)


def test_deskew_clips_the_slant():
    crop = np.ones((32, 32), np.float32)
    crop[[4, 27], [4, 27]] = 0      # two dots on a 45-degree diagonal
    _, s = features.deskew(crop[None])
    assert s[0] == pytest.approx(features.MAX_SLANT)


def test_deskewed_inputs_are_the_upright_crop_and_its_slant():
    crops = np.stack([_leaning_bar(-0.3), _bar(vertical=True)])
    X = features.inputs(crops, "deskewed-v1")
    upright, s = features.deskew(crops)
    assert X.shape == (2, 1537) and X.dtype == np.float32
    np.testing.assert_allclose(X[:, :1024], features.pixels(upright))
    np.testing.assert_allclose(X[:, 1024:1536], features.directions(upright), atol=1e-6)
    np.testing.assert_allclose(X[:, 1536], s)
    # an upright crop gives what the directions networks see, and a slant of 0
    np.testing.assert_allclose(X[1, :1536], features.inputs(crops[1:], "pixels+directions-v1")[0], atol=1e-6)


def test_model_with_deskewed_inputs_round_trips(tmp_path):
    sizes = [1537, 16, 36]
    params = mlp.init_params(sizes, np.random.default_rng(0))
    m = Model.from_params(params, default_meta(sizes, features="deskewed-v1"))
    m.save(tmp_path / "k.npz")
    m2 = Model.load(tmp_path / "k.npz")
    assert m2.features == "deskewed-v1"
    crops = np.stack([_leaning_bar(-0.3), _bar()])
    np.testing.assert_allclose(m2.predict_proba(crops), m.predict_proba(crops), atol=1e-6)


def _centre_and_spread(crop):
    ink = np.clip(1 - crop, 0, 1)
    r = np.arange(32)
    m = ink.sum()
    cy, cx = ink.sum(1) @ r / m, ink.sum(0) @ r / m
    sy = np.sqrt(ink.sum(1) @ (r - cy) ** 2 / m)
    sx = np.sqrt(ink.sum(0) @ (r - cx) ** 2 / m)
    return cy, cx, sy, sx


def test_moment_normalize_centres_the_ink_and_evens_its_spread():
    small = np.ones((32, 32), np.float32)
    small[4:16, 4:8] = 0            # a short bar in the top-left corner: spread 3.5 px
    tall = _bar(vertical=True)      # a bar 24 px long: spread 6.9 px, the target
    out, extra = features.moment_normalize(np.stack([small, tall]))
    for crop in out:
        cy, cx, _, _ = _centre_and_spread(crop)
        assert abs(cy - 15.5) < 0.3 and abs(cx - 15.5) < 0.3
    # the short bar grows, by at most the largest scale
    assert extra[0, 1] == pytest.approx(features.MOMENT_SCALE[1])
    assert _centre_and_spread(out[0])[2] == pytest.approx(_centre_and_spread(small)[2] * extra[0, 1], rel=0.05)
    # the long bar is centred and already at the target spread: it stays as it is
    assert extra[1, 1] == pytest.approx(1.0, abs=0.01)
    np.testing.assert_allclose(out[1], tall, atol=0.1)
    # aspect: a vertical bar is narrower than tall
    assert extra[1, 2] < -1


def test_moment_normalize_stands_a_leaning_bar_upright_and_leaves_blank_paper():
    out, extra = features.moment_normalize(np.stack([_leaning_bar(-0.3), np.ones((32, 32), np.float32)]))
    _, s = features.deskew(_leaning_bar(-0.3)[None])
    assert extra[0, 0] == pytest.approx(s[0], abs=1e-5)
    ink = 1 - out[0]
    rows = [y for y in range(32) if ink[y].sum() > 1]
    assert np.ptp([(ink[y] @ np.arange(32)) / ink[y].sum() for y in rows]) < 1.5
    np.testing.assert_array_equal(out[1], 1.0)
    np.testing.assert_array_equal(extra[1], [0, 1, 0])


def test_moment_normalize_keeps_degenerate_ink_finite_and_bounded():
    crops = np.ones((4, 32, 32), np.float32)
    crops[0, 10, 10] = 0          # one dot
    crops[1, 16, 3:29] = 0        # one row of ink: no height at all
    crops[2, 2:30, 16] = 0        # one column: no width
    crops[3] = 0                  # all ink
    X = features.inputs(crops, "moments-v1")
    assert np.isfinite(X).all()
    aspect = X[:, -1]
    assert aspect[1] == features.MAX_ASPECT and aspect[2] == -features.MAX_ASPECT
    assert aspect[0] == 0 and aspect[3] == 0


def test_moments_inputs_and_model_round_trip(tmp_path):
    crops = np.stack([_leaning_bar(-0.3), _bar()])
    X = features.inputs(crops, "moments-v1")
    normalised, extra = features.moment_normalize(crops)
    assert X.shape == (2, 1539) and X.dtype == np.float32
    np.testing.assert_allclose(X[:, :1536], features.inputs(normalised, "pixels+directions-v1"), atol=1e-6)
    np.testing.assert_allclose(X[:, 1536:], extra)
    sizes = [1539, 16, 36]
    m = Model.from_params(mlp.init_params(sizes, np.random.default_rng(0)), default_meta(sizes))
    assert m.features == "moments-v1"         # known from the input size
    m.save(tmp_path / "m.npz")
    np.testing.assert_allclose(Model.load(tmp_path / "m.npz").predict_proba(crops), m.predict_proba(crops), atol=1e-6)
