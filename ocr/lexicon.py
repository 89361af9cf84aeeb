"""Lexicon correction: unsure words that are no word re-read as dictionary words.

``handocr read`` corrects with the English lexicon unless told otherwise
(``--lexicon FILE``, ``--no-lexicon``); :func:`ocr.read` only with the lexicon
it is given. A word's reading changes only if a word of the lexicon, of the same length, is
more probable than the reading itself, scoring each candidate ``w`` by

    score(w) = sum_i log P[i, w_i] + weight * log p(w | length)

where ``P`` holds the classifier's probabilities (after the letter/digit context)
and ``p(w | length)`` is the word's frequency among the lexicon's words of that
length. The reading itself, no word of the lexicon, gets the prior of a rare word,
``p = oov`` for a reading of up to four characters and ``oov_letter`` times less
for each one more: a writer's short non-words (codes, abbreviations) are many, a
long one is rare, and a long reading one letter from a word is that word misread.
Four rules keep the correction from inventing text:

* a character the classifier is sure of (probability >= `sure`) is never
  changed, so a confident reading is never overridden, but in a reading of six
  characters or more that no word is found for, one letter from a word and
  that word's letter at least `long_plausible` (0.1 %) probable: such a reading is
  rarer than one in a billion (``BEFORF`` -> ``BEFORE``, the ``F`` at 0.96, the ``E``
  at 0.4 %);
* nor is a digit among letters read with probability >= `sure_digit`: the word's
  context has already weighed it against the letters it looks like, and one that
  stays a digit so is meant (a code such as ``O7K``); but for the letter the
  classifier gave it most of all letters, if at least `twin` (5 %) probable, in a
  reading of three characters or more: a ``T`` read ``7`` (``7HE``, ``5PARE``),
  not the ``U`` of ``O7K`` -> ``OUR``;
* a changed character must have been plausible to the classifier
  (probability >= `plausible`), or, in a reading of five characters or more, a
  letter read unsurely (under `long_unsure`, 0.8) may become one the classifier gave
  `long_plausible` (0.1 %): a long reading that is no word is rare, and one unsure
  letter from a word is that word misread (``MONIH`` -> ``MONTH``, the ``T`` at 0.3 %);
* the word keeps at least half the reading's letters, and half of its own (a
  ``ROOM`` read ``RQOPN`` is no ``ADOPT``), unless it changes them, along the
  reading's own cuts, only for letters the classifier gave `alternative` or more
  (``ZCA`` -> ``TEA``: the ``T`` at 0.19 against the ``Z``'s 0.41, the ``E`` at 0.16).

Only readings that are no word are corrected: a reading that is a word of the
lexicon stays, however much more frequent a word one letter away is (``BOX``, its
``X`` at 0.55 and ``Y`` at 0.40, is not made ``BOY``), unless it is rarer in the
lexicon than a non-word (``FDR``: weighed as a non-word), or unless the classifier
saw another word as well in it: one whose letters, where they differ, it gave at
least `tie` (0.8) times the probability of those read, and which is the more probable
with its prior (``JUKE`` -> ``JUNE``, its ``K`` at 0.28 and ``N`` at 0.25; ``GOOKS``
-> ``BOOKS``). Numbers and single characters are left
alone. A reading of two characters may become a word of two letters, but only
for letters the classifier gave at least `pair_plausible` (0.1), against a
non-word's prior `pair_oov` (1e-4): two-letter "words" of the list are many,
abbreviations among them, and a random code of two (``DD``, ``U8``) is a weak
second choice away from one. A word read with an unsure digit among letters
(``ALR6ADY``) can become a word (a sure digit stays). A reading of letters that is no
word may also become the number its characters may be, each the digit it is likeliest
to be (at least `alternative` probable), against the prior :data:`NUMBER` shared
among the numbers of its length (``TRAIN IL 05`` -> ``TRAIN 11 05``); so may a reading
of digits with an ``I`` or an ``O`` (``I0`` -> ``10``), never one with other letters
(a code: ``5G``, ``12B``).
The English word list comes from the ``pyspellchecker`` package (MIT licence,
word frequencies from OpenSubtitles), a dependency of handocr, kept grouped by
length in the user's cache (:meth:`Lexicon.english`), the months and the days of
the week made at least as common as a note writes them (:data:`CALENDAR`), British
spellings added (:data:`BRITISH`) and the words written with an apostrophe read as
the reader reads them, without it (``DON'T`` -> ``DONT``); any text
file of words (one per line, optionally followed by a count) can be used instead.
"""

