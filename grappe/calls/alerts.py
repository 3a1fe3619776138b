"""Alert digests by e-mail (never the same call twice to a person) and the deadline
calendar (iCalendar feeds with reminders, behind signed links)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.calls.models import AlertDelivery, AlertPreference, Application, Call, CallMatch
from grappe.calls.selectors import CallFilters, call_search
from grappe.core.access import Actor, resolve_actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.models import Cluster
from grappe.members.models import Organisation

DIGEST_LIMIT = 25
SEARCH_LIMIT = 15


@dataclass(frozen=True)
class DigestItem:
    call: Call
    url: str
    score: int | None  # percent, for a matched call
    why: list[str]  # reasons, or the saved search that found it


def digest_items(preference: AlertPreference, *, today: dt.date) -> list[DigestItem]:
    """What a person's next digest holds: matched calls above their threshold (their
    firms', and the cluster's for a manager), calls of their saved searches; open calls
    only; none already sent."""
    actor = resolve_actor(preference.user, preference.cluster)
    if not actor.is_insider:
        return []
    cluster = preference.cluster
    sent = set(
        AlertDelivery.objects.filter(user=preference.user, cluster=cluster).values_list(
            "call_id", flat=True
        )
    )
    found: dict[int, DigestItem] = {}
    open_calls = Call.objects.listed().open_on(today)
    if preference.matched_calls:
        matches = CallMatch.objects.filter(
            cluster=cluster,
            score__gte=preference.threshold / 100,
            call__in=open_calls,
        ).select_related("call", "organisation")
        scope = None
        if actor.is_member:
            scope = matches.filter(organisation_id__in=actor.organisation_ids)
        if actor.is_manager:
            joint = matches.filter(organisation__isnull=True)
            scope = joint if scope is None else (scope | joint)
        for match in scope.order_by("-score", "call_id") if scope is not None else []:
            if match.call_id in sent or match.call_id in found:
                continue
            why = list(match.reasons[:3])
            if match.organisation is not None and len(actor.organisation_ids) > 1:
                why.insert(0, _("Pour %s") % match.organisation.name)
            found[match.call_id] = DigestItem(
                match.call, absolute_url(match.call.url_in(cluster)), match.percent, why
            )
    for search in preference.user.call_searches.filter(cluster=cluster):
        filters = CallFilters.from_saved(search)
        for call in call_search(actor=actor, filters=filters, today=today)[:SEARCH_LIMIT]:
            if call.pk in sent or call.pk in found:
                continue
            found[call.pk] = DigestItem(
                call,
                absolute_url(call.url_in(cluster)),
                None,
                [_("Votre recherche « %s »") % search.name],
            )
    items = list(found.values())
    items.sort(
        key=lambda i: (i.score is None, -(i.score or 0), i.call.submission_deadline or dt.date.max)
    )
    return items[:DIGEST_LIMIT]


def alerts_send(*, frequency: str, now: dt.datetime | None = None) -> int:
    """Send the digests of every active preference of this frequency; returns the number
    of e-mails. Each person's digest and its sent-log rows commit together."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    preferences = AlertPreference.objects.filter(
        frequency=frequency,
        is_active=True,
        user__is_active=True,
        user__emails_opted_out_at__isnull=True,
    ).values_list("pk", flat=True)
    for pk in list(preferences):
        try:
            with transaction.atomic():
                preference = (
                    AlertPreference.objects.select_for_update()
                    .select_related("user", "cluster")
                    .get(pk=pk)
                )
                items = digest_items(preference, today=today)
                if not items:
                    continue
                AlertDelivery.objects.bulk_create(
                    [
                        AlertDelivery(
                            user=preference.user,
                            cluster=preference.cluster,
                            call=item.call,
                            sent_at=now,
                        )
                        for item in items
                    ]
                )
                _send_digest(preference, items)
                preference.last_sent_at = now
                preference.save(update_fields=["last_sent_at", "updated_at"])
                sent += 1
        except IntegrityError:  # another worker sent the same calls: the log is the guard
            continue
    return sent


