//! "Who saw or changed this chart?": every command that takes a patient or an encounter
//! id, called over IPC as the web UI calls it, leaves a new audit entry naming that
//! patient and the action, reads (whose entries are batched) as well as writes. The
//! table must list every such command: a new one fails here until it is audited (or
//! listed as exempt, with the reason).

// Only the reader of command signatures (the contract's own tests run in `layout`).
#[allow(dead_code)]
#[path = "command_contract/rust.rs"]
mod command_signatures;
mod ipc_support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use ipc_support::{invoke, token_of, App};

/// The demo app; in the `e2e` build its file dialogs answer with `folder/summary.pdf`.
fn app_answering_dialogs(folder: &Path) -> App {
    #[cfg(feature = "e2e")]
    {
        let answer = folder.join("dialog-answer");
        fs::write(&answer, folder.join("summary.pdf").display().to_string())
            .expect("the dialog's answer");
        ipc_support::demo_app_with(|b| b.manage(intake_desk::dialogs::TestAnswers(Some(answer))))
    }
    #[cfg(not(feature = "e2e"))]
    {
        let _ = folder;
        ipc_support::demo_app()
    }
}

/// Commands that take such an id but read nothing of the chart, and why (none today).
const EXEMPT: &[(&str, &str)] = &[];

/// Steps that open a native file dialog: only a build with the `e2e` feature can answer
/// it (`make test` runs this file in both builds).
const NEEDS_A_DIALOG: &[&str] = &["export_pdf"];

/// Who calls a step.
#[derive(Clone, Copy)]
enum Role {
    Nurse,
    Physician,
    Admin,
}

/// What the steps share: the tokens, the patient, the visits, the last record hash.
struct Ctx {
    tokens: BTreeMap<&'static str, String>,
    patient: i64,
    first: i64,
    second: i64,
    hash: String,
    version: i64,
    /// Another chart (the demo register's "Zoe Nunez"), to merge the patient into.
    other: i64,
    /// The carried answers of the second visit that wait for confirmation.
    confirms: Vec<Value>,
    /// Where the PDF step's dialog saves (kept until the test ends).
    #[allow(dead_code)]
    folder: tempfile::TempDir,
}

impl Ctx {
    fn token(&self, role: Role) -> &str {
        let name = match role {
            Role::Nurse => "nurse",
            Role::Physician => "physician",
            Role::Admin => "admin",
        };
        &self.tokens[name]
    }
}

/// One call: the command, who calls it, its arguments, the action its entry names, and
/// what the step keeps from the answer for the steps after it.
struct Step {
    command: &'static str,
    role: Role,
    body: fn(&Ctx) -> Value,
    action: &'static str,
    keep: fn(&mut Ctx, &Value),
}

fn nothing(_: &mut Ctx, _: &Value) {}

fn keep_hash(ctx: &mut Ctx, answer: &Value) {
    if let Some(hash) = answer["recordHash"].as_str() {
        ctx.hash = hash.to_string();
    }
}

fn keep_version(ctx: &mut Ctx, answer: &Value) {
    if let Some(v) = answer["version"].as_i64() {
        ctx.version = v;
    }
}

fn patient_input(ctx: &Ctx, app: &App) -> Value {
    let p = invoke(
        app,
        "get_patient",
        json!({ "token": ctx.token(Role::Admin), "id": ctx.patient }),
    )
    .expect("the patient");
    let mut input = serde_json::Map::new();
    for field in [
        "mrn",
        "family",
        "given",
        "birthDate",
        "sex",
        "phone",
        "email",
        "addressLine",
        "city",
        "postalCode",
        "country",
        "language",
        "emergencyName",
        "emergencyRelationship",
        "emergencyPhone",
        "notes",
    ] {
        input.insert(field.into(), p[field].clone());
    }
    input.insert("notes".into(), json!("Prefers morning appointments."));
    Value::Object(input)
}