import itertools
import math
import os

import numpy as np

from . import CLASSES
from .errors import HandocrError

_INDEX = {c: i for i, c in enumerate(CLASSES)}

#: Share of a note's words of a length that are numbers, every number of that length
#: as likely: a reading that is no word may be read as a number of its length
#: (:meth:`Lexicon.correct_lattice`). In the notes written for the benchmarks
#: (``benchmarks/*_notes.txt``) numbers are 47 % of the words of two characters, 19 %
#: of three and 10 % of four. (1.0, ten times the share, read 2 of 800 pages better
#: and none worse; the share is kept.)
NUMBER = 0.1

#: The months and the days of the week, written whole. Subtitles, whose word counts the
#: English lexicon has, rarely name them (``JULY`` is as rare there as a word that is
#: none, 1 in 600,000 words of four letters); notes name them often. In the English
#: lexicon each is at least this probable (log) among the words of its length: 1 in
#: 8,000, as common as ``MARCH`` (``UULY``, ``2ULY`` and ``BUNE`` were left so; 10 such
#: words of 960 test pages read right with it, and none wrong).
CALENDAR = ("JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER "
            "MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY").split()
CALENDAR_PRIOR = -9.0

#: British spellings and their American twins (``gb us`` pairs). The English counts
#: (subtitles) spell the American way only: a note's ``COLOUR`` or ``LITRES`` was no
#: word, and one unsure letter away from another (``TYRES`` read ``TYPES``). In the
#: English lexicon each British spelling is at least as common as its twin. A spelling
#: whose twin is mostly another word (``CHEQUE``, ``CHECK``) is left out.
BRITISH = tuple(tuple(pair.split()) for pair in (
    "colour color|colours colors|coloured colored|colourful colorful|favour favor|favours favors|"
    "favourite favorite|favourites favorites|favourable favorable|flavour flavor|flavours flavors|"
    "honour honor|honours honors|humour humor|labour labor|neighbour neighbor|neighbours neighbors|"
    "neighbourhood neighborhood|neighbouring neighboring|harbour harbor|rumour rumor|rumours rumors|"
    "behaviour behavior|armour armor|savoury savory|odour odor|vapour vapor|parlour parlor|"
    "endeavour endeavor|centre center|centres centers|theatre theater|theatres theaters|"
    "metre meter|metres meters|litre liter|litres liters|kilometre kilometer|kilometres kilometers|"
    "centimetre centimeter|centimetres centimeters|millimetre millimeter|millimetres millimeters|"
    "fibre fiber|calibre caliber|organise organize|organised organized|organising organizing|"
    "organisation organization|realise realize|realised realized|recognise recognize|"
    "apologise apologize|criticise criticize|summarise summarize|prioritise prioritize|"
    "finalise finalize|memorise memorize|authorise authorize|travelling traveling|"
    "travelled traveled|traveller traveler|cancelled canceled|cancelling canceling|"
    "labelled labeled|jewellery jewelry|counselling counseling|marvellous marvelous|"
    "catalogue catalog|defence defense|licence license|offence offense|programme program|"
    "programmes programs|tyres tires|aluminium aluminum|pyjamas pajamas|aeroplane airplane|"
    "mould mold|sceptical skeptical|analyse analyze|manoeuvre maneuver|"
    "paediatric pediatric|yoghurt yogurt|maths math"
).split("|"))


#: Words the English lexicon leaves out, so that it never reads an unsure word as one
#: (``PICK``, its ``P`` read ``R`` with a stub, became ``FUCK``; ``BOOKS``, its ``B`` read
#: unsurely, a slur): obscenities and slurs, also those with an innocent sense that a
#: note hardly needs (a ``THINK``, a ``SOON`` or a ``REGARD`` misread must not become
#: one). A word the classifier reads surely is kept as it is read all the same.
UNSAID = frozenset((
    "fuck fucks fucked fucker fuckers fucking motherfucker shit shits shitty bullshit cunt cunts "
    "bitch bitches twat twats wank wanker wankers asshole assholes slut sluts whore whores "
    "dickhead dickheads nigger niggers faggot faggots fag fags kike kikes gook gooks spic spics "
    "wetback wetbacks chink chinks coon coons retard retards"
).split())


