"""Compiled image kernels for the reading path, without their packages' start-up cost.

``import scipy.ndimage`` takes about 0.2 s here (scipy 1.17's array-API layer
parses docstrings and imports ``numpy.f2py``), half of a whole ``handocr read``,
and ``import skimage.morphology`` another 0.1 s. The work itself is done by small
compiled modules that load in a millisecond: scipy's ``_nd_image`` and
``_ni_label``, scikit-image's skeleton kernel. This module loads those alone and
calls them exactly as the public functions do, so the results are the same to the
bit; ``tests/test_kernels.py`` checks each function against its public twin. If a
library ever lays its kernels out differently, the public function is used.

Every function here mirrors the public one of the same name, with only the
arguments the pipeline uses. :func:`median` and :func:`percentile` are here for
the same reason: NumPy's import ``numpy.ma`` on first use.
"""

import importlib.machinery
import importlib.util
import os

import numpy as np

_MODES = {"nearest": 0, "reflect": 2, "mirror": 3, "constant": 4}
_LOADED = {}


def _load_extension(package, name):
    """Load the compiled module ``package.name`` without importing `package`.

    Returns None when it cannot be found or loaded.
    """
    try:
        top = importlib.util.find_spec(package.split(".")[0])
        folder = os.path.join(os.path.dirname(top.origin), *package.split(".")[1:])
        loader = (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES)
        spec = importlib.machinery.FileFinder(folder, loader).find_spec(f"{package}.{name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except Exception:
        return None


def _check(ok):
    if not ok:  # not an assert: the probes must also run under python -O
        raise ValueError("kernel gave an unexpected result")


def _kernel(package, name, probe):
    """The compiled module, once `probe(module)` has run on it without error; else None."""
    key = (package, name)
    if key not in _LOADED:
        module = _load_extension(package, name)
        try:
            probe(module)
        except Exception:
            module = None
        _LOADED[key] = module
    return _LOADED[key]


def _nd_image():
    def probe(m):
        a = np.arange(6, dtype=np.uint8).reshape(2, 3)
        out = np.empty_like(a)
        m.min_or_max_filter1d(a, 2, 1, out, 0, 0.0, 0, 0)  # running max of 2: a itself
        _check(out.tolist() == [[0, 1, 2], [3, 4, 5]])
        _check(m.find_objects(np.array([[0, 1]], np.int32), 1) == [(slice(0, 1), slice(1, 2))])

    return _kernel("scipy.ndimage", "_nd_image", probe)


def _ni_label():
    def probe(m):
        out = np.empty((1, 3), np.int32)
        _check(m._label(np.array([[1, 0, 1]], bool), np.ones((3, 3), bool), out) == 2)

    return _kernel("scipy.ndimage", "_ni_label", probe)


def _public():
    from scipy import ndimage

    return ndimage


def label(mask):
    """8-connected components of a 2-D mask (:func:`scipy.ndimage.label`).

    Parameters
    ----------
    mask : (H, W) bool ndarray

    Returns
    -------
    labels : (H, W) int32 ndarray
        0 for background, 1..n for components, numbered in raster order.
    n : int
    """
    structure = np.ones((3, 3), bool)
    mask = np.asarray(mask)
    k = _ni_label()
    if k is None or mask.ndim != 2 or mask.size == 0:
        return _public().label(mask, structure=structure)
    labels = np.empty(mask.shape, np.int32)
    return labels, int(k._label(mask, structure, labels))


def find_objects(labels, n):
    """Bounding slices of labels 1..n (:func:`scipy.ndimage.find_objects`).

    Parameters
    ----------
    labels : (H, W) int ndarray
    n : int
        Highest label, >= 1.

    Returns
    -------
    slices : list of (slice, slice) or None
    """
    k = _nd_image()
    if k is None:
        return _public().find_objects(labels, n)
    return k.find_objects(np.asarray(labels), n)


def _min_or_max_filter1d(a, size, axis, mode, origin, minimum):
    k = _nd_image()
    if k is None:
        f = _public().minimum_filter1d if minimum else _public().maximum_filter1d
        return f(a, size, axis=axis, mode=mode, origin=origin)
    a = np.asarray(a)
    if not (0 <= size // 2 + origin < size):
        raise ValueError("invalid origin")
    out = np.empty_like(a)
    k.min_or_max_filter1d(a, size, axis % a.ndim, out, _MODES[mode], 0.0, origin, int(minimum))
    return out


def maximum_filter1d(a, size, axis=-1, mode="reflect", origin=0):
    """Running maximum along one axis (:func:`scipy.ndimage.maximum_filter1d`).

    Parameters
    ----------
    a : ndarray
    size : int
    axis : int
    mode : {'reflect', 'nearest', 'mirror', 'constant'}
    origin : int

    Returns
    -------
    out : ndarray, same shape and dtype as `a`
    """
    return _min_or_max_filter1d(a, size, axis, mode, origin, False)


def minimum_filter1d(a, size, axis=-1, mode="reflect", origin=0):
    """Running minimum along one axis (:func:`scipy.ndimage.minimum_filter1d`).

    Parameters and result as :func:`maximum_filter1d`.
    """
    return _min_or_max_filter1d(a, size, axis, mode, origin, True)


def gaussian_filter(a, sigma, mode="reflect"):
    """Gaussian smoothing of a 2-D float image (:func:`scipy.ndimage.gaussian_filter`).

    Parameters
    ----------
    a : (H, W) float ndarray
    sigma : float
        Standard deviation in pixels, > 0; the kernel reaches 4 sigma.
    mode : {'reflect', 'nearest', 'mirror', 'constant'}

    Returns
    -------
    out : (H, W) ndarray, same dtype as `a`
    """
    k = _nd_image()
    if k is None:
        return _public().gaussian_filter(a, sigma, mode=mode)
    a = np.asarray(a)
    radius = int(4.0 * float(sigma) + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 / (float(sigma) * float(sigma)) * x**2)
    weights = np.ascontiguousarray((weights / weights.sum())[::-1])
    out = np.empty_like(a)
    k.correlate1d(a, weights, 0, out, _MODES[mode], 0.0, 0)
    k.correlate1d(out, weights, 1, out, _MODES[mode], 0.0, 0)
    return out


def box_max(a, size):
    """Maximum over a `size` x `size` window, edges repeated (grey dilation).

    Parameters
    ----------
    a : (H, W) ndarray
    size : int

    Returns
    -------
    out : (H, W) ndarray, same dtype as `a`
    """
    out = maximum_filter1d(a, size, axis=0, mode="nearest")
    return maximum_filter1d(out, size, axis=1, mode="nearest")


def median(a):
    """Median of all values of `a`, as :func:`numpy.median` gives it.

    ``np.median`` and ``np.percentile`` import ``numpy.ma`` on first use (for a
    NaN check), about 15 ms of start-up; a partial sort gives the same values.

    Parameters
    ----------
    a : array_like, not empty, no NaN

    Returns
    -------
    float
    """
    a = np.asarray(a).ravel()
    n = a.size
    k = n // 2
    if n % 2:
        return float(np.partition(a, k)[k])
    part = np.partition(a, (k - 1, k))
    return float(np.mean(part[k - 1 : k + 1]))


def percentile(a, q):
    """The `q`-th percentile of all values of `a` (linear interpolation), as
    :func:`numpy.percentile` gives it.

    Parameters
    ----------
    a : array_like, not empty, no NaN
    q : float
        In [0, 100].

    Returns
    -------
    float
    """
    a = np.asarray(a).ravel()
    n = a.size
    q = float(q) / 100.0
    index = n * q + (1 - q) - 1  # numpy's "linear" virtual index, same rounding
    lo = int(np.clip(np.floor(index), 0, n - 1))
    hi = min(lo + 1, n - 1)
    t = index - np.floor(index)
    part = np.partition(a, (lo, hi))
    x, y = np.float64(part[lo]), np.float64(part[hi])
    d = y - x
    return float(y - d * (1 - t) if t >= 0.5 else x + d * t)


def median_filter(a, size):
    """Median over a `size` x `size` window, edges repeated (``mode='nearest'``).

    Meant for small images (it holds `size` squared copies).

    Parameters
    ----------
    a : (H, W) ndarray
    size : int, odd

    Returns
    -------
    out : (H, W) ndarray, same dtype as `a`
    """
    r = size // 2
    padded = np.pad(np.asarray(a), r, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size))
    k = size * size // 2
    return np.partition(windows.reshape(*a.shape, -1), k, axis=2)[:, :, k].astype(a.dtype)


_SKELETONIZE = []


def skeletonize(mask):
    """scikit-image's 2-D skeleton (Zhang-Suen thinning) of a boolean mask.

    Parameters
    ----------
    mask : (H, W) bool ndarray

    Returns
    -------
    skeleton : (H, W) bool ndarray
    """
    if not _SKELETONIZE:

        def probe(m):
            m._fast_skeletonize(np.zeros((3, 3), bool))

        k = _kernel("skimage.morphology", "_skeletonize_various_cy", probe)
        if k is None:
            from skimage.morphology import skeletonize as public

            _SKELETONIZE.append(public)
        else:
            _SKELETONIZE.append(lambda m: np.asarray(k._fast_skeletonize(m), dtype=bool))
    return _SKELETONIZE[0](np.ascontiguousarray(mask, dtype=bool))
