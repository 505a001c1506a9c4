//! Reads the `#[tauri::command]` functions out of `src-tauri/commands/*.rs`: each
//! command's name and the arguments the window must or may send, named as Tauri expects
//! them over IPC (camelCase, unless the attribute says `rename_all = "snake_case"`).
//! Arguments Tauri fills in itself (`State`, `AppHandle`, windows, the raw request) are
//! left out; `Option<..>` arguments may be omitted. A signature it cannot read is
//! reported rather than guessed.

/// One argument the window sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    pub required: bool,
}

/// One `#[tauri::command]` function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    pub file: String,
    pub args: Vec<Arg>,
}

/// Types whose values come from Tauri, not from the window's arguments.
const INJECTED: &[&str] = &[
    "State",
    "AppHandle",
    "Window",
    "WebviewWindow",
    "Webview",
    "Request",
    "CommandScope",
    "GlobalScope",
];

/// The source without comments (newlines kept), so commented-out code is not read.
fn without_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while !rest.is_empty() {
        if rest.starts_with("//") {
            rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            out.extend(rest[..end].chars().filter(|c| *c == '\n'));
            rest = &rest[end..];
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The byte index just past the bracket closing the one `text` starts with.
fn closing(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        // `->` inside a type (`impl Fn() -> T`) closes nothing.
        if c == open {
            depth += 1;
        } else if c == close && !(close == '>' && prev == '-') {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i + c.len_utf8());
            }
        }
        prev = c;
    }
    None
}

/// Splits a parameter list at the commas outside any brackets.
fn split_params(params: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start, mut prev) = (Vec::new(), 0i32, 0, ' ');
    for (i, c) in params.char_indices() {
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' => depth -= 1,
            '>' if prev != '-' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&params[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        prev = c;
    }
    out.push(&params[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// `on_progress` → `onProgress`, as Tauri names arguments by default.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    for (i, part) in snake.split('_').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = part.chars();
        if let (true, Some(first)) = (i > 0, chars.next()) {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        } else {
            out.push_str(part);
        }
    }
    out
}

fn arg(param: &str, snake_case: bool) -> Result<Option<Arg>, String> {
    let (pattern, ty) = param
        .split_once(':')
        .filter(|(_, ty)| !ty.starts_with(':'))
        .ok_or_else(|| format!("cannot read the parameter `{param}`"))?;
    let name = pattern.trim().trim_start_matches("mut ").trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!("cannot read the parameter `{param}`"));
    }
    let ty = ty.trim();
    let base = ty
        .split('<')
        .next()
        .unwrap_or(ty)
        .rsplit("::")
        .next()
        .unwrap_or(ty)
        .trim();
    if INJECTED.contains(&base) {
        return Ok(None);
    }
    let name = if snake_case {
        name.to_string()
    } else {
        camel_case(name)
    };
    Ok(Some(Arg {
        name,
        required: base != "Option",
    }))
}

/// Every `#[tauri::command]` in one file's source, or what could not be read.
pub fn commands(file: &str, source: &str) -> (Vec<Command>, Vec<String>) {
    let text = without_comments(source);
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    for (at, _) in text.match_indices("#[tauri::command") {
        let attr_len = closing(&text[at + 1..], '[', ']').map_or(0, |n| n + 1);
        let attribute = &text[at..at + attr_len];
        let snake_case = attribute.contains("rename_all") && attribute.contains("\"snake_case\"");
        let after = &text[at + attr_len..];
        let Some(fn_at) = after.find("fn ") else {
            problems.push(format!("{file}: a #[tauri::command] without a function"));
            continue;
        };
        let rest = &after[fn_at + 3..];
        let name_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_string();
        let mut rest = rest[name_len..].trim_start();
        if rest.starts_with('<') {
            rest = closing(rest, '<', '>').map_or("", |n| rest[n..].trim_start());
        }
        let Some(end) = rest
            .starts_with('(')
            .then(|| closing(rest, '(', ')'))
            .flatten()
        else {
            problems.push(format!("{file}: cannot read the parameters of `{name}`"));
            continue;
        };
        let mut args = Vec::new();
        for param in split_params(&rest[1..end - 1]) {
            match arg(param, snake_case) {
                Ok(Some(a)) => args.push(a),
                Ok(None) => {}
                Err(e) => problems.push(format!("{file}: `{name}` {e}")),
            }
        }
        found.push(Command {
            name,
            file: file.to_string(),
            args,
        });
    }
    (found, problems)
}
