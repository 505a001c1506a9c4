// Moving between routes, and remembering where the person came from.
//
// The hash is the route (#/patients/12). Besides the browser's history, this keeps a
// trail of the routes shown in this window, so "Cancel" and "Back" can return to the
// screen the person actually came from (the search with its text still typed) and fall
// back to a fixed route when there is none (the window opened on that route, or a
// different user signed in). A notice can be handed to the next screen ("Changes saved").

/** `render()` draws the route in `location.hash`; it is called after every move. */
export function createNavigation(render) {
  let trail = []; // hashes shown, oldest first; the last is the current one
  let flash = null;

  function top() {
    return trail[trail.length - 1];
  }

  /** Changes the current route in place: no history entry, no hashchange. */
  function replace(hash) {
    history.replaceState(null, '', hash);
    if (trail.length) trail[trail.length - 1] = hash;
  }

  /**
   * Shows a route: `go('users')`, `go('patients/12')`. With `replace`, the current entry
   * is replaced (after saving a form, so Back does not reopen it); `notice` is shown
   * once by the next screen.
   */
  function go(path, { replace: inPlace = false, notice = null } = {}) {
    flash = notice;
    const hash = `#/${path}`;
    if (location.hash === hash) render();
    else if (inPlace) {
      replace(hash);
      render();
    } else location.hash = hash; // hashchange renders
  }

  /** The route shown before this one, or null. */
  function cameFrom() {
    return trail.length >= 2 ? trail[trail.length - 2] : null;
  }

  /** Returns to the screen the person came from, or else shows `fallback`. */
  function back(fallback) {
    if (cameFrom()) history.back();
    else go(fallback);
  }

  /**
   * Leaves a finished form for `path`: back in history when that is where the person came
   * from (so Back does not reopen the form), else in place of the form.
   */
  function returnTo(path, { notice = null } = {}) {
    if (cameFrom() === `#/${path}`) {
      flash = notice;
      history.back();
    } else go(path, { replace: true, notice });
  }

  function onHashChange(event) {
    const old = new URL(event.oldURL || location.href).hash;
    const now = location.hash;
    if (top() !== old) trail = /^#\/[a-z]/.test(old) ? [old] : [];
    if (trail.length >= 2 && trail[trail.length - 2] === now) trail.pop(); // went back
    else trail.push(now);
    render();
  }

  return {
    go,
    back,
    returnTo,
    replace,
    cameFrom,
    onHashChange,
    /** Forgets the trail and any notice (sign-out, another user). */
    reset() {
      trail = [];
      flash = null;
    },
    /** The notice for the screen being drawn, once. */
    takeFlash() {
      const text = flash;
      flash = null;
      return text;
    },
  };
}
