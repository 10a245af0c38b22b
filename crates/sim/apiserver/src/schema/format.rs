//! The string `format`s kube-apiserver checks in custom resources (apiextensions
//! `supportedVersionedFormats`, names compared without `-`); every other format, `int32`,
//! `int64`, `double` included, is stripped from the schema and checks nothing.
//!
//! `isbn`, `isbn10`, `isbn13` and `creditcard` are supported formats that this simulator does
//! not check (they pass).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `text` is valid for `format`; `None` when the format checks nothing here.
pub fn check(format: &str, text: &str) -> Option<bool> {
    let normalized = format.replace('-', "");
    Some(match normalized.as_str() {
        "bsonobjectid" => text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()),
        "uri" => is_uri(text),
        "email" => is_email(text),
        "hostname" => is_hostname(text),
        "ipv4" => text.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => text.contains(':') && text.parse::<Ipv6Addr>().is_ok(),
        "cidr" => is_cidr(text),
        "mac" => is_mac(text),
        "uuid" => is_uuid(text, None),
        "uuid3" => is_uuid(text, Some('3')),
        "uuid4" => is_uuid(text, Some('4')),
        "uuid5" => is_uuid(text, Some('5')),
        "ssn" => is_ssn(text),
        "hexcolor" => is_hexcolor(text),
        "rgbcolor" => is_rgbcolor(text),
        "byte" => is_base64(text),
        "password" => true,
        "date" => is_date(text),
        "duration" => is_duration(text),
        "datetime" => is_datetime(text),
        _ => return None,
    })
}

fn digits(text: &str, n: usize) -> bool {
    text.len() == n && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_uri(text: &str) -> bool {
    // Go's url.ParseRequestURI: an absolute URI or an absolute path, no fragment handling.
    if text.starts_with('/') {
        return !text.contains(' ');
    }
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !text.contains(' ')
}

fn is_email(text: &str) -> bool {
    let address = match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => text.get(open + 1..close).unwrap_or_default(),
        _ => text,
    };
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !address.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_hostname(text: &str) -> bool {
    if text.is_empty() || text.len() > 255 {
        return false;
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    text.trim_end_matches('.').split('.').all(label_ok)
}

fn is_cidr(text: &str) -> bool {
    let Some((ip, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => bits <= 32,
        Ok(IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

fn is_mac(text: &str) -> bool {
    let hex = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_hexdigit());
    let octets = |n: usize| matches!(n, 6 | 8 | 20);
    for separator in [':', '-'] {
        let parts: Vec<&str> = text.split(separator).collect();
        if parts.len() > 1 {
            return octets(parts.len()) && parts.iter().all(|p| hex(p, 2));
        }
    }
    let groups: Vec<&str> = text.split('.').collect();
    octets(groups.len() * 2) && groups.iter().all(|p| hex(p, 4))
}

fn is_uuid(text: &str, version: Option<char>) -> bool {
    let compact: String = text.chars().filter(|c| *c != '-').collect();
    let dashes_ok = text.len() == 32
        || (text.len() == 36 && {
            let b = text.as_bytes();
            [8, 13, 18, 23].iter().all(|i| b.get(*i) == Some(&b'-'))
        });
    let hex = compact.len() == 32 && compact.chars().all(|c| c.is_ascii_hexdigit());
    let version_ok = match version {
        None => true,
        Some(v) => {
            let variant = compact.chars().nth(16).map(|c| c.to_ascii_lowercase());
            compact.chars().nth(12) == Some(v)
                && (v == '3' || variant.is_some_and(|c| "89ab".contains(c)))
        }
    };
    dashes_ok && hex && version_ok
}

fn is_ssn(text: &str) -> bool {
    let b = text.as_bytes();
    let sep = |i: usize| b.get(i).is_some_and(|c| *c == b'-' || *c == b' ');
    let only = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    match b.len() {
        9 => only(text),
        11 if sep(3) && sep(6) => {
            only(text.get(..3).unwrap_or("x"))
                && only(text.get(4..6).unwrap_or("x"))
                && only(text.get(7..).unwrap_or("x"))
        }
        _ => false,
    }
}

fn is_hexcolor(text: &str) -> bool {
    let hex = text.strip_prefix('#').unwrap_or(text);
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_rgbcolor(text: &str) -> bool {
    let Some(inner) = text.strip_prefix("rgb(").and_then(|t| t.strip_suffix(')')) else {
        return false;
    };
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    parts.len() == 3 && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

fn is_base64(text: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .is_ok()
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let month: u32 = m.parse().unwrap_or(0);
            let day: u32 = d.parse().unwrap_or(0);
            (1..=12).contains(&month) && (1..=31).contains(&day)
        }
        _ => false,
    }
}

/// RFC 3339 date-times and the ISO 8601 variants strfmt accepts (no zone, minutes only).
fn is_datetime(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, _zone_ok) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => {
            let zone = time.get(i..).unwrap_or_default();
            let ok = matches!(zone, "Z" | "z")
                || (zone.len() == 6
                    && zone.get(3..4) == Some(":")
                    && digits(zone.get(1..3).unwrap_or(""), 2)
                    && digits(zone.get(4..).unwrap_or(""), 2))
                || (zone.len() == 5 && digits(zone.get(1..).unwrap_or(""), 4));
            if !ok {
                return false;
            }
            (time.get(..i).unwrap_or_default(), ok)
        }
        None => (time, true),
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let fields: Vec<&str> = hms.split(':').collect();
    let in_range = |s: &str, max: u32| digits(s, 2) && s.parse::<u32>().is_ok_and(|v| v <= max);
    match fields.as_slice() {
        [h, m, s] => in_range(h, 23) && in_range(m, 59) && in_range(s, 60),
        [h, m] => fraction.is_none() && in_range(h, 23) && in_range(m, 59),
        _ => false,
    }
}

/// Go's `time.ParseDuration` forms (`1h30m`, `250ms`) and strfmt's `<n> <unit>` forms.
fn is_duration(text: &str) -> bool {
    const GO_UNITS: [&str; 7] = ["ns", "us", "µs", "ms", "s", "m", "h"];
    const LONG_UNITS: [&str; 13] = [
        "ns", "us", "ms", "s", "m", "h", "d", "w", "second", "minute", "hour", "day", "week",
    ];
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    if body == "0" {
        return true;
    }
    // One number and a unit, strfmt style: "3 days", "1h".
    let number_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    if number_end > 0 {
        let unit = body
            .get(number_end..)
            .unwrap_or_default()
            .trim_start()
            .trim_end_matches('s');
        if LONG_UNITS.contains(&unit) || unit.is_empty() && body.ends_with('s') {
            return true;
        }
    }
    // Go: one or more <decimal><unit>.
    let mut rest = body;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = rest.get(..end).unwrap_or_default();
        if number.is_empty() || number == "." {
            return false;
        }
        rest = rest.get(end..).unwrap_or_default();
        let Some(unit) = GO_UNITS
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = rest.get(unit.len()..).unwrap_or_default();
    }
    true
}

#[cfg(test)]
mod tests;
