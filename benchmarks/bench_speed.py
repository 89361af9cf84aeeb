#!/usr/bin/env python3
"""Speed and memory of ``handocr read`` beside ``tesseract IMAGE - --psm 6``.

Every figure is the wall clock of a whole process (interpreter start-up, imports,
model loading and image decoding included), as a user on the command line sees it,
and the peak resident memory (max RSS) of that process, taken from ``os.wait4``.

Sections (``--only`` picks a comma-separated subset; default all but ``train``):

speed    each shared page (``../shared/data/pages/*.jpg``) as it is and upscaled to
         about 12 megapixels (bicubic, mild noise, JPEG quality 90): median seconds of
         ``handocr read`` and of ``tesseract`` over ``--runs`` runs, and the speed-up.
startup  ``handocr --help`` (imports and click only), beside ``python -c pass``.
memory   one page at 1, 3, 12 and 48 megapixels: seconds and peak MB of ``handocr
         read`` per size, to show that the cost grows slowly with the pixel count.
batch    8 pages (copies of the test photos) read into an ``-o`` folder with ``-j 1``
         and ``-j 2``: pages per second.
train    (``--train`` or ``--only train``) one training epoch of the real training
         loop (``ocr.train.train``, default network) on 100,000 random 32x32 samples.

Test photos and outputs go to ``--out`` (default /tmp/handocr_bench), never into
the repository. ``--plot FILE`` saves a PNG of seconds against megapixels.
The load average is printed with the numbers: other processes skew them.

    python benchmarks/bench_speed.py                   # everything, about 3 minutes
    python benchmarks/bench_speed.py --only speed --runs 3
    python benchmarks/bench_speed.py --only memory --plot /tmp/handocr_bench/speed.png
    python benchmarks/bench_speed.py --train --only startup
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SECTIONS = ("speed", "startup", "memory", "batch", "train")
MEMORY_SIZES = (1, 3, 12, 48)


def warn(msg):
    print(f"bench_speed: {msg}", file=sys.stderr)


def loadavg():
    try:
        return "load average %.2f %.2f %.2f (1, 5, 15 min), %d cores" % (*os.getloadavg(), os.cpu_count() or 1)
    except OSError:
        return "load average unknown"


def inside(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------------------- processes

#: Runs a command and reports its wall time and peak RSS. The launcher is a small fresh
#: process: on Linux a child's ru_maxrss starts from the high-water mark of the process
#: that forked it (kept across exec), so measuring straight from this script, which
#: grows while it makes 48 MP test photos, would report this script's size instead.
LAUNCHER = r"""
import os, subprocess, sys, time
out, err = sys.argv[1], sys.argv[2]
with open(err, "wb") as e:
    t = time.perf_counter()
    p = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=e)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
with open(out, "w") as f:
    f.write("%r %d %d" % (dt, ru.ru_maxrss, os.waitstatus_to_exitcode(status)))
