"""The pooling demo on the Paris 18e music cluster: realistic, consistent, seeded once."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.pooling.models import (
    Booking,
    CostPool,
    HoursRequest,
    Pledge,
    Resource,
    Study,
    TimeLog,
    UnmetDemand,
)
from grappe.pooling.periods import month_of
from grappe.pooling.selectors import employees, pools

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        model.objects.count()
        for model in (
            Resource,
            Booking,
            CostPool,
            HoursRequest,
            TimeLog,
            Study,
            Pledge,
            UnmetDemand,
        )
    )


def test_pooling_demo_is_seeded_once_and_consistent(capsys):
    call_command("demo", "--seed-only")
    out = capsys.readouterr().out
    assert "ressources partagées" in out and "pools de coûts" in out
    paris = Cluster.objects.get(slug="musique-paris-18")
    kinds = set(Resource.objects.filter(cluster=paris).values_list("kind", flat=True))
    assert kinds == {"room", "storage", "equipment", "vehicle"}
    now = timezone.now()
    bookings = Booking.objects.filter(resource__cluster=paris)
    assert (
        bookings.filter(starts_at__lt=now).exists() and bookings.filter(starts_at__gt=now).exists()
    )
    assert bookings.filter(organisation__name="Studio Goutte d'Or", starts_at__gt=now).exists()
    # Refused requests: on a slot another firm holds, with a note on what was needed.
    unmet = UnmetDemand.objects.filter(resource__cluster=paris)
    assert unmet.count() >= 5 and not unmet.filter(note="").exists()
    for demand in unmet:
        holder = bookings.get(resource=demand.resource, starts_at=demand.starts_at)
        assert holder.organisation_id != demand.organisation_id
    shop = CostPool.objects.get(cluster=paris, name="Boutique partagée rue Myrha")
    assert shop.participations.count() == 6
    split = pools.pool_split(shop, *month_of(timezone.localdate()))
    assert split.total == split.amount
    manager = Actor.system(paris)
    proposals = employees.demand(actor=manager)
    assert any(p.sufficient and "communication" in p.role for p in proposals)
    study = Study.objects.get(cluster=paris, status="open")
    assert "lieux de musique live du 18e" in study.title and study.pledges.count() == 3
    before = counts()
    call_command("demo", "--seed-only")
    assert counts() == before
