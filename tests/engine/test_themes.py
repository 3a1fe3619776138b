"""The common-needs radar engine: themes from members' free texts, in French."""

from __future__ import annotations

import csv
import datetime
import io
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grappe.engine.themes import (
    SERVICE_KINDS,
    Settings,
    TextItem,
    discover_themes,
    radar_to_json,
    read_texts_csv,
)
from grappe.engine.themes.io import parse_texts_csv
from grappe.engine.themes.metrics import (
    adjusted_rand_index,
    as_partition,
    normalized_mutual_info,
)
from grappe.engine.themes.taxonomy import default_taxonomy, parse_taxonomy

DATA = Path(__file__).parent / "data"


def _corpus(name: str) -> tuple[list[TextItem], dict[str, str]]:
    lines = (DATA / f"themes_corpus_{name}.csv").read_text("utf-8").splitlines(keepends=True)
    content = "".join(line for line in lines if not line.startswith("#"))
    gold = {row["id"]: row["gold"] for row in csv.DictReader(io.StringIO(content))}
    return parse_texts_csv(content), gold


@pytest.fixture(scope="module")
def train():
    return _corpus("train")


@pytest.fixture(scope="module")
def train_result(train):
    items, _ = train
    return discover_themes(items, seed=0)


def _items(*texts: str, org: bool = True) -> list[TextItem]:
    return [
        TextItem(id=f"x{i:02d}", text=t, org=f"ORG{i}" if org else None)
        for i, t in enumerate(texts)
    ]


STORAGE = (
    "On cherche un local de stockage pour nos flight cases",
    "Besoin d'un entrepôt partagé pour stocker le matériel",
    "stokage de décors, on n'a plus de place",
)
VINYL = (
    "Commande groupée de pressage vinyle à l'usine",
    "Le pressage des vinyles prend six mois, on se regroupe ?",
    "Qui connaît une usine de pressage de vinyles pas chère ?",
)


# --- quality -----------------------------------------------------------------------------


def test_quality_floor_on_the_train_corpus(train, train_result):
    """The radar agrees with the train corpus's gold themes (held-out is for the bench only)."""
    items, gold = train
    ids = [i.id for i in items]
    truth = [gold[i] for i in ids]
    pred = as_partition(train_result.assignments, ids)
    assert adjusted_rand_index(truth, pred) >= 0.8
    assert normalized_mutual_info(truth, pred) >= 0.88


def test_off_taxonomy_themes_emerge_from_the_data(train_result):
    """Vinyl pressing is not in the taxonomy; it still comes out as a theme, named by its words."""
    emergent = [t for t in train_result.themes if t.taxonomy_key is None]
    assert emergent
    labels = " ".join(t.label.lower() for t in emergent)
    assert "vinyle" in labels or "pressage" in labels


def test_taxonomy_themes_carry_their_french_label(train_result):
    by_key = {t.taxonomy_key: t for t in train_result.themes if t.taxonomy_key}
    assert by_key["paie_intermittents"].label == "Paie des intermittents"
    assert by_key["stockage"].label == "Local de stockage"


# --- determinism -------------------------------------------------------------------------


def test_same_input_and_seed_give_the_same_result(train, train_result):
    items, _ = train
    again = discover_themes(items, seed=0)
    assert again == train_result
    assert radar_to_json(again) == radar_to_json(train_result)


def test_input_order_does_not_change_the_themes(train, train_result):
    items, _ = train
    shuffled = list(items)
    random.Random(3).shuffle(shuffled)
    result = discover_themes(shuffled, seed=0)
    assert result.themes == train_result.themes
    assert dict(result.assignments) == dict(train_result.assignments)
    assert list(result.assignments) == [i.id for i in shuffled]  # caller's order kept


def test_no_step_is_random_so_the_seed_changes_nothing(train, train_result):
    items, _ = train
    assert discover_themes(items, seed=42) == train_result


# --- unassigned texts --------------------------------------------------------------------


def test_a_text_sharing_no_theme_stays_unassigned():
    items = _items(*STORAGE, "Notre chat a disparu dans la cour, si vous le voyez…")
    result = discover_themes(items)
    assert result.assignments["x03"] is None
    assert all("x03" not in t.text_ids for t in result.themes)
    assert {result.assignments[f"x0{i}"] for i in range(3)} == {"stockage"}


def test_a_lone_taxonomy_match_is_not_a_theme():
    """One text about insurance is a need, not yet a shared one."""
    result = discover_themes(_items("Notre assurance matériel a doublé", *VINYL))
    assert result.assignments["x00"] is None
    assert all(t.taxonomy_key != "assurance" for t in result.themes)