class Lexicon:
    """Words (``A-Z``) with their frequencies, grouped by length for scoring.

    Parameters
    ----------
    counts : dict of str -> float
        Word -> count (any positive number). Words are upper-cased; words with
        characters outside ``A-Z`` are skipped.
    name : str
        Shown in messages.
    """

    def __init__(self, counts, name="lexicon"):
        self.name = name
        by_length = {}
        for word, count in counts.items():
            w = str(word).upper()
            if w and w.isascii() and w.isalpha() and count > 0:
                words = by_length.setdefault(len(w), {})
                words[w] = words.get(w, 0.0) + float(count)
        self._words = {}
        for n, words in by_length.items():
            items = sorted(words.items())
            total = sum(c for _, c in items)
            W = np.array([[_INDEX[ch] for ch in w] for w, _ in items], dtype=np.int16)
            log_prior = np.log(np.array([c for _, c in items]) / total)
            self._words[n] = (W, log_prior, {w: k for k, (w, _) in enumerate(items)})
        if not self._words:
            raise HandocrError(f"{name}: no words of letters A-Z")

    def _where(self, word):
        """``(log priors of its length, its row)``, or None for a word not in the lexicon."""
        entry = self._words.get(len(word))
        k = entry[2].get(word) if entry is not None else None
        return None if k is None else (entry[1], k)

    def _log_prior(self, word):
        """log p(word | its length), or None for a word not in the lexicon."""
        at = self._where(word)
        return None if at is None else float(at[0][at[1]])

    def __len__(self):
        return sum(len(v[2]) for v in self._words.values())

    def __contains__(self, word):
        return self._log_prior(word.upper()) is not None

    @classmethod
    def load(cls, source):
        """A lexicon from ``"en"`` (pyspellchecker's English list) or a word-list file.

        Raises
        ------
        HandocrError
            When the package is missing or the file cannot be read.
        """
        if source == "en":
            return cls.english()
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as f:
                counts = {}
                for line in f:
                    parts = line.split()
                    if parts:
                        count = float(parts[1]) if len(parts) > 1 and _is_number(parts[1]) else 1.0
                        counts[parts[0]] = counts.get(parts[0], 0.0) + count
        except (OSError, UnicodeDecodeError) as e:
            raise HandocrError(f"{path}: cannot read word list ({e.__class__.__name__})") from None
        return cls(counts, name=path)

    @classmethod
    def english(cls, cache=True):
        """pyspellchecker's English list, from the user's cache when it was built before.

        Building it takes about a second (the package's word counts are read and
        grouped by length); the groups are then kept in
        ``$XDG_CACHE_HOME/handocr`` (``~/.cache/handocr``), named by the package's
        version, and load in a few tens of milliseconds. A cache that cannot be
        read is built again; one that cannot be written is done without.

        Raises
        ------
        HandocrError
            When pyspellchecker is not installed.
        """
        try:
            import spellchecker
        except ImportError:
            raise HandocrError("--lexicon en needs the pyspellchecker package: "
                               "pip install pyspellchecker") from None
        path = _cache_path(f"lexicon-en-{getattr(spellchecker, '__version__', '0')}-{_CACHE_FORMAT}.npz")
        lex = None
        if cache and path is not None:
            try:
                lex = cls._load_arrays(path, name="en")
            except (OSError, ValueError, KeyError, EOFError):
                pass  # none yet, or unreadable: built again
        if lex is None:
            lex = cls(_english_counts(spellchecker.SpellChecker(language="en").word_frequency.dictionary),
                      name="en")
            if cache and path is not None:
                try:
                    lex._save_arrays(path)
                except OSError:
                    pass  # a read-only home: the next run builds it again
        return lex.at_least(CALENDAR, CALENDAR_PRIOR)

    def at_least(self, words, log_prior):
        """This lexicon with each of `words` (already in it) at least as probable as
        ``exp(log_prior)`` among the words of its length (the others as they were)."""
        for w in words:
            at = self._where(w)
            if at is not None and at[0][at[1]] < log_prior:
                at[0][at[1]] = log_prior
        return self

    def _save_arrays(self, path):
        from .atomic import atomic_path

        arrays = {}
        for n, (W, log_prior, index) in self._words.items():
            arrays[f"W{n}"] = W.astype(np.int8)
            arrays[f"p{n}"] = log_prior
            arrays[f"w{n}"] = np.array(list(index))  # in the rows' order
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, **arrays)

    @classmethod
    def _load_arrays(cls, path, name):
        lex = cls.__new__(cls)
        lex.name, lex._words = name, {}
        with np.load(path, allow_pickle=False) as z:
            for key in z.files:
                if key.startswith("W"):
                    n = int(key[1:])
                    words = z[f"w{n}"].tolist()
                    lex._words[n] = (z[key].astype(np.int16), z[f"p{n}"], {w: k for k, w in enumerate(words)})
        if not lex._words:
            raise ValueError("empty lexicon cache")
        return lex

    def correct(self, P, sure=0.95, plausible=0.01, weight=1.0, oov=1e-6, shortest=3, oov_letter=0.1,
                sure_digit=0.6, pair_oov=1e-4, pair_plausible=0.1, number=NUMBER, twin=0.05, tie=0.8, one_off=6):
        """The lexicon's reading of one word, or None to keep the classifier's: a word
        of the same length, one letter a glyph (:meth:`correct_lattice` on
        :meth:`ocr.segment.Lattice.glyph_by_glyph`).

        Parameters
        ----------
        P : (N, 36) ndarray
            Class probabilities of the word's characters, left to right.
        sure : float
            Characters at least this probable are never changed.
        plausible : float
            A changed character must have at least this probability.
        weight : float
            Weight of the word-frequency prior against the classifier.
        oov : float
            Prior of a reading of up to four characters that is not in the lexicon.
            A reading that is a word of the lexicon stays, unless the word is rarer
            than that: it is then weighed as a reading that is no word (``FDR``,
            an unsure ``FOR``).
        shortest : int
            Shorter words stay as read, but for readings of two characters when
            `pair_oov` is set.
        oov_letter : float
            Each character beyond four multiplies `oov` by this.
        sure_digit : float
            Digits among letters at least this probable are never changed, ...
        twin : float
            ... but for their most probable letter, when at least this probable, in a
            reading of three characters or more (``7HE`` -> ``THE``, the ``7`` at 0.62
            and its ``T`` at 0.08).
        pair_oov, pair_plausible : float
            A reading of two characters may become a word of two letters: against
            the prior `pair_oov` (a reading that is no word), and only for letters
            at least `pair_plausible` probable. None: such readings stay.
        number : float or None
            As for :meth:`correct_lattice` (its digits at least 0.1 probable).
        tie : float or None
            As for :meth:`correct_lattice`: a reading that is a word may become another
            the classifier saw as well in it.
        one_off : int
            As for :meth:`correct_lattice`: a reading this long or longer may become a
            word one letter from it, however surely that letter was read.

        Returns
        -------
        classes : (N,) int ndarray or None
            Class indices of the lexicon word (or number), when it differs from the reading.
        """
        from .segment import Lattice

        P = np.asarray(P, dtype=np.float64)
        choice = self.correct_lattice(Lattice.glyph_by_glyph(P), list(range(len(P))), sure=sure,
                                      plausible=plausible, weight=weight, oov=oov, shortest=shortest, reach=0,
                                      oov_letter=oov_letter, sure_digit=sure_digit, pair_oov=pair_oov,
                                      pair_plausible=pair_plausible, number=number, twin=twin, tie=tie,
                                      one_off=one_off)
        return None if choice is None else np.array([k for _, k in choice], dtype=np.intp)

    def correct_lattice(self, lattice, path, P=None, sure=0.95, plausible=0.01, weight=1.0, oov=1e-6,
                        shortest=3, reach=2, tries=10, oov_letter=0.1, sure_digit=0.6, alternative=0.1,
                        pair_oov=1e-4, pair_plausible=0.1, number=NUMBER, long=5, long_plausible=0.001,
                        long_unsure=0.8, twin=0.05, tie=0.8, one_off=6):
        """The lexicon's reading of a word whose letters may be cut or joined otherwise.

        Like :meth:`correct`, but a word of the lexicon may take any path through
        the word's :class:`ocr.segment.Lattice` (``BILDGET`` -> ``BUDGET``, the
        ``U`` read whole rather than as ``IL``), so its length may differ from the
        reading's by up to `reach`. A path's letters cost what the lattice says
        besides the classifier's doubt (``extra``: splits, joins, odd sizes), and

            score(w, path) = sum_k (log P[s_k, w_k] - extra[s_k]) + weight * log p(w | length)

        is weighed against the reading's own score with the prior ``oov``. A word,
        along the reading's path or another, must keep at least half of the
        reading's letters (and of its own): the same letter on the same span; or,
        along the reading's path, change them only for letters at least
        `alternative` probable. A
        character of the reading the classifier is sure of keeps its place and
        its class, unless it was cut out of a glyph (:attr:`ocr.segment.Lattice.cut`):
        half an ``M`` is often read surely as a ``Y``.

        Parameters
        ----------
        lattice : ocr.segment.Lattice
        path : list of int
            The reading's spans (indices into ``lattice.spans``), left to right.
        P : (len(path), 36) ndarray, optional
            The reading's probabilities, if the word's context changed them
            (default: the lattice's).
        sure, plausible, weight, oov, shortest, oov_letter, sure_digit, pair_oov, pair_plausible, twin
            As for :meth:`correct`; `shortest` bounds the reading's length and the word's
            (a reading of two characters becomes a word of two, cut as it was read).
        reach : int
            Largest difference in length between the reading and the word.
        tries : int
            The most probable words tried against the rule of half the letters kept.
        alternative : float
            Along the reading's path, a word may change more than half its letters
            if each letter it puts in was at least this probable; so must each digit
            of a number (:func:`_as_number`).
        number : float or None
            Prior of the numbers of the reading's length together
            (:data:`NUMBER`); None: a reading never becomes a number.
        long, long_plausible, long_unsure : int, float, float
            In a reading of at least `long` characters, a letter read with less than
            `long_unsure` may become one at least `long_plausible` probable (rather
            than `plausible`).
        tie : float or None
            A reading that is a word may become another word whose letters, where they
            differ, are at least this many times as probable as the letters read (and
            none of these sure), if that is the more probable with its prior (``JUKE``
            -> ``JUNE``); None: it stays.
        one_off : int
            A reading of at least this many characters that no word is found for may
            become a word one letter from it, along its path, however surely that letter
            was read, the word's at least `long_plausible` probable (``BEFORF`` ->
            ``BEFORE``: the ``F`` at 0.96, the ``E`` at 0.004), if that is the more
            probable with its prior (:meth:`_one_off`).

        Returns
        -------
        choice : list of (int, int) or None
            ``(span index, class index)`` of each letter of the lexicon word, left
            to right, when it differs from the reading.
        """
        Q = np.array(lattice.P, dtype=np.float64)  # a copy: the reading's rows are replaced
        if P is not None:
            Q[path] = np.asarray(P, dtype=np.float64)
        reading = Q[path].argmax(axis=1)
        text = "".join(CLASSES[i] for i in reading)
        if len(path) == 2 and pair_oov is not None:
            # Two-letter words are few and common (OF, TO), and a reading of two that is
            # none is often a code: it changes only for the classifier's strong second
            # choices (OI -> OF; DD is not made DO by an O at 2 %), cut as it was read.
            oov, plausible, shortest, reach = pair_oov, max(plausible, pair_plausible), 2, 0
        if len(path) < shortest or text.isdigit():
            return None
        prior = math.log(oov) + max(len(path) - 4, 0) * math.log(oov_letter)
        known = self._log_prior(text)
        if known is not None and known >= prior:
            # a word, no rarer than a reading that is none (FDR, DAP: weighed as none)
            return None if tie is None else self._tied_word(Q, path, reading, known, weight, tie, sure)
        spans, extra = lattice.spans, np.asarray(lattice.extra, dtype=np.float64)
        ok = Q >= plausible
        ok[path, reading] = True  # the reading's own letters, however unsure
        if len(path) >= long:
            for s, c in zip(path, reading):
                if Q[s, c] < long_unsure:
                    ok[s] |= Q[s] >= long_plausible
        for s, c in zip(path, reading):
            # a sure letter keeps its place and its class, and so does a digit kept among letters
            if Q[s, c] >= (sure if CLASSES[c].isalpha() else sure_digit) and not lattice.cut[s]:
                i, j = spans[s]
                for t, (a, b) in enumerate(spans):
                    if a < j and b > i and (a, b) != (i, j):
                        ok[t] = False
                ok[s] = False
                ok[s, c] = True
                # a digit kept among letters may still be its letter twin (7HE)
                if not CLASSES[c].isalpha() and Q[s, c] < sure and len(path) > 2:
                    t = int(np.argmax(Q[s, :26]))
                    ok[s, t] = Q[s, t] >= twin
        cost = np.where(ok, -np.log(np.maximum(Q, 1e-12)), np.inf)[:, :26] + extra[:, None]
        usable = np.isfinite(cost).any(axis=1)
        letters_ok = np.isfinite(cost[usable]).any(axis=0)

        def along_path(classes):  # the cost of reading the path's spans as `classes`
            return sum(extra[s] - math.log(max(Q[s, c], 1e-12)) for s, c in zip(path, classes))

        base = along_path(reading) - weight * prior
        found = []  # (score, word) of the words more probable than the reading
        for L in range(max(shortest, len(path) - reach), len(path) + reach + 1):
            entry = self._words.get(L)
            if entry is None:
                continue
            W, log_prior, _ = entry
            rows = np.flatnonzero(np.all(letters_ok[W], axis=1))
            if not len(rows):
                continue
            total = _path_costs(cost, spans, lattice.n, W[rows], usable) - weight * log_prior[rows]
            better = np.flatnonzero(total < base)
            found += [(float(total[k]), W[rows[k]]) for k in better[np.argsort(total[better])[:tries]]]
        mine = set(zip(path, reading.tolist()))
        best = None
        for total, word in sorted(found, key=lambda f: f[0])[:tries]:
            choice = _best_spans(cost, spans, lattice.n, word)
            kept = len(mine.intersection(choice))
            # the word keeps at least half the letters read (a code like QEW is a
            # few cuts away from many short words, and a few changes from others),
            # or only changes them for the classifier's strong second choices
            if 2 * kept >= max(len(path), len(word)) or [s for s, _ in choice] == list(path) and all(
                    Q[s, k] >= alternative for s, k in choice):
                best = (total, choice)
                break
        if best is None and len(path) >= one_off:  # (the letters it shares cost what they did)
            cost = along_path(reading)
            off = self._one_off(Q, path, reading, base - cost, weight, long_plausible)
            best = None if off is None else (off[0] + cost, off[1])
        if number is not None:
            digits = _as_number(Q, path, reading, sure, alternative)
            if digits is not None:
                total = along_path(digits) - weight * (math.log(number) - len(path) * math.log(10))
                if total < base and (best is None or total < best[0]):
                    return list(zip(path, digits))
        return None if best is None else best[1]

    def _one_off(self, Q, path, reading, base, weight, least):
        """The most probable word of the lexicon one letter from a reading that is no word,
        along its path, that letter at least `least` probable however surely the reading's
        was read, when the word with its prior beats the reading's score `base` (its prior's,
        the letters' costs the word shares left out): ``(score, choice)``, or None."""
        entry = self._words.get(len(path))
        if entry is None:
            return None
        W, log_prior, _ = entry
        differ = W != np.asarray(reading)
        rows = np.flatnonzero(differ.sum(axis=1) == 1)
        if not len(rows):
            return None
        at = differ[rows].argmax(axis=1)
        spans = np.asarray(path)[at]
        new, old = Q[spans, W[rows, at]], Q[spans, np.asarray(reading)[at]]
        # the word costs what the reading does but for the one letter, against its own prior
        total = np.log(np.maximum(old, 1e-12)) - np.log(np.maximum(new, 1e-12)) - weight * log_prior[rows]
        total[new < least] = np.inf
        if total.min() >= base:
            return None
        k = int(np.argmin(total))
        return float(total[k]), list(zip(path, W[rows[k]].tolist()))

    def _tied_word(self, Q, path, reading, known, weight, tie, sure):
        """The word of the lexicon a reading that is a word may be instead, changing only
        letters the classifier read with under `sure` for letters at least `tie` times
        as probable (``JUKE`` -> ``JUNE``: the ``K`` at 0.28, the ``N`` at 0.25), when
        more probable with its prior; ``(span, class)`` pairs, or None."""
        options = []
        for s, c in zip(path, reading):
            q = Q[s, :26]
            more = [k for k in np.flatnonzero(q >= tie * Q[s, c]) if k != c] if Q[s, c] < sure else []
            options.append([c] + more)
        if all(len(o) == 1 for o in options):
            return None

        def score(classes, log_prior):
            return weight * log_prior + sum(math.log(max(Q[s, k], 1e-12)) for s, k in zip(path, classes))

        best, best_score = None, score(reading, known)
        for classes in itertools.islice(itertools.product(*options), 1, 256):
            log_prior = self._log_prior("".join(CLASSES[k] for k in classes))
            if log_prior is None:
                continue
            total = score(classes, log_prior)
            if total > best_score:
                best, best_score = classes, total
        return None if best is None else list(zip(path, best))


