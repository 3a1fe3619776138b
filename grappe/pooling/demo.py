"""Demo data of the pooling app, on the Paris 18e music cluster (``grappe demo``).

Shared resources of the cluster (a rehearsal room, a storage box, a sound system, a
van) with bookings over the last and the next two weeks; the co-rented shop on rue
Myrha as a cost pool of six firms split by surface; the room's running costs split by
booked time; a shared webmaster with validated hours, a pending request and hours
worked; stated needs that call for a shared communication officer; an open market
study on the 18e's live music venues with pledges, and a group purchase that went
ahead. Idempotent: each part is added once.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grappe.core.models import Cluster, User
from grappe.engine import bookings as engine
from grappe.members.models import Organisation
from grappe.pooling.models import (
    Booking,
    CostPool,
    HoursRequest,
    Participation,
    Pledge,
    Resource,
    SharedEmployee,
    StaffNeed,
    Study,
    TimeLog,
    UnmetDemand,
)
from grappe.pooling.periods import from_local, monday_of
from grappe.pooling.services.bookings import booking_price

PARIS_SLUG = "musique-paris-18"
D = Decimal

RESOURCES = [
    {
        "kind": Resource.Kind.ROOM,
        "name": "Salle de répétition Myrha",
        "description": (
            "Salle insonorisée de 28 m² au sous-sol de la boutique partagée : batterie, "
            "amplis guitare et basse, sono de façade 2 × 500 W, quatre micros."
        ),
        "location": "14 rue Myrha, 75018 Paris (sous-sol)",
        "capacity": 6,
        "surface": D("28"),
        "opening_hours": ["10:00-23:00"] * 6 + ["14:00-20:00"],
        "slot_minutes": 60,
        "min_notice_hours": 2,
        "max_hours_per_month": D("30"),
        "cancellation_deadline_hours": 24,
        "price": D("12.00"),
        "alone_price_per_hour": D("25.00"),
    },
    {
        "kind": Resource.Kind.STORAGE,
        "name": "Box de stockage Ordener",
        "description": "Box sécurisé de 12 m² pour backline et flight cases, accès par badge.",
        "location": "89 rue Ordener, 75018 Paris",
        "surface": D("12"),
        "opening_hours": ["08:00-20:00"] * 7,
        "slot_minutes": 240,
        "cancellation_deadline_hours": 12,
        "price": D("6.00"),
        "price_unit": Resource.PriceUnit.SLOT,
        "alone_price_per_hour": D("3.00"),
    },
    {
        "kind": Resource.Kind.EQUIPMENT,
        "name": "Sono Yamaha StagePas 1K",
        "description": "Sono portable 2 × 1 000 W avec table de mixage 10 voies et pieds.",
        "location": "À retirer à la boutique, 14 rue Myrha",
        "opening_hours": ["09:00-21:00"] * 7,
        "slot_minutes": 240,
        "min_notice_hours": 24,
        "cancellation_deadline_hours": 48,
        "price": D("30.00"),
        "price_unit": Resource.PriceUnit.SLOT,
        "alone_price_per_hour": D("20.00"),
    },
    {
        "kind": Resource.Kind.VEHICLE,
        "name": "Camion Renault Master 12 m³",
        "description": "Utilitaire 12 m³, permis B, 3 places. Plein à refaire au retour.",
        "location": "Parking Marx-Dormoy, 75018 Paris",
        "opening_hours": ["00:00-24:00"] * 7,
        "slot_minutes": 240,
        "min_notice_hours": 24,
        "max_hours_per_month": D("96"),
        "cancellation_deadline_hours": 48,
        "price": D("35.00"),
        "price_unit": Resource.PriceUnit.SLOT,
        "alone_price_per_hour": D("15.00"),
    },
]

# The co-rented shop on rue Myrha: six firms, split by the surface each uses.
SHOP_PARTICIPANTS = [
    # firm, surface (m²), what it would rent alone per month, joined (months ago)
    ("Studio Goutte d'Or", D("40"), D("1450.00"), 10),
    ("Label Barbès Records", D("18"), D("780.00"), 10),
    ("Disques Ordener", D("22"), D("900.00"), 10),
    ("Lutherie Caulaincourt", D("15"), D("650.00"), 8),
    ("Podcast Factory Myrha", D("12"), D("560.00"), 6),
    ("Label Goutte de Son", D("13"), D("600.00"), 0),  # joins this month, on the 10th
]


def seed() -> list[str]:
    cluster = Cluster.objects.filter(slug=PARIS_SLUG).first()
    if cluster is None:
        return []
    lines = []
    with transaction.atomic():
        orgs = {org.name: org for org in Organisation.objects.filter(memberships__cluster=cluster)}
        today = timezone.localdate()
        if not Resource.objects.filter(cluster=cluster).exists():
            lines.append(_resources(cluster, orgs, today))
        if not CostPool.objects.filter(cluster=cluster).exists():
            lines.append(_pools(cluster, orgs, today))
        if not SharedEmployee.objects.filter(cluster=cluster).exists():
            lines.append(_employees(cluster, orgs, today))
        if not Study.objects.filter(cluster=cluster).exists():
            lines.append(_studies(cluster, orgs, today))
    return lines


def _resources(cluster: Cluster, orgs: dict, today: dt.date) -> str:
    resources = [Resource.objects.create(cluster=cluster, **data) for data in RESOURCES]
    rng = random.Random(30)  # noqa: S311 - demo data
    member = User.objects.filter(email="membre@grappe.demo").first()
    bookers = [
        "Studio Goutte d'Or",
        "Label Barbès Records",
        "Booking Château Rouge",
        "Collectif Sonore Simplon",
        "Afrobeat Academy",
        "Beatmakers du Nord",
        "Label Sous les Pavés",
        "La Fabrique à Chansons",
        "Tournées Stephenson",
    ]
    bookers = [orgs[name] for name in bookers if name in orgs]
    notes = ["Répétition", "Répétition avant concert", "Filage", "Enregistrement maquette", ""]
    rows = []
    for resource in resources:
        rows += _resource_bookings(resource, orgs, bookers, notes, member, rng, today)
    Booking.objects.bulk_create(rows)
    unmet = _unmet_demand(rows, orgs)
    return (
        f"Mutualisation : {len(resources)} ressources partagées, {len(rows)} réservations, "
        f"{unmet} demandes refusées faute de place."
    )


# Requests refused because the slot was taken, with what the firm needed the room for:
# the radar reads these notes with the members' posts and survey answers.
UNMET_NOTES = [
    (Resource.Kind.STORAGE, "Label Goutte de Son", "Un local de stockage pour nos flight-cases"),
    (
        Resource.Kind.STORAGE,
        "Disques Ordener",
        "Il nous faut un espace de stockage pour les vinyles",
    ),
    (
        Resource.Kind.ROOM,
        "Afrobeat Academy",
        "Répétition de l'orchestre : une deuxième salle manque",
    ),
    (Resource.Kind.ROOM, "Beatmakers du Nord", "Enregistrer les voix de l'EP, tout est pris"),
    (Resource.Kind.STORAGE, "Lutherie Caulaincourt", "Stocker les instruments en réparation"),
    (Resource.Kind.ROOM, "Collectif Sonore Simplon", "Répéter avant la tournée, salle complète"),
]


def _unmet_demand(rows: list[Booking], orgs: dict) -> int:
    """Each note on a slot another firm holds on a resource of the note's kind."""
    demands = []
    for index, (kind, name, note) in enumerate(UNMET_NOTES):
        org = orgs.get(name)
        held = (
            [b for b in rows if b.resource.kind == kind and b.organisation_id != org.pk]
            if org
            else []
        )
        if not held:
            continue
        booking = held[(index * 7) % len(held)]
        demands.append(
            UnmetDemand(
                resource=booking.resource,
                organisation=org,
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                note=note,
            )
        )
    UnmetDemand.objects.bulk_create(demands, ignore_conflicts=True)
    return len(demands)


