"""Word pairs: a line's words chosen together (`ocr.pairs`, `apply_lexicon`)."""

import math

import numpy as np
import pytest

from ocr.lexicon import Lexicon
from ocr.pairs import Pairs, choose
from ocr.pipeline import apply_lexicon, build_page
from ocr.segment import Glyph

from test_lexicon import probs

WORDS = {"a": 1000, "day": 100, "say": 100, "pay": 100, "twice": 10, "the": 100_000}
PAIRS = {("a", "day"): 50, ("a", "say"): 1, ("twice", "a"): 8, ("the", "a"): 1}


def test_association_is_how_much_likelier_a_word_is_after_another():
    pairs = Pairs(WORDS, PAIRS)
    N = sum(WORDS.values())
    assert pairs.pmi("A", "DAY") == pytest.approx(math.log(50 * N / (1000 * 100)), rel=1e-6)
    assert pairs.pmi("a", "day") == pairs.pmi("A", "DAY")  # (any case)
    assert pairs.pmi("A", "DAY") > pairs.pmi("A", "SAY") > 0
    assert pairs.pmi("DAY", "A") == 0.0  # a pair in the other order is another pair
    assert pairs.pmi("A", "PAY") == 0.0  # a pair not counted weighs nothing
    assert pairs.pmi("THE", "A") == 0.0  # rarer together than apart: dropped, weighs nothing
    assert pairs.pmi("A", "ZEBRA") == 0.0 and len(pairs) == 3


def test_a_lines_words_are_chosen_together():
    pairs = Pairs(WORDS, PAIRS)
    line = [[(0.0, "TWICE")], [(0.0, "A")], [(0.0, "SAY"), (0.9, "PAY"), (1.7, "DAY")]]
    assert choose(line, pairs) == [0, 0, 2]  # DAY: 1.7 nats dearer, 50 times likelier after A
    assert choose(line, pairs, weight=0.3) == [0, 0, 0]
    line[2][2] = (6.0, "DAY")  # the classifier's doubt outweighs the pair
    assert choose(line, pairs) == [0, 0, 0]
    # the word before may change for the word after, too
    assert choose([[(0.0, "THE"), (0.5, "A")], [(0.0, "SAY"), (0.5, "DAY")]], pairs) == [1, 1]
    assert choose([[(0.0, "X"), (0.0, "Y")], [(0.0, "Q"), (0.0, "R")]], pairs) == [0, 0]  # (the first of equals)
    assert choose([], pairs) == [] and choose([[(0.0, "A")]], pairs) == [0]


def line_of(words):
    """`classify`-like lines: one line of words of (glyph, probabilities, crop)."""
    out, x = [], 0
    for P in words:
        word = []
        for p in P:
            word.append((Glyph(box=(0, x, 10, x + 8), mask=np.ones((10, 8), bool)), p, None))
            x += 10
        out.append(word)
        x += 20
    return [out]


def test_the_lexicon_reads_a_word_by_its_neighbour():
    # TWICE A ?AY: the first letter lost its bowl; the classifier gives S a little more than D
    line = line_of([probs(*[{ch: 0.99} for ch in "TWICE"]), probs({"A": 0.99}),
                    probs({"I": 0.5, "S": 0.2, "D": 0.12}, {"A": 0.97}, {"Y": 0.97})])
    alone = Lexicon(WORDS, name="test")
    together = Lexicon(WORDS, name="test", pairs=Pairs(WORDS, PAIRS))
    read = lambda lex: build_page(apply_lexicon(line, lex), 1.0, (100, 300), "x", "m", 10.0).text
    assert read(alone) == "TWICE A SAY"
    assert read(together) == "TWICE A DAY"
    assert build_page(apply_lexicon(line, together, pairs_weight=0.0), 1.0, (100, 300), "x", "m", 10.0).text \
        == "TWICE A SAY"
    # a reading that is a word stays, unless a word scores better alone (DAY, ten times
    # as common) and its neighbour agrees
    common = {**WORDS, "day": 1000}
    alone, together = Lexicon(common, name="test"), Lexicon(common, name="test", pairs=Pairs(common, PAIRS))
    for S, D, word in [(0.6, 0.3, "DAY"), (0.9, 0.05, "SAY"), (0.97, 0.02, "SAY")]:
        line[0][2] = [(g, p, c) for (g, _, c), p in zip(line[0][2], probs({"S": S, "D": D}, {"A": 0.97},
                                                                             {"Y": 0.97}))]
        assert read(alone) == "TWICE A SAY"
        assert read(together) == f"TWICE A {word}", (S, D)


def test_english_pairs_are_cached(tmp_path, monkeypatch):
    pytest.importorskip("symspellpy", reason="symspellpy not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = Pairs.english()
    cached = list((tmp_path / "handocr").glob("pairs-en-*.npz"))
    assert len(cached) == 1 and len(built) > 100_000
    again = Pairs.english()
    for a, b in [("A", "DAY"), ("A", "SAY"), ("I", "NEED"), ("TEA", "READ")]:
        assert again.pmi(a, b) == built.pmi(a, b)
    assert built.pmi("A", "DAY") > built.pmi("A", "SAY") + 2
    assert built.pmi("IS", "OUT") > built.pmi("IS", "BUT")
    assert built.pmi("TEA", "READ") == 0.0
    cached[0].write_bytes(b"not a cache")  # a broken cache is built again
    assert len(Pairs.english()) == len(built)
    assert Lexicon.english().pairs is not None  # the English lexicon reads with them


def test_without_symspellpy_the_english_lexicon_reads_each_word_alone(tmp_path, monkeypatch):
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    import importlib.util

    from ocr.errors import HandocrError

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "symspellpy" else find(name, *a))
    with pytest.raises(HandocrError, match="symspellpy"):
        Pairs.english()
    assert Lexicon.english().pairs is None

