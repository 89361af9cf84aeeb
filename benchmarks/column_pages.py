#!/usr/bin/env python3
"""Two lists written side by side on one sheet: pages of a folder put together in pairs.

The pages with a ``.gt.txt`` in ``PAGES`` are taken two by two (in name order): the
second one's writing is put on the same sheet as the first's, right of it, with a
gap of 2 to 6 letter heights between the first page's longest line and the second
page's writing, its first line 0 to 2.2 letter heights lower than the first page's
(so the two lists' lines line up or fall between each other by chance, as two
lists written independently do). With ``--titles`` a title (``TO DO``,
``SHOPPING LIST``, ...) of held-out photographed pen characters (or EMNIST ones,
``--emnist``) is written centred over both lists, 1.2 to 2 letter heights above
them. The sheet is then turned by up to 1.5 degrees. The ground truth is the title,
the left list, then the right one: a reader that mixes the lists' lines, or reads
them across as one line, scores badly.

The pages should be made without a tilt and on plain paper (ruled lines would not
meet across the sheet), from characters the model never trained on::

    python benchmarks/compose_pages.py --out /tmp/handocr_pages --n 24 --seed 101 --rotation 0 --ruled 0
    python benchmarks/column_pages.py /tmp/handocr_pages --phone 5

Every sheet is read with ``handocr read`` beside its two pages alone, and the mean
character error rates are printed, for sheets whose lists' lines line up (within a
third of a letter height) and for the others. With ``--phone SEED`` every sheet is
then taken again as a phone takes it (``compose_pages.photographed``). Photos and
transcripts go to ``--out`` (default /tmp/handocr_columns), never into the
repository.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import IMAGE_EXTS, ROOT, _load_scores, read_handocr  # noqa: E402
from compose_pages import DEFAULT_DATA, compose_page, emnist_crops, list_crops, photographed  # noqa: E402

#: Pitch of compose_pages's lines (its --line-pitch default), in letter heights.
PITCH = 2.15
TITLES = ("TO DO", "SHOPPING LIST", "NOTES", "THIS WEEK", "PLAN FOR MONDAY", "JOBS", "CALLS", "TRIP")


def _light(a):
    """(H, W, 3) float RGB over its paper (about 1 on the paper, less on the ink):
    the paper's level taken as the upper envelope of its brightness, smoothed."""
    grey = a.mean(axis=2)
    paper = ndi.gaussian_filter(ndi.grey_closing(grey, size=(41, 41)), 10)
    r = a / np.maximum(paper, 1)[..., None]
    return r / np.median(r.reshape(-1, 3), axis=0)


def _ink_box(r, level=0.75):
    """(left, right, top, bottom) of the pixels of `r` darker than `level` times the paper."""
    ink = r.mean(axis=2) < level
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    return cols[0], cols[-1], rows[0], rows[-1]


