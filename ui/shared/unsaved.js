// Unsaved work, so leaving a screen, locking it or closing the window never drops typed
// changes silently.
//
// A screen that saves as the person types (an intake's saver) registers its work with the
// user it belongs to and the route it lives on. Leaving the screen (`leave`) sends what
// waits and keeps the work in the background, still retrying by itself, until nothing
// waits; the top bar says how many changes wait elsewhere, and opening the same screen
// again waits for them first (`settle`). Locking (or signing out) sends what waits; what
// still waits is held, paused, for that user: it is sent when the same user unlocks or
// signs in again, and never shown to, or sent by, anyone else (a different user's session
// must not carry another's typing). Closing the window asks first while anything waits
// (`shell/closing.js`).

let current = null; // the work of the screen on show
const background = new Set(); // works of screens left, still sending
const held = new Map(); // username -> [works] kept, paused, across a lock
let reports = []; // what a screen left behind could not save (a conflict), to be said

/**
 * Registers the screen's work: `{ username, route, label, flush(), waitingCount(),
 * pause(), resume() }`. The returned function unregisters it.
 */
export function register(work) {
  if (current && current !== work) leave();
  current = work;
  return () => {
    if (current === work) current = null;
  };
}

function prune() {
  for (const work of background) if (work.waitingCount() === 0) background.delete(work);
}

/** How many changes wait on the screen on show. */
export function waitingNow() {
  return current ? current.waitingCount() : 0;
}

/** The screens left with changes still waiting: `[{ route, label, count }]`. */
export function waitingElsewhere() {
  prune();
  return [...background].map((w) => ({ route: w.route, label: w.label, count: w.waitingCount() }));
}

/** How many changes are held for locked users. */
export function waitingHeld() {
  let n = 0;
  for (const works of held.values()) for (const work of works) n += work.waitingCount();
  return n;
}

/** Every change not saved: on show, left behind, and held for a locked user. */
export function waitingAll() {
  prune();
  let n = waitingNow();
  for (const work of background) n += work.waitingCount();
  return n + waitingHeld();
}

/** The screen on show is being left: what waits is sent, and retried, in the background. */
export function leave() {
  const work = current;
  current = null;
  if (!work || work.waitingCount() === 0) return;
  background.add(work);
  work.flush().then(prune);
}

function within(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
}

/**
 * Before `route` opens again: waits (at most `withinMs`) for the changes left on it to
 * go in. Resolves to how many still wait.
 */
export async function settle(route, withinMs = 5000) {
  const works = [...background].filter((w) => w.route === route);
  await within(Promise.all(works.map((w) => w.flush())), withinMs);
  prune();
  return works.reduce((n, w) => n + w.waitingCount(), 0);
}

/**
 * Sends everything that can be sent (at most `withinMs`): the screen on show and those
 * left. Resolves to how many changes still wait, held ones included.
 */
export async function flushAll(withinMs = 3000) {
  const works = [current, ...background].filter((w) => w && w.waitingCount() > 0);
  await within(Promise.all(works.map((w) => w.flush())), withinMs);
  return waitingAll();
}

/**
 * Before a lock or a sign-out: sends what waits (for at most `withinMs`), then holds what
 * still waits, paused, for its user. Resolves to the number of changes held.
 */
export async function holdForLock(withinMs = 3000) {
  leave();
  const works = [...background];
  background.clear();
  if (!works.length) return 0;
  await within(Promise.all(works.map((w) => w.flush())), withinMs);
  let kept = 0;
  for (const work of works) {
    work.pause();
    const waiting = work.waitingCount();
    if (waiting === 0) continue;
    kept += waiting;
    held.set(work.username, [...(held.get(work.username) || []), work]);
  }
  return kept;
}

/** How many changes are held for `username`. */
export function heldFor(username) {
  return (held.get(username) || []).reduce((n, w) => n + w.waitingCount(), 0);
}

/**
 * After `username` signed in again: sends what was held for them. Resolves `{ ok }`; what
 * could not be sent keeps retrying in the background as any save does.
 */
export async function resumeFor(username) {
  const works = held.get(username) || [];
  held.delete(username);
  const results = await Promise.all(works.map((work) => {
    work.resume();
    background.add(work);
    return work.flush();
  }));
  prune();
  return results.find((r) => !r.ok) || { ok: true };
}

/** A screen left behind could not save something (`text` says what): the shell says it. */
export function report(text) {
  reports.push(text);
}

/** The reports not yet shown, once each. */
export function takeReports() {
  const list = reports;
  reports = [];
  return list;
}
