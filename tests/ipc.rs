//! The desktop commands through Tauri's mock runtime, with the app's real configuration
//! and capabilities: what the web UI gets back over IPC.

mod ipc_support;

use std::sync::Arc;

use chrono::Utc;
use intake_api::{Api, ManualClock};
use intake_desk::Backend;
use serde_json::{json, Value};

use ipc_support::{app, assert_error_shape, demo_app, invoke, token_of, App};

#[test]
fn commands_without_a_session_are_unauthenticated() {
    let app = demo_app();
    for cmd in [
        "whoami",
        "list_users",
        "list_audit",
        "list_audit_actions",
        "verify_audit",
        "get_settings",
        "backup_status",
        "sign_out",
    ] {
        let err = invoke(&app, cmd, json!({ "token": "" })).expect_err(cmd);
        assert_error_shape(&err, "unauthenticated");
        let err = invoke(&app, cmd, json!({ "token": "forged-token" })).expect_err(cmd);
        assert_error_shape(&err, "unauthenticated");
    }
}

#[test]
fn sign_in_and_role_checks_over_ipc() {
    let app = demo_app();
    let err = invoke(
        &app,
        "sign_in",
        json!({ "username": "nurse", "password": "nope" }),
    )
    .expect_err("a wrong password");
    assert_error_shape(&err, "unauthenticated");
    assert_eq!(err["message"], "Username or password is incorrect.");

    let signed = invoke(
        &app,
        "sign_in",
        json!({ "username": "nurse", "password": "demo" }),
    )
    .expect("the demo nurse signs in");
    let token = signed["token"].as_str().expect("a token").to_string();
    assert_eq!(signed["user"]["role"], "nurse");
    assert_eq!(signed["sessionTimeoutSeconds"], 600);
    assert_eq!(signed["sections"], json!(["home", "patients", "intake"]));
    assert!(
        signed["user"].get("passwordHash").is_none(),
        "no hash crosses IPC"
    );

    let who = invoke(&app, "whoami", json!({ "token": token })).expect("whoami");
    assert_eq!(who["user"]["username"], "nurse");
    let err = invoke(&app, "list_users", json!({ "token": token })).expect_err("nurse");
    assert_error_shape(&err, "forbidden");
}

#[test]
fn validation_errors_name_their_field() {
    let app = demo_app();
    let admin = invoke(
        &app,
        "sign_in",
        json!({ "username": "admin", "password": "demo" }),
    )
    .unwrap();
    let token = admin["token"].as_str().unwrap();
    let err = invoke(
        &app,
        "create_user",
        json!({ "token": token, "user": { "username": "bad name", "displayName": "", "role": "nurse", "password": "temporary-pass" } }),
    )
    .expect_err("a space in a user name");
    assert_error_shape(&err, "validation");
    assert_eq!(err["field"], "username");
    let created = invoke(
        &app,
        "create_user",
        json!({ "token": token, "user": { "username": "lea", "displayName": "Léa Ñúñez", "role": "physician", "password": "temporary-pass" } }),
    )
    .expect("a valid user");
    assert_eq!(created["displayName"], "Léa Ñúñez");
    assert_eq!(created["mustChangePassword"], true);
}

#[test]
fn an_answer_of_the_wrong_type_is_refused_without_harm() {
    let app = demo_app();
    let err = invoke(
        &app,
        "sign_in",
        json!({ "username": 42, "password": ["x"] }),
    )
    .expect_err("numbers are not user names");
    assert!(
        err.to_string().contains("username"),
        "the argument is named: {err}"
    );
    // The app still answers afterwards.
    assert!(invoke(&app, "app_status", json!({})).is_ok());
}

#[test]
fn a_database_that_failed_to_open_is_reported_not_hidden() {
    let app = app(Backend::Failed(
        "/data/intake.db is not an Intake Desk database".into(),
    ));
    let err = invoke(&app, "app_status", json!({})).expect_err("no database");
    assert_error_shape(&err, "internal");
    assert!(err["message"].as_str().unwrap().contains("/data/intake.db"));
}

#[test]
fn a_second_window_on_one_data_folder_is_told_which_process_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = Backend::open(Some(dir.path().to_path_buf()), None);
    assert!(matches!(first, Backend::Ready(_)), "the first window opens");
    let second = app(Backend::open(Some(dir.path().to_path_buf()), None));
    let err = invoke(&second, "app_status", json!({})).expect_err("refused");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("already open on the data folder")
            && message.contains(&format!("process {}", std::process::id())),
        "{message}"
    );
    drop(first);
    let again = app(Backend::open(Some(dir.path().to_path_buf()), None));
    invoke(&again, "app_status", json!({})).expect("free once the first window has closed");
}

