//! Reaching the clinic server: the address (a `postgresql://` URL or libpq's
//! `key=value` form), the TLS mode checked as libpq checks it, and the password from the
//! environment or a `.pgpass` file, never from the address.
//!
//! TLS modes (`sslmode=`): `disable`; `prefer` and `require` (encrypted, certificate not
//! checked, as libpq); `verify-ca` (signed by the clinic's CA) and `verify-full` (signed
//! by it and issued for the host named in the address). The CA is `sslrootcert=PATH`, or
//! libpq's `~/.postgresql/root.crt`. Without `sslmode`, an address on this machine
//! (localhost, 127.0.0.1, ::1, a socket) is `prefer` and any other is `verify-full`:
//! patient data never crosses the network to a server nobody checked unless the
//! address says `sslmode=disable` (or `require`) in so many words.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::CertificateError;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StoreError;

/// How the connection is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tls {
    Disable,
    Prefer,
    Require,
    VerifyCa(PathBuf),
    VerifyFull(PathBuf),
}

/// A parsed address: the driver's settings (with the password looked up), the TLS mode
/// and the server's name for people.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub config: Config,
    pub tls: Tls,
    pub describe: String,
}

fn bad(describe: &str, reason: impl Into<String>) -> StoreError {
    StoreError::CannotOpen {
        path: PathBuf::from(describe),
        reason: reason.into(),
    }
}

/// Parses `address`; `env` reads the environment (a parameter, so tests can give theirs).
pub(crate) fn parse(
    address: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, StoreError> {
    let (rest, sslmode, rootcert) = split_tls(address);
    let mut config: Config = rest.parse().map_err(|e| {
        bad(
            "the clinic server",
            format!("the database address is not valid: {e}"),
        )
    })?;
    let describe = describe_config(&config);
    if config.get_password().is_some() {
        return Err(bad(
            &describe,
            "the address holds a password: keep it in PGPASSWORD or a .pgpass file, never in \
             the address (it would show in the process list and in the config file)",
        ));
    }
    if config.get_user().is_none() {
        match env("PGUSER").or_else(|| env("USER")) {
            Some(user) => {
                config.user(&user);
            }
            None => {
                return Err(bad(
                    &describe,
                    "the address names no user (user=… or PGUSER)",
                ))
            }
        }
    }
    if let Some(password) = password(&config, env, &describe)? {
        config.password(password);
    }
    let local = is_local(&config);
    let root = || -> PathBuf {
        rootcert.clone().map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(env("HOME").unwrap_or_default()).join(".postgresql/root.crt")
        })
    };
    let tls = match sslmode.as_deref() {
        Some("disable") => Tls::Disable,
        Some("allow") | Some("prefer") => Tls::Prefer,
        Some("require") => Tls::Require,
        Some("verify-ca") => Tls::VerifyCa(root()),
        Some("verify-full") => Tls::VerifyFull(root()),
        None if local => Tls::Prefer,
        None => Tls::VerifyFull(root()),
        Some(other) => {
            return Err(bad(
                &describe,
                format!(
                    "sslmode={other} is not a TLS mode (disable, prefer, require, verify-ca, \
                     verify-full)"
                ),
            ))
        }
    };
    Ok(Target {
        config,
        tls,
        describe,
    })
}

/// The address without `sslmode` and `sslrootcert` (which the driver does not know in
/// their libpq meaning), and their values.
fn split_tls(address: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let address = address.trim();
    if address.starts_with("postgres://") || address.starts_with("postgresql://") {
        let Some((base, query)) = address.split_once('?') else {
            return (address.to_string(), None, None);
        };
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("sslmode", v)) => mode = Some(percent_decode(v)),
                Some(("sslrootcert", v)) => root = Some(percent_decode(v)),
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (rest, mode, root)
    } else {
        let mut kept = Vec::new();
        for word in address.split_whitespace() {
            if let Some(v) = word.strip_prefix("sslmode=") {
                mode = Some(v.to_string());
            } else if let Some(v) = word.strip_prefix("sslrootcert=") {
                root = Some(v.to_string());
            } else {
                kept.push(word);
            }
        }
        (kept.join(" "), mode, root)
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn first_host(config: &Config) -> String {
    match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    }
}

fn is_local(config: &Config) -> bool {
    match config.get_hosts().first() {
        None | Some(Host::Unix(_)) => true,
        Some(Host::Tcp(name)) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    }
}

/// "clinic server db.clinic.lan" (host, and the port when not 5432).
pub(crate) fn describe_config(config: &Config) -> String {
    let host = first_host(config);
    match config.get_ports().first() {
        Some(port) if *port != 5432 => format!("clinic server {host}:{port}"),
        _ => format!("clinic server {host}"),
    }
}