def side_by_side(left, right, height, rng, title=None):
    """Pages `left` and `right` (PIL RGB) written on one sheet, `right`'s writing
    beside `left`'s, and the writing of page `title` (PIL RGB), if given, centred
    over both: the sheet (PIL RGB), and the right list's offset, in letter heights."""
    a, b = (np.asarray(p.convert("RGB"), np.float32) for p in (left, right))
    paper = np.median(a.reshape(-1, 3), axis=0)
    ra, rb = _light(a), _light(b)
    (a0, a1, at, _), (b0, b1, bt, _) = _ink_box(ra), _ink_box(rb)
    offset = rng.uniform(0, 1.02 * PITCH)
    x = int(a1 + rng.uniform(2, 6) * height) - b0  # where the right page's array starts
    y = int(at + offset * height) - bt
    blocks = [(ra, 0, 0), (rb, y, x)]  # (light, row, column)
    if title is not None:
        rt = _light(np.asarray(title.convert("RGB"), np.float32))
        t0, t1, tt, tb = _ink_box(rt)
        foot = min(at, y + bt) - int(rng.uniform(1.2, 2.0) * height)  # over the higher list's top
        blocks.append((rt, foot - tb, int((a0 + x + b1) / 2 - (t0 + t1) / 2)))  # centred over both
    r0, c0 = min(r for _, r, _ in blocks), min(c for _, _, c in blocks)
    blocks = [(light, r - r0, c - c0) for light, r, c in blocks]
    sheet = np.ones((max(r + light.shape[0] for light, r, _ in blocks),
                     max(c + light.shape[1] for light, _, c in blocks), 3), np.float32)
    for light, r, c in blocks:
        sheet[r:r + light.shape[0], c:c + light.shape[1]] *= light
    im = Image.fromarray(np.clip(sheet * paper, 0, 255).astype(np.uint8))
    fill = tuple(int(v) for v in paper)
    return im.rotate(float(rng.uniform(-1.5, 1.5)), resample=Image.BICUBIC, expand=True, fillcolor=fill), offset


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("pages", help="folder of pages with .gt.txt (compose_pages.py --rotation 0 --ruled 0)")
    ap.add_argument("--out", default="/tmp/handocr_columns", help="work folder (default: %(default)s)")
    ap.add_argument("--height", type=float, default=48.0,
                    help="the pages' letter height in pixels, as given to compose_pages.py (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    ap.add_argument("--titles", action="store_true", help="write a title centred over both lists")
    ap.add_argument("--emnist", action="store_true",
                    help="with --titles: write the titles in EMNIST characters (default: photographed pen)")
    ap.add_argument("--phone", type=int, metavar="SEED",
                    help="then take every sheet again as a phone takes it (compose_pages.photographed), "
                         "with this seed")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    rng = np.random.default_rng(args.seed)
    phone = np.random.default_rng(args.phone) if args.phone is not None else None
    pages = []
    for gt in sorted(Path(args.pages).glob("*.gt.txt")):
        stem = gt.name[: -len(".gt.txt")]
        src = next((gt.with_name(stem + e) for e in IMAGE_EXTS if gt.with_name(stem + e).exists()), None)
        if src is not None:
            pages.append((src, gt.read_text()))
    if len(pages) < 2:
        sys.exit(f"column_pages: fewer than two pages with ground truth in {args.pages}")
    (out / "photos").mkdir(parents=True, exist_ok=True)
    truth, sheets, lined_up = {}, [], {}
    crops, cache = None, {}
    if args.titles:
        crops, cache = emnist_crops(DEFAULT_DATA.parent / "emnist", "valid") if args.emnist else \
            (list_crops(DEFAULT_DATA, "valid"), {})
    for n, ((a, ta), (b, tb)) in enumerate(zip(pages[::2], pages[1::2])):
        title = TITLES[n % len(TITLES)] if args.titles else None
        head = None
        if title:
            head = Image.fromarray(compose_page([title], crops, rng, height=args.height, rotation=0, ruled=0,
                                                cache=cache)[0])
        sheet, offset = side_by_side(Image.open(a), Image.open(b), args.height, rng, head)
        path = out / "photos" / f"{a.stem}+{b.stem}.jpg"
        quality = 88
        if phone is not None:
            taken, quality = photographed(np.asarray(sheet), phone)
            sheet = Image.fromarray(taken)
        sheet.save(path, quality=quality)
        truth[path] = (title + "\n" if title else "") + ta.rstrip("\n") + "\n" + tb
        path.with_suffix(".gt.txt").write_text(truth[path])
        sheets.append((path, a, b))
        lined_up[path] = min(offset, PITCH - offset) < 1 / 3
    scores, _ = _load_scores()

    def cer_of(paths, name):
        texts, _ = read_handocr(paths, out / "read" / name, args.model)
        return {p: (scores(truth[p], t)[0] if t is not None else 1.0) for p, t in texts.items()}

    alone_paths = [p for _, a, b in sheets for p in (a, b)]
    truth.update({src: t for src, t in pages})
    alone = cer_of(alone_paths, "alone")
    both = cer_of([s for s, _, _ in sheets], "sheets")
    print(f"# handocr on two lists side by side ({len(sheets)} sheets from {args.pages}, seed {args.seed})\n")
    print("| lists' lines | sheets | mean CER of the sheet | its two pages alone |")
    print("|---|---:|---:|---:|")
    for label, keep in (("between each other", False), ("lined up", True), ("all", None)):
        rows = [(both[s], alone[a], alone[b]) for s, a, b in sheets if keep is None or lined_up[s] == keep]
        if rows:
            print(f"| {label} | {len(rows)} | {100 * statistics.mean(r[0] for r in rows):.1f} % | "
                  f"{100 * statistics.mean((r[1] + r[2]) / 2 for r in rows):.1f} % |")
    worst = sorted(((c, s.name) for s, c in both.items()), reverse=True)[:5]
    print("\nworst sheets: " + ", ".join(f"{n} {100 * c:.0f} %" for c, n in worst))


if __name__ == "__main__":
    main()
