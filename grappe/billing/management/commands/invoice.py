"""grappe invoice --cluster S --month YYYY-MM: collect the month's charges, issue its invoices."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grappe.billing import services
from grappe.billing.templatetags.billing import format_money
from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.engine.invoicing import InvoicingError, parse_month


class Command(BaseCommand):
    help = "Émet les factures d'un mois (calendaire, Europe/Paris) pour une grappe."

    def add_arguments(self, parser):
        parser.add_argument("--cluster", required=True, help="identifiant de la grappe")
        parser.add_argument("--month", required=True, help="mois facturé, AAAA-MM")

    def handle(self, *args, cluster: str, month: str, **options):
        found = Cluster.objects.filter(slug=cluster).first()
        if found is None:
            raise CommandError(f"Grappe inconnue : {cluster}")
        try:
            year, number = parse_month(month)
            result = services.invoices_issue_month(by=Actor.system(found), year=year, month=number)
        except InvoicingError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        collected = result.collected
        self.stdout.write(
            f"Charges collectées : {collected.created} nouvelles, {collected.updated} mises à "
            f"jour, {collected.removed} retirées, {collected.unchanged + collected.locked} "
            "inchangées."
        )
        if not result.invoices:
            self.stdout.write(f"{month} : aucune nouvelle facture (tout est déjà facturé).")
            return
        self.stdout.write(
            f"{month} : {result.count} factures émises, de {result.invoices[0].number} à "
            f"{result.invoices[-1].number} ; total HT {format_money(result.total_ht)}, "
            f"total TTC {format_money(result.total_ttc)}."
        )