#[test]
fn first_run_creates_the_admin_once() {
    let api = Api::in_memory(Arc::new(ManualClock::new(Utc::now()))).unwrap();
    let app = app(Backend::Ready(Box::new(api)));
    let status = invoke(&app, "app_status", json!({})).unwrap();
    assert_eq!(status["needsFirstAdmin"], true);
    let body =
        json!({ "username": "chief", "displayName": "Maria Chief", "password": "first-admin-pw" });
    invoke(&app, "create_first_admin", body.clone()).expect("the first admin");
    let err = invoke(&app, "create_first_admin", body).expect_err("a second first admin");
    assert_error_shape(&err, "conflict");
    assert_eq!(
        invoke(&app, "app_status", json!({})).unwrap()["needsFirstAdmin"],
        false
    );
}

#[test]
fn only_our_own_commands_are_allowed() {
    let app = demo_app();
    for cmd in [
        "plugin:app|version",
        "plugin:window|close",
        "plugin:event|listen",
    ] {
        let err = invoke(&app, cmd, json!({})).expect_err(cmd);
        assert!(
            err.to_string().contains("not allowed"),
            "{cmd} must be refused by the capability: {err}"
        );
    }
}

/// The capability grants the `app-commands` set that `build.rs` generates from the one
/// list, so every registered command gets past the ACL (its own checks answer instead).
#[test]
fn every_listed_command_is_allowed_by_the_capability() {
    let app = demo_app();
    assert!(
        intake_desk::COMMANDS.len() >= 40,
        "the one list holds every command, got {}",
        intake_desk::COMMANDS.len()
    );
    for cmd in intake_desk::COMMANDS {
        // No arguments: a command either answers or refuses the missing ones, harmlessly.
        if let Err(err) = invoke(&app, cmd, json!({})) {
            let text = err.to_string();
            assert!(
                !text.contains("not allowed")
                    && !text.contains(&format!("Command {cmd} not found")),
                "{cmd} must be registered and allowed by the capability: {err}"
            );
        }
    }
}

#[test]
fn patients_over_ipc() {
    let app = demo_app();
    let nurse = invoke(
        &app,
        "sign_in",
        json!({ "username": "nurse", "password": "demo" }),
    )
    .unwrap();
    let token = nurse["token"].as_str().unwrap();
    let found = invoke(
        &app,
        "search_patients",
        json!({ "token": token, "query": "zoe nun" }),
    )
    .unwrap();
    let first = &found["patients"][0];
    assert_eq!(first["family"], "Núñez");
    assert_eq!(first["birthDate"], "1984-03-07");
    let id = first["id"].as_i64().unwrap();
    let patient = invoke(&app, "get_patient", json!({ "token": token, "id": id })).unwrap();
    assert_eq!(patient["given"], "Zoë");
    let history = invoke(&app, "patient_history", json!({ "token": token, "id": id })).unwrap();
    assert_eq!(history[0]["version"], 1);
    let twin =
        json!({ "family": "Nunez", "given": "Zoe", "birthDate": "1984-03-07", "sex": "female" });
    let stopped = invoke(
        &app,
        "register_patient",
        json!({ "token": token, "patient": twin, "duplicateReason": null }),
    )
    .unwrap();
    assert_eq!(stopped["patient"], Value::Null, "nothing saved");
    assert!(!stopped["duplicates"].as_array().unwrap().is_empty());
    let saved = invoke(
        &app,
        "register_patient",
        json!({ "token": token, "patient": twin, "duplicateReason": "twin" }),
    )
    .unwrap();
    let new_id = saved["patient"]["id"].as_i64().unwrap();
    let edit = json!({ "family": "Nunez", "given": "Zoe", "birthDate": "1984-03-07", "sex": "female", "phone": "555 0199" });
    let stale = invoke(
        &app,
        "update_patient",
        json!({ "token": token, "id": new_id, "version": 7, "patient": edit }),
    )
    .expect_err("a stale version");
    assert_error_shape(&stale, "conflict");
    let err = invoke(
        &app,
        "mark_patient_in_error",
        json!({ "token": token, "id": new_id, "version": 1, "reason": "test" }),
    )
    .expect_err("nurses cannot mark in error");
    assert_error_shape(&err, "forbidden");
    let bad = json!({ "family": "", "given": "X", "birthDate": "1984-03-07", "sex": "female" });
    let err = invoke(
        &app,
        "register_patient",
        json!({ "token": token, "patient": bad }),
    )
    .expect_err("no family name");
    assert_error_shape(&err, "validation");
    assert_eq!(err["field"], "family");
}

