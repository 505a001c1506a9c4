// Patients: one search box that searches as the person types (name parts in any order,
// accents optional, date of birth, MRN or phone), the matching patients as the backend
// ranked them, and "New patient" (also Alt+N). The box is a combobox: ArrowDown/ArrowUp
// move the highlight through the results, Enter opens the highlighted (or first) one.
// The text typed stays in the URL (#/patients?q=...), so coming back shows it again.
// A chart merged into another is listed "Merged into …" and opens the chart it leads to.

import * as api from '../api.js';
import { h, pageScreen, replaceChildren } from '../shared/dom.js';
import { field } from '../shared/forms.js';
import { isAltLetter, onScreenKey } from '../shared/keys.js';
import { ageText, dateNode, formatDay, isInError, nameNode, sexLabel } from './fields.js';
import { statusLabel } from '../review/format.js';

const DEBOUNCE_MS = 200;
const MAX_RESULTS = 50;
const COLUMNS = ['Name', 'Date of birth', 'Sex', 'MRN', 'Last visit'];

/** Where a result leads: a chart merged into another opens the chart it was merged into. */
function chartOf(patient) {
  return `patients/${patient.mergedIntoId ?? patient.id}`;
}

export function render({ go, query, setQuery }) {
  const box = field({
    id: 'patient-search',
    label: 'Search by name, date of birth, MRN or phone',
    type: 'search',
    attrs: {
      role: 'combobox', 'aria-controls': 'patient-results', 'aria-expanded': 'false',
      'aria-autocomplete': 'list', enterkeyhint: 'search',
    },
  });
  const input = box.input;
  const newButton = h('button', { id: 'patient-new', type: 'button', class: 'primary', 'aria-keyshortcuts': 'Alt+N',
    on: { click: () => go('patients/new') } }, 'New patient');
  const newHint = h('span', { class: 'key-hint', 'aria-hidden': 'true' }, 'or press ', h('kbd', {}, 'Alt+N'));
  const count = h('p', { id: 'patient-result-count', class: 'result-count', role: 'status' });
  const emptyHint = h('div', { id: 'patient-search-empty', class: 'search-empty' },
    h('p', {}, 'Type part of a name, a date of birth, an MRN or a phone number.'),
    h('p', { class: 'muted' },
      'Names can be in any order and without accents: “nunez zoe” finds Núñez, Zoë. ' +
      'Dates work as 1984-03-07 or as the clinic writes them.'));
  const list = h('ul', { id: 'patient-results', class: 'patient-results', role: 'listbox',
    'aria-label': 'Matching patients' });
  const head = h('div', { class: 'patient-row patient-results-head', 'aria-hidden': 'true', hidden: true },
    COLUMNS.map((c) => h('span', {}, c)));

  let generation = 0; // only the latest query's answer is shown
  let timer = null;
  let shown = { query: null, patients: [] }; // what the list shows now
  let active = -1;
  let settled = 0; // the generation whose answer is on screen
  let openWhenShown = false; // Enter was pressed before the answer to the typed text came

  /** "6 Dec 2026 · Signed": the newest visit's day and where it stands. */
  function lastVisitNode(last) {
    if (!last?.at) return h('span', { class: 'muted' }, 'No visits');
    return h('span', { class: 'last-visit' }, h('time', { datetime: last.at }, formatDay(last.at)),
      h('span', { class: 'last-visit-status muted' }, ` · ${statusLabel(last.status)}`));
  }

  function rowFor(patient) {
    const inError = isInError(patient);
    const row = h('li', {
      id: `patient-option-${patient.id}`, role: 'option', 'aria-selected': 'false',
      class: inError ? 'patient-row in-error' : 'patient-row', dataset: { patientId: patient.id },
    },
    h('span', { class: 'col-name' }, nameNode(patient),
      inError ? h('span', { class: 'badge badge-err' }, 'Entered in error') : null,
      patient.mergedInto ? h('span', { class: 'badge merged-into' }, `Merged into ${patient.mergedInto}`) : null),
    h('span', { class: 'col-dob' }, dateNode(patient.birthDate),
      h('span', { class: 'age' }, ageText(patient.age))),
    h('span', { class: 'col-sex' }, sexLabel(patient.sex)),
    h('span', { class: 'col-mrn mono' }, patient.mrn),
    h('span', { class: 'col-visit' }, lastVisitNode(patient.lastVisit)));
    row.addEventListener('click', () => go(chartOf(patient)));
    return row;
  }

  /** Highlights row `index` (clamped to the list); -1 highlights none. */
  function setActive(index) {
    const rows = [...list.children];
    active = rows.length && index >= 0 ? Math.min(index, rows.length - 1) : -1;
    rows.forEach((row, i) => row.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', rows[active].id);
      rows[active].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function show(text, patients, truncated = false) {
    settled = generation;
    shown = { query: text, patients };
    active = -1;
    input.removeAttribute('aria-activedescendant');
    replaceChildren(list, patients.map(rowFor));
    head.hidden = patients.length === 0;
    emptyHint.hidden = text !== '';
    input.setAttribute('aria-expanded', patients.length ? 'true' : 'false');
    count.className = 'result-count';
    if (text === '') count.textContent = '';
    else if (!patients.length) count.textContent = `No patient matches “${text}”`;
    else if (truncated || patients.length >= MAX_RESULTS) count.textContent = `Showing the first ${patients.length} — type more to narrow`;
    else count.textContent = patients.length === 1 ? '1 patient' : `${patients.length} patients`;
    if (openWhenShown) {
      openWhenShown = false;
      openActive();
    }
  }

  /** Searches for what the box holds now (typing, Enter). */
  function run() {
    clearTimeout(timer);
    timer = null;
    if (!screen.isConnected) return; // the person has left the screen
    const text = input.value.trim();
    setQuery(text ? { q: text } : {});
    search(text);
  }

  async function search(text) {
    const mine = ++generation;
    if (text === '') {
      show('', []);
      return;
    }
    list.setAttribute('aria-busy', 'true');
    try {
      const result = await api.searchPatients(text);
      if (mine === generation) show(text, result.patients || [], Boolean(result.truncated));
    } catch (err) {
      if (mine !== generation) return;
      openWhenShown = false;
      show(text, []);
      count.className = 'result-count result-error';
      count.textContent = err.message;
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  }

  function openActive() {
    const patient = shown.patients[active >= 0 ? active : 0];
    if (patient) go(chartOf(patient));
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    openWhenShown = false;
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.children.length) setActive(active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      // Rows found for an earlier text must never open: wait for the answer to this one.
      // An emptied box asks for nothing new, so Enter opens what the list still shows.
      const text = input.value.trim();
      const current = timer === null && settled === generation && shown.query === text;
      if (current || (text === '' && shown.patients.length)) openActive();
      else {
        openWhenShown = true;
        if (timer !== null || settled === generation) run();
      }
    } else if (event.key === 'Escape' && active >= 0) {
      event.preventDefault(); // only drops the highlight; a second Escape clears the box
      setActive(-1);
    }
  });

  const screen = pageScreen(
    'patients',
    {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Patients'), h('div', { class: 'button-row' }, newHint, newButton)),
    h('section', { class: 'panel patient-search' }, box.wrap, count, emptyHint,
      h('div', { class: 'patient-results-wrap' }, head, list)),
  );
  onScreenKey(screen, (event) => isAltLetter(event, 'n'), () => go('patients/new'));

  const initial = query.get('q') || '';
  input.value = initial;
  input.setSelectionRange?.(initial.length, initial.length);
  search(initial.trim());
  return screen;
}
