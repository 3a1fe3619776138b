"""Forms of the pooling app: they parse and label; the services validate and write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.engine import timeshare
from grappe.engine.bookings import WEEKDAYS
from grappe.pooling.models import CostPool, HoursRequest, Resource, SharedEmployee, Study
from grappe.pooling.services.pools import POOL_FIELDS
from grappe.pooling.services.studies import STUDY_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAY_CHOICES = [(i, name.capitalize()) for i, name in enumerate(WEEKDAYS)]


def _organisation_field(organisations, label=None):
    return forms.ModelChoiceField(
        queryset=organisations, label=label or _("Pour la structure"), empty_label=None
    )


class ResourceForm(forms.ModelForm):
    """The resource, its rules and its opening hours (one line per weekday)."""

    class Meta:
        model = Resource
        fields = [
            "kind",
            "name",
            "description",
            "location",
            "capacity",
            "surface",
            "audience",
            "allowed_organisations",
            "slot_minutes",
            "min_notice_hours",
            "max_hours_per_month",
            "cancellation_deadline_hours",
            "price",
            "price_unit",
            "vat_rate",
            "alone_price_per_hour",
            "cost_pool",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "allowed_organisations": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, cluster, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed_organisations"].queryset = organisations
        self.fields["allowed_organisations"].required = False
        self.fields["cost_pool"].queryset = CostPool.objects.filter(cluster=cluster)
        opening = (self.instance.opening_hours if self.instance.pk else None) or [
            "09:00-22:00"
        ] * 6 + [""]
        for index, name in enumerate(WEEKDAYS):
            self.fields[f"hours_{index}"] = forms.CharField(
                label=name.capitalize(),
                required=False,
                max_length=100,
                initial=opening[index],
                help_text=_("ex. 09:00-12:00, 14:00-22:00 ; vide si fermé") if index == 0 else "",
            )

    def opening_hours(self) -> list[str]:
        return [self.cleaned_data.get(f"hours_{i}", "").strip() for i in range(7)]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data.pop("allowed_organisations")
        data["opening_hours"] = self.opening_hours()
        return data


class ClosureForm(forms.Form):
    first_day = forms.DateField(label=_("Du"), widget=DATE)
    last_day = forms.DateField(label=_("Au"), widget=DATE)
    reason = forms.CharField(label=_("Motif"), required=False, max_length=200)


class BookingForm(forms.Form):
    """A booking from a chosen start: the end among the free run of slots."""

    start = forms.DateTimeField(widget=forms.HiddenInput)
    end = forms.CharField(label=_("Jusqu'à"), widget=forms.Select)
    note = forms.CharField(label=_("Note (facultatif)"), required=False, max_length=300)

    def __init__(self, *args, organisations, ends=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations)
        # The ends offered are those free when the form is shown; the service decides.
        self.fields["end"].widget.choices = [
            (end.isoformat(), timezone.localtime(end).strftime("%H:%M")) for end in ends
        ]
        self.order_fields(["organisation", "start", "end", "note"])

    def clean_end(self):
        try:
            end = dt.datetime.fromisoformat(self.cleaned_data["end"])
        except ValueError:
            raise forms.ValidationError(_("Heure de fin invalide.")) from None
        if timezone.is_naive(end):
            raise forms.ValidationError(_("Heure de fin invalide."))
        return end


class WaitlistForm(forms.Form):
    start = forms.DateTimeField(widget=forms.HiddenInput)
    end = forms.DateTimeField(widget=forms.HiddenInput)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations)


class CostPoolForm(forms.ModelForm):
    class Meta:
        model = CostPool
        fields = list(POOL_FIELDS)  # what the service takes
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE,
            "ends_on": DATE,
        }


def draft_participants_field(members, proposed) -> forms.ModelMultipleChoiceField:
    """The member firms joining a pool created from a radar draft, the proposed ones ticked."""
    return forms.ModelMultipleChoiceField(
        label=_("Structures qui rejoignent le pool"),
        queryset=members,
        initial=list(members.filter(pk__in=proposed).values_list("pk", flat=True)),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Proposées par le radar. Elles entrent le premier jour du pool avec une "
            "pondération de 1, à ajuster ensuite sur la page du pool."
        ),
    )


class ParticipationForm(forms.Form):
    joined_on = forms.DateField(label=_("Entrée le"), widget=DATE)
    left_on = forms.DateField(label=_("Sortie le"), widget=DATE, required=False)
    weight = forms.DecimalField(
        label=_("Pondération"), min_value=0, max_digits=10, decimal_places=3, initial=1
    )
    surface = forms.DecimalField(
        label=_("Surface (m²)"), min_value=0, max_digits=8, decimal_places=2, required=False
    )
    alone_amount = forms.DecimalField(
        label=_("Coût seul par période (€ HT)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = _organisation_field(organisations, _("Structure"))
            self.order_fields(["organisation"])


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Sortie le"), widget=DATE, required=False)


class EmployeeForm(forms.ModelForm):
    class Meta:
        model = SharedEmployee
        fields = [
            "name",
            "role",
            "user",
            "yearly_cost",
            "yearly_hours",
            "coefficient",
            "monthly_fee",
            "weekly_hours",
            "vat_rate",
            "alone_hourly_price",
            "is_active",
        ]

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].required = False
        daily = (self.instance.daily_hours if self.instance.pk else None) or [
            "7",
            "7",
            "7",
            "7",
            "7",
            "0",
            "0",
        ]
        for index, name in enumerate(WEEKDAYS):
            self.fields[f"day_{index}"] = forms.DecimalField(
                label=_("Heures le %s") % name,
                min_value=0,
                max_value=24,
                decimal_places=2,
                initial=Decimal(str(daily[index])),
            )

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["daily_hours"] = [str(self.cleaned_data[f"day_{i}"]) for i in range(7)]
        return data


class HoursRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Fréquence"), choices=HoursRequest.Kind.choices, widget=forms.RadioSelect
    )
    weekday = forms.TypedChoiceField(
        label=_("Jour (chaque semaine)"), choices=WEEKDAY_CHOICES, coerce=int, required=False
    )
    day = forms.DateField(label=_("Date (une fois)"), widget=DATE, required=False)
    hours = forms.DecimalField(
        label=_("Heures"), min_value=Decimal("0.25"), max_value=24, decimal_places=2
    )
    starts_on = forms.DateField(
        label=_("À partir du (chaque semaine)"),
        widget=DATE,
        required=False,
        help_text=_("Aujourd'hui si vide."),
    )
    ends_on = forms.DateField(
        label=_("Jusqu'au (chaque semaine)"),
        widget=DATE,
        required=False,
        help_text=_("Sans fin si vide."),
    )
    note = forms.CharField(label=_("Pour quoi faire ?"), required=False, max_length=300)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations)
        self.order_fields(["organisation"])

    @staticmethod
    def initial_from(allocation: timeshare.Allocation) -> dict:
        if isinstance(allocation, timeshare.Recurring):
            return {
                "kind": HoursRequest.Kind.RECURRING,
                "weekday": allocation.weekday,
                "hours": allocation.hours,
                "starts_on": allocation.starts,
                "ends_on": allocation.ends,
            }
        return {"kind": HoursRequest.Kind.ONE_OFF, "day": allocation.day, "hours": allocation.hours}


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Motif (obligatoire pour un refus)"), required=False, max_length=500
    )


class TimeLogForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Heures"), min_value=Decimal("0.25"), max_value=24, decimal_places=2
    )
    note = forms.CharField(label=_("Travail fait"), required=False, max_length=300)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations, _("Structure"))
        self.order_fields(["organisation"])


class StaffNeedForm(forms.Form):
    role = forms.CharField(label=_("Métier"), max_length=120)
    weekly_hours = forms.DecimalField(
        label=_("Heures par semaine"), min_value=Decimal("0.5"), max_value=48, decimal_places=2
    )
    post = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations, _("Structure"))
        self.order_fields(["organisation"])


class StudyForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = list(STUDY_FIELDS)  # what the service takes
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "pledge_deadline": DATE}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = _organisation_field(
                organisations, _("Proposée par la structure")
            )
            self.order_fields(["organisation"])


class PledgeForm(forms.Form):
    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations)


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de résultats"),
        help_text=_("PDF, tableur, texte ou image ; 10 Mo au plus."),
    )


class CustomSharesForm(forms.Form):
    period = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.participations = list(participations)
        for participation in self.participations:
            self.fields[f"share_{participation.pk}"] = forms.DecimalField(
                label=participation.organisation.name,
                min_value=0,
                max_digits=12,
                decimal_places=3,
                required=False,
            )

    def weights(self) -> dict[int, Decimal]:
        return {
            p.pk: self.cleaned_data[f"share_{p.pk}"]
            for p in self.participations
            if self.cleaned_data.get(f"share_{p.pk}") is not None
        }
