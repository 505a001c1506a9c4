// How the intake screen names a row of a list (ui/intake/model.js): by what it holds,
// so a list of problems says "Medication: Metformin 500 mg", not "Medication" twice.
// Run: `make uitest` (node --test; no npm install).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildSections, describeKey, indexForm } from '../../ui/intake/model.js';

const FORM = {
  title: 'Adult intake',
  items: [
    { linkId: 'medications', type: 'group', text: 'Current medications', items: [
      { linkId: 'medication', type: 'group', repeats: true, text: 'Medication', items: [
        { linkId: 'med-name', type: 'string', required: true, text: 'Medication' },
        { linkId: 'med-dose', type: 'decimal', text: 'Dose' },
        { linkId: 'med-unit', type: 'choice', text: 'Dose unit' },
        { linkId: 'med-frequency', type: 'choice', text: 'How often' },
      ] },
    ] },
    { linkId: 'allergies', type: 'group', text: 'Allergies', items: [
      { linkId: 'allergy', type: 'group', repeats: true, text: 'Allergy', items: [
        { linkId: 'allergy-substance', type: 'string', required: true, text: 'Substance' },
        { linkId: 'allergy-reaction', type: 'string', text: 'Reaction' },
      ] },
    ] },
  ],
};

function context(values) {
  const sections = buildSections(FORM);
  const index = indexForm(FORM, sections);
  const answers = new Map(Object.entries(values).map(([key, v]) => [key, { key, values: v }]));
  return { sections, index, answers };
}

const coding = (display) => ({ valueCoding: { code: display.toLowerCase(), display } });

test('rows are named by their content: name, then dose and unit', () => {
  const ctx = context({
    'medications/medication[1]': [],
    'medications/medication[1]/med-name': [{ valueString: 'Metformin' }],
    'medications/medication[1]/med-dose': [{ valueDecimal: 500 }],
    'medications/medication[1]/med-unit': [coding('mg')],
    'medications/medication[1]/med-frequency': [coding('Twice daily')],
    'medications/medication[2]': [],
    'medications/medication[2]/med-name': [{ valueString: 'Lisinopril' }],
    'allergies/allergy[1]': [],
    'allergies/allergy[1]/allergy-substance': [{ valueString: 'Penicillin' }],
    'allergies/allergy[1]/allergy-reaction': [{ valueString: 'Hives' }],
  });
  assert.equal(describeKey('medications/medication[1]', ctx), 'Current medications › Medication: Metformin 500 mg');
  assert.equal(describeKey('medications/medication[2]', ctx), 'Current medications › Medication: Lisinopril');
  assert.equal(describeKey('allergies/allergy[1]', ctx), 'Allergies › Allergy: Penicillin');
});

test('an empty row is named by its number', () => {
  const ctx = context({ 'medications/medication[3]': [] });
  assert.equal(describeKey('medications/medication[3]', ctx), 'Current medications › Medication 3');
});

test('fields inside rows keep their question and row position', () => {
  const ctx = context({
    'medications/medication[1]': [],
    'medications/medication[1]/med-name': [{ valueString: 'Metformin' }],
  });
  assert.equal(describeKey('medications/medication[1]/med-dose', ctx),
    'Current medications › Dose (Medication 1)');
});
