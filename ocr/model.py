"""The character classifier as a file: load, check, save and predict.

A model file is an ``.npz`` archive of plain arrays ``W1, b1, W2, b2, ...`` and
``meta``, a JSON document stored as the uint8 array of its UTF-8 bytes, so that it
loads with ``allow_pickle=False``. A file may hold several networks of the same
shape (``meta["members"]``, format version 2): the second one's arrays are
``W1_m1, b1_m1, ...``, and so on; the model's probabilities are the mean of
theirs (:func:`combine`). Members may take different inputs (format version 3:
``meta["member_features"]`` names each one's kind of input, :mod:`ocr.features`;
their first layers differ in size, the rest of ``meta["layers"]`` is shared).
Loading checks everything and refuses, with a :class:`~ocr.errors.ModelError`
naming the file and the problem, anything that is not exactly such a model.
"""

import io
import json
import os
import zipfile
import zlib
from importlib import resources

import numpy as np

from . import CLASSES
from . import features as features_
from . import mlp
from .errors import ModelError

FORMAT = "handocr-mlp"
FORMAT_VERSION = 3  # 2: several members; 3: members with different inputs; one network is version 1
DEFAULT_MODEL = "handocr36.npz"
INPUT = {"size": 32, "background": "white", "normalize": "skeleton-v1"}


def to_inputs(crops, features=features_.DEFAULT):
    """Crops (N, 32, 32) in [0, 1], white paper, to network inputs (N, n_in).

    `features` is the model's kind of input (:mod:`ocr.features`): the pixels as
    ink = 1, paper = 0 (so the blank page contributes nothing to the first layer),
    then for ``pixels+directions-v1`` the stroke directions (``deskewed-v1``: the
    same of the crop sheared upright, and its slant; ``moments-v1``: of the crop
    sheared upright and moment-normalised, and the slant, scale and aspect). Training and
    prediction both go through here.
    """
    return features_.inputs(crops, features)


def default_meta(sizes, classes=CLASSES, features=None, **training):
    """Metadata for a network of layer `sizes` taking `features` inputs (by default
    the kind of input that has ``sizes[0]`` values)."""
    features = features or features_.kind_for_size(int(sizes[0])) or features_.DEFAULT
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": "handocr36",
        "classes": classes,
        "layers": [int(s) for s in sizes],
        "activation": "relu",
        "input": dict(INPUT, features=features),
        "training": training,
    }


def _bad(path, problem):
    return ModelError(f"{path}: {problem}")


