from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.members.importers import MembersImportError, members_import


class Command(BaseCommand):
    help = "Importe des membres d'un fichier CSV ou XLSX dans une grappe."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--cluster", required=True)

    def handle(self, *args, **options):
        cluster = Cluster.objects.filter(slug=options["cluster"]).first()
        if cluster is None:
            raise CommandError(f"Grappe inconnue : {options['cluster']}")
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        try:
            result = members_import(by=Actor.system(cluster), name=path.name, content=content)
        except MembersImportError as exc:
            raise CommandError(
                "Fichier refusé, rien n'a été importé :\n" + "\n".join(exc.errors)
            ) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
