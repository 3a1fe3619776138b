"""The Aides-territoires aid format: French labels to codes, perimeter strings, records.

Aides-territoires' API pages (``{"count", "previous", "next", "results"}``) give list values
as French display labels; Grappe stores codes (FORMATS.md has both). This module is the pure
mapping: labels to codes (tolerant of case, accents and spacing; unknown labels reported, not
fatal), perimeter strings to (name, scale, postcodes), ``"Theme|Category"`` pairs, the open
rule, and a whole record to a :class:`CallRecord`. A record that cannot be read raises
:class:`MalformedRecord` with the field and the reason, in French, for the import report.
The caller keeps the raw record next to what is stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any

from grappe.engine.matching.profiles import CallProfile
from grappe.engine.matching.territory import (
    SCALES,
    Perimeter,
    department_code,
    normalise_name,
    region_code,
)
from grappe.engine.text import strip_accents

# --- Code <-> label tables (FORMATS.md) -------------------------------------------------

TARGETED_AUDIENCES: dict[str, str] = {
    "commune": "Communes",
    "epci": "Intercommunalités / Pays",
    "department": "Départements",
    "region": "Régions",
    "special": "Collectivités d'outre-mer à statuts particuliers",
    "association": "Associations",
    "private_person": "Particuliers",
    "farmer": "Agriculteurs",
    "private_sector": "Entreprises privées",
    "public_cies": "Entreprises publiques locales (Sem, Spl, SemOp)",
    "public_org": "Établissements publics (écoles, bibliothèques…) / Services de l'État",
    "researcher": "Recherche",
}
AID_TYPES: dict[str, str] = {
    "grant": "Subvention",
    "loan": "Prêt",
    "recoverable_advance": "Avance récupérable",
    "cee": "Certificat d'économie d'énergie (CEE)",
    "other": "Autre aide financière",
    "technical_engineering": "Ingénierie technique",
    "financial_engineering": "Ingénierie financière",
    "legal_engineering": "Ingénierie Juridique / administrative",
}
RECURRENCES: dict[str, str] = {
    "oneoff": "Ponctuelle",
    "ongoing": "Permanente",
    "recurring": "Récurrente",
}
DESTINATIONS: dict[str, str] = {
    "supply": "Dépenses de fonctionnement",
    "investment": "Dépenses d'investissement",
}
MOBILIZATION_STEPS: dict[str, str] = {
    "preop": "Réflexion / conception",
    "op": "Mise en œuvre / réalisation",
    "postop": "Usage / valorisation",
}
EUROPEAN_AIDS: dict[str, str] = {
    "sectorial": "Aides européennes sectorielles",
    "organizational": "Aides européennes structurelles",
}

VOCABULARIES: dict[str, dict[str, str]] = {
    "targeted_audiences": TARGETED_AUDIENCES,
    "aid_types": AID_TYPES,
    "recurrence": RECURRENCES,
    "destinations": DESTINATIONS,
    "mobilization_steps": MOBILIZATION_STEPS,
    "european_aid": EUROPEAN_AIDS,
}


def _label_key(label: str) -> str:
    """A label reduced for comparison: no accents, case, curly quotes or extra spaces."""
    text = unicodedata.normalize("NFKC", label).replace("\u2019", "'").replace("...", "…")
    text = text.replace("œ", "oe").replace("Œ", "Oe")
    return " ".join(strip_accents(text).casefold().split())


_CODE_BY_LABEL: dict[str, dict[str, str]] = {
    name: {
        **{_label_key(code): code for code in table},
        **{_label_key(label): code for code, label in table.items()},
    }
    for name, table in VOCABULARIES.items()
}


class AidesTerritoiresError(ValueError):
    """Base of the errors this module raises."""


class MalformedRecord(AidesTerritoiresError):
    """An aid record (or a page) that cannot be read; the message says why, in French."""

    def __init__(self, reason: str, *, field: str | None = None, record_id: str | None = None):
        self.reason = reason
        self.field = field
        self.record_id = record_id
        where = []
        if record_id is not None:
            where.append(f"aide {record_id}")
        if field:
            where.append(f"champ « {field} »")
        super().__init__(f"{', '.join(where)} : {reason}" if where else reason)


@dataclass(frozen=True)
class LabelMapping:
    """Codes found for a list of labels, in order, and the labels nobody knows."""

    codes: tuple[str, ...]
    unknown: tuple[str, ...]


def label_to_code(vocabulary: str, label: str) -> str | None:
    """The code of one label (or of the code itself) in a vocabulary, or None if unknown."""
    try:
        table = _CODE_BY_LABEL[vocabulary]
    except KeyError:
        raise ValueError(f"unknown vocabulary: {vocabulary!r}") from None
    return table.get(_label_key(label))


def map_labels(vocabulary: str, labels: Iterable[str]) -> LabelMapping:
    """Codes of labels in order, duplicates removed; unknown labels are reported, not fatal."""
    codes: dict[str, None] = {}
    unknown: list[str] = []
    for label in labels:
        code = label_to_code(vocabulary, label)
        if code is None:
            if label.strip():
                unknown.append(label)
        else:
            codes.setdefault(code, None)
    return LabelMapping(tuple(codes), tuple(unknown))


# --- Perimeters ---------------------------------------------------------------------------

_SCALE_BY_LABEL = {_label_key(label): code for code, (_, label) in SCALES.items()}
_SCALE_BY_LABEL.update({_label_key(code): code for code in SCALES})
_SCALE_BY_RANK = {rank: code for code, (rank, _) in SCALES.items()}
_PARENTHESISED = re.compile(r"^(?P<name>.*\S)\s*\((?P<inside>[^()]*)\)\s*$")
_POSTCODES = re.compile(
    r"^\s*(?P<label>[^\u2013\u2014]+?)\s*[\u2013\u2014-]\s*(?P<codes>[0-9AB][0-9AB ,]*)$"
)
_MAINLAND_NAMES = {"france metropolitaine", "metropole", "france hexagonale", "hexagone"}


@dataclass(frozen=True)
class ParsedPerimeter:
    """A perimeter display string taken apart: name, scale code and postcodes if any."""

    name: str
    scale: str
    postcodes: tuple[str, ...] = ()

    @property
    def rank(self) -> int:
        return SCALES[self.scale][0]


def parse_perimeter(text: str) -> ParsedPerimeter:
    """Read an Aides-territoires perimeter string.

    ``"Île-de-France (Région)"`` -> region; ``"Montreuil (Commune \u2013 93100)"`` -> commune with
    its postcode(s); bare names above the region: ``"France"`` country, ``"Europe"``
    continent, ``"Outre-mer"`` overseas, ``"France métropolitaine"`` mainland, ``"Bassin …"``
    basin, anything else ad-hoc.
    """
    if not isinstance(text, str) or not text.strip():
        raise MalformedRecord("périmètre vide", field="perimeter")
    text = " ".join(text.split())
    match = _PARENTHESISED.match(text)
    if match:
        inside = match.group("inside")
        postcodes: tuple[str, ...] = ()
        zipped = _POSTCODES.match(inside)
        if zipped:
            inside = zipped.group("label")
            postcodes = tuple(c for c in re.split(r"[\s,]+", zipped.group("codes")) if c)
        scale = _SCALE_BY_LABEL.get(_label_key(inside))
        if scale is not None:
            return ParsedPerimeter(match.group("name").strip(), scale, postcodes)
    key = normalise_name(text)
    if key == "france":
        return ParsedPerimeter(text, "country")
    if key == "europe" or key == "union europeenne":
        return ParsedPerimeter(text, "continent")
    if key in {"outre mer", "france d outre mer", "drom com"}:
        return ParsedPerimeter(text, "overseas")
    if key in _MAINLAND_NAMES:
        return ParsedPerimeter(text, "mainland")
    if key.startswith("bassin "):
        return ParsedPerimeter(text, "basin")
    return ParsedPerimeter(text, "adhoc")


# Paris, Lyon and Marseille, and their municipal arrondissements, need no commune table.
_PLM = {"paris": ("75056", 75100), "lyon": ("69123", 69380), "marseille": ("13055", 13200)}
_ARRONDISSEMENT_NAME = re.compile(r"^(paris|lyon|marseille) (\d{1,2}) ?(?:e|er|eme)\b")

CommuneResolver = Callable[[str, tuple[str, ...]], str | None]
AreaResolver = Callable[[ParsedPerimeter], Perimeter | None]


def resolve_perimeter(
    parsed: ParsedPerimeter | None,
    *,
    commune_code: CommuneResolver | None = None,
    area: AreaResolver | None = None,
) -> Perimeter:
    """The matcher's :class:`Perimeter` (territory keys) for a parsed perimeter.

    Regions, departments, France, Europe, mainland and overseas resolve from built-in tables;
    Paris, Lyon, Marseille and their arrondissements too. Other communes need
    ``commune_code(name, postcodes)`` and EPCIs, basins and ad-hoc areas need ``area(parsed)``
    (both from the territory reference); without them, or when they return None, the
    perimeter is unresolved and applies to nobody.
    """
    if parsed is None:
        return Perimeter.unresolved("", "adhoc")
    resolved: Perimeter | None = None
    scale = parsed.scale
    if scale == "region":
        code = region_code(parsed.name)
        resolved = Perimeter.region(code) if code else None
    elif scale == "department":
        code = department_code(parsed.name)
        resolved = Perimeter.department(code) if code else None
    elif scale == "country" and normalise_name(parsed.name) == "france":
        resolved = Perimeter.france()
    elif scale == "continent" and normalise_name(parsed.name) in {"europe", "union europeenne"}:
        resolved = Perimeter.europe()
    elif scale == "mainland":
        resolved = Perimeter.mainland()
    elif scale == "overseas":
        resolved = Perimeter.overseas()
    elif scale == "commune":
        code = _builtin_commune(parsed.name) or (
            commune_code(parsed.name, parsed.postcodes) if commune_code else None
        )
        resolved = Perimeter.commune(code, parsed.name) if code else None
    elif area is not None:
        resolved = area(parsed)
    return resolved or Perimeter.unresolved(parsed.name, scale)


def _builtin_commune(name: str) -> str | None:
    key = normalise_name(name)
    if key in _PLM:
        return _PLM[key][0]
    match = _ARRONDISSEMENT_NAME.match(key)
    if match:
        base, number = _PLM[match.group(1)][1], int(match.group(2))
        limit = {"paris": 20, "lyon": 9, "marseille": 16}[match.group(1)]
        if 1 <= number <= limit:
            return str(base + number)
    return None


def split_category(value: str) -> tuple[str, str]:
    """``"Theme|Category"`` -> (theme, category); a bare category has an empty theme."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedRecord("catégorie vide", field="categories")
    theme, sep, category = value.partition("|")
    if not sep:
        return "", value.strip()
    if not category.strip():
        raise MalformedRecord(f"catégorie sans nom : {value!r}", field="categories")
    return theme.strip(), category.strip()


