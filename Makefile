# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-pg lint i18n clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes: a second `make demo` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(BIN)/grappe demo

test: $(VENV)/.installed-dev
	$(BIN)/pytest

# The database-dependent tests again, on PostgreSQL (CI runs this after `make test`).
test-pg: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/grappe} $(BIN)/pytest -m database

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Refresh the English catalogue (then translate the new entries) and the French plurals.
i18n: $(VENV)/.installed-dev
	cd grappe && DEBUG=1 ../$(BIN)/grappe makemessages -l en --no-obsolete --ignore=.venv -e html,txt,py
	$(BIN)/python tools/fr_plurals.py
	DEBUG=1 $(BIN)/grappe compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
