"""Photo conditions the pages were not taken in: read each page under forty-two of them.

Derives, from every page with a ``.gt.txt`` in a folder (default the shared
photographed pages), variants that a phone photo of another page could show:

=============  ===============================================================
blue_yellow    blue ink on yellowish paper
shadow         the left third in shadow (down to 35 % of the light)
dark           an under-exposed photo (35 % brightness)
faint          ink only 35 % as dark as in the original (light pencil)
very_faint     ink only 20 % as dark, on greyer paper, with sensor noise (a light
               pencil in dim light)
blur           out of focus (Gaussian blur, 3 px)
1mp_noisy      shrunk to 1 megapixel, sensor noise, JPEG quality 40
rot-4paper     turned 4 degrees (the sheet continues past the corners)
rot8paper      turned 8 degrees (the sheet continues past the corners)
rot6desk       turned 6 degrees on a dark desk (the page edge shows)
12mp           enlarged to 12 megapixels with noise (a phone photo's size)
grid           squared paper: a grey-blue grid (squares 1/40 of the page width,
               lines 25 % darker than the paper) printed under the writing
grid_dark      the same grid with lines 45 % darker
grid_turned    the light grid page turned 3 degrees
ruled          ruled paper: grey-blue rules 1/25 of the page width apart, 30 % dark
ruled_turned   the ruled page turned 3 degrees
notebook       ruled paper with a red margin line down the left
red_ink        red ink on white paper
vignette       the corners darkened (by up to 55 %), as by a phone lens
show_through   writing on the back shows through: the page's own ink mirrored,
               blurred (2.5 px) and 12 % dark
keystone       photographed at an angle: the top 24 % narrower than the bottom
tiny           shrunk to 45 % (letters about 12 to 25 px tall)
glare          a reflection on glossy paper: an oval washed out towards white
               (75 % at its centre), where the ink keeps a fifth of its contrast
wood_desk      the sheet turned 4 degrees on a wooden desk (grain of 6 %
               amplitude), the desk showing all round (the photo 1.4 times the page)
hard_shadow    the shadow of a phone or a hand: the lower right part of the page,
               beyond a diagonal edge blurred by 4 px, at 45 % of the light
pencil_grid    pencil (ink 45 % as dark) on squared paper whose lines (1/40 of the
               width apart) are about 23 % darker than the paper: as dark as the writing
sideways       turned a quarter turn counterclockwise, with no EXIF orientation
upside_down    turned a half turn, with no EXIF orientation
curl           the sheet curling: rows bent along a sine (1.5 half-waves across
               the width, 3 % of the height up and down), as near a notebook's spine
marker         written with a felt marker: every stroke widened on each side by
               1/540 of the page height (3 px on a 1,600-px photo; grey erosion)
italic         handwriting leaning right by 0.3 (about 17 degrees)
skipping_pen   a pen that skips: 15 % of the page, in blobs a few pixels wide
               (smoothed noise, sigma 3 px), turned back to paper, breaking the strokes
pencil_ruled   pencil (ink 45 % as dark) on ruled paper whose rules are 25 % dark:
               as dark as the writing
pencil_turned  the pencil_grid page turned 3 degrees
dusty          dark specks of dust strewn over the photo, one every 3,000 pixels (Gaussian
               dots of radius 1/800 of the page height, up to 85 % dark)
dotted         dotted paper (a bullet journal's): grey-blue dots 1/40 of the page width
               apart, 1/350 of it across, 50 % darker than the paper
dotted_turned  the dotted page turned 3 degrees
rot15paper     turned 15 degrees (the sheet continues past the corners): a photo
               taken carelessly; the lines slope by a quarter of a letter height
               every letter
shake          a shaking hand: motion blur along a line of 1/150 of the page height
               at 20 degrees (9 px on a 1,350-px photo)
side_view      photographed from the right: the right edge 30 % shorter than the
               left, the letters narrower and shorter towards it
coffee_ring    a coffee cup's brown ring (radius a fifth of the page height, its rim
               taking 35 % of the blue light) through the writing
spiral_holes   torn from a spiral notebook: dark oval holes down the left margin,
               1/22 of the page height apart
turned_shadow  the hard_shadow on the sheet turned 6 degrees (continued past the
               corners): the shadow's edge meets the photo's border, turned with
               the page when it is levelled
=============  ===============================================================

then reads every variant with the installed ``handocr read`` (one process per
folder, ``-o``) and prints the character error rate of each page, the mean of
each condition and its mean layout CER (spaces and line breaks counted),
beside the originals. The variants are written to ``--out``
(default /tmp/handocr_stress), never into the repository.

    python benchmarks/stress_pages.py
    python benchmarks/stress_pages.py --pages /tmp/handocr_pages --only faint,blur
"""

