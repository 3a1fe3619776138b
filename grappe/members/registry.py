"""Prospects from the SIRENE registry: "who else should join?".

``registry_import`` reads INSEE's establishment stock (zip, CSV or Parquet) with
:mod:`grappe.territory.sirene`, keeps the active establishments of each cluster's NAF
codes in its territory (Paris 75056 covers its arrondissements 75101–75120), names them
from the legal-unit stock when given, stores them as shared
:class:`~grappe.territory.models.Establishment` rows and as each cluster's
:class:`~grappe.members.models.Prospect` rows.

Both files are read (streamed, memory flat whatever their size) before anything is
written; the writes then happen in one transaction, in bulk. A malformed file is
refused with the reason and nothing of it is written; re-running the same file changes
nothing. Prospects that the file no longer holds become not current; their status
(contacted, dismissed…) survives re-runs; establishments of a cluster's active member
firms (same SIRET or SIREN) get the status "member".

Heavy: run it as a job (:func:`import_registry_job`) or from the command line
(``grappe import_registry``), never inside a request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.core.services import audit_record
from grappe.members.models import Organisation, Prospect
from grappe.territory import sirene
from grappe.territory.models import Establishment
from grappe.territory.services import commune_codes_expand

SireneFormatError = sirene.SireneFormatError
BATCH_SIZE = 1000
LOOKUP_SIZE = 10_000
ESTABLISHMENT_FIELDS = (
    "siren",
    "name",
    "naf_code",
    "naf_nomenclature",
    "naf25_code",
    "size_band",
    "commune_code",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "is_partial_diffusion",
    "is_active",
    "is_head_office",
    "created_on",
    "source_updated_at",
)
_MAX_LENGTH = {
    f.name: f.max_length
    for f in Establishment._meta.concrete_fields
    if f.name in ESTABLISHMENT_FIELDS and getattr(f, "max_length", None)
}


@dataclass
class ClusterImportResult:
    """What one import did to one cluster's prospects."""

    slug: str
    matched: int = 0  # establishments of the file in the cluster's territory and sectors
    created: int = 0
    updated: int = 0  # back in the registry, or now a member
    unchanged: int = 0
    retired: int = 0  # no longer in the registry's selection: not current any more
    members: int = 0  # matched establishments of active member firms

    def summary(self) -> str:
        return _(
            "Grappe « %(slug)s » : %(matched)d établissement(s) retenu(s) ; prospects : "
            "%(created)d nouveau(x), %(updated)d mis à jour, %(unchanged)d inchangé(s), "
            "%(retired)d sorti(s) du registre ; %(members)d déjà membre(s)."
        ) % {
            "slug": self.slug,
            "matched": self.matched,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "retired": self.retired,
            "members": self.members,
        }


@dataclass
class RegistryImportResult:
    rows_read: int = 0
    rows_kept: int = 0
    legal_units_read: int = 0
    legal_units_found: int = 0
    created: int = 0  # establishments (shared by the instance)
    updated: int = 0
    unchanged: int = 0
    clusters: list[ClusterImportResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # clusters without territory or sectors

    def summary(self) -> str:
        lines = [
            _("Registre : %(rows)d ligne(s) lue(s), %(kept)d établissement(s) retenu(s).")
            % {"rows": self.rows_read, "kept": self.rows_kept},
            _(
                "Établissements : %(created)d créé(s), %(updated)d mis à jour, "
                "%(unchanged)d inchangé(s)."
            )
            % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged},
        ]
        if self.legal_units_read:
            lines.append(
                _("Unités légales : %(found)d trouvée(s) sur %(rows)d ligne(s) lue(s).")
                % {"found": self.legal_units_found, "rows": self.legal_units_read}
            )
        lines += [c.summary() for c in self.clusters]
        lines += [
            _("Grappe « %s » ignorée : ni territoire ni secteurs.") % slug for slug in self.skipped
        ]
        return "\n".join(lines)


