# Quiesce developer entry points. Quick start: `make demo`, then `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

REPO        := $(abspath .)
PYTHON      ?= $(shell tools/find-python)
VENV        ?= $(REPO)/.venv
BIN         := $(VENV)/bin
COLLECTIONS ?= $(REPO)/build/collections
COLLECTION  := $(COLLECTIONS)/ansible_collections/quiesce/lifecycle
# ansible-test finds 3.9-3.14 through each pyenv version's own bin folder (shims refuse to run).
export PATH := $(BIN):$(shell tools/pyenv-path):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PY_COLORS := 0
STAGE       := tools/stage
SIM         := $(BIN)/python $(REPO)/tools/sim
ANSIBLE_TEST_OPTS := --venv --requirements --color no

# Every ansible-core requires_ansible admits (meta/runtime.yml '>=2.16.0'). The newest is .venv's
# (requirements/dev.txt) and gets every test; each older one has its own virtualenv
# (requirements/core-X.txt) on a controller Python it supports (2.16/2.17: 3.10-3.12, 2.18/2.19:
# 3.11-3.13, 2.20/2.21: 3.12-3.14), spread so that the matrix covers every controller Python here.
CORE_NEWEST := 2.21
CORE_OLDER  := 2.16 2.17 2.18 2.19 2.20
CORE_PYTHON_2.16 := 3.10
CORE_PYTHON_2.17 := 3.11
CORE_PYTHON_2.18 := 3.12
CORE_PYTHON_2.19 := 3.13
CORE_PYTHON_2.20 := 3.12
CORE_PYTHON_2.21 := 3.13
UNITS_PYTHON ?= $(CORE_PYTHON_$(CORE_NEWEST))
# Older cores run the compile and import sanity tests (every Python the modules support that the core
# knows); the newest runs them all.
OLDER_SANITY_TESTS := --test compile --test import
# The integration targets each older core runs (all of them run on the newest): every module through
# its info target, and the maintenance_window role, which drives all four action modules.
OLDER_TARGETS ?= simulator_smoke mrs_service_info ocp_cluster_info ocp_agent_process_info bms_info maintenance_window_role
# Cores whose `make core-X` (and so `make test`) runs OLDER_TARGETS; `make integration-X` runs them on any.
INTEGRATION_OLDER ?= $(CORE_OLDER)
# The maintenance_window role's molecule scenarios, once they exist (extensions/molecule/<scenario>/ in
# the collection layout, or roles/<role>/molecule/<scenario>/): all of them on the newest core,
# MOLECULE_SCENARIO on each older one.
MOLECULE_SCENARIO ?= default

# Per ansible-core X: its virtualenv, the collection tree its ansible-test runs in, and its HOME.
# ansible-test caches sanity virtualenvs under ~/.ansible/test by a name two versions can share, so each
# older core gets a HOME of its own and parallel runs never build the same one at once.
is_newest   = $(filter $(CORE_NEWEST),$(1))
core_venv   = $(if $(call is_newest,$(1)),$(VENV),$(REPO)/.venv-$(1))
core_tree   = $(if $(call is_newest,$(1)),$(COLLECTION),$(REPO)/build/core-$(1)/ansible_collections/quiesce/lifecycle)
core_home   = $(if $(call is_newest,$(1)),$(HOME),$(REPO)/build/home/core-$(1))
core_python = $(if $(call is_newest,$(1)),$(UNITS_PYTHON),$(CORE_PYTHON_$(1)))
core_env    = HOME=$(call core_home,$(1)) ANSIBLE_COLLECTIONS_PATH=$(abspath $(call core_tree,$(1))/../../..)

IMPORTER_VENV := $(REPO)/.venv-importer

# The stages of `make test`, longest first (make -j starts them in this order); each runs in its own
# collection tree, so parallel stages never share ansible-test's working files.
TEST_STAGES := sanity integration $(addprefix core-,$(CORE_OLDER)) e2e proofs awx units molecule browser simulator lint release
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: help venv collection test test-stages demo shell clean sanity units integration integration-setup molecule \
  simulator-tests browser-tests awx-tests e2e lint changelog-lint changelog docs docs-lint build-check importer-check ee-check release-checks \
  integration-floor proofs $(addprefix stage-,$(TEST_STAGES))