def _send_digest(preference: AlertPreference, items: list[DigestItem]) -> None:
    cluster = preference.cluster
    send_email_on_commit(
        to=preference.user.email,
        subject=_("%(count)s appels à projets pour vous — %(cluster)s")
        % {"count": len(items), "cluster": cluster.name},
        template="calls/email/digest",
        context={
            "items": items,
            "cluster": cluster,
            "preference": preference,
            "settings_url": absolute_url(
                reverse("calls:alerts", kwargs={"cluster_slug": cluster.slug})
            ),
        },
    )


# --- Calendar ----------------------------------------------------------------------------

CALENDAR_SALT = "grappe.calls.calendar"
REMINDERS = (7, 1)  # days before each deadline


def calendar_token(*, user, cluster: Cluster, organisation: Organisation | None) -> str:
    payload = {"u": user.pk, "c": cluster.pk, "o": organisation.pk if organisation else None}
    return signing.dumps(payload, salt=CALENDAR_SALT)


def calendar_url(*, user, cluster: Cluster, organisation: Organisation | None) -> str:
    token = calendar_token(user=user, cluster=cluster, organisation=organisation)
    return absolute_url(
        reverse("calls:calendar", kwargs={"cluster_slug": cluster.slug, "token": token})
    )


def calendar_scope(*, token: str, cluster: Cluster) -> tuple[Actor, int | None] | None:
    """The actor and organisation a token designates, if the person may still see it."""
    from grappe.core.models import User

    try:
        payload = signing.loads(token, salt=CALENDAR_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("c") != cluster.pk:
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        return None
    actor = resolve_actor(user, cluster)
    org_id = payload.get("o")
    if org_id is None:
        return (actor, None) if actor.is_manager else None
    if not isinstance(org_id, int) or not actor.can_see_private_of(org_id):
        return None
    return actor, org_id


def calendar_ics(*, actor: Actor, organisation_id: int | None, today: dt.date) -> bytes:
    """Deadlines as all-day events with reminders: matched calls, applications, tasks."""
    from icalendar import Alarm, Calendar, Event

    cluster = actor.cluster
    calendar = Calendar()
    calendar.add("prodid", "-//Grappe//Appels a projets//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Échéances — %s") % cluster.name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    since = today - dt.timedelta(days=30)
    matches = CallMatch.objects.filter(
        cluster=cluster, call__in=Call.objects.listed(), call__submission_deadline__gte=since
    ).select_related("call")
    applications = Application.objects.filter(cluster=cluster).exclude(
        status__in=(Application.Status.REFUSED, Application.Status.PAID)
    )
    if organisation_id is None:
        matches = matches.filter(organisation__isnull=True)
    else:
        matches = matches.filter(organisation_id=organisation_id)
        applications = applications.filter(participants__organisation_id=organisation_id)
    stamp = timezone.now()
    seen: set[int] = set()

    def event(uid: str, day: dt.date, summary: str, description: str, url: str) -> None:
        item = Event()
        item.add("uid", f"{uid}@grappe")
        item.add("dtstamp", stamp)
        item.add("dtstart", day)
        item.add("dtend", day + dt.timedelta(days=1))
        item.add("summary", summary)
        item.add("description", description)
        item.add("url", url)
        for days in REMINDERS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", dt.timedelta(days=-days))
            alarm.add(
                "description",
                _("Dans %(days)s jour(s) : %(what)s") % {"days": days, "what": summary},
            )
            item.add_component(alarm)
        calendar.add_component(item)

    for match in matches.order_by("call__submission_deadline", "call_id"):
        if match.call_id in seen:
            continue
        seen.add(match.call_id)
        call = match.call
        event(
            f"call-{call.pk}-{cluster.pk}-{organisation_id or 0}",
            call.submission_deadline,
            _("Date limite : %s") % call.name,
            "\n".join(match.reasons[:4]),
            absolute_url(call.url_in(cluster)),
        )
    for application in applications.select_related("call").prefetch_related("tasks").distinct():
        url = absolute_url(application.get_absolute_url())
        if application.deadline and application.deadline >= since:
            event(
                f"application-{application.pk}",
                application.deadline,
                _("Dépôt de la candidature : %s") % application.title,
                application.call.name,
                url,
            )
        for task in application.tasks.all():
            if task.due_on and task.due_on >= since and task.done_at is None:
                event(
                    f"task-{task.pk}",
                    task.due_on,
                    _("Tâche : %(task)s (%(app)s)")
                    % {"task": task.title, "app": application.title},
                    application.call.name,
                    url,
                )
    return calendar.to_ical()
