"""Calls watch: the shared catalogue of calls and aids, their sources and imports; per
cluster, the matches, alerts and applications.

Field names and codes follow the Aides-territoires data model (``grappe.engine.
aides_territoires``): codes are stored, labels are mapped on import and on display.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grappe.core.files import private_storage
from grappe.core.models import Cluster, TimeStampedModel
from grappe.core.search import SearchQuerySet
from grappe.engine import aides_territoires as at

RECURRENCE_CHOICES = [(code, label) for code, label in at.RECURRENCES.items()]
SCALE_CHOICES = [
    ("commune", _("Commune")),
    ("epci", _("Intercommunalité")),
    ("basin", _("Bassin hydrographique")),
    ("department", _("Département")),
    ("region", _("Région")),
    ("overseas", _("Outre-mer")),
    ("mainland", _("France métropolitaine")),
    ("adhoc", _("Territoire ad hoc")),
    ("country", _("France")),
    ("continent", _("Europe")),
]


class CallQuerySet(SearchQuerySet):
    def current(self):
        """Calls not merged into another one."""
        return self.filter(merged_into__isnull=True)

    def listed(self):
        """Calls that searches, matches and alerts offer: current and not withdrawn."""
        return self.current().filter(is_live=True)

    def public(self):
        return self.listed().filter(is_public=True)

    def visible_in(self, cluster: Cluster):
        """The public catalogue plus the cluster's own private calls."""
        return self.listed().filter(Q(is_public=True) | Q(owner_cluster=cluster))

    def open_on(self, day):
        """Open: deadline on or after ``day``, no deadline, or ongoing (Aides-territoires)."""
        return self.filter(
            Q(submission_deadline__gte=day)
            | Q(submission_deadline__isnull=True)
            | Q(recurrence="ongoing")
        )