def _selection(cluster: Cluster) -> sirene.Selection:
    codes = list(cluster.communes.values_list("code", flat=True))
    return sirene.Selection(
        key=cluster.slug,
        naf_codes=frozenset(c.strip().upper() for c in cluster.naf_codes or () if c.strip()),
        commune_codes=frozenset(commune_codes_expand(codes)),
    )


def registry_import(
    *,
    path: Path | str,
    legal_units: Path | str | None = None,
    cluster: Cluster | None = None,
    by: Actor | None = None,
    progress: Callable[[int], None] | None = None,
) -> RegistryImportResult:
    """Import the SIRENE establishment stock as prospects of every cluster, or of one.

    ``by`` is the acting manager when a person starts it (then only for their cluster);
    jobs and commands leave it out and act as each cluster's system actor. Raises
    :class:`SireneFormatError` for a file that cannot be imported (nothing written).
    """
    if by is not None:
        if not by.is_manager or (cluster is not None and cluster.pk != by.cluster.pk):
            raise PermissionDenied
        cluster = cluster or by.cluster
    # Check both files' format and header before the long scan.
    stock = sirene.open_establishments(path)
    units_stock = sirene.open_legal_units(legal_units) if legal_units else None

    clusters = [cluster] if cluster is not None else list(Cluster.objects.order_by("slug"))
    result = RegistryImportResult()
    covered: list[tuple[Cluster, sirene.Selection]] = []
    for c in clusters:
        selection = _selection(c)
        if selection.naf_codes and selection.commune_codes:
            covered.append((c, selection))
        else:
            result.skipped.append(c.slug)
    if not covered:
        raise ValidationError(
            _("Aucune grappe à alimenter : il faut un territoire (communes) et des secteurs (NAF).")
        )
    # Establishments already followed as prospects: read them again even if they closed,
    # moved or changed activity, so that the shared row tells the truth.
    watched = set(
        Prospect.objects.filter(cluster__in=[c for c, _s in covered], is_current=True).values_list(
            "establishment_id", flat=True
        )
    )

    stats = sirene.ScanStats()
    records: dict[str, sirene.EstablishmentRecord] = {}
    for record in sirene.scan_establishments(
        stock, [s for _c, s in covered], watch_sirets=watched, stats=stats, on_progress=progress
    ):
        records[record.siret] = record
    result.rows_read, result.rows_kept = stats.rows_read, len(records)

    units: dict[str, sirene.LegalUnitRecord] | None = None
    if units_stock is not None:
        unit_stats = sirene.ScanStats()
        units = {
            u.siren: u
            for u in sirene.scan_legal_units(
                units_stock, {r.siren for r in records.values()}, stats=unit_stats
            )
        }
        result.legal_units_read, result.legal_units_found = unit_stats.rows_read, len(units)

    source = {"file": Path(path).name, "legal_units": Path(legal_units).name if legal_units else ""}
    with transaction.atomic():
        _establishments_upsert(records, units, result)
        for c, _sel in covered:
            outcome = _prospects_upsert(c, records)
            result.clusters.append(outcome)
            audit_record(
                actor=by if by is not None else Actor.system(c),
                cluster=c,
                action="registry.import",
                target=c,
                changes={
                    **source,
                    "matched": outcome.matched,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "retired": outcome.retired,
                },
            )
    return result


def _fit(name: str, value):
    limit = _MAX_LENGTH.get(name)
    if limit and isinstance(value, str) and len(value) > limit:
        return value[:limit]
    return value


