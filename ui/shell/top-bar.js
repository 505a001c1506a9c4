// The top bar of a signed-in window: app name, one link per allowed section, who is
// signed in, and Sign out. The Review link carries a badge with the number of intakes
// waiting for review (#nav-review-count). It shows; the shell in app.js decides what the
// links do and when the count is asked for.

import { h, replaceChildren } from '../shared/dom.js';
import { allowedSections } from './sections.js';

export function createTopBar({ onSignOut }) {
  const nav = h('nav', { id: 'nav', 'aria-label': 'Sections' });
  const name = h('span', { id: 'current-user-name', class: 'user-name' });
  const reviewBadge = h('span', { id: 'nav-review-count', class: 'nav-count', hidden: true });
  const role = h('span', { id: 'current-user-role', class: 'user-role' });
  const passwordLink = h(
    'a',
    { id: 'change-password-link', class: 'top-link', href: '#/password', title: 'Change your password' },
    'Change password',
  );
  const signOut = h(
    'button',
    { id: 'sign-out', type: 'button', class: 'secondary small', on: { click: onSignOut } },
    'Sign out',
  );
  const el = h(
    'header',
    { id: 'top-bar', class: 'top-bar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Intake Desk'),
    nav,
    h('div', { class: 'user-area' }, h('div', { class: 'who' }, name, role), passwordLink, signOut),
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
          s.id === 'review' ? reviewBadge : null)),
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
