//! PDFs checked with independent tools (poppler's pdftotext, pdffonts and pdfinfo,
//! and qpdf): every answer and the patient's name come out as text, fonts are
//! embedded, the file is well-formed, long content paginates without losing a table
//! row or splitting one, unsigned records say so on every page, and the same input
//! gives the same bytes. A missing tool fails the test and says what to install.

#[path = "../../intake-core/tests/support/fill.rs"]
mod fill;
#[path = "../../intake-core/tests/support/repeat_visit.rs"]
mod repeat_visit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, TimeZone, Utc};
use intake_core::questionnaire::response::Key;
use intake_core::questionnaire::{all_items, import, AnswerValue, Questionnaire};
use intake_core::summary::{build, Answer, Block, Origin, Summary, SummaryInput};
use intake_core::EncounterStatus;
use intake_pdf::{Paper, RenderOptions, Renderer};
use repeat_visit::{input, repeat_visit, PATIENT};

/// A key from its text (a test's own constant).
fn key(text: &str) -> Key {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is a key: {e}"))
}

/// The key of `link_id` in row `r` of the built-in form's medication list.
fn med_key(r: u32, link_id: &str) -> Key {
    let group = "medications/medication";
    if link_id == "medication" {
        key(&format!("{group}[{r}]"))
    } else {
        key(&format!("{group}[{r}]/{link_id}"))
    }
}

fn options(paper: Paper) -> RenderOptions {
    RenderOptions {
        paper,
        generated_at: Utc
            .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
            .single()
            .expect("a time"),
    }
}

/// Runs a tool; panics with what to install when it is missing, or with its output
/// when it fails.
fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{name} could not run ({e}): install poppler-utils and qpdf (scripts/ensure-deps.sh)"
        )
    });
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Rendered {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Rendered {
    fn path(&self) -> &str {
        self.path.to_str().expect("a UTF-8 temp path")
    }

    /// The text of each page, whitespace folded to single spaces.
    fn pages(&self) -> Vec<String> {
        tool("pdftotext", &["-raw", self.path(), "-"])
            .split('\u{c}')
            .map(squash)
            .filter(|p| !p.is_empty())
            .collect()
    }

    fn page_count(&self) -> usize {
        let info = tool("pdfinfo", &[self.path()]);
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo prints the page count")
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders into a temp dir; with `INTAKE_PDF_KEEP=<dir>` set, also keeps a copy
/// there named after the test, to look at.
fn render(summary: &Summary, paper: Paper) -> Rendered {
    let bytes = Renderer::new()
        .expect("the fonts load")
        .render(summary, &options(paper))
        .expect("the summary renders");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("summary.pdf");
    std::fs::write(&path, &bytes).expect("the PDF is written");
    if let Some(keep) = std::env::var_os("INTAKE_PDF_KEEP") {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let test = std::thread::current()
            .name()
            .unwrap_or("render")
            .replace("::", "-");
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::write(Path::new(&keep).join(format!("{test}-{n}.pdf")), &bytes);
    }
    Rendered {
        _dir: dir,
        path,
        bytes,
    }
}

/// Every answer value of the summary, as text.
fn answers(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    for block in summary.sections.iter().flat_map(|s| &s.blocks) {
        let mut push = |a: &Answer| {
            if let Answer::Values(v) = a {
                out.extend(v.iter().cloned());
            }
        };
        match block {
            Block::Row(r) => push(&r.answer),
            Block::Table(t) => t
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .for_each(|c| push(&c.answer)),
            _ => {}
        }
    }
    out
}

fn check_well_formed(pdf: &Rendered) {
    let fonts = tool("pdffonts", &[pdf.path()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "the document uses fonts: {fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(
            cols.len() >= 7 && cols[cols.len() - 5] == "yes",
            "font not embedded: {row}"
        );
    }
    tool("qpdf", &["--check", pdf.path()]);
    let pages = pdf.pages();
    let n = pdf.page_count();
    assert_eq!(pages.len(), n, "pdftotext and pdfinfo agree on the pages");
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {n}", i + 1)),
            "page {} has its footer",
            i + 1
        );
        assert!(
            page.contains("Record SHA-256"),
            "page {} shows the record hash",
            i + 1
        );
    }
}

#[test]
fn repeat_visit_shows_every_answer_and_the_name_with_its_diacritics() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let pdf = render(&summary, Paper::A4);
    check_well_formed(&pdf);
    let text = pdf.pages().join(" ");
    assert!(
        text.contains(PATIENT),
        "the patient's name as written: {PATIENT}"
    );
    for answer in answers(&summary) {
        assert!(
            text.contains(&squash(&answer)),
            "answer {answer:?} is in the PDF"
        );
    }
    assert!(text.contains("Fever No"), "a No prints as No");
    assert!(
        text.contains("Cough not answered"),
        "an unanswered question prints as not answered"
    );
    assert!(
        !text.contains("Units per week"),
        "a disabled question is left out"
    );
    assert!(text.contains("carried from 2 Oct 2026, confirmed by Nurse Amaka Eze"));
    assert!(text.contains("Signed by Dr. Ada Osei at 24 Nov 2026 15:42 UTC"));
    assert!(text.contains("Generated 1 Dec 2026 08:00 UTC"));
    assert!(!text.contains("DRAFT"), "a signed record has no draft band");
    let info = tool("pdfinfo", &[pdf.path()]);
    assert!(
        info.contains("Author:          Riverside Family Clinic"),
        "{info}"
    );
    assert!(
        info.contains(&format!("Title:           Visit summary: {PATIENT}")),
        "{info}"
    );
    assert!(
        info.contains("CreationDate:    Tue Dec  1 08:00:00 2026 UTC"),
        "{info}"
    );
}

