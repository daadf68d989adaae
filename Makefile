# The two commands of the README: `make demo` and `make test`.
# Each creates the virtual environment and installs the pinned dependencies when needed.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

demo: install
	$(BIN)/python bot.py demo

test: install
	$(BIN)/python -m pytest -q
