// Settings (admin): the clinic name, the screen-lock timeout, how dates are typed and the
// paper size of PDF summaries (A4 or Letter). The timeout is typed in
// minutes (decimals allowed) and sent in whole seconds; the line under it says exactly
// how many seconds will be saved. Limits are the backend's, shown at the field.
// "Review: notable findings" holds the thresholds that flag a finding on the review
// (weight change within an interval, blood pressure, SpO2, pulse, temperature, and whether
// medication and allergy changes are flagged); they are sent together and the backend
// refuses a bad number at its field, changing nothing. "Backups" sets the folder of the
// daily backup of this workstation's database and how many to keep, and says when the
// last was made (or why none is: off, the folder unreachable, the clinic server).

import * as api from '../api.js';
import { h, pageScreen, notice } from '../shared/dom.js';
import { field, formError, formState, onSubmit, selectField } from '../shared/forms.js';
import { formatDateTime } from '../patients/fields.js';

function minutesToSeconds(text) {
  const minutes = Number(String(text).trim().replace(',', '.'));
  return String(text).trim() === '' || !Number.isFinite(minutes) ? null : Math.round(minutes * 60);
}

function secondsToMinutes(seconds) {
  return String(Math.round((seconds / 60) * 1000) / 1000);
}

function describeSeconds(seconds) {
  if (seconds === null) return 'Enter a number of minutes.';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const parts = [m ? `${m} min` : null, s ? `${s} s` : null].filter(Boolean).join(' ') || '0 s';
  return `Locks after ${parts} without activity (${seconds} seconds).`;
}

