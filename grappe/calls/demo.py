"""Demo of the calls watch on the Paris cluster: the recorded Aides-territoires page and
about thirty music-sector calls read by the real importers, matches computed, one
collective application in progress, some funding obtained, alerts set for the demo member."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from grappe.calls import importers, services
from grappe.calls.demo_calls import DEMO_CALLS
from grappe.calls.matching import matches_recompute
from grappe.calls.models import (
    AlertPreference,
    Application,
    ApplicationTask,
    Call,
    CallSource,
    Participant,
    SavedSearch,
)
from grappe.core.access import Actor
from grappe.core.models import Cluster, User
from grappe.engine.allocation import allocate

PARIS_SLUG = "musique-paris-18"
AT_PAGE = Path(__file__).parent / "data" / "aides_territoires_page.json"
MARKER = "DEMO-CNM-01"
TURNOVERS = {
    "Studio Goutte d'Or": Decimal("185000.00"),
    "Label Barbès Records": Decimal("92000.00"),
    "La Cigale Souterraine": Decimal("640000.00"),
}


def demo_csv(today: dt.date) -> bytes:
    """The demo calls as a CSV file of the documented format, dates relative to today."""

    def day(offset: int | None) -> str:
        return (today + dt.timedelta(days=offset)).isoformat() if offset is not None else ""

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(importers.CSV_COLUMNS)
    for row in DEMO_CALLS:
        (ident, title, description, eligibility, financers, perimeter, audiences, types,
         categories, recurrence, start, deadline, rate, amount, url) = row  # fmt: skip
        values = {
            "id": ident,
            "title": title,
            "description": description,
            "eligibility": eligibility,
            "financers": financers,
            "perimeter": perimeter,
            "targeted_audiences": audiences,
            "aid_types": types,
            "categories": categories,
            "recurrence": recurrence,
            "start_date": day(start),
            "submission_deadline": day(deadline),
            "subvention_rate_upper_bound": rate if rate is not None else "",
            "loan_amount": amount if "loan" in types else "",
            "max_amount": amount if "loan" not in types else "",
            "url": url,
            "is_call_for_project": "oui",
            "licence": "Données de démonstration",
        }
        writer.writerow([values.get(column, "") for column in importers.CSV_COLUMNS])
    return out.getvalue().encode()


def seed() -> list[str]:
    cluster = Cluster.objects.filter(slug=PARIS_SLUG).first()
    if cluster is None or Call.objects.filter(source="csv", source_id=MARKER).exists():
        return []
    today = timezone.localdate()
    at_result = importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    demo_result = importers.calls_import(
        location="appels-de-demonstration.csv", pages=[demo_csv(today)], fmt="csv"
    )
    with transaction.atomic():
        _applications(cluster, today)
        _alerts(cluster)
        _manual_call(cluster, today)
    counts = matches_recompute(cluster=cluster)
    return [
        f"Appels : {at_result.created} d'Aides-territoires et {demo_result.created} de "
        f"démonstration ; {counts['matches']} recommandations pour {counts['organisations']} "
        f"structures, {counts['cluster_matches']} collectives.",
    ]


def _manual_call(cluster: Cluster, today: dt.date) -> None:
    """A call the manager heard of at the town hall, kept for the cluster's people."""
    services.call_create_manual(
        by=Actor.system(cluster),
        name="Fonds d'amorçage des lieux de répétition du 18e",
        perimeter="com:75118",
        description=(
            "Annoncé en conseil d'arrondissement : aide à l'équipement des lieux de répétition "
            "partagés entre plusieurs structures (insonorisation, backline)."
        ),
        financers=["Mairie du 18e arrondissement"],
        targeted_audiences=["association", "private_sector"],
        aid_types=["grant"],
        categories=["Culture et identité collective / patrimoine / sports|Musique"],
        submission_deadline=today + dt.timedelta(days=45),
        max_amount=Decimal("8000.00"),
        is_public=False,
    )


def _org(cluster: Cluster, name: str):
    from grappe.members.models import Organisation

    return Organisation.objects.filter(memberships__cluster=cluster, name=name).first()


