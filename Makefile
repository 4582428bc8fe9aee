# Threshold Guide: two commands on a fresh machine, `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run test test-fast check schema bench lint system-deps release-notes

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP) ## set up and serve http://127.0.0.1:8000 on the embedded SQLite store
	$(BIN)/python -m app.content check
	$(BIN)/uvicorn app.main:app --host 127.0.0.1 --port 8000

system-deps: ## Debian packages the browser and Redis tests need (installed only when missing)
	@command -v chromium >/dev/null && command -v redis-server >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium redis-server >/dev/null; }
	@test -f node_modules/axe-core/axe.min.js || npm install --no-save --no-audit --no-fund --silent axe-core@4

test: $(STAMP) system-deps check ## set up everything the tests need, run make check, then the whole suite
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## the suite without browser and Redis tests
	$(BIN)/python -m pytest -q -m "not browser and not redis"

check: $(STAMP) ## lint, formatting, types (strict on app/core, a baseline elsewhere) and content
	$(BIN)/ruff check app tests bench tools
	$(BIN)/ruff format --check app tests bench tools
	$(BIN)/mypy --strict app/core
	$(BIN)/python tools/mypy_baseline.py
	$(BIN)/python -m app.content check

release-notes: $(STAMP) ## draft a rules/CHANGELOG.md entry: content diff against the last release (rules/content.lock)
	$(BIN)/python -m app content release-notes

schema: $(STAMP) ## regenerate schemas/*.schema.json from the content models
	$(BIN)/python -m app.content schema

bench: $(STAMP) ## run the benchmarks in bench/
	$(BIN)/python bench/triage_eval.py
	$(BIN)/python bench/load.py
