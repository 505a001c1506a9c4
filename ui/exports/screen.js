// Exports (admin, #/exports): PDF summaries of every visit in a period, written into one
// folder with a manifest (manifest.csv). The form: visit dates from/to (by default the
// last 30 days, UTC days as the backend counts them), the statuses to include (signed
// and amended by default), how many visits those will export ("12 visits will be
// exported", asked again as the range or the statuses change), the folder (typed as a full path, or "Choose folder…" for the
// native dialog the backend opens; a folder that is not there is created only once the
// person confirms it), and Export (Enter from any field). While the batch runs, the progress panel
// (report.js) shows "n of m" and the time left, and Cancel or Escape asks the
// backend to stop after the files in progress. Then the result: written, skipped (the
// same record is already there), failed with each reason, and where the manifest is.
// The backend checks the dates, statuses and folder; its refusals show at their field.
// A batch goes on while the person is on other screens; coming back to Exports shows its
// progress again, or its result once it ended.

import * as api from '../api.js';
import { h, notice, pageScreen } from '../shared/dom.js';
import { dateField, field, formError, formState, onSubmit } from '../shared/forms.js';
import { addDays, parseDate, today } from '../shared/dates.js';
import { createProgress, createResult } from './report.js';
import { onScreenKey } from '../shared/keys.js';

const STATUSES = [
  ['signed', 'Signed'],
  ['amended', 'Amended'],
  ['submitted', 'Submitted, not signed yet'],
  ['draft', 'Draft'],
  ['entered_in_error', 'Entered in error'],
];
const DEFAULT_STATUSES = new Set(['signed', 'amended']);


/**
 * The batch this window started, kept while the person is on other screens: coming back
 * to Exports shows its progress, or its result once it ended. `{ request, last (the
 * newest progress), listeners, done (settles when it ends), report | error, seen,
 * cancelAsked, user (who started it: another user signing in here does not see it) }`.
 */
let current = null;

function startBatch(request, user) {
  const batch = { request, user, last: null, listeners: new Set(), report: undefined, error: null, seen: false,
    cancelAsked: false };
  batch.done = api.exportBatch(request, (p) => {
    batch.last = p;
    for (const listener of batch.listeners) listener(p);
  }).then((report) => { batch.report = report; }, (err) => { batch.error = err; });
  current = batch;
  return batch;
}

/** The last 30 days up to today (the clinic's days). */
export function defaultRange(now = new Date()) {
  const to = today(now);
  return { from: addDays(to, -30), to };
}

/** The status checkboxes as one field for formState (the backend's field `statuses`). */
function statusesField() {
  const boxes = STATUSES.map(([value, label]) => {
    const id = `exports-status-${value.replace(/_/g, '-')}`;
    const input = h('input', { id, type: 'checkbox', name: 'exports-status', value, checked: DEFAULT_STATUSES.has(value) });
    return { value, input, el: h('label', { class: 'ex-check', for: id }, input, label) };
  });
  const error = h('p', { class: 'field-error', id: 'exports-statuses-field-error', hidden: true });
  const wrap = h('fieldset', { id: 'exports-statuses', class: 'ex-statuses' },
    h('legend', {}, 'Statuses'), h('div', { class: 'ex-checks' }, boxes.map((b) => b.el)), error);
  return {
    wrap,
    input: boxes[0].input, // where focus goes when the backend refuses the statuses
    chosen: () => boxes.filter((b) => b.input.checked).map((b) => b.value),
    choose(values) {
      for (const b of boxes) b.input.checked = values.includes(b.value);
    },
    setError(message) {
      error.textContent = message || '';
      error.hidden = !message;
      if (message) wrap.setAttribute('aria-describedby', error.id);
      else wrap.removeAttribute('aria-describedby');
    },
  };
}

