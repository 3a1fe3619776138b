import pytest
from django.core.exceptions import ValidationError

from grappe.core.access import Actor
from grappe.core.models import AuditEntry, Cluster, ClusterRole
from grappe.core.services import cluster_create, cluster_update, role_revoke

pytestmark = pytest.mark.django_db


def test_create_cluster_with_territory_and_sectors(communes):
    cluster = cluster_create(
        name="Grappe", slug="grappe", commune_codes=["75056"], naf_codes=["59.20z", "90.01Z"]
    )
    assert list(cluster.communes.values_list("code", flat=True)) == ["75056"]
    assert cluster.naf_codes == ["59.20Z", "90.01Z"]
    entry = AuditEntry.objects.get(cluster=cluster)
    assert entry.action == "cluster.create" and entry.actor_label == "système"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"commune_codes": ["99999"]}, "Communes inconnues : 99999"),
        ({"naf_codes": ["5920Z"]}, "n'est pas un code NAF"),
        ({"slug": "taken"}, "déjà l'identifiant"),
    ],
)
def test_create_cluster_refuses_bad_input_and_writes_nothing(communes, kwargs, message):
    cluster_create(name="Existing", slug="taken", commune_codes=["75056"])
    args = {"name": "New", "slug": "new", "commune_codes": ["75118"], **kwargs}
    with pytest.raises(ValidationError, match=message):
        cluster_create(**args)
    assert Cluster.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_update_records_what_changed(world):
    actor = Actor(cluster=world.paris, user=world.manager, roles=frozenset({"manager"}))
    cluster_update(
        cluster=world.paris, by=actor, name="Musique 18", commune_codes=["75118", "75117"]
    )
    entry = AuditEntry.objects.filter(action="cluster.update").get()
    assert entry.actor == world.manager
    assert entry.changes["name"] == ["Musique Paris 18e", "Musique 18"]
    assert entry.changes["communes"] == [["75118"], ["75117", "75118"]]


def test_update_without_change_writes_no_audit_line(world):
    actor = Actor.system(world.paris)
    cluster_update(cluster=world.paris, by=actor, name=world.paris.name)
    assert not AuditEntry.objects.filter(action="cluster.update").exists()


def test_last_manager_cannot_be_removed(world):
    with pytest.raises(ValidationError, match="au moins un"):
        role_revoke(
            cluster=world.paris, user=world.manager, role="manager", by=Actor.system(world.paris)
        )
    assert ClusterRole.objects.filter(cluster=world.paris, role="manager").count() == 1
