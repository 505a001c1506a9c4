//! Admin screens in the real window: at 1024×768 the users table fits with every action
//! (no horizontal scrollbar), Disable asks first (Escape keeps the user enabled, Enter
//! disables) and is not offered on your own row; the audit log filters by patient (an
//! MRN typed) and by action, one line per entry, with its details on demand; Exports says
//! how many visits the range holds before anything runs.

use intake_api::wire::AuditFilterDto;
use intake_api::Caller;
use serde_json::json;

use crate::harness::{api, demo_data, sign_in_as, Session, ENTER};

const ESCAPE: &str = "\u{E00C}";

/// Whether the page or the element `css` scrolls sideways.
async fn scrolls_sideways(s: &Session, css: &str) -> bool {
    let script =
        "const d = document.documentElement; const el = document.querySelector(arguments[0]); \
                  return d.scrollWidth > d.clientWidth || (el && el.scrollWidth > el.clientWidth);";
    s.client
        .execute(script, vec![json!(css)])
        .await
        .expect("the page answers")
        .as_bool()
        .unwrap_or(true)
}

fn nurse_active(s: &Session) -> bool {
    api(s.data.path())
        .list_users(Caller::Cli("e2e"))
        .unwrap()
        .into_iter()
        .find(|u| u.username == "nurse")
        .expect("the demo nurse")
        .active
}

#[tokio::test]
async fn disabling_asks_first_and_your_own_row_offers_no_disable_at_1024_by_768() {
    let s = Session::start("admin-users", demo_data()).await;
    s.client
        .set_window_size(1024, 768)
        .await
        .expect("the window takes 1024×768");
    sign_in_as(&s, "admin").await;
    s.click("#nav a[data-section=\"users\"]").await;
    s.find("#users-table tr[data-username=\"nurse\"]").await;
    let width = s
        .client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().is_some_and(|w| w <= 1024),
        "the window is at most 1024 px wide: {width}"
    );
    assert!(
        !scrolls_sideways(&s, "#users-table").await,
        "every action fits at 1024 px: no horizontal scrollbar"
    );
    assert!(
        !s.exists("tr[data-username=\"admin\"] button[data-action=\"disable\"]")
            .await,
        "your own row offers no Disable"
    );
    assert!(
        s.exists("tr[data-username=\"admin\"] button[data-action=\"reset\"]")
            .await,
        "your own row still offers Reset password"
    );
    s.screenshot("users-1024").await;

    s.click("tr[data-username=\"nurse\"] button[data-action=\"disable\"]")
        .await;
    let asked = s.wait_for_text("#disable-confirmation", "Disable").await;
    assert!(
        asked.contains("nurse"),
        "the question names the user: {asked}"
    );
    s.wait_for_focus("disable-confirm").await;
    s.screenshot("users-disable-confirm").await;
    s.press(ESCAPE).await;
    for _ in 0..50 {
        if !s.exists("#disable-confirmation").await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !s.exists("#disable-confirmation").await,
        "Escape closes the question"
    );
    assert!(nurse_active(&s), "Escape keeps the nurse enabled");

    s.click("tr[data-username=\"nurse\"] button[data-action=\"disable\"]")
        .await;
    s.wait_for_focus("disable-confirm").await;
    s.press(ENTER).await;
    s.wait_for_text("#users-notice", "disabled").await;
    assert!(!nurse_active(&s), "confirming disables the nurse");
    s.find("tr[data-username=\"nurse\"] button[data-action=\"enable\"]")
        .await;
    s.finish().await;
}

