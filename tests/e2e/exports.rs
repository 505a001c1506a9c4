//! PDF summaries in the real window: an admin exports one signed demo visit from the
//! review screen (the save dialog starts on the backend's file name) and a physician one
//! from the patient's visits; an admin runs a batch for a period into a folder, watches
//! the progress, reads the result (as many PDFs in the folder as written, one manifest
//! row per file) and runs it again to see every file skipped; a batch into a folder that
//! does not exist is refused at the folder field, one that cannot write a file stops and
//! names it; a long batch goes on while the admin is
//! elsewhere, shows its progress again on return and stops with Escape, leaving whole
//! files and a manifest of exactly them; the paper size is a setting.

use std::path::Path;

use intake_api::Caller;
use serde_json::json;

use crate::harness::{
    answer_dialogs_with, api, demo_data, dialog_calls, go_to, sign_in_as, Session, ENTER,
};

/// The newest demo visit with `status`.
fn newest(data: &Path, status: &str) -> intake_api::wire::EncounterDto {
    let list = api(data)
        .list_encounters(Caller::Cli("e2e"), None, Some(status))
        .unwrap();
    list.into_iter()
        .max_by_key(|e| e.id)
        .unwrap_or_else(|| panic!("a {status} demo visit"))
}

fn assert_pdf(path: &Path) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("{} was written: {e}", path.display()));
    assert!(
        bytes.starts_with(b"%PDF"),
        "{} starts with %PDF: {:?}",
        path.display(),
        String::from_utf8_lossy(&bytes[..bytes.len().min(16)])
    );
}

/// The `.pdf` files in `dir`, sorted.
fn pdfs_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    names.sort();
    names
}

/// The first column (file) of each manifest row, header left out, sorted.
fn manifest_files(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("manifest.csv")).expect("manifest.csv exists");
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().expect("a header row");
    assert!(
        header.starts_with("file"),
        "the manifest's header: {header}"
    );
    let mut files: Vec<String> = lines
        .map(|l| l.split(',').next().unwrap().trim_matches('"').to_string())
        .collect();
    files.sort();
    files
}

async fn number(s: &Session, css: &str) -> usize {
    let text = s.find(css).await.text().await.unwrap_or_default();
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{css} shows a number, not {text:?}"))
}

#[tokio::test]
async fn an_admin_exports_a_signed_visit_from_the_review_screen() {
    exports_a_signed_visit(demo_data(), "export-one").await;
}

/// The same on the clinic server: the PDF of a visit signed there.
// Multi-threaded: the synchronous server client steps out of the runtime to block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_clinic_server_an_admin_exports_a_signed_visit() {
    exports_a_signed_visit(crate::harness::demo_data_on_server(), "server-export-one").await;
}

