"""Reading INSEE's SIRENE stock files: establishments (StockEtablissement) and legal units
(StockUniteLegale), as a zip holding a CSV, a plain CSV or Parquet.

Pure reading and filtering into dataclasses (no model, no database): the members app's
registry service decides what to store. Columns are read by name, in any order, and
unknown columns are ignored (INSEE adds some without notice); a missing column, a file
that is neither a zip, a CSV nor a Parquet file, or a truncated one raises
:class:`SireneFormatError` with the reason.

Memory stays flat whatever the file size: the file is streamed batch by batch with
pyarrow (CSV blocks or Parquet row groups), each batch is filtered vectorised with
``pyarrow.compute``, and only the matching rows become Python objects.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from django.utils.translation import gettext as _

from grappe.engine.geo import lambert93_to_wgs84

PARIS = ZoneInfo("Europe/Paris")
NOT_DIFFUSED = "[ND]"  # INSEE's placeholder for a masked value
CSV_BLOCK_SIZE = 1 << 20  # bytes per CSV block: memory is a few blocks, whatever the file
_HEADER_PROBE = 1 << 16

# Columns of StockEtablissement the import needs; the file may hold them in any order.
ESTABLISHMENT_COLUMNS = (
    "siren",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "codeCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
)
# Read when present: INSEE added the NAF 2025 column on 2025-12-16.
ESTABLISHMENT_OPTIONAL = ("activitePrincipaleNAF25Etablissement",)

# Few distinct values: read from Parquet as dictionaries (indices into a small set of
# strings), which halves the decoding; the filter is computed on the dictionary.
ESTABLISHMENT_DICTIONARY = (
    "statutDiffusionEtablissement",
    "trancheEffectifsEtablissement",
    "etablissementSiege",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "codePostalEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "activitePrincipaleNAF25Etablissement",
)

# The stock files' full headers, in INSEE's order (format 3.11; the NAF 2025 column was
# added on 2025-12-16). The reader needs only the columns above; these are for writing
# files shaped like the real ones (test samples, the demo's extract, benchmarks).
STOCK_HEADER = tuple(
    (
        "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,"
        "trancheEffectifsEtablissement,anneeEffectifsEtablissement,"
        "activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,"
        "etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,"
        "numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,"
        "indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,"
        "libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,"
        "libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,"
        "codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,"
        "codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,"
        "identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,"
        "coordonneeLambertOrdonneeEtablissement,complementAdresse2Etablissement,"
        "numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,"
        "libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,"
        "libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,"
        "codeCommune2Etablissement,codeCedex2Etablissement,libelleCedex2Etablissement,"
        "codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,"
        "etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,"
        "enseigne3Etablissement,denominationUsuelleEtablissement,"
        "activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,"
        "caractereEmployeurEtablissement,activitePrincipaleNAF25Etablissement"
    ).split(",")
)
LEGAL_UNIT_STOCK_HEADER = tuple(
    (
        "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,"
        "sigleUniteLegale,sexeUniteLegale,prenom1UniteLegale,prenom2UniteLegale,"
        "prenom3UniteLegale,prenom4UniteLegale,prenomUsuelUniteLegale,pseudonymeUniteLegale,"
        "identifiantAssociationUniteLegale,trancheEffectifsUniteLegale,anneeEffectifsUniteLegale,"
        "dateDernierTraitementUniteLegale,nombrePeriodesUniteLegale,categorieEntreprise,"
        "anneeCategorieEntreprise,dateDebut,etatAdministratifUniteLegale,nomUniteLegale,"
        "nomUsageUniteLegale,denominationUniteLegale,denominationUsuelle1UniteLegale,"
        "denominationUsuelle2UniteLegale,denominationUsuelle3UniteLegale,"
        "categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,"
        "nomenclatureActivitePrincipaleUniteLegale,nicSiegeUniteLegale,"
        "economieSocialeSolidaireUniteLegale,societeMissionUniteLegale,"
        "caractereEmployeurUniteLegale,activitePrincipaleNAF25UniteLegale"
    ).split(",")
)

LEGAL_UNIT_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "denominationUniteLegale",
    "nomUniteLegale",
    "prenomUsuelUniteLegale",
)
LEGAL_UNIT_OPTIONAL = ("nomUsageUniteLegale", "prenom1UniteLegale")

# INSEE's street type codes (typeVoie) and their words.
STREET_TYPES = {
    "ALL": "allée",
    "AV": "avenue",
    "BD": "boulevard",
    "CAR": "carrefour",
    "CHE": "chemin",
    "CHS": "chaussée",
    "CITE": "cité",
    "COR": "corniche",
    "CRS": "cours",
    "DOM": "domaine",
    "DSC": "descente",
    "ECA": "écart",
    "ESP": "esplanade",
    "FG": "faubourg",
    "GR": "grande rue",
    "HAM": "hameau",
    "HLE": "halle",
    "IMP": "impasse",
    "LD": "lieu-dit",
    "LOT": "lotissement",
    "MAR": "marché",
    "MTE": "montée",
    "PARC": "parc",
    "PAS": "passage",
    "PL": "place",
    "PLN": "plaine",
    "PLT": "plateau",
    "PONT": "pont",
    "PORT": "port",
    "PRO": "promenade",
    "PRV": "parvis",
    "QUA": "quartier",
    "QUAI": "quai",
    "RES": "résidence",
    "RLE": "ruelle",
    "ROC": "rocade",
    "RPT": "rond-point",
    "RTE": "route",
    "RUE": "rue",
    "SEN": "sentier",
    "SQ": "square",
    "TPL": "terre-plein",
    "TRA": "traverse",
    "VLA": "villa",
    "VLGE": "village",
    "VOIE": "voie",
    "ZA": "zone d'activité",
    "ZAC": "zone d'aménagement concerté",
    "ZI": "zone industrielle",
}
# indiceRepetition: B, T, Q, C are bis, ter, quater, quinquies; other letters stay letters.
REPETITION_INDEXES = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}
_LOWER_WORDS = {"de", "du", "des", "la", "le", "les", "et", "au", "aux", "a", "à", "sur", "sous"}
# Lambert-93 only covers metropolitan France; outside it the point is not trusted.
_METROPOLE = (41.0, 51.6, -5.8, 10.0)


class SireneFormatError(ValueError):
    """A file that is not a readable SIRENE stock file; nothing of it was imported."""


# --- Records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What one cluster keeps: active establishments of these NAF codes in these communes."""

    key: str
    naf_codes: frozenset[str]
    commune_codes: frozenset[str]

    def matches(self, naf_code: str, commune_code: str) -> bool:
        return naf_code in self.naf_codes and commune_code in self.commune_codes


