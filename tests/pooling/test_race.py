"""No double booking under a race: 20 requests, each in its own thread with its own
database connection, ask for the same slot at the same moment; exactly one wins.

Runs on the test database's vendor (SQLite by default, PostgreSQL with DATABASE_URL).
On SQLite the race runs on a *file* database, never the shared in-memory one (whose
shared-cache locking is not SQLite's real behaviour): the test database, schema,
triggers and rows, is copied into a temporary file with SQLite's backup API, and each
racing thread connects to that file with the project's settings (WAL, IMMEDIATE
transactions, busy timeout). On PostgreSQL the threads use the test database itself.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from contextlib import contextmanager
from itertools import pairwise

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from grappe.core.services import api_token_create
from grappe.pooling.models import Booking
from grappe.pooling.services import bookings as services
from tests.pooling.conftest import MONDAY, at, make_resource

RACERS = 20


@pytest.fixture
def race_db(transactional_db, tmp_path):
    """``race_db.connect()`` in a thread points that thread at the race database;
    ``race_db.count(...)`` reads it from the main thread."""
    return RaceDatabase(tmp_path / "race.sqlite3")


class RaceDatabase:
    def __init__(self, path):
        self.path = path
        self.is_copy = connection.vendor == "sqlite"
        self.copied = False

    def copy_now(self) -> None:
        """Freeze the test database's current rows into the race file (SQLite only)."""
        if not self.is_copy:
            return
        import sqlite3

        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        with target:
            connection.connection.backup(target)
        # Switch the copy to WAL once, here: twenty threads connecting at once would each
        # ask for the switch (the settings' init_command), which needs the file to itself
        # and fails as "database is locked" rather than waiting. A real database is
        # switched by its first connection and stays so.
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        self.copied = True

    def _settings(self) -> dict:
        settings = copy.deepcopy(connections.settings["default"])
        settings["NAME"] = str(self.path)
        settings["TEST"] = {**settings.get("TEST", {}), "NAME": str(self.path)}
        return settings

    def connect(self) -> None:
        if self.is_copy:
            from django.db.utils import load_backend

            settings = self._settings()
            connections["default"] = load_backend(settings["ENGINE"]).DatabaseWrapper(
                settings, "default"
            )

    @contextmanager
    def reading(self):
        """The race database, from the main thread."""
        if not self.is_copy:
            yield
            return
        original = connections["default"]
        self.connect()
        try:
            yield
        finally:
            connections["default"].close()
            connections["default"] = original


def race(race_db: RaceDatabase, attempt) -> list[object]:
    """Run ``attempt(i)`` in RACERS threads released together; return each outcome."""
    race_db.copy_now()
    barrier = threading.Barrier(RACERS)
    outcomes: list[object] = [None] * RACERS

    def run(index: int) -> None:
        race_db.connect()
        try:
            barrier.wait()
            outcomes[index] = attempt(index)
        except Exception as exc:  # the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return outcomes


def test_many_api_requests_race_for_one_slot_and_exactly_one_wins(world, race_db):
    """Twenty HTTP requests through the API (two firms, ten each), the same hour."""
    room = make_resource(world.paris)
    keys = {
        "a": api_token_create(user=world.member_a, name="race")[1],
        "b": api_token_create(user=world.member_b, name="race")[1],
    }
    orgs = {"a": world.org_a.slug, "b": world.org_b.slug}
    body = {
        "resource": room.pk,
        "start": at(MONDAY, "10:00").isoformat(),
        "end": at(MONDAY, "11:00").isoformat(),
    }

    def attempt(index: int):
        who = "a" if index % 2 else "b"
        response = Client().post(
            "/api/clusters/paris/bookings",
            data={**body, "organisation": orgs[who]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {keys[who]}"},
        )
        return response.status_code, response.json()

    outcomes = race(race_db, attempt)
    statuses = Counter(status for status, _body in outcomes)
    assert statuses == {201: 1, 400: RACERS - 1}, outcomes
    refusals = {str(body["detail"]) for status, body in outcomes if status == 400}
    assert all("déjà réservé" in text for text in refusals), refusals
    with race_db.reading():
        stored = list(Booking.objects.filter(resource=room).values_list("status", flat=True))
    assert stored == [Booking.Status.CONFIRMED]


def test_racing_services_for_overlapping_slots_leave_no_overlap(world, race_db):
    """Twenty service calls for overlapping two-hour slots (10-12, 11-13, ...): the
    stored confirmed bookings never overlap, and each refusal is the French message."""
    room = make_resource(world.paris)
    actors = [world.actor(world.member_a), world.actor(world.member_b)]
    orgs = [world.org_a, world.org_b]
    now = at(MONDAY, "08:00", days=-3)

    def attempt(index: int):
        start_hour = 10 + index % 4
        return services.booking_create(
            resource=room,
            organisation=orgs[index % 2],
            by=actors[index % 2],
            starts_at=at(MONDAY, f"{start_hour}:00"),
            ends_at=at(MONDAY, f"{start_hour + 2}:00"),
            now=now,
        ).pk

    outcomes = race(race_db, attempt)
    winners = [o for o in outcomes if isinstance(o, int)]
    losers = [o for o in outcomes if not isinstance(o, int)]
    assert len(winners) in (1, 2) and len(winners) + len(losers) == RACERS
    assert all("déjà réservé" in " ".join(getattr(o, "messages", [str(o)])) for o in losers), losers
    with race_db.reading():
        rows = sorted(
            Booking.objects.confirmed().filter(resource=room).values_list("starts_at", "ends_at")
        )
    assert len(rows) == len(winners)
    assert all(end <= start for (_s, end), (start, _e) in pairwise(rows))


def test_racing_raw_inserts_are_stopped_by_the_database_alone(world, race_db):
    """Without the service's check: twenty plain INSERTs of the same slot; the
    exclusion constraint (PostgreSQL) or the triggers (SQLite) let exactly one in."""
    room = make_resource(world.paris)

    def attempt(index: int):
        with transaction.atomic():
            return Booking.objects.create(
                resource_id=room.pk,
                organisation_id=world.org_a.pk if index % 2 else world.org_b.pk,
                starts_at=at(MONDAY, "10:00"),
                ends_at=at(MONDAY, "11:00"),
            ).pk

    outcomes = race(race_db, attempt)
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, IntegrityError) for o in outcomes if not isinstance(o, int)), outcomes
    assert all(
        "pooling_booking_no_overlap" in str(o) for o in outcomes if isinstance(o, IntegrityError)
    )
    with race_db.reading():
        assert Booking.objects.filter(resource=room).count() == 1
