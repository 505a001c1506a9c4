// Users (admin): add a user with a temporary password, disable (after an inline
// confirmation naming them; never offered on your own row) or enable an account, reset a
// password. Every rule (who may, what is valid) is the backend's; this screen
// shows its answers, field errors at the field, and a notice after each action.

import * as api from '../api.js';
import { h, pageScreen, notice } from '../shared/dom.js';
import { field, selectField, formError, formState, onSubmit } from '../shared/forms.js';
import { createUsersTable } from './users-table.js';

const ROLES = [['nurse', 'Nurse'], ['physician', 'Physician'], ['admin', 'Administrator']];

export function render({ session } = {}) {
  const note = notice('users-notice');
  const table = createUsersTable({ onToggle: toggle, onReset: reset, self: session?.user?.username ?? null });

  async function refresh() {
    try {
      table.setUsers(await api.listUsers());
    } catch (err) {
      table.setMessage('The list of users could not be loaded.');
      note.error(err.message);
    }
  }

  async function toggle(user) {
    note.clear();
    const active = !user.active;
    try {
      const updated = await api.setUserActive(user.username, active);
      await refresh();
      note.success(active
        ? `${updated.username} is enabled and can sign in again.`
        : `${updated.username} is disabled and can no longer sign in.`);
      table.focusAction(user.username, active ? 'disable' : 'enable', 'reset');
    } catch (err) {
      note.error(err.message);
    }
  }

  async function reset(user, newPassword) {
    note.clear();
    const updated = await api.resetPassword(user.username, newPassword); // errors go to the inline form
    await refresh();
    note.success(`Temporary password set for ${updated.username}. They must change it at their next sign-in.`);
    table.focusAction(user.username, 'reset');
  }

  const addForm = buildAddForm(async (created) => {
    await refresh();
    note.success(`Added ${created.username} (${created.roleLabel || created.role}). ` +
      'They must change the temporary password at their first sign-in.');
  }, note);

  refresh();
  return pageScreen(
    'users',
    {},
    h('h1', {}, 'Users'),
    note.el,
    h('section', { class: 'panel', 'aria-labelledby': 'user-add-heading' },
      h('h2', { id: 'user-add-heading' }, 'Add user'),
      addForm),
    h('section', { class: 'panel', 'aria-labelledby': 'users-list-heading' },
      h('h2', { id: 'users-list-heading' }, 'All users'),
      h('div', { class: 'table-wrap users-wrap' }, table.el)),
  );
}

function buildAddForm(added, note) {
  const username = field({ id: 'user-add-username', label: 'User name' });
  const displayName = field({ id: 'user-add-display-name', label: 'Display name' });
  const role = selectField({ id: 'user-add-role', label: 'Role', options: ROLES, value: 'nurse' });
  const password = field({ id: 'user-add-password', label: 'Temporary password', type: 'password',
    autocomplete: 'new-password' });
  const submit = h('button', { id: 'user-add-submit', type: 'submit', class: 'primary' }, 'Add user');
  const errorEl = formError('user-add-error');
  const form = h('form', { id: 'user-add-form', class: 'grid-form' },
    username.wrap, displayName.wrap, role.wrap, password.wrap,
    h('div', { class: 'grid-form-submit' }, submit),
    h('p', { class: 'field-hint grid-form-wide' },
      'The user must change the temporary password at first sign-in.'),
    errorEl);
  const state = formState({ errorEl, submit, fields: { username, displayName, role, password } });

  onSubmit(form, state, async () => {
    state.clear();
    note.clear();
    let created;
    try {
      created = await api.createUser({
        username: username.input.value,
        displayName: displayName.input.value,
        role: role.input.value,
        password: password.input.value,
      });
    } catch (err) {
      state.show(err);
      return;
    }
    form.reset();
    role.input.value = 'nurse';
    username.input.focus();
    await added(created);
  });
  return form;
}