fn steps() -> Vec<Step> {
    vec![
        Step {
            command: "get_patient",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "id": c.patient }),
            action: "patient.viewed",
            keep: keep_version,
        },
        Step {
            command: "patient_history",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "id": c.patient }),
            action: "patient.history_viewed",
            keep: nothing,
        },
        Step {
            command: "list_encounters",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "patientId": c.patient }),
            action: "patient.visits_listed",
            keep: nothing,
        },
        Step {
            command: "start_intake",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "patientId": c.patient }),
            action: "encounter.started",
            keep: |c, a| c.first = a["id"].as_i64().expect("a visit id"),
        },
        Step {
            command: "open_intake",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "encounterId": c.first }),
            action: "encounter.opened",
            keep: nothing,
        },
        Step {
            command: "save_intake",
            role: Role::Nurse,
            body: |c| {
                json!({ "token": c.token(Role::Nurse), "encounterId": c.first, "changes": [
                    { "key": "visit/reason", "values": [{ "valueString": "Rash" }], "baseRev": 0 },
                    { "key": "vitals/weight", "values": [{ "valueDecimal": 64.5 }], "baseRev": 0 },
                    { "key": "allergies/any-allergies", "values": [{ "valueBoolean": false }], "baseRev": 0 },
                    { "key": "medications/any-medications", "values": [{ "valueBoolean": false }], "baseRev": 0 }
                ] })
            },
            action: "encounter.saved",
            keep: nothing,
        },
        Step {
            command: "submit_intake",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "encounterId": c.first }),
            action: "encounter.submitted",
            keep: nothing,
        },
        Step {
            command: "open_review",
            role: Role::Physician,
            body: |c| json!({ "token": c.token(Role::Physician), "encounterId": c.first }),
            action: "encounter.review_opened",
            keep: keep_hash,
        },
        Step {
            command: "return_intake",
            role: Role::Physician,
            body: |c| {
                json!({ "token": c.token(Role::Physician), "encounterId": c.first,
                        "comment": "Please add the rash's location.", "recordHash": c.hash })
            },
            action: "encounter.returned",
            keep: nothing,
        },
        // The nurse submits again (submit_intake is already covered above).
        Step {
            command: "submit_intake",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "encounterId": c.first }),
            action: "encounter.submitted",
            keep: nothing,
        },
        Step {
            command: "open_review",
            role: Role::Physician,
            body: |c| json!({ "token": c.token(Role::Physician), "encounterId": c.first }),
            action: "encounter.review_opened",
            keep: keep_hash,
        },
        Step {
            command: "sign_intake",
            role: Role::Physician,
            body: |c| {
                json!({ "token": c.token(Role::Physician), "encounterId": c.first,
                        "recordHash": c.hash })
            },
            action: "encounter.signed",
            keep: keep_hash,
        },
        Step {
            command: "record_version",
            role: Role::Physician,
            body: |c| json!({ "token": c.token(Role::Physician), "encounterId": c.first, "version": 1 }),
            action: "encounter.version_viewed",
            keep: nothing,
        },
        Step {
            command: "answer_history",
            role: Role::Physician,
            body: |c| json!({ "token": c.token(Role::Physician), "encounterId": c.first }),
            action: "encounter.history_viewed",
            keep: nothing,
        },
        Step {
            command: "export_pdf",
            role: Role::Physician,
            body: |c| json!({ "token": c.token(Role::Physician), "encounterId": c.first }),
            action: "export.pdf",
            keep: nothing,
        },
        Step {
            command: "start_amendment",
            role: Role::Physician,
            body: |c| {
                json!({ "token": c.token(Role::Physician), "encounterId": c.first,
                        "reason": "Wrong side noted", "recordHash": c.hash })
            },
            action: "encounter.amendment_started",
            keep: nothing,
        },
        Step {
            command: "discard_amendment",
            role: Role::Physician,
            body: |c| json!({ "token": c.token(Role::Physician), "encounterId": c.first }),
            action: "encounter.amendment_discarded",
            keep: nothing,
        },
        // A second visit carries the first one's answers, to be confirmed.
        Step {
            command: "start_intake",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "patientId": c.patient }),
            action: "encounter.started",
            keep: |c, a| c.second = a["id"].as_i64().expect("a visit id"),
        },
        Step {
            command: "open_intake",
            role: Role::Nurse,
            body: |c| json!({ "token": c.token(Role::Nurse), "encounterId": c.second }),
            action: "encounter.opened",
            keep: |c, a| {
                c.confirms = a["answers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|a| a["needsConfirmation"] == true && a["confirmedBy"].is_null())
                    .map(|a| json!({ "key": a["key"], "baseRev": a["rev"] }))
                    .collect();
            },
        },
        Step {
            command: "confirm_intake",
            role: Role::Nurse,
            body: |c| {
                assert!(
                    !c.confirms.is_empty(),
                    "the second visit carries values to confirm"
                );
                json!({ "token": c.token(Role::Nurse), "encounterId": c.second,
                        "confirms": c.confirms })
            },
            action: "encounter.confirmed",
            keep: nothing,
        },
        Step {
            command: "mark_in_error",
            role: Role::Physician,
            body: |c| {
                json!({ "token": c.token(Role::Physician), "encounterId": c.second,
                        "reason": "Started for the wrong patient" })
            },
            action: "encounter.marked_in_error",
            keep: nothing,
        },
        Step {
            command: "update_patient",
            role: Role::Nurse,
            body: |_| Value::Null, // built with the patient's current fields, below
            action: "patient.updated",
            keep: |c, a| keep_version(c, &a["patient"]),
        },
        Step {
            command: "merge_patients",
            role: Role::Admin,
            body: |c| {
                json!({ "token": c.token(Role::Admin), "id": c.patient, "into": c.other,
                        "reason": "Same person, registered twice" })
            },
            action: "patient.merged",
            keep: nothing,
        },
        Step {
            command: "unmerge_patient",
            role: Role::Admin,
            body: |c| json!({ "token": c.token(Role::Admin), "id": c.patient }),
            action: "patient.merge_undone",
            keep: nothing,
        },
        Step {
            command: "mark_patient_in_error",
            role: Role::Admin,
            body: |c| {
                json!({ "token": c.token(Role::Admin), "id": c.patient, "version": c.version,
                        "reason": "Registered twice" })
            },
            action: "patient.marked_in_error",
            keep: nothing,
        },
    ]
}

