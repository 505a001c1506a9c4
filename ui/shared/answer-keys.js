// Answer keys: which item instance an answer belongs to, named by the item's path in the
// form (the backend's `intake_core::questionnaire::key`; this module reads and writes the
// same text). The only place in ui/ that knows the key's text.
//
// Segments are joined by "/": each is an item's linkId, and a repeating group's row id
// follows its linkId as "[n]":
//   "vitals/weight"                       the weight, in the group "vitals"
//   "medications/medication[3]/med-name"  the medication name in row 3
//   "medications/medication[3]"           row 3 itself
//   "medications/medication"              the list as a whole (notes about it)
// In a linkId, "%", "/", "[" and "]" are written "%25", "%2F", "%5B" and "%5D". A segment
// with no linkId ("[2]/foo") is a row of a group the form does not name (an old key
// whose item is gone).

const ESCAPES = { '%': '%25', '/': '%2F', '[': '%5B', ']': '%5D' };
const UNESCAPES = { '%25': '%', '%2F': '/', '%5B': '[', '%5D': ']' };

function escapeLinkId(linkId) {
  return String(linkId).replace(/[%/[\]]/g, (c) => ESCAPES[c]);
}

function unescapeLinkId(text) {
  if (/%(?!25|2F|5B|5D)/.test(text) || /[[\]]/.test(text)) return null;
  return text.replace(/%(25|2F|5B|5D)/g, (m) => UNESCAPES[m]);
}

/** `[{ linkId, row }]` as key text (`row` absent or null: no row on that segment). */
export function formatKey(segments) {
  return segments
    .map((s) => `${escapeLinkId(s.linkId)}${s.row ? `[${s.row}]` : ''}`)
    .join('/');
}

/**
 * Key text -> `{ segments: [{ linkId, row }], linkId, rows }` (`row` null when the segment
 * has none; `rows` the row ids along the path), or null when the text is not a key.
 */
export function parseKey(text) {
  if (typeof text !== 'string' || !text) return null;
  const segments = [];
  for (const part of text.split('/')) {
    const m = /^(.*?)(?:\[([1-9][0-9]*)\])?$/.exec(part);
    const linkId = m && unescapeLinkId(m[1]);
    const row = m && m[2] ? Number(m[2]) : null;
    if (linkId === null || (!linkId && !row) || (row !== null && row > 4294967295)) return null;
    segments.push({ linkId, row });
  }
  const last = segments[segments.length - 1];
  if (!last.linkId) return null;
  return { segments, linkId: last.linkId, rows: segments.filter((s) => s.row).map((s) => s.row) };
}

/**
 * The key of an item at `path` (`[{ linkId, repeats }]` from the top of the form down to
 * the item) in `rows`: one row per repeating group on the path, outermost first; fewer
 * rows leave the innermost groups without one (a list as a whole).
 */
export function keyAt(path, rows) {
  let next = 0;
  return formatKey(path.map((p) => ({
    linkId: p.linkId,
    row: p.repeats && next < rows.length ? rows[next++] : null,
  })));
}

/** The row ids of the rows of the list `groupKey` (a key ending without a row) among `keys`, ascending. */
export function rowIdsOf(keys, groupKey) {
  const ids = [];
  const open = `${groupKey}[`;
  for (const key of keys) {
    if (!key.startsWith(open) || !key.endsWith(']')) continue;
    const id = key.slice(open.length, -1);
    if (/^[1-9][0-9]*$/.test(id)) ids.push(Number(id));
  }
  return ids.sort((a, b) => a - b);
}

/** Whether `key` is the row `rowKey` itself or anything inside it. */
export function isWithin(key, rowKey) {
  return key === rowKey || key.startsWith(`${rowKey}/`);
}

/** A row's key without its own row id: the key of its list. */
export function listKeyOf(rowKey) {
  return rowKey.replace(/\[[1-9][0-9]*\]$/, '');
}

/** The key of row `id` of the list `groupKey`. */
export function rowKeyOf(groupKey, id) {
  return `${groupKey}[${id}]`;
}
