"""Money and rates in French: 1 234,50 € (narrow no-break space), 5,5 %."""

from decimal import Decimal

from django import template

register = template.Library()
NNBSP = "\u202f"


def format_money(value, *, absolute: bool = False) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if absolute:
        amount = abs(amount)
    sign = "−" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NNBSP}€"


@register.filter
def euro(value) -> str:
    """1234.5 → « 1 234,50 € »."""
    return format_money(value)


@register.filter
def euro_abs(value) -> str:
    """The amount without its sign (a credit note's lines are printed positive)."""
    return format_money(value, absolute=True)


@register.filter
def rate(value) -> str:
    """Decimal("5.50") → « 5,5 % »."""
    if value is None or value == "":
        return "—"
    text = format(Decimal(str(value)).normalize(), "f").replace(".", ",")
    return f"{text}{NNBSP}%"


@register.filter
def qty(value) -> str:
    """Decimal("1.500") → « 1,5 »."""
    if value is None or value == "":
        return ""
    return format(Decimal(str(value)).normalize(), "f").replace(".", ",").replace("-", "−")


@register.filter
def euro_doc(value, credit_note: bool) -> str:
    """As printed on the document: a credit note shows its (negative) amounts reversed."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return format_money(-amount if credit_note else amount)


@register.filter
def qty_doc(value, credit_note: bool) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    return qty(-amount if credit_note else amount)


@register.filter
def period(value: str) -> str:
    """« 2026-10 » → « octobre 2026 »; a year stays as it is."""
    import datetime as dt

    from django.utils.dateformat import format as date_format

    text = str(value)
    if len(text) == 7 and text[4] == "-":
        return date_format(dt.date(int(text[:4]), int(text[5:]), 1), "F Y")
    return text
