# Two commands do all set-up on a fresh machine (see README):
#   make run    create .venv, install claimtrace offline-safe, run it on the shipped sample
#   make test   the test suite (installs first if needed); CI runs exactly this
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install run test lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: pip takes the CPU build from the local wheel, never the CUDA one.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev,baseline,ray]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/claimtrace run

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
