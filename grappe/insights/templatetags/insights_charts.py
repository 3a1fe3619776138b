"""Charts drawn on the server: small inline SVG and HTML bars, no JavaScript, no CDN."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _num(v) -> float | None:
    if v is None:
        return None
    return float(Decimal(str(v)))


@register.simple_tag
def sparkline(points, unit="", width=240, height=56):
    """A line over the months (a gap where a month has no value), its last point marked."""
    values = [_num(v) for _m, v in points]
    known = [v for v in values if v is not None]
    if not known:
        return format_html('<span class="muted small">{}</span>', _("pas encore de mesure"))
    lo, hi = min([*known, 0.0]), max(known)
    span = (hi - lo) or 1.0
    step = (width - 8) / max(len(values) - 1, 1)

    def xy(i, v):
        return 4 + i * step, height - 6 - (v - lo) / span * (height - 14)

    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(xy(i, v))
    if current:
        segments.append(current)
    lines = "".join(
        '<polyline fill="none" stroke="#7c3aed" stroke-width="2" points="{}"/>'.format(
            " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
        )
        for seg in segments
    )
    last_i = max(i for i, v in enumerate(values) if v is not None)
    lx, ly = xy(last_i, values[last_i])
    first, last = points[0][0], points[-1][0]
    label = _("Évolution de %(first)s à %(last)s") % {
        "first": date_format(first, "F Y"),
        "last": date_format(last, "F Y"),
    }
    return mark_safe(  # noqa: S308 - numbers and an escaped label only
        f'<svg class="sparkline" role="img" aria-label="{escape(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
        f'<line x1="4" y1="{height - 6}" x2="{width - 4}" y2="{height - 6}" stroke="#e3e1ea"/>'
        f'{lines}<circle cx="{lx:.1f}" cy="{ly:.1f}" r="3.5" fill="#5b21b6"/></svg>'
    )


@register.simple_tag
def month_columns(trend, width=300, height=70):
    """Texts per month as columns (a theme's trend), with the first and last month named."""
    items = sorted((trend or {}).items())
    if not items:
        return ""
    top = max(n for _m, n in items) or 1
    col = min((width - 4) / len(items), 28)
    rects = []
    for i, (month, n) in enumerate(items):
        h = (height - 18) * n / top
        x = 2 + i * col
        rects.append(
            f'<rect x="{x + 1:.1f}" y="{height - 16 - h:.1f}" width="{max(col - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="#a78bfa"><title>{escape(month)} : {n}</title></rect>'
        )
    label = _("Textes par mois, de %(first)s à %(last)s") % {
        "first": items[0][0],
        "last": items[-1][0],
    }
    end = 2 + len(items) * col
    last = (
        f'<text x="{end:.1f}" y="{height - 3}" font-size="10" fill="#555b6e" '
        f'text-anchor="end">{escape(items[-1][0])}</text>'
        if end > 110
        else ""
    )
    return mark_safe(  # noqa: S308 - numbers and escaped labels only
        f'<svg class="columns" role="img" aria-label="{escape(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{"".join(rects)}'
        f'<text x="2" y="{height - 3}" font-size="10" fill="#555b6e">{escape(items[0][0])}</text>'
        f"{last}</svg>"
    )


@register.inclusion_tag("insights/_bars.html")
def bars(rows, unit="", total=None):
    """Horizontal HTML bars: rows of (label, number)."""
    rows = [(row[0], Decimal(str(row[1]))) for row in rows]
    top = max((v for _l, v in rows), default=Decimal(0))
    return {
        "rows": [
            {
                "label": label,
                "value": v,
                "width": int(v * 100 / top) if top > 0 and v > 0 else 0,
            }
            for label, v in rows
        ],
        "unit": unit,
    }


@register.filter
def figure(value, unit=""):
    """A figure with its unit, French style (1 234,5 %)."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    if d == d.to_integral_value():
        places = 0
    elif unit == "€":
        places = 2
    else:  # 6.70 → 6,7 ; 33.33 → 33,33
        places = min(2, -d.normalize().as_tuple().exponent)
    text = number_format(d, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{unit}" if unit else text


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
