// The save queue of one open intake: one save in flight at a time, changes waiting per key.
//
// The screen puts changes (`put`, `addRow`, `removeRow`) and the section the person is
// in; `kick` sends what waits, `flush` sends everything and resolves once nothing waits or
// a save failed. A later change to a key replaces the waiting one. Each change carries the
// `rev` this window last saw for its key (`baseRev`), read when it is sent, so a change
// queued behind a save names the rev that save produced.
//
// Failures: a `conflict` drops everything (the screen reloads and says what was lost:
// `onConflict(err, changes)`);
// a refused value (`field` = one key) drops that key and sends the rest again; anything
// else keeps the failed save as it was and sends it again by itself after 1, 2, 4 … up
// to 30 seconds (`onFailed(err, { waiting, retryInMs })`), sooner on the next edit or
// Ctrl+S. A signed-out or locked session is not retried: the save waits for sign-in.
//
// Each save carries a key of its own (`saveId`), and a save sent again is the same save,
// same changes, same key: if the first try was saved and only its answer was lost, the
// backend recognises the key and answers with what it saved, instead of a conflict with
// itself. Changes made meanwhile wait and go in the next save.

/** The wait before retry number `attempt` (1, 2, …): doubling from 1 s, at most 30 s. */
export function retryDelay(attempt) {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 30000);
}

