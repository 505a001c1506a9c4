//! Reads the backend calls out of `ui/api.js`: every `call('name', { a, b: x }, opts?)`
//! (the module's wrapper, which adds `token` unless `opts` says `withToken: false`) and
//! every direct `invoke('name', { ... })`. A call whose command name is not a string
//! literal is the wrapper itself and is skipped; a call it cannot read whole (arguments
//! that are not an object literal, a spread, options it does not know) is reported, so
//! the contract never passes by not looking. Comments and strings are skipped; regular
//! expression literals are not understood (api.js has none).

use std::collections::BTreeSet;

/// One backend call in the UI's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub command: String,
    /// The argument names the call sends, `token` included when the wrapper adds it.
    pub args: BTreeSet<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Punct(char),
}

/// A run of tokens, each with the line it starts on.
type Tokens<'a> = &'a [(Tok, usize)];

fn tokens(source: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' || c == '`' {
            let (start_line, mut text) = (line, String::new());
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                line += usize::from(chars[i] == '\n');
                text.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push((Tok::Str(text), start_line));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push((Tok::Word(chars[start..i].iter().collect()), line));
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// The index just past the bracket that closes the one at `open`, if any.
fn closing(toks: Tokens, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, (tok, _)) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Punct('(' | '{' | '[') => depth += 1,
            Tok::Punct(')' | '}' | ']') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits the tokens between two brackets at the commas of their own level.
fn split_top(toks: Tokens) -> Vec<Tokens> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, (tok, _)) in toks.iter().enumerate() {
        match tok {
            Tok::Punct('(' | '{' | '[') => depth += 1,
            Tok::Punct(')' | '}' | ']') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                parts.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// The entries of an object literal that spans all of `toks`: (key, value tokens).
fn object_entries(toks: Tokens) -> Result<Vec<(String, Tokens)>, String> {
    let whole =
        matches!(toks.first(), Some((Tok::Punct('{'), _))) && closing(toks, 0) == Some(toks.len());
    if !whole {
        return Err("is not an object literal".into());
    }
    let mut entries = Vec::new();
    for entry in split_top(&toks[1..toks.len() - 1]) {
        match entry {
            [(Tok::Word(key), _)] => entries.push((key.clone(), &entry[1..])),
            [(Tok::Word(key) | Tok::Str(key), _), (Tok::Punct(':'), _), value @ ..] => {
                entries.push((key.clone(), value))
            }
            [(Tok::Punct('.'), _), ..] => return Err("spreads an object".into()),
            _ => return Err("has an entry that is not `name` or `name: value`".into()),
        }
    }
    Ok(entries)
}

/// The argument names one call sends; `parts` are its arguments, the name first.
fn sent_args(parts: &[Tokens], wrapper: bool) -> Result<BTreeSet<String>, String> {
    if parts.len() > if wrapper { 3 } else { 2 } {
        return Err("has more arguments than a command name, its arguments and options".into());
    }
    let mut args = BTreeSet::new();
    if let Some(body) = parts.get(1) {
        args.extend(object_entries(body)?.into_iter().map(|(key, _)| key));
    }
    let mut add_token = wrapper;
    if let Some(options) = parts.get(2) {
        for (key, value) in object_entries(options).map_err(|e| format!("options {e}"))? {
            match (key.as_str(), value) {
                ("withToken", [(Tok::Word(v), _)]) if v == "false" => add_token = false,
                ("withToken", [(Tok::Word(v), _)]) if v == "true" => {}
                _ => return Err(format!("has an option it cannot read: `{key}`")),
            }
        }
    }
    if add_token {
        args.insert("token".into());
    }
    Ok(args)
}

/// Every backend call in `source`, or what could not be read.
pub fn calls(source: &str) -> (Vec<Call>, Vec<String>) {
    let toks = tokens(source);
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    for (i, (tok, line)) in toks.iter().enumerate() {
        let wrapper = match tok {
            Tok::Word(w) if w == "call" => true,
            Tok::Word(w) if w == "invoke" => false,
            _ => continue,
        };
        let (Some((Tok::Punct('('), _)), Some((Tok::Str(command), _))) =
            (toks.get(i + 1), toks.get(i + 2))
        else {
            continue;
        };
        let read = closing(&toks, i + 1)
            .ok_or_else(|| "never closes".to_string())
            .and_then(|end| sent_args(&split_top(&toks[i + 2..end - 1]), wrapper));
        match read {
            Ok(args) => found.push(Call {
                command: command.clone(),
                args,
                line: *line,
            }),
            Err(e) => problems.push(format!(
                "ui/api.js line {line}: the call of `{command}` {e}"
            )),
        }
    }
    (found, problems)
}
