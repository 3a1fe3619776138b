"""Public reference data shared by the instance: communes and registry establishments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Commune(models.Model):
    """A commune (or a municipal arrondissement) of the INSEE official code list."""

    class Kind(models.TextChoices):
        COMMUNE = "COM", _("Commune")
        ASSOCIATED = "COMA", _("Commune associée")
        DELEGATED = "COMD", _("Commune déléguée")
        ARRONDISSEMENT = "ARM", _("Arrondissement municipal")

    code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=4, choices=Kind.choices, default=Kind.COMMUNE)
    department = models.CharField(_("département"), max_length=3, blank=True)
    region = models.CharField(_("région"), max_length=2, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name=_("commune parente"),
    )
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Establishment(models.Model):
    """One establishment of the SIRENE registry (public source row), shared by all clusters."""

    siret = models.CharField(_("SIRET"), max_length=14, primary_key=True)
    siren = models.CharField(_("SIREN"), max_length=9, db_index=True)
    name = models.CharField(_("nom"), max_length=300, blank=True)
    naf_code = models.CharField(_("code NAF"), max_length=6, db_index=True)
    naf_nomenclature = models.CharField(_("nomenclature"), max_length=12, blank=True)
    naf25_code = models.CharField(_("code NAF 2025"), max_length=8, blank=True)
    size_band = models.CharField(_("tranche d'effectif"), max_length=2, blank=True)
    commune_code = models.CharField(_("commune"), max_length=5, db_index=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    is_partial_diffusion = models.BooleanField(_("diffusion partielle"), default=False)
    is_active = models.BooleanField(_("en activité"), default=True)
    is_head_office = models.BooleanField(_("siège"), default=False)
    created_on = models.DateField(_("créé le"), null=True, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("établissement (SIRENE)")
        verbose_name_plural = _("établissements (SIRENE)")
        indexes = [models.Index(fields=["commune_code", "naf_code"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.siret})"

    @property
    def naf_label(self) -> str:
        from grappe.territory.codes import naf_label

        return naf_label(self.naf_code)

    @property
    def display_name(self) -> str:
        return self.name or f"Établissement {self.siret}"
