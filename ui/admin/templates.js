// Forms (admin, #/templates): every version of every intake form, with its status and
// import summary, and per version Activate / Retire / Export… / Report. "Import form…"
// (#templates-import) asks for a FHIR Questionnaire file through the native dialog,
// imports it as a draft and shows its report (template-report.js) with "Activate".
// The backend decides what is valid; its messages show in #templates-notice.

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { formatDateTime } from '../patients/fields.js';
import { createReport } from './template-report.js';

const COLUMNS = ['Form', 'Slug', 'Version', 'Status', 'Imported', 'Report', ''];
const STATUS = { draft: ['Draft', 'badge-warn'], active: ['Active', 'badge-ok'], retired: ['Retired', 'badge-off'] };

const same = (a, b) => a && b && a.slug === b.slug && a.version === b.version;
const rowId = (t) => `template-${t.slug}-${t.version}`.replace(/[^A-Za-z0-9_-]/g, '_');

export function render() {
  const note = notice('templates-notice');
  const importButton = h('button', { id: 'templates-import', type: 'button', class: 'primary' }, 'Import form…');
  const tbody = h('tbody', {}, messageRow('Loading forms…'));
  const table = h('table', { id: 'templates-table', class: 'data-table templates-table' },
    h('caption', { class: 'visually-hidden' }, 'Intake forms and their versions'),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) =>
      h('th', { scope: 'col' }, c || h('span', { class: 'visually-hidden' }, 'Actions'))))),
    tbody);
  const report = createReport({
    onActivate: (t) => setStatus(t, 'active', 'report'),
    onClose: () => {
      const t = report.template;
      report.hide();
      focusAction(t, 'report');
    },
  });
  let templates = [];

  function messageRow(text) {
    return h('tr', { class: 'message-row' }, h('td', { colspan: COLUMNS.length }, text));
  }

  function action(t, name, label, handler, aria) {
    return h('button', { type: 'button', class: 'secondary small', dataset: { action: name },
      'aria-label': `${aria} ${t.title} version ${t.version}`, on: { click: handler } }, label);
  }

  function templateRow(t) {
    const [label, badge] = STATUS[t.status] || [t.status, 'badge-off'];
    return h('tr', { id: rowId(t), class: `status-${t.status}`, dataset: { slug: t.slug, version: t.version } },
      h('td', {}, t.title, t.builtIn ? h('span', { class: 'sub' }, 'Built in') : null),
      h('td', { class: 'mono' }, t.slug),
      h('td', {}, t.version),
      h('td', {}, h('span', { class: `badge ${badge}` }, label)),
      h('td', { class: 'nowrap' }, formatDateTime(t.importedAt), h('span', { class: 'sub' }, `by ${t.importedBy}`)),
      h('td', { class: 'report-cell' }, t.report?.summary || '—'),
      h('td', { class: 'actions' },
        t.status !== 'active' ? action(t, 'activate', 'Activate', () => setStatus(t, 'active', 'retire'), 'Activate') : null,
        t.status === 'active' ? action(t, 'retire', 'Retire', () => setStatus(t, 'retired', 'activate'), 'Retire') : null,
        action(t, 'export', 'Export…', () => exportTemplate(t), 'Export'),
        action(t, 'report', 'Report', () => report.show(t), 'Show the import report of')));
  }

  function focusAction(t, name) {
    if (!t) return;
    const row = document.getElementById(rowId(t));
    (row?.querySelector(`button[data-action="${name}"]`) || row?.querySelector('button'))?.focus();
  }

  async function refresh() {
    try {
      templates = await api.listTemplates();
      replaceChildren(tbody, templates.length ? templates.map(templateRow) : messageRow('No forms yet.'));
    } catch (err) {
      replaceChildren(tbody, messageRow('The forms could not be loaded.'));
      note.error(err.message);
    }
  }

  async function setStatus(t, status, focusNext) {
    note.clear();
    try {
      const updated = await api.setTemplateStatus(t.slug, t.version, status);
      await refresh();
      note.success(status === 'active'
        ? `${updated.title} version ${updated.version} is active: new intakes can use it.`
        : `${updated.title} version ${updated.version} is retired: no new intake uses it.`);
      if (same(report.template, t)) report.show(templates.find((x) => same(x, t)) || updated, { focus: false });
      if (focusNext === 'report' && !report.el.hidden) report.el.querySelector('#template-report-close')?.focus();
      else focusAction(t, focusNext);
    } catch (err) {
      note.error(err.message);
    }
  }

  async function exportTemplate(t) {
    note.clear();
    try {
      const fileName = await api.exportTemplateFile(t.slug, t.version);
      if (!fileName) return; // cancelled
      note.success(`Exported ${t.title} version ${t.version} as ${fileName}.`);
    } catch (err) {
      note.error(err.message);
    }
  }

  async function importTemplate() {
    note.clear();
    importButton.disabled = true;
    try {
      const imported = await api.importTemplateFile();
      if (!imported) return; // cancelled
      await refresh();
      note.success(`Imported ${imported.title} version ${imported.version} as a draft. ` +
        'Check the report, then activate it.');
      report.show(imported);
    } catch (err) {
      note.error(err.message);
    } finally {
      importButton.disabled = false;
    }
  }
  importButton.addEventListener('click', importTemplate);

  refresh();
  return pageScreen(
    'templates',
    {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Forms'), h('div', { class: 'button-row' }, importButton)),
    note.el,
    report.el,
    h('section', { class: 'panel', 'aria-labelledby': 'templates-heading' },
      h('h2', { id: 'templates-heading' }, 'All forms'),
      h('p', { class: 'muted' }, 'Only active forms can be used for new intakes. Retiring a form keeps the intakes made with it.'),
      h('div', { class: 'table-wrap' }, table)),
  );
}
