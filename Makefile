# make run ARGS="--listen"   set up .venv (first time only) and start turnchat
# make test                  set up .venv (first time only), lint, and run every test
# make bench                 measure turnchat against its baselines and print the table
# make install               pip install . into the current Python, as the `turnchat` command

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: run test lint bench install clean

# editable_mode=compat puts a plain path in a .pth file, so that every start of this Python
# (and `make bench`'s bare-interpreter baseline) does not first import setuptools' editable
# finder. setuptools calls the mode transitional; if it is ever gone, the default mode works.
$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable '.[test]' --config-settings editable_mode=compat \
		|| $(PY) -m pip install --quiet --editable '.[test]'
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
