import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serveur web de production (gunicorn). Variables : PORT, WEB_CONCURRENCY."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=f"0.0.0.0:{os.environ.get('PORT', '8000')}")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))

    def handle(self, *args, **options):
        argv = [
            "gunicorn",
            "grappe.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606
