//! Files go only where the person chose: a summary, a batch or a form is never written
//! into the data folder (the database, its `-wal`/`-shm`, anything beside them), through
//! a relative path, through a link to the data folder, or over a file that is not one of
//! ours. Each refusal names why and leaves every file as it was.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use intake_api::admin::builtin::GENERAL_INTAKE_SLUG;
use intake_api::wire::BatchRequest;
use intake_api::{Api, ApiError, Caller, DataDir, ErrorCode, ManualClock};

const CLI: Caller<'static> = Caller::Cli("tester");

struct World {
    _root: tempfile::TempDir,
    data: PathBuf,
    elsewhere: PathBuf,
    api: Api,
    signed: i64,
}

fn world() -> World {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let elsewhere = root.path().join("exports");
    fs::create_dir_all(&elsewhere).unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    let api = Api::open(&DataDir::at(&data), clock).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let signed = api.list_encounters(CLI, None, Some("signed")).unwrap()[0].id;
    World {
        data,
        elsewhere,
        api,
        signed,
        _root: root,
    }
}

/// The names in `dir` (the database itself changes as the audit log grows; what must
/// not happen is a new file there, or the database replaced: see `still_a_database`).
fn snapshot(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with("-shm") && !name.ends_with("-wal"))
        .collect();
    out.sort();
    out
}

fn still_a_database(data: &Path) {
    let head = fs::read(data.join("intake.db")).unwrap();
    assert!(
        head.starts_with(b"SQLite format 3\0"),
        "the database is still a database"
    );
}

fn refused(r: Result<impl std::fmt::Debug, ApiError>, says: &str, what: &str) {
    let e = r.expect_err(what);
    assert_eq!(e.code(), ErrorCode::Validation, "{what}: {e}");
    assert!(
        e.to_string().contains(says),
        "{what}: {e:?} should say {says:?}"
    );
}

#[test]
fn a_summary_is_never_written_into_the_data_folder_or_through_a_bad_path() {
    let w = world();
    let before = snapshot(&w.data);
    let db = w.data.join("intake.db");
    refused(
        w.api.export_pdf(CLI, w.signed, &db),
        "inside the data folder",
        "the database itself",
    );
    refused(
        w.api
            .export_pdf(CLI, w.signed, &w.data.join("intake.db-wal")),
        "inside the data folder",
        "the write-ahead log",
    );
    refused(
        w.api.export_pdf(CLI, w.signed, &w.data.join("summary.pdf")),
        "inside the data folder",
        "a new file beside the database",
    );
    refused(
        w.api.export_pdf(CLI, w.signed, Path::new("summary.pdf")),
        "not a full path",
        "a relative path",
    );
    // A folder that is a link to the data folder is the data folder.
    let link = w.elsewhere.join("looks-harmless");
    std::os::unix::fs::symlink(&w.data, &link).unwrap();
    refused(
        w.api.export_pdf(CLI, w.signed, &link.join("intake.db")),
        "inside the data folder",
        "through a link to the data folder",
    );
    refused(
        w.api.export_pdf(CLI, w.signed, &link.join("new.pdf")),
        "inside the data folder",
        "a new file through the link",
    );
    assert_eq!(snapshot(&w.data), before, "nothing new in the data folder");
    still_a_database(&w.data);
}

#[test]
fn only_a_pdf_we_wrote_is_replaced() {
    let w = world();
    let notes = w.elsewhere.join("notes.pdf");
    fs::write(&notes, b"my own notes, not a PDF").unwrap();
    refused(
        w.api.export_pdf(CLI, w.signed, &notes),
        "not a PDF summary written by Intake Desk",
        "a file that is not ours",
    );
    assert_eq!(fs::read(&notes).unwrap(), b"my own notes, not a PDF");
    let other_pdf = w.elsewhere.join("scan.pdf");
    fs::write(&other_pdf, b"%PDF-1.7\n% a scanner's PDF\n%%EOF\n").unwrap();
    refused(
        w.api.export_pdf(CLI, w.signed, &other_pdf),
        "not a PDF summary written by Intake Desk",
        "another program's PDF",
    );
    assert!(fs::read(&other_pdf).unwrap().ends_with(b"%%EOF\n"));
    // Our own summary may be written again over itself.
    let ours = w.elsewhere.join("visit.pdf");
    w.api.export_pdf(CLI, w.signed, &ours).expect("a new file");
    w.api
        .export_pdf(CLI, w.signed, &ours)
        .expect("our own summary is replaced");
    assert!(fs::read(&ours).unwrap().starts_with(b"%PDF-"));
    refused(
        w.api.export_pdf(CLI, w.signed, &w.elsewhere),
        "not a PDF summary",
        "a folder where a file should be",
    );
}

#[test]
fn a_batch_folder_must_be_a_full_path_outside_the_data_folder() {
    let w = world();
    let before = snapshot(&w.data);
    let cancel = AtomicBool::new(false);
    let batch = |folder: PathBuf| {
        let request = BatchRequest {
            from: "2026-01-01".into(),
            to: "2026-11-23".into(),
            statuses: Vec::new(),
            folder,
        };
        w.api.export_batch(CLI, &request, &cancel, &mut |_| {})
    };
    refused(
        batch(w.data.clone()),
        "inside the data folder",
        "the data folder",
    );
    let link = w.elsewhere.join("data-link");
    std::os::unix::fs::symlink(&w.data, &link).unwrap();
    refused(batch(link), "inside the data folder", "a link to it");
    refused(
        batch(PathBuf::from("exports")),
        "not a full path",
        "a relative folder",
    );
    refused(
        batch(w.elsewhere.join("missing")),
        "does not exist",
        "a folder that is not there",
    );
    assert_eq!(snapshot(&w.data), before, "nothing new in the data folder");
    still_a_database(&w.data);
    let report = batch(w.elsewhere.clone()).expect("a folder elsewhere");
    assert!(report.written > 0, "{report:?}");
}

