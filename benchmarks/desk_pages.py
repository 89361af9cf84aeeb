#!/usr/bin/env python3
"""Pages photographed lying on a desk: every page of a folder put on generated desks.

Each page with a ``.gt.txt`` in ``PAGES`` (default the shared photographed pages;
``compose_pages.py`` makes pages of characters the model never trained on) is
turned by a random angle of up to 7 degrees and pasted, at a random place, on a
desk 1.25-1.6 times its size, of one of three kinds in turn:

=======  ==================================================================
oak      light wood (about as bright as grey paper), grain 7 % of the light
walnut   dark wood, grain 10 %
striped  a grey tablecloth of hard-edged stripes, some as bright as the paper
plain    (``--kinds``) a smooth desk, dark to mid grey, the sheet's soft shadow on it
white    (``--kinds``) a smooth white desk, brighter than the paper, the same shadow
=======  ==================================================================

With ``--notes`` every page is first coloured as a sticky note (yellow, pink, green,
blue or orange paper in turn, the ink as dark as it was).

The grain's direction, period and the page's place change from page to page
(``--seed``). Every photo is read with ``handocr read`` beside the page alone, and
the character error rates are printed per desk kind::

    python benchmarks/compose_pages.py --out /tmp/handocr_pages --n 24 --seed 101
    python benchmarks/desk_pages.py /tmp/handocr_pages

With ``--phone SEED`` every desk photo is then taken again as a phone takes it
(``compose_pages.photographed``). Each photo's ``.gt.txt`` is written beside it.

Photos and transcripts go to ``--out`` (default /tmp/handocr_desk), never into
the repository.
"""

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import DATA, IMAGE_EXTS, ROOT, _load_scores, read_handocr  # noqa: E402
from compose_pages import photographed  # noqa: E402

KINDS = ("oak", "walnut", "striped")
PLAIN = {"plain": (0.2, 0.5), "white": (0.93, 0.98)}  # smooth desks: (darkest, brightest)
NOTES = ((1.0, 0.93, 0.45), (1.0, 0.72, 0.8), (0.72, 0.95, 0.62), (0.62, 0.85, 1.0), (1.0, 0.75, 0.45))


