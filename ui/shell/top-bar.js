// The top bar of a signed-in window: app name, one link per allowed section, who is
// signed in, and Sign out. The Review link carries a badge with the number of intakes
// waiting for review (#nav-review-count). Changes left unsaved on a screen the person
// left show as #top-unsaved (a link back to it), and what such a screen could not save at
// all as #top-lost until dismissed. It shows; the shell in app.js decides what the
// links do and when the count is asked for.

import { h, replaceChildren } from '../shared/dom.js';
import { allowedSections } from './sections.js';

export function createTopBar({ onSignOut }) {
  const nav = h('nav', { id: 'nav', 'aria-label': 'Sections' });
  const name = h('span', { id: 'current-user-name', class: 'user-name' });
  const reviewBadge = h('span', { id: 'nav-review-count', class: 'nav-count', hidden: true });
  const intakeBadge = h('span', { id: 'nav-intake-count', class: 'nav-count', hidden: true });
  const role = h('span', { id: 'current-user-role', class: 'user-role' });
  // Who is signed in is also the way to their account (change password): one block, so
  // the bar stays one row at 900 px with every administrator section.
  const passwordLink = h(
    'a',
    { id: 'change-password-link', class: 'who top-link', href: '#/password', title: 'Change your password' },
    name, role, h('span', { class: 'visually-hidden' }, ' — Change password'),
  );
  const signOut = h(
    'button',
    { id: 'sign-out', type: 'button', class: 'secondary small', on: { click: onSignOut } },
    'Sign out',
  );
  const unsavedLink = h('a', { id: 'top-unsaved', class: 'top-unsaved top-link', hidden: true });
  const lostText = h('span', {});
  const lost = h('div', { id: 'top-lost', class: 'error-banner top-lost', role: 'alert', hidden: true }, lostText,
    h('button', { type: 'button', class: 'secondary small', id: 'top-lost-dismiss',
      on: { click: () => { lost.hidden = true; lostText.textContent = ''; } } }, 'Dismiss'));
  const el = h(
    'header',
    { id: 'top-bar', class: 'top-bar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
      h('span', { class: 'brand-name' }, 'Intake Desk')),
    nav,
    h('div', { class: 'user-area' }, unsavedLink, passwordLink, signOut),
    lost,
  );

  return {
    el,
    /** Shows who is signed in and the links to the sections they may use. */
    setSession(session) {
      const user = session.user;
      name.textContent = user.displayName || user.username;
      role.textContent = user.roleLabel || user.role;
      const links = allowedSections(session.sections).map((s) =>
        h('li', {}, h('a', { href: `#/${s.id}`, dataset: { section: s.id } }, s.label,
          s.id === 'review' ? reviewBadge : s.id === 'intake' ? intakeBadge : null)),
      );
      replaceChildren(nav, h('ul', {}, links));
    },
    /** Shows how many intakes wait for review (none: no badge). */
    setReviewCount(count) {
      const n = Number.isInteger(count) && count > 0 ? count : 0;
      reviewBadge.hidden = n === 0;
      reviewBadge.textContent = n ? String(n) : '';
      reviewBadge.setAttribute('aria-label', n === 1 ? '1 intake waits for review' : `${n} intakes wait for review`);
      reviewBadge.title = reviewBadge.getAttribute('aria-label');
    },
    /** Shows how many intakes are in progress, and how many of them came back returned. */
    setIntakeCount({ inProgress = 0, returned = 0 } = {}) {
      const n = Number.isInteger(inProgress) && inProgress > 0 ? inProgress : 0;
      intakeBadge.hidden = n === 0;
      intakeBadge.textContent = n ? String(n) : '';
      intakeBadge.classList.toggle('nav-count-warn', returned > 0);
      const label = `${n === 1 ? '1 intake' : `${n} intakes`} in progress${returned ? `, ${returned} returned by the physician` : ''}`;
      intakeBadge.setAttribute('aria-label', label);
      intakeBadge.title = label;
    },
    /**
     * Shows the changes still waiting on screens left (`[{ route, label, count }]`, from
     * shared/unsaved.js) and says what such a screen could not save (`reports`).
     */
    setUnsaved(elsewhere, reports = []) {
      const n = elsewhere.reduce((sum, w) => sum + w.count, 0);
      unsavedLink.hidden = n === 0;
      if (n) {
        unsavedLink.textContent = n === 1 ? '1 change not saved yet' : `${n} changes not saved yet`;
        unsavedLink.href = `#/${elsewhere[0].route}`;
        unsavedLink.title = `Retrying by itself: ${elsewhere.map((w) => `${w.count} to ${w.label}`).join('; ')}`;
      }
      if (reports.length) {
        lostText.textContent = [lostText.textContent, ...reports].filter(Boolean).join(' ');
        lost.hidden = false;
      }
    },
    /** Marks the current section's link (and no other) with aria-current. */
    setCurrent(route) {
      for (const a of nav.querySelectorAll('a[data-section]')) {
        if (a.dataset.section === route) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
      if (route === 'password') passwordLink.setAttribute('aria-current', 'page');
      else passwordLink.removeAttribute('aria-current');
    },
  };
}
