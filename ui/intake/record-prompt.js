// "Update the patient record too?" on the intake screen (#intake-record-prompt): after a
// value bound to the patient record (a phone, the emergency contact) was typed here, Yes
// writes it into the record (which keeps its own history); No leaves the record as it is.
// A value that belongs with others (the emergency contact's name, relationship and phone
// sit in one group) is written with them, as this intake now has them, so the record
// never holds a phone without the name it belongs to.
//
// `patientId()` names the intake's patient, `item(linkId)` the form's item,
// `siblings(linkId)` the items of its group, `valueOf(linkId)` the intake's answer now
// (outside rows), `describe(key)` where an answer is; `updated(text)` reports a changed
// record.

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

export function createRecordPrompt({ patientId, item, siblings, valueOf, describe, updated }) {
  const text = h('p', { class: 'record-prompt-text' });
  const yes = h('button', { type: 'button', class: 'primary small', id: 'intake-record-update' }, 'Update the record');
  const no = h('button', { type: 'button', class: 'secondary small', id: 'intake-record-keep' }, 'Only this visit');
  const el = h('div', { id: 'intake-record-prompt', class: 'info-banner record-prompt', role: 'alert', hidden: true },
    text, h('div', { class: 'button-row' }, yes, no));

  let pending = null; // { fields: { patientField: value }, text, returnTo }

  async function update() {
    if (!pending || patientId() === null) return;
    const { fields, text: what, returnTo } = pending;
    yes.disabled = true;
    try {
      const id = patientId();
      const patient = await api.getPatient(id);
      const input = {};
      for (const name of ['mrn', 'family', 'given', 'birthDate', 'sex', 'phone', 'email', 'addressLine', 'city',
        'postalCode', 'country', 'language', 'emergencyName', 'emergencyRelationship', 'emergencyPhone', 'notes']) {
        input[name] = patient[name] ?? '';
      }
      Object.assign(input, fields);
      await api.updatePatient(id, patient.version, input);
      el.hidden = true;
      updated(`Patient record updated: ${what}.`);
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
        // The whole group of record-bound items this one belongs to, as the intake has it.
        const group = siblings(a.linkId).filter((i) => FIELD[i.recordBinding]);
        const bound = group.length ? group : [item(a.linkId)];
        const fields = {};
        const shown = [];
        for (const i of bound) {
          const value = (valueOf(i.linkId) || []).map(valueText).join(', ');
          fields[FIELD[i.recordBinding]] = value;
          if (value) shown.push(`${i.text || i.linkId} “${value}”`);
        }
        const heading = describe(a.key).split(' › ')[0];
        const what = bound.length > 1 ? `${heading}: ${shown.join(', ') || '(empty)'}`
          : `${describe(a.key)} “${fields[field] || '(empty)'}”`;
        pending = { fields, text: what, returnTo: document.activeElement };
        text.textContent = `${what}. Update the patient record too?`;
        el.hidden = false;
      }
    },
  };
}
