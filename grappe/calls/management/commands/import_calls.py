"""grappe import_calls FILE-OR-URL --format aides-territoires|csv|rss"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from grappe.calls.importers import FORMATS, CallsImportError, calls_import


class Command(BaseCommand):
    help = (
        "Importe des appels dans le catalogue partagé : pages de l'API Aides-territoires "
        "(JSON), CSV, flux RSS/Atom ; un fichier ou une adresse. Tout ou rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="fichier local ou adresse http(s)")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument(
            "--perimeter",
            default="",
            help="territoire des éléments RSS qui n'en donnent pas, ex. « Île-de-France (Région) »",
        )

    def handle(self, *args, location, fmt, perimeter, **options):
        try:
            result = calls_import(location=location, fmt=fmt, default_perimeter=perimeter)
        except CallsImportError as exc:
            message = "Import refusé, rien n'a été écrit :\n" + "\n".join(exc.errors)
            raise CommandError(message) from None
        self.stdout.write(result.summary())
        for label in result.unknown_labels:
            self.stdout.write(f"  libellé inconnu ignoré — {label}")
