"""Factories and a small world of two clusters, shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import count

import factory

from grappe.core.access import Actor, resolve_actor
from grappe.core.models import Cluster, ClusterRole, User
from grappe.core.services import cluster_create
from grappe.engine.identifiers import luhn_complete
from grappe.members.models import Membership, Organisation, Person, Post
from grappe.members.services import _refresh_search

_sirens = count(10_000_000)


def new_siret() -> str:
    siren = luhn_complete(f"{next(_sirens):08d}")
    return luhn_complete(siren + "0001")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def make_org(
    name: str,
    *,
    commune: str = "75118",
    naf: str = "59.20Z",
    legal_form: str = "5710",
    description: str = "",
    tags=(),
    **extra,
) -> Organisation:
    from grappe.members.services import tags_for

    siret = extra.pop("siret", None) or new_siret()
    org = Organisation(
        name=name,
        slug=extra.pop("slug", None) or f"org-{siret}",
        siret=siret,
        siren=siret[:9],
        legal_form=legal_form,
        naf_code=naf,
        commune_id=commune,
        description=description,
        **extra,
    )
    tag_objs = tags_for(tags)
    org.commune  # noqa: B018 - load for the search document
    _refresh_search(org, [t.name for t in tag_objs])
    org.save()
    org.tags.set(tag_objs)
    return org


def make_member(cluster: Cluster, org: Organisation, status=Membership.Status.ACTIVE, fee="100.00"):
    return Membership.objects.create(
        cluster=cluster, organisation=org, status=status, fee_amount=Decimal(fee)
    )


def make_person(org: Organisation, user: User | None = None, **extra) -> Person:
    return Person.objects.create(
        organisation=org,
        user=user,
        first_name=extra.pop("first_name", "Alex"),
        last_name=extra.pop("last_name", "Martin"),
        email=extra.pop("email", user.email if user else ""),
        **extra,
    )


@dataclass
class World:
    paris: Cluster
    lyon: Cluster
    manager: User
    observer: User
    member_a: User  # works for org_a (Paris)
    member_b: User  # works for org_b (Paris)
    lyon_manager: User
    lyon_member: User
    outsider: User  # an account with no role anywhere
    org_a: Organisation
    org_b: Organisation
    org_lyon: Organisation
    post_public: Post
    post_cluster: Post
    post_managers_a: Post

    def actor(self, user: User | None, cluster: Cluster | None = None) -> Actor:
        return resolve_actor(user, cluster or self.paris)


def build_world() -> World:
    paris = cluster_create(
        name="Musique Paris 18e",
        slug="paris",
        commune_codes=["75118"],
        naf_codes=["59.20Z", "90.04Z"],
    )
    lyon = cluster_create(
        name="Images Lyon", slug="lyon", commune_codes=["69123"], naf_codes=["59.11A"]
    )
    users = {
        n: UserFactory(email=f"{n}@example.org")
        for n in [
            "manager",
            "observer",
            "member_a",
            "member_b",
            "lyon_manager",
            "lyon_member",
            "outsider",
        ]
    }
    ClusterRole.objects.create(cluster=paris, user=users["manager"], role="manager")
    ClusterRole.objects.create(cluster=paris, user=users["observer"], role="observer")
    ClusterRole.objects.create(cluster=lyon, user=users["lyon_manager"], role="manager")
    org_a = make_org("Studio Alpha", description="Studio d'enregistrement", tags=["studio"])
    org_b = make_org("Label Beta", description="Label indépendant", tags=["label"])
    org_lyon = make_org("Images Gamma", commune="69381", naf="59.11A")
    make_member(paris, org_a)
    make_member(paris, org_b)
    make_member(lyon, org_lyon)
    make_person(org_a, users["member_a"])
    make_person(org_b, users["member_b"])
    make_person(org_lyon, users["lyon_member"])

    def post(org, visibility, title):
        return Post.objects.create(
            cluster=paris,
            organisation=org,
            kind="need",
            title=title,
            text=title + " : détails",
            visibility=visibility,
        )

    return World(
        paris=paris,
        lyon=lyon,
        org_a=org_a,
        org_b=org_b,
        org_lyon=org_lyon,
        post_public=post(org_a, "public", "Besoin public"),
        post_cluster=post(org_a, "cluster", "Besoin entre membres"),
        post_managers_a=post(org_a, "managers", "Besoin confidentiel"),
        **users,
    )
