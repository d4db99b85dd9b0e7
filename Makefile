# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_DIR := .run
PORT ?= 8000
REDIS_PORT ?= 6379
export RUN_DIR PORT REDIS_PORT PY

.PHONY: run stop test bench lint messages help

help:
	@echo "make run    install what is missing, migrate, load labs and the demo course, start web + worker"
	@echo "make stop   stop what make run started"
	@echo "make test   install dev requirements and run the whole test suite"
	@echo "make bench  run the benchmarks in bench/"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed (the stamp is newer than both otherwise).
$(VENV)/.installed-runtime: requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

run: $(VENV)/.installed-runtime
	@scripts/run.sh

stop:
	@scripts/stop.sh

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l ko --ignore=.venv --ignore=tests --ignore=bench --ignore=iam --no-location
	$(PY) manage.py compilemessages -l ko --ignore=.venv
