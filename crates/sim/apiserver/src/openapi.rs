//! Just enough OpenAPI for kubectl: `/openapi/v3` lists one document per group/version, and
//! each document declares a PATCH operation per kind that accepts the `fieldValidation` query
//! parameter. kubectl then leaves validation to the server (which accepts every field here: no
//! schema validation) instead of downloading schemas, and `kubectl apply` builds its patches
//! from its compiled-in types (strategic merge) or as JSON merge patches (custom resources),
//! because no operation here advertises strategic-merge bodies. `/openapi/v2` answers 404, as a
//! server with the v2 endpoint disabled does; kubectl only falls back to it when v3 fails.

use serde_json::{Map, Value, json};

use super::resources::Registry;

fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the index of per-group-version documents.
pub fn index(registry: &Registry, hash: &str) -> Value {
    let mut paths = Map::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for res in registry.all() {
        let gv = (res.group.clone(), res.version.clone());
        if seen.contains(&gv) {
            continue;
        }
        seen.push(gv);
        let path = group_version_path(&res.group, &res.version);
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
        );
    }
    json!({"paths": paths})
}

/// `/openapi/v3/<api/v1 | apis/group/version>`, or `None` for an unknown group/version.
pub fn group_version_document(registry: &Registry, path: &str) -> Option<Value> {
    let (group, version) = match path
        .trim_matches('/')
        .split('/')
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["api", version] => (String::new(), (*version).to_owned()),
        ["apis", group, version] => ((*group).to_owned(), (*version).to_owned()),
        _ => return None,
    };
    let served = registry.in_group_version(&group, &version);
    if served.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    for res in served {
        let prefix = format!("/{}", group_version_path(&group, &version));
        let item = if res.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", res.plural)
        } else {
            format!("{prefix}/{}/{{name}}", res.plural)
        };
        let body = json!({"schema": {"type": "object"}});
        paths.insert(
            item,
            json!({"patch": {
                "operationId": format!("patch{}", res.kind),
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": res.kind},
                "parameters": [
                    {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                    {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                    {"name": "force", "in": "query", "schema": {"type": "boolean"}},
                ],
                "requestBody": {"content": {
                    "application/json-patch+json": body,
                    "application/merge-patch+json": body,
                    "application/apply-patch+yaml": body,
                }},
                "responses": {"200": {"description": "OK"}},
            }}),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
