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