@dataclass(frozen=True)
class EstablishmentRecord:
    """One establishment row, already masked when under partial diffusion."""

    line: int
    siret: str
    siren: str
    naf_code: str
    naf_nomenclature: str
    naf25_code: str
    size_band: str
    commune_code: str
    address: str
    postcode: str
    latitude: Decimal | None
    longitude: Decimal | None
    is_partial_diffusion: bool
    is_active: bool
    is_head_office: bool
    created_on: dt.date | None
    source_updated_at: dt.datetime | None
    sign: str  # enseigne1Etablissement
    usual_name: str  # denominationUsuelleEtablissement
    selections: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalUnitRecord:
    siren: str
    is_partial_diffusion: bool
    denomination: str
    last_name: str
    first_name: str

    def person_name(self) -> str:
        return " ".join(p for p in (_title(self.first_name), _title(self.last_name)) if p)


@dataclass
class ScanStats:
    rows_read: int = 0
    rows_kept: int = 0


Columns = dict[str, "pa.Array | pa.ChunkedArray"]


@dataclass(frozen=True)
class Chunk:
    """A chunk of the file: its row count, the keep mask (None: nothing kept) and the kept
    rows with every read column."""

    num_rows: int
    mask: pa.Array | None
    kept: pa.Table | pa.RecordBatch | None


def establishment_name(record: EstablishmentRecord, legal_unit: LegalUnitRecord | None) -> str:
    """The legal unit's name, else the person's name (never under partial diffusion), else
    the establishment's sign or usual name."""
    if legal_unit is not None:
        if legal_unit.denomination:
            return legal_unit.denomination
        partial = legal_unit.is_partial_diffusion or record.is_partial_diffusion
        if not partial and (person := legal_unit.person_name()):
            return person
    return record.sign or record.usual_name


