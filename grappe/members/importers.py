"""Members import and export: CSV (UTF-8 with or without BOM, comma or semicolon) and XLSX.

One template for every source: read → validate every row → map → upsert by a stable
key (SIRET, SIREN or RNA). A bad file is refused with each offending line and the
reason, and nothing of it is written; importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.services import audit_record
from grappe.engine.text import strip_accents
from grappe.members.models import Membership, Organisation, Tag
from grappe.members.services import _refresh_search, parse_identifier
from grappe.territory import codes
from grappe.territory.models import Commune

COLUMNS = [
    "siret",
    "siren",
    "rna",
    "name",
    "legal_form",
    "naf",
    "address",
    "postcode",
    "commune",
    "size_band",
    "website",
    "email",
    "phone",
    "description",
    "tags",
]
KEY_COLUMNS = ("siret", "siren", "rna")
# File column → organisation field, for the columns that map one to one.
FIELD_OF = {
    "name": "name",
    "legal_form": "legal_form",
    "naf": "naf_code",
    "address": "address",
    "postcode": "postcode",
    "commune": "commune_id",
    "size_band": "size_band",
    "website": "website",
    "email": "email",
    "phone": "phone",
    "description": "description",
}
MAX_ROWS = 20_000


class MembersImportError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    memberships_created: int = 0
    rows: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "%(rows)d ligne(s) : %(created)d structure(s) créée(s), %(updated)d mise(s) à jour, "
            "%(unchanged)d inchangée(s) ; %(memberships)d adhésion(s) ajoutée(s)."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "memberships": self.memberships_created,
        }


# --- Reading -----------------------------------------------------------------------------


def read_table(name: str, content: bytes) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """Header and (line number, row) pairs of a CSV or XLSX file."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx" or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if suffix not in (".csv", ".txt", ""):
        raise MembersImportError([_("Format non reconnu : envoyez un fichier .csv ou .xlsx.")])
    return _read_csv(content)


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MembersImportError(
            [_("Le fichier n'est pas en UTF-8 (octet invalide en position %d).") % exc.start]
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise MembersImportError([_("Le fichier est vide.")]) from None

    def rows():
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                yield (
                    line,
                    {
                        "__error__": _("%(n)d valeurs pour %(h)d colonnes.")
                        % {"n": len(values), "h": len(header)}
                    },
                )
                continue
            yield line, dict(zip(header, (v.strip() for v in values), strict=False))

    return header, rows()


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise MembersImportError([_("Fichier XLSX illisible : %s") % exc]) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip().lower() for h in next(iterator)]
    except StopIteration:
        raise MembersImportError([_("Le fichier est vide.")]) from None

    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def rows():
        for line, values in enumerate(iterator, start=2):
            values = [cell(v) for v in values]
            if not any(values):
                continue
            yield line, dict(zip(header, values, strict=False))

    return header, rows()


# --- Validating --------------------------------------------------------------------------


_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def _clean_row(row: dict, communes: set[str]) -> tuple[dict, list[str]]:
    errors: list[str] = []
    values: dict = {}
    key_values = [(k, row.get(k, "")) for k in KEY_COLUMNS if row.get(k, "")]
    if not key_values:
        errors.append(_("il manque l'identifiant (siret, siren ou rna)"))
    else:
        column, raw = key_values[0]
        try:
            ident = parse_identifier(raw)
        except ValidationError as exc:
            errors.append(exc.messages[0])
        else:
            expected = {"siret": "siret", "siren": "siren", "rna": "rna"}[column]
            if expected not in ident:
                errors.append(_("la colonne %(c)s contient « %(v)s »") % {"c": column, "v": raw})
            values.update(ident)
    name = row.get("name", "")
    if not name:
        errors.append(_("le nom est vide"))
    if row.get("legal_form") and not (len(row["legal_form"]) == 4 and row["legal_form"].isdigit()):
        errors.append(_("catégorie juridique « %s » : 4 chiffres attendus") % row["legal_form"])
    naf = row.get("naf", "").upper()
    if naf:
        from grappe.core.validators import NAF_RE

        if not NAF_RE.match(naf):
            errors.append(_("code NAF « %s » : forme attendue 59.20Z") % row["naf"])
        row["naf"] = naf
    if row.get("commune") and row["commune"] not in communes:
        errors.append(_("commune « %s » : code INSEE inconnu") % row["commune"])
    if row.get("size_band") and row["size_band"] not in codes.SIZE_BANDS:
        errors.append(_("tranche d'effectif « %s » inconnue") % row["size_band"])
    if row.get("postcode") and not (len(row["postcode"]) == 5 and row["postcode"].isdigit()):
        errors.append(_("code postal « %s » : 5 chiffres attendus") % row["postcode"])
    for column, validator, label in (("email", _email, "e-mail"), ("website", _url, "site web")):
        if row.get(column):
            try:
                validator(row[column])
            except ValidationError:
                errors.append(
                    _("%(label)s « %(v)s » invalide") % {"label": label, "v": row[column]}
                )
    for column, fieldname in FIELD_OF.items():
        if column in row:
            values[fieldname] = row[column] or ("" if fieldname != "commune_id" else None)
    if "tags" in row:
        values["tags"] = sorted({t.strip() for t in row["tags"].split("|") if t.strip()})
    lengths = {"name": 200, "address": 300, "phone": 30}
    for fieldname, limit in lengths.items():
        if len(values.get(fieldname) or "") > limit:
            errors.append(_("%(f)s : %(n)d caractères au plus") % {"f": fieldname, "n": limit})
    return values, errors


