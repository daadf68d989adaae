# The two commands of the README: `make demo` and `make test`.
# Each creates the virtual environment and installs the pinned dependencies when needed, and builds the
# triage model (var/model) from the corpus and configs when they changed.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

# The trained triage pipeline: rebuilt by `bot.py train` when the corpus, a config or the code it runs changes.
MODEL_DIR := var/model
MODEL_STAMP := $(MODEL_DIR)/.built
MODEL_INPUTS := $(wildcard nlp/corpus/*.jsonl) $(wildcard nlp/configs/*.cfg) \
	nlp/corpus.py nlp/training.py nlp/model.py nlp/safety.py nlp/text.py nlp/keywords.py nlp/language.py

.PHONY: demo test check install model browser

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

model: $(MODEL_STAMP)

$(MODEL_STAMP): $(MODEL_INPUTS) $(VENV)/.installed
	$(BIN)/python bot.py train --output $(MODEL_DIR)
	touch $@

demo: install model
	$(BIN)/python bot.py demo

# Debian's Chromium for the dashboard's browser test (skipped, saying why, where it cannot be installed).
browser:
	bash .ci/install-chromium

test: install model browser
	$(BIN)/python -m pytest -q

# The house's checks (settings in pyproject.toml): lint, format, the layers contract, types.
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .
