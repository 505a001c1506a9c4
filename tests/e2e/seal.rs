//! A signed record changed outside the app, in the real window: the physician's review
//! shows what was signed under a red "This record differs from what was signed" with no
//! PDF button, and an administrator signing in is told which visit, from the background
//! check the app runs soon after it starts.

use std::path::Path;
use std::process::Command;

use intake_api::Caller;

use crate::harness::{api, demo_data, go_to, sign_in_as, Session, PATIENCE};

/// Edits a signed visit's weight with the `sqlite3` shell, every trigger dropped first,
/// as someone working around the database's guards would.
fn change_weight_around_the_triggers(db: &Path, visit: i64) {
    let sql = |statements: &str| {
        let out = Command::new("sqlite3")
            .arg(db)
            .arg(statements)
            .output()
            .expect("the sqlite3 shell");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let drops: String = sql("SELECT name FROM sqlite_master WHERE type = 'trigger';")
        .lines()
        .map(|t| format!("DROP TRIGGER \"{t}\";"))
        .collect();
    sql(&drops);
    sql(&format!(
        "UPDATE encounter_answers SET value_json = '[{{\"valueDecimal\":55.5}}]' \
         WHERE encounter_id = {visit} AND answer_key = 'vitals/weight';"
    ));
}

#[tokio::test]
async fn a_changed_signed_record_is_shown_as_signed_with_a_warning_and_named_to_admins() {
    let data = demo_data();
    let visit = {
        let api = api(data.path());
        let signed = api
            .list_encounters(Caller::Cli("e2e"), None, Some("signed"))
            .unwrap();
        signed[0].id
    };
    change_weight_around_the_triggers(&data.path().join("intake.db"), visit);
    let s = Session::start("seal", data).await;

    sign_in_as(&s, "physician").await;
    go_to(&s, &format!("#/review/{visit}")).await;
    let warning = s
        .wait_for_text("#review-differs", "differs from what was signed")
        .await;
    assert!(warning.contains("answers changed"), "{warning}");
    assert!(
        !s.exists("#review-export-pdf:not([hidden])").await,
        "no PDF of a changed record is offered"
    );
    s.screenshot("seal-review-differs").await;
    go_to(&s, &format!("#/intake/{visit}")).await;
    s.wait_for_text("#intake-differs", "differs from what was signed")
        .await;
    s.click("#sign-out").await;

    // The first background check runs a few seconds after start; an administrator who
    // signs in after it is told.
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        sign_in_as(&s, "admin").await;
        if s.exists("#home-record-check").await {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the administrator was never told of the changed record"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        s.click("#sign-out").await;
    }
    let told = s
        .wait_for_text("#home-record-check", "differs from what was signed")
        .await;
    assert!(told.contains(&format!("visit {visit}")), "{told}");
    s.screenshot("seal-admin-home").await;
    s.finish().await;
}
