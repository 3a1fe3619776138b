"""Pages of shared resources: the members' dashboard, calendars, booking and cancelling,
waitlists, iCalendar feeds; the managers' resources and occupancy."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.core.access import resolve_actor
from grappe.core.forms import add_service_errors
from grappe.core.mixins import MANAGER, MEMBER, STAFF, ClusterMixin
from grappe.core.models import Cluster, User
from grappe.engine import bookings as engine
from grappe.pooling.forms import BookingForm, ClosureForm, ResourceForm, WaitlistForm
from grappe.pooling.models import Booking, Closure, Resource
from grappe.pooling.periods import month_of, parse_month, to_local
from grappe.pooling.selectors import employees as employee_selectors
from grappe.pooling.selectors import pools as pool_selectors
from grappe.pooling.selectors import resources as selectors
from grappe.pooling.selectors import studies as study_selectors
from grappe.pooling.services import bookings as services
from grappe.pooling.views.common import (
    back,
    organisations_for,
    own_organisations,
    parse_monday,
)

FEED_SALT = "grappe.pooling.feed"


def feed_token(*, user: User, organisation_id: int | None = None, resource_id: int | None = None):
    payload = {"u": user.pk}
    if organisation_id is not None:
        payload["o"] = organisation_id
    if resource_id is not None:
        payload["r"] = resource_id
    return signing.dumps(payload, salt=FEED_SALT, compress=True)


class DashboardView(ClusterMixin, TemplateView):
    """A member firm's pooling at a glance: bookings, waitlist, shares, hours, studies."""

    access = MEMBER
    template_name = "pooling/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        first_day, last_day = month_of(now)
        upcoming = list(selectors.booking_list_for_actor(actor=self.actor, upcoming=True, now=now))
        for booking in upcoming:
            refusal = engine.cancellation_refusal(
                to_local(booking.starts_at), now=to_local(now), rules=booking.resource.rules
            )
            booking.cancel_refusal = refusal.render(_) if refusal else ""
        user = self.request.user
        context.update(
            tab="dashboard",
            organisations=own_organisations(self.actor),
            upcoming=upcoming,
            past=selectors.booking_list_for_actor(actor=self.actor, upcoming=False, now=now)[:10],
            waitlist=selectors.waitlist_for_actor(actor=self.actor),
            resources=selectors.resource_list(actor=self.actor),
            pool_shares=pool_selectors.member_pool_shares(
                actor=self.actor, first_day=first_day, last_day=last_day
            ),
            month=first_day,
            employees=employee_selectors.employee_list(actor=self.actor),
            studies=study_selectors.study_list(actor=self.actor, status="open")[:5],
            feeds=[
                (
                    org,
                    self.request.build_absolute_uri(
                        reverse(
                            "pooling:feed",
                            kwargs={
                                "cluster_slug": self.cluster.slug,
                                "token": feed_token(user=user, organisation_id=org.pk),
                            },
                        )
                    ),
                )
                for org in own_organisations(self.actor)
            ],
        )
        return context


class ResourceListView(ClusterMixin, TemplateView):
    access = MEMBER
    template_name = "pooling/resource_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "tab": "resources",
            "resources": selectors.resource_list(actor=self.actor),
        }


