"""A generated SIRENE extract for the demo's prospects page: establishments of the music
sector in Paris 18e, shaped exactly like INSEE's stock files (real headers), then read by
the real importer. Some are already members, some closed, some under partial diffusion."""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from grappe.engine.geo import wgs84_to_lambert93
from grappe.engine.identifiers import luhn_complete
from grappe.territory.sirene import LEGAL_UNIT_STOCK_HEADER, STOCK_HEADER

ESTABLISHMENT_HEADER = STOCK_HEADER
LEGAL_UNIT_HEADER = LEGAL_UNIT_STOCK_HEADER
STREETS = [
    ("RUE", "MYRHA"),
    ("RUE", "DES POISSONNIERS"),
    ("BD", "BARBES"),
    ("RUE", "ORDENER"),
    ("RUE", "MARCADET"),
    ("RUE", "CHAMPIONNET"),
    ("RUE", "CUSTINE"),
    ("RUE", "LEPIC"),
    ("RUE", "DAMREMONT"),
    ("RUE", "DU POTEAU"),
    ("BD", "DE ROCHECHOUART"),
    ("RUE", "RAMEY"),
    ("RUE", "LEON"),
    ("RUE", "DOUDEAUVILLE"),
    ("IMP", "DU CURE"),
    ("PL", "DU TERTRE"),
]
WORDS = [
    "Studio",
    "Label",
    "Productions",
    "Éditions",
    "Scène",
    "Atelier",
    "Sons",
    "Musiques",
    "Ondes",
    "Disques",
    "Harmonies",
    "Collectif",
]
PLACES = [
    "Clignancourt",
    "Goutte d'Or",
    "Montmartre",
    "La Chapelle",
    "Simplon",
    "Marx Dormoy",
    "Jules Joffrin",
    "Lamarck",
    "Porte de Saint-Ouen",
    "Château Rouge",
    "Pajol",
    "Hébert",
]
NAF = [
    "59.20Z",
    "90.01Z",
    "90.02Z",
    "90.03B",
    "90.04Z",
    "32.20Z",
    "47.63Z",
    "85.52Z",
    "60.10Z",
    "18.20Z",
]


def write_demo_stock(
    member_sirets: list[str], *, count: int = 140, seed: int = 18
) -> tuple[Path, Path]:
    """Write an establishments file and a legal-units file under a temporary folder."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    folder = Path(tempfile.mkdtemp(prefix="grappe-demo-sirene-"))
    establishments, units = [], []
    for i in range(count):
        siren = luhn_complete(f"{84_000_000 + i * 37:08d}")
        nic = f"{rng.randrange(1, 99):04d}"
        siret = luhn_complete(siren + nic)
        partial = i % 17 == 5
        state = "F" if i % 13 == 7 else "A"
        lat, lon = 48.8925 + rng.uniform(-0.006, 0.006), 2.3484 + rng.uniform(-0.012, 0.012)
        x, y = wgs84_to_lambert93(lat, lon)
        street_type, street = rng.choice(STREETS)
        row = dict.fromkeys(ESTABLISHMENT_HEADER, "")
        row.update(
            siren=siren,
            nic=nic[-5:].rjust(5, "0"),
            siret=siret,
            statutDiffusionEtablissement="P" if partial else "O",
            dateCreationEtablissement=(
                f"{rng.randrange(1995, 2025)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"
            ),
            trancheEffectifsEtablissement=rng.choice(["NN", "00", "01", "02", "03", "11"]),
            dateDernierTraitementEtablissement="2026-10-02T08:15:00",
            etablissementSiege="true",
            nombrePeriodesEtablissement="1",
            numeroVoieEtablissement="[ND]" if partial else str(rng.randrange(1, 140)),
            typeVoieEtablissement="[ND]" if partial else street_type,
            libelleVoieEtablissement="[ND]" if partial else street,
            codePostalEtablissement="[ND]" if partial else "75018",
            libelleCommuneEtablissement="PARIS 18",
            codeCommuneEtablissement="75118",
            coordonneeLambertAbscisseEtablissement="[ND]" if partial else f"{x:.1f}",
            coordonneeLambertOrdonneeEtablissement="[ND]" if partial else f"{y:.1f}",
            dateDebut="2020-01-01",
            etatAdministratifEtablissement=state,
            activitePrincipaleEtablissement=rng.choice(NAF),
            nomenclatureActivitePrincipaleEtablissement="NAFRev2",
            caractereEmployeurEtablissement="O",
        )
        establishments.append(row)
        units.append(
            {
                **dict.fromkeys(LEGAL_UNIT_HEADER, ""),
                "siren": siren,
                "statutDiffusionUniteLegale": "O",
                "unitePurgeeUniteLegale": "",
                "denominationUniteLegale": f"{rng.choice(WORDS)} {rng.choice(PLACES)}".upper(),
                "categorieJuridiqueUniteLegale": rng.choice(["5710", "5499", "9220"]),
                "etatAdministratifUniteLegale": "A",
            }
        )
    # A few establishments that are already members: the import recognises them.
    for siret, row in zip(member_sirets[:12], establishments, strict=False):
        row.update(siren=siret[:9], nic=siret[9:], siret=siret, etatAdministratifEtablissement="A")
    stock, legal = folder / "StockEtablissement_utf8.csv", folder / "StockUniteLegale_utf8.csv"
    for path, header, rows in (
        (stock, ESTABLISHMENT_HEADER, establishments),
        (legal, LEGAL_UNIT_HEADER, units),
    ):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    return stock, legal
