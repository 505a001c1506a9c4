// "Visits" on the Patient screen: the patient's intakes, newest first (date, form,
// status, who started it). A draft opens the intake screen (#/intake/<id>); every other
// visit (submitted, signed, amended, entered in error: struck through) opens its record
// read-only with its revision history (#/review/<id>). "Start intake" (#start-intake,
// also Alt+I) is enabled for nurses and physicians. When more than one form is active, a
// select (#start-intake-template) chooses the form; it starts on the general adult intake.
// Physicians and admins get "Export PDF" (#visit-export-<id>) beside every visit that is
// not a draft: the native save dialog, then "Saved <file>" or the error in
// #patient-visits-notice (pdf-export.js; the backend decides who may export).

import * as api from '../api.js';
import { h, notice, replaceChildren } from '../dom.js';
import { exportVisitPdf } from '../pdf-export.js';
import { formatDateTime } from '../patient-fields.js';
import { statusBadge } from '../review-format.js';

const DEFAULT_SLUG = 'general-adult-intake';

function visitItem(e, exportButton) {
  const draft = e.status === 'draft';
  const inError = e.status === 'entered_in_error';
  const button = draft ? null : exportButton?.(e);
  const cls = ['visit', inError ? 'visit-in-error' : null, button ? 'has-export' : null].filter(Boolean).join(' ');
  return h('li', { class: cls, dataset: { encounterId: e.id, status: e.status } },
    h('a', { href: draft ? `#/intake/${e.id}` : `#/review/${e.id}`, id: `visit-${e.id}`, class: 'visit-link' },
      h('span', { class: 'visit-date' }, formatDateTime(e.startedAt)),
      h('span', { class: 'visit-form' }, e.templateTitle),
      statusBadge(e.status, { id: `visit-status-${e.id}` }),
      h('span', { class: 'visit-by muted' }, `by ${e.startedBy}`)),
    button);
}

export function createVisits({ patientId, session, go }) {
  const mayStart = ['nurse', 'physician'].includes(session.user.role);
  const mayExport = ['physician', 'admin'].includes(session.user.role);
  const exportNote = notice('patient-visits-notice');
  const list = h('ul', { id: 'patient-visits', class: 'visits', 'aria-label': 'Visits' });
  const empty = h('p', { id: 'patient-visits-empty', class: 'muted', hidden: true }, 'No visits yet.');
  const error = h('p', { id: 'start-intake-error', class: 'form-error', role: 'alert' });
  const button = h('button', { id: 'start-intake', type: 'button', class: 'primary', disabled: true,
    'aria-keyshortcuts': mayStart ? 'Alt+I' : null,
    title: mayStart ? null : 'Intakes are started by nurses and physicians.' }, 'Start intake');
  const select = h('select', { id: 'start-intake-template' });
  const chooser = h('div', { class: 'field start-intake-template', hidden: true },
    h('label', { for: 'start-intake-template' }, 'Form'), select);
  let active = []; // active templates
  let available = false; // the patient may get an intake (loaded, not entered in error)
  let starting = false;

  async function loadTemplates() {
    if (!mayStart) return;
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
      replaceChildren(list, visits.map((e) => visitItem(e, mayExport ? exportButton : null)));
      empty.hidden = visits.length > 0;
    } catch (err) {
      replaceChildren(list);
      empty.hidden = false;
      empty.textContent = `The visits could not be loaded: ${err.message}`;
    }
  }

  function exportButton(e) {
    const button = h('button', { id: `visit-export-${e.id}`, type: 'button', class: 'secondary small visit-export',
      'aria-label': `Export PDF of the visit on ${formatDateTime(e.startedAt)}` }, 'Export PDF');
    button.addEventListener('click', () => exportVisitPdf(e.id, exportNote, button));
    return button;
  }

  async function start() {
    if (!mayStart || !available || starting) return;
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
      h('div', { class: 'button-row' }, button, mayStart
        ? h('span', { class: 'key-hint', 'aria-hidden': 'true' }, 'or press ', h('kbd', {}, 'Alt+I'))
        : h('span', { class: 'key-hint' }, 'Nurses and physicians start intakes.')), error));

  return {
    el,
    start,
    load: () => Promise.all([loadVisits(), loadTemplates()]),
    /** Enables "Start intake" once the patient is loaded (and not entered in error). */
    setAvailable(on) {
      available = on;
      button.disabled = !on || !mayStart;
    },
  };
}
