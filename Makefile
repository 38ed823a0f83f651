# Thin wrappers; README.md names them. Every target creates .venv if it is missing.
# Dependencies: pyproject.toml holds the ranges, uv.lock pins every package, and
# layers/engage/requirements.txt (the Lambda layer's) is generated from uv.lock by `make lock`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
PORT ?= 3000
# The checkout, as an absolute path: sam build runs `build-EngageLayer` from a scratch directory.
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
LAYER_REQS := layers/engage/requirements.txt
# uv itself is pinned in uv.lock; pip bootstraps that version into a new venv.
UV_VERSION = $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' $(ROOT)/uv.lock)
UV_ENV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never
# The layer's requirements, as `make lock` writes them and `make check-lock` expects them.
LAYER_REQS_TEXT := { echo "\# Generated from uv.lock by \`make lock\`: do not edit. The layer installs these."; \
	$(UV_ENV) $(UV) export --locked --no-dev --no-emit-project --format requirements-txt --no-header; }
LOCK_ARGS ?=

.PHONY: setup dev reset demo test lint validate unit e2e bench clean lock check-lock build check-layer \
	build-EngageLayer

# A venv with uv.lock's uv in it (pip bootstraps it: a new machine needs only python3.11 and make).
define BOOTSTRAP
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(UV) --version 2>/dev/null | grep -qx "uv $(UV_VERSION)" \
		|| $(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
endef

# Installs exactly uv.lock (and fails if uv.lock no longer matches pyproject.toml).
$(STAMP): pyproject.toml uv.lock
	$(BOOTSTRAP)
	$(UV_ENV) $(UV) sync --locked --extra dev \
		|| { echo "(if uv.lock is out of date with pyproject.toml: run 'make lock')"; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)

lock:  ## after editing pyproject.toml: re-resolve uv.lock, regenerate the layer's requirements
	$(BOOTSTRAP)
	$(UV_ENV) $(UV) lock $(LOCK_ARGS)
	@$(LAYER_REQS_TEXT) > $(LAYER_REQS)
	@$(MAKE) --no-print-directory setup

check-lock: $(STAMP)  ## uv.lock matches pyproject.toml and the layer's requirements match uv.lock
	@$(LAYER_REQS_TEXT) | diff -u $(LAYER_REQS) - \
		|| { echo "$(LAYER_REQS) is out of date with uv.lock: run 'make lock'"; exit 1; }

dev: $(STAMP)  ## set up and start the local runtime on http://127.0.0.1:$(PORT)
	$(BIN)/python -m local.runtime --port $(PORT)

reset: $(STAMP)  ## forget the data `make dev` kept (.local-state/) and start the runtime empty
	$(BIN)/python -m local.runtime --port $(PORT) --reset

demo: $(STAMP)  ## walk the main job against a running `make dev`
	$(BIN)/python -m local.demo --base-url http://127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: $(STAMP)  ## template checks, both offline
	$(BIN)/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(BIN)/sam validate --lint --region us-east-1

build: $(STAMP) check-lock  ## sam build from scratch (no cache) into .aws-sam/build, then check the layer
	rm -rf .aws-sam/build .aws-sam/cache
	SAM_CLI_TELEMETRY=0 $(BIN)/sam build
	$(MAKE) --no-print-directory check-layer

check-layer: $(STAMP)  ## the built layer holds every locked runtime package, for the template's arch
	$(BIN)/python -m tools.check_layer

# The tests run on PYTEST_WORKERS processes (pytest-xdist; CI has two cores; 0 runs them in
# this process). Python writes its bytecode cache while they run, even where the environment
# says PYTHONDONTWRITEBYTECODE: the suite starts dozens of interpreters (the local runtime for
# the e2e tests, a fresh one per cold import), and each would compile moto and FastAPI again.
PYTEST_WORKERS ?= 2
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(PYTEST_WORKERS)

unit: $(STAMP)
	$(PYTEST) tests/unit

e2e: $(STAMP)
	$(PYTEST) tests/e2e

test: $(STAMP) lint validate build  ## set up and run lint, template checks, the build and every test
	$(PYTEST) tests

bench: $(STAMP)
	$(BIN)/python -m bench.import_contacts
	$(BIN)/python -m bench.dispatch
	$(BIN)/python -m bench.call_gating
	$(BIN)/python -m bench.cold_start
	$(BIN)/python -m bench.cost
	$(BIN)/python -m bench.realtime
	$(BIN)/python -m bench.assignment

clean:
	rm -rf $(VENV) .aws-sam .mypy_cache .ruff_cache

# ---------------------------------------------------------------- the Lambda layer
# `sam build` runs this target (template.yaml, EngageLayer: BuildMethod makefile) in a scratch
# copy of layers/engage/, with ARTIFACTS_DIR set; Lambda puts the layer's python/ on sys.path.
# pip installs exactly the hashes of uv.lock, as wheels only, for the Lambda platform: the
# template's architecture and the python3.11 runtime's glibc (Amazon Linux 2: 2.26), so a wheel
# for a newer glibc, or a source build for this machine, can never slip in. Then the engage
# package itself, as a distribution (importlib.metadata.version("engage") reads it), built from
# a clean copy so no stale setuptools build/ directory leaks deleted modules into it.
# Modules are byte-compiled (unchecked-hash .pyc: valid whatever the zip's mtimes) because
# Lambda cannot write a bytecode cache under /opt, so otherwise every cold start compiles.
LAYER_ARCH = $(if $(filter x86_64,$(shell sed -n 's/^ *BuildArchitecture: *//p' $(ROOT)/template.yaml)),x86_64,aarch64)
LAMBDA_GLIBC_MINOR := 26
LAYER_PLATFORMS = manylinux2014_$(LAYER_ARCH) \
	$(foreach v,$(shell seq 5 $(LAMBDA_GLIBC_MINOR)),manylinux_2_$(v)_$(LAYER_ARCH))
LAYER_DIR = $(ARTIFACTS_DIR)/python

build-EngageLayer:
	@test -n "$(ARTIFACTS_DIR)" || { echo "sam build runs this target (ARTIFACTS_DIR unset)"; exit 1; }
	$(MAKE) -C "$(ROOT)" --no-print-directory setup
	rm -rf "$(LAYER_DIR)"
	"$(ROOT)/$(BIN)/python" -m pip install --quiet --disable-pip-version-check --no-compile \
		--no-deps --require-hashes --only-binary=:all: \
		--implementation cp --python-version 3.11 --abi cp311 \
		$(addprefix --platform ,$(LAYER_PLATFORMS)) \
		--target "$(LAYER_DIR)" -r "$(ROOT)/$(LAYER_REQS)"
	src=$$(mktemp -d) && trap 'rm -rf "$$src"' EXIT \
		&& cp "$(ROOT)/pyproject.toml" "$(ROOT)/README.md" "$$src/" \
		&& mkdir -p "$$src/layers/engage" \
		&& tar -C "$(ROOT)/layers/engage" --exclude=__pycache__ --exclude='*.pyc' -cf - engage \
			| tar -C "$$src/layers/engage" -xf - \
		&& "$(ROOT)/$(BIN)/python" -m pip install --quiet --disable-pip-version-check \
			--no-compile --no-deps --target "$(LAYER_DIR)" "$$src"
	"$(ROOT)/$(BIN)/python" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(LAYER_DIR)"