def test_every_theme_has_at_least_two_texts(train_result):
    assert all(t.size >= 2 and t.size == len(t.text_ids) for t in train_result.themes)
    assigned = [tid for tid, th in train_result.assignments.items() if th is not None]
    assert sorted(assigned) == sorted(tid for t in train_result.themes for tid in t.text_ids)


def test_empty_input_gives_an_empty_radar():
    result = discover_themes([])
    assert result.themes == [] and result.assignments == {}
    assert radar_to_json(result) == {"texts": [], "themes": []}


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="x00"):
        discover_themes([TextItem("x00", "a"), TextItem("x00", "b")])


# --- members, trend, ranking -------------------------------------------------------------


def test_members_count_distinct_organisations():
    items = [
        TextItem("a", STORAGE[0], org="LABEL-1"),
        TextItem("b", STORAGE[1], org="LABEL-1"),
        TextItem("c", STORAGE[2], org="STUDIO-2"),
    ]
    (theme,) = discover_themes(items).themes
    assert (theme.size, theme.members) == (3, 2)


def test_members_count_texts_when_no_organisation_is_given():
    (theme,) = discover_themes(_items(*STORAGE, org=False)).themes
    assert theme.members == theme.size == 3
    assert radar_to_json(discover_themes(_items(*STORAGE, org=False)))["themes"][0]["members"] == 3


def test_a_text_without_organisation_counts_as_one_member():
    items = [
        TextItem("a", STORAGE[0], org="LABEL-1"),
        TextItem("b", STORAGE[1], org="LABEL-1"),
        TextItem("c", STORAGE[2]),
    ]
    (theme,) = discover_themes(items).themes
    assert theme.members == 2
    assert theme.proposal is not None and theme.proposal.members == ("LABEL-1",)


def test_themes_are_ranked_by_members_then_size(train_result):
    keys = [(-t.members, -t.size, t.id) for t in train_result.themes]
    assert keys == sorted(keys)


def test_trend_counts_texts_per_month_over_the_whole_period():
    items = [
        TextItem("a", STORAGE[0], org="A", date=datetime.date(2025, 1, 5)),
        TextItem("b", STORAGE[1], org="B", date=datetime.date(2025, 1, 20)),
        TextItem("c", STORAGE[2], org="C", date=datetime.date(2025, 3, 2)),
        TextItem("d", VINYL[0], org="D", date=datetime.date(2025, 4, 30)),
        TextItem("e", VINYL[1], org="E"),
        TextItem("f", VINYL[2], org="F", date=datetime.date(2025, 4, 1)),
    ]
    themes = {t.taxonomy_key: t for t in discover_themes(items).themes}
    assert themes["stockage"].trend == {"2025-01": 2, "2025-02": 0, "2025-03": 1, "2025-04": 0}
    assert themes[None].trend == {"2025-01": 0, "2025-02": 0, "2025-03": 0, "2025-04": 2}


# --- labels ------------------------------------------------------------------------------


def test_emergent_labels_are_french_words_from_the_texts():
    result = discover_themes(_items(*VINYL))
    (theme,) = result.themes
    assert theme.taxonomy_key is None and theme.proposal is None
    words = theme.label.lower().replace(",", " ").split()
    assert {"pressage", "vinyle"} & set(words)
    corpus = " ".join(VINYL).lower()
    assert all(w == "et" or w in corpus for w in words)  # French joiner, French words
    assert theme.id.startswith("emergent-")


def test_all_labels_are_french(train_result):
    english = {"the", "and", "of", "for", "storage", "payroll", "theme", "cluster"}
    for theme in train_result.themes:
        assert theme.label and theme.label[0].isupper()
        assert not english & set(theme.label.lower().split())


# --- proposals ---------------------------------------------------------------------------


def test_taxonomy_themes_propose_a_pooled_service_with_its_saving():
    items = [
        TextItem("a", STORAGE[0], org="LABEL-1"),
        TextItem("b", STORAGE[1], org="STUDIO-2"),
        TextItem("c", STORAGE[2], org="SALLE-3"),
    ]
    (theme,) = discover_themes(items).themes
    p = theme.proposal
    entry = default_taxonomy().by_key("stockage")
    assert p is not None and p.kind == "cost_pool" in SERVICE_KINDS
    assert p.members == ("LABEL-1", "SALLE-3", "STUDIO-2")
    expected = (entry.pooled_fixed_monthly / 3 + entry.pooled_per_member_monthly).quantize(
        Decimal("0.01")
    )
    assert p.pooled_monthly == expected
    # a 1,500 € warehouse split three ways costs more than a box alone: no saving yet,
    # and the proposal says from how many members it pays
    assert p.saving_monthly == Decimal("0.00") and expected > entry.alone_monthly
    assert p.break_even_members == 4
    assert p.title and p.cost_note


