// The users table of the Users screen, with its per-row actions, the inline "Reset
// password" form and the inline confirmation before disabling (naming the user; Enter
// confirms, Escape keeps them enabled). Your own row offers no Disable (the backend
// refuses it anyway). It shows and reports intents; users.js calls the backend.

import { h, replaceChildren } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';
import { formatDay } from '../shared/dates.js';

const COLUMNS = ['User name', 'Display name', 'Role', 'Status', 'Created', 'Actions'];

/**
 * `onToggle(user)` and `onReset(user, newPassword)` return promises; a rejected reset
 * shows its error in the inline form. `self` is the signed-in user's name: their row
 * offers no Disable.
 */
export function createUsersTable({ onToggle, onReset, self = null }) {
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
    const own = user.username === self;
    let toggle = null;
    if (user.active && !own) {
      toggle = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'disable' },
        'aria-label': `Disable ${user.username}`, 'aria-expanded': 'false' }, 'Disable');
      toggle.addEventListener('click', () => openConfirm(user, toggle));
    } else if (!user.active) {
      toggle = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'enable' },
        'aria-label': `Enable ${user.username}` }, 'Enable');
      toggle.addEventListener('click', () => onToggle(user));
    }
    const reset = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'reset' },
      'aria-label': `Reset password for ${user.username}`, 'aria-expanded': 'false' }, 'Reset password');
    reset.addEventListener('click', () => openReset(user, reset));
    return h('tr', { dataset: { username: user.username }, class: user.active ? null : 'inactive' },
      h('td', { class: 'mono' }, user.username, own ? h('span', { class: 'sub' }, 'you') : null),
      h('td', {}, user.displayName || '—'),
      h('td', {}, user.roleLabel || user.role),
      h('td', {}, h('span', { class: user.active ? 'badge badge-ok' : 'badge badge-off' },
        user.active ? 'Active' : 'Disabled'),
      user.mustChangePassword
        ? h('span', { class: 'badge badge-warn users-must-change' }, 'Must change password')
        : null),
      h('td', { class: 'nowrap' }, formatDay(user.createdAt)),
      h('td', { class: 'actions' }, toggle, reset));
  }

  /** "Disable Nina Lindqvist (nurse)?": Enter (or the button) disables, Escape keeps them. */
  function openConfirm(user, opener) {
    closeReset(); // one inline row at a time (a reset or a confirmation)
    const name = user.displayName && user.displayName !== user.username
      ? `${user.displayName} (${user.username})` : user.username;
    const yes = h('button', { id: 'disable-confirm', type: 'button', class: 'danger small' }, `Disable ${user.username}`);
    const no = h('button', { id: 'disable-cancel', type: 'button', class: 'secondary small' }, 'Keep enabled');
    const box = h('div', { id: 'disable-confirmation', class: 'inline-confirm', role: 'alertdialog',
      'aria-labelledby': 'disable-question', 'aria-describedby': 'disable-consequence' },
    h('p', { id: 'disable-question' }, h('strong', {}, `Disable ${name}?`)),
    h('p', { id: 'disable-consequence', class: 'field-hint' },
      'They can no longer sign in and their open sessions end. You can enable them again. Enter disables, Escape keeps them enabled.'),
    h('div', { class: 'button-row' }, yes, no));
    const row = h('tr', { class: 'reset-row confirm-row' }, h('td', { colspan: COLUMNS.length }, box));
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      resetRow = null;
      row.remove();
      await onToggle(user);
    });
    no.addEventListener('click', closeReset);
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        closeReset();
      } else if (event.key === 'Enter' && event.target !== yes && event.target !== no) {
        event.preventDefault();
        yes.click();
      }
    });
    opener.closest('tr').after(row);
    opener.setAttribute('aria-expanded', 'true');
    resetRow = { row, opener };
    yes.focus();
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
    closeReset(); // one inline row at a time (a reset or a confirmation)
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
    focusAction(username, action, otherwise = null) {
      const row = [...tbody.rows].find((r) => r.dataset.username === username);
      const button = row?.querySelector(`button[data-action="${action}"]`)
        ?? (otherwise && row?.querySelector(`button[data-action="${otherwise}"]`));
      button?.focus();
    },
  };
}
