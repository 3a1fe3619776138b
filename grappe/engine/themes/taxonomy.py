"""The curated taxonomy of pooled needs (data/taxonomy.toml) and matching texts to it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from ._text import TypoMap, analyse
from .model import SERVICE_KINDS

STRONG, WEAK, PHRASE = 3, 1, 3
MATCH_THRESHOLD = 2
"""Score a text needs to be matched: one strong word, a phrase, or two weak words."""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    label: str
    kind: str
    service: str
    words: dict[str, int]
    """Single key → weight."""
    phrases: tuple[tuple[tuple[str, ...], int], ...]
    """Run of keys → weight."""
    alone_monthly: Decimal
    pooled_fixed_monthly: Decimal
    pooled_per_member_monthly: Decimal
    cost_note: str


@dataclass(frozen=True, slots=True)
class Taxonomy:
    entries: tuple[Entry, ...]
    typos: TypoMap
    word_index: dict[str, tuple[tuple[str, int], ...]]
    """Key → (entry key, weight) of every entry listing that word."""
    phrase_index: dict[str, tuple[tuple[tuple[str, ...], str, int], ...]]
    """First key of a phrase → (phrase, entry key, weight)."""

    def by_key(self, key: str) -> Entry:
        for entry in self.entries:
            if entry.key == key:
                return entry
        raise KeyError(key)

    def normalise(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """Keys with near-misses of the taxonomy's words corrected ("stokage")."""
        return tuple(self.typos(k) for k in keys)

    def scores(self, keys: tuple[str, ...]) -> dict[str, int]:
        """Entry key → score of one text's keys (each word and phrase counted once)."""
        hits: set[tuple[str, object]] = set()
        out: dict[str, int] = {}
        for pos, k in enumerate(keys):
            for entry_key, weight in self.word_index.get(k, ()):
                if (entry_key, k) not in hits:
                    hits.add((entry_key, k))
                    out[entry_key] = out.get(entry_key, 0) + weight
            for run, entry_key, weight in self.phrase_index.get(k, ()):
                if keys[pos : pos + len(run)] == run and (entry_key, run) not in hits:
                    hits.add((entry_key, run))
                    out[entry_key] = out.get(entry_key, 0) + weight
        return out

    def match(self, keys: tuple[str, ...]) -> tuple[str | None, dict[str, int]]:
        """The entry a text belongs to, if one clearly leads with a score ≥ threshold."""
        scores = self.scores(keys)
        if not scores:
            return None, scores
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best, best_score = ranked[0]
        if best_score < MATCH_THRESHOLD:
            return None, scores
        if len(ranked) > 1 and ranked[1][1] == best_score:
            return None, scores
        return best, scores


def _keys_of(phrase: str) -> tuple[str, ...]:
    return analyse(phrase).keys


def _parse_entry(raw: dict) -> Entry:
    kind = raw["kind"]
    if kind not in SERVICE_KINDS:
        raise ValueError(f"taxonomy entry {raw['key']!r}: unknown kind {kind!r}")
    words: dict[str, int] = {}
    phrases: dict[tuple[str, ...], int] = {}
    for field, weight in (("weak", WEAK), ("strong", STRONG)):
        for word in raw.get(field, ()):
            keys = _keys_of(word)
            if len(keys) == 1:
                words[keys[0]] = max(words.get(keys[0], 0), weight)
            elif keys:
                phrases[keys] = max(phrases.get(keys, 0), weight)
    for phrase in raw.get("phrases", ()):
        keys = _keys_of(phrase)
        if len(keys) == 1:
            words[keys[0]] = max(words.get(keys[0], 0), PHRASE)
        elif keys:
            phrases[keys] = max(phrases.get(keys, 0), PHRASE)
    return Entry(
        key=raw["key"],
        label=raw["label"],
        kind=kind,
        service=raw["service"],
        words=words,
        phrases=tuple(sorted(phrases.items())),
        alone_monthly=Decimal(str(raw["alone_monthly"])),
        pooled_fixed_monthly=Decimal(str(raw["pooled_fixed_monthly"])),
        pooled_per_member_monthly=Decimal(str(raw["pooled_per_member_monthly"])),
        cost_note=raw["cost_note"],
    )


def parse_taxonomy(text: str) -> Taxonomy:
    data = tomllib.loads(text)
    entries = tuple(_parse_entry(raw) for raw in data["entry"])
    keys = [e.key for e in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("taxonomy: duplicate entry keys")
    known = {k for e in entries for k in e.words} | {
        k for e in entries for run, _ in e.phrases for k in run
    }
    words: dict[str, list[tuple[str, int]]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for e in entries:
        for k, w in e.words.items():
            words.setdefault(k, []).append((e.key, w))
        for run, w in e.phrases:
            phrases.setdefault(run[0], []).append((run, e.key, w))
    return Taxonomy(
        entries=entries,
        typos=TypoMap(known),
        word_index={k: tuple(v) for k, v in words.items()},
        phrase_index={k: tuple(v) for k, v in phrases.items()},
    )


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with the package."""
    text = resources.files(__package__).joinpath("data/taxonomy.toml").read_text("utf-8")
    return parse_taxonomy(text)
