//! Architecture invariants that a reviewer would otherwise have to remember: the
//! dependency rule, least privilege, the UI's one door to the backend and its agreement
//! with the registered commands, icon format.

mod command_contract;
mod module_graph;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    let path = root().join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn no_crate_under_crates_depends_on_tauri() {
    let crates = fs::read_dir(root().join("crates")).unwrap();
    let mut checked = 0;
    for entry in crates {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let names = dependency_names(&manifest, "normal,build,dev");
        let tauri: Vec<&String> = names.iter().filter(|n| n.starts_with("tauri")).collect();
        assert!(tauri.is_empty(), "{} depends on {tauri:?}", dir.display());
        checked += 1;
    }
    assert!(checked >= 4, "checked every crate ({checked})");
}

/// The names `cargo tree` lists for `manifest` over the given dependency kinds.
fn dependency_names(manifest: &Path, kinds: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--prefix", "none", "-e", kinds])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn the_desktop_app_does_not_link_the_demo_register() {
    // Neither the desktop package nor the API it links depends on intake-demo, except
    // for tests.
    for manifest in ["Cargo.toml", "crates/intake-api/Cargo.toml"] {
        let names = dependency_names(&root().join(manifest), "normal,build");
        assert!(
            names.iter().any(|n| n == "intake-api"),
            "{manifest}: {names:?}"
        );
        assert!(
            !names.iter().any(|n| n == "intake-demo"),
            "{manifest} links intake-demo"
        );
    }
    let cli = dependency_names(&root().join("crates/intake-cli/Cargo.toml"), "normal");
    assert!(
        cli.iter().any(|n| n == "intake-demo"),
        "the CLI seeds demo data"
    );
    // And the built binary holds none of the demo register's text, but does hold the
    // API's (so the search would find it).
    let binary = env!("CARGO_BIN_EXE_intake-desk");
    let holds = |text: &str| {
        let grep = Command::new("grep")
            .args(["-q", "-a", "-F", "-e", text, binary])
            .status()
            .expect("grep runs");
        grep.success()
    };
    assert!(
        holds("This record is damaged"),
        "the API's messages are in it"
    );
    for demo in ["Nora Lindqvist", "Dr. Paul Okafor", "Northwind Health"] {
        assert!(!holds(demo), "the desktop binary holds demo text {demo:?}");
    }
    // Nor, unless built for the end-to-end tests, their file-dialog seam.
    assert!(holds("--data-dir"), "the app's own options are in it");
    #[cfg(not(feature = "e2e"))]
    assert!(
        !holds("--e2e-dialogs"),
        "the shipped app holds the end-to-end tests' dialog seam"
    );
}

/// `ui/api.js`, the one command list, the command functions and the capability agree:
/// names, argument names (camelCase over IPC), and grants (see `command_contract`).
#[test]
fn api_js_the_command_list_and_the_capability_agree() {
    let mut command_files = Vec::new();
    for entry in fs::read_dir(root().join("src-tauri/commands")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            command_files.push((name, fs::read_to_string(&path).unwrap()));
        }
    }
    command_files.sort();
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/main-window.json")).unwrap();
    let problems = command_contract::disagreements(&command_contract::Sources {
        registered: intake_desk::COMMANDS,
        app_commands_set: intake_desk::APP_COMMANDS_SET,
        command_files: &command_files,
        api_js: &read("ui/api.js"),
        capability: &capability,
    });
    assert!(
        problems.is_empty(),
        "ui/api.js, src-tauri/command_list.rs, src-tauri/commands/ and the capability must agree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_csp_allows_only_self_and_ipc() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    assert!(
        conf["build"].get("devUrl").is_none(),
        "no dev server: ui/ is embedded"
    );
    assert_eq!(conf["build"]["frontendDist"], "ui");
    let csp = conf["app"]["security"]["csp"].to_string();
    for forbidden in ["unsafe-inline", "unsafe-eval", "https:", "*", "blob:"] {
        assert!(
            !csp.contains(forbidden),
            "the CSP must not contain {forbidden:?}: {csp}"
        );
    }
    assert!(
        csp.contains("\"script-src\":\"'self'\""),
        "scripts only from the app: {csp}"
    );
}

