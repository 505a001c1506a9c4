// Audit log (admin): the entries newest first, filtered by action prefix and actor, paged
// back with "Older"; and "Verify chain", which asks the backend to re-check the hash chain.

import * as api from '../api.js';
import { h, pageScreen, replaceChildren } from '../shared/dom.js';
import { field, formError, formState, onSubmit } from '../shared/forms.js';
import { formatDateTime } from '../shared/dates.js';

const PAGE = 100;
const COLUMNS = ['Seq', 'Time', 'Actor', 'Action', 'Entity', 'Detail'];
// The clinic's date and 24- or 12-hour time, with seconds (entries come in bursts).
const localTime = (rfc3339) => formatDateTime(rfc3339, { seconds: true });

/** `{"from":"a","n":2}` becomes `from: a, n: 2`; nested values stay JSON. */
export function compactDetail(detail) {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object' || Array.isArray(detail)) return JSON.stringify(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

function entryRow(entry) {
  const entity = [entry.entity, entry.entityId].filter((x) => x !== null && x !== undefined && x !== '').join('/');
  return h('tr', { dataset: { seq: entry.seq } },
    h('td', { class: 'num' }, String(entry.seq)),
    h('td', { class: 'nowrap', title: entry.at }, localTime(entry.at)),
    h('td', {}, entry.actor || '—'),
    h('td', { class: 'mono' }, entry.action),
    h('td', {}, entity || '—',
      entry.patientId ? h('span', { class: 'sub' }, `patient ${entry.patientId}`) : null),
    h('td', { class: 'detail' }, compactDetail(entry.detail)));
}

export function render() {
  const verify = h('button', { id: 'audit-verify', type: 'button', class: 'secondary' }, 'Verify chain');
  const verifyResult = h('p', { id: 'audit-verify-result', class: 'verify-result', role: 'status' });
  const prefix = field({ id: 'audit-action-prefix', label: 'Action starts with', attrs: { placeholder: 'e.g. user.' } });
  const actor = field({ id: 'audit-actor', label: 'Actor (user name)' });
  const apply = h('button', { id: 'audit-filter-submit', type: 'submit', class: 'primary' }, 'Apply');
  const clearButton = h('button', { type: 'button', class: 'secondary' }, 'Clear');
  const errorEl = formError('audit-error');
  const form = h('form', { id: 'audit-filter-form', class: 'filter-form' },
    prefix.wrap, actor.wrap, h('div', { class: 'button-row' }, apply, clearButton));
  const state = formState({ errorEl, submit: apply, fields: { actionPrefix: prefix, actor } });

  const tbody = h('tbody');
  const table = h('table', { id: 'audit-table', class: 'data-table audit-table' },
    h('caption', { class: 'visually-hidden' }, 'Audit log entries, newest first'),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col', class: c === 'Seq' ? 'num' : null }, c)))),
    tbody);
  const older = h('button', { id: 'audit-older', type: 'button', class: 'secondary', hidden: true }, 'Older');
  const count = h('p', { class: 'muted', id: 'audit-count', role: 'status' });

  let filter = {};
  let shown = 0;
  let oldestSeq = null;
  let generation = 0;

  async function load({ append }) {
    const mine = ++generation;
    const request = { limit: PAGE, ...filter };
    if (append && oldestSeq !== null) request.beforeSeq = oldestSeq;
    if (!append) replaceChildren(tbody, messageRow('Loading…'));
    older.disabled = true;
    let entries;
    try {
      entries = await api.listAudit(request);
    } catch (err) {
      if (mine !== generation) return;
      if (!append) replaceChildren(tbody, messageRow('The audit log could not be loaded.'));
      state.show(err);
      older.disabled = false;
      return;
    }
    if (mine !== generation) return;
    if (!append) {
      tbody.replaceChildren();
      shown = 0;
    }
    for (const entry of entries) tbody.append(entryRow(entry));
    shown += entries.length;
    if (entries.length) oldestSeq = entries[entries.length - 1].seq;
    if (!shown) replaceChildren(tbody, messageRow('No entries match.'));
    older.hidden = entries.length < PAGE;
    older.disabled = false;
    count.textContent = shown === 1 ? 'Showing 1 entry.' : `Showing ${shown} entries.`;
  }

  function messageRow(text) {
    return h('tr', { class: 'message-row' }, h('td', { colspan: COLUMNS.length }, text));
  }

  function applyFilter() {
    state.clear();
    filter = {};
    if (prefix.input.value.trim()) filter.actionPrefix = prefix.input.value.trim();
    if (actor.input.value.trim()) filter.actor = actor.input.value.trim();
    oldestSeq = null;
    return load({ append: false });
  }
  onSubmit(form, state, applyFilter);
  clearButton.addEventListener('click', () => {
    form.reset();
    applyFilter();
    prefix.input.focus();
  });
  older.addEventListener('click', () => load({ append: true }));

  verify.addEventListener('click', async () => {
    verify.disabled = true;
    verifyResult.className = 'verify-result';
    verifyResult.textContent = 'Verifying…';
    try {
      const result = await api.verifyAudit();
      if (result.intact) {
        verifyResult.className = 'verify-result verify-ok';
        verifyResult.textContent = `Chain intact: ${result.entries} entries verified.`;
      } else {
        verifyResult.className = 'verify-result verify-broken';
        verifyResult.textContent = `Chain broken at entry ${result.brokenAt ?? '?'}` +
          `${result.reason ? `: ${result.reason}` : '.'} (${result.entries} entries checked.)`;
      }
    } catch (err) {
      verifyResult.className = 'verify-result verify-broken';
      verifyResult.textContent = err.message;
    } finally {
      verify.disabled = false;
    }
  });

  load({ append: false });
  return pageScreen(
    'audit',
    {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'),
      h('div', { class: 'verify' }, verify, verifyResult)),
    h('section', { class: 'panel' }, form, errorEl),
    h('section', { class: 'panel' }, h('div', { class: 'table-wrap' }, table),
      h('div', { class: 'table-foot' }, count, older)),
  );
}
