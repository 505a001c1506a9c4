// "Change password". Forced (a card, before anything else) when the account has a
// temporary password; voluntary (a page in the shell) from the top bar's link. The new
// password and its confirmation must match (checked here); the policy is the backend's.

import * as api from '../api.js';
import { h, cardScreen, pageScreen, notice } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';

export function render({ forced = false, done, signOut }) {
  const current = field({ id: 'change-password-current', label: 'Current password', type: 'password',
    autocomplete: 'current-password' });
  const next = field({ id: 'change-password-new', label: 'New password', type: 'password',
    autocomplete: 'new-password', hint: 'At least 8 characters, not your user name.' });
  const confirm = field({ id: 'change-password-confirm', label: 'Confirm new password', type: 'password',
    autocomplete: 'new-password' });
  const submit = h('button', { id: 'change-password-submit', type: 'submit', class: 'primary' },
    'Change password');
  const errorEl = formError('change-password-error');
  const saved = notice('change-password-notice');
  const buttons = h('div', { class: 'button-row' }, submit,
    forced ? h('button', { type: 'button', class: 'secondary', on: { click: signOut } }, 'Sign out') : null);
  const form = h('form', { id: 'change-password-form', class: 'stack narrow' },
    current.wrap, next.wrap, confirm.wrap, errorEl, buttons);
  const state = formState({
    errorEl,
    submit,
    // The backend names the field it refuses; both spellings of "the new one" land there.
    fields: { currentPassword: current, newPassword: next, password: next, confirm },
  });

  onSubmit(form, state, async () => {
    state.clear();
    saved.clear();
    if (next.input.value !== confirm.input.value) {
      state.fieldError('confirm', 'The new password and its confirmation do not match.');
      return;
    }
    try {
      await api.changePassword(current.input.value, next.input.value);
    } catch (err) {
      state.show(err);
      return;
    }
    if (forced) {
      done();
      return;
    }
    form.reset();
    saved.success('Your password was changed.');
    current.input.focus();
  });

  if (forced) {
    return cardScreen(
      'change-password',
      {},
      h('h1', {}, 'Change password'),
      h('p', { class: 'muted' },
        'You signed in with a temporary password. Choose your own password to continue.'),
      form,
    );
  }
  return pageScreen(
    'change-password',
    {},
    h('h1', {}, 'Change password'),
    saved.el,
    h('div', { class: 'panel narrow-panel' }, form),
  );
}
