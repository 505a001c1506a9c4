// Audit log (admin): one line per entry, newest first: when, who (display name), what (a
// sentence: "Signed the record", "Exported 63 visits"), which patient (name and MRN); a
// line with details opens them (audit-lines.js writes them readably). Filters: date
// range, user, patient (a name or an MRN, looked up with the patient search; several
// matches are offered to choose from) and action (from the actions the log holds). The
// backend filters and pages ("Older"); "Verify chain" re-checks the hash chain.

import * as api from '../api.js';
import { h, pageScreen, replaceChildren } from '../shared/dom.js';
import { dateField, field, formError, formState, onSubmit, selectField } from '../shared/forms.js';
import { actionOptions, describeEntry } from './audit-lines.js';
import { formatDateTime } from '../shared/dates.js';

const PAGE = 100;
// The clinic's date and 24- or 12-hour time, with seconds (entries come in bursts).
const localTime = (rfc3339) => formatDateTime(rfc3339, { seconds: true });

function detailList(details) {
  return h('dl', { class: 'audit-details' }, details.flatMap((d) => [
    h('dt', {}, d.label),
    h('dd', {}, d.text, d.items ? h('span', { class: 'audit-items' }, d.items.join(', ')) : null),
  ]));
}

function entryLine(entry) {
  const line = describeEntry(entry, localTime);
  const head = [
    h('time', { class: 'audit-when', datetime: entry.at, title: entry.at }, line.at),
    h('span', { class: 'audit-who', title: line.whoTitle || null }, line.who),
    h('span', { class: 'audit-what', title: line.action }, line.what),
    h('span', { class: 'audit-patient' }, line.patient),
    h('span', { class: 'audit-subject muted' }, line.subject),
  ];
  const body = line.details.length
    ? h('details', { class: 'audit-disclosure' }, h('summary', { class: 'audit-head' }, head), detailList(line.details))
    : h('div', { class: 'audit-head audit-plain' }, head);
  return h('li', { class: 'audit-line', dataset: { seq: entry.seq, action: entry.action } }, body);
}

function patientLabel(p) {
  return `${[p.family, p.given].filter(Boolean).join(', ')} · MRN ${p.mrn}`;
}