class Model:
    """A trained MLP with its metadata.

    Attributes
    ----------
    params : dict of float32 arrays (W1, b1, ...)
    members : list of such dicts, ``params`` first: the networks whose
        probabilities are averaged (one for a model trained by ``handocr train``)
    features : str, the first network's kind of input (:mod:`ocr.features`)
    member_features : list of str, every member's kind of input
    meta : dict, the model's JSON metadata
    classes : str, the character of every output, in order
    name : str
    """

    def __init__(self, params, meta, path=None, members=()):
        self.params = params
        self.members = [params] + list(members)  # every network; params is the first
        self.meta = meta
        self.classes = meta["classes"]
        self.features = meta.get("input", {}).get("features", features_.DEFAULT)
        self.member_features = list(meta.get("member_features") or [self.features] * len(self.members))
        self.name = meta.get("name") or (os.path.splitext(os.path.basename(path))[0] if path else "model")
        self.path = path

    def __repr__(self):
        more = f", members={len(self.members)}" if len(self.members) > 1 else ""
        return f"Model({self.name!r}, layers={self.meta['layers']}, classes={len(self.classes)}{more})"

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_params(cls, params, meta=None, path=None):
        """Wrap parameters (and metadata, defaulting to handocr36's) after the same checks as load."""
        params = {k: np.asarray(v) for k, v in params.items()}
        if meta is None:
            meta = default_meta(mlp.layer_sizes(params))
        where = path or "<parameters>"
        _check(where, params, meta)
        params = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in params.items()}
        first, meta, others = _members(params, meta)
        return cls(first, meta, path, others)

    @classmethod
    def load(cls, path=None):
        """Load a model file; ``None`` loads the model bundled with handocr."""
        if path is None:
            res = resources.files("ocr.models") / DEFAULT_MODEL
            try:
                data = res.read_bytes()
            except (FileNotFoundError, OSError):
                raise ModelError(f"{res}: bundled model is missing (reinstall handocr)") from None
            return cls._from_bytes(str(res), data)
        path = os.fspath(path)
        if not os.path.exists(path):
            raise _bad(path, "no such file")
        if os.path.isdir(path):
            raise _bad(path, "is a folder, not a model file")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise _bad(path, f"cannot read ({e.strerror or e})") from None
        return cls._from_bytes(path, data)

    @staticmethod
    def _npz_arrays(path, data):
        """Every array of an .npz file's bytes, read by ``np.load`` (deflated members, and
        anything :func:`_stored_arrays` would not read), refusing pickles."""
        try:
            npz = np.load(io.BytesIO(data), allow_pickle=False)
        except Exception as e:
            raise _bad(path, f"corrupt model file ({e})") from None
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise _bad(path, "not a handocr model (not an .npz archive)")
        arrays = {}
        with npz:
            for key in npz.files:
                try:
                    arrays[key] = npz[key]
                except ValueError as e:
                    if "pickle" in str(e):
                        raise _bad(path, f"array {key!r} holds Python objects (pickle); refused") from None
                    raise _bad(path, f"corrupt array {key!r} ({e})") from None
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as e:
                    raise _bad(path, f"corrupt or truncated model file ({e})") from None
        return arrays

    @classmethod
    def _from_bytes(cls, path, data):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _bad(path, "not a handocr model (not an .npz archive)")
        arrays = _stored_arrays(data)
        if arrays is None:
            arrays = cls._npz_arrays(path, data)
        if "meta" not in arrays:
            raise _bad(path, "not a handocr model (no 'meta' entry)")
        meta_arr = arrays.pop("meta")
        if meta_arr.dtype != np.uint8 or meta_arr.ndim != 1:
            raise _bad(path, "not a handocr model ('meta' is not UTF-8 JSON bytes)")
        try:
            meta = json.loads(meta_arr.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise _bad(path, f"'meta' is not valid JSON ({e})") from None
        _check(path, arrays, meta)
        params = {k: v.astype(np.float32) for k, v in arrays.items()}  # a copy: writable
        first, meta, others = _members(params, meta)
        return cls(first, meta, path, others)

    # ------------------------------------------------------------------ saving

    def save(self, path, dtype=np.float32):
        """Write the model atomically; `dtype` float16 halves the file (weights cast back on load)."""
        from .atomic import atomic_path

        dtype = np.dtype(dtype)
        if dtype not in (np.float16, np.float32):
            raise ValueError(f"weights are stored as float16 or float32, not {dtype}")
        meta = dict(self.meta, weights_dtype=dtype.name)
        meta.pop("members", None)
        meta.pop("member_features", None)
        meta["format_version"] = 1  # readable by every handocr, unless there are several members
        if len(self.members) > 1:
            meta.update(members=len(self.members), format_version=2)
        if len(set(self.member_features)) > 1:
            meta.update(member_features=list(self.member_features), format_version=3)
        blob = np.frombuffer(json.dumps(meta, indent=1, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        arrays = {k + _suffix(j): p[k].astype(dtype)
                  for j, p in enumerate(self.members) for k in mlp.param_names(p)}
        with atomic_path(path) as tmp:
            # Stored, not deflated: float16 weights shrink by only 7 %, and inflating
            # them would cost every start-up about 12 ms.
            with open(tmp, "wb") as f:  # a file object: np.savez adds no ".npz" to the name
                np.savez(f, meta=blob, **arrays)
            _chmod_like_new_file(tmp)
        self.meta = meta

    # ------------------------------------------------------------------ prediction

    def logits(self, crops, batch=4096, member=0):
        """The logits (N, n_classes) of one member network (the first by default)."""
        return self._logits(to_inputs(crops, self.member_features[member]), self.members[member], batch)

    def _logits(self, X, params, batch=4096):
        out = [mlp.forward(params, X[i : i + batch])[0] for i in range(0, len(X), batch)]
        if not out:
            return np.zeros((0, len(self.classes)), np.float32)
        return np.concatenate(out)

    def predict_proba(self, crops):
        """Class probabilities (N, n_classes) for crops (N, 32, 32): float in [0, 1], white paper.
        With several members, the mean of their probabilities."""
        X = {f: to_inputs(crops, f) for f in dict.fromkeys(self.member_features)}

        def probs(j):
            return mlp.softmax(self._logits(X[self.member_features[j]], self.members[j]).astype(np.float64))

        # The networks run on two threads when there is enough to do (NumPy's matrix
        # products release the GIL): reading one photo leaves a core idle meanwhile.
        many = len(self.members) > 1 and len(crops) >= PARALLEL_MIN
        P = sum((_pool().map if many else map)(probs, range(len(self.members))))
        return (P / len(self.members)).astype(np.float32)

    def predict(self, crops):
        """The most likely character for every crop, as a list of one-character strings."""
        idx = np.argmax(self.predict_proba(crops), axis=1)
        return [self.classes[i] for i in idx]


def combine(models, name=None):
    """One model whose probabilities are the mean of `models`' (an ensemble).

    The models must have the same classes and hidden layers; their members are
    all kept. They may take different inputs (pixels, pixels and stroke
    directions, deskewed): each member keeps its own, and the file is then
    format version 3. The first model's metadata is kept, with
    ``training["members"]`` listing every member's own training metadata.

    Parameters
    ----------
    models : list of Model
    name : str, optional
        The new model's name (default: the first model's).

    Returns
    -------
    Model
    """
    if not models:
        raise ValueError("combine needs at least one model")
    first = models[0]
    for m in models[1:]:
        if m.classes != first.classes:
            raise ModelError(f"{m.path or m.name}: classes {m.classes!r} differ from "
                             f"{first.path or first.name}'s {first.classes!r}")
        if m.meta["layers"][1:] != first.meta["layers"][1:]:
            raise ModelError(f"{m.path or m.name}: layers {m.meta['layers']!r} differ from "
                             f"{first.path or first.name}'s {first.meta['layers']!r} (beyond the input)")
    members = [p for m in models for p in m.members]
    member_features = [f for m in models for f in m.member_features]
    trained = [t for m in models for t in (m.meta.get("training", {}).get("members") or [m.meta.get("training", {})])]
    meta = {k: v for k, v in first.meta.items() if k not in ("weights_dtype", "members", "member_features")}
    meta["name"] = name or first.name
    meta["training"] = {"members": trained, "note": f"the mean of {len(members)} networks' probabilities"}
    if len(members) > 1:
        meta.update(members=len(members), format_version=2)
    if len(set(member_features)) > 1:
        meta.update(member_features=member_features, format_version=3)
    return Model(members[0], meta, members=members[1:])


#: Crops from which predict_proba runs an ensemble's networks on two threads.
PARALLEL_MIN = 16
_POOL = {}  # process id -> thread pool (a forked worker makes its own)


def _pool():
    """A two-thread pool for this process, made on first use."""
    from concurrent.futures import ThreadPoolExecutor

    pid = os.getpid()
    if pid not in _POOL:
        _POOL.clear()
        _POOL[pid] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="handocr-mlp")
    return _POOL[pid]


def _suffix(j):
    """Array-name suffix of member `j` in a model file ('' for the first)."""
    return f"_m{j}" if j else ""


def _members(arrays, meta):
    """Split checked arrays into the first member's params, the meta and the others."""
    n = meta.get("members", 1)
    names = [k for k in arrays if "_m" not in k]
    members = [{k: arrays[k + _suffix(j)] for k in names} for j in range(n)]
    return members[0], meta, members[1:]


def _stored_arrays(data):
    """The arrays of an .npz archive (bytes) whose members are all stored, not
    deflated, as views of `data` (no copy), each member's CRC-32 checked.

    Returns None for anything else (a deflated member, a header or dtype this
    does not read, a CRC or size that does not match): ``np.load`` then reads
    the file, and says what is wrong with it. The bundled model is stored:
    reading it this way takes about a third of ``np.load``'s time.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
        view = memoryview(data)
        arrays = {}
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                return None
            h = info.header_offset
            local = data[h : h + 30]
            if len(local) != 30 or local[:4] != b"PK\x03\x04":
                return None
            start = h + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
            body = view[start : start + info.file_size]
            if len(body) != info.file_size or zlib.crc32(body) != info.CRC:
                return None
            f = io.BytesIO(body[: 1 << 16])  # the .npy header (version 1 headers are at most 64 KiB)
            version = np.lib.format.read_magic(f)
            if version != (1, 0):
                return None
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            if dtype.hasobject or fortran:
                return None
            count = int(np.prod(shape, dtype=np.int64))
            if f.tell() + count * dtype.itemsize != len(body):
                return None
            arrays[info.filename[:-4]] = np.frombuffer(body, dtype, count, f.tell()).reshape(shape)
        return arrays
    except (ValueError, TypeError, zipfile.BadZipFile, OSError, EOFError):
        return None


def _chmod_like_new_file(path):
    """Give a temporary file (created 0600) the permissions a plain new file would get."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _check(path, arrays, meta):
    """Raise ModelError unless `meta` and the arrays make a usable model."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fmt = meta.get("format") if isinstance(meta, dict) else None
        raise _bad(path, f"not a handocr model (format {fmt!r}, expected {FORMAT!r})")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(path, f"invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise _bad(path, f"format_version {version} is newer than this handocr reads ({FORMAT_VERSION}); "
                         "upgrade handocr")
    classes = meta.get("classes")
    if not isinstance(classes, str) or not classes or len(set(classes)) != len(classes):
        raise _bad(path, f"invalid classes {classes!r}")
    if meta.get("activation", "relu") != "relu":
        raise _bad(path, f"unsupported activation {meta.get('activation')!r}")
    inp = meta.get("input", {})
    for key, want in INPUT.items():
        if inp.get(key) != want:
            raise _bad(path, f"model expects input {key}={inp.get(key)!r}, handocr makes {want!r}")
    features = inp.get("features", features_.DEFAULT)  # absent in models before the directions
    if features not in features_.SIZES:
        raise _bad(path, f"model expects input features={features!r}, handocr makes "
                         + " or ".join(repr(k) for k in features_.SIZES))
    layers = meta.get("layers")
    if (not isinstance(layers, list) or len(layers) < 2
            or not all(isinstance(n, int) and n > 0 for n in layers)):
        raise _bad(path, f"invalid layer sizes {layers!r}")
    if layers[0] != features_.SIZES[features]:
        raise _bad(path, f"input layer has {layers[0]} units, expected {features_.SIZES[features]} "
                         f"for {features} inputs")
    if layers[-1] != len(classes):
        raise _bad(path, f"output layer has {layers[-1]} units but there are {len(classes)} classes")
    members = meta.get("members", 1)
    if not isinstance(members, int) or isinstance(members, bool) or members < 1:
        raise _bad(path, f"invalid members {members!r}")
    if members > 1 and version < 2:
        raise _bad(path, f"{members} members need format_version 2, not {version}")
    kinds = meta.get("member_features")
    if kinds is None:
        kinds = [features] * members
    elif version < 3:
        raise _bad(path, f"member_features need format_version 3, not {version}")
    elif (not isinstance(kinds, list) or len(kinds) != members
          or any(not isinstance(k, str) or k not in features_.SIZES for k in kinds)):
        raise _bad(path, f"invalid member_features {kinds!r} for {members} members")
    elif kinds[0] != features:
        raise _bad(path, f"member_features[0] {kinds[0]!r} differs from input features {features!r}")
    L = len(layers) - 1
    expected = {}
    for j in range(members):
        for l in range(1, L + 1):
            n_in = features_.SIZES[kinds[j]] if l == 1 else layers[l - 1]
            expected[f"W{l}{_suffix(j)}"] = (n_in, layers[l])
            expected[f"b{l}{_suffix(j)}"] = (layers[l],)
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    if missing:
        raise _bad(path, f"missing weights {', '.join(missing)}")
    if extra:
        raise _bad(path, f"unexpected arrays {', '.join(extra)}")
    for k, shape in expected.items():
        a = arrays[k]
        if a.dtype.kind != "f":
            raise _bad(path, f"{k} has dtype {a.dtype}, expected floating point")
        if a.shape != shape:
            raise _bad(path, f"{k} has shape {a.shape}, expected {shape}")
        if not _all_finite(a):
            raise _bad(path, f"{k} contains NaN or infinite values")


#: Exponent bits of IEEE floats, all set for infinities and NaNs.
_EXPONENT = {2: (np.uint16, 0x7C00), 4: (np.uint32, 0x7F800000), 8: (np.uint64, 0x7FF0000000000000)}


def _all_finite(a):
    """``np.isfinite(a).all()`` for a float array, on the bits (ten times as fast for float16)."""
    if a.dtype.itemsize not in _EXPONENT or not a.flags.c_contiguous:
        return bool(np.isfinite(a).all())
    uint, bits = _EXPONENT[a.dtype.itemsize]
    e = a.view(uint) & uint(bits)
    return not (e == uint(bits)).any()
