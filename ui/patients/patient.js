// Patient (#/patients/<id>): the name, a summary line (date of birth, age, sex, MRN),
// Demographics, Visits (the intakes, and "Start intake": visits.js) and History
// of changes. "Edit" is shown to everyone (the backend refuses whoever may not edit);
// "Mark entered in error", "Start intake" and "Export PDF" follow the patient's `may`
// flags from the backend (no role is asked here). A patient entered in error carries a
// banner and gets no new intake. "Merge into another chart…" and the notices a merge
// leaves (merged into …, charts merged into this one, undo) are merge.js.

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { isAltLetter, onScreenKey } from '../shared/keys.js';
import { FIELDS, ageText, dateNode, formatDateTime, isInError, nameText, sexLabel, valueText }
  from './fields.js';
import { createHistory } from './history.js';
import { createMarkError } from './mark-error.js';
import { createMerge } from './merge.js';
import { createVisits } from './visits.js';

export function render({ patientId, go, back, cameFrom, flash }) {
  const name = h('h1', { id: 'patient-name' }, 'Loading patient…');
  const summary = h('p', { id: 'patient-summary', class: 'patient-summary' });
  const note = notice('patient-notice');
  const banner = h('div', { id: 'patient-error-banner', class: 'error-banner', role: 'alert', hidden: true });
  const edit = h('button', { id: 'patient-edit', type: 'button', class: 'secondary', disabled: true,
    on: { click: () => go(`patients/${patientId}/edit`) } }, 'Edit');
  const mark = createMarkError({ onMark: markInError });
  mark.setAvailable(false); // until the patient's `may.markInError` says otherwise
  const demographics = h('dl', { id: 'patient-demographics', class: 'demographics' });
  const recordMeta = h('p', { id: 'patient-record-meta', class: 'muted record-meta' });
  const history = createHistory();
  const visits = createVisits({ patientId, go });
  const merge = createMerge({
    patient: () => current,
    go,
    onMerged: (survivor) => go(`patients/${survivor.id}`),
    onUndone: () => {
      note.success('The merge is undone: each chart is on its own again.');
      load();
    },
  });

  // "Patients" returns to the search as it was, when that is where the person came from.
  const backLink = h('a', { id: 'patient-back', class: 'back-link', href: '#/patients' }, '‹ Patients');
  backLink.addEventListener('click', (event) => {
    if (cameFrom && /^#\/patients\/?(\?|$)/.test(cameFrom)) {
      event.preventDefault();
      back('patients');
    }
  });

  const body = h('div', { class: 'patient-columns', hidden: true },
    h('section', { class: 'panel', 'aria-labelledby': 'patient-demographics-heading' },
      h('h2', { id: 'patient-demographics-heading' }, 'Demographics'), demographics, recordMeta),
    h('div', { class: 'patient-side' },
      visits.el,
      h('section', { class: 'panel', 'aria-labelledby': 'patient-history-heading' },
        h('h2', { id: 'patient-history-heading' }, 'History of changes'), history.el)));

  let current = null; // the patient as last loaded

  function show(patient) {
    current = patient;
    const inError = isInError(patient);
    name.textContent = nameText(patient);
    name.classList.toggle('in-error', inError);
    replaceChildren(summary,
      h('span', {}, 'Born ', dateNode(patient.birthDate)),
      h('span', {}, ageText(patient.age)),
      h('span', {}, sexLabel(patient.sex)),
      h('span', {}, 'MRN ', h('span', { id: 'patient-mrn-value', class: 'mono' }, patient.mrn)),
      patient.identifiers?.length > 1
        ? h('span', { id: 'patient-other-mrns' }, 'also ', h('span', { class: 'mono' }, patient.identifiers.slice(1).join(', ')))
        : null);
    merge.show(patient);
    banner.hidden = !inError;
    replaceChildren(banner,
      h('strong', {}, 'Entered in error.'),
      ' This record is kept for the history only; do not use it for care.',
      patient.statusReason ? h('span', { class: 'banner-reason' }, `Reason: ${patient.statusReason}`) : null);
    replaceChildren(demographics, FIELDS.map((f) => h('div', { class: f.name === 'notes' ? 'demographic wide' : 'demographic' },
      h('dt', {}, f.label),
      h('dd', { dataset: { field: f.name }, class: f.name === 'notes' ? 'notes' : null },
        valueText(f.name, patient[f.name])))));
    recordMeta.textContent = `Registered ${formatDateTime(patient.createdAt)} by ${patient.createdBy}` +
      (patient.version > 1 ? ` · last changed ${formatDateTime(patient.updatedAt)} by ${patient.updatedBy}` : '') +
      ` · version ${patient.version}`;
    edit.disabled = false;
    body.hidden = false;
    mark.setAvailable(Boolean(patient.may?.markInError));
    visits.setMay(patient.may);
  }

  async function loadHistory() {
    try {
      history.set(await api.patientHistory(patientId));
    } catch (err) {
      history.message(`The history could not be loaded: ${err.message}`);
    }
  }

  async function load() {
    try {
      show(await api.getPatient(patientId));
    } catch (err) {
      name.textContent = err.code === 'not_found' ? 'Patient not found' : 'Patient';
      note.error(err.message);
      edit.hidden = true;
      return;
    }
    await Promise.all([loadHistory(), visits.load()]);
  }

  async function markInError(reason) {
    note.clear();
    try {
      show(await api.markPatientInError(patientId, current.version, reason));
    } catch (err) {
      // Someone changed the patient meanwhile: show the latest; the reason stays typed.
      if (err.code === 'conflict' && !err.field) await load();
      throw err;
    }
    note.success('The patient is marked entered in error.');
    loadHistory();
  }

  const screen = pageScreen(
    'patient',
    {},
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, backLink),
    h('div', { class: 'page-head patient-head' },
      h('div', { class: 'patient-title' }, name, summary),
      h('div', { class: 'button-row' }, edit, merge.opener, mark.opener)),
    mark.form,
    merge.form,
    merge.notices,
    note.el,
    banner,
    body,
  );
  onScreenKey(screen, (event) => isAltLetter(event, 'n'), () => go('patients/new'));
  onScreenKey(screen, (event) => isAltLetter(event, 'i'), () => visits.start());
  if (flash) note.success(flash);
  load();
  return screen;
}
