// The intake form as data: answer keys, sections, rows of repeating groups, counts, and
// how answer values read on screen. Pure functions only (no DOM, no backend calls), so
// the screen, the save queue and the problem list agree on one reading of the form.
//
// A key names an item instance by its path in the form (`../shared/answer-keys.js`:
// "medications/medication[3]/med-name"); the index builds them (`index.key(rows,
// linkId)`, rows: the row ids of the enclosing repeating groups, outermost first). A
// section is a top-level group, or a run of consecutive top-level questions (titled
// with the form's title); its id is the linkId of its first item, which is what the
// backend stores as the encounter's `section`.

import { formatKey, isWithin, keyAt, parseKey, rowIdsOf } from '../shared/answer-keys.js';
import { formatDate } from '../shared/dates.js';

/**
 * `"medications/medication[2]/med-name"` -> `{ rows: [2], linkId: 'med-name' }` (text that
 * is not a key: no rows, the text as linkId).
 */
export function splitKey(key) {
  const k = parseKey(key);
  return k ? { rows: k.rows, linkId: k.linkId } : { rows: [], linkId: String(key) };
}

/** A key made safe for an element id: anything outside [A-Za-z0-9_-] becomes "_". */
export function idSafe(key) {
  return String(key).replace(/[^A-Za-z0-9_-]/g, '_');
}

export const fieldId = (key) => `q-${idSafe(key)}`;
export const errorId = (key) => `err-${idSafe(key)}`;

/** True when `key` is the row `rowKey` itself or anything inside that row. */
export function isWithinRow(key, rowKey) {
  return isWithin(key, rowKey);
}

const NO_ANSWER_TYPES = new Set(['group', 'display']);

/** Whether the person types an answer for this item (a shown, supported question). */
export function isQuestion(item) {
  return !NO_ANSWER_TYPES.has(item.type) && item.supported !== false && !item.hidden;
}

export function isRowGroup(item) {
  return item.type === 'group' && item.repeats;
}

/** Whether the app fills the item (calculated, or read-only in the form). */
export function isFilledByApp(item) {
  return Boolean(item.calculated || item.readOnly);
}

/**
 * Every item by linkId, with its ancestors (outermost first), its path and its section:
 * `{ get(linkId), ancestors(linkId), sectionOf(linkId), key(rows, linkId), all }`.
 * `key` builds an instance's key (fewer rows than repeating groups: the key of a list
 * as a whole); an item the form lacks gets its rows as unnamed segments.
 */
export function indexForm(form, sections) {
  const entries = new Map();
  const walk = (items, ancestors, path, sectionId) => {
    for (const item of items) {
      const own = [...path, { linkId: item.linkId, repeats: isRowGroup(item) }];
      if (!entries.has(item.linkId)) entries.set(item.linkId, { item, ancestors, path: own, sectionId });
      walk(item.items || [], [...ancestors, item.linkId], own, sectionId);
    }
  };
  for (const section of sections) walk(section.items, [], [], section.id);
  return {
    get: (linkId) => entries.get(linkId)?.item ?? null,
    ancestors: (linkId) => entries.get(linkId)?.ancestors ?? [],
    sectionOf: (linkId) => entries.get(linkId)?.sectionId ?? null,
    key: (rows, linkId) => {
      const path = entries.get(linkId)?.path;
      if (path) return keyAt(path, rows);
      return formatKey([...rows.map((row) => ({ linkId: '', row })), { linkId, row: null }]);
    },
    all: entries,
  };
}

/**
 * The sections: `[{ id, title, items, group }]`. A top-level group is its own section
 * (`group` is that item); consecutive top-level non-group items share one section titled
 * with the form's title. Items the form hides make no section.
 */
export function buildSections(form) {
  const sections = [];
  let loose = null;
  for (const item of form.items || []) {
    if (item.type === 'group') {
      loose = null;
      if (!item.hidden) sections.push({ id: item.linkId, title: item.text || item.linkId, items: [item], group: item });
      continue;
    }
    if (!loose) {
      loose = { id: item.linkId, title: form.title || 'Form', items: [], group: null };
      sections.push(loose);
    }
    loose.items.push(item);
  }
  return sections.filter((s) => s.items.some((i) => !i.hidden));
}