#: Bumped when the cached lexicon's arrays change meaning.
_CACHE_FORMAT = 4


def _as_number(Q, path, reading, sure, alternative):
    """The digits a reading of letters (rows `path` of `Q`, read as `reading`) may
    be, each its character's most probable digit, when the classifier gave each
    letter less than `sure` and its digit `alternative` or more (``IL`` -> ``11``,
    ``IDI`` -> ``101``); None otherwise, and for a reading that holds a digit and a
    letter other than the bar and the ring (``I0`` -> ``10``): the word's context has
    weighed its letters against their digits already, and such a reading is as often
    a code (``5G``, ``12B``, ``A4``).

    Returns
    -------
    digits : list of int or None
        Class indices, one per character.
    """
    first = _INDEX["0"]
    if np.any(np.asarray(reading) >= first) and not all(c >= first or CLASSES[c] in "IO" for c in reading):
        return None
    digits = [first + int(np.argmax(Q[s, first:])) for s in path]
    for s, c, d in zip(path, reading, digits):
        if c < first and (Q[s, c] >= sure or Q[s, d] < alternative):
            return None  # (a digit read stays what it is)
    return digits


def _english_counts(counts):
    """pyspellchecker's English `counts` (word -> count, lower case) with the words as
    the reader reads them: :data:`BRITISH` spellings as common as their twins, and a
    word written with an apostrophe, which the reader drops as punctuation, counted
    for its spelling without it (``don't`` -> ``DONT``, ``father's`` -> ``FATHERS``)
    when that spelling is rarer. Not under four letters: an ``IN`` read ``IM``
    would stay so. The words of :data:`UNSAID` are left out."""
    out = dict(counts)
    for word, count in counts.items():
        plain = word.replace("'", "")
        if plain != word and len(plain) >= 4:
            out[plain] = max(out.get(plain, 0), count)
    for gb, us in BRITISH:
        out[gb] = max(out.get(gb, 0), counts.get(us, 0))
    return {w: c for w, c in out.items() if w not in UNSAID}