async fn exports_a_signed_visit(data: tempfile::TempDir, name: &str) {
    let visit = newest(data.path(), "signed");
    let s = Session::start(name, data).await;
    sign_in_as(&s, "admin").await;
    go_to(&s, &format!("#/review/{}", visit.id)).await;
    s.find("#review-export-pdf:not([hidden])").await;

    // Files go to a folder the person chose, never into the data folder.
    let chosen = tempfile::tempdir().unwrap();
    let out = chosen.path().join("one visit.pdf");
    answer_dialogs_with(&s, &out).await;
    s.click("#review-export-pdf").await;
    let saved = s.wait_for_text("#review-notice", "Saved").await;
    assert_pdf(&out);
    let calls = dialog_calls(&s).await;
    assert_eq!(calls.len(), 1, "one dialog: {calls:?}");
    assert_eq!(calls[0]["kind"], json!("save-pdf"), "{calls:?}");
    let name = calls[0]["fileName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        name.ends_with(&format!("_visit-{}.pdf", visit.id))
            && name.len() > 10
            && name.as_bytes()[4] == b'-',
        "the dialog starts on YYYY-MM-DD_MRN_visit-ID.pdf: {name:?}"
    );
    assert!(
        saved.contains("Saved one visit.pdf"),
        "the success line names the file: {saved}"
    );
    s.screenshot("exports-review-saved").await;

    // Into a folder that is not there: the backend's message, nothing written.
    let nowhere = chosen.path().join("gone").join("visit.pdf");
    answer_dialogs_with(&s, &nowhere).await;
    s.click("#review-export-pdf").await;
    s.find("#review-notice.notice-error").await;
    let refused = s.find("#review-notice").await.text().await.unwrap();
    assert!(
        !refused.contains("Saved"),
        "an error, not a success: {refused}"
    );
    assert!(!nowhere.exists(), "nothing written");
    s.screenshot("exports-review-refused").await;

    // A physician, from the patient's visits: the same, per visit.
    s.click("#sign-out").await;
    sign_in_as(&s, "physician").await;
    go_to(&s, &format!("#/patients/{}", visit.patient_id)).await;
    let button = format!("#visit-export-{}", visit.id);
    s.find(&button).await;
    let second = chosen.path().join("from-visits.pdf");
    answer_dialogs_with(&s, &second).await;
    s.click(&button).await;
    s.wait_for_text("#patient-visits-notice", "Saved").await;
    assert_pdf(&second);
    s.screenshot("exports-visits-saved").await;

    // A nurse exports nothing: no button on the record, none on the visits.
    s.click("#sign-out").await;
    sign_in_as(&s, "nurse").await;
    go_to(&s, &format!("#/review/{}", visit.id)).await;
    s.find("#review-status[data-status=\"signed\"]").await;
    assert!(
        s.exists("#review-export-pdf[hidden]").await,
        "no Export PDF for a nurse"
    );
    go_to(&s, &format!("#/patients/{}", visit.patient_id)).await;
    s.find(&format!("#visit-{}", visit.id)).await;
    assert!(
        !s.exists(&button).await,
        "no Export PDF on a nurse's visits"
    );
    s.finish().await;
}

