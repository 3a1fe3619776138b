"""French text to matching keys: tokens, lemmas, stems, stop lists and typo tolerance.

A *key* is what two words must share to count as the same word: the accent-free
Snowball stem of the word's lemma (simplemma's French dictionary), after a small
table of the cluster's own slang (``matos``, ``répèt``, ``compta``). So
"répètent", "répéter" and "repet" share one key, and so do "locaux" and "local".
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import simplemma
import snowballstemmer

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+\w*", re.UNICODE)


def _load_lexicon() -> dict:
    text = resources.files(__package__).joinpath("data/lexicon_fr.toml").read_text("utf-8")
    return tomllib.loads(text)


_LEXICON = _load_lexicon()
SLANG: dict[str, str] = dict(_LEXICON["slang"])
"""Words of the cluster's own register that the lemma dictionary gets wrong or misses."""
FUNCTION_WORDS = frozenset(_LEXICON["function_words"].split())
"""Function words: never part of a key."""
FILLER_WORDS = frozenset(_LEXICON["filler_words"].split())
"""Words every need statement uses whatever its theme ("besoin", "mutualiser",
"quelqu'un"): kept for taxonomy phrases, dropped before clustering and labels."""
STEM_OVERRIDES: dict[str, str] = dict(_LEXICON["stem_overrides"])
"""Stems Snowball over-reduces: "communication" would become "commun" (common)."""


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


def tokens(text: str) -> list[str]:
    """Lower-case words of a text, elisions split (d'aide → d, aide), digits dropped."""
    lowered = (text or "").lower().replace("’", "'").replace("'", " ")
    return [t for t in _TOKEN_RE.findall(lowered) if not t[0].isdigit()]


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The French lemma of one lower-case word (slang table first)."""
    word = SLANG.get(word, word)
    if "-" in word:
        return word
    return simplemma.lemmatize(word, lang="fr").lower()


@lru_cache(maxsize=200_000)
def key(word: str) -> str:
    """The matching key of one lower-case word: accent-free stem of its lemma."""
    lem = strip_accents(lemma(word))
    if lem in STEM_OVERRIDES:
        return STEM_OVERRIDES[lem]
    if "-" in lem:
        return "-".join(_stemmer().stemWord(part) for part in lem.split("-"))
    if len(lem) > 3 and lem[-1] in "sx" and lem[-2] != "s":
        lem = lem[:-1]
    return _stemmer().stemWord(lem)


# Derivational endings Snowball keeps: "pressage", "presseur" and "presser" share a root,
# and so do "voisinage" and "voisin", "garderie" and "garde". Used for clustering only.
_DERIVATIONS = ("ibilit", "abilit", "icien", "erie", "eur", "ibl", "abl", "ag", "et")


@lru_cache(maxsize=200_000)
def root(k: str) -> str:
    """A key with one derivational ending removed, if at least four letters remain."""
    for ending in _DERIVATIONS:
        if k.endswith(ending) and len(k) - len(ending) >= 4:
            return k[: -len(ending)]
    return k


@lru_cache(maxsize=1)
def filler_keys() -> frozenset[str]:
    return frozenset(key(w) for w in FILLER_WORDS)


@dataclass(frozen=True, slots=True)
class Analysed:
    """One text reduced to keys: all content keys in order, and the theme-bearing ones."""

    keys: tuple[str, ...]
    """Keys of every non-function word, in order (for taxonomy phrases)."""
    terms: tuple[str, ...]
    """Keys without fillers, in order (for clustering)."""
    surface: tuple[tuple[str, str], ...]
    """(key, lemma) pairs of the terms, to write labels with real words."""


def analyse(text: str) -> Analysed:
    fill = filler_keys()
    keys: list[str] = []
    terms: list[str] = []
    surface: list[tuple[str, str]] = []
    for tok in tokens(text):
        if tok in FUNCTION_WORDS or len(tok) < 2:
            continue
        k = key(tok)
        keys.append(k)
        if k in fill or tok in FILLER_WORDS or len(k) < 2:
            continue
        terms.append(k)
        surface.append((k, lemma(tok)))
    return Analysed(tuple(keys), tuple(terms), tuple(surface))


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, swap or inner substitution.

    A substitution counts only inside a word of seven letters or more: in shorter
    words, and on the last letter, it mostly makes another real word
    ("referent" / "referenc").
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return la >= 7 and diff[0] < la - 1
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


class TypoMap:
    """Maps a misspelt key to a known key one edit away (first letter kept, length ≥ 5).

    Known keys are looked up by their first two letters, so a look-up costs a few
    comparisons, not one per known key; answers are cached.
    """

    def __init__(self, known: set[str] | frozenset[str], *, min_len: int = 5) -> None:
        self._known = frozenset(known)
        self._min_len = min_len
        self._by_prefix: dict[str, list[str]] = {}
        for k in sorted(self._known):
            if len(k) >= min_len:
                self._by_prefix.setdefault(k[:1], []).append(k)
        self._cache: dict[str, str] = {}

    def __call__(self, k: str) -> str:
        if k in self._known or len(k) < self._min_len:
            return k
        hit = self._cache.get(k)
        if hit is None:
            hit = k
            for cand in self._by_prefix.get(k[:1], ()):
                if abs(len(cand) - len(k)) <= 1 and within_one_edit(k, cand):
                    hit = cand
                    break
            self._cache[k] = hit
        return hit
