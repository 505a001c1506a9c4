//! The contract of chart merges: a link between two charts, undone at most once, never
//! deleted; the database refuses self-merges, chains and a second link of one chart.

use super::fixtures::{add_patient, ok, person, refused, t};
use crate::prelude::*;
use crate::StoreError;

pub fn merge_links_a_chart_and_undo_ends_the_link<B: Backend>(b: &B) {
    let survivor = add_patient(b, &person("Kowalski", "Jan", "1970-01-02"), "A-1");
    let merged = add_patient(b, &person("Kowalksi", "Jan", "1970-01-02"), "A-2");
    let id = ok(
        b.write(|tx| tx.insert_patient_merge(merged, survivor, "same person", t(5), "admin")),
        "merging",
    );
    let link = ok(b.read(|tx| tx.merged_into(merged)), "reading").expect("the merged chart's link");
    assert_eq!(
        (
            link.id,
            link.merged,
            link.survivor,
            link.reason.as_str(),
            link.by.as_str(),
            link.at
        ),
        (id, merged, survivor, "same person", "admin", t(5)),
        "the link comes back as written"
    );
    assert_eq!(
        (link.undone_at, link.undone_by.as_deref()),
        (None, None),
        "not undone yet"
    );
    assert_eq!(
        ok(b.read(|tx| tx.merged_from(survivor)), "reading"),
        vec![link.clone()],
        "the survivor lists the chart merged into it"
    );
    assert_eq!(
        ok(b.read(|tx| tx.merged_into(survivor)), "reading"),
        None,
        "the survivor is not merged"
    );

    assert!(
        ok(
            b.write(|tx| tx.undo_patient_merge(id, t(9), "admin2")),
            "undoing"
        ),
        "the undo is written"
    );
    assert!(
        !ok(
            b.write(|tx| tx.undo_patient_merge(id, t(10), "admin")),
            "undoing again"
        ),
        "a second undo writes nothing"
    );
    assert_eq!(
        ok(b.read(|tx| tx.merged_into(merged)), "reading"),
        None,
        "an undone link no longer merges"
    );
    assert!(
        ok(b.read(|tx| tx.merged_from(survivor)), "reading").is_empty(),
        "nor lists"
    );
    let again = ok(
        b.write(|tx| tx.insert_patient_merge(merged, survivor, "again", t(11), "admin")),
        "merging again after the undo",
    );
    assert_ne!(
        again, id,
        "a new merge is a new link; the undone one is kept"
    );
}

pub fn refused_merges_of_itself_twice_chained_or_without_a_reason<B: Backend>(b: &B) {
    let a = add_patient(b, &person("Nowak", "Anna", "1980-01-01"), "A-1");
    let c = add_patient(b, &person("Nowak", "Ana", "1980-01-01"), "A-2");
    let d = add_patient(b, &person("Nowak", "Anne", "1980-01-01"), "A-3");
    let merge = |merged, survivor, reason: &'static str| {
        b.write(|tx| tx.insert_patient_merge(merged, survivor, reason, t(1), "admin"))
    };
    refused(merge(a, a, "same"), "a chart merged into itself");
    refused(merge(c, a, "  "), "a merge without a reason");
    ok(merge(c, a, "same person"), "the first merge");
    refused(merge(c, d, "same person"), "a chart merged a second time");
    refused(
        merge(d, c, "same person"),
        "a merge into a chart that is itself merged",
    );
    refused(
        merge(a, d, "same person"),
        "a chart others are merged into, merged away",
    );
    let missing = intake_core::PatientId(a.0 + 100);
    let r = merge(missing, a, "same person");
    assert!(
        matches!(r, Err(StoreError::Refused { .. })),
        "a missing patient is refused: {r:?}"
    );
    assert_eq!(
        ok(b.read(|tx| tx.merged_from(a)), "reading").len(),
        1,
        "nothing of the refused merges was written"
    );
}

pub fn merges_touching_reads_a_page_of_charts_links_at_once<B: Backend>(b: &B) {
    let a = add_patient(b, &person("Nowak", "Anna", "1980-01-01"), "A-1");
    let a2 = add_patient(b, &person("Nowak", "Ana", "1980-01-01"), "A-2");
    let a3 = add_patient(b, &person("Nowakk", "Anna", "1980-01-01"), "A-3");
    let c = add_patient(b, &person("Lind", "Ingrid", "1950-12-12"), "A-4");
    let c2 = add_patient(b, &person("Lindd", "Ingrid", "1950-12-12"), "A-5");
    let lone = add_patient(b, &person("Okafor", "Chidi", "1991-05-05"), "A-6");
    let merge = |merged, survivor| {
        ok(
            b.write(|tx| tx.insert_patient_merge(merged, survivor, "same person", t(1), "admin")),
            "merging",
        )
    };
    let first = merge(a2, a);
    let second = merge(a3, a);
    let undone = merge(c2, c);
    ok(
        b.write(|tx| tx.undo_patient_merge(undone, t(2), "admin")),
        "undoing",
    );
    let ids = |links: Vec<crate::MergeRow>| links.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(ok(
            b.read(|tx| tx.merges_touching(&[lone, a3, a])),
            "reading"
        )),
        vec![first, second],
        "the survivor's and the merged chart's links, each once, oldest first"
    );
    assert_eq!(
        ids(ok(b.read(|tx| tx.merges_touching(&[a2])), "reading")),
        vec![first],
        "a merged chart alone finds its own link"
    );
    assert!(
        ok(b.read(|tx| tx.merges_touching(&[c, c2, lone])), "reading").is_empty(),
        "an undone link and an unmerged chart touch nothing"
    );
    assert!(
        ok(b.read(|tx| tx.merges_touching(&[])), "reading").is_empty(),
        "no charts, no links"
    );
}
