# Thin wrappers; README.md names them. Every target creates .venv if it is missing.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000

.PHONY: setup dev demo test lint validate unit e2e bench clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

dev: $(STAMP)  ## set up and start the local runtime on http://127.0.0.1:$(PORT)
	$(BIN)/python -m local.runtime --port $(PORT)

demo: $(STAMP)  ## walk the main job against a running `make dev`
	$(BIN)/python -m local.demo --base-url http://127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: $(STAMP)  ## template checks, both offline
	$(BIN)/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(BIN)/sam validate --lint --region us-east-1

unit: $(STAMP)
	$(BIN)/pytest tests/unit

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

test: $(STAMP) lint validate  ## set up and run lint, template checks and every test
	$(BIN)/pytest tests

bench: $(STAMP)
	$(BIN)/python -m bench.import_contacts
	$(BIN)/python -m bench.dispatch
	$(BIN)/python -m bench.call_gating

clean:
	rm -rf $(VENV) .aws-sam .mypy_cache .ruff_cache