def is_open(deadline: date | None, recurrence: str | None, as_of: date) -> bool:
    """Open when the deadline is as_of or later, when there is none, or when ongoing."""
    if recurrence is not None and label_to_code("recurrence", recurrence) == "ongoing":
        return True
    return deadline is None or deadline >= as_of


# --- HTML ---------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "br", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one block per line."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# --- Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRecord:
    """One aid as Grappe stores it: codes instead of labels, dates parsed, HTML kept."""

    id: str
    name: str
    slug: str = ""
    url: str = ""
    name_initial: str = ""
    short_title: str = ""
    financers: tuple[str, ...] = ()
    instructors: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    description: str = ""
    eligibility: str = ""
    perimeter: ParsedPerimeter | None = None
    perimeter_label: str = ""
    mobilization_steps: tuple[str, ...] = ()
    origin_url: str = ""
    categories: tuple[tuple[str, str], ...] = ()
    is_call_for_project: bool = False
    application_url: str = ""
    targeted_audiences: tuple[str, ...] = ()
    aid_types: tuple[str, ...] = ()
    is_charged: bool = False
    destinations: tuple[str, ...] = ()
    start_date: date | None = None
    predeposit_date: date | None = None
    submission_deadline: date | None = None
    subvention_rate_lower_bound: int | None = None
    subvention_rate_upper_bound: int | None = None
    subvention_comment: str = ""
    loan_amount: int | None = None
    recoverable_advance_amount: int | None = None
    contact: str = ""
    recurrence: str | None = None
    project_examples: str = ""
    import_data_url: str = ""
    import_data_mention: str = ""
    import_share_licence: str = ""
    date_created: datetime | None = None
    date_updated: datetime | None = None
    european_aid: str | None = None
    is_live: bool = True
    unknown_labels: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def is_open(self, as_of: date) -> bool:
        return is_open(self.submission_deadline, self.recurrence, as_of)


