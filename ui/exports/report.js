// The Exports screen's running batch and its outcome: the progress panel (#exports-progress:
// a <progress> bar, "n of m", the estimated time left, the file being written, Cancel)
// and the result panel (#exports-result: written, skipped because already there with the
// same record, failed with each file and reason, "Stopped: …", the manifest's path).
// Only what the backend reports is shown; nothing here counts files itself.

import { h, replaceChildren } from '../shared/dom.js';

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** "about 40 s left", "about 3 min left"; null while the backend cannot say yet. */
export function etaText(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const s = Math.max(0, Math.round(seconds));
  if (s < 1) return 'almost done';
  if (s < 60) return `about ${s} s left`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return m < 10 && rest ? `about ${m} min ${rest} s left` : `about ${Math.round(s / 60)} min left`;
}

function secondsText(seconds) {
  if (!Number.isFinite(seconds)) return '';
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

/** "61 visits matched, done in 2.2 s." or, cancelled or stopped, what that left. */
function summaryText(r) {
  const matched = `${plural(r.total ?? 0, 'visit', 'visits')} matched`;
  const took = secondsText(r.seconds);
  if (r.cancelled || r.stopped) {
    return `${matched}; ${r.stopped ? 'stopped' : 'cancelled'}${took ? ` after ${took}` : ''}. ` +
      'The files finished before that are complete and listed in the manifest.';
  }
  return `${matched}${took ? `, done in ${took}` : ''}.`;
}

export function createProgress({ onCancel }) {
  const bar = h('progress', { id: 'exports-bar', max: '1', value: '0', 'aria-labelledby': 'exports-progress-title' });
  const count = h('span', { id: 'exports-count', class: 'ex-count' }, 'Starting…');
  const eta = h('span', { id: 'exports-eta', class: 'ex-eta muted' });
  const file = h('p', { id: 'exports-file', class: 'ex-file mono muted' });
  const tally = h('p', { id: 'exports-tally', class: 'ex-tally muted' });
  const cancel = h('button', { id: 'exports-cancel', type: 'button', class: 'secondary', 'aria-keyshortcuts': 'Escape' },
    'Cancel');
  const cancelling = h('span', { id: 'exports-cancelling', class: 'muted', hidden: true },
    'Stopping after the files in progress…');
  const el = h('section', { id: 'exports-progress', class: 'panel ex-progress', tabindex: '-1', hidden: true,
    'aria-labelledby': 'exports-progress-title' },
  h('h2', { id: 'exports-progress-title' }, 'Exporting'),
  bar,
  h('p', { class: 'ex-line' }, count, ' ', eta), // not live: it changes up to ten times a second
  file, tally,
  h('div', { class: 'button-row' }, cancel, cancelling,
    h('span', { class: 'key-hint', 'aria-hidden': 'true' }, 'or press ', h('kbd', {}, 'Esc'))));
  cancel.addEventListener('click', () => onCancel());

  return {
    el,
    start() {
      bar.max = 1;
      bar.value = 0;
      bar.removeAttribute('value'); // indeterminate until the backend says how many
      count.textContent = 'Starting…';
      eta.textContent = '';
      file.textContent = '';
      tally.textContent = '';
      cancel.disabled = false;
      cancelling.hidden = true;
      el.hidden = false;
    },
    /** One progress message: `{ done, total, written, skipped, failed, etaSeconds, file }`. */
    update(p) {
      const total = Number(p.total) || 0;
      const done = Math.min(Number(p.done) || 0, total);
      if (total) {
        bar.max = total;
        bar.value = done;
      }
      count.textContent = `${done} of ${total}`;
      const left = done < total ? etaText(p.etaSeconds) : null;
      eta.textContent = left ? `· ${left}` : done < total ? '· estimating the time left…' : '';
      file.textContent = p.file || '';
      tally.textContent = `${p.written ?? 0} written, ${p.skipped ?? 0} skipped, ${p.failed ?? 0} failed`;
    },
    cancelling() {
      cancel.disabled = true;
      cancelling.hidden = false;
    },
    hide() {
      el.hidden = true;
    },
    get cancelButton() {
      return cancel;
    },
  };
}

function failuresTable(failed) {
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'exports-failures', class: 'data-table ex-failures' },
      h('caption', {}, plural(failed.length, 'file failed', 'files failed')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'File'),
        h('th', { scope: 'col' }, 'Visit'),
        h('th', { scope: 'col' }, 'Reason'))),
      h('tbody', {}, failed.map((f) => h('tr', { dataset: { encounterId: f.encounterId } },
        h('td', { class: 'mono' }, f.file || '—'),
        h('td', { class: 'nowrap' }, f.encounterId ? h('a', { href: `#/review/${f.encounterId}` }, `Visit ${f.encounterId}`) : '—'),
        h('td', { class: 'ex-reason' }, f.reason))))));
}

export function createResult() {
  const el = h('section', { id: 'exports-result', class: 'panel ex-result', hidden: true,
    'aria-labelledby': 'exports-result-title' });

  function figure(id, n, label, cls) {
    return h('li', { class: `ex-figure ${cls}` },
      h('span', { id, class: 'ex-figure-n' }, String(n)), h('span', { class: 'ex-figure-label' }, label));
  }

  return {
    el,
    /** The batch's report (see api.exportBatch). */
    show(r) {
      const failed = r.failed || [];
      const title = r.stopped ? 'The export stopped' : r.cancelled ? 'The export was cancelled' : 'Export finished';
      const heading = h('h2', { id: 'exports-result-title', tabindex: '-1' }, title);
      const outcome = r.stopped ? 'ex-stopped' : failed.length ? 'ex-with-failures' : r.cancelled ? 'ex-cancelled' : 'ex-ok';
      el.className = `panel ex-result ${outcome}`;
      replaceChildren(el,
        heading,
        h('ul', { id: 'exports-figures', class: 'ex-figures' },
          figure('exports-written', r.written ?? 0, 'written', r.written ? 'ex-written' : 'ex-none-written'),
          figure('exports-skipped', r.skipped ?? 0, 'skipped: already there, same record', 'ex-skipped'),
          figure('exports-failed', failed.length, 'failed', failed.length ? 'ex-failed' : 'ex-none-failed')),
        h('p', { id: 'exports-summary', class: 'ex-summary' }, summaryText(r)),
        r.stopped ? h('p', { id: 'exports-stopped', class: 'form-error', role: 'alert' }, r.stopped) : null,
        failed.length ? failuresTable(failed) : null,
        h('dl', { class: 'ex-paths' },
          h('dt', {}, 'Folder'), h('dd', { id: 'exports-result-folder', class: 'mono' }, r.folder || '—'),
          h('dt', {}, 'Manifest'), h('dd', { id: 'exports-manifest', class: 'mono' }, r.manifest || '—')));
      el.hidden = false;
      heading.focus();
    },
    hide() {
      el.hidden = true;
    },
  };
}
