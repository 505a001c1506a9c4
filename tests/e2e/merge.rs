//! Two charts of one person in the real window: an administrator merges the demo
//! register's typo duplicate ("Kowalksi, Lukasz", with a visit of its own) into Łukasz
//! Kowalski's chart; his chart then lists the visits of both and the next intake carries
//! the duplicate's allergy.

use intake_api::wire::ChangeDto;
use intake_api::Caller;
use serde_json::json;

use crate::harness::{api, demo_data, go_to, sign_in_as, Session};

fn change(key: &str, values: serde_json::Value) -> ChangeDto {
    serde_json::from_value(json!({ "key": key, "values": values, "baseRev": 0 })).unwrap()
}

#[tokio::test]
async fn an_admin_merges_a_duplicate_into_lukasz_and_the_next_intake_carries_from_both() {
    let s = Session::start("merge", demo_data()).await;
    let direct = api(s.data.path());
    let cli = Caller::Cli("e2e");
    let find = |typed: &str, family: &str| {
        let found = direct.search_patients(cli, typed).unwrap().patients;
        found
            .into_iter()
            .find(|p| p.family == family)
            .unwrap_or_else(|| panic!("{typed:?} finds {family}"))
    };
    let lukasz = find("Kowalski 02.11.1975", "Kowalski");
    let typo = find("Kowalksi 02.11.1975", "Kowalksi");
    // The duplicate chart has a visit of its own: an allergy Łukasz's chart never had.
    let nurse = direct.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&nurse);
    let visit = direct.start_intake(nurse, typo.id, None, None).unwrap();
    let changes = [
        change("visit/reason", json!([{ "valueString": "Rash" }])),
        change("allergies/any-allergies", json!([{ "valueBoolean": true }])),
        change(
            "medications/any-medications",
            json!([{ "valueBoolean": false }]),
        ),
        change("allergies/allergy[1]", json!([])),
        change(
            "allergies/allergy[1]/allergy-substance",
            json!([{ "valueString": "Latex" }]),
        ),
    ];
    direct.save_intake(nurse, visit.id, &changes, None).unwrap();
    assert!(
        direct.submit_intake(nurse, visit.id).unwrap().submitted,
        "the duplicate's visit submits"
    );
    let own_visits = direct
        .list_encounters(cli, Some(lukasz.id), None)
        .unwrap()
        .len();

    sign_in_as(&s, "admin").await;
    go_to(&s, &format!("#/patients/{}", typo.id)).await;
    s.wait_for_text("#patient-name", "Kowalksi").await;
    s.click("#patient-merge").await;
    s.type_into("#patient-merge-search", "kowalski 02.11.1975")
        .await;
    s.wait_for_text("#patient-merge-results", &lukasz.mrn).await;
    s.click(&format!(
        "#patient-merge-results button[data-patient-id=\"{}\"]",
        lukasz.id
    ))
    .await;
    s.wait_for_text("#patient-merge-compare", "Visits").await;
    s.type_into(
        "#patient-merge-reason",
        "Same person: family name misspelt at registration",
    )
    .await;
    s.screenshot("merge-compare").await;
    s.click("#patient-merge-submit").await;

    // The window moves to the chart that stays: both MRNs, the duplicate named, every visit.
    s.wait_for_text("#patient-merged-from", "Kowalksi").await;
    s.wait_for_text("#patient-name", "Łukasz").await;
    s.wait_for_text("#patient-other-mrns", &typo.mrn).await;
    s.find(&format!("#visit-{}", visit.id)).await;
    s.screenshot("merge-survivor").await;
    let listed = direct
        .list_encounters(cli, Some(lukasz.id), None)
        .unwrap()
        .len();
    assert_eq!(
        listed,
        own_visits + 1,
        "Łukasz's chart lists his visits and the duplicate's"
    );

    // The duplicate says where it leads; search shows it too.
    go_to(&s, &format!("#/patients/{}", typo.id)).await;
    s.wait_for_text("#patient-merged-into", &lukasz.mrn).await;
    s.click("#nav a[data-section=\"patients\"]").await;
    s.type_into("#patient-search", "kowalksi").await;
    s.wait_for_text("#patient-results", "Merged into Kowalski, Łukasz")
        .await;
    s.screenshot("merge-search").await;

    // The next intake on Łukasz's chart carries the duplicate's allergy.
    let nurse = direct.sign_in("nurse", "demo").unwrap().token;
    let nurse = Caller::Session(&nurse);
    let next = direct.start_intake(nurse, lukasz.id, None, None).unwrap();
    let intake = direct.open_intake(nurse, next.id).unwrap();
    let latex = intake
        .answers
        .iter()
        .find(|a| a.key == "allergies/allergy[1]/allergy-substance")
        .expect("an allergy is carried");
    assert_eq!(
        (latex.values[0].clone(), latex.source.as_str()),
        (json!({ "valueString": "Latex" }), "carried"),
        "the duplicate chart's allergy arrives on Łukasz's next intake"
    );
    s.finish().await;
}
