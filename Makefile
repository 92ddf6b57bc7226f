# Quiesce developer entry points. Quick start: `make demo`, then `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

REPO        := $(abspath .)
PYTHON      ?= $(shell tools/find-python)
VENV        ?= $(REPO)/.venv
BIN         := $(VENV)/bin
COLLECTIONS := $(REPO)/build/collections
COLLECTION  := $(COLLECTIONS)/ansible_collections/quiesce/lifecycle
# ansible-test finds 3.9-3.14 through each pyenv version's own bin folder (shims refuse to run).
export PATH := $(BIN):$(shell tools/pyenv-path):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PY_COLORS := 0
STAGE       := tools/stage

FLOOR_PYTHON ?= $(shell tools/find-python 3.12)
FLOOR_VENV  ?= $(REPO)/.venv-floor

.PHONY: help venv floor-venv integration-floor collection test demo sanity units simulator-tests browser-tests awx-tests e2e lint integration changelog-lint build-check ee-check clean

help:
	@echo "make demo   - create the pinned virtualenv, start the API simulator, run the maintenance window demo"
	@echo "make test   - every check: changelog, sanity, units, simulator, window (e2e) and browser tests,"
	@echo "              ansible-lint, integration (ansible-core 2.21 and the 2.16 floor), the AWX kit and its"
	@echo "              ansible-runner jobs, artifact contents, execution-environment context"
	@echo "make clean  - remove the virtualenv and build output"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

# The collection laid out where ansible-test and ansible-playbook expect it, plus the
# offline stand-in for ansible-test's get-pip download (see tools/get_pip_offline.py).
collection: venv
	$(BIN)/python tools/sync_collection.py $(COLLECTION)
	tools/install_get_pip $(VENV)

# The oldest ansible-core requires_ansible admits, for the integration targets (the simulator keeps running
# from the main virtualenv).
floor-venv: $(FLOOR_VENV)/.installed

$(FLOOR_VENV)/.installed: requirements/floor.txt
	$(FLOOR_PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/floor.txt
	touch $@

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

sanity: collection
	cd $(COLLECTION) && $(BIN)/ansible-test sanity --venv --requirements --color no $(SANITY_ARGS)

units: collection
	cd $(COLLECTION) && $(BIN)/ansible-test units --venv --requirements --color no --python $(UNITS_PYTHON) $(UNITS_ARGS)

UNITS_PYTHON ?= 3.13

simulator-tests: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/simulator/tests $(wildcard benchmarks/tests)

# The window report's HTML in headless Chromium (Debian's package; tools/ensure-chromium installs it where missing,
# and the tests skip, saying why, only where it cannot be installed). Screenshots: tests/output/browser/.
browser-tests: venv
	tools/ensure-chromium || true
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/browser

# The AWX kit's files against AWX's rules and the modules, and its project run as AWX jobs (ansible-runner,
# the collection installed read-only from its tarball, the simulator at speed 0).
awx-tests: venv
	$(BIN)/python -m pytest -q tests/awx $(AWX_TESTS_ARGS)

# The maintenance window end to end: real ansible-playbook runs against the simulator (tests/e2e).
e2e: collection
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e $(E2E_ARGS)

lint: collection
	$(BIN)/ansible-lint --offline

integration: collection
	tests/integration/run $(TARGETS)

# On the floor, every module runs through its info target and the maintenance_window role (which drives
# all four action modules, check of results, failure and restore); the full set runs on the newest ansible-core.
FLOOR_TARGETS ?= simulator_smoke mrs_service_info ocp_cluster_info ocp_agent_process_info bms_info maintenance_window

integration-floor: collection floor-venv
	VENV=$(FLOOR_VENV) SIM_PYTHON=$(BIN)/python INTEGRATION_LOG_DIR=$(REPO)/build/integration-floor \
	  tests/integration/run $(or $(TARGETS),$(FLOOR_TARGETS))

build-check: venv
	$(BIN)/python tools/check_artifact.py

ee-check: venv
	$(BIN)/python tools/check_ee.py

test: venv
	@$(STAGE) changelog  $(MAKE) --no-print-directory changelog-lint
	@$(STAGE) sanity     $(MAKE) --no-print-directory sanity
	@$(STAGE) units      $(MAKE) --no-print-directory units
	@$(STAGE) simulator  $(MAKE) --no-print-directory simulator-tests
	@$(STAGE) browser    $(MAKE) --no-print-directory browser-tests
	@$(STAGE) e2e        $(MAKE) --no-print-directory e2e
	@$(STAGE) lint       $(MAKE) --no-print-directory lint
	@$(STAGE) integration $(MAKE) --no-print-directory integration
	@$(STAGE) awx        $(MAKE) --no-print-directory awx-tests
	@$(STAGE) floor      $(MAKE) --no-print-directory integration-floor
	@$(STAGE) artifact   $(MAKE) --no-print-directory build-check
	@$(STAGE) ee         $(MAKE) --no-print-directory ee-check
	@$(STAGE) --summary

demo: collection
	tools/demo

# Benchmarks, on demand (about half an hour): requests against the lower bound, the window's, scale, the uri
# baseline. Results in benchmarks/results/ and benchmarks/RESULTS.md. A subset: BENCH_ARGS='module_requests'.
.PHONY: bench
bench: collection
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(FLOOR_VENV) build tests/output
