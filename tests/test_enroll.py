"""Enrolment: template, alignment of a page with its known text, refusal, fine-tuning, CLI."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ocr import CLASSES, mlp
from ocr.cli import main
from ocr.enroll import (align, analyse_page, fine_tune, render_template, save_crops, template_lines)
from ocr.errors import DataError
from ocr.model import Model, default_meta
from ocr.synth import render_page

#: A distinctive "hand": strongly slanted, thick pen.
STYLE = {"slant": 0.35, "pen": 0.14, "height": 40}


@pytest.fixture(scope="module")
def bundled():
    return Model.load()


@pytest.fixture(scope="module")
def page():
    lines = template_lines(1)
    return lines, render_page(lines, seed=11, **STYLE)


def _centre_label(sample, scale, boxes):
    """Label of the synth box nearest the sample's centre, if it holds it (original pixels)."""
    y0, x0, y1, x1 = sample.box
    cx, cy = 0.5 * (x0 + x1) / scale, 0.5 * (y0 + y1) / scale
    b = min(boxes, key=lambda b: (0.5 * (b.x0 + b.x1) - cx) ** 2 + (0.5 * (b.y0 + b.y1) - cy) ** 2)
    return b.label if b.x0 - 1 <= cx <= b.x1 + 1 and b.y0 - 1 <= cy <= b.y1 + 1 else None


def test_template_lines_cover_every_class():
    lines = template_lines()
    assert "".join(lines).replace(" ", "") == CLASSES * 3
    assert all(len(line.replace(" ", "")) <= 10 for line in lines)
    assert all("  " not in line and line == line.strip() for line in lines)


def test_align_labels_match_the_characters_on_the_page(page, bundled):
    lines, (image, text, boxes) = page
    analysis = analyse_page(image)
    samples = align(analysis, lines, bundled)
    assert "".join(s.label for s in samples) == "".join(lines).replace(" ", "")
    assert [s.line for s in samples[:10]] == [1] * 10 and samples[-1].line == len(lines)
    # every crop is cut where the synth page drew the character it is labelled with
    found = [_centre_label(s, analysis.scale, boxes) for s in samples]
    assert found == [s.label for s in samples]
    assert all(s.crop.shape == (32, 32) and s.crop.dtype == np.float32 for s in samples)


def test_line_with_touching_letters_is_resegmented_to_the_text(bundled):
    lines = ["AB CD EF GH", "KL MN 12 34"]
    image, _, boxes = render_page(lines, seed=2, touching=True, height=40)  # two glyphs touch
    analysis = analyse_page(image)
    samples = align(analysis, lines, bundled)
    assert "".join(s.label for s in samples) == "ABCDEFGHKLMN1234"
    found = [_centre_label(s, analysis.scale, boxes) for s in samples]
    assert sum(f == s.label for f, s in zip(found, samples)) >= len(samples) - 1


def test_page_with_other_text_is_refused_naming_the_line(bundled):
    lines = template_lines(1)
    written = list(lines)
    written[1] = "Q W E R T Y U I O P"  # same count, other letters
    image, _, _ = render_page(written, seed=5, height=40)
    with pytest.raises(DataError, match=r"line 2 'K L M N O P Q R S T'.*read like"):
        align(image, lines, bundled)


def test_page_with_missing_line_or_letters_is_refused(bundled):
    lines = template_lines(1)
    image, _, _ = render_page(lines[:3], seed=6, height=40)
    with pytest.raises(DataError, match=r"line 4 '0 1 2 3 4 5 6 7 8 9'.*only 3 lines"):
        align(image, lines, bundled)
    written = list(lines)
    written[2] = "U V W"  # half the line missing
    image, _, _ = render_page(written, seed=6, height=40)
    with pytest.raises(DataError, match=r"line 3 'U V W X Y Z'.*3 letters are written"):
        align(image, lines, bundled)


def test_blank_template_has_nothing_to_read(tmp_path):
    im = render_template(template_lines(1), dpi=100)
    analysis = analyse_page(np.asarray(im))
    assert not [g for g in analysis.glyphs if not g.small]


def test_filled_in_template_is_read_without_its_printing(bundled):
    lines = template_lines(1)
    sheet = np.asarray(render_template(lines, dpi=100), np.float32)
    # handwriting on the writing lines (the sheet's rows are 110 px apart at 100 dpi)
    hand, _, _ = render_page(lines, seed=3, height=28, line_pitch=110 / 28, margin=0.0, lighting=0,
                             noise=0, paper=(255, 255, 255))
    ink = np.full_like(sheet, 255)
    h, w = hand.shape[:2]
    ink[233:233 + h, 60:60 + w] = hand
    page = (sheet * ink / 255).astype(np.uint8)
    samples = align(page, lines, bundled)
    assert "".join(s.label for s in samples) == "".join(lines).replace(" ", "")


def test_save_crops_writes_label_folders(page, bundled, tmp_path):
    lines, (image, _, _) = page
    samples = align(image, lines, bundled)[:12]
    paths = save_crops(samples, tmp_path / "crops", prefix="p")
    assert len(paths) == 12
    for s, p in zip(samples, paths):
        assert p.split("/")[-2] == s.label
        assert Image.open(p).mode == "L"


