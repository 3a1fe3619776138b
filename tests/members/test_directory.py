import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grappe.members.models import Membership
from grappe.members.selectors import DirectoryFilters, directory_geojson, directory_search
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(world):
    orgs = {
        "studio": make_org(
            "Studios de la Chapelle",
            description="Enregistrement et mixage",
            tags=["studio"],
            size_band="02",
        ),
        "ecole": make_org(
            "École de musique Lepic",
            naf="85.52Z",
            legal_form="9220",
            description="Cours de piano pour enfants",
            tags=["enseignement"],
        ),
        "salle": make_org(
            "La Boule Noire", naf="90.04Z", description="Salle de concerts rock", commune="75117"
        ),
        "left": make_org("Studio Parti", description="Studio fermé"),
        "lyon": make_org("Studio Lyonnais", commune="69381", description="Studio d'enregistrement"),
    }
    for key in ("studio", "ecole", "salle"):
        make_member(world.paris, orgs[key])
    make_member(world.paris, orgs["left"], status=Membership.Status.LEFT)
    make_member(world.lyon, orgs["lyon"])
    return orgs


def names(world, **filters):
    return [
        o.name for o in directory_search(cluster=world.paris, filters=DirectoryFilters(**filters))
    ]


def test_search_ignores_accents_case_and_plurals(world, directory):
    assert names(world, query="ECOLES") == ["École de musique Lepic"]
    # The sector's label counts too: every 59.20Z firm is in "enregistrement sonore".
    assert sorted(names(world, query="enregistrements")) == [
        "Label Beta",
        "Studio Alpha",
        "Studios de la Chapelle",
    ]
    assert names(world, query="concert") == ["La Boule Noire"]


def test_every_word_must_match_and_name_matches_rank_first(world, directory):
    assert names(world, query="studio mixage") == ["Studios de la Chapelle"]
    # "studio" is in both names and in Studio Alpha's description; name hits rank first.
    ranked = names(world, query="studio")
    assert ranked[0] in {"Studio Alpha", "Studios de la Chapelle"} and len(ranked) == 2


def test_left_members_and_other_clusters_never_show(world, directory):
    everything = names(world)
    assert "Studio Parti" not in everything and "Studio Lyonnais" not in everything
    assert names(world, query="lyonnais") == []


def test_filters(world, directory):
    assert names(world, naf="85.52Z") == ["École de musique Lepic"]
    assert names(world, commune="75117") == ["La Boule Noire"]
    assert names(world, tag="enseignement") == ["École de musique Lepic"]
    assert names(world, size_band="02") == ["Studios de la Chapelle"]
    assert names(world, naf="85.52Z", query="studio") == []


def test_directory_page_query_count_does_not_grow_with_results(client, world, directory):
    from django.core.cache import cache

    def count_queries():
        cache.clear()  # compare full renders, facets included
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/c/paris/directory/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count_queries()
    for i in range(15):
        org = make_org(f"Label {i}", description="Label indépendant", tags=["label", f"tag{i}"])
        make_member(world.paris, org)
    after = count_queries()
    assert after == before
    assert "Label 14" in client.get("/c/paris/directory/?q=label").content.decode()


def test_htmx_request_gets_only_the_results(client, world, directory):
    response = client.get("/c/paris/directory/?q=piano", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "École de musique Lepic" in body and "<html" not in body


def test_unknown_filter_values_are_ignored(client, world, directory):
    response = client.get("/c/paris/directory/?naf=ZZ&page=999")
    assert response.status_code == 200


def test_geojson_uses_own_point_or_commune_centroid(world, directory):
    directory["studio"].latitude, directory["studio"].longitude = 48.8951, 2.3598
    directory["studio"].save()
    data = directory_geojson(cluster=world.paris)
    features = {f["properties"]["name"]: f for f in data["features"]}
    assert set(features) == {
        "Studio Alpha",
        "Label Beta",
        "Studios de la Chapelle",
        "École de musique Lepic",
        "La Boule Noire",
    }
    exact = features["Studios de la Chapelle"]
    assert exact["geometry"]["coordinates"] == [2.3598, 48.8951]
    assert exact["properties"]["approximate"] is False
    assert features["La Boule Noire"]["properties"]["approximate"] is True
    assert (
        features["La Boule Noire"]["properties"]["url"]
        == f"/c/paris/organisations/{directory['salle'].slug}/"
    )


def test_facets_are_cached_and_refreshed_after_a_change(
    world, directory, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from grappe.core.access import Actor
    from grappe.members.selectors import directory_facets
    from grappe.members.services import membership_set_status

    first = directory_facets(cluster=world.paris)
    with django_assert_num_queries(0):
        assert directory_facets(cluster=world.paris) == first
    membership = directory["salle"].memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        membership_set_status(membership=membership, status="left", by=Actor.system(world.paris))
    after = directory_facets(cluster=world.paris)
    assert "75117" in [c["commune_id"] for c in first["communes"]]
    assert "75117" not in [c["commune_id"] for c in after["communes"]]
