"""French business identifiers: SIREN, SIRET (Luhn check digit) and RNA numbers."""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"
_RNA_RE = re.compile(r"^W\d{9}$")


def clean_digits(value: str) -> str:
    """Remove the spaces, dots and dashes people type inside identifiers."""
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def is_valid_siren(value: str) -> bool:
    value = clean_digits(value)
    return len(value) == 9 and value.isdigit() and luhn_valid(value)


def is_valid_siret(value: str) -> bool:
    value = clean_digits(value)
    if len(value) != 14 or not value.isdigit():
        return False
    if value.startswith(LA_POSTE_SIREN):
        # La Poste's establishments break Luhn; INSEE checks that the digit sum is a
        # multiple of 5 instead (the head office 35600000000048 passes Luhn too).
        return luhn_valid(value) or sum(int(c) for c in value) % 5 == 0
    return luhn_valid(value)


def is_valid_rna(value: str) -> bool:
    """RNA number of an association: W followed by nine digits."""
    return bool(_RNA_RE.match((value or "").strip().upper()))


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to a string of digits (used by generators and tests)."""
    for digit in "0123456789":
        if luhn_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")
