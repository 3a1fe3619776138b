"""Background jobs: a thin layer over django-q2.

Jobs are durable (stored in the database by default, in Redis with
``TASKS_BROKER=redis``), retried (``Q_CLUSTER["max_attempts"]``) and scheduled.
Apps register their recurring jobs from ``AppConfig.ready()``; ``grappe worker``
writes the schedules before it starts. Jobs act as the system actor.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    func: str  # dotted path
    cron: str  # crontab expression, Europe/Paris


_scheduled: dict[str, ScheduledJob] = {}


def register_schedule(job: ScheduledJob) -> None:
    _scheduled[job.name] = job


def scheduled_jobs() -> list[ScheduledJob]:
    return sorted(_scheduled.values(), key=lambda j: j.name)


def ensure_schedules() -> int:
    """Create or update the django-q schedules of every registered job."""
    from django_q.models import Schedule

    for job in scheduled_jobs():
        Schedule.objects.update_or_create(
            name=job.name,
            defaults={"func": job.func, "schedule_type": Schedule.CRON, "cron": job.cron},
        )
    return len(_scheduled)


def enqueue_on_commit(func: str, *args, **kwargs) -> None:
    """Queue a job once the current transaction commits (never from inside it)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args, **kwargs))
