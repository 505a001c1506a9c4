// The record as the physician reads it: every section of the form in order, question and
// answer in two columns, repeating groups as tables. Disabled and hidden items are left
// out; "No" and "not answered" read differently.
//
// What the backend's `changes` says is drawn at the answer. A finding (never carried:
// vitals, the reason) is read plainly with its last value as context ("77.5 kg · last
// 89 kg, 5 Oct 2026, −12.9 %"); one answered last time and blank now reads "not asked
// this visit". "Changed" / "New" / "Removed" marks (`.rv-badge-changed` …) are kept for
// carried content (medications, allergies, history, contacts): list rows as new /
// changed, with the rows stopped since listed struck through. A notable finding (the
// review's rules: `notable` on a question or row) is flagged `.rv-notable` with a
// "Notable" badge and its reason. Warnings (out of the usual range) are highlighted
// (`.rv-warning`).
//
// Where an answer came from is said once per section (when every carried answer in it
// came from the same visit, entered and confirmed by the same people) or once per row,
// as a short tag ("carried · 5 Oct 2026") whose details (who entered it there, who
// confirmed it here) show on hover and on keyboard focus (a button described by its
// tooltip).
//
// `renderSummary(review, { id, amendment })` builds it from a ReviewDto's `form`,
// `answers`, `disabled`, `problems` and `changes` (all but form and answers optional: an
// earlier signed version is drawn with its answers alone). `amendment` (from
// amendment.js) marks the answers an amendment changed (`.rv-amended`, "was …").
// Rows are `tr[data-key]`.

import { h } from '../shared/dom.js';
import { dayText } from '../intake/carry.js';
import { buildSections, idSafe, indexForm, isQuestion, isRowGroup, rowIds } from '../intake/model.js';
import { wasText } from './amendment.js';
import { answerText, namesFrom } from './format.js';

const CHANGE_LABEL = { added: 'New', changed: 'Changed', removed: 'Removed', unchanged: 'Unchanged' };

let tipSerial = 0;

/** A short tag whose details show on hover and focus (a button described by its tooltip). */
function tagWithDetails(cls, text, details) {
  tipSerial += 1;
  const tipId = `rv-prov-tip-${tipSerial}`;
  return h('span', { class: `rv-prov ${cls}` },
    h('button', { type: 'button', class: 'rv-prov-tag', 'aria-describedby': tipId }, text),
    h('span', { class: 'rv-prov-tip', role: 'tooltip', id: tipId }, details));
}

/** The same provenance, as a key: answers with one key share one line. */
function provenanceKey(answer) {
  if (!answer) return null;
  if (answer.source === 'carried' && answer.carried) {
    const c = answer.carried;
    const here = answer.confirmedBy ? `c:${answer.confirmedBy}` : answer.needsConfirmation ? 'u' : 'k';
    return `carried|${c.date}|${c.enteredBy}|${c.confirmedBy || ''}|${here}`;
  }
  return answer.source === 'record' || answer.source === 'calculated' ? answer.source : null;
}

/**
 * Where an answer came from, as one short tag (null for answers typed at this visit);
 * the details (who entered it there, who confirmed it here) on hover and focus.
 */
export function provenance(answer, { person }) {
  if (!answer) return null;
  if (answer.source === 'record') {
    return tagWithDetails('rv-from rv-from-record', 'from the patient record',
      'Filled from the patient record when the intake started.');
  }
  if (answer.source === 'calculated') {
    return tagWithDetails('rv-from rv-from-calculated', 'calculated', 'Calculated by the app from other answers.');
  }
  if (answer.source !== 'carried' || !answer.carried) return null;
  const c = answer.carried;
  const here = answer.confirmedBy
    ? `Confirmed at this visit by ${person(answer.confirmedBy)}.`
    : answer.needsConfirmation ? 'Not confirmed at this visit.' : 'Kept unchanged (no confirmation asked).';
  const state = answer.confirmedBy ? ' · ✓ confirmed' : answer.needsConfirmation ? ' · not confirmed' : '';
  const details = `Entered by ${person(c.enteredBy)} at the visit of ${dayText(c.date)}`
    + `${c.confirmedBy ? ` (confirmed there by ${person(c.confirmedBy)})` : ''}. ${here}`;
  const tag = tagWithDetails(`rv-from rv-from-carried${answer.needsConfirmation && !answer.confirmedBy ? ' rv-unconfirmed' : ''}`,
    `carried · ${dayText(c.date)}${state}`, details);
  tag.dataset.from = c.date;
  return tag;
}

