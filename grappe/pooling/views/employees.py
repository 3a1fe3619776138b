"""Pages of shared employees: members ask for hours (and pick an alternative when the
plan is full); managers decide, log hours, see the month's bills and the demand for a
new shared post; the employee logs their own hours."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.core.access import resolve_actor
from grappe.core.forms import add_service_errors
from grappe.core.mixins import MANAGER, MEMBER, PUBLIC, ClusterMixin
from grappe.core.models import User
from grappe.members.models import Post
from grappe.pooling.forms import (
    DecisionForm,
    EmployeeForm,
    HoursRequestForm,
    StaffNeedForm,
    TimeLogForm,
)
from grappe.pooling.models import SharedEmployee, StaffNeed
from grappe.pooling.periods import monday_of, parse_month
from grappe.pooling.selectors import employees as selectors
from grappe.pooling.services import employees as services
from grappe.pooling.views.common import (
    member_organisations,
    organisations_for,
    parse_monday,
)
from grappe.pooling.views.drafts import EMPLOYEE_KINDS, DraftMixin, radar_drafts


class EmployeeListView(ClusterMixin, TemplateView):
    access = MEMBER
    template_name = "pooling/employee_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "tab": "employees",
            "employees": selectors.employee_list(actor=self.actor),
        }


class EmployeeDetailView(ClusterMixin, FormView):
    """The week's plan, the firm's requests (all of them for managers), the month's hours
    and bills; the form to ask for hours, and the alternatives when it does not fit."""

    access = PUBLIC  # members, managers, and the employee themself (checked below)
    template_name = "pooling/employee_detail.html"
    form_class = HoursRequestForm

    def dispatch(self, request, *args, **kwargs):
        self.kwargs = kwargs
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.check_access()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.check_access()
        if not (self.actor.is_member or self.actor.is_manager):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def check_access(self) -> None:
        employee = SharedEmployee.objects.filter(cluster=self.cluster, pk=self.kwargs["pk"]).first()
        is_self = employee is not None and employee.user_id == self.request.user.pk
        if not (is_self or self.actor.is_member or self.actor.is_manager):
            if self.actor.is_insider:
                raise PermissionDenied
            raise Http404
        self.employee = selectors.employee_get(actor=self.actor, pk=self.kwargs["pk"])
        self.is_self = is_self

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisations": organisations_for(self.actor)}

    def get_initial(self):
        return {"kind": "recurring", "hours": 7, "weekday": 0}

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        monday = parse_monday(self.request.GET.get("week"), today)
        first_day, last_day = parse_month(self.request.GET.get("month"), today)
        employee = self.employee
        can_log = services.can_log_time(self.actor, employee) or self.is_self
        log_orgs = member_organisations(self.cluster) if can_log else None
        return {
            **super().get_context_data(**kwargs),
            "tab": "employees",
            "employee": employee,
            "is_self": self.is_self,
            "can_request": self.actor.is_member or self.actor.is_manager,
            "monday": monday,
            "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
            "next_week": (monday + dt.timedelta(days=7)).isoformat(),
            "plan": selectors.week_plan(actor=self.actor, employee=employee, monday=monday),
            "requests": selectors.requests_for(actor=self.actor, employee=employee)[:50]
            if not (self.is_self and not self.actor.is_insider)
            else [],
            "month": first_day,
            "logs": selectors.timelog_list(
                actor=self.actor, employee=employee, first_day=first_day, last_day=last_day
            ),
            "bills": selectors.month_bill_rows(
                actor=self.actor, employee=employee, first_day=first_day, last_day=last_day
            )
            if self.actor.is_insider
            else [],
            "timelog_form": TimeLogForm(organisations=log_orgs, initial={"day": today})
            if can_log and log_orgs is not None
            else None,
            "decision_form": DecisionForm() if self.actor.is_manager else None,
            "conflict": kwargs.get("conflict"),
            "alternatives": kwargs.get("alternatives", []),
            "hourly_rate": employee.hourly_cost * employee.coefficient,
        }

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            services.hours_request_submit(employee=self.employee, by=self.actor, **data)
        except services.PlanConflict as conflict:
            alternatives = [
                (
                    HoursRequestForm(
                        organisations=organisations_for(self.actor),
                        initial={
                            **HoursRequestForm.initial_from(allocation),
                            "organisation": data["organisation"],
                            "note": data["note"],
                        },
                    ),
                    label,
                )
                for allocation, label in conflict.alternatives
            ]
            return self.render_to_response(
                self.get_context_data(
                    form=form, conflict=conflict.messages[0], alternatives=alternatives
                )
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if self.actor.is_manager and not self.actor.acts_for(data["organisation"].pk):
            messages.success(self.request, _("Heures planifiées et validées."))
        else:
            messages.success(
                self.request,
                _("Demande envoyée : l'équipe de la grappe la valide et vous prévient."),
            )
        return redirect(
            "pooling:employee-detail", cluster_slug=self.cluster.slug, pk=self.employee.pk
        )


class HoursRequestCancelView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        hours_request = selectors.hours_request_get(actor=self.actor, pk=pk)
        try:
            services.hours_request_cancel(request=hours_request, by=self.actor)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Demande annulée."))
        return redirect(
            "pooling:employee-detail", cluster_slug=cluster_slug, pk=hours_request.employee_id
        )


class HoursRequestDecideView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        hours_request = selectors.hours_request_get(actor=self.actor, pk=pk)
        form = DecisionForm(request.POST)
        form.is_valid()
        validate = request.POST.get("action") == "validate"
        try:
            services.hours_request_decide(
                request=hours_request,
                by=self.actor,
                validate=validate,
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Demande validée.") if validate else _("Demande refusée."))
        return redirect(
            "pooling:employee-detail", cluster_slug=cluster_slug, pk=hours_request.employee_id
        )


class TimeLogAddView(ClusterMixin, View):
    """Hours worked: a manager for any member firm, the employee for their firms."""

    access = PUBLIC

    def post(self, request, cluster_slug, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        employee = get_object_or_404(SharedEmployee, cluster=self.cluster, pk=pk)
        if not (self.actor.is_manager or employee.user_id == request.user.pk):
            if self.actor.is_insider:
                raise PermissionDenied
            raise Http404
        form = TimeLogForm(request.POST, organisations=member_organisations(self.cluster))
        if form.is_valid():
            try:
                services.timelog_add(employee=employee, by=self.actor, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Heures enregistrées."))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("pooling:employee-detail", cluster_slug=cluster_slug, pk=pk)


class TimeLogDeleteView(ClusterMixin, View):
    access = PUBLIC

    def post(self, request, cluster_slug, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = resolve_actor(request.user, self.cluster)
        log = selectors.timelog_get(actor=actor, pk=pk)
        services.timelog_delete(log=log, by=actor)
        messages.success(request, _("Saisie supprimée."))
        return redirect("pooling:employee-detail", cluster_slug=cluster_slug, pk=log.employee_id)


# --- Managers -----------------------------------------------------------------------------


class EmployeeManageView(ClusterMixin, TemplateView):
    """Shared employees, pending requests, and the demand for a new shared post."""

    access = MANAGER
    template_name = "pooling/manage/employee_list.html"

    def get_context_data(self, **kwargs):
        employees = list(selectors.employee_list(actor=self.actor))
        monday = monday_of(timezone.localdate())
        rows = []
        for employee in employees:
            plan = selectors.week_plan(actor=self.actor, employee=employee, monday=monday)
            pending = employee.hours_requests.filter(status="requested").count()
            rows.append((employee, sum(d.booked for d in plan), pending))
        proposals = selectors.demand(actor=self.actor)
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "proposals": [
                (p, p.message.render(_), [r.render(_) for r in p.reasons]) for p in proposals
            ],
            "needs": selectors.staff_need_list(actor=self.actor),
            "detected": selectors.needs_detected_in_posts(actor=self.actor),
            "need_form": StaffNeedForm(organisations=organisations_for(self.actor)),
            "radar_drafts": radar_drafts(actor=self.actor, kinds=EMPLOYEE_KINDS),
        }


class EmployeeFormView(DraftMixin, ClusterMixin, FormView):
    """Create or edit a shared employee; a shared post from a radar draft with
    ``?draft=<id>``."""

    access = MANAGER
    template_name = "pooling/manage/employee_form.html"
    form_class = EmployeeForm
    draft_kinds = EMPLOYEE_KINDS

    def get_employee(self) -> SharedEmployee | None:
        pk = self.kwargs.get("pk")
        return selectors.employee_get(actor=self.actor, pk=pk) if pk else None

    def get_form_kwargs(self):
        users = User.objects.filter(is_active=True).filter(
            affiliations__organisation__memberships__cluster=self.cluster
        ) | User.objects.filter(cluster_roles__cluster=self.cluster)
        employee = self.get_employee()
        if employee is not None and employee.user_id:
            users = users | User.objects.filter(pk=employee.user_id)
        return {
            **super().get_form_kwargs(),
            "instance": employee,
            "users": users.distinct().order_by("email"),
        }

    def get_initial(self):
        initial = super().get_initial()
        draft = self.get_draft()
        if draft is not None:
            # The post is named after the proposal until the person hired is entered.
            title = draft.title or draft.theme_label
            initial.update(role=title[:120], name=title[:160])
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "employee": self.get_employee()}

    def form_valid(self, form):
        employee = self.get_employee()
        data = form.service_data()
        draft = self.get_draft()
        try:
            if employee is None:
                with transaction.atomic():
                    employee = services.employee_create(by=self.actor, **data)
                    self.take_up_draft(employee.pk)
            else:
                employee = services.employee_update(employee=employee, by=self.actor, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if draft is not None:
            messages.success(
                self.request,
                _("La proposition du radar est devenue le poste partagé « %(role)s ».")
                % {"role": employee.role},
            )
        else:
            messages.success(self.request, _("Salarié·e partagé·e enregistré·e."))
        return redirect("pooling:employee-detail", cluster_slug=self.cluster.slug, pk=employee.pk)


class StaffNeedCreateView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug):
        form = StaffNeedForm(request.POST, organisations=organisations_for(self.actor))
        if form.is_valid():
            data = dict(form.cleaned_data)
            post_id = data.pop("post")
            post = (
                Post.objects.filter(cluster=self.cluster, pk=post_id).first() if post_id else None
            )
            try:
                services.staff_need_create(by=self.actor, post=post, **data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Besoin enregistré."))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("pooling:employee-manage", cluster_slug=cluster_slug)


class StaffNeedDeleteView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        need = get_object_or_404(StaffNeed, cluster=self.cluster, pk=pk)
        services.staff_need_delete(need=need, by=self.actor)
        messages.success(request, _("Besoin retiré."))
        return redirect("pooling:employee-manage", cluster_slug=cluster_slug)