#[test]
fn an_intake_over_ipc_refuses_bad_answers_and_submits_once() {
    let app = demo_app();
    let nurse = invoke(
        &app,
        "sign_in",
        json!({ "username": "nurse", "password": "demo" }),
    )
    .unwrap();
    let token = nurse["token"].as_str().unwrap();
    let found = invoke(
        &app,
        "search_patients",
        json!({ "token": token, "query": "zoe nun" }),
    )
    .unwrap();
    let patient_id = found["patients"][0]["id"].as_i64().unwrap();
    let started = invoke(
        &app,
        "start_intake",
        json!({ "token": token, "patientId": patient_id, "slug": null, "version": null }),
    )
    .unwrap();
    assert_eq!(started["templateSlug"], "general-adult-intake");
    let id = started["id"].as_i64().unwrap();
    let opened = invoke(
        &app,
        "open_intake",
        json!({ "token": token, "encounterId": id }),
    )
    .unwrap();
    assert_eq!(opened["form"]["items"][0]["linkId"], "visit");

    // An answer of the wrong type: refused, the field named, nothing saved.
    let wrong =
        json!([{ "key": "vitals/pulse", "values": [{ "valueInteger": "seventy" }], "baseRev": 0 }]);
    let err = invoke(
        &app,
        "save_intake",
        json!({ "token": token, "encounterId": id, "changes": wrong, "section": null }),
    )
    .expect_err("text is not a whole number");
    assert_error_shape(&err, "validation");
    assert_eq!(err["field"], "vitals/pulse");
    // Not even a list of changes: the argument is named.
    let err = invoke(
        &app,
        "save_intake",
        json!({ "token": token, "encounterId": id, "changes": "pulse 70" }),
    )
    .expect_err("not a list");
    assert!(err.to_string().contains("changes"), "{err}");
    // A megabyte of text: refused with the limit.
    let huge = json!([{ "key": "visit/reason", "values": [{ "valueString": "x".repeat(1_000_000) }], "baseRev": 0 }]);
    let err = invoke(
        &app,
        "save_intake",
        json!({ "token": token, "encounterId": id, "changes": huge }),
    )
    .expect_err("too long");
    assert_error_shape(&err, "validation");
    assert!(
        err["message"].as_str().unwrap().contains("100,000"),
        "{err}"
    );

    let good = json!([
        { "key": "visit/reason", "values": [{ "valueString": "Headache" }], "baseRev": 0 },
        { "key": "vitals/pulse", "values": [{ "valueInteger": 70 }], "baseRev": 0 },
        { "key": "allergies/any-allergies", "values": [{ "valueBoolean": false }], "baseRev": 0 },
        { "key": "medications/any-medications", "values": [{ "valueBoolean": false }], "baseRev": 0 }
    ]);
    let saved = invoke(
        &app,
        "save_intake",
        json!({ "token": token, "encounterId": id, "changes": good, "section": "vitals" }),
    )
    .unwrap();
    assert_eq!(saved["encounter"]["section"], "vitals");
    let submitted = invoke(
        &app,
        "submit_intake",
        json!({ "token": token, "encounterId": id }),
    )
    .unwrap();
    assert_eq!(submitted["submitted"], true);
    let again = invoke(
        &app,
        "submit_intake",
        json!({ "token": token, "encounterId": id }),
    )
    .expect_err("submitted once");
    assert_error_shape(&again, "conflict");
    let listed = invoke(
        &app,
        "list_encounters",
        json!({ "token": token, "patientId": patient_id, "status": "submitted" }),
    )
    .unwrap();
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["readOnly"], true);
}

