// The intake screen's state (ui/intake/state.js) without a browser: what a commit sends,
// which problems show, where Enter goes after the last field, rows, confirmations.
// Run: `make uitest` (node --test; no npm install).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createIntakeState } from '../../ui/intake/state.js';
import { parseKey } from '../../ui/shared/answer-keys.js';

const FORM = {
  title: 'Adult intake',
  items: [
    { linkId: 'reason', type: 'string', text: 'Reason for visit' },
    { linkId: 'vitals', type: 'group', text: 'Vitals', items: [
      { linkId: 'weight', type: 'decimal', text: 'Weight' },
      { linkId: 'height', type: 'decimal', text: 'Height' },
      { linkId: 'bmi', type: 'decimal', text: 'BMI', calculated: true },
    ] },
    { linkId: 'meds', type: 'group', text: 'Medications', items: [
      { linkId: 'med', type: 'group', repeats: true, text: 'Medication', items: [
        { linkId: 'med-name', type: 'string', text: 'Name' },
        { linkId: 'med-dose', type: 'string', text: 'Dose' },
      ] },
    ] },
    { linkId: 'pregnancy', type: 'group', text: 'Pregnancy', items: [
      { linkId: 'weeks', type: 'integer', text: 'Weeks' },
    ] },
  ],
};

const str = (valueString) => ({ valueString });
const dec = (valueDecimal) => ({ valueDecimal });
const answer = (key, values, extra = {}) => {
  const { linkId, rows } = parseKey(key);
  return { key, linkId, rows, values, rev: 1, source: 'typed', ...extra };
};

function open({ answers = [], disabled = [], problems = [], readOnly = false, section = null } = {}) {
  const state = createIntakeState();
  const first = state.load({ form: FORM, answers, disabled, problems, encounter: { readOnly, section } });
  state.enterSection(first);
  return state;
}

const entry = (state, id) => state.navEntries().find((e) => e.id === id);

test('opens in the section the intake was left in, with answered counts per section', () => {
  const state = open({ section: 'vitals', answers: [answer('vitals/weight', [dec(70)]), answer('vitals/bmi', [dec(22)])] });
  assert.equal(state.state.current, 'vitals', 'the saved section is shown');
  assert.deepEqual(state.visibleSections().map((x) => x.id), ['reason', 'vitals', 'meds', 'pregnancy'],
    'loose top-level questions make one section, each group one more');
  const vitals = entry(state, 'vitals');
  assert.equal(vitals.answered, 1, 'weight is answered');
  assert.equal(vitals.total, 2, 'the calculated BMI is not counted as a question to fill');
});

test('a commit saves a changed value once, and counts follow at once', () => {
  const state = open({ section: 'vitals' });
  assert.deepEqual(state.commit('vitals/weight', { values: [dec(82.5)] }), { save: [dec(82.5)] }, 'a new value is saved');
  assert.equal(entry(state, 'vitals').answered, 1, 'the count follows the typing before the save answers');
  assert.deepEqual(state.commit('vitals/weight', { values: [dec(82.5)] }), {}, 'the same value again is not sent');
  assert.deepEqual(state.commit('vitals/weight', { values: [] }), { save: [] }, 'clearing the field is saved');
  assert.equal(entry(state, 'vitals').answered, 0, 'a cleared field no longer counts');
});