export function render({ settingsSaved }) {
  const note = notice('settings-notice');
  const clinic = field({ id: 'settings-clinic-name', label: 'Clinic name',
    hint: 'Shown on the sign-in screen and on exported summaries.' });
  const timeout = field({ id: 'settings-session-timeout', label: 'Lock the screen after (minutes)',
    type: 'number', hint: ' ', attrs: { step: 'any', min: '0', inputmode: 'decimal' } });
  const seconds = timeout.hint; // says how many seconds will be saved, as the person types
  const showSeconds = () => { seconds.textContent = describeSeconds(minutesToSeconds(timeout.input.value)); };
  timeout.input.addEventListener('input', showSeconds);

  const dateOrder = selectField({ id: 'settings-date-order', label: 'How dates are written and typed',
    options: [
      ['dmy', 'Day first: 07/03/1984'],
      ['mdy', 'Month first: 03/07/1984'],
    ],
    hint: 'On every screen and in every date field; ISO dates (1984-03-07) are always accepted. PDFs and exports write 7 Mar 1984 and ISO.' });
  const hourCycle = selectField({ id: 'settings-hour-cycle', label: 'Times',
    options: [
      ['24', '24 hours: 21:05'],
      ['12', '12 hours: 9:05 PM'],
    ] });
  const timeZone = field({ id: 'settings-time-zone', label: 'Time zone of the clinic',
    hint: 'Where the clinic’s days begin and end (visit dates, exports, reports). An IANA name such as America/New_York or Europe/Paris; leave empty for this workstation’s zone.',
    attrs: { spellcheck: 'false', autocapitalize: 'off' } });

  const paperSize = selectField({ id: 'settings-paper-size', label: 'Paper size for PDF summaries',
    options: [
      ['a4', 'A4 (210 × 297 mm)'],
      ['letter', 'Letter (8.5 × 11 in)'],
    ],
    hint: 'Used for every PDF exported from now on; the clinic name heads each page.' });

  const num = (id, label, hint) => field({ id, label, type: 'number', hint,
    attrs: { step: 'any', inputmode: 'decimal', class: 'settings-number' } });
  const thresholds = {
    weightChange: num('settings-weight-change', 'Weight change of at least', null),
    weightChangeUnit: selectField({ id: 'settings-weight-change-unit', label: 'Measured in',
      options: [['percent', 'percent of the last weight'], ['kg', 'kg']] }),
    weightChangeDays: num('settings-weight-change-days', 'Since a visit at most this many days ago',
      'A change against an older visit is not flagged (183 days is about 6 months).'),
    systolicAtLeast: num('settings-systolic', 'Systolic blood pressure at or above (mmHg)', null),
    diastolicAtLeast: num('settings-diastolic', 'or diastolic at or above (mmHg)', null),
    spo2Below: num('settings-spo2', 'SpO2 below (%)', null),
    pulseBelow: num('settings-pulse-below', 'Pulse below (/min)', null),
    pulseAbove: num('settings-pulse-above', 'or pulse above (/min)', null),
    temperatureAtLeast: num('settings-temperature', 'Temperature at or above (°C)', null),
  };
  const flag = (id, label) => {
    const input = h('input', { id, name: id, type: 'checkbox' });
    return { input, wrap: h('div', { class: 'field field-check' }, input, h('label', { for: id }, label)), setError() {} };
  };
  const medicationChanges = flag('settings-medication-changes', 'Flag every new, stopped or changed medication');
  const allergyChanges = flag('settings-allergy-changes', 'Flag every new, removed or changed allergy');
  const fieldsetOf = (legend, ...children) => h('fieldset', { class: 'settings-group' }, h('legend', {}, legend), ...children);
  const review = h('section', { id: 'settings-review', class: 'stack', 'aria-labelledby': 'settings-review-title' },
    h('h2', { id: 'settings-review-title' }, 'Review: notable findings'),
    h('p', { class: 'field-hint' }, 'A finding that meets one of these is flagged "Notable" and listed first on the review.'),
    fieldsetOf('Weight', h('div', { class: 'settings-row' }, thresholds.weightChange.wrap, thresholds.weightChangeUnit.wrap),
      thresholds.weightChangeDays.wrap),
    fieldsetOf('Blood pressure', h('div', { class: 'settings-row' }, thresholds.systolicAtLeast.wrap, thresholds.diastolicAtLeast.wrap)),
    fieldsetOf('Pulse, SpO2 and temperature', h('div', { class: 'settings-row' }, thresholds.pulseBelow.wrap, thresholds.pulseAbove.wrap),
      h('div', { class: 'settings-row' }, thresholds.spo2Below.wrap, thresholds.temperatureAtLeast.wrap)),
    fieldsetOf('Medications and allergies', medicationChanges.wrap, allergyChanges.wrap));

  const backupFolder = field({ id: 'settings-backup-folder', label: 'Daily backup folder',
    hint: 'The whole path of a folder on another drive or a network share (for example /media/backup/intake). Intake Desk copies this workstation’s database there once a day while it is open; leave empty to make none.',
    attrs: { spellcheck: 'false', autocapitalize: 'off' } });
  const backupKeep = field({ id: 'settings-backup-keep', label: 'Backups to keep', type: 'number',
    hint: 'The oldest beyond this number are removed (1 to 365).', attrs: { step: '1', min: '1', max: '365', inputmode: 'numeric' } });
  const backupState = h('p', { id: 'settings-backup-status', class: 'field-hint', role: 'status' }, '');
  const backups = h('section', { id: 'settings-backups', class: 'stack', 'aria-labelledby': 'settings-backups-title' },
    h('h2', { id: 'settings-backups-title' }, 'Backups'), backupState, backupFolder.wrap, backupKeep.wrap);
  let onServer = false;
  function showBackups() {
    api.backupStatus().then((s) => {
      onServer = s.onServer;
      backupFolder.wrap.hidden = onServer;
      backupKeep.wrap.hidden = onServer;
      backupState.classList.toggle('form-error', Boolean(s.warning));
      backupState.textContent = s.onServer
        ? 'This clinic’s records are on the clinic server: it is backed up with PostgreSQL’s own tools (pg_dump, a standby), not by the app.'
        : s.warning
          || (!s.folder ? 'Daily backups are off: set a folder below.'
            : s.newestAt ? `Last backup ${formatDateTime(s.newestAt)}: ${s.newest} (${s.count} kept in the folder).`
              : 'No backup in the folder yet.');
    }, (err) => { backupState.textContent = `The backups could not be checked: ${err.message}`; });
  }

  const submit = h('button', { id: 'settings-submit', type: 'submit', class: 'primary', disabled: true }, 'Save');
  const errorEl = formError('settings-error');
  const form = h('form', { id: 'settings-form', class: 'stack narrow' },
    clinic.wrap, timeout.wrap, dateOrder.wrap, hourCycle.wrap, timeZone.wrap, paperSize.wrap, review, backups, errorEl, h('div', { class: 'button-row' }, submit));
  const state = formState({ errorEl, submit, fields: { clinicName: clinic, sessionTimeoutSeconds: timeout, dateOrder, hourCycle, timeZone, paperSize, backupFolder, backupKeep,
    ...thresholds, medicationChanges, allergyChanges } });

  /** A typed number, or null (the backend names the field: "Enter a number."). */
  const numberOf = (input) => {
    const text = String(input.value).trim().replace(',', '.');
    const n = Number(text);
    return text === '' || !Number.isFinite(n) ? null : n;
  };

  function fill(settings) {
    clinic.input.value = settings.clinicName || '';
    timeout.input.value = secondsToMinutes(settings.sessionTimeoutSeconds);
    dateOrder.input.value = settings.dateOrder || 'dmy';
    hourCycle.input.value = settings.hourCycle === '12' ? '12' : '24';
    timeZone.input.value = settings.timeZoneSet ? settings.timeZone : '';
    timeZone.input.placeholder = settings.timeZoneSet ? '' : `${settings.timeZone || 'this workstation’s zone'} (this workstation’s)`;
    paperSize.input.value = settings.paperSize || 'a4';
    const t = settings.reviewThresholds || {};
    for (const [name, f] of Object.entries(thresholds)) f.input.value = t[name] ?? '';
    medicationChanges.input.checked = t.medicationChanges !== false;
    allergyChanges.input.checked = t.allergyChanges !== false;
    backupFolder.input.value = settings.backupFolder || '';
    backupKeep.input.value = String(settings.backupKeep ?? 14);
    showSeconds();
  }

  onSubmit(form, state, async () => {
    state.clear();
    note.clear();
    const sessionTimeoutSeconds = minutesToSeconds(timeout.input.value);
    if (sessionTimeoutSeconds === null) {
      state.fieldError('sessionTimeoutSeconds', 'Enter the number of minutes, for example 10 or 2.5.');
      return;
    }
    try {
      const saved = await api.updateSettings({
        clinicName: clinic.input.value,
        sessionTimeoutSeconds,
        dateOrder: dateOrder.input.value,
        hourCycle: hourCycle.input.value,
        timeZone: timeZone.input.value.trim(),
        paperSize: paperSize.input.value,
        reviewThresholds: {
          ...Object.fromEntries(Object.entries(thresholds).map(([name, f]) =>
            [name, name === 'weightChangeUnit' ? f.input.value : numberOf(f.input)])),
          medicationChanges: medicationChanges.input.checked,
          allergyChanges: allergyChanges.input.checked,
        },
        ...(onServer ? {} : { backupFolder: backupFolder.input.value.trim(), backupKeep: numberOf(backupKeep.input) }),
      });
      fill(saved);
      settingsSaved(saved);
      showBackups();
      note.success('Settings saved.');
    } catch (err) {
      state.show(err);
    }
  });

  // Where the records live: this workstation's file or the clinic server, and its state.
  const database = h('section', { class: 'panel narrow-panel', id: 'settings-database', 'aria-labelledby': 'settings-database-title' },
    h('h2', { id: 'settings-database-title' }, 'Database'),
    h('p', { id: 'settings-database-where' }, '…'),
    h('p', { id: 'settings-database-detail', class: 'muted' }, ''));
  api.appStatus().then(
    (status) => {
      database.querySelector('#settings-database-where').textContent = status.database;
      database.querySelector('#settings-database-detail').textContent = status.databaseDetail;
    },
    (err) => note.error(err.message),
  );

  showBackups();
  api.getSettings().then(
    (settings) => {
      fill(settings);
      submit.disabled = false;
    },
    (err) => note.error(err.message),
  );

  return pageScreen(
    'settings',
    {},
    h('h1', {}, 'Settings'),
    note.el,
    h('section', { class: 'panel narrow-panel' }, form),
    database,
  );
}