#[tokio::test]
async fn an_admin_exports_a_period_into_a_folder_then_again_and_everything_is_skipped() {
    let data = demo_data();
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(90);
    let expected = {
        let (first, last) = (from.to_string(), today.to_string());
        let all = api(data.path())
            .list_encounters(Caller::Cli("e2e"), None, None)
            .unwrap();
        all.iter()
            .filter(|e| ["signed", "amended"].contains(&e.status.as_str()))
            .filter(|e| (first.as_str()..=last.as_str()).contains(&&e.started_at[..10]))
            .count()
    };
    assert!(expected > 10, "demo visits in the last 90 days: {expected}");
    let s = Session::start("export-batch", data).await;
    let folder = tempfile::tempdir().unwrap();
    sign_in_as(&s, "admin").await;
    s.click("#nav a[data-section=\"exports\"]").await;
    s.find("#exports-form").await;
    assert!(
        s.is_checked("#exports-status-signed").await,
        "signed by default"
    );
    assert!(
        s.is_checked("#exports-status-amended").await,
        "amended by default"
    );
    assert!(
        !s.is_checked("#exports-status-draft").await,
        "drafts not by default"
    );
    s.set_value("#exports-from", &from.to_string()).await;
    s.set_value("#exports-to", &today.to_string()).await;
    answer_dialogs_with(&s, folder.path()).await;
    s.click("#exports-folder-choose").await;
    s.wait_for_value("#exports-folder", &folder.path().display().to_string())
        .await;
    let calls = dialog_calls(&s).await;
    assert_eq!(
        calls.last().map(|c| c["kind"].clone()),
        Some(json!("folder")),
        "a folder dialog: {calls:?}"
    );
    s.screenshot("exports-form").await;

    // Every "n of m" the progress panel shows, kept as it changes.
    let watch = "window.__progressSeen = []; const el = document.querySelector('#exports-count'); \
                 new MutationObserver(() => window.__progressSeen.push(el.textContent)) \
                   .observe(el, { childList: true, characterData: true, subtree: true });";
    s.client.execute(watch, vec![]).await.unwrap();
    s.press(ENTER).await; // focus is back on the folder field: Enter sends the form
    if running(&s, 1).await {
        s.screenshot("exports-progress").await;
    }
    s.wait_for_text("#exports-result-title", "Export finished")
        .await;
    s.screenshot("exports-result").await;
    let seen = s
        .client
        .execute("return window.__progressSeen;", vec![])
        .await
        .unwrap();
    let seen: Vec<String> = serde_json::from_value(seen).unwrap();
    assert!(
        seen.iter().any(|t| t.ends_with(&format!(" of {expected}"))),
        "the progress showed n of {expected}: {seen:?}"
    );
    let written = number(&s, "#exports-written").await;
    assert_eq!(
        written, expected,
        "every signed or amended visit of the period"
    );
    assert_eq!(number(&s, "#exports-skipped").await, 0);
    assert_eq!(number(&s, "#exports-failed").await, 0);
    let files = pdfs_in(folder.path());
    assert_eq!(
        files.len(),
        written,
        "as many PDFs in the folder as written: {files:?}"
    );
    assert_eq!(
        manifest_files(folder.path()),
        files,
        "one manifest row per file"
    );
    assert_pdf(&folder.path().join(&files[0]));
    s.wait_for_text("#exports-manifest", "manifest.csv").await;

    // Again: the same records are there already, so nothing is written.
    s.click("#exports-start").await;
    s.wait_for_text("#exports-skipped", &expected.to_string())
        .await;
    assert_eq!(
        number(&s, "#exports-written").await,
        0,
        "nothing written again"
    );
    assert_eq!(pdfs_in(folder.path()), files, "the same files");
    assert_eq!(
        manifest_files(folder.path()),
        files,
        "the manifest still lists each file once"
    );
    s.screenshot("exports-skipped").await;

    // Every visit of ten years into a folder that is not there yet (created once the
    // person confirms), cancelled with Escape while it runs: the files written so far are
    // whole and the manifest lists exactly them.
    let other_parent = tempfile::tempdir().unwrap();
    let other = other_parent.path().join("ten years");
    s.set_value(
        "#exports-from",
        &(today - chrono::Duration::days(3650)).to_string(),
    )
    .await;
    for status in ["submitted", "draft", "entered-in-error"] {
        s.click(&format!("#exports-status-{status}")).await;
    }
    s.type_into("#exports-folder", &other.display().to_string())
        .await;
    s.click("#exports-start").await;
    let asked = s.wait_for_text("#exports-create", "does not exist").await;
    assert!(asked.contains("ten years"), "{asked}");
    assert!(!other.exists(), "not created before the person says so");
    s.screenshot("exports-create-folder").await;
    s.click("#exports-create-folder").await;
    assert!(
        running(&s, 1).await,
        "the progress shows while the batch runs"
    );
    // Elsewhere and back: the batch went on, and its progress shows again.
    go_to(&s, "#/home").await;
    s.find("#home").await;
    go_to(&s, "#/exports").await;
    assert!(running(&s, 2).await, "the progress shows again");
    s.wait_for_value("#exports-folder", &other.as_path().display().to_string())
        .await;
    s.press("\u{E00C}").await; // Escape
    s.wait_for_text("#exports-result-title", "cancelled").await;
    s.screenshot("exports-cancelled").await;
    let written = number(&s, "#exports-written").await;
    let files = pdfs_in(other.as_path());
    assert!(written > 0, "some files were written before the cancel");
    assert_eq!(
        files.len(),
        written,
        "the PDFs in the folder are those written"
    );
    assert_eq!(
        manifest_files(other.as_path()),
        files,
        "the manifest lists only them"
    );
    for file in &files {
        assert_pdf(&other.as_path().join(file));
    }
    let leftovers: Vec<_> = std::fs::read_dir(other.as_path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".pdf") && n != "manifest.csv")
        .collect();
    assert!(leftovers.is_empty(), "no half-written files: {leftovers:?}");
    s.finish().await;
}

