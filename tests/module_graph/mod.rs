//! The `use crate::` graph of one crate, file by file, to find import cycles.
//!
//! Each source file is a node (the crate root, which only declares the modules and the
//! shared handle, is left out). Every `crate::`, `super::` and `self::` path in a file,
//! in `use` trees and in expressions, is an edge to the deepest module file it names; a
//! path through a folder's `mod.rs` (or the root) that names something the folder only
//! re-exports (`pub use child::Name`) goes on to the child that defines it. Code from
//! `#[cfg(test)]` on is left out: tests may look anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A module path from the crate root (`["intake", "save"]`); the root is empty.
type ModPath = Vec<String>;

pub struct Graph {
    /// Every module that is a file, by its path.
    pub files: BTreeMap<ModPath, PathBuf>,
    /// Edges between modules (the root left out).
    pub edges: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments, string literals and its test module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into its full paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    // Drop renames (`Name as Other`), then spaces.
    let mut plain = String::new();
    let mut words = tree.split_whitespace();
    while let Some(word) = words.next() {
        if word == "as" {
            let renamed = words.next().unwrap_or("");
            plain.extend(
                renamed
                    .chars()
                    .filter(|c| !c.is_alphanumeric() && *c != '_'),
            );
        } else {
            plain.push_str(word);
        }
    }
    let tree = plain;
    let mut out = Vec::new();
    expand_into(&tree, &mut Vec::new(), &mut out);
    out
}

fn expand_into(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Some(open) = tree.find('{') else {
        let mut path = prefix.clone();
        path.extend(
            tree.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        out.push(path);
        return;
    };
    let head: Vec<String> = tree[..open]
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let base = prefix.len();
    prefix.extend(head);
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                if !inner[start..i].is_empty() {
                    expand_into(&inner[start..i], prefix, out);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if !inner[start..].is_empty() {
        expand_into(&inner[start..], prefix, out);
    }
    prefix.truncate(base);
}

/// Every path a file's code names from `crate`, `super` or `self`, made absolute.
/// Also returns the names it re-exports (`pub use`), with the path each comes from.
fn paths(code: &str, me: &ModPath) -> (Vec<ModPath>, Vec<(String, ModPath)>) {
    // `self` in a file module is the module; `super` its parent.
    let here: ModPath = me.clone();
    let parent: ModPath = me[..me.len().saturating_sub(1)].to_vec();
    let absolute = |p: &[String]| -> Option<ModPath> {
        let (first, rest) = p.split_first()?;
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "super" => parent.clone(),
            "self" => here.clone(),
            _ => return None,
        };
        let mut rest = rest;
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
        base.extend(rest.iter().filter(|s| *s != "self").cloned());
        Some(base)
    };
    let mut found = Vec::new();
    let mut exports = Vec::new();
    let mut rest = code;
    // `use` statements (with their trees).
    while let Some(at) = rest.find("use ") {
        let before = &rest[..at];
        let boundary = before
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if boundary {
            let public = before.trim_end().ends_with("pub") || before.trim_end().ends_with(')');
            for p in expand(&after[..end]) {
                if let Some(abs) = absolute(&p) {
                    if public {
                        if let Some(name) = abs.last() {
                            exports.push((name.clone(), abs.clone()));
                        }
                    }
                    found.push(abs);
                } else if public && p.len() > 1 {
                    // `pub use child::Name` in a folder module: relative to it.
                    let mut abs = here.clone();
                    abs.extend(p.iter().cloned());
                    exports.push((p.last().cloned().unwrap_or_default(), abs));
                }
            }
        }
        rest = &after[end..];
    }
    // Paths in expressions and types.
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(start) {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let tail: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let p: Vec<String> = tail
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(abs) = absolute(&p) {
                found.push(abs);
            }
        }
    }
    (found, exports)
}

