// What the physician (or admin) can do with a record, on the review screen
// (#review-actions): Sign (#review-sign, the attestation sentence above it) and, when
// other visits wait, Sign and open next (#review-sign-next). The keys never sign at once:
// Ctrl+Enter (or Ctrl+Shift+Enter for "and open next") anywhere on the screen opens a
// one-line confirmation at the foot of the window (#review-sign-confirm) that names how
// many notable findings the record has; Enter signs, Escape cancels. Return to nurse (a comment), Amend (a reason, then the intake
// screen), Continue editing / Discard amendment while amending (Open the intake for a
// draft the caller may edit), and Mark entered in error (a reason). Each is shown only
// when the backend's `may` says so; the inline forms show the backend's refusals at
// their field. The handlers (`on.sign(…)` etc.) call the backend and resolve once done;
// a rejection shows in the form.

import { h } from '../shared/dom.js';
import { formError, formState, onSubmit, openedBy, textareaField } from '../shared/forms.js';

/** An inline form opened by a button: a text box, a submit and Cancel. */
function inlineForm({ id, opener, label, hint, submitText, danger = false, fieldName, handler }) {
  const text = textareaField({ id: `${id}-text`, label, hint, rows: 3 });
  const submit = h('button', { id: `${id}-submit`, type: 'submit', class: danger ? 'danger' : 'primary' }, submitText);
  const cancel = h('button', { id: `${id}-cancel`, type: 'button', class: 'secondary' }, 'Cancel');
  const errorEl = formError(`${id}-error`);
  const form = h('form', { id, class: `rv-action-form${danger ? ' rv-action-danger' : ''}`, hidden: true },
    text.wrap, h('div', { class: 'button-row' }, submit, cancel), errorEl);
  const state = formState({ errorEl, submit, fields: { [fieldName]: text } });
  opener.setAttribute('aria-expanded', 'false');
  opener.setAttribute('aria-controls', id);

  function close() {
    form.hidden = true;
    state.clear();
    opener.setAttribute('aria-expanded', 'false');
    if (!opener.hidden) opener.focus();
  }
  openedBy({ opener, form, cancel, close, first: text.input });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault(); // sends this form, never signs
      form.requestSubmit();
    }
  });
  onSubmit(form, state, async () => {
    state.clear();
    const value = text.input.value; // the backend says whether it is acceptable
    try {
      const done = await handler(value);
      if (done === false) return; // handled by the screen (a conflict reloads it)
    } catch (err) {
      state.show(err);
      return;
    }
    text.input.value = '';
    form.hidden = true;
    opener.setAttribute('aria-expanded', 'false');
  });
  return { form, text, close, hide() { form.hidden = true; state.clear(); opener.setAttribute('aria-expanded', 'false'); } };
}

