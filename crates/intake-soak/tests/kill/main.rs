//! Kill testing (issue 27, item 3): the writer process (`intake-soak-writer`) works on
//! a demo data folder through the real API and is SIGKILLed at random moments; after
//! each kill the folder is reopened and checked: `PRAGMA integrity_check`, the audit
//! chain and the signed records (what `intake verify` checks), every acknowledged save
//! with its value, every acknowledged state and export. Then a batch export is killed
//! midway, again and again: no half file, the manifest true to the files, the audit
//! consistent. The figures go to stderr and `target/soak/` (`make unit` shows them).
//!
//! `INTAKE_KILLS` sets the number of kills (100; `make soak` runs 1,000),
//! `INTAKE_SOAK_SEED` the seed (printed with the figures).

mod batch;
mod mix;
mod world;

#[test]
fn random_kills_lose_no_acknowledged_write() {
    mix::random_kills();
}

#[test]
fn a_batch_export_killed_midway_leaves_whole_files_a_true_manifest_and_its_audit() {
    batch::killed_batches();
}
