// "Mark entered in error" on the Patient screen (when the patient's `may` says so): a button that opens an inline
// form asking for the reason. Whether the person may do it and whether the reason is
// acceptable is the backend's answer; this only asks and shows the answer.

import { h } from '../shared/dom.js';
import { field, formError, formState, onSubmit, openedBy } from '../shared/forms.js';

/** `onMark(reason)` calls the backend and resolves when done; a rejection shows here. */
export function createMarkError({ onMark }) {
  const opener = h('button', { id: 'patient-mark-error', type: 'button', class: 'danger',
    'aria-expanded': 'false', 'aria-controls': 'patient-mark-error-form' }, 'Mark entered in error');
  const reason = field({ id: 'patient-mark-error-reason', label: 'Why is this record in error?',
    hint: 'For example: registered twice, see MRN 000123-4. The record stays, struck through, with this reason.' });
  const submit = h('button', { id: 'patient-mark-error-submit', type: 'submit', class: 'danger' },
    'Mark entered in error');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const errorEl = formError('patient-mark-error-error');
  const form = h('form', { id: 'patient-mark-error-form', class: 'inline-form mark-error-form', hidden: true },
    reason.wrap, h('div', { class: 'button-row' }, submit, cancel), errorEl);
  const state = formState({ errorEl, submit, fields: { reason, statusReason: reason } });

  function close() {
    form.hidden = true;
    state.clear();
    opener.setAttribute('aria-expanded', 'false');
    if (!opener.hidden) opener.focus();
  }

  openedBy({ opener, form, cancel, close, first: reason.input });
  onSubmit(form, state, async () => {
    state.clear();
    try {
      await onMark(reason.input.value);
    } catch (err) {
      state.show(err);
      return;
    }
    reason.input.value = '';
    close();
  });

  return {
    opener,
    form,
    /** Shows the button, or hides it and the form (`may.markInError` is false). */
    setAvailable(available) {
      opener.hidden = !available;
      if (!available) form.hidden = true;
    },
  };
}
