// Keyboard shortcuts that belong to one screen.
//
// A shortcut listens on the whole document (so it works wherever focus is, even on the
// page background) and removes itself once its screen has left the DOM, so screens need
// no unmount hook.

/** True for Alt+<letter> with no other modifier, whatever the keyboard layout types. */
export function isAltLetter(event, letter) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return false;
  return event.code === `Key${letter.toUpperCase()}` || event.key?.toLowerCase() === letter.toLowerCase();
}

/** Runs `handler(event)` on keydowns matching `test` while `screen` is in the document. */
export function onScreenKey(screen, test, handler) {
  const listener = (event) => {
    if (!screen.isConnected) {
      document.removeEventListener('keydown', listener);
      return;
    }
    if (!test(event) || event.defaultPrevented) return;
    event.preventDefault();
    handler(event);
  };
  document.addEventListener('keydown', listener);
}