@dataclass(frozen=True)
class AidPage:
    """One API page: its counters, its links and its records, in order."""

    count: int
    next: str | None
    previous: str | None
    records: tuple[CallRecord, ...]


class _Reader:
    """Typed access to one raw record, raising MalformedRecord with the field's name."""

    def __init__(self, record: Mapping[str, Any], record_id: str | None):
        self.record = record
        self.record_id = record_id

    def fail(self, name: str, reason: str) -> MalformedRecord:
        return MalformedRecord(reason, field=name, record_id=self.record_id)

    def text(self, name: str) -> str:
        value = self.record.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(name, f"texte attendu, reçu {type(value).__name__}")
        return value.strip()

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.record.get(name)
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, list):
            raise self.fail(name, "liste de textes attendue")
        if not all(isinstance(item, str) for item in value):
            raise self.fail(name, "liste de textes attendue")
        return tuple(item.strip() for item in value if item.strip())

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.record.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(name, "booléen attendu (true ou false)")
        return value

    def day(self, name: str) -> date | None:
        value = self.record.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise self.fail(name, f"date AAAA-MM-JJ attendue, reçu {value!r}")
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(name, f"date impossible : {value!r}") from None

    def moment(self, name: str) -> datetime | None:
        value = self.record.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(name, f"date et heure ISO 8601 attendues, reçu {value!r}")
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(name, f"date et heure ISO 8601 attendues, reçu {value!r}") from None

    def number(self, name: str, *, low: int | None = None, high: int | None = None) -> int | None:
        value = self.record.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"nombre attendu, reçu {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(name, f"valeur hors bornes : {value!r}")
        return int(value)


