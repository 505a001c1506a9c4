use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;

use super::*;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn reason(e: StoreError) -> String {
    e.to_string()
}

#[test]
fn a_password_in_the_address_is_refused_and_named() {
    let env = env_of(&[]);
    for address in [
        "postgresql://intake:secret@db.clinic.lan/intake",
        "host=db.clinic.lan user=intake password=secret dbname=intake",
    ] {
        let e = reason(parse(address, &env).unwrap_err());
        assert!(e.contains("clinic server db.clinic.lan"), "{e}");
        assert!(e.contains("PGPASSWORD or a .pgpass file"), "{e}");
        assert!(!e.contains("secret"), "the password is not repeated: {e}");
    }
}

#[test]
fn a_server_elsewhere_is_checked_by_default_and_this_machine_is_not() {
    let env = env_of(&[("HOME", "/home/nurse")]);
    let remote = parse("postgresql://intake@db.clinic.lan:5433/intake", &env).unwrap();
    assert_eq!(
        remote.tls,
        Tls::VerifyFull(PathBuf::from("/home/nurse/.postgresql/root.crt"))
    );
    assert_eq!(remote.describe, "clinic server db.clinic.lan:5433");
    for local in [
        "host=localhost user=intake",
        "host=127.0.0.1 user=intake",
        "host=::1 user=intake",
        "host=/run/postgresql user=intake",
    ] {
        assert_eq!(parse(local, &env).unwrap().tls, Tls::Prefer, "{local}");
    }
}

#[test]
fn tls_modes_and_the_ca_are_read_from_either_form() {
    let env = env_of(&[]);
    let url = parse(
        "postgresql://intake@db.clinic.lan/intake?sslmode=verify-ca&sslrootcert=%2Fetc%2Fclinic%20ca.pem&application_name=desk",
        &env,
    )
    .unwrap();
    assert_eq!(url.tls, Tls::VerifyCa(PathBuf::from("/etc/clinic ca.pem")));
    assert_eq!(url.config.get_application_name(), Some("desk"));
    let kv = parse(
        "host=db.clinic.lan user=intake sslmode=verify-full sslrootcert=/etc/ca.pem",
        &env,
    )
    .unwrap();
    assert_eq!(kv.tls, Tls::VerifyFull(PathBuf::from("/etc/ca.pem")));
    assert_eq!(
        parse("host=db.clinic.lan user=intake sslmode=disable", &env)
            .unwrap()
            .tls,
        Tls::Disable
    );
    assert_eq!(
        parse("postgresql://intake@db.clinic.lan/x?sslmode=require", &env)
            .unwrap()
            .tls,
        Tls::Require
    );
}

#[test]
fn an_unknown_tls_mode_or_a_garbled_address_is_named() {
    let env = env_of(&[]);
    let e = reason(parse("host=db.clinic.lan user=intake sslmode=maybe", &env).unwrap_err());
    assert!(e.contains("sslmode=maybe is not a TLS mode"), "{e}");
    let e = reason(parse("postgresql://[::1", &env).unwrap_err());
    assert!(e.contains("the database address is not valid"), "{e}");
}

#[test]
fn the_user_comes_from_the_address_then_pguser_then_the_login() {
    let with = |pairs: &[(&str, &str)]| {
        parse("host=localhost", &env_of(pairs)).map(|t| t.config.get_user().map(str::to_string))
    };
    assert_eq!(
        with(&[("PGUSER", "desk"), ("USER", "root")])
            .unwrap()
            .as_deref(),
        Some("desk")
    );
    assert_eq!(with(&[("USER", "nora")]).unwrap().as_deref(), Some("nora"));
    let e = reason(with(&[]).unwrap_err());
    assert!(e.contains("names no user"), "{e}");
}

#[test]
fn the_password_comes_from_pgpassword_or_the_first_matching_pgpass_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pgpass");
    std::fs::write(
        &file,
        "# clinic\n\
         other.lan:5432:*:intake:wrong-host\n\
         db.clinic.lan:5432:intake:intake:p\\:ss\\\\word\n\
         *:*:*:*:fallback\n",
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let passfile = file.to_str().unwrap();
    let password = |address: &str, pairs: &[(&str, &str)]| {
        parse(address, &env_of(pairs))
            .unwrap()
            .config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let address = "postgresql://intake@db.clinic.lan/intake";
    assert_eq!(
        password(address, &[("PGPASSFILE", passfile)]).as_deref(),
        Some("p:ss\\word")
    );
    assert_eq!(
        password(
            "postgresql://intake@db.clinic.lan/reports",
            &[("PGPASSFILE", passfile)]
        )
        .as_deref(),
        Some("fallback")
    );
    assert_eq!(
        password(
            address,
            &[("PGPASSFILE", passfile), ("PGPASSWORD", "from-env")]
        )
        .as_deref(),
        Some("from-env")
    );
    assert_eq!(password(address, &[("HOME", "/nonexistent")]), None);

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = reason(parse(address, &env_of(&[("PGPASSFILE", passfile)])).unwrap_err());
    assert!(
        e.contains("can be read by others") && e.contains("chmod 600"),
        "{e}"
    );
}

#[test]
fn a_missing_or_empty_ca_file_is_named_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let target = parse(
        &format!(
            "host=db.clinic.lan user=intake sslmode=verify-full sslrootcert={}",
            missing.display()
        ),
        &env_of(&[]),
    )
    .unwrap();
    let e = reason(connect(&target).err().expect("refused"));
    assert!(e.contains("clinic server db.clinic.lan"), "{e}");
    assert!(e.contains("needs the clinic's CA certificate"), "{e}");
    assert!(e.contains("missing.pem"), "{e}");

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let target = parse(
        &format!(
            "host=db.clinic.lan user=intake sslmode=verify-ca sslrootcert={}",
            empty.display()
        ),
        &env_of(&[]),
    )
    .unwrap();
    let e = reason(connect(&target).err().expect("refused"));
    assert!(e.contains("holds no certificate"), "{e}");
}
