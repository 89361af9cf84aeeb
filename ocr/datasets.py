"""Labelled character data for training and evaluation.

Every loader returns ``(X, y)``: ``X`` is ``(N, 32, 32)`` float32 made by
:func:`ocr.normalize.normalize_glyph` (1 = paper, 0 = ink) and ``y`` is int64
indices into :data:`ocr.CLASSES`.

Sources:

* NIST36 / NIST26 ``.mat`` files (:func:`load_mat`),
* folders of ``LABEL/*.png`` crops, e.g. ``photo_chars`` (:func:`load_folder`),
* the EMNIST sheets of the shared data folder (:func:`load_emnist`),
* and :func:`load_labelled`, which works out which of these a path is.

Normalising tens of thousands of glyphs takes a while, so the results are cached
in ``$HANDOCR_CACHE`` (default ``~/.cache/handocr``), keyed by the source file's
path, size and modification time and by :data:`NORMALIZE_VERSION`.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

from . import CLASSES
from .errors import DataError
from .normalize import SIZE, normalize_glyph

#: Bump when normalize_glyph or a loader's binarisation changes, to invalidate caches.
NORMALIZE_VERSION = "skeleton-v1"
_LOADER_VERSION = "4"
_CLASS_INDEX = {c: i for i, c in enumerate(CLASSES)}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


# ----------------------------------------------------------------------------- helpers

def data_dir():
    """The shared data folder: ``$HANDOCR_DATA`` or ``../shared/data`` beside the project."""
    env = os.environ.get("HANDOCR_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def cache_dir():
    return Path(os.environ.get("HANDOCR_CACHE") or Path.home() / ".cache" / "handocr")


def _empty():
    return np.ones((0, SIZE, SIZE), np.float32), np.zeros(0, np.int64)


def _normalize_masks(masks, workers=None):
    """normalize_glyph over a list of masks, on up to 2 processes when the list is long."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    if not masks:
        return _empty()[0]
    if workers > 1 and len(masks) >= 4000:
        import multiprocessing as mp

        chunk = 1000
        ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
        with ctx.Pool(workers) as pool:
            out = pool.map(normalize_glyph, masks, chunksize=chunk)
    else:
        out = [normalize_glyph(m) for m in masks]
    return np.stack(out).astype(np.float32)


def _cached(kind, sources, build):
    """Return build() -> (X, y[, extra]) cached on disk under a key of `sources` (files)."""
    h = hashlib.sha256(f"{kind}|{NORMALIZE_VERSION}|{_LOADER_VERSION}".encode())
    for s in sources:
        st = os.stat(s)
        h.update(f"|{os.path.abspath(s)}|{st.st_size}|{st.st_mtime_ns}".encode())
    key = h.hexdigest()[:24]
    folder = cache_dir()
    path = folder / f"{kind}-{key}.npz"
    if os.environ.get("HANDOCR_NO_CACHE") != "1" and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as f:
                return {k: f[k] for k in f.files}
        except Exception:  # unreadable cache: rebuild it
            pass
    arrays = build()
    if os.environ.get("HANDOCR_NO_CACHE") != "1":
        try:
            from .atomic import atomic_path

            folder.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                np.savez(tmp, **arrays)
        except OSError:  # a read-only home is no reason to fail
            pass
    return arrays


# ----------------------------------------------------------------------------- NIST36 .mat

def _mat_split(path):
    name = Path(path).name.lower()
    for split in ("train", "valid", "test"):
        if f"_{split}" in name or name.startswith(split):
            return split
    return None


