"""Atomic file writes: write to a temporary file beside the target, then rename."""

import contextlib
import os
import tempfile

from .errors import OutputError


def check_folder(path):
    """Raise :class:`OutputError` unless the folder `path` is to be written in exists.

    Called before long work (reading a batch, training) so that a mistyped output
    path fails at once, not after the work is done.
    """
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: folder {folder} does not exist")


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yield a temporary path in the target's folder; rename it onto `path` on success.

    If the block raises (or is interrupted with Ctrl-C) the temporary file is removed
    and `path` is left exactly as it was; a write that fails (a missing or read-only
    folder, a full disk) raises :class:`~ocr.errors.OutputError` naming `path`. A
    symbolic link is written through (its target is replaced, the link stays); a path
    that is no regular file (``/dev/null``, a named pipe) is yielded as it is and
    written in place, as renaming a file onto it would replace the device or pipe
    itself.
    """
    name, path = path, os.path.realpath(os.fspath(path))
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        yield path
        return
    folder = os.path.dirname(path)
    if suffix is None:
        suffix = os.path.splitext(path)[1]
    try:
        fd, tmp = tempfile.mkstemp(prefix=".handocr-", suffix=suffix, dir=folder)
    except OSError as e:
        raise OutputError(f"{name}: cannot write ({e.strerror or e})") from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would create it, not mkstemp's 0600
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):  # a full disk, a target that is a folder
            raise OutputError(f"{name}: cannot write ({e.strerror or e})") from None
        raise


def write_bytes(path, data):
    """Write `data` (bytes) to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def write_text(path, text):
    """Write `text` (str, UTF-8) to `path` atomically."""
    write_bytes(path, text.encode("utf-8"))
