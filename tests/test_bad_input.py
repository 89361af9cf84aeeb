"""Bad input never crashes, hangs or corrupts anything: it fails clearly and safely.

Every case goes through the real command line (click's test runner, exceptions not
caught, so a traceback fails the test) and/or through ``ocr.read`` and
``ocr.load.load_image``. Images are generated in ``tmp_path``.

Documented behaviour (README, "Errors and limits"): a bad input gets one line on
stderr naming the file, exit code 1, and the other inputs of a batch are still
read; usage errors exit 2; nothing is written unless it is complete.
"""

import io
import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import ocr
from ocr import CLASSES, mlp
from ocr.errors import ImageError, ModelError
from ocr.load import DEFAULT_MAX_PIXELS, WORK_PIXELS, load_image
from ocr.model import Model, default_meta
from ocr.synth import render_page

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "synthetic_page.png"
LINES = ["HELLO 42", "WORLD"]


# ----------------------------------------------------------------------------- fixtures and helpers

def _bundled():
    try:
        return Model.load()
    except ModelError:
        return None


BUNDLED = _bundled()
#: The bundled (trained) model can check that the text is *right*; a random model
#: (used when the bundled file is absent) can only check that it is the *same*.
needs_trained = pytest.mark.skipif(BUNDLED is None, reason="bundled model models/handocr36.npz is missing")


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A model file for --model: the bundled one, or a small random one when it is missing."""
    if BUNDLED is not None:
        return BUNDLED.path
    sizes = [1024, 32, 36]
    m = Model.from_params(mlp.init_params(sizes, np.random.default_rng(0)), default_meta(sizes, seed=0))
    path = tmp_path_factory.mktemp("model") / "small.npz"
    m.save(path)
    return str(path)


@pytest.fixture(scope="module")
def model(model_file):
    return Model.load(model_file)


@pytest.fixture
def run(model_file):
    """Invoke the CLI; `read`/`boxes`/`eval` get --model unless one is given."""

    def _run(*args, input=None, model=True):
        args = [str(a) for a in args]
        if model and args[0] in ("read", "boxes", "eval") and "--model" not in args:
            args += ["--model", str(model_file)]
        r = CliRunner().invoke(main_cli(), args, input=input, catch_exceptions=False)
        assert "Traceback" not in r.output
        return r

    return _run


def main_cli():
    from ocr.cli import main

    return main


@pytest.fixture(scope="module")
def page_rgb():
    """An upright photographed page (H, W, 3) uint8 with LINES on it."""
    image, text, _ = render_page(LINES, seed=3)
    assert text == "\n".join(LINES)
    return image


def one_error_line(r, path):
    """The run failed with exit 1 and exactly one stderr line that names `path`."""
    assert r.exit_code == 1, (r.exit_code, r.output)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1, err
    assert str(path) in err[0], err
    return err[0]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width=30000, height=30000):
    """A 60-byte PNG whose header claims width x height 8-bit grey pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))


