"""Lexicon correction (`handocr read`, `--lexicon`, `--no-lexicon`), on hand-made probabilities."""

import numpy as np
import pytest
from click.testing import CliRunner

from ocr import CLASSES
from ocr.errors import HandocrError
from ocr.lexicon import Lexicon
from ocr.page import Char
from ocr.pipeline import Letters, apply_lexicon, build_page
from ocr.segment import Glyph, Lattice, union


def probs(*rows):
    """(N, 36) probabilities from dicts {char: p}; the rest shared evenly."""
    P = []
    for row in rows:
        rest = (1 - sum(row.values())) / (36 - len(row))
        p = np.full(36, rest)
        for ch, v in row.items():
            p[CLASSES.index(ch)] = v
        P.append(p)
    return np.array(P)


def text(idx):
    return "".join(CLASSES[i] for i in idx)


LEX = Lexicon({"do": 1000, "to": 2000, "dog": 1000, "bog": 2, "log": 300, "box": 500, "boy": 5000,
               "list": 500, "lost": 400}, name="test")


def test_unsure_letter_becomes_the_dictionary_word():
    P = probs({"P": 0.48, "D": 0.42}, {"O": 0.95}, {"G": 0.95})
    assert text(LEX.correct(P)) == "DOG"


def test_sure_letters_are_never_changed():
    P = probs({"P": 0.96, "D": 0.03}, {"O": 0.95}, {"G": 0.95})  # "POG" is no word, "DOG" common: still POG
    assert LEX.correct(P) is None
    P = probs({"L": 0.97}, {"A": 0.96, "I": 0.03}, {"S": 0.97}, {"T": 0.97})  # LAST is not a word
    assert LEX.correct(P) is None
    P = probs({"P": 0.9, "D": 0.09}, {"O": 0.95}, {"G": 0.95})  # ... but 90 % is not sure enough
    assert text(LEX.correct(P)) == "DOG"


def test_a_digit_among_letters_stays_when_the_classifier_kept_it_so():
    lex = Lexicon({"oak": 1000, "our": 5000}, name="test")
    P = probs({"O": 0.97}, {"7": 0.7, "T": 0.04, "U": 0.03, "A": 0.03}, {"K": 0.97})  # a code: O7K
    assert lex.correct(P) is None
    assert text(lex.correct(P, sure_digit=0.9)) == "OAK"
    P = probs({"O": 0.97}, {"7": 0.5, "A": 0.45}, {"K": 0.97})  # a misread A
    assert text(lex.correct(P)) == "OAK"


def test_a_digit_among_letters_may_still_be_the_letter_it_looks_most_like():
    """``7HE`` and ``5PARE`` (the ``7`` at 0.62, its ``T`` at 0.08) are ``THE`` and
    ``SPARE``: a digit kept among letters may become the letter the classifier gave
    it most, but no other letter (``O7K`` is no ``OUR``), not when the classifier is
    sure of the digit, and not in a reading of two (``N1``)."""
    lex = Lexicon({"the": 50000, "spare": 100, "oak": 1000, "our": 5000, "ni": 100}, name="test")
    seven = {"7": 0.62, "T": 0.08, "P": 0.03}
    assert text(lex.correct(probs(seven, {"H": 0.94}, {"E": 0.92}))) == "THE"
    assert text(lex.correct(probs({"5": 0.66, "S": 0.15}, *[{c: 0.93} for c in "PARE"]))) == "SPARE"
    assert text(lex.correct(probs({"O": 0.97}, {"7": 0.7, "A": 0.1, "U": 0.05}, {"K": 0.97}))) == "OAK"
    assert lex.correct(probs({"O": 0.97}, {"7": 0.7, "A": 0.1, "U": 0.05}, {"R": 0.97})) is None  # U: not its twin
    assert lex.correct(probs({"7": 0.96, "T": 0.03}, {"H": 0.94}, {"E": 0.92})) is None  # sure
    assert lex.correct(probs(seven, {"H": 0.94}, {"E": 0.92}), twin=0.1) is None
    assert lex.correct(probs({"N": 0.97}, {"1": 0.7, "I": 0.25})) is None  # a code of two


def test_a_long_reading_one_letter_from_a_word_is_more_likely_that_word():
    # both words as rare as can be among their length's; both readings as unsure
    lex = Lexicon({"budget": 1, "bucket": 10 ** 6, "boot": 1, "book": 10 ** 6}, name="test")
    sure = {"B": 0.99}, {"U": 0.99}, {"D": 0.99}, {"G": 0.99}, {"E": 0.99}
    P = probs(*sure, {"I": 0.6, "T": 0.2})
    assert text(lex.correct(P)) == "BUDGET"
    assert lex.correct(P, oov_letter=1.0) is None  # a non-word as likely, however long
    P = probs({"B": 0.99}, {"O": 0.99}, {"O": 0.99}, {"I": 0.6, "T": 0.2})
    assert lex.correct(P) is None  # BOOI: a short code as likely as a rare word


