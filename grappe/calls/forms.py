from django import forms
from django.utils.translation import gettext_lazy as _

from grappe.calls.models import AlertPreference, Application, CallSource, Participant
from grappe.engine import aides_territoires as at
from grappe.engine.matching.territory import DEPARTMENTS, REGIONS
from grappe.territory.models import Commune

EMPTY = [("", "—")]
AUDIENCE_CHOICES = [(c, label) for c, label in at.TARGETED_AUDIENCES.items()]
AID_TYPE_CHOICES = [(c, label) for c, label in at.AID_TYPES.items()]


class CallFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    open = forms.ChoiceField(
        label=_("Ouverts"),
        required=False,
        choices=[("1", _("Ouverts aujourd'hui")), ("0", _("Tous, même clos"))],
    )
    deadline_before = forms.DateField(
        label=_("Date limite avant le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    audience = forms.ChoiceField(label=_("Public visé"), required=False)
    aid_type = forms.ChoiceField(label=_("Type d'aide"), required=False)
    theme = forms.ChoiceField(label=_("Thématique"), required=False)
    territory = forms.ChoiceField(label=_("Territoire"), required=False)

    def __init__(self, *args, facets: dict, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = EMPTY + AUDIENCE_CHOICES
        self.fields["aid_type"].choices = EMPTY + AID_TYPE_CHOICES
        self.fields["theme"].choices = EMPTY + list(facets["themes"])
        self.fields["territory"].choices = EMPTY + [(c.code, c.name) for c in communes]

    def clean(self):
        data = super().clean()
        # An unknown filter value (an old link) is ignored rather than refused.
        for name in ("audience", "aid_type", "theme", "territory", "q"):
            data.setdefault(name, "")
        data["open"] = data.get("open", "1") != "0"
        return data

    @property
    def saved_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "deadline_before": data["deadline_before"].isoformat()
            if data.get("deadline_before")
            else "",
            "audience": data.get("audience", ""),
            "aid_type": data.get("aid_type", ""),
            "theme": data.get("theme", ""),
            "territory": data.get("territory", ""),
        }


def perimeter_choices(cluster) -> list[tuple[str, str]]:
    """The territory of a manual call: the cluster's communes, their departments and
    regions, France, Europe."""
    communes = list(cluster.communes.order_by("code"))
    choices = [(f"com:{c.code}", c.name) for c in communes]
    for dep in sorted({c.department for c in communes if c.department}):
        if dep in DEPARTMENTS:
            choices.append((f"dep:{dep}", _("%s (département)") % DEPARTMENTS[dep][0]))
    for reg in sorted({c.region for c in communes if c.region}):
        if reg in REGIONS:
            choices.append((f"reg:{reg}", _("%s (région)") % REGIONS[reg]))
    choices += [("fr", _("France")), ("eu", _("Europe"))]
    return choices


class ManualCallForm(forms.Form):
    name = forms.CharField(label=_("Intitulé"), max_length=400)
    financers = forms.CharField(
        label=_("Financeurs"),
        required=False,
        max_length=500,
        help_text=_("Séparés par des points-virgules."),
    )
    perimeter = forms.ChoiceField(label=_("Territoire couvert"))
    targeted_audiences = forms.MultipleChoiceField(
        label=_("Publics visés"),
        choices=AUDIENCE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    aid_types = forms.MultipleChoiceField(
        label=_("Types d'aide"),
        choices=AID_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.CharField(
        label=_("Thématiques"),
        required=False,
        max_length=500,
        help_text=_("Séparées par des points-virgules, par ex. « Spectacle vivant »."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    eligibility = forms.CharField(
        label=_("Conditions d'éligibilité"), widget=forms.Textarea, required=False
    )
    start_date = forms.DateField(
        label=_("Ouverture"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submission_deadline = forms.DateField(
        label=_("Date limite"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recurrence = forms.ChoiceField(
        label=_("Récurrence"), required=False, choices=EMPTY + list(at.RECURRENCES.items())
    )
    max_amount = forms.DecimalField(
        label=_("Montant maximum (€)"), required=False, min_value=0, decimal_places=2
    )
    subvention_rate_upper_bound = forms.IntegerField(
        label=_("Taux de subvention maximum (%)"), required=False, min_value=0, max_value=100
    )
    origin_url = forms.URLField(label=_("Page de l'appel"), required=False, max_length=500)
    application_url = forms.URLField(label=_("Lien de candidature"), required=False, max_length=500)
    is_public = forms.BooleanField(
        label=_("Visible publiquement"),
        required=False,
        initial=True,
        help_text=_("Décochez pour le réserver aux personnes de la grappe."),
    )

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perimeter"].choices = perimeter_choices(cluster)

    @classmethod
    def initial_for(cls, call, perimeter: str) -> dict:
        """The form's values for a stored manual call."""
        initial = {name: getattr(call, name) for name in cls.base_fields if hasattr(call, name)}
        initial["financers"] = "; ".join(call.financers)
        initial["categories"] = "; ".join(call.categories)
        initial["perimeter"] = perimeter
        return initial

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["financers"] = [f for f in data["financers"].split(";") if f.strip()]
        data["categories"] = [c for c in data["categories"].split(";") if c.strip()]
        return data


class AlertPreferenceForm(forms.ModelForm):
    class Meta:
        model = AlertPreference
        fields = ["is_active", "matched_calls", "threshold", "frequency"]
        widgets = {"frequency": forms.RadioSelect}
        help_texts = {
            "threshold": _("Seuls les appels dont la pertinence atteint ce score sont envoyés."),
            "matched_calls": _("Les appels recommandés à vos structures (l'équipe : à la grappe)."),
        }


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Nom de la recherche"), max_length=120, required=False)


class SourceForm(forms.ModelForm):
    class Meta:
        model = CallSource
        fields = ["name", "url", "format", "default_perimeter"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier"))
    format = forms.ChoiceField(label=_("Format"), choices=CallSource.Format.choices)
    default_perimeter = forms.CharField(
        label=_("Territoire par défaut (RSS)"), required=False, max_length=200
    )


class ApplicationForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du projet"), max_length=300)
    summary = forms.CharField(label=_("Résumé"), widget=forms.Textarea, required=False)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Structures participantes"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    lead = forms.ModelChoiceField(label=_("Chef de file"), queryset=None, required=False)
    budget_total = forms.DecimalField(
        label=_("Budget total (€)"), min_value=0, decimal_places=2, initial=0
    )
    requested_amount = forms.DecimalField(
        label=_("Montant demandé (€)"), min_value=0, decimal_places=2, initial=0
    )
    co_financing = forms.DecimalField(
        label=_("Cofinancements (€)"), min_value=0, decimal_places=2, initial=0, required=False
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["lead"].queryset = organisations

    def participants(self) -> list:
        orgs = list(self.cleaned_data["organisations"])
        lead = self.cleaned_data.get("lead") or (orgs[0] if orgs else None)
        if lead is not None and lead not in orgs:
            orgs.insert(0, lead)
        return [
            (o, Participant.Role.LEAD if o == lead else Participant.Role.PARTNER, 1) for o in orgs
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=Application.Status.choices)
    on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(label=_("Montant (€)"), required=False, min_value=0)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200, required=False)
    file = forms.FileField(label=_("Fichier (PDF, tableur, texte, image)"))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Tâche"), max_length=200)
    due_on = forms.DateField(
        label=_("Échéance"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    organisation = forms.ModelChoiceField(label=_("Confiée à"), queryset=None, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


def commune_choices(cluster):
    from grappe.territory.services import commune_codes_expand

    codes = commune_codes_expand(cluster.communes.values_list("code", flat=True))
    return Commune.objects.filter(code__in=codes).order_by("code")
