"""The radar's file format: texts from CSV, results as the JSON the CLI prints."""

from __future__ import annotations

import csv
import datetime
import io
from os import PathLike

from .model import RadarResult, TextItem

REQUIRED_COLUMNS = ("id", "text")
OPTIONAL_COLUMNS = ("org", "date")


def read_texts_csv(path: str | PathLike[str]) -> list[TextItem]:
    """Texts from a UTF-8 CSV (BOM tolerated) with columns id,text and optionally org,date.

    Other columns are ignored. A bad row is refused with a ValueError naming its line
    (the file's physical line, header = line 1); nothing is returned from a bad file.
    """
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"ligne {line} : le fichier n'est pas en UTF-8") from exc
    return parse_texts_csv(content)


def parse_texts_csv(content: str) -> list[TextItem]:
    """Texts from CSV content already decoded (see read_texts_csv)."""
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("ligne 1 : fichier vide, en-tête id,text attendu") from None
    except csv.Error as exc:
        raise ValueError(f"ligne 1 : CSV illisible ({exc})") from None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}")
    dupes = sorted({c for c in columns if c and columns.count(c) > 1})
    if dupes:
        raise ValueError(f"ligne 1 : colonne(s) en double : {', '.join(dupes)}")
    pos = {c: columns.index(c) for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in columns}

    items: list[TextItem] = []
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValueError(f"ligne {line} : CSV illisible ({exc})") from None
        if not row or all(not cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(columns):
            raise ValueError(
                f"ligne {line} : {len(row)} champ(s) au lieu de {len(columns)} "
                "(une virgule dans un texte doit être entre guillemets)"
            )
        text_id = row[pos["id"]].strip()
        text = row[pos["text"]].strip()
        if not text_id:
            raise ValueError(f"ligne {line} : identifiant vide")
        if text_id in seen:
            raise ValueError(
                f"ligne {line} : identifiant {text_id!r} déjà vu ligne {seen[text_id]}"
            )
        if not text:
            raise ValueError(f"ligne {line} : texte vide")
        org = row[pos["org"]].strip() or None if "org" in pos else None
        date = None
        if "date" in pos and row[pos["date"]].strip():
            value = row[pos["date"]].strip()
            try:
                date = datetime.date.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"ligne {line} : date invalide {value!r} (attendu AAAA-MM-JJ)"
                ) from None
        seen[text_id] = line
        items.append(TextItem(id=text_id, text=text, org=org, date=date))
    return items


def radar_to_json(result: RadarResult) -> dict:
    """The CLI's JSON: every text with its theme id (or None), and the themes in rank order."""
    return {
        "texts": [{"id": tid, "theme": theme} for tid, theme in result.assignments.items()],
        "themes": [
            {"id": t.id, "label": t.label, "size": t.size, "members": t.members}
            for t in result.themes
        ],
    }