def load_mat(path, split=None):
    """Load a NIST36 / NIST26 ``.mat`` file.

    Parameters
    ----------
    path : path to a MATLAB file with ``<split>_data`` (N, 1024) and ``<split>_labels``
        (N, 36) or (N, 26) one-hot rows; images are 32x32 column-major, white background.
    split : "train", "valid" or "test", or None to take it from the file name
        (``*_train.mat``) or, failing that, the only ``*_data`` key in the file.
    """
    from scipy.io import loadmat

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        mat = loadmat(str(path))
    except Exception as e:
        raise DataError(f"{path}: not a readable .mat file ({e})") from None
    keys = sorted(k[: -len("_data")] for k in mat if k.endswith("_data") and not k.startswith("__"))
    split = split or _mat_split(path)
    if split not in keys:
        if len(keys) == 1:
            split = keys[0]
        else:
            raise DataError(f"{path}: cannot tell which split to use (has {keys or 'no *_data keys'})")
    if f"{split}_labels" not in mat:
        raise DataError(f"{path}: has {split}_data but no {split}_labels")
    data = np.asarray(mat[f"{split}_data"], dtype=np.float64)
    labels = np.asarray(mat[f"{split}_labels"])
    if data.ndim != 2 or data.shape[1] != SIZE * SIZE:
        raise DataError(f"{path}: {split}_data has shape {data.shape}, expected (N, {SIZE * SIZE})")
    if labels.ndim != 2 or labels.shape[0] != data.shape[0] or labels.shape[1] not in (26, 36):
        raise DataError(f"{path}: {split}_labels has shape {labels.shape}, expected ({data.shape[0]}, 36 or 26)")
    if not np.isfinite(data).all():
        raise DataError(f"{path}: {split}_data has NaN or infinite values")
    y = np.argmax(labels, axis=1).astype(np.int64)  # NIST26 columns are A-Z: same indices
    imgs = np.clip(data, 0, 1).reshape(-1, SIZE, SIZE).transpose(0, 2, 1)  # column-major rows
    X = _normalize_masks(list(imgs < 0.5))
    return X, y


# ----------------------------------------------------------------------------- photographed crops

def read_grey(path):
    """An image file as float grey levels in [0, 1] (transparent parts count as white paper)."""
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
            bg.alpha_composite(im)
            im = bg
        grey = np.asarray(im.convert("L"), dtype=np.float32) / 255.0
    return grey


def _otsu(values):
    from skimage.filters import threshold_otsu

    if values.min() == values.max():
        return float(values.max())
    return float(threshold_otsu(values))


def crop_mask(grey):
    """Ink mask of one photographed character on paper: True = ink.

    The uneven paper is flattened by subtracting a grey-level closing (which erases
    the dark pen strokes), the remaining darkness is lightly blurred (smooth edges
    give a skeleton without spurs) and thresholded with Otsu (with a
    floor so that blank paper yields no ink), and then only the components that make
    the character are kept: specks and thin lines running along the crop's border
    (ruled lines, shadows) are dropped. Last, strokes that fade out (a pen running
    dry, a light touch) are followed down to half the threshold from the kept ink
    (:func:`_faint_strokes`).
    """
    grey = np.asarray(grey, dtype=np.float32)
    h, w = grey.shape
    k = max(7, int(round(min(h, w) * 0.35)) | 1)
    paper = ndi.grey_closing(grey, size=(k, k))
    paper = ndi.uniform_filter(paper, size=3)
    # A light blur first: smooth stroke edges give a clean skeleton (no spurs).
    dark = ndi.gaussian_filter(np.clip(paper - grey, 0, None), sigma=max(0.5, min(h, w) / 80))
    if dark.max() <= 0.04:
        return np.zeros_like(grey, dtype=bool)
    t = max(_otsu(dark), 0.35 * float(dark.max()), 0.03)
    ink = dark > t
    lab, n = ndi.label(ink, structure=np.ones((3, 3)))
    if n == 0:
        return ink
    idx = np.arange(1, n + 1)
    area = ndi.sum(ink, lab, idx)
    slices = ndi.find_objects(lab)
    keep = np.zeros(n + 1, dtype=bool)
    big = area.max()
    for i, sl in enumerate(slices, start=1):
        a = area[i - 1]
        if a < max(3, 0.08 * big):
            continue  # speck
        ys, xs = sl
        bh, bw = ys.stop - ys.start, xs.stop - xs.start
        touches = ys.start == 0 or xs.start == 0 or ys.stop == h or xs.stop == w
        if touches and a < big:
            long_line = (bw >= 0.6 * w and bh <= 0.2 * h) or (bh >= 0.6 * h and bw <= 0.2 * w)
            if long_line or a < 0.3 * big:
                continue  # ruled line or background at the edge
        keep[i] = True
    return _faint_strokes(dark, keep[lab], low=max(0.5 * t, 0.03))