def test_a_word_keeps_half_the_letters_read():
    """A code read with two unsure letters of three is not made the word those two
    letters could just be: DOG keeps only the G of BQG, its D and O at 5 %. With one
    letter to change, or with both the classifier's strong second choices (``ZCA``,
    an EMNIST ``TEA``), it is the word."""
    lex = Lexicon({"dog": 1000, "tea": 1000}, name="test")
    P = probs({"B": 0.6, "D": 0.05}, {"Q": 0.6, "O": 0.05}, {"G": 0.95})
    assert lex.correct(P) is None
    P = probs({"D": 0.97}, {"Q": 0.6, "O": 0.05}, {"G": 0.95})
    assert text(lex.correct(P)) == "DOG"
    P = probs({"Z": 0.41, "T": 0.19}, {"C": 0.74, "E": 0.16}, {"A": 0.96})
    assert text(lex.correct(P)) == "TEA"


def test_only_letters_the_classifier_found_plausible():
    P = probs({"P": 0.6, "D": 0.005, "R": 0.3}, {"O": 0.95}, {"G": 0.95})  # D at 0.5 %: not a candidate
    assert LEX.correct(P) is None


def test_a_reading_that_is_a_word_stays():
    P = probs({"B": 0.97}, {"O": 0.97}, {"X": 0.55, "Y": 0.40})
    assert LEX.correct(P) is None  # BOY is ten times as frequent, but BOX is a word
    P = probs({"B": 0.60, "D": 0.35}, {"O": 0.97}, {"G": 0.97})
    assert LEX.correct(P) is None  # BOG is rare, but a word
    P = probs({"L": 0.97}, {"E": 0.50, "I": 0.30, "O": 0.15}, {"S": 0.97}, {"T": 0.97})
    assert text(LEX.correct(P)) == "LIST"  # LEST is not in this lexicon; LIST beats LOST


def test_a_word_the_classifier_saw_as_well_as_the_word_read_may_be_read_instead():
    """``JUKE``, its ``K`` at 0.28 and ``N`` at 0.25, is ``JUNE``, far more frequent
    (``GOOKS`` -> ``BOOKS``): a letter at 0.8 of the one read or more is as good a
    reading, and the prior decides; not a letter read surely, nor one less probable."""
    lex = Lexicon({"juke": 5, "june": 2000, "box": 500, "boy": 5000, "bog": 2, "dog": 1000}, name="test")
    juke = probs({"J": 0.84}, {"U": 0.86}, {"K": 0.28, "N": 0.25}, {"E": 0.9})
    assert text(lex.correct(juke)) == "JUNE"
    assert lex.correct(juke, tie=None) is None
    assert lex.correct(juke, tie=0.95) is None
    assert text(lex.correct(probs({"B": 0.50, "D": 0.45}, {"O": 0.97}, {"G": 0.97}))) == "DOG"
    assert lex.correct(probs({"B": 0.97}, {"O": 0.97}, {"X": 0.55, "Y": 0.40})) is None  # Y at 0.73 of X
    assert lex.correct(probs({"D": 0.5, "B": 0.45}, {"O": 0.97}, {"G": 0.97})) is None  # DOG read: it stays
    box = probs({"B": 0.97}, {"O": 0.97}, {"X": 0.5, "Y": 0.45})
    assert text(lex.correct(box)) == "BOY"
    assert lex.correct(box, sure=0.4) is None  # the X read surely


def test_a_reading_rarer_than_a_non_word_is_weighed_as_one():
    """FDR is in the lexicon, but rarer than a reading that is no word (the prior
    ``oov``): an unsure FOR read FDR is corrected as if FDR were no word. As
    frequent as its length's non-words, it stays."""
    P = probs({"F": 0.97}, {"D": 0.65, "O": 0.25}, {"R": 0.93})
    assert text(Lexicon({"for": 10 ** 7, "fdr": 1}).correct(P)) == "FOR"
    assert Lexicon({"for": 10 ** 5, "fdr": 1}).correct(P) is None


def test_numbers_and_short_words_stay():
    assert LEX.correct(probs({"2": 0.5, "Z": 0.4}, {"0": 0.5, "O": 0.45})) is None
    assert Lexicon({"a": 5, "i": 5}).correct(probs({"4": 0.4, "A": 0.35})) is None
    assert LEX.correct(probs({"P": 0.48, "D": 0.42}, {"O": 0.95}), pair_oov=None) is None  # no two-letter words