fn ui_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ui_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn only_api_js_calls_the_backend_and_nothing_is_inline() {
    let mut files = Vec::new();
    ui_files(&root().join("ui"), &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("api.js")),
        "ui/api.js exists"
    );
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_default();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        if name != "ui/api.js" {
            assert!(
                !text.contains("__TAURI"),
                "{name} must call the backend through api.js"
            );
        }
        let lower = text.to_lowercase();
        assert!(!lower.contains(" onclick="), "{name}: no inline handlers");
        assert!(!lower.contains("eval("), "{name}: no eval");
        if name.ends_with(".html") {
            assert!(!lower.contains("<script>"), "{name}: no inline scripts");
            assert!(!lower.contains("style=\""), "{name}: no inline styles");
        }
    }
}

/// The folders of ui/: the shell's three files (and package.json, which tells Node that ui/ is
/// ES modules) at the root, everything else in its area.
const UI_ROOT_FILES: [&str; 4] = ["index.html", "app.js", "api.js", "package.json"];
const UI_AREAS: [&str; 7] = [
    "shell", "shared", "patients", "intake", "review", "exports", "admin",
];

/// Every file of ui/ (recursively) sits at the root (index.html, app.js, api.js) or in an
/// area folder; every relative import names a file that exists; every style sheet is
/// linked from index.html. A moved or misspelled module fails here, not in the window.
#[test]
fn ui_files_sit_in_their_areas_and_every_import_resolves() {
    let ui = root().join("ui");
    let mut files = Vec::new();
    ui_files(&ui, &mut files);
    let index = read("ui/index.html");
    let mut imports = 0;
    for file in &files {
        let rel = file.strip_prefix(&ui).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let placed = match parts.as_slice() {
            [only] => UI_ROOT_FILES.contains(&only.as_str()),
            [area, _] => UI_AREAS.contains(&area.as_str()),
            _ => false,
        };
        assert!(
            placed,
            "ui/{}: expected {UI_ROOT_FILES:?} at ui/ or one file deep in {UI_AREAS:?}",
            rel.display()
        );
        let unix = parts.join("/");
        if unix.ends_with(".css") {
            assert!(
                index.contains(&format!("href=\"{unix}\"")),
                "ui/index.html links the style sheet {unix}"
            );
        }
        if !unix.ends_with(".js") {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        for quote in ["from '", "import '"] {
            for (at, _) in text.match_indices(quote) {
                let start = at + quote.len();
                let Some(len) = text[start..].find('\'') else {
                    continue;
                };
                let target = &text[start..start + len];
                if !target.starts_with('.') {
                    continue;
                }
                let resolved = file.parent().unwrap().join(target);
                assert!(
                    resolved.is_file(),
                    "ui/{unix} imports {target}, which is not a file"
                );
                imports += 1;
            }
        }
    }
    assert!(
        files.len() > 40 && imports > 100,
        "walked every file under ui/ ({} files, {imports} imports)",
        files.len()
    );
}

#[test]
fn icons_are_rgba_pngs() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    for icon in conf["bundle"]["icon"].as_array().unwrap() {
        let path = icon.as_str().unwrap();
        let bytes = fs::read(root().join(path)).unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{path} is a PNG");
        assert_eq!(bytes[25], 6, "{path} has colour type 6 (RGBA)");
    }
}

