from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grappe.core.services import cluster_create
from grappe.territory.models import Commune
from grappe.territory.services import reference_load_bundled


class Command(BaseCommand):
    help = "Crée une grappe avec son territoire (codes INSEE) et ses secteurs (codes NAF)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--communes", required=True, help="codes INSEE séparés par des virgules"
        )
        parser.add_argument("--naf", default="", help="codes NAF séparés par des virgules")
        parser.add_argument("--description", default="")

    def handle(self, *args, **options):
        if not Commune.objects.exists():
            reference_load_bundled()
        try:
            cluster = cluster_create(
                name=options["name"],
                slug=options["slug"],
                commune_codes=options["communes"].split(","),
                naf_codes=[c for c in options["naf"].split(",") if c.strip()],
                description=options["description"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Grappe « {cluster.name} » créée : /c/{cluster.slug}/")
        )
