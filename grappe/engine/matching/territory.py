"""Where a call applies and where an organisation is: territory keys and their hierarchy.

A perimeter and an organisation are both reduced to sets of *territory keys*:
``com:75056`` (an INSEE commune code), ``epci:200054781`` (an EPCI's SIREN), ``dep:75``,
``reg:11``, ``fr:metro`` / ``fr:outremer``, ``fr`` and ``eu``. An organisation in Paris 18e
(commune 75118) holds ``com:75118 com:75056 dep:75 reg:11 fr:metro fr eu``; a call applies to
it when its perimeter shares one key with it. Perimeters the caller could not resolve
(an ad-hoc area it has no commune list for) carry no key and apply to no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grappe.engine.text import strip_accents

# Aides-territoires scale codes, their rank and their display label (FORMATS.md).
SCALES: dict[str, tuple[int, str]] = {
    "commune": (1, "Commune"),
    "epci": (5, "EPCI"),
    "basin": (8, "Bassin hydrographique"),
    "department": (10, "Département"),
    "region": (15, "Région"),
    "overseas": (16, "Outre-mer"),
    "mainland": (17, "Métropole"),
    "adhoc": (18, "Ad-hoc"),
    "country": (20, "Pays"),
    "continent": (25, "Continent"),
}

REGIONS: dict[str, str] = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

# Department code -> (name, region code). Code officiel géographique, 2024.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", "84"),
    "02": ("Aisne", "32"),
    "03": ("Allier", "84"),
    "04": ("Alpes-de-Haute-Provence", "93"),
    "05": ("Hautes-Alpes", "93"),
    "06": ("Alpes-Maritimes", "93"),
    "07": ("Ardèche", "84"),
    "08": ("Ardennes", "44"),
    "09": ("Ariège", "76"),
    "10": ("Aube", "44"),
    "11": ("Aude", "76"),
    "12": ("Aveyron", "76"),
    "13": ("Bouches-du-Rhône", "93"),
    "14": ("Calvados", "28"),
    "15": ("Cantal", "84"),
    "16": ("Charente", "75"),
    "17": ("Charente-Maritime", "75"),
    "18": ("Cher", "24"),
    "19": ("Corrèze", "75"),
    "21": ("Côte-d'Or", "27"),
    "22": ("Côtes-d'Armor", "53"),
    "23": ("Creuse", "75"),
    "24": ("Dordogne", "75"),
    "25": ("Doubs", "27"),
    "26": ("Drôme", "84"),
    "27": ("Eure", "28"),
    "28": ("Eure-et-Loir", "24"),
    "29": ("Finistère", "53"),
    "2A": ("Corse-du-Sud", "94"),
    "2B": ("Haute-Corse", "94"),
    "30": ("Gard", "76"),
    "31": ("Haute-Garonne", "76"),
    "32": ("Gers", "76"),
    "33": ("Gironde", "75"),
    "34": ("Hérault", "76"),
    "35": ("Ille-et-Vilaine", "53"),
    "36": ("Indre", "24"),
    "37": ("Indre-et-Loire", "24"),
    "38": ("Isère", "84"),
    "39": ("Jura", "27"),
    "40": ("Landes", "75"),
    "41": ("Loir-et-Cher", "24"),
    "42": ("Loire", "84"),
    "43": ("Haute-Loire", "84"),
    "44": ("Loire-Atlantique", "52"),
    "45": ("Loiret", "24"),
    "46": ("Lot", "76"),
    "47": ("Lot-et-Garonne", "75"),
    "48": ("Lozère", "76"),
    "49": ("Maine-et-Loire", "52"),
    "50": ("Manche", "28"),
    "51": ("Marne", "44"),
    "52": ("Haute-Marne", "44"),
    "53": ("Mayenne", "52"),
    "54": ("Meurthe-et-Moselle", "44"),
    "55": ("Meuse", "44"),
    "56": ("Morbihan", "53"),
    "57": ("Moselle", "44"),
    "58": ("Nièvre", "27"),
    "59": ("Nord", "32"),
    "60": ("Oise", "32"),
    "61": ("Orne", "28"),
    "62": ("Pas-de-Calais", "32"),
    "63": ("Puy-de-Dôme", "84"),
    "64": ("Pyrénées-Atlantiques", "75"),
    "65": ("Hautes-Pyrénées", "76"),
    "66": ("Pyrénées-Orientales", "76"),
    "67": ("Bas-Rhin", "44"),
    "68": ("Haut-Rhin", "44"),
    "69": ("Rhône", "84"),
    "70": ("Haute-Saône", "27"),
    "71": ("Saône-et-Loire", "27"),
    "72": ("Sarthe", "52"),
    "73": ("Savoie", "84"),
    "74": ("Haute-Savoie", "84"),
    "75": ("Paris", "11"),
    "76": ("Seine-Maritime", "28"),
    "77": ("Seine-et-Marne", "11"),
    "78": ("Yvelines", "11"),
    "79": ("Deux-Sèvres", "75"),
    "80": ("Somme", "32"),
    "81": ("Tarn", "76"),
    "82": ("Tarn-et-Garonne", "76"),
    "83": ("Var", "93"),
    "84": ("Vaucluse", "93"),
    "85": ("Vendée", "52"),
    "86": ("Vienne", "75"),
    "87": ("Haute-Vienne", "75"),
    "88": ("Vosges", "44"),
    "89": ("Yonne", "27"),
    "90": ("Territoire de Belfort", "27"),
    "91": ("Essonne", "11"),
    "92": ("Hauts-de-Seine", "11"),
    "93": ("Seine-Saint-Denis", "11"),
    "94": ("Val-de-Marne", "11"),
    "95": ("Val-d'Oise", "11"),
    "971": ("Guadeloupe", "01"),
    "972": ("Martinique", "02"),
    "973": ("Guyane", "03"),
    "974": ("La Réunion", "04"),
    "976": ("Mayotte", "06"),
}

# Communes split into municipal arrondissements: arrondissement code range -> parent commune.
_ARRONDISSEMENTS: tuple[tuple[int, int, str], ...] = (
    (75101, 75120, "75056"),  # Paris
    (69381, 69389, "69123"),  # Lyon
    (13201, 13216, "13055"),  # Marseille
)

_COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")

FRANCE = "fr"
EUROPE = "eu"
MAINLAND = "fr:metro"
OVERSEAS = "fr:outremer"


def normalise_name(name: str) -> str:
    """A place name reduced for lookups: no accents, case, hyphens or apostrophes."""
    text = strip_accents((name or "").replace("\u2019", "'")).casefold()
    return " ".join(re.sub(r"[-'\u2019.]", " ", text).split())


_REGION_BY_NAME = {normalise_name(name): code for code, name in REGIONS.items()}
_DEPARTMENT_BY_NAME = {normalise_name(name): code for code, (name, _) in DEPARTMENTS.items()}


def region_code(name: str) -> str | None:
    """INSEE code of a region from its name, tolerant of accents, case and hyphens."""
    return _REGION_BY_NAME.get(normalise_name(name))


def department_code(name: str) -> str | None:
    """INSEE code of a department from its name (``"Paris"`` -> ``"75"``)."""
    return _DEPARTMENT_BY_NAME.get(normalise_name(name))


def is_commune_code(code: str) -> bool:
    return bool(_COMMUNE_RE.match(code or ""))


def parent_commune(code: str) -> str | None:
    """The commune a municipal arrondissement belongs to (75118 -> 75056), else None."""
    if not code.isdigit():
        return None
    number = int(code)
    for low, high, parent in _ARRONDISSEMENTS:
        if low <= number <= high:
            return parent
    return None


def department_of(commune: str) -> str:
    """Department code of an INSEE commune code (97x and Corsica's 2A/2B included)."""
    if commune.startswith("97"):
        return commune[:3]
    return commune[:2]


def region_of(department: str) -> str | None:
    entry = DEPARTMENTS.get(department)
    return entry[1] if entry else None


def is_overseas(department: str) -> bool:
    return department.startswith(("97", "98"))


def territory_keys(commune: str, *, epci: str | None = None) -> frozenset[str]:
    """Every territory key an organisation located in ``commune`` belongs to."""
    if not is_commune_code(commune):
        raise ValueError(f"code commune INSEE invalide : {commune!r}")
    department = department_of(commune)
    keys = {f"com:{commune}", f"dep:{department}", FRANCE, EUROPE}
    parent = parent_commune(commune)
    if parent:
        keys.add(f"com:{parent}")
    region = region_of(department)
    if region:
        keys.add(f"reg:{region}")
    keys.add(OVERSEAS if is_overseas(department) else MAINLAND)
    if epci:
        keys.add(f"epci:{epci}")
    return frozenset(keys)


@dataclass(frozen=True)
class Perimeter:
    """The territory a call covers: its Aides-territoires scale, its name and its keys."""

    scale: str
    name: str
    keys: frozenset[str]

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"échelle de périmètre inconnue : {self.scale!r}")

    @property
    def rank(self) -> int:
        return SCALES[self.scale][0]

    @property
    def resolved(self) -> bool:
        return bool(self.keys)

    @classmethod
    def commune(cls, code: str, name: str = "") -> Perimeter:
        if not is_commune_code(code):
            raise ValueError(f"code commune INSEE invalide : {code!r}")
        return cls("commune", name or code, frozenset({f"com:{code}"}))

    @classmethod
    def epci(cls, siren: str, name: str = "", communes: tuple[str, ...] = ()) -> Perimeter:
        keys = {f"epci:{siren}"} | {f"com:{c}" for c in communes}
        return cls("epci", name or siren, frozenset(keys))

    @classmethod
    def department(cls, code: str) -> Perimeter:
        if code not in DEPARTMENTS:
            raise ValueError(f"code département inconnu : {code!r}")
        return cls("department", DEPARTMENTS[code][0], frozenset({f"dep:{code}"}))

    @classmethod
    def region(cls, code: str) -> Perimeter:
        if code not in REGIONS:
            raise ValueError(f"code région inconnu : {code!r}")
        return cls("region", REGIONS[code], frozenset({f"reg:{code}"}))

    @classmethod
    def france(cls) -> Perimeter:
        return cls("country", "France", frozenset({FRANCE}))

    @classmethod
    def europe(cls) -> Perimeter:
        return cls("continent", "Europe", frozenset({EUROPE}))

    @classmethod
    def mainland(cls) -> Perimeter:
        return cls("mainland", "France métropolitaine", frozenset({MAINLAND}))

    @classmethod
    def overseas(cls) -> Perimeter:
        return cls("overseas", "Outre-mer", frozenset({OVERSEAS}))

    @classmethod
    def area(
        cls,
        name: str,
        *,
        scale: str = "adhoc",
        communes: tuple[str, ...] = (),
        departments: tuple[str, ...] = (),
        regions: tuple[str, ...] = (),
    ) -> Perimeter:
        """An ad-hoc area or a basin, resolved by the caller into communes/departments/regions."""
        keys = (
            {f"com:{c}" for c in communes}
            | {f"dep:{d}" for d in departments}
            | {f"reg:{r}" for r in regions}
        )
        return cls(scale, name, frozenset(keys))

    @classmethod
    def unresolved(cls, name: str, scale: str = "adhoc") -> Perimeter:
        """A perimeter nobody could place: it applies to no organisation."""
        return cls(scale, name, frozenset())
