"""An application's dossier as PDF (WeasyPrint, from a template) and XLSX (openpyxl)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.calls.models import Application


def application_pdf(application: Application, figures: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "calls/application_pdf.html",
        {"application": application, "figures": figures, "now": timezone.localtime()},
    )
    return HTML(string=html).write_pdf()


def application_xlsx(application: Application, figures: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Dossier")[:31]
    bold = Font(bold=True)
    rows = [
        (_("Projet"), application.title),
        (_("Appel"), application.call.name),
        (_("Financeurs"), ", ".join(application.call.financers)),
        (_("Type"), application.get_kind_display()),
        (_("Statut"), application.get_status_display()),
        (_("Date limite"), application.deadline),
        (_("Structures"), figures["firms"]),
        (_("Emplois (estimation par tranche d'effectif)"), figures["jobs"]),
        (_("Chiffre d'affaires cumulé (connu)"), figures["turnover"]),
        (_("Budget total (€)"), application.budget_total),
        (_("Montant demandé (€)"), application.requested_amount),
        (_("Cofinancements (€)"), application.co_financing),
        (_("Autofinancement (€)"), figures["self_financing"]),
        (_("Financements déjà obtenus par les participants (€)"), figures["previous_funding"]),
        (_("Montant obtenu (€)"), application.obtained_amount),
        (_("Montant versé (€)"), application.paid_amount),
    ]
    for label, value in rows:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, min_col=2, max_col=2):
        for cell in row:
            if cell.row >= 10:
                cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 60

    people = workbook.create_sheet(_("Participants")[:31])
    header = [
        _("Structure"),
        _("SIRET / RNA"),
        _("Rôle"),
        _("Commune"),
        _("Effectif"),
        _("Clé"),
        _("Part du budget (€)"),
        _("Chiffre d'affaires (€)"),
    ]
    people.append(header)
    for cell in people[1]:
        cell.font = bold
    for p in figures["participants"]:
        org = p.organisation
        people.append(
            [
                org.name,
                org.identifier,
                p.get_role_display(),
                org.commune.name if org.commune else "",
                org.size_band_label,
                p.weight,
                p.budget_share,
                p.turnover,
            ]
        )
    people.append(["", "", "", "", _("Total"), "", figures["shares_total"], figures["turnover"]])
    for column, width in zip("ABCDEFGH", (36, 16, 14, 22, 22, 8, 18, 18), strict=True):
        people.column_dimensions[column].width = width
    for row in people.iter_rows(min_row=2, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"

    tasks = workbook.create_sheet(_("Tâches")[:31])
    tasks.append([_("Tâche"), _("Échéance"), _("Confiée à"), _("Faite")])
    for cell in tasks[1]:
        cell.font = bold
    for task in application.tasks.select_related("organisation"):
        tasks.append(
            [
                task.title,
                task.due_on,
                task.organisation.name if task.organisation else "",
                _("oui") if task.done_at else _("non"),
            ]
        )
    tasks.column_dimensions["A"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
