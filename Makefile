# cadrelog: `make run` chats in the terminal (or runs the configured platforms), `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench venv clean report-demo

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(PY) bot.py

lint: $(VENV)/.installed
	$(PY) -m ruff check .

test: lint
	$(PY) -m mypy
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) bench/classifier.py
	$(PY) bench/report.py
	$(PY) bench/ingest.py
	$(PY) bench/fanout.py --limit 30 --limit 3000
	$(PY) bench/digest.py
	$(PY) bench/wecom.py

report-demo: $(VENV)/.installed
	$(PY) tools/report_demo.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
