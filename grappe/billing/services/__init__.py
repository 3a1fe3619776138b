"""Writes of the billing app: each runs in a transaction and is audited.

- ``ledger``: the billing profile, charges collected from the charge sources, manual
  charges, payments and their allocation to the oldest open invoices;
- ``invoicing``: the month's invoice run, credit notes, overdue reminders;
- ``documents``: the invoice PDF (PDF/A-3 with its Factur-X XML).
"""

from grappe.billing.services.documents import invoice_cii_xml, invoice_pdf
from grappe.billing.services.invoicing import (
    IssueResult,
    credit_note_issue,
    invoice_send_reminders,
    invoices_issue_month,
    invoices_issue_month_later,
)
from grappe.billing.services.ledger import (
    CollectResult,
    billing_profile_update,
    charge_create,
    charges_collect,
    payment_record,
    payments_allocate,
)

__all__ = [
    "CollectResult",
    "IssueResult",
    "billing_profile_update",
    "charge_create",
    "charges_collect",
    "credit_note_issue",
    "invoice_cii_xml",
    "invoice_pdf",
    "invoice_send_reminders",
    "invoices_issue_month",
    "invoices_issue_month_later",
    "payment_record",
    "payments_allocate",
]
