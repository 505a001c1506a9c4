// "Revision history" on the review screen (#review-history): the signed versions of the
// record (each "View" draws that version read-only, exactly as signed, in
// #review-version-view), what happened to it (returned, signed, amendment started,
// discarded, signed, entered in error), and every earlier value of every answer
// (#review-answer-history, loaded when opened). The loaders come from the screen:
// `loadVersion(version)` and `loadAnswers()` call the backend.

import { h, replaceChildren } from '../shared/dom.js';
import { formatDateTime } from '../patients/fields.js';
import { namesFrom } from './format.js';
import { renderSummary } from './summary.js';

const SOURCES = { typed: 'typed', carried: 'carried', record: 'patient record', calculated: 'calculated', initial: 'default' };

function versionLine(v, { person }) {
  const what = v.kind === 'amended' ? 'Amendment signed' : 'Signed';
  return `Version ${v.version} · ${what} by ${person(v.by)} at ${formatDateTime(v.at)}${v.reason ? ` · reason: ${v.reason}` : ''}`;
}

export function createHistory({ loadVersion, loadAnswers }) {
  const versions = h('ol', { id: 'review-versions', class: 'rv-versions' });
  const noVersions = h('p', { id: 'review-versions-none', class: 'muted' }, 'Not signed yet: no signed version.');
  const events = h('ul', { id: 'review-events', class: 'rv-events' });
  const versionView = h('section', { id: 'review-version-view', class: 'rv-version-view', hidden: true,
    'aria-labelledby': 'review-version-title' });
  const answersBody = h('div', { class: 'rv-answer-history-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const answers = h('details', { id: 'review-answer-history', class: 'rv-answer-history' },
    h('summary', {}, 'Answer history: every earlier value'), answersBody);
  const el = h('section', { id: 'review-history', class: 'panel rv-history', 'aria-labelledby': 'review-history-title' },
    h('h2', { id: 'review-history-title' }, 'Revision history'),
    h('h3', {}, 'Signed versions'), versions, noVersions, versionView,
    h('h3', {}, 'Events'), events,
    answers);

  let form = null;
  let people = {}; // the shown record's people (user name → display name)
  let names = namesFrom(people);
  let answersLoaded = false;
  let opener = null;

  function closeVersion() {
    versionView.hidden = true;
    replaceChildren(versionView);
    opener?.focus();
  }

  async function viewVersion(v, button) {
    opener = button;
    button.disabled = true;
    try {
      const result = await loadVersion(v.version);
      const title = h('h3', { id: 'review-version-title', tabindex: '-1' }, versionLine(result.version || v, names));
      const close = h('button', { type: 'button', class: 'secondary small', id: 'review-version-close',
        on: { click: closeVersion } }, 'Close');
      replaceChildren(versionView,
        h('div', { class: 'panel-head' }, title, close),
        h('p', { class: 'muted' }, 'Read-only: the answers exactly as signed in this version.'),
        renderSummary({ form, people, answers: result.answers || [] }, { id: `review-version-${v.version}` }));
      versionView.hidden = false;
      title.focus();
    } catch (err) {
      replaceChildren(versionView, h('p', { class: 'form-error', role: 'alert' }, err.message));
      versionView.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function fillAnswers() {
    answersLoaded = true;
    try {
      const list = await loadAnswers();
      if (!list.length) {
        replaceChildren(answersBody, h('p', { class: 'muted' }, 'No answer was changed after it was first given.'));
        return;
      }
      replaceChildren(answersBody, h('div', { class: 'table-wrap' }, h('table', { class: 'data-table rv-answer-table' },
        h('thead', {}, h('tr', {}, ['Question', 'Revision', 'Value', 'Source', 'By', 'When'].map((c) =>
          h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((r) => h('tr', { class: r.removed ? 'rv-removed' : null, dataset: { key: r.key } },
          h('td', {}, r.label || r.linkId), h('td', { class: 'num' }, String(r.rev)),
          h('td', {}, r.removed ? h('span', {}, h('s', {}, r.value || '—'), ' (removed)') : r.value || '—'),
          h('td', {}, SOURCES[r.source] || r.source), h('td', {}, names.person(r.author)),
          h('td', { class: 'nowrap' }, formatDateTime(r.at))))))));
    } catch (err) {
      answersLoaded = false;
      replaceChildren(answersBody, h('p', { class: 'form-error', role: 'alert' }, err.message));
    }
  }
  answers.addEventListener('toggle', () => {
    if (answers.open && !answersLoaded) fillAnswers();
  });

  return {
    el,
    show(review) {
      form = review.form;
      people = review.people || {};
      names = namesFrom(people);
      const list = review.versions || [];
      replaceChildren(versions, list.map((v) => {
        const view = h('button', { type: 'button', class: 'secondary small', id: `review-version-open-${v.version}` },
          'View');
        view.addEventListener('click', () => viewVersion(v, view));
        return h('li', { class: 'rv-version', dataset: { version: String(v.version) } },
          h('span', {}, versionLine(v, names)), view);
      }));
      noVersions.hidden = list.length > 0;
      const happened = review.events || [];
      replaceChildren(events, happened.length
        ? happened.map((e) => h('li', { class: `rv-event rv-event-${e.kind}` }, names.eventText(e)))
        : h('li', { class: 'muted' }, 'Nothing yet.'));
      // A reload (after an action) may have new earlier values: load them again when asked.
      answersLoaded = false;
      if (answers.open) fillAnswers();
    },
  };
}
