// The question asked when the window is closed with changes not saved names where they wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { atStake, changes } from '../../ui/shell/closing.js';

test('counts read as words', () => {
  assert.equal(changes(1), '1 change');
  assert.equal(changes(3), '3 changes');
});

test('the question names the screen, the intakes left and what is kept for a locked user', () => {
  assert.equal(atStake({ now: 2, elsewhere: [], heldCount: 0 }), '2 changes on this screen');
  assert.equal(
    atStake({ now: 0, elsewhere: [{ route: 'intake/4', label: "Zoe Bennett's intake", count: 1 }], heldCount: 3 }),
    "1 change to Zoe Bennett's intake; 3 changes kept for the locked user (sent when they unlock)",
  );
});
