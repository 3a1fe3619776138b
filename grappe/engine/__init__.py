"""Pure-Python algorithms: plain types in and out, deterministic, no Django, no database.

An import-linter contract (pyproject.toml) keeps this true.
"""