/** The section holding a top-level linkId (the saved `encounter.section`), or the first. */
export function sectionFor(sections, linkId) {
  return sections.find((s) => s.items.some((i) => i.linkId === linkId)) || sections[0] || null;
}

/** The row ids of the list `groupKey` (the group's key without its own row), ascending. */
export function rowIds(answers, groupKey) {
  return rowIdsOf(answers.keys(), groupKey);
}

/** Whether a carried answer still waits for this visit's confirmation. */
export function waitsForConfirmation(answer) {
  return Boolean(answer?.needsConfirmation && !answer.confirmedBy);
}

export function hasValue(answer) {
  return Boolean(answer && Array.isArray(answer.values) && answer.values.length);
}

/**
 * Walks the shown item instances of `items` at `rows`: `visit(item, key, rows)` for each
 * enabled, non-hidden item, descending into groups and the rows of repeating groups.
 */
export function walkInstances(index, items, rows, answers, disabled, visit) {
  for (const item of items) {
    if (item.hidden) continue;
    const key = index.key(rows, item.linkId);
    if (disabled.has(key)) continue;
    if (isRowGroup(item)) {
      for (const id of rowIds(answers, key)) {
        const rowRows = [...rows, id];
        if (disabled.has(index.key(rowRows, item.linkId))) continue;
        walkInstances(index, item.items || [], rowRows, answers, disabled, visit);
      }
      continue;
    }
    visit(item, key, rows);
    if (item.items?.length) walkInstances(index, item.items, rows, answers, disabled, visit);
  }
}

/** `{ answered, total }` for a section: the shown questions the person fills. */
export function sectionProgress(section, answers, disabled, index) {
  let answered = 0;
  let total = 0;
  walkInstances(index, section.items, [], answers, disabled, (item, key) => {
    if (!isQuestion(item) || isFilledByApp(item)) return;
    total += 1;
    if (hasValue(answers.get(key))) answered += 1;
  });
  return { answered, total };
}

/**
 * The section list's entries: `{ id, title, answered, total, errors, warnings, current,
 * off }` for each section of `form` (`{ sections, index, answers, disabled, current }`),
 * counting the `problems` shown.
 */
export function sectionEntries(form, problems) {
  return form.sections.map((x) => {
    const { answered, total } = sectionProgress(x, form.answers, form.disabled, form.index);
    const mine = problems.filter((p) => form.index.sectionOf(p.linkId) === x.id);
    const toConfirm = [...form.answers].filter(([key, a]) => a.needsConfirmation && !a.confirmedBy &&
      !form.disabled.has(key) && form.index.sectionOf(a.linkId) === x.id).length;
    return {
      id: x.id, title: x.title, answered, total, toConfirm, current: x.id === form.current,
      off: sectionDisabled(x, form.disabled, form.index) && x.id !== form.current,
      errors: mine.filter((p) => p.severity === 'error').length,
      warnings: mine.filter((p) => p.severity !== 'error').length,
    };
  });
}

/** Whether the whole section is switched off by its enableWhen right now. */
export function sectionDisabled(section, disabled, index) {
  return section.items.every((item) => item.hidden || disabled.has(index.key([], item.linkId)));
}

/**
 * Where a key is, for people: "Allergies › Substance (Allergy 2)". `form` is
 * `{ sections, index, answers }`; rows are counted by position, as the screen shows them.
 */
export function describeKey(key, { sections, index, answers }) {
  const { rows, linkId } = splitKey(key);
  const section = sections.find((x) => x.id === index.sectionOf(linkId));
  const item = index.get(linkId);
  // A row is named by what it holds: "Current medications › Medication: Metformin 500 mg".
  if (item && isRowGroup(item)) {
    const content = rowContent(item, rows, index, answers);
    const name = `${item.text || item.linkId}${content ? `: ${content}` : ` ${rows[rows.length - 1]}`}`;
    return section?.title && section.title !== name ? `${section.title} › ${name}` : name;
  }
  const groups = index.ancestors(linkId).map((id) => index.get(id)).filter((g) => g && isRowGroup(g));
  const where = groups.map((g, depth) => {
    const position = rowIds(answers, index.key(rows.slice(0, depth), g.linkId)).indexOf(rows[depth]) + 1;
    return `${g.text || g.linkId} ${position || rows[depth]}`;
  });
  const question = item ? item.text || item.linkId : linkId;
  const field = `${question}${where.length ? ` (${where.join(', ')})` : ''}`;
  // "Reason for visit", not "Reason for visit › Reason for visit".
  return section?.title && section.title !== field ? `${section.title} › ${field}` : field;
}

