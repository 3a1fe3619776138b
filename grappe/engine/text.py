"""French-aware text normalisation for search, the same on every database.

Full-text search must behave identically on SQLite and PostgreSQL, so it is not
delegated to either: each searchable row stores a *search document*, the set of
its words reduced to accent-free French stems, and a query is reduced the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD_RE = re.compile(r"[0-9a-z]+")

# Function words that carry no meaning in a directory search.
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "est",
        "il",
        "ils",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "ma",
        "mais",
        "me",
        "mes",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "s",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "the",
        "and",
        "of",
        "for",
    ]
)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The accent-free French stem of one lower-case word."""
    return strip_accents(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Lower-case words of a text, elisions split (l'orchestre → l, orchestre)."""
    lowered = (text or "").lower().replace("’", "'")
    return _WORD_RE.findall(strip_accents(lowered))


def _stem_raw(word: str) -> str:
    # Plurals first: Snowball keeps the s of "studios" or "radios"; then the stem of
    # the unaccented word (the same on both sides of a comparison, which is what counts).
    if len(word) > 3 and word[-1] in "sx" and word[-2] != "s":
        word = word[:-1]
    return stem(word)


def terms(text: str) -> list[str]:
    """Search terms of a text: stems of its meaningful words, in order, with repeats."""
    return [_stem_raw(w) for w in words(text) if w not in STOPWORDS]


def search_document(*parts: str) -> str:
    """The stored document for a row: unique terms, space-delimited on both sides."""
    unique = sorted({t for part in parts for t in terms(part)})
    return " " + " ".join(unique) + " " if unique else ""


def query_terms(query: str) -> list[str]:
    """Unique terms of a query, in the order typed."""
    seen: dict[str, None] = {}
    for term in terms(query):
        seen.setdefault(term, None)
    return list(seen)
