#!/usr/bin/env python3
"""Other writers' habits: pages of held-out characters written tighter, more cramped,
leaning, with bullets, and all at once; each set read and scored in one run.

The shared pages are one careful writer's. This script composes sets of pages from
the ``photo_chars`` crops that training held out (``compose_pages.py``'s
``compose_page``, ``--split valid``) the way other people write:

================  ==================================================================
ordinary          the composer's defaults (letter gaps 0.32, word gaps 1.6 letter
                  heights, baselines 2.15 apart)
tight_words       letter gaps 0.2, word gaps 1.0
very_tight        letter gaps 0.12, word gaps 0.75 (some letters touch)
close_lines       baselines 1.5 letter heights apart
cramped_lines     baselines 1.3 apart (some lines touch)
italic            the ordinary pages sheared by 0.25 (leaning right 14 degrees)
strong_italic     sheared by 0.35 (19 degrees)
leaning_left      sheared by -0.25
bullets           the first half of the ordinary pages with a filled dot (even lines)
                  or a dash (odd lines) drawn before every line
check_boxes       half as many pages (``--seed + 300``), a check box drawn by hand
                  before every line: corners off square, a third ticked (the tick
                  sticking out), a sixth crossed
form              half as many pages (``--seed + 400``), letter gaps 0.6, upright,
                  every word written in a form's row of printed grey boxes, one
                  letter in each
all_at_once       other seed (``--seed + 100``), letters 40 px, turned up to 3 degrees,
                  half on ruled paper, letter gaps 0.2, word gaps 1.0, baselines 1.7
all_leaning       those pages sheared by 0.3 and -0.2 in turn (JPEG, quality 85)
================  ==================================================================

Pages are 44 px letters, turned up to 2 degrees, ``--n`` of them (default 40) per set
(``--seed``, default 201). Every set is read with the installed ``handocr read`` (one
process per set) and scored with ``../shared/tools/cer.py``: the table gives the
character error rate over all the set's characters (errors / characters) and, in
brackets, the layout CER (spaces and line breaks count) weighted the same way. The
pages are derived from the shared data: they are written under ``--out`` (default
/tmp/handocr_writers), never into the repository.

    python benchmarks/writers_pages.py                  # about 2 minutes
    python benchmarks/writers_pages.py --only ordinary,tight_words --n 20
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import DATA, ROOT, _load_scores, read_handocr  # noqa: E402
from compose_pages import compose_page, list_crops, random_text  # noqa: E402
from stress_pages import shear  # noqa: E402

SETS = {  # name: (seed offset, compose_page keywords, how the pages are changed after)
    "ordinary": (0, {}, None),
    "tight_words": (0, {"letter_gap": 0.2, "word_gap": 1.0}, None),
    "very_tight": (0, {"letter_gap": 0.12, "word_gap": 0.75}, None),
    "close_lines": (0, {"line_pitch": 1.5}, None),
    "cramped_lines": (0, {"line_pitch": 1.3}, None),
    "italic": (0, {}, ("shear", 0.25)),
    "strong_italic": (0, {}, ("shear", 0.35)),
    "leaning_left": (0, {}, ("shear", -0.25)),
    "bullets": (0, {}, ("bullets", None)),
    "check_boxes": (300, {}, ("boxes", None)),
    "form": (400, {"letter_gap": 0.6, "rotation": 0.0, "ruled": 0.0}, ("form", None)),
    "all_at_once": (100, {"height": 40, "rotation": 3.0, "ruled": 0.5, "letter_gap": 0.2,
                          "word_gap": 1.0, "line_pitch": 1.7}, None),
    "all_leaning": (100, {"height": 40, "rotation": 3.0, "ruled": 0.5, "letter_gap": 0.2,
                          "word_gap": 1.0, "line_pitch": 1.7}, ("alternate", (0.3, -0.2))),
}


def _moved(image, margin, strip=None):
    """The page moved `margin` px right onto paper of its colour (the median of its
    first `strip` columns, or of all of it): ``(image, ImageDraw)``."""
    im = Image.fromarray(image)
    W, H = im.size
    a = np.asarray(im) if strip is None else np.asarray(im)[:, :strip]
    out = Image.new("RGB", (W + margin, H), tuple(int(v) for v in np.median(a.reshape(-1, 3), axis=0)))
    out.paste(im, (margin, 0))
    return out, ImageDraw.Draw(out)


def _line_starts(lines, boxes, margin):
    """``(i, x0, y0, y1)`` for each line with letters: its first letter's left edge
    (moved by `margin`) and the median top and bottom of its letters."""
    k = 0
    for i, line in enumerate(lines):
        n = len(line.replace(" ", ""))
        row, k = boxes[k : k + n], k + n
        if row:
            x0 = min(b[1] for b in row) + margin
            yield i, x0, np.median([b[2] for b in row]), np.median([b[4] for b in row])


def with_bullets(image, lines, boxes, margin=60):
    """The page moved `margin` px right, a filled dot (even lines) or a dash (odd
    lines) drawn before each line's first letter."""
    out, draw = _moved(image, margin)
    for i, x0, y0, y1 in _line_starts(lines, boxes, margin):
        cy, r, cx = (y0 + y1) / 2, 0.17 * (y1 - y0), x0 - 0.9 * (y1 - y0)
        if i % 2 == 0:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(50, 50, 55))
        else:
            draw.line([(cx - 2.5 * r, cy), (cx + 1.5 * r, cy)], fill=(50, 50, 55), width=max(2, int(0.6 * r)))
    return out


