from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grappe.territory.services import ReferenceImportError, centroids_import, communes_import


class Command(BaseCommand):
    help = "Importe les communes du code officiel géographique de l'Insee (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--centroids", type=Path, help="CSV code,latitude,longitude[,postcode]")

    def handle(self, *args, **options):
        try:
            summary = communes_import(options["file"])
            self.stdout.write(f"Communes : {summary}")
            if options["centroids"]:
                n = centroids_import(options["centroids"])
                self.stdout.write(f"Centroïdes : {n} commune(s)")
        except ReferenceImportError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"Fichier introuvable : {exc.filename}") from exc
