"""Labelled data loaders: NIST .mat, LABEL/ crop folders, EMNIST sheets, dispatch."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from ocr import CLASSES
from ocr.datasets import crop_mask, load_emnist, load_folder, load_labelled, load_mat, read_grey
from ocr.errors import DataError
from ocr.normalize import normalize_glyph

DATA = Path(os.environ.get("HANDOCR_DATA") or Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
needs_data = pytest.mark.skipif(not (DATA / "photo_chars").is_dir(),
                                reason=f"shared data not found at {DATA} (set HANDOCR_DATA)")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOCR_CACHE", str(tmp_path / "cache"))


def _L(size=32):
    """An upright 'L' (ink 0 on paper 1): a tall bar on the left, a foot at the bottom."""
    img = np.ones((size, size))
    img[4:28, 6:10] = 0
    img[24:28, 6:22] = 0
    return img


def _glyphs():
    """Three distinct upright test glyphs: L, a horizontal bar and a vertical bar."""
    h = np.ones((32, 32)); h[14:18, 4:28] = 0
    v = np.ones((32, 32)); v[4:28, 14:18] = 0
    return [_L(), h, v]


def _mat(path, key, imgs, labels, ncls=36, noise=0.0):
    data = np.stack([im.T.ravel() for im in imgs])  # column-major, as in NIST36
    data = data + noise * np.sign(data - 0.5)  # values slightly outside [0, 1]
    onehot = np.zeros((len(labels), ncls), np.uint8)
    onehot[np.arange(len(labels)), labels] = 1
    savemat(path, {f"{key}_data": data, f"{key}_labels": onehot})
    return path


def test_load_mat_column_major_and_labels(tmp_path):
    imgs = _glyphs()
    p = _mat(tmp_path / "nist36_train.mat", "train", imgs, [11, 30, 35], noise=0.04)
    X, y = load_mat(p)
    assert X.shape == (3, 32, 32) and X.dtype == np.float32
    assert y.dtype == np.int64 and [CLASSES[i] for i in y] == ["L", "4", "9"]
    np.testing.assert_array_equal(X[0], normalize_glyph(imgs[0] < 0.5))
    # upright L: ink on the left column and along the bottom, not along the top
    assert X[0][:, :12].min() == 0 and X[0][-10:, 20:].min() < 0.5 and X[0][:8, 16:].min() == 1
    assert not np.array_equal(X[0], normalize_glyph(imgs[0].T < 0.5))
    assert X[1][:, 16].min() == 0 and X[1][16, :].min() == 0  # horizontal bar stays horizontal
    assert X[1][4:12, 16].min() == 1


def test_load_mat_nist26_letters(tmp_path):
    imgs = _glyphs()
    p = _mat(tmp_path / "nist26_valid.mat", "valid", imgs, [0, 25, 7], ncls=26)
    X, y = load_mat(p)
    assert [CLASSES[i] for i in y] == ["A", "Z", "H"]


def test_load_mat_split_choice_and_errors(tmp_path):
    imgs = _glyphs()
    data = np.stack([im.T.ravel() for im in imgs])
    lab = np.eye(36, dtype=np.uint8)[[1, 2, 3]]
    p = tmp_path / "both.mat"
    savemat(p, {"valid_data": data, "valid_labels": lab, "test_data": data[:2], "test_labels": lab[:2]})
    with pytest.raises(DataError, match="both.mat.*split"):
        load_mat(p)
    assert len(load_mat(p, split="test")[1]) == 2
    bad = tmp_path / "x_train.mat"
    savemat(bad, {"train_data": np.zeros((2, 100)), "train_labels": np.eye(36)[:2]})
    with pytest.raises(DataError, match="x_train.mat.*shape"):
        load_mat(bad)
    junk = tmp_path / "junk_train.mat"
    junk.write_bytes(b"not a mat file at all" * 10)
    with pytest.raises(DataError, match="junk_train.mat"):
        load_mat(junk)
    with pytest.raises(DataError, match="missing.mat"):
        load_mat(tmp_path / "missing.mat")


def _photo(glyph_ink, rng, mode="RGB", line=False, speck=True):
    """A photographed-looking crop: uneven grey paper, grey pen, a speck and maybe a ruled line."""
    h, w = glyph_ink.shape
    yy, xx = np.mgrid[0:h, 0:w]
    paper = 175 + 30 * xx / w + 10 * yy / h + rng.normal(0, 2, (h, w))
    img = np.where(glyph_ink, 70 + rng.normal(0, 4, (h, w)), paper)
    if speck:
        img[2, w - 4] = 80
    if line:
        img[h - 2, :] = 120  # ruled line along the bottom border
    img = np.clip(img, 0, 255).astype(np.uint8)
    rgb = np.stack([img, img, img], -1)
    if mode == "RGBA":
        return Image.fromarray(np.dstack([rgb, np.full((h, w), 255, np.uint8)]), "RGBA")
    return Image.fromarray(rgb, "RGB")


def _ink_L():
    ink = np.zeros((44, 36), bool)
    ink[6:38, 8:13] = True
    ink[33:38, 8:28] = True
    return ink


def _ink_T():
    ink = np.zeros((40, 40), bool)
    ink[6:11, 6:34] = True
    ink[6:34, 18:23] = True
    return ink


def test_crop_mask_keeps_glyph_drops_speck_and_ruled_line():
    rng = np.random.default_rng(0)
    ink = _ink_L()
    im = _photo(ink, rng, line=True)
    mask = crop_mask(np.asarray(im.convert("L"), np.float32) / 255)
    assert (mask & ink).sum() >= 0.97 * ink.sum()
    assert (mask & ~ink).sum() <= 0.03 * ink.sum()
    assert not mask[-2].any() and not mask[2, -4]
    assert not crop_mask(np.full((30, 30), 0.7, np.float32)).any()  # blank paper: no ink


def test_crop_mask_follows_a_stroke_that_fades_but_not_a_joined_ruled_line():
    # An L whose stem is dark and whose bar is written with a lighter touch: the one
    # threshold set by the stem used to cut the bar off.
    rng = np.random.default_rng(1)
    ink = _ink_L()
    im = np.asarray(_photo(ink, rng, speck=False).convert("L"), np.float32)
    bar = np.zeros_like(ink)
    bar[33:38, 14:28] = True
    im[bar] = 150 + rng.normal(0, 2, bar.sum())
    mask = crop_mask(im / 255)
    assert (mask & bar).sum() >= 0.9 * bar.sum()
    assert (mask & ink).sum() >= 0.95 * ink.sum()
    assert (mask & ~ink).sum() <= 0.05 * ink.sum()
    # The same faint grey running from the stem to the crop's edge is a ruled line.
    im2 = np.asarray(_photo(ink, rng, speck=False).convert("L"), np.float32)
    im2[20:22, 0:8] = 150
    mask2 = crop_mask(im2 / 255)
    assert not mask2[20:22, 0:6].any()
    assert (mask2 & ink).sum() >= 0.97 * ink.sum()


def test_load_folder_labels_and_images(tmp_path):
    rng = np.random.default_rng(1)
    for label, ink, mode in [("l", _ink_L(), "RGBA"), ("T", _ink_T(), "RGB"), ("7", _ink_T(), "RGB")]:
        (tmp_path / label).mkdir()
        for i in range(2):
            _photo(ink, rng, mode=mode, line=(i == 1)).save(tmp_path / label / f"{i}.png")
    (tmp_path / "misc").mkdir()
    _photo(_ink_L(), rng).save(tmp_path / "misc" / "x.png")  # not a class: ignored
    (tmp_path / "T" / "notes.txt").write_text("ignored")
    X, y, names = load_folder(tmp_path, return_names=True)
    assert X.shape == (6, 32, 32) and X.dtype == np.float32
    assert [CLASSES[i] for i in y] == ["7", "7", "T", "T", "L", "L"]
    assert list(names[:2]) == ["7/0.png", "7/1.png"]
    ref = normalize_glyph(_ink_L())
    for x in X[4:]:
        assert np.abs(x - ref).mean() < 0.02
    assert np.abs(X[2] - normalize_glyph(_ink_T())).mean() < 0.02
    assert X.min() == 0 and X.max() == 1
    Xl, yl = load_labelled(tmp_path)
    np.testing.assert_array_equal(Xl, X)


def test_read_grey_composites_transparency_on_white(tmp_path):
    a = np.zeros((10, 10, 4), np.uint8)
    a[2:4, 2:4] = [0, 0, 0, 255]
    Image.fromarray(a, "RGBA").save(tmp_path / "t.png")
    g = read_grey(tmp_path / "t.png")
    assert g[0, 0] == 1.0 and g[2, 2] == 0.0


def test_folder_errors(tmp_path):
    with pytest.raises(DataError, match="nothing"):
        load_folder(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty"):
        load_folder(tmp_path / "empty")
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "broken.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(DataError, match="broken.png"):
        load_folder(tmp_path)
    with pytest.raises(DataError, match="nope"):
        load_labelled(tmp_path / "nope")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DataError, match="x.txt"):
        load_labelled(tmp_path / "x.txt")


def _fake_emnist(folder):
    """A 3-tile-wide sheet with 5 samples: tile k is a bar at a k-dependent row; labels 'A','a','7','Z','b'."""
    folder.mkdir(parents=True)
    sheet = np.zeros((2 * 28, 3 * 28), np.uint8)
    for k in range(5):
        r, c = divmod(k, 3)
        sheet[r * 28 + 4 + 4 * k: r * 28 + 7 + 4 * k, c * 28 + 4: c * 28 + 24] = 255
        sheet[r * 28 + 4: r * 28 + 24, c * 28 + 4: c * 28 + 6] = 255
    Image.fromarray(np.dstack([sheet] * 3)).save(folder / "X_test_10_to_14.webp", lossless=True)
    mapping = [48 + i for i in range(10)] + [65 + i for i in range(26)] + [97 + i for i in range(26)]
    labels = "??????????A7aZb"  # samples 10..14; earlier ones are in another (absent) sheet
    ids = [mapping.index(ord(ch)) if ch != "?" else 0 for ch in labels]
    (folder / "test.json").write_text(json.dumps({
        "width": 28, "height": 28, "mapping": mapping, "id": ids,
        "files": ["X_test_0_to_9.webp", "X_test_10_to_14.webp"]}))
    return sheet


def test_load_emnist_tiles_labels_and_cache(tmp_path):
    sheet = _fake_emnist(tmp_path / "emnist" / "byclass")
    X, y, ids = load_emnist(tmp_path / "emnist", return_ids=True)
    assert [CLASSES[i] for i in y] == ["A", "7", "Z"]  # lowercase dropped
    assert list(ids) == ["test:10", "test:11", "test:13"]
    tiles = [sheet[0:28, 0:28], sheet[0:28, 28:56], sheet[28:56, 0:28]]
    for x, t in zip(X, tiles):
        np.testing.assert_array_equal(x, normalize_glyph(t > 127))
    assert list((tmp_path / "cache").glob("emnist-*.npz"))
    X2, y2 = load_emnist(tmp_path / "emnist")  # from the cache
    np.testing.assert_array_equal(X2, X)
    Xs, ys = load_labelled(tmp_path)  # a shared-data-like folder with only emnist/
    np.testing.assert_array_equal(ys, y)


@needs_data
def test_shared_photo_chars():
    X, y = load_folder(DATA / "photo_chars")
    assert X.shape == (2244, 32, 32)
    counts = np.bincount(y, minlength=36)
    assert counts.min() >= 40 and counts.max() <= 80
    ink = (X < 0.5).mean(axis=(1, 2))
    assert (ink > 0.03).mean() > 0.99  # every crop yields a glyph, not an empty or black image
    assert (ink < 0.4).all()


@needs_data
def test_shared_emnist_balanced_sheet():
    X, y = load_emnist(DATA / "emnist" / "balanced")
    assert 6500 < len(y) < 7500 and X.shape[1:] == (32, 32)
    counts = np.bincount(y, minlength=36)
    assert counts.min() > 100
    # 1s are narrow and tall, 0s are wide: checks orientation and labels of the sheet
    width = lambda img: np.ptp(np.flatnonzero((img < 0.5).any(axis=0)))  # noqa: E731
    w1 = np.median([width(x) for x in X[y == CLASSES.index("1")]])
    w0 = np.median([width(x) for x in X[y == CLASSES.index("0")]])
    assert w1 < 0.6 * w0
    assert (X[y == CLASSES.index("1")] < 0.5).mean() < (X[y == CLASSES.index("0")] < 0.5).mean()
