"""Calls import: recorded samples of every format, malformed input, idempotent re-import."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from grappe.calls import importers
from grappe.calls.models import Call, CallImport
from grappe.calls.selectors import CallFilters, call_search

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "calls"
AT_PAGE = Path(__file__).resolve().parents[1] / "engine" / "data" / "aides_territoires_page.json"
TODAY = dt.date(2026, 11, 26)


def load(name: str, fmt: str, **kwargs):
    return importers.calls_import(location=str(DATA / name), fmt=fmt, **kwargs)


def test_an_aides_territoires_page_is_imported_with_codes_and_the_raw_record(communes):
    result = importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    assert (result.read, result.created, result.updated, result.unchanged) == (8, 8, 0, 0)
    assert Call.objects.count() == 8
    call = Call.objects.get(source="aides-territoires", source_id="154873")
    assert call.name == "Aide à la production phonographique"
    assert call.targeted_audiences == ["private_sector"]
    assert call.aid_types == ["grant"]
    assert call.recurrence == "recurring"
    assert call.submission_deadline == dt.date(2027, 1, 15)
    assert call.perimeter_scale == "country" and call.perimeter_keys == " fr "
    assert "<p>" not in call.description and "production d'enregistrements" in call.description
    assert call.raw["id"] == 154873 and call.raw["recurrence"] == "Récurrente"
    assert call.licence.startswith("Licence Ouverte")
    region = Call.objects.get(source_id="149022")
    assert region.perimeter_scale == "region" and region.perimeter_keys == " reg:11 "
    run = CallImport.objects.get()
    assert run.ok and run.created == 8


def test_re_importing_the_same_page_changes_nothing(communes):
    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    before = dict(Call.objects.values_list("source_id", "updated_at"))
    result = importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 8)
    assert Call.objects.count() == 8
    assert dict(Call.objects.values_list("source_id", "updated_at")) == before


def test_a_changed_record_is_updated_not_duplicated(communes, tmp_path):
    page = json.loads(AT_PAGE.read_text())
    importers.calls_import(pages=[json.dumps(page).encode()], fmt="aides-territoires")
    page["results"][0]["submission_deadline"] = "2027-02-15"
    result = importers.calls_import(pages=[json.dumps(page).encode()], fmt="aides-territoires")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 7)
    call = Call.objects.get(source_id="154873")
    assert call.submission_deadline == dt.date(2027, 2, 15)
    assert call.raw["submission_deadline"] == "2027-02-15"
    assert Call.objects.count() == 8


def test_a_malformed_page_is_refused_with_the_reason_and_nothing_is_written(communes):
    with pytest.raises(importers.CallsImportError) as exc:
        load("aides_territoires_malformed.json", "aides-territoires")
    assert "submission_deadline" in exc.value.errors[0]
    assert "AAAA-MM-JJ" in exc.value.errors[0]
    assert Call.objects.count() == 0
    run = CallImport.objects.get()
    assert not run.ok and "submission_deadline" in run.message


def test_a_file_that_is_not_json_is_refused(communes):
    with pytest.raises(importers.CallsImportError) as exc:
        importers.calls_import(pages=[b"<html>maintenance</html>"], fmt="aides-territoires")
    assert "JSON invalide" in exc.value.errors[0]
    assert Call.objects.count() == 0


def test_a_csv_file_is_imported_with_labels_or_codes_and_french_dates(communes):
    result = load("calls.csv", "csv")
    assert (result.read, result.created) == (4, 4)
    call = Call.objects.get(source="csv", source_id="PM-2026-01")
    assert call.submission_deadline == dt.date(2027, 1, 15)
    assert call.max_amount == Decimal("30000.00")
    assert call.is_call_for_project is True
    assert call.financers == ["Centre national de la musique (CNM)"]
    paris = Call.objects.get(source_id="PM-2026-02")
    assert paris.targeted_audiences == ["association", "private_sector"]
    assert paris.perimeter_keys == " dep:75 "
    loan = Call.objects.get(source_id="PM-2026-04")
    assert loan.aid_types == ["loan"] and loan.loan_amount == Decimal("25000.00")
    assert loan.recurrence == "ongoing"
    assert load("calls.csv", "csv").unchanged == 4
    assert Call.objects.count() == 4


def test_a_malformed_csv_reports_every_bad_line_and_writes_nothing(communes):
    with pytest.raises(importers.CallsImportError) as exc:
        load("calls_malformed.csv", "csv")
    text = "\n".join(exc.value.errors)
    assert "Ligne 3" in text and "intitulé manquant" in text
    assert "Ligne 4" in text and "hors bornes" in text
    assert "Ligne 5" in text and "date" in text
    assert "Ligne 6" in text and "extraterrestres" in text
    assert "Ligne 2" not in text
    assert Call.objects.count() == 0


def test_a_csv_with_unknown_columns_or_without_title_is_refused(communes):
    with pytest.raises(importers.CallsImportError) as exc:
        importers.calls_import(pages=[b"id,name\n1,Aide\n"], fmt="csv")
    assert "title" in exc.value.errors[0]
    with pytest.raises(importers.CallsImportError) as exc:
        importers.calls_import(pages=[b"id,title,budget\n1,Aide,3\n"], fmt="csv")
    assert "budget" in exc.value.errors[0]
    with pytest.raises(importers.CallsImportError) as exc:
        importers.calls_import(pages=["id,title\n1,Opéra\n".encode("latin-1")], fmt="csv")
    assert "UTF-8" in exc.value.errors[0]
    assert Call.objects.count() == 0


def test_an_rss_feed_is_imported_with_deadlines_read_from_the_text(communes):
    result = load("feed.rss", "rss", default_perimeter="Île-de-France (Région)")
    assert result.created == 2
    fabriques = Call.objects.get(source="rss", source_id="idf-aap-2026-114")
    assert fabriques.submission_deadline == dt.date(2027, 2, 12)
    assert fabriques.perimeter_keys == " reg:11 "
    assert fabriques.origin_url == "https://www.iledefrance.fr/aides/fabriques-de-culture"
    assert fabriques.categories == ["Spectacle vivant"]
    assert fabriques.raw["title"].startswith("Fabriques de culture")
    studios = Call.objects.get(source_id="idf-aap-2026-121")
    assert studios.submission_deadline == dt.date(2027, 3, 5)
    assert load("feed.rss", "rss", default_perimeter="Île-de-France (Région)").unchanged == 2


def test_an_atom_feed_is_imported(communes):
    result = load("feed.atom", "rss", default_perimeter="Paris (Département)")
    assert result.created == 1
    call = Call.objects.get(source="rss")
    assert call.source_id == "urn:paris:aap:2026:musique-quartiers"
    assert call.submission_deadline == dt.date(2027, 1, 20)


def test_a_malformed_feed_is_refused_and_changes_nothing(communes):
    with pytest.raises(importers.CallsImportError) as exc:
        load("feed_malformed.rss", "rss")
    assert "illisible" in exc.value.errors[0] or "n'est pas un flux" in exc.value.errors[0]
    with pytest.raises(importers.CallsImportError):
        importers.calls_import(pages=[b"Bonjour, ceci n'est pas un flux."], fmt="rss")
    assert Call.objects.count() == 0


def test_an_unknown_format_or_missing_file_is_refused(communes, tmp_path):
    with pytest.raises(importers.CallsImportError) as exc:
        importers.calls_import(location=str(AT_PAGE), fmt="xml")
    assert "Format inconnu" in exc.value.errors[0]
    with pytest.raises(importers.CallsImportError) as exc:
        importers.calls_import(location=str(tmp_path / "absent.json"), fmt="aides-territoires")
    assert "illisible" in exc.value.errors[0]
    assert Call.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date limite de dépôt : 12 février 2027.", "2027-02-12"),
        ("Candidatures jusqu'au 05/03/2027", "2027-03-05"),
        ("Clôture le 1er avril 2027", "2027-04-01"),
        ("Date limite : 31 février 2027", None),
        ("Ouvert toute l'année", None),
    ],
)
def test_deadline_in_feed_text(text, expected):
    assert importers.deadline_in(text) == expected


def test_searching_a_commune_finds_calls_of_its_department_region_country_and_europe(communes):
    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    load("calls.csv", "csv")
    found = call_search(actor=None, filters=CallFilters(territory="75118", open=False), today=TODAY)
    scales = {c.perimeter_scale for c in found}
    assert scales == {"department", "region", "country", "continent"}
    names = {c.source_id for c in found}
    assert "141877" not in names  # Montreuil's commune call
    assert "137709" not in names  # Métropole de Lyon


def test_search_is_french_aware_and_ranks_the_title_first(communes):
    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    load("calls.csv", "csv")
    found = list(call_search(actor=None, filters=CallFilters(query="phonographiques"), today=TODAY))
    assert found and "phonographique" in found[0].name.lower()
    closed = call_search(actor=None, filters=CallFilters(query="lieux"), today=TODAY)
    assert all(c.is_open_on(TODAY) for c in closed)