def _establishments_upsert(
    records: dict[str, sirene.EstablishmentRecord],
    units: dict[str, sirene.LegalUnitRecord] | None,
    result: RegistryImportResult,
) -> None:
    sirets = list(records)
    existing: dict[str, Establishment] = {}
    for start in range(0, len(sirets), LOOKUP_SIZE):  # PostgreSQL takes 65,535 parameters
        existing |= Establishment.objects.in_bulk(sirets[start : start + LOOKUP_SIZE])
    now = timezone.now()
    to_create, to_update = [], []
    for siret, record in records.items():
        current = existing.get(siret)
        if (
            units is None
            and current is not None
            and current.name
            and not record.is_partial_diffusion
        ):
            # Without the legal-unit file, keep the name an earlier import gave it (maybe
            # from that file); under partial diffusion it might be a person's: drop it.
            name = current.name
        else:
            name = sirene.establishment_name(record, units.get(record.siren) if units else None)
        values = {
            "siren": record.siren,
            "name": name,
            "naf_code": record.naf_code,
            "naf_nomenclature": record.naf_nomenclature,
            "naf25_code": record.naf25_code,
            "size_band": record.size_band,
            "commune_code": record.commune_code,
            "address": record.address,
            "postcode": record.postcode,
            "latitude": record.latitude,
            "longitude": record.longitude,
            "is_partial_diffusion": record.is_partial_diffusion,
            "is_active": record.is_active,
            "is_head_office": record.is_head_office,
            "created_on": record.created_on,
            "source_updated_at": record.source_updated_at,
        }
        values = {k: _fit(k, v) for k, v in values.items()}
        if current is None:
            to_create.append(Establishment(siret=siret, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.imported_at = now
            to_update.append(current)
        else:
            result.unchanged += 1
    Establishment.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Establishment.objects.bulk_update(
        to_update, [*ESTABLISHMENT_FIELDS, "imported_at"], batch_size=BATCH_SIZE
    )
    result.created += len(to_create)
    result.updated += len(to_update)


def _prospects_upsert(
    cluster: Cluster, records: dict[str, sirene.EstablishmentRecord]
) -> ClusterImportResult:
    outcome = ClusterImportResult(slug=cluster.slug)
    member_ids = list(Organisation.objects.in_cluster(cluster).values_list("siret", "siren"))
    member_sirets = {siret for siret, _siren in member_ids if siret}
    member_sirens = {siren for _siret, siren in member_ids if siren}
    existing = {
        p.establishment_id: p
        for p in Prospect.objects.filter(cluster=cluster).only(
            "id", "establishment_id", "status", "is_current"
        )
    }
    now = timezone.now()
    to_create, to_update = [], []
    matched = set()
    for siret, record in records.items():
        if cluster.slug not in record.selections:
            continue
        matched.add(siret)
        is_member = siret in member_sirets or record.siren in member_sirens
        outcome.members += is_member
        prospect = existing.get(siret)
        if prospect is None:
            status = Prospect.Status.MEMBER if is_member else Prospect.Status.NEW
            to_create.append(
                Prospect(cluster=cluster, establishment_id=siret, status=status, is_current=True)
            )
            continue
        changed = False
        if not prospect.is_current:
            prospect.is_current, changed = True, True
        if is_member and prospect.status != Prospect.Status.MEMBER:
            prospect.status, changed = Prospect.Status.MEMBER, True
        if changed:
            prospect.updated_at = now
            to_update.append(prospect)
        else:
            outcome.unchanged += 1
    outcome.matched = len(matched)
    outcome.created, outcome.updated = len(to_create), len(to_update)
    for siret, prospect in existing.items():
        if siret not in matched and prospect.is_current:
            prospect.is_current, prospect.updated_at = False, now
            to_update.append(prospect)
            outcome.retired += 1
    Prospect.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Prospect.objects.bulk_update(
        to_update, ["status", "is_current", "updated_at"], batch_size=BATCH_SIZE
    )
    return outcome


def import_registry_job(
    path: str, legal_units: str | None = None, cluster_slug: str | None = None
) -> str:
    """Job (``grappe worker``): the registry import as the system actor; its summary.

    A refused file fails the job with the reason (SireneFormatError)."""
    cluster = Cluster.objects.get(slug=cluster_slug) if cluster_slug else None
    return registry_import(path=path, legal_units=legal_units, cluster=cluster).summary()