def test_saving_per_member_grows_with_the_group():
    texts = [*STORAGE, "Louer un entrepôt à plusieurs", "un box de stockage en commun ?"]
    items = [TextItem(f"s{i}", t, org=f"ORG{i}") for i, t in enumerate(texts)]
    (theme,) = discover_themes(items).themes
    p = theme.proposal
    assert theme.members == 5 and p is not None
    assert p.pooled_monthly == Decimal("320.00")  # 1500 / 5 + 20
    assert p.saving_monthly == Decimal("80.00")  # 400 − 320


def test_every_taxonomy_theme_of_two_members_or_more_has_a_proposal(train_result):
    tax = [t for t in train_result.themes if t.taxonomy_key]
    assert tax
    for theme in tax:
        assert theme.proposal is not None
        assert theme.proposal.kind in SERVICE_KINDS
        assert len(theme.proposal.members) == theme.members
        assert theme.proposal.saving_monthly >= 0


def test_no_proposal_when_a_single_member_wrote_every_text():
    items = [TextItem(f"s{i}", t, org="SEUL") for i, t in enumerate(STORAGE)]
    (theme,) = discover_themes(items).themes
    assert theme.members == 1 and theme.proposal is None


@given(members=st.integers(min_value=2, max_value=500))
def test_saving_is_never_negative_and_shares_are_cents(members):
    from grappe.engine.themes.radar import _proposal

    for entry in default_taxonomy().entries:
        p = _proposal(entry, [f"O{i}" for i in range(members)], members)
        assert p is not None
        assert p.saving_monthly >= 0
        assert p.pooled_monthly == p.pooled_monthly.quantize(Decimal("0.01"))
        assert p.saving_monthly == max(p.alone_monthly - p.pooled_monthly, Decimal(0))
        if p.break_even_members is not None:
            assert (p.saving_monthly > 0) == (members >= p.break_even_members)


# --- French language handling ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("stokage urgent pour nos décors", "stockage"),  # typo
        ("on cherche une salle de repet le soir", "salle_repetition"),  # slang, no accent
        ("les declarations GUSO nous prennent un temps fou", "paie_intermittents"),
        ("Qui peut mettre à jour notre site ? plus de webmaster", "communication_numerique"),
        ("Notre expert-comptable coûte trop cher", "comptabilite"),
    ],
)
def test_taxonomy_matching_forgives_typos_accents_and_slang(text, key):
    from grappe.engine.themes._text import analyse

    tax = default_taxonomy()
    assert tax.match(tax.normalise(analyse(text).keys))[0] == key


def test_communication_is_not_mistaken_for_commun():
    """Snowball stems "communication" to "commun"; the radar keeps them apart."""
    from grappe.engine.themes._text import analyse

    tax = default_taxonomy()
    assert tax.match(tax.normalise(analyse("une commande commune à l'usine").keys))[0] is None


def test_taxonomy_refuses_an_unknown_service_kind():
    bad = """
[[entry]]
key = "x"
label = "X"
kind = "barter"
service = "X"
strong = ["x"]
alone_monthly = 1
pooled_fixed_monthly = 1
pooled_per_member_monthly = 0
cost_note = "x"
"""
    with pytest.raises(ValueError, match="barter"):
        parse_taxonomy(bad)


def test_every_taxonomy_entry_is_complete():
    entries = default_taxonomy().entries
    assert len(entries) >= 14
    assert {e.kind for e in entries} == set(SERVICE_KINDS)
    for e in entries:
        assert e.words and e.label and e.service and e.cost_note
        assert e.alone_monthly > 0 and e.pooled_fixed_monthly >= 0


# --- optional sentence encoder -----------------------------------------------------------


def test_an_encoder_can_be_blended_in_deterministically():
    """A fake encoder (no model) exercises the blending path; texts it says are close merge."""
    pytest.importorskip("numpy")
    import numpy as np

    def fake(texts):
        # two directions: texts about babysitting versus everything else
        return np.array(
            [
                [1.0, 0.1] if {"garde", "nounou"} & set(t.lower().split()) else [0.1, 1.0]
                for t in texts
            ]
        )

    items = _items(
        "Garde d'enfants les soirs de concert",
        "Une nounou pour les enfants de l'équipe",
        "garde des petits pendant le festival",
        *VINYL,
    )
    first = discover_themes(items, embedder=fake)
    assert first == discover_themes(items, embedder=fake)
    groups = {first.assignments[f"x0{i}"] for i in range(3)}
    assert len(groups) == 1 and None not in groups
    assert groups.isdisjoint({first.assignments["x03"]})


