// Home: a welcome line with the role, one card per section the role may use, for
// whoever takes intakes the work waiting (intakes the physician returned, then those in
// progress, each a link), and for administrators the last background check's signed
// records that differ from what was signed (each a link to its review) and why the daily
// backups need attention, if they do.

import * as api from '../api.js';
import { h, pageScreen, replaceChildren } from '../shared/dom.js';
import { formatDateTime } from '../patients/fields.js';
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
    session.backupWarning
      ? h('div', { id: 'home-backup-warning', class: 'error-banner', role: 'alert' },
        h('strong', {}, 'Backups need attention. '), session.backupWarning, ' ',
        h('a', { href: '#/settings' }, 'Open Settings'), '.')
      : null,
    session.sections?.includes('intake') ? intakeWork() : null,
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

/** The intakes waiting for the nurse: returned by the physician first, then in progress. */
function intakeWork() {
  const body = h('div', { id: 'home-intakes-body' }, h('p', { class: 'muted' }, 'Loading your intakes…'));
  const heading = h('h2', { id: 'home-intakes-heading' }, 'Intakes to finish');
  api.listEncounters({ status: 'draft' }).then(
    (drafts) => {
      const returned = drafts.filter((d) => d.returned);
      const going = drafts.filter((d) => !d.returned);
      heading.textContent = drafts.length ? `Intakes to finish (${drafts.length})` : 'Intakes to finish';
      replaceChildren(body, drafts.length
        ? [
          returned.length ? workList('home-returned', `Returned by the physician (${returned.length})`, returned) : null,
          going.length ? workList('home-drafts', `In progress (${going.length})`, going) : null,
        ]
        : h('p', { id: 'home-intakes-none', class: 'muted' },
          'No intake waits for you. Start one from a patient\'s page: ', h('a', { href: '#/patients' }, 'find the patient'), '.'));
    },
    (err) => replaceChildren(body, h('p', { class: 'form-error', role: 'alert' }, `Your intakes could not be loaded: ${err.message}`)),
  );
  return h('section', { id: 'home-intakes', class: 'panel home-work', 'aria-labelledby': 'home-intakes-heading' }, heading, body);
}

function workList(id, title, drafts) {
  return h('div', { class: 'home-work-group' },
    h('h3', { id: `${id}-heading` }, title),
    h('ul', { id, class: 'home-work-list', 'aria-labelledby': `${id}-heading` }, drafts.map((d) =>
      h('li', { dataset: { encounterId: d.id } },
        h('a', { href: `#/intake/${d.id}`, id: `home-open-${d.id}` },
          h('strong', {}, d.patientName), ` · MRN ${d.mrn}`),
        d.returned
          ? h('span', { class: 'home-work-note' }, h('span', { class: 'badge badge-warn' }, 'Returned'),
            ` by ${d.returned.byName || d.returned.by}: ${d.returned.comment}`)
          : h('span', { class: 'home-work-note muted' },
            `Started ${formatDateTime(d.startedAt)} by ${d.startedByName || d.startedBy}`)))));
}
