"""Call matching benchmark: ranking quality on the judged set, then time and memory at scale.

    .venv/bin/python bench/bench_matching.py                       # both parts, 50,000 x 20,000
    .venv/bin/python bench/bench_matching.py --calls 5000 --orgs 2000 --sample 20
    .venv/bin/python bench/bench_matching.py --quality-only --per-org

Quality: nDCG@10 of the matcher beside a plain BM25 ranking of the same texts (the member's
description, tags and needs as the query; the call's title, categories, description and
eligibility as the document), and beside BM25 restricted by the same hard filters, on the
judged set in tests/engine/data/calls_eval (all organisations, then the held-out ones).

Scale: generated calls and organisations (seeded), ``rank_for_all`` through the index, then
brute-force scoring of every (organisation, open call) pair for a fixed sample of
organisations, extrapolated to all; both must give the same top N on the sample.
Never run as a test.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grappe.engine.matching import (  # noqa: E402
    CallMatcher,
    CallProfile,
    OrgProfile,
    PastApplication,
    Perimeter,
)
from grappe.engine.matching.evaluation import (  # noqa: E402
    BM25,
    call_text,
    load_eval_set,
    ndcg_at,
    org_query,
)
from grappe.engine.matching.features import call_features, org_features  # noqa: E402
from grappe.engine.matching.scoring import is_eligible  # noqa: E402
from grappe.engine.matching.territory import DEPARTMENTS, REGIONS  # noqa: E402

EVAL_DIR = ROOT / "tests" / "engine" / "data" / "calls_eval"


# --- quality ------------------------------------------------------------------------------


def quality(per_org: bool) -> None:
    data = load_eval_set(EVAL_DIR)
    matcher = CallMatcher(data.calls, as_of=data.as_of)
    bm25 = BM25({call.id: call_text(call) for call in data.calls})
    calls = {call.id: call for call in data.calls}
    rows = []
    for org in data.orgs:
        judged = data.judgments[org.id]
        ours = [m.call_id for m in matcher.rank(org, top=10)]
        plain = bm25.rank(org_query(org))
        features = matcher.features(org)
        stats = matcher.stats
        eligible = [
            call_id
            for call_id in plain
            if is_eligible(call_features(calls[call_id], stats), features, data.as_of)
        ]
        rows.append(
            (
                org.id,
                org.id in data.holdout,
                ndcg_at(ours, judged),
                ndcg_at(plain, judged),
                ndcg_at(eligible, judged),
            )
        )
    print(
        f"Judged set: {len(data.calls)} calls, {len(data.orgs)} organisations, as of {data.as_of}"
    )
    header = f"{'':<24}{'matcher':>10}{'BM25':>10}{'BM25+filters':>14}"
    print(header)
    if per_org:
        for org_id, held, ours, plain, filtered in rows:
            label = f"  {org_id}{' (held out)' if held else ''}"
            print(f"{label:<24}{ours:>10.3f}{plain:>10.3f}{filtered:>14.3f}")
    for label, subset in (
        ("nDCG@10, all", rows),
        ("nDCG@10, tuned on", [r for r in rows if not r[1]]),
        ("nDCG@10, held out", [r for r in rows if r[1]]),
    ):
        means = [sum(r[i] for r in subset) / len(subset) for i in (2, 3, 4)]
        print(
            f"{label + f' ({len(subset)})':<24}{means[0]:>10.3f}{means[1]:>10.3f}{means[2]:>14.3f}"
        )


# --- generated data -----------------------------------------------------------------------

SECTORS = {
    "musique": "musique concerts label album enregistrement studio festival tournée artistes "
    "scène musiques actuelles diffusion programmation salle production phonographique "
    "édition musicale disquaire vinyle radio lutherie instruments répétition",
    "spectacle": "spectacle vivant théâtre danse cirque compagnie création résidence "
    "représentations public médiation action culturelle scène lieu de diffusion",
    "agriculture": "agriculture exploitation agricole élevage cultures irrigation semences "
    "agriculteurs filière bio circuits courts installation foncier machinisme",
    "eau": "eau assainissement rejets milieux aquatiques rivières zones humides captage "
    "pollution réseaux potable station épuration",
    "energie": "énergie rénovation énergétique chaleur renouvelable photovoltaïque biomasse "
    "chaufferie isolation sobriété efficacité bâtiments",
    "mobilite": "mobilité vélo transport covoiturage bornes électriques voirie pistes "
    "cyclables stationnement navettes",
    "numerique": "numérique transformation digitale site internet cybersécurité données "
    "logiciel plateforme vente en ligne inclusion numérique",
    "industrie": "industrie usine production équipements machines automatisation robotique "
    "relocalisation chaîne procédés fabrication",
    "commerce": "commerce boutique commerçants centre-ville vitrine proximité marché "
    "artisanat artisans atelier métiers",
    "tourisme": "tourisme hébergement itinérance patrimoine visiteurs accueil touristique "
    "offre sites",
    "social": "solidarité insertion emploi jeunes quartiers prioritaires lien social "
    "handicap accessibilité inclusion seniors",
    "sport": "sport clubs sportifs équipements sportifs licenciés pratique sportive compétition",
    "sante": "santé prévention soins médecins maisons de santé accès aux soins",
    "environnement": "biodiversité nature forêt arbres paysage déchets recyclage économie "
    "circulaire réemploi",
}
GENERIC = [
    "aide",
    "soutien",
    "projet",
    "projets",
    "financement",
    "subvention",
    "accompagnement",
    "développement",
    "structures",
    "porteurs",
    "dépenses",
    "investissement",
    "fonctionnement",
    "dossier",
    "candidature",
    "territoire",
    "innovation",
    "emploi",
    "formation",
    "partenariat",
    "collectif",
    "mutualisation",
    "export",
    "transition",
    "écologique",
]
CATEGORIES = {
    "musique": ["Culture et identité collective / patrimoine / sports|Spectacle vivant"],
    "spectacle": ["Culture et identité collective / patrimoine / sports|Spectacle vivant"],
    "agriculture": ["Agriculture / pêche / forêts|Agriculture"],
    "eau": ["Eau et milieux aquatiques|Assainissement"],
    "energie": ["Énergies / Déchets|Transition énergétique"],
    "mobilite": ["Mobilité / transports|Mobilité active"],
    "numerique": ["Développement économique / production et consommation|Numérique"],
    "industrie": ["Développement économique / production et consommation|Industrie"],
    "commerce": ["Développement économique / production et consommation|Commerces et services"],
    "tourisme": ["Développement économique / production et consommation|Tourisme"],
    "social": ["Solidarités / lien social|Inclusion sociale"],
    "sport": ["Culture et identité collective / patrimoine / sports|Sports et loisirs"],
    "sante": ["Solidarités / lien social|Santé"],
    "environnement": ["Énergies / Déchets|Économie circulaire"],
}
AUDIENCES = [
    ("association",), ("private_sector",), ("association", "private_sector"),
    ("commune", "epci"), ("association", "private_sector", "commune"), ("private_person",),
    ("farmer",), ("public_org",), (),
]  # fmt: skip
AUDIENCE_WEIGHTS = [18, 22, 25, 12, 8, 3, 4, 3, 5]
NAFS = ["59.20Z", "90.01Z", "90.02Z", "90.03B", "90.04Z", "32.20Z", "47.63Z", "85.52Z",
        "60.10Z", "18.20Z", "56.10A", "62.01Z", "47.11B", "43.21A", "01.11Z", "93.12Z"]  # fmt: skip
NAF_SECTOR = {"56.10A": "tourisme", "62.01Z": "numerique", "47.11B": "commerce",
              "43.21A": "energie", "01.11Z": "agriculture", "93.12Z": "sport"}  # fmt: skip
BANDS = ["00", "01", "02", "03", "11", "12", "21", "22", None]
SYLLABLES = ["ka", "lo", "ri", "mu", "sa", "ve", "to", "ni", "pa", "de", "lu", "mo", "ra",
             "zi", "fe", "no", "bi", "ta", "gu", "le", "cho", "pri", "ste", "var"]  # fmt: skip


class Vocabulary:
    """Words drawn with Zipf's law (frequency ~ 1 / rank): a few very common, a long tail."""

    def __init__(self, words: list[str], exponent: float = 1.0):
        self.words = words
        total, self.cumulative = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank**exponent
            self.cumulative.append(total)

    def draw(self, rnd: random.Random, count: int) -> list[str]:
        return rnd.choices(self.words, cum_weights=self.cumulative, k=count)


