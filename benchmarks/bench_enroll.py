#!/usr/bin/env python3
"""Does enrolment (`handocr enroll`) learn a new hand without forgetting the others?

1. A base model is trained on EMNIST only (no photo_chars): the photographed
   pen characters are a handwriting it has never seen.
2. Enrolment pages: the template text (alphabet and digits three times) composed
   from the photo_chars *train* split (benchmarks/compose_pages.py --split train).
3. Test pages: random notes composed from the photo_chars *valid* split (other
   crops of the same hand).
4. Each enrolment page is aligned with its text (``ocr.enroll.align``; refused
   pages are counted and left out) and the base model fine-tuned on the crops,
   mixed with EMNIST's training part (``ocr.enroll.fine_tune``, as ``handocr
   enroll`` does).
5. Reported before / after: character error rate on the test pages, accuracy on
   the held-out EMNIST part (the base model's own validation split) and on the
   held-out photo_chars crops.

Everything is written under --out (default /tmp/handocr_enroll_bench); nothing
derived from the shared data goes into the repository.

    python benchmarks/bench_enroll.py [--epochs-base 12] [--pages 8] [--test-pages 20]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



def cer_of(model, folder):
    from ocr.evaluate import page_scores
    from ocr.pipeline import read

    errors = chars = 0
    for gt in sorted(Path(folder).glob("*.gt.txt")):
        img = gt.with_name(gt.name[: -len(".gt.txt")] + ".png")
        s = page_scores(gt.read_text(), read(str(img), model=model).text)
        errors, chars = errors + s["errors"], chars + s["chars"]
    return errors / max(1, chars), chars


def accuracy(model, X, y):
    return float((model.predict_proba(X).argmax(axis=1) == y).mean())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="shared data folder")
    ap.add_argument("--out", default="/tmp/handocr_enroll_bench", help="work folder (outside the repo)")
    ap.add_argument("--base", help="use this base model instead of training one (must not have seen photo_chars)")
    ap.add_argument("--epochs-base", type=int, default=12, help="epochs of the EMNIST-only base model")
    ap.add_argument("--hidden", default="512,256", help="hidden layers of the base model")
    ap.add_argument("--pages", type=int, default=8, help="enrolment pages (template text each)")
    ap.add_argument("--test-pages", type=int, default=20, help="test pages")
    ap.add_argument("--epochs", type=int, default=15, help="fine-tuning epochs (as handocr enroll)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from ocr.enroll import align, analyse_page, fine_tune, template_lines
    from ocr.errors import DataError
    from ocr.model import Model
    from ocr.train import gather

    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    # 1. base model without photo_chars
    base_path = Path(args.base) if args.base else out / "base.npz"
    if not base_path.exists():
        cmd = ["handocr", "train", str(data / "emnist"), "-o", str(base_path), "--epochs", str(args.epochs_base),
               "--hidden", args.hidden, "--seed", str(args.seed), "-q"]
        print("training the base model:", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
    base = Model.load(base_path)
    assert "photo_chars" not in json.dumps(base.meta.get("training", {}).get("data", [])), \
        "the base model must not have seen photo_chars"

    # 2-3. pages (composed from the shared data: under /tmp only)
    lines = template_lines()
    text_file = out / "template.txt"
    text_file.write_text("\n".join(lines) + "\n")
    compose = [sys.executable, str(ROOT / "benchmarks" / "compose_pages.py"), "--data", str(data / "photo_chars")]
    enrol_dir, test_dir = out / "enrol_pages", out / "test_pages"
    if not enrol_dir.exists():
        subprocess.run(compose + ["--split", "train", "--n", str(args.pages), "--seed", str(args.seed + 101),
                                  "--text", "|".join(lines), "--out", str(enrol_dir), "--prefix", "enrol_"],
                       check=True, stdout=subprocess.DEVNULL)
    if not test_dir.exists():
        subprocess.run(compose + ["--split", "valid", "--n", str(args.test_pages), "--seed", str(args.seed + 202),
                                  "--out", str(test_dir), "--prefix", "test_"], check=True, stdout=subprocess.DEVNULL)

    # 4. align and fine-tune
    X, y, used, refused = [], [], [], []
    for img in sorted(enrol_dir.glob("*.png")):
        try:
            samples = align(analyse_page(str(img), name=img.name), lines, base)
        except DataError as e:
            refused.append(str(e))
            print("refused:", e, file=sys.stderr)
            continue
        used.append(img.name)
        X += [s.crop for s in samples]
        y += [s.label for s in samples]
    if not X:
        sys.exit("bench_enroll: every enrolment page was refused")
    emnist = gather([data / "emnist"])  # the base model's own split
    t1 = time.perf_counter()
    tuned = fine_tune(base, np.stack(X), y, base_data=emnist, epochs=args.epochs, seed=args.seed,
                      enrolled_from=used, name="enrolled",
                      report=lambda m: print(m, file=sys.stderr))
    t_tune = time.perf_counter() - t1
    tuned.save(out / "enrolled.npz", dtype=np.float16)
    tuned = Model.load(out / "enrolled.npz")  # as a user gets it (float16 weights)

    # 5. measure
    from ocr.datasets import load_folder
    from ocr.train import FOLDER_VALID_FRACTION, name_split

    Xp, yp, names = load_folder(data / "photo_chars", return_names=True)
    valid = name_split(names, FOLDER_VALID_FRACTION)
    Xe = np.concatenate([s.Xva for s in emnist])
    ye = np.concatenate([s.yva for s in emnist])
    rows = []
    for label, m in (("before (EMNIST-only base)", base), ("after enrolment", tuned)):
        cer, n_chars = cer_of(m, test_dir)
        rows.append((label, cer, accuracy(m, Xe, ye), accuracy(m, Xp[valid], yp[valid])))
    print()
    print(f"enrolment: {len(used)} of {len(used) + len(refused)} pages aligned, {len(y)} characters "
          f"(photo_chars train split); fine-tuning {t_tune:.0f} s")
    print(f"test: {args.test_pages} pages, {n_chars} characters (photo_chars valid split); "
          f"EMNIST held out: {len(ye)}; photo_chars held out: {int(valid.sum())}")
    print()
    print("| model | test-page CER | EMNIST held-out accuracy | photo_chars held-out accuracy |")
    print("|---|---|---|---|")
    for label, cer, ae, ap_ in rows:
        print(f"| {label} | {100 * cer:.2f} % | {100 * ae:.2f} % | {100 * ap_:.2f} % |")
    print()
    print(f"EMNIST change: {100 * (rows[1][2] - rows[0][2]):+.2f} points; "
          f"CER change: {100 * (rows[1][1] - rows[0][1]):+.2f} points; total {time.perf_counter() - t0:.0f} s")
    (out / "results.json").write_text(json.dumps(
        {"rows": [dict(zip(("model", "cer", "emnist_acc", "photo_acc"), r)) for r in rows],
         "pages_used": used, "refused": refused, "characters": len(y)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
