// Home: a welcome line with the role, and one card per section the role may use.

import { h, pageScreen } from '../shared/dom.js';
import { allowedSections } from './sections.js';

export function render({ session }) {
  const user = session.user;
  const cards = allowedSections(session.sections)
    .filter((s) => s.id !== 'home')
    .map((s) =>
      h('li', {},
        h('a', { class: 'section-card', href: `#/${s.id}`, dataset: { card: s.id } },
          h('span', { class: 'section-card-title' }, s.label),
          h('span', { class: 'section-card-blurb' }, s.blurb))),
    );
  return pageScreen(
    'home',
    { id: 'home' },
    h('h1', { id: 'home-welcome' }, `Welcome, ${user.displayName || user.username}`),
    h('p', { class: 'lead' }, 'Signed in as ', h('strong', {}, user.roleLabel || user.role), '.'),
    cards.length ? h('ul', { class: 'section-cards', 'aria-label': 'Sections' }, cards) : null,
  );
}