def _pseudo_words(rnd: random.Random, count: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < count:
        words["".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4)))] = None
    return list(words)


def _communes(rnd: random.Random, count: int) -> list[str]:
    departments = [d for d in DEPARTMENTS if not d.startswith("97")]
    codes = {f"751{n:02d}" for n in range(1, 21)}
    while len(codes) < count:
        department = rnd.choice(departments)
        codes.add(f"{department}{rnd.randint(1, 899):03d}")
    return sorted(codes)


class Writer:
    """Texts mixing a general vocabulary with a sector's, both Zipfian, like real French text
    (a few words in every call, a long tail of rare ones)."""

    def __init__(self, rnd: random.Random):
        pseudo = _pseudo_words(rnd, 23_000)
        self.general = Vocabulary(GENERIC + pseudo[:16_000])
        self.sectors = {
            name: Vocabulary(words.split() + pseudo[16_000 + 500 * i : 16_000 + 500 * (i + 1)])
            for i, (name, words) in enumerate(SECTORS.items())
        }

    def text(self, rnd: random.Random, sector: str, words: int) -> str:
        own = sum(rnd.random() < 0.5 for _ in range(words))
        mixed = self.sectors[sector].draw(rnd, own) + self.general.draw(rnd, words - own)
        rnd.shuffle(mixed)
        return " ".join(mixed)


