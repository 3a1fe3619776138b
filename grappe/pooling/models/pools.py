"""Cost pools: a recurring or one-off cost shared by participants under an allocation key."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grappe.core.models import Cluster, TimeStampedModel


class CostPool(TimeStampedModel):
    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Récurrent (chaque mois)")
        ONE_OFF = "one_off", _("Ponctuel")

    class Key(models.TextChoices):
        EQUAL = "equal", _("Parts égales")
        SURFACE = "surface", _("Surface occupée")
        WEIGHTS = "weights", _("Pondération")
        BOOKED_TIME = "booked_time", _("Temps réservé")
        CUSTOM = "custom", _("Parts saisies pour chaque mois")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="cost_pools")
    name = models.CharField(_("nom"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.RECURRING)
    amount = models.DecimalField(
        _("montant HT par période (€)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Par mois pour un coût récurrent ; négatif pour un avoir."),
    )
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=4, decimal_places=2, default=Decimal("20.00")
    )
    allocation_key = models.CharField(
        _("clé de répartition"), max_length=12, choices=Key.choices, default=Key.EQUAL
    )
    starts_on = models.DateField(
        _("à partir du"), help_text=_("Pour un coût ponctuel : la date du coût.")
    )
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("pool de coûts")
        verbose_name_plural = _("pools de coûts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="pooling_costpool_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pooling_costpool_dates",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="pooling_costpool_vat"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participation(TimeStampedModel):
    """A firm's participation in a pool, from one date to another (both inclusive)."""

    pool = models.ForeignKey(CostPool, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="pooling_participations"
    )
    joined_on = models.DateField(_("entrée le"))
    left_on = models.DateField(_("sortie le"), null=True, blank=True)
    weight = models.DecimalField(
        _("pondération"), max_digits=10, decimal_places=3, default=Decimal("1")
    )
    surface = models.DecimalField(
        _("surface (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    alone_amount = models.DecimalField(
        _("coût seul par période (€ HT)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Ce que la structure paierait seule : sert au calcul des économies."),
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["organisation__name", "joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="pooling_participation_dates",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="pooling_participation_weight"),
            models.CheckConstraint(
                condition=Q(surface__isnull=True) | Q(surface__gte=0),
                name="pooling_participation_surface",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.pool}"

    def present_on(self, day) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class CustomShare(models.Model):
    """For the ``custom`` key: a participant's weight for one month."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="custom_shares"
    )
    period = models.DateField(_("mois"))  # the first day of the month
    weight = models.DecimalField(_("part"), max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("part du mois")
        verbose_name_plural = _("parts du mois")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "period"], name="pooling_customshare_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="pooling_customshare_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.participation} {self.period:%Y-%m}: {self.weight}"
