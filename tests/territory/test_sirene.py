"""Reading the SIRENE stock files (no database): format detection, header checks,
streaming filter, partial diffusion, names and addresses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from grappe.engine.identifiers import is_valid_siren, is_valid_siret
from grappe.territory import sirene
from tests.data.sirene.make_samples import (
    ESTABLISHMENT_HEADER,
    ESTABLISHMENTS,
    LEGAL_UNIT_HEADER,
    SIRENS,
    SIRETS,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "sirene"
CSV = DATA / "StockEtablissement_sample.csv"
ZIP = DATA / "StockEtablissement_sample.zip"
PARQUET = DATA / "StockEtablissement_sample.parquet"
UNITS = DATA / "StockUniteLegale_sample.csv"

PARIS_18 = sirene.Selection("paris", frozenset({"59.20Z", "90.04Z"}), frozenset({"75118"}))
LYON = sirene.Selection(
    "lyon", frozenset({"59.11A"}), frozenset({"69123", *(f"6938{i}" for i in range(1, 10))})
)
PARIS_18_KEYS = {
    "label",
    "studio",
    "person",
    "hidden",
    "signonly",
    "hiddenpers",
    "hall",
    "hall2",
    "usual",
    "nocoords",
}


def scan(
    path: Path, selections=(PARIS_18, LYON), **kwargs
) -> dict[str, sirene.EstablishmentRecord]:
    stock = sirene.open_establishments(path)
    return {r.siret: r for r in sirene.scan_establishments(stock, selections, **kwargs)}


def keys(records) -> set[str]:
    by_siret = {v: k for k, v in SIRETS.items()}
    return {by_siret[s] for s in records}


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- The samples ---------------------------------------------------------------------


def test_samples_have_insee_headers_and_valid_identifiers():
    """The recorded samples are shaped like the real files: INSEE's header, in order,
    ending with the NAF 2025 column, and SIREN/SIRET with a valid check digit."""
    header = CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ESTABLISHMENT_HEADER
    assert len(header) == 54 and header[-1] == "activitePrincipaleNAF25Etablissement"
    assert UNITS.read_text(encoding="utf-8").splitlines()[0].split(",") == LEGAL_UNIT_HEADER
    assert all(is_valid_siret(row["siret"]) for row in ESTABLISHMENTS)
    assert all(is_valid_siren(s) for s in SIRENS.values())
    with zipfile.ZipFile(ZIP) as archive:
        assert archive.namelist() == ["StockEtablissement_utf8.csv"]
        assert archive.read("StockEtablissement_utf8.csv") == CSV.read_bytes()
    assert pq.ParquetFile(PARQUET).schema_arrow.names == ESTABLISHMENT_HEADER


# --- Filtering -------------------------------------------------------------------------


def test_keeps_active_establishments_of_each_selection_and_nothing_else():
    stats = sirene.ScanStats()
    records = scan(CSV, stats=stats)
    assert keys(records) == PARIS_18_KEYS | {"lyonimg"}
    assert {r.selections for r in records.values()} == {("paris",), ("lyon",)}
    assert records[SIRETS["lyonimg"]].selections == ("lyon",)
    assert (stats.rows_read, stats.rows_kept) == (len(ESTABLISHMENTS), 11)


def test_a_row_must_match_one_selection_as_a_whole():
    """Lyon 59.20Z is in the union (paris's NAF, lyon's commune) but in no selection."""
    records = scan(CSV)
    assert SIRETS["lyonmusic"] not in records
    assert SIRETS["villeurb"] not in records  # Villeurbanne is not Lyon


def test_closed_and_wrong_activity_are_left_out():
    records = scan(CSV, selections=[PARIS_18])
    assert not {"closed", "restaurant", "oberkampf", "venue2e"} & keys(records)


def test_watched_sirets_are_read_even_when_closed_or_elsewhere():
    records = scan(CSV, selections=[PARIS_18], watch_sirets={SIRETS["closed"], SIRETS["venue2e"]})
    closed, venue = records[SIRETS["closed"]], records[SIRETS["venue2e"]]
    assert (closed.is_active, closed.selections) == (False, ())
    assert (venue.commune_code, venue.selections) == ("75102", ())


def test_zip_csv_and_parquet_give_the_same_records():
    """The Parquet sample stores dates, timestamps, booleans and numbers typed."""
    from_csv = scan(CSV)
    assert scan(ZIP) == from_csv
    assert scan(PARQUET) == from_csv
    assert sirene.open_establishments(ZIP).kind == "zip"
    assert sirene.open_establishments(PARQUET).kind == "parquet"
    assert sirene.open_establishments(CSV).kind == "csv"


def test_columns_are_read_by_name_in_any_order_with_unknown_ones(tmp_path):
    header = ["colonneInconnue2030", *reversed(ESTABLISHMENT_HEADER)]
    rows = [{**row, "colonneInconnue2030": "x,y"} for row in ESTABLISHMENTS]
    path = write_csv(tmp_path / "reordered.csv", header, rows)
    assert scan(path) == scan(CSV)


def test_without_the_naf_2025_column_the_code_is_empty(tmp_path):
    header = ESTABLISHMENT_HEADER[:-1]
    rows = [{k: row[k] for k in header} for row in ESTABLISHMENTS]
    path = write_csv(tmp_path / "format-3.11-before-2025-12.csv", header, rows)
    records = scan(path)
    assert keys(records) == keys(scan(CSV))
    assert {r.naf25_code for r in records.values()} == {""}
    assert scan(CSV)[SIRETS["label"]].naf25_code == "59.20Y"


def test_semicolon_separated_and_bom_are_read(tmp_path):
    text = CSV.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    path = tmp_path / "semicolons.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    assert scan(path) == scan(CSV)


def test_progress_is_reported_with_the_rows_read():
    seen = []
    scan(CSV, on_progress=seen.append)
    assert seen and seen[-1] == len(ESTABLISHMENTS)


# --- Values ----------------------------------------------------------------------------


def test_values_are_mapped():
    record = scan(CSV)[SIRETS["label"]]
    assert record.siren == SIRENS["label"]
    assert (record.naf_code, record.naf_nomenclature, record.naf25_code) == (
        "59.20Z",
        "NAFRev2",
        "59.20Y",
    )
    assert (record.commune_code, record.postcode, record.size_band) == ("75118", "75018", "11")
    assert record.address == "24 rue de la Goutte d'Or"
    assert (record.latitude, record.longitude) == (Decimal("48.88510"), Decimal("2.35380"))
    assert record.is_head_office and record.is_active and not record.is_partial_diffusion
    assert record.created_on == dt.date(2016, 3, 1)
    assert record.source_updated_at == dt.datetime(2024, 11, 5, 8, 41, 12, tzinfo=dt.UTC)
    assert record.line == 2


def test_partial_diffusion_masks_address_and_coordinates():
    records = scan(CSV)
    for key in ("hidden", "hiddenpers"):
        record = records[SIRETS[key]]
        assert record.is_partial_diffusion
        assert (record.address, record.postcode) == ("", "")
        assert (record.latitude, record.longitude) == (None, None)
        assert record.sign == ""  # "[ND]" is no sign
        assert record.commune_code == "75118"


def test_missing_coordinates_give_no_point_and_dates_may_be_empty():
    record = scan(CSV)[SIRETS["nocoords"]]
    assert (record.latitude, record.longitude) == (None, None)
    assert record.created_on is None
    assert record.address == "7 impasse du Cure"


@pytest.mark.parametrize(
    ("number", "repetition", "kind", "street", "expected"),
    [
        ("12", "B", "RUE", "ORDENER", "12 bis rue Ordener"),
        ("3", "", "BD", "BARBES", "3 boulevard Barbes"),
        ("40", "", "AV", "DE SAINT-OUEN", "40 avenue de Saint-Ouen"),
        ("1", "", "PAS", "DES PANORAMAS", "1 passage des Panoramas"),
        ("5", "", "PL", "DU TERTRE", "5 place du Tertre"),
        ("2", "T", "QUAI", "DE VALMY", "2 ter quai de Valmy"),
        ("9", "A", "SQ", "D'ANVERS", "9 A square d'Anvers"),
        ("", "", "CHE", "DES VIGNES", "chemin des Vignes"),
        ("8", "", "", "LE BOURG", "8 Le Bourg"),
        ("4", "", "XYZ", "DU MOULIN", "4 xyz du Moulin"),
        ("[ND]", "", "[ND]", "[ND]", ""),
    ],
)
def test_addresses_expand_insee_street_types(number, repetition, kind, street, expected):
    assert sirene.compose_address(number, repetition, kind, street) == expected


@pytest.mark.parametrize(
    ("x", "y"), [("", ""), ("[ND]", "[ND]"), ("abc", "1"), ("1000.0", "2000.0")]
)
def test_unusable_coordinates_give_no_point(x, y):
    """Empty, masked, not numbers, or outside metropolitan France (Lambert-93 only
    covers it; overseas rows use other projections)."""
    assert sirene.parse_coordinates(x, y) == (None, None)


def test_dates_tolerate_empty_and_malformed_values():
    assert sirene.parse_date("") is None
    assert sirene.parse_date("2020-13-45") is None
    assert sirene.parse_datetime("2024-01-15 10:30:00.000") == dt.datetime(
        2024, 1, 15, 9, 30, tzinfo=dt.UTC
    )
    assert sirene.parse_datetime("hier") is None


# --- Legal units and names ---------------------------------------------------------------


def names() -> dict[str, str]:
    records = scan(CSV)
    stock = sirene.open_legal_units(UNITS)
    stats = sirene.ScanStats()
    units = {
        u.siren: u
        for u in sirene.scan_legal_units(stock, {r.siren for r in records.values()}, stats=stats)
    }
    assert stats.rows_read == 16
    assert set(units) <= {r.siren for r in records.values()}
    by_siret = {v: k for k, v in SIRETS.items()}
    return {
        by_siret[s]: sirene.establishment_name(r, units.get(r.siren)) for s, r in records.items()
    }


def test_names_come_from_the_legal_unit_then_the_person_then_the_sign():
    named = names()
    assert named["label"] == "LABEL DE LA GOUTTE"
    assert named["studio"] == "ORDENER PRODUCTIONS"  # denomination wins over the sign
    assert named["person"] == "Claire Dupont"
    assert named["hall2"] == "SALLE DU NORD"
    assert named["usual"] == "DISQUAIRE DE LA CHAPELLE"  # no legal unit: usual name
    assert named["lyonimg"] == "IMAGES DU RHONE"


def test_a_natural_person_under_partial_diffusion_is_never_named():
    named = names()
    assert named["hidden"] == ""  # legal unit in P: MARTIN left in the file, never shown
    assert named["signonly"] == "LES SONS DU NORD"  # legal unit in P: its sign instead
    assert named["hiddenpers"] == ""  # establishment in P: not the person's name
    assert "MARTIN" not in " ".join(named.values()).upper()
    assert "LEROY" not in " ".join(named.values()).upper()


def test_without_legal_units_names_come_from_the_establishment():
    records = scan(CSV)
    assert sirene.establishment_name(records[SIRETS["studio"]], None) == "STUDIO ORDENER"
    assert sirene.establishment_name(records[SIRETS["label"]], None) == ""


def test_legal_units_only_the_wanted_sirens_are_kept():
    stock = sirene.open_legal_units(UNITS)
    found = list(sirene.scan_legal_units(stock, {SIRENS["person"], "999999999"}))
    assert [(u.siren, u.first_name, u.last_name) for u in found] == [
        (SIRENS["person"], "CLAIRE", "DUPONT")
    ]
    assert list(sirene.scan_legal_units(stock, set())) == []


# --- Refusals --------------------------------------------------------------------------


def test_a_missing_column_is_refused_with_its_name(tmp_path):
    header = [h for h in ESTABLISHMENT_HEADER if h != "codeCommuneEtablissement"]
    path = write_csv(tmp_path / "no-commune.csv", header, [])
    with pytest.raises(sirene.SireneFormatError, match="codeCommuneEtablissement"):
        sirene.open_establishments(path)


def test_a_stock_without_rows_is_refused(tmp_path):
    path = write_csv(tmp_path / "header-only.csv", ESTABLISHMENT_HEADER, [])
    stock = sirene.open_establishments(path)
    with pytest.raises(sirene.SireneFormatError, match="aucun établissement"):
        list(sirene.scan_establishments(stock, [PARIS_18]))


def test_a_legal_unit_file_without_its_columns_is_refused():
    with pytest.raises(sirene.SireneFormatError, match="denominationUniteLegale"):
        sirene.open_legal_units(CSV)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "vide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ni un CSV"),
        (b"Ceci n'est pas un tableau\n", "ni un CSV"),
        (b"\xff\xfe\x00s\x00i\x00r\x00e\x00n\n", "ni un CSV"),
        (b"PK\x03\x04 truncated archive", "zip"),
        (b"PAR1 not really parquet", "Parquet"),
    ],
)
def test_files_that_are_not_a_stock_are_refused(tmp_path, content, reason):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    with pytest.raises(sirene.SireneFormatError, match=reason):
        sirene.open_establishments(path)


def test_an_unreadable_path_is_refused(tmp_path):
    with pytest.raises(sirene.SireneFormatError, match="illisible"):
        sirene.open_establishments(tmp_path / "absent.csv")


def test_a_truncated_csv_is_refused_while_reading(tmp_path):
    data = CSV.read_bytes()
    path = tmp_path / "truncated.csv"
    path.write_bytes(data[: len(data) - 40])
    stock = sirene.open_establishments(path)  # the header is fine
    with pytest.raises(sirene.SireneFormatError, match="tronqué"):
        list(sirene.scan_establishments(stock, [PARIS_18]))


def test_a_truncated_zip_or_parquet_is_refused(tmp_path):
    for source in (ZIP, PARQUET):
        path = tmp_path / source.name
        path.write_bytes(source.read_bytes()[:-200])
        with pytest.raises(sirene.SireneFormatError):
            sirene.open_establishments(path)


def test_a_zip_without_a_csv_is_refused(tmp_path):
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LISEZMOI.txt", "rien")
    with pytest.raises(sirene.SireneFormatError, match="aucun fichier CSV"):
        sirene.open_establishments(path)


def test_a_zip_with_a_corrupted_member_is_refused_while_reading(tmp_path):
    path = tmp_path / "corrupted.zip"
    data = bytearray(ZIP.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the compressed CSV
    path.write_bytes(bytes(data))
    with pytest.raises(sirene.SireneFormatError):
        stock = sirene.open_establishments(path)
        list(sirene.scan_establishments(stock, [PARIS_18]))


def test_a_matching_row_with_a_bad_siret_is_refused_with_its_line(tmp_path):
    rows = [dict(row) for row in ESTABLISHMENTS]
    rows[2]["siret"] = rows[2]["siret"][:12]
    path = write_csv(tmp_path / "bad-siret.csv", ESTABLISHMENT_HEADER, rows)
    with pytest.raises(sirene.SireneFormatError, match="Ligne 4"):
        scan(path)


def test_parquet_columns_of_other_types_are_read_as_text(tmp_path):
    """A Parquet file whose text columns are dictionary-encoded is read the same."""
    table = pq.read_table(PARQUET)
    index = table.schema.get_field_index("codeCommuneEtablissement")
    table = table.set_column(
        index, "codeCommuneEtablissement", table.column(index).dictionary_encode()
    )
    path = tmp_path / "dictionary.parquet"
    pq.write_table(table, path)
    batch = next(pq.ParquetFile(path).iter_batches(columns=["codeCommuneEtablissement"]))
    assert pa.types.is_dictionary(batch.schema.field("codeCommuneEtablissement").type)
    assert scan(path) == scan(CSV)


def test_parquet_row_groups_without_a_match_are_skipped_and_others_read(tmp_path):
    path = tmp_path / "one-row-per-group.parquet"
    pq.write_table(pq.read_table(PARQUET), path, row_group_size=1)
    assert pq.ParquetFile(path).num_row_groups == len(ESTABLISHMENTS)
    stats = sirene.ScanStats()
    assert scan(path, stats=stats) == scan(CSV)
    assert stats.rows_read == len(ESTABLISHMENTS)


def test_a_parquet_file_with_corrupted_data_is_refused_while_reading(tmp_path):
    data = bytearray(PARQUET.read_bytes())
    for i in range(200, len(data) // 3):  # data pages; the footer stays readable
        data[i] = 0xFF
    path = tmp_path / "corrupted.parquet"
    path.write_bytes(bytes(data))
    stock = sirene.open_establishments(path)
    with pytest.raises(sirene.SireneFormatError, match="illisible"):
        list(sirene.scan_establishments(stock, [PARIS_18]))
