from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grappe.core.models import Cluster
from grappe.core.validators import validate_naf_code


class ClusterSettingsForm(forms.ModelForm):
    required_css_class = "required"
    commune_codes = forms.CharField(
        label=_("Territoire (codes INSEE des communes, séparés par des virgules)"),
        help_text=_("Paris = 75056 couvre ses 20 arrondissements (75101 à 75120)."),
    )
    naf_codes_text = forms.CharField(
        label=_("Secteurs (codes NAF, séparés par des virgules)"), required=False
    )

    class Meta:
        model = Cluster
        fields = [
            "name",
            "description",
            "logo",
            "contact_email",
            "website",
            "legal_name",
            "siret",
            "address",
            "is_listed",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["commune_codes"].initial = ", ".join(
                self.instance.communes.values_list("code", flat=True)
            )
            self.fields["naf_codes_text"].initial = ", ".join(self.instance.naf_codes)

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("Le logo doit faire 2 Mo au plus."))
        return logo

    def clean_naf_codes_text(self):
        codes = [
            c.strip().upper() for c in self.cleaned_data["naf_codes_text"].split(",") if c.strip()
        ]
        for code in codes:
            validate_naf_code(code)
        return codes

    def clean_commune_codes(self):
        return [c.strip() for c in self.cleaned_data["commune_codes"].split(",") if c.strip()]


class ApiTokenForm(forms.Form):
    required_css_class = "required"
    name = forms.CharField(label=_("Nom du jeton"), max_length=100)


class EraseAccountForm(forms.Form):
    required_css_class = "required"
    confirm = forms.CharField(
        label=_("Tapez EFFACER pour confirmer"),
        help_text=_("Votre compte et vos données personnelles seront supprimés définitivement."),
    )

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip().upper()
        if value != "EFFACER":
            raise forms.ValidationError(_("Tapez EFFACER en majuscules pour confirmer."))
        return value


def add_service_errors(form: forms.Form, exc: ValidationError, aliases=None) -> None:
    """Show a service's refusal on the form: an error about one of its fields beside that
    field (``aliases`` maps a model field to the form field that edits it), any other at the
    top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        target = (aliases or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)