def desk(width, height, kind, rng):
    """A desk photo of `kind`: (height, width, 3) uint8 as a PIL image."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind in PLAIN:  # smooth, the light falling off a little from one place
        light = 1 - 0.15 * ((xx / width - rng.uniform()) ** 2 + (yy / height - rng.uniform()) ** 2)
        grey = rng.uniform(*PLAIN[kind]) * light + rng.normal(0, 0.01, (height, width))
        return Image.fromarray((np.clip(np.stack([grey] * 3, -1), 0, 1) * 255).astype(np.uint8))
    if kind == "oak":
        colour, amplitude, period = (0.72, 0.58, 0.40), 0.07, rng.uniform(15, 35)
    elif kind == "walnut":
        colour, amplitude, period = (0.40, 0.28, 0.18), 0.10, rng.uniform(25, 60)
    else:
        colour, amplitude, period = (0.45, 0.45, 0.47), 0.12, rng.uniform(8, 20)
    angle = rng.uniform(0, np.pi)
    u = xx * np.cos(angle) + yy * np.sin(angle)
    v = -xx * np.sin(angle) + yy * np.cos(angle)
    grain = amplitude * np.sin(u / period + 2 * np.sin(v / rng.uniform(80, 200)))
    grain += rng.normal(0, 0.03, (height, width))
    if kind == "striped":
        grain += amplitude * np.sign(np.sin(v / period))
    grain = Image.fromarray((np.clip(grain + 0.5, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5))
    g = np.asarray(grain, np.float32) / 255 - 0.5
    return Image.fromarray((np.clip(np.stack([c + g for c in colour], -1), 0, 1) * 255).astype(np.uint8))


def on_desk(page, kind, rng):
    """`page` (PIL RGB) turned and pasted on a desk of `kind`."""
    W = int(page.width * rng.uniform(1.25, 1.6))
    H = int(page.height * rng.uniform(1.25, 1.6))
    ground = desk(W, H, kind, rng)
    angle = rng.uniform(-7, 7)
    turned = page.rotate(angle, resample=Image.BICUBIC, expand=True)
    inside = Image.new("L", page.size, 255).rotate(angle, expand=True)
    x = int(rng.uniform(0.1, 0.9) * (W - turned.width))
    y = int(rng.uniform(0.1, 0.9) * (H - turned.height))
    if kind in PLAIN:  # the sheet's soft shadow, down and to the right
        shadow = Image.new("L", ground.size, 0)
        shadow.paste(255, (x + 4, y + 6), inside)
        shadow = np.asarray(shadow.filter(ImageFilter.GaussianBlur(6)), np.float32) / 255
        ground = Image.fromarray((np.asarray(ground, np.float32) * (1 - 0.35 * shadow[..., None])).astype(np.uint8))
    ground.paste(turned, (x, y), inside)
    return ground


def as_note(page, colour):
    """`page` (PIL RGB) on paper of `colour` (RGB, 0-1): a sticky note's."""
    a = np.asarray(page.convert("L"), np.float32) / 255
    a = np.clip(a / np.percentile(a, 80), 0, 1)[..., None] * np.asarray(colour, np.float32)
    return Image.fromarray((a * 255).astype(np.uint8))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("pages", nargs="?", default=str(DATA / "pages"),
                    help="folder of pages with .gt.txt (default: %(default)s)")
    ap.add_argument("--out", default="/tmp/handocr_desk", help="work folder (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    ap.add_argument("--phone", type=int, metavar="SEED",
                    help="then take every desk photo again as a phone takes it (compose_pages.photographed: "
                         "a vignette, a side or hard shadow or dim warm light, noise, blur, JPEG), with this seed")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="comma-separated desks, taken in turn (default: %(default)s; also: plain, white)")
    ap.add_argument("--notes", action="store_true", help="colour every page as a sticky note first")
    args = ap.parse_args(argv)
    kinds = tuple(args.kinds.split(","))
    if not set(kinds) <= set(KINDS) | set(PLAIN):
        ap.error(f"--kinds: choose among {', '.join(KINDS + tuple(PLAIN))}")
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    rng = np.random.default_rng(args.seed)
    phone = np.random.default_rng(args.phone) if args.phone is not None else None
    truth, alone, photos = {}, [], {k: [] for k in kinds}
    (out / "photos").mkdir(parents=True, exist_ok=True)
    for i, gt in enumerate(sorted(Path(args.pages).glob("*.gt.txt"))):
        stem = gt.name[: -len(".gt.txt")]
        src = next((gt.with_name(stem + e) for e in IMAGE_EXTS if gt.with_name(stem + e).exists()), None)
        if src is None:
            continue
        truth[stem] = gt.read_text()
        alone.append(src)
        kind = kinds[i % len(kinds)]
        path = out / "photos" / f"{stem}.{kind}.jpg"
        page = Image.open(src).convert("RGB")
        if args.notes:
            page = as_note(page, NOTES[i % len(NOTES)])
        on_desk(page, kind, rng).save(path, quality=88)
        if phone is not None:
            taken, quality = photographed(np.asarray(Image.open(path).convert("RGB")), phone)
            Image.fromarray(taken).save(path, quality=quality)
        path.with_suffix(".gt.txt").write_text(truth[stem])
        photos[kind].append(path)
    if not truth:
        sys.exit(f"desk_pages: no pages with ground truth in {args.pages}")
    scores, _ = _load_scores()

    def cer_of(paths, name):
        texts, _ = read_handocr(paths, out / "read" / name, args.model)
        return {p: (scores(truth[p.name.split(".")[0]], t)[0] if t is not None else 1.0) for p, t in texts.items()}

    print(f"# handocr on desks ({len(truth)} pages from {args.pages}, seed {args.seed})\n")
    print("| desk | pages | mean CER on the desk | the same pages alone |")
    print("|---|---:|---:|---:|")
    base = cer_of(alone, "alone")
    by_stem = {p.stem: c for p, c in base.items()}
    every, every_alone, worst = [], [], []
    for kind in kinds:
        if not photos[kind]:
            continue
        cer = cer_of(photos[kind], kind)
        worst += [(c, p.name) for p, c in cer.items()]
        on = list(cer.values())
        off = [by_stem[p.name.split(".")[0]] for p in cer]
        every += on
        every_alone += off
        print(f"| {kind} | {len(on)} | {100 * statistics.mean(on):.1f} % | {100 * statistics.mean(off):.1f} % |")
    print(f"| all | {len(every)} | {100 * statistics.mean(every):.1f} % | {100 * statistics.mean(every_alone):.1f} % |")
    print("\nworst photos: " + ", ".join(f"{n} {100 * c:.0f} %" for c, n in sorted(worst, reverse=True)[:5]))


if __name__ == "__main__":
    main()
