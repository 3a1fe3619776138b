import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from grappe.core.demo import seeders


class Command(BaseCommand):
    help = (
        "Migre la base, charge la démo (une grappe de la musique à Paris 18e et une "
        "seconde grappe à Lyon), puis sert sur http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed-only", action="store_true", help="charger la démo et sortir")
        parser.add_argument(
            "--orgs",
            type=int,
            default=0,
            help="ajouter une fédération générée de N organisations (pour les mesures)",
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        lines: list[str] = []
        for seeder in seeders():
            lines += seeder.seed()
        if options["orgs"]:
            for seeder in seeders():
                if seeder.generate:
                    lines += seeder.generate(options["orgs"])
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"Prêt en {time.monotonic() - started:.1f} s.")
        if options["seed_only"]:
            return
        self.stdout.write(self.style.SUCCESS(f"Démo sur http://{options['addrport']}/"))
        call_command("runserver", options["addrport"], use_reloader=False)