def test_a_two_letter_reading_becomes_a_word_only_for_strong_second_choices():
    """OF read OI (its bars faint): the F at 0.2 makes it OF. A code DD, its second
    D an O at 2 %, stays DD; and a two-letter reading that is a word stays."""
    lex = Lexicon({"of": 10 ** 6, "do": 10 ** 6, "oi": 10, "on": 10 ** 5}, name="test")
    assert text(lex.correct(probs({"O": 0.9}, {"I": 0.6, "F": 0.2}))) == "OF"
    assert lex.correct(probs({"D": 0.9}, {"D": 0.6, "O": 0.02})) is None
    assert lex.correct(probs({"O": 0.9}, {"N": 0.6, "F": 0.3})) is None  # ON is a word
    assert lex.correct(probs({"O": 0.9}, {"I": 0.6, "F": 0.2}), pair_oov=None) is None
    assert lex.correct(probs({"1": 0.6, "I": 0.3}, {"0": 0.9})) is None  # a number
    assert LEX.correct(probs({"5": 0.5, "S": 0.4}, {"I": 0.6, "1": 0.3}), number=None) is None  # (51 otherwise)
    assert LEX.correct(probs({"D": 0.5}, {"A": 0.5}, {"G": 0.5}, {"S": 0.5})) is None  # no 4-letter D?G? words


def test_a_reading_that_is_no_word_but_may_be_digits_is_the_number():
    """EMNIST pages' ``TRAIN 11 05`` read ``TRAIN IL 05``, ``BUS 101`` ``BUS IDI``, ``COOL FOR
    10`` ``COOL FOR I0`` (the probabilities as the classifier gave them): numbers, which
    the lexicon's words never are. A sure letter, a digit no more than 10 % probable,
    a word of the lexicon and a reading mixing digits and letters other than ``I`` and
    ``O`` (a code: ``5G``, ``12B``) stay."""
    assert text(LEX.correct(probs({"I": 0.58, "1": 0.28}, {"L": 0.38, "1": 0.24}))) == "11"
    P = probs({"I": 0.54, "1": 0.16}, {"D": 0.65, "0": 0.14}, {"I": 0.65, "1": 0.18})
    assert text(LEX.correct(P)) == "101"
    assert LEX.correct(P, number=None) is None
    assert text(LEX.correct(probs({"I": 0.51, "1": 0.34}, {"0": 0.27, "M": 0.2}))) == "10"
    assert text(LEX.correct(probs({"I": 0.51, "1": 0.34}, {"0": 0.97}, {"O": 0.6, "0": 0.3}))) == "100"
    assert LEX.correct(probs({"I": 0.96, "1": 0.03}, {"L": 0.38, "1": 0.24})) is None  # a sure I
    assert LEX.correct(probs({"I": 0.54, "1": 0.16}, {"D": 0.65, "0": 0.08}, {"I": 0.65, "1": 0.18})) is None
    assert LEX.correct(probs({"L": 0.6, "1": 0.3}, {"O": 0.6, "0": 0.3}, {"G": 0.6, "6": 0.3})) is None  # LOG
    assert LEX.correct(probs({"5": 0.35, "S": 0.3}, {"G": 0.75, "6": 0.18})) is None  # 5G
    assert LEX.correct(probs({"I": 0.49, "1": 0.38}, {"2": 0.48}, {"B": 0.47, "8": 0.19})) is None  # I2B


def test_word_list_file(tmp_path):
    f = tmp_path / "words.txt"
    f.write_text("invoice 10\nTOTAL\n\nnet-30 4\n")
    lex = Lexicon.load(f)
    assert "INVOICE" in lex and "TOTAL" in lex and len(lex) == 2  # net-30: not A-Z
    with pytest.raises(HandocrError, match="missing.txt: cannot read word list"):
        Lexicon.load(tmp_path / "missing.txt")
    (tmp_path / "digits.txt").write_text("123\n")
    with pytest.raises(HandocrError, match="no words of letters"):
        Lexicon.load(tmp_path / "digits.txt")


def test_english_lexicon():
    pytest.importorskip("spellchecker", reason="pyspellchecker (handocr[lexicon]) not installed")
    en = Lexicon.load("en")
    assert "DO" in en and "REFRIGERATOR" in en and len(en) > 50_000
    P = probs({"B": 0.99}, {"R": 0.99}, {"E": 0.99}, {"A": 0.99}, {"U": 0.5, "D": 0.3})
    assert text(en.correct(P)) == "BREAD"
    P = probs({"C": 0.99}, {"H": 0.99}, {"E": 0.99}, {"C": 0.99}, {"X": 0.5, "K": 0.3})
    assert text(en.correct(P)) == "CHECK"


