"""Matching public calls for projects and aids to member organisations (issue 4)."""
