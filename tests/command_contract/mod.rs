//! The contract between the UI's door (`ui/api.js`), the one list of commands
//! (`src-tauri/command_list.rs`, published as `intake_desk::COMMANDS`), the
//! `#[tauri::command]` functions and the capability. [`disagreements`] names every way
//! they differ: a command the UI calls that is not registered, an argument the command
//! does not take or a required one the UI does not send, a registered command the UI
//! never calls, a command function left out of the list, and a capability that grants
//! more or less than our commands and the plugin calls the UI makes.

pub mod js;
pub mod rust;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

/// What the contract is checked over; the real files, or samples in the unit tests.
pub struct Sources<'a> {
    /// The registered commands, in list order.
    pub registered: &'a [&'a str],
    /// The permission set that grants every registered command.
    pub app_commands_set: &'a str,
    /// `(file name, source)` of each file under `src-tauri/commands/`.
    pub command_files: &'a [(String, String)],
    pub api_js: &'a str,
    pub capability: &'a serde_json::Value,
}

/// Every disagreement, in words a developer can act on; empty when all agree.
pub fn disagreements(sources: &Sources) -> Vec<String> {
    let mut problems = Vec::new();
    let registered: BTreeSet<&str> = sources.registered.iter().copied().collect();

    let mut defined: BTreeMap<String, rust::Command> = BTreeMap::new();
    for (file, source) in sources.command_files {
        let (commands, unread) = rust::commands(file, source);
        problems.extend(unread);
        for command in commands {
            if let Some(other) = defined.get(&command.name) {
                problems.push(format!(
                    "`{}` is defined twice (in {} and {})",
                    command.name, other.file, command.file
                ));
            }
            defined.insert(command.name.clone(), command);
        }
    }
    for name in &registered {
        if !defined.contains_key(*name) {
            problems.push(format!(
                "`{name}` is in src-tauri/command_list.rs but no #[tauri::command] fn {name} was found in src-tauri/commands/"
            ));
        }
    }
    for command in defined.values() {
        if !registered.contains(command.name.as_str()) {
            problems.push(format!(
                "`{}` ({}) is a #[tauri::command] missing from src-tauri/command_list.rs: the window cannot call it",
                command.name, command.file
            ));
        }
    }

    let (calls, unread) = js::calls(sources.api_js);
    problems.extend(unread);
    let mut called = BTreeSet::new();
    let mut plugin_permissions = BTreeSet::new();
    for call in &calls {
        if let Some(plugin) = call.command.strip_prefix("plugin:") {
            match plugin.split_once('|') {
                Some((name, command)) => {
                    plugin_permissions
                        .insert(format!("{name}:allow-{}", command.replace('_', "-")));
                }
                None => problems.push(format!(
                    "ui/api.js line {}: `{}` names no plugin command",
                    call.line, call.command
                )),
            }
            continue;
        }
        called.insert(call.command.as_str());
        if !registered.contains(call.command.as_str()) {
            problems.push(format!(
                "ui/api.js line {} calls `{}`, which is not in src-tauri/command_list.rs",
                call.line, call.command
            ));
            continue;
        }
        let Some(command) = defined.get(&call.command) else {
            continue;
        };
        let takes: BTreeSet<&str> = command.args.iter().map(|a| a.name.as_str()).collect();
        for sent in &call.args {
            if !takes.contains(sent.as_str()) {
                problems.push(format!(
                    "ui/api.js line {} sends `{sent}` to `{}`, which takes {:?}",
                    call.line, call.command, takes
                ));
            }
        }
        for needed in command.args.iter().filter(|a| a.required) {
            if !call.args.contains(&needed.name) {
                problems.push(format!(
                    "ui/api.js line {} calls `{}` without `{}`, which it needs",
                    call.line, call.command, needed.name
                ));
            }
        }
    }
    for name in &registered {
        if !called.contains(name) {
            problems.push(format!(
                "`{name}` is registered but no function in ui/api.js calls it"
            ));
        }
    }

    let mut expected = plugin_permissions;
    expected.insert(sources.app_commands_set.to_string());
    let granted: BTreeSet<String> = match sources.capability["permissions"].as_array() {
        Some(list) => list
            .iter()
            .map(|p| match p {
                serde_json::Value::String(s) => s.clone(),
                other => other["identifier"].as_str().unwrap_or("?").to_string(),
            })
            .collect(),
        None => {
            problems.push("the capability has no `permissions` list".into());
            BTreeSet::new()
        }
    };
    for missing in expected.difference(&granted) {
        problems.push(format!("the capability does not grant `{missing}`"));
    }
    for extra in granted.difference(&expected) {
        problems.push(format!(
            "the capability grants `{extra}`, which is neither the `{}` set nor a plugin command ui/api.js calls",
            sources.app_commands_set
        ));
    }
    problems
}
