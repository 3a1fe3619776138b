"""Two invoice runs at once (two managers clicking together, or the page and the command):
the counter row's lock serialises them, the numbers stay unique and unbroken, and the
month is invoiced once. PostgreSQL only: SQLite takes a database-wide write lock anyway."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from grappe.billing import services
from grappe.billing.models import Invoice
from tests.billing.conftest import line

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_runs_issue_each_invoice_once_without_gaps(world, profile, source):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises every writer")
    source.lines["paris"] = [
        line(world.org_a, "b:1", "10.00"),
        line(world.org_b, "b:2", "20.00"),
    ]
    manager = world.actor(world.manager)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            result = services.invoices_issue_month(
                by=manager, year=2026, month=3, issue_date=dt.date(2026, 4, 1)
            )
            results.append(result.count)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [0, 0, 0, 2]
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == [1, 2]
