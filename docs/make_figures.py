#!/usr/bin/env python3
"""Regenerate the figures and format examples shown in README.md (docs/*.png, docs/*.txt).

usage: python docs/make_figures.py [--data ../shared/data]

Runs the real `handocr` commands: `boxes` on a generated sample, `eval --plots`
on the shared pages and held-out characters, and a short `train --plots` run on
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


def run(*args, out=None):
    print("$ handocr", " ".join(map(str, args)), file=sys.stderr)
    r = subprocess.run([sys.executable, "-m", "ocr", *map(str, args)], cwd=ROOT,
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
    for fmt, ext in (("json", "json"), ("tsv", "tsv"), ("hocr", "hocr")):
        run("read", sample, "--format", fmt, out=f"sample.{ext}")
    if not data.is_dir():
        print(f"{data} missing: figures from the shared data skipped", file=sys.stderr)
        return
    run("boxes", data / "pages" / "01_list.jpg", "-o", DOCS / "boxes_01_list.png")
    with tempfile.TemporaryDirectory() as tmp:
        run("eval", data / "pages", "--plots", tmp)
        shutil.copy(Path(tmp) / "page_mistakes.png", DOCS / "eval_page_mistakes.png")
        run("eval", data, "--plots", tmp)
        for k, name in ((1, "eval_confusion_emnist.png"), (2, "eval_confusion_photo_chars.png")):
            if (Path(tmp) / f"confusion_{k}.png").exists():
                shutil.copy(Path(tmp) / f"confusion_{k}.png", DOCS / name)
        run("train", data / "photo_chars", "-o", Path(tmp) / "m.npz", "--epochs", 15,
            "--hidden", "256", "--seed", 0, "--plots", Path(tmp) / "plots", "-q")
        for name in ("curves.png", "confusion.png", "weights.png"):
            shutil.copy(Path(tmp) / "plots" / name, DOCS / f"train_{name}")


if __name__ == "__main__":
    main()