#[test]
fn a_review_over_ipc_signs_once_and_refuses_stale_or_oversized_input() {
    let app = demo_app();
    let nurse = token_of(&app, "nurse");
    let physician = token_of(&app, "physician");
    let found = invoke(
        &app,
        "search_patients",
        json!({ "token": nurse, "query": "zoe nun" }),
    )
    .unwrap();
    let patient_id = found["patients"][0]["id"].as_i64().unwrap();
    let started = invoke(
        &app,
        "start_intake",
        json!({ "token": nurse, "patientId": patient_id }),
    )
    .unwrap();
    let id = started["id"].as_i64().unwrap();
    let changes = json!([
        { "key": "visit/reason", "values": [{ "valueString": "Rash" }], "baseRev": 0 },
        { "key": "allergies/any-allergies", "values": [{ "valueBoolean": false }], "baseRev": 0 },
        { "key": "medications/any-medications", "values": [{ "valueBoolean": false }], "baseRev": 0 }
    ]);
    invoke(
        &app,
        "save_intake",
        json!({ "token": nurse, "encounterId": id, "changes": changes }),
    )
    .unwrap();
    let submitted = invoke(
        &app,
        "submit_intake",
        json!({ "token": nurse, "encounterId": id }),
    )
    .unwrap();
    assert_eq!(submitted["submitted"], true, "{submitted}");

    let queue = invoke(&app, "review_queue", json!({ "token": physician })).unwrap();
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["encounterId"] == id)
        .expect("in the queue");
    assert_eq!(item["reason"], "Rash");
    let count = invoke(&app, "review_count", json!({ "token": physician })).unwrap();
    assert!(count.as_i64().unwrap() >= 1);
    let err = invoke(&app, "review_queue", json!({ "token": nurse })).expect_err("nurse");
    assert_error_shape(&err, "forbidden");

    let review = invoke(
        &app,
        "open_review",
        json!({ "token": physician, "encounterId": id }),
    )
    .unwrap();
    let hash = review["recordHash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64, "a SHA-256 in hex");
    assert_eq!(review["may"]["sign"], true);

    let err = invoke(
        &app,
        "return_intake",
        json!({ "token": physician, "encounterId": id, "comment": "x".repeat(100 * 1024), "recordHash": hash }),
    )
    .expect_err("a 100 KB comment");
    assert_error_shape(&err, "validation");
    assert_eq!(err["field"], "comment");
    let err = invoke(
        &app,
        "sign_intake",
        json!({ "token": nurse, "encounterId": id, "recordHash": hash }),
    )
    .expect_err("nurses do not sign");
    assert_error_shape(&err, "forbidden");
    let err = invoke(
        &app,
        "sign_intake",
        json!({ "token": physician, "encounterId": id, "recordHash": "0".repeat(64) }),
    )
    .expect_err("a record other than the one shown");
    assert_error_shape(&err, "conflict");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("changed since you opened it"));

    let signed = invoke(
        &app,
        "sign_intake",
        json!({ "token": physician, "encounterId": id, "recordHash": hash }),
    )
    .unwrap();
    assert_eq!(signed["encounter"]["status"], "signed");
    assert_eq!(signed["encounter"]["signedBy"], "physician");
    let again = invoke(
        &app,
        "sign_intake",
        json!({ "token": physician, "encounterId": id, "recordHash": hash }),
    )
    .expect_err("signed once");
    assert_error_shape(&again, "conflict");
    let version = invoke(
        &app,
        "record_version",
        json!({ "token": nurse, "encounterId": id, "version": 1 }),
    )
    .unwrap();
    assert_eq!(version["version"]["kind"], "signed");
    let err = invoke(
        &app,
        "mark_in_error",
        json!({ "token": nurse, "encounterId": id, "reason": "Wrong patient" }),
    )
    .expect_err("nurses do not mark in error");
    assert_error_shape(&err, "forbidden");
}

/// A signed demo visit's id, and the admin's and the nurse's tokens.
fn signed_visit(app: &App) -> (i64, String, String) {
    let admin = token_of(app, "admin");
    let nurse = token_of(app, "nurse");
    let signed = invoke(
        app,
        "list_encounters",
        json!({ "token": admin, "status": "signed" }),
    )
    .unwrap();
    let id = signed[0]["id"].as_i64().expect("a signed demo visit");
    (id, admin, nurse)
}

#[test]
fn file_commands_refuse_before_any_dialog_opens() {
    let app = demo_app();
    let (id, admin, nurse) = signed_visit(&app);
    for (cmd, body) in [
        ("export_pdf", json!({ "token": nurse, "encounterId": id })),
        ("choose_export_folder", json!({ "token": nurse })),
        ("import_template_file", json!({ "token": nurse })),
        (
            "export_template_file",
            json!({ "token": nurse, "slug": "general-adult-intake", "version": "1" }),
        ),
    ] {
        let err = invoke(&app, cmd, body).expect_err(cmd);
        assert_error_shape(&err, "forbidden");
    }
    let err = invoke(
        &app,
        "export_pdf",
        json!({ "token": admin, "encounterId": 999_999 }),
    )
    .expect_err("no such visit");
    assert_error_shape(&err, "not_found");
    let err = invoke(
        &app,
        "prepare_export_folder",
        json!({ "token": admin, "folder": "exports/today", "create": true }),
    )
    .expect_err("a relative folder");
    assert_error_shape(&err, "validation");
    assert_eq!(err["field"], "folder");
    assert!(!std::path::Path::new("exports").exists(), "nothing created");

    let cancelled = invoke(&app, "cancel_export", json!({ "token": admin })).unwrap();
    assert_eq!(
        cancelled, false,
        "no batch runs, so there is nothing to cancel"
    );
    let err = invoke(&app, "cancel_export", json!({ "token": nurse }))
        .expect_err("nurses run no batches");
    assert_error_shape(&err, "forbidden");
}