const TEXT_TYPES = new Set(['string', 'text', 'choice', 'open-choice']);
const NUMBER_TYPES = new Set(['decimal', 'integer', 'quantity']);

/**
 * What the row `rows` of repeating group `group` is about, from its answers: its first
 * required text (else its first answered field), then a number and its unit when they
 * follow it ("Metformin 500 mg", "Penicillin"); '' when the row is empty.
 */
export function rowContent(group, rows, index, answers) {
  const fields = (group.items || []).filter(isQuestion);
  const text = (item) => (answers.get(index.key(rows, item.linkId))?.values || []).map(valueText).join(', ');
  let at = fields.findIndex((f) => f.required && TEXT_TYPES.has(f.type) && text(f));
  if (at < 0) at = fields.findIndex((f) => text(f));
  if (at < 0) return '';
  const parts = [text(fields[at])];
  const amount = fields[at + 1];
  if (amount && NUMBER_TYPES.has(amount.type) && text(amount)) {
    parts.push(text(amount));
    const unit = fields[at + 2];
    if (unit && unit.type === 'choice' && text(unit)) parts.push(text(unit));
  }
  return parts.join(' ');
}

/** Problems in form order (then by row ids). */
export function sortProblems(problems, index) {
  const order = [...index.all.keys()];
  const rank = (p) => [order.indexOf(p.linkId), ...splitKey(p.key).rows];
  return [...problems].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
      if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
    }
    return 0;
  });
}

// Values.

/** Whether two answer values name the same thing (codings by system and code). */
export function sameValue(a, b) {
  if (!a || !b) return false;
  if (a.valueCoding && b.valueCoding) {
    const x = a.valueCoding;
    const y = b.valueCoding;
    return x.code === y.code && (!x.system || !y.system || x.system === y.system);
  }
  const [ka] = Object.keys(a);
  const [kb] = Object.keys(b);
  return ka === kb && JSON.stringify(a[ka]) === JSON.stringify(b[kb]);
}

export function sameValues(a, b) {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
}

/** The index of the option a value picks, or -1. */
export function optionIndex(options, value) {
  return (options || []).findIndex((o) => sameValue(o.value, value));
}

/** How one answer value reads: "Yes", "72.5 kg", "Moderate", "2026-11-24". */
export function valueText(value) {
  if (!value || typeof value !== 'object') return '';
  const [kind] = Object.keys(value);
  const v = value[kind];
  switch (kind) {
    case 'valueBoolean': return v ? 'Yes' : 'No';
    case 'valueCoding': return v?.display || v?.code || '';
    case 'valueQuantity': return [v?.value, v?.unit || v?.code].filter((x) => x !== null && x !== undefined).join(' ');
    case 'valueReference': return v?.reference || '';
    // Dates as the clinic writes them (a year or a month alone stays as it is).
    case 'valueDate': return /^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? formatDate(v) : String(v ?? '');
    case 'valueDateTime': return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(String(v))
      ? `${formatDate(String(v).slice(0, 10))} ${String(v).slice(11, 16)}` : String(v ?? '');
    case 'valueAttachment': return v?.title || v?.contentType || 'file';
    default: return v === null || v === undefined ? '' : String(v);
  }
}

/** A number as typed (a decimal comma is accepted), or null when it is not one. */
export function parseNumber(text) {
  const t = String(text).trim().replace(/\s/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export function isWholeNumber(text) {
  return /^[-+]?\d+$/.test(String(text).trim());
}

/** Accent- and case-insensitive form of a label, for type-ahead matching. */
export function fold(text) {
  return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

/** Options matching typed text: those starting with it first, then those containing it. */
export function filterOptions(options, text) {
  const t = fold(text);
  const all = options.map((option, index) => ({ option, index }));
  if (!t) return all;
  const starts = all.filter(({ option }) => fold(option.label).startsWith(t));
  const contains = all.filter(({ option }) => !fold(option.label).startsWith(t) && fold(option.label).includes(t));
  return [...starts, ...contains];
}