#[test]
fn same_input_same_bytes() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let a = render(&summary, Paper::A4);
    let b = render(&summary, Paper::A4);
    let c = intake_pdf::render(&summary, &options(Paper::A4)).expect("renders");
    assert!(
        a.bytes == b.bytes && a.bytes == c,
        "two renders give byte-identical PDFs"
    );
}

#[test]
fn unsigned_records_say_so_on_every_page_and_letter_paper_is_letter() {
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Submitted));
    let pdf = render(&summary, Paper::Letter);
    check_well_formed(&pdf);
    for (i, page) in pdf.pages().iter().enumerate() {
        assert!(
            page.contains("DRAFT / NOT SIGNED"),
            "page {} is marked unsigned",
            i + 1
        );
    }
    assert!(pdf.pages().join(" ").contains("Not signed"));
    let info = tool("pdfinfo", &[pdf.path()]);
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
}

#[test]
fn a_record_entered_in_error_says_so_on_every_page() {
    let visit = repeat_visit();
    let pdf = render(
        &build(&input(&visit, EncounterStatus::EnteredInError)),
        Paper::A4,
    );
    check_well_formed(&pdf);
    for (i, page) in pdf.pages().iter().enumerate() {
        assert!(
            page.contains("ENTERED IN ERROR"),
            "page {} is marked entered in error",
            i + 1
        );
    }
}

#[test]
fn an_amendment_prints_when_who_and_why() {
    let visit = repeat_visit();
    let pdf = render(&build(&input(&visit, EncounterStatus::Amended)), Paper::A4);
    let text = pdf.pages().join(" ");
    assert!(
        text.contains("Amended on 26 Nov 2026 09:05 UTC by Dr. Ada Osei: Weight was entered in pounds; corrected to kilograms"),
        "{text}"
    );
}

fn plain_input<'a>(
    form: &'a Questionnaire,
    response: &'a intake_core::questionnaire::response::Response,
    provenance: &'a BTreeMap<Key, Origin>,
) -> SummaryInput<'a> {
    SummaryInput {
        clinic_name: "Riverside Family Clinic",
        patient_name: PATIENT,
        birth_date: NaiveDate::from_ymd_opt(1961, 3, 12).expect("a date"),
        mrn: "RFC-004217-3",
        visit_date: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        template_title: form.title.as_deref().unwrap_or("Form"),
        template_version: form.version.as_deref().unwrap_or(""),
        status: EncounterStatus::Submitted,
        signature: None,
        amendment: None,
        record_sha256: repeat_visit::SHA,
        questionnaire: form,
        response,
        provenance,
    }
}

#[test]
fn sixty_medications_paginate_without_losing_or_splitting_a_row() {
    let mut visit = repeat_visit();
    visit
        .response
        .retain(|k, _| k.rows().is_empty() || !k.link_id().starts_with("med"));
    let unit = repeat_visit::option(&visit.form, "med-unit", "mg");
    for r in 1..=60u32 {
        let text = |s: String| vec![AnswerValue::String(s)];
        visit.response.insert(med_key(r, "medication"), vec![]);
        visit.response.insert(
            med_key(r, "med-name"),
            text(format!("Drug-{r:02} extended release")),
        );
        visit.response.insert(
            med_key(r, "med-dose"),
            vec![AnswerValue::Decimal(1000.0 + f64::from(r))],
        );
        visit
            .response
            .insert(med_key(r, "med-unit"), vec![unit.clone()]);
    }
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let pdf = render(&summary, Paper::A4);
    check_well_formed(&pdf);
    let pages = pdf.pages();
    assert!(
        pages.len() >= 3,
        "60 medications take more pages: {}",
        pages.len()
    );
    for r in 1..=60 {
        let name = format!("Drug-{r:02} extended release");
        let on: Vec<usize> = (0..pages.len())
            .filter(|p| pages[*p].contains(&name))
            .collect();
        assert_eq!(on.len(), 1, "row {r} appears exactly once");
        let page = &pages[on[0]];
        assert!(
            page.contains(&format!("{} mg", 1000 + r)),
            "row {r}'s dose is on the same page as its name"
        );
        if !page.contains("Current medications") {
            assert!(
                page.contains("Medication (continued) # Medication Dose"),
                "a continued page repeats the table header"
            );
        }
    }
}

