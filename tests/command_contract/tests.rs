//! The checker over small samples: it agrees with a world that agrees, and names each
//! kind of disagreement when one is introduced.

use super::*;

const RUST: &str = r#"
use tauri::State;

/// Not a command: helpers are not read.
pub fn helper(x: i64) -> i64 { x }

#[tauri::command]
pub async fn whoami(backend: State<'_, Backend>, token: String) -> Result<SessionDto, IpcError> {
    todo!()
}

// #[tauri::command] pub async fn commented_out(x: String) {}

#[tauri::command]
pub async fn save_intake<R: Runtime>(
    app: tauri::AppHandle<R>,
    token: String,
    encounter_id: i64,
    changes: Vec<ChangeDto>,
    section: Option<String>,
    on_progress: Channel<Map<String, i64>>,
) -> Result<SavedDto, IpcError> {
    todo!()
}

#[tauri::command(rename_all = "snake_case")]
pub fn app_status(mut first_run: bool) -> bool { first_run }
"#;

const API_JS: &str = r#"
async function call(cmd, args = {}, { withToken = true } = {}) {
  return await invoke(cmd, withToken ? { ...args, token } : args);
}
// call('not_a_call', { nope }) in a comment is not read.
export const appStatus = () => call('app_status', { first_run: true }, { withToken: false });
export const whoami = () => call('whoami');
export const saveIntake = (encounterId, changes, section = null) =>
  call('save_intake', {
    encounterId,
    changes: changes.map((c) => ({ key: c.key, 'values': c.values })),
    section,
    onProgress: channel,
  });
export const signOut = () => window.__TAURI__.core.invoke('whoami', { token: used });
export const chooseFile = () => call('plugin:dialog|open', { options: { title: 'a, b' } }, { withToken: false });
"#;

const REGISTERED: &[&str] = &["app_status", "whoami", "save_intake"];

fn check(registered: &[&str], rust: &str, api_js: &str, permissions: &[&str]) -> Vec<String> {
    let files = vec![("sample.rs".to_string(), rust.to_string())];
    let capability = serde_json::json!({ "permissions": permissions });
    disagreements(&Sources {
        registered,
        app_commands_set: "app-commands",
        command_files: &files,
        api_js,
        capability: &capability,
    })
}

const GRANTED: &[&str] = &["app-commands", "dialog:allow-open"];

/// One problem naming every word in `words`, or a failure that shows them all.
fn assert_one_problem(problems: &[String], words: &[&str]) {
    assert_eq!(
        problems.len(),
        1,
        "exactly one disagreement expected, got {problems:#?}"
    );
    for word in words {
        assert!(
            problems[0].contains(word),
            "the problem names {word:?}: {problems:?}"
        );
    }
}

#[test]
fn a_world_that_agrees_has_no_disagreement() {
    let problems = check(REGISTERED, RUST, API_JS, GRANTED);
    assert!(problems.is_empty(), "the sample agrees, got {problems:#?}");
}

#[test]
fn the_scanners_read_the_samples_as_tauri_would() {
    let (calls, unread) = js::calls(API_JS);
    assert!(unread.is_empty(), "every call is readable: {unread:?}");
    let save = calls
        .iter()
        .find(|c| c.command == "save_intake")
        .expect("save_intake is called");
    let sent: Vec<&str> = save.args.iter().map(String::as_str).collect();
    assert_eq!(
        sent,
        ["changes", "encounterId", "onProgress", "section", "token"],
        "top-level keys plus the token"
    );
    assert_eq!(save.line, 9, "the line the call starts on");
    let status = calls
        .iter()
        .find(|c| c.command == "app_status")
        .expect("app_status is called");
    assert!(
        !status.args.contains("token"),
        "withToken: false sends no token"
    );

    let (commands, unread) = rust::commands("sample.rs", RUST);
    assert!(unread.is_empty(), "every signature is readable: {unread:?}");
    let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["whoami", "save_intake", "app_status"],
        "commands only, not helpers or comments"
    );
    let save = &commands[1];
    let args: Vec<(&str, bool)> = save
        .args
        .iter()
        .map(|a| (a.name.as_str(), a.required))
        .collect();
    assert_eq!(
        args,
        [
            ("token", true),
            ("encounterId", true),
            ("changes", true),
            ("section", false),
            ("onProgress", true)
        ],
        "camelCase names, AppHandle left out, Option optional"
    );
    assert_eq!(
        commands[2].args[0].name, "first_run",
        "rename_all = \"snake_case\" keeps the name"
    );
}