def parse_aid(record: Mapping[str, Any]) -> CallRecord:
    """Map one raw aid of an API page to a :class:`CallRecord`.

    Raises :class:`MalformedRecord` when the record is not an object, has no usable id or
    name, or a field has the wrong type (a date that is not ``YYYY-MM-DD``, a list that is a
    string, a rate outside 0 to 100...). Unknown labels are not errors: they are dropped from
    the codes and listed in ``unknown_labels`` for the import report.
    """
    if not isinstance(record, Mapping):
        raise MalformedRecord("une aide doit être un objet JSON")
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).strip():
        raise MalformedRecord("identifiant manquant ou invalide", field="id")
    record_id = str(raw_id).strip()
    read = _Reader(record, record_id)
    name = read.text("name")
    if not name:
        raise read.fail("name", "intitulé manquant")

    unknown: list[tuple[str, str]] = []

    def codes(vocabulary: str) -> tuple[str, ...]:
        mapping = map_labels(vocabulary, read.strings(vocabulary))
        unknown.extend((vocabulary, label) for label in mapping.unknown)
        return mapping.codes

    def single(vocabulary: str) -> str | None:
        label = read.text(vocabulary)
        if not label:
            return None
        code = label_to_code(vocabulary, label)
        if code is None:
            unknown.append((vocabulary, label))
        return code

    perimeter_label = read.text("perimeter")
    perimeter = _read_perimeter(read, perimeter_label)
    try:
        categories = tuple(split_category(c) for c in read.strings("categories"))
    except MalformedRecord as error:
        raise read.fail("categories", error.reason) from None
    lower = read.number("subvention_rate_lower_bound", low=0, high=100)
    upper = read.number("subvention_rate_upper_bound", low=0, high=100)
    if lower is not None and upper is not None and lower > upper:
        raise read.fail("subvention_rate_lower_bound", "taux minimum supérieur au taux maximum")
    start, deadline = read.day("start_date"), read.day("submission_deadline")
    if start and deadline and deadline < start:
        raise read.fail("submission_deadline", "date limite antérieure à la date d'ouverture")

    return CallRecord(
        id=record_id,
        name=name,
        slug=read.text("slug"),
        url=read.text("url"),
        name_initial=read.text("name_initial"),
        short_title=read.text("short_title"),
        financers=read.strings("financers"),
        instructors=read.strings("instructors"),
        programs=read.strings("programs"),
        description=read.text("description"),
        eligibility=read.text("eligibility"),
        perimeter=perimeter,
        perimeter_label=perimeter_label,
        mobilization_steps=codes("mobilization_steps"),
        origin_url=read.text("origin_url"),
        categories=categories,
        is_call_for_project=read.boolean("is_call_for_project"),
        application_url=read.text("application_url"),
        targeted_audiences=codes("targeted_audiences"),
        aid_types=codes("aid_types"),
        is_charged=read.boolean("is_charged"),
        destinations=codes("destinations"),
        start_date=start,
        predeposit_date=read.day("predeposit_date"),
        submission_deadline=deadline,
        subvention_rate_lower_bound=lower,
        subvention_rate_upper_bound=upper,
        subvention_comment=read.text("subvention_comment"),
        loan_amount=read.number("loan_amount", low=0),
        recoverable_advance_amount=read.number("recoverable_advance_amount", low=0),
        contact=read.text("contact"),
        recurrence=single("recurrence"),
        project_examples=read.text("project_examples"),
        import_data_url=read.text("import_data_url"),
        import_data_mention=read.text("import_data_mention"),
        import_share_licence=read.text("import_share_licence"),
        date_created=read.moment("date_created"),
        date_updated=read.moment("date_updated"),
        european_aid=single("european_aid"),
        is_live=read.boolean("is_live", default=True),
        unknown_labels=tuple(unknown),
    )


