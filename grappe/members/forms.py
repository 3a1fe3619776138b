from django import forms
from django.utils.translation import gettext_lazy as _

from grappe.members.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    Person,
    Post,
    Prospect,
)
from grappe.territory import codes
from grappe.territory.models import Commune

EMPTY = [("", "—")]


def _commune_queryset(cluster):
    from grappe.territory.services import commune_codes_expand

    codes_ = commune_codes_expand(cluster.communes.values_list("code", flat=True))
    return Commune.objects.filter(code__in=codes_).order_by("code")


class DirectoryFilterForm(forms.Form):
    required_css_class = "required"
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    naf = forms.ChoiceField(label=_("Secteur"), required=False)
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    tag = forms.ChoiceField(label=_("Mot-clé"), required=False)
    size = forms.ChoiceField(label=_("Effectif"), required=False)

    def __init__(self, *args, facets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["naf"].choices = EMPTY + [
            (f["naf_code"], f"{codes.naf_label(f['naf_code'])} ({f['n']})") for f in facets["naf"]
        ]
        self.fields["commune"].choices = EMPTY + [
            (f["commune_id"], f"{f['commune__name']} ({f['n']})") for f in facets["communes"]
        ]
        self.fields["tag"].choices = EMPTY + [
            (f["slug"], f"{f['name']} ({f['n']})") for f in facets["tags"]
        ]
        self.fields["size"].choices = EMPTY + [
            (f["size_band"], f"{codes.SIZE_BANDS.get(f['size_band'], f['size_band'])} ({f['n']})")
            for f in facets["size_bands"]
        ]

    def clean(self):
        data = super().clean()
        # An unknown filter value (an old link) is ignored rather than refused.
        for name in ("naf", "commune", "tag", "size"):
            data.setdefault(name, "")
        return data


class JoinRequestForm(forms.ModelForm):
    required_css_class = "required"
    website_confirm = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot
    consent = forms.BooleanField(
        label=_("J'accepte que la grappe traite ces informations pour étudier ma demande."),
    )

    class Meta:
        model = JoinRequest
        fields = [
            "organisation_name",
            "identifier",
            "legal_form",
            "naf_code",
            "commune",
            "address",
            "website",
            "description",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "contact_job_title",
            "message",
            "attachment",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "message": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "identifier": _(
                "SIRET (14 chiffres), SIREN (9 chiffres) ou, pour une association, "
                "RNA (W + 9 chiffres)."
            ),
        }

    ORGANISATION_FIELDS = (
        "organisation_name",
        "identifier",
        "legal_form",
        "naf_code",
        "commune",
        "address",
        "website",
        "description",
        "attachment",
    )
    CONTACT_FIELDS = (
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
        "contact_job_title",
        "message",
        "consent",
    )

    def organisation_fields(self):
        return [self[name] for name in self.ORGANISATION_FIELDS]

    def contact_fields(self):
        return [self[name] for name in self.CONTACT_FIELDS]

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = _commune_queryset(cluster).order_by("name")
        self.fields["commune"].empty_label = "—"
        self.fields["legal_form"] = forms.ChoiceField(
            label=_("Catégorie juridique"),
            required=False,
            choices=EMPTY + [(k, f"{k} – {v}") for k, v in codes.LEGAL_FORMS.items()],
        )

    def clean_attachment(self):
        from grappe.core.files import validate_upload

        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_upload(upload, allowed=(".pdf", ".jpg", ".jpeg", ".png"))
        return upload


class DecisionForm(forms.Form):
    required_css_class = "required"
    message = forms.CharField(
        label=_("Message au demandeur"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fee_amount = forms.DecimalField(
        label=_("Cotisation annuelle (€)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )


class OrganisationProfileForm(forms.ModelForm):
    required_css_class = "required"
    tags_text = forms.CharField(
        label=_("Mots-clés"), required=False, help_text=_("Séparés par des virgules.")
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "legal_form",
            "naf_code",
            "size_band",
            "address",
            "postcode",
            "commune",
            "website",
            "email",
            "phone",
            "description",
            "skills",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "skills": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = _commune_queryset(cluster) if cluster else Commune.objects.all()
        if self.instance.commune_id:
            communes = communes | Commune.objects.filter(pk=self.instance.commune_id)
        self.fields["commune"].queryset = communes.order_by("name")
        self.fields["commune"].empty_label = "—"
        self.fields["size_band"].choices = EMPTY + list(codes.SIZE_BANDS.items())
        self.fields["legal_form"] = forms.ChoiceField(
            label=_("Catégorie juridique"),
            required=False,
            choices=EMPTY + [(k, f"{k} – {v}") for k, v in codes.LEGAL_FORMS.items()],
        )
        if self.instance.legal_form and self.instance.legal_form not in codes.LEGAL_FORMS:
            self.fields["legal_form"].choices += [
                (self.instance.legal_form, self.instance.legal_form)
            ]
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def cleaned_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags_text", "").split(",") if t.strip()]


class PersonForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "job_title", "email", "phone", "visibility"]


class PostForm(forms.ModelForm):
    required_css_class = "required"
    organisation = forms.ModelChoiceField(
        label=_("Structure"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = Post
        fields = ["organisation", "kind", "title", "text", "visibility"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Post.Kind.choices  # no blank choice
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
            self.fields["organisation"].widget = forms.HiddenInput()


class InvitationForm(forms.Form):
    required_css_class = "required"
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Invitation.Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Structure (pour une personne d'une structure membre)"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.in_cluster(
            cluster, statuses=[Membership.Status.ACTIVE, Membership.Status.LAPSED]
        ).order_by("name")


class InvitationAcceptForm(forms.Form):
    required_css_class = "required"
    full_name = forms.CharField(label=_("Nom complet"), max_length=150)
    password = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput, strip=False)
    password_confirm = forms.CharField(
        label=_("Confirmez le mot de passe"), widget=forms.PasswordInput, strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password_confirm"):
            raise forms.ValidationError(_("Les deux mots de passe ne sont pas identiques."))
        return data


class MembershipForm(forms.Form):
    required_css_class = "required"
    status = forms.ChoiceField(label=_("Statut"), choices=Membership.Status.choices)
    fee_amount = forms.DecimalField(
        label=_("Cotisation annuelle (€)"), min_value=0, max_digits=10, decimal_places=2
    )
    fee_status = forms.ChoiceField(label=_("Cotisation"), choices=Membership.FeeStatus.choices)


class ImportForm(forms.Form):
    required_css_class = "required"
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Colonnes : siret (ou siren, ou rna), name, legal_form, naf, address, postcode, "
            "commune, size_band, website, email, phone, description, tags."
        ),
    )


class ProspectForm(forms.Form):
    required_css_class = "required"
    status = forms.ChoiceField(label=_("Statut"), choices=Prospect.Status.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProspectInviteForm(forms.Form):
    required_css_class = "required"
    email = forms.EmailField(label=_("E-mail du contact"))
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
