"""handocr: OCR for handwritten block capitals and digits.

>>> import ocr
>>> page = ocr.read("samples/synthetic_page.png")   # doctest: +SKIP
>>> print(page.text)                                # doctest: +SKIP

The pipeline's stages are modules of this package, in order:
:mod:`ocr.load`, :mod:`ocr.binarize`, :mod:`ocr.segment`, :mod:`ocr.layout`,
:mod:`ocr.normalize`, :mod:`ocr.mlp` / :mod:`ocr.model`, and :mod:`ocr.page`
for the result and its output formats; :mod:`ocr.pipeline` strings them together.
Heavy modules are imported on first use so that ``import ocr`` stays cheap.
"""

CLASSES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#: A letter and a digit of the same shape for most writers: alone, no classifier
#: tells them apart (on a page, the word around them does).
LOOK_ALIKE = (("O", "0"), ("I", "1"))

__all__ = ["CLASSES", "read", "Model", "Page"]


def __getattr__(name):
    if name == "read":
        from .pipeline import read

        return read
    if name == "Model":
        from .model import Model

        return Model
    if name == "Page":
        from .page import Page

        return Page
    raise AttributeError(f"module 'ocr' has no attribute {name!r}")
