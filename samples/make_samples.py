#!/usr/bin/env python3
"""Write the sample pages of ``samples/`` from the project's own stroke font.

Run from anywhere: ``python samples/make_samples.py [OUT_DIR]`` (default: the
folder of this script). Each page is written as ``<name>.png`` with its ground
truth ``<name>.gt.txt`` beside it (one page line per line, words separated by
single spaces). The pages are a pure function of the texts, options and seeds
below, so running the script again reproduces the committed files exactly
(tests/test_synth.py checks this).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

#: name -> (text lines, render_page options, PNG mode). Seeds are fixed: change
#: them and the committed images change too. Sensor noise is kept low and the grey
#: page is stored as a greyscale PNG so that the files stay small (noise does not
#: compress).
SAMPLES = {
    "synthetic_page": (
        ["SHOPPING LIST", "2 EGGS 1 MILK", "6 APPLES AND 3 PEARS", "BREAD 4 BUNS", "CALL JO AT 7"],
        dict(seed=7, height=40, ink="grey", noise=1.2),
        "L",
    ),
    "ruled_note": (
        ["MEET BOB AT 10", "ROOM 258", "BRING 9 COPIES"],
        dict(seed=11, height=38, ink="blue", ruled=True, rotation=1.2, noise=0.8),
        "RGB",
    ),
}


def write_samples(out_dir=HERE):
    """Render every sample into `out_dir`.

    Returns
    -------
    paths : list of str
        The files written (``.png`` and ``.gt.txt``).
    """
    from PIL import Image

    from ocr.synth import render_page

    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, (lines, options, mode) in SAMPLES.items():
        image, text, _ = render_page(lines, **options)
        png = os.path.join(out_dir, name + ".png")
        gt = os.path.join(out_dir, name + ".gt.txt")
        Image.fromarray(image).convert(mode).save(png, optimize=True)
        with open(gt, "w", encoding="ascii", newline="\n") as f:
            f.write(text + "\n")
        paths += [png, gt]
    return paths


if __name__ == "__main__":
    for p in write_samples(sys.argv[1] if len(sys.argv) > 1 else HERE):
        print(p)