#[tokio::test]
async fn the_audit_log_filters_by_patient_and_action_one_line_per_entry() {
    let data = demo_data();
    let visit = api(data.path())
        .list_encounters(Caller::Cli("e2e"), None, Some("signed"))
        .unwrap()
        .into_iter()
        .next()
        .expect("a signed demo visit");
    // A chart read by the command line: the patient has more than signatures.
    api(data.path())
        .get_patient(Caller::Cli("e2e"), visit.patient_id)
        .expect("the demo patient");
    let s = Session::start("admin-audit", data).await;
    sign_in_as(&s, "admin").await;
    s.click("#nav a[data-section=\"audit\"]").await;
    s.find("#audit-list li.audit-line").await;
    s.type_into("#audit-patient", &format!("{}{ENTER}", visit.mrn))
        .await;
    let expected = api(s.data.path())
        .list_audit(
            Caller::Cli("e2e"),
            &AuditFilterDto {
                patient_id: Some(visit.patient_id),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!expected.is_empty(), "the demo patient has entries");
    let count = format!("Showing {} entr", expected.len());
    s.wait_for_text("#audit-count", &count).await;
    let patients: Vec<String> = s
        .client
        .execute(
            "return [...document.querySelectorAll('#audit-list > li.audit-line')] \
               .map((li) => li.querySelector('.audit-patient').textContent);",
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        patients.len(),
        expected.len(),
        "one line per entry about the patient"
    );
    assert!(
        patients.iter().all(|p| p.contains(&visit.mrn)),
        "each line names the patient by MRN: {patients:?}"
    );
    s.wait_for_text("#audit-list", "Opened a chart").await;
    s.screenshot("audit-by-patient").await;

    s.select("#audit-action", "encounter.signed").await;
    s.click("#audit-filter-submit").await;
    let signed = expected
        .iter()
        .filter(|e| e.action == "encounter.signed")
        .count();
    assert!(
        signed >= 1 && signed < expected.len(),
        "the signed demo visit's signature, among other entries: {signed} of {}",
        expected.len()
    );
    let count = format!(
        "Showing {signed} {}",
        if signed == 1 { "entry" } else { "entries" }
    );
    s.wait_for_text("#audit-count", &count).await;
    let line = s
        .wait_for_text("#audit-list li.audit-line", "Signed the record")
        .await;
    assert!(
        !line.contains("encounter.signed") && !line.contains("patient "),
        "a sentence, not the stored words: {line}"
    );
    s.click("#audit-list li.audit-line details > summary").await;
    s.wait_for_text(
        "#audit-list li.audit-line details[open] .audit-details",
        "SHA-256",
    )
    .await;
    s.screenshot("audit-signed-details").await;
    s.finish().await;
}

/// "2026-12-06" as a day-first clinic writes it: "06/12/2026".
fn clinic_day(iso: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("an ISO day");
    d.format("%d/%m/%Y").to_string()
}

#[tokio::test]
async fn the_exports_screen_says_how_many_visits_will_be_exported() {
    let data = demo_data();
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(90)).to_string();
    let to = today.to_string();
    let count = |statuses: &[&str]| {
        let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
        api(data.path())
            .count_export(Caller::Cli("e2e"), &from, &to, &statuses)
            .unwrap()
    };
    let signed = count(&["signed", "amended"]);
    let with_drafts = count(&["signed", "amended", "draft"]);
    assert!(signed > 0, "demo visits in the last 90 days");
    let s = Session::start("admin-export-count", data).await;
    sign_in_as(&s, "admin").await;
    s.click("#nav a[data-section=\"exports\"]").await;
    s.find("#exports-form").await;
    // Typed the clinic's way (day first, the default), as a person types them.
    let (from, to) = (clinic_day(&from), clinic_day(&to));
    s.set_value("#exports-from", &from).await;
    s.set_value("#exports-to", &to).await;
    s.wait_for_text(
        "#exports-visit-count",
        &format!("{signed} visits will be exported"),
    )
    .await;
    s.screenshot("exports-count").await;
    s.click("#exports-status-draft").await;
    s.wait_for_text("#exports-visit-count", &format!("{with_drafts} visit"))
        .await;
    s.set_value("#exports-from", &to).await;
    s.set_value("#exports-to", &from).await;
    s.wait_for_text("#exports-visit-count", "before it starts")
        .await;
    s.finish().await;
}

#[tokio::test]
async fn an_admin_sets_the_backup_folder_sees_the_last_backup_and_is_warned_when_it_is_gone() {
    let shelf = tempfile::tempdir().unwrap();
    let drive = shelf.path().join("backup-drive");
    std::fs::create_dir(&drive).unwrap();
    let s = Session::start("daily-backup", demo_data()).await;
    sign_in_as(&s, "admin").await;
    assert!(
        !s.exists("#home-backup-warning").await,
        "off is not a warning"
    );
    s.click("#nav a[data-section=\"settings\"]").await;
    s.wait_for_text("#settings-backup-status", "Daily backups are off")
        .await;

    // A folder that is not one is refused at its field.
    s.set_value("#settings-backup-folder", "backups").await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-backup-folder-field-error", "whole path")
        .await;

    s.set_value("#settings-backup-folder", &drive.display().to_string())
        .await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-notice", "saved").await;
    s.wait_for_text("#settings-backup-status", "Last backup")
        .await;
    s.screenshot("settings-backups").await;
    let made: Vec<String> = std::fs::read_dir(&drive)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("intake-backup-") && n.ends_with(".db"))
        .collect();
    assert_eq!(made.len(), 1, "the first backup is made at once: {made:?}");

    // The drive goes away: the next sign-in of an administrator says so.
    std::fs::remove_dir_all(&drive).unwrap();
    s.click("#sign-out").await;
    sign_in_as(&s, "admin").await;
    s.wait_for_text("#home-backup-warning", "cannot be reached")
        .await;
    s.screenshot("home-backup-warning").await;
    s.finish().await;
}