# --- radar_to_json -----------------------------------------------------------------------


def test_json_has_exactly_the_cli_shape(train, train_result):
    items, _ = train
    out = radar_to_json(train_result)
    assert set(out) == {"texts", "themes"}
    assert [t["id"] for t in out["texts"]] == [i.id for i in items]
    assert all(set(t) == {"id", "theme"} for t in out["texts"])
    assert all(set(t) == {"id", "label", "size", "members"} for t in out["themes"])
    theme_ids = {t["id"] for t in out["themes"]}
    assert {t["theme"] for t in out["texts"]} - {None} == theme_ids
    assert any(t["theme"] is None for t in out["texts"])


# --- read_texts_csv ----------------------------------------------------------------------


def _write(tmp_path, content: str | bytes) -> Path:
    path = tmp_path / "texts.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_csv_with_bom_optional_columns_and_extra_ones(tmp_path):
    path = _write(
        tmp_path,
        "\ufeffid,text,org,date,source\n"
        'a,"Besoin d\'un local, vite",ORG1,2025-02-03,besoin\n'
        "b,Salle de répèt,,,enquete\n",
    )
    items = read_texts_csv(path)
    assert items == [
        TextItem("a", "Besoin d'un local, vite", "ORG1", datetime.date(2025, 2, 3)),
        TextItem("b", "Salle de répèt", None, None),
    ]


def test_csv_with_only_id_and_text(tmp_path):
    items = read_texts_csv(_write(tmp_path, "text,id\nBonjour,1\n"))
    assert items == [TextItem("1", "Bonjour")]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("id,org\n1,A\n", 1, "text"),
        ("", 1, "vide"),
        ("id,text\n1,ok\n2,ok,de trop\n", 3, "champ"),
        ("id,text,date\n1,ok,2025-01-01\n2,ok,2025-13-01\n", 3, "date"),
        ("id,text\n1,ok\n1,encore\n", 3, "déjà vu ligne 2"),
        ("id,text\n1,ok\n,sans id\n", 3, "identifiant"),
        ("id,text\n1,ok\n2,   \n", 3, "texte vide"),
        ('id,text\n1,"sur\ndeux lignes"\n2,ok\n3,ok,x\n', 5, "champ"),
        ("id,text,id\n1,ok,2\n", 1, "double"),
    ],
)
def test_bad_csv_is_refused_with_the_line(tmp_path, content, line, reason):
    with pytest.raises(ValueError, match=rf"ligne {line} .*{reason}"):
        read_texts_csv(_write(tmp_path, content))


def test_non_utf8_csv_is_refused_with_the_line(tmp_path):
    path = _write(tmp_path, "id,text\n1,ok\n2,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"ligne 3 : .*UTF-8"):
        read_texts_csv(path)


def test_blank_lines_are_skipped(tmp_path):
    items = read_texts_csv(_write(tmp_path, "id,text\n\n1,ok\n\n"))
    assert [i.id for i in items] == ["1"]


# --- metrics -----------------------------------------------------------------------------


def test_metrics_on_known_partitions():
    assert adjusted_rand_index("aabb", "xxyy") == 1.0
    assert normalized_mutual_info("aabb", "xxyy") == pytest.approx(1.0)
    assert adjusted_rand_index("aabbcc", "abcabc") < 0
    assert as_partition({"1": "t", "2": None, "3": None}, ["1", "2", "3"])[1:] == [
        "\0" + "2",
        "\0" + "3",
    ]


@given(st.lists(st.integers(0, 4), min_size=2, max_size=40), st.randoms())
def test_ari_is_invariant_to_renaming_and_symmetric(labels, rnd):
    other = list(labels)
    rnd.shuffle(other)
    renamed = [f"t{x * 7}" for x in labels]
    assert adjusted_rand_index(labels, renamed) == pytest.approx(1.0)
    assert adjusted_rand_index(labels, other) == pytest.approx(adjusted_rand_index(other, labels))
    assert 0.0 <= normalized_mutual_info(labels, other) <= 1.0


def test_settings_thresholds_change_the_number_of_themes(train):
    """The number of themes is found by thresholds, not given: a stricter one finds fewer."""
    items, _ = train
    loose = discover_themes(items)
    strict = discover_themes(items, settings=Settings(cluster_threshold=0.9))
    assert len(strict.themes) < len(loose.themes)
