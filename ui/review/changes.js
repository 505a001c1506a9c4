// "Changes since last visit" on the review screen (#review-changes): which visit the
// record is compared with, each question that changed ("Weight 64.5 → 60 kg (−7.0 %)",
// new, removed; a button leads to the answer in the record), and each list (medications,
// allergies, history) as added / stopped / changed / unchanged. Without an earlier visit
// it says so. The comparison is the backend's (`changes`); this only lays it out.

import { h, replaceChildren } from '../shared/dom.js';
import { dayText } from '../intake/carry.js';
import { statusLabel } from './format.js';

const LIST_GROUPS = [
  ['added', 'Added'],
  ['removed', 'Stopped'],
  ['changed', 'Changed'],
  ['unchanged', 'Unchanged'],
];

const QUESTION_CLASS = { added: 'New', removed: 'Removed', changed: 'Changed' };

function listBlock(list) {
  const groups = LIST_GROUPS.map(([change, label]) => {
    const rows = list.rows.filter((r) => r.change === change);
    if (!rows.length) return null;
    return h('div', { class: `rv-list-group rv-list-${change}`, dataset: { change } },
      h('h4', {}, label, h('span', { class: 'rv-list-count' }, ` (${rows.length})`)),
      h('ul', {}, rows.map((r) => h('li', {}, h('span', { class: 'rv-list-label' }, r.label || '—'),
        change === 'changed' && r.fields?.length
          ? h('ul', { class: 'rv-list-fields' }, r.fields.map((f) =>
            h('li', {}, `${f.label}: ${f.before || 'not answered'} → ${f.after || 'not answered'}`)))
          : null))));
  }).filter(Boolean);
  return h('section', { class: 'rv-changes-list', dataset: { linkId: list.linkId } },
    h('h3', {}, list.title), groups.length ? groups : h('p', { class: 'muted' }, 'None at either visit.'));
}

/** `onPick(linkId)` shows that question's answer in the record. */
export function createChangesPanel({ onPick }) {
  const body = h('div', { class: 'rv-changes-body' });
  const el = h('section', { id: 'review-changes', class: 'panel rv-changes', 'aria-labelledby': 'review-changes-title' },
    h('h2', { id: 'review-changes-title' }, 'Changes since last visit'), body);

  return {
    el,
    show(review) {
      const previous = review.previous;
      if (!previous) {
        replaceChildren(body, h('p', { id: 'review-changes-none', class: 'muted' },
          'First visit on record: nothing to compare with.'));
        return;
      }
      if (previous.damaged) {
        replaceChildren(body, h('p', { id: 'review-changes-damaged', class: 'rv-compared', role: 'alert' },
          'Not compared with the visit of ',
          h('a', { href: `#/review/${previous.encounterId}` }, dayText(previous.date)),
          `: ${previous.damaged}`));
        return;
      }
      const questions = (review.changes?.questions || []).filter((q) => q.change !== 'unchanged');
      const unchanged = (review.changes?.questions || []).length - questions.length;
      const lists = (review.changes?.lists || []).filter((l) => l.rows?.length);
      const listMoves = lists.some((l) => l.rows.some((r) => r.change !== 'unchanged'));
      replaceChildren(body,
        h('p', { class: 'rv-compared' }, 'Compared with the visit of ',
          h('a', { href: `#/review/${previous.encounterId}` }, dayText(previous.date)),
          ` (${statusLabel(previous.status)}).`),
        questions.length
          ? h('ul', { class: 'rv-changes-questions', id: 'review-changes-questions' }, questions.map((q) =>
            h('li', { class: `rv-change rv-change-${q.change}`, dataset: { linkId: q.linkId } },
              h('button', { type: 'button', class: 'rv-change-link', on: { click: () => onPick(q.linkId) } },
                h('span', { class: `badge rv-change-badge rv-badge-${q.change}` }, QUESTION_CLASS[q.change] || q.change),
                q.text))))
          : null,
        !questions.length && !listMoves ? h('p', { class: 'rv-nothing' }, 'Nothing changed since the last visit.') : null,
        unchanged > 0 ? h('p', { class: 'muted rv-unchanged-count' },
          unchanged === 1 ? '1 other answer unchanged.' : `${unchanged} other answers unchanged.`) : null,
        lists.map(listBlock));
    },
  };
}
