"""Benchmark of the SIRENE registry import: throughput and peak memory, beside DuckDB.

    .venv/bin/python bench/bench_registry.py                         # 5,000,000 rows, CSV
    .venv/bin/python bench/bench_registry.py --rows 1000000 --format parquet
    .venv/bin/python bench/bench_registry.py --format zip --small-rows 0
    .venv/bin/python bench/bench_registry.py --file /data/StockEtablissement_utf8.zip

Generates (once, under /tmp/grappe-bench, see bench/gen_sirene.py) a stock file with
INSEE's real header, unless ``--file`` names one, then runs each side in its own child
process; the peak resident memory (VmHWM, reset just before the step) is the step's own:

1. ``registry_import`` (grappe.members.registry) into a fresh SQLite database
   (migrated, bundled communes, two clusters: music in Paris 75056, i.e. its 20
   arrondissements, and images in Lyon 69123), then the same file again (nothing
   changes: the idempotent re-run);
2. a plain DuckDB scan of the same file with the same filter (active, the clusters' NAF
   codes, their communes), fetching the same columns; DuckDB reads the CSV for
   ``--format zip`` (it cannot read a zip) and uses every core, as pyarrow does.

Prints wall and CPU time (all threads: fairer on a shared machine), rows/s, MB/s and
peak RSS of each, and the time ratios; with ``--small-rows`` (a tenth of the rows by
default) the import's peak RSS on the smaller file too, to show that memory does not grow
with the file. Needs duckdb (dev dependency). Never run as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gen_sirene import IMAGE_NAF, MUSIC_NAF, OUT_DIR, default_path, generate  # noqa: E402

from grappe.territory import sirene  # noqa: E402

PARIS_COMMUNES = [f"751{i:02d}" for i in range(1, 21)]
LYON_COMMUNES = [f"6938{i}" for i in range(1, 10)]
FILTER_COLUMNS = [*sirene.ESTABLISHMENT_COLUMNS, *sirene.ESTABLISHMENT_OPTIONAL]


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def cpu_seconds() -> float:
    """CPU time of the process so far, all threads, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    """Resident memory now."""
    return _status_mb("VmRSS") or 0.0


def reset_peak_rss() -> None:
    """Reset the peak resident memory (Linux ≥ 4.0), so that the peak measured afterwards is
    the measured step's own and not Django's start-up or migrations'."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def peak_rss_mb() -> float:
    """Peak resident memory since the last reset (else since the process started)."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# --- Children --------------------------------------------------------------------------


def child_import(path: Path, database: Path) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from grappe.core.services import cluster_create
    from grappe.members.registry import registry_import
    from grappe.territory.services import reference_load_bundled

    call_command("migrate", verbosity=0)
    reference_load_bundled()
    cluster_create(
        name="Musique à Paris", slug="paris", commune_codes=["75056"], naf_codes=MUSIC_NAF
    )
    cluster_create(name="Images à Lyon", slug="lyon", commune_codes=["69123"], naf_codes=IMAGE_NAF)
    baseline = rss_mb()
    reset_peak_rss()
    started, cpu = time.perf_counter(), cpu_seconds()
    first = registry_import(path=path)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    peak = peak_rss_mb()
    started = time.perf_counter()
    again = registry_import(path=path)
    rerun = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rerun_seconds": rerun,
        "rows": first.rows_read,
        "kept": first.rows_kept,
        "created": first.created,
        "rerun_changes": again.created + again.updated,
        "rerun_unchanged": again.unchanged,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
    }


