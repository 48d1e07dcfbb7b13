# MoodTune: `make run` starts the app on the demo library, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MOODTUNE_HOME ?= .moodtune

.PHONY: install demo run test lint bench eval clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@if [ -d "$(MOODTUNE_HOME)/library" ]; then echo "Library found in $(MOODTUNE_HOME)"; \
	else $(VENV)/bin/moodtune ingest demo; fi

run: demo
	$(VENV)/bin/streamlit run app.py

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy moodtune

bench: $(STAMP)
	$(PY) bench/run_all.py

eval: $(STAMP) demo
	$(VENV)/bin/moodtune eval recommend

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
