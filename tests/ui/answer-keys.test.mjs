// Answer keys in the UI (ui/shared/answer-keys.js): the same text as the backend's
// `intake_core::questionnaire::key`, read and written for any linkId.
// Run: `make uitest` (node --test; no npm install).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  formatKey, isWithin, keyAt, listKeyOf, parseKey, rowIdsOf, rowKeyOf,
} from '../../ui/shared/answer-keys.js';

test('a key names the path, with each repeating group\'s row on its segment', () => {
  assert.deepEqual(parseKey('medications/medication[3]/med-name'), {
    segments: [
      { linkId: 'medications', row: null },
      { linkId: 'medication', row: 3 },
      { linkId: 'med-name', row: null },
    ],
    linkId: 'med-name',
    rows: [3],
  }, 'segments, the item\'s own linkId and the rows along the path');
  assert.deepEqual(parseKey('reason').rows, [], 'a top-level item has no rows');
  assert.equal(parseKey('[2]/gone').linkId, 'gone', 'an item its form lost keeps its linkId');
});

test('any linkId survives: "%", "/", "[" and "]" are escaped', () => {
  for (const linkId of ['/54126-8/54125-0', 'a[1]', '100%', 'x]y[z', 'é ü 漢字', 'a:b', '%2F']) {
    const text = formatKey([{ linkId: 'g', row: 2 }, { linkId, row: null }]);
    assert.equal(parseKey(text).linkId, linkId, `${JSON.stringify(linkId)} reads back from ${text}`);
    assert.equal(formatKey(parseKey(text).segments), text, `${text} prints as it was read`);
  }
  assert.equal(formatKey([{ linkId: '/54126-8', row: null }]), '%2F54126-8', 'the backend\'s text');
});

test('malformed text is not a key', () => {
  for (const bad of ['', '/', 'a//b', 'a/', '[1]', 'a[0]/b', 'a[01]/b', 'a[x]', 'a%41', 'a%2f', 'a]b', null, 3]) {
    assert.equal(parseKey(bad), null, `${JSON.stringify(bad)} is refused`);
  }
});

test('keys from a path and rows; rows of a list; what a row covers', () => {
  const path = [
    { linkId: 'medications', repeats: false },
    { linkId: 'medication', repeats: true },
    { linkId: 'med-name', repeats: false },
  ];
  assert.equal(keyAt(path, [4]), 'medications/medication[4]/med-name');
  assert.equal(keyAt(path.slice(0, 2), []), 'medications/medication', 'no row: the list as a whole');
  const keys = ['medications/medication[10]', 'medications/medication[2]', 'medications/medication[2]/med-name',
    'medications/medication', 'medications/medicationx[3]'];
  assert.deepEqual(rowIdsOf(keys, 'medications/medication'), [2, 10], 'only the list\'s own rows, ascending');
  assert.equal(rowKeyOf('medications/medication', 5), 'medications/medication[5]');
  assert.equal(listKeyOf('medications/medication[5]'), 'medications/medication');
  assert.ok(isWithin('medications/medication[1]/med-name', 'medications/medication[1]'), 'an answer in the row');
  assert.ok(!isWithin('medications/medication[11]/med-name', 'medications/medication[1]'), 'not row 11');
});
