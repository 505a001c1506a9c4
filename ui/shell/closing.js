// Closing the window while changes wait to be saved.
//
// The backend holds every close request (the window's close button, Alt+F4) and asks this
// page (src-tauri/closing.rs): the page says it heard at once, then closes the window
// when nothing waits. When something waits it tries to send it first (a few seconds); if
// that cannot be done it asks: "Keep the window open" (the default: the saves go on
// retrying) or "Close and lose them". A second close request while asking changes nothing.

import * as api from '../api.js';
import { h } from '../shared/dom.js';
import * as unsaved from '../shared/unsaved.js';

/** "1 change" / "3 changes". */
export function changes(n) {
  return n === 1 ? '1 change' : `${n} changes`;
}

/** What the question says is at stake: where the changes wait, and who they belong to. */
export function atStake({ now, elsewhere, heldCount }) {
  const places = [];
  if (now) places.push(`${changes(now)} on this screen`);
  for (const w of elsewhere) places.push(`${changes(w.count)} to ${w.label}`);
  if (heldCount) places.push(`${changes(heldCount)} kept for the locked user (sent when they unlock)`);
  return places.join('; ');
}

export function startClosing() {
  let dialog = null;

  async function close() {
    try {
      await api.closeWindow();
    } catch (err) {
      if (dialog) dialog.say(`The window could not be closed: ${err.message}`);
    }
  }

  function ask(waiting) {
    const returnFocus = document.activeElement;
    const text = h('p', { id: 'close-consequence' });
    const keep = h('button', { id: 'close-keep', type: 'button' }, 'Keep the window open');
    const lose = h('button', { id: 'close-anyway', type: 'button', class: 'danger' }, 'Close and lose them');
    const title = h('h2', { id: 'close-question' });
    const box = h('div', { class: 'modal-box' }, title, text, h('div', { class: 'button-row' }, keep, lose));
    const el = h('div', { id: 'close-dialog', class: 'modal', role: 'alertdialog', 'aria-modal': 'true',
      'aria-labelledby': 'close-question', 'aria-describedby': 'close-consequence' }, box);
    const done = () => {
      el.remove();
      dialog = null;
      if (returnFocus?.isConnected) returnFocus.focus();
    };
    keep.addEventListener('click', done);
    lose.addEventListener('click', () => {
      lose.disabled = true;
      close();
    });
    el.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        done();
      }
    });
    document.body.append(el);
    dialog = {
      say(message) {
        text.textContent = message;
      },
      sending() {
        title.textContent = `Saving ${changes(waiting)} before closing…`;
        keep.hidden = false;
        lose.hidden = true;
      },
      question(left) {
        title.textContent = `${changes(left)} not saved yet`;
        const where = atStake({
          now: unsaved.waitingNow(), elsewhere: unsaved.waitingElsewhere(), heldCount: unsaved.waitingHeld(),
        });
        text.textContent = left === 1
          ? `Not saved: ${where}. It is sent again by itself while the window stays open; if you close the window now, it is lost.`
          : `Not saved: ${where}. They are sent again by themselves while the window stays open; if you close the window now, they are lost.`;
        lose.textContent = left === 1 ? 'Close and lose it' : 'Close and lose them';
        lose.hidden = false;
        keep.focus();
      },
      get open() {
        return el.isConnected;
      },
    };
    dialog.sending();
    keep.focus();
    return dialog;
  }

  window.addEventListener('intake-close-requested', async (event) => {
    api.closeRequestHeard(Number(event.detail) || 0).catch(() => {});
    if (dialog?.open) return; // already asking
    const waiting = unsaved.waitingAll();
    if (waiting === 0) {
      close();
      return;
    }
    const asking = ask(waiting);
    const left = await unsaved.flushAll(3000);
    if (!asking.open) return; // kept open while sending
    if (left === 0) close();
    else asking.question(left);
  });
}