def generate(n_calls: int, n_orgs: int, seed: int, as_of: date):
    rnd = random.Random(seed)
    writer = Writer(rnd)
    communes = _communes(rnd, 3000)
    regions = [r for r in REGIONS if int(r) > 10]
    departments = [d for d in DEPARTMENTS if not d.startswith("97")]
    sectors = list(SECTORS)
    sector_weights = [14, 8, 8, 6, 8, 6, 8, 7, 8, 6, 8, 5, 4, 4]
    calls = []
    for index in range(n_calls):
        sector = rnd.choices(sectors, sector_weights)[0]
        roll = rnd.random()
        if roll < 0.30:
            perimeter = Perimeter.france()
        elif roll < 0.35:
            perimeter = Perimeter.europe()
        elif roll < 0.37:
            perimeter = Perimeter.mainland()
        elif roll < 0.64:
            perimeter = Perimeter.region(rnd.choice(regions))
        elif roll < 0.89:
            perimeter = Perimeter.department(rnd.choice(departments))
        elif roll < 0.99:
            perimeter = Perimeter.commune(rnd.choice(communes))
        else:
            perimeter = Perimeter.unresolved("Zone ad hoc")
        eligibility = writer.text(rnd, sector, 12)
        if rnd.random() < 0.12:
            eligibility += rnd.choice(
                [" TPE de moins de 10 salariés.", " PME de moins de 250 salariés."]
            )
        deadline = None if rnd.random() < 0.2 else as_of + timedelta(days=rnd.randint(-300, 400))
        calls.append(
            CallProfile(
                id=str(100000 + index),
                title=writer.text(rnd, sector, rnd.randint(4, 9)),
                perimeter=perimeter,
                description=writer.text(rnd, sector, rnd.randint(30, 90)),
                eligibility=eligibility,
                categories=tuple(CATEGORIES[sector]),
                targeted_audiences=frozenset(rnd.choices(AUDIENCES, AUDIENCE_WEIGHTS)[0]),
                aid_types=frozenset({"grant"}),
                financers=(f"Financeur {rnd.randint(1, 400)}",),
                programs=(f"Programme {rnd.randint(1, 300)}",) if rnd.random() < 0.3 else (),
                submission_deadline=deadline,
                recurrence=rnd.choice(["oneoff", "recurring", "recurring", "ongoing"]),
            )
        )
    orgs = []
    for index in range(n_orgs):
        naf = rnd.choice(NAFS)
        sector = NAF_SECTOR.get(naf, rnd.choice(["musique", "musique", "spectacle"]))
        legal = rnd.choices(["9220", "5710", "5499", "5720", "1000"], [45, 20, 20, 10, 5])[0]
        past = tuple(
            PastApplication(call_id=c.id, title=c.title, categories=c.categories,
                            financers=c.financers, programs=c.programs)
            for c in rnd.sample(calls, rnd.randint(1, 3))
        ) if rnd.random() < 0.2 else ()  # fmt: skip
        orgs.append(
            OrgProfile(
                id=f"org{index:05d}",
                name=f"Structure {index}",
                commune=rnd.choice(communes),
                legal_category=legal,
                naf_codes=(naf,),
                size_band=rnd.choice(BANDS),
                description=writer.text(rnd, sector, rnd.randint(15, 40)),
                tags=tuple(rnd.sample(SECTORS[sector].split(), 3)),
                needs=tuple(writer.text(rnd, sector, rnd.randint(5, 10)) for _ in range(2)),
                past_applications=past,
            )
        )
    return calls, orgs