/// The commands that take a patient or encounter id, read from `src-tauri/commands/`.
fn commands_with_a_chart_id() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/commands");
    let mut found = BTreeSet::new();
    for entry in fs::read_dir(&dir).expect("src-tauri/commands") {
        let path = entry.expect("an entry").path();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let source = fs::read_to_string(&path).expect("a command file");
        let (commands, unread) = command_signatures::commands(&file, &source);
        assert!(unread.is_empty(), "{unread:?}");
        for c in commands {
            // In patients.rs, `id` is a patient's id.
            let chart_id = c.args.iter().any(|a| {
                a.name == "patientId"
                    || a.name == "encounterId"
                    || (file == "patients.rs" && a.name == "id")
            });
            if chart_id {
                found.insert(c.name);
            }
        }
    }
    found
}

#[test]
fn the_table_covers_every_command_that_takes_a_chart_id() {
    let in_table: BTreeSet<String> = steps()
        .iter()
        .map(|s| s.command.to_string())
        .chain(EXEMPT.iter().map(|(c, _)| c.to_string()))
        .collect();
    let needed = commands_with_a_chart_id();
    assert!(
        needed.len() >= 19,
        "the scan finds the chart commands: {needed:?}"
    );
    let missing: Vec<_> = needed.difference(&in_table).collect();
    assert!(
        missing.is_empty(),
        "commands that take a patient or encounter id but are not in the audit table: {missing:?}"
    );
    let stale: Vec<_> = in_table.difference(&needed).collect();
    assert!(
        stale.is_empty(),
        "table entries that are not such commands: {stale:?}"
    );
}

/// The entries after `after`, oldest first, as an administrator lists them over IPC
/// (listing commits the batched read entries first).
fn entries_after(app: &App, admin: &str, after: i64) -> Vec<Value> {
    let listed = invoke(
        app,
        "list_audit",
        json!({ "token": admin, "filter": { "limit": 100 } }),
    )
    .expect("the admin lists the audit log");
    let mut newer: Vec<Value> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter(|e| e["seq"].as_i64().unwrap_or(0) > after)
        .cloned()
        .collect();
    newer.reverse();
    newer
}

#[test]
fn every_command_on_a_chart_leaves_an_entry_naming_the_patient_and_the_action() {
    let folder = tempfile::tempdir().expect("a folder for the PDF");
    let app = app_answering_dialogs(folder.path());
    let mut ctx = Ctx {
        tokens: ["nurse", "physician", "admin"]
            .into_iter()
            .map(|name| (name, token_of(&app, name)))
            .collect(),
        patient: 0,
        other: 0,
        first: 0,
        second: 0,
        hash: String::new(),
        version: 0,
        confirms: Vec::new(),
        folder,
    };
    let found = invoke(
        &app,
        "search_patients",
        json!({ "token": ctx.token(Role::Nurse), "query": "zoe nun" }),
    )
    .expect("a search");
    ctx.patient = found["patients"][0]["id"]
        .as_i64()
        .expect("Zoë is a demo patient");
    ctx.other = found["patients"][1]["id"]
        .as_i64()
        .expect("her duplicate, Zoe Nunez, is one too");
    let admin = ctx.token(Role::Admin).to_string();
    let mut last = entries_after(&app, &admin, 0)
        .last()
        .and_then(|e| e["seq"].as_i64())
        .unwrap_or(0);

    for step in steps() {
        if cfg!(not(feature = "e2e")) && NEEDS_A_DIALOG.contains(&step.command) {
            eprintln!(
                "{}: its save dialog is answered in the e2e build",
                step.command
            );
            continue;
        }
        let body = match step.command {
            "update_patient" => json!({ "token": ctx.token(step.role), "id": ctx.patient,
                                        "version": ctx.version,
                                        "patient": patient_input(&ctx, &app) }),
            _ => (step.body)(&ctx),
        };
        if step.command == "update_patient" {
            // Reading the fields for the update was itself a view; skip past it.
            last = entries_after(&app, &admin, last)
                .last()
                .and_then(|e| e["seq"].as_i64())
                .unwrap_or(last);
        }
        let answer = invoke(&app, step.command, body)
            .unwrap_or_else(|e| panic!("{} is refused: {e}", step.command));
        (step.keep)(&mut ctx, &answer);
        let new = entries_after(&app, &admin, last);
        assert!(
            new.iter().any(|e| e["action"] == step.action
                && e["patientId"] == ctx.patient
                && e["actor"] == ctx_actor(step.role)),
            "{} leaves an entry {} naming patient {} by {}; new entries: {new:#?}",
            step.command,
            step.action,
            ctx.patient,
            ctx_actor(step.role)
        );
        last = new.last().and_then(|e| e["seq"].as_i64()).unwrap_or(last);
    }
}

fn ctx_actor(role: Role) -> &'static str {
    match role {
        Role::Nurse => "nurse",
        Role::Physician => "physician",
        Role::Admin => "admin",
    }
}
