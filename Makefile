# TickStock Live — the two commands are `make demo` and `make test`.
#
#   make bootstrap  install what is missing (system packages, .venv, node_modules); fast when done
#   make demo       bootstrap, then run the demo (private Redis, engine, app)
#   make test       bootstrap, then ruff, pytest (tests/) under coverage.py and node's test
#                   runner (tests/js/) under c8, then the coverage per package against its
#                   floors; every step runs, and the target fails if any of them failed
#   make lint       ruff check + ruff format --check
#   make format     ruff format + ruff check --fix
#   make lock       rewrite requirements.lock from the current .venv
#   make bench      run the benchmarks (bench/run_all.py), JSON into docs/bench/
#   make report     run the tests with junit XML and coverage, then write docs/test-report.md

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

VENV := .venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
PYTEST := $(VENV)/bin/pytest
PY_DIRS := $(wildcard src tests bench)
COVERAGE := $(VENV)/bin/coverage
C8 := node_modules/.bin/c8
COV_DIR := var/coverage
# Coverage floors, just below what the suite reaches (raise them as tests are added):
# Python lines and branches (tickstock and the processes tests start), and the front end's JS.
# Reached on 2026-12-05 (fresh clone): Python lines 96.0 %, branches 87.9 %; JS 99.6 %, 96.8 % (node tests).
COVERAGE_FLOORS := python_lines=95 python_branches=86 js_lines=98 js_branches=95
NODE_TESTS := find tests/js -type f \( -name '*.test.*js' -o -name '*[-_]test.*js' -o -name 'test-*.*js' -o -name 'test.*js' \) 2>/dev/null

.PHONY: bootstrap demo test lint format lock bench report coverage-clean

# pytest under coverage.py: every Python process a test starts is measured too ([tool.coverage]
# in pyproject.toml: patch = subprocess); COVERAGE_FILE is absolute so that a process started
# in another directory still writes beside the others.
PYTEST_COV := env COVERAGE_FILE=$(CURDIR)/$(COV_DIR)/.coverage $(COVERAGE) run -m pytest
# node's test runner under c8 (V8's own coverage), over every front-end file, loaded or not.
C8_RUN := $(C8) --all --include 'src/tickstock/web/static/**/*.js' --reporter=json-summary \
	--reporter=text-summary --report-dir $(COV_DIR)/js --temp-directory $(COV_DIR)/js-tmp
# Combine the data files, then print the table per package and check the floors.
COVERAGE_REPORT := { $(COVERAGE) combine -q --data-file=$(COV_DIR)/.coverage $(COV_DIR) && \
	$(COVERAGE) json -q --data-file=$(COV_DIR)/.coverage -o $(COV_DIR)/python.json; } && \
	$(PY) scripts/coverage_summary.py $(addprefix --floor ,$(COVERAGE_FLOORS)) --out $(COV_DIR)/summary.json

coverage-clean:
	@rm -rf $(COV_DIR) && mkdir -p $(COV_DIR)

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	$(VENV)/bin/tickstock demo

# Each step prints a header; a failing step is remembered and the target fails at the end,
# so one run shows every problem. pytest's exit 5 (no test ran) counts as a failure.
test: bootstrap coverage-clean
	@failed=""; \
	run() { local name=$$1; shift; echo "== $$name"; \
		if "$$@"; then :; else local rc=$$?; failed="$$failed $$name"; \
			if [[ $$name == pytest && $$rc -eq 5 ]]; then echo "== pytest ran no test (exit 5)"; \
			else echo "== $$name failed (exit $$rc)"; fi; fi; }; \
	node_tests() { local log; log=$$(mktemp); \
		if $(C8_RUN) node --test --test-reporter=spec tests/js/ >"$$log" 2>&1; then tail -n 15 "$$log"; rm -f "$$log"; \
		else cat "$$log"; rm -f "$$log"; return 1; fi; }; \
	run "ruff check" $(RUFF) check --quiet --output-format=concise $(PY_DIRS); \
	run "ruff format" $(RUFF) format --check $(PY_DIRS); \
	run pytest $(PYTEST_COV) -q tests; \
	if [[ -n "$$($(NODE_TESTS) | head -n 1)" ]]; then run "node --test" node_tests; \
	else echo "== node --test: no test files in tests/js/"; fi; \
	coverage_report() { $(COVERAGE_REPORT); }; \
	run coverage coverage_report; \
	if [[ -n "$$failed" ]]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make test: all steps passed"

lint: bootstrap
	$(RUFF) check $(PY_DIRS)
	$(RUFF) format --check $(PY_DIRS)

format: bootstrap
	$(RUFF) format $(PY_DIRS)
	$(RUFF) check --fix $(PY_DIRS)

# requirements.lock pins every package of the working .venv except tickstock itself.
lock:
	@test -x $(VENV)/bin/pip || { echo "make lock: no $(VENV); run make bootstrap first" >&2; exit 1; }
	@{ echo "# Pinned Python packages for TickStock Live (runtime + dev extras), installed by"; \
	   echo "# scripts/bootstrap.sh as: pip install -r requirements.lock && pip install --no-deps -e ."; \
	   echo "# Regenerate after changing dependencies in pyproject.toml:"; \
	   echo "#   .venv/bin/pip install -e '.[dev]'   (add --upgrade to move to newer releases)"; \
	   echo "#   make lock"; \
	   $(VENV)/bin/pip freeze --exclude-editable | grep -v -i -E '^(tickstock([=@ ]|$$)|#|-e )'; \
	 } > requirements.lock.tmp
	@mv requirements.lock.tmp requirements.lock
	@echo "make lock: wrote requirements.lock ($$(grep -c '==' requirements.lock) packages)"

bench: bootstrap
	@if [[ -f bench/run_all.py ]]; then $(PY) bench/run_all.py; \
	else echo "make bench: bench/run_all.py does not exist yet" >&2; exit 1; fi

# The report reads docs/bench/*.json (make bench) and the junit XML of this test run.
report: bootstrap coverage-clean
	-$(PYTEST_COV) -q tests --junitxml=docs/bench/junit.xml
	-$(C8_RUN) node --test tests/js/ >/dev/null
	-$(COVERAGE_REPORT)
	cp $(COV_DIR)/summary.json docs/bench/coverage.json
	$(PY) scripts/test_report.py --junit docs/bench/junit.xml
