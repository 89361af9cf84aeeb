#!/usr/bin/env python3
"""Crossed sevens and zeds and slashed zeros: how often a model reads them right.

Takes the held-out photographed crops of ``7``, ``Z`` and ``0`` (``photo_chars``, the
part ``handocr train`` holds out by file name), draws the stroke into each crop at
its own resolution with its own pen width (a bar through a seven's or a zed's
middle, short or long; a slash from below a zero's lower left to beyond its upper
right), normalises it as the pipeline does and classifies it. The plain crops and
the held-out ``T`` and ``O`` are read too, as a check that nothing else moved.

This draws the strokes otherwise than ``handocr train --crossed`` does (there on the
normalised 32x32 crop, here before normalisation), so it is not the training data's
own test.

    python benchmarks/bench_crossed.py                       # the bundled model
    python benchmarks/bench_crossed.py --model a.npz --model b.npz
"""

import argparse
import collections
import os
import sys
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "photo_chars"


def _line(mask, a, b, pen):
    """`mask` with a stroke of width `pen` from point a to point b (row, col)."""
    from ocr.synth import distance_to_segment

    return mask | (distance_to_segment(mask.shape, a, b) <= pen / 2)


def _pen(mask):
    from scipy import ndimage as ndi

    return max(2.0, 2 * float(ndi.distance_transform_edt(mask).max()))


def bar(mask, half):
    """A bar across the stem 52 % of the way down, `half` of the ink's width either side."""
    r, c = np.nonzero(mask)
    y = r.min() + 0.52 * (r.max() - r.min())
    on = c[np.abs(r - y) < 2]
    cx = on.mean() if on.size else 0.5 * (c.min() + c.max())
    w = half * (c.max() - c.min())
    return _line(mask, (y, cx - w), (y, cx + w), _pen(mask))


def slash(mask):
    """A slash from 2 pixels below the lower left corner to 2 beyond the upper right."""
    r, c = np.nonzero(mask)
    pen = _pen(mask)
    m = int(np.ceil(pen + 2))
    mask = np.pad(mask, m)
    r, c = r + m, c + m
    return _line(mask, (r.max() + 2, c.min() - 2), (r.min() - 2, c.max() + 2), pen)


TESTS = (("7", lambda m: bar(m, 0.25), "7 crossed by a short bar"), ("7", lambda m: bar(m, 0.4), "7 crossed by a long bar"),
         ("Z", lambda m: bar(m, 0.35), "Z crossed"), ("0", slash, "0 slashed"),
         ("7", None, "7"), ("Z", None, "Z"), ("0", None, "0"), ("T", None, "T"), ("O", None, "O"))


def held_out(folder, ch):
    from ocr.train import FOLDER_VALID_FRACTION, name_split

    files = sorted((folder / ch).glob("*.png"))
    return [f for f, v in zip(files, name_split([f.name for f in files], FOLDER_VALID_FRACTION)) if v]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", help="model file (repeat; default: the bundled model)")
    ap.add_argument("--data", type=Path, default=DATA, help=f"photo_chars folder (default: {DATA})")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        sys.exit(f"bench_crossed: {args.data}: no such folder (the shared photo_chars)")
    from ocr.datasets import crop_mask, read_grey
    from ocr.model import Model
    from ocr.normalize import normalize_many

    models = [(os.path.basename(m) if m else "bundled", Model.load(m)) for m in (args.model or [None])]
    print("| crops (held out) | n | " + " | ".join(name for name, _ in models) + " |")
    print("|---|---:|" + "---|" * len(models))
    for ch, draw, name in TESTS:
        masks = [crop_mask(read_grey(f)) for f in held_out(args.data, ch)]
        masks = [draw(k) if draw else k for k in masks if k is not None and k.any()]
        X = np.stack(normalize_many(masks))
        cells = []
        for _, m in models:
            pred = [m.classes[i] for i in m.predict_proba(X).argmax(axis=1)]
            wrong = collections.Counter(p for p in pred if p != ch).most_common(2)
            cells.append(f"{sum(p == ch for p in pred)}" + (" (" + ", ".join(f"{k} {v}" for k, v in wrong) + ")" if wrong else ""))
        print(f"| {name} | {len(masks)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
