"""Writes of reference data: the INSEE commune list and centroids."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from grappe.territory.models import Commune

DATA_DIR = Path(__file__).resolve().parent / "data"
COG_REQUIRED = ("TYPECOM", "COM", "REG", "DEP", "LIBELLE", "COMPARENT")


class ReferenceImportError(ValueError):
    """A reference file that cannot be imported; nothing of it was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return _("%(c)d créée(s), %(u)d mise(s) à jour, %(n)d inchangée(s)") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
        }


def _open_text(path: Path) -> io.TextIOBase:
    return open(path, encoding="utf-8-sig", newline="")


def _read_cog(path: Path) -> list[dict]:
    with _open_text(path) as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [h.strip().upper() for h in reader.fieldnames or []]
        missing = [c for c in COG_REQUIRED if c not in header]
        if missing:
            raise ReferenceImportError(
                [_("Colonnes manquantes dans le fichier des communes : %s.") % ", ".join(missing)]
            )
        reader.fieldnames = header
        rows, errors = [], []
        for line, row in enumerate(reader, start=2):
            code = (row.get("COM") or "").strip()
            kind = (row.get("TYPECOM") or "").strip()
            if kind not in Commune.Kind.values:
                errors.append(
                    _("Ligne %(l)d : type de commune inconnu « %(k)s ».") % {"l": line, "k": kind}
                )
                continue
            if len(code) != 5:
                errors.append(
                    _("Ligne %(l)d : code commune invalide « %(c)s ».") % {"l": line, "c": code}
                )
                continue
            rows.append({**row, "_line": line})
        if errors:
            raise ReferenceImportError(errors)
    return rows


@transaction.atomic
def communes_import(path: Path) -> ImportSummary:
    """Upsert communes from INSEE's official code list (COG); idempotent and atomic.

    Communes and municipal arrondissements win over associated and delegated
    communes that share their code.
    """
    rows = _read_cog(Path(path))
    by_code: dict[str, dict] = {}
    rank = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}
    for row in rows:
        code = row["COM"].strip()
        if code not in by_code or rank[row["TYPECOM"]] < rank[by_code[code]["TYPECOM"]]:
            by_code[code] = row
    existing = {c.code: c for c in Commune.objects.filter(code__in=by_code)}
    created = updated = unchanged = 0
    to_create, to_update = [], []
    for code, row in by_code.items():
        parent = (row.get("COMPARENT") or "").strip() if row["TYPECOM"] == "ARM" else ""
        department, region = (row.get("DEP") or "").strip(), (row.get("REG") or "").strip()
        if parent and not department:
            # Arrondissements often leave DEP/REG empty in the file: inherit the parent's.
            source = by_code.get(parent)
            if source is not None:
                department, region = source["DEP"].strip(), source["REG"].strip()
            elif parent_row := Commune.objects.filter(code=parent).first():
                department, region = parent_row.department, parent_row.region
        values = {
            "name": (row.get("LIBELLE") or row.get("NCCENR") or "").strip(),
            "kind": row["TYPECOM"],
            "department": department,
            "region": region,
        }
        if parent:
            values["parent_id"] = parent
        commune = existing.get(code)
        if commune is None:
            to_create.append(Commune(code=code, **values))
            created += 1
        elif any(getattr(commune, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(commune, k, v)
            to_update.append(commune)
            updated += 1
        else:
            unchanged += 1
    # Parents first, so that arrondissements can point at them.
    Commune.objects.bulk_create([c for c in to_create if not c.parent_id], batch_size=2000)
    Commune.objects.bulk_create([c for c in to_create if c.parent_id], batch_size=2000)
    if to_update:
        Commune.objects.bulk_update(
            to_update, ["name", "kind", "department", "region", "parent"], batch_size=2000
        )
    return ImportSummary(created, updated, unchanged)


@transaction.atomic
def centroids_import(path: Path) -> int:
    """Set centroids (and main postcode) from a CSV code,latitude,longitude[,postcode]."""
    with _open_text(Path(path)) as handle:
        reader = csv.DictReader(handle)
        if not {"code", "latitude", "longitude"} <= set(reader.fieldnames or []):
            raise ReferenceImportError([_("Colonnes attendues : code, latitude, longitude.")])
        values, errors = {}, []
        for line, row in enumerate(reader, start=2):
            try:
                lat, lon = Decimal(row["latitude"]), Decimal(row["longitude"])
            except InvalidOperation:
                errors.append(_("Ligne %d : coordonnées invalides.") % line)
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors.append(_("Ligne %d : coordonnées hors limites.") % line)
                continue
            values[row["code"].strip()] = (lat, lon, (row.get("postcode") or "").strip())
    if errors:
        raise ReferenceImportError(errors)
    communes = list(Commune.objects.filter(code__in=values))
    for commune in communes:
        commune.latitude, commune.longitude, postcode = values[commune.code]
        commune.postcode = postcode or commune.postcode
    Commune.objects.bulk_update(communes, ["latitude", "longitude", "postcode"], batch_size=2000)
    return len(communes)


def reference_load_bundled() -> None:
    """Load the communes shipped with Grappe (Paris and its arrondissements, a few cities)."""
    communes_import(DATA_DIR / "communes.csv")
    centroids_import(DATA_DIR / "centroids.csv")


def commune_codes_expand(codes: Iterable[str]) -> set[str]:
    """The codes plus the municipal arrondissements of any city among them.

    A cluster whose territory is Paris (75056) must match SIRENE rows coded 75101–75120.
    """
    codes = set(codes)
    children = Commune.objects.filter(parent_id__in=codes).values_list("code", flat=True)
    return codes | set(children)
