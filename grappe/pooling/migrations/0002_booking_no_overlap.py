"""No double booking, enforced by the database (see grappe.pooling.guard)."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from grappe.pooling import guard


class NoOverlap(migrations.operations.base.Operation):
    """Vendor-specific DDL: the exclusion constraint (PostgreSQL) or the triggers (SQLite)."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = [guard.PG_ADD]
        elif vendor == "sqlite":
            statements = guard.SQLITE_ADD
        else:  # pragma: no cover - the project supports these two
            raise NotImplementedError(f"No double-booking guard for {vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": [guard.PG_DROP], "sqlite": guard.SQLITE_DROP}.get(vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    def describe(self):
        return "No overlapping confirmed bookings of one resource (database guard)"


class Migration(migrations.Migration):
    dependencies = [("pooling", "0001_initial")]

    operations = [
        BtreeGistExtension(),  # PostgreSQL only; a no-op elsewhere
        NoOverlap(),
    ]
