// The import report of one form version (#template-report): the summary line, the
// form-level notes, and a table of its items with what the import made of each
// (supported / degraded / ignored, with the reasons); degraded and ignored rows stand out.
// "Activate" is offered while the version is not active.

import { h, replaceChildren } from '../shared/dom.js';

const OUTCOMES = { supported: ['Supported', 'badge-ok'], degraded: ['Degraded', 'badge-warn'], ignored: ['Ignored', 'badge-off'] };

function itemRow(item) {
  const [label, badge] = OUTCOMES[item.outcome] || [item.outcome, 'badge-off'];
  return h('tr', { class: `outcome-${item.outcome}`, dataset: { linkId: item.linkId } },
    h('td', { class: 'mono' }, item.linkId),
    h('td', {}, item.text || '—'),
    h('td', {}, h('span', { class: `badge ${badge}` }, label)),
    h('td', {}, item.reasons?.length
      ? h('ul', { class: 'reasons' }, item.reasons.map((r) => h('li', {}, r)))
      : h('span', { class: 'muted' }, '—')));
}

/** `{ el, show(template), hide() }`; `onActivate(template)` and `onClose()` are the buttons. */
export function createReport({ onActivate, onClose }) {
  const heading = h('h2', { id: 'template-report-title', tabindex: '-1' });
  const summary = h('p', { id: 'template-report-summary', class: 'report-summary' });
  const notes = h('ul', { id: 'template-report-notes', class: 'report-notes' });
  const tbody = h('tbody');
  const activate = h('button', { id: 'template-report-activate', type: 'button', class: 'primary' }, 'Activate');
  const close = h('button', { id: 'template-report-close', type: 'button', class: 'secondary', on: { click: () => onClose() } },
    'Close report');
  const el = h('section', { id: 'template-report', class: 'panel template-report', hidden: true,
    'aria-labelledby': 'template-report-title' },
  h('div', { class: 'panel-head' }, heading, h('div', { class: 'button-row' }, activate, close)),
  summary, notes,
  h('div', { class: 'table-wrap' }, h('table', { id: 'template-report-items', class: 'data-table report-table' },
    h('caption', { class: 'visually-hidden' }, 'What the import made of each item'),
    h('thead', {}, h('tr', {}, ['Link id', 'Question', 'Outcome', 'Reasons'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody)));
  let shown = null;
  activate.addEventListener('click', () => shown && onActivate(shown));

  return {
    el,
    get template() {
      return shown;
    },
    show(template, { focus = true } = {}) {
      shown = template;
      const report = template.report || {};
      heading.textContent = `Import report: ${template.title} (version ${template.version})`;
      summary.textContent = report.summary || 'No report was kept for this form.';
      replaceChildren(notes, (report.notes || []).map((n) => h('li', {}, n)));
      notes.hidden = !report.notes?.length;
      replaceChildren(tbody, (report.items || []).map(itemRow));
      activate.hidden = template.status === 'active';
      el.hidden = false;
      if (focus) heading.focus();
    },
    hide() {
      shown = null;
      el.hidden = true;
    },
  };
}