test('text that cannot be sent stays local: no save, an error at the field, Enter stays', () => {
  const state = open({ section: 'vitals' });
  state.markDirty('vitals/weight');
  assert.deepEqual(state.dirtyKeys(), ['vitals/weight'], 'typing marks the key dirty');
  assert.deepEqual(state.commit('vitals/weight', { error: 'Enter a number' }), {}, 'nothing goes to the save queue');
  assert.deepEqual(state.dirtyKeys(), [], 'a commit ends the typing');
  assert.deepEqual(state.problemsAt('vitals/weight'), [{ severity: 'error', message: 'Enter a number' }],
    'the field shows why');
  assert.ok(state.entersNothing('vitals/weight'), 'Enter stays at a field whose text cannot be sent');
  assert.ok(state.hasLocalErrors(), 'submission knows something is unsent');
  const [local] = state.allProblems();
  assert.ok(state.isLocal(local), 'the problems panel tells a local problem from the backend\'s');
  assert.deepEqual(state.commit('vitals/weight', { values: [dec(80)] }), { save: [dec(80)] }, 'a fixed value is saved');
  assert.ok(!state.entersNothing('vitals/weight'), 'and Enter moves on again');
});

test('leaving a section drops its unsendable text and says which', () => {
  const state = open({ section: 'vitals' });
  state.commit('vitals/height', { error: 'Enter a number' });
  const moved = state.enterSection('meds');
  assert.deepEqual(moved.dropped, [['vitals/height', 'Enter a number']], 'the dropped text is reported');
  assert.ok(moved.changed, 'the section changed');
  assert.ok(!state.hasLocalErrors(), 'nothing unsent is left behind');
});

test('a value the backend refused is not sent again unchanged; another value is', () => {
  const state = open({ section: 'vitals', answers: [answer('vitals/weight', [dec(70)])] });
  state.commit('vitals/weight', { values: [dec(7000)] });
  state.refuse('vitals/weight', 'Weight must be below 700 kg', [dec(7000)]);
  assert.deepEqual(state.problemsAt('vitals/weight'), [{ severity: 'error', message: 'Weight must be below 700 kg' }],
    'the refusal shows at the field');
  assert.deepEqual(state.commit('vitals/weight', { values: [dec(7000)] }), {}, 'the same refused value is not sent again');
  assert.deepEqual(state.commit('vitals/weight', { values: [dec(70)] }), { save: [dec(70)] },
    'the old value is sent again: the refused one replaced it on screen');
});

test('the backend\'s problems show once a field was touched or answered, everywhere after submitting', () => {
  const required = { key: 'reason', linkId: 'reason', severity: 'error', message: 'Required' };
  const state = open({ problems: [required] });
  assert.deepEqual(state.problemsAt('reason'), [], 'a new form does not open red');
  assert.equal(entry(state, 'reason').errors, 0, 'nor does the section list');
  state.commit('reason', { values: [] });
  assert.deepEqual(state.problemsAt('reason'), [required], 'a touched field shows its problem');
  const other = open({ problems: [required] });
  other.setProblems([required], { revealAll: true });
  assert.equal(entry(other, 'reason').errors, 1, 'after a submission attempt every problem shows');
});

test('a save\'s answer never overwrites a key still typed in or queued', () => {
  const state = open({ section: 'vitals', answers: [answer('vitals/weight', [dec(70)]), answer('vitals/height', [dec(170)])] });
  state.markDirty('vitals/weight');
  const shown = state.applySaved({
    answers: [answer('vitals/weight', [dec(71)]), answer('vitals/height', [dec(171)]), answer('vitals/bmi', [dec(24.6)])],
    removed: [],
    disabled: ['pregnancy'],
    problems: [],
  }, (key) => key === 'vitals/height');
  assert.deepEqual(shown, [['vitals/bmi', [dec(24.6)]]], 'only the calculated value is drawn: weight is typed, height queued');
  assert.deepEqual(state.state.answers.get('vitals/height').values, [dec(170)], 'the queued height is kept');
  assert.ok(state.state.disabled.has('pregnancy'), 'disabled instances come from the save');
});

test('Enter after the last field goes to the next section that applies, then to submit', () => {
  const state = open({ section: 'meds', disabled: ['pregnancy'] });
  assert.deepEqual(state.afterLastField(), { submit: true }, 'Pregnancy is ruled out: the next step is to submit');
  state.enterSection('reason');
  assert.deepEqual(state.afterLastField(), { section: 'vitals' }, 'from the first section, the next one');
  assert.equal(state.sectionNumber(3), 'meds', 'Alt+3 is the third section of the list');
  assert.equal(state.sectionNumber(4), null, 'Alt+4 names no section when one is ruled out');
});

