# Two commands on a fresh machine: `make run` serves, `make test` proves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_WEB := entrypoints/http/demo_web
SDK_WEB := sdk/web
SDK_STAMP := $(SDK_WEB)/dist/.built-and-tested
BROWSER_TESTS := tests/browser
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q

.PHONY: run test lint typecheck layers unit integration e2e browser browser-deps sdk demo-assets install system-deps bench bench-servers signing app-cpu wrk clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==0.13.9"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# Debian packages the tests start themselves: redis-server (shared rate-limit store).
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
		else echo "install redis-server (Debian package) to run the tests" >&2; exit 1; fi; }

run: $(STAMP)
	$(BIN)/realtime-tokens serve --dev --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

test: system-deps lint typecheck layers sdk browser-deps
	$(BIN)/pytest -q

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP) system-deps
	$(BIN)/pytest -q tests/integration

e2e: $(STAMP)
	$(BIN)/pytest -q tests/e2e

browser: $(STAMP) browser-deps
	$(BIN)/pytest -q tests/browser

# The browser SDK (@realtime-tokens/web): npm ci, build, unit + type tests and the size
# budget, rerun only when its lock file, sources, tests or scripts changed.
sdk: $(SDK_STAMP)

$(SDK_STAMP): $(SDK_WEB)/node_modules/.package-lock.json $(SDK_WEB)/tsconfig.json $(SDK_WEB)/tsconfig.build.json \
		$(SDK_WEB)/tsconfig.test.json $(shell find $(SDK_WEB)/src $(SDK_WEB)/test $(SDK_WEB)/scripts -type f 2>/dev/null) README.md
	cd $(SDK_WEB) && npm run --silent build && npm test
	touch $@

# Debian's Chromium, the SDK's build and the npm packages of the demo bundle and the browser
# tests: each is installed only when missing or when its lock file changed.
browser-deps: $(SDK_STAMP) $(DEMO_WEB)/node_modules/.package-lock.json $(BROWSER_TESTS)/node_modules/.package-lock.json
	@command -v chromium >/dev/null || (apt-get update -q && $(APT_INSTALL) chromium)

%/node_modules/.package-lock.json: %/package.json %/package-lock.json
	@command -v npm >/dev/null || (apt-get update -q && $(APT_INSTALL) nodejs npm)
	cd $* && npm ci --no-audit --no-fund --loglevel=error

# Rebuilds the committed bundle entrypoints/http/static/demo.js from $(DEMO_WEB)/src.
demo-assets: $(SDK_STAMP) $(DEMO_WEB)/node_modules/.package-lock.json
	cd $(DEMO_WEB) && npm run --silent build

# Not part of `make test`: bounded load runs on loopback (see benchmarks/README.md).
$(BENCH_STAMP): $(STAMP) benchmarks/requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r benchmarks/requirements.lock
	touch $(BENCH_STAMP)

wrk:
	@command -v wrk >/dev/null || (apt-get update -q && $(APT_INSTALL) wrk)

NODE_PEER := benchmarks/peers/fastify_mongodb

bench: $(BENCH_STAMP) wrk $(NODE_PEER)/node_modules/.package-lock.json
	$(BIN)/python -m benchmarks.run

bench-servers: $(BENCH_STAMP) wrk
	$(BIN)/python -m benchmarks.compare_servers

signing: $(STAMP)
	$(BIN)/python -m benchmarks.signing

app-cpu: $(STAMP)
	$(BIN)/python -m benchmarks.app_cpu

clean:
	rm -rf $(VENV) .realtime-tokens .mypy_cache .pytest_cache .ruff_cache build \
		$(DEMO_WEB)/node_modules $(BROWSER_TESTS)/node_modules $(SDK_WEB)/node_modules $(SDK_WEB)/dist \
		$(NODE_PEER)/node_modules
