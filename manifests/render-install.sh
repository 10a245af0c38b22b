#!/usr/bin/env bash
# Prints manifests/install.yaml as it must be: a header and `kubectl kustomize manifests/base`.
# `make manifests` writes it; `make drift` compares it with the committed file.
set -euo pipefail
cd "$(dirname "$0")/.."
printf '%s\n' \
  '# lbgate install manifest, rendered from manifests/base by `make manifests`' \
  '# (kubectl kustomize manifests/base). Do not edit: change manifests/base and regenerate;' \
  '# `make drift` fails when this file differs from the render.' \
  '# Before applying: set --cluster-name and the IRSA role ARN (see manifests/README.md).'
kubectl kustomize manifests/base
