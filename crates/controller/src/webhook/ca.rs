//! Certificate generation for the self-managed mode (rcgen, aws-lc-rs): CAs, and serving
//! certificates a CA signs. A CA is reloaded from its PEM key and its subject name, which is all
//! signing needs (parsing its certificate would need another crate).

use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::error::Error;

pub(super) fn gen_err(source: rcgen::Error) -> Error {
    Error::Certificate {
        what: "generating".to_owned(),
        source: Box::new(source),
    }
}

/// A CA: its certificate, key, and the subject name that certificates it signs refer to.
#[derive(Clone)]
pub(super) struct Ca {
    pub(super) name: String,
    pub(super) cert_pem: String,
    pub(super) key_pem: String,
}

/// Day granularity is what rcgen offers without another time crate; starting a day early
/// also absorbs clock skew between replicas and API servers.
fn validity(params: &mut CertificateParams, now: Timestamp, length: Duration) {
    let day = |at: Timestamp| {
        let date = at.to_zoned(k8s_openapi::jiff::tz::TimeZone::UTC).date();
        rcgen::date_time_ymd(
            i32::from(date.year()),
            u8::try_from(date.month()).unwrap_or(1),
            u8::try_from(date.day()).unwrap_or(1),
        )
    };
    let one_day = k8s_openapi::jiff::SignedDuration::from_hours(24);
    let span = k8s_openapi::jiff::SignedDuration::try_from(length).unwrap_or(one_day);
    params.not_before = day(now.saturating_sub(one_day).unwrap_or(now));
    params.not_after = day(now.saturating_add(span).unwrap_or(now));
}

fn ca_params(name: &str) -> Result<CertificateParams, Error> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

pub(super) fn new_ca(now: Timestamp, length: Duration) -> Result<Ca, Error> {
    // A name of its own per CA: chains are built by name, and two CAs with one name would make
    // a client try the wrong key.
    let name = format!("lbgate webhook CA {}", now.as_millisecond());
    let mut params = ca_params(&name)?;
    validity(&mut params, now, length);
    let key = KeyPair::generate().map_err(gen_err)?;
    let cert = params.self_signed(&key).map_err(gen_err)?;
    Ok(Ca {
        name,
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

pub(super) fn issue(
    ca: &Ca,
    names: Vec<String>,
    now: Timestamp,
    length: Duration,
) -> Result<(String, String), Error> {
    let ca_key = KeyPair::from_pem(&ca.key_pem).map_err(gen_err)?;
    let issuer = Issuer::new(ca_params(&ca.name)?, ca_key);
    let common_name = names.first().cloned().unwrap_or_default();
    let mut params = CertificateParams::new(names).map_err(gen_err)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    validity(&mut params, now, length);
    let key = KeyPair::generate().map_err(gen_err)?;
    let cert = params.signed_by(&key, &issuer).map_err(gen_err)?;
    Ok((cert.pem(), key.serialize_pem()))
}