# --- Value parsing -----------------------------------------------------------------------


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value == NOT_DIFFUSED else value


def _title(value: str) -> str:
    """SIRENE's upper-case words in French title case: ``RUE DU FAUBOURG SAINT-DENIS``
    gives ``Rue du Faubourg Saint-Denis``, ``D'ORSEL`` gives ``d'Orsel``."""

    def word(w: str, first: bool) -> str:
        if "-" in w:
            return "-".join(word(part, first and i == 0) for i, part in enumerate(w.split("-")))
        low = w.lower()
        for elision in ("d'", "l'"):
            if low.startswith(elision) and len(low) > 2:
                return elision + low[2:3].upper() + low[3:]
        if low in _LOWER_WORDS and not first:
            return low
        return low[:1].upper() + low[1:]

    return " ".join(word(w, i == 0) for i, w in enumerate(value.split()))


def compose_address(number: str, repetition: str, street_type: str, street: str) -> str:
    """``12``, ``B``, ``RUE``, ``ORDENER`` → ``12 bis rue Ordener``."""
    number, repetition = _clean(number), _clean(repetition).upper()
    street_type, street = _clean(street_type).upper(), _clean(street)
    parts = []
    if number:
        parts.append(number)
        if repetition:
            parts.append(REPETITION_INDEXES.get(repetition, repetition))
    if street_type:
        parts.append(STREET_TYPES.get(street_type, street_type.lower()))
    if street:
        name = _title(street)
        if street_type:
            name = name[:1].lower() + name[1:] if name.split()[0].lower() in _LOWER_WORDS else name
        parts.append(name)
    return " ".join(parts)


def parse_date(value: str) -> dt.date | None:
    value = _clean(value)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_datetime(value: str) -> dt.datetime | None:
    """An ISO date-time of the file (Paris local time) as an aware datetime."""
    value = _clean(value)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment


def parse_coordinates(x: str, y: str) -> tuple[Decimal, Decimal] | tuple[None, None]:
    """Lambert-93 metres to (latitude, longitude) with five decimals; empty, masked or
    out-of-metropole values give no point."""
    try:
        fx, fy = float(_clean(x)), float(_clean(y))
    except ValueError:
        return None, None
    lat, lon = lambert93_to_wgs84(fx, fy)
    south, north, west, east = _METROPOLE
    if not (south <= lat <= north and west <= lon <= east):
        return None, None
    step = Decimal("0.00001")
    return Decimal(repr(lat)).quantize(step), Decimal(repr(lon)).quantize(step)


# --- Opening a stock file ----------------------------------------------------------------


