// The full-window page shown when app_status fails (for example, the data file is not
// an Intake Desk database). Nothing else can be done from here.

import { h, cardScreen } from '../shared/dom.js';

export function render({ message }) {
  return cardScreen(
    'startup-error',
    { id: 'startup-error', class: 'card-screen card-screen-error' },
    h('h1', {}, 'Intake Desk cannot start'),
    h('p', { class: 'error-text', role: 'alert' }, message || 'An unknown error occurred.'),
    h('p', { class: 'muted' }, 'Close Intake Desk and contact your administrator or IT support.'),
  );
}