def jpeg_bomb(width=30000, height=30000):
    """A small real JPEG whose frame header (SOF0) is patched to claim width x height."""
    buf = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    i = data.index(b"\xff\xc0")  # SOF0: marker, length(2), precision(1), height(2), width(2)
    data[i + 5:i + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# ----------------------------------------------------------------------------- bad images: refused

def _jpeg_bytes(page_rgb):
    buf = io.BytesIO()
    Image.fromarray(page_rgb).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


BAD_FILES = {
    # name: (how to make it, words expected in the error)
    "empty.jpg": (lambda page: b"", "empty file"),
    "truncated.jpg": (lambda page: _jpeg_bytes(page)[:5000], "image"),
    "notes.jpg": (lambda page: b"Buy milk\nCall Jo at 7\n", "not a readable image"),
    "bomb.png": (lambda page: png_bomb(), "megapixels"),
    "bomb.jpg": (lambda page: jpeg_bomb(), "megapixels"),
    "huge_claim.png": (lambda page: png_bomb(200_000, 200_000), "megapixels"),
    "zero_size.png": (lambda page: png_bomb(0, 0), "image"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_image_file_one_line_error(run, tmp_path, page_rgb, name):
    make, words = BAD_FILES[name]
    p = tmp_path / name
    p.write_bytes(make(page_rgb))
    r = run("read", p)
    line = one_error_line(r, p)
    assert words in line
    assert r.stdout == ""
    with pytest.raises(ImageError, match=words):
        load_image(p)


def test_directory_and_missing_path(run, model_file, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()  # a folder without images
    r = run("read", folder)
    assert "directory" in one_error_line(r, folder)
    missing = tmp_path / "nope.jpg"
    r = run("read", missing)
    assert "no such file" in one_error_line(r, missing)
    r = run("read", str(tmp_path / "*.png"))  # a glob that matches nothing
    assert "no such file" in one_error_line(r, tmp_path / "*.png")
    with pytest.raises(ImageError, match="directory"):
        ocr.read(folder, model=model_file)


def test_output_in_a_missing_folder_is_one_line_and_nothing_is_read(run, tmp_path, page_rgb):
    photo = tmp_path / "page.png"
    Image.fromarray(page_rgb).save(photo)
    missing = tmp_path / "no" / "out.txt"
    r = run("read", photo, "-o", missing)
    assert "does not exist" in one_error_line(r, missing)
    r = run("boxes", photo, "-o", missing.with_suffix(".png"))
    assert "does not exist" in one_error_line(r, missing.with_suffix(".png"))
    r = run("boxes", photo, "-o", tmp_path / "ok.png", "--crops", missing.with_suffix(".png"))
    assert "does not exist" in one_error_line(r, missing.with_suffix(".png"))
    r = run("enroll", "--template", "-o", missing.with_suffix(".pdf"))
    assert "does not exist" in one_error_line(r, missing.with_suffix(".pdf"))
    assert sorted(os.listdir(tmp_path)) == ["page.png"]  # boxes stopped before its overlay


def test_output_under_a_file_is_one_line(run, tmp_path, page_rgb):
    photo = tmp_path / "page.png"
    Image.fromarray(page_rgb).save(photo)
    under = photo / "out.txt"  # a "folder" that is a file: the write itself fails
    r = run("read", photo, "-o", under)
    assert one_error_line(r, under)
    assert sorted(os.listdir(tmp_path)) == ["page.png"]


def test_empty_stdin(run):
    r = run("read", "-", input=b"")
    assert "empty file" in one_error_line(r, "<stdin>")


def test_bomb_refused_before_decoding(model):
    """The claimed size is checked on the header alone: a 30000x30000 claim returns an
    error at once (decoding it would need 900 MB), also through ocr.read and for bytes."""
    data = png_bomb()
    assert len(data) < 100
    with pytest.raises(ImageError, match="30000x30000 = 900 megapixels"):
        load_image(data, name="bomb.png")
    with pytest.raises(ImageError, match="megapixels"):
        ocr.read(jpeg_bomb(), model=model, name="bomb.jpg")
    # Pillow's own (lower) bomb limit does not get in first: our limit and message apply
    with pytest.raises(ImageError, match="more than --max-pixels"):
        load_image(png_bomb(20000, 10000), max_pixels=150_000_000)


def test_max_pixels_option(run, tmp_path):
    r = run("read", SAMPLE, "--max-pixels", 1000)
    assert "--max-pixels" in one_error_line(r, SAMPLE)
    r = run("read", SAMPLE, "--max-pixels", 0)
    assert r.exit_code == 2  # usage error
    assert DEFAULT_MAX_PIXELS == 100_000_000


def test_large_photo_is_downscaled_not_refused(run, tmp_path, page_rgb):
    """A 17-megapixel photo (as big as a phone's) is reduced while decoding: JPEG in
    libjpeg's draft mode, other formats by whole-factor averaging in Pillow."""
    small = Image.fromarray(page_rgb).convert("L")
    big = small.resize((small.width * 10, small.height * 10), Image.BILINEAR)
    assert big.width * big.height > 4 * WORK_PIXELS
    for ext in ("png", "jpg"):
        p = tmp_path / f"big.{ext}"
        big.save(p, compress_level=1) if ext == "png" else big.save(p)
        loaded = load_image(p)
        assert loaded.size == big.size
        assert loaded.grey.size <= WORK_PIXELS
        r = run("read", p, "--format", "json")
        assert r.exit_code == 0
        doc = json.loads(r.stdout)
        assert (doc["width"], doc["height"]) == big.size
        assert doc["text"].strip()
        if BUNDLED is not None:
            assert doc["text"] == "\n".join(LINES)


# ----------------------------------------------------------------------------- bad images: the right result

@pytest.mark.parametrize("mode, colour, size", [
    ("L", 0, (1, 1)), ("L", 255, (1, 1)), ("RGB", (0, 0, 0), (200, 3)), ("RGB", (0, 0, 0), (5, 40)),
    ("1", 1, (15, 15)),
])
def test_tiny_images_read_as_no_text(run, model, tmp_path, mode, colour, size):
    p = tmp_path / "tiny.png"
    Image.new(mode, size, colour).save(p)
    r = run("read", p)
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    page = ocr.read(p, model=model)
    assert page.text == "" and (page.width, page.height) == size
    out = tmp_path / "o.png"
    assert run("boxes", p, "-o", out).exit_code == 0 and out.exists()


def test_tall_narrow_image(model, run, tmp_path):
    """Thinner than the background estimate's block, even after the working rescale."""
    page = ocr.read(np.zeros((200, 3), np.uint8), model=model)
    assert page.text == ""
    p = tmp_path / "strip.png"
    Image.new("L", (3, 200), 0).save(p)
    for cmd in (["read", p], ["boxes", p, "-o", tmp_path / "o.png"]):
        assert run(*cmd).exit_code == 0


@pytest.mark.parametrize("colour", [255, 0])
def test_blank_white_and_black_pages(run, tmp_path, colour):
    p = tmp_path / f"page{colour}.jpg"
    Image.new("RGB", (1200, 900), (colour,) * 3).save(p)
    r = run("read", p)
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    r = run("read", p, "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["text"] == "" and doc["lines"] == []
    assert (doc["width"], doc["height"]) == (1200, 900)


def _variants(page_rgb):
    """The same page in every pixel format handocr must read."""
    im = Image.fromarray(page_rgb)
    grey = np.asarray(im.convert("L"))
    a = np.dstack([page_rgb, np.full(page_rgb.shape[:2], 255, np.uint8)])
    # RGBA with *transparent black* paper and opaque ink: read as black it would be all ink
    ink = grey < 160
    rgba_transparent = np.zeros(a.shape, np.uint8)
    rgba_transparent[ink] = a[ink]
    return {
        "rgb.png": (im, {}),
        "grey16.png": (Image.fromarray(grey.astype(np.uint16) * 257), {}),
        "rgba.png": (Image.fromarray(a), {}),
        "rgba_transparent.png": (Image.fromarray(rgba_transparent), {}),
        "palette.png": (im.convert("P", palette=Image.ADAPTIVE, colors=64), {}),
        "palette.gif": (im.convert("P"), {}),
        "grey_alpha.png": (Image.fromarray(grey).convert("LA"), {}),
        "cmyk.jpg": (im.convert("CMYK"), {"quality": 95}),
        "cmyk.tif": (im.convert("CMYK"), {}),
        "bilevel.png": (Image.fromarray(grey > 160), {}),
        "rgb.webp": (im, {"lossless": True}),
        "rgb.bmp": (im, {}),
    }


def test_image_modes_read_like_the_rgb_page(run, tmp_path, page_rgb):
    variants = _variants(page_rgb)
    texts = {}
    for name, (im, kw) in variants.items():
        p = tmp_path / name
        im.save(p, **kw)
        assert Image.open(p).mode == im.mode or name.endswith((".gif", ".webp"))
        r = run("read", p)
        assert r.exit_code == 0 and r.stderr == "", (name, r.output)
        texts[name] = r.stdout.rstrip("\n")
        assert texts[name].strip(), name
    assert texts["grey16.png"] == texts["rgb.png"]
    assert texts["rgba.png"] == texts["rgb.png"]
    if BUNDLED is not None:
        assert all(t == "\n".join(LINES) for t in texts.values()), texts


def test_heic_photo_reads_like_the_png(run, tmp_path, page_rgb):
    """An iPhone's HEIC photo, read through the optional pillow-heif."""
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif (handocr[heif]) not installed")
    pillow_heif.register_heif_opener()
    ref, p = tmp_path / "page.png", tmp_path / "IMG_0001.HEIC"
    Image.fromarray(page_rgb).save(ref)
    Image.fromarray(page_rgb).save(p, format="HEIF", quality=90)
    assert p.read_bytes()[4:12] == b"ftypheic"
    r = run("read", p)
    assert r.exit_code == 0 and r.stderr == "", r.output
    assert r.stdout.strip() and r.stdout == run("read", ref).stdout


def test_heic_without_pillow_heif_says_what_to_install(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "IMG_0002.HEIC"
    p.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    # a fresh process, so that no earlier test has taught Pillow the format
    code = ("import sys; sys.modules['pillow_heif'] = None; from ocr.cli import run; "
            f"sys.argv = ['handocr', 'read', {str(p)!r}]; run()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout == ""
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and str(p) in err[0] and "pillow-heif" in err[0], err


# EXIF orientation -> the transpose Pillow applies to make the picture upright; a
# camera stores the picture with the *inverse* of that transpose.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}
_INVERSE = {Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
            Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270}


def _stored_with_exif(upright, orientation, path, **kw):
    t = _UPRIGHT[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    upright.transpose(_INVERSE.get(t, t)).save(path, exif=exif, **kw)


def test_exif_orientation_reads_like_the_upright_photo(run, tmp_path, page_rgb):
    upright = Image.fromarray(page_rgb)
    ref = tmp_path / "upright.png"
    upright.save(ref)
    want = json.loads(run("read", ref, "--format", "json").stdout)
    assert want["text"].strip()
    for o in _UPRIGHT:
        p = tmp_path / f"exif{o}.png"
        _stored_with_exif(upright, o, p)
        assert Image.open(p).getexif()[0x0112] == o
        assert Image.open(p).size != upright.size or o in (2, 3, 4)
        r = run("read", p, "--format", "json")
        assert r.exit_code == 0, r.output
        got = json.loads(r.stdout)
        # lossless: the same text, and every box in the same place of the upright page
        assert got["text"] == want["text"], o
        assert (got["width"], got["height"]) == upright.size
        assert got["lines"] == want["lines"], o


@needs_trained
def test_exif_orientation_jpeg_photo(run, tmp_path, page_rgb):
    """A phone photo: JPEG stored sideways with orientation 6 (the usual portrait shot)."""
    upright = Image.fromarray(page_rgb)
    ref = tmp_path / "upright.jpg"
    upright.save(ref, quality=92)
    p = tmp_path / "sideways.jpg"
    _stored_with_exif(upright, 6, p, quality=92)
    a, b = run("read", ref), run("read", p)
    assert a.exit_code == b.exit_code == 0
    assert b.stdout == a.stdout == "\n".join(LINES) + "\n"


# ----------------------------------------------------------------------------- batches

def test_batch_reports_bad_files_and_reads_the_rest(run, tmp_path, page_rgb):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(page_rgb).save(src / "a_good.png")
    (src / "b_text.jpg").write_text("not a photo")
    (src / "c_empty.png").write_bytes(b"")
    (src / "d_bomb.png").write_bytes(png_bomb())
    Image.fromarray(page_rgb).save(src / "e_good.jpg", quality=95)
    bad = ["b_text.jpg", "c_empty.png", "d_bomb.png"]
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        r = run("read", src, "-o", out, "-j", jobs)
        assert r.exit_code == 1
        assert sorted(p.name for p in out.iterdir()) == ["a_good.txt", "e_good.txt"]
        assert all(p.read_text().strip() for p in out.iterdir())
        err = r.stderr.strip().splitlines()
        for b in bad:
            assert sum(b in line for line in err if line.startswith("handocr: error:")) == 1
        assert "3 of 5 inputs failed" in err[-1]
    # to stdout: the good pages, each under its header
    r = run("read", src, "-j", 1)
    assert r.exit_code == 1 and r.stdout.count("==> ") == 2


def test_load_ahead_gives_each_image_or_its_error_in_order(tmp_path, page_rgb):
    from ocr.load import LoadAhead

    good = tmp_path / "good.png"
    Image.fromarray(page_rgb).save(good)
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo")
    data = good.read_bytes()
    ahead = LoadAhead([(good, "good.png"), (bad, "bad.jpg"), (data, "<stdin>")], max_pixels=10**8)
    first = ahead.take()
    assert first.name == "good.png"
    np.testing.assert_array_equal(first.grey, load_image(good).grey)
    with pytest.raises(ImageError, match="bad.jpg: not a readable image"):
        ahead.take()
    third = ahead.take()  # an error does not stop the images after it
    assert third.name == "<stdin>" and third.size == first.size
    np.testing.assert_array_equal(third.grey, first.grey)
    with pytest.raises(IndexError):
        ahead.take()


def test_unexpected_error_in_one_file_does_not_stop_the_batch(run, model_file, tmp_path, page_rgb, monkeypatch):
    """Defence in depth: even a bug (any exception) costs only the file it happens on."""
    import ocr.pipeline

    good, poison = tmp_path / "good.png", tmp_path / "poison.png"
    Image.fromarray(page_rgb).save(good)
    Image.fromarray(page_rgb[:, ::-1].copy()).save(poison)
    real = ocr.pipeline.analyse

    def analyse(grey):
        if grey[:, : grey.shape[1] // 2].mean() > grey[:, grey.shape[1] // 2:].mean() + 0.001:
            raise RuntimeError("boom\nsecond line")
        return real(grey)

    page = ocr.read(good, model=model_file)  # the good page is darker on the left (text starts there)
    assert page.text
    monkeypatch.setattr(ocr.pipeline, "analyse", analyse)
    r = run("read", good, poison, "-j", 1)
    assert r.exit_code == 1
    assert r.stdout == page.text + "\n"  # the one page that was read, as a single page
    line = next(x for x in r.stderr.splitlines() if x.startswith("handocr: error:"))
    assert str(poison) in line and "RuntimeError: boom" in line and "second line" not in r.stderr


# ----------------------------------------------------------------------------- models

def _model_arrays(hidden=8):
    sizes = [1024, hidden, 36]
    return mlp.init_params(sizes, np.random.default_rng(0)), default_meta(sizes)


def _npz(path, meta, **arrays):
    if meta is not None:
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


class _Payload:
    """Unpickling this would create a folder: proof that a pickle was executed."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _bad_models(tmp_path):
    params, meta = _model_arrays()
    good = tmp_path / "good.npz"
    Model.from_params(params, meta).save(good)
    data = good.read_bytes()
    out = {}

    def put(name, words, write):
        p = tmp_path / name
        write(p)
        out[name] = (p, words)

    put("garbage.npz", "not a handocr model", lambda p: p.write_bytes(b"\x00garbage" * 100))
    put("empty.npz", "not a handocr model", lambda p: p.write_bytes(b""))
    put("truncated.npz", "", lambda p: p.write_bytes(data[: len(data) // 2]))
    put("wrong_shape.npz", "shape", lambda p: _npz(p, meta, **dict(params, W2=np.zeros((8, 30), np.float32))))
    put("wrong_classes.npz", "classes", lambda p: _npz(p, dict(meta, classes=CLASSES[:30]), **params))
    put("dup_classes.npz", "classes", lambda p: _npz(p, dict(meta, classes="A" * 36), **params))
    put("no_version.npz", "format_version", lambda p: _npz(p, {k: v for k, v in meta.items()
                                                                if k != "format_version"}, **params))
    put("newer.npz", "newer", lambda p: _npz(p, dict(meta, format_version=99), **params))
    put("no_meta.npz", "no 'meta'", lambda p: _npz(p, None, **params))
    put("nan.npz", "NaN", lambda p: _npz(p, meta, **dict(params, b1=np.full(8, np.nan, np.float32))))
    marker = str(tmp_path / "PWNED")
    put("pickle.npz", "pickle", lambda p: _npz(p, meta, **dict(params, W1=np.array([_Payload(marker)] * 2,
                                                                                    dtype=object))))
    put("pickle_meta.npz", "meta", lambda p: np.savez(p, meta=np.array([_Payload(marker)], dtype=object),
                                                      **params))
    put("a_folder.npz", "folder", lambda p: p.mkdir())
    return out, marker


def test_bad_models_refused_by_every_command(run, tmp_path):
    models, marker = _bad_models(tmp_path)
    img = tmp_path / "page.png"
    Image.new("L", (64, 64), 255).save(img)
    text = tmp_path / "page.txt"
    text.write_text("A\n")
    for name, (path, words) in models.items():
        with pytest.raises(ModelError) as e:
            Model.load(path)
        assert str(path) in str(e.value) and words in str(e.value), (name, str(e.value))
        for cmd in (["read", img, "--model", path], ["boxes", img, "-o", tmp_path / "o.png", "--model", path],
                    ["eval", img, "--model", path], ["combine", path, "-o", tmp_path / "o.npz"],
                    ["enroll", img, "--text", text, "-o", tmp_path / "o.npz", "--model", path]):
            r = run(*cmd)
            if path.is_dir():  # a model is a file: a folder is a usage error (exit 2)
                assert r.exit_code == 2 and "is a directory" in r.stderr
            else:
                line = one_error_line(r, path)
                assert words in line, (name, line)
            assert r.stdout == ""
        assert not (tmp_path / "o.png").exists() and not (tmp_path / "o.npz").exists()
        with pytest.raises(ModelError):
            ocr.read(img, model=str(path))
    assert not os.path.exists(marker), "a pickle in a model file was executed"
    assert run("read", img, "--model", tmp_path / "missing.npz").exit_code == 1


def test_model_never_loaded_with_pickles_allowed(monkeypatch, model_file, tmp_path):
    calls = []
    real = np.load

    def spy(*a, **k):
        calls.append(k.get("allow_pickle", False))
        return real(*a, **k)

    monkeypatch.setattr(np, "load", spy)
    Model.load(model_file)
    if BUNDLED is not None:
        Model.load()
    # stored (not deflated) files are read without np.load (ocr.model._stored_arrays),
    # which refuses object arrays itself; a deflated one goes through np.load
    params, meta = _model_arrays()
    deflated = tmp_path / "deflated.npz"
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(deflated, meta=blob, **params)
    Model.load(deflated)
    assert calls and not any(calls)


def test_model_file_records_format_version_and_classes(tmp_path):
    params, meta = _model_arrays()
    p = tmp_path / "m.npz"
    Model.from_params(params, meta).save(p)
    with np.load(p, allow_pickle=False) as z:
        stored = json.loads(z["meta"].tobytes().decode())
        assert set(z.files) == {"meta", "W1", "b1", "W2", "b2"}
    assert stored["format"] == "handocr-mlp" and stored["format_version"] == 1
    assert stored["classes"] == CLASSES and stored["layers"] == [1024, 8, 36]


# ----------------------------------------------------------------------------- writes

class _Interrupted:
    """An open() for ocr.atomic whose N-th file gets half its bytes, then Ctrl-C."""

    def __init__(self, n):
        self.n, self.count = n, 0

    def __call__(self, path, mode="r", *a, **k):
        f = open(path, mode, *a, **k)
        if "w" not in mode:
            return f
        self.count += 1
        if self.count != self.n:
            return f
        real_write = f.write

        def write(data):
            real_write(data[: len(data) // 2])
            f.flush()
            raise KeyboardInterrupt

        f.write = write
        return f


def test_ctrl_c_while_writing_a_batch_leaves_no_partial_file(run, tmp_path, page_rgb, monkeypatch):
    import ocr.atomic

    for k in "abc":
        Image.fromarray(page_rgb).save(tmp_path / f"{k}.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.json").write_text("old result\n")  # an earlier run's output, to be kept whole
    clean = run("read", tmp_path / "a.png", "--format", "json").stdout
    monkeypatch.setattr(ocr.atomic, "open", _Interrupted(2), raising=False)
    r = run("read", tmp_path, "-o", out, "--format", "json", "-j", 1)
    assert r.exit_code != 0  # click turns Ctrl-C into "Aborted!", exit 1
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]  # no temporary, no c.json
    assert (out / "b.json").read_text() == "old result\n"
    a = json.loads((out / "a.json").read_text())
    assert a["text"] == json.loads(clean)["text"]


def test_ctrl_c_while_writing_single_output_and_overlay(run, tmp_path, monkeypatch):
    import ocr.atomic

    out = tmp_path / "o.txt"
    monkeypatch.setattr(ocr.atomic, "open", _Interrupted(1), raising=False)
    r = run("read", SAMPLE, "-o", out)
    assert r.exit_code != 0
    assert os.listdir(tmp_path) == []
    monkeypatch.undo()

    def save(self, fp, *a, **k):
        with open(fp, "wb") as f:
            f.write(b"\x89PNG partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", save)
    r = run("boxes", SAMPLE, "-o", tmp_path / "overlay.png")
    assert r.exit_code != 0
    assert os.listdir(tmp_path) == []


def test_cli_train_ctrl_c_keeps_old_model_and_resumes(tmp_path, monkeypatch):
    """Ctrl-C mid-training: the previous model file is untouched, the last checkpoint is
    whole, and --resume from it gives the same weights as an uninterrupted run."""
    from ocr import train as train_mod

    data = tmp_path / "data"
    rng = np.random.default_rng(0)
    for c in "LTX":
        (data / c).mkdir(parents=True)
        for i in range(12):
            g = np.full((40, 40), 220, np.uint8)
            if c == "L":
                g[5:35, 8:13] = 30
                g[30:35, 8:30] = 30
            elif c == "T":
                g[5:10, 6:34] = 30
                g[5:35, 18:23] = 30
            else:
                np.fill_diagonal(g[5:35, 5:35], 30)
                np.fill_diagonal(g[5:35, 5:35][:, ::-1], 30)
            g = np.clip(g + rng.normal(0, 4, g.shape), 0, 255).astype(np.uint8)
            Image.fromarray(g).save(data / c / f"{i}.png")
    args = ["train", str(data), "--epochs", "3", "--hidden", "8", "--batch-size", "8", "--seed", "5", "-q"]
    cli = main_cli()
    full = tmp_path / "full.npz"
    assert CliRunner().invoke(cli, args + ["-o", str(full)], catch_exceptions=False).exit_code == 0

    out, ck = tmp_path / "m.npz", tmp_path / "m.ckpt"
    out.write_bytes(b"previous model")
    real = train_mod.augment

    def augment(*a, **k):
        if ck.exists():  # the first epoch is done and checkpointed: Ctrl-C in the second
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(train_mod, "augment", augment)
    r = CliRunner().invoke(cli, args + ["-o", str(out), "--checkpoint", str(ck)])
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert out.read_bytes() == b"previous model"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".handocr-")]
    monkeypatch.undo()
    r = CliRunner().invoke(cli, args + ["-o", str(out), "--resume", str(ck)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    a, b = Model.load(full), Model.load(out)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])


# ----------------------------------------------------------------------------- determinism

def test_same_input_same_output_byte_for_byte(run, tmp_path, page_rgb, model):
    p = tmp_path / "page.jpg"
    Image.fromarray(page_rgb).save(p, quality=90)
    for fmt in ("json", "tsv", "hocr", "text"):
        outs = {run("read", p, "--format", fmt, "-j", 1).stdout_bytes for _ in range(2)}
        assert len(outs) == 1, fmt
    # a batch gives the same bytes whether read in one process or in parallel
    q = tmp_path / "copy.png"
    Image.fromarray(page_rgb).save(q)
    one = run("read", p, q, "--format", "json", "-j", 1).stdout_bytes
    two = run("read", p, q, "--format", "json", "-j", 2).stdout_bytes
    assert one == two
    # and the API: the same page from the file, from its bytes and from a fresh model
    a = ocr.read(p, model=model).to_json()
    b = ocr.read(p.read_bytes(), model=Model.load(model.path), name=str(p)).to_json()
    assert a == b


# ----------------------------------------------------------------------------- fuzzing

def _seed_files():
    """Small valid image files of several formats, to be mutated."""
    rng = np.random.default_rng(1)
    a = (rng.random((24, 40)) * 255).astype(np.uint8)
    out = []
    for fmt, mode in [("PNG", "L"), ("JPEG", "RGB"), ("GIF", "P"), ("BMP", "RGB"), ("TIFF", "CMYK"),
                      ("PNG", "RGBA"), ("WEBP", "RGB"), ("PNG", "I;16")]:
        im = Image.fromarray(a).convert(mode) if mode != "I;16" else Image.fromarray(a.astype(np.uint16) * 257)
        buf = io.BytesIO()
        im.save(buf, format=fmt)
        out.append(buf.getvalue())
    return out


SEEDS = _seed_files()
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _loads_or_refuses(data, **kw):
    try:
        loaded = load_image(data, name="fuzz.jpg", **kw)
    except ImageError as e:
        assert str(e).startswith("fuzz.jpg: ") and "\n" not in str(e)
        return None
    g = loaded.grey
    assert g.dtype == np.float32 and g.ndim == 2 and g.size > 0
    assert np.isfinite(g).all() and g.min() >= 0 and g.max() <= 1
    return loaded


@FUZZ
@given(st.binary(max_size=512))
def test_fuzz_random_bytes(data):
    _loads_or_refuses(data)


@FUZZ
@given(st.sampled_from(range(len(SEEDS))), st.data())
def test_fuzz_mutated_image_files(model, k, data):
    """Valid files with bytes overwritten, cut short or with junk inserted: the loader and
    the pipeline either work or raise the documented errors."""
    blob = bytearray(SEEDS[k])
    for _ in range(data.draw(st.integers(1, 4))):
        how = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        i = data.draw(st.integers(0, len(blob) - 1))
        if how == "flip":
            blob[i] = data.draw(st.integers(0, 255))
        elif how == "cut":
            del blob[i:]
        else:
            blob[i:i] = data.draw(st.binary(min_size=1, max_size=16))
        if not blob:
            break
    loaded = _loads_or_refuses(bytes(blob), max_pixels=4_000_000)
    if loaded is not None:
        page = ocr.read(loaded, model=model)
        assert isinstance(page.text, str)


_dtypes = st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, np.bool_, np.int32])


@FUZZ
@given(st.integers(1, 48), st.integers(1, 48), st.sampled_from([None, 3, 4]), _dtypes, st.data())
def test_fuzz_small_arrays_through_the_pipeline(model, h, w, channels, dtype, data):
    shape = (h, w) if channels is None else (h, w, channels)
    kind = data.draw(st.sampled_from(["random", "blocks", "constant", "special"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    if kind == "random":
        a = rng.random(shape)
    elif kind == "blocks":  # dark rectangles on light paper: something letter-like to segment
        a = np.full(shape, 0.9)
        for _ in range(rng.integers(1, 6)):
            y, x = rng.integers(0, h), rng.integers(0, w)
            a[y:y + rng.integers(1, 20), x:x + rng.integers(1, 6)] = 0.1
    elif kind == "constant":
        a = np.full(shape, rng.choice([0.0, 0.5, 1.0]))
    else:  # out of range and non-finite values
        a = rng.choice([np.nan, np.inf, -np.inf, -3.0, 7.0, 0.2], size=shape)
    if dtype == np.bool_:
        a = np.nan_to_num(a) > 0.5
    elif np.issubdtype(dtype, np.integer):
        top = np.iinfo(dtype).max if dtype != np.int32 else 65535
        a = (np.clip(np.nan_to_num(a), 0, 1) * top).astype(dtype)
    else:
        a = a.astype(dtype)
    page = ocr.read(a, model=model)  # every numeric (H, W[, 3|4]) array is an image
    assert isinstance(page.text, str)
    assert set(page.text) <= set(CLASSES + " \n")


@pytest.mark.parametrize("a", [np.zeros((0, 5)), np.zeros((5, 5, 2)), np.zeros((2, 3, 4, 5)),
                               np.array([["a", "b"]]), np.zeros((4, 4), complex), np.array(3.0)])
def test_arrays_that_are_not_images_are_refused(a, model):
    with pytest.raises(ImageError, match="<array>"):
        ocr.read(a, model=model)
