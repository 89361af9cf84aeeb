#!/usr/bin/env python3
"""Pages photographed at an angle: each page of a folder seen in perspective, and read.

A phone held over a note is seldom square to it: the far edge of the sheet comes out
shorter than the near one, the page's printed lines no longer parallel. This script
takes every page with a ``.gt.txt`` beside it in a folder (pages that
``compose_pages.py`` or ``random_pages.py`` made, say), lays it on a plain ground of
its border's colour 12 % of its width wide all round, and sees that in perspective,
one of four ways chosen at random:

* ``keystone``: the top edge 4-12 % of the width in from each side (from below);
* ``side``: the right edge 8-25 % shorter than the left (from the left);
* ``flip_side``: the left edge as much shorter (from the right);
* ``corners``: each corner moved in by up to 7 % of the width and height.

Then it reads the pages and their views with ``handocr read`` and prints the
character errors of both, by kind::

    python benchmarks/random_pages.py --out /tmp/handocr_notes --seed 69 --notes photo
    python benchmarks/perspective_pages.py /tmp/handocr_notes --seed 7201

The pages, their views and the transcripts go to ``--out`` (default /tmp/handocr_perspective), never into
the repository.
"""

import argparse
import collections
import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import IMAGE_EXTS, ROOT, read_handocr  # noqa: E402
from stress_pages import _projective as projective  # noqa: E402

#: How far 12 % of a page's width reaches out round it, as a ground to see it on.
GROUND = 0.12


def on_ground(image, rng):
    """`image` (RGB) on a plain ground of its border's median colour, with a little grain."""
    a = np.asarray(image.convert("RGB"))
    pad = int(GROUND * a.shape[1])
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    out = np.empty((a.shape[0] + 2 * pad, a.shape[1] + 2 * pad, 3), np.float32)
    out[:] = np.median(border, axis=0)
    out += rng.normal(0, 2.5, out.shape[:2])[..., None]
    out[pad:pad + a.shape[0], pad:pad + a.shape[1]] = a
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def corners_of(kind, rng):
    """Where the corners of the view (top left, top right, bottom right, bottom left)
    are taken from, as shares of the width and height: ``(corners, amount)``."""
    if kind == "keystone":
        a = rng.uniform(0.04, 0.12)
        return [(a, 0), (1 - a, 0), (1, 1), (0, 1)], a
    if kind == "side":
        a = rng.uniform(0.08, 0.25)
        return [(0, 0), (1, a / 2), (1, 1 - a / 2), (0, 1)], a
    if kind == "flip_side":
        a = rng.uniform(0.08, 0.25)
        return [(0, a / 2), (1, 0), (1, 1), (0, 1 - a / 2)], a
    j = rng.uniform(0, 0.07, size=8)  # each corner moved in
    return [(j[0], j[1]), (1 - j[2], j[3]), (1 - j[4], 1 - j[5]), (j[6], 1 - j[7])], 0.07


def seen_at_an_angle(image, kind, rng):
    """`image` on its ground, seen the `kind` way: ``(view, amount)``."""
    big = on_ground(image, rng)
    W, H = big.size
    dst, amount = corners_of(kind, rng)
    coeffs = projective([(x * W, y * H) for x, y in dst], W, H)
    return big.transform((W, H), Image.PERSPECTIVE, coeffs, Image.BICUBIC), amount


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("pages", help="folder of pages, a .gt.txt beside each (searched recursively)")
    ap.add_argument("--out", default="/tmp/handocr_perspective", help="work folder (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=7201, help="random seed of the views (default: %(default)s)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    ap.add_argument("--lexicon", action="store_true", help="read with the English lexicon (handocr read's default)")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    rng = np.random.default_rng(args.seed)
    views_dir, pages_dir = out / "views", out / "pages"
    views_dir.mkdir(parents=True, exist_ok=True)
    pages_dir.mkdir(parents=True, exist_ok=True)
    pages, views, truth, kind_of = [], [], {}, {}
    for gt in sorted(Path(args.pages).rglob("*.gt.txt")):
        stem = gt.name[: -len(".gt.txt")]
        src = next((gt.with_name(stem + e) for e in IMAGE_EXTS if gt.with_name(stem + e).exists()), None)
        if src is None:
            continue
        name = "_".join(src.relative_to(args.pages).with_suffix("").parts)
        kind = str(rng.choice(["keystone", "side", "flip_side", "corners"]))
        with Image.open(src) as im:
            view, amount = seen_at_an_angle(im, kind, rng)
        path = views_dir / f"{name}.jpg"
        view.save(path, quality=90)
        shutil.copy(gt, views_dir / f"{name}.gt.txt")
        src = Path(shutil.copy(src, pages_dir / f"{name}{src.suffix}"))  # (a name of its own, as its view's)
        pages.append(src)
        views.append(path)
        truth[src], truth[path] = gt.read_text(), gt.read_text()
        kind_of[src] = kind_of[path] = kind
    if not pages:
        sys.exit(f"perspective_pages: no image with a .gt.txt beside it in {args.pages}")
    from ocr.evaluate import page_scores

    extra = () if args.lexicon else ("--no-lexicon",)
    totals = collections.defaultdict(lambda: [0, 0, 0, 0])  # kind: pages, chars, errors flat, errors seen so
    for paths, col in ((pages, 2), (views, 3)):
        texts, _ = read_handocr(paths, out / "read" / ("pages" if col == 2 else "views"), args.model, extra)
        for p in paths:
            s = page_scores(truth[p], texts.get(p) or "")
            row = totals[kind_of[p]]
            row[col] += s["errors"]
            if col == 2:
                row[0] += 1
                row[1] += s["chars"]
    print(f"# handocr on pages seen at an angle ({len(pages)} pages of {args.pages}, seed {args.seed})\n")
    print("| view | pages | characters | CER flat | CER at an angle |")
    print("|---|---:|---:|---:|---:|")
    every = [0, 0, 0, 0]
    for kind in ("keystone", "side", "flip_side", "corners"):
        n, chars, flat, seen = totals[kind]
        every = [a + b for a, b in zip(every, totals[kind])]
        if n:
            print(f"| {kind} | {n} | {chars} | {100 * flat / chars:.1f} % | {100 * seen / chars:.1f} % |")
    n, chars, flat, seen = every
    print(f"| all | {n} | {chars} | {100 * flat / chars:.1f} % | {100 * seen / chars:.1f} % |")


if __name__ == "__main__":
    main()