def test_corrected_character_keeps_its_own_confidence():
    P = probs({"P": 0.48, "D": 0.42}, {"O": 0.95}, {"G": 0.95})
    glyphs = [Glyph(box=(0, 10 * k, 10, 10 * k + 8), mask=np.ones((10, 8), bool)) for k in range(3)]
    classified = [[[(g, p, None) for g, p in zip(glyphs, P)]]]
    page = build_page(apply_lexicon(classified, LEX), 1.0, (100, 100), "x", "m", 10.0)
    c0, c1, c2 = page.lines[0].words[0].chars
    assert (c0.text, c0.alt, c1.text, c2.text) == ("D", "P", "O", "G")
    assert c0.conf == pytest.approx(0.42) and isinstance(c0, Char)
    assert page.text == "DOG"
    plain = build_page(classified, 1.0, (100, 100), "x", "m", 10.0)
    assert plain.text == "POG" and plain.lines[0].words[0].chars[0].conf == pytest.approx(0.48)


def bars(n):
    """`n` glyphs 10 px tall, side by side 2 px apart (pieces of a word)."""
    return [Glyph(box=(0, 12 * k, 10, 12 * k + 10), mask=np.ones((10, 10), bool)) for k in range(n)]


def lattice(atoms, spans, extra=None, cut=()):
    """A hand-made lattice over `atoms`: `spans` maps (i, j) -> {char: p}."""
    keys = list(spans)
    P = probs(*spans.values())
    extra = np.array([(extra or {}).get(k, 0.3) for k in keys])
    return Lattice(n=len(atoms), spans=keys, cands=[union(atoms[i:j]) for i, j in keys], P=P,
                   X=[None] * len(keys), extra=extra, cost=extra - np.log(P.max(axis=1)),
                   cut=np.array([k in cut for k in keys]))


#: A "BUS" whose U broke into a bar read I and one read L; the two read together, U.
BILS = {(0, 1): {"B": 0.97}, (1, 2): {"I": 0.6, "L": 0.3}, (2, 3): {"L": 0.55, "J": 0.3},
        (1, 3): {"U": 0.45, "V": 0.3}, (3, 4): {"S": 0.95}}


def test_a_word_cut_into_more_letters_than_it_has_is_read_whole():
    lat = lattice(bars(4), BILS, extra={(1, 3): 2.0})  # a join costs more than a letter
    path = lat.best_path()
    assert text(lat.P[path].argmax(axis=1)) == "BILS"
    choice = LEX_BUS.correct_lattice(lat, path)
    assert [lat.spans[s] for s, _ in choice] == [(0, 1), (1, 3), (3, 4)]
    assert text([k for _, k in choice]) == "BUS"
    # a lexicon without BUS, and one whose word is the reading, keep the reading
    assert LEX.correct_lattice(lat, path) is None
    assert Lexicon({"bus": 100, "bils": 1}).correct_lattice(lat, path) is None
    # a lexicon word more letters away from the reading than `reach` is not tried
    assert LEX_BUS.correct_lattice(lat, path, reach=0) is None


def test_a_sure_letter_keeps_its_place_unless_cut_out_of_a_glyph():
    sure = dict(BILS)
    sure[(1, 2)] = {"I": 0.95}
    lat = lattice(bars(4), sure, extra={(1, 3): 2.0})
    assert text(lat.P[lat.best_path()].argmax(axis=1)) == "BILS"
    assert LEX_BUS.correct_lattice(lat, lat.best_path()) is None
    lat = lattice(bars(4), sure, extra={(1, 3): 2.0}, cut={(1, 2), (2, 3)})  # the U's halves, cut apart
    assert text([k for _, k in LEX_BUS.correct_lattice(lat, lat.best_path())]) == "BUS"


def test_a_word_cut_otherwise_keeps_half_the_letters_read():
    """A code read QEWX, its first two pieces also an H: HIM is a few cuts and
    changes away (none of QEWX's letters kept), HWX keeps two of four."""
    lat = lattice(bars(4), {(0, 1): {"Q": 0.5, "H": 0.1}, (1, 2): {"E": 0.5}, (2, 3): {"W": 0.5, "I": 0.1},
                            (3, 4): {"X": 0.5, "M": 0.1}, (0, 2): {"H": 0.4}}, extra={(0, 2): 2.0})
    path = lat.best_path()
    assert text(lat.P[path].argmax(axis=1)) == "QEWX"
    assert Lexicon({"him": 1000}).correct_lattice(lat, path) is None
    assert text([k for _, k in Lexicon({"hwx": 1}).correct_lattice(lat, path)]) == "HWX"


