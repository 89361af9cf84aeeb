"""Metrics: edit distance, page error rates, character reports."""

import numpy as np

from ocr.evaluate import alignment, char_report, levenshtein, page_scores


def test_levenshtein_known_cases():
    assert levenshtein("KITTEN", "SITTING") == 3
    assert levenshtein("", "ABC") == 3
    assert levenshtein("ABC", "ABC") == 0


def test_page_scores_ignore_case_punctuation_and_spaces():
    s = page_scores("TO DO LIST\n1. MAKE A LIST\n", "to do list\n1 MAKE A LIST")
    assert s["cer"] == 0 and s["cer_layout"] == 0 and s["exact_lines"] == 1
    s = page_scores("AB CD\nEF", "AB CD EF")  # one line break read as a space
    assert s["cer"] == 0 and s["cer_layout"] == 1 / len("AB CD\nEF")
    s = page_scores("HELLO", "HELL0")
    assert s["errors"] == 1 and s["cer"] == 0.2


def test_alignment_marks_mistakes():
    ops = alignment("CAT", "CUT")
    assert [o[0] for o in ops] == ["=", "S", "="]


def test_char_report_counts_confusions():
    r = char_report(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), classes="AB")
    assert r["accuracy"] == 0.75 and r["per_class"]["A"]["accuracy"] == 0.5
    assert r["confused"][0] == {"true": "A", "pred": "B", "count": 1}


def test_char_report_balanced_and_lookalikes_merged():
    from ocr import CLASSES

    O, zero, I, one, A = (CLASSES.index(c) for c in "O0I1A")
    y = np.array([O, O, zero, I, A, A, A, A])
    pred = np.array([zero, O, O, one, A, A, A, I])
    r = char_report(y, pred)
    assert r["accuracy"] == 0.5                      # 4 of 8
    assert r["balanced"] == round((0.5 + 0 + 0 + 0.75) / 4, 4)  # O, 0, I, A count the same
    assert r["merged"] == 0.875                      # only A read I is still wrong
