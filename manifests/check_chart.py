"""Renders and checks the Helm chart with Helm's own engine (`make validate-manifests`).

No helm binary exists on these machines; helm-python-sdk (manifests/helm/requirements.txt)
bundles the official Helm Go SDK as a C library, so what is rendered here is what `helm template`
renders. Checks, each of which fails the run:
  1. `helm lint --strict` reports no warning or error;
  2. every scenario below renders, and each rendered manifest passes
     `kubernetes-validate --strict` (CRs such as ServiceMonitor, Issuer and Certificate have no
     schema there and are only warned about);
  3. values the controller would refuse make the render fail (values.schema.json, which Helm
     applies on every render, and the chart's own `lbgate.validate` checks);
  4. rendered with the kustomize base's settings, the chart produces the same objects as
     manifests/install.yaml, apart from Helm's own labels and how the Roles are split;
  5. the chart's crds/ is byte-identical to manifests/crds/;
  6. every flag the Deployments pass (install.yaml and every scenario) is a field of the
     controller's `Flags` (crates/controller/src/config/flags.rs).
Usage: check_chart.py [--keep DIR]   (DIR keeps the rendered scenarios for inspection)
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

try:
    import helm_python as helm
except ImportError:
    sys.exit("check_chart: helm-python-sdk missing; `make validate-manifests` installs it")

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "manifests" / "helm" / "lbgate"
INSTALL = ROOT / "manifests" / "install.yaml"
CRDS = ROOT / "manifests" / "crds"
FLAGS_RS = ROOT / "crates" / "controller" / "src" / "config" / "flags.rs"
VALIDATE = Path(sys.executable).parent / "kubernetes-validate"
NAMESPACE = "kube-system"
# Labels Helm adds on top of the kustomize base's.
HELM_LABELS = {
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
    "helm.sh/chart",
}

# The kustomize base's settings, expressed as chart values.
BASE_EQUIVALENT = {
    "clusterName": "CHANGE-ME",
    "image": {"repository": "lbgate-controller", "tag": "0.1.0"},
    "serviceAccount": {"roleArn": "arn:aws:iam::111122223333:role/CHANGE-ME-lbgate-controller"},
    "serviceMonitor": {"enabled": True},
}

SCENARIOS: dict[str, dict] = {
    "defaults": {"clusterName": "prod-eks"},
    "base-equivalent": BASE_EQUIVALENT,
    "dir-cert-manager": {
        "clusterName": "prod-eks",
        "webhook": {"certMode": "dir", "certManager": {"enabled": True}},
        "serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
    },
    "dir-user-ca": {
        "clusterName": "prod-eks",
        "webhook": {"certMode": "dir", "caBundle": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="},
    },
    "single-replica-scoped": {
        "clusterName": "prod-eks",
        "replicaCount": 1,
        "watchNamespaces": ["shop", "payments"],
        "leaderElection": {"enabled": False},
        "enablePodReadinessGateInject": False,
        "aws": {"region": "eu-west-1", "maxRetries": 5},
        "logLevel": "debug",
        "logFormat": "text",
        "extraArgs": ["--config=/etc/lbgate/controller.yaml"],
        "extraVolumes": [{"name": "config", "configMap": {"name": "lbgate-config"}}],
        "extraVolumeMounts": [{"name": "config", "mountPath": "/etc/lbgate", "readOnly": True}],
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "podDisruptionBudget": {"enabled": False},
        "serviceAccount": {"roleArn": "arn:aws:iam::111122223333:role/lbgate"},
    },
}

# Values that must not render, and a fragment of the message Helm must give.
REFUSED: dict[str, tuple[dict, str]] = {
    "no cluster name": ({}, "clusterName is required"),
    "unknown cert mode": (
        {"clusterName": "x", "webhook": {"certMode": "cert-manager"}},
        "/webhook/certMode",
    ),
    "dir mode without a CA": ({"clusterName": "x", "webhook": {"certMode": "dir"}}, "caBundle"),
    "bad log format": ({"clusterName": "x", "logFormat": "logfmt"}, "/logFormat"),
    "misspelt value": ({"clusterName": "x", "replicas": 3}, "'replicas' not allowed"),
    "bad backoff duration": (
        {"clusterName": "x", "targetGroupBinding": {"maxExponentialBackoffDelay": "ten minutes"}},
        "/targetGroupBinding/maxExponentialBackoffDelay",
    ),
}


class CheckError(Exception):
    pass


def render(values: dict) -> str:
    with helm.Chart.load(str(CHART)) as chart:
        files = chart.render(values, name="lbgate", namespace=NAMESPACE, is_install=True)
    docs = [
        text
        for path, text in sorted(files.items())
        if path.endswith((".yaml", ".yml")) and text.strip()
    ]
    return "---\n".join(doc if doc.endswith("\n") else doc + "\n" for doc in docs)


def lint() -> None:
    report = helm.lint(str(CHART), {"clusterName": "lint"}, strict=True, namespace=NAMESPACE)
    # Helm's severities: 1 info, 2 warning, 3 error.
    bad = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    if bad or report.get("errors"):
        raise CheckError(f"helm lint --strict: {bad or report['errors']}")
    print(f"check_chart: helm lint --strict passed ({len(report.get('messages', []))} info)")


def kubernetes_validate(paths: list[Path]) -> None:
    result = subprocess.run(
        [str(VALIDATE), "--strict", "--quiet", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise CheckError("kubernetes-validate --strict rejected the rendered chart")


def strip(obj: dict) -> dict:
    """Drops what Helm adds and the kustomize base does not have."""
    obj = copy.deepcopy(obj)
    stack = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            labels = node.get("labels")
            if isinstance(labels, dict) and "app.kubernetes.io/name" in labels:
                for key in HELM_LABELS:
                    labels.pop(key, None)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return obj


def key(obj: dict) -> tuple[str, str, str]:
    meta = obj.get("metadata", {})
    return (obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))


def compare_with_install(rendered: str) -> None:
    chart_objs = {key(o): strip(o) for o in yaml.safe_load_all(rendered) if o}
    base_objs = {
        key(o): o
        for o in yaml.safe_load_all(INSTALL.read_text())
        if o and o.get("kind") != "CustomResourceDefinition"
    }
    problems = []
    # The chart splits the base's Role in two (the Lease may live in another namespace):
    # compare the rules they grant together in kube-system.
    chart_roles = [o for k, o in chart_objs.items() if k[0] in ("Role", "RoleBinding")]
    base_roles = [o for k, o in base_objs.items() if k[0] in ("Role", "RoleBinding")]
    chart_rules = sorted(
        (yaml.safe_dump(r, sort_keys=True) for o in chart_roles if o["kind"] == "Role" for r in o["rules"])
    )
    base_rules = sorted(
        (yaml.safe_dump(r, sort_keys=True) for o in base_roles if o["kind"] == "Role" for r in o["rules"])
    )
    if chart_rules != base_rules:
        problems.append(f"Role rules differ:\n chart {chart_rules}\n base  {base_rules}")
    base_subjects = [o["subjects"] for o in base_roles if o["kind"] == "RoleBinding"]
    for binding in (o for o in chart_roles if o["kind"] == "RoleBinding"):
        if [binding["subjects"]] != base_subjects:
            problems.append(f"RoleBinding {binding['metadata']['name']} subjects differ")
    chart_rest = {k: o for k, o in chart_objs.items() if k[0] not in ("Role", "RoleBinding")}
    base_rest = {k: o for k, o in base_objs.items() if k[0] not in ("Role", "RoleBinding")}
    if set(chart_rest) != set(base_rest):
        problems.append(
            f"objects differ: only chart {sorted(set(chart_rest) - set(base_rest))}, "
            f"only base {sorted(set(base_rest) - set(chart_rest))}"
        )
    for k in sorted(set(chart_rest) & set(base_rest)):
        if chart_rest[k] != base_rest[k]:
            problems.append(
                f"{k} differs:\n--- chart\n{yaml.safe_dump(chart_rest[k])}--- base\n"
                f"{yaml.safe_dump(base_rest[k])}"
            )
    if problems:
        raise CheckError("chart != install.yaml with the base's settings:\n" + "\n".join(problems))
    print(f"check_chart: base-equivalent render matches manifests/install.yaml ({len(base_objs)} objects)")


def controller_flags() -> set[str]:
    text = FLAGS_RS.read_text()
    fields = re.findall(r"^\s*pub ([a-z_]+):", text, flags=re.MULTILINE)
    if not fields:
        raise CheckError(f"no flag fields found in {FLAGS_RS}")
    return {"--" + field.replace("_", "-") for field in fields}


def check_flags(documents: dict[str, str]) -> None:
    known = controller_flags()
    used = 0
    for source, text in documents.items():
        for obj in yaml.safe_load_all(text):
            if not obj or obj.get("kind") != "Deployment":
                continue
            for container in obj["spec"]["template"]["spec"]["containers"]:
                for arg in container.get("args", []):
                    flag = arg.split("=", 1)[0]
                    if flag not in known:
                        raise CheckError(f"{source}: {flag} is not a flag of lbgate-controller")
                    used += 1
    print(f"check_chart: {used} flag uses, all known to lbgate-controller ({len(known)} flags)")


def check_refused() -> None:
    for what, (values, fragment) in REFUSED.items():
        try:
            render(values)
        except helm.HelmError as err:
            if fragment not in str(err):
                raise CheckError(f"{what}: failed, but without {fragment!r}: {err}") from err
            continue
        raise CheckError(f"{what}: rendered, but must be refused")
    print(f"check_chart: {len(REFUSED)} invalid value sets refused with a message")


def check_crds() -> None:
    ours = sorted(p.name for p in (CHART / "crds").iterdir())
    generated = sorted(p.name for p in CRDS.iterdir())
    if ours != generated:
        raise CheckError(f"chart crds/ {ours} != manifests/crds/ {generated}; run make manifests")
    for name in generated:
        if not filecmp.cmp(CHART / "crds" / name, CRDS / name, shallow=False):
            raise CheckError(f"chart crds/{name} is stale; run make manifests")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the rendered scenarios here")
    args = parser.parse_args()
    print(f"check_chart: Helm SDK {helm.helm_sdk_version()} via helm-c {helm.helm_c_version()}")
    try:
        lint()
        check_crds()
        with tempfile.TemporaryDirectory() as tmp:
            out = args.keep or Path(tmp)
            out.mkdir(parents=True, exist_ok=True)
            paths = []
            documents = {str(INSTALL.relative_to(ROOT)): INSTALL.read_text()}
            for name, values in SCENARIOS.items():
                text = render(values)
                if not text.strip():
                    raise CheckError(f"scenario {name} rendered nothing")
                path = out / f"{name}.yaml"
                path.write_text(text)
                paths.append(path)
                documents[f"scenario {name}"] = text
                if name == "base-equivalent":
                    compare_with_install(text)
            check_flags(documents)
            kubernetes_validate(paths + sorted((CHART / "crds").glob("*.yaml")))
            print(f"check_chart: {len(paths)} scenarios rendered and validated")
        check_refused()
    except (CheckError, helm.HelmError, OSError, yaml.YAMLError) as err:
        print(f"check_chart: FAILED: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
