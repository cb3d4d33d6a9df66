# Comptoir: `make run` starts the whole system locally, `make test` runs every check.
# Everything lands in .venv; Debian packages the project needs are installed by scripts/system-packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_ARGS ?=

.PHONY: setup run test lint unit e2e synth layers bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/system-packages
	bash scripts/system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/comptoir up $(RUN_ARGS)

lint: setup
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -q

unit: setup
	$(BIN)/pytest -q -m "not e2e and not infra"

e2e: setup
	$(BIN)/pytest -q -m e2e

synth: setup
	$(BIN)/python -m comptoir_infra.synth
	$(BIN)/cfn-lint cdk.out/Comptoir.template.json

# Layers with their third-party packages (manylinux wheels), for a deployment.
layers: setup
	$(BIN)/python -m comptoir_infra.layers --with-dependencies

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) cdk.out build .pytest_cache .ruff_cache
