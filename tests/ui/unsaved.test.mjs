// Locking the screen keeps typed changes: sent first if they can be, else held, paused,
// for their user only, and sent when that user is back; another user never sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createSaver } from '../../ui/intake/saver.js';
import * as unsaved from '../../ui/shared/unsaved.js';

function intakeOf(username, results, route = 'intake/1', label = "Zoe Bennett's intake") {
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
    route,
    label,
    flush: () => saver.flush(),
    waitingCount: () => saver.unsavedCount,
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

test('a screen left with changes waiting keeps sending them, and says where they wait', async () => {
  const { saver, sent, timers } = intakeOf('nurse', [down(), down(), 'ok']);
  saver.put('vitals/weight', ['72']);
  unsaved.leave(); // the nurse goes to the patient list: the first try fails
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(sent.length, 1, 'sent on leaving');
  assert.equal(unsaved.waitingNow(), 0, 'nothing on the new screen');
  assert.deepEqual(unsaved.waitingElsewhere(), [{ route: 'intake/1', label: "Zoe Bennett's intake", count: 1 }]);
  assert.equal(unsaved.waitingAll(), 1, 'the close question counts it');
  timers.shift().fn(); // the retry, by itself: fails again
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(sent.length, 2);
  assert.equal(sent[1].saveId, sent[0].saveId, 'the same save again');
  // Opening the intake again waits for them; then nothing is left anywhere.
  assert.equal(await unsaved.settle('intake/1'), 0);
  assert.equal(sent.length, 3);
  assert.deepEqual(unsaved.waitingElsewhere(), []);
  assert.equal(unsaved.waitingAll(), 0);
});

test('settling another route leaves the waiting work alone, and gives up after its time', async () => {
  const { saver, sent } = intakeOf('nurse', [down(), down(), down(), down()], 'intake/2');
  saver.put('vitals/pulse', ['70']);
  unsaved.leave();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(await unsaved.settle('intake/3', 10), 0, 'nothing waits on intake 3');
  assert.equal(sent.length, 1, 'intake 2 was not sent again for it');
  assert.equal(await unsaved.settle('intake/2', 10), 1, 'still waiting after a failed try');
  assert.equal(await unsaved.flushAll(10), 1, 'a flush of everything says what is left');
  // The lock takes it from the background and holds it for the nurse.
  assert.equal(await unsaved.holdForLock(10), 1);
  assert.deepEqual(unsaved.waitingElsewhere(), []);
  assert.equal(unsaved.waitingHeld(), 1);
  assert.equal(unsaved.waitingAll(), 1, 'held changes still count when the window closes');
  saver.resume();
  saver.reset([]); // (forget it, so later tests start empty)
  assert.equal(unsaved.heldFor('nurse'), 0);
  await unsaved.resumeFor('nurse');
});

test('what a screen left behind could not save is reported once', () => {
  unsaved.report('Zoe Bennett: changed in another window.');
  assert.deepEqual(unsaved.takeReports(), ['Zoe Bennett: changed in another window.']);
  assert.deepEqual(unsaved.takeReports(), []);
});

test('a save still in flight counts as not saved (closing during it asks)', async () => {
  let answer;
  const saver = createSaver({
    save: (changes) => new Promise((resolve) => { answer = () => resolve({ answers: changes.map((c) => ({ key: c.key, rev: 1 })), removed: [] }); }),
    onSaved() {}, onConflict() {}, onRefused() {}, onFailed() {}, onBusy() {},
  });
  saver.put('vitals/weight', ['72']);
  saver.kick();
  assert.equal(saver.waitingCount, 0, 'nothing waits behind it');
  assert.equal(saver.unsavedCount, 1, 'but it is not saved yet');
  answer();
  await saver.flush();
  assert.equal(saver.unsavedCount, 0);
});