/// The Rust sources that ship (not tests): every `.rs` file under `crates/*/src` and
/// `src-tauri`, cut at its `#[cfg(test)]` module; test-only files are left out.
fn shipped_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !matches!(name.as_str(), "tests" | "benches" | "examples" | "target") {
                shipped_sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

/// Finds encounter-status words written as Rust or SQL string literals (`"signed"`,
/// `'draft'`) in `text`, skipping `stored_words!` blocks (the one mapping to and from
/// the stored words) and everything from `#[cfg(test)]` on. Returns `(line, word)`.
fn status_literals(text: &str) -> Vec<(usize, &'static str)> {
    const WORDS: [&str; 5] = [
        "draft",
        "submitted",
        "signed",
        "amended",
        "entered_in_error",
    ];
    let mut found = Vec::new();
    let mut in_mapping = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("stored_words!(") {
            in_mapping = true;
        }
        if in_mapping {
            if trimmed.starts_with(");") {
                in_mapping = false;
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        for word in WORDS {
            // A JSON key that happens to be the word (`"signed": 12`) is not a status.
            let rust = line
                .match_indices(&format!("\"{word}\""))
                .any(|(i, m)| !line[i + m.len()..].starts_with(':'));
            if rust || line.contains(&format!("'{word}'")) {
                found.push((n + 1, word));
            }
        }
    }
    found
}

#[test]
fn the_status_scanner_finds_literals_outside_the_mapping() {
    let sample = "stored_words!(\n  X, \"x\", { Draft => \"draft\" }\n);\n\
                  let a = e.status == \"signed\";\n\
                  const Q: &str = \"SELECT 1 WHERE status = 'submitted'\";\n\
                  // a comment may say \"amended\"\n\
                  #[cfg(test)]\nmod tests { const S: &str = \"draft\"; }\n";
    assert_eq!(
        status_literals(sample),
        vec![(4, "signed"), (5, "submitted")],
        "a Rust literal and a SQL literal are found; the mapping, comments and tests are not"
    );
}

#[test]
fn encounter_statuses_are_written_only_by_their_enum() {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri"] {
        shipped_sources(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "scanned {} files", files.len());
    let mut offences = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (line, word) in status_literals(&text) {
            offences.push(format!(
                "{}:{line}: {word:?}",
                file.strip_prefix(root()).unwrap().display()
            ));
        }
    }
    assert!(
        offences.is_empty(),
        "write statuses through intake_core::EncounterStatus (as_str, parse), not as strings \
         (migrations are the only other place):\n{}",
        offences.join("\n")
    );
}

/// The API's rooms import each other in one direction only: no `use crate::` circle
/// between its modules (see `module_graph`), and at most six files at its top.
#[test]
fn the_api_has_rooms_and_no_import_circle() {
    let src = root().join("crates/intake-api/src");
    let graph = module_graph::Graph::of_crate(&src);
    assert!(
        graph.files.len() > 25,
        "read the API's files ({})",
        graph.files.len()
    );
    let cycles = graph.cycles();
    assert!(
        cycles.is_empty(),
        "modules that import each other in a circle: {cycles:#?}"
    );
    let top: Vec<String> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert!(
        top.len() <= 6,
        "intake-api/src has {} top-level files: {top:?}",
        top.len()
    );
}

/// ARCHITECTURE.md's code map is a short table: a row per room (every folder of the
/// API's source among them), no cell of 200 characters or more; the life cycle is drawn
/// once; the file links nowhere outside the repository.
#[test]
fn the_code_map_is_a_short_table_of_rooms() {
    let doc = read("ARCHITECTURE.md");
    let map = doc
        .split("## Code map")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a Code map section");
    let rows: Vec<&str> = map.lines().filter(|l| l.starts_with("| `")).collect();
    assert!(rows.len() >= 15, "a row per room ({} rows)", rows.len());
    for row in &rows {
        for cell in row.trim_matches('|').split(" | ") {
            let len = cell.trim().chars().count();
            assert!(len < 200, "a code-map cell of {len} characters: {cell}");
        }
    }
    let src = root().join("crates/intake-api/src");
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let room = format!(
                "`intake-api/src/{}/`",
                path.file_name().unwrap().to_string_lossy()
            );
            assert!(
                rows.iter().any(|r| r.contains(&room)),
                "the code map names {room}"
            );
        }
    }
    assert_eq!(doc.matches("### An encounter's life cycle").count(), 1);
    for outside in ["](http", "<http", "](//"] {
        assert!(
            !doc.contains(outside),
            "ARCHITECTURE.md links outside the repository"
        );
    }
}