help:
	@echo "make demo         - create the pinned virtualenv, start the API simulator, run the maintenance window demo"
	@echo "make test         - every check, stages in parallel (JOBS=$(JOBS)), with a table of stage times:"
	@echo "                    ansible-core $(CORE_NEWEST): sanity, units, integration, molecule; ansible-core"
	@echo "                    $(CORE_OLDER): compile and import sanity, units, molecule, integration ($(words $(OLDER_TARGETS)) targets);"
	@echo "                    the window end to end (e2e), the proofs (fault matrix, bad input, secrets), the AWX"
	@echo "                    kit and its ansible-runner jobs, the report in Chromium, simulator tests, ansible-lint,"
	@echo "                    changelog, docs lint, artifact, galaxy-importer, EE"
	@echo "make sanity | units | integration | molecule   - one stage on ansible-core $(CORE_NEWEST)"
	@echo "                    (SANITY_ARGS, UNITS_ARGS, TARGETS narrow them)"
	@echo "make core-X       - the checks of one older ansible-core (X in $(CORE_OLDER)); also sanity-X, units-X,"
	@echo "                    integration-X, molecule-X"
	@echo "make proofs       - the fault matrix, bad input and secrets proofs (PROOFS_BUDGET=large: the whole matrix)"
	@echo "make shell        - how to get ansible, ansible-test and the collection in your shell (. tools/activate)"
	@echo "make soak         - slow tier: SIGKILL crash-resume (SOAK_KILLS kills), SOAK_MINUTES of windows with"
	@echo "                    random faults, the proofs' large tier (results in benchmarks/results/)"
	@echo "make clean        - remove the virtualenvs and build output"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python tools/venv_bin_on_path.py
	touch $@

