//! `intake export pdf`: one visit to a file, a range into a folder (with plain progress
//! lines when not on a terminal), and folders that cannot take the files: missing, on a
//! read-only file system, on a full one. The last two run the CLI inside a private mount
//! namespace (`unshare`) on a small tmpfs, so nothing on the machine is touched.

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

fn intake(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("intake").expect("the intake binary");
    cmd.arg("--data-dir").arg(dir).env("USER", "tester");
    cmd
}

/// A demo database; returns the signed demo visits as (id, visit date), oldest first.
fn demo(dir: &Path) -> Vec<(i64, String)> {
    intake(dir).arg("seed-demo").assert().success();
    let out = intake(dir)
        .args(["encounter", "list", "--status", "signed", "--json"])
        .output()
        .unwrap();
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut visits: Vec<(i64, String)> = list
        .iter()
        .map(|e| {
            let at = e["startedAt"].as_str().unwrap_or_default();
            (e["id"].as_i64().unwrap_or_default(), at[..10].to_string())
        })
        .collect();
    visits.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    visits
}

fn pdfs(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    names.sort();
    names
}

#[test]
fn one_visit_to_a_file_and_a_range_to_a_folder() {
    let data = tempfile::tempdir().unwrap();
    let visits = demo(data.path());
    let (id, _) = visits.last().expect("signed demo visits").clone();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("one.pdf");
    intake(data.path())
        .args(["export", "pdf", "--encounter", &id.to_string(), "--out"])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("Wrote").and(contains("signed")));
    assert!(std::fs::read(&file).unwrap().starts_with(b"%PDF-"));

    // The three oldest days of signed visits, into a folder.
    let from = visits[0].1.clone();
    let to = visits
        .iter()
        .map(|v| v.1.clone())
        .filter(|d| *d >= from)
        .nth(2)
        .unwrap();
    let expected = visits.iter().filter(|v| v.1 >= from && v.1 <= to).count();
    let folder = out.path().join("batch");
    std::fs::create_dir(&folder).unwrap();
    let run = |folder: &Path| {
        intake(data.path())
            .args([
                "export", "pdf", "--from", &from, "--to", &to, "--status", "signed", "--out",
            ])
            .arg(folder)
            .output()
            .unwrap()
    };
    let first = run(&folder);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains(&format!("exported {expected} of {expected}")),
        "plain progress lines: {stderr}"
    );
    assert!(
        !stderr.contains('\r'),
        "no progress bar when not on a terminal"
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains(&format!("{expected} written")), "{stdout}");
    assert_eq!(pdfs(&folder).len(), expected);
    let second = run(&folder);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        stdout.contains(&format!("0 written, {expected} already there")),
        "{stdout}"
    );

    // Bad input: a clear line, exit 1, nothing written.
    intake(data.path())
        .args(["export", "pdf", "--encounter", "999999", "--out"])
        .arg(out.path().join("none.pdf"))
        .assert()
        .code(1)
        .stderr(contains("There is no intake 999999"));
    intake(data.path())
        .args([
            "export",
            "pdf",
            "--from",
            "2026-10-05",
            "--to",
            "2026-10-01",
            "--out",
        ])
        .arg(&folder)
        .assert()
        .code(1)
        .stderr(contains("before it starts"));
    intake(data.path())
        .args(["export", "pdf", "--from", &from, "--to", &to, "--out"])
        .arg(out.path().join("missing"))
        .assert()
        .code(1)
        .stderr(contains("does not exist"));
    assert!(!out.path().join("none.pdf").exists());
}

/// Runs `intake export pdf` for a range inside a private mount namespace whose `mnt`
/// folder is a tmpfs mounted with `options`; `None` when namespaces are not available.
fn export_on_tmpfs(
    data: &Path,
    mnt: &Path,
    options: &str,
    from: &str,
    to: &str,
) -> Option<std::process::Output> {
    let probe = Std::new("unshare").args(["-rm", "true"]).status();
    if !matches!(probe, Ok(s) if s.success()) {
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("intake");
    let script = format!(
        "mount -t tmpfs -o {options} tmpfs '{mnt}' && '{bin}' --data-dir '{data}' export pdf --from {from} --to {to} --out '{mnt}'; code=$?; echo --listing--; ls -a '{mnt}'; exit $code",
        mnt = mnt.display(),
        bin = bin.display(),
        data = data.display(),
    );
    Some(
        Std::new("unshare")
            .args(["-rm", "sh", "-c", &script])
            .output()
            .unwrap(),
    )
}

#[test]
fn a_full_or_read_only_folder_stops_the_batch_naming_the_file_and_leaves_no_half_file() {
    let data = tempfile::tempdir().unwrap();
    let visits = demo(data.path());
    let (from, to) = (visits[0].1.clone(), visits[visits.len() - 1].1.clone());
    let mnt = tempfile::tempdir().unwrap();

    // About two summaries fit in 100 KB.
    let Some(full) = export_on_tmpfs(data.path(), mnt.path(), "size=100k", &from, &to) else {
        panic!("unshare -rm is needed for this test (util-linux, user namespaces)");
    };
    let stderr = String::from_utf8_lossy(&full.stderr);
    let listing = String::from_utf8_lossy(&full.stdout);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Stopped at 20"), "names the file: {stderr}");
    assert!(
        stderr.contains("No space left") || stderr.contains("space"),
        "says why: {stderr}"
    );
    let files: Vec<&str> = listing
        .lines()
        .skip_while(|l| *l != "--listing--")
        .skip(1)
        .filter(|l| !l.starts_with('.'))
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(".pdf") || *f == "manifest.csv"),
        "no temporary or half-written file left: {files:?}"
    );
    assert!(files.len() < visits.len(), "the batch stopped: {files:?}");

    let ro = export_on_tmpfs(data.path(), mnt.path(), "ro", &from, &to).unwrap();
    let stderr = String::from_utf8_lossy(&ro.stderr);
    assert_eq!(ro.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Cannot write into"), "{stderr}");
    assert!(stderr.contains("Read-only"), "{stderr}");
}

/// The incident that started issue 23: `--out <data folder>/intake.db` once replaced the
/// clinic's database with a PDF. Now it is refused, and so is any path in the data
/// folder; a relative `--out` means the working directory.
#[test]
fn a_summary_never_lands_on_the_database() {
    let data = tempfile::tempdir().unwrap();
    let visits = demo(data.path());
    let id = visits[0].0.to_string();
    let db = data.path().join("intake.db");
    for target in [db.clone(), data.path().join("summary.pdf")] {
        intake(data.path())
            .args(["export", "pdf", "--encounter", &id, "--out"])
            .arg(&target)
            .assert()
            .code(1)
            .stderr(contains("inside the data folder"));
    }
    assert!(
        std::fs::read(&db)
            .unwrap()
            .starts_with(b"SQLite format 3\0"),
        "the database is still a database"
    );
    assert!(!data.path().join("summary.pdf").exists());
    intake(data.path())
        .args(["encounter", "list"])
        .assert()
        .success();
    // A relative path is the working directory's, made full before the API sees it.
    let work = tempfile::tempdir().unwrap();
    intake(data.path())
        .current_dir(work.path())
        .args(["export", "pdf", "--encounter", &id, "--out", "visit.pdf"])
        .assert()
        .success();
    assert!(work.path().join("visit.pdf").is_file());
}
