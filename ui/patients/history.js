// "History of changes" on the Patient screen: every revision, oldest first as the
// backend keeps them, with when, who, and each changed field as "Phone: old → new".
// Version 1 is the registration and reads "Registered".

import { h, replaceChildren } from '../shared/dom.js';
import { fieldLabel, formatDateTime, orderFields, valueText } from './fields.js';

function title(revision) {
  if (revision.version === 1) return 'Registered';
  const names = Object.keys(revision.changes || {});
  if (names.length === 1 && names[0] === 'status') {
    const [, now] = revision.changes.status || [];
    if (now === 'entered_in_error') return 'Marked entered in error';
    return 'Status changed';
  }
  return 'Changed';
}

function changeItem(name, pair) {
  const [before, after] = Array.isArray(pair) ? pair : [null, pair];
  return h('li', { dataset: { field: name } },
    h('span', { class: 'change-field' }, `${fieldLabel(name)}: `),
    h('span', { class: 'change-old' }, valueText(name, before)),
    ' → ',
    h('span', { class: 'change-new' }, valueText(name, after)));
}

function revisionItem(revision) {
  const changes = revision.version === 1 ? [] : orderFields(Object.keys(revision.changes || {}));
  return h('li', { class: 'revision', dataset: { version: revision.version } },
    h('p', { class: 'revision-head' },
      h('strong', {}, title(revision)),
      ' ',
      h('time', { datetime: revision.at }, formatDateTime(revision.at)),
      ` · by ${revision.by || 'unknown'}`),
    changes.length
      ? h('ul', { class: 'changes' }, changes.map((name) => changeItem(name, revision.changes[name])))
      : null,
    revision.reason ? h('p', { class: 'revision-reason' }, `Reason: ${revision.reason}`) : null);
}

/** The list element (#patient-history) and how to fill it. */
export function createHistory() {
  const el = h('ol', { id: 'patient-history', class: 'history', 'aria-label': 'History of changes' },
    h('li', { class: 'muted' }, 'Loading…'));
  return {
    el,
    set(revisions) {
      replaceChildren(el, revisions.length
        ? revisions.map(revisionItem)
        : h('li', { class: 'muted' }, 'No changes recorded.'));
    },
    message(text) {
      replaceChildren(el, h('li', { class: 'muted' }, text));
    },
  };
}