def test_the_lexicon_joins_the_pieces_of_a_letter_on_the_page():
    """`apply_lexicon` puts the lexicon's letters on the page: the U is one
    character over both of its pieces, with the classifier's confidence in it."""
    atoms = bars(4)
    lat = lattice(atoms, BILS, extra={(1, 3): 2.0})
    path = lat.best_path()
    classified = [[Letters(lat.letters(path), lat, path)]]
    page = build_page(apply_lexicon(classified, LEX_BUS), 1.0, (100, 100), "x", "m", 10.0)
    assert page.text == "BUS"
    u = page.lines[0].words[0].chars[1]
    assert u.box == (12, 0, 34, 10) and u.conf == pytest.approx(0.45) and u.alt == "V"
    assert build_page(classified, 1.0, (100, 100), "x", "m", 10.0).text == "BILS"


def test_a_letter_lost_in_a_tight_word_is_found_by_the_lexicon():
    """HAMMER drawn with its letters touching: the pipeline finds four or five letters
    (the two Ms' strokes cut and joined as one M, or as M and E); read with a lexicon,
    the word's lattice holds a path of six letters that is HAMMER."""
    import ocr
    from ocr.synth import render_page

    image = render_page(["HAMMER"], seed=10, touching=True, height=40).image
    assert len(ocr.read(image).text.strip()) < 6
    page = ocr.read(image, lexicon=Lexicon({"hammer": 10, "hamper": 5, "hamlet": 3, "ham": 20}))
    assert page.text.strip() == "HAMMER"
    x0 = [c.box[0] for c in page.chars]
    assert x0 == sorted(x0) and len(set(x0)) == 6


def test_a_word_split_by_a_wide_gap_is_joined_when_together_it_is_a_word():
    """P ICK -> PICK and T HE -> THE (a lone letter but A or I is no word); two words
    stay two (TO DO), as do A DOG, numbers, and halves that make no word together."""
    from ocr.pipeline import join_split_words

    lex = Lexicon({"pick": 10, "the": 100, "he": 50, "to": 80, "do": 60, "todo": 1, "a": 100, "dog": 5,
                   "adog": 1}, name="t")

    def line(*words):
        return [[(None, probs({ch: 0.99})[0], None) for ch in w] for w in words]

    def read(words):
        from ocr.pipeline import _text
        return [_text(w) for w in join_split_words(words, lex)]

    assert read(line("P", "ICK", "T", "HE")) == ["PICK", "THE"]
    assert read(line("TO", "DO")) == ["TO", "DO"]  # both words: TODO though it is one too
    assert read(line("A", "DOG")) == ["A", "DOG"]
    assert read(line("4", "PM", "X", "HE")) == ["4", "PM", "X", "HE"]
    chosen = [(None, probs({"F": 0.6, "P": 0.3})[0], None, CLASSES.index("P"))]  # the lexicon's P
    assert read([chosen] + line("ICK")) == ["PICK"]


def test_a_stroke_read_i_as_much_as_1_is_the_pronoun_before_a_verb_and_a_count_before_a_noun():
    """A bare stroke (I 0.48, 1 0.44), its neighbours read by the lexicon: the pronoun
    before a word that follows I (I WILL, SORRY I MISSED), the digit between a word or
    number and a word the pronoun neither follows nor comes before (BRING 1 TOWEL, 3 1
    TOWEL); left as read at a line's start before a noun, at its end, after AND or a
    non-word, before AM, and when the classifier was sure."""
    from ocr.pipeline import _text, pronoun_or_one

    lex = Lexicon({"bring": 5, "towel": 3, "will": 9, "sorry": 4, "missed": 2, "and": 20, "eggs": 3}, name="t")
    stroke, one = {"I": 0.48, "1": 0.44}, {"1": 0.48, "I": 0.44}

    def read(*words):
        line = [[(None, probs(w)[0], None)] if isinstance(w, dict) else [(None, probs({ch: 0.99})[0], None) for ch in w]
                for w in words]
        return " ".join(_text(w) for w in pronoun_or_one(line, lex))

    assert read(one, "WILL", "RING") == "I WILL RING"
    assert read("SORRY", one, "MISSED") == "SORRY I MISSED"
    assert read("BRING", stroke, "TOWEL") == "BRING 1 TOWEL"
    assert read("EGGS", stroke, "TOWEL") == "EGGS 1 TOWEL" and read("3", stroke, "TOWEL") == "3 1 TOWEL"
    assert read(stroke, "EGGS") == "I EGGS" and read(one, "EGGS") == "1 EGGS"  # nothing to tell
    assert read("AND", stroke, "TOWEL") == "AND I TOWEL"
    assert read("JI", stroke, "TOWEL") == "JI I TOWEL"  # no word: a misreading, no evidence
    assert read("EGGS", stroke, "AM") == "EGGS I AM"
    assert read("BRING", stroke) == "BRING I"  # the line's end: the lone prior's
    assert read("BRING", {"I": 0.8, "1": 0.15}, "TOWEL") == "BRING I TOWEL"  # sure enough


