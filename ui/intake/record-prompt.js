// "Update the patient record too?" on the intake screen (#intake-record-prompt): after a
// value bound to the patient record (a phone, the emergency contact) was typed here, Yes
// writes it into the record (which keeps its own history); No leaves the record as it is.
//
// `patientId()` names the intake's patient, `item(linkId)` the form's item, `describe(key)`
// where an answer is; `updated(text)` reports a changed record.

import * as api from '../api.js';
import { h } from '../shared/dom.js';
import { valueText } from './model.js';

/** The patient field each `recordBinding` of the form writes. */
const FIELD = {
  'emergency-contact-name': 'emergencyName',
  'emergency-contact-relationship': 'emergencyRelationship',
  'emergency-contact-phone': 'emergencyPhone',
  phone: 'phone',
  'family-name': 'family',
  'given-name': 'given',
};

export function createRecordPrompt({ patientId, item, describe, updated }) {
  const text = h('p', { class: 'record-prompt-text' });
  const yes = h('button', { type: 'button', class: 'primary small', id: 'intake-record-update' }, 'Update the record');
  const no = h('button', { type: 'button', class: 'secondary small', id: 'intake-record-keep' }, 'Only this visit');
  const el = h('div', { id: 'intake-record-prompt', class: 'info-banner record-prompt', role: 'alert', hidden: true },
    text, h('div', { class: 'button-row' }, yes, no));

  let pending = null; // { field, value, key, returnTo }

  async function update() {
    if (!pending || patientId() === null) return;
    const { field, value, key, returnTo } = pending;
    yes.disabled = true;
    try {
      const id = patientId();
      const patient = await api.getPatient(id);
      const input = {};
      for (const name of ['mrn', 'family', 'given', 'birthDate', 'sex', 'phone', 'email', 'addressLine', 'city',
        'postalCode', 'country', 'language', 'emergencyName', 'emergencyRelationship', 'emergencyPhone', 'notes']) {
        input[name] = patient[name] ?? '';
      }
      input[field] = value;
      await api.updatePatient(id, patient.version, input);
      el.hidden = true;
      updated(`The patient record now says “${value}” (${describe(key)}).`);
    } catch (err) {
      text.textContent = `The record was not changed: ${err.message}`;
      return;
    } finally {
      yes.disabled = false;
    }
    pending = null;
    returnTo?.focus?.();
  }
  yes.addEventListener('click', update);
  no.addEventListener('click', () => {
    el.hidden = true;
    pending?.returnTo?.focus?.();
    pending = null;
  });
  return {
    el,
    /** Offers to update the record for a typed answer of a record-bound item. */
    offer(answers) {
      for (const a of answers) {
        const field = FIELD[item(a.linkId)?.recordBinding];
        if (!field || a.source !== 'typed' || a.rows?.length) continue;
        const value = (a.values || []).map(valueText).join(', ');
        pending = { field, value, key: a.key, returnTo: document.activeElement };
        text.textContent = `${describe(a.key)} is now “${value || '(empty)'}”. Update the patient record too?`;
        el.hidden = false;
      }
    },
  };
}
