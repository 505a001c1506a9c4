import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visitPeople } from '../../ui/shared/people.js';

test('a signed visit names who submitted and who signed it, by display name', () => {
  const visit = { status: 'signed', startedBy: 'nurse', submittedBy: 'nurse', submittedByName: 'Nora Lindqvist',
    signedBy: 'physician', signedByName: 'Dr. Paul Okafor' };
  assert.equal(visitPeople(visit), 'Submitted by Nora Lindqvist · Signed by Dr. Paul Okafor');
});

test('a draft names who started it; an amended visit who signed the amendment', () => {
  assert.equal(visitPeople({ status: 'draft', startedBy: 'nurse', startedByName: 'Nora Lindqvist' }),
    'Started by Nora Lindqvist');
  assert.equal(visitPeople({ status: 'amended', submittedBy: 'nurse', signedBy: 'physician' }),
    'Submitted by nurse · Amended by physician', 'a name without an account shows as the user name');
});
