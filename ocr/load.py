"""Stage 1: load an image file as a greyscale float array, upright and size-guarded.

Any image Pillow reads (JPEG, PNG, TIFF, WebP, BMP, GIF; grey, RGB, RGBA, palette,
CMYK, 16-bit; HEIC/HEIF phone photos too when the optional ``pillow-heif`` is
installed, ``pip install 'handocr[heif]'``) becomes a ``(H, W)`` float32 array in [0, 1] with 1 for white. EXIF
orientation is applied; a dithered image (a 1-bit or palette one, its greys made of
scattered dots) has them smoothed back into greys. Images larger than the working resolution are reduced
while decoding (JPEG draft mode) and then resampled, so a 12-megapixel photo
costs about as much as a 2-megapixel one; images that claim more pixels than
``max_pixels`` are refused before they are decoded (decompression bombs). A
multi-page TIFF (a scanner's pages) is read page by page: :func:`page_count`,
``load_image(..., page=k)``; any other file with several frames (an animated GIF or
WebP, a camera's MPO) is read as its first frame.

numpy is imported inside the functions that use it: :class:`LoadAhead` starts
decoding the first image while the rest of the program is still importing.
"""

import io
import os
import warnings
from dataclasses import dataclass

from .errors import ImageError

#: Largest image (width * height, as the file claims) that is decoded at all.
DEFAULT_MAX_PIXELS = 100_000_000
#: Images are decoded and kept with at most this many pixels (about 2300 x 1700);
#: the pipeline then scales them to its working letter height.
WORK_PIXELS = 4_000_000
#: Smaller images are padded (repeating their edge) up to this many pixels a side
#: (the paper estimate works on 16-pixel blocks); such an image holds no readable text.
MIN_SIDE = 16


@dataclass(frozen=True)
class Loaded:
    """A loaded page: the working greyscale image and how it maps to the original.

    Attributes
    ----------
    pixels : (H, W) uint8 or float32 ndarray
        Working image as decoded: uint8 (255 = white) for 8-bit images, float32
        in [0, 1] (1 = white) for deeper ones and for arrays. Kept in 8 bits so
        that the pipeline's first resampling moves a quarter of the bytes.
    grey : (H, W) float32 ndarray
        ``pixels`` in [0, 1], 1 = white paper (made on each access).
    size : tuple of int
        ``(width, height)`` of the original image, after EXIF rotation.
    scale : float
        Working pixels per original pixel (<= 1). Original coordinates are
        working coordinates divided by `scale`.
    name : str
        The file name, or ``"<array>"`` / ``"<stdin>"``.
    """

    pixels: "np.ndarray"  # noqa: F821 (numpy is imported where it is used)
    size: tuple
    scale: float
    name: str

    @property
    def grey(self):
        return as_float(self.pixels)


def as_float(grey):
    """A grey image as float32 in [0, 1].

    Parameters
    ----------
    grey : (H, W) uint8 or float ndarray
        uint8 is divided by 255; floats are taken to be in [0, 1] already.

    Returns
    -------
    grey : (H, W) float32 ndarray
    """
    import numpy as np

    if grey.dtype == np.uint8:
        # One pass (float32 division, as x / 255.0 on a float32 array).
        return np.divide(grey, np.float32(255), dtype=np.float32)
    return np.asarray(grey, dtype=np.float32)


#: Modes that Image.reduce averages correctly (not palette indices or bit planes).
_REDUCIBLE = ("L", "LA", "RGB", "RGBA", "CMYK", "YCbCr", "I", "F")


def _open(source, name):
    from PIL import Image

    try:
        if isinstance(source, (bytes, bytearray)):
            if not source:
                raise ImageError(f"{name}: empty file")
            fp = io.BytesIO(source)
        else:
            if os.path.isdir(source):
                raise ImageError(f"{name}: is a directory, not an image")
            if not os.path.exists(source):
                raise ImageError(f"{name}: no such file")
            if os.path.getsize(source) == 0:
                raise ImageError(f"{name}: empty file")
            fp = source
        # Pillow's own bomb limit would refuse big images before our max_pixels check
        # (and with its message): load_image checks the claimed size itself.
        Image.MAX_IMAGE_PIXELS = None
        try:
            return Image.open(fp)
        except Image.UnidentifiedImageError:
            if not _is_heif(source) or not _register_heif(name):
                raise
            return Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    except ImageError:
        raise
    except Image.DecompressionBombError as e:
        raise ImageError(f"{name}: image too large ({e})") from None
    except (OSError, ValueError, SyntaxError) as e:
        raise ImageError(f"{name}: not a readable image ({_short(e)})") from None


