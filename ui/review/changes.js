// "Changes since last visit" on the review screen (#review-changes): which visit the
// record is compared with; first the notable findings (#review-changes-notable: the
// medication and allergy changes, then findings such as a weight lost, each with the
// rule's reason); then carried content that changed ("Tobacco Current → Former": only
// carried content is marked "Changed"); what was not asked this visit; and each list
// (medications, allergies, history) as added / stopped / changed / unchanged. A button
// leads to the answer in the record. Without an earlier visit it says so. The
// comparison and the ranking are the backend's (`changes`, `notable`); this lays them out.
// `notableList` is also the box at the top of the review (#review-notable).

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

/**
 * The notable findings as a list (`id`): each "Notable", what it is and why; a button
 * leads to it in the record (`onPick(linkId)`). Null when there are none.
 */
export function notableList(review, { id, onPick }) {
  const notable = review.notable || [];
  if (!notable.length) return null;
  return h('ol', { id, class: 'rv-notable-list' }, notable.map((n) =>
    h('li', { class: `rv-notable-item rv-notable-${n.kind}`, dataset: { linkId: n.linkId, kind: n.kind } },
      h('button', { type: 'button', class: 'rv-change-link rv-notable-link', on: { click: () => onPick(n.linkId) } },
        h('span', { class: 'badge rv-change-badge rv-badge-notable' }, 'Notable'),
        h('span', { class: 'rv-notable-text' }, n.text),
        h('span', { class: 'rv-notable-reason' }, n.reason)))));
}

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
      const all = review.changes?.questions || [];
      const notableLinks = new Set((review.notable || []).filter((n) => n.kind === 'finding').map((n) => n.linkId));
      // Carried content that changed (findings are this visit's, not changes).
      const questions = all.filter((q) => q.kind !== 'finding' && q.change !== 'unchanged');
      const notAsked = all.filter((q) => q.change === 'not_asked');
      const findings = all.filter((q) => q.kind === 'finding' && !notableLinks.has(q.linkId) && q.change !== 'not_asked');
      const unchanged = all.filter((q) => q.kind !== 'finding' && q.change === 'unchanged').length;
      const lists = (review.changes?.lists || []).filter((l) => l.rows?.length);
      const listMoves = lists.some((l) => l.rows.some((r) => r.change !== 'unchanged'));
      const notable = notableList(review, { id: 'review-changes-notable', onPick });
      replaceChildren(body,
        h('p', { class: 'rv-compared' }, 'Compared with the visit of ',
          h('a', { href: `#/review/${previous.encounterId}` }, dayText(previous.date)),
          ` (${statusLabel(previous.status)}).`),
        notable ? h('h3', {}, 'Notable') : null,
        notable,
        questions.length ? h('h3', {}, 'Carried answers changed') : null,
        questions.length
          ? h('ul', { class: 'rv-changes-questions', id: 'review-changes-questions' }, questions.map((q) =>
            h('li', { class: `rv-change rv-change-${q.change}`, dataset: { linkId: q.linkId } },
              h('button', { type: 'button', class: 'rv-change-link', on: { click: () => onPick(q.linkId) } },
                h('span', { class: `badge rv-change-badge rv-badge-${q.change}` }, QUESTION_CLASS[q.change] || q.change),
                q.text))))
          : null,
        !notable && !questions.length && !listMoves ? h('p', { class: 'rv-nothing' }, 'Nothing changed since the last visit.') : null,
        findings.length ? h('p', { class: 'muted rv-findings-count', id: 'review-changes-findings' },
          `${findings.length} other ${findings.length === 1 ? 'finding' : 'findings'} of this visit (vitals, reason…), `
          + 'each shown in the record with its last value.') : null,
        notAsked.length ? h('p', { class: 'muted rv-not-asked-list', id: 'review-changes-not-asked' },
          `Not asked this visit: ${notAsked.map((q) => q.text.replace(/: not asked this visit.*$/, '')).join(', ')}.`) : null,
        unchanged > 0 ? h('p', { class: 'muted rv-unchanged-count' },
          unchanged === 1 ? '1 carried answer unchanged.' : `${unchanged} carried answers unchanged.`) : null,
        lists.map(listBlock));
    },
  };
}