export function render() {
  const verify = h('button', { id: 'audit-verify', type: 'button', class: 'secondary' }, 'Verify chain');
  const verifyResult = h('p', { id: 'audit-verify-result', class: 'verify-result', role: 'status' });
  const from = dateField({ id: 'audit-from', label: 'From' });
  const to = dateField({ id: 'audit-to', label: 'To (included)' });
  const user = selectField({ id: 'audit-user', label: 'User', options: [['', 'Anyone']], value: '' });
  const patient = field({ id: 'audit-patient', label: 'Patient', attrs: { placeholder: 'Name or MRN' } });
  const action = selectField({ id: 'audit-action', label: 'Action', options: [['', 'Any action']], value: '' });
  const apply = h('button', { id: 'audit-filter-submit', type: 'submit', class: 'primary' }, 'Apply');
  const clearButton = h('button', { id: 'audit-filter-clear', type: 'button', class: 'secondary' }, 'Clear');
  const choices = h('div', { id: 'audit-patient-choices', class: 'audit-choices', hidden: true });
  const errorEl = formError('audit-error');
  const form = h('form', { id: 'audit-filter-form', class: 'filter-form audit-filters' },
    from.wrap, to.wrap, user.wrap, patient.wrap, action.wrap,
    h('div', { class: 'button-row' }, apply, clearButton));
  const state = formState({ errorEl, submit: apply,
    fields: { from, to, actor: user, patientMrn: patient, action } });

  const list = h('ol', { id: 'audit-list', class: 'audit-list', 'aria-label': 'Audit log entries, newest first' });
  const older = h('button', { id: 'audit-older', type: 'button', class: 'secondary', hidden: true }, 'Older');
  const count = h('p', { class: 'muted', id: 'audit-count', role: 'status' });

  let filter = {};
  let chosenPatient = null; // { id, label } once a search found one
  let shown = 0;
  let oldestSeq = null;
  let generation = 0;

  async function fillChoices() {
    try {
      const [users, actions] = await Promise.all([api.listUsers(), api.listAuditActions()]);
      user.input.append(...users.map((u) => h('option', { value: u.username },
        u.displayName && u.displayName !== u.username ? `${u.displayName} (${u.username})` : u.username)));
      action.input.append(...actionOptions(actions).map(([value, name]) => h('option', { value }, name)));
    } catch (err) {
      state.show(err);
    }
  }

  function message(text) {
    return h('li', { class: 'message-row' }, text);
  }

  async function load({ append }) {
    const mine = ++generation;
    const request = { limit: PAGE, ...filter };
    if (append && oldestSeq !== null) request.beforeSeq = oldestSeq;
    if (!append) replaceChildren(list, message('Loading…'));
    older.disabled = true;
    let entries;
    try {
      entries = await api.listAudit(request);
    } catch (err) {
      if (mine !== generation) return;
      if (!append) replaceChildren(list, message('The audit log could not be loaded.'));
      state.show(err);
      older.disabled = false;
      return;
    }
    if (mine !== generation) return;
    if (!append) {
      list.replaceChildren();
      shown = 0;
    }
    for (const entry of entries) list.append(entryLine(entry));
    shown += entries.length;
    if (entries.length) oldestSeq = entries[entries.length - 1].seq;
    if (!shown) replaceChildren(list, message('No entries match.'));
    older.hidden = entries.length < PAGE;
    older.disabled = false;
    count.textContent = shown === 1 ? 'Showing 1 entry.' : `Showing ${shown} entries.`;
  }

  function choosePatient(p) {
    chosenPatient = { id: p.id, label: patientLabel(p) };
    patient.input.value = chosenPatient.label;
    choices.hidden = true;
    choices.replaceChildren();
    return applyFilter();
  }

  /** The patient the field names: the one chosen, or the only one a search finds. */
  async function resolvePatient(text) {
    if (chosenPatient && text === chosenPatient.label) return chosenPatient.id;
    const found = await api.searchPatients(text);
    const patients = found.patients || [];
    const bare = (mrn) => String(mrn).replace(/[\s-]/g, '').toLowerCase();
    const byMrn = patients.filter((p) => bare(p.mrn) === bare(text));
    const only = byMrn.length === 1 ? byMrn[0] : patients.length === 1 ? patients[0] : null;
    if (only) {
      chosenPatient = { id: only.id, label: patientLabel(only) };
      patient.input.value = chosenPatient.label;
      return chosenPatient.id;
    }
    if (!patients.length) {
      state.fieldError('patientMrn', `No patient matches “${text}”.`);
      return undefined;
    }
    replaceChildren(choices,
      h('p', {}, `${patients.length}${found.truncated ? '+' : ''} patients match; choose one:`),
      h('ul', {}, patients.slice(0, 10).map((p) => h('li', {},
        h('button', { type: 'button', class: 'secondary small', dataset: { patientId: p.id },
          on: { click: () => choosePatient(p) } }, `${patientLabel(p)} · born ${p.birthDate}`)))));
    choices.hidden = false;
    choices.querySelector('button')?.focus();
    return undefined;
  }

  async function applyFilter() {
    state.clear();
    choices.hidden = true;
    const next = {};
    // Typed the clinic's way (or ISO); sent as ISO. A bad date is said at its field.
    const [f, t] = [from.value(), to.value()];
    if (f.error || t.error) {
      (f.error ? from : to).input.focus();
      return;
    }
    if (f.iso) next.from = f.iso;
    if (t.iso) next.to = t.iso;
    if (user.input.value) next.actor = user.input.value;
    if (action.input.value) next.action = action.input.value;
    const text = patient.input.value.trim();
    if (text) {
      let id;
      try {
        id = await resolvePatient(text);
      } catch (err) {
        state.show(err);
        return;
      }
      if (id === undefined) return;
      next.patientId = id;
    } else {
      chosenPatient = null;
    }
    filter = next;
    oldestSeq = null;
    await load({ append: false });
  }
  onSubmit(form, state, applyFilter);
  patient.input.addEventListener('input', () => {
    chosenPatient = null;
    choices.hidden = true;
  });
  clearButton.addEventListener('click', () => {
    form.reset();
    chosenPatient = null;
    applyFilter();
    from.input.focus();
  });
  older.addEventListener('click', () => load({ append: true }));

  verify.addEventListener('click', async () => {
    verify.disabled = true;
    verifyResult.className = 'verify-result';
    verifyResult.textContent = 'Verifying…';
    try {
      const result = await api.verifyAudit();
      if (result.intact) {
        verifyResult.className = 'verify-result verify-ok';
        verifyResult.textContent = `Chain intact: ${result.entries} entries verified.`;
      } else {
        verifyResult.className = 'verify-result verify-broken';
        verifyResult.textContent = `Chain broken at entry ${result.brokenAt ?? '?'}` +
          `${result.reason ? `: ${result.reason}` : '.'} (${result.entries} entries checked.)`;
      }
    } catch (err) {
      verifyResult.className = 'verify-result verify-broken';
      verifyResult.textContent = err.message;
    } finally {
      verify.disabled = false;
    }
  });

  fillChoices();
  load({ append: false });
  return pageScreen(
    'audit',
    {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'),
      h('div', { class: 'verify' }, verify, verifyResult)),
    h('section', { class: 'panel' }, form, choices, errorEl),
    h('section', { class: 'panel' }, list,
      h('div', { class: 'table-foot' }, count, older)),
  );
}