$(REPO)/.venv-%/.installed: requirements/core-%.txt
	$$(tools/find-python $(CORE_PYTHON_$*)) -m venv $(REPO)/.venv-$*
	$(REPO)/.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(IMPORTER_VENV)/.installed: requirements/importer.txt
	$(PYTHON) -m venv $(IMPORTER_VENV)
	$(IMPORTER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

# The collection laid out where ansible-test and ansible-playbook expect it (only what ships), plus the
# offline stand-in for ansible-test's get-pip download (see tools/get_pip_offline.py) for the pip that
# core's ansible-test pins, in the HOME that core runs with.
collection: tree-$(CORE_NEWEST)

tree-$(CORE_NEWEST): venv
	$(BIN)/python tools/sync_collection.py $(call core_tree,$(CORE_NEWEST))
	tools/install_get_pip $(VENV)

$(addprefix tree-,$(CORE_OLDER)): tree-%: venv $(REPO)/.venv-%/.installed
	$(BIN)/python tools/sync_collection.py $(call core_tree,$*)
	HOME=$(call core_home,$*) tools/install_get_pip $(call core_venv,$*)

sanity: sanity-$(CORE_NEWEST)
units: units-$(CORE_NEWEST)
integration: integration-$(CORE_NEWEST)
molecule: molecule-$(CORE_NEWEST)

sanity-%: tree-%
	cd $(call core_tree,$*) && $(call core_env,$*) $(call core_venv,$*)/bin/ansible-test sanity $(ANSIBLE_TEST_OPTS) \
	  $(if $(call is_newest,$*),,$(OLDER_SANITY_TESTS)) $(SANITY_ARGS)

units-%: tree-%
	cd $(call core_tree,$*) && $(call core_env,$*) $(call core_venv,$*)/bin/ansible-test units $(ANSIBLE_TEST_OPTS) \
	  --python $(call core_python,$*) $(UNITS_ARGS)

# ansible-test integration against the simulators tools/sim starts (one per scenario the targets use); it
# writes the tree's tests/integration/integration_config.yml, which setup_quiesce_sim reads.
integration-%: tree-%
	cd $(call core_tree,$*) && $(call core_env,$*) $(SIM) run --tree . --state-dir $(REPO)/build/sim/core-$* -- \
	  $(call core_venv,$*)/bin/ansible-test integration $(ANSIBLE_TEST_OPTS) --continue-on-error \
	  $(or $(TARGETS),$(if $(call is_newest,$*),,$(OLDER_TARGETS)))

# By hand: `. tools/activate && make integration-setup && cd "$$QUIESCE_COLLECTION"`, then
# `ansible-test integration --venv TARGET` as often as needed, and `tools/sim stop` at the end. The setup
# starts the simulators in the background and runs simulator_smoke once with --requirements, which also
# installs the targets' requirements into the tree's ansible-test virtualenv.
integration-setup: collection
	$(SIM) start --tree $(COLLECTION)
	cd $(COLLECTION) && $(BIN)/ansible-test integration $(ANSIBLE_TEST_OPTS) simulator_smoke

# The oldest core with the targets every core runs (kept for habit).
integration-floor: integration-$(firstword $(CORE_OLDER))

# The maintenance_window role's molecule scenarios (extensions/molecule; each starts its own simulator and stops
# it by its PID). molecule runs from $(VENV); the playbooks with ansible-core X's venv. The newest core runs every
# scenario, older ones MOLECULE_SCENARIO (default: default). tools/molecule also works from a clean shell, and the
# venv's own molecule whatever PATH holds (tools/venv_bin_on_path.py; checked first with a bare PATH).

molecule-%: tree-%
	$(if $(call is_newest,$*),env -i HOME="$$HOME" PATH=/usr/bin:/bin $(BIN)/molecule --version)
	VENV=$(VENV) MOLECULE_VENV=$(call core_venv,$*) tools/molecule test \
	  $(if $(call is_newest,$*),--all,-s $(MOLECULE_SCENARIO))

# Everything one older ansible-core checks, in sequence (they share its collection tree).
core-%:
	$(MAKE) --no-print-directory sanity-$*
	$(MAKE) --no-print-directory units-$*
	$(MAKE) --no-print-directory molecule-$*
	$(if $(filter $*,$(INTEGRATION_OLDER)),$(MAKE) --no-print-directory integration-$*)

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

# Slow tier, not in make test: the crash-resume suite with more kills, windows with random faults for SOAK_MINUTES,
# then the proofs' large tier (the whole fault matrix, more bad-input examples); results in benchmarks/results/
# (crash_resume.json, soak.json, fault_matrix.md; cited by benchmarks/RESULTS.md).
.PHONY: soak
SOAK_MINUTES ?= 10
SOAK_KILLS ?= 18
soak: collection
	CRASH_KILLS=$(SOAK_KILLS) CRASH_SEED=$(or $(CRASH_SEED),1) CRASH_RESULTS=$(REPO)/benchmarks/results/crash_resume.json \
	  SOAK_MINUTES=$(SOAK_MINUTES) SOAK_RESULTS=$(REPO)/benchmarks/results/soak.json \
	  $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/e2e/test_crash_resume.py tests/e2e/test_soak.py
	PROOFS_BUDGET=large $(MAKE) --no-print-directory proofs

# The proofs (tests/proofs): the fault matrix, bad input (hypothesis) and secrets, run for real against the simulator;
# results in tests/output/proofs. PROOFS_BUDGET=large runs the whole matrix and more examples (benchmarks/results).
proofs: collection
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/proofs $(PROOFS_ARGS)

lint: collection
	$(BIN)/ansible-lint --offline

# Fragments and changelogs/changelog.yaml are valid, and CHANGELOG.md/.rst are what they generate.
changelog-lint: collection
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	mkdir -p build/changelog
	for format in md rst; do \
	  $(BIN)/antsibull-changelog generate --output build/changelog/CHANGELOG.$$format --output-format $$format; \
	  diff -u CHANGELOG.$$format build/changelog/CHANGELOG.$$format \
	    || { echo "CHANGELOG.$$format is stale: run make changelog"; exit 1; }; \
	done

# Regenerate CHANGELOG.md and CHANGELOG.rst from changelogs/changelog.yaml.
changelog: venv
	$(BIN)/antsibull-changelog generate

# The guides (docs/*.md) rendered for the collection docs: docs/docsite/rst/*.rst and extra-docs.yml.
docs: venv
	$(BIN)/python tools/docsite.py

# The collection's docs as docs.ansible.com renders them: plugin docs, docs/docsite/*.yml, extra docs.
docs-lint: collection
	$(BIN)/python tools/docsite.py --check
	cd $(COLLECTION) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

build-check: venv
	$(BIN)/python tools/check_artifact.py

importer-check: build-check $(IMPORTER_VENV)/.installed
	$(BIN)/python tools/check_importer.py $(IMPORTER_VENV)

ee-check: venv
	$(BIN)/python tools/check_ee.py

release-checks: collection
	$(MAKE) --no-print-directory changelog-lint
	$(MAKE) --no-print-directory docs-lint
	$(MAKE) --no-print-directory importer-check
	$(MAKE) --no-print-directory ee-check

# Each stage of `make test` in a collection tree of its own (build/test/<stage>); the release checks and
# lint use the default one.
# (Static pattern rules: make skips implicit rules for .PHONY targets.)
$(addprefix stage-,sanity units integration molecule): stage-%:
	@$(STAGE) $* $(MAKE) --no-print-directory COLLECTIONS=$(REPO)/build/test/$* $*

$(addprefix stage-core-,$(CORE_OLDER)): stage-core-%:
	@$(STAGE) core-$* $(MAKE) --no-print-directory core-$*

stage-simulator:
	@$(STAGE) simulator $(MAKE) --no-print-directory simulator-tests

stage-lint:
	@$(STAGE) lint $(MAKE) --no-print-directory lint

stage-e2e:
	@$(STAGE) e2e $(MAKE) --no-print-directory e2e

stage-proofs:
	@$(STAGE) proofs $(MAKE) --no-print-directory proofs

stage-awx:
	@$(STAGE) awx $(MAKE) --no-print-directory awx-tests

stage-browser:
	@$(STAGE) browser $(MAKE) --no-print-directory browser-tests

stage-release:
	@$(STAGE) release $(MAKE) --no-print-directory release-checks

test-stages: $(addprefix stage-,$(TEST_STAGES))

test: venv
	@$(STAGE) --begin
	@$(MAKE) --no-print-directory collection > /dev/null
	@rc=0; $(MAKE) --no-print-directory -k -j$(JOBS) test-stages || rc=$$?; \
	  $(STAGE) --summary $(TEST_STAGES) && exit $$rc

demo: collection
	tools/demo

shell:
	@echo "Run this in your shell (bash or zsh) to get ansible, ansible-test and quiesce.lifecycle on PATH:"
	@echo "  . tools/activate"

# Benchmarks, on demand (about half an hour): requests against the lower bound, the window's, scale, the uri
# baseline. Results in benchmarks/results/ and benchmarks/RESULTS.md. A subset: BENCH_ARGS='module_requests'.
.PHONY: bench
bench: collection
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(REPO)/.venv-* build tests/output
