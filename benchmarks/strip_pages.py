#!/usr/bin/env python3
"""Photos of one line: every text line of composed pages cut out as a strip and read.

A photo of a label, of one line of a note or of a title is a few letters tall: the
quick look at the letter height, and the search for page lines, see much less
paper around the writing than on a page. This script cuts each text line of the
pages that ``compose_pages.py --boxes`` made out of its page, the width of the line
plus 0.5-3 letter heights each side and 0.4-0.9 letter heights above and below
(less than the gap to the next line, so that no piece of another line is in the
strip), reads every strip with ``handocr read`` beside the pages whole, and prints
the character error rates::

    python benchmarks/compose_pages.py --out /tmp/handocr_pages --n 8 --seed 3811 \\
        --photo --height 44 --scale 2 --format jpg --boxes
    python benchmarks/strip_pages.py /tmp/handocr_pages

Strips and transcripts go to ``--out`` (default /tmp/handocr_strips), never into
the repository. The strips lose the lines around them, so a numbered list's
context (:func:`ocr.pipeline.number_lines`) is gone: a lone ``1`` starting a strip
is read ``I`` more often than on its page.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import IMAGE_EXTS, ROOT, _load_scores, read_handocr  # noqa: E402


def strips_of(image, lines, boxes, rng):
    """Each text line of `image` cut out: [(strip, text)].

    `lines` are the page's text lines; `boxes` its characters' ``(label, x0, y0, x1,
    y1)`` in reading order, as ``compose_pages.py --boxes`` writes them.
    """
    out, k = [], 0
    for line in lines:
        n = len(line.replace(" ", ""))
        chars, k = boxes[k:k + n], k + n
        if not chars:
            continue
        y0, y1 = min(b[2] for b in chars), max(b[4] for b in chars)
        x0, x1 = min(b[1] for b in chars), max(b[3] for b in chars)
        h = y1 - y0
        above, below = rng.uniform(0.4, 0.9, 2) * h
        left, right = rng.uniform(0.5, 3.0, 2) * h
        box = (max(0, int(x0 - left)), max(0, int(y0 - above)),
               min(image.width, int(x1 + right)), min(image.height, int(y1 + below)))
        out.append((image.crop(box), line))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("pages", help="folder of compose_pages.py --boxes pages (.gt.txt and .boxes.tsv beside each)")
    ap.add_argument("--out", default="/tmp/handocr_strips", help="work folder (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=11, help="random seed of the margins (default: %(default)s)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    rng = np.random.default_rng(args.seed)
    (out / "strips").mkdir(parents=True, exist_ok=True)
    pages, strips, truth = [], [], {}
    for tsv in sorted(Path(args.pages).glob("*.boxes.tsv")):
        stem = tsv.name[: -len(".boxes.tsv")]
        src = next((tsv.with_name(stem + e) for e in IMAGE_EXTS if tsv.with_name(stem + e).exists()), None)
        gt = tsv.with_name(stem + ".gt.txt")
        if src is None or not gt.exists():
            continue
        lines = [line for line in gt.read_text().splitlines() if line.strip()]
        boxes = [(c, int(a), int(b), int(d), int(e)) for c, a, b, d, e in
                 (row.split("\t") for row in tsv.read_text().splitlines())]
        pages.append(src)
        truth[src.stem] = gt.read_text()
        with Image.open(src) as im:
            for i, (strip, text) in enumerate(strips_of(im, lines, boxes, rng)):
                path = out / "strips" / f"{stem}_line{i}.png"
                strip.save(path)
                path.with_suffix(".gt.txt").write_text(text + "\n")
                truth[path.stem] = text + "\n"
                strips.append(path)
    if not strips:
        sys.exit(f"strip_pages: no pages with .boxes.tsv and .gt.txt in {args.pages} (compose_pages.py --boxes)")
    scores, _ = _load_scores()

    def cer_of(paths, name):
        texts, _ = read_handocr(paths, out / "read" / name, args.model)
        return [scores(truth[p.stem], t)[0] if t is not None else 1.0 for p, t in texts.items()]

    whole, alone = cer_of(pages, "pages"), cer_of(strips, "strips")
    print(f"# handocr on strips of one line ({len(strips)} strips of {len(pages)} pages from {args.pages})\n")
    print("| read | images | mean CER |")
    print("|---|---:|---:|")
    print(f"| the pages whole | {len(whole)} | {100 * statistics.mean(whole):.1f} % |")
    print(f"| each line alone | {len(alone)} | {100 * statistics.mean(alone):.1f} % |")


if __name__ == "__main__":
    main()
