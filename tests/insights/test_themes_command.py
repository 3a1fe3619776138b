import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

CSV = """id,text,org,date
1,Nous cherchons un local de stockage pour notre matériel,studio-a,2026-01-10
2,Besoin d'un espace de stockage sécurisé pour le backline,label-b,2026-02-03
3,Un box de stockage partagé près de Barbès ?,salle-c,2026-02-20
4,La paie des intermittents nous prend trop de temps,studio-a,2026-01-15
5,Qui connaît un gestionnaire de paie pour les intermittents (GUSO) ?,label-b,2026-03-01
6,Mutualiser la paie des intermittents du spectacle,salle-c,2026-03-05
7,J'aime les pommes,label-b,2026-03-06
"""


def run(tmp_path, *extra):
    path = tmp_path / "texts.csv"
    path.write_text(CSV, encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("themes", str(path), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_themes_json_shape_and_members(tmp_path):
    data = run(tmp_path)
    assert [t["id"] for t in data["texts"]] == ["1", "2", "3", "4", "5", "6", "7"]
    by_id = {t["id"]: t["theme"] for t in data["texts"]}
    assert by_id["1"] == by_id["2"] == by_id["3"] is not None
    assert by_id["4"] == by_id["5"] == by_id["6"] is not None and by_id["4"] != by_id["1"]
    assert by_id["7"] is None
    themes = {t["id"]: t for t in data["themes"]}
    assert themes[by_id["1"]]["members"] == 3 and themes[by_id["1"]]["size"] == 3
    assert set(themes[by_id["4"]]) == {"id", "label", "size", "members"}


def test_same_input_and_seed_same_output(tmp_path):
    assert run(tmp_path, "--seed", "7") == run(tmp_path, "--seed", "7")


def test_bad_csv_is_refused_with_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,text\n1,ok\n2,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="3"):
        call_command("themes", str(path), "--json")
    with pytest.raises(CommandError, match="introuvable"):
        call_command("themes", str(tmp_path / "missing.csv"))
