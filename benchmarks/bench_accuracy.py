#!/usr/bin/env python3
"""The accuracy table, recomputed in one run: handocr beside Tesseract.

Measures, with the scorer of ``../shared/tools/cer.py`` (imported from there when
present, else the same formula copied below):

* the shared photographed pages (``../shared/data/pages``): character error rate
  (CER, spaces, line breaks and punctuation ignored) and layout CER (single spaces
  between words and line breaks count) of ``handocr read`` and of
  ``tesseract IMAGE - --psm 6`` (uppercased), page by page;
* pages composed from held-out photographed characters
  (``benchmarks/compose_pages.py --split valid``, ``--n`` pages, fixed ``--seed``), and
  from held-out EMNIST characters (``--emnist``: thousands of writers);
* synthetic pages drawn with the project's stroke font (``compose_pages.py --synthetic``);
* 20 generated pairs of touching letters under a line of writing
  (``ocr.synth.touching_pair_page``), drawn 2 and 4 pixels into each other;
* the composed and synthetic pages again with ``--no-lexicon`` (the rows above read
  with ``handocr read``'s default English lexicon);
* the classifier alone on the held-out characters (``handocr eval DATA --json``:
  EMNIST and photo_chars validation splits).

Prints the per-page figures, then one Markdown table ready for the README. Pages
and transcripts go to ``--out`` (default /tmp/handocr_bench_acc), never into the
repository. Without tesseract its column reads n/a; without the shared data only
the synthetic pages are measured.

    python benchmarks/bench_accuracy.py
    python benchmarks/bench_accuracy.py --model /tmp/my-model.npz --n 20
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
TOOLS = ROOT.parent / "shared" / "tools"
COMPOSE = ROOT / "benchmarks" / "compose_pages.py"
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")


def warn(msg):
    print(f"bench_accuracy: {msg}", file=sys.stderr)


# ----------------------------------------------------------------------------- scoring

def _load_scores():
    """``scores(gt, hyp) -> (cer_chars, cer_layout, exact_lines)`` from the shared cer.py, or a copy."""
    if (TOOLS / "cer.py").is_file():
        sys.path.insert(0, str(TOOLS))
        try:
            from cer import scores

            return scores, str(TOOLS / "cer.py")
        except ImportError as e:
            warn(f"could not import {TOOLS / 'cer.py'} ({e}); using ocr.evaluate")
        finally:
            sys.path.remove(str(TOOLS))
    return _scores, "ocr.evaluate.page_scores (same formula as cer.py)"


def _scores(gt_text, hyp_text):
    from ocr.evaluate import page_scores

    s = page_scores(gt_text, hyp_text)
    return s["cer"], s["cer_layout"], s["exact_lines"]


# ----------------------------------------------------------------------------- readers

def page_pairs(folder):
    """(image, ground-truth text) of every <name>.gt.txt with an image beside it."""
    pairs = []
    for gt in sorted(Path(folder).glob("*.gt.txt")):
        stem = str(gt)[: -len(".gt.txt")]
        img = next((Path(stem + e) for e in IMAGE_EXTS if Path(stem + e).exists()), None)
        if img:
            pairs.append((img, gt.read_text(encoding="utf-8")))
    return pairs


def handocr_cmd():
    exe = shutil.which("handocr")
    return [exe] if exe else [sys.executable, "-m", "ocr"]


def read_handocr(images, dest, model, extra=()):
    """Transcripts of `images` from one ``handocr read ... -o dest`` process; {image: text}, seconds."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in dest.glob("*.txt"):
        f.unlink()
    target = dest if len(images) > 1 else dest / (images[0].stem + ".txt")
    cmd = [*handocr_cmd(), "read", "-q", *map(str, images), "-o", str(target), *extra]
    if model:
        cmd += ["--model", str(model)]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        warn(f"handocr read failed ({r.returncode}): {r.stderr.strip()[-400:]}")
    out = {}
    for img in images:
        f = dest / (img.stem + ".txt")
        out[img] = f.read_text(encoding="utf-8") if f.exists() else None
    return out, dt


def read_tesseract(images, tess):
    """{image: uppercased text} from ``tesseract IMAGE - --psm 6``, and the total seconds."""
    out, total = {}, 0.0
    for img in images:
        t = time.perf_counter()
        r = subprocess.run([tess, str(img), "-", "--psm", "6"], capture_output=True, text=True)
        total += time.perf_counter() - t
        if r.returncode != 0:
            warn(f"tesseract failed on {img.name}: {r.stderr.strip()[-300:]}")
            out[img] = None
        else:
            out[img] = r.stdout.upper()
    return out, total