def _crops(lines, seed, model, **style):
    image, _, _ = render_page(lines, seed=seed, **style)
    samples = align(image, lines, model, min_agreement=0)
    return np.stack([s.crop for s in samples]), np.array([CLASSES.index(s.label) for s in samples])


def test_fine_tuning_learns_a_new_hand(bundled):
    text = template_lines(1)
    # the base data: upright, thin-pen writing; the new hand: STYLE (slanted, thick)
    Xb, yb = _crops(text + text, 21, bundled, slant=-0.1, pen=0.06, height=40)
    Xe, ye = _crops(text + text, 22, bundled, **STYLE)
    Xt, yt = _crops(text + text, 23, bundled, **STYLE)
    rng = np.random.default_rng(0)
    params = mlp.init_params([1024, 48, 36], rng)
    opt = mlp.Adam(params, lr=3e-3)
    from ocr.model import to_inputs
    for _ in range(40):  # a deliberately weak model: a few quick steps on the base hand only
        i = rng.integers(0, len(yb), 64)
        logits, cache = mlp.forward(params, to_inputs(Xb[i]))
        opt.step(params, mlp.backward(params, cache, mlp.cross_entropy(logits, yb[i])[1]))
    weak = Model.from_params(params, dict(default_meta([1024, 48, 36]), name="weak"))
    before = float((weak.predict_proba(Xt).argmax(1) == yt).mean())
    tuned = fine_tune(weak, Xe, ye, base_data=(Xb, yb), epochs=6, steps_per_epoch=20, lr=3e-3,
                      seed=0, enrolled_from=["hand.png"])
    after = float((tuned.predict_proba(Xt).argmax(1) == yt).mean())
    assert after >= before + 0.15, (before, after)
    assert tuned.meta["training"]["base_model"] == "weak"
    assert "hand.png" in tuned.meta["training"]["note"]
    # base accuracy is kept
    assert (tuned.predict_proba(Xb).argmax(1) == yb).mean() >= (weak.predict_proba(Xb).argmax(1) == yb).mean() - 0.05
    # same seed, same weights; without base data it holds the weights near the originals
    one, two = (fine_tune(weak, Xe, ye, base_data=(Xb, yb), epochs=1, steps_per_epoch=3, seed=4)
                for _ in range(2))
    assert all(np.array_equal(one.params[k], two.params[k]) for k in one.params)
    notes = []
    alone = fine_tune(weak, Xe, ye, epochs=6, steps_per_epoch=20, lr=3e-3, report=notes.append)
    assert any("L2 penalty" in n for n in notes)
    assert (alone.predict_proba(Xt).argmax(1) == yt).mean() >= before + 0.15


def test_cli_template_png_and_pdf(tmp_path):
    r = CliRunner().invoke(main, ["enroll", "--template", "-o", str(tmp_path / "sheet.png")])
    assert r.exit_code == 0, r.output
    assert Image.open(tmp_path / "sheet.png").size[1] > Image.open(tmp_path / "sheet.png").size[0]
    assert (tmp_path / "sheet.txt").read_text().splitlines() == template_lines()
    (tmp_path / "mine.txt").write_text("hello world\n42\n")
    r = CliRunner().invoke(main, ["enroll", "--template", "-o", str(tmp_path / "sheet.pdf"),
                                  "--text", str(tmp_path / "mine.txt")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "sheet.pdf").read_bytes()[:5] == b"%PDF-"
    r = CliRunner().invoke(main, ["enroll", "--template", "-o", str(tmp_path / "sheet.gif")])
    assert r.exit_code == 1 and ".png or .pdf" in r.output


def test_cli_enroll_writes_a_model_and_refuses_a_mismatch(page, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOCR_DATA", str(tmp_path / "no-data"))  # no EMNIST: the L2 fallback
    lines, (image, _, _) = page
    Image.fromarray(image).save(tmp_path / "p.png")
    (tmp_path / "t.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "me.npz"
    r = CliRunner().invoke(main, ["enroll", str(tmp_path / "p.png"), "--text", str(tmp_path / "t.txt"),
                                  "-o", str(out), "--epochs", "1", "--crops", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    m = Model.load(out)
    assert m.name == "me" and m.meta["training"]["enrolled_from"] == ["p.png"]
    assert len(list((tmp_path / "c").glob("*/*.png"))) == 36
    (tmp_path / "bad.txt").write_text("\n".join(lines[:2]) + "\n")
    r = CliRunner().invoke(main, ["enroll", str(tmp_path / "p.png"), "--text", str(tmp_path / "bad.txt"),
                                  "-o", str(tmp_path / "x.npz")])
    assert r.exit_code == 1 and "line 3" in r.output and not (tmp_path / "x.npz").exists()
    r = CliRunner().invoke(main, ["enroll", str(tmp_path / "p.png"), "-o", str(tmp_path / "x.npz")])
    assert r.exit_code == 2 and "--text" in r.output
