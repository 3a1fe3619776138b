"""Shared resources (premises, rooms, storage, equipment, vehicles), bookings, waitlists.

No double booking: two confirmed bookings of one resource never overlap. The database
enforces it (``grappe.pooling.guard``, migration 0002): an exclusion constraint on
PostgreSQL, triggers on SQLite.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grappe.core.models import Cluster, TimeStampedModel
from grappe.engine import bookings as engine

ZERO = Decimal("0.00")


def default_opening_hours() -> list[str]:
    return ["09:00-22:00"] * 6 + [""]


class Resource(TimeStampedModel):
    """Something members book: a room, a storage box, a sound system, a van."""

    class Kind(models.TextChoices):
        PREMISES = "premises", _("Local")
        ROOM = "room", _("Salle")
        STORAGE = "storage", _("Stockage")
        EQUIPMENT = "equipment", _("Matériel")
        VEHICLE = "vehicle", _("Véhicule")

    class Audience(models.TextChoices):
        ALL = "all", _("Toutes les structures membres")
        LISTED = "listed", _("Seulement les structures choisies")

    class PriceUnit(models.TextChoices):
        HOUR = "hour", _("par heure")
        SLOT = "slot", _("par créneau")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.ROOM)
    name = models.CharField(_("nom"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("adresse ou emplacement"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacité (personnes)"), null=True, blank=True)
    surface = models.DecimalField(
        _("surface (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    opening_hours = models.JSONField(
        _("horaires d'ouverture"),
        default=default_opening_hours,
        help_text=_("Du lundi au dimanche, par exemple « 09:00-12:00, 14:00-22:00 »."),
    )
    audience = models.CharField(
        _("qui peut réserver"), max_length=8, choices=Audience.choices, default=Audience.ALL
    )
    allowed_organisations = models.ManyToManyField(
        "members.Organisation",
        verbose_name=_("structures autorisées"),
        blank=True,
        related_name="+",
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée d'un créneau (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    min_notice_hours = models.PositiveIntegerField(_("délai de prévenance (heures)"), default=0)
    max_hours_per_month = models.DecimalField(
        _("maximum par structure et par mois (heures)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cancellation_deadline_hours = models.PositiveIntegerField(
        _("annulation possible jusqu'à (heures avant)"), default=24
    )
    price = models.DecimalField(
        _("prix HT (€)"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_unit = models.CharField(
        _("prix"), max_length=4, choices=PriceUnit.choices, default=PriceUnit.HOUR
    )
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    alone_price_per_hour = models.DecimalField(
        _("prix seul, par heure (€ HT)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Ce qu'une structure paierait seule ailleurs : sert au calcul des économies."),
    )
    cost_pool = models.ForeignKey(
        "pooling.CostPool",
        verbose_name=_("pool de coûts"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    is_active = models.BooleanField(_("réservable"), default=True)

    class Meta:
        verbose_name = _("ressource partagée")
        verbose_name_plural = _("ressources partagées")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="pooling_resource_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="pooling_resource_price"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=1440),
                name="pooling_resource_slot",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekly_hours(self) -> engine.WeeklyHours:
        return engine.parse_weekly_hours(self.opening_hours)

    @property
    def rules(self) -> engine.Rules:
        return engine.Rules(
            slot_minutes=self.slot_minutes,
            min_notice_minutes=self.min_notice_hours * 60,
            max_minutes_per_month=None
            if self.max_hours_per_month is None
            else int(self.max_hours_per_month * 60),
            cancellation_deadline_minutes=self.cancellation_deadline_hours * 60,
        )


class Closure(models.Model):
    """Days a resource cannot be booked (works, holidays)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField(_("du"))
    last_day = models.DateField(_("au"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="pooling_closure_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.first_day}–{self.last_day}"


class BookingQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Booking.Status.CONFIRMED)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Booking(TimeStampedModel):
    """A member firm's booking of a resource; times are stored in UTC."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmée")
        CANCELLED = "cancelled", _("Annulée")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="bookings")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="pooling_bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    amount = models.DecimalField(_("montant HT (€)"), max_digits=10, decimal_places=2, default=ZERO)
    alone_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    vat_rate = models.DecimalField(max_digits=4, decimal_places=2, default=ZERO)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="pooling_booking_order"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pooling_booking_amount"),
        ]
        indexes = [
            models.Index(fields=["resource", "starts_at"]),
            models.Index(fields=["organisation", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource} – {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return engine.minutes_between(self.starts_at, self.ends_at)

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class WaitlistEntry(TimeStampedModel):
    """A firm waiting for a taken slot; promoted to a booking when it frees up."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("En attente")
        PROMOTED = "promoted", _("Réservée")
        EXPIRED = "expired", _("Expirée")
        WITHDRAWN = "withdrawn", _("Retirée")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="waitlist")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("liste d'attente")
        verbose_name_plural = _("listes d'attente")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "organisation", "starts_at", "ends_at"],
                condition=Q(status="waiting"),
                name="pooling_waitlist_once",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="pooling_waitlist_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ⏳ {self.resource} {self.starts_at:%Y-%m-%d %H:%M}"


class UnmetDemand(TimeStampedModel):
    """A booking refused only because its slot was taken: demand the shared resources did
    not meet. The firm's note on what it needed the room for feeds the needs radar."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="unmet_demands")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)

    class Meta:
        verbose_name = _("demande non satisfaite")
        verbose_name_plural = _("demandes non satisfaites")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "organisation", "starts_at", "ends_at"],
                name="pooling_unmet_demand_once",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="pooling_unmet_demand_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ✗ {self.resource} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return engine.minutes_between(self.starts_at, self.ends_at)
