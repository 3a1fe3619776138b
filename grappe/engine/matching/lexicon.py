"""Domain knowledge the matcher adds to plain words: concepts, NAF profiles, categories.

A *concept* groups the French words and phrases that say the same thing in calls and in
member profiles ("labels", "album", "production phonographique" are all *recording*). Texts
gain one pseudo-term per concept they mention (``@enregistrement``), so that a label's
profile meets a call about "production phonographique" without sharing a word. Each NAF
code of the cluster has a profile: how much each concept matters to that activity. The
sector fit of a call for an organisation is read from these profiles alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from grappe.engine.text import strip_accents, terms

CONCEPT_PREFIX = "@"

# concept -> (label in reasons, trigger words and phrases as written in French)
CONCEPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "musique": (
        "musique",
        (
            "musique",
            "musical",
            "musicale",
            "musicaux",
            "musiciens",
            "musiciennes",
            "musiques actuelles",
            "jazz",
            "chanson",
            "rap",
            "hip-hop",
            "rock",
            "électro",
            "musiques électroniques",
            "musiques du monde",
            "artistes-interprètes",
        ),
    ),
    "enregistrement": (
        "enregistrement et production phonographique",
        (
            "enregistrement",
            "enregistrements",
            "enregistrer",
            "phonographique",
            "phonographiques",
            "album",
            "albums",
            "EP",
            "disque",
            "mixage",
            "mastering",
            "labels",
            "label indépendant",
            "label de musique",
            "label et éditeur",
            "musique enregistrée",
            "autoproduction",
            "autoproduits",
            "home studio",
            "MAO",
            "producteur phonographique",
        ),
    ),
    "edition": (
        "édition musicale",
        (
            "édition musicale",
            "éditeur de musique",
            "éditeurs",
            "éditeur",
            "catalogue",
            "catalogues",
            "synchronisation",
            "auteurs-compositeurs",
            "droits d'auteur",
        ),
    ),
    "spectacle": (
        "spectacle vivant et concerts",
        (
            "spectacle vivant",
            "spectacle",
            "spectacles",
            "concert",
            "concerts",
            "tournée",
            "tournées",
            "scène",
            "scènes",
            "diffusion",
            "programmation",
            "représentations",
            "showcase",
            "showcases",
            "open mic",
            "scènes ouvertes",
            "live",
        ),
    ),
    "festival": ("festivals", ("festival", "festivals")),
    "lieu": (
        "salles et lieux de musique",
        (
            "salle de concert",
            "salles de concert",
            "salle de spectacle",
            "salles de spectacle",
            "lieu",
            "lieux",
            "club",
            "clubs",
            "SMAC",
            "scène de musiques actuelles",
            "bars-concerts",
            "jauge",
        ),
    ),
    "creation": (
        "création et résidences",
        (
            "création",
            "créations",
            "résidence",
            "résidences",
            "commande d'œuvre",
            "commandes d'œuvres",
            "écriture",
            "compositeur",
            "compositeurs",
            "compositrice",
            "composition",
            "œuvre",
            "œuvres",
            "équipes artistiques",
        ),
    ),
    "developpement_artiste": (
        "développement d'artistes",
        (
            "développement d'artistes",
            "développement de carrière",
            "artistes émergents",
            "artistes en développement",
            "émergence",
            "émergents",
            "accompagnement de groupes",
            "accompagnement des groupes",
            "management",
            "carrière",
        ),
    ),
    "technique": (
        "technique du spectacle",
        (
            "technique",
            "techniciens",
            "régie",
            "régisseurs",
            "sonorisation",
            "éclairage",
            "lumière",
            "plateau",
            "équipements scéniques",
        ),
    ),
    "export": (
        "export et international",
        (
            "export",
            "exporter",
            "international",
            "internationale",
            "internationales",
            "à l'étranger",
            "étranger",
            "étrangers",
            "prospection",
            "marchés étrangers",
            "circulation",
            "mobilité",
            "européen",
            "européens",
        ),
    ),
    "salon": (
        "salons professionnels",
        (
            "salon",
            "salons",
            "stand",
            "stands",
            "pavillon",
            "Midem",
            "MaMA",
            "WOMEX",
            "Eurosonic",
            "Musikmesse",
        ),
    ),
    "numerique": (
        "numérique",
        (
            "numérique",
            "numériques",
            "vente en ligne",
            "site internet",
            "site de vente",
            "streaming",
            "plateformes",
            "métadonnées",
            "digital",
            "digitale",
            "réseaux sociaux",
            "numérisation",
            "numériser",
            "podcast",
            "podcasts",
        ),
    ),
    "emploi": (
        "emploi",
        (
            "emploi",
            "emplois",
            "embauche",
            "recrutement",
            "recruter",
            "recrutements",
            "poste",
            "postes",
            "CDI",
            "apprentissage",
            "apprenti",
            "apprentis",
            "alternance",
            "groupement d'employeurs",
            "temps partagé",
            "chargé de mission",
        ),
    ),
    "formation": (
        "formation",
        ("formation", "formations", "former", "compétences", "habilitations"),
    ),
    "eac": (
        "éducation artistique et jeunesse",
        (
            "éducation artistique",
            "EAC",
            "écoles",
            "collèges",
            "lycées",
            "élèves",
            "enfants",
            "jeunes",
            "jeunesse",
            "pratique amateur",
            "pratique musicale",
            "ateliers",
            "enseignement",
            "école de musique",
            "éducation aux médias",
            "orchestres",
        ),
    ),
    "quartiers": (
        "quartiers prioritaires et lien social",
        (
            "quartiers prioritaires",
            "politique de la ville",
            "quartiers populaires",
            "quartier",
            "lien social",
            "habitants",
            "centres sociaux",
        ),
    ),
    "ecologie": (
        "transition écologique",
        (
            "transition écologique",
            "écologique",
            "éco-responsable",
            "éco-responsables",
            "énergie",
            "énergétique",
            "sobriété",
            "LED",
            "bilan carbone",
            "empreinte carbone",
            "carbone",
            "déchets",
            "gobelets",
            "recyclé",
            "recyclées",
            "recyclage",
            "climatisation",
            "chauffage",
            "énergivores",
            "impact écologique",
        ),
    ),
    "travaux": (
        "travaux et équipement",
        (
            "travaux",
            "aménagement",
            "rénovation",
            "rénover",
            "équipement",
            "équipements",
            "équiper",
            "investissement",
            "investissements",
            "investir",
            "matériel",
            "machine",
            "machines",
            "console",
            "émetteur",
            "insonorisation",
            "isolation acoustique",
            "isolation phonique",
            "isoler",
        ),
    ),
    "accessibilite": (
        "accessibilité",
        (
            "accessibilité",
            "accessible",
            "handicap",
            "handicapées",
            "PMR",
            "mobilité réduite",
            "situation de handicap",
        ),
    ),
    "radio": (
        "radio et médias de proximité",
        (
            "radio",
            "radios",
            "radiophonique",
            "FSER",
            "média",
            "médias",
            "DAB+",
            "antenne",
            "FM",
        ),
    ),
    "artisanat": (
        "métiers d'art et lutherie",
        (
            "métiers d'art",
            "artisan d'art",
            "artisans d'art",
            "artisanat",
            "artisan",
            "artisans",
            "lutherie",
            "luthier",
            "luthiers",
            "archèterie",
            "facture instrumentale",
            "instruments",
            "atelier",
            "ateliers",
            "savoir-faire",
        ),
    ),
    "commerce": (
        "commerce de proximité",
        (
            "commerce",
            "commerces",
            "commerçants",
            "boutique",
            "magasin",
            "disquaire",
            "disquaires",
            "librairie",
            "librairies",
            "vitrine",
        ),
    ),
    "industrie": (
        "industrie et fabrication",
        (
            "industrie",
            "industriel",
            "industrielle",
            "industriels",
            "usine",
            "fabrication",
            "pressage",
            "presses",
            "plastiques",
            "PVC",
            "production industrielle",
        ),
    ),
    "collectif": (
        "coopération et mutualisation",
        (
            "mutualisation",
            "mutualiser",
            "mutualisés",
            "mutualisé",
            "collectif",
            "collective",
            "collectives",
            "collectifs",
            "groupement",
            "groupements",
            "consortium",
            "coopération",
            "réseau",
            "réseaux",
            "cluster",
            "clusters",
            "grappe",
            "grappes",
            "pôle",
            "filière",
            "filières",
            "partagés",
            "partagé",
        ),
    ),
    "financement": (
        "financement et trésorerie",
        (
            "trésorerie",
            "prêt",
            "prêts",
            "fonds propres",
            "fonds de roulement",
            "garantie",
            "garanties",
            "avance",
        ),
    ),
    "egalite": (
        "égalité et lutte contre les violences",
        (
            "violences sexistes",
            "violences sexuelles",
            "égalité femmes-hommes",
            "parité",
            "femmes",
            "musiciennes",
            "harcèlement",
        ),
    ),
    "tourisme": ("tourisme", ("tourisme", "touristes", "touristiques", "touristique")),
}

# Aides-territoires categories (the part after "|") -> concepts they express.
CATEGORY_CONCEPTS: dict[str, tuple[str, ...]] = {
    "spectacle vivant": ("spectacle",),
    "medias et communication": ("radio",),
    "artisanat": ("artisanat",),
    "commerces et services": ("commerce",),
    "industrie": ("industrie",),
    "export et international": ("export",),
    "emploi": ("emploi",),
    "formation professionnelle": ("formation",),
    "numerique": ("numerique",),
    "transition energetique": ("ecologie",),
    "dechets": ("ecologie",),
    "economie circulaire": ("ecologie",),
    "accessibilite": ("accessibilite",),
    "handicap": ("accessibilite",),
    "jeunesse": ("eac",),
    "education et renforcement des competences": ("eac", "formation"),
    "batiments et construction": ("travaux",),
    "creation d'entreprise": ("financement",),
    "tourisme": ("tourisme",),
}

# NAF code -> (activity label, concept weights).
_GENERIC = {"emploi": 0.2, "formation": 0.2, "financement": 0.2, "numerique": 0.2}
NAF_PROFILES: dict[str, tuple[str, dict[str, float]]] = {
    "59.20Z": (
        "enregistrement sonore et édition musicale",
        {
            "musique": 0.5,
            "enregistrement": 1.0,
            "edition": 0.8,
            "developpement_artiste": 0.6,
            "numerique": 0.4,
            "export": 0.4,
            "salon": 0.3,
        },
    ),
    "90.01Z": (
        "arts du spectacle vivant",
        {
            "musique": 0.5,
            "spectacle": 1.0,
            "festival": 0.8,
            "creation": 0.8,
            "eac": 0.4,
            "developpement_artiste": 0.4,
            "export": 0.3,
            "quartiers": 0.3,
        },
    ),
    "90.02Z": (
        "activités de soutien au spectacle vivant",
        {
            "musique": 0.5,
            "spectacle": 1.0,
            "festival": 0.6,
            "developpement_artiste": 0.7,
            "technique": 0.7,
            "export": 0.5,
            "lieu": 0.3,
        },
    ),
    "90.03A": (
        "création artistique relevant des arts plastiques",
        {"creation": 1.0, "artisanat": 0.3},
    ),
    "90.03B": (
        "autre création artistique",
        {"creation": 1.0, "musique": 0.5, "enregistrement": 0.4, "spectacle": 0.3},
    ),
    "90.04Z": (
        "gestion de salles de spectacles",
        {
            "lieu": 1.0,
            "spectacle": 1.0,
            "musique": 0.5,
            "festival": 0.3,
            "travaux": 0.5,
            "accessibilite": 0.4,
            "technique": 0.4,
            "ecologie": 0.3,
        },
    ),
    "32.20Z": (
        "fabrication d'instruments de musique",
        {"artisanat": 1.0, "musique": 0.3, "industrie": 0.4, "salon": 0.5, "export": 0.4},
    ),
    "47.63Z": (
        "commerce de détail d'enregistrements musicaux et vidéo",
        {"commerce": 1.0, "musique": 0.3, "enregistrement": 0.5, "numerique": 0.4},
    ),
    "85.52Z": (
        "enseignement culturel",
        {"eac": 1.0, "musique": 0.5, "formation": 0.4, "quartiers": 0.3},
    ),
    "60.10Z": (
        "édition et diffusion de programmes radio",
        {"radio": 1.0, "musique": 0.3, "numerique": 0.3, "eac": 0.3},
    ),
    "18.20Z": (
        "reproduction d'enregistrements",
        {"industrie": 1.0, "enregistrement": 0.6, "musique": 0.3, "export": 0.3, "ecologie": 0.3},
    ),
    "94.99Z": (
        "autres organisations fonctionnant par adhésion volontaire",
        {"collectif": 1.0, "emploi": 0.3},
    ),
}
# A NAF code outside the table falls back on its division (first two digits).
NAF_DIVISIONS: dict[str, str] = {
    "59": "59.20Z",
    "90": "90.01Z",
    "32": "32.20Z",
    "47": "47.63Z",
    "85": "85.52Z",
    "60": "60.10Z",
    "18": "18.20Z",
    "94": "94.99Z",
}


@dataclass(frozen=True)
class SectorProfile:
    """Concept weights of an organisation's activities (max over its NAF codes)."""

    naf_codes: tuple[str, ...]
    weights: tuple[tuple[str, float], ...]
    label: str

    def weight(self, concept: str) -> float:
        return _weight_table(self.weights).get(concept, 0.0)


