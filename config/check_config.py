"""Checks config/ without promtool (none can be had here) (`make validate-manifests`).

1. Every YAML and JSON file parses.
2. prometheus/alerts.yaml has the rule-file structure Prometheus loads: named groups; rules with
   a CamelCase `alert`, an `expr`, a duration `for`, `labels.severity` and `annotations.summary`
   and `.description`; no unknown keys; no duplicate names. Expressions have balanced brackets,
   and rate()/increase() are only applied to counters (`_total`) or histogram buckets.
3. Every `lbgate_*` metric named by an alert or a dashboard panel is registered in the code
   (crates/*/src, outside tests).
4. The IAM policies name only ELBv2 actions of crates/elbv2/src/operation.rs; the binding policy
   holds exactly the actions the controller calls outside the ingress path, and the ingress
   policy every action lbgate can call.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
CRATES = ROOT / "crates"
OPERATION_RS = CRATES / "elbv2" / "src" / "operation.rs"
# Not ours, but allowed in expressions.
PROMETHEUS_BUILTINS = {"up"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
SEVERITIES = {"info", "warning", "critical"}
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
METRIC_TOKEN = re.compile(r"\blbgate_[a-z0-9_]+\b")


def source_files() -> list[Path]:
    files = []
    for path in sorted(CRATES.glob("*/src/**/*.rs")):
        if path.name == "tests.rs" or "tests" in path.relative_to(CRATES).parts[2:-1]:
            continue
        files.append(path)
    return files


def strip_test_modules(text: str) -> str:
    """Drops `#[cfg(test)] mod tests { ... }` blocks, which sit at the end of our files."""
    marker = text.find("#[cfg(test)]")
    return text if marker < 0 else text[:marker]


def registered_metrics() -> set[str]:
    names: set[str] = set()
    patterns = [
        re.compile(r'"(lbgate_[a-z0-9_]+)"'),
        re.compile(r'\bname\(\s*"([a-z0-9_]+)"\s*\)'),
        re.compile(r"\{METRIC_PREFIX\}([a-z0-9_]+)"),
    ]
    for path in source_files():
        text = strip_test_modules(path.read_text())
        for pattern in patterns:
            for found in pattern.findall(text):
                names.add(found if found.startswith("lbgate_") else f"lbgate_{found}")
    return names


def base_metric(token: str) -> list[str]:
    candidates = [token]
    for suffix in HISTOGRAM_SUFFIXES:
        if token.endswith(suffix):
            candidates.append(token[: -len(suffix)])
    return candidates


def check_expr(where: str, expr: str, known: set[str], errors: list[str]) -> set[str]:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                errors.append(f"{where}: unbalanced {char!r} in {expr!r}")
                return set()
    if stack:
        errors.append(f"{where}: unclosed {stack[-1]!r} in {expr!r}")
    for func, metric in re.findall(r"\b(rate|irate|increase)\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)", expr):
        if not metric.endswith(("_total", "_bucket", "_count", "_sum")):
            errors.append(f"{where}: {func}() over {metric}, which is not a counter")
    used = set(METRIC_TOKEN.findall(expr))
    for token in sorted(used):
        if not any(name in known for name in base_metric(token)):
            errors.append(f"{where}: metric {token} is not registered anywhere in crates/*/src")
    return used


def check_alerts(known: set[str], errors: list[str]) -> set[str]:
    path = CONFIG / "prometheus" / "alerts.yaml"
    doc = yaml.safe_load(path.read_text())
    used: set[str] = set()
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, list) or not groups:
        errors.append(f"{path}: no `groups` list")
        return used
    group_names, alert_names = set(), set()
    for group in groups:
        name = group.get("name")
        if not name or name in group_names:
            errors.append(f"{path}: group name missing or repeated: {name!r}")
        group_names.add(name)
        for rule in group.get("rules") or []:
            alert = rule.get("alert")
            where = f"{path.name}:{alert}"
            unknown = set(rule) - RULE_KEYS
            if unknown:
                errors.append(f"{where}: unknown keys {sorted(unknown)}")
            if not alert or not re.fullmatch(r"[A-Z][A-Za-z0-9]+", alert) or alert in alert_names:
                errors.append(f"{where}: alert name missing, not CamelCase or repeated")
            alert_names.add(alert)
            if not isinstance(rule.get("expr"), str) or not rule["expr"].strip():
                errors.append(f"{where}: no expr")
                continue
            if not DURATION.match(str(rule.get("for", ""))):
                errors.append(f"{where}: `for` is not a duration: {rule.get('for')!r}")
            if (rule.get("labels") or {}).get("severity") not in SEVERITIES:
                errors.append(f"{where}: labels.severity must be one of {sorted(SEVERITIES)}")
            annotations = rule.get("annotations") or {}
            for key in ("summary", "description"):
                if not annotations.get(key):
                    errors.append(f"{where}: annotations.{key} missing")
            used |= check_expr(where, rule["expr"], known | PROMETHEUS_BUILTINS, errors)
    print(f"check_config: {path.relative_to(ROOT)}: {len(alert_names)} alerts in {len(group_names)} groups")
    return used


def check_dashboard(known: set[str], errors: list[str]) -> set[str]:
    path = CONFIG / "grafana" / "lbgate-dashboard.json"
    dash = json.loads(path.read_text())
    used: set[str] = set()
    for key in ("title", "uid", "panels"):
        if not dash.get(key):
            errors.append(f"{path}: `{key}` missing")
    ids = [p.get("id") for p in dash.get("panels", [])]
    if len(ids) != len(set(ids)):
        errors.append(f"{path}: panel ids repeat: {ids}")
    for panel in dash.get("panels", []):
        targets = panel.get("targets") or []
        if not targets:
            errors.append(f"{path}: panel {panel.get('title')!r} has no query")
        for target in targets:
            where = f"{path.name}:{panel.get('title')}"
            used |= check_expr(where, target.get("expr", ""), known, errors)
    print(f"check_config: {path.relative_to(ROOT)}: {len(ids)} panels")
    return used


def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check_iam(errors: list[str]) -> None:
    text = OPERATION_RS.read_text()
    # Only `impl Operation`'s as_str(): the same file also names API classes and priorities.
    start, end = text.find("impl Operation {"), text.find("impl fmt::Display for Operation")
    operations = set(re.findall(r'Self::\w+ => "([A-Za-z]+)"', text[start:end]))
    if not operations:
        errors.append(f"{OPERATION_RS}: no operation names found")
        return
    called_by_binding_path = set()
    for path in source_files():
        if "controller" not in path.parts or "ingress" in str(path.relative_to(CRATES)):
            continue
        text = strip_test_modules(path.read_text())
        for op in operations:
            if re.search(rf"\.{camel_to_snake(op)}\s*\(", text):
                called_by_binding_path.add(op)
    policies = {}
    for name in ("binding-policy.json", "ingress-policy.json"):
        path = CONFIG / "iam" / name
        policy = json.loads(path.read_text())
        if policy.get("Version") != "2012-10-17":
            errors.append(f"{name}: Version must be 2012-10-17")
        actions = set()
        for statement in policy.get("Statement", []):
            if statement.get("Effect") != "Allow" or not statement.get("Resource"):
                errors.append(f"{name}: statement {statement.get('Sid')} is not an Allow with a Resource")
            for action in statement.get("Action", []):
                service, _, op = action.partition(":")
                if service != "elasticloadbalancing" or op not in operations:
                    errors.append(f"{name}: {action} is not an action of {OPERATION_RS.name}")
                actions.add(op)
        policies[name] = actions
    if policies["binding-policy.json"] != called_by_binding_path:
        errors.append(
            f"binding-policy.json {sorted(policies['binding-policy.json'])} != actions the "
            f"controller calls {sorted(called_by_binding_path)}"
        )
    if policies["ingress-policy.json"] != operations:
        errors.append(
            f"ingress-policy.json misses {sorted(operations - policies['ingress-policy.json'])}"
        )
    print(
        f"check_config: IAM: binding path {len(policies['binding-policy.json'])} actions, "
        f"ingress path {len(policies['ingress-policy.json'])} of {len(operations)}"
    )


def main() -> int:
    errors: list[str] = []
    for path in sorted(CONFIG.rglob("*")):
        try:
            if path.suffix in (".yaml", ".yml"):
                list(yaml.safe_load_all(path.read_text()))
            elif path.suffix == ".json":
                json.loads(path.read_text())
        except (yaml.YAMLError, json.JSONDecodeError) as err:
            errors.append(f"{path}: does not parse: {err}")
    known = registered_metrics()
    if not known:
        errors.append("no lbgate_ metric found in crates/*/src")
    if not errors:
        used = check_alerts(known, errors) | check_dashboard(known, errors)
        print(f"check_config: {len(used)} lbgate_ metric names used, {len(known)} registered")
        check_iam(errors)
    for error in errors:
        print(f"check_config: ERROR {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