def test_two_words_written_close_and_read_as_one_are_split_at_their_widest_gap():
    """TRIPCALL -> TRIP CALL at a gap over a quarter of a letter height and twice the
    others; each part corrected on its own (CALI -> CALL); a number split from a word.
    A word of the lexicon, a gap no wider than the others and parts that are no words
    keep the word whole."""
    from ocr.pipeline import _text, split_joined_words

    lex = Lexicon({"trip": 10, "call": 10, "gym": 5, "today": 10, "to": 50, "do": 40, "day": 30}, name="t")

    def word(chars, gaps):  # letters 40 px tall, 24 wide, `gaps` px apart
        x, items = 0, []
        for ch, gap in zip(chars, [0] + gaps):
            x += gap
            p = probs(ch if isinstance(ch, dict) else {ch: 0.99})[0]
            items.append((Glyph(box=(0, x, 40, x + 24), mask=np.ones((40, 24), bool)), p, None))
            x += 24
        return items

    def read(*words):
        return [_text(w) for w in split_joined_words(list(words), lex)]

    assert read(word("TRIPCALL", [6, 5, 7, 14, 6, 5, 6])) == ["TRIP", "CALL"]
    assert read(word([*"TRIPCAL", {"I": 0.6, "L": 0.35}], [6, 5, 7, 14, 6, 5, 6])) == ["TRIP", "CALL"]
    assert read(word("353GYM", [5, 6, 16, 5, 6])) == ["353", "GYM"]
    assert read(word("TODAY", [5, 16, 6, 5])) == ["TODAY"]  # a word of the lexicon
    assert read(word("TRIPCALL", [6, 5, 7, 9, 6, 5, 6])) == ["TRIPCALL"]  # under a quarter of a letter
    assert read(word("TRIPCALL", [8, 9, 7, 14, 8, 9, 8])) == ["TRIPCALL"]  # not twice the others
    assert read(word("XKQPCALL", [6, 5, 7, 14, 6, 5, 6])) == ["XKQPCALL"]  # XKQP is no word
    assert read(word("TOGYM", [6, 14, 6, 5])) == ["TO", "GYM"]
    assert read(word("TODO", [6, 14, 6])) == ["TODO"]  # two words of two letters


LEX_BUS = Lexicon({"bus": 100, "bis": 1}, name="bus")


def test_english_lexicon_is_cached(tmp_path, monkeypatch):
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = Lexicon.english()
    cached = list((tmp_path / "handocr").glob("lexicon-en-*.npz"))
    assert len(cached) == 1
    again = Lexicon.english()
    assert len(again) == len(built) and "REFRIGERATOR" in again
    P = probs({"C": 0.99}, {"H": 0.99}, {"E": 0.99}, {"C": 0.99}, {"X": 0.5, "K": 0.3})
    assert text(again.correct(P)) == text(built.correct(P)) == "CHECK"
    cached[0].write_bytes(b"not a cache")  # a broken cache is built again
    assert len(Lexicon.english()) == len(built)


def test_cli_lexicon_option(tmp_path):
    from ocr.cli import main

    r = CliRunner().invoke(main, ["read", "samples/synthetic_page.png", "--lexicon", str(tmp_path / "no.txt")])
    assert r.exit_code == 1 and "no.txt: cannot read word list" in r.output
    words = tmp_path / "words.txt"
    words.write_text("SHOPPING\nLIST\nEGGS\nMILK\n")
    plain = CliRunner().invoke(main, ["read", "samples/synthetic_page.png", "--no-lexicon"])
    r = CliRunner().invoke(main, ["read", "samples/synthetic_page.png", "--lexicon", str(words)])
    assert r.exit_code == 0 and r.output.splitlines()[0] == "SHOPPING LIST" == plain.output.splitlines()[0]


def test_cli_reads_with_the_english_lexicon_unless_told_not_to(tmp_path, monkeypatch):
    """`handocr read` corrects non-words with the English lexicon by default; without
    pyspellchecker it says so on stderr and reads on."""
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    from ocr import cli

    seen, read_one = [], cli._read_one
    monkeypatch.setattr(cli, "_read_one", lambda job, fetch=None: seen.append(cli._WORKER["lexicon"]) or
                        (job[0], None, f"{job[0]}: stopped"))
    for args, want in (([], "en"), (["--no-lexicon"], None)):
        seen.clear()
        CliRunner().invoke(cli.main, ["read", "samples/synthetic_page.png", "-j", "1", *args])
        assert [getattr(x, "name", None) for x in seen] == [want]
    monkeypatch.setattr(cli, "_read_one", read_one)
    monkeypatch.setattr("ocr.lexicon.Lexicon.english", classmethod(lambda c: (_ for _ in ()).throw(
        HandocrError("--lexicon en needs the pyspellchecker package"))))
    r = CliRunner().invoke(cli.main, ["read", "samples/synthetic_page.png", "--no-lexicon"])
    assert r.exit_code == 0
    r = CliRunner().invoke(cli.main, ["read", "samples/synthetic_page.png"])
    assert r.exit_code == 0 and "reading without a lexicon" in r.output
    r = CliRunner().invoke(cli.main, ["read", "samples/synthetic_page.png", "--lexicon", "en"])
    assert r.exit_code == 1 and "needs the pyspellchecker package" in r.output