#[test]
fn a_registered_command_missing_from_api_js_is_named() {
    let api_js = API_JS
        .replace("call('whoami')", "Promise.resolve(null)")
        .replace("invoke('whoami'", "invoke(x");
    assert_one_problem(
        &check(REGISTERED, RUST, &api_js, GRANTED),
        &["`whoami`", "ui/api.js"],
    );
}

#[test]
fn a_call_of_an_unregistered_command_is_named() {
    let api_js =
        format!("{API_JS}\nexport const wipe = () => call('wipe_everything', {{ token }});\n");
    assert_one_problem(
        &check(REGISTERED, RUST, &api_js, GRANTED),
        &["wipe_everything", "line 18"],
    );
}

#[test]
fn a_wrong_argument_name_is_named() {
    let api_js = API_JS.replace("    encounterId,", "    encounter_id: encounterId,");
    let problems = check(REGISTERED, RUST, &api_js, GRANTED);
    assert_eq!(
        problems.len(),
        2,
        "an unknown name sent and a needed one missing: {problems:#?}"
    );
    assert!(
        problems[0].contains("sends `encounter_id` to `save_intake`"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("without `encounterId`"),
        "{problems:?}"
    );
}

#[test]
fn a_required_argument_left_out_is_named_but_an_optional_one_is_not() {
    let api_js = API_JS.replace("    section,\n", "");
    assert!(
        check(REGISTERED, RUST, &api_js, GRANTED).is_empty(),
        "section is an Option"
    );
    let api_js = API_JS.replace(
        "    changes: changes.map((c) => ({ key: c.key, 'values': c.values })),\n",
        "",
    );
    assert_one_problem(
        &check(REGISTERED, RUST, &api_js, GRANTED),
        &["without `changes`"],
    );
}

#[test]
fn a_command_function_left_out_of_the_list_is_named() {
    let problems = check(&["whoami", "save_intake"], RUST, API_JS, GRANTED);
    assert_eq!(
        problems.len(),
        2,
        "the function and the UI's call of it: {problems:#?}"
    );
    assert!(
        problems[0].contains("`app_status` (sample.rs) is a #[tauri::command] missing from"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("line 6 calls `app_status`, which is not in"),
        "{problems:?}"
    );
}

#[test]
fn a_listed_command_without_a_function_is_named() {
    let api_js = format!("{API_JS}\ncall('ghost');\n");
    let registered = ["app_status", "whoami", "save_intake", "ghost"];
    assert_one_problem(
        &check(&registered, RUST, &api_js, GRANTED),
        &["`ghost`", "no #[tauri::command]"],
    );
}

#[test]
fn the_capability_grants_exactly_the_set_and_the_plugin_calls_made() {
    assert_one_problem(
        &check(REGISTERED, RUST, API_JS, &["app-commands"]),
        &["does not grant `dialog:allow-open`"],
    );
    assert_one_problem(
        &check(REGISTERED, RUST, API_JS, &["dialog:allow-open"]),
        &["does not grant `app-commands`"],
    );
    let more = [
        "app-commands",
        "dialog:allow-open",
        "allow-whoami",
        "core:default",
    ];
    let problems = check(REGISTERED, RUST, API_JS, &more);
    assert_eq!(
        problems.len(),
        2,
        "each extra grant is named: {problems:#?}"
    );
    assert!(
        problems[0].contains("`allow-whoami`") && problems[1].contains("`core:default`"),
        "{problems:?}"
    );
}

#[test]
fn a_call_it_cannot_read_is_reported_not_skipped() {
    for (unreadable, why) in [
        ("call('whoami', { ...extra })", "spreads"),
        ("call('whoami', args)", "not an object literal"),
        ("call('whoami', {}, { withToken: maybe })", "option"),
    ] {
        let api_js = format!("{API_JS}\n{unreadable};\n");
        assert_one_problem(
            &check(REGISTERED, RUST, &api_js, GRANTED),
            &["`whoami`", why],
        );
    }
}
