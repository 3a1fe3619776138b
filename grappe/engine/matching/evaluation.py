"""Measuring the matcher: nDCG@k, a plain BM25 baseline, and the judged evaluation set loader.

The evaluation set (``tests/engine/data/calls_eval``) is a directory holding an
Aides-territoires page of calls, the territory reference its perimeters need, member
profiles and graded judgments; see its README for how it was judged.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from grappe.engine import aides_territoires
from grappe.engine.matching.profiles import CallProfile, OrgProfile, PastApplication
from grappe.engine.matching.territory import Perimeter
from grappe.engine.text import terms


def dcg(grades: Sequence[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of a ranked list of ids against graded judgments (unjudged ids grade 0)."""
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal == 0.0:
        return 0.0
    return dcg([judged.get(item, 0) for item in ranked[:k]]) / ideal


class BM25:
    """Okapi BM25 (k1 = 1.2, b = 0.75) over French stems, as a baseline ranking."""

    def __init__(self, documents: Mapping[str, str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf: dict[str, dict[str, int]] = {}
        self.length: dict[str, int] = {}
        df: dict[str, int] = {}
        for doc_id, text in documents.items():
            counts: dict[str, int] = {}
            words = terms(text)
            for term in words:
                counts[term] = counts.get(term, 0) + 1
            self.tf[doc_id] = counts
            self.length[doc_id] = len(words)
            for term in counts:
                df[term] = df.get(term, 0) + 1
        count = len(documents)
        self.average = sum(self.length.values()) / count if count else 0.0
        self.idf = {
            term: math.log(1.0 + (count - freq + 0.5) / (freq + 0.5)) for term, freq in df.items()
        }

    def score(self, query: str, doc_id: str) -> float:
        counts, length = self.tf[doc_id], self.length[doc_id]
        norm = self.k1 * (1.0 - self.b + self.b * length / (self.average or 1.0))
        total = 0.0
        for term in dict.fromkeys(terms(query)):
            freq = counts.get(term)
            if freq:
                total += self.idf[term] * freq * (self.k1 + 1.0) / (freq + norm)
        return total

    def rank(self, query: str, doc_ids: Iterable[str] | None = None) -> list[str]:
        ids = list(self.tf if doc_ids is None else doc_ids)
        scored = [(-self.score(query, doc_id), doc_id) for doc_id in ids]
        return [doc_id for _, doc_id in sorted(scored)]


def call_text(call: CallProfile) -> str:
    """The text BM25 sees for a call: the same fields the matcher reads."""
    categories = " ".join(c.rpartition("|")[2] for c in call.categories)
    return " ".join((call.title, categories, call.description, call.eligibility))


def org_query(org: OrgProfile) -> str:
    return " ".join((org.description, *org.tags, *org.needs))


# --- the judged set -----------------------------------------------------------------------


@dataclass(frozen=True)
class EvalSet:
    as_of: date
    calls: tuple[CallProfile, ...]
    orgs: tuple[OrgProfile, ...]
    judgments: Mapping[str, Mapping[str, int]]  # org id -> call id -> grade
    holdout: frozenset[str]


def load_eval_set(directory: str | Path) -> EvalSet:
    """Read the evaluation set: calls through the Aides-territoires importer, then profiles."""
    root = Path(directory)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    places = json.loads((root / manifest["places"]).read_text(encoding="utf-8"))
    communes = {(c["name"], tuple(c["postcodes"])): c["code"] for c in places["communes"]}
    areas = {a["name"]: a for a in places["areas"]}

    def commune_code(name: str, postcodes: tuple[str, ...]) -> str | None:
        return communes.get((name, postcodes))

    def area(parsed: aides_territoires.ParsedPerimeter) -> Perimeter | None:
        entry = areas.get(parsed.name)
        if entry is None:
            return None
        if entry["scale"] == "epci":
            return Perimeter.epci(entry["siren"], parsed.name, tuple(entry["communes"]))
        return Perimeter.area(
            parsed.name,
            scale=entry["scale"],
            communes=tuple(entry.get("communes", ())),
            departments=tuple(entry.get("departments", ())),
        )

    page = json.loads((root / manifest["calls"]).read_text(encoding="utf-8"))
    records = aides_territoires.parse_page(page).records
    calls = tuple(
        aides_territoires.call_profile(r, commune_code=commune_code, area=area) for r in records
    )
    by_id = {call.id: call for call in calls}
    raw_orgs = json.loads((root / manifest["orgs"]).read_text(encoding="utf-8"))
    orgs = tuple(_org(raw, by_id) for raw in raw_orgs)
    judgments: dict[str, dict[str, int]] = {org.id: {} for org in orgs}
    with (root / manifest["judgments"]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            judgments[row["org"]][row["call"]] = int(row["grade"])
    return EvalSet(
        as_of=date.fromisoformat(manifest["as_of"]),
        calls=calls,
        orgs=orgs,
        judgments=judgments,
        holdout=frozenset(manifest.get("holdout_orgs", ())),
    )


def _org(raw: Mapping, calls: Mapping[str, CallProfile]) -> OrgProfile:
    past = tuple(
        PastApplication(
            call_id=call_id,
            title=calls[call_id].title,
            categories=calls[call_id].categories,
            financers=calls[call_id].financers,
            programs=calls[call_id].programs,
        )
        for call_id in raw.get("past_applications", ())
    )
    return OrgProfile(
        id=raw["id"],
        name=raw["name"],
        commune=raw["commune"],
        legal_category=raw.get("legal_category"),
        naf_codes=tuple(raw.get("naf_codes", ())),
        size_band=raw.get("size_band"),
        description=raw.get("description", ""),
        tags=tuple(raw.get("tags", ())),
        needs=tuple(raw.get("needs", ())),
        past_applications=past,
    )
