"""``grappe import_registry FILE [--legal-units FILE] [--cluster SLUG]``: SIRENE → prospects."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from grappe.core.models import Cluster
from grappe.members.registry import SireneFormatError, registry_import

PROGRESS_EVERY = 1_000_000


class Command(BaseCommand):
    help = _(
        "Importe le stock SIRENE des établissements (zip, CSV ou Parquet) comme prospects "
        "de chaque grappe, ou d'une seule avec --cluster."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("StockEtablissement (zip, CSV ou Parquet)"))
        parser.add_argument(
            "--legal-units",
            type=Path,
            help=_("StockUniteLegale (zip, CSV ou Parquet), pour nommer les établissements"),
        )
        parser.add_argument("--cluster", help=_("identifiant de la grappe (toutes par défaut)"))

    def handle(self, *args, **options):
        cluster = None
        if options["cluster"]:
            cluster = Cluster.objects.filter(slug=options["cluster"]).first()
            if cluster is None:
                raise CommandError(_("Grappe inconnue : %s") % options["cluster"])
        next_report = [PROGRESS_EVERY]

        def progress(rows: int) -> None:
            if options["verbosity"] >= 2 and rows >= next_report[0]:
                self.stderr.write(_("%d lignes lues…") % rows)
                next_report[0] = rows + PROGRESS_EVERY

        try:
            result = registry_import(
                path=options["file"],
                legal_units=options["legal_units"],
                cluster=cluster,
                progress=progress,
            )
        except SireneFormatError as exc:
            raise CommandError(_("Fichier refusé, rien n'a été importé : %s") % exc) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
