//! The local database a copy starts from, filled through the store's traits.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use intake_core::patient::{Sex, ValidPatient};
use intake_core::questionnaire::response::Key;
use intake_core::{AnswerSource, EncounterId, PatientId, Role, TemplateStatus};
use intake_store::prelude::*;
use intake_store::{
    decode_values, AnswerWrite, CarriedFrom, NewAuditEntry, NewTemplate, NewUser, PatientStatus,
    Signature, SignedRecord, SqliteStore, StoreError,
};

pub fn t(sec: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
        .single()
        .expect("a date")
        + Duration::seconds(sec)
}

pub fn ok<T>(r: Result<T, StoreError>, doing: &str) -> T {
    r.unwrap_or_else(|e| panic!("{doing}: {e}"))
}

pub fn person(family: &str, given: &str, birth: &str, phone: &str) -> ValidPatient {
    ValidPatient {
        mrn: None,
        family: family.into(),
        given: given.into(),
        birth_date: NaiveDate::parse_from_str(birth, "%Y-%m-%d").expect("a date"),
        sex: Sex::Female,
        phone: phone.into(),
        email: String::new(),
        address_line: "Rue des Écoles 3".into(),
        city: "Kraków".into(),
        postal_code: String::new(),
        country: String::new(),
        language: String::new(),
        emergency_name: String::new(),
        emergency_relationship: String::new(),
        emergency_phone: String::new(),
        notes: "allergic to \"penicillin\"".into(),
    }
}

pub fn key(text: &str) -> Key {
    text.parse().expect("a key")
}

pub fn put<B: Backend>(b: &B, id: EncounterId, k: &str, json: &str, carried: Option<&CarriedFrom>) {
    let k = key(k);
    let v = decode_values(json).expect("values");
    let source = if carried.is_some() {
        AnswerSource::Carried
    } else {
        AnswerSource::Typed
    };
    let w = AnswerWrite {
        key: &k,
        values: &v,
        source,
        carried,
        needs_confirmation: carried.is_some(),
    };
    ok(
        b.write(|tx| tx.put_answer(id, &w, t(50), "nora")),
        "answering",
    );
}

pub fn audit<B: Backend>(b: &B, action: &str, patient: Option<PatientId>, at: i64) {
    let entry = NewAuditEntry {
        at: t(at),
        actor: "ada",
        action,
        patient_id: patient.map(|p| p.0),
        entity: "patient",
        entity_id: patient.map(|p| p.0.to_string()),
        detail: serde_json::json!({ "note": "Zoë – ✓", "n": at }),
    };
    ok(b.write(|tx| tx.append_audit(&entry)), "auditing");
}

/// What was made, to read back.
pub struct Filled {
    pub patients: Vec<PatientId>,
    pub encounters: Vec<EncounterId>,
}