def _faint_strokes(dark, ink, low, gap=2, min_part=0.08):
    """`ink` plus the fainter strokes that continue it.

    The one threshold of a crop is set by its darkest strokes, so a stroke that fades
    out is cut where it drops under it. Pixels darker than `low` that are connected
    to `ink` are candidates; of them, only the parts lying more than `gap` pixels
    from `ink` (a lost stroke, not the halo of a kept one), holding at least
    `min_part` of the ink's area and not touching the crop's border (a ruled line
    or a shadow joined to the character) are added, grown back to meet the ink.

    Parameters
    ----------
    dark : (h, w) float ndarray
        Darkness above the paper, 0 = paper.
    ink : (h, w) bool ndarray
        The character's ink as thresholded.
    low : float
        The faint strokes' threshold.

    Returns
    -------
    (h, w) bool ndarray
    """
    if not ink.any():
        return ink
    eight = np.ones((3, 3), bool)
    weak, n = ndi.label(dark > low, structure=eight)
    joined = np.isin(weak, np.unique(weak[ink]))  # every ink pixel is also above `low`
    far = joined & ~ndi.binary_dilation(ink, structure=eight, iterations=gap)
    lab, n = ndi.label(far, structure=eight)
    if n == 0:
        return ink
    h, w = ink.shape
    area = ndi.sum(far, lab, np.arange(1, n + 1))
    add = np.zeros(n + 1, dtype=bool)
    for i, (ys, xs) in enumerate(ndi.find_objects(lab), start=1):
        touches = ys.start == 0 or xs.start == 0 or ys.stop == h or xs.stop == w
        add[i] = area[i - 1] >= min_part * ink.sum() and not touches
    if not add.any():
        return ink
    grown = ndi.binary_dilation(add[lab], structure=eight, iterations=gap + 1, mask=joined)
    return ink | grown


def _folder_files(path):
    """[(file, class index)] for LABEL/*.<image> in `path`, sorted; other folders ignored."""
    path = Path(path)
    items = []
    for sub in sorted(p for p in path.iterdir() if p.is_dir()):
        label = sub.name.upper()
        if len(label) != 1 or label not in _CLASS_INDEX:
            continue
        for f in sorted(sub.iterdir()):
            if f.suffix.lower() in IMAGE_EXTENSIONS and f.is_file():
                items.append((f, _CLASS_INDEX[label]))
    return items


def _load_crop(file):
    try:
        return crop_mask(read_grey(file))
    except Exception as e:
        raise DataError(f"{file}: cannot read image ({e})") from None


def load_folder(path, return_names=False):
    """Load ``path/LABEL/*.png`` crops (LABEL in A-Z, 0-9, case-insensitive).

    Returns ``(X, y)``, or ``(X, y, names)`` with names ``"LABEL/file"`` when
    `return_names` (used to make splits that never share an image).
    """
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: no such folder")
    items = _folder_files(path)
    if not items:
        raise DataError(f"{path}: no LABEL/*.png crops (LABEL being A-Z or 0-9)")
    names = np.array([f"{f.parent.name}/{f.name}" for f, _ in items])

    def build():
        masks = [_load_crop(f) for f, _ in items]
        X = _normalize_masks(masks)
        return {"X": X, "y": np.array([c for _, c in items], dtype=np.int64)}

    if len(items) >= 500:
        arrays = _cached("folder", [f for f, _ in items], build)
    else:
        arrays = build()
    X, y = arrays["X"], arrays["y"]
    return (X, y, names) if return_names else (X, y)


# ----------------------------------------------------------------------------- EMNIST sheets

def _emnist_parts(folder):
    """[(sheet path, first sample, last sample, json path)] for an EMNIST folder."""
    folder = Path(folder)
    parts = []
    for js in sorted(folder.glob("*.json")):
        try:
            meta = json.loads(js.read_text())
        except (OSError, ValueError) as e:
            raise DataError(f"{js}: not a readable label file ({e})") from None
        for name in meta.get("files", []):
            sheet = folder / name
            if not sheet.is_file():
                continue  # only some sheets of a split may be here
            try:
                a, b = Path(name).stem.rsplit("_", 3)[-3::2]
                a, b = int(a), int(b)
            except ValueError:
                raise DataError(f"{sheet}: sheet name is not X_<split>_<a>_to_<b>") from None
            parts.append((sheet, a, b, js))
    return parts