import argparse
import shutil
import statistics
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter
from scipy import ndimage as ndi

from bench_accuracy import DATA, IMAGE_EXTS, ROOT, _load_scores, read_handocr
from ocr.synth import coffee_ring, dot_grid, punched_holes


def _to_image(a):
    return Image.fromarray(np.clip(a * 255, 0, 255).astype(np.uint8))


def variants(im, rng):
    """The derived photos of one page: name -> (PIL image, JPEG quality)."""
    a = np.asarray(im).astype(np.float32) / 255
    H, W = a.shape[:2]
    grey = a.mean(axis=2, keepdims=True)
    ink = np.clip((0.75 - grey) / 0.5, 0, 1)
    yy, xx = np.mgrid[0:H, 0:W]
    out = {}
    out["blue_yellow"] = (_to_image(np.array([0.97, 0.92, 0.70]) * (1 - ink) + np.array([0.15, 0.25, 0.75]) * ink), 85)
    out["shadow"] = (_to_image(a * (0.35 + 0.65 * np.clip(xx / (0.6 * W), 0, 1))[..., None]), 85)
    out["dark"] = (ImageEnhance.Brightness(im).enhance(0.35), 85)
    out["faint"] = (_to_image((1 - (1 - a) * 0.35) * 0.85 + 0.1), 85)
    noise = np.random.default_rng(1).normal(0, 2 / 255, a.shape)  # its own draws: the other rows stay as they were
    out["very_faint"] = (_to_image((1 - (1 - a) * 0.2) * 0.8 + 0.1 + noise), 88)
    out["blur"] = (im.filter(ImageFilter.GaussianBlur(3)), 85)
    f = (1e6 / (H * W)) ** 0.5
    small = np.asarray(im.resize((int(W * f), int(H * f)), Image.BILINEAR)).astype(np.float32)
    out["1mp_noisy"] = (_to_image((small + rng.normal(0, 8, small.shape)) / 255), 40)
    # a larger sheet: the photo's edges continued outwards, then turned
    pad = int(0.15 * max(H, W))
    sheet = Image.fromarray(np.pad(np.asarray(im), ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    for angle in (-4, 8):
        turned = sheet.rotate(angle, resample=Image.BICUBIC)
        out[f"rot{angle}paper"] = (turned.crop((pad // 2, pad // 2, turned.width - pad // 2,
                                                turned.height - pad // 2)), 85)
    out["rot6desk"] = (im.rotate(6, resample=Image.BICUBIC, expand=True, fillcolor=(95, 75, 55)), 85)
    f = (12e6 / (H * W)) ** 0.5
    big = np.asarray(im.resize((int(W * f), int(H * f)), Image.BICUBIC)).astype(np.float32)
    out["12mp"] = (_to_image((big + rng.normal(0, 3, big.shape)) / 255), 90)
    step = max(8, W // 40)
    lines = np.zeros((H, W), np.float32)
    for k in (0, 1):  # lines two pixels thick
        lines[step // 3 + k :: step] = 1
        lines[:, step // 5 + k :: step] = 1
    tint = np.array([0.8, 0.85, 1.0], np.float32)  # printed lines are grey-blue; ink darkens them further
    for name, depth in (("grid", 0.25), ("grid_dark", 0.45)):
        out[name] = (_to_image(a * (1 - depth * lines[..., None] * (2 - tint))), 88)
    paper = tuple(int(v) for v in np.median(np.asarray(out["grid"][0]).reshape(-1, 3), axis=0))
    out["grid_turned"] = (out["grid"][0].rotate(3, resample=Image.BICUBIC, fillcolor=paper), 88)
    step = max(8, W // 25)
    rules = np.zeros((H, W), np.float32)
    for k in (0, 1, 2):  # rules three pixels thick
        rules[step // 2 + k :: step] = 1
    out["ruled"] = (_to_image(a * (1 - 0.3 * rules[..., None] * (2 - tint))), 88)
    out["ruled_turned"] = (out["ruled"][0].rotate(3, resample=Image.BICUBIC, fillcolor=paper), 88)
    margin = a * (1 - 0.3 * rules[..., None] * (2 - tint))
    x0 = int(0.06 * W)
    margin[:, x0 : x0 + 3] *= np.array([1.0, 0.55, 0.55], np.float32)  # red: dark in green and blue
    out["notebook"] = (_to_image(margin), 88)
    out["red_ink"] = (_to_image(np.array([0.96, 0.95, 0.93]) * (1 - ink) + np.array([0.8, 0.12, 0.15]) * ink), 88)
    r = np.sqrt(((yy - H / 2) / (H / 2)) ** 2 + ((xx - W / 2) / (W / 2)) ** 2)
    out["vignette"] = (_to_image(a * (1 - 0.55 * np.clip(r - 0.3, 0, 1) ** 1.5)[..., None]), 88)
    back = Image.fromarray((ink[..., 0][:, ::-1] * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2.5))
    out["show_through"] = (_to_image(a * (1 - 0.12 * np.asarray(back, np.float32)[..., None] / 255)), 88)
    out["keystone"] = (_keystone(im, 0.12), 88)
    out["tiny"] = (im.resize((int(W * 0.45), int(H * 0.45)), Image.LANCZOS), 88)
    glare = (0.75 * np.exp(-(((yy - 0.45 * H) / (0.25 * H)) ** 2 + ((xx - 0.55 * W) / (0.2 * W)) ** 2)))[..., None]
    out["glare"] = (_to_image(a * (1 - glare) + glare), 88)
    out["wood_desk"] = (_on_wood(im, rng), 88)
    out["hard_shadow"] = (_to_image(_hard_shadow(a)), 88)
    pencil = 1 - (1 - a) * 0.45  # pencil: the ink 45 % as dark, on the light grid
    out["pencil_grid"] = (_to_image(pencil * (1 - 0.2 * lines[..., None] * np.array([1.2, 1.15, 1.0], np.float32))), 88)
    out["sideways"] = (im.rotate(90, expand=True), 88)  # no EXIF orientation to undo it
    out["upside_down"] = (im.rotate(180), 88)
    out["curl"] = (_curl(a, 0.03), 88)
    k = max(1, round(H / 540))
    out["marker"] = (_to_image(np.stack([ndi.grey_erosion(a[..., c], footprint=np.ones((2 * k + 1, 2 * k + 1), bool))
                                          for c in range(3)], -1)), 88)
    out["italic"] = (shear(im, 0.3), 88)
    skip_rng = np.random.default_rng(2)  # its own draws: the other rows stay as they were
    blobs = ndi.gaussian_filter(skip_rng.random((H, W)), 3)
    holes = ndi.gaussian_filter((blobs > np.percentile(blobs, 85)).astype(np.float32), 1.0)[..., None]
    out["skipping_pen"] = (_to_image(a * (1 - holes) + np.percentile(a, 90, axis=(0, 1)) * holes), 88)
    out["pencil_ruled"] = (_to_image(pencil * (1 - 0.25 * rules[..., None] * (2 - tint))), 88)
    out["pencil_turned"] = (out["pencil_grid"][0].rotate(3, resample=Image.BICUBIC, fillcolor=paper), 88)
    dust_rng = np.random.default_rng(3)  # its own draws: the other rows stay as they were
    spots = np.zeros((H, W), np.float32)
    n = H * W // 3000
    spots[dust_rng.integers(0, H, n), dust_rng.integers(0, W, n)] = 1
    r = 2.0 * H / 1600
    dust = np.clip(ndi.gaussian_filter(spots, r) * (2 * np.pi * r * r) * 0.9, 0, 0.85)[..., None]
    out["dusty"] = (_to_image(a * (1 - dust)), 90)
    dots = dot_grid((H, W), W / 40, max(1.5, W / 700), 0.5, offset=(W / 120, W / 200))[..., None]
    out["dotted"] = (_to_image(a * (1 - dots * (2 - tint))), 88)
    out["dotted_turned"] = (out["dotted"][0].rotate(3, resample=Image.BICUBIC, fillcolor=paper), 88)
    out["rot15paper"] = (_turned_sheet(im, 15), 85)
    out["shake"] = (_to_image(np.stack([ndi.convolve(a[..., c], _line_kernel(max(3, round(H / 150)), 20.0),
                                                     mode="nearest") for c in range(3)], -1)), 88)
    out["side_view"] = (_side_view(im, 0.3), 88)
    rgb = np.asarray(im.convert("RGB"))
    out["coffee_ring"] = (Image.fromarray(coffee_ring(rgb, (0.5 * H, 0.45 * W), 0.2 * H, width=H / 400)), 88)
    pitch = H / 22
    out["spiral_holes"] = (Image.fromarray(punched_holes(rgb, pitch, (0.3 * pitch, 0.24 * pitch), 0.025 * W)), 88)
    out["turned_shadow"] = (_to_image(_hard_shadow(np.asarray(_turned_sheet(im, 6)).astype(np.float32) / 255)), 88)
    return out


def _hard_shadow(a):
    """`a` (H, W, 3 floats) with its lower right part, beyond a diagonal edge blurred
    by 4 px, at 45 % of the light."""
    H, W = a.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W]
    edge = (0.6 * xx + yy > 0.55 * (0.6 * W + H)).astype(np.float32)  # a diagonal edge
    edge = np.asarray(Image.fromarray((edge * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(4)),
                      np.float32)[..., None] / 255
    return a * (1 - 0.55 * edge)


def _turned_sheet(im, degrees):
    """`im` turned by `degrees` on a sheet continued past it (edge pixels repeated),
    framed to hold the whole turned page and no corner beyond the sheet."""
    W, H = im.size
    t = np.radians(abs(degrees))
    w, h = int(W * np.cos(t) + H * np.sin(t)), int(W * np.sin(t) + H * np.cos(t))
    pad = max(w, h)
    turned = Image.fromarray(np.pad(np.asarray(im), ((pad, pad), (pad, pad), (0, 0)), mode="edge")).rotate(
        degrees, resample=Image.BICUBIC)
    x0, y0 = (turned.width - w) // 2, (turned.height - h) // 2
    return turned.crop((x0, y0, x0 + w, y0 + h))


def _line_kernel(length, degrees):
    """A motion-blur kernel: a line `length` pixels long at `degrees`, summing to 1."""
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    k = ndi.rotate(k, degrees, reshape=False, order=1)
    return k / k.sum()


def _curl(a, amplitude):
    """Rows of the float RGB page `a` bent along a sine, the page first extended
    up and down (edge pixels repeated) so no writing leaves the frame."""
    pad = int(amplitude * a.shape[0]) + 2
    a = np.pad(a, ((pad, pad), (0, 0), (0, 0)), mode="edge")
    H, W = a.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    yy += amplitude * H * np.sin(1.5 * np.pi * xx / W)
    return _to_image(np.stack([ndi.map_coordinates(a[..., c], [yy, xx], order=1, mode="nearest")
                               for c in range(3)], -1))


def shear(im, s):
    """`im` with everything leaning by `s` (dx/dy; positive leans right), on a sheet
    widened so that nothing leaves it, the new margins filled with the paper's grey."""
    W, H = im.size
    paper = tuple(int(v) for v in np.median(np.asarray(im).reshape(-1, 3), axis=0))
    pad = int(abs(s) * H / 2) + 2
    wide = Image.new("RGB", (W + 2 * pad, H), paper)
    wide.paste(im, (pad, 0))
    return wide.transform(wide.size, Image.AFFINE, (1, s, -s * H / 2, 0, 1, 0),
                          resample=Image.BICUBIC, fillcolor=paper)


def _on_wood(im, rng, amplitude=0.06, angle=4.0):
    """`im` turned by `angle` degrees on a wooden desk 1.4 times its size."""
    W, H = int(1.4 * im.width), int(1.4 * im.height)
    yy, xx = np.mgrid[0:H, 0:W]
    grain = amplitude * np.sin(xx / 40.0 + 2 * np.sin(yy / 150.0)) + rng.normal(0, 0.03, (H, W))
    grain = np.asarray(Image.fromarray((np.clip(grain + 0.5, 0, 1) * 255).astype(np.uint8))
                       .filter(ImageFilter.GaussianBlur(2)), np.float32) / 255 - 0.5
    desk = _to_image(np.stack([c + grain for c in (0.55, 0.38, 0.22)], -1))
    turned = im.rotate(angle, resample=Image.BICUBIC, expand=True)
    inside = Image.new("L", im.size, 255).rotate(angle, expand=True)
    desk.paste(turned, ((W - turned.width) // 2, (H - turned.height) // 2), inside)
    return desk


def _side_view(im, shrink):
    """`im` seen from its right: the right edge `shrink` of the height shorter than the
    left, on a sheet first extended (edge pixels repeated) so no writing leaves the frame."""
    pad = int(0.12 * im.width)
    big = Image.fromarray(np.pad(np.asarray(im), ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    W, H = big.size
    d = shrink * H / 2
    return big.transform((W, H), Image.PERSPECTIVE, _projective([(0, 0), (W, d), (W, H - d), (0, H)], W, H),
                         Image.BICUBIC)


def _projective(dst, W, H):
    """Pillow's PERSPECTIVE coefficients taking the corners of a W x H image (top left,
    top right, bottom right, bottom left) from the points `dst`."""
    src = [(0, 0), (W, 0), (W, H), (0, H)]
    A, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        A += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        b += [u, v]
    return tuple(np.linalg.solve(np.array(A, float), np.array(b, float)))


def _keystone(im, inset):
    """`im` seen at an angle: its top edge `inset` of the width in from each side.
    The page is first extended (edge pixels repeated) so that no writing leaves the frame."""
    pad = int(0.12 * im.width)
    big = Image.fromarray(np.pad(np.asarray(im), ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    W, H = big.size
    d = inset * W
    return big.transform((W, H), Image.PERSPECTIVE, _projective([(d, 0), (W - d, 0), (W, H), (0, H)], W, H),
                         Image.BICUBIC)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--pages", default=str(DATA / "pages"), help="folder of pages with .gt.txt (default: %(default)s)")
    ap.add_argument("--out", default="/tmp/handocr_stress", help="work folder (default: %(default)s)")
    ap.add_argument("--only", help="comma-separated conditions (default: all)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    args = ap.parse_args(argv)
    pages = sorted(p for p in Path(args.pages).glob("*.gt.txt"))
    if not pages:
        sys.exit(f"stress_pages: no pages with ground truth in {args.pages}")
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    rng = np.random.default_rng(0)
    wanted = set(args.only.split(",")) if args.only else None
    folders = {"original": out / "original"}
    truth = {}
    for gt in pages:
        stem = gt.name[: -len(".gt.txt")]
        src = next((gt.with_name(stem + e) for e in IMAGE_EXTS if gt.with_name(stem + e).exists()), None)
        if src is None:
            continue
        truth[stem] = gt.read_text()
        im = Image.open(src).convert("RGB")
        folders["original"].mkdir(parents=True, exist_ok=True)
        shutil.copy(src, folders["original"] / f"{stem}{src.suffix}")
        for name, (v, quality) in variants(im, rng).items():
            if wanted and name not in wanted:
                continue
            folders.setdefault(name, out / name).mkdir(parents=True, exist_ok=True)
            v.save(folders[name] / f"{stem}.jpg", quality=quality)
    scores, _ = _load_scores()
    print(f"# handocr under other photo conditions ({len(truth)} pages from {args.pages})\n")
    print(f"| {'condition':12s} | " + " | ".join(f"{s:>12s}" for s in truth) + " | mean CER | layout |")
    print("|---|" + "---:|" * (len(truth) + 2))
    for name, folder in folders.items():
        texts, _ = read_handocr(sorted(folder.iterdir()), out / "read" / name, args.model)
        both = [scores(truth[img.stem], text)[:2] if text is not None else None
                for img, text in sorted(texts.items())]
        cells = [f"{100 * c[0]:11.1f}%" if c is not None else f"{'failed':>12s}" for c in both]
        done = [c for c in both if c is not None]
        mean = f"{100 * statistics.mean(c[0] for c in done):.1f} %" if done else "n/a"
        layout = f"{100 * statistics.mean(c[1] for c in done):.1f} %" if done else "n/a"
        print(f"| {name:12s} | " + " | ".join(cells) + f" | {mean} | {layout} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
