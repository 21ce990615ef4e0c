# Two commands on a fresh machine: `make run` serves, `make test` proves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck layers unit integration e2e install bench bench-servers signing wrk clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==0.13.9"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/realtime-tokens serve --dev --access-log --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

test: lint typecheck layers
	$(BIN)/pytest -q

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

e2e: $(STAMP)
	$(BIN)/pytest -q tests/e2e

# Not part of `make test`: bounded load runs on loopback (see benchmarks/README.md).
$(BENCH_STAMP): $(STAMP) benchmarks/requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r benchmarks/requirements.lock
	touch $(BENCH_STAMP)

wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }

bench: $(BENCH_STAMP) wrk
	$(BIN)/python -m benchmarks.run

bench-servers: $(BENCH_STAMP) wrk
	$(BIN)/python -m benchmarks.compare_servers

signing: $(STAMP)
	$(BIN)/python -m benchmarks.signing

clean:
	rm -rf $(VENV) .realtime-tokens .mypy_cache .pytest_cache .ruff_cache
