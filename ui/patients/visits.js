// "Visits" on the Patient screen: the patient's intakes, newest first (date, form,
// status, who started it). A draft opens the intake screen (#/intake/<id>); every other
// visit (submitted, signed, amended, entered in error: struck through) opens its record
// read-only with its revision history (#/review/<id>). What the person may do comes with
// the patient (`may`, from the backend; no role is asked here): "Start intake"
// (#start-intake, also Alt+I) is enabled with `startIntake`. When more than one form is
// active, a select (#start-intake-template) chooses the form; it starts on the general
// adult intake. With `exportPdf`, "Export PDF" (#visit-export-<id>) sits beside every
// visit that is not a draft: the native save dialog, then "Saved <file>" or the error in
// #patient-visits-notice (exports/pdf-export.js).

import * as api from '../api.js';
import { h, notice, replaceChildren } from '../shared/dom.js';
import { exportVisitPdf } from '../exports/pdf-export.js';
import { formatDate, formatDateTime, formatTime } from '../shared/dates.js';
import { statusBadge } from '../review/format.js';
import { visitPeople } from '../shared/people.js';

const DEFAULT_SLUG = 'general-adult-intake';

/** The visit's day (the clinic's, as the backend dates it) and its time, the clinic's way. */
function visitWhen(e) {
  return e.visitDate ? `${formatDate(e.visitDate)} ${formatTime(e.startedAt)}` : formatDateTime(e.startedAt);
}

function visitItem(e, exportButton) {
  const draft = e.status === 'draft';
  const inError = e.status === 'entered_in_error';
  const button = draft ? null : exportButton?.(e);
  const cls = ['visit', inError ? 'visit-in-error' : null, button ? 'has-export' : null].filter(Boolean).join(' ');
  return h('li', { class: cls, dataset: { encounterId: e.id, status: e.status } },
    h('a', { href: draft ? `#/intake/${e.id}` : `#/review/${e.id}`, id: `visit-${e.id}`, class: 'visit-link' },
      h('span', { class: 'visit-date' }, visitWhen(e)),
      h('span', { class: 'visit-form' }, e.templateTitle),
      statusBadge(e.status, { id: `visit-status-${e.id}` }),
      e.reason ? h('span', { class: 'visit-reason' }, e.reason) : null,
      h('span', { class: 'visit-people muted' }, visitPeople(e))),
    button);
}

export function createVisits({ patientId, go }) {
  let may = { startIntake: false, exportPdf: false }; // the loaded patient's `may`
  const exportNote = notice('patient-visits-notice');
  const list = h('ul', { id: 'patient-visits', class: 'visits', 'aria-label': 'Visits' });
  const empty = h('p', { id: 'patient-visits-empty', class: 'muted', hidden: true }, 'No visits yet.');
  const error = h('p', { id: 'start-intake-error', class: 'form-error', role: 'alert' });
  const button = h('button', { id: 'start-intake', type: 'button', class: 'primary', disabled: true }, 'Start intake');
  const keyHint = h('span', { class: 'key-hint' });
  const select = h('select', { id: 'start-intake-template' });
  const chooser = h('div', { class: 'field start-intake-template', hidden: true },
    h('label', { for: 'start-intake-template' }, 'Form'), select);
  let active = []; // active templates
  let starting = false;

  async function loadTemplates() {
    if (!may.startIntake) return;
    try {
      active = (await api.listTemplates()).filter((t) => t.status === 'active');
    } catch {
      active = []; // starting without a choice uses the built-in form
    }
    const at = Math.max(0, active.findIndex((t) => t.slug === DEFAULT_SLUG));
    replaceChildren(select, active.map((t, i) => h('option', { value: String(i), selected: i === at },
      `${t.title} (version ${t.version})`)));
    chooser.hidden = active.length < 2;
  }

  async function loadVisits() {
    try {
      const visits = await api.listEncounters({ patientId });
      replaceChildren(list, visits.map((e) => visitItem(e, may.exportPdf ? exportButton : null)));
      empty.hidden = visits.length > 0;
    } catch (err) {
      replaceChildren(list);
      empty.hidden = false;
      empty.textContent = `The visits could not be loaded: ${err.message}`;
    }
  }

  function exportButton(e) {
    const button = h('button', { id: `visit-export-${e.id}`, type: 'button', class: 'secondary small visit-export',
      'aria-label': `Export PDF of the visit on ${visitWhen(e)}` }, 'Export PDF');
    button.addEventListener('click', () => exportVisitPdf(e.id, exportNote, button));
    return button;
  }

  async function start() {
    if (!may.startIntake || starting) return;
    starting = true;
    button.disabled = true;
    error.textContent = '';
    const template = active.length > 1 ? active[Number(select.value)] : null;
    try {
      const encounter = await api.startIntake(patientId, template?.slug ?? null, template?.version ?? null);
      go(`intake/${encounter.id}`);
    } catch (err) {
      error.textContent = err.message;
      button.disabled = false;
    } finally {
      starting = false;
    }
  }
  button.addEventListener('click', start);

  const el = h('section', { class: 'panel', 'aria-labelledby': 'patient-visits-heading' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'patient-visits-heading' }, 'Visits')),
    exportNote.el, list, empty,
    h('div', { class: 'start-intake' }, chooser,
      h('div', { class: 'button-row' }, button, keyHint), error));

  /** Says what "Start intake" does for this person: a key, or why it is off. */
  function showMay() {
    button.disabled = !may.startIntake;
    if (may.startIntake) button.setAttribute('aria-keyshortcuts', 'Alt+I');
    else button.removeAttribute('aria-keyshortcuts');
    button.title = may.startIntake ? '' : 'Intakes are started by nurses and physicians, for patients not entered in error.';
    keyHint.setAttribute('aria-hidden', String(may.startIntake));
    replaceChildren(keyHint, ...(may.startIntake ? ['or press ', h('kbd', {}, 'Alt+I')]
      : ['Nurses and physicians start intakes.']));
  }

  return {
    el,
    start,
    /** Loads the visits and the forms, for a patient whose `may` was set (`setMay`). */
    load: () => Promise.all([loadVisits(), loadTemplates()]),
    /** Takes the loaded patient's `may` flags (again after it was marked in error). */
    setMay(patientMay) {
      may = { startIntake: Boolean(patientMay?.startIntake), exportPdf: Boolean(patientMay?.exportPdf) };
      showMay();
    },
  };
}