export function createActions(on) {
  const attestation = h('p', { id: 'review-attestation', class: 'rv-attestation' });
  const sign = h('button', { id: 'review-sign', type: 'button', class: 'primary', 'aria-keyshortcuts': 'Control+Enter',
    'aria-describedby': 'review-attestation' }, 'Sign');
  const signNext = h('button', { id: 'review-sign-next', type: 'button', class: 'secondary', hidden: true,
    'aria-keyshortcuts': 'Control+Shift+Enter', 'aria-describedby': 'review-attestation' }, 'Sign and open next');
  const signHint = h('span', { class: 'key-hint', 'aria-hidden': 'true' }, 'or press ', h('kbd', {}, 'Ctrl+Enter'));
  const signBlock = h('div', { class: 'rv-sign', hidden: true }, attestation,
    h('div', { class: 'button-row' }, sign, signNext, signHint));

  // The confirmation the keys open: one line at the foot of the window.
  const confirmText = h('span', { id: 'review-sign-confirm-text', class: 'rv-confirm-text' });
  const confirmYes = h('button', { id: 'review-sign-confirm-yes', type: 'button', class: 'primary small' }, 'Sign');
  const confirmNo = h('button', { id: 'review-sign-confirm-no', type: 'button', class: 'secondary small' }, 'Cancel');
  const confirmBar = h('div', { id: 'review-sign-confirm', class: 'rv-confirm-bar', role: 'alertdialog',
    'aria-labelledby': 'review-sign-confirm-text', hidden: true },
  confirmText, h('span', { class: 'key-hint', 'aria-hidden': 'true' }, h('kbd', {}, 'Enter'), ' signs · ',
    h('kbd', {}, 'Esc'), ' cancels'), confirmYes, confirmNo);
  const edit = h('button', { id: 'review-edit', type: 'button', class: 'secondary', hidden: true }, 'Continue editing');
  const discard = h('button', { id: 'review-discard', type: 'button', class: 'secondary', hidden: true },
    'Discard amendment');
  const returnOpen = h('button', { id: 'review-return-open', type: 'button', class: 'secondary', hidden: true },
    'Return to nurse');
  const amendOpen = h('button', { id: 'review-amend-open', type: 'button', class: 'secondary', hidden: true }, 'Amend');
  const errorOpen = h('button', { id: 'review-error-open', type: 'button', class: 'secondary rv-danger-link', hidden: true },
    'Mark entered in error');
  const returnForm = inlineForm({ id: 'review-return', opener: returnOpen, label: 'Comment for the nurse',
    hint: 'What should be checked or completed? The nurse sees it at the top of the intake.',
    submitText: 'Return to nurse', fieldName: 'comment', handler: (v) => on.returnToNurse(v) });
  const amendForm = inlineForm({ id: 'review-amend', opener: amendOpen, label: 'Reason for the amendment',
    hint: 'Shown with the record: “Amended on … by …: reason”. Every signed version is kept.',
    submitText: 'Start amendment', fieldName: 'reason', handler: (v) => on.amend(v) });
  const errorForm = inlineForm({ id: 'review-error', opener: errorOpen, label: 'Why is this visit in error?',
    hint: 'For example: recorded for the wrong patient. The visit stays, struck through, and is never carried forward.',
    submitText: 'Mark entered in error', danger: true, fieldName: 'reason', handler: (v) => on.markInError(v) });
  const discardConfirm = h('p', { id: 'review-discard-confirm', class: 'rv-discard-confirm', hidden: true },
    'Every answer goes back to the last signed version (the changes stay in the answer history). ',
    h('button', { id: 'review-discard-yes', type: 'button', class: 'danger small' }, 'Discard the changes'), ' ',
    h('button', { id: 'review-discard-no', type: 'button', class: 'secondary small' }, 'Keep editing'));
  const none = h('p', { id: 'review-no-actions', class: 'muted', hidden: true });
  const el = h('section', { id: 'review-actions', class: 'panel rv-actions', 'aria-labelledby': 'review-actions-title' },
    h('h2', { id: 'review-actions-title' }, 'Sign-off'),
    signBlock,
    h('div', { class: 'button-row rv-more' }, edit, discard, returnOpen, amendOpen, errorOpen),
    discardConfirm, returnForm.form, amendForm.form, errorForm.form, none);

  let may = {};
  let busy = false;
  let notable = 0; // notable findings of the record shown
  let waiting = 0; // other visits waiting for review
  let confirming = null; // { next, returnTo } while the confirmation is open
  let amendingNow = false;

  function openConfirm(next) {
    const findings = notable === 1 ? '1 notable finding' : `${notable || 'no'} notable findings`;
    confirmText.textContent = `${next ? 'Sign and open the next visit?' : 'Sign this record?'} It has ${findings}.`;
    confirmYes.textContent = next ? 'Sign and open next' : 'Sign';
    confirming = { next, returnTo: document.activeElement };
    confirmBar.hidden = false;
    confirmYes.focus();
  }

  function closeConfirm() {
    if (!confirming) return;
    const { returnTo } = confirming;
    confirming = null;
    confirmBar.hidden = true;
    if (returnTo?.isConnected) returnTo.focus();
  }

  confirmYes.addEventListener('click', () => {
    if (!confirming) return;
    const { next } = confirming;
    confirming = null;
    confirmBar.hidden = true;
    run(() => on.sign({ next }));
  });
  confirmNo.addEventListener('click', closeConfirm);
  confirmBar.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeConfirm();
    }
  });

  async function run(task) {
    if (busy) return;
    busy = true;
    sign.disabled = true;
    signNext.disabled = true;
    try {
      await task();
    } finally {
      busy = false;
      sign.disabled = false;
      signNext.disabled = false;
    }
  }

  sign.addEventListener('click', () => run(() => on.sign({ next: false })));
  signNext.addEventListener('click', () => run(() => on.sign({ next: true })));
  edit.addEventListener('click', () => on.edit());
  discard.addEventListener('click', () => {
    discardConfirm.hidden = false;
    discardConfirm.querySelector('#review-discard-no').focus();
  });
  discardConfirm.querySelector('#review-discard-no').addEventListener('click', () => {
    discardConfirm.hidden = true;
    discard.focus();
  });
  discardConfirm.querySelector('#review-discard-yes').addEventListener('click', () => run(async () => {
    await on.discardAmendment();
    discardConfirm.hidden = true;
  }));

  return {
    el,
    /** Shows what the caller may do with `review` now. */
    update(review) {
      may = review.may || {};
      const amending = Boolean(review.encounter.amending);
      attestation.textContent = review.attestation || '';
      signBlock.hidden = !may.sign;
      sign.textContent = amending ? 'Sign the amendment' : 'Sign';
      notable = (review.notable || []).length;
      amendingNow = amending;
      signNext.hidden = !may.sign || amending || waiting === 0;
      if (!may.sign) closeConfirm();
      edit.hidden = !may.edit;
      edit.textContent = amending ? 'Continue editing' : 'Open the intake to edit';
      discard.hidden = !may.discardAmendment;
      returnOpen.hidden = !may.returnToNurse;
      amendOpen.hidden = !may.amend;
      errorOpen.hidden = !may.markInError;
      if (!may.returnToNurse) returnForm.hide();
      if (!may.amend) amendForm.hide();
      if (!may.markInError) errorForm.hide();
      if (!may.discardAmendment) discardConfirm.hidden = true;
      const any = may.sign || may.returnToNurse || may.amend || may.markInError || may.discardAmendment || may.edit;
      none.hidden = Boolean(any);
      none.textContent = review.encounter.status === 'entered_in_error'
        ? 'This visit is entered in error: it is kept for the history only.'
        : 'Read-only: there is nothing for you to do with this record.';
    },
    /** The confirmation bar, to place at the end of the screen. */
    confirmBar,
    /** How many other visits wait for review (0 hides "Sign and open next"). */
    setWaiting(n) {
      waiting = n;
      signNext.hidden = !may.sign || amendingNow || waiting === 0;
    },
    /** Ctrl+Enter (`next` with Shift): asks first; Enter in the question signs. */
    signShortcut(next = false) {
      if (may.sign && !busy) openConfirm(next && waiting > 0 && !amendingNow);
    },
    get maySign() {
      return Boolean(may.sign);
    },
  };
}
