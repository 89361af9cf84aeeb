"""The kernels loaded alone (ocr.kernels) give exactly what the public functions give."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from ocr import kernels


def blobs(rng, shape=(61, 47), sigma=2.0, level=0.5):
    return ndi.gaussian_filter(rng.random(shape), sigma) > level


@pytest.fixture(params=range(6))
def rng(request):
    return np.random.default_rng(request.param)


def test_kernels_are_loaded_not_the_public_fallback():
    assert kernels._nd_image() is not None
    assert kernels._ni_label() is not None
    # the public path was not needed for any of them
    kernels.skeletonize(np.ones((5, 5), bool))
    assert kernels._SKELETONIZE[0].__module__ == "ocr.kernels"


def test_label_and_find_objects_match_scipy(rng):
    mask = blobs(rng, level=0.5 + 0.02 * rng.standard_normal())
    labels, n = kernels.label(mask)
    ref, n_ref = ndi.label(mask, structure=np.ones((3, 3), bool))
    assert n == n_ref > 1
    assert labels.dtype == np.int32 and (labels == ref).all()
    assert kernels.find_objects(labels, n) == ndi.find_objects(ref)


def test_label_empty_and_blank():
    labels, n = kernels.label(np.zeros((4, 5), bool))
    assert n == 0 and not labels.any()
    labels, n = kernels.label(np.zeros((0, 5), bool))
    assert n == 0 and labels.shape == (0, 5)


@pytest.mark.parametrize("mode", ["reflect", "nearest"])
@pytest.mark.parametrize("size,origin", [(5, 0), (9, 4), (9, -4), (4, 0), (1, 0)])
def test_min_max_filters_match_scipy(rng, mode, size, origin):
    a = (rng.random((23, 31)) > 0.7).astype(np.uint8)
    for axis in (0, 1):
        got = kernels.maximum_filter1d(a, size, axis=axis, mode=mode, origin=origin)
        assert (got == ndi.maximum_filter1d(a, size, axis=axis, mode=mode, origin=origin)).all()
        got = kernels.minimum_filter1d(a, size, axis=axis, mode=mode, origin=origin)
        assert (got == ndi.minimum_filter1d(a, size, axis=axis, mode=mode, origin=origin)).all()


def test_bad_origin_is_refused():
    with pytest.raises(ValueError):
        kernels.maximum_filter1d(np.zeros((3, 3), np.uint8), 3, origin=2)


@pytest.mark.parametrize("mode", ["reflect", "nearest"])
@pytest.mark.parametrize("sigma", [0.6, 1.0, 2.5])
def test_gaussian_matches_scipy(rng, mode, sigma):
    a = rng.random((40, 27)).astype(np.float32)
    got = kernels.gaussian_filter(a, sigma, mode=mode)
    assert got.dtype == np.float32
    assert np.array_equal(got, ndi.gaussian_filter(a, sigma, mode=mode))


def test_box_max_and_median_match_scipy(rng):
    a = rng.random((9, 13)).astype(np.float32)
    assert np.array_equal(kernels.box_max(a, 3), ndi.grey_dilation(a, size=(3, 3)))
    assert np.array_equal(kernels.median_filter(a, 5), ndi.median_filter(a, size=(5, 5), mode="nearest"))
    tiny = rng.random((1, 2)).astype(np.float32)
    assert np.array_equal(kernels.median_filter(tiny, 5), ndi.median_filter(tiny, size=(5, 5), mode="nearest"))


def test_median_and_percentile_match_numpy(rng):
    for n in (1, 2, 3, 10, 11, 57):
        for a in (rng.random(n).astype(np.float32), rng.integers(0, 40, n), rng.random(n)):
            assert kernels.median(a) == float(np.median(a))
            for q in (0, 10, 40, 50, 60, 90, 100, 100 * rng.random()):
                assert kernels.percentile(a, q) == pytest.approx(float(np.percentile(a, q)), rel=1e-6, abs=1e-12)
    assert kernels.median([[3, 1], [2, 9]]) == 2.5  # all values, whatever the shape


def test_pen_drawing_matches_scipy_dilation(rng):
    """normalize.draw_with_pen (shifted copies, many glyphs at once) is a binary
    dilation by the pen followed by 2x2 averaging."""
    from ocr.normalize import _PEN, _UP, draw_with_pen

    canvases = np.stack([blobs(rng, (64, 64), level=0.58) for _ in range(5)])
    got = draw_with_pen(canvases, 32)
    for canvas, image in zip(canvases, got):
        ink = ndi.binary_dilation(canvas, structure=_PEN).astype(np.float32)
        assert np.array_equal(image, 1.0 - ink.reshape(32, _UP, 32, _UP).mean(axis=(1, 3)))


def test_skeleton_matches_scikit_image(rng):
    from skimage.morphology import skeletonize as public

    for _ in range(4):
        m = blobs(rng, (48, 48), sigma=3.0)
        assert (kernels.skeletonize(m) == public(m)).all()


def test_fallbacks_give_the_same_results(monkeypatch, rng):
    """With no kernel loadable, the public functions are used, with the same results."""
    mask = blobs(rng)
    a = rng.random((20, 20)).astype(np.float32)
    expected = (kernels.label(mask)[0], kernels.gaussian_filter(a, 1.0), kernels.maximum_filter1d(mask.view(np.uint8), 5))
    monkeypatch.setattr(kernels, "_LOADED", {("scipy.ndimage", "_nd_image"): None, ("scipy.ndimage", "_ni_label"): None})
    got = (kernels.label(mask)[0], kernels.gaussian_filter(a, 1.0), kernels.maximum_filter1d(mask.view(np.uint8), 5))
    for e, g in zip(expected, got):
        assert np.array_equal(e, g)


def test_loader_returns_none_for_a_missing_module():
    assert kernels._load_extension("scipy.ndimage", "no_such_kernel") is None
    assert kernels._load_extension("no_such_package", "x") is None


def test_reading_a_page_imports_neither_scipy_ndimage_nor_skimage_nor_numpy_ma():
    """The point of this module: a whole read, small writing (enlarged) included."""
    import subprocess
    import sys
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "synthetic_page.png"
    code = (
        "import sys, numpy as np, ocr\n"
        "from PIL import Image\n"
        f"page = ocr.read({str(sample)!r})\n"
        f"small = np.asarray(Image.open({str(sample)!r}).convert('L').reduce(3))\n"
        "small_page = ocr.read(small)\n"
        "print(len(page.text) > 20, len(small_page.text) > 20)\n"
        "print('scipy.ndimage' in sys.modules, 'skimage' in sys.modules, 'numpy.ma' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "False", "False", "False"]
