#!/usr/bin/env python3
"""Composed pages under conditions drawn at random, to look for what fails.

Each setting is a `compose_pages.py` command line drawn at random: the characters
(held-out pen photos, EMNIST writers, the stroke font), the letter size and the
photo's scale, a turn, the paper (plain, ruled, squared, dotted), the light, the
ink's strength, sensor noise, letter and word gaps, the line pitch, rising and
wavy lines, crossed ``7``/``Z``/``0``, a highlighter, letters of mixed size. Each
setting is written to ``<out>/cNNN`` (two pages of random text each) and logged
with its options in ``<out>/configs.txt``. With ``--notes photo|emnist``, every
note of ``english_notes.txt`` and ``number_notes.txt`` (or of the files given with
``--texts``, such as ``more_notes.txt``) is composed once instead, of pen or EMNIST
characters, each under its own drawn conditions (``<out>/nNNN_000``).

    python benchmarks/random_pages.py --out /tmp/rnd --seed 54 --n 75
    python benchmarks/random_pages.py --out /tmp/notes --seed 541 --notes photo
    python benchmarks/random_pages.py --out /tmp/more --seed 67 --notes emnist --texts benchmarks/more_notes.txt
    python /tmp/../shared/tools/score_pages.py /tmp/notes

Pages made from the shared data must not be committed: `compose_pages.py` refuses
to write inside a git work tree.
"""

import argparse
import contextlib
import io
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compose_pages  # noqa: E402

LIGHTS = ["vignette", "side_shadow", "dim_warm", "hard_shadow"]


def conditions(r, dots, light, ink, noise, letter_gap, word_gap, pitch):
    """Options of the paper (ruled a quarter of the time, squared a tenth, dotted up
    to the share `dots`), the light (a shadow or dim light for the share `light`),
    the ink (from `ink` to full), the noise (``(share, most)``) and the letter gap,
    word gap and line pitch (ranges, in letter heights), drawn from `r`."""
    a = []
    paper = r.random()
    if paper < 0.25:
        a += ["--ruled", "1"]
    elif paper < 0.35:
        a += ["--grid", "1"]
    elif paper < dots:
        a += ["--dots", "1"]
    if r.random() < light:
        a += ["--light", r.choice(LIGHTS)]
    a += ["--ink", f"{r.uniform(ink, 1.0):.2f}"]
    if r.random() < noise[0]:
        a += ["--noise", f"{r.uniform(2, noise[1]):.1f}"]
    a += ["--letter-gap", f"{r.uniform(*letter_gap):.2f}", "--word-gap", f"{r.uniform(*word_gap):.2f}"]
    a += ["--line-pitch", f"{r.uniform(*pitch):.2f}"]
    return a


def random_setting(r, seed):
    """compose_pages options for two pages of random text (`r`: random.Random)."""
    source = r.choice(["", "", "--emnist", "--emnist", "--synthetic"])
    a = ["--n", "2", "--seed", str(seed), "--format", r.choice(["jpg", "jpg", "png"]), "--photo"]
    if source:
        a.append(source)
    a += ["--height", str(r.randint(26, 80)), "--scale", f"{r.choice([1, 1, 1.5, 2, 2.5]):g}"]
    a += ["--rotation", f"{r.uniform(0, 6):.1f}"]
    a += conditions(r, dots=0.42, light=0.6, ink=0.5, noise=(0.4, 10), letter_gap=(0.15, 0.5),
                    word_gap=(1.0, 2.4), pitch=(1.5, 2.8))
    if r.random() < 0.3:
        a += ["--uphill", f"{r.uniform(0, 4):.1f}"]
    if r.random() < 0.3:
        a += ["--drift", f"{r.uniform(0.5, 2):.1f}"]
    if r.random() < 0.2:
        a += ["--crossed", "0.5"]
    if r.random() < 0.15:
        a += ["--highlight", "0.2"]
    if r.random() < 0.2:
        a += ["--size-spread", f"{r.uniform(0.07, 0.2):.2f}"]
    return a


def note_setting(r, seed, text, k, emnist):
    """compose_pages options for note `k` (`text`) under drawn conditions."""
    a = ["--n", "1", "--seed", str(seed), "--format", r.choice(["jpg", "jpg", "png"]), "--photo",
         "--text", text, "--prefix", f"n{k:03d}_"]
    if emnist:
        a.append("--emnist")
    a += ["--height", str(r.randint(28, 70)), "--scale", f"{r.choice([1, 1, 1.5, 2]):g}"]
    a += ["--rotation", f"{r.uniform(0, 5):.1f}"]
    a += conditions(r, dots=0.0, light=0.5, ink=0.55, noise=(0.3, 8), letter_gap=(0.2, 0.45),
                    word_gap=(1.2, 2.2), pitch=(1.7, 2.6))
    if r.random() < 0.3:
        a += ["--crossed", "0.5"]
    return a


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="/tmp/handocr_random", help="output folder (default: /tmp/handocr_random)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    ap.add_argument("--n", type=int, default=60, help="settings drawn, two pages each (default: 60)")
    ap.add_argument("--notes", choices=["photo", "emnist"],
                    help="compose every note of benchmarks/*_notes.txt once instead, of these characters")
    ap.add_argument("--texts", type=Path, action="append",
                    help="with --notes: the notes of this file (one a line, lines split by '|') instead; "
                         "may be given again")
    args = ap.parse_args(argv)
    if args.texts and not args.notes:
        ap.error("--texts goes with --notes photo|emnist")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    r = random.Random(args.seed)
    if args.notes:
        files = args.texts or [HERE / "english_notes.txt", HERE / "number_notes.txt"]
        texts = [line.strip() for name in files for line in Path(name).read_text().splitlines() if line.strip()]
        jobs = [(out, note_setting(r, args.seed * 1000 + k, t, k, args.notes == "emnist"))
                for k, t in enumerate(texts)]
    else:
        jobs = [(out / f"c{k:03d}", random_setting(r, args.seed * 1000 + k)) for k in range(args.n)]
    with open(out / "configs.txt", "a") as log:
        for k, (folder, options) in enumerate(jobs):
            print(folder if not args.notes else k, " ".join(options), file=log, flush=True)
            with contextlib.redirect_stdout(io.StringIO()):
                status = compose_pages.main(["--out", str(folder)] + options)
            if status:
                return status
            print(f"{k + 1}/{len(jobs)}", file=sys.stderr, end="\r")
    print(f"{len(jobs)} settings written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
