"""Shared employees (time-share): plan a person's weekly hours across member firms, bill them.

A cluster employs a person — a webmaster, an administrator, a sound engineer — and
shares their time between members. This package is pure: plain dataclasses in and
out, no clock (dates are always given), no database.

Planning
    `Capacity` is what the person can work: hours per week and, per weekday, hours
    per day (Monday to Friday at a fifth of the week each unless stated otherwise).
    Members hold allocations: `Recurring` (a weekday and hours every week, between
    two optional dates) or `OneOff` (a date and hours). `plan` checks a request
    against the existing allocations: it is accepted only if, on every day the
    request touches, neither the day's nor the ISO week's capacity is exceeded.
    Otherwise the `PlanResult` explains the first conflict in French and offers
    alternatives that would be accepted as they stand: other days with room, or
    fewer hours.

Billing
    `hourly_cost` turns a yearly loaded salary into an hourly cost; `monthly_billing`
    charges each member its hours * hourly cost * coefficient plus its share of the
    monthly management fee, pro rata of hours, cent-exact (`allocation.allocate`).

Demand
    `demand_for_new_post` reads members' stated needs for a kind of role and says
    when they add up to enough for a new shared post.

Every date is a `datetime.date` (no time, no time zone), every interval inclusive.
Messages are French, kept as templates plus parameters (`Message`) so the
application can translate them.

Modules: `model` (capacity, allocations, answers), `planning`, `billing`, `demand`,
`messages` (French texts, `TimeshareError`) and `checks` (input validation).
"""

from grappe.engine.timeshare.billing import (
    FULL_TIME_YEARLY_HOURS,
    MemberBill,
    hourly_cost,
    monthly_billing,
    monthly_bills,
)
from grappe.engine.timeshare.checks import Hours
from grappe.engine.timeshare.demand import (
    FULL_TIME_WEEKLY_HOURS,
    Need,
    Proposal,
    demand_for_new_post,
)
from grappe.engine.timeshare.messages import (
    MONTHS,
    WEEKDAYS,
    Message,
    TimeshareError,
    fr_date,
    fr_number,
)
from grappe.engine.timeshare.model import (
    Allocation,
    Alternative,
    Capacity,
    Conflict,
    ConflictKind,
    OneOff,
    PlanResult,
    Recurring,
)
from grappe.engine.timeshare.planning import available_hours, plan

__all__ = [
    "FULL_TIME_WEEKLY_HOURS",
    "FULL_TIME_YEARLY_HOURS",
    "MONTHS",
    "WEEKDAYS",
    "Allocation",
    "Alternative",
    "Capacity",
    "Conflict",
    "ConflictKind",
    "Hours",
    "MemberBill",
    "Message",
    "Need",
    "OneOff",
    "PlanResult",
    "Proposal",
    "Recurring",
    "TimeshareError",
    "available_hours",
    "demand_for_new_post",
    "fr_date",
    "fr_number",
    "hourly_cost",
    "monthly_billing",
    "monthly_bills",
    "plan",
]
