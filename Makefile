# make run ARGS="--listen"   set up .venv (first time only) and start turnchat
# make test                  set up .venv (first time only), lint, and run every test
# make sweep                 the full resume sweeps: a cut at every byte offset (CI runs it)
# make bench                 measure turnchat against its baselines and print the table
# make fuzz                   fuzz the wire code with atheris for FUZZ_SECONDS (default 60)
# make install               pip install . into the current Python, as the `turnchat` command

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Set up once: what turnchat needs at run time (make run), then the test tools too.
RUN_READY := $(VENV)/.ready-run
READY := $(VENV)/.ready-test

FUZZ_SECONDS ?= 60

.PHONY: run test sweep lint bench fuzz install clean

# scripts/setup-venv installs with editable_mode=compat, which puts a plain path in a .pth
# file, so that every start of this Python (and `make bench`'s bare-interpreter baseline)
# does not first import setuptools' editable finder. setuptools calls the mode
# transitional; if it is ever gone, the default mode works. It holds a lock, so two makes
# started at once do not race to create .venv.
$(RUN_READY): pyproject.toml
	@scripts/setup-venv run $(VENV) $(PYTHON)

$(READY): $(RUN_READY)
	@scripts/setup-venv test $(VENV) $(PYTHON)

run: $(RUN_READY)
	@$(VENV)/bin/turnchat $(ARGS)

lint: $(READY)
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest

sweep: $(READY)
	$(PY) -m pytest -m sweep

bench: $(READY)
	$(PY) -m bench

# New inputs that reach new code go to fuzz/.corpus (not in git); a crash is saved as
# fuzz/crash-<hash> and stops the run with a non-zero status.
fuzz: $(READY)
	$(PY) -m pip install --quiet --editable '.[fuzz]' --config-settings editable_mode=compat
	mkdir -p fuzz/.corpus
	$(PY) fuzz/wire_target.py -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz/ \
		-print_final_stats=1 fuzz/.corpus fuzz/corpus

install:
	$(PYTHON) -m pip install .

clean:
	rm -rf $(VENV) $(VENV).lock build *.egg-info .pytest_cache .ruff_cache .hypothesis
