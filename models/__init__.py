"""The bundled model files of handocr, installed as the package ``ocr.models``."""
