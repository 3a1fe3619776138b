from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.core.months import parse_month
from grappe.insights import services


class Command(BaseCommand):
    help = (
        "Relevés mensuels des indicateurs d'une grappe (ou de toutes) : le mois donné et les "
        "précédents. Recalculer un mois remplace ses valeurs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", help="identifiant de la grappe (par défaut : toutes)")
        parser.add_argument("--until", help="dernier mois, AAAA-MM (par défaut : ce mois-ci)")
        parser.add_argument("--months", type=int, default=1, help="nombre de mois (1 à 60)")

    def handle(self, *args, **options):
        if not 1 <= options["months"] <= 60:
            raise CommandError("--months : de 1 à 60.")
        try:
            until = parse_month(options["until"]) if options["until"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"Mois invalide : {options['until']} (attendu AAAA-MM).") from None
        clusters = Cluster.objects.order_by("slug")
        if options["cluster"]:
            clusters = clusters.filter(slug=options["cluster"])
            if not clusters.exists():
                raise CommandError(f"Grappe inconnue : {options['cluster']}.")
        for cluster in clusters:
            try:
                written = services.snapshots_backfill(
                    by=Actor.system(cluster), until=until, months=options["months"]
                )
            except Exception as exc:  # a ValidationError: a month not begun yet
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
            self.stdout.write(f"{cluster.slug} : {written} relevé(s).")
