// Intake (#/intake): the intakes in progress (drafts), newest first, each with "Open".
// Intakes are started from a patient's page; this list is where unfinished ones are
// picked up again. A draft the physician returned says so, with their comment.

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { formatDateTime } from '../patients/fields.js';

const COLUMNS = ['Patient', 'MRN', 'Form', 'Started', 'By', ''];

function draftRow(encounter, go) {
  const open = h('button', { type: 'button', class: 'secondary small', id: `intake-open-${encounter.id}`,
    'aria-label': `Open the intake of ${encounter.patientName}`, on: { click: () => go(`intake/${encounter.id}`) } },
  'Open');
  return h('tr', { dataset: { encounterId: encounter.id } },
    h('td', {}, h('a', { href: `#/patients/${encounter.patientId}` }, encounter.patientName),
      encounter.returned ? h('span', { class: 'sub intake-returned-note', id: `intake-returned-${encounter.id}` },
        h('span', { class: 'badge badge-warn' }, 'Returned'), ` by ${encounter.returned.byName || encounter.returned.by}: ${encounter.returned.comment}`)
        : null),
    h('td', { class: 'mono' }, encounter.mrn),
    h('td', {}, encounter.templateTitle, h('span', { class: 'sub' }, `version ${encounter.templateVersion}`)),
    h('td', { class: 'nowrap' }, formatDateTime(encounter.startedAt)),
    h('td', {}, encounter.startedByName || encounter.startedBy),
    h('td', { class: 'actions' }, open));
}

export function render({ go }) {
  const note = notice('intake-list-notice');
  const tbody = h('tbody', {}, messageRow('Loading…'));
  const table = h('table', { id: 'intake-drafts', class: 'data-table' },
    h('caption', { class: 'visually-hidden' }, 'Intakes in progress'),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) =>
      h('th', { scope: 'col' }, c || h('span', { class: 'visually-hidden' }, 'Actions'))))),
    tbody);

  function messageRow(text) {
    return h('tr', { class: 'message-row' }, h('td', { colspan: COLUMNS.length }, text));
  }

  api.listEncounters({ status: 'draft' }).then(
    (drafts) => replaceChildren(tbody, drafts.length ? drafts.map((e) => draftRow(e, go))
      : messageRow('No intakes in progress.')),
    (err) => {
      replaceChildren(tbody, messageRow('The intakes could not be loaded.'));
      note.error(err.message);
    },
  );

  return pageScreen(
    'intake-list',
    {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Intake'),
      h('p', { id: 'intake-list-hint', class: 'muted intake-list-hint' },
        'Start an intake from a patient\'s page: ', h('a', { href: '#/patients' }, 'find the patient'), '.')),
    note.el,
    h('section', { class: 'panel', 'aria-labelledby': 'intake-drafts-heading' },
      h('h2', { id: 'intake-drafts-heading' }, 'In progress'),
      h('div', { class: 'table-wrap' }, table)),
  );
}
