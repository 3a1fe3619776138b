"""What insights reads from the other apps, registered from ``InsightsConfig.ready()``:
the members' needs and offers and the survey answers as radar texts, and who was active
lately. Members data is read through the members app's selectors, never written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Max
from django.utils import timezone

from grappe.core import texts
from grappe.core.access import Actor
from grappe.insights.models import Answer, Question, SurveyResponse

POST_VISIBILITY = {"public": texts.PUBLIC, "cluster": texts.CLUSTER, "managers": texts.MANAGERS}


def member_posts(cluster) -> Iterator[texts.SourceText]:
    """Needs and offers, closed ones too (a need met is still a need shared)."""
    from grappe.members import selectors

    actor = Actor.system(cluster)
    for post in selectors.post_list(actor=actor, include_closed=True).iterator(chunk_size=500):
        yield texts.SourceText(
            id=str(post.pk),
            title=post.title,
            text=post.text,
            organisation_id=post.organisation_id,
            date=timezone.localdate(post.created_at),
            visibility=POST_VISIBILITY.get(post.visibility, texts.MANAGERS),
        )


def survey_answers(cluster) -> Iterator[texts.SourceText]:
    """Free-text answers: private to the answering firm and the managers."""
    rows = (
        Answer.objects.filter(response__survey__cluster=cluster, question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .select_related("question", "response")
        .order_by("pk")
    )
    for answer in rows.iterator(chunk_size=500):
        yield texts.SourceText(
            id=str(answer.pk),
            title=answer.question.label,
            text=answer.text,
            organisation_id=answer.response.organisation_id,
            date=timezone.localdate(answer.response.submitted_at),
            visibility=texts.PRIVATE,
        )


# --- Activity: the last sign of life of each member firm -----------------------------------


def member_logins(cluster, since: dt.datetime) -> dict[int, dt.datetime]:
    from grappe.members.models import Membership, Person

    org_ids = Membership.objects.filter(cluster=cluster).values("organisation_id")
    return dict(
        Person.objects.filter(
            organisation_id__in=org_ids, user__isnull=False, user__last_login__gte=since
        )
        .values_list("organisation_id")
        .annotate(last=Max("user__last_login"))
    )


def member_posting(cluster, since: dt.datetime) -> dict[int, dt.datetime]:
    from grappe.members import selectors

    posts = selectors.post_list(actor=Actor.system(cluster), include_closed=True)
    return dict(
        posts.filter(created_at__gte=since)
        .order_by()
        .values_list("organisation_id")
        .annotate(last=Max("created_at"))
    )


def survey_answering(cluster, since: dt.datetime) -> dict[int, dt.datetime]:
    return dict(
        SurveyResponse.objects.filter(survey__cluster=cluster, updated_at__gte=since)
        .order_by()
        .values_list("organisation_id")
        .annotate(last=Max("updated_at"))
    )