class Call(TimeStampedModel):
    """A public call for projects or an aid, shared by the whole instance."""

    class Source(models.TextChoices):
        AIDES_TERRITOIRES = "aides-territoires", _("Aides-territoires")
        CSV = "csv", _("Fichier CSV")
        RSS = "rss", _("Flux RSS/Atom")
        MANUAL = "manual", _("Saisie manuelle")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_id = models.CharField(_("identifiant dans la source"), max_length=300)
    name = models.CharField(_("intitulé"), max_length=400)
    short_title = models.CharField(_("titre court"), max_length=200, blank=True)
    url = models.CharField(_("page de l'aide"), max_length=500, blank=True)
    origin_url = models.URLField(_("page d'origine"), max_length=500, blank=True)
    application_url = models.URLField(_("lien de candidature"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("conditions d'éligibilité"), blank=True)
    financers = models.JSONField(_("financeurs"), default=list, blank=True)
    instructors = models.JSONField(_("instructeurs"), default=list, blank=True)
    programs = models.JSONField(_("programmes"), default=list, blank=True)
    perimeter_label = models.CharField(_("territoire"), max_length=200, blank=True)
    perimeter_scale = models.CharField(
        _("échelle du territoire"), max_length=12, choices=SCALE_CHOICES, default="adhoc"
    )
    perimeter_name = models.CharField(_("nom du territoire"), max_length=200, blank=True)
    # Territory keys the perimeter covers (" reg:11 ", " com:75056 ", " fr ", " eu "):
    # a commune's own keys (commune, department, region, France, Europe) find it.
    perimeter_keys = models.TextField(editable=False, blank=True, default="")
    categories = models.JSONField(_("thématiques"), default=list, blank=True)
    targeted_audiences = models.JSONField(_("publics visés"), default=list, blank=True)
    aid_types = models.JSONField(_("types d'aide"), default=list, blank=True)
    destinations = models.JSONField(_("dépenses couvertes"), default=list, blank=True)
    mobilization_steps = models.JSONField(_("étapes du projet"), default=list, blank=True)
    is_call_for_project = models.BooleanField(_("appel à projets"), default=False)
    is_charged = models.BooleanField(_("payante"), default=False)
    start_date = models.DateField(_("ouverture"), null=True, blank=True)
    predeposit_date = models.DateField(_("pré-dépôt"), null=True, blank=True)
    submission_deadline = models.DateField(_("date limite"), null=True, blank=True)
    recurrence = models.CharField(
        _("récurrence"), max_length=10, choices=RECURRENCE_CHOICES, blank=True
    )
    subvention_rate_lower_bound = models.PositiveSmallIntegerField(
        _("taux de subvention minimum (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    subvention_rate_upper_bound = models.PositiveSmallIntegerField(
        _("taux de subvention maximum (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    subvention_comment = models.TextField(_("précisions sur la subvention"), blank=True)
    loan_amount = models.DecimalField(
        _("montant du prêt (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    recoverable_advance_amount = models.DecimalField(
        _("avance récupérable (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("montant maximum (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contact = models.TextField(_("contact"), blank=True)
    project_examples = models.TextField(_("exemples de projets"), blank=True)
    european_aid = models.CharField(_("aide européenne"), max_length=20, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    data_mention = models.CharField(_("mention de la source"), max_length=300, blank=True)
    is_live = models.BooleanField(_("publiée"), default=True)
    is_public = models.BooleanField(
        _("visible publiquement"),
        default=True,
        help_text=_("Sinon, seules les personnes de la grappe qui l'a saisie la voient."),
    )
    owner_cluster = models.ForeignKey(
        Cluster,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_calls",
        verbose_name=_("saisi par la grappe"),
    )
    source_created_at = models.DateTimeField(null=True, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(_("enregistrement d'origine"), default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, editable=False, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_calls",
        verbose_name=_("fusionné dans"),
    )
    search_document = models.TextField(editable=False, blank=True, default="")
    name_document = models.TextField(editable=False, blank=True, default="")
    # " aud:association type:grant theme:culture-et-identite-collective " for the filters.
    facets = models.TextField(editable=False, blank=True, default="")

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["submission_deadline", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="calls_call_source_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(subvention_rate_lower_bound__isnull=True)
                | Q(subvention_rate_upper_bound__isnull=True)
                | Q(subvention_rate_lower_bound__lte=models.F("subvention_rate_upper_bound")),
                name="calls_call_rate_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(is_public=True) | Q(owner_cluster__isnull=False),
                name="calls_call_private_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["submission_deadline"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("calls:catalogue-detail", kwargs={"pk": self.pk})

    def url_in(self, cluster: Cluster) -> str:
        return reverse("calls:call-detail", kwargs={"cluster_slug": cluster.slug, "pk": self.pk})

    def is_open_on(self, day) -> bool:
        return at.is_open(self.submission_deadline, self.recurrence or None, day)

    @property
    def days_left(self) -> int | None:
        """Days until the deadline (Paris today), negative once closed; None without one."""
        if self.submission_deadline is None:
            return None
        from django.utils import timezone

        return (self.submission_deadline - timezone.localdate()).days

    @property
    def audience_labels(self) -> list[str]:
        return [at.TARGETED_AUDIENCES.get(c, c) for c in self.targeted_audiences]

    @property
    def aid_type_labels(self) -> list[str]:
        return [at.AID_TYPES.get(c, c) for c in self.aid_types]

    @property
    def category_labels(self) -> list[str]:
        return [c.rpartition("|")[2] for c in self.categories]

    @property
    def external_url(self) -> str:
        if self.url.startswith("/"):
            return "https://aides-territoires.beta.gouv.fr" + self.url
        return self.url or self.origin_url


class CallSource(TimeStampedModel):
    """A file or feed re-read on a schedule into the shared catalogue."""

    class Format(models.TextChoices):
        AIDES_TERRITOIRES = "aides-territoires", _("API Aides-territoires (JSON)")
        CSV = "csv", _("CSV")
        RSS = "rss", _("RSS ou Atom")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="call_sources")
    name = models.CharField(_("nom"), max_length=200)
    url = models.URLField(_("adresse"), max_length=500)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    default_perimeter = models.CharField(
        _("territoire par défaut"),
        max_length=200,
        blank=True,
        help_text=_("Pour les flux RSS qui n'en donnent pas, par ex. « Île-de-France (Région) »."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, blank=True)
    last_message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("source d'appels")
        verbose_name_plural = _("sources d'appels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "url"], name="calls_source_unique_url")
        ]

    def __str__(self) -> str:
        return self.name


class CallImport(models.Model):
    """One import run: what was read, created, updated; or why it was refused."""

    source_label = models.CharField(max_length=500)
    format = models.CharField(max_length=20)
    source = models.ForeignKey(
        CallSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    ok = models.BooleanField(default=True)
    read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import d'appels")
        verbose_name_plural = _("imports d'appels")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_label} ({self.created_at:%Y-%m-%d %H:%M})"


class DuplicateDismissal(models.Model):
    """A pair of calls a manager judged distinct: not suggested for merging again."""

    first = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="calls_dismissal_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="calls_dismissal_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class CallMatch(models.Model):
    """A call scored for one member organisation of a cluster, or for the cluster itself
    (``organisation`` empty: a joint application beats any single one)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="call_matches")
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="call_matches",
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    rank = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list)
    components = models.JSONField(default=dict, blank=True)
    members = models.JSONField(default=list, blank=True)  # cluster level: concerned org ids
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appel recommandé")
        verbose_name_plural = _("appels recommandés")
        ordering = ["-score", "call_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "organisation", "call"],
                condition=Q(organisation__isnull=False),
                name="calls_match_unique_org",
            ),
            models.UniqueConstraint(
                fields=["cluster", "call"],
                condition=Q(organisation__isnull=True),
                name="calls_match_unique_cluster",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="calls_match_score_range"
            ),
        ]
        indexes = [models.Index(fields=["cluster", "organisation", "-score"])]

    def __str__(self) -> str:
        return f"{self.call} → {self.organisation or self.cluster} ({self.score:.2f})"

    @property
    def percent(self) -> int:
        return round(self.score * 100)


class AlertPreference(TimeStampedModel):
    """What one person wants to hear about in one cluster, and how often."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Dès qu'un appel arrive")
        DAILY = "daily", _("Une fois par jour")
        WEEKLY = "weekly", _("Une fois par semaine")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_alerts"
    )
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="call_alerts")
    matched_calls = models.BooleanField(_("appels recommandés pour ma structure"), default=True)
    threshold = models.PositiveSmallIntegerField(
        _("score minimum (%)"),
        default=40,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    frequency = models.CharField(
        _("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    is_active = models.BooleanField(_("alertes actives"), default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("préférence d'alerte")
        verbose_name_plural = _("préférences d'alerte")
        constraints = [
            models.UniqueConstraint(fields=["user", "cluster"], name="calls_alert_unique"),
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=100),
                name="calls_alert_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.cluster} ({self.frequency})"


class SavedSearch(TimeStampedModel):
    """A search of the calls page a person wants alerts for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_searches"
    )
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="call_searches")
    name = models.CharField(_("nom"), max_length=120)
    query = models.CharField(_("recherche"), max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("recherche enregistrée")
        verbose_name_plural = _("recherches enregistrées")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertDelivery(models.Model):
    """A call sent to a person in a digest: never sent twice (the unique constraint)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cluster", "call"], name="calls_delivery_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.user_id}"


class Application(TimeStampedModel):
    """An application to a call, by one member (individual) or by the cluster on behalf of
    several members (collective), tracked from draft to paid."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individuelle")
        COLLECTIVE = "collective", _("Collective")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        SUBMITTED = "submitted", _("Déposée")
        OBTAINED = "obtained", _("Obtenue")
        REFUSED = "refused", _("Refusée")
        PAID = "paid", _("Versée")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="applications")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("intitulé du projet"), max_length=300)
    summary = models.TextField(_("résumé du projet"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    deadline = models.DateField(_("date limite"), null=True, blank=True)
    budget_total = models.DecimalField(
        _("budget total (€)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    requested_amount = models.DecimalField(
        _("montant demandé (€)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    co_financing = models.DecimalField(
        _("cofinancements (€)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    obtained_amount = models.DecimalField(
        _("montant obtenu (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    paid_amount = models.DecimalField(
        _("montant versé (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    submitted_on = models.DateField(_("déposée le"), null=True, blank=True)
    decided_on = models.DateField(_("décision le"), null=True, blank=True)
    paid_on = models.DateField(_("versée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_total__gte=0)
                & Q(requested_amount__gte=0)
                & Q(co_financing__gte=0),
                name="calls_application_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "calls:application-detail", kwargs={"cluster_slug": self.cluster.slug, "pk": self.pk}
        )


class Participant(models.Model):
    """A member firm in an application, its role and its share of the budget."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chef de file")
        PARTNER = "partner", _("Partenaire")
        ASSOCIATE = "associate", _("Associé")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="call_applications"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.PARTNER)
    weight = models.DecimalField(
        _("clé de répartition"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    budget_share = models.DecimalField(
        _("part du budget (€)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    turnover = models.DecimalField(
        _("chiffre d'affaires (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="calls_participant_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="calls_participant_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ApplicationDocument(models.Model):
    """A file of the dossier, stored privately, served after a permission check."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(
        _("fichier"), upload_to="calls/applications/%Y/%m/", storage=private_storage
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ApplicationTask(models.Model):
    """A step of the dossier with its due date."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("tâche"), max_length=200)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confiée à"),
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tâche")
        verbose_name_plural = _("tâches")
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.title