/// Waits (a little) until the progress panel shows "n of m" with n at least `done` and
/// below m; false when the batch ended first.
async fn running(s: &Session, done: u64) -> bool {
    let script = "const p = document.querySelector('#exports-progress'); \
                  const m = /^(\\d+) of (\\d+)$/.exec(document.querySelector('#exports-count')?.textContent || ''); \
                  return !!p && !p.hidden && !!m && Number(m[1]) >= arguments[0] && Number(m[1]) < Number(m[2]);";
    for _ in 0..100 {
        let now = s.client.execute(script, vec![json!(done)]).await.unwrap();
        if now == json!(true) {
            return true;
        }
        if s.exists("#exports-result:not([hidden])").await {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    false
}

#[tokio::test]
async fn a_batch_folder_is_full_and_confirmed_one_that_cannot_write_stops_and_paper_is_a_setting() {
    let s = Session::start("export-refused", demo_data()).await;
    sign_in_as(&s, "admin").await;
    go_to(&s, "#/exports").await;
    s.find("#exports-form").await;
    // A folder typed without its full path: refused at its field, nothing created.
    s.type_into("#exports-folder", &format!("exports/today{ENTER}"))
        .await;
    let error = s.find("#exports-folder-field-error:not([hidden])").await;
    let message = error.text().await.unwrap();
    assert!(
        message.contains("full path"),
        "the folder's error says why: {message}"
    );
    s.wait_for_focus("exports-folder").await;
    let invalid = s
        .find("#exports-folder")
        .await
        .attr("aria-invalid")
        .await
        .unwrap();
    assert_eq!(
        invalid.as_deref(),
        Some("true"),
        "the folder field is marked"
    );

    // A folder that is not there: asked first; Cancel creates nothing and runs nothing.
    let chosen = tempfile::tempdir().unwrap();
    let missing = chosen.path().join("no such folder");
    s.type_into("#exports-folder", &format!("{}{ENTER}", missing.display()))
        .await;
    s.wait_for_text("#exports-create", "does not exist").await;
    s.click("#exports-create-cancel").await;
    s.wait_for_focus("exports-folder").await;
    assert!(!missing.exists(), "nothing was created");
    assert!(
        s.find("#exports-progress")
            .await
            .attr("hidden")
            .await
            .unwrap()
            .is_some(),
        "no progress shown"
    );
    s.screenshot("exports-missing-folder").await;

    // A folder where one visit's file cannot be written (a folder holds its name): the
    // batch stops and names it, and what was written is whole and in the manifest.
    let folder = tempfile::tempdir().unwrap();
    let visit = newest(s.data.path(), "signed");
    let blocked = api(s.data.path())
        .pdf_file_name(Caller::Cli("e2e"), visit.id)
        .unwrap();
    std::fs::create_dir(folder.path().join(&blocked)).unwrap();
    s.type_into(
        "#exports-folder",
        &format!("{}{ENTER}", folder.path().display()),
    )
    .await;
    let stopped = s.wait_for_text("#exports-stopped", &blocked).await;
    assert!(stopped.contains(&blocked), "names the file: {stopped}");
    s.wait_for_text("#exports-result-title", "stopped").await;
    let files = pdfs_in(folder.path());
    let files: Vec<String> = files.into_iter().filter(|f| *f != blocked).collect();
    assert_eq!(
        number(&s, "#exports-written").await,
        files.len(),
        "{files:?}"
    );
    assert_eq!(
        manifest_files(folder.path()),
        files,
        "the manifest lists the whole files"
    );
    let bottom = "document.querySelector('#exports-result').scrollIntoView({ block: 'end' });";
    s.client.execute(bottom, vec![]).await.unwrap();
    s.screenshot("exports-stopped").await;

    // Settings: the paper size of PDF summaries.
    s.click("#nav a[data-section=\"settings\"]").await;
    s.find("#settings-submit:not([disabled])").await;
    s.wait_for_value("#settings-paper-size", "a4").await;
    s.select("#settings-paper-size", "letter").await;
    s.click("#settings-submit").await;
    s.wait_for_text("#settings-notice", "Settings saved").await;
    let settings = api(s.data.path()).get_settings(Caller::Cli("e2e")).unwrap();
    assert_eq!(
        serde_json::to_value(&settings).unwrap()["paperSize"],
        json!("letter")
    );
    s.screenshot("exports-settings").await;
    s.finish().await;
}
