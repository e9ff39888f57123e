# Two commands do the whole set-up on a fresh machine:
#   make plan   install everything, then run the offline plan of the dev stack
#   make test   install everything, then lint, type-check and run the tests
# Both are idempotent: a second run only re-checks the environment.

SHELL := /bin/bash
UV := python3 -m uv
STACK ?= dev

.PHONY: setup plan test lint typecheck pytest bench

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --locked --quiet
	@# Redis backs the router's shared-state tests; install it where we may (CI runs as root).
	@# npm tools the tests check output with (SARIF Multitool), exactly as locked
	@[ -x node_modules/.bin/sarif-multitool ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --silent --no-audit --no-fund
	@command -v redis-server >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null) || echo "note: redis-server not installed; Redis-backed router tests will be skipped"; }
	@# promtool (Debian's prometheus package) checks and unit-tests the alert rules
	@command -v promtool >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null) || echo "note: promtool not installed; alert rule tests will be skipped"; }

plan: setup
	$(UV) run meridian plan $(STACK) --out plans/$(STACK).json

test: setup lint typecheck pytest

lint:
	$(UV) run ruff check meridian infra policies router tests

typecheck:
	$(UV) run pyright

pytest:
	$(UV) run pytest -q

bench: setup
	$(UV) run python benchmarks/plan_bench.py