# --- scale --------------------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def scale(n_calls: int, n_orgs: int, sample: int, top: int, seed: int, trace: bool) -> None:
    """Times are CPU seconds of this process (``time.process_time``): the ratio is then
    meaningful on a shared machine; wall-clock seconds are printed beside them."""
    as_of = date(2026, 12, 1)
    started = time.perf_counter()
    calls, orgs = generate(n_calls, n_orgs, seed, as_of)
    print(
        f"\nGenerated {len(calls):,} calls and {len(orgs):,} organisations "
        f"in {time.perf_counter() - started:.1f} s (seed {seed})"
    )
    gc.collect()
    rss_before = _rss_mb()
    if trace:
        tracemalloc.start()
    cpu, wall = time.process_time(), time.perf_counter()
    matcher = CallMatcher(calls, as_of=as_of)
    built, built_wall = time.process_time() - cpu, time.perf_counter() - wall

    # Brute force on a fixed sample, half before and half after the indexed run, so that
    # both see the same average load on a shared machine.
    picker = random.Random(seed + 1)
    chosen = sorted(picker.sample(range(len(orgs)), min(sample, len(orgs))))
    halves = (chosen[::2], chosen[1::2])
    brute: dict[int, list] = {}

    def brute_force(indices: list[int]) -> float:
        cpu = time.process_time()
        for i in indices:
            brute[i] = matcher.rank_brute_force(org_features(orgs[i], matcher.stats), top=top)
        return time.process_time() - cpu

    brute_time = brute_force(halves[0])
    cpu, wall = time.process_time(), time.perf_counter()
    results = matcher.rank_all(orgs, top=top)
    ranked, ranked_wall = time.process_time() - cpu, time.perf_counter() - wall
    brute_time += brute_force(halves[1])
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    rss_after = _rss_mb()
    print(f"Open, placed calls indexed: {len(matcher.calls):,} of {len(calls):,}")
    print(f"Index build:              {built:8.1f} s CPU ({built_wall:.1f} s wall)")
    print(
        f"rank_for_all (top {top}):    {ranked:8.1f} s CPU ({ranked_wall:.1f} s wall), "
        f"{1000 * ranked / len(orgs):.1f} ms per organisation"
    )
    print(f"Peak RSS:                 {rss_after:8.0f} MB (before the index: {rss_before:.0f} MB)")
    if traced_peak is not None:
        print(f"Peak traced memory:       {traced_peak:8.0f} MB (tracemalloc, slows the run)")
    per_org = brute_time / len(chosen)
    extrapolated = per_org * len(orgs)
    print(
        f"Brute force, {len(chosen)} organisations: {brute_time:.1f} s CPU "
        f"({1000 * per_org:.0f} ms per organisation; {extrapolated:,.0f} s extrapolated to all)"
    )
    print(
        f"Ratio brute force / index: {extrapolated / ranked:,.1f}x on ranking, "
        f"{extrapolated / (ranked + built):,.1f}x counting the index build"
    )
    same = sum(results[orgs[i].id] == brute[i] for i in chosen)
    print(f"Same top {top} on the sample: {same}/{len(chosen)}")
    if same != len(chosen):
        raise SystemExit("MISMATCH between the indexed ranking and brute force")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--orgs", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=30, help="organisations brute-forced")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations")
    parser.add_argument("--per-org", action="store_true", help="nDCG of each organisation")
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    args = parser.parse_args()
    if not args.scale_only:
        quality(args.per_org)
    if not args.quality_only:
        scale(args.calls, args.orgs, args.sample, args.top, args.seed, args.tracemalloc)


if __name__ == "__main__":
    main()