impl Graph {
    pub fn of_crate(src: &Path) -> Graph {
        let mut list = Vec::new();
        collect(src, &mut list);
        let mut files = BTreeMap::new();
        let mut codes = BTreeMap::new();
        for file in list {
            let module = module_of(src, &file);
            let is_folder = file.ends_with("mod.rs") || file.ends_with("lib.rs");
            let text = fs::read_to_string(&file).unwrap();
            codes.insert(module.clone(), (code(&text), is_folder));
            files.insert(module, file);
        }
        let mut named = BTreeMap::new();
        let mut reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
        for (module, (code, is_folder)) in &codes {
            let (found, exports) = paths(code, module);
            named.insert(module.clone(), found);
            if *is_folder {
                reexports.entry(module.clone()).or_default().extend(
                    exports
                        .into_iter()
                        .map(|(n, p)| (n, p[..p.len() - 1].to_vec())),
                );
            }
        }
        // The deepest module file a path names, following a folder's re-exports.
        let resolve = |path: &ModPath| -> ModPath {
            let mut target = path.clone();
            loop {
                while !files.contains_key(&target) {
                    target.pop();
                }
                let next = path.get(target.len());
                let hop = next.and_then(|n| reexports.get(&target).and_then(|r| r.get(n)));
                match hop {
                    Some(child) if child != &target && child.len() > target.len() => {
                        target = child.clone();
                    }
                    _ => return target,
                }
            }
        };
        let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
        for (module, found) in &named {
            if module.is_empty() {
                continue;
            }
            let out = edges.entry(module.clone()).or_default();
            for p in found {
                let target = resolve(p);
                if !target.is_empty() && &target != module {
                    out.insert(target);
                }
            }
        }
        Graph { files, edges }
    }

    /// The groups of modules that import each other in a circle (strongly connected
    /// components of more than one module).
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let nodes: Vec<&ModPath> = self.edges.keys().collect();
        let index: BTreeMap<&ModPath, usize> =
            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let adj: Vec<Vec<usize>> = nodes
            .iter()
            .map(|n| {
                self.edges[*n]
                    .iter()
                    .filter_map(|t| index.get(t).copied())
                    .collect()
            })
            .collect();
        // Tarjan's algorithm, iterative enough for a crate's few dozen files.
        struct State {
            next: usize,
            index: Vec<Option<usize>>,
            low: Vec<usize>,
            on: Vec<bool>,
            stack: Vec<usize>,
            out: Vec<Vec<usize>>,
        }
        fn visit(v: usize, adj: &[Vec<usize>], s: &mut State) {
            s.index[v] = Some(s.next);
            s.low[v] = s.next;
            s.next += 1;
            s.stack.push(v);
            s.on[v] = true;
            for &w in &adj[v] {
                match s.index[w] {
                    None => {
                        visit(w, adj, s);
                        s.low[v] = s.low[v].min(s.low[w]);
                    }
                    Some(i) if s.on[w] => s.low[v] = s.low[v].min(i),
                    _ => {}
                }
            }
            if Some(s.low[v]) == s.index[v] {
                let mut group = Vec::new();
                while let Some(w) = s.stack.pop() {
                    s.on[w] = false;
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    s.out.push(group);
                }
            }
        }
        let n = nodes.len();
        let mut s = State {
            next: 0,
            index: vec![None; n],
            low: vec![0; n],
            on: vec![false; n],
            stack: Vec::new(),
            out: Vec::new(),
        };
        for v in 0..n {
            if s.index[v].is_none() {
                visit(v, &adj, &mut s);
            }
        }
        s.out
            .into_iter()
            .map(|g| {
                let mut names: Vec<String> = g.into_iter().map(|i| nodes[i].join("::")).collect();
                names.sort();
                names
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Graph;
    use std::fs;

    fn crate_of(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_circle_through_a_folder_re_export_is_found_and_a_line_is_not() {
        let circle = crate_of(&[
            ("lib.rs", "mod a;\nmod room;\npub struct Api;\n"),
            ("a.rs", "use crate::room::Thing;\nuse crate::Api;\n"),
            ("room/mod.rs", "mod inner;\npub use inner::Thing;\n"),
            (
                "room/inner.rs",
                "pub struct Thing;\nfn f() { crate::a::g(); }\n// crate::b::never\n",
            ),
        ]);
        let cycles = Graph::of_crate(circle.path()).cycles();
        assert_eq!(
            cycles,
            vec![vec!["a".to_string(), "room::inner".to_string()]]
        );

        let line = crate_of(&[
            ("lib.rs", "mod a;\nmod room;\n"),
            ("a.rs", "use crate::{room::{Thing as T, inner}, Api};\n"),
            ("room/mod.rs", "mod inner;\npub use inner::Thing;\n"),
            (
                "room/inner.rs",
                "pub struct Thing;\n#[cfg(test)]\nmod tests { use crate::a::x; }\n",
            ),
        ]);
        let graph = Graph::of_crate(line.path());
        assert!(graph.cycles().is_empty(), "{:?}", graph.cycles());
        let from_a = &graph.edges[&vec!["a".to_string()]];
        assert!(from_a.contains(&vec!["room".to_string(), "inner".to_string()]));
    }
}
