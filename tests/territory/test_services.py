import pytest

from grappe.territory.models import Commune
from grappe.territory.services import (
    DATA_DIR,
    ReferenceImportError,
    commune_codes_expand,
    communes_import,
    reference_load_bundled,
)

pytestmark = pytest.mark.django_db

HEADER = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"


def test_bundled_reference_has_paris_and_its_twenty_arrondissements():
    reference_load_bundled()
    paris = Commune.objects.get(code="75056")
    assert paris.arrondissements.count() == 20
    arr18 = Commune.objects.get(code="75118")
    assert arr18.kind == Commune.Kind.ARRONDISSEMENT
    assert (arr18.department, arr18.region, arr18.postcode) == ("75", "11", "75018")
    assert arr18.latitude is not None and 48.88 < float(arr18.latitude) < 48.90


def test_import_is_idempotent():
    first = communes_import(DATA_DIR / "communes.csv")
    count = Commune.objects.count()
    second = communes_import(DATA_DIR / "communes.csv")
    assert first.created == count
    assert (second.created, second.updated, second.unchanged) == (0, 0, count)
    assert Commune.objects.count() == count


def test_commune_wins_over_a_delegated_commune_with_the_same_code(tmp_path):
    path = tmp_path / "cog.csv"
    path.write_text(
        HEADER + "COMD,49092,,,,,0,CHEMILLE,Chemillé,Chemillé,,49092\n"
        "COM,49092,52,49,49D,491,0,CHEMILLE EN ANJOU,Chemillé-en-Anjou,Chemillé-en-Anjou,4904,\n",
        encoding="utf-8",
    )
    communes_import(path)
    commune = Commune.objects.get(code="49092")
    assert (commune.kind, commune.name) == ("COM", "Chemillé-en-Anjou")


def test_semicolon_and_bom_are_read(tmp_path):
    path = tmp_path / "cog.csv"
    path.write_bytes(
        (
            "\ufeff"
            + HEADER.replace(",", ";")
            + "COM;93066;11;93;93D;932;0;SAINT DENIS;Saint-Denis;Saint-Denis;;\n"
        ).encode()
    )
    summary = communes_import(path)
    assert summary.created == 1
    assert Commune.objects.get(code="93066").department == "93"


def test_bad_file_is_refused_with_lines_and_writes_nothing(tmp_path):
    path = tmp_path / "cog.csv"
    path.write_text(
        HEADER + "COM,93066,11,93,93D,932,0,SAINT DENIS,Saint-Denis,Saint-Denis,,\n"
        "XXX,93048,11,93,93D,932,0,MONTREUIL,Montreuil,Montreuil,,\n"
        "COM,930,11,93,93D,932,0,X,X,X,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceImportError) as exc:
        communes_import(path)
    assert "Ligne 3" in exc.value.errors[0] and "XXX" in exc.value.errors[0]
    assert "Ligne 4" in exc.value.errors[1]
    assert Commune.objects.count() == 0


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "cog.csv"
    path.write_text("COM,LIBELLE\n75056,Paris\n", encoding="utf-8")
    with pytest.raises(ReferenceImportError, match="TYPECOM"):
        communes_import(path)
    assert Commune.objects.count() == 0


def test_paris_expands_to_its_arrondissements():
    reference_load_bundled()
    codes = commune_codes_expand(["75056", "93066"])
    assert {"75056", "93066", "75101", "75118", "75120"} <= codes
    assert len(codes) == 22
    assert commune_codes_expand(["75118"]) == {"75118"}
