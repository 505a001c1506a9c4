// "Locked": shown after inactivity or when the backend says the session is gone. The
// signed-in content has already been removed from the DOM. Unlocking signs in again as
// the same user; "Sign in as another user" goes to the ordinary sign-in screen.

import { h, cardScreen } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';

export function render({ user, unlock, switchUser, keptChanges = 0 }) {
  const name = user.displayName || user.username;
  const password = field({ id: 'lock-password', label: 'Password', type: 'password',
    autocomplete: 'current-password' });
  const submit = h('button', { id: 'lock-submit', type: 'submit', class: 'primary' }, 'Unlock');
  const switchButton = h('button', { id: 'lock-switch-user', type: 'button', class: 'secondary',
    on: { click: switchUser } }, 'Sign in as another user');
  const errorEl = formError('lock-error');
  const form = h('form', { id: 'lock-form', class: 'stack' }, password.wrap, errorEl,
    h('div', { class: 'button-row' }, submit, switchButton));
  const state = formState({ errorEl, submit, fields: { password } });

  onSubmit(form, state, async () => {
    state.clear();
    try {
      await unlock(password.input.value);
    } catch (err) {
      // The sign-in's "Username or password is incorrect" names a field this screen
      // does not have: only the password can be wrong here.
      state.show({ message: err.code === 'unauthenticated' ? 'The password is incorrect.' : err.message });
      password.input.value = '';
      password.input.focus();
    }
  });

  return cardScreen(
    'lock',
    { id: 'lock-screen' },
    h('p', { class: 'card-brand' }, h('span', { class: 'lock-mark', 'aria-hidden': 'true' }), 'Intake Desk'),
    h('h1', {}, 'Locked'),
    h('p', { class: 'lead' }, `Signed in as ${name}. Enter your password to continue.`),
    keptChanges
      ? h('p', { id: 'lock-kept', class: 'field-hint', role: 'status' },
        `${keptChanges === 1 ? '1 change' : `${keptChanges} changes`} could not be saved yet; ${keptChanges === 1 ? 'it is' : 'they are'} kept and saved when ${name} unlocks or signs in again.`)
      : null,
    form,
  );
}