#: ISO-BMFF brands of HEIF still images (iPhone photos are "heic").
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def _is_heif(source):
    """Does the file start like a HEIF image (an ``ftyp`` box with a HEIF brand)?"""
    if isinstance(source, (bytes, bytearray)):
        head = bytes(source[:12])
    else:
        with open(source, "rb") as f:
            head = f.read(12)
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _register_heif(name):
    """Teach Pillow HEIF with pillow-heif; a one-line error when it is not installed."""
    try:
        import pillow_heif
    except ImportError:
        raise ImageError(f"{name}: HEIC/HEIF photo, which needs pillow-heif "
                         "(pip install 'handocr[heif]'), or save it as JPEG") from None
    pillow_heif.register_heif_opener()
    return True


def _file_size(source):
    return len(source) if isinstance(source, (bytes, bytearray)) else os.path.getsize(source)


def _short(e):
    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
    return msg[:160]


def _to_grey_array(im, work_pixels=None):
    """Pillow image (any mode) to a grey array, transparency composited on white.

    8-bit images give uint8 (shrunk by a box filter to at most `work_pixels`);
    16-bit and floating-point ones give float32 in [0, 1].
    """
    import numpy as np
    from PIL import Image

    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(im).astype(np.float32)  # in place from here: big 16-bit scans
        if mode == "F":
            lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        else:
            lo, hi = 0.0, 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        a -= lo
        a /= max(hi - lo, 1e-12)
        np.nan_to_num(a, copy=False, nan=1.0)
        return np.clip(a, 0, 1, out=a)
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or im.mode == "RGBA":
        im = im.convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im)
    if im.mode != "L":
        im = im.convert("RGB").convert("L")
    w, h = im.size
    if work_pixels and w * h > work_pixels:
        f = (work_pixels / (w * h)) ** 0.5
        im = im.resize((max(1, round(w * f)), max(1, round(h * f))), Image.BOX)
    return np.asarray(im)


def page_count(source):
    """How many pages an image file holds: its frames for a TIFF, else 1.

    Only a TIFF's frames are pages (a scanner's multi-page document); the frames of
    an animated GIF or WebP, or a camera's MPO preview, are not. A file that cannot
    be opened counts as one page, so that :func:`load_image` reports its problem.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A file path or the bytes of an image file.

    Returns
    -------
    int
    """
    from PIL import Image

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as im:
            return _pages(im)
    except Exception:  # any failure is load_image's to report, with its message
        return 1


