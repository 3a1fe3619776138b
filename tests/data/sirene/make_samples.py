"""Writes the SIRENE samples of this folder: establishments as CSV, zip and Parquet, and
legal units as CSV. The CSV is the recorded sample; zip and Parquet are the same rows.

    .venv/bin/python tests/data/sirene/make_samples.py

Headers are INSEE's, in INSEE's order (FORMATS.md for establishments, format 3.11 with
the NAF 2025 column added on 2025-12-16). SIREN and SIRET carry a valid Luhn digit.
Rows (the "paris" test cluster is 75118 with 59.20Z and 90.04Z, "lyon" is 69123 with
59.11A):

    key          commune  NAF     state  diffusion  what it tests
    label        75118    59.20Z  A      O          a company named from the legal unit
    studio       75118    90.04Z  A      O          12 bis rue, sign; second establishment
    person       75118    59.20Z  A      O          sole trader named from her name
    hidden       75118    59.20Z  A      P          partial diffusion: no address, no name
    signonly     75118    59.20Z  A      O          legal unit in P: its sign, not the name
    hiddenpers   75118    90.04Z  A      P          person in O but establishment in P
    closed       75118    59.20Z  F      O          closed: never kept
    restaurant   75118    56.10A  A      O          wrong NAF
    oberkampf    75111    59.20Z  A      O          Paris 11e: only a Paris-wide cluster
    venue2e      75102    90.04Z  A      O          Paris 2e: only a Paris-wide cluster
    lyonimg      69383    59.11A  A      O          Lyon 3e for the lyon cluster
    lyonmusic    69383    59.20Z  A      O          Lyon, wrong NAF for lyon
    villeurb     69266    59.11A  A      O          Villeurbanne: outside Lyon
    lyonclosed   69381    59.11A  F      O          closed in Lyon
    hall         75118    90.04Z  A      O          the tests make its SIRET a member
    hall2        75118    59.20Z  A      O          same SIREN as hall: member by SIREN
    usual        75118    59.20Z  A      O          no legal unit: denominationUsuelle
    nocoords     75118    59.20Z  A      O          no coordinates, impasse
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from grappe.engine.identifiers import luhn_complete  # noqa: E402
from grappe.territory.sirene import LEGAL_UNIT_STOCK_HEADER, STOCK_HEADER  # noqa: E402

ESTABLISHMENT_HEADER = list(STOCK_HEADER)

LEGAL_UNIT_HEADER = list(LEGAL_UNIT_STOCK_HEADER)

COMMUNE_NAMES = {
    "75118": ("75018", "PARIS 18"),
    "75111": ("75011", "PARIS 11"),
    "75102": ("75002", "PARIS 2"),
    "69383": ("69003", "LYON 3EME"),
    "69381": ("69001", "LYON 1ER"),
    "69266": ("69100", "VILLEURBANNE"),
}
NAF25 = {"59.20Z": "59.20Y", "90.04Z": "90.41Y", "59.11A": "59.11Y", "56.10A": "56.11Y"}


def siren(prefix: str) -> str:
    return luhn_complete(prefix)


def siret(siren_: str, nic4: str = "0001") -> str:
    return luhn_complete(siren_ + nic4)


SIRENS = {
    key: siren(f"8{n:07d}")
    for n, key in enumerate(
        [
            "label",
            "studio",
            "person",
            "hidden",
            "signonly",
            "hiddenpers",
            "closed",
            "restaurant",
            "oberkampf",
            "venue2e",
            "lyonimg",
            "lyonmusic",
            "villeurb",
            "lyonclosed",
            "hall",
            "usual",
            "nocoords",
            "unrelated",
        ],
        start=1201,
    )
}


SIRETS: dict[str, str] = {}  # sample key → SIRET, for the tests


def establishment(key: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(ESTABLISHMENT_HEADER, "")
    s = SIRENS[values.pop("siren_of", key)]
    full = siret(s, values.pop("nic4", "0001"))
    SIRETS[key] = full
    commune = values.pop("commune", "75118")
    naf = values.pop("naf", "59.20Z")
    postcode, commune_name = COMMUNE_NAMES[commune]
    row.update(
        siren=s,
        nic=full[9:],
        siret=full,
        statutDiffusionEtablissement="O",
        dateCreationEtablissement="2016-03-01",
        trancheEffectifsEtablissement="01",
        anneeEffectifsEtablissement="2023",
        dateDernierTraitementEtablissement="2024-11-05T09:41:12",
        etablissementSiege="true",
        nombrePeriodesEtablissement="2",
        codePostalEtablissement=postcode,
        libelleCommuneEtablissement=commune_name,
        codeCommuneEtablissement=commune,
        dateDebut="2016-03-01",
        etatAdministratifEtablissement="A",
        activitePrincipaleEtablissement=naf,
        nomenclatureActivitePrincipaleEtablissement="NAFRev2",
        caractereEmployeurEtablissement="O",
        activitePrincipaleNAF25Etablissement=NAF25[naf],
    )
    row.update(values)
    return row


MASKED = dict.fromkeys(
    [
        "numeroVoieEtablissement",
        "typeVoieEtablissement",
        "libelleVoieEtablissement",
        "identifiantAdresseEtablissement",
        "coordonneeLambertAbscisseEtablissement",
        "coordonneeLambertOrdonneeEtablissement",
        "enseigne1Etablissement",
    ],
    "[ND]",
)

ESTABLISHMENTS = [
    establishment(
        "label",
        numeroVoieEtablissement="24",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DE LA GOUTTE D'OR",
        identifiantAdresseEtablissement="75118_4255_00024",
        coordonneeLambertAbscisseEtablissement="652612.4",
        coordonneeLambertOrdonneeEtablissement="6865203.3",
        trancheEffectifsEtablissement="11",
    ),
    establishment(
        "studio",
        nic4="0002",
        naf="90.04Z",
        etablissementSiege="false",
        numeroVoieEtablissement="12",
        indiceRepetitionEtablissement="B",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="ORDENER",
        coordonneeLambertAbscisseEtablissement="652266.7",
        coordonneeLambertOrdonneeEtablissement="6865973.4",
        enseigne1Etablissement="STUDIO ORDENER",
        dateDernierTraitementEtablissement="2025-02-14T16:02:55.000",
    ),
    establishment(
        "person",
        numeroVoieEtablissement="3",
        typeVoieEtablissement="BD",
        libelleVoieEtablissement="BARBES",
        coordonneeLambertAbscisseEtablissement="652310.7",
        coordonneeLambertOrdonneeEtablissement="6865083.4",
        trancheEffectifsEtablissement="NN",
        caractereEmployeurEtablissement="N",
    ),
    establishment(
        "hidden",
        statutDiffusionEtablissement="P",
        codePostalEtablissement="[ND]",
        trancheEffectifsEtablissement="NN",
        **MASKED,
    ),
    establishment(
        "signonly",
        numeroVoieEtablissement="40",
        typeVoieEtablissement="AV",
        libelleVoieEtablissement="DE SAINT-OUEN",
        coordonneeLambertAbscisseEtablissement="651638.4",
        coordonneeLambertOrdonneeEtablissement="6865378.1",
        enseigne1Etablissement="LES SONS DU NORD",
    ),
    establishment(
        "hiddenpers",
        naf="90.04Z",
        statutDiffusionEtablissement="P",
        **{**MASKED, "enseigne1Etablissement": ""},
    ),
    establishment(
        "closed",
        etatAdministratifEtablissement="F",
        numeroVoieEtablissement="8",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="LEON",
        coordonneeLambertAbscisseEtablissement="653242.0",
        coordonneeLambertOrdonneeEtablissement="6865976.6",
        dateDebut="2022-06-30",
    ),
    establishment(
        "restaurant",
        naf="56.10A",
        numeroVoieEtablissement="5",
        typeVoieEtablissement="PL",
        libelleVoieEtablissement="DU TERTRE",
        coordonneeLambertAbscisseEtablissement="651894.5",
        coordonneeLambertOrdonneeEtablissement="6865309.3",
    ),
    establishment(
        "oberkampf",
        commune="75111",
        numeroVoieEtablissement="102",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="OBERKAMPF",
        coordonneeLambertAbscisseEtablissement="654369.4",
        coordonneeLambertOrdonneeEtablissement="6862954.1",
    ),
    establishment(
        "venue2e",
        commune="75102",
        naf="90.04Z",
        numeroVoieEtablissement="1",
        typeVoieEtablissement="PAS",
        libelleVoieEtablissement="DES PANORAMAS",
        coordonneeLambertAbscisseEtablissement="651806.4",
        coordonneeLambertOrdonneeEtablissement="6863530.8",
    ),
    establishment(
        "lyonimg",
        commune="69383",
        naf="59.11A",
        numeroVoieEtablissement="15",
        typeVoieEtablissement="CRS",
        libelleVoieEtablissement="GAMBETTA",
        coordonneeLambertAbscisseEtablissement="843011.1",
        coordonneeLambertOrdonneeEtablissement="6519488.1",
    ),
    establishment(
        "lyonmusic",
        commune="69383",
        numeroVoieEtablissement="2",
        typeVoieEtablissement="QUAI",
        libelleVoieEtablissement="VICTOR AUGAGNEUR",
    ),
    establishment("villeurb", commune="69266", naf="59.11A"),
    establishment("lyonclosed", commune="69381", naf="59.11A", etatAdministratifEtablissement="F"),
    establishment(
        "hall",
        naf="90.04Z",
        numeroVoieEtablissement="10",
        typeVoieEtablissement="ALL",
        libelleVoieEtablissement="DES BROUILLARDS",
        coordonneeLambertAbscisseEtablissement="651927.2",
        coordonneeLambertOrdonneeEtablissement="6866587.8",
        trancheEffectifsEtablissement="12",
    ),
    establishment(
        "hall2",
        siren_of="hall",
        nic4="0003",
        etablissementSiege="false",
        numeroVoieEtablissement="77",
        typeVoieEtablissement="CHE",
        libelleVoieEtablissement="DES POISSONNIERS",
    ),
    establishment(
        "usual",
        numeroVoieEtablissement="30",
        typeVoieEtablissement="RTE",
        libelleVoieEtablissement="DE LA CHAPELLE",
        coordonneeLambertAbscisseEtablissement="653137.1",
        coordonneeLambertOrdonneeEtablissement="6865699.4",
        denominationUsuelleEtablissement="DISQUAIRE DE LA CHAPELLE",
    ),
    establishment(
        "nocoords",
        numeroVoieEtablissement="7",
        typeVoieEtablissement="IMP",
        libelleVoieEtablissement="DU CURE",
        dateCreationEtablissement="",
        activitePrincipaleNAF25Etablissement="",
    ),
]


def legal_unit(key: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(LEGAL_UNIT_HEADER, "")
    row.update(
        siren=SIRENS[key],
        statutDiffusionUniteLegale="O",
        dateCreationUniteLegale="2016-03-01",
        trancheEffectifsUniteLegale="01",
        anneeEffectifsUniteLegale="2023",
        dateDernierTraitementUniteLegale="2024-11-05T09:41:12",
        nombrePeriodesUniteLegale="1",
        categorieEntreprise="PME",
        anneeCategorieEntreprise="2022",
        dateDebut="2016-03-01",
        etatAdministratifUniteLegale="A",
        categorieJuridiqueUniteLegale="5710",
        activitePrincipaleUniteLegale="59.20Z",
        nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
        nicSiegeUniteLegale=siret(SIRENS[key])[9:],
        economieSocialeSolidaireUniteLegale="N",
        societeMissionUniteLegale="N",
        caractereEmployeurUniteLegale="O",
        activitePrincipaleNAF25UniteLegale="59.20Y",
    )
    row.update(values)
    return row


def person(first: str, last: str, sex: str) -> dict[str, str]:
    return {
        "categorieJuridiqueUniteLegale": "1000",
        "sexeUniteLegale": sex,
        "prenom1UniteLegale": first,
        "prenomUsuelUniteLegale": first,
        "nomUniteLegale": last,
        "categorieEntreprise": "",
        "societeMissionUniteLegale": "",
        "caractereEmployeurUniteLegale": "N",
    }


LEGAL_UNITS = [
    legal_unit("unrelated", denominationUniteLegale="SANS RAPPORT SA", sigleUniteLegale="SRSA"),
    legal_unit("label", denominationUniteLegale="LABEL DE LA GOUTTE", sigleUniteLegale="LDLG"),
    legal_unit(
        "studio",
        denominationUniteLegale="ORDENER PRODUCTIONS",
        categorieJuridiqueUniteLegale="5499",
    ),
    legal_unit("person", **person("CLAIRE", "DUPONT", "F")),
    # Partial diffusion: INSEE masks the names; the MARTIN here checks that even a name
    # left in the file is never shown.
    legal_unit("hidden", statutDiffusionUniteLegale="P", **person("[ND]", "MARTIN", "[ND]")),
    legal_unit("signonly", statutDiffusionUniteLegale="P", **person("PAUL", "LEROY", "M")),
    legal_unit("hiddenpers", **person("LUC", "BERNARD", "M")),
    legal_unit(
        "closed", denominationUniteLegale="DISQUES FERMES", etatAdministratifUniteLegale="C"
    ),
    legal_unit("restaurant", denominationUniteLegale="LE BON COIN DU TERTRE"),
    legal_unit("oberkampf", denominationUniteLegale="LABEL OBERKAMPF"),
    legal_unit("venue2e", denominationUniteLegale="SALLE DES PANORAMAS"),
    legal_unit("lyonimg", denominationUniteLegale="IMAGES DU RHONE"),
    legal_unit("lyonmusic", denominationUniteLegale="MUSIQUE PART-DIEU"),
    legal_unit("villeurb", denominationUniteLegale="VILLEURBANNE FILMS"),
    legal_unit(
        "hall", denominationUniteLegale="SALLE DU NORD", categorieJuridiqueUniteLegale="9220"
    ),
    legal_unit("nocoords", denominationUniteLegale="LE CURE SONORE"),
]


def csv_text(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_parquet(rows: list[dict[str, str]], path: Path) -> None:
    """Parquet with typed columns (dates, timestamps, booleans, numbers), as a Parquet
    producer would write them: the reader must bring every type back to text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def date(v: str):
        return dt.date.fromisoformat(v) if v else None

    def number(v: str):
        try:
            return float(v)
        except ValueError:
            return None

    typed = {
        "dateCreationEtablissement": (pa.date32(), date),
        "dateDebut": (pa.date32(), date),
        "dateDernierTraitementEtablissement": (
            pa.timestamp("ms"),
            lambda v: dt.datetime.fromisoformat(v) if v else None,
        ),
        "etablissementSiege": (pa.bool_(), lambda v: v == "true"),
        "nombrePeriodesEtablissement": (pa.int32(), lambda v: int(v) if v else None),
        "anneeEffectifsEtablissement": (pa.int32(), lambda v: int(v) if v else None),
        "coordonneeLambertAbscisseEtablissement": (pa.float64(), number),
        "coordonneeLambertOrdonneeEtablissement": (pa.float64(), number),
    }
    arrays, fields = [], []
    for name in ESTABLISHMENT_HEADER:
        kind, convert = typed.get(name, (pa.string(), lambda v: v))
        arrays.append(pa.array([convert(r[name]) for r in rows], kind))
        fields.append(pa.field(name, kind))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path, row_group_size=8)


def main() -> None:
    text = csv_text(ESTABLISHMENT_HEADER, ESTABLISHMENTS)
    (HERE / "StockEtablissement_sample.csv").write_text(text, encoding="utf-8")
    with zipfile.ZipFile(HERE / "StockEtablissement_sample.zip", "w", zipfile.ZIP_DEFLATED) as z:
        member = zipfile.ZipInfo("StockEtablissement_utf8.csv", date_time=(2025, 12, 1, 3, 0, 0))
        member.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(member, text)
    write_parquet(ESTABLISHMENTS, HERE / "StockEtablissement_sample.parquet")
    (HERE / "StockUniteLegale_sample.csv").write_text(
        csv_text(LEGAL_UNIT_HEADER, LEGAL_UNITS), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