"""


def run(cmd):
    """Run `cmd` to completion; returns (wall seconds, peak RSS in MB, return code, stderr tail).

    Wall time and ``ru_maxrss`` (from ``os.wait4``) are taken by :data:`LAUNCHER`.
    """
    with tempfile.TemporaryDirectory() as tmp:
        res, err = os.path.join(tmp, "res"), os.path.join(tmp, "err")
        r = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, res, err, *map(str, cmd)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(res):
            return 0.0, 0.0, r.returncode or 127, r.stderr.strip()[-400:]
        dt, maxrss, rc = open(res).read().split()
        with open(err, "rb") as f:
            tail = f.read()[-400:].decode("utf-8", "replace").strip()
    kb = int(maxrss) / (1024 if sys.platform == "darwin" else 1)  # macOS reports bytes
    return float(dt), kb / 1024, int(rc), tail


def timed(cmd, runs, label):
    """Median wall seconds and max of the peak RSS over `runs` runs (None if it failed)."""
    times, rss = [], []
    for _ in range(runs):
        dt, mb, rc, tail = run(cmd)
        if rc != 0:
            warn(f"{label}: {' '.join(map(str, cmd))} failed ({rc}): {tail}")
            return None, None
        times.append(dt)
        rss.append(mb)
    return statistics.median(times), max(rss)


def handocr_cmd(model):
    # The entry point installed beside this Python, not a pyenv shim in front of it
    # (a shim is a bash script that adds about 0.1 s to every command).
    beside = Path(sys.executable).with_name("handocr")
    exe = str(beside) if beside.exists() else shutil.which("handocr")
    base = [exe] if exe else [sys.executable, "-m", "ocr"]
    return base, (["--model", str(model)] if model else [])


# ----------------------------------------------------------------------------- test photos

def make_photo(src, megapixels, dst, seed=0, noise=2.0, quality=90):
    """`src` resized (bicubic) to about `megapixels`, with mild noise, saved as JPEG `dst`.

    Reused when `dst` already exists and is newer than `src`.
    """
    dst = Path(dst)
    if dst.exists() and dst.stat().st_mtime >= Path(src).stat().st_mtime:
        return dst
    import numpy as np
    from PIL import Image, ImageOps

    im = ImageOps.exif_transpose(Image.open(src)).convert("RGB")
    w, h = im.size
    f = (megapixels * 1e6 / (w * h)) ** 0.5
    im = im.resize((max(1, round(w * f)), max(1, round(h * f))), Image.BICUBIC)
    rng = np.random.default_rng(seed)
    a = np.asarray(im, dtype=np.float32)
    for y in range(0, a.shape[0], 512):  # in bands: a 48 MP float copy would be ~600 MB
        band = a[y:y + 512]
        band += rng.normal(0, noise, band.shape[:2] + (1,)).astype(np.float32)
    im = Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8))
    tmp = dst.with_suffix(".part.jpg")
    im.save(tmp, quality=quality)
    os.replace(tmp, dst)
    return dst


def megapixels(path):
    from PIL import Image

    with Image.open(path) as im:
        return im.size[0] * im.size[1] / 1e6


def _stem_mp(path, mp):
    return f"{Path(path).stem}_{mp}mp.jpg"


# ----------------------------------------------------------------------------- sections

def section_speed(pages, out, args, hbase, hopt, tess, points):
    print(f"\n## speed: whole-process wall clock, median of {args.runs} runs ({loadavg()})\n")
    images = list(pages) + [make_photo(p, 12, out / _stem_mp(p, 12), seed=k) for k, p in enumerate(pages)]
    print(f"| {'image':22s} | {'MP':>5s} | {'handocr s':>9s} | {'tesseract s':>11s} | {'speed-up':>8s} |")
    print(f"|{'-' * 24}|{'-' * 7}:|{'-' * 11}:|{'-' * 13}:|{'-' * 10}:|")
    for img in images:
        mp = megapixels(img)
        h, _ = timed([*hbase, "read", str(img), *hopt], args.runs, "handocr")
        t, _ = timed([tess, str(img), "-", "--psm", "6"], args.runs, "tesseract") if tess else (None, None)
        fmt = lambda v: f"{v:.2f}" if v is not None else "n/a"  # noqa: E731
        up = f"{t / h:.2f}x" if h and t else "n/a"
        print(f"| {img.name:22s} | {mp:5.1f} | {fmt(h):>9s} | {fmt(t):>11s} | {up:>8s} |", flush=True)
        if h is not None:
            points.setdefault("handocr", []).append((mp, h))
        if t is not None:
            points.setdefault("tesseract", []).append((mp, t))


def section_startup(args, hbase):
    print(f"\n## startup: median of {args.runs} runs ({loadavg()})\n")
    rows = [("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -c 'import numpy'", [sys.executable, "-c", "import numpy"]),
            ("handocr --help", [*hbase, "--help"])]
    print(f"| {'command':28s} | {'median s':>8s} | {'peak MB':>7s} |")
    print(f"|{'-' * 30}|{'-' * 9}:|{'-' * 8}:|")
    for label, cmd in rows:
        t, mb = timed(cmd, args.runs, label)
        if t is not None:
            print(f"| {label:28s} | {t:8.3f} | {mb:7.0f} |", flush=True)


def section_memory(pages, out, args, hbase, hopt, points):
    page = pages[0]
    runs = max(1, min(args.runs, 3))
    print(f"\n## memory: {page.name} at several sizes, handocr read, median of {runs} runs ({loadavg()})\n")
    print(f"| {'MP':>5s} | {'file MB':>7s} | {'seconds':>7s} | {'peak MB':>7s} | {'s per MP':>8s} |")
    print(f"|{'-' * 6}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 9}:|")
    for size in MEMORY_SIZES:
        img = make_photo(page, size, out / _stem_mp(page, size), seed=size)
        mp = megapixels(img)
        t, mb = timed([*hbase, "read", str(img), *hopt], runs, "handocr")
        if t is None:
            continue
        print(f"| {mp:5.1f} | {img.stat().st_size / 1e6:7.1f} | {t:7.2f} | {mb:7.0f} | {t / mp:8.3f} |", flush=True)
        points.setdefault("handocr (one page, sizes)", []).append((mp, t))


def section_batch(pages, out, args, hbase, hopt, n=8):
    folder = out / "batch"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    photos = list(pages) + [out / _stem_mp(p, 12) for p in pages if (out / _stem_mp(p, 12)).exists()]
    for k in range(n):
        src = photos[k % len(photos)]
        shutil.copyfile(src, folder / f"page{k:02d}_{src.name}")
    total_mp = sum(megapixels(p) for p in folder.iterdir())
    print(f"\n## batch: {n} pages ({total_mp:.0f} MP in all) -> -o folder, one run each ({loadavg()})\n")
    print(f"| {'jobs':>4s} | {'seconds':>7s} | {'pages/s':>7s} | {'peak MB, max proc':>14s} |")
    print(f"|{'-' * 6}:|{'-' * 8}:|{'-' * 8}:|{'-' * 15}:|")
    base = None
    for jobs in (1, 2):
        dest = out / f"batch_out_j{jobs}"
        shutil.rmtree(dest, ignore_errors=True)
        t, mb, rc, tail = run([*hbase, "read", "-q", "-j", str(jobs), str(folder), "-o", str(dest), *hopt])
        if rc != 0:
            warn(f"batch -j {jobs} failed ({rc}): {tail}")
            continue
        written = len(list(dest.glob("*.txt")))
        if written != n:
            warn(f"batch -j {jobs}: {written} of {n} outputs written")
        base = base or t
        print(f"| {jobs:4d} | {t:7.2f} | {n / t:7.2f} | {mb:14.0f} |" + (f"  ({base / t:.2f}x)" if jobs > 1 else ""),
              flush=True)


TRAIN_CODE = r"""
import sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from ocr import CLASSES, train as T
n = int(sys.argv[2])
rng = np.random.default_rng(0)
X = rng.random((n, 32, 32), dtype=np.float32)
y = rng.integers(0, len(CLASSES), n)
Xv, yv = rng.random((1000, 32, 32), dtype=np.float32), rng.integers(0, len(CLASSES), 1000)
src = T.Source("random", "emnist", X, y, Xv, yv)
cfg = T.Config(hidden=T.parse_hidden("512,256"), epochs=1)
t = time.perf_counter()
_, info = T.train([src], cfg)
print("%.3f %.3f" % (info["history"][0]["seconds"], time.perf_counter() - t))
"""


def section_train(args, n=100_000):
    print(f"\n## train: one epoch of ocr.train.train on {n:,} random 32x32 samples, "
          f"default network 512,256 with augmentation ({loadavg()})\n")
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", TRAIN_CODE, str(ROOT), str(n)], stdout=subprocess.PIPE,
                           stderr=err, text=True, cwd=tempfile.gettempdir())
        wall = time.perf_counter() - t
        err.seek(0)
        tail = err.read()[-600:].decode("utf-8", "replace").strip()
    if p.returncode != 0 or not p.stdout.split():
        warn(f"training benchmark skipped: the training API did not accept the call ({tail})")
        return
    epoch, call = map(float, p.stdout.split()[:2])
    print(f"seconds per epoch: {epoch:.1f} (train() call {call:.1f} s, whole process {wall:.1f} s); "
          f"{n / epoch:,.0f} samples/s")


def save_plot(path, points):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for (label, pts), m in zip(sorted(points.items()), "osx^"):
        pts = sorted(pts)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=m, linestyle="-" if "sizes" in label else "",
                label=label)
    ax.set_xlabel("megapixels")
    ax.set_ylabel("seconds (whole process, median)")
    ax.set_title("read time against image size")
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"\nplot written to {path}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement, median taken (default 5)")
    ap.add_argument("--only", default="speed,startup,memory,batch",
                    help="comma-separated sections: " + ",".join(SECTIONS) + " (default: all but train)")
    ap.add_argument("--train", action="store_true", help="also time one training epoch")
    ap.add_argument("--data", default=str(DATA), help="shared data folder (default: %(default)s)")
    ap.add_argument("--out", default="/tmp/handocr_bench", help="work folder (default: %(default)s)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    ap.add_argument("--plot", help="save a PNG of seconds against megapixels here")
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if args.train:
        only.add("train")
    bad = only - set(SECTIONS)
    if bad or args.runs < 1:
        ap.error(f"unknown section(s) {', '.join(sorted(bad))}" if bad else "--runs must be >= 1")
    out = Path(args.out).resolve()
    for p in (out, args.plot):
        if p and inside(p, ROOT):
            ap.error(f"{p} is inside the repository; write benchmark files elsewhere (e.g. /tmp)")
    out.mkdir(parents=True, exist_ok=True)

    hbase, hopt = handocr_cmd(args.model)
    tess = shutil.which("tesseract")
    if not tess:
        warn("tesseract not found on PATH: its columns are skipped")
    pages = sorted(Path(args.data, "pages").glob("*.jpg"))
    need_pages = only & {"speed", "memory", "batch"}
    if not pages and need_pages:
        warn(f"no shared pages in {Path(args.data, 'pages')}: skipping {', '.join(sorted(need_pages))}")
        only -= need_pages

    print(f"# handocr speed benchmark\n\n{loadavg()}; python {sys.version.split()[0]}; "
          f"handocr: {' '.join(hbase)}; tesseract: {tess or 'missing'}")
    points = {}
    t0 = time.perf_counter()
    if "speed" in only:
        section_speed(pages, out, args, hbase, hopt, tess, points)
    if "startup" in only:
        section_startup(args, hbase)
    if "memory" in only:
        section_memory(pages, out, args, hbase, hopt, points)
    if "batch" in only:
        section_batch(pages, out, args, hbase, hopt)
    if "train" in only:
        section_train(args)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; at the end: {loadavg()}")
    if args.plot:
        if points:
            save_plot(args.plot, points)
        else:
            warn("nothing to plot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