/// The password: `PGPASSWORD`, else the first matching line of the password file
/// (`PGPASSFILE` or `~/.pgpass`: `host:port:database:user:password`, `*` matches
/// anything, `\` escapes). A password file others can read is refused, as libpq ignores it.
fn password(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
    describe: &str,
) -> Result<Option<String>, StoreError> {
    if let Some(p) = env("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Ok(Some(p));
    }
    let file = match env("PGPASSFILE") {
        Some(f) => PathBuf::from(f),
        None => match env("HOME") {
            Some(home) => PathBuf::from(home).join(".pgpass"),
            None => return Ok(None),
        },
    };
    let Ok(meta) = std::fs::metadata(&file) else {
        return Ok(None);
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(bad(
                describe,
                format!(
                    "the password file {} can be read by others: `chmod 600` it",
                    file.display()
                ),
            ));
        }
    }
    let mut text = String::new();
    std::fs::File::open(&file)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| bad(describe, format!("cannot read {}: {e}", file.display())))?;
    let host = match config.get_hosts().first() {
        None | Some(Host::Unix(_)) => "localhost".to_string(),
        Some(Host::Tcp(name)) => name.clone(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_string();
    let dbname = config.get_dbname().unwrap_or(&user).to_string();
    let wanted = [host, port, dbname, user];
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let fields = pgpass_fields(line);
        if fields.len() == 5
            && fields[..4]
                .iter()
                .zip(&wanted)
                .all(|(field, value)| field == "*" || field == value)
        {
            return Ok(Some(fields[4].clone()));
        }
    }
    Ok(None)
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c)
                }
            }
        }
    }
    fields
}

/// Connects, or says which server could not be reached and why.
pub(crate) fn connect(target: &Target) -> Result<Client, StoreError> {
    let mut config = target.config.clone();
    let result = match &target.tls {
        Tls::Disable => config.ssl_mode(SslMode::Disable).connect(NoTls),
        Tls::Prefer | Tls::Require => {
            let mode = if target.tls == Tls::Prefer {
                SslMode::Prefer
            } else {
                SslMode::Require
            };
            let tls = rustls_config(Arc::new(Unchecked), &target.describe)?;
            config.ssl_mode(mode).connect(MakeRustlsConnect::new(tls))
        }
        Tls::VerifyCa(root) | Tls::VerifyFull(root) => {
            let checked = checked_verifier(root, &target.describe)?;
            let verifier: Arc<dyn ServerCertVerifier> = match target.tls {
                Tls::VerifyCa(_) => Arc::new(AnyName(checked)),
                _ => checked,
            };
            let tls = rustls_config(verifier, &target.describe)?;
            config
                .ssl_mode(SslMode::Require)
                .connect(MakeRustlsConnect::new(tls))
        }
    };
    result.map_err(|e| {
        tls_error(&e, target).unwrap_or_else(|| super::error::cannot_connect(e, &target.describe))
    })
}

fn rustls_config(
    verifier: Arc<dyn ServerCertVerifier>,
    describe: &str,
) -> Result<rustls::ClientConfig, StoreError> {
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad(describe, format!("TLS cannot start: {e}")))?
    .dangerous()
    .with_custom_certificate_verifier(verifier)
    .with_no_client_auth())
}

/// The standard WebPKI check against the clinic's CA file.
fn checked_verifier(
    root: &Path,
    describe: &str,
) -> Result<Arc<dyn ServerCertVerifier>, StoreError> {
    let missing = || {
        bad(
            describe,
            format!(
                "TLS with a checked certificate needs the clinic's CA certificate, and {} \
                 cannot be read: give its file as sslrootcert=… in the address",
                root.display()
            ),
        )
    };
    let pem = std::fs::read(root).map_err(|_| missing())?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|_| missing())?;
        roots.add(cert).map_err(|e| {
            bad(
                describe,
                format!("{} is not a usable CA certificate: {e}", root.display()),
            )
        })?;
    }
    if roots.is_empty() {
        return Err(bad(
            describe,
            format!("{} holds no certificate (PEM expected)", root.display()),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map(|v| v as Arc<dyn ServerCertVerifier>)
        .map_err(|e| bad(describe, format!("the CA certificate cannot be used: {e}")))
}

/// A TLS failure told as a person needs it, if the error is one.
fn tls_error(e: &postgres::Error, target: &Target) -> Option<StoreError> {
    let host = first_host(&target.config);
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        // An io::Error's source skips the error it wraps: look inside it too.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|e| e.downcast_ref::<rustls::Error>());
        if let Some(rustls::Error::InvalidCertificate(cert)) =
            inner.or_else(|| s.downcast_ref::<rustls::Error>())
        {
            let reason = match cert {
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    format!("its TLS certificate is not issued for the host name {host}: connect with the name the certificate names")
                }
                CertificateError::UnknownIssuer => {
                    let root = match &target.tls {
                        Tls::VerifyCa(r) | Tls::VerifyFull(r) => r.display().to_string(),
                        _ => String::new(),
                    };
                    format!("its TLS certificate is not signed by the clinic's CA ({root})")
                }
                other => format!("its TLS certificate was refused: {other:?}"),
            };
            return Some(bad(&target.describe, reason));
        }
        if s.to_string().contains("server does not support TLS") {
            return Some(bad(
                &target.describe,
                "it does not offer TLS, and this address requires it (sslmode): nothing was sent",
            ));
        }
        source = s.source();
    }
    None
}

mod verifiers;
use verifiers::{AnyName, Unchecked};

#[cfg(test)]
mod tests;
