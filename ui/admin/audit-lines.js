// How one audit entry reads on the audit log (ui/admin/audit.js): one line saying when,
// who (display name), what (a sentence, not the stored action word) and which patient
// (name and MRN), and its details on demand, readable: lists summarised ("63 visits",
// the ids inside), nothing said for an empty value. No DOM here: `make uitest` runs it.

/** `count(63, 'visit')` is "63 visits". */
export function count(n, noun) {
  const number = Number.isFinite(n) ? n : 0;
  return `${number} ${noun}${number === 1 ? '' : 's'}`;
}

const listOf = (value) => (Array.isArray(value) ? value : []);

/**
 * Each action the app writes: `name` for the action filter's list, and `line(detail)`
 * when the sentence on the log says more than the name.
 */
const ACTIONS = {
  'access.denied': { name: 'Was refused an action' },
  'encounter.amended': { name: 'Signed an amendment' },
  'encounter.amendment_discarded': { name: 'Discarded an amendment' },
  'encounter.amendment_started': { name: 'Started an amendment' },
  'encounter.confirmed': { name: 'Confirmed carried answers',
    line: (d) => `Confirmed ${count(listOf(d.confirmed).length, 'carried answer')}` },
  'encounter.demo_seeded': { name: 'Added a demo visit' },
  'encounter.history_viewed': { name: "Viewed an answer's history" },
  'encounter.marked_in_error': { name: 'Marked a visit in error' },
  'encounter.opened': { name: 'Opened an intake' },
  'encounter.returned': { name: 'Returned an intake to the nurse' },
  'encounter.review_opened': { name: 'Opened a review' },
  'encounter.saved': { name: 'Saved answers',
    line: (d) => {
      const written = listOf(d.written).length;
      const removed = listOf(d.removed).length;
      if (!written && removed) return `Removed ${count(removed, 'answer')}`;
      return `Saved ${count(written, 'answer')}${removed ? `, removed ${removed}` : ''}`;
    } },
  'encounter.signed': { name: 'Signed the record' },
  'encounter.started': { name: 'Started an intake' },
  'encounter.submitted': { name: 'Submitted an intake' },
  'encounter.version_viewed': { name: 'Viewed a signed version' },
  'encounter.viewed': { name: 'Viewed a visit' },
  'export.pdf': { name: 'Exported a PDF summary' },
  'export.pdf_batch': { name: 'Exported visits (batch)',
    line: (d) => `Exported ${count(listOf(d.encounters).length, 'visit')}` },
  'export.pdf_batch_started': { name: 'Started a batch export',
    line: (d) => `Started exporting ${count(Number(d.visits), 'visit')}` },
  'patient.carry_forward_viewed': { name: 'Viewed what carries forward' },
  'patient.created': { name: 'Registered a patient' },
  'patient.demo_seeded': { name: 'Added a demo patient' },
  'patient.duplicate_overridden': { name: 'Registered despite a possible duplicate' },
  'patient.history_viewed': { name: "Viewed a patient's history" },
  'patient.imported': { name: 'Imported patients',
    line: (d) => `Imported ${count(Number(d.imported), 'patient')}` },
  'patient.marked_in_error': { name: 'Marked a patient in error' },
  'patient.searched': { name: 'Searched for patients',
    line: (d) => `Searched for patients (${count(Number(d.results), 'result')})` },
  'patient.shown_as_duplicate': { name: 'Was shown a possible duplicate' },
  'patient.updated': { name: "Changed a patient's details" },
  'patient.viewed': { name: 'Opened a chart' },
  'patient.visits_listed': { name: "Listed a patient's visits" },
  'session.expired': { name: 'Session expired' },
  'session.locked': { name: 'Locked the screen' },
  'session.sign_in_failed': { name: 'Failed to sign in' },
  'session.sign_in_refused': { name: 'Was refused sign-in' },
  'session.signed_in': { name: 'Signed in' },
  'session.signed_out': { name: 'Signed out' },
  'settings.changed': { name: 'Changed the settings' },
  'template.activated': { name: 'Activated a form' },
  'template.exported': { name: 'Exported a form' },
  'template.imported': { name: 'Imported a form' },
  'template.retired': { name: 'Retired a form' },
  'user.changed': { name: 'Changed a user' },
  'user.created': { name: 'Added a user', line: (d) => (d.username ? `Added user ${d.username}` : null) },
  'user.disabled': { name: 'Disabled a user', line: (d) => (d.username ? `Disabled ${d.username}` : null) },
  'user.enabled': { name: 'Enabled a user', line: (d) => (d.username ? `Enabled ${d.username}` : null) },
  'user.locked_out': { name: 'Was locked out' },
  'user.password_change_failed': { name: 'Failed to change their password' },
  'user.password_changed': { name: 'Changed their password' },
  'user.password_reset': { name: 'Reset a password' },
};