def _resource_bookings(resource, orgs, bookers, notes, member, rng, today) -> list[Booking]:
    rows: list[Booking] = []
    weekly = resource.weekly_hours
    taken: list[tuple[dt.datetime, dt.datetime]] = []
    held: dict[tuple[int, int], int] = {}  # (firm, month) → minutes: the monthly maximum

    def add(org, start, end, note=""):
        minutes = engine.minutes_between(start, end)
        key = (org.pk, start.month)
        limit = resource.rules.max_minutes_per_month
        if any(s < end and start < e for s, e in taken) or (
            limit is not None and held.get(key, 0) + minutes > limit
        ):
            return
        taken.append((start, end))
        held[key] = held.get(key, 0) + minutes
        amount, alone = booking_price(resource, minutes)
        rows.append(
            Booking(
                resource=resource,
                organisation=org,
                booked_by=member if org.name == "Studio Goutte d'Or" else None,
                starts_at=from_local(start),
                ends_at=from_local(end),
                note=note,
                amount=amount,
                alone_amount=alone,
                vat_rate=resource.vat_rate,
            )
        )

    this_monday = monday_of(today)
    at = dt.datetime.combine
    studio, tours = orgs.get("Studio Goutte d'Or"), orgs.get("Tournées Stephenson")
    if resource.kind == Resource.Kind.ROOM and studio:
        # The demo member's own bookings: one next week, one last week.
        add(
            studio,
            at(this_monday + dt.timedelta(days=8), dt.time(18)),
            at(this_monday + dt.timedelta(days=8), dt.time(21)),
            "Répétition avant concert",
        )
        add(
            studio,
            at(this_monday - dt.timedelta(days=4), dt.time(19)),
            at(this_monday - dt.timedelta(days=4), dt.time(21)),
            "Répétition",
        )
    if resource.kind == Resource.Kind.VEHICLE and tours:
        add(
            tours,
            at(this_monday + dt.timedelta(days=11), dt.time(8)),
            at(this_monday + dt.timedelta(days=13), dt.time(20)),
            "Tournée Normandie",
        )
    first = this_monday - dt.timedelta(days=14)
    for offset in range(28):
        day = first + dt.timedelta(days=offset)
        slots = engine.day_slots(day, weekly, [], resource.slot_minutes)
        if not slots:
            continue
        closing = max(e for _s, e in slots)
        wanted = {Resource.Kind.ROOM: 3, Resource.Kind.VEHICLE: 1}.get(resource.kind, 1)
        for _ in range(rng.randint(0, wanted)):
            start, end = rng.choice(slots)
            if resource.kind == Resource.Kind.ROOM:
                end = start + dt.timedelta(hours=rng.choice([2, 2, 3]))
                if end > closing:
                    continue
            if resource.kind == Resource.Kind.VEHICLE and rng.random() < 0.3:
                end = start + dt.timedelta(hours=24)
            note = rng.choice(notes) if resource.kind == Resource.Kind.ROOM else ""
            add(rng.choice(bookers), start, end, note)
    return rows


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = today.year, today.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def _pools(cluster: Cluster, orgs: dict, today: dt.date) -> str:
    shop = CostPool.objects.create(
        cluster=cluster,
        name="Boutique partagée rue Myrha",
        description=(
            "Local commercial de 120 m² co-loué par la grappe au 14 rue Myrha : loyer, "
            "charges, assurance et fibre, répartis selon la surface occupée par chacun."
        ),
        kind=CostPool.Kind.RECURRING,
        amount=D("2640.00"),
        vat_rate=D("20.00"),
        allocation_key=CostPool.Key.SURFACE,
        starts_on=_months_ago(today, 10),
    )
    participants = []
    for name, surface, alone, months in SHOP_PARTICIPANTS:
        if name not in orgs:
            continue
        joined = _months_ago(today, months) if months else today.replace(day=10)
        participants.append(
            Participation(
                pool=shop,
                organisation=orgs[name],
                joined_on=joined,
                surface=surface,
                alone_amount=alone,
            )
        )
    Participation.objects.bulk_create(participants)
    room_costs = CostPool.objects.create(
        cluster=cluster,
        name="Entretien de la salle de répétition",
        description=(
            "Électricité, ménage et petit matériel de la salle, selon les heures réservées."
        ),
        kind=CostPool.Kind.RECURRING,
        amount=D("240.00"),
        allocation_key=CostPool.Key.BOOKED_TIME,
        starts_on=_months_ago(today, 3),
    )
    Resource.objects.filter(cluster=cluster, kind=Resource.Kind.ROOM).update(cost_pool=room_costs)
    users = [
        Participation(pool=room_costs, organisation=orgs[name], joined_on=room_costs.starts_on)
        for name in (
            "Studio Goutte d'Or",
            "Label Barbès Records",
            "Booking Château Rouge",
            "Collectif Sonore Simplon",
            "Afrobeat Academy",
            "Beatmakers du Nord",
            "Label Sous les Pavés",
            "La Fabrique à Chansons",
            "Tournées Stephenson",
        )
        if name in orgs
    ]
    Participation.objects.bulk_create(users)
    return (
        f"Mutualisation : 2 pools de coûts (boutique rue Myrha, {len(participants)} structures ; "
        "entretien de la salle au temps réservé)."
    )


