"""Near-duplicate calls across sources: the same call imported from two places.

Two calls are suggested as duplicates when they come from different sources, share their
deadline (or both have none), share a funder (or one of them names none), and their
normalised titles are similar (the larger of a character-sequence ratio and a word
overlap). Pure Python; a manager decides whether to merge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from grappe.engine.text import strip_accents

THRESHOLD = 0.8
_NOISE = {
    "a", "au", "aux", "de", "des", "du", "d", "l", "la", "le", "les", "et", "en", "pour",
    "un", "une", "sur", "par", "appel", "projets", "projet", "aap", "edition", "session",
}  # fmt: skip


@dataclass(frozen=True)
class CallKey:
    id: int
    source: str
    title: str
    deadline: date | None
    financers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DuplicatePair:
    first: int  # the smaller id
    second: int
    similarity: float


def normalise_title(title: str) -> str:
    """Lower case, no accents, no punctuation, no years or filler words."""
    text = strip_accents((title or "").lower().replace("\u2019", "'"))
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w for w in words if w not in _NOISE and not re.fullmatch(r"20\d\d", w))


def _funder(name: str) -> str:
    """A funder's comparable form: its acronym in parentheses if any, else its words."""
    acronym = re.search(r"\(([^()]+)\)", name or "")
    return normalise_title(acronym.group(1) if acronym else name)


def title_similarity(a: str, b: str) -> float:
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    ratio = SequenceMatcher(None, na, nb).ratio()
    wa, wb = set(na.split()), set(nb.split())
    jaccard = len(wa & wb) / len(wa | wb)
    return max(ratio, jaccard)


def _same_funder(a: CallKey, b: CallKey) -> bool:
    if not a.financers or not b.financers:
        return True
    return bool({_funder(f) for f in a.financers} & {_funder(f) for f in b.financers})


def near_duplicates(
    calls: Iterable[CallKey], *, threshold: float = THRESHOLD
) -> list[DuplicatePair]:
    """Candidate pairs, most similar first (then by ids)."""
    by_deadline: dict[date | None, list[CallKey]] = defaultdict(list)
    for call in calls:
        by_deadline[call.deadline].append(call)
    pairs = []
    for group in by_deadline.values():
        group.sort(key=lambda c: c.id)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.source == b.source or not _same_funder(a, b):
                    continue
                similarity = title_similarity(a.title, b.title)
                if similarity >= threshold:
                    pairs.append(DuplicatePair(a.id, b.id, round(similarity, 3)))
    pairs.sort(key=lambda p: (-p.similarity, p.first, p.second))
    return pairs
