import pytest
from django.core.management import call_command

from grappe.core.models import Cluster, ClusterRole, User
from grappe.members.models import Membership, Organisation, Post, Prospect

pytestmark = pytest.mark.django_db


def counts():
    return (
        Cluster.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        Post.objects.count(),
        User.objects.count(),
        ClusterRole.objects.count(),
    )


def test_demo_seeds_once_and_prints_the_logins(capsys):
    call_command("demo", "--seed-only")
    out = capsys.readouterr().out
    assert "animation@grappe.demo" in out and "grappe-demo" in out
    paris = Cluster.objects.get(slug="musique-paris-18")
    assert Membership.objects.filter(cluster=paris, status="active").count() == 60
    assert Organisation.objects.filter(memberships__cluster=paris, naf_code="59.20Z").count() >= 15
    assert Organisation.objects.filter(memberships__cluster__slug="images-sons-lyon").count() == 8
    # Prospects come from a generated SIRENE extract read by the real importer.
    prospects = Prospect.objects.filter(cluster=paris, is_current=True)
    assert prospects.filter(status="new").count() > 50
    assert prospects.filter(status="member").count() == 12
    assert not prospects.filter(establishment__is_active=False).exists()
    # Every organisation has a valid identifier and sits in its cluster's territory.
    for org in Organisation.objects.filter(memberships__cluster=paris):
        org.full_clean(exclude=["slug", "search_document", "name_document"])
        assert org.commune_id == "75118"
    before = counts()
    call_command("demo", "--seed-only")
    assert counts() == before


def test_generated_federation_tops_up_to_n():
    call_command("demo", "--seed-only", "--orgs", "120")
    generated = Organisation.objects.filter(memberships__cluster__slug__startswith="federation-")
    assert generated.count() == 120
    assert Cluster.objects.filter(slug__startswith="federation-").count() == 12
    call_command("demo", "--seed-only", "--orgs", "120")
    assert generated.count() == 120
    call_command("demo", "--seed-only", "--orgs", "150")
    assert generated.count() == 150
