// The one door to the backend.
//
// Every Tauri command the UI uses is a function here; no other module calls `invoke`.
// The session token lives in this module's memory only (never in storage), is added to
// the calls that need it, and is forgotten on sign-out, on lock and when the backend says
// the session is gone. Every failure becomes an `ApiError` with a closed `code`.
// This module holds no business rule: the backend validates and decides.

const CODES = new Set(['validation', 'not_found', 'conflict', 'forbidden', 'unauthenticated', 'internal']);

/** The one error type views see. `field` names the input the backend refused, if any. */
export class ApiError extends Error {
  constructor(code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

let token = null;
let unauthenticatedListener = null;

/** Called (once per lost session) when a call made while signed in fails as unauthenticated. */
export function onUnauthenticated(listener) {
  unauthenticatedListener = listener;
}

export function isSignedIn() {
  return token !== null;
}

function toApiError(raw) {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === 'object' && typeof raw.code === 'string') {
    const code = CODES.has(raw.code) ? raw.code : 'internal';
    const message = typeof raw.message === 'string' && raw.message ? raw.message : 'Something went wrong.';
    return new ApiError(code, message, typeof raw.field === 'string' ? raw.field : null);
  }
  // Tauri itself rejects with a plain string (unknown command, bad arguments).
  const message = typeof raw === 'string' ? raw : raw?.message || 'Something went wrong.';
  return new ApiError('internal', message);
}

async function call(cmd, args = {}, { withToken = true } = {}) {
  const invoke = window.__TAURI__?.core?.invoke;
  if (!invoke) throw new ApiError('internal', 'The Intake Desk backend is not available.');
  const usedToken = token;
  if (withToken && usedToken === null) throw new ApiError('unauthenticated', 'You are not signed in.');
  try {
    return await invoke(cmd, withToken ? { ...args, token: usedToken } : args);
  } catch (raw) {
    const err = toApiError(raw);
    // An error naming a field is about what was typed (a wrong current password), not
    // about the session. Only the session the call used counts: a stale call from before
    // an unlock must not lock the new session.
    if (err.code === 'unauthenticated' && withToken && !err.field && token === usedToken) {
      token = null;
      unauthenticatedListener?.(err);
    }
    throw err;
  }
}

// Start-up and sessions.

export const appStatus = () => call('app_status', {}, { withToken: false });

export const createFirstAdmin = (username, displayName, password) =>
  call('create_first_admin', { username, displayName, password }, { withToken: false });

/** Signs in and keeps the token. Resolves to `{ user, sessionTimeoutSeconds, sections }`. */
export async function signIn(username, password) {
  const result = await call('sign_in', { username, password }, { withToken: false });
  token = result.token;
  return {
    user: result.user,
    sessionTimeoutSeconds: result.sessionTimeoutSeconds,
    sections: result.sections,
    recordCheck: result.recordCheck,
    backupWarning: result.backupWarning,
    dates: result.dates,
  };
}

/** Ends the session; the token is forgotten even when the backend call fails. */
export async function signOut() {
  const used = token;
  token = null;
  if (used === null) return;
  try {
    await window.__TAURI__?.core?.invoke('sign_out', { token: used });
  } catch {
    // The session is gone from this window either way.
  }
}

/** Ends the session because of inactivity (the backend audits it). Never throws. */
export async function lockSession() {
  const used = token;
  token = null;
  if (used === null) return;
  try {
    await window.__TAURI__?.core?.invoke('lock_session', { token: used });
  } catch {
    // Locking must never fail in front of the user; the session expires anyway.
  }
}

export const whoami = () => call('whoami');

export const changePassword = (currentPassword, newPassword) =>
  call('change_password', { currentPassword, newPassword });

// Users (admin).

export const listUsers = () => call('list_users');
export const createUser = (user) => call('create_user', { user });
export const setUserActive = (username, active) => call('set_user_active', { username, active });
export const resetPassword = (username, newPassword) => call('reset_password', { username, newPassword });

// Audit log (admin).

export const listAudit = (filter) => call('list_audit', { filter });
/** Every action the log holds (for the action filter), alphabetical. */
export const listAuditActions = () => call('list_audit_actions');
export const verifyAudit = () => call('verify_audit');

// Settings (admin).

export const getSettings = () => call('get_settings');
export const updateSettings = (settings) => call('update_settings', { settings });
export const backupStatus = () => call('backup_status');

// The window (src-tauri/closing.rs): a close request is answered by the page.
export const closeRequestHeard = (number) => call('close_request_heard', { number }, { withToken: false });
export const closeWindow = () => call('close_window', {}, { withToken: false });

// Patients. Saving answers `{ patient, duplicates }`: with likely duplicates and no
// patient, nothing was saved; sending again with a `duplicateReason` saves anyway.

export const searchPatients = (query) => call('search_patients', { query });
export const getPatient = (id) => call('get_patient', { id });
export const patientHistory = (id) => call('patient_history', { id });
export const registerPatient = (patient, duplicateReason = null) =>
  call('register_patient', { patient, duplicateReason });
export const updatePatient = (id, version, patient, duplicateReason = null) =>
  call('update_patient', { id, version, patient, duplicateReason });
export const markPatientInError = (id, version, reason) => call('mark_patient_in_error', { id, version, reason });
/** Merges chart `id` (the duplicate) into chart `into`; answers the surviving chart. */
export const mergePatients = (id, into, reason) => call('merge_patients', { id, into, reason });
/** Undoes the merge of chart `id` (the same day); answers that chart. */
export const unmergePatient = (id) => call('unmerge_patient', { id });

// Forms (templates). Every role may list; importing, activating, retiring and exporting
// are the administrator's. A template is `{ slug, version, title, status, report, ... }`.

export const listTemplates = () => call('list_templates');
/** Opens the backend's file dialog and imports the chosen form; null when cancelled. */
export const importTemplateFile = () => call('import_template_file', {});
export const setTemplateStatus = (slug, version, status) => call('set_template_status', { slug, version, status });
/** Opens the backend's save dialog and writes the form; the file's name, or null when cancelled. */
export const exportTemplateFile = (slug, version) => call('export_template_file', { slug, version });

// Intakes (encounters). Without a slug the backend starts the built-in general adult
// intake. A save sends `changes` ({ key, values, baseRev, remove? }) and the section the
// person is in; it fails as a whole with code `conflict` when another window wrote a key.

export const startIntake = (patientId, slug = null, version = null) =>
  call('start_intake', { patientId, slug, version });
export const listEncounters = ({ patientId = null, status = null } = {}) =>
  call('list_encounters', { patientId, status });
export const openIntake = (encounterId) => call('open_intake', { encounterId });
/** Saves changes; `saveId` names this save, the same when it is sent again after a failure. */
export const saveIntake = (encounterId, changes, section = null, saveId = null) =>
  call('save_intake', { encounterId, changes, section, saveId });
export const submitIntake = (encounterId) => call('submit_intake', { encounterId });
export const confirmIntake = (encounterId, confirms) => call('confirm_intake', { encounterId, confirms });

// Review (physician; admins view and mark in error). Every action on a record sends the
// `recordHash` of the version the person saw, and is refused as a conflict ("changed
// since you opened it") when the record changed since. Each answers the fresh review.

export const reviewQueue = ({ from = null, to = null, submittedBy = null } = {}) =>
  call('review_queue', { from, to, submittedBy });
export const reviewCount = () => call('review_count');
export const openReview = (encounterId) => call('open_review', { encounterId });
export const signIntake = (encounterId, recordHash) => call('sign_intake', { encounterId, recordHash });
export const returnIntake = (encounterId, comment, recordHash) =>
  call('return_intake', { encounterId, comment, recordHash });
export const startAmendment = (encounterId, reason, recordHash) =>
  call('start_amendment', { encounterId, reason, recordHash });
export const discardAmendment = (encounterId) => call('discard_amendment', { encounterId });
export const markInError = (encounterId, reason) => call('mark_in_error', { encounterId, reason });
export const recordVersion = (encounterId, version) => call('record_version', { encounterId, version });
export const answerHistory = (encounterId) => call('answer_history', { encounterId });

// Outcomes (admin): per week and per intake, answers carried vs typed and minutes to
// complete, for the intakes submitted from `from` to `to` (YYYY-MM-DD, both included).

export const outcomesReport = (from, to) => call('outcomes_report', { from, to });

// PDF summaries. A single export (physician, admin) writes one visit's summary to `path`
// and answers `{ path, fileName, bytes, pages, pdfSha256, recordSha256, status }`; its
// default file name (`YYYY-MM-DD_MRN_visit-ID.pdf`, already sanitised) comes from the
// backend. A batch (admin) exports the visits dated `from`..`to` (YYYY-MM-DD, both
// included) with one of `statuses` into `folder`, calls `onProgress({ done, total,
// written, skipped, failed, etaSeconds, file })` as it goes (through a Tauri Channel) and
// resolves when it ends with its report (written, skipped, failed, cancelled, stopped,
// manifest). `cancelExport` asks the running batch to stop; false when none runs.

/** Opens the backend's save dialog and writes the visit's summary; null when cancelled. */
export const exportPdf = (encounterId) => call('export_pdf', { encounterId });
/** The backend's folder dialog for a batch; the chosen folder, or null. */
export const chooseExportFolder = () => call('choose_export_folder', {});
/** Whether a typed batch folder exists (true) or may be created (false); with `create`, creates it. */
export const prepareExportFolder = (folder, create) => call('prepare_export_folder', { folder, create });
/** How many visits a batch of `from`..`to` with `statuses` would export now. */
export const countExport = ({ from, to, statuses }) => call('count_export', { from, to, statuses });
// Cancelling needs the session of the user who started the batch (another user is
// refused and the batch runs on); it stops the batch this window runs.
export const cancelExport = () => call('cancel_export', {});

export function exportBatch({ from, to, statuses, folder }, onProgress) {
  const Channel = window.__TAURI__?.core?.Channel;
  if (!Channel) return Promise.reject(new ApiError('internal', 'The Intake Desk backend is not available.'));
  const channel = new Channel();
  channel.onmessage = (message) => onProgress?.(message);
  return call('export_batch', { from, to, statuses, folder, onProgress: channel });
}
