// "Sign in": user name and password. The backend's message for wrong credentials is
// shown as is in #sign-in-error (present, empty, until there is an error).

import * as api from '../api.js';
import { h, cardScreen } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';

export function render({ clinicName, version, database, signedIn }) {
  const username = field({ id: 'sign-in-username', label: 'User name', autocomplete: 'username' });
  const password = field({ id: 'sign-in-password', label: 'Password', type: 'password',
    autocomplete: 'current-password' });
  const submit = h('button', { id: 'sign-in-submit', type: 'submit', class: 'primary wide' }, 'Sign in');
  const errorEl = formError('sign-in-error');
  const form = h('form', { id: 'sign-in-form', class: 'stack' }, username.wrap, password.wrap, errorEl, submit);
  const state = formState({ errorEl, submit, fields: { username, password } });

  onSubmit(form, state, async () => {
    state.clear();
    try {
      const session = await api.signIn(username.input.value, password.input.value);
      signedIn(session);
    } catch (err) {
      // Wrong credentials are a form error, not a field error: the message never says
      // which of the two was wrong.
      state.show({ message: err.message });
      password.input.value = '';
      password.input.focus();
    }
  });

  return cardScreen(
    'sign-in',
    {},
    h('p', { class: 'card-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Intake Desk'),
    h('h1', {}, 'Sign in'),
    clinicName ? h('p', { class: 'clinic-name' }, clinicName) : null,
    form,
    version || database
      ? h('p', { class: 'card-foot', id: 'sign-in-foot' },
        [version ? `Version ${version}` : '', database].filter(Boolean).join(' · '))
      : null,
  );
}
