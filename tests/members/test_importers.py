import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from grappe.core.access import Actor
from grappe.core.models import AuditEntry
from grappe.members.importers import (
    MembersImportError,
    export_csv,
    export_xlsx,
    members_import,
)
from grappe.members.models import Membership, Organisation, Tag

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "members.csv"
HEADER = (
    "siret,name,legal_form,naf,address,postcode,commune,size_band,website,email,phone,"
    "description,tags"
)
GOOD = (
    "77567227200017,Studio Poissonniers,5710,59.20Z,10 rue des Poissonniers,75018,75118,02,"
    "https://a.example.fr,a@example.fr,,Studio d'enregistrement,studio|enregistrement"
)


def run(world, content: bytes, name="members.csv"):
    return members_import(by=Actor.system(world.paris), name=name, content=content)


def snapshot():
    return sorted(
        Organisation.objects.values_list(
            "siret", "rna", "name", "naf_code", "commune_id", "description"
        )
    ), sorted(Membership.objects.values_list("cluster__slug", "organisation__name", "status"))


def test_sample_file_imports_and_second_run_changes_nothing(world):
    first = run(world, SAMPLE.read_bytes())
    assert (first.created, first.updated, first.memberships_created) == (2, 0, 2)
    chorale = Organisation.objects.get(rna="W751234567")
    assert chorale.legal_form == "9220" and chorale.is_association
    assert sorted(chorale.tags.values_list("name", flat=True)) == ["chorale", "gospel"]
    before = snapshot()
    second = run(world, SAMPLE.read_bytes())
    assert (second.created, second.updated, second.unchanged, second.memberships_created) == (
        0,
        0,
        2,
        0,
    )
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="members.import").count() == 1


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: ("\ufeff" + text).encode("utf-8"),
        lambda text: text.replace(",", ";").encode("utf-8"),
        lambda text: ("\ufeff" + text.replace(",", ";")).replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["comma", "bom-comma", "semicolon", "bom-semicolon-crlf"],
)
def test_csv_dialects_are_detected(world, encode):
    text = HEADER + "\n" + GOOD.replace("Studio d'enregistrement", "Studio") + "\n"
    result = run(world, encode(text))
    assert result.created == 1
    org = Organisation.objects.get(siret="77567227200017")
    assert (org.name, org.commune_id, org.naf_code) == ("Studio Poissonniers", "75118", "59.20Z")


def test_xlsx_imports_the_same(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            77567227200017,
            "Studio Poissonniers",
            5710,
            "59.20Z",
            "",
            75018,
            75118,
            "02",
            "",
            "",
            "",
            "Studio",
            "studio",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(world, buffer.getvalue(), name="membres.xlsx")
    assert result.created == 1
    org = Organisation.objects.get(siret="77567227200017")
    assert (org.legal_form, org.postcode, org.commune_id) == ("5710", "75018", "75118")


def test_bad_file_reports_every_bad_line_and_writes_nothing(world):
    before = snapshot()
    text = (
        "\n".join(
            [
                HEADER,
                GOOD,
                "77567227200018,Mauvaise clé,5710,59.20Z,,,75118,,,,,,",
                "77567227200017,Doublon,5710,59.20Z,,,75118,,,,,,",
                "12345678,Trop court,5710,5920Z,,,99999,ZZ,not-a-url,pas-un-mail,,,",
                ",Sans identifiant,,,,,,,,,,,",
            ]
        )
        + "\n"
    )
    with pytest.raises(MembersImportError) as exc:
        run(world, text.encode())
    errors = exc.value.errors
    assert any(e.startswith("Ligne 3 :") and "SIRET" in e for e in errors)
    assert any(e.startswith("Ligne 4 :") and "ligne 2" in e for e in errors)
    line5 = [e for e in errors if e.startswith("Ligne 5 :")]
    assert any("NAF" in e for e in line5) and any("99999" in e for e in line5)
    assert any("ZZ" in e for e in line5) and any("e-mail" in e for e in line5)
    assert any(e.startswith("Ligne 6 :") and "identifiant" in e for e in errors)
    assert snapshot() == before
    assert not Tag.objects.filter(name="enregistrement").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"name,colour\nX,blue\n", "Colonnes inconnues : colour"),
        (b"name\nX\n", "siret, siren ou rna"),
        (HEADER.encode() + b"\n", "Aucune ligne"),
        ("siret,name\n77567227200017,Caf\xe9\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(world, content, message):
    with pytest.raises(MembersImportError, match=message):
        run(world, content)
    assert not Organisation.objects.filter(siret="77567227200017").exists()


def test_reimport_updates_changed_rows_only(world):
    run(world, SAMPLE.read_bytes())
    changed = SAMPLE.read_text().replace("deux cabines", "trois cabines")
    result = run(world, changed.encode())
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert "trois cabines" in Organisation.objects.get(siret="77567227200017").description


def test_export_then_import_is_a_no_op(world):
    """The export's first 15 columns are the import format: a round trip changes nothing."""
    run(world, SAMPLE.read_bytes())
    memberships = Membership.objects.filter(cluster=world.paris).select_related("organisation")
    reader = csv.reader(io.StringIO(export_csv(memberships).decode("utf-8-sig")))
    header = next(reader)
    assert header[:4] == ["siret", "siren", "rna", "name"] and "fee_status" in header
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header[:15])
    writer.writerows(row[:15] for row in reader)
    before = snapshot()
    result = run(world, buffer.getvalue().encode())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)  # 2 imported + world's
    assert snapshot() == before
    assert export_xlsx(memberships)[:2] == b"PK"


def test_command_imports_and_refuses(world, tmp_path, capsys):
    call_command("import_members", str(SAMPLE), "--cluster", "paris")
    assert "2 structure(s) créée(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("siret,name\n1,X\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Ligne 2"):
        call_command("import_members", str(bad), "--cluster", "paris")
    with pytest.raises(CommandError, match="Grappe inconnue"):
        call_command("import_members", str(SAMPLE), "--cluster", "nowhere")
    assert Organisation.objects.filter(name="X").count() == 0


def test_import_through_the_page_is_for_managers(client, world):
    client.force_login(world.member_a)
    url = "/c/paris/manage/memberships/import/"
    with SAMPLE.open("rb") as handle:
        assert client.post(url, {"file": handle}).status_code == 403
    assert not Organisation.objects.filter(rna="W751234567").exists()
    client.force_login(world.manager)
    bad = io.BytesIO(b"siret,name\n1,X\n")
    bad.name = "bad.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 400 and "Ligne 2" in response.content.decode()
    with SAMPLE.open("rb") as handle:
        assert client.post(url, {"file": handle}).status_code == 302
    assert Organisation.objects.filter(rna="W751234567").exists()
