// Locking the screen keeps typed changes: sent first if they can be, else held, paused,
// for their user only, and sent when that user is back; another user never sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createSaver } from '../../ui/intake/saver.js';
import * as unsaved from '../../ui/shared/unsaved.js';

function intakeOf(username, results) {
  const sent = [];
  const timers = [];
  const saver = createSaver({
    save: async (changes, section, saveId) => {
      sent.push({ keys: changes.map((c) => c.key), saveId });
      const next = results.shift();
      if (next instanceof Error) throw next;
      return { answers: changes.map((c) => ({ key: c.key, rev: 1 })), removed: [] };
    },
    onSaved() {}, onConflict() {}, onRefused() {}, onFailed() {}, onBusy() {},
    schedule: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    cancel: () => {},
  });
  unsaved.register({
    username,
    flush: () => saver.flush(),
    waitingCount: () => saver.waitingCount,
    pause: () => saver.pause(),
    resume: () => saver.resume(),
  });
  return { saver, sent, timers };
}

const down = () => Object.assign(new Error('The clinic server cannot be reached.'), { code: 'internal' });

test('a lock sends what waits first, and holds nothing when that worked', async () => {
  const { saver, sent } = intakeOf('nurse', ['ok']);
  saver.put('vitals/weight', ['72']);
  assert.equal(await unsaved.holdForLock(), 0);
  assert.equal(sent.length, 1, 'sent before the screen locked');
  assert.equal(unsaved.heldFor('nurse'), 0);
});

test('what cannot be sent is held for its user, paused, and sent when that user is back', async () => {
  const { saver, sent, timers } = intakeOf('nurse', [down(), 'ok']);
  saver.put('vitals/weight', ['72']);
  saver.put('vitals/pulse', ['70']);
  assert.equal(await unsaved.holdForLock(), 2, 'two changes kept');
  assert.equal(unsaved.heldFor('nurse'), 2);
  assert.equal(unsaved.heldFor('physician'), 0, 'nobody else sees them');
  // The retry scheduled before the lock does not send while locked (another user may
  // be signing in on this window).
  for (const t of timers.splice(0)) t.fn();
  assert.equal(sent.length, 1, 'nothing sent while locked');
  assert.deepEqual(await unsaved.resumeFor('physician'), { ok: true }, 'not theirs');
  assert.equal(sent.length, 1, 'another user never sends them');
  assert.deepEqual(await unsaved.resumeFor('nurse'), { ok: true });
  assert.equal(sent.length, 2, 'sent when the nurse is back');
  assert.equal(sent[1].saveId, sent[0].saveId, 'as the same save, under its key');
  assert.equal(unsaved.heldFor('nurse'), 0);
});
