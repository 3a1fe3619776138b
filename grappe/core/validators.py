"""Validators for identifiers and codes, shared by forms, imports and the API."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grappe.engine import identifiers

NAF_RE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")


def validate_siren(value: str) -> None:
    if not identifiers.is_valid_siren(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un SIREN valide (9 chiffres, clé de contrôle)."),
            params={"value": value},
            code="invalid_siren",
        )


def validate_siret(value: str) -> None:
    if not identifiers.is_valid_siret(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un SIRET valide (14 chiffres, clé de contrôle)."),
            params={"value": value},
            code="invalid_siret",
        )


def validate_rna(value: str) -> None:
    if not identifiers.is_valid_rna(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro RNA valide (W suivi de 9 chiffres)."),
            params={"value": value},
            code="invalid_rna",
        )


def validate_naf_code(value: str) -> None:
    if not NAF_RE.match(value or ""):
        raise ValidationError(
            _("« %(value)s » n'est pas un code NAF (forme attendue : 59.20Z)."),
            params={"value": value},
            code="invalid_naf",
        )
