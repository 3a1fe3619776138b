"""Member organisations, their people, memberships, needs and offers, join requests,
invitations and prospects."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.core.files import private_storage
from grappe.core.models import Cluster, TimeStampedModel
from grappe.core.search import SearchQuerySet
from grappe.core.validators import validate_naf_code, validate_rna, validate_siren, validate_siret
from grappe.territory import codes

LEGAL_FORM_VALIDATOR = RegexValidator(r"^\d{4}$", _("Une catégorie juridique a 4 chiffres."))
SIZE_BAND_CHOICES = [(k, v) for k, v in codes.SIZE_BANDS.items()]


class Tag(models.Model):
    name = models.CharField(_("nom"), max_length=60)
    slug = models.SlugField(_("identifiant"), max_length=70, unique=True)

    class Meta:
        verbose_name = _("mot-clé")
        verbose_name_plural = _("mots-clés")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(SearchQuerySet):
    def in_cluster(self, cluster: Cluster, statuses=None):
        statuses = statuses or [Membership.Status.ACTIVE]
        return self.filter(
            memberships__cluster=cluster, memberships__status__in=statuses
        ).distinct()


class Organisation(TimeStampedModel):
    """A firm or an association. Exists once on the instance; memberships tie it to clusters."""

    class Nomenclature(models.TextChoices):
        NAF_REV2 = "NAFRev2", _("NAF rév. 2")
        NAF_2025 = "NAF2025", _("NAF 2025")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, db_index=True, validators=[validate_siren]
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True, validators=[validate_rna])
    legal_form = models.CharField(
        _("catégorie juridique"), max_length=4, blank=True, validators=[LEGAL_FORM_VALIDATOR]
    )
    naf_code = models.CharField(
        _("code NAF"), max_length=6, blank=True, validators=[validate_naf_code]
    )
    naf_nomenclature = models.CharField(
        _("nomenclature NAF"),
        max_length=8,
        choices=Nomenclature.choices,
        default=Nomenclature.NAF_REV2,
    )
    size_band = models.CharField(
        _("tranche d'effectif"), max_length=2, blank=True, choices=SIZE_BAND_CHOICES
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("commune"),
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    skills = models.TextField(_("savoir-faire"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="organisations")
    search_document = models.TextField(editable=False, blank=True, default="")
    name_document = models.TextField(editable=False, blank=True, default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="members_org_siret_unique",
                violation_error_message=_("Une organisation avec ce SIRET existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["rna"],
                condition=~Q(rna=""),
                name="members_org_rna_unique",
                violation_error_message=_("Une association avec ce numéro RNA existe déjà."),
            ),
            models.CheckConstraint(
                condition=~Q(siren="", siret="", rna=""), name="members_org_has_identifier"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siren=models.functions.Left("siret", 9)),
                name="members_org_siren_matches_siret",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def url_in(self, cluster: Cluster) -> str:
        """Public profile in one cluster (an organisation may belong to several)."""
        return reverse(
            "members:organisation-public", kwargs={"cluster_slug": cluster.slug, "slug": self.slug}
        )

    @property
    def legal_form_label(self) -> str:
        return codes.legal_form_label(self.legal_form)

    @property
    def naf_label(self) -> str:
        return codes.naf_label(self.naf_code)

    @property
    def size_band_label(self) -> str:
        return str(codes.SIZE_BANDS.get(self.size_band, ""))

    @property
    def is_association(self) -> bool:
        return codes.is_association(self.legal_form) or bool(self.rna and not self.siren)

    @property
    def identifier(self) -> str:
        return self.siret or self.siren or self.rna


class Person(TimeStampedModel):
    """Someone working for an organisation; may have an account."""

    class Visibility(models.TextChoices):
        HIDDEN = "hidden", _("Masqué dans l'annuaire")
        NAME = "name", _("Nom et fonction")
        CONTACT = "contact", _("Nom, fonction, e-mail et téléphone")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="affiliations",
    )
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    job_title = models.CharField(_("fonction"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    visibility = models.CharField(
        _("dans l'annuaire"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.NAME,
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(user__isnull=False),
                name="members_person_one_per_user_org",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Membership(TimeStampedModel):
    """An organisation's membership of a cluster, with its yearly fee."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Candidate")
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Échue")
        LEFT = "left", _("Partie")

    class FeeStatus(models.TextChoices):
        DUE = "due", _("À payer")
        PAID = "paid", _("Payée")
        WAIVED = "waived", _("Exonérée")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.APPLICANT
    )
    joined_on = models.DateField(_("adhésion le"), null=True, blank=True)
    renewal_on = models.DateField(_("renouvellement le"), null=True, blank=True)
    left_on = models.DateField(_("départ le"), null=True, blank=True)
    fee_amount = models.DecimalField(
        _("cotisation annuelle (€)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    fee_status = models.CharField(
        _("cotisation"), max_length=8, choices=FeeStatus.choices, default=FeeStatus.DUE
    )
    fee_paid_on = models.DateField(_("payée le"), null=True, blank=True)
    renewal_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "organisation"], name="members_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0), name="members_membership_fee_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.cluster}"

    @property
    def grants_access(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.LAPSED)


class PostQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Post(TimeStampedModel):
    """A need or an offer a member firm posts in a cluster."""

    class Kind(models.TextChoices):
        NEED = "need", _("Besoin")
        OFFER = "offer", _("Offre")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public (annuaire)")
        CLUSTER = "cluster", _("Membres de la grappe")
        MANAGERS = "managers", _("Équipe de la grappe seulement")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="posts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=160)
    text = models.TextField(_("texte"))
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.CLUSTER
    )
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("besoin ou offre")
        verbose_name_plural = _("besoins et offres")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cluster", "kind", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class JoinRequest(TimeStampedModel):
    """A public request to join a cluster, decided by its managers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ADMITTED = "admitted", _("Admise")
        DECLINED = "declined", _("Refusée")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="join_requests")
    organisation_name = models.CharField(_("nom de la structure"), max_length=200)
    identifier = models.CharField(_("SIRET, SIREN ou RNA"), max_length=14)
    legal_form = models.CharField(_("catégorie juridique"), max_length=4, blank=True)
    naf_code = models.CharField(_("code NAF"), max_length=6, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    contact_first_name = models.CharField(_("prénom"), max_length=100)
    contact_last_name = models.CharField(_("nom"), max_length=100)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    contact_job_title = models.CharField(_("fonction"), max_length=120, blank=True)
    message = models.TextField(_("message"), blank=True)
    attachment = models.FileField(
        _("pièce jointe (statuts, extrait Kbis…)"),
        upload_to="join-requests/%Y/%m/",
        storage=private_storage,
        blank=True,
        help_text=_(
            "PDF, JPEG ou PNG, 10 Mo au plus. Visible par l'équipe de la grappe seulement."
        ),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(_("message de réponse"), blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self) -> str:
        return self.organisation_name

    @property
    def legal_form_label(self) -> str:
        return codes.legal_form_label(self.legal_form)

    @property
    def naf_label(self) -> str:
        return codes.naf_label(self.naf_code)


class Invitation(TimeStampedModel):
    """An invitation to create an account: for a member firm's person, or a staff role."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Personne d'une structure membre")
        MANAGER = "manager", _("Animateur·rice de la grappe")
        OBSERVER = "observer", _("Financeur / observateur")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="member", organisation__isnull=False) | ~Q(role="member"),
                name="members_invitation_member_has_org",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class Prospect(TimeStampedModel):
    """A registry establishment in a cluster's territory and sectors: who else should join?"""

    class Status(models.TextChoices):
        NEW = "new", _("À contacter")
        CONTACTED = "contacted", _("Contacté")
        INVITED = "invited", _("Invité")
        MEMBER = "member", _("Membre")
        DISMISSED = "dismissed", _("Écarté")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="prospects")
    establishment = models.ForeignKey(
        "territory.Establishment", on_delete=models.CASCADE, related_name="prospects"
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    note = models.TextField(_("note"), blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    is_current = models.BooleanField(
        _("toujours dans le registre"),
        default=True,
        help_text=_(
            "Faux si le dernier import ne l'a plus retenu (fermé, parti, changé d'activité)."
        ),
    )

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "establishment"], name="members_prospect_unique"
            )
        ]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self) -> str:
        return str(self.establishment)
