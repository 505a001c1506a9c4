//! Answer keys as paths: the text round-trips for any linkId, malformed text is refused
//! with a reason, keys written before paths convert through their form, and the form
//! index resolves a key by its path, so two groups may hold the same child linkId.

use intake_core::questionnaire::response::{FormIndex, Key, KeyError, Segment};
use intake_core::questionnaire::{import, Item};
use proptest::prelude::*;
use serde_json::json;

fn key(text: &str) -> Key {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is a key: {e}"))
}

fn form() -> Vec<Item> {
    let q = json!({ "resourceType": "Questionnaire", "status": "active", "item": [
        { "linkId": "reason", "type": "string" },
        { "linkId": "vitals", "type": "group", "item": [
            { "linkId": "weight", "type": "decimal" } ] },
        { "linkId": "meds", "type": "group", "item": [
            { "linkId": "med", "type": "group", "repeats": true, "item": [
                { "linkId": "/54126-8/54125-0", "type": "string" } ] } ] }
    ]});
    import(q.to_string().as_bytes())
        .expect("the test form imports")
        .0
        .items
}

#[test]
fn keys_read_and_print_the_same_way() {
    for text in [
        "reason",
        "vitals/weight",
        "meds/med[3]",
        "meds/med[3]/name",
        "a[1]/b[12]/c",
        "%2F54126-8%2F54125-0",
        "x%25y%5Bz%5D:w",
        "[2]/orphan",
    ] {
        assert_eq!(key(text).to_string(), text, "{text} prints as it was read");
    }
    assert_eq!(
        key("meds/med[3]/%2F54126-8%2F54125-0").link_id(),
        "/54126-8/54125-0",
        "escapes are undone in the linkId"
    );
    assert_eq!(
        key("a[1]/b/c[4]/d").rows(),
        vec![1, 4],
        "rows in path order"
    );
}

#[test]
fn malformed_text_is_refused_with_a_reason() {
    for bad in [
        "",
        "/",
        "a/",
        "/a",
        "a//b",
        "a[0]/b",
        "a[01]/b",
        "a[]/b",
        "a[x]/b",
        "a[1]b/c",
        "a[1",
        "a]",
        "a%2/b",
        "a%2f",
        "a%41",
        "%",
        "[1]",
        "a/[2]",
        "a[-1]/b",
        "a[+1]/b",
        "a[4294967296]/b",
    ] {
        let refused = bad.parse::<Key>();
        let err = refused.expect_err(&format!("{bad:?} is not a key"));
        assert_eq!(err.text, bad, "the refusal names the text");
        assert!(
            err.to_string().contains("is not an answer key"),
            "the refusal says why: {err}"
        );
    }
}

#[test]
fn a_key_written_before_paths_converts_through_its_form() {
    let items = form();
    let index = FormIndex::new(&items);
    for (old, new) in [
        (":reason", "reason"),
        (":weight", "vitals/weight"),
        ("2:med", "meds/med[2]"),
        ("2:/54126-8/54125-0", "meds/med[2]/%2F54126-8%2F54125-0"),
        // Items the form does not place keep their rows and linkId.
        ("3:gone", "[3]/gone"),
        ("1:weight", "[1]/weight"),
    ] {
        let converted = index
            .key_from_legacy(old)
            .unwrap_or_else(|e| panic!("{old} reads: {e}"));
        assert_eq!(converted.to_string(), new, "{old} becomes {new}");
        assert_eq!(converted.legacy_text(), old, "and gives back its old text");
    }
    assert!(index.key_from_legacy("weight").is_err(), "no ':' is no key");
}

/// Two groups holding the same child linkId, built by hand (the importer still refuses
/// duplicate linkIds): each key names its own item.
#[test]
fn the_index_resolves_keys_by_path() {
    let q = json!({ "resourceType": "Questionnaire", "status": "active", "item": [
        { "linkId": "mother", "type": "group", "item": [ { "linkId": "name", "type": "string" } ] },
        { "linkId": "father", "type": "group", "item": [ { "linkId": "nick", "type": "string" } ] },
        { "linkId": "children", "type": "group", "repeats": true, "item": [
            { "linkId": "age", "type": "integer" } ] }
    ]});
    let mut items = import(q.to_string().as_bytes())
        .expect("the test form imports")
        .0
        .items;
    // The father's child becomes a second "name", of another type.
    items[1].items[0].link_id = "name".into();
    items[1].items[0].item_type = intake_core::questionnaire::ItemType::Integer;
    let index = FormIndex::new(&items);
    let mother = index.check(&key("mother/name")).expect("the mother's name");
    let father = index.check(&key("father/name")).expect("the father's name");
    assert_eq!(
        (mother.item_type.clone(), father.item_type.clone()),
        (
            intake_core::questionnaire::ItemType::String,
            intake_core::questionnaire::ItemType::Integer
        ),
        "each path names its own item"
    );
    assert!(
        matches!(index.check(&key("name")), Err(KeyError::UnknownItem(_))),
        "a bare linkId is not a path in this form"
    );
    assert!(
        matches!(
            index.check(&key("children/age")),
            Err(KeyError::WrongRows { .. })
        ),
        "a row is needed on the repeating group"
    );
    assert!(
        matches!(
            index.check(&key("mother[1]/name")),
            Err(KeyError::WrongRows { .. })
        ),
        "no row on a group that does not repeat"
    );
    assert!(
        index.check(&key("children[2]/age")).is_ok(),
        "an answer in row 2"
    );
    assert!(index.check(&key("children[2]")).is_ok(), "row 2 itself");
    assert!(
        matches!(index.check(&key("mother")), Err(KeyError::NoAnswers(_))),
        "a plain group takes no answers"
    );
}

fn segment() -> impl Strategy<Value = Segment> {
    (any::<String>(), proptest::option::of(1u32..))
        .prop_filter("a named segment", |(l, _)| !l.is_empty())
        .prop_map(|(link_id, row)| Segment { link_id, row })
}

proptest! {
    #[test]
    fn text_to_key_to_text_round_trips(path in proptest::collection::vec(segment(), 1..6)) {
        let key = Key::from_segments(path).expect("named segments make a key");
        let text = key.to_string();
        let back: Key = text.parse().expect("a printed key reads back");
        prop_assert_eq!(&back, &key);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        if let Ok(key) = text.parse::<Key>() {
            prop_assert_eq!(key.to_string(), text, "what reads prints the same");
        }
    }
}