def with_boxes(image, lines, boxes, rng, margin=80):
    """The page moved `margin` px right, a check box drawn by hand before each line:
    one size (0.5-0.95 letter heights), gap and pen per page, every corner moved by
    about 0.04 letter heights, a third of the boxes ticked (the tick reaching above
    the box) and a sixth crossed."""
    out, draw = _moved(image, margin, strip=40)
    size, gap = rng.uniform(0.5, 0.95), rng.uniform(0.5, 1.1)
    ink, pen = tuple(int(c) for c in rng.integers(20, 70, 3)), rng.uniform(0.05, 0.1)
    for _, x0, y0, y1 in _line_starts(lines, boxes, margin):
        h = y1 - y0
        s = size * h
        cx, cy = x0 - gap * h - s / 2, y1 - s / 2 - rng.uniform(0, 0.15) * h
        corners = [(cx + dx * s / 2 + rng.normal(0, 0.04 * h), cy + dy * s / 2 + rng.normal(0, 0.04 * h))
                   for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        width = max(2, int(pen * h))
        draw.line(corners + corners[:1], fill=ink, width=width, joint="curve")
        mark = rng.random()
        if mark < 1 / 3:
            draw.line([(cx - 0.3 * s, cy), (cx - 0.05 * s, cy + 0.3 * s), (cx + 0.45 * s, cy - 0.55 * s)],
                      fill=ink, width=width)
        elif mark < 0.5:
            for sign in (1, -1):
                draw.line([(cx - 0.3 * s, cy - sign * 0.3 * s), (cx + 0.3 * s, cy + sign * 0.3 * s)],
                          fill=ink, width=width)
    return out


def make_set(name, folder, n, seed, crops, cache):
    """Write set `name`'s pages and ground truths into `folder`; the list of images."""
    offset, kw, after = SETS[name]
    folder.mkdir(parents=True, exist_ok=True)
    kw = {"height": 44, "rotation": 2.0, **kw}
    count = n // 2 if after and after[0] in ("bullets", "boxes", "form") else n
    images = []
    for i in range(count):
        rng = np.random.default_rng([seed + offset, i])
        lines = random_text(rng)
        image, boxes = compose_page(lines, crops, rng, cache=cache, **kw)
        im = Image.fromarray(image)
        ext, opts = "png", {}
        if after and after[0] == "shear":
            im = shear(im, after[1])
        elif after and after[0] == "alternate":
            im = shear(im, after[1][i % 2 == 0])
            ext, opts = "jpg", {"quality": 85}
        elif after and after[0] == "bullets":
            im = with_bullets(image, lines, boxes)
        elif after and after[0] == "boxes":
            im = with_boxes(image, lines, boxes, rng)
        elif after and after[0] == "form":
            from ocr.synth import in_form_boxes

            im = Image.fromarray(in_form_boxes(image, [b[1:] for b in boxes], " ".join(lines).split()))
        path = folder / f"photo_{i:03d}.{ext}"
        im.save(path, **opts)
        (folder / f"photo_{i:03d}.gt.txt").write_text("\n".join(lines) + "\n")
        images.append(path)
    return images


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--out", default="/tmp/handocr_writers", help="work folder (default: %(default)s)")
    ap.add_argument("--n", type=int, default=40, help="pages per set (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=201, help="random seed (default: %(default)s)")
    ap.add_argument("--only", help="comma-separated sets (default: all)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    ap.add_argument("--data", default=str(DATA / "photo_chars"), help="photo_chars folder (default: %(default)s)")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    if not Path(args.data).is_dir():
        print(f"writers_pages: {args.data} not found: the shared data is needed, nothing measured",
              file=sys.stderr)
        return 0
    names = args.only.split(",") if args.only else list(SETS)
    unknown = [n for n in names if n not in SETS]
    if unknown:
        ap.error(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SETS)}")
    crops, cache = list_crops(args.data, "valid"), {}
    scores, _ = _load_scores()
    print(f"# handocr on other writers' habits ({args.n} pages a set, seed {args.seed})\n")
    print("| set | pages | characters | CER (layout) |")
    print("|---|---:|---:|---:|")
    for name in names:
        images = make_set(name, out / name, args.n, args.seed, crops, cache)
        texts, _ = read_handocr(images, out / "read" / name, args.model)
        errors = layout = chars = 0.0
        for img in images:
            truth = img.with_name(img.stem + ".gt.txt").read_text()
            n = sum(ch.isalnum() for ch in truth)
            c, l, _ = scores(truth, texts[img] if texts[img] is not None else "")
            errors, layout, chars = errors + c * n, layout + l * n, chars + n
        print(f"| {name} | {len(images)} | {int(chars)} | {100 * errors / chars:.1f} % ({100 * layout / chars:.1f} %) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