def _employees(cluster: Cluster, orgs: dict, today: dt.date) -> str:
    webmaster = SharedEmployee.objects.create(
        cluster=cluster,
        name="Inès Morel",
        role="Webmaster",
        yearly_cost=D("38500.00"),
        yearly_hours=D("1607"),
        coefficient=D("1.10"),
        monthly_fee=D("90.00"),
        weekly_hours=D("21"),
        daily_hours=["7", "7", "7", "0", "0", "0", "0"],
        alone_hourly_price=D("45.00"),
    )
    manager = User.objects.filter(email="animation@grappe.demo").first()
    start = _months_ago(today, 2)
    plan = [
        (
            "Studio Goutte d'Or",
            0,
            D("7"),
            HoursRequest.Status.VALIDATED,
            "Site et boutique en ligne",
        ),
        ("Label Barbès Records", 1, D("7"), HoursRequest.Status.VALIDATED, "Sorties et newsletter"),
        ("Jazz Club Damrémont", 2, D("3.5"), HoursRequest.Status.VALIDATED, "Agenda des concerts"),
        (
            "Festival Les Nuits de la Goutte",
            2,
            D("3.5"),
            HoursRequest.Status.REQUESTED,
            "Billetterie du festival",
        ),
    ]
    for name, weekday, hours, status, note in plan:
        if name not in orgs:
            continue
        HoursRequest.objects.create(
            employee=webmaster,
            organisation=orgs[name],
            kind=HoursRequest.Kind.RECURRING,
            weekday=weekday,
            hours=hours,
            starts_on=start,
            note=note,
            status=status,
            decided_by=manager if status == HoursRequest.Status.VALIDATED else None,
            decided_at=timezone.now() if status == HoursRequest.Status.VALIDATED else None,
        )
    logs = []
    day = start
    while day < today:
        for name, weekday, hours, status, note in plan[:3]:
            if (
                status == HoursRequest.Status.VALIDATED
                and day.weekday() == weekday
                and name in orgs
            ):
                logs.append(
                    TimeLog(
                        employee=webmaster,
                        organisation=orgs[name],
                        day=day,
                        hours=hours,
                        note=note,
                        logged_by=manager,
                    )
                )
        day += dt.timedelta(days=1)
    TimeLog.objects.bulk_create(logs)
    needs = [
        ("Label Nuits de la Chapelle", "Chargé·e de communication", D("7")),
        ("Label Afro Nord", "Chargé·e de communication", D("7")),
        ("Management Doudeauville", "Chargé·e de communication", D("7")),
        ("Compagnie des Abbesses", "Comptable", D("3.5")),
    ]
    StaffNeed.objects.bulk_create(
        [
            StaffNeed(cluster=cluster, organisation=orgs[name], role=role, weekly_hours=hours)
            for name, role, hours in needs
            if name in orgs
        ]
    )
    return (
        f"Mutualisation : une webmaster partagée ({len(logs)} journées saisies), "
        f"{len(needs)} besoins en personnel déclarés."
    )


