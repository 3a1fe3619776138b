import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grappe.engine.themes import discover_themes, radar_to_json, read_texts_csv


class Command(BaseCommand):
    help = (
        "Radar des besoins communs sur un CSV (colonnes id,text et, au choix, org,date). "
        "N'utilise pas la base de données."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--json", action="store_true", help="sortie JSON (par défaut : tableau)"
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        try:
            items = read_texts_csv(options["file"])
        except FileNotFoundError as exc:
            raise CommandError(f"Fichier introuvable : {exc.filename}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = discover_themes(items, seed=options["seed"])
        data = radar_to_json(result)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for theme in result.themes:
            self.stdout.write(f"{theme.members:>4} membres  {theme.size:>4} textes  {theme.label}")
        unassigned = sum(1 for t in data["texts"] if t["theme"] is None)
        self.stdout.write(f"{unassigned} texte(s) sans thème commun.")