def compose(out, n, seed, source, data):
    """Generate pages with compose_pages.py into `out` (emptied first); returns the folder or None.

    `source`: "synthetic", "photo_chars" or "emnist" (held-out characters of `data`)."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, str(COMPOSE), "--out", str(out), "--n", str(n), "--seed", str(seed)]
    if source == "synthetic":
        cmd += ["--synthetic"]
    else:
        cmd += ["--split", "valid", "--data", str(Path(data) / source)] + (["--emnist"] if source == "emnist" else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        warn(f"compose_pages failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-400:]}")
        return None
    return out


# ----------------------------------------------------------------------------- measuring

def measure_set(name, folder, work, model, tess, scores):
    """Score handocr and tesseract on every page of `folder`; prints a row per page."""
    pairs = page_pairs(folder)
    if not pairs:
        warn(f"{name}: no pages with ground truth in {folder}")
        return None
    images = [img for img, _ in pairs]
    hyp_h, dt_h = read_handocr(images, work / "handocr", model)
    hyp_t, dt_t = read_tesseract(images, tess) if tess else ({}, 0.0)
    rows = []
    print(f"\n{name} ({folder}): handocr {dt_h:.1f} s in one process"
          + (f", tesseract {dt_t:.1f} s" if tess else ""))
    print(f"  {'page':22s} {'chars':>5s}  {'handocr cer/layout':>18s}  {'tesseract cer/layout':>20s}")
    for img, gt in pairs:
        h = scores(gt, hyp_h[img]) if hyp_h.get(img) is not None else None
        t = scores(gt, hyp_t[img]) if hyp_t.get(img) is not None else None
        n = len("".join(gt.split()))
        rows.append({"page": img.name, "chars": n, "handocr": h, "tesseract": t})
        f = lambda s: f"{s[0]:7.3f} / {s[1]:6.3f}" if s else f"{'n/a':>16s}"  # noqa: E731
        print(f"  {img.name:22s} {n:5d}  {f(h):>18s}  {f(t):>20s}")
    return rows


def without_lexicon(folder, work, model, scores):
    """Per-page (CER, layout CER) of ``handocr read --no-lexicon`` on the pages of `folder`."""
    pairs = page_pairs(folder)
    hyp, _ = read_handocr([img for img, _ in pairs], work, model, extra=("--no-lexicon",))
    rows = [{"handocr": scores(gt, hyp[img]) if hyp.get(img) is not None else None} for img, gt in pairs]
    return rows


def mean_of(rows, who, k):
    vals = [r[who][k] for r in rows if r[who] is not None]
    return statistics.mean(vals) if len(vals) == len(rows) and vals else None


def pct(v):
    return f"{100 * v:.1f} %" if v is not None else "n/a"


def cer_cell(rows, who):
    c, l = mean_of(rows, who, 0), mean_of(rows, who, 1)
    return "n/a" if c is None else f"{pct(c)} ({pct(l)})"


def touching_pairs(model, overlaps=(2, 4)):
    """How many of the generated touching pairs (``ocr.synth.touching_pair_page``)
    read right, for each overlap in pixels (44-pixel letters)."""
    import ocr
    from ocr.model import Model
    from ocr.synth import TOUCHING_PAIRS, touching_pair_page

    m = Model.load(model)
    right = {}
    for overlap in overlaps:
        got = [ocr.read(touching_pair_page(p, seed=k, overlap=overlap), model=m).text.splitlines()[-1:]
               for k, p in enumerate(TOUCHING_PAIRS)]
        right[overlap] = sum(g == [p] for g, p in zip(got, TOUCHING_PAIRS))
        print(f"touching pairs, {overlap} px overlap: {right[overlap]} of {len(TOUCHING_PAIRS)} read right")
    return right, len(TOUCHING_PAIRS)


def run_eval(data, model):
    cmd = [*handocr_cmd(), "eval", str(data), "--json", "-q"]
    if model:
        cmd += ["--model", str(model)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        warn(f"handocr eval failed ({r.returncode}): {r.stderr.strip()[-400:]}")
        return None
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError as e:
        warn(f"handocr eval printed no JSON ({e})")
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--data", default=str(DATA), help="shared data folder (default: %(default)s)")
    ap.add_argument("--out", default="/tmp/handocr_bench_acc", help="work folder (default: %(default)s)")
    ap.add_argument("--model", help="model file passed to handocr --model")
    ap.add_argument("--n", type=int, default=10, help="composed and synthetic pages each (default 10)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the composed pages (default 0)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be >= 1")
    out = Path(args.out).resolve()
    try:
        out.relative_to(ROOT)
        ap.error(f"{out} is inside the repository; use a folder outside it (e.g. /tmp)")
    except ValueError:
        pass
    out.mkdir(parents=True, exist_ok=True)
    data = Path(args.data)
    have_data = (data / "pages").is_dir()
    if not have_data:
        warn(f"no shared data at {data}: only the synthetic pages are measured")
    tess = shutil.which("tesseract")
    if not tess:
        warn("tesseract not found on PATH: its column reads n/a")
    scores, scorer = _load_scores()
    load = os.getloadavg()
    print(f"# handocr accuracy benchmark\n\nscorer: {scorer}; tesseract: {tess or 'missing'}; "
          f"model: {args.model or 'bundled'}; load average {load[0]:.2f}")

    t0 = time.perf_counter()
    sets = []
    if have_data:
        sets.append(("shared photographed pages", data / "pages", True))
        for source, what in (("photo_chars", "photo_chars"), ("emnist", "EMNIST (many writers)")):
            if (data / source).is_dir():
                folder = compose(out / source, args.n, args.seed, source, data)
                if folder:
                    sets.append((f"{args.n} pages composed of held-out {what} (seed {args.seed})", folder, False))
            else:
                warn(f"no {data / source}: its composed pages skipped")
    folder = compose(out / "synthetic", args.n, args.seed, "synthetic", data)
    if folder:
        sets.append((f"{args.n} synthetic stroke-font pages (seed {args.seed})", folder, False))

    results = []
    for k, (name, folder, per_page) in enumerate(sets):
        rows = measure_set(name, folder, out / f"read_{k}", args.model, tess, scores)
        if rows:
            results.append((name, rows, per_page))

    lexicon = {}
    for k, (name, rows, per_page) in enumerate(results):
        if not per_page:
            folder = dict((n, f) for n, f, _ in sets)[name]
            lexicon[name] = without_lexicon(folder, out / f"read_nolex_{k}", args.model, scores)
    touching, n_pairs = touching_pairs(args.model)
    ev = run_eval(data, args.model) if have_data else None
    model_name = (ev or {}).get("model", args.model or "bundled")

    # ------------------------------------------------------------------ the table
    tname = "Tesseract 5 (`--psm 6`)"
    print(f"\n## Accuracy (model {model_name})\n")
    print("CER: character error rate, spaces and punctuation ignored; in brackets the layout CER "
          "(spaces and line breaks count). Lower is better.\n")
    print(f"| test | measure | handocr | {tname} |")
    print("|---|---|---:|---:|")
    for name, rows, per_page in results:
        if per_page:
            for r in rows:
                f = lambda s: f"{pct(s[0])} ({pct(s[1])})" if s else "n/a"  # noqa: E731
                print(f"| page `{r['page']}` ({r['chars']} chars) | CER (layout) | {f(r['handocr'])} "
                      f"| {f(r['tesseract'])} |")
            label = f"shared pages, mean of {len(rows)}"
        else:
            label = name
        print(f"| {label} | mean CER (layout) | {cer_cell(rows, 'handocr')} | {cer_cell(rows, 'tesseract')} |")
        if name in lexicon:
            print(f"| the same, `handocr read --no-lexicon` | mean CER (layout) | "
                  f"{cer_cell(lexicon[name], 'handocr')} | - |")
    print(f"| {n_pairs} generated pairs of touching letters (2 px / 4 px overlap) | pairs read right "
          f"| {touching[2]} / {touching[4]} | - |")
    for r in (ev or {}).get("characters", []):
        part = r["data"].rsplit(":", 1)[-1]
        print(f"| held-out {part} characters (n = {r['n']:,}) | classifier accuracy | "
              f"{pct(r['accuracy'])} | - |")
    print("| course solutions (reference) | CER on the course pages | 20-30 % | - |")
    if tess:
        print(f"| {tname}, measured here (reference) | mean CER on the shared pages | - | "
              f"{cer_cell(results[0][1], 'tesseract') if results and results[0][2] else 'n/a'} |")
    load = os.getloadavg()
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