class StockFile:
    """A SIRENE stock file whose format and header were checked: nothing read yet.

    ``kind`` is ``zip`` (a zip holding one CSV, as INSEE publishes it), ``csv`` or
    ``parquet``; ``columns`` the file's columns; ``read_columns`` those the import reads.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        required: Iterable[str],
        optional: Iterable[str] = (),
        dictionary: Iterable[str] = (),
    ) -> None:
        self.path = Path(path)
        self.dictionary = list(dictionary)
        self.member: str | None = None
        self.delimiter = ","
        try:
            with open(self.path, "rb") as handle:
                magic = handle.read(4)
        except OSError as exc:
            raise SireneFormatError(
                _("Fichier illisible : %(f)s (%(e)s).") % {"f": self.path.name, "e": exc.strerror}
            ) from exc
        if not magic:
            raise SireneFormatError(_("Le fichier %s est vide.") % self.path.name)
        if magic == b"PAR1":
            self.kind = "parquet"
            self.columns = self._parquet_columns()
        elif magic[:2] == b"PK":
            self.kind = "zip"
            self.columns = self._zip_columns()
        else:
            self.kind = "csv"
            with open(self.path, "rb") as handle:
                self.columns = self._csv_columns(handle)
        present = set(self.columns)
        missing = [c for c in required if c not in present]
        if missing:
            raise SireneFormatError(
                _("Colonnes manquantes dans %(f)s : %(c)s.")
                % {"f": self.path.name, "c": ", ".join(missing)}
            )
        self.read_columns = [*required, *(c for c in optional if c in present)]

    def _parquet_columns(self) -> list[str]:
        try:
            return list(pq.ParquetFile(self.path).schema_arrow.names)
        except (pa.ArrowException, OSError) as exc:
            raise SireneFormatError(
                _("Fichier Parquet illisible ou tronqué : %(f)s (%(e)s).")
                % {"f": self.path.name, "e": exc}
            ) from exc

    def _zip_columns(self) -> list[str]:
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
                if not members:
                    raise SireneFormatError(
                        _("L'archive %s ne contient aucun fichier CSV.") % self.path.name
                    )
                # INSEE's archive holds one CSV; should there be several, take the largest.
                self.member = max(members, key=lambda i: i.file_size).filename
                with archive.open(self.member) as handle:
                    return self._csv_columns(handle)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise SireneFormatError(
                _("Archive zip illisible ou tronquée : %(f)s (%(e)s).")
                % {"f": self.path.name, "e": exc}
            ) from exc

    def _csv_columns(self, handle: BinaryIO) -> list[str]:
        probe = handle.read(_HEADER_PROBE)
        end = probe.find(b"\n")
        not_csv = _(
            "%s n'est ni un CSV, ni une archive zip, ni un fichier Parquet du stock SIRENE."
        ) % (self.member or self.path.name)
        if end < 0 or b"\x00" in probe[:end]:
            raise SireneFormatError(not_csv)
        try:
            line = probe[:end].decode("utf-8-sig").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise SireneFormatError(not_csv) from exc
        self.delimiter = ";" if line.count(";") > line.count(",") else ","
        header = next(csv.reader([line], delimiter=self.delimiter))
        if len(header) < 2:
            raise SireneFormatError(not_csv)
        return [h.strip() for h in header]

    # --- Streaming ---

    def chunks(
        self, mask_columns: list[str], mask_of: Callable[[Columns], pa.Array]
    ) -> Iterator[Chunk]:
        """The file chunk by chunk, each with its rows that ``mask_of`` keeps.

        ``mask_of`` gets the chunk's ``mask_columns`` (any Arrow type: see
        :func:`_strings`) and returns a boolean mask; only the kept rows of the other read
        columns are materialised. A CSV chunk is one parsed block (about ``CSV_BLOCK_SIZE``
        bytes); a Parquet chunk is one row group, read column by column, so that memory
        holds the mask columns and one other column of one row group, never the whole file
        nor a whole decoded row group.
        """
        if self.kind == "parquet":
            yield from self._parquet_chunks(mask_columns, mask_of)
            return
        with ExitStack() as stack:
            if self.kind == "zip":
                archive = stack.enter_context(zipfile.ZipFile(self.path))
                handle = stack.enter_context(archive.open(self.member))
            else:
                handle = stack.enter_context(open(self.path, "rb"))
            for batch in self._csv_batches(handle):
                mask = mask_of({name: batch.column(name) for name in mask_columns})
                kept = batch.filter(mask) if pc.any(mask).as_py() else None
                yield Chunk(batch.num_rows, mask if kept is not None else None, kept)

    def _parquet_chunks(
        self, mask_columns: list[str], mask_of: Callable[[Columns], pa.Array]
    ) -> Iterator[Chunk]:
        parquet = pq.ParquetFile(
            self.path, read_dictionary=[c for c in self.dictionary if c in self.read_columns]
        )
        others = [c for c in self.read_columns if c not in mask_columns]
        for group in range(parquet.num_row_groups):
            keys = parquet.read_row_group(group, columns=mask_columns, use_threads=True)
            mask = mask_of({name: keys.column(name).combine_chunks() for name in mask_columns})
            if not pc.any(mask).as_py():
                yield Chunk(keys.num_rows, None, None)
                continue
            columns = {name: keys.column(name).filter(mask) for name in mask_columns}
            del keys
            for name in others:
                column = parquet.read_row_group(group, columns=[name]).column(0)
                columns[name] = column.filter(mask)
            kept = pa.table({name: columns[name] for name in self.read_columns})
            yield Chunk(len(mask), mask, kept)

    def _csv_batches(self, handle: BinaryIO) -> Iterator[pa.RecordBatch]:
        reader = pcsv.open_csv(
            handle,
            read_options=pcsv.ReadOptions(block_size=CSV_BLOCK_SIZE, use_threads=True),
            parse_options=pcsv.ParseOptions(delimiter=self.delimiter),
            convert_options=pcsv.ConvertOptions(
                include_columns=self.read_columns,
                column_types={c: pa.string() for c in self.read_columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        yield from reader


def open_establishments(path: Path | str) -> StockFile:
    """Check an establishment stock file (format and header) without reading its rows."""
    return StockFile(
        path,
        required=ESTABLISHMENT_COLUMNS,
        optional=ESTABLISHMENT_OPTIONAL,
        dictionary=ESTABLISHMENT_DICTIONARY,
    )


def open_legal_units(path: Path | str) -> StockFile:
    """Check a legal-unit stock file (format and header) without reading its rows."""
    return StockFile(
        path,
        required=LEGAL_UNIT_COLUMNS,
        optional=LEGAL_UNIT_OPTIONAL,
        dictionary=("statutDiffusionUniteLegale",),
    )


# --- Scanning ----------------------------------------------------------------------------


def _strings(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Any column as strings, nulls as "": Parquet may store dates, numbers and booleans."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type):
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        array = pc.cast(array, pa.string())
    return pc.fill_null(array, "") if array.null_count else array


def _is_in(array: pa.Array | pa.ChunkedArray, values: pa.Array) -> pa.Array:
    """Which values of a column are among ``values``; a dictionary column is tested on its
    dictionary only (a few hundred strings), then spread by its indices."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type) and pa.types.is_string(array.type.value_type):
        found = pc.is_in(array.dictionary, value_set=values)
        return pc.fill_null(pc.take(found, array.indices), False)
    return pc.fill_null(pc.is_in(_strings(array), value_set=values), False)