def child_duckdb(path: Path) -> dict:
    import duckdb

    if path.suffix == ".parquet":
        source = f"read_parquet('{path}')"
    else:
        source = f"read_csv('{path}', header=true, all_varchar=true)"

    def listed(values):
        return ", ".join(f"'{v}'" for v in values)

    query = (
        f"SELECT {', '.join(FILTER_COLUMNS)} FROM {source} "  # noqa: S608 - our own constants
        "WHERE etatAdministratifEtablissement = 'A' AND ("
        f"(activitePrincipaleEtablissement IN ({listed(MUSIC_NAF)}) "
        f"AND codeCommuneEtablissement IN ({listed(PARIS_COMMUNES)})) OR "
        f"(activitePrincipaleEtablissement IN ({listed(IMAGE_NAF)}) "
        f"AND codeCommuneEtablissement IN ({listed(LYON_COMMUNES)})))"
    )
    connection = duckdb.connect()
    baseline = rss_mb()
    reset_peak_rss()
    started, cpu = time.perf_counter(), cpu_seconds()
    rows = connection.execute(query).fetchall()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    peak = peak_rss_mb()
    total = connection.execute(f"SELECT count(*) FROM {source}").fetchone()[0]  # noqa: S608
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "kept": len(rows),
        "rows": total,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
    }


def run_child(kind: str, path: Path) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--file", str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- Main ------------------------------------------------------------------------------


def stock_file(rows: int, fmt: str) -> Path:
    csv_path = default_path(rows)
    wanted = {
        "csv": csv_path,
        "zip": csv_path.with_suffix(".zip"),
        "parquet": csv_path.with_suffix(".parquet"),
    }
    if not wanted[fmt].exists() or not csv_path.exists():
        generate(rows, csv_path, parquet=fmt == "parquet", zipped=fmt == "zip")
    return wanted[fmt]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--format", choices=["csv", "zip", "parquet"], default="csv")
    parser.add_argument("--file", type=Path, help="an existing stock file instead")
    parser.add_argument(
        "--small-rows",
        type=int,
        default=None,
        help="also import this many rows (default rows/10; 0: no)",
    )
    parser.add_argument("--child", choices=["import", "duckdb"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "import":
        database = OUT_DIR / f"registry-{os.getpid()}.sqlite3"
        try:
            print(json.dumps(child_import(args.file, database)))
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        return
    if args.child == "duckdb":
        print(json.dumps(child_duckdb(args.file)))
        return

    path = args.file or stock_file(args.rows, args.format)
    duck_path = path.with_suffix(".csv") if path.suffix == ".zip" else path
    size_mb = path.stat().st_size / 1e6
    print(f"File: {path} ({size_mb:,.0f} MB)")
    imported = run_child("import", path)
    duck = run_child("duckdb", duck_path)
    rows = imported["rows"]
    print(
        f"Rows: {rows:,}; kept by the filter: import {imported['kept']:,}, DuckDB {duck['kept']:,}"
    )
    print(
        f"{'':24}{'wall s':>8}{'rows/s':>12}{'MB/s':>7}{'CPU s':>8}{'rows/CPU s':>12}"
        f"{'peak RSS MB':>13}"
    )
    for label, figures in (("grappe import (SQLite)", imported), ("DuckDB scan", duck)):
        wall, cpu = figures["seconds"], figures["cpu_seconds"]
        print(
            f"{label:24}{wall:>8.1f}{rows / wall:>12,.0f}{size_mb / wall:>7.0f}"
            f"{cpu:>8.1f}{rows / cpu:>12,.0f}{figures['peak_rss_mb']:>13.0f}"
        )
    before = imported["baseline_rss_mb"], duck["baseline_rss_mb"]
    print(
        "  resident before the step (the peak is measured from there): "
        f"import {before[0]:.0f} MB (Django set up, migrated), DuckDB {before[1]:.0f} MB"
    )
    print(
        f"  re-run of the same file: {imported['rerun_seconds']:.1f} s, "
        f"{imported['rerun_changes']} change(s), {imported['rerun_unchanged']:,} unchanged"
    )
    print(
        f"Ratio: the import takes {imported['seconds'] / duck['seconds']:.2f}× DuckDB's wall time, "
        f"{imported['cpu_seconds'] / duck['cpu_seconds']:.2f}× its CPU time"
    )
    small = args.rows // 10 if args.small_rows is None else args.small_rows
    if small and args.file is None:
        other = run_child("import", stock_file(small, args.format))
        print(
            f"Flat memory: peak RSS {other['peak_rss_mb']:.0f} MB for {other['rows']:,} rows, "
            f"{imported['peak_rss_mb']:.0f} MB for {rows:,} rows"
        )


if __name__ == "__main__":
    main()
