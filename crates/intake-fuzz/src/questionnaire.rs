//! A form file as `Import form` reads it ([`intake_core::questionnaire::import`]), then
//! what opening a new intake on an imported form does with it: index the items, take
//! the initial answers, evaluate `enableWhen` and validation, calculate.

use intake_core::questionnaire::response::{
    calculate, evaluate, initial_response, submitted_record, FormIndex,
};
use intake_core::questionnaire::{all_items, import};

/// Imports `data` as a Questionnaire. Properties: the same bytes import the same way
/// twice; an error has a message; an imported form's report has one line per item, in
/// form order; and a new intake on it can be opened and evaluated.
pub fn questionnaire_import(data: &[u8]) {
    let first = import(data);
    assert_eq!(first, import(data), "the same bytes import the same way");
    let (form, report) = match first {
        Ok(imported) => imported,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "a refusal says why: {e:?}");
            return;
        }
    };
    let items: Vec<&str> = all_items(&form.items)
        .iter()
        .map(|i| i.link_id.as_str())
        .collect();
    let reported: Vec<&str> = report.items.iter().map(|i| i.link_id.as_str()).collect();
    assert_eq!(
        reported, items,
        "the report has every item once, in form order"
    );
    assert!(!report.summary().is_empty(), "the report sums up");

    let index = FormIndex::new(&form.items);
    let response = initial_response(&index);
    for key in response.keys() {
        assert!(
            index.check(key).is_ok(),
            "an initial answer {key} belongs to an item that takes answers"
        );
    }
    let evaluation = evaluate(&index, &response);
    let _ = calculate(&index, &response);
    let record = submitted_record(&response, &evaluation);
    assert!(
        record.len() <= response.len(),
        "a submitted record only leaves answers out"
    );
}
