// The import report of one form version (#template-report): the summary line, the
// form-level notes, how many items need a look, and a table of its items with what the
// import made of each (supported / degraded / ignored, with the reasons): problems first,
// and with "Problems only" (the default when there are any) the supported ones hidden
// until "All" is chosen (report-items.js orders and filters). "Activate" is offered
// while the version is not active.

import { h, replaceChildren } from '../shared/dom.js';
import { problemLine, tally, visibleItems } from './report-items.js';

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
  const problems = h('p', { id: 'template-report-problems', class: 'report-problems' });
  const filterBox = (value, text) => {
    const input = h('input', { id: `template-report-filter-${value}`, type: 'radio', name: 'template-report-filter', value });
    input.addEventListener('change', () => input.checked && draw(value));
    return { input, el: h('label', { for: input.id }, input, text) };
  };
  const onlyProblems = filterBox('problems', 'Problems only');
  const all = filterBox('all', 'All items');
  const filter = h('fieldset', { id: 'template-report-filter', class: 'report-filter' },
    h('legend', { class: 'visually-hidden' }, 'Items to show'), onlyProblems.el, all.el);
  const hiddenNote = h('p', { id: 'template-report-hidden', class: 'muted' });
  const activate = h('button', { id: 'template-report-activate', type: 'button', class: 'primary' }, 'Activate');
  const close = h('button', { id: 'template-report-close', type: 'button', class: 'secondary', on: { click: () => onClose() } },
    'Close report');
  const el = h('section', { id: 'template-report', class: 'panel template-report', hidden: true,
    'aria-labelledby': 'template-report-title' },
  h('div', { class: 'panel-head' }, heading, h('div', { class: 'button-row' }, activate, close)),
  summary, notes, problems, filter,
  h('div', { class: 'table-wrap' }, h('table', { id: 'template-report-items', class: 'data-table report-table' },
    h('caption', { class: 'visually-hidden' }, 'What the import made of each item'),
    h('thead', {}, h('tr', {}, ['Link id', 'Question', 'Outcome', 'Reasons'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody)), hiddenNote);
  let shown = null;

  /** Draws the items `filter` shows (`problems` or `all`), problems first. */
  function draw(which) {
    const items = shown?.report?.items || [];
    onlyProblems.input.checked = which === 'problems';
    all.input.checked = which === 'all';
    replaceChildren(tbody, visibleItems(items, which).map(itemRow));
    const { supported } = tally(items);
    hiddenNote.textContent = which === 'problems' && supported
      ? `${supported} supported ${supported === 1 ? 'item is' : 'items are'} not shown; choose “All items” to see them.` : '';
    hiddenNote.hidden = !hiddenNote.textContent;
  }
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
      problems.textContent = problemLine(report.items);
      draw(tally(report.items).problems ? 'problems' : 'all');
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
