// Carry-forward on the intake screen: where each value came from, confirming what was
// carried, the last value of questions never carried, and what changed since the last
// visit.
//
// A carried answer (`source` "carried") shows a badge "from 2 Oct 2026"; on hover or
// focus it also names who entered it there (and who confirmed it there). An answer that
// waits for confirmation shows "Confirm" (#confirm-<key>); once confirmed, "✓ Confirmed".
// A question never carried shows its last value ("Last weight 82 kg, 2 Oct 2026"); one
// whose earlier value could not be carried says why. Record values show "from the
// patient record". The carry banner (#intake-carry) names earlier visits not used (a
// clock set ahead, entered in error); the changes panel (#intake-changes) lists carried
// values edited or removed and rows added.

import { h, replaceChildren } from '../shared/dom.js';
import { idSafe, valueText } from './model.js';
import { formatDate } from '../shared/dates.js';

/** "2026-10-02" as the clinic writes dates (02/10/2026 day first): the one formatter. */
export function dayText(isoDate) {
  return formatDate(String(isoDate ?? '').slice(0, 10));
}

/**
 * The provenance line of one answer: badge, then "Confirm" or "✓ Confirmed".
 * `onConfirm(key)` confirms; with `readOnly` there is no button. `recordBadge: false`
 * leaves out "from the patient record" (a question that already says so). `names` (from
 * review/format.js's `namesFrom`) names the people.
 */
export function provenanceNodes(key, answer, { onConfirm, readOnly, names, recordBadge = true }) {
  const { person } = names;
  if (!answer) return [];
  if (answer.source === 'record') {
    if (!recordBadge) return [];
    return [h('span', { class: 'badge q-from q-from-record', title: 'Filled in from the patient record' },
      'from the patient record')];
  }
  if (answer.source !== 'carried' || !answer.carried) return [];
  const c = answer.carried;
  const when = dayText(c.date);
  const who = `entered by ${person(c.enteredBy)}${c.confirmedBy ? `, confirmed by ${person(c.confirmedBy)}` : ''}`;
  const out = [h('span', { class: 'badge q-from', title: `Carried from the visit of ${when}; ${who}`,
    tabindex: '0', dataset: { key } },
  `from ${when}`, h('span', { class: 'q-from-who' }, ` · ${who}`))];
  if (answer.needsConfirmation) {
    if (answer.confirmedBy) {
      out.push(h('span', { class: 'q-confirmed', title: `Confirmed by ${person(answer.confirmedBy)}` }, '✓ Confirmed'));
    } else if (!readOnly) {
      out.push(h('button', { type: 'button', class: 'secondary small q-confirm', id: `confirm-${idSafe(key)}`,
        dataset: { stop: 'no' }, 'aria-keyshortcuts': 'Alt+C', on: { click: () => onConfirm(key) } }, 'Confirm'));
    }
  }
  return out;
}

/**
 * A carried value the nurse changed: "typed · replaces the value from 7 Dec 2026", the
 * carried value in its description (hover or focus).
 */
export function replacedNodes(change) {
  const was = (change.before || []).map(valueText).join(', ');
  const from = change.carriedFrom ? ` from ${dayText(change.carriedFrom)}` : '';
  return [h('span', { class: 'badge q-from q-typed-over', tabindex: '0',
    title: was ? `Carried value${from}: ${was}` : `Replaces the carried value${from}` },
  `typed · replaces the value${from}`)];
}

/** The note under a question: its last value (never carried) or why it was not carried. */
export function carryNoteNodes(key, notes) {
  const hint = notes?.hints?.[key];
  const why = notes?.notCarried?.[key];
  const out = [];
  if (hint) out.push(h('p', { class: 'q-last' }, hint.charAt(0).toUpperCase() + hint.slice(1)));
  if (why) out.push(h('p', { class: 'q-not-carried' }, `Could not carry the earlier answer: ${why}.`));
  return out;
}

/** The banner above the form: earlier visits not used, values that could not be carried. */
export function createCarryBanner() {
  const el = h('div', { id: 'intake-carry', class: 'info-banner carry-banner', role: 'status', hidden: true });
  return {
    el,
    show(notes, describe) {
      const skipped = notes?.skipped || [];
      const notCarried = Object.entries(notes?.notCarried || {});
      const parts = [];
      if (skipped.length) {
        parts.push(h('p', {}, h('strong', {}, 'Earlier visits not used: '), skipped.join('; '), '.'));
      }
      if (notCarried.length) {
        parts.push(h('p', {}, h('strong', {}, `Could not carry ${notCarried.length === 1 ? '1 earlier answer' : `${notCarried.length} earlier answers`}: `),
          notCarried.map(([key, why]) => `${describe(key)} (${why})`).join('; '), '.'));
      }
      replaceChildren(el, parts);
      el.hidden = parts.length === 0;
    },
  };
}

/** "Changes since last visit": carried values edited or removed, rows added. */
export function createChangesPanel() {
  const list = h('ul', { class: 'changes-list' });
  const el = h('section', { id: 'intake-changes', class: 'intake-changes', hidden: true,
    'aria-labelledby': 'intake-changes-title' },
  h('h2', { id: 'intake-changes-title' }, 'Changes since last visit'), list);
  const shown = (values) => (values || []).map(valueText).filter(Boolean).join(', ') || '—';
  return {
    el,
    update(changes, describe) {
      replaceChildren(list, (changes || []).map((c) => h('li', { class: `change change-${c.kind}`, dataset: { key: c.key } },
        h('span', { class: 'change-what' }, describe(c.key)),
        c.kind === 'changed' ? h('span', { class: 'change-detail' }, `${shown(c.before)} → ${shown(c.after)}`)
          : c.kind === 'removed' ? h('span', { class: 'change-detail' }, c.before?.length ? `removed (was ${shown(c.before)})` : 'removed')
            : h('span', { class: 'change-detail' }, 'added'))));
      el.hidden = !(changes || []).length;
    },
  };
}
