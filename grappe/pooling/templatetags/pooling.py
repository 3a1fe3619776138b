"""Template filters of the pooling pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(value) -> str:
    """``Decimal("4200")`` → ``"4 200,00 €"`` in French: grouped digits, two decimals,
    non-breaking spaces so that an amount never wraps from its currency."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(value), 2, force_grouping=True) + "\u00a0€"


@register.filter
def hours(value) -> str:
    """``Decimal("3.50")`` → ``"3,5 h"``; ``7`` → ``"7 h"``."""
    if value is None or value == "":
        return ""
    from grappe.engine.timeshare import fr_number

    return fr_number(Decimal(value)) + "\u00a0h"


@register.filter
def rate(value) -> str:
    """An exact unit price, up to four decimals: ``Decimal("26.356")`` → ``"26,356 €"``."""
    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(Decimal("0.0001"))
    places = 2 if value == value.quantize(Decimal("0.01")) else 4
    text = number_format(value, places, force_grouping=True)
    if places == 4:
        text = text.rstrip("0")
    return text + "\u00a0€"


@register.filter
def duration(minutes) -> str:
    """Minutes as French text: ``240`` → ``"4 h"``, ``90`` → ``"1 h 30"``, ``45`` → ``"45 min"``."""
    from grappe.engine.bookings import _fr_duration

    return _fr_duration(int(minutes)).replace(" ", "\u00a0")