export function createSaver({
  save, onSaved, onConflict, onRefused, onFailed, onBusy,
  schedule = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t),
}) {
  const revs = new Map();
  let pending = new Map(); // key -> { key, values, remove? }
  let section = null; // the section to record with the next save
  let sending = new Set(); // keys of the save in flight
  let inFlight = false;
  let waiters = [];
  let failures = 0; // failed saves in a row, for the retry's wait
  let retry = null; // the scheduled retry, if one is
  let unsent = null; // { changes, section, saveId }: a failed save, to send again as it was
  let saves = 0;
  let paused = false; // while the screen is locked: nothing is sent

  function newSaveId() {
    saves += 1;
    const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    return `${random}-${saves}`.slice(0, 64);
  }

  function stopRetry() {
    if (retry !== null) cancel(retry);
    retry = null;
  }

  function settle(result) {
    const list = waiters;
    waiters = [];
    for (const resolve of list) resolve(result);
  }

  function waiting() {
    return unsent !== null || pending.size > 0 || section !== null;
  }

  /** Puts a failed batch back, under anything changed since. */
  function restore(changes, sentSection) {
    const merged = new Map();
    for (const c of changes) merged.set(c.key, { key: c.key, values: c.values, ...(c.remove ? { remove: true } : {}) });
    for (const [k, c] of pending) merged.set(k, c);
    pending = merged;
    if (section === null) section = sentSection;
  }

  async function send() {
    stopRetry();
    inFlight = true;
    onBusy(true);
    let batch = unsent;
    unsent = null;
    if (batch === null) {
      batch = {
        changes: [...pending.values()].map((c) => ({
          key: c.key, values: c.values, baseRev: revs.get(c.key) ?? 0, ...(c.remove ? { remove: true } : {}),
        })),
        section,
        saveId: newSaveId(),
      };
      pending = new Map();
      section = null;
    }
    const { changes, section: sentSection } = batch;
    sending = new Set(changes.map((c) => c.key));
    let saved;
    try {
      saved = await save(changes, sentSection, batch.saveId);
    } catch (err) {
      inFlight = false;
      sending = new Set();
      onBusy(false);
      failed(err, batch);
      return;
    }
    for (const a of saved.answers || []) revs.set(a.key, a.rev);
    for (const k of saved.removed || []) revs.delete(k);
    failures = 0;
    inFlight = false;
    const sent = sending;
    sending = new Set();
    onBusy(false);
    onSaved(saved, sent);
    if (waiting() && !paused) send();
    else settle({ ok: !waiting() });
  }

  function failed(err, batch) {
    const { changes, section: sentSection } = batch;
    if (err.code === 'conflict') {
      const lost = new Map(changes.map((c) => [c.key, c]));
      for (const [k, c] of pending) lost.set(k, c);
      pending = new Map();
      section = null;
      settle({ ok: false, error: err });
      onConflict(err, [...lost.values()]);
      return;
    }
    const refused = err.field ? changes.find((c) => c.key === err.field) : null;
    if (refused || err.field === 'section') {
      restore(changes.filter((c) => c !== refused), err.field === 'section' ? null : sentSection);
      onRefused(err, refused?.key ?? null, refused?.values ?? []);
      if (waiting()) send();
      else settle({ ok: false, error: err });
      return;
    }
    unsent = batch;
    settle({ ok: false, error: err });
    if (err.code === 'unauthenticated' || err.code === 'forbidden') {
      onFailed(err, { waiting: waitingKeys(), retryInMs: null });
      return;
    }
    failures += 1;
    const retryInMs = retryDelay(failures);
    retry = schedule(() => {
      retry = null;
      if (!inFlight && !paused && waiting()) send();
    }, retryInMs);
    onFailed(err, { waiting: waitingKeys(), retryInMs });
  }

  /** How many fields' changes wait: the failed save's and those made since. */
  function waitingKeys() {
    const keys = new Set(pending.keys());
    for (const c of unsent?.changes || []) keys.add(c.key);
    return keys.size;
  }

  return {
    /** Forgets everything waiting and takes the revs of freshly loaded answers. */
    reset(answers) {
      stopRetry();
      failures = 0;
      revs.clear();
      for (const a of answers) revs.set(a.key, a.rev);
      pending = new Map();
      section = null;
      unsent = null;
    },
    rev: (key) => revs.get(key) ?? 0,
    /** How many fields' changes wait to be saved (not counting the save in flight). */
    get waitingCount() {
      return waitingKeys();
    },
    /** How many fields' changes are not saved yet: waiting, or in the save in flight. */
    get unsavedCount() {
      const keys = new Set(sending);
      for (const k of pending.keys()) keys.add(k);
      for (const c of unsent?.changes || []) keys.add(c.key);
      return keys.size;
    },
    /** Whether a change to `key` waits or is being saved. */
    isPending: (key) => pending.has(key) || sending.has(key) || Boolean(unsent?.changes.some((c) => c.key === key)),
    get busy() {
      return inFlight;
    },
    put(key, values) {
      pending.set(key, { key, values });
    },
    addRow(rowKey) {
      pending.set(rowKey, { key: rowKey, values: [] });
    },
    /** Removes a row; `within(key)` says which waiting changes the removal makes moot. */
    removeRow(rowKey, within) {
      const unsent = pending.has(rowKey) && !pending.get(rowKey).remove && !sending.has(rowKey) && !revs.has(rowKey);
      for (const k of [...pending.keys()]) if (within(k)) pending.delete(k);
      if (!unsent) pending.set(rowKey, { key: rowKey, values: [], remove: true });
    },
    setSection(id) {
      section = id;
    },
    /** Sends what waits, unless a save is already in flight (it sends the rest after). */
    kick() {
      if (!inFlight && !paused && waiting()) send();
    },
    /** Stops sending (the screen locked): changes wait, no retry runs. */
    pause() {
      paused = true;
      stopRetry();
    },
    /** Sends again after `pause` (the same user is back). */
    resume() {
      paused = false;
    },
    /** Resolves `{ ok }` (and `error`) once everything waiting is saved or a save failed. */
    flush() {
      return new Promise((resolve) => {
        if (!inFlight && !waiting()) {
          resolve({ ok: true });
          return;
        }
        if (paused && !inFlight) {
          resolve({ ok: false, error: { code: 'paused', message: 'The screen is locked.' } });
          return;
        }
        waiters.push(resolve);
        if (!inFlight) send();
      });
    },
  };
}
