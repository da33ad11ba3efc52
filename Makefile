# lpublish developer tasks. `make test` is what CI runs (via .ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo install clean site-images bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check lpublish tests benchmarks site/tools
	$(BIN)/ruff format --check lpublish tests benchmarks site/tools
	$(BIN)/lint-imports --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadgroup -q

test: lint typecheck pytest

# The README's first quick-start command: practice mode, no GitHub or AWS account needed.
demo: $(STAMP)
	$(BIN)/lpublish practice

site-images: $(STAMP)
	$(BIN)/python site/tools/generate_images.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache site/dist site/.lpublish-cache
