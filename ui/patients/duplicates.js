// The "possible duplicates" panel of the Register / Edit patient screen. The backend
// found patients who may be the same person and saved nothing; the panel lists them,
// each with "Open", and offers "Register anyway" with a reason. It shows and reports
// intents; patient-form.js calls the backend. Whether a reason is good enough is the
// backend's call (an empty one comes back as a validation error on `duplicateReason`).

import { h, replaceChildren } from '../shared/dom.js';
import { field, onSubmit } from '../shared/forms.js';
import { ageText, dateNode, nameNode, nameText, sexLabel } from './fields.js';

/**
 * `onOpen(id)` opens a candidate; `onAnyway(reason)` saves with the reason (a promise).
 * `busy` is the form's shared busy state, so one call runs at a time.
 */
export function createDuplicatePanel({ editing, onOpen, onAnyway, busy }) {
  const heading = h('h2', { id: 'duplicate-heading', tabindex: '-1' }, 'Possible duplicate — nothing was saved yet');
  const list = h('ul', { class: 'duplicate-list', 'aria-labelledby': 'duplicate-heading' });
  const reason = field({
    id: 'duplicate-reason',
    label: editing ? 'Reason for saving anyway' : 'Reason for registering anyway',
    hint: 'For example: twins, or a different person with the same name and date of birth. ' +
      'The reason is kept with the record.',
  });
  const anyway = h('button', { id: 'duplicate-register-anyway', type: 'submit', class: 'secondary' },
    editing ? 'Save anyway' : 'Register anyway');
  const form = h('form', { id: 'duplicate-form', class: 'inline-form duplicate-form' },
    reason.wrap, h('div', { class: 'button-row' }, anyway));
  const el = h('section', { id: 'duplicate-panel', class: 'duplicate-panel', 'aria-labelledby': 'duplicate-heading',
    hidden: true },
  heading,
  h('p', {}, editing
    ? 'With these changes, this patient looks like someone else who is already registered. ' +
      'Check the list. If the changes are right, say why and save anyway.'
    : 'This patient may already be registered. If one of these is the same person, open their record ' +
      'instead of registering them again.'),
  list,
  form);

  onSubmit(form, busy, () => onAnyway(reason.input.value));

  function candidate({ patient, reasons }) {
    const open = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'open' },
      'aria-label': `Open ${nameText(patient)}`, on: { click: () => onOpen(patient.id) } }, 'Open');
    return h('li', { class: 'duplicate', dataset: { duplicateId: patient.id } },
      h('div', { class: 'duplicate-main' },
        h('p', { class: 'duplicate-name' }, nameNode(patient)),
        h('p', { class: 'duplicate-facts' },
          'Born ', dateNode(patient.birthDate), ` · ${ageText(patient.age)} · ${sexLabel(patient.sex)} · MRN `,
          h('span', { class: 'mono' }, patient.mrn)),
        (reasons || []).length
          ? h('p', { class: 'duplicate-reasons' }, `Why: ${reasons.join('; ')}`)
          : null),
      open);
  }

  return {
    el,
    reasonField: reason,
    /** Lists the candidates and moves focus to the panel so it is seen and announced. */
    show(duplicates) {
      replaceChildren(list, duplicates.map(candidate));
      reason.setError('');
      el.hidden = false;
      heading.focus();
      el.scrollIntoView({ block: 'start' });
    },
    hide() {
      el.hidden = true;
      reason.setError('');
    },
    get shown() {
      return !el.hidden;
    },
  };
}
