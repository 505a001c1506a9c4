// Review (#/review?from=&to=&by=): the submitted intakes waiting for a physician, oldest
// submission first (patient, age, reason for visit, form, who submitted it and when).
// Filters: submitted from / to (days, both included) and submitted by, kept in the URL.
// The list (#review-queue) takes the keyboard: ArrowUp/ArrowDown (Home/End) move the
// selection, Enter opens the selected intake (#/review/<id>); a click opens one too.
// Which intakes wait, and for whom, is the backend's answer.

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { dateField, formError, formState, onSubmit, selectField } from '../shared/forms.js';
import { onScreenKey } from '../shared/keys.js';
import { ageText, formatDateTime } from '../patients/fields.js';

const COLUMNS = ['Patient', 'Age', 'Reason for visit', 'Form', 'Submitted by', 'Submitted'];

/** True when keys typed at `el` are text or pick an option (arrows belong to it). */
function ownsArrows(el) {
  if (!el) return false;
  if (el.isContentEditable || ['TEXTAREA', 'SELECT'].includes(el.tagName)) return true;
  return el.tagName === 'INPUT' && !['button', 'submit', 'reset', 'checkbox'].includes(el.type);
}

function shortText(text, max = 90) {
  const t = String(text || '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function render({ go, query, setQuery }) {
  const note = notice('review-queue-notice');
  const from = dateField({ id: 'review-from', label: 'Submitted from', iso: query?.get('from') || '' });
  const to = dateField({ id: 'review-to', label: 'to (included)', iso: query?.get('to') || '' });
  const by = selectField({ id: 'review-by', label: 'Submitted by', options: [['', 'Anyone']] });
  const show = h('button', { id: 'review-filter', type: 'submit', class: 'secondary' }, 'Show');
  const clear = h('button', { id: 'review-filter-clear', type: 'button', class: 'secondary' }, 'Clear');
  const errorEl = formError('review-filter-error');
  const form = h('form', { id: 'review-filters', class: 'filter-form review-filters', 'aria-label': 'Filters' },
    from.wrap, to.wrap, by.wrap, h('div', { class: 'button-row' }, show, clear), errorEl);
  const state = formState({ errorEl, submit: show, fields: { from, to, submittedBy: by } });
  const count = h('p', { id: 'review-queue-count', class: 'result-count', role: 'status' });
  const tbody = h('tbody', {}, messageRow('Loading…'));
  const table = h('table', { id: 'review-queue', class: 'data-table review-queue', tabindex: '0', role: 'grid',
    'aria-label': 'Intakes waiting for review', 'aria-describedby': 'review-queue-keys' },
  h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
  tbody);
  const keysHint = h('p', { id: 'review-queue-keys', class: 'key-hint' },
    h('kbd', {}, '↑'), ' ', h('kbd', {}, '↓'), ' choose · ', h('kbd', {}, 'Enter'), ' open');

  let items = [];
  let active = -1;
  let generation = 0;
  let first = true;
  const wantedBy = query?.get('by') || '';

  function messageRow(text) {
    return h('tr', { class: 'message-row' }, h('td', { colspan: COLUMNS.length }, text));
  }

  function row(item, i) {
    const tr = h('tr', { id: `review-item-${item.encounterId}`, class: 'queue-row', 'aria-selected': 'false',
      dataset: { encounterId: item.encounterId } },
    h('td', {}, h('a', { href: `#/review/${item.encounterId}`, tabindex: '-1', class: 'queue-patient' },
      item.patientName), h('span', { class: 'sub mono' }, item.mrn)),
    h('td', { class: 'nowrap' }, ageText(item.age) || '—'),
    h('td', { class: 'queue-reason' }, item.reason ? shortText(item.reason) : h('span', { class: 'muted' }, 'not answered')),
    h('td', { class: 'queue-form' }, item.templateTitle),
    h('td', {}, item.submittedByName || item.submittedBy),
    h('td', { class: 'nowrap' }, formatDateTime(item.submittedAt)));
    tr.addEventListener('click', (event) => {
      if (event.target.closest('a')) return; // the link opens it
      select(i);
      open();
    });
    return tr;
  }

  /** Selects row `index` (clamped); -1 selects none. */
  function select(index) {
    const rows = [...tbody.querySelectorAll('tr.queue-row')];
    active = rows.length && index >= 0 ? Math.min(Math.max(index, 0), rows.length - 1) : -1;
    rows.forEach((r, i) => r.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    if (active >= 0) {
      table.setAttribute('aria-activedescendant', rows[active].id);
      rows[active].scrollIntoView({ block: 'nearest' });
    } else table.removeAttribute('aria-activedescendant');
  }

  function open() {
    const item = items[active];
    if (item) go(`review/${item.encounterId}`);
  }

  function fillSubmitters(usernames, shown = {}) {
    const current = first ? wantedBy : by.input.value;
    const label = (n) => shown[n] || n;
    const all = [...new Set([...usernames, current].filter(Boolean))]
      .sort((a, b) => label(a).localeCompare(label(b)));
    replaceChildren(by.input, h('option', { value: '' }, 'Anyone'),
      all.map((n) => h('option', { value: n, selected: n === current }, label(n))));
    by.input.value = current;
  }

  async function load() {
    const mine = ++generation;
    state.clear();
    note.clear();
    const [f, t] = [from.value(), to.value()];
    if (f.error || t.error) {
      state.fieldError(f.error ? 'from' : 'to', f.error || t.error);
      return;
    }
    const filter = {
      from: f.iso || null,
      to: t.iso || null,
      submittedBy: (first ? wantedBy : by.input.value) || null,
    };
    setQuery?.(Object.fromEntries(Object.entries({ from: filter.from, to: filter.to, by: filter.submittedBy })
      .filter(([, v]) => v)));
    let result;
    try {
      result = await api.reviewQueue(filter);
    } catch (err) {
      if (mine !== generation) return;
      replaceChildren(tbody, messageRow('The queue could not be loaded.'));
      count.textContent = '';
      if (err.field && ['from', 'to', 'submittedBy'].includes(err.field)) state.show(err);
      else note.error(err.message);
      return;
    }
    if (mine !== generation) return;
    fillSubmitters(result.submitters || [], result.names || {});
    items = result.items || [];
    const filtered = Boolean(filter.from || filter.to || filter.submittedBy);
    replaceChildren(tbody, items.length ? items.map(row)
      : messageRow(filtered ? 'No waiting intake matches these filters.' : 'No intakes wait for review.'));
    count.textContent = items.length === 1 ? '1 intake waits for review' : `${items.length} intakes wait for review`;
    select(items.length ? Math.min(Math.max(active, 0), items.length - 1) : -1);
    // The queue takes the keyboard when the screen opens (unless the person moved on).
    const focus = document.activeElement;
    if (first && items.length && (!focus || focus === document.body || focus === from.input)) table.focus({ preventScroll: true });
    first = false;
  }

  onSubmit(form, state, load);
  by.input.addEventListener('change', () => load());
  clear.addEventListener('click', () => {
    from.input.value = '';
    to.input.value = '';
    by.input.value = '';
    load();
  });

  const screen = pageScreen(
    'review-queue',
    {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Review'), keysHint),
    note.el,
    h('section', { class: 'panel' }, form),
    h('section', { class: 'panel', 'aria-labelledby': 'review-queue-heading' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'review-queue-heading' }, 'Waiting for review'), count),
      h('div', { class: 'table-wrap review-queue-wrap' }, table)),
  );

  onScreenKey(screen, (e) => ['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key) && !e.altKey && !e.ctrlKey &&
    !e.metaKey && !ownsArrows(e.target) && items.length > 0, (e) => {
    if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(items.length - 1);
    else select(active + (e.key === 'ArrowDown' ? 1 : -1));
    if (document.activeElement !== table) table.focus({ preventScroll: true });
  });
  onScreenKey(screen, (e) => e.key === 'Enter' && !e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey &&
    (e.target === table || e.target === document.body) && active >= 0, open);

  load();
  return screen;
}
