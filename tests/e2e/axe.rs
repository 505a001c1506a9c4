//! Accessibility checks with axe-core (vendored in `vendor/axe-core/`, MPL-2.0, used by
//! the tests only, never shipped). Every screenshot a test takes also runs axe on the
//! screen as it is; a violation of impact serious or critical fails the test, naming the
//! rule, the elements and axe's help text. Lesser findings are written to
//! `target/e2e-axe/<screen>.json`. `AXE_REPORT_ONLY=1` lists serious ones instead of
//! failing (for fixing many screens in one run).

use std::path::Path;

use serde_json::{json, Value};

use crate::harness::Session;

/// The published axe-core file, injected into the page the first time it is needed.
const AXE: &str = include_str!("vendor/axe-core/axe.min.js");

/// Impacts that fail a test.
const BLOCKING: [&str; 2] = ["serious", "critical"];

/// One rule axe found broken on a screen, with the elements it found.
#[derive(Debug)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl Violation {
    fn from_json(v: &Value) -> Violation {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let targets = v
            .get("nodes")
            .and_then(Value::as_array)
            .map(|nodes| {
                nodes
                    .iter()
                    .map(|n| {
                        let target = n.get("target").map(Value::to_string).unwrap_or_default();
                        let why = n
                            .get("failureSummary")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .replace('\n', " ");
                        format!("{target}: {why}")
                    })
                    .collect()
            })
            .unwrap_or_default();
        Violation {
            rule: text("id"),
            impact: text("impact"),
            help: text("help"),
            targets,
        }
    }

    pub fn blocks(&self) -> bool {
        BLOCKING.contains(&self.impact.as_str())
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} ({}): {}", self.rule, self.impact, self.help)?;
        for t in &self.targets {
            writeln!(f, "    {t}")?;
        }
        Ok(())
    }
}

/// Runs axe on the screen as it is now and returns every violation it reports.
pub async fn violations(s: &Session) -> Vec<Violation> {
    let loaded = s
        .client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !loaded {
        // The page's CSP does not apply to WebDriver's scripts: the source is evaluated
        // as the body of the script WebDriver runs.
        s.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .unwrap_or_else(|e| panic!("{}: axe-core could not be loaded: {e}", s.name()));
    }
    let result = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done({ ok: r.violations }))
               .catch((e) => done({ error: String(e) }));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{}: axe did not run: {e}", s.name()));
    if let Some(error) = result.get("error") {
        panic!("{}: axe failed: {error}", s.name());
    }
    result
        .get("ok")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(Violation::from_json).collect())
        .unwrap_or_default()
}

/// Checks the screen `screen`: fails the test on a serious or critical violation and
/// keeps the lesser ones in `target/e2e-axe/<screen>.json`.
pub async fn check(s: &Session, screen: &str) {
    let found = violations(s).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-axe");
    let _ = std::fs::create_dir_all(&dir);
    let kept: Vec<Value> = found
        .iter()
        .map(
            |v| json!({ "rule": v.rule, "impact": v.impact, "help": v.help, "targets": v.targets }),
        )
        .collect();
    let _ = std::fs::write(
        dir.join(format!("{screen}.json")),
        serde_json::to_string_pretty(&kept).unwrap_or_default(),
    );
    let blocking: Vec<&Violation> = found.iter().filter(|v| v.blocks()).collect();
    // While fixing many screens at once: AXE_REPORT_ONLY=1 lists instead of failing.
    if std::env::var_os("AXE_REPORT_ONLY").is_some() {
        for v in &blocking {
            eprintln!("AXE {screen}: {v}");
        }
        return;
    }
    assert!(
        blocking.is_empty(),
        "{}: axe finds {} serious or critical violation(s) on screen {screen}:\n{}",
        s.name(),
        blocking.len(),
        blocking
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("")
    );
}
