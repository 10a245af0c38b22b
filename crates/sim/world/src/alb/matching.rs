//! Listener rule conditions evaluated against one request.
//!
//! Facts from the ALB user guide ("Condition types for listener rules") and the ListenerRule
//! `HostHeaderConfig` / `PathPatternConfig` references: `*` matches zero or more characters and
//! `?` exactly one; host names compare case-insensitively, paths case-sensitively; a path pattern
//! applies to the path only, never to the query string; the values of one condition are
//! alternatives (any may match) and all conditions of a rule must hold.

use lbgate_sim_elbv2::model::rules::Condition;

/// What the data plane knows about a request when it picks a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The `Host` header; a trailing `:port` is ignored.
    pub host: String,
    /// The request target: a path, optionally followed by `?query`.
    pub path: String,
    /// The HTTP method; `GET` unless set.
    pub method: String,
}

impl HttpRequest {
    /// A `GET` of `path` on `host`.
    pub fn get(host: &str, path: &str) -> Self {
        Self {
            host: host.to_owned(),
            path: path.to_owned(),
            method: "GET".to_owned(),
        }
    }

    /// The host name without a port.
    fn host_name(&self) -> &str {
        // An IPv6 literal keeps its colons inside brackets; only a colon after the last `]`
        // introduces a port.
        let after_bracket = self.host.rfind(']').map_or(0, |i| i + 1);
        match self
            .host
            .get(after_bracket..)
            .and_then(|rest| rest.rfind(':'))
        {
            Some(colon) => self.host.get(..after_bracket + colon).unwrap_or(&self.host),
            None => &self.host,
        }
    }

    /// The path without its query string.
    fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

/// Whether every condition of a rule holds for `request`. Condition fields the simulated request
/// does not carry (`http-header`, `query-string`, `source-ip`) never match, so a rule that needs
/// them is skipped rather than taken by accident.
pub fn rule_matches(conditions: &[Condition], request: &HttpRequest) -> bool {
    conditions.iter().all(|c| condition_matches(c, request))
}

fn condition_matches(condition: &Condition, request: &HttpRequest) -> bool {
    let mut values = condition.values.iter();
    match condition.field.as_str() {
        "host-header" => {
            let host = request.host_name().to_ascii_lowercase();
            values
                .map(|v| v.to_ascii_lowercase())
                .any(|pattern| wildcard(pattern.as_bytes(), host.as_bytes()))
        }
        "path-pattern" => {
            let path = request.path_only();
            values.any(|pattern| wildcard(pattern.as_bytes(), path.as_bytes()))
        }
        // Method names are matched exactly: the guide says the comparison is case sensitive.
        "http-request-method" => values.any(|m| *m == request.method),
        _ => false,
    }
}

/// `*`/`?` glob matching over bytes, iterative with one backtrack point (linear for the pattern
/// shapes rules use, never exponential).
pub fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

#[cfg(test)]
mod tests;
