"""Matching public calls for projects and aids to member organisations (issue 4).

Pure Python, no database: frozen dataclasses in (:class:`CallProfile`, :class:`OrgProfile`),
frozen dataclasses out (:class:`Match`, :class:`ClusterMatch`), each score with its reasons
in plain French.
"""

from grappe.engine.matching.cluster import rank_calls_for_cluster, score_call_for_cluster
from grappe.engine.matching.features import CorpusStats
from grappe.engine.matching.profiles import (
    CallProfile,
    ClusterMatch,
    Match,
    OrgProfile,
    PastApplication,
)
from grappe.engine.matching.ranking import CallMatcher, rank_calls, rank_for_all
from grappe.engine.matching.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    explain_exclusion,
    score_call,
)
from grappe.engine.matching.territory import Perimeter, territory_keys

__all__ = [
    "DEFAULT_WEIGHTS",
    "CallMatcher",
    "CallProfile",
    "ClusterMatch",
    "CorpusStats",
    "Match",
    "OrgProfile",
    "PastApplication",
    "Perimeter",
    "Weights",
    "explain_exclusion",
    "rank_calls",
    "rank_calls_for_cluster",
    "rank_for_all",
    "score_call",
    "score_call_for_cluster",
    "territory_keys",
]
