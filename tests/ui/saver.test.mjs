// The intake's save queue: a save that fails for a passing reason (the database busy, the
// disk full, the server gone) is kept and tried again with a growing wait, never dropped;
// a conflict or a signed-out session is not retried blindly.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createSaver, retryDelay } from '../../ui/intake/saver.js';

function harness(results) {
  const calls = [];
  const ids = [];
  const timers = [];
  const events = [];
  const saver = createSaver({
    save: async (changes, section, saveId) => {
      calls.push(changes.map((c) => `${c.key}=${c.values.join()}`));
      ids.push(saveId);
      const next = results.shift();
      if (next instanceof Error) throw next;
      return { answers: changes.map((c) => ({ key: c.key, rev: 1 })), removed: [] };
    },
    onSaved: () => events.push('saved'),
    onConflict: () => events.push('conflict'),
    onRefused: () => events.push('refused'),
    onFailed: (err, info) => events.push(`failed ${info.waiting} ${info.retryInMs}`),
    onBusy: () => {},
    schedule: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    cancel: () => {},
  });
  return { saver, calls, ids, timers, events };
}

const busy = () => Object.assign(new Error('The database is busy.'), { code: 'conflict_busy' });

test('the wait doubles from one second and stops at thirty', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 10].map(retryDelay), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('a failed save is sent again as it was, under its key, until it goes through; nothing is lost', async () => {
  const { saver, calls, ids, timers, events } = harness([busy(), busy(), 'ok', 'ok']);
  saver.put('weight', ['72']);
  saver.put('height', ['180']);
  const first = await saver.flush();
  assert.equal(first.ok, false);
  assert.deepEqual(events, ['failed 2 1000'], 'both changes wait; a retry in 1 s');
  assert.equal(saver.waitingCount, 2);
  assert.ok(saver.isPending('weight'));
  // A change made meanwhile waits for the failed save to go through, then follows it.
  saver.put('weight', ['71.5']);
  assert.equal(saver.waitingCount, 2, 'still two fields');
  timers.shift().fn();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(events, ['failed 2 1000', 'failed 2 2000'], 'then 2 s');
  timers.shift().fn();
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(events.slice(2), ['saved', 'saved']);
  assert.deepEqual(calls, [
    ['weight=72', 'height=180'],
    ['weight=72', 'height=180'],
    ['weight=72', 'height=180'],
    ['weight=71.5'],
  ]);
  assert.equal(ids[0], ids[1], 'a save sent again keeps its key');
  assert.equal(ids[1], ids[2]);
  assert.notEqual(ids[2], ids[3], 'the next save has a key of its own');
  assert.ok(ids.every((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id)), ids.join());
  assert.equal(saver.waitingCount, 0, 'nothing waits once it went through');
  assert.equal(timers.length, 0, 'and no retry is left scheduled');
});

test('the wait starts again from one second after a save that went through', async () => {
  const { saver, timers, events } = harness([busy(), 'ok', busy()]);
  saver.put('weight', ['72']);
  await saver.flush();
  timers.shift().fn();
  await new Promise((r) => setTimeout(r, 0));
  saver.put('weight', ['73']);
  await saver.flush();
  assert.deepEqual(events, ['failed 1 1000', 'saved', 'failed 1 1000']);
});

test('a conflict is not retried and a signed-out session waits for sign-in', async () => {
  const conflict = Object.assign(new Error('Changed in another window.'), { code: 'conflict' });
  const c = harness([conflict]);
  c.saver.put('weight', ['72']);
  await c.saver.flush();
  assert.deepEqual(c.events, ['conflict']);
  assert.equal(c.timers.length, 0);

  const signedOut = Object.assign(new Error('Sign in first.'), { code: 'unauthenticated' });
  const u = harness([signedOut, 'ok']);
  u.saver.put('weight', ['72']);
  await u.saver.flush();
  assert.deepEqual(u.events, ['failed 1 null']);
  assert.equal(u.timers.length, 0, 'no retry while signed out');
  assert.equal(u.saver.waitingCount, 1, 'the change is kept');
  assert.deepEqual(await u.saver.flush(), { ok: true }, 'and sent after sign-in');
});
