"""Managers' pages of cost pools: list, create and edit, participants, the month's split."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.core.forms import add_service_errors
from grappe.core.mixins import MANAGER, ClusterMixin
from grappe.pooling.forms import (
    CostPoolForm,
    CustomSharesForm,
    LeaveForm,
    ParticipationForm,
    draft_participants_field,
)
from grappe.pooling.models import CostPool
from grappe.pooling.periods import parse_month
from grappe.pooling.selectors import pools as selectors
from grappe.pooling.services import pools as services
from grappe.pooling.views.common import organisations_for
from grappe.pooling.views.drafts import POOL_KINDS, DraftMixin, draft_description, radar_drafts


class PoolListView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "pooling/manage/pool_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        first_day, last_day = parse_month(None, today)
        pools = []
        for pool in selectors.pool_list(actor=self.actor).prefetch_related("participations"):
            preview = selectors.pool_preview(
                actor=self.actor, pool=pool, first_day=first_day, last_day=last_day
            )
            present = sum(
                1 for p in pool.participations.all() if p.left_on is None or p.left_on >= today
            )
            pools.append((pool, preview, present))
        return {
            **super().get_context_data(**kwargs),
            "pools": pools,
            "month": first_day,
            "radar_drafts": radar_drafts(actor=self.actor, kinds=POOL_KINDS),
        }


class PoolFormView(DraftMixin, ClusterMixin, FormView):
    """Create or edit a pool; created from a radar draft with ``?draft=<id>``."""

    access = MANAGER
    template_name = "pooling/manage/pool_form.html"
    form_class = CostPoolForm
    draft_kinds = POOL_KINDS

    def get_pool(self) -> CostPool | None:
        pk = self.kwargs.get("pk")
        return selectors.pool_get(actor=self.actor, pk=pk) if pk else None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_pool()
        if kwargs["instance"] is None:
            initial = kwargs.setdefault("initial", {})
            initial["starts_on"] = timezone.localdate().replace(day=1)
            draft = self.get_draft()
            if draft is not None:
                initial.update(name=draft.title, description=draft_description(draft))
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        draft = self.get_draft()
        if draft is not None:
            # The firms the radar found join the new pool (a manager unticks any who won't).
            form.fields["participants"] = draft_participants_field(
                organisations_for(self.actor), draft.organisations.all()
            )
        return form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "pool": self.get_pool()}

    def form_valid(self, form):
        pool = self.get_pool()
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        draft = self.get_draft()
        try:
            if pool is None:
                with transaction.atomic():
                    pool = services.pool_create(by=self.actor, **data)
                    for organisation in form.cleaned_data.get("participants", ()):
                        services.participation_add(
                            pool=pool,
                            organisation=organisation,
                            by=self.actor,
                            joined_on=pool.starts_on,
                        )
                    self.take_up_draft(pool.pk)
            else:
                pool = services.pool_update(pool=pool, by=self.actor, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if draft is not None:
            messages.success(
                self.request,
                _("La proposition du radar est devenue le pool de coûts « %(name)s ».")
                % {"name": pool.name},
            )
        else:
            messages.success(self.request, _("Pool de coûts enregistré."))
        return redirect("pooling:pool-detail", cluster_slug=self.cluster.slug, pk=pool.pk)


class PoolDetailView(ClusterMixin, TemplateView):
    """Participants, adding one, and the split of a month as it will be billed."""

    access = MANAGER
    template_name = "pooling/manage/pool_detail.html"

    def get_context_data(self, **kwargs):
        pool = selectors.pool_get(actor=self.actor, pk=kwargs["pk"])
        first_day, last_day = parse_month(self.request.GET.get("month"), timezone.localdate())
        participations = list(selectors.participation_list(actor=self.actor, pool=pool))
        context = {
            **super().get_context_data(**kwargs),
            "pool": pool,
            "participations": participations,
            "preview": selectors.pool_preview(
                actor=self.actor, pool=pool, first_day=first_day, last_day=last_day
            ),
            "month": first_day,
            "previous_month": (first_day - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next_month": (last_day + dt.timedelta(days=1)).strftime("%Y-%m"),
            "participation_form": kwargs.get("participation_form")
            or ParticipationForm(
                organisations=organisations_for(self.actor),
                initial={"joined_on": max(pool.starts_on, first_day)},
            ),
        }
        if pool.allocation_key == CostPool.Key.CUSTOM:
            shares = selectors.custom_shares(actor=self.actor, pool=pool, period=first_day)
            context["shares_form"] = CustomSharesForm(
                participations=participations,
                initial={
                    "period": first_day.strftime("%Y-%m"),
                    **{f"share_{pk}": weight for pk, weight in shares.items()},
                },
            )
        return context


class ParticipationAddView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        pool = selectors.pool_get(actor=self.actor, pk=pk)
        form = ParticipationForm(request.POST, organisations=organisations_for(self.actor))
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = data.pop("organisation")
            try:
                services.participation_add(
                    pool=pool, organisation=organisation, by=self.actor, **data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%s participe au pool.") % organisation.name)
                return redirect("pooling:pool-detail", cluster_slug=cluster_slug, pk=pk)
        view = PoolDetailView(request=request, kwargs={"cluster_slug": cluster_slug, "pk": pk})
        view.cluster, view.actor = self.cluster, self.actor
        return view.render_to_response(
            view.get_context_data(cluster_slug=cluster_slug, pk=pk, participation_form=form),
            status=400,
        )


class ParticipationUpdateView(ClusterMixin, View):
    """A participant leaves the pool at a date (or stays again: no date)."""

    access = MANAGER

    def post(self, request, cluster_slug, pk):
        participation = selectors.participation_get(actor=self.actor, pk=pk)
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                services.participation_update(
                    participation=participation, by=self.actor, left_on=form.cleaned_data["left_on"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Participation mise à jour."))
        else:
            messages.error(request, _("Date invalide."))
        return redirect("pooling:pool-detail", cluster_slug=cluster_slug, pk=participation.pool_id)


class CustomSharesView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        pool = selectors.pool_get(actor=self.actor, pk=pk)
        participations = selectors.participation_list(actor=self.actor, pool=pool)
        form = CustomSharesForm(request.POST, participations=participations)
        first_day, _last = parse_month(request.POST.get("period"), timezone.localdate())
        if form.is_valid():
            try:
                services.custom_shares_set(
                    pool=pool, by=self.actor, period=first_day, weights=form.weights()
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Parts du mois enregistrées."))
        else:
            messages.error(request, _("Une part est un nombre positif ou nul."))
        url = reverse("pooling:pool-detail", kwargs={"cluster_slug": cluster_slug, "pk": pk})
        return redirect(f"{url}?month={first_day.strftime('%Y-%m')}")
