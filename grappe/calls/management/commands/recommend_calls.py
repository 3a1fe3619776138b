"""grappe recommend_calls --cluster S --org ID --top N [--as-of YYYY-MM-DD] --json"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grappe.calls.matching import MATCH_STATUSES, recommend
from grappe.core.models import Cluster
from grappe.members.models import Membership, Organisation
from grappe.members.services import organisation_find, parse_identifier


class Command(BaseCommand):
    help = (
        "Les meilleurs appels ouverts pour un membre : tableau JSON, le meilleur d'abord, "
        'd\'objets {"id", "title", "score", "reasons"}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", required=True, help="identifiant de la grappe")
        parser.add_argument("--org", required=True, help="SIRET, SIREN, numéro RNA ou slug")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--as-of", dest="as_of", help="AAAA-MM-JJ (défaut : aujourd'hui)")
        parser.add_argument("--json", action="store_true", help="sortie JSON (la seule)")

    def handle(self, *args, cluster, org, top, as_of, **options):
        found = Cluster.objects.filter(slug=cluster).first()
        if found is None:
            raise CommandError(f"Grappe inconnue : {cluster}")
        if top <= 0:
            raise CommandError("--top doit être un entier positif.")
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of attend une date AAAA-MM-JJ, pas « {as_of} ».") from None
        organisation = self._organisation(org)
        if not Membership.objects.filter(
            cluster=found, organisation=organisation, status__in=MATCH_STATUSES
        ).exists():
            raise CommandError(f"{organisation.name} n'est pas membre de la grappe {cluster}.")
        result = recommend(cluster=found, organisation=organisation, top=top, as_of=day)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _organisation(self, value: str) -> Organisation:
        raw = value.strip()
        by_slug = Organisation.objects.filter(slug=raw).first()
        if by_slug is not None:
            return by_slug
        if raw.upper().startswith("W") or raw.replace(" ", "").isdigit():
            try:
                organisation = organisation_find(**parse_identifier(raw))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            if organisation is not None:
                return organisation
        raise CommandError(f"Aucune structure ne correspond à « {value} ».")
