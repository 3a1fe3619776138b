"""Calls import: Aides-territoires API pages (JSON), CSV files and RSS/Atom feeds.

One template for every source: read → validate → map to :class:`CallRecord` dataclasses
(``grappe.engine.aides_territoires``) → upsert by the stable external id of the source.
A malformed file or feed is refused with the reason and nothing of it is written;
importing the same file twice changes nothing the second time; the raw record of each
call is kept.

CSV files (UTF-8, with or without BOM, comma or semicolon) carry one call per line, with
the header ``CSV_COLUMNS`` (only ``id`` and ``title`` are required; lists are separated by
``;``; audiences, aid types and recurrence take Aides-territoires codes or labels; dates
are ``YYYY-MM-DD`` or ``DD/MM/YYYY``). See docs/samples/calls.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grappe.calls.models import Call, CallImport, CallSource
from grappe.engine import aides_territoires as at
from grappe.engine.matching.territory import normalise_name
from grappe.engine.text import search_document, strip_accents

FORMATS = ("aides-territoires", "csv", "rss")
CSV_COLUMNS = [
    "id",
    "title",
    "description",
    "eligibility",
    "financers",
    "perimeter",
    "targeted_audiences",
    "aid_types",
    "categories",
    "recurrence",
    "start_date",
    "predeposit_date",
    "submission_deadline",
    "subvention_rate_lower_bound",
    "subvention_rate_upper_bound",
    "loan_amount",
    "max_amount",
    "url",
    "application_url",
    "contact",
    "is_call_for_project",
    "licence",
]
CSV_LISTS = ("financers", "targeted_audiences", "aid_types", "categories")
MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 200
FETCH_TIMEOUT = 20  # seconds
AT_LICENCE = "Licence Ouverte 2.0 (Aides-territoires)"


class CallsImportError(Exception):
    """A refused file or feed; ``errors`` are French sentences (line or record and reason)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class ImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown_labels: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "%(read)s appels lus : %(created)s ajoutés, %(updated)s mis à jour, "
            "%(unchanged)s inchangés."
        ) % {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class Item:
    """One record ready to store: the parsed record, its raw form and a few extras."""

    record: at.CallRecord
    raw: dict
    max_amount: Decimal | None = None
    licence: str = ""


# --- reading ------------------------------------------------------------------------------


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def fetch(url: str) -> bytes:
    """GET a URL with a timeout and a size limit (never called by the tests: offline)."""
    if not is_url(url):
        raise CallsImportError([_("Adresse invalide : %s") % url])
    request = urllib.request.Request(url, headers={"User-Agent": "Grappe (veille des appels)"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            content = response.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CallsImportError(
            [_("Lecture impossible de %(url)s : %(reason)s") % {"url": url, "reason": exc}]
        ) from exc
    if len(content) > MAX_BYTES:
        raise CallsImportError([_("Fichier trop volumineux (50 Mo au plus).")])
    return content


def read_location(location: str, fmt: str) -> list[bytes]:
    """The bytes of a file or URL; for an Aides-territoires URL, every page (``next``)."""
    if not is_url(location):
        try:
            with open(location, "rb") as handle:
                content = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CallsImportError([_("Fichier illisible : %s") % exc.strerror]) from exc
        if len(content) > MAX_BYTES:
            raise CallsImportError([_("Fichier trop volumineux (50 Mo au plus).")])
        return [content]
    pages = [fetch(location)]
    if fmt == "aides-territoires":
        seen = {location}
        while len(pages) < MAX_PAGES:
            try:
                following = json.loads(pages[-1]).get("next")
            except (ValueError, AttributeError):
                break
            if not isinstance(following, str) or not following or following in seen:
                break
            following = urljoin(location, following)
            seen.add(following)
            pages.append(fetch(following))
    return pages


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CallsImportError(
            [_("Le fichier n'est pas en UTF-8 (octet illisible en position %s).") % exc.start]
        ) from exc


def items_from_aides_territoires(pages: Iterable[bytes]) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    for number, content in enumerate(pages, start=1):
        try:
            page = json.loads(_decode(content))
        except ValueError as exc:
            raise CallsImportError(
                [_("JSON invalide (page %(n)s) : %(reason)s") % {"n": number, "reason": exc}]
            ) from exc
        try:
            parsed = at.parse_page(page)
        except at.MalformedRecord as exc:
            raise CallsImportError(
                [_("Page %(n)s refusée : %(reason)s") % {"n": number, "reason": exc}]
            ) from exc
        for record, raw in zip(parsed.records, page["results"], strict=True):
            if record.id in seen:
                raise CallsImportError([_("Aide %s en double dans les pages.") % record.id])
            seen.add(record.id)
            items.append(Item(record=record, raw=raw, licence=AT_LICENCE))
    return items


_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _iso_date(value: str) -> str:
    value = value.strip()
    match = _FRENCH_DATE.match(value)
    if match:
        return f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    return value


def _csv_number(value: str, name: str) -> int | None:
    value = value.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(
            _("« %(value)s » n'est pas un nombre (%(column)s)") % {"value": value, "column": name}
        ) from None
    return int(number)


def items_from_csv(content: bytes) -> list[Item]:
    text = _decode(content)
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise CallsImportError([_("Le fichier est vide.")])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in ("id", "title") if c not in header]
    if missing:
        raise CallsImportError([_("Colonnes obligatoires absentes : %s.") % ", ".join(missing)])
    unknown = [c for c in header if c and c not in CSV_COLUMNS]
    if unknown:
        raise CallsImportError(
            [
                _("Colonnes inconnues : %(cols)s. Colonnes possibles : %(all)s.")
                % {"cols": ", ".join(unknown), "all": ", ".join(CSV_COLUMNS)}
            ]
        )
    items, errors, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        if None in row:
            errors.append(_("Ligne %s : plus de valeurs que de colonnes.") % line)
            continue
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        try:
            item = _csv_item(row)
        except (ValueError, at.MalformedRecord) as exc:
            errors.append(_("Ligne %(line)s : %(reason)s") % {"line": line, "reason": exc})
            continue
        if item.record.id in seen:
            errors.append(
                _("Ligne %(line)s : identifiant « %(id)s » en double.")
                % {"line": line, "id": item.record.id}
            )
            continue
        seen.add(item.record.id)
        items.append(item)
    if errors:
        raise CallsImportError(errors)
    if not items:
        raise CallsImportError([_("Aucun appel dans le fichier.")])
    return items


def _csv_item(row: dict[str, str]) -> Item:
    raw: dict = {"id": row.get("id", ""), "name": row.get("title", "")}
    for name in ("description", "eligibility", "perimeter", "recurrence", "contact"):
        raw[name] = row.get(name) or None
    for name in CSV_LISTS:
        raw[name] = [p.strip() for p in row.get(name, "").split(";") if p.strip()]
    for name in ("start_date", "predeposit_date", "submission_deadline"):
        raw[name] = _iso_date(row.get(name, "")) or None
    for name in ("subvention_rate_lower_bound", "subvention_rate_upper_bound", "loan_amount"):
        raw[name] = _csv_number(row.get(name, ""), name)
    raw["origin_url"] = row.get("url") or None
    raw["application_url"] = row.get("application_url") or None
    flag = row.get("is_call_for_project", "").lower()
    if flag and flag not in ("1", "0", "true", "false", "oui", "non", "vrai", "faux"):
        raise ValueError(_("is_call_for_project vaut oui ou non, pas « %s »") % flag)
    raw["is_call_for_project"] = flag in ("1", "true", "oui", "vrai")
    record = at.parse_aid(raw)
    unknown = [label for _vocab, label in record.unknown_labels]
    if unknown:
        raise ValueError(_("valeurs inconnues : %s") % ", ".join(unknown))
    max_amount = _csv_number(row.get("max_amount", ""), "max_amount")
    return Item(
        record=record,
        raw=row,
        max_amount=Decimal(max_amount) if max_amount is not None else None,
        licence=row.get("licence", ""),
    )


MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_DEADLINE_WORDS = r"(?:date limite|cloture|jusqu'au|avant le|au plus tard le|deadline)"
_DEADLINE_LONG = re.compile(
    _DEADLINE_WORDS + r"[^0-9]{0,40}?(\d{1,2})(?:er)? (" + "|".join(MONTHS) + r") (\d{4})"
)
_DEADLINE_SHORT = re.compile(_DEADLINE_WORDS + r"[^0-9]{0,40}?(\d{1,2})/(\d{1,2})/(\d{4})")


def deadline_in(text: str) -> str | None:
    """A deadline written in a feed item ("date limite : 15 janvier 2027", "jusqu'au
    15/01/2027"), as YYYY-MM-DD, or None."""
    flat = " ".join(strip_accents(at.html_to_text(text).lower().replace("’", "'")).split())
    match = _DEADLINE_LONG.search(flat)
    if match:
        day, month, year = int(match.group(1)), MONTHS[match.group(2)], int(match.group(3))
    else:
        match = _DEADLINE_SHORT.search(flat)
        if not match:
            return None
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def items_from_rss(content: bytes, *, default_perimeter: str = "") -> list[Item]:
    import feedparser

    feed = feedparser.parse(content)
    problem = getattr(feed, "bozo_exception", None) if feed.bozo else None
    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if problem is not None and (not feed.entries or not isinstance(problem, harmless)):
        raise CallsImportError([_("Flux RSS/Atom illisible : %s") % problem])
    if not feed.version:
        raise CallsImportError([_("Ce fichier n'est pas un flux RSS ou Atom.")])
    items, errors, seen = [], [], set()
    for position, entry in enumerate(feed.entries, start=1):
        ident = (entry.get("id") or entry.get("link") or "").strip()
        title = (entry.get("title") or "").strip()
        if not ident or not title:
            errors.append(_("Élément n° %s : identifiant ou titre manquant.") % position)
            continue
        if ident in seen:
            errors.append(
                _("Élément n° %(n)s : identifiant « %(id)s » en double.")
                % {"n": position, "id": ident}
            )
            continue
        seen.add(ident)
        summary = entry.get("summary") or ""
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        raw = {
            "id": ident,
            "title": title,
            "link": entry.get("link", ""),
            "summary": summary,
            "published": entry.get("published") or entry.get("updated") or "",
            "tags": [t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
        }
        aid = {
            "id": ident,
            "name": title,
            "description": summary,
            "perimeter": default_perimeter or None,
            "origin_url": raw["link"] if is_url(raw["link"]) else None,
            "categories": raw["tags"],
            "submission_deadline": deadline_in(title + " " + summary),
            "date_created": (
                dt.datetime(*published[:6], tzinfo=dt.UTC).isoformat() if published else None
            ),
        }
        try:
            items.append(Item(record=at.parse_aid(aid), raw=raw))
        except at.MalformedRecord as exc:
            errors.append(_("Élément n° %(n)s : %(reason)s") % {"n": position, "reason": exc})
    if errors:
        raise CallsImportError(errors)
    return items


def parse(fmt: str, pages: list[bytes], *, default_perimeter: str = "") -> list[Item]:
    if fmt == "aides-territoires":
        return items_from_aides_territoires(pages)
    if fmt == "csv":
        return items_from_csv(pages[0])
    if fmt == "rss":
        return items_from_rss(pages[0], default_perimeter=default_perimeter)
    raise CallsImportError(
        [
            _("Format inconnu : %(fmt)s (formats : %(all)s).")
            % {"fmt": fmt, "all": ", ".join(FORMATS)}
        ]
    )


# --- mapping ------------------------------------------------------------------------------


def _commune_resolver():
    from grappe.territory.models import Commune

    cache: dict[str, list[tuple[str, str, str]]] = {}

    def resolve(name: str, postcodes: tuple[str, ...]) -> str | None:
        key = normalise_name(name)
        if key not in cache:
            cache[key] = [
                (c.code, normalise_name(c.name), c.postcode)
                for c in Commune.objects.filter(name__iexact=name.strip())
            ]
        found = [
            code for code, _n, postcode in cache[key] if not postcodes or postcode in postcodes
        ]
        found = found or [code for code, _n, _p in cache[key]]
        return found[0] if len(found) == 1 else None

    return resolve


def _safe_url(value: str, *, relative: bool = False) -> str:
    value = (value or "").strip()[:500]
    if is_url(value) or (relative and value.startswith("/") and not value.startswith("//")):
        return value
    return ""


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else timezone.make_aware(moment)


def theme_slug(value: str) -> str:
    return slugify(strip_accents(value))[:60]


def call_fields(item: Item, resolve_commune) -> dict:
    """A record mapped to the Call model's fields (search documents and facets included)."""
    record = item.record
    perimeter = at.resolve_perimeter(record.perimeter, commune_code=resolve_commune)
    categories = [f"{t}|{c}" if t else c for t, c in record.categories]
    money = {
        "loan_amount": record.loan_amount,
        "recoverable_advance_amount": record.recoverable_advance_amount,
    }
    fields = {
        "name": record.name[:400],
        "short_title": record.short_title[:200],
        "url": _safe_url(record.url, relative=True),
        "origin_url": _safe_url(record.origin_url),
        "application_url": _safe_url(record.application_url),
        "description": at.html_to_text(record.description),
        "eligibility": at.html_to_text(record.eligibility),
        "financers": list(record.financers),
        "instructors": list(record.instructors),
        "programs": list(record.programs),
        "perimeter_label": record.perimeter_label[:200],
        "perimeter_scale": perimeter.scale,
        "perimeter_name": perimeter.name[:200],
        "perimeter_keys": (" " + " ".join(sorted(perimeter.keys)) + " ") if perimeter.keys else "",
        "categories": categories,
        "targeted_audiences": list(record.targeted_audiences),
        "aid_types": list(record.aid_types),
        "destinations": list(record.destinations),
        "mobilization_steps": list(record.mobilization_steps),
        "is_call_for_project": record.is_call_for_project,
        "is_charged": record.is_charged,
        "start_date": record.start_date,
        "predeposit_date": record.predeposit_date,
        "submission_deadline": record.submission_deadline,
        "recurrence": record.recurrence or "",
        "subvention_rate_lower_bound": record.subvention_rate_lower_bound,
        "subvention_rate_upper_bound": record.subvention_rate_upper_bound,
        "subvention_comment": record.subvention_comment,
        **{
            k: Decimal(v).quantize(Decimal("0.01")) if v is not None else None
            for k, v in money.items()
        },
        "max_amount": item.max_amount.quantize(Decimal("0.01")) if item.max_amount else None,
        "contact": at.html_to_text(record.contact),
        "project_examples": at.html_to_text(record.project_examples),
        "european_aid": record.european_aid or "",
        "licence": (record.import_share_licence or item.licence)[:200],
        "data_mention": record.import_data_mention[:300],
        "is_live": record.is_live,
        "source_created_at": _aware(record.date_created),
        "source_updated_at": _aware(record.date_updated),
        "raw": item.raw,
    }
    fields.update(documents(fields))
    return fields


def documents(fields: dict) -> dict:
    """Search document, name document and filter facets of a call's fields."""
    categories = fields["categories"]
    themes = sorted({c.partition("|")[0] if "|" in c else c for c in categories})
    labels = [c.rpartition("|")[2] for c in categories]
    facets = (
        [f"aud:{c}" for c in fields["targeted_audiences"]]
        + [f"type:{c}" for c in fields["aid_types"]]
        + [f"theme:{theme_slug(t)}" for t in themes]
    )
    return {
        "search_document": search_document(
            fields["name"],
            fields.get("short_title", ""),
            fields.get("description", ""),
            fields.get("eligibility", ""),
            " ".join(fields.get("financers", [])),
            " ".join(fields.get("programs", [])),
            " ".join(labels),
            fields.get("perimeter_label", ""),
        ),
        "name_document": search_document(fields["name"], fields.get("short_title", "")),
        "facets": (" " + " ".join(facets) + " ") if facets else "",
    }


def fingerprint(fields: dict) -> str:
    payload = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


# --- upsert -------------------------------------------------------------------------------


UPDATABLE = None  # computed lazily: every concrete field but the keys and timestamps


def _updatable() -> list[str]:
    global UPDATABLE
    if UPDATABLE is None:
        skip = {"id", "source", "source_id", "created_at", "merged_into", "is_public"}
        skip |= {"owner_cluster"}
        UPDATABLE = [
            f.name for f in Call._meta.concrete_fields if f.name not in skip and not f.primary_key
        ]
    return UPDATABLE


MAPPING_VERSION = "1"  # bump when call_fields() changes: every call is then rewritten


def input_fingerprint(item: Item) -> str:
    """What a record was read from: an unchanged one is neither mapped nor written again."""
    return fingerprint(
        {"raw": item.raw, "max": item.max_amount, "licence": item.licence, "v": MAPPING_VERSION}
    )


@transaction.atomic
def calls_upsert(*, source: str, items: list[Item]) -> ImportResult:
    """Create or update the calls of one source by their external id, in bulk."""
    result = ImportResult(read=len(items))
    resolve = _commune_resolver()
    existing = {
        c.source_id: c
        for c in Call.objects.filter(source=source).only("pk", "source_id", "fingerprint")
    }
    now = timezone.now()
    to_create, to_update = [], []
    for item in items:
        result.unknown_labels += [f"{v} : {label}" for v, label in item.record.unknown_labels]
        print_ = input_fingerprint(item)
        call = existing.get(item.record.id)
        if call is not None and call.fingerprint == print_:
            result.unchanged += 1
            continue
        fields = call_fields(item, resolve)
        fields["fingerprint"] = print_
        if call is None:
            to_create.append(Call(source=source, source_id=item.record.id, **fields))
        else:
            for name, value in fields.items():
                setattr(call, name, value)
            call.updated_at = now
            to_update.append(call)
    Call.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Call.objects.bulk_update(to_update, _updatable(), batch_size=200)
    result.created, result.updated = len(to_create), len(to_update)
    if to_create or to_update:
        catalogue_changed()
    return result


def catalogue_changed() -> None:
    """After commit: bump the catalogue's facet version and recompute every cluster's
    matches in the background."""
    from django.core.cache import cache

    from grappe.core.jobs import enqueue_on_commit

    def bump():
        try:
            cache.incr("calls:catalogue-version")
        except ValueError:
            cache.set("calls:catalogue-version", 1, timeout=None)

    transaction.on_commit(bump)
    enqueue_on_commit("grappe.calls.tasks.recompute_all_matches")


def calls_import(
    *,
    location: str | None = None,
    pages: list[bytes] | None = None,
    fmt: str,
    source: CallSource | None = None,
    default_perimeter: str = "",
) -> ImportResult:
    """Import a file, URL or content: all or nothing. The run is logged (CallImport)."""
    label = location or (source.url if source else "contenu")
    try:
        if fmt not in FORMATS:
            parse(fmt, [])
        if pages is None:
            pages = read_location(location or "", fmt)
        items = parse(fmt, pages, default_perimeter=default_perimeter)
        result = calls_upsert(source=fmt, items=items)
    except CallsImportError as exc:
        CallImport.objects.create(
            source_label=label[:500],
            format=fmt[:20],
            source=source,
            ok=False,
            message="\n".join(exc.errors)[:5000],
        )
        raise
    CallImport.objects.create(
        source_label=label[:500],
        format=fmt,
        source=source,
        read=result.read,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        message="\n".join(result.unknown_labels)[:5000],
    )
    return result
