"""The command line through click's test runner: read, boxes, eval and their formats."""

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from ocr.cli import main
from ocr.page import TSV_HEADER

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "synthetic_page.png"
NOTE = ROOT / "samples" / "ruled_note.png"


@pytest.fixture
def run():
    def _run(*args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return _run


def test_version_and_help(run):
    r = run("--version")
    assert r.exit_code == 0 and r.output.startswith("handocr ")
    r = run("read", "--help")
    assert r.exit_code == 0 and "--format" in r.output and "Exit codes" in r.output


def test_read_prints_text(run):
    r = run("read", SAMPLE, "-j", 1)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == len((ROOT / "samples" / "synthetic_page.gt.txt").read_text().splitlines())
    assert all(set(line) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") for line in lines)
    assert r.stderr == ""


def test_read_output_file_and_stdin(run, tmp_path):
    out = tmp_path / "o.txt"
    assert run("read", SAMPLE, "-o", out).exit_code == 0
    r = run("read", "-", input=SAMPLE.read_bytes())
    assert r.exit_code == 0 and r.stdout == out.read_text()


def test_read_json(run):
    r = run("read", SAMPLE, "--format", "json")
    doc = json.loads(r.stdout)
    w, h = Image.open(SAMPLE).size
    assert (doc["width"], doc["height"]) == (w, h)
    assert doc["model"]
    assert doc["text"] == "\n".join(line["text"] for line in doc["lines"])
    for line in doc["lines"]:
        for word in line["words"]:
            assert word["text"] == "".join(c["text"] for c in word["chars"])
            for c in word["chars"]:
                x0, y0, x1, y1 = c["box"]
                assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h and 0 <= c["conf"] <= 1


def test_read_tsv_in_tesseract_layout(run):
    r = run("read", SAMPLE, "--format", "tsv")
    rows = list(csv.reader(io.StringIO(r.stdout), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert "\t".join(rows[0]) == TSV_HEADER
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert body[0]["level"] == "1"
    words = [b for b in body if b["level"] == "5"]
    text = json.loads(run("read", SAMPLE, "--format", "json").stdout)["text"]
    assert " ".join(b["text"] for b in words) == " ".join(text.split())
    assert all(0 <= float(b["conf"]) <= 100 and int(b["width"]) > 0 for b in words)


def test_read_hocr_is_xhtml(run):
    r = run("read", SAMPLE, "--format", "hocr")
    root = ET.fromstring(r.stdout.encode())
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = root.findall(".//h:div[@class='ocr_page']", ns)
    assert len(pages) == 1 and "bbox 0 0" in pages[0].get("title")
    words = root.findall(".//h:span[@class='ocrx_word']", ns)
    assert words and all("x_wconf" in w.get("title") for w in words)
    assert root.findall(".//h:span[@class='ocr_line']", ns)


def test_batch_to_folder_with_a_bad_file(run, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_text("this is not a jpeg")
    out = tmp_path / "out"
    r = run("read", SAMPLE, bad, NOTE, "-o", out, "-j", 2)
    assert r.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["ruled_note.txt", "synthetic_page.txt"]
    assert "broken.jpg" in r.stderr and "Traceback" not in r.stderr
    assert "1 of 3 inputs failed" in r.stderr


def test_folder_and_glob_inputs(run, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "a.png")
    shutil.copy(NOTE, tmp_path / "b.png")
    by_folder = run("read", tmp_path, "-j", 1)
    by_glob = run("read", str(tmp_path / "*.png"), "-j", 1)
    assert by_folder.exit_code == 0 and by_folder.stdout == by_glob.stdout
    assert by_folder.stdout.count("==> ") == 2


@pytest.fixture
def two_page_tiff(tmp_path):
    """The two samples as the pages of one TIFF, as a scanner writes a document."""
    p = tmp_path / "scan.tif"
    pages = [Image.open(SAMPLE).convert("L"), Image.open(NOTE).convert("L")]
    pages[0].save(p, save_all=True, append_images=pages[1:])
    return p


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_page_of_a_multi_page_tiff_is_read(run, two_page_tiff, jobs):
    alone = [run("read", image, "-j", 1).stdout for image in (SAMPLE, NOTE)]
    r = run("read", two_page_tiff, "-j", jobs)
    assert r.exit_code == 0
    assert r.stdout == f"==> {two_page_tiff}[1] <==\n{alone[0]}\n==> {two_page_tiff}[2] <==\n{alone[1]}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_page_of_a_multi_page_tiff_on_stdin_is_read(run, two_page_tiff, jobs):
    alone = [run("read", image, "-j", 1).stdout for image in (SAMPLE, NOTE)]
    r = run("read", "-", "-j", jobs, input=two_page_tiff.read_bytes())
    assert r.exit_code == 0
    assert r.stdout == f"==> <stdin>[1] <==\n{alone[0]}\n==> <stdin>[2] <==\n{alone[1]}"


def test_a_multi_page_tiffs_pages_go_to_one_file(run, two_page_tiff, tmp_path):
    out = tmp_path / "out"
    r = run("read", two_page_tiff, SAMPLE, "-o", out, "-j", 2, "--format", "hocr")
    assert r.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["scan.hocr", "synthetic_page.hocr"]
    root = ET.fromstring((out / "scan.hocr").read_bytes())
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert len(root.findall(".//h:div[@class='ocr_page']", ns)) == 2
    single = tmp_path / "scan.json"
    assert run("read", two_page_tiff, "-o", single, "--format", "json").exit_code == 0
    doc = json.loads(single.read_text())
    assert [d["text"] for d in doc] == [json.loads(run("read", i, "--format", "json").stdout)["text"]
                                        for i in (SAMPLE, NOTE)]


def test_boxes_reads_as_read_does(run, tmp_path, monkeypatch):
    """The overlay's labels and the text printed are read's: the same lexicon (English
    unless told otherwise), and any page of a multi-page TIFF."""
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    import ocr.pipeline

    seen, real = [], ocr.pipeline.read
    monkeypatch.setattr(ocr.pipeline, "read", lambda *a, **k: seen.append(k.get("lexicon")) or real(*a, **k))
    for args, want in (([], "en"), (["--no-lexicon"], None)):
        seen.clear()
        r = run("boxes", SAMPLE, "-o", tmp_path / "o.png", *args)
        assert r.exit_code == 0 and [getattr(x, "name", None) for x in seen] == [want]
        assert r.stdout == run("read", SAMPLE, "-j", 1, *args).stdout


def test_boxes_draws_a_page_of_a_multi_page_tiff(run, two_page_tiff, tmp_path):
    r = run("boxes", two_page_tiff, "--page", 2, "-o", tmp_path / "o.png")
    assert r.exit_code == 0 and r.stdout == run("read", NOTE, "-j", 1).stdout
    assert Image.open(tmp_path / "o.png").size == Image.open(NOTE).size
    r = run("boxes", two_page_tiff, "--page", 3, "-o", tmp_path / "p.png")
    assert r.exit_code == 1 and "no page 3 (the file has 2)" in r.stderr
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("content, problem", [(b"", "empty file"), (b"GIF89a\x00\x00", "image")])
def test_bad_single_input_one_line_error(run, tmp_path, content, problem):
    p = tmp_path / "x.jpg"
    p.write_bytes(content)
    r = run("read", p)
    assert r.exit_code == 1
    assert r.stdout == ""
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and str(p) in err[0] and problem in err[0]


def test_missing_file_and_usage_error(run, tmp_path):
    r = run("read", tmp_path / "nope.png")
    assert r.exit_code == 1 and "no such file" in r.stderr
    r = run("read", SAMPLE, "--format", "pdf")
    assert r.exit_code == 2


def test_bad_model_is_refused(run, tmp_path):
    m = tmp_path / "m.npz"
    m.write_bytes(b"garbage")
    r = run("read", SAMPLE, "--model", m)
    assert r.exit_code == 1 and "m.npz" in r.stderr and "Traceback" not in r.stderr


def test_boxes_writes_overlay_and_crops(run, tmp_path):
    out, crops = tmp_path / "o.png", tmp_path / "c.png"
    r = run("boxes", SAMPLE, "-o", out, "--crops", crops)
    assert r.exit_code == 0
    im = Image.open(out)
    assert im.mode == "RGB" and im.size[0] > 100
    assert Image.open(crops).size[0] > 0
    assert r.stdout.strip()  # the text, too


def test_eval_pages_folder(run, tmp_path):
    for name in ("synthetic_page", "ruled_note"):
        shutil.copy(ROOT / "samples" / f"{name}.png", tmp_path)
        shutil.copy(ROOT / "samples" / f"{name}.gt.txt", tmp_path)
    r = run("eval", tmp_path, "--json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert len(doc["pages"]) == 2
    for p in doc["pages"]:
        assert 0 <= p["cer"] <= 1 and p["chars"] > 20
    r = run("eval", tmp_path)
    assert "all pages" in r.stdout


def test_same_names_in_two_folders_do_not_overwrite(run, tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        shutil.copy(SAMPLE if d == "a" else NOTE, tmp_path / d / "page.png")
    out = tmp_path / "out"
    r = run("read", tmp_path / "a" / "page.png", tmp_path / "b" / "page.png", "-o", out, "-j", 1)
    assert r.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["page-2.txt", "page.txt"]
    assert (out / "page.txt").read_text() != (out / "page-2.txt").read_text()


def test_one_input_into_existing_folder(run, tmp_path):
    r = run("read", SAMPLE, "-o", tmp_path, "--format", "json")
    assert r.exit_code == 0
    assert json.loads((tmp_path / "synthetic_page.json").read_text())["lines"]


def test_eval_characters_with_plots(run, tmp_path):
    from ocr.synth import render_page

    data = tmp_path / "chars"
    for k, ch in enumerate("AB7"):
        (data / ch).mkdir(parents=True)
        for seed in range(3):
            im, _, boxes = render_page([ch], seed=10 * k + seed, height=40)
            x0, y0, x1, y1, _ = boxes[0]
            Image.fromarray(im[y0 - 4 : y1 + 4, x0 - 4 : x1 + 4]).save(data / ch / f"{seed}.png")
    plots = tmp_path / "plots"
    r = run("eval", data, "--split", "all", "--json", "--plots", plots)
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    (chars,) = doc["characters"]
    assert chars["n"] == 9 and 0 <= chars["accuracy"] <= 1
    assert set(chars["per_class"]) == {"A", "B", "7"}
    assert (plots / "confusion_1.png").stat().st_size > 0
    assert (plots / "confused_1.md").read_text().startswith("Most confused pairs")


def _entry(*args, **kw):
    """The console-script entry point (``python -m ocr`` runs ``ocr.cli.run``) in a new process."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "ocr", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, **kw)


def test_entry_point_exits_fast_with_everything_written(tmp_path):
    """run() ends the process with os._exit: the output must be flushed and the exit
    codes kept (0 read, 1 a failed input, 2 usage), as with the in-process runner."""
    r = _entry("read", SAMPLE, "-j", 1)
    assert r.returncode == 0, r.stderr
    expected = CliRunner().invoke(main, ["read", str(SAMPLE), "-j", "1"]).stdout
    assert r.stdout == expected and r.stdout.count("\n") >= 3
    out = tmp_path / "page.json"
    r = _entry("read", SAMPLE, "-o", out, "--format", "json", "-q")
    assert r.returncode == 0 and r.stdout == ""
    assert json.loads(out.read_text())["lines"]
    r = _entry("read", tmp_path / "missing.jpg")
    assert r.returncode == 1 and r.stderr.strip().endswith("missing.jpg: no such file")
    assert _entry("read", "--no-such-option").returncode == 2
    r = _entry("--version")
    assert r.returncode == 0 and r.stdout.startswith("handocr ")


def test_combine_writes_an_ensemble_and_read_uses_it(tmp_path):
    import numpy as np

    from ocr import mlp
    from ocr.model import Model

    paths = []
    for seed in (1, 2):
        m = Model.from_params(mlp.init_params([1024, 16, 36], np.random.default_rng(seed)))
        paths.append(str(tmp_path / f"m{seed}.npz"))
        m.save(paths[-1])
    out = tmp_path / "both.npz"
    r = CliRunner().invoke(main, ["combine", *paths, "-o", str(out), "--name", "both"])
    assert r.exit_code == 0, r.output
    both = Model.load(out)
    assert len(both.members) == 2 and both.name == "both"
    bad = tmp_path / "bad.npz"
    Model.from_params(mlp.init_params([1024, 8, 36], np.random.default_rng(3))).save(bad)
    r = CliRunner().invoke(main, ["combine", paths[0], str(bad), "-o", str(tmp_path / "x.npz")])
    assert r.exit_code == 1 and "layers" in r.output and not (tmp_path / "x.npz").exists()
