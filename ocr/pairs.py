"""Word pairs: how much likelier a word is right after another than anywhere.

The lexicon weighs a word by its own frequency (:mod:`ocr.lexicon`); a line's
words also tell about each other. After ``TWICE A``, ``DAY`` is far likelier than
``SAY``, which the classifier may prefer by a little when the ``D`` lost its bowl.
:class:`Pairs` holds, for the pairs of words seen often enough together, their
association

    pmi(a, b) = log p(b | a) / p(b) = log c(a b) N / (c(a) c(b))

from counts of single words ``c(w)`` (``N`` in all) and of pairs ``c(a b)``; a pair
not among them counts 0, as if the two words were independent (``TEA READ``: most
pairs of a to-do list are too rare for the counts, so only common phrases weigh).
:func:`ocr.pipeline.apply_lexicon` chooses each line's words among the lexicon's
likely readings with these associations added.

The English pairs come from the ``symspellpy`` package (MIT licence; counts of
242,342 pairs and 82,765 words from Google Books n-grams), a dependency of handocr
whose code is not imported: its two count files are read once and kept in the
user's cache (:meth:`Pairs.english`).
"""

import hashlib
import math
import os

import numpy as np

from .errors import HandocrError

#: Bumped when the cached arrays change meaning.
_CACHE_FORMAT = 1
_WORDS = "frequency_dictionary_en_82_765.txt"
_PAIRS = "frequency_bigramdictionary_en_243_342.txt"


def _key(a, b):
    """A pair's 64-bit key (``A B``, upper case): (,) uint64-able int."""
    return int.from_bytes(hashlib.blake2b(f"{a} {b}".encode(), digest_size=8).digest(), "little")


class Pairs:
    """Associations of word pairs (``A-Z`` words, upper case).

    Parameters
    ----------
    words : dict of str -> float
        Word -> count.
    pairs : dict of (str, str) -> float
        Pair of words -> count of the second right after the first. Pairs whose
        association is not above 0, or with a word not in `words`, are dropped.
    """

    def __init__(self, words, pairs):
        words = {str(w).upper(): float(c) for w, c in words.items() if c > 0}
        total = sum(words.values())
        keys, values = [], []
        for (a, b), c in pairs.items():
            a, b = str(a).upper(), str(b).upper()
            if a in words and b in words and c > 0:
                pmi = math.log(c * total / (words[a] * words[b]))
                if pmi > 0:
                    keys.append(_key(a, b))
                    values.append(pmi)
        order = np.argsort(np.array(keys, dtype=np.uint64), kind="stable")
        self._keys = np.array(keys, dtype=np.uint64)[order]
        self._pmi = np.array(values, dtype=np.float32)[order]

    def __len__(self):
        return len(self._keys)

    def pmi(self, a, b):
        """Association of word `b` right after word `a`: log p(b | a) / p(b), 0 for a
        pair not among them (a number, a code, a rare pair)."""
        if not len(self._keys):
            return 0.0
        k = np.uint64(_key(a.upper(), b.upper()))
        i = int(np.searchsorted(self._keys, k))
        return float(self._pmi[i]) if i < len(self._keys) and self._keys[i] == k else 0.0

    @classmethod
    def english(cls, cache=True):
        """The English pairs of the ``symspellpy`` package, from the user's cache when
        they were built before (building them reads its count files, about a second;
        the cache, ``$XDG_CACHE_HOME/handocr``, loads in milliseconds). A cache that
        cannot be read is built again; one that cannot be written is done without.

        Raises
        ------
        HandocrError
            When symspellpy is not installed.
        """
        import importlib.metadata
        import importlib.util

        from .lexicon import _cache_path

        spec = importlib.util.find_spec("symspellpy")  # (found, not imported)
        if spec is None or not spec.submodule_search_locations:
            raise HandocrError("word pairs need the symspellpy package: pip install symspellpy")
        folder = list(spec.submodule_search_locations)[0]
        try:
            version = importlib.metadata.version("symspellpy")
        except importlib.metadata.PackageNotFoundError:
            version = "0"
        path = _cache_path(f"pairs-en-{version}-{_CACHE_FORMAT}.npz")
        if cache and path is not None:
            try:
                return cls._load_arrays(path)
            except (OSError, ValueError, KeyError, EOFError):
                pass  # none yet, or unreadable: built again
        try:
            pairs = cls(_counts(os.path.join(folder, _WORDS), 1), _counts(os.path.join(folder, _PAIRS), 2))
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise HandocrError(f"symspellpy's word counts cannot be read ({e.__class__.__name__})") from None
        if cache and path is not None:
            try:
                pairs._save_arrays(path)
            except OSError:
                pass  # a read-only home: the next run builds them again
        return pairs

    def _save_arrays(self, path):
        from .atomic import atomic_path

        os.makedirs(os.path.dirname(path), exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, keys=self._keys, pmi=self._pmi)

    @classmethod
    def _load_arrays(cls, path):
        pairs = cls.__new__(cls)
        with np.load(path, allow_pickle=False) as z:
            pairs._keys, pairs._pmi = z["keys"], z["pmi"]
        if pairs._keys.dtype != np.uint64 or len(pairs._keys) != len(pairs._pmi) or not len(pairs._keys):
            raise ValueError("bad pairs cache")
        return pairs


def _counts(path, n):
    """A count file's lines ``w1 [w2] count``: {word or (w1, w2): count}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == n + 1:
                key = parts[0] if n == 1 else (parts[0], parts[1])
                out[key] = out.get(key, 0.0) + float(parts[n])
    return out


def choose(options, pairs, weight=1.0):
    """A line's words, each chosen among its readings, with their pairs' associations.

    The words maximise ``sum_k weight * pairs.pmi(w_{k-1}, w_k) - cost(w_k)``, a
    Viterbi search along the line; of readings that score alike, the first.

    Parameters
    ----------
    options : list of list of (float, str)
        For each word of the line, left to right, its readings ``(cost, text)``: the
        cost in nats above the word's best reading without its neighbours (0 for it).
    pairs : Pairs
    weight : float
        Weight of the associations against the readings' costs.

    Returns
    -------
    chosen : list of int
        The index of each word's reading in its `options`.
    """
    if not options:
        return []
    score = [-cost for cost, _ in options[0]]  # of the best words so far, ending in each reading
    back = []
    for before, now in zip(options, options[1:]):
        links = [[score[j] + weight * pairs.pmi(prev, text) for j, (_, prev) in enumerate(before)]
                 for _, text in now]
        came = [max(range(len(row)), key=row.__getitem__) for row in links]  # (the first of equals)
        score = [row[j] - cost for row, j, (cost, _) in zip(links, came, now)]
        back.append(came)
    i = max(range(len(score)), key=score.__getitem__)
    chosen = [i]
    for came in reversed(back):
        i = came[i]
        chosen.append(i)
    return chosen[::-1]
