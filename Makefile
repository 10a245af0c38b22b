# lbgate — every entry point a developer or CI needs. `make test` is what CI runs (.ci/run).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
VENV := .venv
PY := $(VENV)/bin/python
HARNESS := e2e/harness
# nextest runs each test in its own process (faster on 2 cores, isolates servers); fall back to cargo test.
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)
ifeq ($(NEXTEST),yes)
TEST_CMD = $(CARGO) nextest run --workspace --no-fail-fast
else
TEST_CMD = $(CARGO) test --workspace --no-fail-fast
endif
export LBGATE_MOTO_SERVER := $(abspath $(VENV))/bin/moto_server

.PHONY: help build lint fmt fmt-check clippy test unit drift validate-manifests manifests venv demo e2e bench clean-venv

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

build: ## build every crate and test target
	$(CARGO) build --workspace --all-targets

fmt: ## format the code
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

lint: fmt-check clippy ## rustfmt check + clippy with warnings denied

venv: $(VENV)/.installed ## pinned Python tools for tests (moto, kubernetes-validate) in .venv/

$(VENV)/.installed: $(HARNESS)/requirements.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(HARNESS)/requirements.lock
	touch $@

unit: venv ## every test of the workspace (unit, simulator, parity against moto)
	$(TEST_CMD)
	$(CARGO) test --workspace --doc --quiet

drift: ## fail when a generated file differs from what the code generates
	$(CARGO) run --quiet -p lbgate-api --bin lbgate-crdgen -- --check

validate-manifests: venv ## validate every manifest offline against the Kubernetes schemas
	$(VENV)/bin/kubernetes-validate --strict --quiet $$(find manifests -name '*.yaml' -not -path '*/helm/*' | sort)

manifests: ## regenerate the committed CRD YAML
	$(CARGO) run --quiet -p lbgate-api --bin lbgate-crdgen

test: venv fmt-check clippy drift validate-manifests unit ## everything CI checks: fmt, clippy, drift, manifests, all tests

demo: ## the ELBv2 simulator lifecycle story (the full rollout demo arrives with the simulated world)
	$(CARGO) run --quiet -p lbgate-sim -- demo

e2e: venv ## end-to-end scenarios: the real controller binary against lbgate-sim
	$(CARGO) nextest run -p lbgate-e2e --no-fail-fast

bench: ## benchmarks; figures go to bench/results/ and the README table
	# The figures are bound by the simulated AWS budget, not CPU: a debug build measures the same.
	$(CARGO) run --quiet -p lbgate-e2e --bin lbgate-bench -- --out bench/results

clean-venv:
	rm -rf $(VENV)
