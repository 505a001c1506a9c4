// The users table of the Users screen, with its per-row actions and the inline
// "Reset password" form. It shows and reports intents; users.js calls the backend.

import { h, replaceChildren } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';
import { formatDay } from '../shared/dates.js';

const COLUMNS = ['User name', 'Display name', 'Role', 'Status', 'Must change password', 'Created', 'Actions'];

/**
 * `onToggle(user)` and `onReset(user, newPassword)` return promises; a rejected reset
 * shows its error in the inline form.
 */
export function createUsersTable({ onToggle, onReset }) {
  const tbody = h('tbody', {}, messageRow('Loading users…'));
  const table = h('table', { id: 'users-table', class: 'data-table users-table' },
    h('caption', { class: 'visually-hidden' }, 'Users of this workstation'),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
    tbody);
  let resetRow = null;

  function messageRow(text) {
    return h('tr', { class: 'message-row' }, h('td', { colspan: COLUMNS.length }, text));
  }

  function userRow(user) {
    const toggle = user.active
      ? h('button', { type: 'button', class: 'secondary small', dataset: { action: 'disable' },
        'aria-label': `Disable ${user.username}` }, 'Disable')
      : h('button', { type: 'button', class: 'secondary small', dataset: { action: 'enable' },
        'aria-label': `Enable ${user.username}` }, 'Enable');
    toggle.addEventListener('click', () => onToggle(user));
    const reset = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'reset' },
      'aria-label': `Reset password for ${user.username}`, 'aria-expanded': 'false' }, 'Reset password');
    reset.addEventListener('click', () => openReset(user, reset));
    return h('tr', { dataset: { username: user.username }, class: user.active ? null : 'inactive' },
      h('td', { class: 'mono' }, user.username),
      h('td', {}, user.displayName || '—'),
      h('td', {}, user.roleLabel || user.role),
      h('td', {}, h('span', { class: user.active ? 'badge badge-ok' : 'badge badge-off' },
        user.active ? 'Active' : 'Disabled')),
      h('td', {}, user.mustChangePassword ? h('span', { class: 'badge badge-warn' }, 'Yes') : 'No'),
      h('td', { class: 'nowrap' }, formatDay(user.createdAt)),
      h('td', { class: 'actions' }, toggle, reset));
  }

  function closeReset() {
    if (!resetRow) return;
    const { row, opener } = resetRow;
    resetRow = null;
    row.remove();
    opener.setAttribute('aria-expanded', 'false');
    if (opener.isConnected) opener.focus();
  }

  function openReset(user, opener) {
    closeReset();
    const password = field({ id: 'reset-password-input', type: 'password', autocomplete: 'new-password',
      label: `New temporary password for ${user.username}`,
      hint: 'They must change it at their next sign-in.' });
    const submit = h('button', { id: 'reset-password-submit', type: 'submit', class: 'primary small' },
      'Set temporary password');
    const cancel = h('button', { type: 'button', class: 'secondary small', on: { click: closeReset } }, 'Cancel');
    const errorEl = formError('reset-password-error');
    const form = h('form', { id: 'reset-password-form', class: 'inline-form' },
      password.wrap, h('div', { class: 'button-row' }, submit, cancel), errorEl);
    const state = formState({ errorEl, submit, fields: { password, newPassword: password } });
    onSubmit(form, state, async () => {
      state.clear();
      try {
        await onReset(user, password.input.value);
      } catch (err) {
        state.show(err);
      }
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeReset();
    });
    const row = h('tr', { class: 'reset-row' }, h('td', { colspan: COLUMNS.length }, form));
    opener.closest('tr').after(row);
    opener.setAttribute('aria-expanded', 'true');
    resetRow = { row, opener };
    password.input.focus();
  }

  return {
    el: table,
    setUsers(users) {
      resetRow = null;
      replaceChildren(tbody, users.length ? users.map(userRow) : messageRow('No users yet.'));
    },
    setMessage(text) {
      replaceChildren(tbody, messageRow(text));
    },
    /** Focuses a row's button after the table was redrawn, so the keyboard keeps its place. */
    focusAction(username, action) {
      const row = [...tbody.rows].find((r) => r.dataset.username === username);
      row?.querySelector(`button[data-action="${action}"]`)?.focus();
    },
  };
}
