"""App-level benchmark of the calls watch, measured side by side in one run.

    python bench/bench_calls.py [--calls 2000,10000] [--orgs 200] [--database-url URL]

A fresh database (a temporary SQLite file by default, or the PostgreSQL database given,
which the script creates and drops) gets one cluster of ``--orgs`` member firms (seeded:
NAF codes, legal forms, size bands, descriptions, tags, one stated need each) and, per
size, that many generated calls written as a CSV file of the documented format. Prints:

- import: the CSV import through the app (read, validate, map, upsert in bulk) against
  reading and validating alone (``items_from_csv``), and a second, unchanged import;
- matching: ``matches_recompute`` (rows mapped to profiles, engine, rows stored) against
  the engine alone on the same profiles (rank for every member and for the cluster);
- search: the calls page's selector (French terms, territory and filters) per query.

The ratios are the cost of the database around the pure parts. Never run as a test.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "enregistrement studio label musique festival concert salle résidence création diffusion "
    "export tournée emploi formation numérique accessibilité éco-conception investissement "
    "équipement mutualisation coopération jeunesse quartier patrimoine édition phonographique "
    "spectacle vivant artistes émergents innovation transition énergétique association"
).split()
PERIMETERS = [
    "France", "Europe", "Île-de-France (Région)", "Paris (Département)", "Bretagne (Région)",
    "Rhône (Département)", "Seine-Saint-Denis (Département)", "Occitanie (Région)",
]  # fmt: skip
AUDIENCES = ["association", "private_sector", "association;private_sector", "commune", "farmer"]
CATEGORIES = [
    "Culture et identité collective / patrimoine / sports|Spectacle vivant",
    "Développement économique / production et consommation|Emploi",
    "Développement économique / production et consommation|Export et international",
    "Numérique|Numérique",
    "Transition écologique|Économie circulaire",
]
NAF = ["59.20Z", "90.01Z", "90.02Z", "90.04Z", "32.20Z", "47.63Z", "85.52Z", "60.10Z"]
LEGAL = ["5710", "5499", "9220", "1000", "5720"]
BANDS = ["00", "01", "02", "03", "11", "12"]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def calls_csv(n: int, rng: random.Random, today: dt.date, prefix: str) -> bytes:
    from grappe.calls.importers import CSV_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for i in range(n):
        days = rng.randrange(-60, 240)
        writer.writerow(
            {
                "id": f"{prefix}-{i}",
                "title": "Aide " + sentence(rng, 5),
                "description": sentence(rng, 40),
                "eligibility": sentence(rng, 12),
                "financers": rng.choice(["CNM", "Région", "Ville de Paris", "Sacem", "ADEME"]),
                "perimeter": rng.choice(PERIMETERS),
                "targeted_audiences": rng.choice(AUDIENCES),
                "aid_types": rng.choice(["grant", "loan", "grant;technical_engineering"]),
                "categories": rng.choice(CATEGORIES),
                "recurrence": rng.choice(["oneoff", "recurring", "ongoing"]),
                "submission_deadline": (today + dt.timedelta(days=days)).isoformat(),
                "max_amount": rng.randrange(1, 100) * 1000,
            }
        )
    return out.getvalue().encode()


def populate(orgs: int, rng: random.Random):
    from grappe.core.services import cluster_create
    from grappe.members.models import Membership, Post
    from grappe.territory.services import reference_load_bundled
    from tests.factories import make_org

    reference_load_bundled()
    cluster = cluster_create(name="Bench", slug="bench", commune_codes=["75118"])
    members = []
    for i in range(orgs):
        members.append(
            make_org(
                f"Structure {i}",
                naf=rng.choice(NAF),
                legal_form=rng.choice(LEGAL),
                size_band=rng.choice(BANDS),
                description=sentence(rng, 30),
                tags=[rng.choice(WORDS), rng.choice(WORDS)],
            )
        )
    Membership.objects.bulk_create(
        [Membership(cluster=cluster, organisation=o, status="active") for o in members]
    )
    Post.objects.bulk_create(
        [
            Post(cluster=cluster, organisation=o, kind="need", title=sentence(rng, 4),
                 text=sentence(rng, 20))
            for o in members
        ]
    )  # fmt: skip
    return cluster


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def engine_only(cluster, today):
    """The engine's part of ``matches_recompute`` on profiles mapped beforehand: corpus
    statistics, ranking for every member, ranking for the cluster."""
    from grappe.calls import matching
    from grappe.engine.matching import CallMatcher, CorpusStats, rank_calls_for_cluster

    _calls, profiles, _stats = matching._catalogue(cluster)
    orgs = matching.org_profiles(cluster)

    def run():
        stats = CorpusStats.from_calls(profiles)
        matcher = CallMatcher(profiles, as_of=today, stats=stats)
        matcher.rank_all(orgs, top=matching.MATCHES_PER_ORG)
        rank_calls_for_cluster(profiles, orgs, as_of=today, top=matching.CLUSTER_MATCHES,
                               stats=stats)  # fmt: skip

    return timed(run)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default="2000,10000")
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    sizes = [int(s) for s in args.calls.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        if args.database_url:
            os.environ["DATABASE_URL"] = url
        setup_django(url)
        from django.utils import timezone

        from grappe.calls import importers, matching, selectors
        from grappe.calls.models import Call
        from grappe.core.access import Actor

        rng = random.Random(4)
        today = timezone.localdate()
        cluster = populate(args.orgs, rng)
        vendor = __import__("django.db", fromlist=["connection"]).connection.vendor
        print(f"database: {vendor}; {args.orgs} member organisations")
        header = f"{'calls':>7} | {'import':>8} {'parse':>7} {'ratio':>6} {'again':>7}"
        header += f" | {'recompute':>9} {'engine':>7} {'ratio':>6} | {'search p50':>10}"
        print(header)
        for size in sizes:
            Call.objects.all().delete()
            content = calls_csv(size, rng, today, f"B{size}")
            parse_t, _items = timed(importers.items_from_csv, content)
            import_t, _r = timed(importers.calls_import, pages=[content], fmt="csv")
            again_t, _r = timed(importers.calls_import, pages=[content], fmt="csv")
            recompute_t, _r = timed(matching.matches_recompute, cluster=cluster, as_of=today)
            engine_t = engine_only(cluster, today)
            queries = ["studio enregistrement", "festival", "export tournée", "emploi", ""]
            samples = []
            for i in range(50):
                filters = selectors.CallFilters(
                    query=queries[i % len(queries)], territory="75118" if i % 2 else ""
                )
                samples.append(
                    timed(
                        lambda f=filters: list(
                            selectors.call_search(actor=Actor.system(cluster), filters=f)[:20]
                        )
                    )[0]
                )
            print(
                f"{size:>7} | {import_t:>7.2f}s {parse_t:>6.2f}s {import_t / parse_t:>5.1f}x"
                f" {again_t:>6.2f}s | {recompute_t:>8.2f}s {engine_t:>6.2f}s"
                f" {recompute_t / engine_t:>5.2f}x | {statistics.median(samples) * 1000:>8.1f}ms"
            )


if __name__ == "__main__":
    main()
