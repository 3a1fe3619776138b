"""Generate a big SIRENE establishment stock file with INSEE's real header, for benchmarks.

    .venv/bin/python bench/gen_sirene.py                          # 5,000,000 rows, CSV
    .venv/bin/python bench/gen_sirene.py --rows 20000000 --parquet --zip
    .venv/bin/python bench/gen_sirene.py --rows 100000 --out /tmp/small.csv --seed 3

Writes under /tmp by default (``/tmp/grappe-bench/StockEtablissement_<rows>.csv``), after
checking with ``shutil.disk_usage`` that the disk has room (the estimate is printed).
``--parquet`` writes the same rows as Parquet beside it, ``--zip`` the CSV zipped like
INSEE's download. The header is the one of the recorded sample
(tests/data/sirene/StockEtablissement_sample.csv, FORMATS.md's 54 columns).

The rows are seeded and shaped like the national stock: ~60 % closed, ~4 % under partial
diffusion (address and coordinates "[ND]"), Paris arrondissements ~5 % of the rows, the
music cluster's NAF codes ~1.5 % of the activities among ~700 codes, SIREN and SIRET with
a valid Luhn digit. Generated with numpy/pyarrow in chunks, so memory stays small.
Never run as a test.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sirene" / "StockEtablissement_sample.csv"
OUT_DIR = Path("/tmp/grappe-bench")  # noqa: S108 - the brief: generated files go under /tmp
CHUNK = 250_000
BYTES_PER_ROW = 210  # measured on the generated CSV (INSEE's: ~200 unzipped)

MUSIC_NAF = [
    "59.20Z",
    "90.01Z",
    "90.02Z",
    "90.03A",
    "90.03B",
    "90.04Z",
    "32.20Z",
    "47.63Z",
    "85.52Z",
    "60.10Z",
    "18.20Z",
]
IMAGE_NAF = ["59.11A", "59.11B", "59.11C", "59.12Z", "59.13A"]
STREET_TYPES = ["RUE", "RUE", "RUE", "AV", "BD", "PL", "IMP", "ALL", "CHE", "RTE", "QUAI", "PAS"]
STREETS = [
    "DE LA REPUBLIQUE",
    "VICTOR HUGO",
    "JEAN JAURES",
    "DU GENERAL DE GAULLE",
    "DE LA GARE",
    "PASTEUR",
    "DE L'EGLISE",
    "DES ECOLES",
    "ORDENER",
    "DE LA CHAPELLE",
    "MARCADET",
    "DU FAUBOURG SAINT-DENIS",
    "DES LILAS",
    "GAMBETTA",
    "DU MOULIN",
    "DE PARIS",
    "NATIONALE",
    "DES PRES",
    "FOCH",
    "DU CHATEAU",
]
SIZE_BANDS = ["NN", "NN", "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", ""]


def header() -> list[str]:
    with open(SAMPLE, encoding="utf-8") as handle:
        return handle.readline().strip().split(",")


def naf_pool(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """~700 activity codes with weights; the music codes get ~1.5 % of the rows."""
    others = sorted(
        {
            f"{rng.integers(1, 99):02d}.{rng.integers(10, 99):02d}{chr(65 + rng.integers(0, 26))}"
            for _ in range(900)
        }
        - set(MUSIC_NAF)
        - set(IMAGE_NAF)
    )[:690]
    codes = np.array(MUSIC_NAF + IMAGE_NAF + others)
    weights = np.array(
        [0.015 / len(MUSIC_NAF)] * len(MUSIC_NAF)
        + [0.004 / len(IMAGE_NAF)] * len(IMAGE_NAF)
        + [0.981 / len(others)] * len(others)
    )
    return codes, weights / weights.sum()


def commune_pool(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Commune codes, their weights and postcodes: Paris arrondissements 5 %, Lyon 1.5 %."""
    paris = [f"751{i:02d}" for i in range(1, 21)]
    lyon = [f"6938{i}" for i in range(1, 10)]
    others = sorted(
        {f"{rng.integers(1, 96):02d}{rng.integers(1, 700):03d}" for _ in range(30_000)}
        - {"75056", "69123"}
    )
    codes = np.array(paris + lyon + others)
    weights = np.array([0.05 / 20] * 20 + [0.015 / 9] * 9 + [0.935 / len(others)] * len(others))
    postcodes = np.array(
        [f"750{i:02d}" for i in range(1, 21)]
        + [f"6900{i}" for i in range(1, 10)]
        + [c[:2] + "0" + c[3:] if c[2] != "0" else c for c in others]
    )
    return codes, weights / weights.sum(), postcodes