def _pylists(kept: pa.Table | pa.RecordBatch) -> dict[str, list[str]]:
    return {name: _strings(kept.column(name)).to_pylist() for name in kept.schema.names}


def _guarded(stock: StockFile, chunks: Iterator[Chunk], stats: ScanStats) -> Iterator[Chunk]:
    """The chunks, with read errors (truncated file, bad row) as SireneFormatError."""
    try:
        yield from chunks
    except (pa.ArrowException, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise SireneFormatError(
            _("Fichier illisible ou tronqué : %(f)s, après la ligne %(l)d (%(e)s).")
            % {"f": stock.path.name, "l": stats.rows_read + 1, "e": str(exc)[:300]}
        ) from exc


def scan_establishments(
    stock: StockFile,
    selections: Iterable[Selection],
    *,
    watch_sirets: Iterable[str] = (),
    stats: ScanStats | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[EstablishmentRecord]:
    """Active establishments matching at least one selection, plus every row whose SIRET
    is watched (an already known establishment that may have closed or moved)."""
    selections = list(selections)
    stats = stats if stats is not None else ScanStats()
    nafs = pa.array(sorted({c for s in selections for c in s.naf_codes}), pa.string())
    communes = pa.array(sorted({c for s in selections for c in s.commune_codes}), pa.string())
    watch = set(watch_sirets)
    watched = pa.array(sorted(watch), pa.string())
    active = pa.array(["A"], pa.string())
    has_naf25 = "activitePrincipaleNAF25Etablissement" in stock.read_columns
    mask_columns = [
        "etatAdministratifEtablissement",
        "activitePrincipaleEtablissement",
        "codeCommuneEtablissement",
        *(["siret"] if watch else []),
    ]

    def mask_of(columns: Columns) -> pa.Array:
        mask = pc.and_(
            pc.and_(
                _is_in(columns["etatAdministratifEtablissement"], active),
                _is_in(columns["activitePrincipaleEtablissement"], nafs),
            ),
            _is_in(columns["codeCommuneEtablissement"], communes),
        )
        if watch:
            mask = pc.or_(mask, _is_in(columns["siret"], watched))
        return mask

    for chunk in _guarded(stock, stock.chunks(mask_columns, mask_of), stats):
        first_line = stats.rows_read + 2  # line 1 is the header
        stats.rows_read += chunk.num_rows
        if chunk.kept is not None:
            offsets = pc.indices_nonzero(chunk.mask).to_pylist()
            rows = _pylists(chunk.kept)
            for i, offset in enumerate(offsets):
                row = {name: values[i] for name, values in rows.items()}
                record = _establishment(row, first_line + offset, selections, has_naf25)
                # The vectorised mask keeps the union of the selections (any of their NAF
                # codes in any of their communes); a row must match one selection as a whole.
                if record.selections or record.siret in watch:
                    stats.rows_kept += 1
                    yield record
        if on_progress is not None:
            on_progress(stats.rows_read)
    if not stats.rows_read:
        # A stock is never empty: importing one would retire every prospect.
        raise SireneFormatError(
            _("Le fichier %s ne contient aucun établissement.") % stock.path.name
        )
    if on_progress is not None:
        on_progress(stats.rows_read)


def _establishment(
    row: dict[str, str], line: int, selections: list[Selection], has_naf25: bool
) -> EstablishmentRecord:
    siret, siren = row["siret"].strip(), row["siren"].strip()
    if not (len(siret) == 14 and siret.isdigit() and siret[:9] == siren):
        raise SireneFormatError(
            _("Ligne %(l)d : SIRET « %(s)s » invalide ou sans rapport avec le SIREN « %(n)s ».")
            % {"l": line, "s": siret, "n": siren}
        )
    naf, commune = row["activitePrincipaleEtablissement"], row["codeCommuneEtablissement"]
    partial = row["statutDiffusionEtablissement"].strip().upper() == "P"
    is_active = row["etatAdministratifEtablissement"] == "A"
    if partial:
        address, postcode, latitude, longitude = "", "", None, None
    else:
        address = compose_address(
            row["numeroVoieEtablissement"],
            row["indiceRepetitionEtablissement"],
            row["typeVoieEtablissement"],
            row["libelleVoieEtablissement"],
        )
        postcode = _clean(row["codePostalEtablissement"])
        latitude, longitude = parse_coordinates(
            row["coordonneeLambertAbscisseEtablissement"],
            row["coordonneeLambertOrdonneeEtablissement"],
        )
    return EstablishmentRecord(
        line=line,
        siret=siret,
        siren=siren,
        naf_code=_clean(naf),
        naf_nomenclature=_clean(row["nomenclatureActivitePrincipaleEtablissement"]),
        naf25_code=_clean(row["activitePrincipaleNAF25Etablissement"]) if has_naf25 else "",
        size_band=_clean(row["trancheEffectifsEtablissement"]),
        commune_code=_clean(commune),
        address=address,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        is_partial_diffusion=partial,
        is_active=is_active,
        is_head_office=row["etablissementSiege"].strip().lower() == "true",
        created_on=parse_date(row["dateCreationEtablissement"]),
        source_updated_at=parse_datetime(row["dateDernierTraitementEtablissement"]),
        sign=_clean(row["enseigne1Etablissement"]),
        usual_name=_clean(row["denominationUsuelleEtablissement"]),
        selections=tuple(s.key for s in selections if is_active and s.matches(naf, commune)),
    )


def scan_legal_units(
    stock: StockFile, sirens: Iterable[str], *, stats: ScanStats | None = None
) -> Iterator[LegalUnitRecord]:
    """The legal units of these SIREN numbers (a second streaming pass)."""
    stats = stats if stats is not None else ScanStats()
    wanted = pa.array(sorted(set(sirens)), pa.string())
    if not len(wanted):
        return
    optional = set(stock.read_columns)

    def mask_of(columns: Columns) -> pa.Array:
        return _is_in(columns["siren"], wanted)

    for chunk in _guarded(stock, stock.chunks(["siren"], mask_of), stats):
        stats.rows_read += chunk.num_rows
        if chunk.kept is None:
            continue
        rows = _pylists(chunk.kept)
        for i in range(chunk.kept.num_rows):
            row = {name: values[i] for name, values in rows.items()}
            stats.rows_kept += 1
            partial = row["statutDiffusionUniteLegale"].strip().upper() == "P"
            usage = _clean(row["nomUsageUniteLegale"]) if "nomUsageUniteLegale" in optional else ""
            first = _clean(row["prenomUsuelUniteLegale"])
            if not first and "prenom1UniteLegale" in optional:
                first = _clean(row["prenom1UniteLegale"])
            yield LegalUnitRecord(
                siren=row["siren"].strip(),
                is_partial_diffusion=partial,
                denomination=_clean(row["denominationUniteLegale"]),
                last_name=usage or _clean(row["nomUniteLegale"]),
                first_name=first,
            )
