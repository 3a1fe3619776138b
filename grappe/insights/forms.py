"""Forms of the insights app (French labels)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grappe.insights.models import ProposalDecision, Question, Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "description", "closes_on"]
        widgets = {
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    label = forms.CharField(label=_("Question"), max_length=300)
    choices = forms.CharField(
        label=_("Choix proposés"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un choix par ligne (questions à choix)."),
    )
    service = forms.CharField(
        label=_("Service évalué"),
        max_length=120,
        required=False,
        help_text=_("Pour une question de recommandation : « Salle de répétition »…"),
    )
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False)

    def cleaned_choices(self) -> list[str]:
        return [line for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]


class ProposalAcceptForm(forms.Form):
    service_kind = forms.ChoiceField(
        label=_("Type de service"), choices=ProposalDecision.ServiceKind.choices
    )
    title = forms.CharField(label=_("Nom du service"), max_length=200)
    organisations = forms.TypedMultipleChoiceField(
        label=_("Membres qui le rejoindraient"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = [(o.pk, o.name) for o in members]


class ProposalDismissForm(forms.Form):
    notes = forms.CharField(
        label=_("Pourquoi l'écarter ?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SurveyAnswerForm(forms.Form):
    """One field per question, named q<id>."""

    def __init__(self, *args, questions=(), disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            name = f"q{q.pk}"
            if q.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in q.choices], widget=forms.RadioSelect
                )
            elif q.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in q.choices], widget=forms.CheckboxSelectMultiple
                )
            elif q.is_scale:
                field = forms.TypedChoiceField(
                    choices=[(str(n), str(n)) for n in range(11)],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    coerce=int,
                )
            else:
                field = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
            field.label = q.label
            field.required = False  # the service says what is missing, in one place
            field.disabled = disabled
            if q.required:
                field.label_suffix = " *"
            self.fields[name] = field

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