def load_image(source, max_pixels=DEFAULT_MAX_PIXELS, work_pixels=WORK_PIXELS, name=None, page=0):
    """Load an image and return its working greyscale version.

    Parameters
    ----------
    source : str, os.PathLike, bytes or ndarray
        A file path, the bytes of an image file, or an array: ``(H, W)`` grey or
        ``(H, W, 3|4)`` colour, uint8/uint16 or float in [0, 1].
    max_pixels : int
        Refuse images whose header claims more pixels than this.
    work_pixels : int or None
        Downscale so that the working image has at most this many pixels
        (None keeps full resolution).
    name : str, optional
        Name used in error messages (defaults to the path).
    page : int
        Which page of a multi-page TIFF (0 = the first; :func:`page_count`).

    Returns
    -------
    Loaded

    Raises
    ------
    ImageError
        If the file is missing, not an image, truncated, too large or empty, or
        has no such page.
    """
    if not isinstance(source, (str, bytes, bytearray, os.PathLike)):
        return _from_array(source, work_pixels, name or "<array>")
    if not isinstance(source, (bytes, bytearray)):
        source = os.fspath(source)
        name = name or source
    name = name or "<bytes>"
    from PIL import Image

    im = _open(source, name)
    try:
        if page:
            _seek_page(im, page, name)
        w, h = im.size
        if w < 1 or h < 1:
            raise ImageError(f"{name}: image has no pixels ({w}x{h})")
        if w * h > max_pixels:
            raise ImageError(
                f"{name}: image claims {w}x{h} = {w * h / 1e6:.0f} megapixels, "
                f"more than --max-pixels {max_pixels / 1e6:.0f} megapixels"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            orientation = im.getexif().get(0x0112, 1) if hasattr(im, "getexif") else 1
            if im.format == "JPEG" and im.mode in ("L", "RGB"):
                # libjpeg decodes straight to grey (its Y channel) and, for big photos,
                # at 1/2, 1/4 or 1/8 scale: much faster than full size in colour.
                # Any reduction that keeps at least half the working width will do.
                f = max(1.0, 1.5 * (w * h / work_pixels) ** 0.5) if work_pixels else 1.0
                im.draft("L", (int(w / f), int(h / f)))
            # One read and one decoder call for the whole file: decoding releases the
            # GIL, and in 64 KB blocks a busy other thread would make each block wait
            # for the GIL again (LoadAhead decodes while the main thread works).
            im.decodermaxblock = max(im.decodermaxblock, min(_file_size(source), 1 << 26))
            im.load()
            dw, dh = im.size  # as decoded: JPEGs may already be reduced
            if work_pixels and dw * dh >= 4 * work_pixels:
                # Big non-JPEG images: area-average by a whole factor in Pillow, before
                # the float copies, so memory stays a few bytes per claimed pixel.
                if im.mode == "1" or (im.mode == "P" and "transparency" not in im.info):
                    im = im.convert("L")
                if im.mode in _REDUCIBLE:
                    im = im.reduce(int((dw * dh / work_pixels) ** 0.5))
            if orientation != 1:
                from PIL import ImageOps

                im = ImageOps.exif_transpose(im)
    except ImageError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as e:
        raise ImageError(f"{name}: cannot decode image ({_short(e)})") from None
    except MemoryError:
        raise ImageError(f"{name}: not enough memory to decode image") from None
    size = (w, h) if orientation in (1, 2, 3, 4) else (h, w)
    grey = _to_grey_array(im, work_pixels)
    return _finish(grey, size, work_pixels, name)


def _pages(im):
    """How many pages an open image holds: a TIFF's frames, else 1 (:func:`page_count`)."""
    return max(1, int(getattr(im, "n_frames", 1))) if im.format == "TIFF" else 1


def _seek_page(im, page, name):
    """Move `im` to page `page` (0-based) of a multi-page TIFF."""
    n = _pages(im)
    if not 0 <= page < n:
        raise ImageError(f"{name}: no page {page + 1} (the file has {n})")
    im.seek(page)


def _from_array(a, work_pixels, name):
    import numpy as np

    a = np.asarray(a)
    if a.dtype.kind not in "buif":
        raise ImageError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    if a.dtype.kind == "f":  # documented range [0, 1]; NaN is paper
        a = np.clip(np.nan_to_num(a, nan=1.0), 0, 1)
    if a.ndim == 3 and a.shape[2] in (3, 4):
        if a.dtype.kind in "ui":
            a = a.astype(np.float32) / (65535.0 if a.dtype.itemsize > 1 else 255.0)
        rgb, alpha = a[..., :3].astype(np.float32), a[..., 3:4] if a.shape[2] == 4 else None
        grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        if alpha is not None:
            al = alpha[..., 0].astype(np.float32)
            grey = grey * al + (1 - al)
    elif a.ndim == 2:
        if a.dtype == bool:
            grey = np.where(a, 0.0, 1.0).astype(np.float32)  # True = ink
        elif a.dtype.kind in "ui":
            grey = a.astype(np.float32) / (65535.0 if a.dtype.itemsize > 1 else 255.0)
        else:
            grey = a.astype(np.float32)
    else:
        raise ImageError(f"{name}: expected an (H, W) or (H, W, 3|4) array, got shape {a.shape}")
    if grey.size == 0:
        raise ImageError(f"{name}: image has no pixels")
    grey = np.clip(np.nan_to_num(grey, nan=1.0), 0, 1).astype(np.float32)
    return _finish(grey, (grey.shape[1], grey.shape[0]), work_pixels, name)


def downscale(grey, factor):
    """Shrink an image by `factor` (< 1) with area averaging.

    Parameters
    ----------
    grey : (H, W) uint8 or float32 ndarray
    factor : float
        New size / old size, in (0, 1].

    Returns
    -------
    small : (round(H * factor), round(W * factor)) ndarray
        uint8 (averages rounded) if `grey` is uint8, else float32.
    """
    import numpy as np
    from PIL import Image

    h, w = grey.shape
    shape = (max(1, round(h * factor)), max(1, round(w * factor)))
    # Pillow's box filter: an exact area average, in C.
    if grey.dtype == np.uint8:
        small = Image.fromarray(np.ascontiguousarray(grey), mode="L")
    else:
        small = Image.fromarray(np.ascontiguousarray(grey, dtype=np.float32), mode="F")
    small = small.resize((shape[1], shape[0]), Image.BOX)
    return np.array(small)


def _finish(grey, size, work_pixels, name):
    """Resample `grey` to at most `work_pixels` and record the scale to the original;
    a dithered image's dots smoothed back into greys (:func:`ocr.binarize.undither`)."""
    import numpy as np

    from .binarize import undither

    h, w = grey.shape
    if work_pixels and h * w > work_pixels:
        grey = downscale(grey, (work_pixels / (h * w)) ** 0.5)
    grey = undither(grey)
    scale = grey.shape[1] / size[0]
    h, w = grey.shape
    if h < MIN_SIDE or w < MIN_SIDE:
        # Repeat the edge: an all-black strip stays all black (no paper, no ink), not a bar on white.
        grey = np.pad(grey, ((0, max(0, MIN_SIDE - h)), (0, max(0, MIN_SIDE - w))), mode="edge")
    return Loaded(pixels=np.ascontiguousarray(grey), size=tuple(size), scale=scale, name=name)


class LoadAhead:
    """Load images in order, each on a background thread while the one before is in use.

    Decoding and resampling run in C with the GIL released, so on a multi-core
    machine they overlap with whatever the caller does meanwhile: loading the
    model for the first image, classifying the previous one for the others.
    At most two images are held at once.

    Parameters
    ----------
    sources : sequence of (source, name) or (source, name, page)
        What :func:`load_image` takes, the name to report, and which page of a
        multi-page TIFF (default the first).
    then : callable, optional
        Applied to each :class:`Loaded` on the thread too (the pipeline's image
        stages, :func:`ocr.pipeline.prepare`); :meth:`take` returns its result.
    **options
        Passed to :func:`load_image` (``max_pixels``, ``work_pixels``).

    Examples
    --------
    >>> ahead = LoadAhead([("a.jpg", "a.jpg"), ("b.png", "b.png")])  # doctest: +SKIP
    >>> first = ahead.take()   # a Loaded, or raises ImageError as load_image would
    """

    def __init__(self, sources, then=None, **options):
        self._sources = list(sources)
        self._then = then
        self._options = options
        self._next = 0
        self._pending = None
        self._start()

    def _start(self):
        import threading

        if self._next >= len(self._sources):
            self._pending = None
            return
        source, name, *page = self._sources[self._next]
        self._next += 1
        box = {}

        def work():
            try:
                loaded = load_image(source, name=name, page=page[0] if page else 0, **self._options)
                box["value"] = self._then(loaded) if self._then else loaded
            except BaseException as e:  # handed to the caller by take()
                box["error"] = e

        thread = threading.Thread(target=work, name=f"load {name}", daemon=True)
        thread.start()
        self._pending = (thread, box)

    def take(self):
        """The next image, loaded; starts loading the one after it.

        Returns
        -------
        Loaded
            Or what `then` made of it.

        Raises
        ------
        ImageError
            As :func:`load_image` does for this image.
        IndexError
            If every image has been taken.
        """
        if self._pending is None:
            raise IndexError("no image left to take")
        thread, box = self._pending
        thread.join()
        self._start()
        if "error" in box:
            raise box["error"]
        return box["value"]
