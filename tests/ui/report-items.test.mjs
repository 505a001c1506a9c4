// The import report puts its problems first and can show only them
// (ui/admin/report-items.js): one degraded item among 140 supported is at the top.
// Run: `make uitest`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { problemLine, problemsFirst, tally, visibleItems } from '../../ui/admin/report-items.js';

const supported = Array.from({ length: 140 }, (_, i) => ({ linkId: `q${i}`, outcome: 'supported' }));
const degraded = { linkId: 'bmi', outcome: 'degraded', reasons: ['FHIRPath not evaluated'] };
const ignored = { linkId: 'hidden-note', outcome: 'ignored', reasons: ['hidden'] };
const items = [...supported.slice(0, 70), ignored, ...supported.slice(70, 120), degraded, ...supported.slice(120)];

test('problems come first, degraded before ignored, supported after in form order', () => {
  const ordered = problemsFirst(items);
  assert.deepEqual(ordered.slice(0, 2).map((i) => i.linkId), ['bmi', 'hidden-note'], 'the two problems at the top');
  assert.deepEqual(ordered.slice(2).map((i) => i.linkId), supported.map((i) => i.linkId),
    'the supported ones keep the form order');
  assert.equal(ordered.length, items.length, 'nothing lost');
});

test('"Problems only" shows just the problems; "All" shows everything', () => {
  assert.deepEqual(visibleItems(items, 'problems').map((i) => i.linkId), ['bmi', 'hidden-note']);
  assert.equal(visibleItems(items, 'all').length, 142);
  assert.deepEqual(tally(items), { problems: 2, supported: 140 });
});

test('the line above the table counts the problems', () => {
  assert.equal(problemLine(items), '2 items need a look: 1 degraded, 1 ignored or not supported.');
  assert.equal(problemLine([degraded, ...supported]), '1 item needs a look: 1 degraded, 0 ignored or not supported.');
  assert.equal(problemLine(supported), 'Every item is supported.');
  assert.equal(problemLine(undefined), 'Every item is supported.');
});
