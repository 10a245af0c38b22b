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

unit: venv ## every test of the workspace (unit, simulator, parity against moto, e2e)
	# e2e scenarios start these binaries as processes: build them fresh first.
	$(CARGO) build --quiet --bins -p lbgate-controller -p lbgate-sim
	$(TEST_CMD)
	$(CARGO) test --workspace --doc --quiet

drift: ## fail when a generated file differs from what the code generates
	$(CARGO) run --quiet -p lbgate-api --bin lbgate-crdgen -- --check
	# The CRD copies in the kustomize base and the chart, and the rendered install.yaml.
	for crd in manifests/crds/*.yaml; do \
	  cmp "$$crd" "manifests/base/crd/$${crd##*/}" && cmp "$$crd" "manifests/helm/lbgate/crds/$${crd##*/}" \
	    || { echo "drift: CRD copies are stale; run make manifests" >&2; exit 1; }; \
	done
	bash manifests/render-install.sh | diff -u manifests/install.yaml - \
	  || { echo "drift: manifests/install.yaml differs from manifests/base; run make manifests" >&2; exit 1; }

validate-manifests: venv ## validate every manifest, the rendered chart and config/ offline
	# Helm's own engine (bundled in a wheel: no helm binary exists here), pinned by hash.
	$(PY) -c 'import importlib.metadata as m, sys; sys.exit(m.version("helm-python-sdk") != "0.2.2")' 2>/dev/null \
	  || $(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r manifests/helm/requirements.txt
	# kustomization.yaml and the ServiceMonitor have no schema there: they are warned about, not checked.
	$(VENV)/bin/kubernetes-validate --strict --quiet $$(find manifests -name '*.yaml' -not -path '*/helm/*' | sort)
	$(PY) manifests/check_chart.py
	$(PY) config/check_config.py

manifests: ## regenerate the committed CRD YAML, its copies and manifests/install.yaml
	$(CARGO) run --quiet -p lbgate-api --bin lbgate-crdgen
	cp manifests/crds/*.yaml manifests/base/crd/
	cp manifests/crds/*.yaml manifests/helm/lbgate/crds/
	bash manifests/render-install.sh > manifests/install.yaml.tmp
	mv manifests/install.yaml.tmp manifests/install.yaml

test: venv fmt-check clippy drift validate-manifests unit ## everything CI checks: fmt, clippy, drift, manifests, all tests

demo: ## the ELBv2 simulator lifecycle story (the full rollout demo arrives with the simulated world)
	$(CARGO) run --quiet -p lbgate-sim -- demo

e2e: venv ## end-to-end scenarios: the real controller binary against lbgate-sim
	$(CARGO) build --quiet --bins -p lbgate-controller -p lbgate-sim
	$(CARGO) nextest run -p lbgate-e2e --no-fail-fast

bench: ## benchmarks; figures go to bench/results/ and the README table
	# The figures are bound by the simulated AWS budget and health-check grid, not CPU: a debug
	# build measures the same. The gate-lag benchmark starts the controller binary: build it first.
	$(CARGO) build --quiet --bins -p lbgate-controller -p lbgate-sim
	$(CARGO) run --quiet -p lbgate-e2e --bin lbgate-bench -- --out bench/results

clean-venv:
	rm -rf $(VENV)
