//! Object name validation on create, with kube-apiserver's messages (apimachinery
//! `validation.IsDNS1123Subdomain`, `IsDNS1123Label`, `IsDNS1035Label`): namespaces are
//! DNS-1123 labels, Services DNS-1035 labels, everything else DNS-1123 subdomains.

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_1123: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_1035: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(text: &str, first_alpha: bool) -> bool {
    let bytes = text.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let first_ok = bytes.first().is_some_and(|b| {
        if first_alpha {
            b.is_ascii_lowercase()
        } else {
            edge(b)
        }
    });
    first_ok && bytes.last().is_some_and(edge) && bytes.iter().all(|b| edge(b) || *b == b'-')
}

/// Problems with `name` for a resource of this group and plural, as `metadata.name` causes.
pub fn name_problems(group: &str, plural: &str, name: &str) -> Vec<String> {
    let invalid = |why: &str| format!("Invalid value: \"{name}\": {why}");
    let (max, ok, message) = match (group, plural) {
        ("", "namespaces") => (63, is_label(name, false), LABEL_1123),
        ("", "services") => (63, is_label(name, true), LABEL_1035),
        _ => (
            253,
            name.split('.').all(|part| is_label(part, false)),
            SUBDOMAIN,
        ),
    };
    let mut problems = Vec::new();
    if name.len() > max {
        problems.push(invalid(&format!("must be no more than {max} characters")));
    }
    if !ok {
        problems.push(invalid(message));
    }
    problems
}

#[cfg(test)]
mod tests;