@cache
def _weight_table(weights: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return dict(weights)


@cache
def sector_profile(naf_codes: tuple[str, ...]) -> SectorProfile:
    weights: dict[str, float] = dict(_GENERIC)
    labels: list[str] = []
    for raw in naf_codes:
        code = _normalise_naf(raw)
        entry = NAF_PROFILES.get(code) or NAF_PROFILES.get(NAF_DIVISIONS.get(code[:2], ""))
        if entry is None:
            continue
        labels.append(entry[0])
        for concept, value in entry[1].items():
            weights[concept] = max(weights.get(concept, 0.0), value)
    ordered = tuple(sorted(weights.items()))
    return SectorProfile(tuple(naf_codes), ordered, labels[0] if labels else "")


def _normalise_naf(code: str) -> str:
    code = code.strip().upper().replace(" ", "")
    if len(code) == 5 and "." not in code:
        code = f"{code[:2]}.{code[2:]}"
    return code


# --- phrase detection ---------------------------------------------------------------------


@cache
def _triggers() -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """First term -> (rest of the phrase, concepts it triggers), for every trigger phrase."""
    table: dict[tuple[str, ...], set[str]] = {}
    for concept, (_, phrases) in CONCEPTS.items():
        for phrase in phrases:
            key = tuple(terms(phrase))
            if key:
                table.setdefault(key, set()).add(concept)
    by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for key, concepts in table.items():
        by_first.setdefault(key[0], []).append((key[1:], tuple(sorted(concepts))))
    return {first: tuple(entries) for first, entries in by_first.items()}


def concepts_in(sequence: Sequence[str]) -> dict[str, int]:
    """Concepts mentioned in a sequence of terms, with how many times."""
    table = _triggers()
    found: dict[str, int] = {}
    for start, term in enumerate(sequence):
        entries = table.get(term)
        if entries is None:
            continue
        for rest, concepts in entries:
            if rest and tuple(sequence[start + 1 : start + 1 + len(rest)]) != rest:
                continue
            for concept in concepts:
                found[concept] = found.get(concept, 0) + 1
    return found


def category_key(category: str) -> str:
    """The category part of ``"Theme|Category"``, reduced for lookups."""
    name = category.rpartition("|")[2]
    return " ".join(strip_accents(name.replace("\u2019", "'")).lower().split())


def concept_label(concept: str) -> str:
    return CONCEPTS[concept][0]