/// Users, settings, a session, patients (edited, one entered in error, one merged), a
/// form, visits in every state with answers, their revisions and events, audit entries.
pub fn fill(s: &SqliteStore) -> Filled {
    for (name, role) in [
        ("ada", Role::Admin),
        ("nora", Role::Nurse),
        ("dora", Role::Physician),
        ("old", Role::Nurse),
    ] {
        let user = NewUser {
            username: name,
            display_name: &format!("{name} Ü."),
            role,
            password_hash: &format!("$argon2id$v=19${name}"),
            must_change_password: name == "nora",
        };
        let id = ok(s.write(|tx| tx.insert_user(&user, t(1), "setup")), "a user");
        if name == "old" {
            ok(
                s.write(|tx| tx.set_user_active(id, false, t(2), "ada")),
                "disabling",
            );
            ok(
                s.write(|tx| tx.insert_session("token-hash", id, t(3)).map(|_| ())),
                "a session",
            );
        }
    }
    ok(
        s.write(|tx| tx.put_setting("clinic_name", "Przychodnia Zoë", t(4), "ada")),
        "a setting",
    );
    ok(
        s.write(|tx| tx.put_setting("idle_minutes", "15", t(4), "ada")),
        "a setting",
    );
    let changes = serde_json::json!({ "registered": true });
    let people = [
        person("Kowalski", "Jan", "1970-01-02", "+48 601 234 567"),
        person("Łukasz", "Zoë", "1980-02-03", ""),
        person("Nowak", "Anna", "1990-03-04", "0612345678"),
        person("Nowak", "Ana", "1990-03-04", ""),
    ];
    let mut patients = Vec::new();
    for p in &people {
        let id = ok(
            s.write(|tx| {
                let mrn = tx.next_generated_mrn()?;
                tx.insert_patient(p, &mrn, &changes, t(5), "nora")
            }),
            "a patient",
        );
        audit(s, "patient.created", Some(id), 6);
        patients.push(id);
    }
    let mut edited = people[0].clone();
    edited.given = "Janusz".into();
    let edit = serde_json::json!({ "given": ["Jan", "Janusz"] });
    ok(
        s.write(|tx| tx.update_patient(patients[0], 1, &edited, &edit, t(7), "nora")),
        "an edit",
    );
    ok(
        s.write(|tx| {
            tx.set_patient_status(
                patients[1],
                1,
                PatientStatus::EnteredInError,
                "twice",
                t(8),
                "ada",
            )
        }),
        "in error",
    );
    ok(
        s.write(|tx| tx.insert_patient_merge(patients[3], patients[2], "same person", t(9), "ada")),
        "a merge",
    );
    let original: &[u8] = b"{\"resourceType\":\"Questionnaire\"}\n\xc3\xa9\x00\xff";
    let form = NewTemplate {
        slug: "intake",
        version: "1.0",
        title: "Intake – adult",
        original,
        sha256: "abc123",
        report: "{\"warnings\":[]}",
    };
    let template = ok(
        s.write(|tx| {
            let id = tx.insert_template(&form, t(10), "ada")?;
            tx.set_template_status(id, TemplateStatus::Active, t(10), "ada")?;
            Ok::<_, StoreError>(id)
        }),
        "a form",
    );
    let mut encounters = Vec::new();
    for (i, patient) in [
        patients[0],
        patients[0],
        patients[2],
        patients[2],
        patients[0],
    ]
    .iter()
    .enumerate()
    {
        let id = ok(
            s.write(|tx| tx.insert_encounter(*patient, template, t(20 + i as i64), "nora")),
            "a visit",
        );
        put(s, id, "weight", r#"[{"valueDecimal":82.5}]"#, None);
        put(s, id, "weight", r#"[{"valueDecimal":83}]"#, None);
        put(s, id, "note", r#"[{"valueString":"fine – ✓"}]"#, None);
        encounters.push(id);
    }
    // 0: a draft with a deleted answer; 1: submitted; 2: signed; 3: amended; 4: in error.
    ok(
        s.write(|tx| tx.delete_answer(encounters[0], &key("note")).map(|_| ())),
        "deleting",
    );
    let record = |json: &'static str, sha: &'static str| SignedRecord {
        json,
        sha256: sha,
        form: 2,
    };
    for &id in &encounters[1..] {
        ok(
            s.write(|tx| tx.submit_encounter(id, &[], t(30), "nora")),
            "submitting",
        );
    }
    for &id in &encounters[2..4] {
        ok(
            s.write(|tx| {
                tx.sign_encounter(
                    id,
                    Signature::First,
                    record("{\"weight\":83,\"é\":\"✓\"}", "d1"),
                    t(31),
                    "dora",
                )
            }),
            "signing",
        );
    }
    ok(
        s.write(|tx| tx.start_amendment(encounters[3], "wrong weight", t(32), "dora")),
        "amending",
    );
    put(s, encounters[3], "weight", r#"[{"valueDecimal":81}]"#, None);
    ok(
        s.write(|tx| {
            tx.sign_encounter(
                encounters[3],
                Signature::Amendment,
                record("{\"weight\":81}", "d2"),
                t(33),
                "dora",
            )
        }),
        "signing again",
    );
    ok(
        s.write(|tx| tx.mark_encounter_in_error(encounters[4], "wrong chart", t(34), "ada")),
        "in error",
    );
    let from = CarriedFrom {
        encounter: encounters[2],
        date: t(20),
        author: "nora".into(),
        confirmed_by: None,
    };
    put(
        s,
        encounters[0],
        "height",
        r#"[{"valueDecimal":170}]"#,
        Some(&from),
    );
    audit(s, "encounter.signed", Some(patients[2]), 35);
    Filled {
        patients,
        encounters,
    }
}

pub fn local_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("a folder");
    let store = ok(SqliteStore::open(&dir.path().join("intake.db")), "opening");
    (dir, store)
}

/// `count` more patients in one transaction, each with an edit, a signed visit with two
/// answers and an audit entry.
pub fn many(s: &SqliteStore, count: i64) {
    let template = ok(s.read(|tx| tx.list_templates()), "the form")[0].id;
    let weight = key("weight");
    let note = key("note");
    let values = decode_values(r#"[{"valueDecimal":70}]"#).expect("values");
    let text = decode_values(r#"[{"valueString":"ok"}]"#).expect("values");
    let changes = serde_json::json!({ "registered": true });
    ok(
        s.write(|tx| {
            for i in 0..count {
                let p = person(
                    &format!("Family{i}"),
                    "Given",
                    "1950-01-01",
                    "+48 600 000 000",
                );
                let mrn = tx.next_generated_mrn()?;
                let id = tx.insert_patient(&p, &mrn, &changes, t(100), "nora")?;
                let edit = serde_json::json!({ "given": ["Given", "Given"] });
                tx.update_patient(id, 1, &p, &edit, t(101), "nora")?;
                let visit = tx.insert_encounter(id, template, t(102), "nora")?;
                for (k, v) in [(&weight, &values), (&note, &text)] {
                    let w = AnswerWrite {
                        key: k,
                        values: v,
                        source: AnswerSource::Typed,
                        carried: None,
                        needs_confirmation: false,
                    };
                    tx.put_answer(visit, &w, t(103), "nora")?;
                }
                tx.submit_encounter(visit, &[], t(104), "nora")?;
                let record = SignedRecord {
                    json: "{\"weight\":70}",
                    sha256: "d",
                    form: 2,
                };
                tx.sign_encounter(visit, Signature::First, record, t(105), "dora")?;
                tx.append_audit(&NewAuditEntry {
                    at: t(106),
                    actor: "nora",
                    action: "patient.created",
                    patient_id: Some(id.0),
                    entity: "patient",
                    entity_id: Some(id.0.to_string()),
                    detail: serde_json::json!({ "n": i }),
                })?;
            }
            Ok::<_, StoreError>(())
        }),
        "many patients",
    );
}
