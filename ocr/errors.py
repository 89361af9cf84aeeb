"""Exceptions for inputs that handocr refuses. Each message names the file and the problem."""


class HandocrError(Exception):
    """Base class: an input or setting that handocr cannot use. The CLI prints it in one line."""


class ImageError(HandocrError):
    """An image file that cannot be read or is unusable."""


class ModelError(HandocrError):
    """A model file that is missing, corrupt, foreign or of another format version."""


class DataError(HandocrError):
    """Labelled data (training or evaluation) that cannot be read."""


class OutputError(HandocrError):
    """An output file that cannot be written (its folder is missing, not writable, full)."""
