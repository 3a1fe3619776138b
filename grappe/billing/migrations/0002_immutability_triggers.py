"""An issued invoice never changes, nor do its ledger lines: triggers refuse an UPDATE of
their legal content on SQLite and PostgreSQL (status, payment, reminders and the
rendered PDF may still change)."""

from django.db import migrations

INVOICE_COLUMNS = [
    "cluster_id",
    "organisation_id",
    "kind",
    "sequence",
    "number",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "credited_invoice_id",
    "reason",
    "seller",
    "buyer",
    "vat_subject",
    "vat_breakdown",
    "total_ht",
    "total_vat",
    "total_ttc",
]
ENTRY_COLUMNS = [
    "invoice_id",
    "organisation_id",
    "cluster_id",
    "kind",
    "date",
    "label",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "vat_rate",
    "vat_amount",
]


def _sqlite(table, columns, name, guard=""):
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    when = f"({guard}) AND ({changed})" if guard else changed
    return (
        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{name}: issued invoices are immutable'); END;"
    )


def _postgres(table, columns, name, guard=""):
    old = ", ".join(f"OLD.{c}" for c in columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    condition = f"ROW({old}) IS DISTINCT FROM ROW({new})"
    if guard:
        condition = f"({guard}) AND {condition}"
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
        f"IF {condition} THEN RAISE EXCEPTION '{name}: issued invoices are immutable'; "
        "END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;",
        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW "
        f"EXECUTE FUNCTION {name}();",
    ]


TRIGGERS = [
    ("billing_invoice", INVOICE_COLUMNS, "billing_invoice_immutable", ""),
    ("billing_ledgerentry", ENTRY_COLUMNS, "billing_entry_invoiced_immutable",
     "OLD.invoice_id IS NOT NULL"),
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, columns, name, guard in TRIGGERS:
        if vendor == "sqlite":
            schema_editor.execute(_sqlite(table, columns, name, guard))
        elif vendor == "postgresql":
            for statement in _postgres(table, columns, name, guard):
                schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _columns, name, _guard in TRIGGERS:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
