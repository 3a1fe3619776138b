"""French-aware search over stored search documents, the same on SQLite and PostgreSQL.

A searchable model stores ``search_document`` (every searched text) and ``name_document``
(its name alone), both written by ``grappe.engine.text.search_document``: normalised
words, each preceded by a space, so ``contains(" " + term)`` matches a word prefix."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, IntegerField, Value, When


class SearchQuerySet(models.QuerySet):
    def search(self, terms: list[str]):
        """Rows whose search document holds every term as a word prefix."""
        qs = self
        for term in terms:
            qs = qs.filter(search_document__contains=" " + term)
        return qs


def search_rank(terms: list[str]):
    """A rank to order by: a term found in the name weighs 3, elsewhere 1."""
    return sum(
        (
            Case(
                When(name_document__contains=" " + t, then=Value(3)),
                default=Value(1),
                output_field=IntegerField(),
            )
            for t in terms
        ),
        Value(0),
    )
