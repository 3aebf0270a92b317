# Two entry points for a fresh machine: `make run` and `make test`.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test install lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium through Playwright: no browser download.
$(CHROMIUM):
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium

run: $(STAMP)
	$(VENV)/bin/asiento demo
	$(VENV)/bin/asiento serve --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: $(STAMP) $(CHROMIUM) lint typecheck
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) bench/projection_catchup.py

clean:
	rm -rf $(VENV) asiento.db asiento.db-wal asiento.db-shm