def test_eval_pages_with_a_lexicon(tmp_path):
    import json
    import shutil

    from ocr.cli import main

    shutil.copy("samples/synthetic_page.png", tmp_path / "p.png")
    (tmp_path / "p.gt.txt").write_text("SHOPPING LIST\n")
    words = tmp_path / "words.txt"
    words.write_text("SHOPPING\nLIST\n")
    r = CliRunner().invoke(main, ["eval", str(tmp_path), "--lexicon", str(words), "--json", "-q"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["lexicon"] == str(words)
    assert result["pages"][0]["text"].splitlines()[0] == "SHOPPING LIST"


def test_english_lexicon_knows_a_notes_months_and_days(tmp_path, monkeypatch):
    # Subtitles, whose word counts the English lexicon has, rarely name a month: JULY
    # was as rare there as a reading that is no word, and an unsure L read I left
    # JUIY as it was (a J read 2, 2ULY, too). Notes name months and days often.
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    import ocr.lexicon as lexicon

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    juiy = probs({"J": 0.93}, {"U": 0.96}, {"I": 0.70, "L": 0.11, "1": 0.10}, {"Y": 0.89})  # as read on a page
    two_uly = probs({"2": 0.53, "J": 0.15, "Z": 0.04}, {"U": 0.95}, {"L": 0.96}, {"Y": 0.95})
    built, cached = Lexicon.english(), Lexicon.english()  # built, then from the cache
    for en in (built, cached):
        assert text(en.correct(juiy)) == text(en.correct(two_uly)) == "JULY"
        assert en._log_prior("FRIDAY") >= lexicon.CALENDAR_PRIOR
        assert en._log_prior("TODAY") > lexicon.CALENDAR_PRIOR  # (more common already: as it was)
    monkeypatch.setattr(lexicon, "CALENDAR", ())  # the subtitles' counts alone
    plain = Lexicon.english()
    assert plain.correct(juiy) is None and plain.correct(two_uly) is None
    assert plain._log_prior("TODAY") == built._log_prior("TODAY")


def test_english_counts_are_of_words_as_the_reader_reads_them():
    # The reader drops an apostrophe as punctuation (DON'T is read DONT); the English
    # counts spell the American way only.
    from ocr.lexicon import _english_counts

    counts = _english_counts({"don't": 30, "dent": 40, "gun's": 5, "guns": 7, "can't": 90, "cant": 3,
                              "i'm": 50, "color": 9})
    assert counts["dont"] == 30 and counts["cant"] == 90 and counts["guns"] == 7 and counts["dent"] == 40
    assert counts["colour"] == counts["color"] == 9
    assert "im" not in counts  # (too short: an IN read IM would stay so)


def test_english_lexicon_knows_british_spellings_and_contractions(tmp_path, monkeypatch):
    # The English counts (subtitles) spell the American way and keep the apostrophe:
    # COLOUR, LITRES and DONT were no words, so an unsure letter in them was read as
    # no word (COLOVR, DQNT).
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    import ocr.lexicon as lexicon

    colovr = probs({"C": 0.97}, {"O": 0.96}, {"L": 0.97}, {"O": 0.96}, {"V": 0.55, "U": 0.35}, {"R": 0.97})
    litres = probs({"L": 0.96}, {"I": 0.97}, {"T": 0.96}, {"R": 0.97}, {"E": 0.96}, {"S": 0.96})
    dqnt = probs({"D": 0.96}, {"Q": 0.50, "O": 0.40}, {"N": 0.96}, {"T": 0.96})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "now"))
    for en in (Lexicon.english(), Lexicon.english()):  # built, then from the cache
        assert text(en.correct(colovr)) == "COLOUR"
        assert en.correct(litres) is None and "LITRES" in en and "COLOR" in en
        assert text(en.correct(dqnt)) == "DONT"
        assert en._log_prior("COLOUR") >= en._log_prior("COLOR") - np.log(1.01)  # its twin's count
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "before"))
    monkeypatch.setattr(lexicon, "_english_counts", dict)  # pyspellchecker's counts as they are
    before = Lexicon.english()
    assert "COLOUR" not in before and "DONT" not in before and "LITRES" not in before
    assert before.correct(colovr) is None and before.correct(dqnt) is None


