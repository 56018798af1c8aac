# TickStock Live — the two commands are `make demo` and `make test`.
#
#   make bootstrap  install what is missing (system packages, .venv, node_modules); fast when done
#   make demo       bootstrap, then run the demo (private Redis, engine, app)
#   make test       bootstrap, then ruff, pytest (tests/) and node's test runner (tests/js/);
#                   every step runs, and the target fails if any of them failed
#   make lint       ruff check + ruff format --check
#   make format     ruff format + ruff check --fix
#   make lock       rewrite requirements.lock from the current .venv
#   make bench      run the benchmarks (bench/run_all.py), JSON into docs/bench/
#   make report     run the tests with junit XML, then write docs/test-report.md

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

VENV := .venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
PYTEST := $(VENV)/bin/pytest
PY_DIRS := $(wildcard src tests bench)
NODE_TESTS := find tests/js -type f \( -name '*.test.*js' -o -name '*[-_]test.*js' -o -name 'test-*.*js' -o -name 'test.*js' \) 2>/dev/null

.PHONY: bootstrap demo test lint format lock bench report

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	$(VENV)/bin/tickstock demo

# Each step prints a header; a failing step is remembered and the target fails at the end,
# so one run shows every problem. pytest's exit 5 (no test ran) counts as a failure.
test: bootstrap
	@failed=""; \
	run() { local name=$$1; shift; echo "== $$name"; \
		if "$$@"; then :; else local rc=$$?; failed="$$failed $$name"; \
			if [[ $$name == pytest && $$rc -eq 5 ]]; then echo "== pytest ran no test (exit 5)"; \
			else echo "== $$name failed (exit $$rc)"; fi; fi; }; \
	node_tests() { local log; log=$$(mktemp); \
		if node --test --test-reporter=spec tests/js/ >"$$log" 2>&1; then tail -n 8 "$$log"; rm -f "$$log"; \
		else cat "$$log"; rm -f "$$log"; return 1; fi; }; \
	run "ruff check" $(RUFF) check --quiet --output-format=concise $(PY_DIRS); \
	run "ruff format" $(RUFF) format --check $(PY_DIRS); \
	run pytest $(PYTEST) -q tests; \
	if [[ -n "$$($(NODE_TESTS) | head -n 1)" ]]; then run "node --test" node_tests; \
	else echo "== node --test: no test files in tests/js/"; fi; \
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
report: bootstrap
	-$(PYTEST) -q tests --junitxml=docs/bench/junit.xml
	$(PY) scripts/test_report.py --junit docs/bench/junit.xml