def _cache_path(name):
    """``$XDG_CACHE_HOME/handocr/<name>`` (``~/.cache/handocr``), or None without a home."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(root):
        return None
    return os.path.join(root, "handocr", name)


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _path_costs(cost, spans, n, W, usable):
    """Cheapest cost of reading every row of `W` (M, L) letter by letter along a
    path of `spans` through `n` pieces, a letter ``c`` on span ``s`` costing
    ``cost[s, c]``: (M,) ndarray."""
    D = {0: np.zeros(len(W))}  # piece -> cost of the words' first k letters ending there
    for k in range(W.shape[1]):
        E = {}
        for s, (i, j) in enumerate(spans):
            if usable[s] and i in D:
                c = D[i] + cost[s, W[:, k]]
                E[j] = np.minimum(E[j], c) if j in E else c
        D = E
    return D.get(n, np.full(len(W), np.inf))


def _best_spans(cost, spans, n, word):
    """The spans of the cheapest path reading `word` (L,) (:func:`_path_costs`), with its letters."""
    L = len(word)
    D = np.full((L + 1, n + 1), np.inf)
    back = {}
    D[0, 0] = 0.0
    for k in range(L):
        for s, (i, j) in enumerate(spans):
            c = D[k, i] + cost[s, word[k]]
            if c < D[k + 1, j]:
                D[k + 1, j], back[(k + 1, j)] = c, s
    out, j = [], n
    for k in range(L, 0, -1):
        s = back[(k, j)]
        out.append((s, int(word[k - 1])))
        j = spans[s][0]
    return out[::-1]
