"""Writes of the insights app: the radar and its decisions, surveys, indicator snapshots."""

from grappe.insights.services.indicators import (
    snapshot_compute,
    snapshots_backfill,
    snapshots_request,
)
from grappe.insights.services.radar import (
    collect_texts,
    proposal_accept,
    proposal_dismiss,
    proposal_take_up,
    radar_compute,
    radar_request,
)
from grappe.insights.services.surveys import (
    question_add,
    question_delete,
    response_submit,
    survey_close,
    survey_create,
    survey_send,
    survey_update,
)

__all__ = [
    "collect_texts",
    "proposal_accept",
    "proposal_dismiss",
    "proposal_take_up",
    "question_add",
    "question_delete",
    "radar_compute",
    "radar_request",
    "response_submit",
    "snapshot_compute",
    "snapshots_backfill",
    "snapshots_request",
    "survey_close",
    "survey_create",
    "survey_send",
    "survey_update",
]
