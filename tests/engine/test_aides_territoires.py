"""Aides-territoires format: labels to codes, perimeter strings, records and pages."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grappe.engine import aides_territoires as at
from grappe.engine.matching.territory import Perimeter

SAMPLE = Path(__file__).parent / "data" / "aides_territoires_page.json"
FIELDS = [
    "id",
    "slug",
    "url",
    "name",
    "name_initial",
    "short_title",
    "financers",
    "instructors",
    "programs",
    "description",
    "eligibility",
    "perimeter",
    "perimeter_scale",
    "mobilization_steps",
    "origin_url",
    "categories",
    "is_call_for_project",
    "application_url",
    "targeted_audiences",
    "aid_types",
    "is_charged",
    "destinations",
    "start_date",
    "predeposit_date",
    "submission_deadline",
    "subvention_rate_lower_bound",
    "subvention_rate_upper_bound",
    "subvention_comment",
    "loan_amount",
    "recoverable_advance_amount",
    "contact",
    "recurrence",
    "project_examples",
    "import_data_url",
    "import_data_mention",
    "import_share_licence",
    "date_created",
    "date_updated",
    "european_aid",
    "is_live",
]


@pytest.fixture(scope="module")
def page() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def record(page) -> dict:
    return copy.deepcopy(page["results"][0])


# --- the recorded sample ------------------------------------------------------------------


def test_sample_page_is_real_shaped_and_uses_every_documented_field(page):
    assert set(page) == {"count", "next", "previous", "results"}
    assert len(page["results"]) >= 8
    for raw in page["results"]:
        assert set(raw) == set(FIELDS), raw["id"]


def test_sample_page_parses_with_codes_and_no_unknown_label(page):
    parsed = at.parse_page(page)
    assert parsed.count == 143
    assert parsed.next.endswith("page=2&text=musique")
    assert parsed.previous is None
    assert [r.id for r in parsed.records] == [str(r["id"]) for r in page["results"]]
    for record in parsed.records:
        assert record.unknown_labels == ()
        assert set(record.targeted_audiences) <= set(at.TARGETED_AUDIENCES)
        assert set(record.aid_types) <= set(at.AID_TYPES)
        assert set(record.destinations) <= set(at.DESTINATIONS)
        assert set(record.mobilization_steps) <= set(at.MOBILIZATION_STEPS)
        assert record.recurrence in at.RECURRENCES


def test_a_record_keeps_codes_dates_amounts_and_html(page):
    records = {r.id: r for r in at.parse_page(page).records}
    cnm = records["154873"]
    assert cnm.targeted_audiences == ("private_sector",)
    assert cnm.aid_types == ("grant",)
    assert cnm.destinations == ("supply",)
    assert cnm.mobilization_steps == ("op",)
    assert cnm.recurrence == "recurring"
    assert cnm.submission_deadline == date(2027, 1, 15)
    assert cnm.subvention_rate_upper_bound == 50
    assert cnm.categories[1] == (
        "Développement économique / production et consommation",
        "Industrie",
    )
    assert "<strong>" in cnm.description
    assert cnm.date_created.utcoffset() == timedelta(hours=2)
    lyon = records["137709"]
    assert lyon.aid_types == ("recoverable_advance", "grant")
    assert lyon.recoverable_advance_amount == 150000
    europe = records["160201"]
    assert europe.european_aid == "sectorial"
    assert europe.import_share_licence == "Licence ouverte 2.0"
    assert "public_org" in europe.targeted_audiences
    assert records["87120"].loan_amount == 30000
    assert records["98314"].targeted_audiences == ("association",)


def test_sample_has_open_closed_ongoing_and_association_only_aids(page):
    records = at.parse_page(page).records
    as_of = date(2026, 12, 1)
    assert any(not r.is_open(as_of) for r in records)
    assert any(r.is_open(as_of) and r.submission_deadline for r in records)
    assert any(r.recurrence == "ongoing" for r in records)
    assert any(r.targeted_audiences == ("association",) for r in records)


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vocabulary", "label", "code"),
    [
        ("targeted_audiences", "Entreprises privées", "private_sector"),
        ("targeted_audiences", "  entreprises   PRIVÉES ", "private_sector"),
        ("targeted_audiences", "Entreprises privees", "private_sector"),
        ("targeted_audiences", "Collectivités d\u2019outre-mer à statuts particuliers", "special"),
        (
            "targeted_audiences",
            "Établissements publics (écoles, bibliothèques...) / Services de l'État",
            "public_org",
        ),
        ("targeted_audiences", "association", "association"),
        ("aid_types", "Ingénierie Juridique / administrative", "legal_engineering"),
        ("aid_types", "certificat d'économie d'énergie (cee)", "cee"),
        ("recurrence", "Permanente", "ongoing"),
        ("destinations", "Dépenses d'investissement", "investment"),
        ("mobilization_steps", "Mise en oeuvre / réalisation", "op"),
    ],
)
def test_label_to_code_tolerates_case_spacing_accents_and_quotes(vocabulary, label, code):
    assert at.label_to_code(vocabulary, label) == code


@pytest.mark.parametrize("vocabulary", sorted(at.VOCABULARIES))
def test_every_documented_label_maps_back_to_its_code(vocabulary):
    for code, label in at.VOCABULARIES[vocabulary].items():
        assert at.label_to_code(vocabulary, label) == code
        assert at.label_to_code(vocabulary, code) == code


def test_map_labels_keeps_order_drops_duplicates_and_reports_unknown_labels():
    mapping = at.map_labels(
        "targeted_audiences", ["Associations", "Fondations", "associations", "Communes", " "]
    )
    assert mapping.codes == ("association", "commune")
    assert mapping.unknown == ("Fondations",)


def test_unknown_vocabulary_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown vocabulary"):
        at.label_to_code("colours", "Bleu")


def test_unknown_labels_in_a_record_are_reported_not_fatal(record):
    record["targeted_audiences"] = ["Associations", "Fondations d'entreprise"]
    record["recurrence"] = "Annuelle"
    parsed = at.parse_aid(record)
    assert parsed.targeted_audiences == ("association",)
    assert parsed.recurrence is None
    assert parsed.unknown_labels == (
        ("targeted_audiences", "Fondations d'entreprise"),
        ("recurrence", "Annuelle"),
    )


# --- perimeters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "scale", "postcodes"),
    [
        ("Île-de-France (Région)", "Île-de-France", "region", ()),
        ("Paris (Département)", "Paris", "department", ()),
        ("Métropole de Lyon (EPCI)", "Métropole de Lyon", "epci", ()),
        ("Montreuil (Commune \u2013 93100)", "Montreuil", "commune", ("93100",)),
        (
            "Paris (Commune \u2013 75001, 75002, 75018)",
            "Paris",
            "commune",
            ("75001", "75002", "75018"),
        ),
        ("Ajaccio (Commune \u2013 20000)", "Ajaccio", "commune", ("20000",)),
        ("Saint-Denis (Commune)", "Saint-Denis", "commune", ()),
        ("Seine-Normandie (Bassin hydrographique)", "Seine-Normandie", "basin", ()),
        ("Bassin Rhône-Méditerranée", "Bassin Rhône-Méditerranée", "basin", ()),
        ("France", "France", "country", ()),
        ("Europe", "Europe", "continent", ()),
        ("Outre-mer", "Outre-mer", "overseas", ()),
        ("France métropolitaine", "France métropolitaine", "mainland", ()),
        ("Massif central", "Massif central", "adhoc", ()),
        ("Vallée de la Seine (Normandie)", "Vallée de la Seine (Normandie)", "adhoc", ()),
        ("  Paris   (Département) ", "Paris", "department", ()),
    ],
)
def test_parse_perimeter_reads_name_scale_and_postcodes(text, name, scale, postcodes):
    assert at.parse_perimeter(text) == at.ParsedPerimeter(name, scale, postcodes)


@pytest.mark.parametrize("text", ["", "   ", None, 12])
def test_empty_or_non_text_perimeter_is_refused(text):
    with pytest.raises(at.MalformedRecord, match="périmètre"):
        at.parse_perimeter(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Île-de-France (Région)", Perimeter.region("11")),
        ("Ile de France (Région)", Perimeter.region("11")),
        ("Provence-Alpes-Côte-d'Azur (Région)", Perimeter.region("93")),
        ("Paris (Département)", Perimeter.department("75")),
        ("Seine-Saint-Denis (Département)", Perimeter.department("93")),
        ("Corse-du-Sud (Département)", Perimeter.department("2A")),
        ("France", Perimeter.france()),
        ("Europe", Perimeter.europe()),
        ("Outre-mer", Perimeter.overseas()),
        ("France métropolitaine", Perimeter.mainland()),
    ],
)
def test_resolve_perimeter_from_builtin_tables(text, expected):
    assert at.resolve_perimeter(at.parse_perimeter(text)).keys == expected.keys


def test_resolve_paris_lyon_marseille_and_their_arrondissements_without_a_table():
    def keys(text):
        return at.resolve_perimeter(at.parse_perimeter(text)).keys

    assert keys("Paris (Commune \u2013 75001, 75002)") == {"com:75056"}
    assert keys("Paris 18e Arrondissement (Commune \u2013 75018)") == {"com:75118"}
    assert keys("Lyon 2e Arrondissement (Commune \u2013 69002)") == {"com:69382"}
    assert keys("Marseille 1er Arrondissement (Commune \u2013 13001)") == {"com:13201"}
    assert keys("Paris 21e Arrondissement (Commune \u2013 75021)") == frozenset()


def test_other_communes_and_areas_resolve_through_the_callers_reference():
    def communes(name, postcodes):
        return {("Montreuil", ("93100",)): "93048"}.get((name, postcodes))

    def area(parsed):
        if parsed.name == "Métropole de Lyon":
            return Perimeter.epci("200046977", parsed.name, ("69123", "69266"))
        return None

    montreuil = at.resolve_perimeter(
        at.parse_perimeter("Montreuil (Commune \u2013 93100)"), commune_code=communes
    )
    assert montreuil.keys == {"com:93048"} and montreuil.scale == "commune"
    lyon = at.resolve_perimeter(at.parse_perimeter("Métropole de Lyon (EPCI)"), area=area)
    assert "com:69266" in lyon.keys and lyon.scale == "epci"


def test_unresolvable_perimeters_keep_name_and_scale_but_no_key():
    for text in ("Montreuil (Commune \u2013 93100)", "Massif central", "Atlantide (Région)"):
        perimeter = at.resolve_perimeter(at.parse_perimeter(text))
        assert not perimeter.resolved
        assert perimeter.name
    assert not at.resolve_perimeter(None).resolved


def test_explicit_perimeter_scale_wins_over_the_display_string(record):
    record["perimeter"] = "Seine-Normandie"
    record["perimeter_scale"] = "Bassin hydrographique"
    assert at.parse_aid(record).perimeter == at.ParsedPerimeter("Seine-Normandie", "basin")
    record["perimeter_scale"] = 8
    assert at.parse_aid(record).perimeter.scale == "basin"
    record["perimeter_scale"] = "Galaxie"
    with pytest.raises(at.MalformedRecord, match="perimeter_scale"):
        at.parse_aid(record)


# --- categories and the open rule ---------------------------------------------------------


def test_split_category():
    assert at.split_category(
        "Culture et identité collective / patrimoine / sports|Spectacle vivant"
    ) == ("Culture et identité collective / patrimoine / sports", "Spectacle vivant")
    assert at.split_category("Spectacle vivant") == ("", "Spectacle vivant")
    with pytest.raises(at.MalformedRecord):
        at.split_category("Culture|")
    with pytest.raises(at.MalformedRecord):
        at.split_category("  ")


def test_is_open_per_formats():
    today = date(2026, 12, 1)
    assert at.is_open(today, "oneoff", today)
    assert at.is_open(today + timedelta(days=1), None, today)
    assert not at.is_open(today - timedelta(days=1), "oneoff", today)
    assert not at.is_open(today - timedelta(days=1), "recurring", today)
    assert at.is_open(today - timedelta(days=400), "ongoing", today)
    assert at.is_open(today - timedelta(days=400), "Permanente", today)
    assert at.is_open(None, "oneoff", today)


@given(
    deadline=st.one_of(st.none(), st.dates()),
    recurrence=st.sampled_from([None, "oneoff", "ongoing", "recurring"]),
    as_of=st.dates(),
)
def test_is_open_is_monotonic_in_time(deadline, recurrence, as_of):
    """Once closed, an aid stays closed on every later date (unless it is ongoing)."""
    if not at.is_open(deadline, recurrence, as_of) and as_of < date.max:
        assert not at.is_open(deadline, recurrence, as_of + timedelta(days=1))


# --- malformed records --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", None, "identifiant"),
        ("id", "", "identifiant"),
        ("id", True, "identifiant"),
        ("name", "", "intitulé"),
        ("name", 42, "texte attendu"),
        ("targeted_audiences", "Associations", "liste"),
        ("aid_types", [1, 2], "liste"),
        ("submission_deadline", "15/01/2027", "AAAA-MM-JJ"),
        ("submission_deadline", "2027-02-30", "impossible"),
        ("start_date", "2027-03-01", "antérieure"),
        ("subvention_rate_upper_bound", 140, "hors bornes"),
        ("subvention_rate_lower_bound", 60, "supérieur"),
        ("loan_amount", "30 000 €", "nombre"),
        ("is_call_for_project", "oui", "booléen"),
        ("categories", ["Culture|"], "catégorie"),
        ("date_updated", "hier", "ISO 8601"),
        ("perimeter", ["France"], "texte attendu"),
    ],
)
def test_malformed_record_is_refused_with_field_and_reason(record, field, value, message):
    record[field] = value
    with pytest.raises(at.MalformedRecord, match=message) as caught:
        at.parse_aid(record)
    assert caught.value.field in {field, "submission_deadline", "subvention_rate_lower_bound"}


def test_a_record_that_is_not_an_object_is_refused():
    with pytest.raises(at.MalformedRecord, match="objet"):
        at.parse_aid(["not", "a", "record"])


def test_nulls_are_empty_values_not_errors(record):
    for name in FIELDS:
        if name not in {"id", "name"}:
            record[name] = None
    parsed = at.parse_aid(record)
    assert parsed.perimeter is None
    assert parsed.financers == () and parsed.submission_deadline is None
    assert parsed.is_live is True and parsed.is_call_for_project is False


def test_a_page_with_one_bad_record_is_refused_whole_with_its_position(page):
    broken = copy.deepcopy(page)
    broken["results"][3]["submission_deadline"] = "bientôt"
    with pytest.raises(at.MalformedRecord, match="résultat n° 4") as caught:
        at.parse_page(broken)
    assert caught.value.record_id == "131456"


@pytest.mark.parametrize(
    "bad_page",
    [[], {"count": 1}, {"results": "x"}, {"count": -1, "results": []}, {"results": [], "next": 3}],
)
def test_a_page_of_the_wrong_shape_is_refused(bad_page):
    with pytest.raises(at.MalformedRecord):
        at.parse_page(bad_page)


def test_duplicate_ids_in_a_page_are_refused(page):
    doubled = copy.deepcopy(page)
    doubled["results"].append(copy.deepcopy(doubled["results"][0]))
    with pytest.raises(at.MalformedRecord, match="double"):
        at.parse_page(doubled)


# --- to the matcher -----------------------------------------------------------------------


def test_html_to_text_drops_tags_decodes_entities_and_collapses_spaces():
    text = at.html_to_text("<p>Jusqu'à 30&nbsp;000&nbsp;€</p><ul><li>un</li><li>deux</li></ul>")
    assert text == "Jusqu'à 30 000 €\n- un\n- deux"
    assert at.html_to_text(None) == ""


def test_call_profile_carries_plain_text_codes_and_resolved_perimeter(page):
    records = at.parse_page(page).records
    profile = at.call_profile(records[1])
    assert profile.id == "149022"
    assert profile.perimeter.keys == {"reg:11"}
    assert profile.targeted_audiences == {"association", "private_sector", "commune"}
    assert "<" not in profile.description and "isolation acoustique" in profile.description
    assert (
        profile.categories[0]
        == "Culture et identité collective / patrimoine / sports|Spectacle vivant"
    )
    assert profile.submission_deadline == date(2026, 9, 30)
