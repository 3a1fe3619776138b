"""Staff needs read from members' sentences (grappe.engine.staffneeds)."""

from decimal import Decimal

import pytest

from grappe.engine.staffneeds import parse_staff_need

D = Decimal


@pytest.mark.parametrize(
    ("text", "role", "hours"),
    [
        ("Nous cherchons un webmaster une journée par semaine pour le site", "Webmaster", D(7)),
        ("Besoin d'un·e comptable à mi-temps", "Comptable", D("17.5")),
        ("Recherche ingénieur du son 2 jours par semaine en saison", "Ingénieur·e du son", D(14)),
        ("Community manager, 10 h par semaine", "Chargé·e de communication", D(10)),
        ("Régisseuse une demi-journée par semaine", "Régisseur·se", D("3.5")),
        ("Webmestre 3,5 heures/semaine", "Webmaster", D("3.5")),
    ],
)
def test_plain_needs_are_read(text, role, hours):
    need = parse_staff_need(text)
    assert need is not None
    assert (need.role, need.weekly_hours) == (role, hours)


@pytest.mark.parametrize(
    "text",
    [
        "Nous cherchons un local de répétition",  # no role
        "Un webmaster de temps en temps",  # no amount of time
        "Webmaster 60 heures par semaine",  # not a plausible week
        "",
    ],
)
def test_vague_needs_are_left_to_a_person(text):
    assert parse_staff_need(text) is None
