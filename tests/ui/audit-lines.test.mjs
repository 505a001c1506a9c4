// How the audit log writes one entry (ui/admin/audit-lines.js): who by display name,
// what as a sentence, which patient by name and MRN, and details that read (a list is
// "63 visits" with the ids inside, nulls left out). Run: `make uitest`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { actionOptions, describeEntry } from '../../ui/admin/audit-lines.js';

const ids = Array.from({ length: 63 }, (_, i) => 200 + i);

test('a batch export is one line: "Exported 63 visits", the ids only in its details', () => {
  const line = describeEntry({
    seq: 900, at: '2026-10-02T09:00:00.000Z', actor: 'admin', actorName: 'Alex Admin',
    action: 'export.pdf_batch', patientId: null, patient: null, entity: 'export', entityId: null,
    detail: { folder: '/home/clinic/exports', from: '2026-09-01', to: '2026-09-30', statuses: ['signed', 'amended'],
      encounters: ids, written: 63, skipped: 0, failed: [], cancelled: false, stopped: null },
  });
  assert.equal(line.what, 'Exported 63 visits', 'the sentence counts the visits');
  assert.equal(line.who, 'Alex Admin', 'the actor by display name');
  assert.equal(line.patient, '', 'no patient for a batch');
  const visits = line.details.find((d) => d.label === 'Visits');
  assert.equal(visits.text, '63 visits', 'the list is summarised');
  assert.deepEqual(visits.items.map(Number), ids, 'every id is inside the disclosure');
  assert.ok(!line.details.some((d) => d.label === 'Stopped'), 'a null is left out, not "stopped: null"');
  assert.ok(!line.details.some((d) => d.label === 'Failed'), 'an empty list is left out');
  assert.equal(line.details.find((d) => d.label === 'Cancelled')?.text, 'no', 'a boolean reads yes/no');
});

test('a signature names the physician and the patient by name and MRN, not "patient 3"', () => {
  const line = describeEntry({
    seq: 41, at: '2026-10-02T10:15:00.000Z', actor: 'physician', actorName: 'Dr Paul Okafor',
    action: 'encounter.signed', patientId: 3, patient: { id: 3, name: 'Kowalski, Łukasz', mrn: '000003-4' },
    entity: 'encounter', entityId: '263', detail: { recordSha256: 'ab12', form: 2 },
  });
  assert.equal(line.what, 'Signed the record');
  assert.equal(line.who, 'Dr Paul Okafor');
  assert.equal(line.whoTitle, 'physician', 'the user name stays at hand');
  assert.equal(line.patient, 'Kowalski, Łukasz · MRN 000003-4');
  assert.equal(line.subject, 'Visit 263', 'the visit, not "encounter/263"');
  assert.deepEqual(line.details.map((d) => d.label), ['Record SHA-256', 'Form']);
});

test('a save counts its answers; a time is written by the given formatter', () => {
  const line = describeEntry({
    seq: 7, at: '2026-10-02T10:00:00.000Z', actor: 'nurse', actorName: 'Nina Lindqvist',
    action: 'encounter.saved', patientId: 3, patient: { id: 3, name: 'Kowalski, Łukasz', mrn: '000003-4' },
    entity: 'encounter', entityId: '263',
    detail: { written: ['vitals/weight', 'vitals/height'], removed: ['allergies/allergy[1]'], confirmed: [] },
  }, (t) => `formatted ${t.slice(0, 10)}`);
  assert.equal(line.what, 'Saved 2 answers, removed 1');
  assert.equal(line.at, 'formatted 2026-10-02');
  assert.deepEqual(line.details.map((d) => [d.label, d.text]),
    [['Answers written', '2 answers'], ['Answers removed', '1 answer']], 'the empty list of confirmations is left out');
});

test('a settings change reads before and after; the command line has no display name', () => {
  const line = describeEntry({
    seq: 2, at: '2026-10-02T08:00:00.000Z', actor: 'cli:root', actorName: null,
    action: 'settings.changed', patientId: null, patient: null, entity: 'settings', entityId: null,
    detail: { before: { clinicName: 'Old', paperSize: null }, after: { clinicName: 'New' } },
  });
  assert.equal(line.what, 'Changed the settings');
  assert.equal(line.who, 'cli:root');
  assert.deepEqual(line.details, [{ label: 'Before', text: 'Clinic name: Old' }, { label: 'After', text: 'Clinic name: New' }]);
});

test('an action without a name still reads; the filter list is sorted by name', () => {
  const line = describeEntry({ seq: 3, at: '', actor: 'x', action: 'patient.merged_into', detail: null });
  assert.equal(line.what, 'Patient: merged into');
  assert.deepEqual(line.details, []);
  assert.deepEqual(actionOptions(['session.signed_in', 'encounter.signed', 'export.pdf_batch']),
    [['export.pdf_batch', 'Exported visits (batch)'], ['session.signed_in', 'Signed in'],
      ['encounter.signed', 'Signed the record']]);
});
