// Register patient (#/patients/new) and Edit patient (#/patients/<id>/edit): one form,
// grouped into Identity, Contact, Address, Emergency contact and Notes. The backend
// validates (errors show at their field), assigns the MRN when it is left empty, and may
// answer "possible duplicates, nothing saved" (the panel below the form). Editing sends
// the version that was opened; if someone saved in between, the backend says `conflict`
// and the typed values stay on screen until the person reloads the latest version.

import * as api from '../api.js';
import { h, notice, pageScreen } from '../shared/dom.js';
import { dateField, field, selectField, textareaField, formError, formState, onSubmit } from '../shared/forms.js';
import { FIELDS, GROUPS, SEXES, inputId, isInError, nameText } from './fields.js';
import { createDuplicatePanel } from './duplicates.js';

// Columns of the six-column grid each field takes (default 2): names wide, address whole.
const SPAN = { family: 3, given: 3, addressLine: 6, notes: 6 };
// What a registration cannot do without: marked by the label and aria-required.
const REQUIRED = new Set(['family', 'birthDate', 'sex']);

function makeField(def, editing) {
  const id = inputId(def.name);
  if (def.name === 'sex') {
    const options = editing ? SEXES : [['', 'Choose…'], ...SEXES];
    return selectField({ id, label: def.label, options, value: editing ? null : '', required: REQUIRED.has(def.name) });
  }
  if (def.name === 'notes') {
    return textareaField({ id, label: def.label, rows: 4,
      hint: 'Anything the front desk should know. Clinical findings belong in the intake form.' });
  }
  if (def.name === 'birthDate') {
    // Typed as the clinic writes dates (or ISO); sent to the backend in ISO.
    return dateField({ id, label: def.label, required: true });
  }
  const special = {
    mrn: { hint: 'Leave empty to assign the next number' },
    phone: { type: 'tel' },
    emergencyPhone: { type: 'tel' },
    email: { type: 'email' },
  }[def.name] || {};
  return field({ id, label: def.label, required: REQUIRED.has(def.name), ...special });
}

export function render({ patientId, go, back, returnTo }) {
  const editing = patientId !== null;
  const fields = {};
  const groups = GROUPS.map((group) => {
    const defs = FIELDS.filter((f) => f.group === group && !(editing && f.name === 'mrn'));
    return h('fieldset', { class: 'form-group' }, h('legend', {}, group),
      h('div', { class: 'form-grid' }, defs.map((def) => {
        const f = makeField(def, editing);
        f.wrap.classList.add(`span-${SPAN[def.name] || 2}`);
        fields[def.name] = f;
        return f.wrap;
      })));
  });

  const submit = h('button', { id: 'patient-form-submit', type: 'submit', class: 'primary', disabled: editing },
    editing ? 'Save changes' : 'Register patient');
  const cancel = h('button', { id: 'patient-form-cancel', type: 'button', class: 'secondary',
    on: { click: () => back(editing ? `patients/${patientId}` : 'patients') } }, 'Cancel');
  const errorEl = formError('patient-form-error');
  const reload = h('button', { id: 'patient-form-reload', type: 'button', class: 'secondary small', hidden: true },
    'Reload');
  const subject = h('p', { id: 'patient-form-subject', class: 'lead' });
  const note = notice('patient-form-notice');
  const form = h('form', { id: 'patient-form', class: 'patient-form' },
    h('p', { class: 'muted', id: 'patient-form-required' },
      h('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*'),
      ' marks what is required: family name, date of birth and sex.'),
    groups,
    h('div', { class: 'form-foot' }, h('div', { class: 'form-foot-error' }, errorEl, reload),
      h('div', { class: 'button-row' }, submit, cancel)));

  const state = formState({ errorEl, submit, fields });
  const busy = {
    busy(on) {
      state.busy(on);
      for (const b of duplicates.el.querySelectorAll('button')) b.disabled = on;
    },
    get isBusy() {
      return state.isBusy;
    },
  };
  const duplicates = createDuplicatePanel({
    editing,
    busy,
    onOpen: (id) => go(`patients/${id}`),
    onAnyway: (reason) => save(reason),
  });
  fields.duplicateReason = duplicates.reasonField; // its errors show in the panel

  let version = null; // the version being edited
  let mrn = ''; // kept as it is when editing

  /** The typed values, the birth date in ISO; null (the field says why) when it is not a date. */
  function values() {
    const input = {};
    for (const def of FIELDS) input[def.name] = fields[def.name] ? fields[def.name].input.value : '';
    const birth = fields.birthDate.value();
    if (birth.error) {
      state.fieldError('birthDate', birth.error);
      return null;
    }
    input.birthDate = birth.iso;
    if (editing) input.mrn = mrn;
    return input;
  }

  function fill(patient) {
    for (const def of FIELDS) if (fields[def.name]) fields[def.name].input.value = patient[def.name] ?? '';
    fields.birthDate.setIso(patient.birthDate || '');
    version = patient.version;
    mrn = patient.mrn;
    subject.textContent = `${nameText(patient)} · MRN ${patient.mrn}`;
    if (isInError(patient)) note.error('This patient is marked entered in error.');
  }

  async function load() {
    try {
      fill(await api.getPatient(patientId));
      submit.disabled = false;
    } catch (err) {
      errorEl.textContent = err.message;
    }
  }

  async function save(duplicateReason = null) {
    state.clear();
    note.clear();
    reload.hidden = true;
    if (duplicateReason === null) duplicates.hide();
    const input = values();
    if (!input) return;
    let result;
    try {
      result = editing
        ? await api.updatePatient(patientId, version, input, duplicateReason)
        : await api.registerPatient(input, duplicateReason);
    } catch (err) {
      state.show(err);
      if (editing && err.code === 'conflict' && !err.field) {
        reload.hidden = false;
        reload.focus();
      }
      return;
    }
    if (result.patient) {
      const saved = result.patient;
      returnTo(`patients/${saved.id}`, {
        notice: editing ? 'Changes saved.' : `Registered ${nameText(saved)} with MRN ${saved.mrn}.`,
      });
    } else {
      duplicates.show(result.duplicates || []);
    }
  }

  onSubmit(form, busy, () => save(null));
  reload.addEventListener('click', async () => {
    state.clear();
    reload.hidden = true;
    duplicates.hide();
    submit.disabled = true;
    await load();
    if (!submit.disabled) note.success('This is the latest version. Make your changes again, then save.');
    fields.family.input.focus();
  });

  if (editing) load();
  return pageScreen(
    'patient-form',
    { dataset: { mode: editing ? 'edit' : 'register' } },
    h('h1', {}, editing ? 'Edit patient' : 'Register patient'),
    editing ? subject : null,
    note.el,
    h('section', { class: 'panel' }, form),
    duplicates.el,
  );
}
