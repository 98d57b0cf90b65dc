# Two commands for a fresh clone: `make demo` and `make test`.
# Each creates .venv when missing and installs the project idempotently
# (pip is re-run only when pyproject.toml is newer than the install stamp).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint pytest clean browser frontend

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN) frontend
	$(BIN)/trilink demo

browser:
	@bash .ci/ensure-browser

frontend:
	@bash .ci/ensure-frontend

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks

pytest: $(STAMP_DEV) browser frontend
	$(BIN)/pytest

test: lint pytest

clean:
	rm -rf $(VENV) build dist src/*.egg-info
