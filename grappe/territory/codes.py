"""INSEE code lists used by organisations: legal categories, headcount bands, NAF labels."""

from django.utils.translation import gettext_lazy as _

# INSEE legal categories (level III) most often met in a cultural cluster. Any
# four-digit code is accepted; these have a label.
LEGAL_FORMS = {
    "1000": _("Entrepreneur individuel"),
    "5202": _("Société en nom collectif"),
    "5458": _("SARL coopérative ouvrière de production (SCOP)"),
    "5485": _("Société d'exercice libéral à responsabilité limitée"),
    "5498": _("SARL unipersonnelle"),
    "5499": _("Société à responsabilité limitée (SARL)"),
    "5599": _("SA à conseil d'administration"),
    "5699": _("SA à directoire"),
    "5710": _("Société par actions simplifiée (SAS)"),
    "5720": _("SAS à associé unique (SASU)"),
    "6540": _("Société civile immobilière"),
    "6599": _("Autre société civile"),
    "7210": _("Commune"),
    "7383": _("Établissement public local culturel"),
    "9210": _("Association non déclarée"),
    "9220": _("Association déclarée"),
    "9221": _("Association déclarée d'insertion par l'économique"),
    "9230": _("Association reconnue d'utilité publique"),
    "9260": _("Fondation"),
}

# INSEE headcount bands (tranche d'effectif salarié).
SIZE_BANDS = {
    "NN": _("Non employeuse ou effectif inconnu"),
    "00": _("0 salarié"),
    "01": _("1 ou 2 salariés"),
    "02": _("3 à 5 salariés"),
    "03": _("6 à 9 salariés"),
    "11": _("10 à 19 salariés"),
    "12": _("20 à 49 salariés"),
    "21": _("50 à 99 salariés"),
    "22": _("100 à 199 salariés"),
    "31": _("200 à 249 salariés"),
    "32": _("250 à 499 salariés"),
    "41": _("500 à 999 salariés"),
    "42": _("1 000 à 1 999 salariés"),
    "51": _("2 000 à 4 999 salariés"),
    "52": _("5 000 à 9 999 salariés"),
    "53": _("10 000 salariés et plus"),
}

# Middle of each band, to sum jobs in aggregates (estimates, shown as such).
SIZE_BAND_MIDPOINTS = {
    "NN": 0,
    "00": 0,
    "01": 1.5,
    "02": 4,
    "03": 7.5,
    "11": 14.5,
    "12": 34.5,
    "21": 74.5,
    "22": 149.5,
    "31": 224.5,
    "32": 374.5,
    "41": 749.5,
    "42": 1499.5,
    "51": 3499.5,
    "52": 7499.5,
    "53": 10000,
}

NAF_LABELS = {
    "59.20Z": _("Enregistrement sonore et édition musicale"),
    "90.01Z": _("Arts du spectacle vivant"),
    "90.02Z": _("Activités de soutien au spectacle vivant"),
    "90.03A": _("Création artistique relevant des arts plastiques"),
    "90.03B": _("Autre création artistique"),
    "90.04Z": _("Gestion de salles de spectacles"),
    "32.20Z": _("Fabrication d'instruments de musique"),
    "47.63Z": _("Commerce de détail d'enregistrements musicaux et vidéo"),
    "85.52Z": _("Enseignement culturel"),
    "60.10Z": _("Édition et diffusion de programmes radio"),
    "18.20Z": _("Reproduction d'enregistrements"),
    "59.11A": _("Production de films et de programmes pour la télévision"),
    "59.11B": _("Production de films institutionnels et publicitaires"),
    "59.11C": _("Production de films pour le cinéma"),
    "59.12Z": _("Post-production de films cinématographiques et de vidéo"),
    "74.10Z": _("Activités spécialisées de design"),
    "73.11Z": _("Activités des agences de publicité"),
    "62.01Z": _("Programmation informatique"),
    "77.39Z": _("Location et location-bail d'autres machines et équipements"),
    "94.99Z": _("Autres organisations fonctionnant par adhésion volontaire"),
}


def legal_form_label(code: str) -> str:
    return str(LEGAL_FORMS.get(code, _("Catégorie juridique %s") % code)) if code else ""


def is_association(legal_form: str) -> bool:
    return legal_form.startswith("92")


def naf_label(code: str) -> str:
    return str(NAF_LABELS.get(code, code))