def test_a_reading_of_six_letters_one_letter_from_a_word_is_that_word_however_sure_the_letter():
    # BOOK BEFORE JUNE read BEFORF: its last F at 0.96, the E at 0.4 %. No letter of a
    # reading read so surely changed, but a reading of six letters that is no word is
    # rarer than one in a billion, and one letter from a word it is that word misread.
    lex = Lexicon({"before": 100, "befall": 10, "month": 100}, name="test")

    def word(*rows):
        return probs(*({ch: 0.96} if isinstance(ch, str) else ch for ch in rows))

    assert text(lex.correct(word(*"BEFOR", {"F": 0.96, "E": 0.004}))) == "BEFORE"
    assert lex.correct(word(*"BEFOR", {"F": 0.96, "E": 0.0005})) is None  # the E hardly possible
    assert lex.correct(word(*"BEFO", {"A": 0.96, "R": 0.004}, {"F": 0.96, "E": 0.004})) is None  # two off
    assert lex.correct(word(*"BEFOR", {"F": 0.96, "E": 0.004}), one_off=7) is None  # (the rule)
    # five letters keep the rules of the unsure letter (MONTH read MONIH, its I at 0.9)
    assert lex.correct(word("M", "O", "N", {"I": 0.90, "L": 0.097, "T": 0.003}, "H")) is None


def test_a_long_reading_one_unsure_letter_from_a_word_is_that_word():
    # MONTH read MONIH (the T's bar lost): the classifier gave the T 0.3 %, under the 1 %
    # a changed letter needs. A reading of five letters or more that is no word is
    # rare: an unsure letter of it may become one the classifier gave 0.1 %.
    lex = Lexicon({"month": 100, "moth": 50, "seat": 100}, name="test")

    def word(*rows):
        return probs(*({ch: 0.96} if isinstance(ch, str) else ch for ch in rows))

    monih = word("M", "O", "N", {"I": 0.73, "L": 0.26, "T": 0.003}, "H")
    assert text(lex.correct(monih)) == "MONTH"
    assert lex.correct(word("M", "O", "N", {"I": 0.73, "L": 0.26, "T": 0.0005}, "H")) is None
    # a letter read surely enough (0.9) keeps the 1 % rule, and so does a shorter reading
    assert lex.correct(word("M", "O", "N", {"I": 0.90, "L": 0.097, "T": 0.003}, "H")) is None
    assert lex.correct(word("S", "E", "A", {"I": 0.73, "L": 0.26, "T": 0.003})) is None
    assert text(lex.correct(word("S", "E", "A", {"I": 0.73, "L": 0.25, "T": 0.012}))) == "SEAT"


def test_english_lexicon_never_reads_an_unsure_word_as_a_profanity(tmp_path, monkeypatch):
    # A P read R (a rule's stub at its foot) and a bar read 1 made PICK read R1CK, and the
    # lexicon made it the likeliest word with a U there. A word read surely stays as read.
    pytest.importorskip("spellchecker", reason="pyspellchecker not installed")
    import ocr.lexicon as lexicon

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    en = Lexicon.english()
    assert all(w.upper() not in en for w in lexicon.UNSAID) and "PICK" in en and "DUCK" in en
    r1ck = probs({"R": 0.5, "F": 0.2, "P": 0.2}, {"1": 0.45, "U": 0.3, "I": 0.2}, {"C": 0.97}, {"K": 0.97})
    ruck = probs({"R": 0.6, "F": 0.3}, {"U": 0.5, "I": 0.3}, {"C": 0.9}, {"K": 0.97})
    assert text(en.correct(r1ck)) == "PICK" and text(en.correct(ruck)) == "RICK"
    sure = probs({"F": 0.99}, {"U": 0.99}, {"C": 0.99}, {"K": 0.99})
    assert en.correct(sure) is None  # (kept as read)
    # BOOKS, its B read G 0.17, A 0.16, B 0.09 (an EMNIST note): the whole list keeps a
    # slur it holds; without it, a word (LOOKS: its L at 0.01, a likelier word)
    gooks = probs({"G": 0.17, "A": 0.16, "B": 0.09, "Q": 0.08, "Z": 0.06, "E": 0.05, "S": 0.05, "D": 0.04},
                  {"O": 0.85}, {"O": 0.68, "0": 0.12}, {"K": 0.71}, {"S": 0.98})
    assert text(en.correct(gooks)) in ("BOOKS", "LOOKS")
    monkeypatch.setattr(lexicon, "UNSAID", frozenset())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "all"))
    whole = Lexicon.english()
    assert text(whole.correct(r1ck)) == text(whole.correct(ruck)) == "FUCK"  # what the whole list read
    assert whole.correct(gooks) is None