class ResourceDetailView(ClusterMixin, TemplateView):
    """A resource's week, slot by slot; htmx swaps the week and opens the booking form."""

    access = MEMBER
    template_name = "pooling/resource_detail.html"

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "calendar":
            return ["pooling/_calendar.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        resource = selectors.resource_get(actor=self.actor, pk=kwargs["pk"])
        monday = parse_monday(self.request.GET.get("week"), timezone.localdate())
        feed = self.request.build_absolute_uri(
            reverse(
                "pooling:resource-feed",
                kwargs={
                    "cluster_slug": self.cluster.slug,
                    "token": feed_token(user=self.request.user, resource_id=resource.pk),
                },
            )
        )
        return {
            **super().get_context_data(**kwargs),
            "tab": "resources",
            "resource": resource,
            "calendar": selectors.week_calendar(actor=self.actor, resource=resource, monday=monday),
            "weekly_hours": [
                (engine.WEEKDAYS[i], engine.format_day_hours(day))
                for i, day in enumerate(resource.weekly_hours)
            ],
            "closures": resource.closures.filter(last_day__gte=timezone.localdate()),
            "feed_url": feed,
        }


class BookingCreateView(ClusterMixin, FormView):
    """GET ``?start=``: the form for that slot (a fragment for htmx); POST: book it."""

    access = MEMBER
    template_name = "pooling/booking_form.html"
    form_class = BookingForm

    def dispatch(self, request, *args, **kwargs):
        self.kwargs = kwargs
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return ["pooling/_booking_form.html"] if self.request.htmx else [self.template_name]

    def get_resource(self) -> Resource:
        if not hasattr(self, "_resource"):
            self._resource = selectors.resource_get(actor=self.actor, pk=self.kwargs["pk"])
        return self._resource

    def get_start(self) -> dt.datetime | None:
        raw = self.request.POST.get("start") or self.request.GET.get("start") or ""
        try:
            start = dt.datetime.fromisoformat(raw.replace(" ", "+"))
        except ValueError:
            return None
        return start if timezone.is_aware(start) else None

    def get_ends(self) -> list[dt.datetime]:
        if not hasattr(self, "_ends"):
            start = self.get_start()
            self._ends = (
                selectors.free_run(resource=self.get_resource(), start=start) if start else []
            )
        return self._ends

    def get_form_kwargs(self):
        ends = self.get_ends()
        return {
            **super().get_form_kwargs(),
            "organisations": organisations_for(self.actor),
            "ends": ends,
            "initial": {"start": self.get_start(), "end": ends[0].isoformat() if ends else None},
        }

    def get_context_data(self, **kwargs):
        start = self.get_start()
        return {
            **super().get_context_data(**kwargs),
            "tab": "resources",
            "resource": self.get_resource(),
            "start": start,
            "local_start": to_local(start) if start else None,
            "has_ends": bool(self.get_ends()),
            "waitlist_form": kwargs.get("waitlist_form"),
            "week": to_local(start).date().isoformat() if start else "",
        }

    def form_valid(self, form):
        resource = self.get_resource()
        data = form.cleaned_data
        try:
            booking = services.booking_create(
                resource=resource,
                organisation=data["organisation"],
                by=self.actor,
                starts_at=data["start"],
                ends_at=data["end"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            waitlist = None
            if services.only_taken(exc):
                waitlist = WaitlistForm(
                    initial={
                        "start": data["start"],
                        "end": data["end"],
                        "organisation": data["organisation"],
                    },
                    organisations=organisations_for(self.actor),
                )
            response = self.render_to_response(
                self.get_context_data(form=form, waitlist_form=waitlist)
            )
            if waitlist is not None:
                # The slot was taken meanwhile: the week on screen is stale, redraw it.
                response["HX-Trigger"] = "slots-changed"
            return response
        start = to_local(booking.starts_at)
        messages.success(
            self.request,
            _("Réservé : %(resource)s le %(day)s de %(start)s à %(end)s.")
            % {
                "resource": resource.name,
                "day": start.strftime("%d/%m/%Y"),
                "start": start.strftime("%H:%M"),
                "end": to_local(booking.ends_at).strftime("%H:%M"),
            },
        )
        url = reverse(
            "pooling:resource-detail", kwargs={"cluster_slug": self.cluster.slug, "pk": resource.pk}
        )
        return back(self.request, f"{url}?week={start.date().isoformat()}")


class BookingCancelView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        booking = selectors.booking_get(actor=self.actor, pk=pk)
        try:
            services.booking_cancel(booking=booking, by=self.actor)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Réservation annulée."))
        return back(request, reverse("pooling:dashboard", kwargs={"cluster_slug": cluster_slug}))


class WaitlistJoinView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        resource = selectors.resource_get(actor=self.actor, pk=pk)
        form = WaitlistForm(request.POST, organisations=organisations_for(self.actor))
        if not form.is_valid():
            messages.error(request, _("Demande invalide."))
        else:
            try:
                services.waitlist_join(
                    resource=resource,
                    organisation=form.cleaned_data["organisation"],
                    by=self.actor,
                    starts_at=form.cleaned_data["start"],
                    ends_at=form.cleaned_data["end"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _(
                        "Vous êtes sur la liste d'attente : si le créneau se libère, il vous sera "
                        "réservé et vous serez prévenu·e par e-mail."
                    ),
                )
        return back(request, reverse("pooling:dashboard", kwargs={"cluster_slug": cluster_slug}))


class WaitlistWithdrawView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        entry = selectors.waitlist_get(actor=self.actor, pk=pk)
        try:
            services.waitlist_withdraw(entry=entry, by=self.actor)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Vous n'êtes plus sur la liste d'attente."))
        return back(request, reverse("pooling:dashboard", kwargs={"cluster_slug": cluster_slug}))


# --- iCalendar feeds (a secret signed URL, no session) ------------------------------------


def _calendar(name: str, bookings, *, label) -> HttpResponse:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Grappe//Mutualisation//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@grappe")
        event.add("dtstamp", booking.updated_at)
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.ends_at)
        event.add("summary", label(booking))
        if booking.resource.location:
            event.add("location", booking.resource.location)
        if booking.note:
            event.add("description", booking.note)
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _feed_actor(cluster_slug: str, token: str, *, max_age=None):
    cluster = get_object_or_404(Cluster, slug=cluster_slug)
    try:
        payload = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        raise Http404 from None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        raise Http404
    return cluster, resolve_actor(user, cluster), payload


def _window():
    today = timezone.localdate()
    return today - dt.timedelta(days=60), today + dt.timedelta(days=366)


class OrganisationFeedView(View):
    """A firm's bookings, for calendar apps. The token names the person; their access is
    checked at every fetch, so it ends when they leave the firm."""

    def get(self, request, cluster_slug, token):
        cluster, actor, payload = _feed_actor(cluster_slug, token)
        organisation_id = payload.get("o")
        if organisation_id is None or not actor.acts_for(organisation_id):
            raise Http404
        first, last = _window()
        bookings = (
            Booking.objects.confirmed()
            .filter(
                resource__cluster=cluster,
                organisation_id=organisation_id,
                starts_at__date__gte=first,
                starts_at__date__lte=last,
            )
            .select_related("resource", "organisation")
            .order_by("starts_at")
        )
        name = _("Réservations – %(cluster)s") % {"cluster": cluster.name}
        return _calendar(name, bookings, label=lambda b: b.resource.name)


class ResourceFeedView(View):
    """A resource's calendar: other firms' bookings show as « Réservé » (names for managers)."""

    def get(self, request, cluster_slug, token):
        cluster, actor, payload = _feed_actor(cluster_slug, token)
        resource = Resource.objects.filter(
            cluster=cluster, pk=payload.get("r"), is_active=True
        ).first()
        if resource is None or not (actor.is_member or actor.is_manager):
            raise Http404
        first, last = _window()
        bookings = selectors.resource_bookings(
            actor=actor, resource=resource, first_day=first, last_day=last
        )

        def label(booking):
            if actor.can_see_private_of(booking.organisation_id):
                return f"{resource.name} – {booking.organisation.name}"
            return f"{resource.name} – {_('Réservé')}"

        return _calendar(resource.name, bookings, label=label)


# --- Managers: resources, closures, occupancy ---------------------------------------------


class ResourceManageView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "pooling/manage/resource_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "resources": selectors.resource_list(actor=self.actor, include_inactive=True),
        }


class ResourceFormView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "pooling/manage/resource_form.html"
    form_class = ResourceForm

    def get_resource(self) -> Resource | None:
        pk = self.kwargs.get("pk")
        return selectors.resource_get(actor=self.actor, pk=pk) if pk else None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.get_resource(),
            "cluster": self.cluster,
            "organisations": organisations_for(self.actor),
        }

    def get_context_data(self, **kwargs):
        resource = self.get_resource()
        return {
            **super().get_context_data(**kwargs),
            "resource": resource,
            "closures": resource.closures.all() if resource else [],
            "closure_form": ClosureForm(),
        }

    def form_valid(self, form):
        resource = self.get_resource()
        data = form.service_data()
        allowed = [org.pk for org in form.cleaned_data["allowed_organisations"]]
        try:
            if resource is None:
                resource = services.resource_create(
                    by=self.actor, allowed_organisation_ids=allowed, **data
                )
            else:
                resource = services.resource_update(
                    resource=resource, by=self.actor, allowed_organisation_ids=allowed, **data
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "opening_hours" in exc.error_dict:
                form.add_error(None, exc.message_dict.pop("opening_hours"))
                exc = ValidationError(exc.message_dict) if exc.message_dict else None
            if exc is not None:
                add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Ressource enregistrée."))
        return redirect("pooling:resource-update", cluster_slug=self.cluster.slug, pk=resource.pk)


class ClosureAddView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        resource = selectors.resource_get(actor=self.actor, pk=pk)
        form = ClosureForm(request.POST)
        if form.is_valid():
            try:
                services.closure_add(resource=resource, by=self.actor, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Fermeture enregistrée."))
        else:
            messages.error(request, _("Dates de fermeture invalides."))
        return redirect("pooling:resource-update", cluster_slug=cluster_slug, pk=pk)


class ClosureDeleteView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        closure = get_object_or_404(
            Closure.objects.select_related("resource"), resource__cluster=self.cluster, pk=pk
        )
        services.closure_delete(closure=closure, by=self.actor)
        messages.success(request, _("Fermeture supprimée."))
        return redirect(
            "pooling:resource-update", cluster_slug=cluster_slug, pk=closure.resource_id
        )


class OccupancyView(ClusterMixin, TemplateView):
    """Booked hours over open hours, per resource, for a week or a month (figures only)."""

    access = STAFF
    template_name = "pooling/manage/occupancy.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        period = self.request.GET.get("period", "month")
        if period == "week":
            first_day = parse_monday(self.request.GET.get("week"), today)
            last_day = first_day + dt.timedelta(days=6)
            previous = {"period": "week", "week": (first_day - dt.timedelta(days=7)).isoformat()}
            following = {"period": "week", "week": (first_day + dt.timedelta(days=7)).isoformat()}
        else:
            period = "month"
            first_day, last_day = parse_month(self.request.GET.get("month"), today)
            before = first_day - dt.timedelta(days=1)
            after = last_day + dt.timedelta(days=1)
            previous = {"period": "month", "month": before.strftime("%Y-%m")}
            following = {"period": "month", "month": after.strftime("%Y-%m")}
        rows = selectors.occupancy_table(actor=self.actor, first_day=first_day, last_day=last_day)
        unmet = (
            selectors.unmet_demand_list(actor=self.actor, first_day=first_day, last_day=last_day)
            if self.actor.is_manager
            else None
        )
        booked = sum(row.occupancy.booked_minutes for row in rows)
        open_ = sum(row.occupancy.open_minutes for row in rows)
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "unmet": unmet,
            "unmet_hours": round(sum(row.unmet_minutes for row in rows) / 60, 1),
            "period": period,
            "first_day": first_day,
            "last_day": last_day,
            "previous": previous,
            "following": following,
            "total": engine.Occupancy(booked_minutes=booked, open_minutes=open_),
        }
