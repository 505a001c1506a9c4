//! TLS to the clinic server, really checked: beside the throwaway cluster of
//! `scripts/with-postgres.sh`, whose certificate a throwaway clinic CA signed for the
//! name "localhost" only. A checked connection works; a wrong host name, an unknown CA
//! and a server that offers no TLS are each refused, naming the server and the cause.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use intake_store::pg::testing::{cluster, TestDatabase, APP};
use intake_store::pg::{PgConfig, PgStore};

struct Cluster {
    settings: String,
    port: u16,
    tls: PathBuf,
}

fn test_cluster() -> Cluster {
    let settings = cluster().expect(
        "INTAKE_TEST_PG is not set: run the server tests with scripts/with-postgres.sh (make test does)",
    );
    let parsed: postgres::Config = settings.parse().expect("INTAKE_TEST_PG parses");
    let tls = std::env::var("INTAKE_TEST_PG_TLS")
        .expect("INTAKE_TEST_PG_TLS (scripts/with-postgres.sh sets it)");
    Cluster {
        port: parsed.get_ports()[0],
        settings,
        tls: PathBuf::from(tls),
    }
}

fn address(c: &Cluster, db: &TestDatabase, host: &str, tls: &str) -> PgConfig {
    PgConfig::new(format!(
        "host={host} port={} user={APP} dbname={} {tls}",
        c.port, db.name
    ))
}

fn refusal(config: &PgConfig) -> String {
    match PgStore::connect(config) {
        Ok(_) => panic!("{} was accepted", config.url),
        Err(e) => e.to_string(),
    }
}

#[test]
fn verify_full_with_the_clinic_ca_connects_encrypted() {
    let c = test_cluster();
    let db = TestDatabase::new(&c.settings);
    let ca = c.tls.join("ca.pem");
    let store = PgStore::connect(&address(
        &c,
        &db,
        "localhost",
        &format!("sslmode=verify-full sslrootcert={}", ca.display()),
    ))
    .expect("the certificate is the clinic CA's, for localhost");
    assert!(store.encrypted().unwrap(), "the server sees TLS");
    assert_eq!(
        store.describe(),
        format!("clinic server localhost:{}", c.port)
    );
}

#[test]
fn a_certificate_for_another_host_name_is_refused_under_verify_full_only() {
    let c = test_cluster();
    let db = TestDatabase::new(&c.settings);
    let ca = format!("sslrootcert={}", c.tls.join("ca.pem").display());
    let e = refusal(&address(
        &c,
        &db,
        "127.0.0.1",
        &format!("sslmode=verify-full {ca}"),
    ));
    assert!(
        e.contains(&format!("clinic server 127.0.0.1:{}", c.port)),
        "{e}"
    );
    assert!(e.contains("not issued for the host name 127.0.0.1"), "{e}");
    // verify-ca checks the signature, not the name.
    let store = PgStore::connect(&address(
        &c,
        &db,
        "127.0.0.1",
        &format!("sslmode=verify-ca {ca}"),
    ))
    .expect("verify-ca accepts the clinic CA's certificate under another name");
    assert!(store.encrypted().unwrap());
}

#[test]
fn a_certificate_from_an_unknown_ca_is_refused() {
    let c = test_cluster();
    let db = TestDatabase::new(&c.settings);
    let other = c.tls.join("other-ca.pem");
    for mode in ["verify-full", "verify-ca"] {
        let e = refusal(&address(
            &c,
            &db,
            "localhost",
            &format!("sslmode={mode} sslrootcert={}", other.display()),
        ));
        assert!(e.contains("clinic server localhost"), "{e}");
        assert!(e.contains("not signed by the clinic's CA"), "{e}");
        assert!(e.contains("other-ca.pem"), "{e}");
    }
}

#[test]
fn a_server_without_tls_is_refused_before_anything_is_sent() {
    let c = test_cluster();
    // A server that answers the TLS request "N", as PostgreSQL with ssl=off does.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut request = [0u8; 8];
        socket.read_exact(&mut request).unwrap();
        socket.write_all(b"N").unwrap();
        let mut after = Vec::new();
        let _ = socket.read_to_end(&mut after);
        (request, after)
    });
    let e = refusal(&PgConfig::new(format!(
        "host=127.0.0.1 port={port} user={APP} dbname=intake sslmode=verify-full sslrootcert={}",
        c.tls.join("ca.pem").display()
    )));
    assert!(
        e.contains(&format!("clinic server 127.0.0.1:{port}")),
        "{e}"
    );
    assert!(e.contains("does not offer TLS"), "{e}");
    let (request, after) = server.join().unwrap();
    assert_eq!(
        &request[4..],
        &[0x04, 0xd2, 0x16, 0x2f],
        "the TLS request came first"
    );
    assert!(
        after.is_empty(),
        "nothing followed it (no user name, no database): {after:?}"
    );
}

#[test]
fn sslmode_disable_connects_in_plain_text_and_this_machine_prefers_tls() {
    let c = test_cluster();
    let db = TestDatabase::new(&c.settings);
    let plain = PgStore::connect(&address(&c, &db, "127.0.0.1", "sslmode=disable")).unwrap();
    assert!(!plain.encrypted().unwrap());
    let local = PgStore::connect(&address(&c, &db, "127.0.0.1", "")).unwrap();
    assert!(
        local.encrypted().unwrap(),
        "prefer uses the TLS the server offers"
    );
}

/// The password test's role: it signs in with a password (scripts/with-postgres.sh puts
/// a scram-sha-256 line for it first in pg_hba.conf).
const PASSWORD_ROLE: &str = "intake_password";

#[test]
fn the_password_comes_from_pgpassword_or_pgpass_and_a_wrong_one_is_named() {
    let c = test_cluster();
    let db = TestDatabase::new(&c.settings);
    {
        let mut su = postgres::Client::connect(&db.superuser_config().url, postgres::NoTls)
            .expect("the superuser");
        su.batch_execute(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PASSWORD_ROLE}') \
             THEN CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right horse'; END IF; END $$; \
             GRANT {APP} TO {PASSWORD_ROLE}"
        ))
        .expect("the password role");
    }
    let address = PgConfig::new(format!(
        "host=127.0.0.1 port={} user={PASSWORD_ROLE} dbname={} sslmode=disable",
        c.port, db.name
    ));
    // This binary's other tests sign in without passwords (trusted), so the variables
    // set here change nothing for them.
    let dir = tempfile::tempdir().unwrap();
    let pgpass = dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{}:*:{PASSWORD_ROLE}:right horse\n", c.port),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    std::env::set_var("PGPASSFILE", &pgpass);
    std::env::remove_var("PGPASSWORD");
    PgStore::connect(&address).expect("the password from the .pgpass file");

    std::env::set_var("PGPASSWORD", "wrong horse");
    let e = refusal(&address);
    assert!(
        e.contains(&format!("clinic server 127.0.0.1:{}", c.port)),
        "{e}"
    );
    assert!(e.contains("the password was refused"), "{e}");
    assert!(
        !e.contains("wrong horse"),
        "the password is never repeated: {e}"
    );

    std::env::set_var("PGPASSWORD", "right horse");
    PgStore::connect(&address).expect("the password from PGPASSWORD");
    std::env::remove_var("PGPASSWORD");
    std::env::remove_var("PGPASSFILE");
}

#[test]
fn an_unknown_host_is_named() {
    let e = refusal(&PgConfig::new(
        "host=no-such-host.invalid user=intake_app dbname=intake sslmode=disable",
    ));
    assert!(e.contains("clinic server no-such-host.invalid"), "{e}");
}
