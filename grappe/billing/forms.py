"""Forms of the billing app: they parse; the services validate and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.billing.models import BillingProfile, LedgerEntry
from grappe.billing.services.ledger import PROFILE_FIELDS
from grappe.engine.invoicing import InvoicingError, parse_month, previous_month


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BillingProfileForm(forms.ModelForm):
    class Meta:
        model = BillingProfile
        fields = PROFILE_FIELDS
        localized_fields = ("default_vat_rate", "late_penalty_rate")
        widgets = {"invoice_footer": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "vat_subject": _(
                "Cochez si la grappe facture la TVA. Sinon, ses factures portent la mention "
                "« TVA non applicable, art. 293 B du CGI »."
            ),
            "iban": _("Imprimé sur les factures pour le virement."),
        }


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Mois facturé"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
        help_text=_("Mois calendaire (heure de Paris)."),
    )

    @staticmethod
    def default() -> str:
        today = timezone.localdate()
        year, month = previous_month(today.year, today.month)
        return f"{year:04d}-{month:02d}"

    def clean_month(self) -> tuple[int, int]:
        try:
            return parse_month(self.cleaned_data["month"])
        except InvoicingError as exc:
            raise ValidationError(_(exc.template) % exc.params) from exc


class PaymentForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Structure"), queryset=None)
    amount = forms.DecimalField(
        label=_("Montant reçu (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
    )
    date = forms.DateField(label=_("Reçu le"), widget=DateInput())
    method = forms.ChoiceField(label=_("Moyen"), choices=LedgerEntry.Method.choices)
    reference = forms.CharField(label=_("Référence"), max_length=100, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["date"].initial = timezone.localdate()


class ChargeForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    label = forms.CharField(label=_("Libellé"), max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantité"), max_digits=12, decimal_places=3, initial=Decimal("1"), localize=True
    )
    unit = forms.CharField(label=_("Unité"), max_length=20, required=False, initial="forfait")
    unit_price = forms.DecimalField(
        label=_("Prix unitaire HT (€)"), max_digits=14, decimal_places=4, localize=True
    )
    vat_rate = forms.DecimalField(
        label=_("Taux de TVA (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=0,
        max_value=100,
        localize=True,
        help_text=_("Vide : le taux par défaut de la grappe (si elle est assujettie)."),
    )
    alone_amount = forms.DecimalField(
        label=_("Coût seul (€)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        min_value=0,
        localize=True,
        help_text=_("Ce que la structure aurait payé seule, pour mesurer l'économie."),
    )


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'avoir"), max_length=300)


class ExportForm(forms.Form):
    start = forms.DateField(label=_("Du"), widget=DateInput())
    end = forms.DateField(label=_("Au"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError(_("La fin de la période précède son début."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 800:
            raise ValidationError(_("Exportez au plus deux ans à la fois."))
        return data