/** "some.new_thing" reads "Some: new thing" until it has its own name. */
function fallbackName(action) {
  const [group, ...rest] = String(action || '').split('.');
  const words = rest.join(' ').replace(/_/g, ' ');
  const head = group ? group[0].toUpperCase() + group.slice(1) : '';
  return words ? `${head}: ${words}` : head || 'Unknown action';
}

/** The action's name for the filter list. */
export function actionName(action) {
  return ACTIONS[action]?.name ?? fallbackName(action);
}

/** The sentence the log shows for this entry. */
export function actionLine(action, detail) {
  const known = ACTIONS[action];
  const d = detail && typeof detail === 'object' && !Array.isArray(detail) ? detail : {};
  return known?.line?.(d) ?? actionName(action);
}

/** The actions for the filter: `[value, name]`, by name. */
export function actionOptions(actions) {
  return actions.map((a) => [a, actionName(a)]).sort((x, y) => x[1].localeCompare(y[1]));
}

const LABELS = {
  encounters: ['Visits', 'visit'],
  written: ['Answers written', 'answer'],
  removed: ['Answers removed', 'answer'],
  confirmed: ['Answers confirmed', 'answer'],
  statuses: ['Statuses', 'status'],
  failed: ['Failed', 'file'],
  keys: ['Answers', 'answer'],
  pdfSha256: ['PDF SHA-256'],
  recordSha256: ['Record SHA-256'],
};

/** `skippedDuplicates` reads "Skipped duplicates". */
function label(key) {
  const known = LABELS[key]?.[0];
  if (known) return known;
  const words = String(key).replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const empty = (v) => v === null || v === undefined || v === '' ||
  (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length);

function text(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(text).join(', ');
  return Object.entries(value).filter(([, v]) => !empty(v)).map(([k, v]) => `${label(k)}: ${text(v)}`).join('; ');
}

/**
 * The details as `{ label, text, items? }`: a list is summarised in `text` ("63 visits")
 * with its values in `items`; an object is one row per field (`Before`, `After`); empty
 * values (null, '', {}) are left out.
 */
export function detailRows(detail) {
  if (empty(detail)) return [];
  if (typeof detail !== 'object') return [{ label: 'Detail', text: text(detail) }];
  if (Array.isArray(detail)) return [{ label: 'Items', text: count(detail.length, 'item'), items: detail.map(text) }];
  const rows = [];
  for (const [key, value] of Object.entries(detail)) {
    if (empty(value)) continue;
    if (Array.isArray(value)) {
      if (!value.length) continue;
      const noun = LABELS[key]?.[1] ?? 'item';
      rows.push({ label: label(key), text: count(value.length, noun), items: value.map(text) });
    } else {
      rows.push({ label: label(key), text: text(value) });
    }
  }
  return rows;
}

/** "Lovelace, Ada · MRN 000003-4", or the bare id when the patient is not found. */
export function patientText(entry) {
  if (entry.patient) return `${entry.patient.name} · MRN ${entry.patient.mrn}`;
  if (entry.patientId !== null && entry.patientId !== undefined) return `Patient #${entry.patientId} (not found)`;
  return '';
}

const ENTITIES = { encounter: 'Visit', user: 'User', template: 'Form', patient: 'Patient' };

/** What else the entry is about ("Visit 263"), when it is not just the patient. */
export function subjectText(entry) {
  const id = entry.entityId;
  if (id === null || id === undefined || id === '') return '';
  if (entry.entity === 'patient' && entry.patient) return '';
  const name = ENTITIES[entry.entity];
  return name ? `${name} ${id}` : '';
}

/**
 * One line of the log: `{ seq, at, who, whoTitle, what, patient, subject, details }`;
 * `formatTime(rfc3339)` writes the time as the screens do.
 */
export function describeEntry(entry, formatTime = (t) => t) {
  return {
    seq: entry.seq,
    at: formatTime(entry.at),
    who: entry.actorName || entry.actor || '—',
    whoTitle: entry.actorName ? entry.actor : '',
    what: actionLine(entry.action, entry.detail),
    action: entry.action,
    patient: patientText(entry),
    subject: subjectText(entry),
    details: detailRows(entry.detail),
  };
}
