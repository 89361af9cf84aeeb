#!/usr/bin/env python3
"""Regenerate the figures and format examples shown in README.md (docs/*.png, docs/*.txt).

usage: python docs/make_figures.py [--data ../shared/data]

Runs the real `handocr` commands: `boxes` and `eval --plots` on the generated
samples, `eval --plots` on the held-out shared characters, and a short `train --plots` run on
photographed characters (only its plots are kept; the model goes to a temporary
folder). Figures that need ../shared/data are skipped when it is missing.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent


def rel(a):
    """Paths inside the repository relative to it, so outputs name no machine's folders."""
    if isinstance(a, Path) and a.is_relative_to(ROOT):
        return str(a.relative_to(ROOT))
    return str(a)


def run(*args, out=None):
    args = [rel(a) for a in args]
    print("$ handocr", " ".join(args), file=sys.stderr)
    r = subprocess.run([sys.executable, "-m", "ocr", *args], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"handocr {args[0]} failed: {r.stderr}")
    if out:
        (DOCS / out).write_text(r.stdout)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    a = ap.parse_args()
    data = Path(a.data)
    sample = ROOT / "samples" / "synthetic_page.png"

    run("boxes", sample, "-o", DOCS / "boxes_sample.png", "--crops", DOCS / "crops_sample.png")
    with tempfile.TemporaryDirectory() as tmp:
        run("eval", ROOT / "samples", "--plots", tmp)
        shutil.copy(Path(tmp) / "page_mistakes.png", DOCS / "eval_page_mistakes.png")
    for fmt, ext in (("json", "json"), ("tsv", "tsv"), ("hocr", "hocr")):
        run("read", sample, "--format", fmt, out=f"sample.{ext}")
    if not data.is_dir():
        print(f"{data} missing: figures from the shared data skipped", file=sys.stderr)
        return
    # Nothing derived from the shared pages' images or texts goes into docs/: only
    # statistics (confusion matrices, curves) from the shared data.
    with tempfile.TemporaryDirectory() as tmp:
        run("eval", data, "--plots", tmp)
        for k, name in ((1, "eval_confusion_nist.png"), (2, "eval_confusion_photos.png")):
            if (Path(tmp) / f"confusion_{k}.png").exists():
                shutil.copy(Path(tmp) / f"confusion_{k}.png", DOCS / name)
        run("train", data / "photo_chars", "-o", Path(tmp) / "m.npz", "--epochs", 15,
            "--hidden", "256", "--seed", 0, "--plots", Path(tmp) / "plots", "-q")
        for name in ("curves.png", "confusion.png", "weights.png"):
            shutil.copy(Path(tmp) / "plots" / name, DOCS / f"train_{name}")
    shrink(DOCS / "train_weights.png", 800)
    shrink(DOCS / "boxes_sample.png", 1000)


def shrink(path, width):
    """Keep committed figures small: scale a PNG down to `width` pixels."""
    from PIL import Image

    im = Image.open(path).convert("RGB")
    if im.width > width:
        im = im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)
    im.quantize(colors=64).save(path, optimize=True)


if __name__ == "__main__":
    main()
