from django.core.management.base import BaseCommand, CommandError

from grappe.core.models import Cluster
from grappe.insights import services
from grappe.insights.models import RadarRun


class Command(BaseCommand):
    help = (
        "Calcule le radar des besoins communs d'une grappe sur toutes ses données, "
        "sans file de tâches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", required=True, help="identifiant de la grappe")

    def handle(self, *args, **options):
        cluster = Cluster.objects.filter(slug=options["cluster"]).first()
        if cluster is None:
            raise CommandError(f"Grappe inconnue : {options['cluster']}.")
        run = services.radar_compute(run=RadarRun.objects.create(cluster=cluster))
        for theme in run.themes.order_by("-members", "-size", "rank"):
            self.stdout.write(f"{theme.members:>4} membres  {theme.size:>4} textes  {theme.label}")
        self.stdout.write(
            f"{run.text_count} texte(s) lus, {run.assigned_count} rattaché(s) à un thème."
        )