/** "64.5 → 60 kg (−7.0 %)" at the Weight row: the backend's text without the label it starts with. */
function changeAtRow(item, text) {
  const label = item.text || item.linkId;
  const t = String(text || '');
  return t.startsWith(`${label} `) && t.length > label.length + 1 ? t.slice(label.length + 1) : t;
}

function answerCell(item, answer, { short = false } = {}) {
  const text = answerText(item, answer?.values);
  if (!text && short) {
    return h('span', { class: 'rv-unanswered rv-unanswered-short', title: 'not answered' },
      h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, 'not answered'));
  }
  if (!text) return h('span', { class: 'rv-unanswered' }, 'not answered');
  const kind = item.type === 'text' ? ' rv-long' : ['date', 'dateTime', 'time'].includes(item.type) ? ' rv-date' : '';
  return h('span', { class: `rv-value${kind}` }, text);
}

function amendedNote(item, change) {
  return change ? h('span', { class: 'rv-amended-text' }, h('span', { class: 'badge rv-change-badge rv-badge-amended' },
    'Amended'), wasText(item, change)) : null;
}

export function renderSummary(review, { id = 'review-record', caption = null, amendment = null } = {}) {
  const names = namesFrom(review.people);
  const form = review.form;
  const sections = buildSections(form);
  const index = indexForm(form, sections);
  const makeKey = (rows, linkId) => index.key(rows, linkId);
  const answers = new Map((review.answers || []).filter((a) => a.inRecord !== false).map((a) => [a.key, a]));
  const disabled = new Set(review.disabled || []);
  const problems = new Map();
  for (const p of review.problems || []) {
    if (!p.confirm) problems.set(p.key, [...(problems.get(p.key) || []), p]);
  }
  const compared = Boolean(review.previous) && !review.previous.damaged;
  const questionChanges = new Map((review.changes?.questions || []).map((q) => [q.linkId, q]));
  const listChanges = new Map((review.changes?.lists || []).map((l) => [l.linkId, l]));

  function problemNodes(key) {
    return (problems.get(key) || []).map((p) => h('span', { class: `rv-problem rv-problem-${p.severity}` },
      h('span', { class: 'visually-hidden' }, p.severity === 'error' ? 'Error: ' : 'Warning: '), p.message));
  }

  /** "Notable" and its reason. */
  function notableFlag(reason) {
    return reason ? h('span', { class: 'rv-notable-flag' },
      h('span', { class: 'badge rv-change-badge rv-badge-notable' }, 'Notable'),
      h('span', { class: 'rv-notable-reason' }, reason)) : null;
  }

  function questionRow(item, key, rows, shared) {
    const answer = answers.get(key);
    const change = rows.length === 0 && compared ? questionChanges.get(item.linkId) : null;
    const finding = change?.kind === 'finding';
    // Only carried content is marked as changed; a finding reads against its last value.
    const moved = change && !finding && change.change !== 'unchanged';
    // Notable holds on a first visit too (out-of-range rules need no earlier visit).
    const notable = rows.length === 0 ? questionChanges.get(item.linkId)?.notable || null : null;
    const notAsked = finding && change.change === 'not_asked';
    const issues = problemNodes(key);
    const amended = amendment?.get(key);
    const classes = ['rv-row', moved ? `rv-changed rv-change-${change.change}` : null, notable ? 'rv-notable' : null,
      notAsked ? 'rv-not-asked' : null, amended ? 'rv-amended' : null,
      issues.length ? `rv-${(problems.get(key) || []).some((p) => p.severity === 'error') ? 'error' : 'warning'}` : null];
    const ownProvenance = provenanceKey(answer) !== shared ? provenance(answer, names) : null;
    return h('tr', { class: classes.filter(Boolean).join(' '), id: `${id}-${idSafe(key)}`, dataset: { key, linkId: item.linkId } },
      h('th', { scope: 'row', class: 'rv-question' }, item.prefix ? `${item.prefix} ` : null, item.text || item.linkId),
      h('td', {}, h('div', { class: 'rv-answer' },
        notAsked ? h('span', { class: 'rv-unanswered rv-not-asked-text' }, 'not asked this visit') : answerCell(item, answer),
        finding && change.context
          ? h('span', { class: 'rv-context' }, notAsked ? change.context.replace(/^not asked this visit · /, '') : change.context)
          : null,
        moved ? h('span', { class: 'rv-change-text' },
          h('span', { class: `badge rv-change-badge rv-badge-${change.change}` }, CHANGE_LABEL[change.change]),
          h('span', {}, changeAtRow(item, change.text)))
          : null,
        notableFlag(notable),
        amendedNote(item, amended), issues, ownProvenance)));
  }

  /** A repeating group as a table: one column per question of its rows. */
  function rowTable(item, parentRows, shared = null) {
    const columns = (item.items || []).filter((c) => !c.hidden && (isQuestion(c) || isRowGroup(c)));
    const list = parentRows.length === 0 && compared ? listChanges.get(item.linkId) : null;
    const byAfter = new Map((list?.rows || []).filter((r) => r.afterRow !== null).map((r) => [r.afterRow, r]));
    const stopped = (list?.rows || []).filter((r) => r.change === 'removed');
    const ids = rowIds(answers, makeKey(parentRows, item.linkId)).filter((r) => !disabled.has(makeKey([...parentRows, r], item.linkId)));
    const body = ids.map((rowId) => {
      const rowRows = [...parentRows, rowId];
      const rowKey = makeKey(rowRows, item.linkId);
      const diff = byAfter.get(rowId);
      const moved = diff && diff.change !== 'unchanged';
      const cells = columns.map((c) => {
        const key = makeKey(rowRows, c.linkId);
        if (disabled.has(key)) return h('td', { class: 'rv-off' }, '—');
        if (isRowGroup(c)) return h('td', {}, rowTable(c, rowRows));
        const changedField = diff?.fields?.find((f) => f.linkId === c.linkId);
        const amended = amendment?.get(key);
        const classes = [changedField ? 'rv-field-changed' : null, amended ? 'rv-amended' : null].filter(Boolean);
        return h('td', { dataset: { key }, class: classes.join(' ') || null },
          answerCell(c, answers.get(key), { short: true }), problemNodes(key), amendedNote(c, amended),
          changedField ? h('span', { class: 'rv-field-was' }, `was ${changedField.before || 'not answered'}`) : null);
      });
      return h('tr', { class: `rv-list-row${moved ? ` rv-changed rv-change-${diff.change}` : ''}${diff?.notable ? ' rv-notable' : ''}`,
        dataset: { key: rowKey, row: String(rowId) } },
      cells,
      h('td', { class: 'rv-row-note' },
        moved ? h('span', { class: `badge rv-change-badge rv-badge-${diff.change}` }, CHANGE_LABEL[diff.change]) : null,
        diff?.notable ? h('span', { class: 'badge rv-change-badge rv-badge-notable', title: diff.notable }, 'Notable') : null,
        provenanceKey(answers.get(rowKey)) !== shared ? provenance(answers.get(rowKey), names) : null));
    });
    for (const r of stopped) {
      body.push(h('tr', { class: 'rv-list-row rv-stopped', dataset: { stopped: String(r.beforeRow ?? '') } },
        h('td', { colspan: columns.length, class: 'rv-stopped-label' }, r.label || '—'),
        h('td', { class: 'rv-row-note' }, h('span', { class: 'badge rv-change-badge rv-badge-removed' },
          'Stopped since the last visit'),
        r.notable ? h('span', { class: 'badge rv-change-badge rv-badge-notable', title: r.notable }, 'Notable') : null)));
    }
    const title = item.text || item.linkId;
    if (!body.length) {
      return h('p', { class: 'rv-none', dataset: { key: makeKey(parentRows, item.linkId) } },
        `No ${title.toLowerCase()} listed.`);
    }
    return h('table', { class: 'rv-rows', dataset: { key: makeKey(parentRows, item.linkId), group: item.linkId } },
      h('caption', { class: 'visually-hidden' }, title),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.text || c.linkId)),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Where it came from')))),
      h('tbody', {}, body));
  }

  /** The rows of a section's items (questions, groups as sub-headings, lists as tables). */
  function itemRows(items, rows, shared = null) {
    const out = [];
    for (const item of items) {
      if (item.hidden) continue;
      const key = makeKey(rows, item.linkId);
      if (disabled.has(key)) continue;
      if (isRowGroup(item)) {
        out.push(h('tr', { class: 'rv-list', dataset: { key, linkId: item.linkId } },
          h('td', { colspan: 2 }, h('h4', { class: 'rv-list-title' }, item.text || item.linkId), rowTable(item, rows, shared))));
      } else if (item.type === 'group') {
        out.push(h('tr', { class: 'rv-subhead' }, h('th', { colspan: 2, scope: 'rowgroup' }, item.text || item.linkId)));
        out.push(...itemRows(item.items || [], rows, shared));
      } else if (item.type === 'display') {
        continue; // instructions to the person filling the form
      } else if (item.supported === false) {
        out.push(h('tr', { class: 'rv-row rv-unsupported', dataset: { key } },
          h('th', { scope: 'row', class: 'rv-question' }, item.text || item.linkId),
          h('td', { class: 'muted' }, 'not supported in this version')));
      } else {
        out.push(questionRow(item, key, rows, shared));
        if (item.items?.length) out.push(...itemRows(item.items, rows, shared));
      }
    }
    return out;
  }

  /**
   * The keys that carry a provenance among `items` (groups looked into): answered
   * questions outside lists and the rows of the lists at the top level.
   */
  function provenanceKeys(items) {
    const out = [];
    for (const item of items) {
      if (item.hidden || item.type === 'display') continue;
      const key = makeKey([], item.linkId);
      if (disabled.has(key)) continue;
      if (isRowGroup(item)) {
        out.push(...rowIds(answers, key).map((r) => makeKey([r], item.linkId)).filter((k) => !disabled.has(k)));
        continue;
      }
      if (item.type !== 'group' && answers.get(key)?.values?.length) out.push(key);
      if (item.items?.length) out.push(...provenanceKeys(item.items));
    }
    return out;
  }

  const shown = sections.map((section) => {
    const items = section.group && !section.group.repeats ? section.group.items || [] : section.items;
    if (section.group && disabled.has(makeKey([], section.group.linkId))) return null;
    // One provenance for the section when every answer in it outside lists shares it.
    const held = provenanceKeys(items).map((k) => answers.get(k));
    const kinds = new Set(held.map(provenanceKey));
    const shared = kinds.size === 1 && held.length ? provenanceKey(held[0]) : null;
    const sharedAnswer = shared ? held[0] : null;
    const rows = itemRows(items, [], shared);
    if (!rows.length) return null;
    // The record's sections are landmarks; an earlier version's are groups, so the
    // landmarks stay one per section title.
    return h('section', { class: 'rv-section', dataset: { section: section.id },
      role: id === 'review-record' ? null : 'group', 'aria-labelledby': `${id}-section-${idSafe(section.id)}` },
    h('div', { class: 'rv-section-head' },
      h('h3', { id: `${id}-section-${idSafe(section.id)}`, class: 'rv-section-title' }, section.title),
      sharedAnswer ? h('span', { class: 'rv-section-from' }, provenance(sharedAnswer, names)) : null),
    h('table', { class: 'rv-table' },
      h('colgroup', {}, h('col', { class: 'rv-col-question' }), h('col', {})),
      h('tbody', {}, rows)));
  }).filter(Boolean);

  return h('div', { id, class: 'rv-record' }, caption, shown.length ? shown : h('p', { class: 'muted' }, 'Nothing was answered.'));
}