#[test]
fn a_five_thousand_character_answer_flows_onto_the_next_page_whole() {
    let mut visit = repeat_visit();
    let words: Vec<String> = (0..850).map(|i| format!("w{i:04}")).collect();
    let long = words.join(" ");
    assert!(long.chars().count() >= 5000);
    visit
        .response
        .insert(key("visit/reason"), vec![AnswerValue::String(long.clone())]);
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let pdf = render(&summary, Paper::A4);
    check_well_formed(&pdf);
    assert!(pdf.page_count() >= 4, "the long answer adds pages");
    let text = pdf.pages().join(" ");
    let mut at = 0;
    for w in &words {
        let found = text[at..]
            .find(w.as_str())
            .unwrap_or_else(|| panic!("{w} is in the PDF, in order"));
        at += found + w.len();
    }
}

#[test]
fn characters_outside_the_font_become_replacement_glyphs() {
    let mut visit = repeat_visit();
    let odd = "Pain 日 since \u{0007}Monday \u{10FFFD} 本";
    visit
        .response
        .insert(key("ros/ros-notes"), vec![AnswerValue::String(odd.into())]);
    // Code points from all over Unicode, controls and private use included.
    let assorted: String = (0..0x30000u32)
        .step_by(97)
        .filter_map(char::from_u32)
        .collect();
    visit.response.insert(
        key("social/substances"),
        vec![AnswerValue::String(assorted)],
    );
    let pdf = render(&build(&input(&visit, EncounterStatus::Signed)), Paper::A4);
    check_well_formed(&pdf);
    let text = pdf.pages().join(" ");
    assert!(
        text.contains("Pain \u{FFFD} since \u{FFFD}Monday"),
        "{text}"
    );
}

fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/questionnaires");
    dir.is_dir().then_some(dir)
}

#[test]
fn the_cardiology_form_of_142_items_renders_every_answer() {
    let Some(dir) = fixtures() else {
        println!("SKIPPED: the shared fixtures are missing");
        return;
    };
    let form = std::fs::read_dir(&dir)
        .expect("the fixtures folder reads")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|bytes| import(&bytes).ok().map(|(q, _)| q))
        .find(|q| all_items(&q.items).len() == 142)
        .expect("a fixture with 142 items (the cardiology form)");
    let response = fill::fill(&form);
    let provenance = BTreeMap::new();
    let summary = build(&plain_input(&form, &response, &provenance));
    let pdf = render(&summary, Paper::A4);
    check_well_formed(&pdf);
    assert!(
        pdf.page_count() >= 3,
        "142 items take several pages: {}",
        pdf.page_count()
    );
    let text = pdf.pages().join(" ");
    for answer in answers(&summary) {
        assert!(
            text.contains(&squash(&answer)),
            "answer {answer:?} is in the PDF"
        );
    }
}

#[test]
fn one_renderer_shared_by_threads_gives_every_thread_the_same_bytes() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let renderer = Renderer::new().expect("the fonts load");
    shareable(&renderer);
    let visit = repeat_visit();
    let summary = build(&input(&visit, EncounterStatus::Signed));
    let expected = renderer
        .render(&summary, &options(Paper::A4))
        .expect("renders");
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    renderer
                        .render(&summary, &options(Paper::A4))
                        .expect("renders")
                })
            })
            .collect();
        for handle in handles {
            let bytes = handle.join().expect("the thread finishes");
            assert!(
                bytes == expected,
                "a render on another thread gives the same bytes"
            );
        }
    });
}

#[test]
fn every_shared_fixture_renders_every_answer() {
    let Some(dir) = fixtures() else {
        println!("SKIPPED: the shared fixtures are missing");
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixtures folder reads")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut rendered = 0;
    for path in paths {
        let Ok((form, _)) = import(&std::fs::read(&path).expect("the fixture reads")) else {
            continue;
        };
        let response = fill::fill(&form);
        let provenance = BTreeMap::new();
        let summary = build(&plain_input(&form, &response, &provenance));
        let pdf = render(&summary, Paper::Letter);
        check_well_formed(&pdf);
        let text = pdf.pages().join(" ");
        for answer in answers(&summary) {
            assert!(
                text.contains(&squash(&answer)),
                "{}: answer {answer:?} is in the PDF",
                path.display()
            );
        }
        rendered += 1;
    }
    assert!(rendered >= 10, "the fixtures import and render: {rendered}");
}
