// Outcomes (admin, #/outcomes?from=&to=): what carry-forward saved. A from/to form
// (by default the last 12 weeks up to today), a summary line, the chart per week
// (outcomes-chart.js) with its legend, and a table with the same figures per week and a
// total. Days are UTC days, as the backend counts them. The backend checks the dates;
// its messages show in #outcomes-notice.

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { dateField, formError, formState, onSubmit } from '../shared/forms.js';
import { addDays, today, weekday } from '../shared/dates.js';
import { PARTS, describe, formatWeek, minutes, outcomesChart, percent } from './outcomes-chart.js';

const COLUMNS = [
  ['Week of', false],
  ['Intakes', true],
  ['Answers', true],
  ['Carried unchanged', true],
  ['Carried, then edited', true],
  ['Typed', true],
  ['Pre\u2011filled', true],
  ['Carried share', true],
  ['Typed share', true],
  ['Median time', true],
];

/** Today (the clinic's day) and the Monday 11 weeks before this week's: 12 weeks in all. */
export function defaultRange(now = new Date()) {
  const to = today(now);
  return { from: addDays(to, -weekday(to) - 7 * 11), to };
}

function figuresRow(label, f, attrs = {}) {
  return h('tr', attrs,
    h('th', { scope: 'row', class: 'nowrap' }, label),
    h('td', { class: 'num' }, String(f.encounters)),
    h('td', { class: 'num' }, String(f.answered)),
    h('td', { class: 'num' }, String(f.carriedUnchanged)),
    h('td', { class: 'num' }, String(f.carriedEdited)),
    h('td', { class: 'num' }, String(f.typed)),
    h('td', { class: 'num' }, String(f.prefilled)),
    h('td', { class: 'num' }, percent(f.carriedShare)),
    h('td', { class: 'num' }, percent(f.typedShare)),
    h('td', { class: 'num nowrap' }, minutes(f.medianMinutes)));
}

function table(report) {
  return h('table', { id: 'outcomes-table', class: 'data-table outcomes-table' },
    h('caption', {}, 'Per week'),
    h('thead', {}, h('tr', {}, COLUMNS.map(([c, num]) => h('th', { scope: 'col', class: num ? 'num' : null }, c)))),
    h('tbody', {}, report.weeks.map((w) =>
      figuresRow(formatWeek(w.weekStart), w, { dataset: { week: w.weekStart }, class: w.encounters ? null : 'oc-empty-week' }))),
    h('tfoot', {}, figuresRow('All weeks', report.total, { class: 'oc-total' })));
}

function legend() {
  return h('ul', { id: 'outcomes-legend', class: 'outcomes-legend', 'aria-label': 'Legend' },
    PARTS.map((p) => h('li', {}, h('span', { class: `oc-swatch ${p.cls}`, 'aria-hidden': 'true' }), p.label)),
    h('li', {}, h('span', { class: 'oc-swatch oc-swatch-line', 'aria-hidden': 'true' }), 'Median minutes (right axis)'));
}

export function render({ query, setQuery }) {
  const note = notice('outcomes-notice');
  const initial = defaultRange();
  const from = dateField({ id: 'outcomes-from', label: 'Submitted from', iso: query?.get('from') || initial.from });
  const to = dateField({ id: 'outcomes-to', label: 'to (included)', iso: query?.get('to') || initial.to });
  const show = h('button', { id: 'outcomes-show', type: 'submit', class: 'primary' }, 'Show');
  const errorEl = formError('outcomes-error');
  const form = h('form', { id: 'outcomes-form', class: 'filter-form', 'aria-label': 'Period' },
    from.wrap, to.wrap, h('div', { class: 'button-row' }, show), errorEl);
  const state = formState({ errorEl, submit: show, fields: { from, to } });
  const result = h('section', { id: 'outcomes-result', class: 'panel', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Loading…'));
  let generation = 0;

  function draw(report) {
    const t = report.total;
    if (!t.encounters) {
      replaceChildren(result, h('div', { id: 'outcomes-empty', class: 'empty-state' },
        h('p', { class: 'lead' }, 'No intakes were submitted in this period.'),
        h('p', { class: 'muted' }, 'Choose other dates, or come back when intakes have been submitted.')));
      return;
    }
    replaceChildren(result,
      h('p', { id: 'outcomes-summary', class: 'outcomes-summary' }, describe(report)),
      h('figure', { class: 'outcomes-figure' }, outcomesChart(report), h('figcaption', {}, legend())),
      h('div', { class: 'table-wrap' }, table(report)),
      h('p', { class: 'outcomes-note' },
        'Answers counted: those in the submitted record, calculated ones (BMI, scores) and empty rows of lists left out. ',
        'Carried share: carried unchanged out of all answers. Typed share: typed, or carried and then edited. ',
        'Median time: from starting the intake to submitting it. Weeks run Monday to Sunday, in the clinic’s time zone.'));
  }

  async function load() {
    const mine = ++generation;
    state.clear();
    note.clear();
    const [f, t] = [from.value(), to.value()];
    if (f.error || !f.iso || t.error || !t.iso) {
      state.fieldError(f.error || !f.iso ? 'from' : 'to', (f.error || !f.iso ? f.error : t.error) || 'Enter a date.');
      replaceChildren(result, h('p', { class: 'muted' }, 'Nothing to show until the period is corrected.'));
      return;
    }
    const range = { from: f.iso, to: t.iso };
    setQuery?.(range);
    replaceChildren(result, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const report = await api.outcomesReport(range.from, range.to);
      if (mine === generation) draw(report);
    } catch (err) {
      if (mine !== generation) return;
      note.error(err.message);
      const target = err.field === 'from' ? from : err.field === 'to' ? to : null;
      target?.input.setAttribute('aria-invalid', 'true');
      target?.input.focus();
      replaceChildren(result, h('p', { class: 'muted' }, 'Nothing to show until the period is corrected.'));
    }
  }

  onSubmit(form, state, load);
  load();
  return pageScreen(
    'outcomes',
    { id: 'outcomes' },
    h('h1', {}, 'Outcomes'),
    h('p', { class: 'lead outcomes-intro' },
      'How the answers of submitted intakes came to be — carried from an earlier visit, typed, or pre-filled — and how long intakes took, per week.'),
    note.el,
    h('section', { class: 'panel' }, form),
    result,
  );
}
