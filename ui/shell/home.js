// Home: a welcome line with the role, one card per section the role may use, and for
// administrators the last background check's signed records that differ from what was
// signed (each a link to its review).

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
    recordWarning(session.recordCheck),
    cards.length ? h('ul', { class: 'section-cards', 'aria-label': 'Sections' }, cards) : null,
  );
}

/** The records the last background check found changed since their signature, if any. */
function recordWarning(check) {
  const found = check?.mismatches || [];
  if (!found.length) return null;
  const count = found.length === 1 ? '1 signed record differs' : `${found.length} signed records differ`;
  return h('div', { id: 'home-record-check', class: 'error-banner', role: 'alert' },
    h('strong', {}, `${count} from what was signed.`),
    ' Someone changed them outside the app. Run `intake verify` on the server and keep the database file as it is.',
    h('ul', { class: 'record-check-list' }, found.map((m) =>
      h('li', {},
        h('a', { href: `#/review/${m.encounterId}` },
          `${m.patientName || 'Visit'} · MRN ${m.mrn || '—'} · visit ${m.encounterId}`),
        `: ${m.what}.`))));
}
