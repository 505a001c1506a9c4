//! Architecture invariants that a reviewer would otherwise have to remember: the
//! dependency rule, least privilege, the UI's one door to the backend, icon format.

use std::collections::BTreeSet;
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
        let out = Command::new(env!("CARGO"))
            .args([
                "tree",
                "--offline",
                "--prefix",
                "none",
                "-e",
                "normal,build,dev",
                "--manifest-path",
            ])
            .arg(&manifest)
            .output()
            .expect("cargo tree runs");
        assert!(
            out.status.success(),
            "cargo tree: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8_lossy(&out.stdout);
        let tauri: Vec<&str> = tree.lines().filter(|l| l.starts_with("tauri")).collect();
        assert!(tauri.is_empty(), "{} depends on {tauri:?}", dir.display());
        checked += 1;
    }
    assert!(checked >= 4, "checked every crate ({checked})");
}

/// `build.rs`'s command list, the handler list and the capability must agree, so a new
/// command is neither unreachable nor granted by accident.
#[test]
fn capabilities_grant_exactly_our_commands() {
    let listed = |text: &str, start: &str, end: &str| -> BTreeSet<String> {
        let from = text.find(start).expect("list start") + start.len();
        let to = from + text[from..].find(end).expect("list end");
        text[from..to]
            .split(',')
            .map(|s| {
                s.trim()
                    .trim_matches('"')
                    .rsplit("::")
                    .next()
                    .unwrap()
                    .to_string()
            })
            .filter(|s| !s.is_empty())
            .collect()
    };
    let built = listed(
        &read("src-tauri/build.rs"),
        "const COMMANDS: &[&str] = &[",
        "];",
    );
    let handled = listed(&read("src-tauri/lib.rs"), "generate_handler![", "]");
    assert_eq!(
        built, handled,
        "build.rs COMMANDS and generate_handler! list the same commands"
    );
    let cap: serde_json::Value =
        serde_json::from_str(&read("capabilities/main-window.json")).unwrap();
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let mut expected: BTreeSet<String> = built
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // The native file dialogs (import and export a form), and no other plugin command.
    expected.insert("dialog:allow-open".into());
    expected.insert("dialog:allow-save".into());
    assert_eq!(
        granted, expected,
        "the capability grants our commands, the open and save dialogs, and nothing else"
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
