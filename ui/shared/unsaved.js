// Unsaved work, so locking the screen never drops typed changes.
//
// The screen on show registers its save queue (an intake's saver) with the user it
// belongs to. When the screen locks, what waits is sent first if it can be; what still
// waits is held, paused, for that user: it is sent when the same user unlocks or signs in
// again, and never shown to, or sent by, anyone else (a different user's session must not
// carry another's typing).

let current = null; // { username, flush(), waitingCount(), pause(), resume() }
const held = new Map(); // username -> the paused work kept across a lock

/** Registers the screen's work; the returned function unregisters it. */
export function register(work) {
  current = work;
  return () => {
    if (current === work) current = null;
  };
}

/** How many changes wait on the screen on show. */
export function waitingNow() {
  return current ? current.waitingCount() : 0;
}

/**
 * Before a lock: sends what waits (for at most `withinMs`), then holds what still waits,
 * paused, for its user. Resolves to the number of changes held.
 */
export async function holdForLock(withinMs = 3000) {
  const work = current;
  current = null;
  if (!work || work.waitingCount() === 0) return 0;
  await Promise.race([work.flush(), new Promise((resolve) => setTimeout(resolve, withinMs))]);
  work.pause();
  const waiting = work.waitingCount();
  if (waiting > 0) held.set(work.username, work);
  return waiting;
}

/** How many changes are held for `username`. */
export function heldFor(username) {
  return held.get(username)?.waitingCount() ?? 0;
}

/**
 * After `username` signed in again: sends what was held for them. Resolves `{ ok }`; what
 * could not be sent keeps retrying in the background as any save does.
 */
export async function resumeFor(username) {
  const work = held.get(username);
  if (!work) return { ok: true };
  held.delete(username);
  work.resume();
  return work.flush();
}
