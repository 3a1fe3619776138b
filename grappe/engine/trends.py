"""Changes worth flagging in monthly series. Pure Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Fall:
    name: str
    before: Decimal  # mean of the earlier window
    after: Decimal  # mean of the latest window
    change: Decimal  # percent, negative


def falling(
    series: Mapping[str, Sequence[Decimal | int | None]],
    *,
    window: int = 3,
    drop: Decimal = Decimal("0.3"),
    min_level: Decimal = Decimal("2"),
) -> list[Fall]:
    """Series whose mean over the last ``window`` months fell by at least ``drop`` (a
    share) against the ``window`` months before, from a level worth watching
    (``min_level`` a month). Missing months count as 0. Largest falls first."""
    falls = []
    for name, values in series.items():
        values = [Decimal(str(v)) if v is not None else Decimal(0) for v in values]
        if len(values) < 2 * window:
            continue
        before = sum(values[-2 * window : -window], Decimal(0)) / window
        after = sum(values[-window:], Decimal(0)) / window
        if before < min_level or after > before * (1 - drop):
            continue
        change = (Decimal(100) * (after - before) / before).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        falls.append(Fall(name, _q(before), _q(after), change))
    return sorted(falls, key=lambda f: (f.change, f.name))


def _q(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