def _load_emnist_sheet(sheet, a, b, js):
    from PIL import Image

    meta = json.loads(Path(js).read_text())
    ids = meta["id"]
    mapping = meta["mapping"]
    tw, th = int(meta.get("width", 28)), int(meta.get("height", 28))
    with Image.open(sheet) as im:
        img = np.asarray(im.convert("RGB"))[:, :, 0]
    cols = img.shape[1] // tw
    n = b - a + 1
    k = np.arange(n)
    labels = np.array([chr(mapping[ids[a + i]]) for i in k])
    want = np.array([c in _CLASS_INDEX for c in labels])  # uppercase and digits only
    k = k[want]
    rows_, cols_ = k // cols, k % cols
    tiles = img.reshape(img.shape[0] // th, th, cols, tw).transpose(0, 2, 1, 3)[rows_, cols_]
    y = np.array([_CLASS_INDEX[c] for c in labels[want]], dtype=np.int64)
    return tiles > 127, y, (a + k).astype(np.int64)


def load_emnist(folder, return_ids=False):
    """Uppercase letters and digits of the EMNIST sheets in `folder` (or its sub-folders).

    Returns ``(X, y)``, or ``(X, y, ids)`` with ids ``"<split>:<sample>"`` when `return_ids`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder")
    dirs = [folder] + sorted(p for p in folder.iterdir() if p.is_dir())
    parts = [p for d in dirs for p in _emnist_parts(d)]
    if not parts:
        raise DataError(f"{folder}: no EMNIST sheets (*.webp with a json label file)")
    Xs, ys, ids = [], [], []
    for sheet, a, b, js in parts:
        def build(sheet=sheet, a=a, b=b, js=js):
            try:
                masks, y, idx = _load_emnist_sheet(sheet, a, b, js)
            except (OSError, KeyError, IndexError, ValueError) as e:
                raise DataError(f"{sheet}: cannot read EMNIST sheet ({e})") from None
            return {"X": _normalize_masks(list(masks)), "y": y, "idx": idx}

        arr = _cached("emnist", [sheet, js], build)
        Xs.append(arr["X"])
        ys.append(arr["y"])
        ids.append(np.char.add(f"{Path(js).stem}:", arr["idx"].astype(str)))
    X, y, ids = np.concatenate(Xs), np.concatenate(ys), np.concatenate(ids)
    return (X, y, ids) if return_ids else (X, y)


# ----------------------------------------------------------------------------- dispatch

def kind_of(path):
    """What a data path is: "mat", "shared", "emnist", "folder" (or DataError)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if path.is_file():
        if path.suffix.lower() == ".mat":
            return "mat"
        raise DataError(f"{path}: not a .mat file or a folder of labelled crops")
    if (path / "emnist").is_dir() or (path / "photo_chars").is_dir():
        return "shared"
    def sheets(d):
        return any(d.glob("X_*.webp")) and any(d.glob("*.json"))

    if sheets(path) or any(sheets(p) for p in path.iterdir() if p.is_dir()):
        return "emnist"
    if _folder_files(path):
        return "folder"
    raise DataError(f"{path}: neither a .mat file, an EMNIST folder, nor LABEL/*.png crops")


def load_labelled(path):
    """Load any labelled source: a .mat file, LABEL/ crops, EMNIST sheets or the shared data folder."""
    kind = kind_of(path)
    path = Path(path)
    if kind == "mat":
        return load_mat(path)
    if kind == "folder":
        return load_folder(path)
    if kind == "emnist":
        return load_emnist(path)
    parts = []
    if (path / "emnist").is_dir():
        parts.append(load_emnist(path / "emnist"))
    if (path / "photo_chars").is_dir():
        parts.append(load_folder(path / "photo_chars"))
    if not parts:
        return _empty()
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
