//! An answer's key: the item instance it answers, named by its path in the form.
//!
//! A key is the list of items from the top of the form down to the answered item, each
//! named by its `linkId`, with the row id of every repeating group on that group's
//! segment. Its text joins the segments with `/`; a row is `[n]` after the group's
//! linkId:
//!
//! - `vitals/weight`: the weight, inside the (non-repeating) group `vitals`;
//! - `medications/medication[3]/med-name`: the medication name in row 3;
//! - `medications/medication[3]`: row 3 itself (a row exists when its group has an entry
//!   at this key, with no values);
//! - `reason`: an item at the top of the form.
//!
//! A linkId may hold any character, so four are escaped in the text as in a URL: `%` as
//! `%25`, `/` as `%2F`, `[` as `%5B` and `]` as `%5D` (`/54126-8/54125-0` is
//! `%2F54126-8%2F54125-0`). Nothing else is escaped, and only those four upper-case
//! escapes are read, so every key has exactly one text and the text round-trips.
//! Rows are positive integers written without leading zeros.
//!
//! Because the path names every enclosing item, a form that repeats a linkId in
//! different groups still gives each item its own keys.
//!
//! One segment may have no linkId: `[2]/foo` is an answer `foo` in row 2 of a repeating
//! group its form does not name. Keys from before paths (`"2:foo"`, see [`legacy`]) whose
//! item their form no longer has migrate to that shape ([`Key::orphan`]), so they stay
//! readable instead of being lost; the last segment always has a linkId.

use std::fmt;
use std::str::FromStr;

/// One step of a key's path: an item's linkId, and the row when the item is a repeating
/// group (an empty linkId: a row of a group the form does not name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Segment {
    pub link_id: String,
    pub row: Option<u32>,
}

/// One item instance, by its path in the form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    path: Vec<Segment>,
}

/// Why a text is not an answer key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an answer key ({why})")]
pub struct KeyParseError {
    pub text: String,
    pub why: &'static str,
}

impl Key {
    /// A key from its segments; refused when empty, when the last segment has no
    /// linkId, or when a segment has neither linkId nor row.
    pub fn from_segments(path: Vec<Segment>) -> Result<Key, &'static str> {
        let last = path.last().ok_or("no segment")?;
        if last.link_id.is_empty() {
            return Err("the last segment has no linkId");
        }
        if path.iter().any(|s| s.link_id.is_empty() && s.row.is_none()) {
            return Err("a segment has neither linkId nor row");
        }
        if path.iter().any(|s| s.row == Some(0)) {
            return Err("rows start at 1");
        }
        Ok(Key { path })
    }

    /// The key of an item its form does not place: one unnamed segment per row, then
    /// the linkId (`[2]/foo`). An empty `link_id` becomes `?`.
    pub fn orphan(rows: &[u32], link_id: &str) -> Key {
        let mut path: Vec<Segment> = rows
            .iter()
            .map(|r| Segment {
                link_id: String::new(),
                row: Some((*r).max(1)),
            })
            .collect();
        path.push(Segment {
            link_id: if link_id.is_empty() { "?" } else { link_id }.to_string(),
            row: None,
        });
        Key { path }
    }

    pub fn segments(&self) -> &[Segment] {
        &self.path
    }

    /// The answered item's own linkId.
    pub fn link_id(&self) -> &str {
        // `from_segments` and the parser refuse an empty path.
        self.path.last().map_or("", |s| s.link_id.as_str())
    }

    /// The row ids along the path, outermost first.
    pub fn rows(&self) -> Vec<u32> {
        self.path.iter().filter_map(|s| s.row).collect()
    }

    /// How many rows the path holds.
    pub fn depth(&self) -> usize {
        self.path.iter().filter(|s| s.row.is_some()).count()
    }

    /// The linkIds along the path, outermost first.
    pub fn link_ids(&self) -> impl Iterator<Item = &str> {
        self.path.iter().map(|s| s.link_id.as_str())
    }

    /// The same item in other rows: the rows along the path replaced in order by
    /// `rows` (rows left over on either side are kept as they were).
    pub fn with_rows(&self, rows: &[u32]) -> Key {
        let mut next = rows.iter();
        let path = self
            .path
            .iter()
            .map(|s| Segment {
                link_id: s.link_id.clone(),
                row: s.row.map(|r| next.next().copied().unwrap_or(r)),
            })
            .collect();
        Key { path }
    }

    /// The key of the row at `depth` (0: the outermost) around or at this item.
    pub fn row_at(&self, depth: usize) -> Option<Key> {
        let mut seen = 0;
        for (i, s) in self.path.iter().enumerate() {
            if s.row.is_some() {
                if seen == depth {
                    return Key::from_segments(self.path[..=i].to_vec()).ok();
                }
                seen += 1;
            }
        }
        None
    }

    /// The key's text before paths (`"<rows>:<linkId>"`, [`legacy`]): what records
    /// signed in form 1 hold.
    pub fn legacy_text(&self) -> String {
        let rows: Vec<String> = self.rows().iter().map(u32::to_string).collect();
        format!("{}:{}", rows.join("."), self.link_id())
    }
}