def _studies(cluster: Cluster, orgs: dict, today: dt.date) -> str:
    manager = User.objects.filter(email="animation@grappe.demo").first()
    study = Study.objects.create(
        cluster=cluster,
        kind=Study.Kind.STUDY,
        title="Étude de marché : les lieux de musique live du 18e",
        description=(
            "Un cabinet spécialisé recense les 40 lieux de concert du 18e (jauges, "
            "programmation, conditions d'accueil, publics) et interroge 600 spectateurs. "
            "Les participants reçoivent le rapport complet, la base de données des lieux et "
            "une restitution commune."
        ),
        total_price=D("8400.00"),
        vat_rate=D("20.00"),
        min_participants=4,
        pledge_deadline=today + dt.timedelta(days=21),
        late_price=D("2500.00"),
        alone_price=D("8400.00"),
        proposed_by=manager,
    )
    pledgers = ["La Cigale Souterraine", "Le Petit Bain Montmartre", "Booking Château Rouge"]
    Pledge.objects.bulk_create(
        [Pledge(study=study, organisation=orgs[name]) for name in pledgers if name in orgs]
    )
    Study.objects.filter(pk=study.pk).update(created_at=timezone.now() - dt.timedelta(days=9))
    for days, pledge in zip((8, 5, 2), study.pledges.order_by("pk"), strict=False):
        Pledge.objects.filter(pk=pledge.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days)
        )
    purchase = Study.objects.create(
        cluster=cluster,
        kind=Study.Kind.PURCHASE,
        title="Achat groupé de flight cases",
        description=(
            "Trente flight cases sur mesure commandés ensemble chez un fabricant de Saint-Ouen."
        ),
        total_price=D("4200.00"),
        min_participants=3,
        pledge_deadline=today - dt.timedelta(days=12),
        alone_price=D("1900.00"),
        status=Study.Status.CONFIRMED,
        decided_at=timezone.now() - dt.timedelta(days=11),
        decision_note="4 engagements sur 3 requis.",
        proposed_by=manager,
        proposed_for=orgs.get("Tournées Stephenson"),
    )
    buyers = [
        "Tournées Stephenson",
        "Studio Goutte d'Or",
        "Scène Mobile 18",
        "Sound System Chapelle",
    ]
    Pledge.objects.bulk_create(
        [Pledge(study=purchase, organisation=orgs[name]) for name in buyers if name in orgs]
    )
    return (
        "Mutualisation : une étude de marché ouverte (3 engagements sur 4), "
        "un achat groupé confirmé."
    )