#[test]
fn a_missing_batch_folder_is_created_only_when_confirmed_full_and_outside_the_data_folder() {
    let w = world();
    let before = snapshot(&w.data);
    let prepare = |folder: &Path, create: bool| w.api.prepare_export_folder(CLI, folder, create);

    let new = w.elsewhere.join("2026").join("november");
    assert!(
        !prepare(&new, false).expect("a missing folder elsewhere may be created"),
        "asked without confirming: it does not exist yet"
    );
    assert!(
        !new.exists(),
        "nothing is created before the person confirms"
    );
    assert!(
        prepare(&new, true).expect("confirmed: created"),
        "created once confirmed"
    );
    assert!(new.is_dir(), "the folder and its missing parent now exist");
    assert!(
        prepare(&new, false).expect("an existing folder"),
        "an existing folder is ready as it is"
    );

    refused(
        prepare(Path::new("exports/new"), true),
        "not a full path",
        "a relative folder",
    );
    assert!(
        !Path::new("exports").exists(),
        "nothing is created for a relative path"
    );
    refused(
        prepare(&w.data.join("pdfs"), true),
        "inside the data folder",
        "a new folder inside the data folder",
    );
    let link = w.elsewhere.join("data-link");
    std::os::unix::fs::symlink(&w.data, &link).unwrap();
    refused(
        prepare(&link.join("pdfs"), true),
        "inside the data folder",
        "a new folder under a link to the data folder",
    );
    assert_eq!(
        snapshot(&w.data),
        before,
        "no folder appeared in the data folder"
    );
    let nurse = w.api.sign_in("nurse", "demo").unwrap().token;
    let e = prepare_as(&w, &nurse, &w.elsewhere.join("by-nurse"));
    assert_eq!(
        e.code(),
        ErrorCode::Forbidden,
        "only an admin prepares a batch folder"
    );
    assert!(!w.elsewhere.join("by-nurse").exists());
}

fn prepare_as(w: &World, token: &str, folder: &Path) -> ApiError {
    w.api
        .prepare_export_folder(Caller::Session(token), folder, true)
        .expect_err("refused")
}

#[test]
fn forms_are_read_and_written_only_outside_the_data_folder() {
    let w = world();
    let version = w
        .api
        .list_templates(CLI)
        .unwrap()
        .into_iter()
        .find(|t| t.slug == GENERAL_INTAKE_SLUG)
        .expect("the built-in form")
        .version;
    let export = |path: &Path| {
        w.api
            .export_template_file(CLI, GENERAL_INTAKE_SLUG, &version, path)
    };
    let before = snapshot(&w.data);
    refused(
        export(&w.data.join("intake.db")),
        "inside the data folder",
        "a form over the database",
    );
    let mine = w.elsewhere.join("letter.json");
    fs::write(&mine, br#"{"to": "Dr. Okafor"}"#).unwrap();
    refused(
        export(&mine),
        "not a form",
        "over a JSON file that is no form",
    );
    assert_eq!(fs::read(&mine).unwrap(), br#"{"to": "Dr. Okafor"}"#);
    let form = w.elsewhere.join("intake.json");
    export(&form).expect("a new file");
    export(&form).expect("a form replaces a form");
    refused(
        w.api.import_template_file(CLI, &w.data.join("intake.db")),
        "inside the data folder",
        "reading the database as a form",
    );
    refused(
        w.api.import_template_file(CLI, Path::new("intake.json")),
        "not a full path",
        "a relative path",
    );
    assert_eq!(snapshot(&w.data), before, "nothing new in the data folder");
    still_a_database(&w.data);
}

/// A summary appears only after its audit entry has committed: while another program
/// holds the database's write lock the export fails, and neither the file nor a
/// temporary one is left in the folder.
#[test]
fn no_summary_appears_without_its_audit_entry() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    let w = world();
    let target = w.elsewhere.join("visit.pdf");
    let mut shell = Command::new("sqlite3")
        .arg(w.data.join("intake.db"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell (scripts/ensure-deps.sh installs it)");
    let mut input = shell.stdin.take().unwrap();
    writeln!(input, "BEGIN IMMEDIATE; SELECT 'locked';").unwrap();
    input.flush().unwrap();
    let mut line = String::new();
    BufReader::new(shell.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked", "the shell holds the write lock");
    let e = w
        .api
        .export_pdf(CLI, w.signed, &target)
        .expect_err("the audit entry cannot be written");
    assert!(
        e.to_string().contains("locked") || e.to_string().contains("busy"),
        "{e}"
    );
    assert!(!target.exists(), "no summary without its audit entry");
    assert_eq!(
        fs::read_dir(&w.elsewhere).unwrap().count(),
        0,
        "no temporary file left behind"
    );
    drop(input);
    shell.kill().ok();
    shell.wait().ok();
    w.api
        .export_pdf(CLI, w.signed, &target)
        .expect("once the lock is gone");
    assert!(target.is_file());
}