test('rows get new ids, never reused; removing one moves focus to the next and forgets its answers', () => {
  const state = open({ section: 'meds' });
  const med = FORM.items[2].items[0];
  const rows = [state.addRow(med, []), state.addRow(med, []), state.addRow(med, [])];
  assert.deepEqual(rows, ['meds/med[1]', 'meds/med[2]', 'meds/med[3]'], 'rows are numbered from 1');
  state.commit('meds/med[2]/med-name', { values: [str('Aspirin')] });
  state.commit('meds/med[2]/med-dose', { error: 'Too long' });
  const removed = state.removeRow('meds/med[2]');
  assert.equal(removed.focusRowKey, 'meds/med[3]', 'focus goes to the following row');
  assert.ok(removed.within('meds/med[2]/med-name') && !removed.within('meds/med[3]/med-name'), 'the removal covers its own row only');
  assert.ok(!state.state.answers.has('meds/med[2]/med-name'), 'the row\'s answers are gone');
  assert.ok(!state.hasLocalErrors(), 'so is its unsendable text');
  assert.equal(state.removeRow('meds/med[3]').focusRowKey, 'meds/med[1]', 'removing the last row focuses the one before');
  assert.equal(state.addRow(med, []), 'meds/med[4]', 'a removed row id is not reused in this window');
  state.removeRow('meds/med[4]');
  assert.equal(state.removeRow('meds/med[1]').focusRowKey, null, 'no row left: the group takes focus');
});

test('carried values waiting for confirmation: per section, the next section, the revs sent', () => {
  const carried = { date: '2026-10-02', enteredBy: 'nurse' };
  const state = open({
    section: 'reason',
    answers: [
      answer('vitals/weight', [dec(70)], { source: 'carried', carried, needsConfirmation: true, rev: 3 }),
      answer('meds/med[1]', [], { rev: 1 }),
      answer('meds/med[1]/med-name', [str('Aspirin')], { source: 'carried', carried, needsConfirmation: true, rev: 2 }),
      answer('vitals/height', [dec(170)], { source: 'carried', carried, needsConfirmation: true, confirmedBy: 'nurse' }),
    ],
  });
  assert.deepEqual(state.waitingHere(), [], 'nothing waits in Reason');
  assert.equal(state.nextSectionWaiting(), 'vitals', 'Vitals is the next section with values waiting');
  state.enterSection('vitals');
  assert.deepEqual(state.waitingHere(), ['vitals/weight'], 'a confirmed value no longer waits');
  assert.equal(state.waitingText(1), '1 carried value in this section waits for your confirmation.');
  assert.equal(state.waitingText(2), '2 carried values in this section wait for your confirmation.');
  assert.equal(state.nextSectionWaiting(), 'meds', 'then Medications');
  assert.deepEqual(state.confirmations(['vitals/weight', 'nothing']), [{ key: 'vitals/weight', baseRev: 3 }, { key: 'nothing', baseRev: 0 }],
    'each confirmation names the rev this window saw');
  assert.equal(entry(state, 'meds').toConfirm, 1, 'the section list counts what waits');
});

test('a read-only intake sends nothing and shows every problem', () => {
  const problem = { key: 'reason', linkId: 'reason', severity: 'warning', message: 'Short' };
  const state = open({ readOnly: true, problems: [problem] });
  assert.deepEqual(state.commit('reason', { values: [str('x')] }), {}, 'nothing is saved');
  assert.deepEqual(state.problemsAt('reason'), [problem], 'problems show without touching');
  assert.equal(state.describe('meds/med[1]/med-name'), 'Medications › Name (Medication 1)', 'a key reads as a place');
});
