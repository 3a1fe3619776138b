"""Benchmark of the insights jobs: the radar job (texts read through the registry, the
engine, themes and texts stored) against the engine alone on the same texts, and one
month of indicator snapshots; measured side by side in one run.

    python bench/bench_insights.py [--sizes 1000,10000] [--database-url URL]

A fresh database (a temporary SQLite file by default; with --database-url, a PostgreSQL
database that the script creates and drops) gets one cluster of 60 member firms and N
needs written by them (phrasing drawn from the radar's train corpus, with small
variations). Prints, per size: the job's wall time, the engine's alone, their ratio (the
cost of the database and the registry around the engine), and the time of one month of
snapshots. Never run as a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def corpus() -> list[str]:
    path = ROOT / "tests" / "engine" / "data" / "themes_corpus_train.csv"
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return [row["text"] for row in csv.DictReader(lines)]


def populate(n: int, rng: random.Random):
    from django.utils import timezone

    from grappe.core.services import cluster_create
    from grappe.members.models import Membership, Organisation, Post
    from grappe.territory.services import reference_load_bundled
    from tests.factories import make_org

    if not Organisation.objects.exists():
        reference_load_bundled()
    slug = f"bench-{n}"
    cluster = cluster_create(name=f"Bench {n}", slug=slug, commune_codes=["75118"])
    orgs = [make_org(f"Structure {slug} {i}") for i in range(60)]
    Membership.objects.bulk_create(
        [Membership(cluster=cluster, organisation=o, status="active") for o in orgs]
    )
    texts = corpus()
    suffixes = ["", " Merci !", " Urgent.", " Des idées ?", " Dans le 18e si possible."]
    now = timezone.now()
    Post.objects.bulk_create(
        [
            Post(
                cluster=cluster,
                organisation=orgs[rng.randrange(len(orgs))],
                kind="need",
                title="Besoin",
                text=rng.choice(texts) + rng.choice(suffixes),
                visibility=rng.choice(["public", "cluster", "managers"]),
                created_at=now,
            )
            for _ in range(n)
        ],
        batch_size=1000,
    )
    return cluster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    if args.database_url:
        import psycopg

        base, _sep, name = url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    setup_django(url)

    from django.utils import timezone

    from grappe.core.access import Actor
    from grappe.engine.themes import TextItem, discover_themes
    from grappe.insights import services
    from grappe.insights.models import RadarRun

    rng = random.Random(0)
    # warm up: the lemmatiser's and the taxonomy's tables load once per process
    discover_themes([TextItem(id=str(i), text=t) for i, t in enumerate(corpus()[:50])])
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"{'texts':>7} {'job s':>8} {'engine s':>9} {'job/engine':>11} {'snapshots s':>12}")
    for n in [int(s) for s in args.sizes.split(",")]:
        cluster = populate(n, rng)
        texts = services.collect_texts(cluster)
        items = [
            TextItem(
                id=f"{name}:{t.id}",
                text=f"{t.title}. {t.text}",
                org=str(t.organisation_id),
                date=t.date,
            )
            for name, t in texts
        ]
        start = time.perf_counter()
        discover_themes(items)
        engine = time.perf_counter() - start
        start = time.perf_counter()
        run = services.radar_compute(run=RadarRun.objects.create(cluster=cluster))
        job = time.perf_counter() - start
        start = time.perf_counter()
        services.snapshot_compute(
            by=Actor.system(cluster), month=timezone.localdate().replace(day=1)
        )
        snap = time.perf_counter() - start
        assert run.text_count == n
        print(f"{n:>7} {job:>8.2f} {engine:>9.2f} {job / engine:>11.2f} {snap:>12.3f}")
    if args.database_url:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
