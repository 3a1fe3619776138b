"""Label self-assessment: a cluster's figures against the indicator families of the
cluster-excellence labels (structure, governance, financing, services, interaction,
recognition) and the listing criteria of the European Cluster Collaboration Platform.

Pure Python: figures in (``Facts``), one ``Result`` per criterion out, with its code,
whether it is met (None: no data to say), the figure and the threshold. The app turns
codes into French sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

FAMILIES = ("structure", "governance", "financing", "services", "interaction", "recognition")
ECCP_MIN_MEMBERS = 15
ECCP_MIN_TYPES = 2
MIN_RESPONSE_RATE = Decimal(30)
MIN_FEE_SHARE = Decimal(50)
MIN_EXCHANGES = 10


@dataclass(frozen=True)
class Facts:
    managers: int
    observers: int
    has_legal_identity: bool
    has_contact: bool
    communes: int
    sectors: int
    active_members: int
    member_types: dict[str, int]
    surveys: int  # surveys sent in the year
    best_response_rate: Decimal | None
    audit_entries: int  # manager decisions traced in the year
    fee_paid_share: Decimal | None  # percent of members whose fee is paid or waived
    funding_obtained: Decimal | None  # euros; None: no app reports it
    services: int | None  # pooled services running; None: no app reports it
    accepted_proposals: int
    savings: Decimal | None  # euros; None: no app reports it
    nps: Decimal | None
    exchanges: int  # needs and offers posted in the year
    shared_themes: int  # radar themes shared by three members or more
    business_between_members: Decimal | None  # euros; None: no app reports it
    is_listed: bool
    has_website: bool
    has_description: bool


@dataclass(frozen=True)
class Result:
    code: str
    family: str  # one of FAMILIES, or "eccp"
    met: bool | None
    value: object
    threshold: object = None


def _known(value, test) -> bool | None:
    return None if value is None else bool(test(value))


def assess(f: Facts) -> list[Result]:
    types = sum(1 for n in f.member_types.values() if n > 0)
    services = None if f.services is None and not f.accepted_proposals else (f.services or 0)
    return [
        Result("structure.staff", "structure", f.managers >= 1, f.managers, 1),
        Result("structure.legal", "structure", f.has_legal_identity, f.has_legal_identity),
        Result(
            "structure.scope",
            "structure",
            f.communes >= 1 and f.sectors >= 1,
            (f.communes, f.sectors),
        ),
        Result(
            "structure.size",
            "structure",
            f.active_members >= ECCP_MIN_MEMBERS,
            f.active_members,
            ECCP_MIN_MEMBERS,
        ),
        Result(
            "governance.consultation",
            "governance",
            f.surveys >= 1
            and f.best_response_rate is not None
            and f.best_response_rate >= MIN_RESPONSE_RATE,
            (f.surveys, f.best_response_rate),
            MIN_RESPONSE_RATE,
        ),
        Result("governance.traceability", "governance", f.audit_entries > 0, f.audit_entries),
        Result("governance.funders", "governance", f.observers >= 1, f.observers, 1),
        Result(
            "financing.fees",
            "financing",
            _known(f.fee_paid_share, lambda v: v >= MIN_FEE_SHARE),
            f.fee_paid_share,
            MIN_FEE_SHARE,
        ),
        Result(
            "financing.funding",
            "financing",
            _known(f.funding_obtained, lambda v: v > 0),
            f.funding_obtained,
        ),
        Result(
            "services.offer",
            "services",
            _known(services, lambda v: v >= 1 or f.accepted_proposals >= 1),
            (f.services, f.accepted_proposals),
        ),
        Result("services.savings", "services", _known(f.savings, lambda v: v > 0), f.savings),
        Result("services.satisfaction", "services", f.nps is not None, f.nps),
        Result(
            "interaction.exchanges",
            "interaction",
            f.exchanges >= MIN_EXCHANGES,
            f.exchanges,
            MIN_EXCHANGES,
        ),
        Result("interaction.needs", "interaction", f.shared_themes >= 1, f.shared_themes, 1),
        Result(
            "interaction.business",
            "interaction",
            _known(f.business_between_members, lambda v: v > 0),
            f.business_between_members,
        ),
        Result("recognition.listed", "recognition", f.is_listed, f.is_listed),
        Result(
            "recognition.web",
            "recognition",
            f.has_website and f.has_description,
            (f.has_website, f.has_description),
        ),
        Result("eccp.staff", "eccp", f.managers >= 1, f.managers, 1),
        Result(
            "eccp.members",
            "eccp",
            f.active_members >= ECCP_MIN_MEMBERS,
            f.active_members,
            ECCP_MIN_MEMBERS,
        ),
        Result("eccp.types", "eccp", types >= ECCP_MIN_TYPES, types, ECCP_MIN_TYPES),
        Result("eccp.contact", "eccp", f.has_contact, f.has_contact),
    ]
