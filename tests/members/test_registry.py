"""Prospects from the SIRENE registry: the import service, its job and its command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from grappe.core.models import AuditEntry
from grappe.core.services import cluster_create
from grappe.members.models import Membership, Prospect
from grappe.members.registry import (
    SireneFormatError,
    import_registry_job,
    registry_import,
)
from grappe.members.services import prospect_set_status
from grappe.territory.models import Establishment
from tests.data.sirene.make_samples import ESTABLISHMENT_HEADER, ESTABLISHMENTS, SIRENS, SIRETS
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "sirene"
CSV = DATA / "StockEtablissement_sample.csv"
ZIP = DATA / "StockEtablissement_sample.zip"
PARQUET = DATA / "StockEtablissement_sample.parquet"
UNITS = DATA / "StockUniteLegale_sample.csv"

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


def sirets(*keys: str) -> set[str]:
    return {SIRETS[k] for k in keys}


def prospects(cluster, **filters) -> set[str]:
    return set(
        Prospect.objects.filter(cluster=cluster, **filters).values_list(
            "establishment_id", flat=True
        )
    )


def snapshot() -> tuple[list[dict], list[dict]]:
    """Every stored field of the establishments and prospects, timestamps included."""
    return (
        list(Establishment.objects.order_by("siret").values()),
        list(Prospect.objects.order_by("cluster_id", "establishment_id").values()),
    )


def registry_audits() -> int:
    return AuditEntry.objects.filter(action="registry.import").count()


def write_stock(path: Path, rows: list[dict[str, str]], header=ESTABLISHMENT_HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def without(*keys: str) -> list[dict[str, str]]:
    dropped = sirets(*keys)
    return [row for row in ESTABLISHMENTS if row["siret"] not in dropped]


def changed(key: str, **values: str) -> list[dict[str, str]]:
    return [{**row, **values} if row["siret"] == SIRETS[key] else row for row in ESTABLISHMENTS]


# --- What is kept ----------------------------------------------------------------------


def test_import_keeps_each_clusters_sector_in_its_territory(world):
    result = registry_import(path=CSV)

    assert (result.rows_read, result.rows_kept) == (18, 11)
    assert (result.created, result.updated, result.unchanged) == (11, 0, 0)
    by_slug = {c.slug: c for c in result.clusters}
    assert (by_slug["paris"].matched, by_slug["paris"].created) == (10, 10)
    assert (by_slug["lyon"].matched, by_slug["lyon"].created) == (1, 1)
    assert prospects(world.paris) == sirets(*PARIS_18_KEYS)
    assert prospects(world.lyon) == sirets("lyonimg")  # Lyon 3e is in Lyon (69123)
    assert set(Establishment.objects.values_list("siret", flat=True)) == sirets(
        *PARIS_18_KEYS, "lyonimg"
    )
    assert set(Prospect.objects.values_list("status", "is_current")) == {("new", True)}
    assert registry_audits() == 2
    audit = AuditEntry.objects.get(action="registry.import", cluster=world.paris)
    assert (audit.actor_label, audit.changes["created"], audit.changes["file"]) == (
        "système",
        10,
        CSV.name,
    )


def test_closed_wrong_activity_and_other_communes_are_not_prospects(world):
    registry_import(path=CSV)
    left_out = sirets("closed", "restaurant", "oberkampf", "venue2e", "lyonmusic", "villeurb")
    assert not left_out & set(Establishment.objects.values_list("siret", flat=True))
    assert not left_out & (prospects(world.paris) | prospects(world.lyon))


def test_a_cluster_of_paris_covers_its_twenty_arrondissements(world):
    city = cluster_create(
        name="Musique à Paris",
        slug="paris-ville",
        commune_codes=["75056"],
        naf_codes=["59.20Z", "90.04Z"],
    )
    result = registry_import(path=CSV, cluster=city)

    assert [c.slug for c in result.clusters] == ["paris-ville"]
    assert prospects(city) == sirets(*PARIS_18_KEYS, "oberkampf", "venue2e")
    assert Establishment.objects.get(siret=SIRETS["oberkampf"]).commune_code == "75111"
    assert not prospects(world.paris)  # only the chosen cluster


def test_one_cluster_only_leaves_the_others_alone(world):
    registry_import(path=CSV)
    before = list(Prospect.objects.filter(cluster=world.paris).values())

    result = registry_import(path=CSV, cluster=world.lyon)

    assert [c.slug for c in result.clusters] == ["lyon"]
    assert list(Prospect.objects.filter(cluster=world.paris).values()) == before
    assert AuditEntry.objects.filter(action="registry.import", cluster=world.lyon).count() == 2


def test_clusters_without_territory_or_sectors_are_skipped(world):
    cluster_create(name="Sans secteurs", slug="vide", commune_codes=["75118"])
    result = registry_import(path=CSV)
    assert result.skipped == ["vide"]
    assert "« vide » ignorée" in result.summary()
    assert Prospect.objects.filter(cluster__slug="vide").count() == 0


def test_a_single_cluster_without_sectors_is_refused(world):
    empty = cluster_create(name="Sans secteurs", slug="vide", commune_codes=["75118"])
    with pytest.raises(ValidationError):
        registry_import(path=CSV, cluster=empty)
    assert Establishment.objects.count() == 0


# --- What is stored --------------------------------------------------------------------


def test_establishments_are_stored_with_their_values(world):
    registry_import(path=CSV, legal_units=UNITS)
    label = Establishment.objects.get(siret=SIRETS["label"])
    assert label.siren == SIRENS["label"]
    assert label.name == "LABEL DE LA GOUTTE"
    assert (label.naf_code, label.naf_nomenclature, label.naf25_code) == (
        "59.20Z",
        "NAFRev2",
        "59.20Y",
    )
    assert (label.address, label.postcode, label.commune_code) == (
        "24 rue de la Goutte d'Or",
        "75018",
        "75118",
    )
    assert (str(label.latitude), str(label.longitude)) == ("48.88510", "2.35380")
    assert label.size_band == "11" and label.is_head_office and label.is_active
    assert label.created_on.isoformat() == "2016-03-01"
    assert label.source_updated_at.isoformat() == "2024-11-05T08:41:12+00:00"
    studio = Establishment.objects.get(siret=SIRETS["studio"])
    assert (studio.address, studio.is_head_office) == ("12 bis rue Ordener", False)


def test_partial_diffusion_stores_no_address_no_point_no_persons_name(world):
    registry_import(path=CSV, legal_units=UNITS)
    for key in ("hidden", "hiddenpers"):
        row = Establishment.objects.get(siret=SIRETS[key])
        assert row.is_partial_diffusion
        assert (row.address, row.postcode, row.latitude, row.longitude) == ("", "", None, None)
        assert row.name == ""
        assert row.display_name == f"Établissement {row.siret}"
    names = " ".join(Establishment.objects.values_list("name", flat=True)).upper()
    assert "MARTIN" not in names and "LEROY" not in names and "BERNARD" not in names
    assert Establishment.objects.get(siret=SIRETS["signonly"]).name == "LES SONS DU NORD"


def test_legal_units_name_the_establishments(world):
    result = registry_import(path=CSV, legal_units=UNITS)
    assert (result.legal_units_read, result.legal_units_found) == (16, 9)  # usual has none
    names = dict(Establishment.objects.values_list("siret", "name"))
    assert names[SIRETS["label"]] == "LABEL DE LA GOUTTE"
    assert names[SIRETS["studio"]] == "ORDENER PRODUCTIONS"
    assert names[SIRETS["person"]] == "Claire Dupont"
    assert names[SIRETS["hall2"]] == "SALLE DU NORD"
    assert names[SIRETS["usual"]] == "DISQUAIRE DE LA CHAPELLE"


def test_without_legal_units_the_sign_names_it_and_earlier_names_stay(world):
    registry_import(path=CSV)
    names = dict(Establishment.objects.values_list("siret", "name"))
    assert (names[SIRETS["studio"]], names[SIRETS["label"]]) == ("STUDIO ORDENER", "")

    named = registry_import(path=CSV, legal_units=UNITS)
    again = registry_import(path=CSV)

    # label, studio, person, hall, hall2, nocoords, lyonimg take their legal unit's name
    assert named.updated == 7
    assert (again.updated, again.unchanged) == (0, 11)
    names = dict(Establishment.objects.values_list("siret", "name"))
    assert names[SIRETS["label"]] == "LABEL DE LA GOUTTE"
    assert names[SIRETS["studio"]] == "ORDENER PRODUCTIONS"
    assert names[SIRETS["person"]] == "Claire Dupont"


def test_zip_csv_and_parquet_store_the_same_rows(world):
    registry_import(path=CSV, legal_units=UNITS)
    stored = snapshot()
    for source in (ZIP, PARQUET):
        result = registry_import(path=source, legal_units=UNITS)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 11)
        assert snapshot() == stored


def test_an_unknown_extra_column_in_any_order_is_tolerated(world, tmp_path):
    header = ["nouvelleColonneInsee", *reversed(ESTABLISHMENT_HEADER)]
    rows = [{**row, "nouvelleColonneInsee": "2026"} for row in ESTABLISHMENTS]
    result = registry_import(path=write_stock(tmp_path / "new.csv", rows, header))
    assert result.created == 11
    assert prospects(world.paris) == sirets(*PARIS_18_KEYS)


# --- Re-runs ---------------------------------------------------------------------------


def test_running_the_same_file_again_changes_nothing(world):
    registry_import(path=CSV, legal_units=UNITS)
    stored = snapshot()

    again = registry_import(path=CSV, legal_units=UNITS)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 11)
    assert [(c.slug, c.created, c.updated, c.unchanged, c.retired) for c in again.clusters] == [
        ("lyon", 0, 0, 1, 0),
        ("paris", 0, 0, 10, 0),
    ]
    assert snapshot() == stored


def test_a_prospect_no_longer_in_the_file_is_not_current_then_current_again(world, tmp_path):
    registry_import(path=CSV)

    gone = registry_import(path=write_stock(tmp_path / "gone.csv", without("label")))
    paris = {c.slug: c for c in gone.clusters}["paris"]
    assert (paris.retired, paris.unchanged, paris.matched) == (1, 9, 9)
    assert prospects(world.paris, is_current=False) == sirets("label")
    assert Establishment.objects.filter(siret=SIRETS["label"]).exists()  # shared row stays

    back = registry_import(path=CSV)
    paris = {c.slug: c for c in back.clusters}["paris"]
    assert (paris.updated, paris.retired) == (1, 0)
    assert prospects(world.paris, is_current=False) == set()


def test_an_establishment_that_closed_is_updated_and_its_prospect_retired(world, tmp_path):
    registry_import(path=CSV)
    result = registry_import(
        path=write_stock(
            tmp_path / "closed.csv", changed("label", etatAdministratifEtablissement="F")
        )
    )
    assert result.updated == 1
    assert Establishment.objects.get(siret=SIRETS["label"]).is_active is False
    assert prospects(world.paris, is_current=False) == sirets("label")


def test_an_establishment_that_moved_out_is_updated_and_its_prospect_retired(world, tmp_path):
    registry_import(path=CSV)
    moved = changed("studio", codeCommuneEtablissement="75102", codePostalEtablissement="75002")
    registry_import(path=write_stock(tmp_path / "moved.csv", moved))
    studio = Establishment.objects.get(siret=SIRETS["studio"])
    assert (studio.commune_code, studio.postcode) == ("75102", "75002")
    assert prospects(world.paris, is_current=False) == sirets("studio")


def test_a_managers_status_survives_re_runs(world, tmp_path):
    registry_import(path=CSV)
    prospect = Prospect.objects.get(cluster=world.paris, establishment_id=SIRETS["label"])
    prospect_set_status(
        prospect=prospect, by=world.actor(world.manager), status="contacted", note="Appelé"
    )
    dismissed = Prospect.objects.get(cluster=world.paris, establishment_id=SIRETS["usual"])
    prospect_set_status(prospect=dismissed, by=world.actor(world.manager), status="dismissed")

    registry_import(path=write_stock(tmp_path / "gone.csv", without("label")))
    registry_import(path=CSV)

    prospect.refresh_from_db()
    assert (prospect.status, prospect.note, prospect.is_current) == ("contacted", "Appelé", True)
    assert prospect.contacted_at is not None
    assert Prospect.objects.get(pk=dismissed.pk).status == "dismissed"


# --- Members ---------------------------------------------------------------------------


def test_establishments_of_active_member_firms_are_members_by_siret_or_siren(world):
    hall = make_org("Salle du Nord", siret=SIRETS["hall"], naf="90.04Z")
    make_member(world.paris, hall)
    applicant = make_org("Label candidat", siret=SIRETS["label"])
    make_member(world.paris, applicant, status=Membership.Status.APPLICANT)

    result = registry_import(path=CSV)

    assert {c.slug: c.members for c in result.clusters} == {"paris": 2, "lyon": 0}
    # hall by its SIRET, hall2 (another establishment of the same firm) by its SIREN
    assert prospects(world.paris, status="member") == sirets("hall", "hall2")
    assert (
        Prospect.objects.get(cluster=world.paris, establishment_id=SIRETS["label"]).status == "new"
    )


def test_a_prospect_that_joined_becomes_a_member_on_the_next_run(world):
    registry_import(path=CSV)
    prospect = Prospect.objects.get(cluster=world.paris, establishment_id=SIRETS["person"])
    prospect_set_status(prospect=prospect, by=world.actor(world.manager), status="invited")
    make_member(world.paris, make_org("Claire Dupont", siret=SIRETS["person"], legal_form="1000"))

    result = registry_import(path=CSV)

    paris = {c.slug: c for c in result.clusters}["paris"]
    assert (paris.updated, paris.members) == (1, 1)
    prospect.refresh_from_db()
    assert prospect.status == "member"
    assert registry_import(path=CSV).clusters[1].updated == 0


# --- Refusals --------------------------------------------------------------------------


@pytest.fixture
def bad_files(tmp_path) -> dict[str, Path]:
    data = CSV.read_bytes()
    files = {
        "truncated.csv": data[: len(data) - 30],
        "truncated.zip": ZIP.read_bytes()[:-100],
        "truncated.parquet": PARQUET.read_bytes()[:-100],
        "image.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "notes.txt": b"Bonjour,\nceci n'est pas le registre.\n",
    }
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    header = [h for h in ESTABLISHMENT_HEADER if h != "etatAdministratifEtablissement"]
    rows = [{k: row[k] for k in header} for row in ESTABLISHMENTS]
    paths["no-state.csv"] = write_stock(tmp_path / "no-state.csv", rows, header)
    # A stock is never empty: a header alone would retire every prospect.
    paths["header-only.csv"] = write_stock(tmp_path / "header-only.csv", [])
    return paths


def test_malformed_files_are_refused_and_nothing_is_written(world, bad_files):
    for name, path in bad_files.items():
        with pytest.raises(SireneFormatError) as refused:
            registry_import(path=path)
        assert str(refused.value), name
    assert Establishment.objects.count() == 0
    assert Prospect.objects.count() == 0
    assert registry_audits() == 0


def test_a_refused_file_leaves_the_previous_import_untouched(world, bad_files):
    registry_import(path=CSV, legal_units=UNITS)
    stored, audits = snapshot(), registry_audits()
    for path in bad_files.values():
        with pytest.raises(SireneFormatError):
            registry_import(path=path, legal_units=UNITS)
    assert snapshot() == stored
    assert registry_audits() == audits


def test_a_missing_column_is_refused_with_its_name(world, bad_files):
    with pytest.raises(SireneFormatError, match="etatAdministratifEtablissement"):
        registry_import(path=bad_files["no-state.csv"])
    assert Establishment.objects.count() == 0


def test_a_bad_legal_unit_file_is_refused_before_reading_the_stock(world, tmp_path):
    with pytest.raises(SireneFormatError, match="denominationUniteLegale"):
        registry_import(path=CSV, legal_units=CSV)
    truncated = tmp_path / "units.csv"
    truncated.write_bytes(UNITS.read_bytes()[:-25])
    with pytest.raises(SireneFormatError, match="tronqué"):
        registry_import(path=CSV, legal_units=truncated)
    assert Establishment.objects.count() == 0
    assert Prospect.objects.count() == 0


def test_a_matching_row_with_a_broken_siret_is_refused_with_its_line(world, tmp_path):
    rows = changed("person", siret="123")
    with pytest.raises(SireneFormatError, match="Ligne 4"):
        registry_import(path=write_stock(tmp_path / "bad.csv", rows))
    assert Establishment.objects.count() == 0


# --- Who may run it --------------------------------------------------------------------


def test_a_manager_imports_for_their_own_cluster_only(world):
    result = registry_import(path=CSV, by=world.actor(world.manager))
    assert [c.slug for c in result.clusters] == ["paris"]
    audit = AuditEntry.objects.get(action="registry.import")
    assert (audit.cluster, audit.actor) == (world.paris, world.manager)

    with pytest.raises(PermissionDenied):
        registry_import(path=CSV, cluster=world.lyon, by=world.actor(world.manager))
    with pytest.raises(PermissionDenied):
        registry_import(path=CSV, by=world.actor(world.member_a))
    assert registry_audits() == 1
    assert not prospects(world.lyon)


# --- Job and command -------------------------------------------------------------------


def test_the_job_imports_and_returns_the_summary(world):
    summary = import_registry_job(str(CSV), legal_units=str(UNITS), cluster_slug="paris")
    assert "Grappe « paris » : 10 établissement(s) retenu(s)" in summary
    assert prospects(world.paris) == sirets(*PARIS_18_KEYS)
    assert not prospects(world.lyon)


def test_the_command_prints_what_it_did(world):
    out = io.StringIO()
    call_command("import_registry", str(ZIP), "--legal-units", str(UNITS), stdout=out)
    text = out.getvalue()
    assert "Registre : 18 ligne(s) lue(s), 11 établissement(s) retenu(s)." in text
    assert "Établissements : 11 créé(s), 0 mis à jour, 0 inchangé(s)." in text
    assert "Unités légales : 9 trouvée(s) sur 16 ligne(s) lue(s)." in text
    assert (
        "Grappe « paris » : 10 établissement(s) retenu(s) ; prospects : 10 nouveau(x), "
        "0 mis à jour, 0 inchangé(s), 0 sorti(s) du registre ; 0 déjà membre(s)."
    ) in text
    assert Prospect.objects.count() == 11

    out = io.StringIO()
    call_command("import_registry", str(PARQUET), "--cluster", "lyon", stdout=out)
    assert "Établissements : 0 créé(s), 0 mis à jour, 1 inchangé(s)." in out.getvalue()
    assert "Grappe « paris »" not in out.getvalue()


def test_the_command_refuses_bad_input_with_a_message(world, bad_files):
    with pytest.raises(CommandError, match="Grappe inconnue : nulle-part"):
        call_command("import_registry", str(CSV), "--cluster", "nulle-part")
    with pytest.raises(CommandError, match="Fichier refusé, rien n'a été importé"):
        call_command("import_registry", str(bad_files["truncated.zip"]))
    with pytest.raises(CommandError, match="etatAdministratifEtablissement"):
        call_command("import_registry", str(bad_files["no-state.csv"]))
    assert Establishment.objects.count() == 0
