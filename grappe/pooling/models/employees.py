"""Shared employees: a person employed by the cluster whose hours are shared by members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grappe.core.models import Cluster, TimeStampedModel
from grappe.engine import timeshare


def default_daily_hours() -> list[str]:
    return ["7", "7", "7", "7", "7", "0", "0"]


class SharedEmployee(TimeStampedModel):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="shared_employees")
    name = models.CharField(_("nom"), max_length=160)
    role = models.CharField(_("métier"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte de la personne"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shared_jobs",
        help_text=_("Pour qu'elle saisisse elle-même ses heures."),
    )
    yearly_cost = models.DecimalField(
        _("coût salarial annuel chargé (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    yearly_hours = models.DecimalField(
        _("heures travaillées par an"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1607"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    coefficient = models.DecimalField(
        _("coefficient de facturation"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("1.000"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    monthly_fee = models.DecimalField(
        _("frais de gestion mensuels (€ HT)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    weekly_hours = models.DecimalField(
        _("capacité hebdomadaire (heures)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("35"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    daily_hours = models.JSONField(_("heures par jour"), default=default_daily_hours)
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=4, decimal_places=2, default=Decimal("20.00")
    )
    alone_hourly_price = models.DecimalField(
        _("prix seul, par heure (€ HT)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Le tarif d'un prestataire équivalent : sert au calcul des économies."),
    )
    is_active = models.BooleanField(_("en poste"), default=True)

    class Meta:
        verbose_name = _("salarié·e partagé·e")
        verbose_name_plural = _("salarié·es partagé·es")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(yearly_cost__gte=0, monthly_fee__gte=0, coefficient__gte=0),
                name="pooling_employee_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    @property
    def capacity(self) -> timeshare.Capacity:
        return timeshare.Capacity(
            weekly_hours=self.weekly_hours,
            daily_hours=tuple(Decimal(str(h)) for h in self.daily_hours),
        )

    @property
    def hourly_cost(self) -> Decimal:
        return timeshare.hourly_cost(self.yearly_cost, self.yearly_hours)


class HoursRequest(TimeStampedModel):
    """A firm's request for hours: every week on a weekday, or once on a date."""

    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Chaque semaine")
        ONE_OFF = "one_off", _("Une fois")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandée")
        VALIDATED = "validated", _("Validée")
        REFUSED = "refused", _("Refusée")
        CANCELLED = "cancelled", _("Annulée")

    employee = models.ForeignKey(
        SharedEmployee, on_delete=models.CASCADE, related_name="hours_requests"
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="pooling_hours_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("fréquence"), max_length=10, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(_("jour"), null=True, blank=True)
    day = models.DateField(_("date"), null=True, blank=True)
    hours = models.DecimalField(_("heures"), max_digits=5, decimal_places=2)
    starts_on = models.DateField(_("à partir du"), null=True, blank=True)
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    note = models.CharField(_("objet"), max_length=300, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("motif"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("demande d'heures")
        verbose_name_plural = _("demandes d'heures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="recurring", weekday__isnull=False, weekday__lte=6))
                | Q(kind="one_off", day__isnull=False),
                name="pooling_hoursrequest_kind",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="pooling_hoursrequest_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.employee} – {self.hours} h"

    def as_allocation(self) -> timeshare.Allocation:
        if self.kind == self.Kind.RECURRING:
            return timeshare.Recurring(
                member=self.organisation_id,
                weekday=self.weekday,
                hours=self.hours,
                starts=self.starts_on,
                ends=self.ends_on,
            )
        return timeshare.OneOff(member=self.organisation_id, day=self.day, hours=self.hours)

    @property
    def when(self) -> str:
        if self.kind == self.Kind.RECURRING:
            return timeshare.WEEKDAYS[self.weekday]
        return timeshare.fr_date(self.day)


class TimeLog(TimeStampedModel):
    """Hours actually worked for a firm on a day (logged by the employee or a manager)."""

    employee = models.ForeignKey(SharedEmployee, on_delete=models.CASCADE, related_name="time_logs")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="pooling_time_logs"
    )
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("heures"), max_digits=5, decimal_places=2)
    note = models.CharField(_("travail fait"), max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("heures travaillées")
        verbose_name_plural = _("heures travaillées")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="pooling_timelog_hours"
            )
        ]
        indexes = [models.Index(fields=["employee", "day"])]

    def __str__(self) -> str:
        return f"{self.employee} {self.day} {self.hours} h"


class StaffNeed(TimeStampedModel):
    """A firm's stated need for a kind of role (hours per week), entered by a manager
    or read from a need the firm posted."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="staff_needs")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("métier"), max_length=120)
    weekly_hours = models.DecimalField(_("heures par semaine"), max_digits=5, decimal_places=2)
    post = models.ForeignKey(
        "members.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("besoin en personnel")
        verbose_name_plural = _("besoins en personnel")
        ordering = ["role", "organisation__name"]
        constraints = [
            models.CheckConstraint(condition=Q(weekly_hours__gt=0), name="pooling_staffneed_hours")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.role} ({self.weekly_hours} h/sem.)"
