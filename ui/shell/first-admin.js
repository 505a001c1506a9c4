// "Create the first administrator": shown once, on a database with no users. Creates
// the account, then signs in with the same credentials. The backend checks the name and
// the password policy; only "the two passwords match" is checked here.

import * as api from '../api.js';
import { h, cardScreen } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';

export function render({ signedIn, created }) {
  const username = field({ id: 'first-admin-username', label: 'User name', autocomplete: 'username',
    hint: 'Letters, digits, ".", "-" and "_". Used to sign in.' });
  const displayName = field({ id: 'first-admin-display-name', label: 'Display name', autocomplete: 'name',
    hint: 'Shown on screen, e.g. "Grace Okafor". May be left empty.' });
  const password = field({ id: 'first-admin-password', label: 'Password', type: 'password',
    autocomplete: 'new-password', hint: 'At least 8 characters.' });
  const confirm = field({ id: 'first-admin-password-confirm', label: 'Confirm password', type: 'password',
    autocomplete: 'new-password' });
  const submit = h('button', { id: 'first-admin-submit', type: 'submit', class: 'primary wide' },
    'Create administrator');
  const errorEl = formError('first-admin-error');
  const form = h('form', { id: 'first-admin-form', class: 'stack' },
    username.wrap, displayName.wrap, password.wrap, confirm.wrap, errorEl, submit);
  const state = formState({
    errorEl,
    submit,
    fields: { username, displayName, password, confirm },
  });

  let accountCreated = false;
  onSubmit(form, state, async () => {
    state.clear();
    if (password.input.value !== confirm.input.value) {
      state.fieldError('confirm', 'The two passwords do not match.');
      return;
    }
    const name = username.input.value;
    try {
      if (!accountCreated) {
        await api.createFirstAdmin(name, displayName.input.value, password.input.value);
        accountCreated = true;
      }
    } catch (err) {
      state.show(err);
      return;
    }
    try {
      signedIn(await api.signIn(name, password.input.value));
    } catch {
      // The account exists; let the person sign in the ordinary way.
      created();
    }
  });

  return cardScreen(
    'first-admin',
    { class: 'card-screen card-wide' },
    h('h1', {}, 'Create the first administrator'),
    h('p', { class: 'muted' },
      'This workstation has no users yet. The administrator adds nurses, physicians and other administrators.'),
    form,
  );
}