def _read_perimeter(read: _Reader, label: str) -> ParsedPerimeter | None:
    if not label:
        return None
    parsed = parse_perimeter(label)
    scale_value = read.record.get("perimeter_scale")
    if scale_value in (None, ""):
        return parsed
    if isinstance(scale_value, int) and not isinstance(scale_value, bool):
        scale = _SCALE_BY_RANK.get(scale_value)
    elif isinstance(scale_value, str):
        scale = _SCALE_BY_LABEL.get(_label_key(scale_value))
    else:
        scale = None
    if scale is None:
        raise read.fail("perimeter_scale", f"échelle inconnue : {scale_value!r}")
    if scale != parsed.scale:
        # The explicit scale wins; the string's own label (if any) was only a display.
        return ParsedPerimeter(parsed.name, scale, parsed.postcodes)
    return parsed


def parse_page(page: Mapping[str, Any]) -> AidPage:
    """Read a whole API page; the first malformed record refuses the page (nothing half-read)."""
    if not isinstance(page, Mapping) or not isinstance(page.get("results"), list):
        raise MalformedRecord("page d'API attendue : un objet avec une liste « results »")
    count = page.get("count", len(page["results"]))
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise MalformedRecord("compteur « count » invalide", field="count")
    for link in ("next", "previous"):
        if page.get(link) is not None and not isinstance(page.get(link), str):
            raise MalformedRecord("lien de page invalide", field=link)
    records = []
    seen: set[str] = set()
    for position, raw in enumerate(page["results"], start=1):
        try:
            record = parse_aid(raw)
        except MalformedRecord as error:
            raise MalformedRecord(
                f"résultat n° {position} : {error}", field=error.field, record_id=error.record_id
            ) from None
        if record.id in seen:
            raise MalformedRecord(
                f"résultat n° {position} : identifiant en double", field="id", record_id=record.id
            )
        seen.add(record.id)
        records.append(record)
    return AidPage(count, page.get("next"), page.get("previous"), tuple(records))


def call_profile(
    record: CallRecord,
    *,
    commune_code: CommuneResolver | None = None,
    area: AreaResolver | None = None,
) -> CallProfile:
    """The matcher's view of a record: plain text, codes, resolved perimeter."""
    categories = tuple(
        f"{theme}|{category}" if theme else category for theme, category in (record.categories)
    )
    return CallProfile(
        id=record.id,
        title=record.name,
        perimeter=resolve_perimeter(record.perimeter, commune_code=commune_code, area=area),
        description=html_to_text(record.description),
        eligibility=html_to_text(record.eligibility),
        categories=categories,
        targeted_audiences=frozenset(record.targeted_audiences),
        aid_types=frozenset(record.aid_types),
        financers=record.financers,
        programs=record.programs,
        start_date=record.start_date,
        submission_deadline=record.submission_deadline,
        recurrence=record.recurrence,
        is_call_for_project=record.is_call_for_project,
    )
