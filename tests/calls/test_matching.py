"""Matching stored per cluster, with reasons; the recommend_calls command."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from grappe.calls import importers
from grappe.calls.matching import matches_recompute, org_profiles
from grappe.calls.models import CallMatch
from grappe.core.models import AuditEntry
from grappe.members.models import Post
from tests.calls.conftest import AT_PAGE, make_call
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db


def test_profiles_carry_the_members_data_needs_and_commune(world):
    Post.objects.create(
        cluster=world.paris,
        organisation=world.org_a,
        kind="need",
        title="Financer une nouvelle console",
        text="Remplacer la console de mixage du studio.",
    )
    profiles = {p.id: p for p in org_profiles(world.paris)}
    a = profiles[str(world.org_a.pk)]
    assert a.commune == "75118" and a.legal_category == "5710" and a.naf_codes == ("59.20Z",)
    assert a.tags == ("studio",)
    assert a.needs[0].startswith("Financer une nouvelle console")
    assert str(world.org_lyon.pk) not in profiles


def test_matches_are_stored_per_member_with_french_reasons(world):
    studio = make_call("Aide à l'équipement des studios d'enregistrement", where="paris")
    farm = make_call("Aide à l'installation des jeunes agriculteurs", audiences=("farmer",))
    closed = make_call("Studios d'enregistrement : session close", days=-3)
    lyon = make_call("Studios d'enregistrement lyonnais", where="lyon")
    counts = matches_recompute(cluster=world.paris)
    assert counts["organisations"] == 2
    mine = CallMatch.objects.filter(cluster=world.paris, organisation=world.org_a)
    assert set(mine.values_list("call_id", flat=True)) == {studio.pk}
    match = mine.get()
    assert 0 < match.score <= 1
    assert any("département" in r for r in match.reasons)
    assert any("SAS" in r for r in match.reasons)
    assert not CallMatch.objects.filter(call__in=[farm, closed, lyon]).exists()
    assert AuditEntry.objects.filter(cluster=world.paris, action="calls.matches.recompute").exists()


def test_recomputing_replaces_the_matches_and_leaves_other_clusters_alone(world):
    make_call("Aide aux studios d'enregistrement", where="fr")
    matches_recompute(cluster=world.paris)
    matches_recompute(cluster=world.lyon)
    lyon_rows = CallMatch.objects.filter(cluster=world.lyon).count()
    first = set(CallMatch.objects.filter(cluster=world.paris).values_list("pk", flat=True))
    matches_recompute(cluster=world.paris)
    second = set(CallMatch.objects.filter(cluster=world.paris).values_list("pk", flat=True))
    assert first and second and not first & second
    assert CallMatch.objects.filter(cluster=world.paris).count() == len(first)
    assert CallMatch.objects.filter(cluster=world.lyon).count() == lyon_rows


def test_an_association_only_call_never_reaches_a_company(world):
    make_call("Aide aux associations de musique", audiences=("association",))
    matches_recompute(cluster=world.paris)
    assert not CallMatch.objects.filter(cluster=world.paris).exclude(organisation=None).exists()


def test_a_collective_call_is_matched_to_the_cluster(world):
    for n in range(3):
        org = make_org(f"Studio {n}", description="Studio d'enregistrement et de mixage")
        make_member(world.paris, org)
    call = make_call(
        "Projets collectifs de mutualisation entre studios d'enregistrement",
        description="Soutien aux groupements d'au moins trois entreprises qui mutualisent "
        "leurs équipements d'enregistrement et de mixage.",
        where="idf",
    )
    matches_recompute(cluster=world.paris)
    joint = CallMatch.objects.get(cluster=world.paris, organisation=None, call=call)
    assert joint.members and set(joint.members) <= set(
        world.paris.memberships.values_list("organisation_id", flat=True)
    )
    assert any("collectiv" in r for r in joint.reasons)


def _recommend(*args) -> list[dict]:
    out = io.StringIO()
    call_command("recommend_calls", *args, stdout=out)
    return json.loads(out.getvalue())


def test_recommend_calls_prints_the_json_array_best_first(world):
    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    result = _recommend(
        "--cluster", "paris", "--org", world.org_a.siret, "--top", "5",
        "--as-of", "2026-12-01", "--json",
    )  # fmt: skip
    assert result, "a Paris studio has open calls in the sample"
    assert [set(item) for item in result] == [{"id", "title", "score", "reasons"}] * len(result)
    assert all(isinstance(item["id"], str) for item in result)
    scores = [item["score"] for item in result]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    ids = {item["id"] for item in result}
    assert "154873" in ids  # phonographic production, France, companies
    assert "98314" not in ids  # FSER: associations only
    assert "149022" not in ids  # closed on 2026-09-30
    assert "141877" not in ids  # Montreuil only
    assert all(item["reasons"] and isinstance(item["reasons"][0], str) for item in result)


def test_recommend_calls_accepts_siren_slug_and_honours_as_of(world):
    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    by_siren = _recommend("--cluster", "paris", "--org", world.org_a.siren, "--top", "3",
                          "--as-of", "2026-12-01", "--json")  # fmt: skip
    by_slug = _recommend("--cluster", "paris", "--org", world.org_a.slug, "--top", "3",
                         "--as-of", "2026-12-01", "--json")  # fmt: skip
    assert by_siren == by_slug
    later = _recommend("--cluster", "paris", "--org", world.org_a.slug, "--top", "10",
                       "--as-of", "2027-01-20", "--json")  # fmt: skip
    assert "154873" not in {item["id"] for item in later}  # closed on 2027-01-15


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "nowhere", "--org", "x"], "Grappe inconnue"),
        (["--cluster", "paris", "--org", "99999999999999"], "SIRET"),
        (["--cluster", "paris", "--org", "inconnue"], "Aucune structure"),
        (["--cluster", "paris", "--org", "{lyon}"], "pas membre"),
        (["--cluster", "paris", "--org", "{a}", "--as-of", "01/12/2026"], "AAAA-MM-JJ"),
        (["--cluster", "paris", "--org", "{a}", "--top", "0"], "--top"),
    ],
)
def test_recommend_calls_refuses_bad_arguments(world, args, message):
    args = [a.format(lyon=world.org_lyon.slug, a=world.org_a.slug) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("recommend_calls", *args, "--json", stdout=io.StringIO())


def test_recommend_without_a_commune_is_empty(world):
    world.org_b.commune = None
    world.org_b.save()
    make_call()
    assert _recommend("--cluster", "paris", "--org", world.org_b.slug, "--json") == []
    assert timezone.localdate() >= dt.date(2026, 1, 1)