fn escape(link_id: &str, out: &mut String) {
    for c in link_id.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '[' => out.push_str("%5B"),
            ']' => out.push_str("%5D"),
            c => out.push(c),
        }
    }
}

fn unescape(text: &str) -> Result<String, &'static str> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['%', '[', ']']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (c, len) = match tail.get(..3) {
            Some("%25") => ('%', 3),
            Some("%2F") => ('/', 3),
            Some("%5B") => ('[', 3),
            Some("%5D") => (']', 3),
            _ if tail.starts_with('%') => return Err("'%' starts only %25, %2F, %5B or %5D"),
            _ => return Err("a '[' or ']' outside a row"),
        };
        out.push(c);
        rest = &tail[len..];
    }
    out.push_str(rest);
    Ok(out)
}

fn parse_row(text: &str) -> Result<u32, &'static str> {
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u32>() {
        Ok(n) if n > 0 && digits && !text.starts_with('0') => Ok(n),
        _ => Err("a row is a positive whole number without leading zeros"),
    }
}

fn parse_segment(text: &str) -> Result<Segment, &'static str> {
    if text.is_empty() {
        return Err("an empty segment");
    }
    let (name, row) = match text.find('[') {
        Some(at) => {
            let inside = text[at + 1..]
                .strip_suffix(']')
                .ok_or("a row is written [n] at the end of its segment")?;
            (&text[..at], Some(parse_row(inside)?))
        }
        None => (text, None),
    };
    Ok(Segment {
        link_id: unescape(name)?,
        row,
    })
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Key, KeyParseError> {
        let bad = |why| KeyParseError {
            text: s.to_string(),
            why,
        };
        let path = s
            .split('/')
            .map(parse_segment)
            .collect::<Result<Vec<Segment>, _>>()
            .map_err(bad)?;
        Key::from_segments(path).map_err(bad)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, s) in self.path.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            escape(&s.link_id, &mut out);
            if let Some(r) = s.row {
                out.push_str(&format!("[{r}]"));
            }
        }
        f.write_str(&out)
    }
}

/// Keys as they were written before paths: `"<rows>:<linkId>"`, rows being the row ids
/// of the repeating groups around the item joined by `.` (`"3:med-name"`, `":reason"`).
/// Only a form can turn one into a [`Key`] (`FormIndex::key`): it knows the groups.
pub mod legacy {
    use super::KeyParseError;

    /// The rows and the linkId of a key written before paths.
    pub fn parse(s: &str) -> Result<(Vec<u32>, String), KeyParseError> {
        let bad = |why| KeyParseError {
            text: s.to_string(),
            why,
        };
        let (rows, link_id) = s
            .split_once(':')
            .ok_or_else(|| bad("no ':' between rows and linkId"))?;
        if link_id.is_empty() {
            return Err(bad("no linkId"));
        }
        let rows = if rows.is_empty() {
            Vec::new()
        } else {
            rows.split('.')
                .map(|r| match r.parse::<u32>() {
                    Ok(n) if n > 0 && r.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                    _ => Err(bad("a row is a positive whole number")),
                })
                .collect::<Result<Vec<u32>, KeyParseError>>()?
        };
        Ok((rows, link_id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(link_id: &str, row: Option<u32>) -> Segment {
        Segment {
            link_id: link_id.to_string(),
            row,
        }
    }

    #[test]
    fn text_names_the_path_and_escapes_what_would_split_it() {
        let key = Key::from_segments(vec![
            seg("/54126-8", None),
            seg("a[1]%", Some(3)),
            seg("x", None),
        ])
        .expect("a valid path");
        assert_eq!(key.to_string(), "%2F54126-8/a%5B1%5D%25[3]/x");
        assert_eq!(key.to_string().parse::<Key>(), Ok(key.clone()));
        assert_eq!((key.rows(), key.link_id()), (vec![3], "x"));
        assert_eq!(key.legacy_text(), "3:x", "form 1 text: rows and own linkId");
    }
}
