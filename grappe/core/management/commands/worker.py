from django.core.management import call_command
from django.core.management.base import BaseCommand

from grappe.core.jobs import ensure_schedules


class Command(BaseCommand):
    help = "Exécute les tâches de fond (django-q2) après avoir enregistré les planifications."

    def handle(self, *args, **options):
        count = ensure_schedules()
        self.stdout.write(f"{count} tâche(s) planifiée(s).")
        call_command("qcluster")