def _application(cluster, *, call_id, title, kind, orgs, status, budget, requested, **extra):
    call = Call.objects.get(source="csv", source_id=call_id)
    application = Application.objects.create(
        cluster=cluster,
        call=call,
        kind=kind,
        title=title,
        status=status,
        deadline=call.submission_deadline,
        budget_total=Decimal(budget),
        requested_amount=Decimal(requested),
        **extra,
    )
    weights = {org.pk: Decimal(w) for org, w in orgs}
    shares = allocate(application.budget_total, weights)
    Participant.objects.bulk_create(
        [
            Participant(
                application=application,
                organisation=org,
                role=Participant.Role.LEAD if index == 0 else Participant.Role.PARTNER,
                weight=Decimal(w),
                budget_share=shares[org.pk],
                turnover=TURNOVERS.get(org.name),
            )
            for index, (org, w) in enumerate(orgs)
        ]
    )
    return application


def _applications(cluster: Cluster, today: dt.date) -> None:
    names = ["Studio Goutte d'Or", "Label Barbès Records", "La Cigale Souterraine"]
    orgs = [o for o in (_org(cluster, n) for n in names) if o is not None]
    if len(orgs) < 3:
        return
    studio, label, venue = orgs
    collective = _application(
        cluster,
        call_id="DEMO-CNM-03",
        title="Pôle mutualisé d'enregistrement et de diffusion du 18e",
        kind=Application.Kind.COLLECTIVE,
        orgs=[(studio, "3"), (label, "2"), (venue, "2")],
        status=Application.Status.DRAFT,
        budget="84500.00",
        requested="59150.00",
        co_financing=Decimal("12000.00"),
        summary=(
            "Trois membres de la grappe mettent en commun un studio, une régie mobile et "
            "une programmation de showcases pour les artistes du quartier, avec un emploi "
            "d'ingénieur du son partagé."
        ),
    )
    for title, days, org in (
        ("Réunir les devis du matériel mutualisé", 7, studio),
        ("Lettres d'engagement des trois membres", 12, None),
        ("Budget prévisionnel détaillé sur trois ans", 18, label),
        ("Relecture du dossier par l'équipe de la grappe", 25, None),
    ):
        ApplicationTask.objects.create(
            application=collective,
            title=title,
            due_on=today + dt.timedelta(days=days),
            organisation=org,
        )
    past = [
        ("DEMO-CNM-00", "Premier album de Nour", label, "paid", "24000.00", "12000.00", -150),
        ("DEMO-IDF-00", "Saison des musiques du monde", venue, "obtained", "90000.00",
         "40000.00", -220),
        ("DEMO-PAR-00", "Insonorisation de la petite salle", venue, "paid", "30000.00",
         "12000.00", -330),
        ("DEMO-CNM-00", "Sessions live du studio", studio, "refused", "18000.00", "9000.00",
         -160),
    ]  # fmt: skip
    for call_id, title, org, status, budget, requested, decided in past:
        decided_on = today + dt.timedelta(days=decided)
        obtained = Decimal(requested) if status in ("obtained", "paid") else None
        _application(
            cluster,
            call_id=call_id,
            title=title,
            kind=Application.Kind.INDIVIDUAL,
            orgs=[(org, "1")],
            status=status,
            budget=budget,
            requested=requested,
            submitted_on=decided_on - dt.timedelta(days=60),
            decided_on=decided_on,
            obtained_amount=obtained,
            paid_amount=obtained if status == "paid" else None,
            paid_on=decided_on + dt.timedelta(days=45) if status == "paid" else None,
        )


def _alerts(cluster: Cluster) -> None:
    member = User.objects.filter(email="membre@grappe.demo").first()
    if member is not None:
        AlertPreference.objects.get_or_create(
            user=member,
            cluster=cluster,
            defaults={"threshold": 40, "frequency": AlertPreference.Frequency.WEEKLY},
        )
    manager = User.objects.filter(email="animation@grappe.demo").first()
    if manager is not None:
        SavedSearch.objects.get_or_create(
            user=manager,
            cluster=cluster,
            name="Mutualisation et projets collectifs",
            defaults={"query": "mutualisation", "filters": {}},
        )
        CallSource.objects.get_or_create(
            cluster=cluster,
            url="https://aides-territoires.beta.gouv.fr/api/aids/?text=musique",
            defaults={
                "name": "Aides-territoires : musique",
                "format": CallSource.Format.AIDES_TERRITOIRES,
                "is_active": False,
            },
        )
