"""The database's guard against double booking, as SQL for each vendor.

PostgreSQL: an exclusion constraint over (resource, [start, end)) for confirmed
bookings, with the btree_gist extension (equality on the resource id inside a GiST
index). SQLite: BEFORE INSERT and BEFORE UPDATE triggers that abort on an overlap;
with the settings' IMMEDIATE transactions, writers are serialized, so the check and
the write cannot interleave. Both report the name ``NO_OVERLAP``, which the booking
service turns into a French message.

SQLite drops a table's triggers when Django rebuilds the table (an ``ALTER`` it
cannot do in place), so :func:`ensure_sqlite_triggers` runs after every ``migrate``.
"""

from __future__ import annotations

NO_OVERLAP = "pooling_booking_no_overlap"

PG_ADD = f"""
ALTER TABLE pooling_booking ADD CONSTRAINT {NO_OVERLAP}
EXCLUDE USING gist (
    resource_id WITH =,
    tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status = 'confirmed')
"""
PG_DROP = f"ALTER TABLE pooling_booking DROP CONSTRAINT IF EXISTS {NO_OVERLAP}"

_OVERLAP = f"""
    SELECT RAISE(ABORT, '{NO_OVERLAP}')
    WHERE EXISTS (
        SELECT 1 FROM pooling_booking AS other
        WHERE other.resource_id = NEW.resource_id
          AND other.status = 'confirmed'
          AND other.id IS NOT NEW.id
          AND other.starts_at < NEW.ends_at
          AND NEW.starts_at < other.ends_at
    );
"""  # noqa: S608 - constant SQL, no input
SQLITE_ADD = [
    f"""CREATE TRIGGER IF NOT EXISTS {NO_OVERLAP}_insert BEFORE INSERT ON pooling_booking
    WHEN NEW.status = 'confirmed'
    BEGIN {_OVERLAP} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {NO_OVERLAP}_update
    BEFORE UPDATE OF status, starts_at, ends_at, resource_id ON pooling_booking
    WHEN NEW.status = 'confirmed'
    BEGIN {_OVERLAP} END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {NO_OVERLAP}_insert",
    f"DROP TRIGGER IF EXISTS {NO_OVERLAP}_update",
]


def ensure_sqlite_triggers(sender=None, using="default", **kwargs) -> None:
    """post_migrate: put the SQLite triggers back if a table rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "pooling_booking" not in tables:
            return
        for statement in SQLITE_ADD:
            cursor.execute(statement)
