"""Pooled studies and group purchases: they go ahead when enough firms pledge."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grappe.core.files import private_storage
from grappe.core.models import Cluster, TimeStampedModel


class Study(TimeStampedModel):
    class Kind(models.TextChoices):
        STUDY = "study", _("Étude mutualisée")
        PURCHASE = "purchase", _("Achat groupé")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte aux engagements")
        CONFIRMED = "confirmed", _("Confirmée")
        CANCELLED = "cancelled", _("Annulée")
        DELIVERED = "delivered", _("Livrée")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="studies")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.STUDY)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"))
    total_price = models.DecimalField(
        _("prix total HT (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=4, decimal_places=2, default=Decimal("20.00")
    )
    min_participants = models.PositiveSmallIntegerField(
        _("nombre minimum de participants"), default=3, validators=[MinValueValidator(1)]
    )
    pledge_deadline = models.DateField(_("date limite d'engagement"))
    late_price = models.DecimalField(
        _("prix pour une structure qui rejoint après la date limite (€ HT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    alone_price = models.DecimalField(
        _("prix pour une structure seule (€ HT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Ce qu'une structure paierait seule : sert au calcul des économies."),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_for = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("proposée par la structure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("étude ou achat groupé")
        verbose_name_plural = _("études et achats groupés")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_price__gt=0), name="pooling_study_price"),
            models.CheckConstraint(condition=Q(min_participants__gte=1), name="pooling_study_min"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def goes_ahead(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.DELIVERED)


class Pledge(TimeStampedModel):
    """A firm's commitment to a study; a late one pays the stated late price."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="pledges")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="pooling_pledges"
    )
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    late_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "organisation"], name="pooling_pledge_once"),
            models.CheckConstraint(
                condition=Q(is_late=False) | Q(late_price__isnull=False),
                name="pooling_pledge_late_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.study}"


class StudyDocument(TimeStampedModel):
    """A result file, for the participants and the managers only (private storage)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="studies/%Y/%m/", storage=private_storage)
    name = models.CharField(_("nom"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("document de résultats")
        verbose_name_plural = _("documents de résultats")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
