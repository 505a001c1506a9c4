//! Replays every committed corpus file of every fuzz target (`fuzz/corpus/<target>/`,
//! seeds and the reproducers of past crashes alike) through the target's function, so
//! `cargo test` keeps them passing with no fuzzer installed. A target without a
//! non-empty corpus folder or a `fuzz/fuzz_targets/` file fails, and so does a corpus
//! folder that no target reads.

use std::collections::BTreeSet;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use intake_fuzz::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir`, sorted by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_a_corpus_and_a_fuzzer() {
    let fuzz = fuzz_dir();
    let manifest = fs::read_to_string(fuzz.join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in TARGETS {
        let corpus = fuzz.join("corpus").join(name);
        assert!(
            corpus.is_dir() && !files(&corpus).is_empty(),
            "{} holds the seeds of {name}",
            corpus.display()
        );
        let source = fuzz.join("fuzz_targets").join(format!("{name}.rs"));
        let text = fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{} is the fuzzer of {name}: {e}", source.display()));
        assert!(
            text.contains(&format!("intake_fuzz::{name}")),
            "{} calls intake_fuzz::{name}",
            source.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has a [[bin]] {name}"
        );
    }
    let named: BTreeSet<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    for entry in fs::read_dir(fuzz.join("corpus")).expect("fuzz/corpus") {
        let dir = entry.expect("a directory entry").file_name();
        let dir = dir.to_string_lossy();
        assert!(
            named.contains(dir.as_ref()),
            "fuzz/corpus/{dir} belongs to no target in intake_fuzz::TARGETS"
        );
    }
}

#[test]
fn every_corpus_file_passes_its_target() {
    let mut failed = Vec::new();
    let mut replayed = 0;
    for (name, target) in TARGETS {
        for file in files(&fuzz_dir().join("corpus").join(name)) {
            let data = fs::read(&file).expect("a corpus file reads");
            if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failed.push(format!("{name}: {}", file.display()));
            }
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len(), "replayed {replayed} files");
    assert!(
        failed.is_empty(),
        "corpus files that fail their target (the panic is printed above; \
         `cargo fuzz run <target> <file>` replays one):\n{}",
        failed.join("\n")
    );
}
