// "Merge into another chart…" on the Patient screen (an administrator, when the patient's
// `may.merge` says so): find the chart that stays by search, see both side by side (name,
// date of birth, MRN, visits), give a reason, confirm. Also the notices a merge leaves:
// on the merged chart "Merged into …" (with a link there), on the surviving chart the
// charts merged into it; each offers "Undo merge" while its `mayUndo` says so (the same
// day). Whether any of it is allowed is the backend's answer; this only asks and shows.

import * as api from '../api.js';
import { h, replaceChildren } from '../shared/dom.js';
import { field, formError, formState, onSubmit, openedBy } from '../shared/forms.js';
import { dateNode, nameText } from './fields.js';

const label = (p) => `${nameText(p)} (${p.mrn})`;

/**
 * `patient()` is the chart as last loaded; `onMerged(survivor)` and `onUndone(chart)`
 * get the backend's answer; `go` opens another chart.
 */
export function createMerge({ patient, onMerged, onUndone, go }) {
  const opener = h('button', { id: 'patient-merge', type: 'button', class: 'secondary', hidden: true,
    'aria-expanded': 'false', 'aria-controls': 'patient-merge-form' }, 'Merge into another chart…');
  const find = field({ id: 'patient-merge-search', label: 'Find the chart that stays',
    hint: 'Name, date of birth or MRN. This chart\u2019s visits and MRN will show on the chart you choose.' });
  const results = h('ul', { id: 'patient-merge-results', class: 'merge-results', 'aria-label': 'Charts found' });
  const compare = h('table', { id: 'patient-merge-compare', class: 'merge-compare', hidden: true });
  const reason = field({ id: 'patient-merge-reason', label: 'Why are these charts one person?',
    hint: 'For example: registered twice, the family name misspelt. Kept in the audit log.' });
  reason.wrap.hidden = true;
  const submit = h('button', { id: 'patient-merge-submit', type: 'submit', class: 'primary', disabled: true }, 'Merge');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const errorEl = formError('patient-merge-error');
  const form = h('form', { id: 'patient-merge-form', class: 'inline-form merge-form', hidden: true },
    find.wrap, results, compare, reason.wrap, h('div', { class: 'button-row' }, submit, cancel), errorEl);
  const state = formState({ errorEl, submit, fields: { reason, survivor: find } });
  const notices = h('div', { id: 'patient-merge-notices' });

  let chosen = null; // the chart chosen to stay
  let generation = 0;

  function close() {
    form.hidden = true;
    state.clear();
    chosen = null;
    find.input.value = '';
    reason.input.value = '';
    replaceChildren(results);
    compare.hidden = true;
    reason.wrap.hidden = true;
    submit.disabled = true;
    opener.setAttribute('aria-expanded', 'false');
    if (!opener.hidden) opener.focus();
  }

  async function visitCount(id) {
    try {
      return String((await api.listEncounters({ patientId: id })).length);
    } catch {
      return '?';
    }
  }

  async function choose(other) {
    chosen = other;
    const self = patient();
    const [mine, theirs] = await Promise.all([visitCount(self.id), visitCount(other.id)]);
    const row = (head, a, b) => h('tr', {}, h('th', { scope: 'row' }, head), h('td', {}, a), h('td', {}, b));
    replaceChildren(compare,
      h('caption', {}, 'The two charts'),
      h('thead', {}, h('tr', {}, h('td', {}), h('th', { scope: 'col' }, 'This chart (merged away)'),
        h('th', { scope: 'col' }, 'The chart that stays'))),
      h('tbody', {},
        row('Name', nameText(self), nameText(other)),
        row('Date of birth', dateNode(self.birthDate), dateNode(other.birthDate)),
        row('MRN', self.mrn, other.mrn),
        row('Visits', mine, theirs)));
    compare.hidden = false;
    reason.wrap.hidden = false;
    submit.disabled = false;
    reason.input.focus();
  }

  async function search() {
    const text = find.input.value.trim();
    const mine = ++generation;
    if (!text) {
      replaceChildren(results);
      return;
    }
    let found;
    try {
      found = await api.searchPatients(text);
    } catch (err) {
      if (mine === generation) state.show(err);
      return;
    }
    if (mine !== generation) return;
    const self = patient();
    const others = found.patients.filter((p) => p.id !== self.id && !p.mergedInto);
    replaceChildren(results, others.length
      ? others.map((p) => h('li', {}, h('button', { type: 'button', class: 'link-button',
        dataset: { patientId: p.id }, on: { click: () => choose(p) } }, label(p), ' · born ', dateNode(p.birthDate))))
      : h('li', { class: 'muted' }, 'No other chart matches.'));
  }

  find.input.addEventListener('input', search);
  openedBy({ opener, form, cancel, close, first: find.input });
  onSubmit(form, state, async () => {
    if (!chosen) return;
    state.clear();
    let survivor;
    try {
      survivor = await api.mergePatients(patient().id, chosen.id, reason.input.value);
    } catch (err) {
      state.show(err);
      return;
    }
    close();
    onMerged(survivor);
  });

  async function undo(id, button) {
    button.disabled = true;
    try {
      onUndone(await api.unmergePatient(id));
    } catch (err) {
      button.disabled = false;
      replaceChildren(notices, h('p', { class: 'notice notice-error', role: 'alert' }, err.message));
    }
  }

  function undoButton(id) {
    const button = h('button', { type: 'button', class: 'secondary merge-undo', dataset: { patientId: id } },
      'Undo merge');
    button.addEventListener('click', () => undo(id, button));
    return button;
  }

  return {
    opener,
    form,
    notices,
    /** Shows what the loaded chart says about merges. */
    show(p) {
      opener.hidden = !p.may?.merge;
      if (opener.hidden) form.hidden = true;
      const into = p.mergedInto;
      replaceChildren(notices,
        into ? h('div', { id: 'patient-merged-into', class: 'merge-banner', role: 'note' },
          h('strong', {}, 'Merged into '),
          h('a', { href: `#/patients/${into.patient.id}`, on: { click: (e) => {
            e.preventDefault();
            go(`patients/${into.patient.id}`);
          } } }, label(into.patient)),
          `. Its visits show on that chart; start new intakes there. Reason: ${into.reason}`,
          into.mayUndo ? undoButton(p.id) : null) : null,
        p.mergedFrom?.length ? h('div', { id: 'patient-merged-from', class: 'merge-banner', role: 'note' },
          h('strong', {}, 'Also this person\u2019s chart: '),
          p.mergedFrom.map((m) => h('span', { class: 'merged-chart' }, label(m.patient),
            ` (merged: ${m.reason}) `, m.mayUndo ? undoButton(m.patient.id) : null))) : null);
    },
  };
}