#[test]
fn a_typed_export_folder_is_created_only_when_asked() {
    let app = demo_app();
    let (_, admin, _) = signed_visit(&app);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exports").join("december");
    let exists = invoke(
        &app,
        "prepare_export_folder",
        json!({ "token": admin, "folder": folder, "create": false }),
    )
    .unwrap();
    assert_eq!(exists, false, "missing, and may be created");
    assert!(!folder.exists(), "not created without the person's yes");
    let exists = invoke(
        &app,
        "prepare_export_folder",
        json!({ "token": admin, "folder": folder, "create": true }),
    )
    .unwrap();
    assert_eq!(exists, true);
    assert!(folder.is_dir(), "created once confirmed");
}

/// With the `e2e` build's dialog seam: the save dialog the backend opens starts on the
/// default name, and the file lands where it answered, whatever path the window sends.
#[cfg(feature = "e2e")]
#[test]
fn a_pdf_over_ipc_lands_where_the_backends_dialog_answered() {
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("answer");
    let chosen = dir.path().join("chosen.pdf");
    std::fs::write(&answer, chosen.display().to_string()).unwrap();
    let seam = answer.clone();
    let app = ipc_support::demo_app_with(move |b| {
        b.manage(intake_desk::dialogs::TestAnswers(Some(seam)))
    });
    let (id, admin, _) = signed_visit(&app);
    let elsewhere = dir.path().join("window-chose-this.pdf");
    let done = invoke(
        &app,
        "export_pdf",
        json!({ "token": admin, "encounterId": id, "path": elsewhere }),
    )
    .unwrap();
    assert_eq!(done["fileName"], "chosen.pdf");
    assert!(std::fs::read(&chosen).unwrap().starts_with(b"%PDF-"));
    assert!(!elsewhere.exists(), "a path from the window is never used");
    let calls = std::fs::read_to_string(dir.path().join("answer.calls")).unwrap();
    assert!(calls.contains(&format!("_visit-{id}.pdf")), "{calls}");

    std::fs::write(&answer, "").unwrap();
    let cancelled = invoke(
        &app,
        "export_pdf",
        json!({ "token": admin, "encounterId": id }),
    )
    .unwrap();
    assert_eq!(cancelled, Value::Null, "a cancelled dialog writes nothing");
}

#[test]
fn a_damaged_record_over_ipc_is_named_as_damaged_not_shown_blank() {
    // A copy of the upgrade fixture whose signed visit 1 has one answer damaged (the
    // guarding triggers dropped first, as only a SQL shell or a bad disk could).
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/intake-api/tests/fixtures/upgrade-v6.db");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    std::fs::copy(&fixture, &path).unwrap();
    let shell = |sql: &str| {
        let out = std::process::Command::new("sqlite3")
            .arg(&path)
            .arg(sql)
            .output()
            .expect("the sqlite3 shell");
        assert!(out.status.success(), "{sql}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let drops: String = shell(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'encounter_answers';",
    )
    .lines()
    .map(|t| format!("DROP TRIGGER \"{t}\";"))
    .collect();
    shell(&format!(
        "{drops} UPDATE encounter_answers SET value_json = 'not json' WHERE encounter_id = 1 \
         AND answer_key = (SELECT min(answer_key) FROM encounter_answers WHERE encounter_id = 1);"
    ));
    let api = Api::open_file(&path, Arc::new(ManualClock::new(Utc::now()))).unwrap();
    let app = app(Backend::Ready(Box::new(api)));
    let token = token_of(&app, "physician");
    for cmd in ["open_intake", "open_review"] {
        let err = invoke(&app, cmd, json!({ "token": token, "encounterId": 1 }))
            .expect_err("a damaged record is an error");
        assert_error_shape(&err, "internal");
        let message = err["message"].as_str().unwrap();
        assert!(
            message.starts_with("This record is damaged") && message.contains("visit 1"),
            "{cmd}: the person is told which record is damaged: {message}"
        );
    }
    invoke(
        &app,
        "open_review",
        json!({ "token": token, "encounterId": 2 }),
    )
    .expect("another visit still opens");
}
