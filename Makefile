# The two commands of the README: `make run` brings up the whole platform, `make test` runs the
# suite. Both install what they need into .venv and node_modules first (once, until the
# requirement files change).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
NODE := node_modules/.installed

.PHONY: run test lint format

run: $(RUNTIME) $(NODE)
	@$(PY) -m neuralnotes.launcher

test: $(DEV) $(NODE)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	node_modules/.bin/eslint static/js tests/js tests/explorer eslint.config.js
	node --test tests/js/
	$(PY) -m pytest

format: $(DEV)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

$(RUNTIME): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Python 3.11 or newer is needed: install it, or run make with PYTHON=/path/to/python3.11." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@# musicnn pins numpy<1.17 in its metadata; only its checkpoint files are used.
	$(PY) -m pip install --quiet --no-deps musicnn==0.1.0
	@# tinysoundfont asks for pyaudio, which is only for playback (and needs PortAudio to build).
	$(PY) -m pip install --quiet --no-deps tinysoundfont==0.3.7
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NODE): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  echo "npm is missing: install Node.js 18 or newer with npm (for example apt-get install nodejs npm), then run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@
