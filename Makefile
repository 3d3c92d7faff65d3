# make run ARGS="--listen"   set up .venv (first time only) and start turnchat
# make test                  set up .venv (first time only), lint, and run every test
# make bench                 measure turnchat against its baselines and print the table
# make install               pip install . into the current Python, as the `turnchat` command

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: run test lint bench install clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable '.[test]' --config-settings editable_mode=compat
	touch $@

run: $(READY)
	@$(VENV)/bin/turnchat $(ARGS)

lint: $(READY)
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest

bench: $(READY)
	$(PY) -m bench

install:
	$(PYTHON) -m pip install .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
