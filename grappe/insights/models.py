"""Insights: the common-needs radar and its decisions, surveys, monthly indicator
snapshots."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.core.models import Cluster, TimeStampedModel
from grappe.core.texts import VISIBILITIES

# --- The common-needs radar ---------------------------------------------------------------


class RadarRun(TimeStampedModel):
    """One computation of the radar over every free text of a cluster (a job)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="radar_runs")
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    text_count = models.PositiveIntegerField(default=0)
    assigned_count = models.PositiveIntegerField(default=0)
    theme_count = models.PositiveIntegerField(default=0)
    sources = models.JSONField(default=dict, blank=True)  # source name → texts read
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("calcul du radar")
        verbose_name_plural = _("calculs du radar")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cluster", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.created_at:%Y-%m-%d %H:%M}"


class RadarTheme(models.Model):
    """A theme of one run: its label, its texts, its members, its trend and its proposal."""

    run = models.ForeignKey(RadarRun, on_delete=models.CASCADE, related_name="themes")
    key = models.CharField(max_length=120)  # the engine's theme id, stable across runs
    rank = models.PositiveIntegerField()
    label = models.CharField(_("thème"), max_length=200)
    size = models.PositiveIntegerField(_("textes"))
    members = models.PositiveIntegerField(_("membres"))
    trend = models.JSONField(default=dict)  # YYYY-MM → texts
    taxonomy_key = models.CharField(max_length=60, blank=True)
    # The proposal of a pooled service (blank kind: none)
    proposal_kind = models.CharField(max_length=20, blank=True)
    proposal_title = models.CharField(max_length=200, blank=True)
    proposal_organisation_ids = models.JSONField(default=list, blank=True)
    alone_monthly = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    pooled_monthly = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    saving_monthly = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    break_even_members = models.PositiveIntegerField(null=True, blank=True)
    cost_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("thème du radar")
        verbose_name_plural = _("thèmes du radar")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="insights_theme_key_unique"),
            models.UniqueConstraint(fields=["run", "rank"], name="insights_theme_rank_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_proposal(self) -> bool:
        return bool(self.proposal_kind)

    @property
    def saving_yearly(self) -> Decimal | None:
        return None if self.saving_monthly is None else self.saving_monthly * 12


class RadarText(models.Model):
    """A text as the run read it, with who may read it (copied from its source)."""

    run = models.ForeignKey(RadarRun, on_delete=models.CASCADE, related_name="texts")
    theme = models.ForeignKey(
        RadarTheme, on_delete=models.CASCADE, null=True, blank=True, related_name="texts"
    )
    source = models.CharField(max_length=60)
    source_id = models.CharField(max_length=60)
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    date = models.DateField(null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=[(v, v) for v in VISIBILITIES])

    class Meta:
        verbose_name = _("texte du radar")
        verbose_name_plural = _("textes du radar")
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "source", "source_id"], name="insights_text_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class ProposalDecision(TimeStampedModel):
    """A manager's decision on a theme's proposal: accepted as the draft of a pooled
    service, or dismissed. The pooling app reads accepted drafts through
    ``selectors.pooled_service_drafts`` and marks them taken up."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Acceptée : brouillon de service mutualisé")
        DISMISSED = "dismissed", _("Écartée")

    class ServiceKind(models.TextChoices):
        COST_POOL = "cost_pool", _("Pot commun (frais partagés)")
        SHARED_POST = "shared_post", _("Emploi partagé")
        POOLED_STUDY = "pooled_study", _("Étude mutualisée")
        GROUP_PURCHASE = "group_purchase", _("Achat groupé")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    theme = models.OneToOneField(
        RadarTheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="decision"
    )
    theme_key = models.CharField(max_length=120)
    theme_label = models.CharField(_("thème"), max_length=200)
    decision = models.CharField(_("décision"), max_length=10, choices=Decision.choices)
    service_kind = models.CharField(
        _("type de service"), max_length=20, choices=ServiceKind.choices, blank=True
    )
    title = models.CharField(_("service"), max_length=200, blank=True)
    organisations = models.ManyToManyField(
        "members.Organisation", blank=True, related_name="+", verbose_name=_("membres")
    )
    estimated_saving_monthly = models.DecimalField(
        _("économie estimée par membre et par mois (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    taken_up_at = models.DateTimeField(null=True, blank=True)
    taken_up_ref = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("décision sur une proposition")
        verbose_name_plural = _("décisions sur les propositions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="accepted") | ~Q(service_kind=""),
                name="insights_decision_accepted_has_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme_label} – {self.get_decision_display()}"


# --- Surveys ------------------------------------------------------------------------------


class Survey(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Ouvert")
        CLOSED = "closed", _("Clos")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    closes_on = models.DateField(
        _("clôture le"), null=True, blank=True, help_text=_("Réponses modifiables jusqu'à ce jour.")
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    invited_organisation_ids = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "insights:survey-answer", kwargs={"cluster_slug": self.cluster.slug, "pk": self.pk}
        )

    @property
    def accepts_answers(self) -> bool:
        if self.status != self.Status.OPEN:
            return False
        return self.closes_on is None or timezone.localdate() <= self.closes_on


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiple")
        SCALE = "scale", _("Échelle de 0 à 10")
        TEXT = "text", _("Texte libre")
        RECOMMEND = "recommend", _("Recommandation d'un service (0 à 10)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choix"), default=list, blank=True)
    service = models.CharField(
        _("service évalué"),
        max_length=120,
        blank=True,
        help_text=_("Pour une question de recommandation : le service noté."),
    )
    required = models.BooleanField(_("obligatoire"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="insights_question_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="recommend") | ~Q(service=""),
                name="insights_recommend_has_service",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def is_scale(self) -> bool:
        return self.kind in (self.Kind.SCALE, self.Kind.RECOMMEND)


class SurveyResponse(TimeStampedModel):
    """One member firm's answers: once per organisation, editable until the closing."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("réponse à un questionnaire")
        verbose_name_plural = _("réponses aux questionnaires")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "organisation"], name="insights_response_one_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.organisation}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="insights_answer_unique"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__lte=10),
                name="insights_answer_scale_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.number if self.number is not None else self.text[:40]}"


# --- Indicators over time -----------------------------------------------------------------


class IndicatorSnapshot(models.Model):
    """A registered indicator's value for one Paris calendar month."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="indicator_snapshots"
    )
    month = models.DateField()  # the month's first day
    key = models.CharField(max_length=80)
    value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("indicateur mensuel")
        verbose_name_plural = _("indicateurs mensuels")
        ordering = ["key", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "month", "key"], name="insights_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.month:%Y-%m} = {self.value}"