def validate_table(header: list[str], rows: Iterable[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Every row checked; all errors reported together, each with its line."""
    errors: list[str] = []
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        errors.append(_("Colonnes inconnues : %s.") % ", ".join(unknown))
    if not any(k in header for k in KEY_COLUMNS):
        errors.append(_("Il faut une colonne siret, siren ou rna."))
    if "name" not in header:
        errors.append(_("Il faut une colonne name."))
    if errors:
        raise MembersImportError(errors)
    communes = set(Commune.objects.values_list("code", flat=True))
    cleaned: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if len(cleaned) >= MAX_ROWS:
            errors.append(_("Plus de %d lignes : découpez le fichier.") % MAX_ROWS)
            break
        if "__error__" in row:
            errors.append(_("Ligne %(l)d : %(e)s") % {"l": line, "e": row["__error__"]})
            continue
        values, row_errors = _clean_row(row, communes)
        key = values.get("siret") or values.get("siren") or values.get("rna")
        if key and key in seen:
            row_errors.append(_("même identifiant qu'à la ligne %d") % seen[key])
        elif key:
            seen[key] = line
        for message in row_errors:
            errors.append(_("Ligne %(l)d : %(e)s.") % {"l": line, "e": message})
        cleaned.append((line, values))
    if errors:
        raise MembersImportError(errors)
    if not cleaned:
        raise MembersImportError([_("Aucune ligne à importer.")])
    return cleaned


# --- Writing -----------------------------------------------------------------------------


def _unique_slugs(names: list[str]) -> list[str]:
    bases = [slugify(strip_accents(n))[:70] or "organisation" for n in names]
    taken = (
        set(
            Organisation.objects.filter(
                slug__regex=r"^("
                + "|".join(sorted({b.replace("-", r"\-") for b in bases}))
                + r")(-\d+)?$"
            ).values_list("slug", flat=True)
        )
        if bases
        else set()
    )
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


@transaction.atomic
def members_import(*, by: Actor, name: str, content: bytes) -> ImportResult:
    """Import a members file into the actor's cluster (managers, or the system actor)."""
    if not by.is_manager:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    header, rows = read_table(name, content)
    cleaned = validate_table(header, rows)
    result = ImportResult(rows=len(cleaned))

    sirets = [v["siret"] for _l, v in cleaned if v.get("siret")]
    sirens = [v["siren"] for _l, v in cleaned if v.get("siren") and not v.get("siret")]
    rnas = [v["rna"] for _l, v in cleaned if v.get("rna")]
    by_siret = {o.siret: o for o in Organisation.objects.filter(siret__in=sirets)}
    by_siren: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.filter(siren__in=sirens + [s[:9] for s in sirets]):
        by_siren.setdefault(org.siren, []).append(org)
    by_rna = {o.rna: o for o in Organisation.objects.filter(rna__in=rnas)}

    errors: list[str] = []
    to_create: list[tuple[Organisation, list[str]]] = []
    to_update: list[tuple[Organisation, list[str] | None]] = []
    unchanged: list[Organisation] = []
    for line, values in cleaned:
        tags = values.pop("tags", None)
        org = None
        if values.get("siret"):
            org = by_siret.get(values["siret"]) or next(
                (o for o in by_siren.get(values["siret"][:9], []) if not o.siret), None
            )
        elif values.get("siren"):
            candidates = by_siren.get(values["siren"], [])
            if len(candidates) > 1:
                errors.append(
                    _("Ligne %(l)d : plusieurs établissements ont le SIREN %(s)s, donnez le SIRET.")
                    % {"l": line, "s": values["siren"]}
                )
                continue
            org = candidates[0] if candidates else None
        elif values.get("rna"):
            org = by_rna.get(values["rna"])
        if org is None:
            org = Organisation(**values)
            to_create.append((org, tags or []))
            continue
        changed = False
        for fieldname, value in values.items():
            if getattr(org, fieldname) != value and not (
                fieldname in ("siren", "siret", "rna") and not value
            ):
                setattr(org, fieldname, value)
                changed = True
        current_tags = None
        if tags is not None:
            current_tags = sorted(t.name for t in org.tags.all())
            if [t.lower() for t in current_tags] != [t.lower() for t in tags]:
                changed = True
            else:
                tags = None
        if changed:
            to_update.append((org, tags))
        else:
            unchanged.append(org)
    if errors:
        raise MembersImportError(errors)

    # Validate model-level rules on every new or changed organisation before writing.
    for line_org, _tags in to_create + to_update:
        try:
            line_org.full_clean(
                exclude=["slug", "search_document", "name_document"], validate_unique=False
            )
        except ValidationError as exc:
            errors.append(_("%(n)s : %(e)s") % {"n": line_org.name, "e": "; ".join(exc.messages)})
    if errors:
        raise MembersImportError(errors)

    tag_objects = _tags_by_name({t for _o, tags in to_create + to_update for t in (tags or [])})
    communes = {
        c.code: c
        for c in Commune.objects.filter(
            code__in={o.commune_id for o, _t in to_create + to_update if o.commune_id}
        )
    }
    for org, tags in to_create + to_update:
        org.commune = communes.get(org.commune_id) if org.commune_id else None
        names = tags if tags is not None else [t.name for t in org.tags.all()]
        _refresh_search(org, names)
    slugs = _unique_slugs([o.name for o, _t in to_create])
    for (org, _tags), slug in zip(to_create, slugs, strict=True):
        org.slug = slug
    created = Organisation.objects.bulk_create([o for o, _t in to_create], batch_size=500)
    result.created = len(created)
    if to_update:
        fields = sorted(
            {*FIELD_OF.values(), "siren", "siret", "rna", "search_document", "name_document"}
        )
        Organisation.objects.bulk_update([o for o, _t in to_update], fields, batch_size=500)
        result.updated = len(to_update)

    Through = Organisation.tags.through
    retag = [(o, tags) for o, tags in to_create + to_update if tags is not None]
    if retag:
        Through.objects.filter(organisation_id__in=[o.pk for o, _t in retag]).delete()
        Through.objects.bulk_create(
            [
                Through(organisation_id=o.pk, tag_id=tag_objects[t.lower()].pk)
                for o, tags in retag
                for t in tags
            ],
            ignore_conflicts=True,
        )

    all_ids = [o.pk for o, _t in to_create + to_update] + [o.pk for o in unchanged]
    existing = set(
        Membership.objects.filter(cluster=by.cluster, organisation_id__in=all_ids).values_list(
            "organisation_id", flat=True
        )
    )
    today = timezone.localdate()
    from grappe.members.services import _next_renewal

    new_memberships = [
        Membership(
            cluster=by.cluster,
            organisation_id=pk,
            status=Membership.Status.ACTIVE,
            joined_on=today,
            renewal_on=_next_renewal(today),
        )
        for pk in dict.fromkeys(all_ids)
        if pk not in existing
    ]
    Membership.objects.bulk_create(new_memberships)
    result.memberships_created = len(new_memberships)
    # An organisation that only gained a membership in this cluster was not "unchanged".
    joined = {m.organisation_id for m in new_memberships}
    result.unchanged = sum(1 for o in unchanged if o.pk not in joined)
    if result.created or result.updated or result.memberships_created:
        from grappe.members.services import directory_changed

        directory_changed(
            Membership.objects.filter(organisation_id__in=all_ids).values_list(
                "cluster_id", flat=True
            )
        )
        audit_record(
            actor=by,
            action="members.import",
            changes={
                "file": name,
                "created": result.created,
                "updated": result.updated,
                "memberships": result.memberships_created,
            },
        )
    return result


def _tags_by_name(names: set[str]) -> dict[str, Tag]:
    wanted = {slugify(strip_accents(n))[:70]: n for n in names if slugify(strip_accents(n))}
    found = {t.slug: t for t in Tag.objects.filter(slug__in=wanted)}
    Tag.objects.bulk_create(
        [Tag(slug=s, name=n[:60]) for s, n in wanted.items() if s not in found],
        ignore_conflicts=True,
    )
    found = {t.slug: t for t in Tag.objects.filter(slug__in=wanted)}
    return {n.lower(): found[s] for s, n in wanted.items()}


# --- Export ------------------------------------------------------------------------------


EXPORT_COLUMNS = [*COLUMNS, "status", "joined_on", "fee_amount", "fee_status"]


def export_rows(memberships: Iterable[Membership]) -> Iterator[list[str]]:
    yield EXPORT_COLUMNS
    for m in memberships:
        o = m.organisation
        yield [
            o.siret,
            o.siren if not o.siret else "",
            o.rna,
            o.name,
            o.legal_form,
            o.naf_code,
            o.address,
            o.postcode,
            o.commune_id or "",
            o.size_band,
            o.website,
            o.email,
            o.phone,
            o.description,
            "|".join(t.name for t in o.tags.all()),
            m.status,
            m.joined_on.isoformat() if m.joined_on else "",
            str(m.fee_amount),
            m.fee_status,
        ]


def export_csv(memberships: Iterable[Membership]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(export_rows(memberships))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(memberships: Iterable[Membership]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("membres")
    for row in export_rows(memberships):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