def luhn_digit(digits: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each row of a (n, k) array of digits."""
    k = digits.shape[1]
    doubled = np.zeros(k, dtype=bool)
    doubled[k - 1 :: -2] = True  # from the right, every other digit before the check digit
    values = np.where(doubled, digits * 2, digits)
    values = np.where(values > 9, values - 9, values)
    return (10 - values.sum(axis=1) % 10) % 10


def digits_of(numbers: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def as_text(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")


def chunk_table(start: int, n: int, rng: np.random.Generator, pools, names: list[str]) -> pa.Table:
    (nafs, naf_w), (communes, commune_w, postcodes) = pools
    ids = np.arange(start, start + n, dtype=np.int64) + 30_000_000
    siren8 = digits_of(ids, 8)
    siren_num = ids * 10 + luhn_digit(siren8)
    nic4 = rng.integers(1, 60, n, dtype=np.int64)
    siret13 = np.concatenate([digits_of(siren_num, 9), digits_of(nic4, 4)], axis=1)
    nic_num = nic4 * 10 + luhn_digit(siret13)
    siren = as_text(siren_num, 9)
    nic = as_text(nic_num, 5)
    siret = pc.binary_join_element_wise(siren, nic, "")

    commune_idx = rng.choice(len(communes), n, p=commune_w)
    active = rng.random(n) < 0.40
    partial = rng.random(n) < 0.04
    created = pa.array(
        rng.integers(0, 365 * 40, n).astype("timedelta64[D]") + np.datetime64("1985-01-01")
    )
    updated = pa.array(
        rng.integers(0, 86400 * 365 * 5, n).astype("timedelta64[s]") + np.datetime64("2020-01-01")
    )
    x = np.round(rng.uniform(150_000, 1_200_000, n), 1)
    y = np.round(rng.uniform(6_050_000, 7_100_000, n), 1)
    nd = pa.scalar("[ND]")

    def masked(values: pa.Array) -> pa.Array:
        return pc.if_else(pa.array(partial), nd, values)

    def pick(pool, index=None) -> pa.Array:
        index = rng.integers(0, len(pool), n) if index is None else index
        return pc.take(pa.array(list(pool), pa.string()), pa.array(index))

    empty = pa.nulls(n, pa.string()).fill_null("")
    columns = {
        "siren": siren,
        "nic": nic,
        "siret": siret,
        "statutDiffusionEtablissement": pick(["O", "P"], partial.astype(np.int8)),
        "dateCreationEtablissement": pc.cast(pc.cast(created, pa.date32()), pa.string()),
        "trancheEffectifsEtablissement": pick(SIZE_BANDS),
        "anneeEffectifsEtablissement": pick(["", "2021", "2022", "2023"]),
        "dateDernierTraitementEtablissement": pc.strftime(updated, format="%Y-%m-%dT%H:%M:%S"),
        "etablissementSiege": pick(["false", "true"], (nic4 == 1).astype(np.int8)),
        "nombrePeriodesEtablissement": pick(["1", "1", "2", "3"]),
        "numeroVoieEtablissement": masked(pc.cast(pa.array(rng.integers(1, 200, n)), pa.string())),
        "indiceRepetitionEtablissement": pick(["", "", "", "", "", "", "", "", "B", "T"]),
        "typeVoieEtablissement": masked(pick(STREET_TYPES)),
        "libelleVoieEtablissement": masked(pick(STREETS)),
        "codePostalEtablissement": pick(postcodes, commune_idx),
        "libelleCommuneEtablissement": pick(
            ["PARIS", "LYON", "MARSEILLE", "SAINT-DENIS", "NANTES"]
        ),
        "codeCommuneEtablissement": pick(communes, commune_idx),
        "identifiantAdresseEtablissement": masked(empty),
        "coordonneeLambertAbscisseEtablissement": masked(pc.cast(pa.array(x), pa.string())),
        "coordonneeLambertOrdonneeEtablissement": masked(pc.cast(pa.array(y), pa.string())),
        "dateDebut": pc.cast(pc.cast(created, pa.date32()), pa.string()),
        "etatAdministratifEtablissement": pick(["F", "A"], active.astype(np.int8)),
        "enseigne1Etablissement": pick(["", "", "", "", "", "LE STUDIO", "CHEZ NOUS", "L'ATELIER"]),
        "activitePrincipaleEtablissement": pick(nafs, rng.choice(len(nafs), n, p=naf_w)),
        "nomenclatureActivitePrincipaleEtablissement": pick(["NAFRev2"], np.zeros(n, np.int8)),
        "caractereEmployeurEtablissement": pick(["O", "N", "N"]),
    }
    columns["activitePrincipaleNAF25Etablissement"] = columns["activitePrincipaleEtablissement"]
    return pa.table({name: columns.get(name, empty) for name in names})


def generate(rows: int, out: Path, *, parquet: bool = False, zipped: bool = False, seed: int = 0):
    names = header()
    need = rows * BYTES_PER_ROW * (1 + 0.6 * parquet + 0.3 * zipped) * 1.1
    out.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(out.parent).free
    print(f"{rows:,} rows → {out} (needs ~{need / 1e9:.1f} GB, {free / 1e9:.1f} GB free)")
    if need > free:
        sys.exit(f"Not enough free disk space under {out.parent}: need ~{need / 1e9:.1f} GB.")
    rng = np.random.default_rng(seed)
    pools = (naf_pool(rng), commune_pool(rng))
    started = time.perf_counter()
    schema = pa.schema([pa.field(n, pa.string()) for n in names])
    # INSEE writes the header and the values unquoted (no generated value needs quotes).
    options = pcsv.WriteOptions(include_header=False, quoting_style="none")
    parquet_path = out.with_suffix(".parquet")
    parquet_writer = pq.ParquetWriter(parquet_path, schema) if parquet else None
    with open(out, "wb") as sink, pcsv.CSVWriter(sink, schema, write_options=options) as writer:
        sink.write((",".join(names) + "\n").encode())
        for start in range(0, rows, CHUNK):
            table = chunk_table(start, min(CHUNK, rows - start), rng, pools, names)
            writer.write_table(table)
            if parquet_writer is not None:
                parquet_writer.write_table(table)
    if parquet_writer is not None:
        parquet_writer.close()
    written = [out] + ([parquet_path] if parquet else [])
    if zipped:
        zip_path = out.with_suffix(".zip")
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.write(out, "StockEtablissement_utf8.csv")
        written.append(zip_path)
    for path in written:
        print(f"  {path}  {path.stat().st_size / 1e6:,.0f} MB")
    print(f"  generated in {time.perf_counter() - started:.0f} s")
    return written


def default_path(rows: int) -> Path:
    return OUT_DIR / f"StockEtablissement_{rows}.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--out", type=Path, help="CSV path (default under /tmp/grappe-bench)")
    parser.add_argument("--parquet", action="store_true", help="also write Parquet")
    parser.add_argument("--zip", action="store_true", help="also write the CSV zipped")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = args.out or default_path(args.rows)
    generate(args.rows, out, parquet=args.parquet, zipped=args.zip, seed=args.seed)


if __name__ == "__main__":
    main()