export function render({ query, session }) {
  const user = session?.user?.username ?? null;
  const note = notice('exports-notice');
  const initial = defaultRange();
  const from = dateField({ id: 'exports-from', label: 'Visits from', iso: query?.get('from') || initial.from });
  const to = dateField({ id: 'exports-to', label: 'to (included)', iso: query?.get('to') || initial.to });
  /** The typed range in ISO, or null after saying at the field what is wrong. */
  function typedRange() {
    const [f, t] = [from.value(), to.value()];
    const wrong = [[f, from], [t, to]].find(([r]) => r.error || !r.iso);
    if (wrong) {
      state.fieldError(wrong[1] === from ? 'from' : 'to', wrong[0].error || 'Enter a date.');
      return null;
    }
    return { from: f.iso, to: t.iso };
  }
  const statuses = statusesField();
  const folder = field({ id: 'exports-folder', label: 'Folder for the PDFs',
    hint: 'Each PDF is named date_MRN_visit-ID.pdf; manifest.csv lists them. Files already there for the same record are skipped.',
    attrs: { placeholder: 'Choose a folder…' } });
  const choose = h('button', { id: 'exports-folder-choose', type: 'button', class: 'secondary' }, 'Choose folder…');
  const pathRow = h('div', { class: 'ex-folder-row' });
  folder.input.replaceWith(pathRow);
  pathRow.append(folder.input, choose);

  const start = h('button', { id: 'exports-start', type: 'submit', class: 'primary' }, 'Export');
  const errorEl = formError('exports-error');
  const countLine = h('p', { id: 'exports-visit-count', class: 'ex-visit-count', role: 'status', 'aria-live': 'polite' });
  const controls = h('fieldset', { class: 'ex-controls' },
    h('legend', { class: 'visually-hidden' }, 'What to export'),
    h('div', { class: 'ex-dates' }, from.wrap, to.wrap),
    statuses.wrap,
    countLine,
    folder.wrap);
  const form = h('form', { id: 'exports-form', class: 'stack ex-form', 'aria-label': 'Batch export' },
    controls, errorEl, h('div', { class: 'button-row' }, start));
  const state = formState({ errorEl, submit: start, fields: { from, to, statuses, folder } });
  const progress = createProgress({ onCancel: cancel });
  const result = createResult();
  let running = false;

  // "N visits will be exported": the backend counts what the batch would select now.
  let countAsked = 0;
  let countTimer = null;
  async function recount() {
    const mine = ++countAsked;
    const chosen = statuses.chosen();
    // Read as the fields read them (the clinic's order or ISO), without flagging a day
    // still being typed: the count waits for two whole dates.
    const [f, t] = [parseDate(from.input.value), parseDate(to.input.value)];
    const range = { from: f.iso || '', to: t.iso || '', statuses: chosen };
    if (!chosen.length) {
      countLine.textContent = 'Choose at least one status.';
      return;
    }
    if (!range.from || !range.to) {
      countLine.textContent = f.error || t.error || 'Choose the first and the last day.';
      return;
    }
    countLine.textContent = 'Counting the visits…';
    try {
      const n = await api.countExport(range);
      if (mine !== countAsked) return;
      countLine.textContent = n === 0 ? 'No visit in this range has the chosen statuses: nothing will be exported.'
        : `${n} ${n === 1 ? 'visit' : 'visits'} will be exported.`;
      countLine.dataset.count = String(n);
    } catch (err) {
      if (mine !== countAsked) return;
      countLine.textContent = err.message;
      delete countLine.dataset.count;
    }
  }
  const recountSoon = () => {
    clearTimeout(countTimer);
    countTimer = setTimeout(recount, 250);
  };
  for (const input of [from.input, to.input]) {
    input.addEventListener('input', recountSoon);
    input.addEventListener('change', recountSoon);
  }
  statuses.wrap.addEventListener('change', recountSoon);

  async function chooseFolder() {
    note.clear();
    try {
      const path = await api.chooseExportFolder();
      if (path) {
        folder.input.value = path;
        folder.setError('');
      }
    } catch (err) {
      note.error(err.message);
    }
    folder.input.focus();
  }
  choose.addEventListener('click', chooseFolder);

  // Enter on a checkbox sends the form too (only text-like fields do that by themselves).
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.type === 'checkbox' && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  async function cancel() {
    if (!running || !current || current.cancelAsked) return;
    current.cancelAsked = true;
    progress.cancelling();
    try {
      await api.cancelExport(); // false: the batch ended meanwhile; its result shows anyway
    } catch (err) {
      note.error(err.message);
    }
  }

  function setRunning(on) {
    running = on;
    controls.disabled = on;
    start.hidden = on;
    form.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  /** Shows `batch`'s progress until it ends, then its result (or its refusal at a field). */
  async function follow(batch) {
    fill(batch.request);
    result.hide();
    setRunning(true);
    progress.start();
    if (batch.cancelAsked) progress.cancelling();
    if (batch.last) progress.update(batch.last);
    const listener = (p) => { if (running) progress.update(p); };
    batch.listeners.add(listener);
    if (screen.isConnected) progress.el.focus();
    else setTimeout(() => progress.el.focus()); // once the screen is shown (and its first field focused)
    await batch.done;
    batch.listeners.delete(listener);
    setRunning(false);
    progress.hide();
    if (!screen.isConnected) return; // the person went elsewhere: the result waits for them
    batch.seen = true;
    if (current === batch) current = null;
    if (batch.error) state.show(batch.error);
    else result.show(batch.report);
  }

  function fill(request) {
    from.setIso(request.from);
    to.setIso(request.to);
    folder.input.value = request.folder;
    statuses.choose(request.statuses);
    recountSoon();
  }

  onSubmit(form, state, async () => {
    state.clear();
    note.clear();
    const range = typedRange();
    if (!range) return;
    const chosen = statuses.chosen();
    if (!chosen.length) {
      state.fieldError('statuses', 'Choose at least one status.');
      return;
    }
    if (!folder.input.value.trim()) {
      state.fieldError('folder', 'Choose the folder the PDFs go into.');
      return;
    }
    const path = folder.input.value.trim();
    try {
      if (!(await api.prepareExportFolder(path, false))) {
        askToCreate(path, chosen);
        return;
      }
    } catch (err) {
      state.show(err);
      return;
    }
    await follow(startBatch({ ...range, statuses: chosen, folder: path }, user));
  });

  // A typed folder that is not there: created only when the person says so.
  const createText = h('p', {});
  const createButton = h('button', { id: 'exports-create-folder', type: 'button', class: 'primary' },
    'Create the folder and export');
  const keepButton = h('button', { id: 'exports-create-cancel', type: 'button', class: 'secondary' }, 'Cancel');
  const createPanel = h('div', { id: 'exports-create', class: 'info-banner', role: 'alert', hidden: true },
    createText, h('div', { class: 'button-row' }, createButton, keepButton));
  let pending = null;

  function askToCreate(path, chosen) {
    pending = { path, chosen };
    result.hide();
    createText.textContent = `The folder ${path} does not exist. Create it and export into it?`;
    createPanel.hidden = false;
    createButton.focus();
  }

  keepButton.addEventListener('click', () => {
    pending = null;
    createPanel.hidden = true;
    folder.input.focus();
  });
  createButton.addEventListener('click', async () => {
    if (!pending) return;
    const { path, chosen } = pending;
    pending = null;
    createPanel.hidden = true;
    try {
      await api.prepareExportFolder(path, true);
    } catch (err) {
      state.show(err);
      return;
    }
    const range = typedRange();
    if (!range) return;
    await follow(startBatch({ ...range, statuses: chosen, folder: path }, user));
  });

  const screen = pageScreen(
    'exports',
    { id: 'exports' },
    h('h1', {}, 'Exports'),
    h('p', { class: 'lead ex-intro' },
      'PDF summaries of the visits in a period, for sending to other providers or keeping outside the app.'),
    note.el,
    h('section', { class: 'panel' }, form),
    createPanel,
    progress.el,
    result.el,
  );
  onScreenKey(screen, (e) => e.key === 'Escape' && running, cancel);
  recount();
  if (current && !current.seen && current.user === user) follow(current); // started on an earlier visit here
  return screen;
}
