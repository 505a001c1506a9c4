// Intake (#/intake/<encounterId>): one patient's intake form, filled section by section.
//
// The header names the patient, the form and its status, and says whether the last
// change is saved (#intake-saved). The left column lists the sections with their counts
// (panels.js); the main column shows one section (editor.js, the view of state.js).
// Every change is saved as it is made (saver.js), one save at a time; when another window
// changed the same answer, nothing is saved, the intake is reloaded and #intake-conflict
// says what was not saved. "Submit intake" (Ctrl+Enter) saves what is typed and submits;
// when problems block it, #intake-problems lists them, each leading to its field. A
// submitted intake (or one the role may only read) shows every field read-only, with
// the way to its record (#/review/<id>). A draft the physician returned shows their
// comment at the top; during an amendment a banner says what it is for, and Ctrl+Enter
// (the header's button) goes to the review screen, where the amendment is signed
// (review-banners.js). A changed value bound to the patient record offers to update the
// record (record-prompt.js). Who is named how comes with the opened intake (`people`) and
// stays with this screen.

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { createCarryBanner, createChangesPanel } from './carry.js';
import { createEditor } from './editor.js';
import { valueText } from './model.js';
import { createProblemsPanel, createSectionNav, createShortcuts } from './panels.js';
import { createRecordPrompt } from './record-prompt.js';
import { createReviewBanners } from './review-banners.js';
import { createSaver } from './saver.js';
import * as unsaved from '../shared/unsaved.js';
import { isAltLetter, onScreenKey } from '../shared/keys.js';
import { formatDateTime, formatTime } from '../shared/dates.js';
import { namesFrom, setStatusBadge } from '../review/format.js';

/** When a save landed: the clinic's clock, with seconds (saves come seconds apart). */
const clockTime = (rfc3339) => formatTime(rfc3339, { seconds: true });

/** True when keys typed at `el` are text (so "?" is a character, not a shortcut). */
function isTyping(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !['radio', 'checkbox', 'button', 'submit', 'reset'].includes(el.type);
}

/** "Allergies › Substance (Allergy 1): “Latex”" for a change that was not saved. */
function lostText(change, describe) {
  const where = describe(change.key);
  if (change.remove) return `${where}: the row removal`;
  const shown = change.values.map(valueText).filter(Boolean).join(', ');
  return shown ? `${where}: “${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}”` : `${where} (cleared)`;
}

export function render({ encounterId, go, session }) {
  const name = h('h1', { id: 'intake-patient' }, 'Loading intake…');
  const mrn = h('span', { id: 'intake-mrn', class: 'mono' });
  const formName = h('span', { id: 'intake-form' });
  const status = h('span', { id: 'intake-status', class: 'badge' });
  const started = h('span', { id: 'intake-started', class: 'muted' });
  const summary = h('p', { class: 'patient-summary intake-summary', hidden: true },
    h('span', {}, 'MRN ', mrn), h('span', {}, formName), h('span', {}, status), started);
  const saved = h('p', { id: 'intake-saved', class: 'intake-saved', role: 'status' });
  const shortcutsButton = h('button', { id: 'intake-shortcuts-toggle', type: 'button', class: 'secondary',
    'aria-controls': 'intake-shortcuts', 'aria-expanded': 'false', 'aria-keyshortcuts': 'F1' }, 'Shortcuts (F1)');
  const submitButton = h('button', { id: 'intake-submit', type: 'button', class: 'primary', disabled: true,
    'aria-keyshortcuts': 'Control+Enter' }, 'Submit intake');
  const backLink = h('a', { id: 'intake-back', class: 'back-link', href: '#/intake' }, '‹ Intake');
  const note = notice('intake-notice');
  const readOnlyBanner = h('div', { id: 'intake-readonly', class: 'info-banner', role: 'status', hidden: true });
  // A signed visit that no longer matches its signature (changed outside the app).
  const differs = h('div', { id: 'intake-differs', class: 'error-banner', role: 'alert', hidden: true });
  const conflictText = h('p', { class: 'conflict-text' });
  const conflict = h('div', { id: 'intake-conflict', class: 'error-banner conflict-banner', role: 'alert',
    tabindex: '-1', hidden: true }, conflictText,
  h('button', { type: 'button', class: 'secondary small', id: 'intake-conflict-dismiss',
    on: { click: () => { conflict.hidden = true; editor.focusFirstField(); } } }, 'Dismiss'));
  const main = h('div', { id: 'intake-main', class: 'intake-main' });
  const shortcuts = createShortcuts({ onToggle: (open) => shortcutsButton.setAttribute('aria-expanded', String(open)) });
  const nav = createSectionNav({ onPick: (id) => editor.showSection(id) });
  const problemsPanel = createProblemsPanel({
    describe: (p) => editor.describe(p.key),
    sectionOf: (p) => editor.sectionOfKey(p.key),
    onPick: (p) => editor.goTo(p.key),
    onOpenSection: (id) => editor.openToConfirm(id),
  });
  const carryBanner = createCarryBanner();
  const changesPanel = createChangesPanel();
  const recordPrompt = createRecordPrompt({
    patientId: () => encounter?.patientId ?? null,
    item: (linkId) => editor.state.index?.get(linkId),
    siblings: (linkId) => {
      const index = editor.state.index;
      const parent = index?.ancestors(linkId).at(-1);
      return (parent ? index.get(parent)?.items : null) || [];
    },
    valueOf: (linkId) => editor.state.answers.get(editor.state.index.key([], linkId))?.values || [],
    describe: (key) => editor.describe(key),
    updated: (text) => note.success(text),
  });
  const reviewBanners = createReviewBanners({ onReview: toReview });
  const body = h('div', { class: 'intake-columns', hidden: true },
    h('div', { class: 'intake-side' }, nav.el, changesPanel.el), main);

  let encounter = null;
  let names = namesFrom({}); // the opened intake's people (user name → display name)
  let submitting = false;
  let reloading = false;

  function setSaved(kind, text) {
    saved.className = `intake-saved saved-${kind}`;
    saved.textContent = text;
  }

  const saver = createSaver({
    save: (changes, section, saveId) => api.saveIntake(encounterId, changes, section, saveId),
    onBusy: (busy) => { if (busy) setSaved('busy', 'Saving…'); },
    onSaved(result) {
      editor.applySaved(result);
      showEncounter(result.encounter);
      changesPanel.update(result.changes, editor.describe);
      recordPrompt.offer(result.answers || []);
      const unsent = editor.allProblems().filter((p) => editor.isLocal(p)).length;
      if (unsent) setSaved('error', `Saved ${clockTime(result.savedAt)}; ${unsent === 1 ? '1 field' : `${unsent} fields`} not saved`);
      else setSaved('ok', `Saved ${clockTime(result.savedAt)}`);
    },
    onConflict(err, lost) {
      const labels = lost.map((c) => lostText(c, editor.describe)).filter(Boolean);
      conflictText.textContent = `${err.message}${labels.length ? ` Not saved: ${labels.join('; ')}.` : ''}` +
        ' The intake was reloaded with the latest answers.';
      conflict.hidden = false;
      setSaved('error', 'Not saved: changed in another window');
      // Left while the save waited: the window says it, wherever the person is now.
      if (!main.isConnected) unsaved.report(`${encounter?.patientName || 'An intake'}: ${conflictText.textContent}`);
      else reload();
    },
    onRefused(err, key, values) {
      editor.refuse(key, err.message, values);
      setSaved('error', `Not saved: ${err.message}`);
    },
    onFailed(err, { waiting, retryInMs }) {
      const what = waiting === 1 ? '1 change not saved yet' : `${waiting} changes not saved yet`;
      setSaved('error', retryInMs === null
        ? `${what}: ${err.message} They are sent after you sign in.`
        : `${what}, retrying in ${Math.round(retryInMs / 1000)} s: ${err.message}`);
    },
  });

  // The lock screen sends what waits first and holds the rest for this user.
  const route = `intake/${encounterId}`;
  unsaved.register({
    username: session?.user?.username,
    route,
    get label() {
      return encounter?.patientName ? `${encounter.patientName}'s intake` : 'an intake';
    },
    flush: () => saver.flush(),
    waitingCount: () => saver.unsavedCount,
    pause: () => saver.pause(),
    resume: () => saver.resume(),
  });

  const editor = createEditor({
    main,
    saver,
    onChange: () => {
      nav.update(editor.navEntries());
      problemsPanel.update(editor.allProblems());
    },
    onEnterPastEnd: () => submitButton.focus(),
    onDiscard: (dropped) => setSaved('error',
      `Not saved: ${dropped.map(([key, message]) => `${editor.describe(key)} (${message})`).join('; ')}`),
    onConfirm: confirmKeys,
  });

  /** Confirms carried values (after every pending change is saved); `then()` puts focus. */
  async function confirmKeys(keys, then) {
    if (!encounter || encounter.readOnly || !keys.length) return;
    editor.commitAll();
    const flushed = await saver.flush();
    if (!flushed.ok) return;
    const confirms = editor.confirmations(keys);
    setSaved('busy', 'Confirming…');
    try {
      const result = await api.confirmIntake(encounterId, confirms);
      editor.applySaved(result);
      showEncounter(result.encounter);
      changesPanel.update(result.changes, editor.describe);
      problemsPanel.update(editor.allProblems());
      const n = result.answers.length;
      setSaved('ok', `Confirmed ${n === 1 ? '1 value' : `${n} values`} · saved ${clockTime(result.savedAt)}`);
      then();
    } catch (err) {
      if (err.code === 'conflict') {
        conflictText.textContent = `${err.message} The intake was reloaded with the latest answers.`;
        conflict.hidden = false;
        setSaved('error', 'Not confirmed: changed in another window');
        reload();
      } else setSaved('error', `Not confirmed: ${err.message}`);
    }
  }

  function showEncounter(e) {
    encounter = e;
    name.textContent = e.patientName || 'Intake';
    mrn.textContent = e.mrn;
    formName.textContent = `${e.templateTitle} · version ${e.templateVersion}`;
    setStatusBadge(status, e.status);
    started.textContent = `Started ${formatDateTime(e.startedAt)} by ${names.person(e.startedBy)}`;
    summary.hidden = false;
    backLink.href = `#/patients/${e.patientId}`;
    backLink.textContent = `‹ ${e.patientName || 'Patient'}`;
    submitButton.hidden = e.readOnly;
    submitButton.disabled = e.readOnly || submitting;
    submitButton.textContent = e.amending ? 'Review and sign' : 'Submit intake';
    readOnlyBanner.hidden = !e.readOnly;
    const record = e.status === 'draft' ? null
      : h('a', { id: 'intake-open-record', href: `#/review/${e.id}` }, 'Open the record and its history');
    const signedLine = names.signedText(e);
    replaceChildren(readOnlyBanner, e.submittedAt
      ? [h('strong', {}, `Submitted on ${formatDateTime(e.submittedAt)} by ${names.person(e.submittedBy)}`),
        signedLine ? `; ${signedLine.charAt(0).toLowerCase()}${signedLine.slice(1)}` : '', '; read-only. ', record]
      : [h('strong', {}, 'Read-only:'), ' your role can view this intake but not change it. ', record]);
    reviewBanners.show(e, names);
  }

  /** During an amendment: saves what is typed, then the review screen (to sign it). */
  async function toReview() {
    if (!encounter?.amending) return;
    editor.commitAll();
    const flushed = await saver.flush();
    if (!flushed.ok) {
      if (flushed.error?.code !== 'conflict') note.error(`The last changes could not be saved. ${flushed.error?.message || ''}`);
      return;
    }
    go(`review/${encounterId}`);
  }

  async function reload() {
    if (reloading) return;
    reloading = true;
    try {
      show(await api.openIntake(encounterId), editor.state.current);
      conflict.focus();
    } catch (err) {
      note.error(err.message);
    } finally {
      reloading = false;
    }
  }

  async function load() {
    // Changes made here before, left waiting, go in first (or are said to wait).
    if (unsaved.waitingElsewhere().some((w) => w.route === route)) {
      setSaved('busy', 'Sending the changes made here before…');
      const left = await unsaved.settle(route);
      if (left === 1) note.error('1 earlier change to this intake is not saved yet. It is sent again by itself; reopen the intake to see it.');
      else if (left) note.error(`${left} earlier changes to this intake are not saved yet. They are sent again by themselves; reopen the intake to see them.`);
    }
    let intake;
    try {
      intake = await api.openIntake(encounterId);
    } catch (err) {
      name.textContent = err.code === 'not_found' ? 'Intake not found' : 'Intake';
      note.error(err.message);
      return;
    }
    body.hidden = false;
    show(intake);
    if (!intake.encounter.readOnly) setSaved('ok', 'All changes saved');
  }

  /** Draws an opened intake, in `sectionId` or the section it was left in. */
  function show(intake, sectionId = null) {
    names = namesFrom(intake.people);
    saver.reset(intake.answers);
    showEncounter(intake.encounter);
    differs.hidden = !intake.recordDiffers;
    replaceChildren(differs, h('strong', {}, 'This record differs from what was signed.'),
      intake.recordDiffers ? h('span', { class: 'banner-reason' }, intake.recordDiffers) : null);
    editor.load(intake, sectionId);
    nav.build(editor.state.sections);
    nav.update(editor.navEntries());
    carryBanner.show(intake.encounter.readOnly ? null : intake.carry, editor.describe);
    changesPanel.update(intake.changes, editor.describe);
  }

  /** Ctrl+S: everything typed goes now. */
  async function saveNow() {
    if (!encounter || encounter.readOnly) return;
    editor.commitAll();
    await saver.flush(); // the saved indicator tells how it went
  }

  async function submit() {
    if (encounter?.amending) {
      toReview(); // an amendment is signed from the review screen, not submitted
      return;
    }
    if (!encounter || encounter.readOnly || submitting) return;
    submitting = true;
    submitButton.disabled = true;
    note.clear();
    // Where the person was when they asked; if they move on to a field before the answer
    // comes (a problem link opened while the list refilled), the answer leaves them there.
    const asked = document.activeElement;
    const movedOn = () => {
      const now = document.activeElement;
      return now !== asked && now !== document.body && !problemsPanel.el.contains(now);
    };
    try {
      editor.commitAll();
      if (editor.hasLocalErrors()) {
        editor.setProblems(editor.state.problems, { revealAll: true });
        problemsPanel.show(editor.allProblems());
        return;
      }
      const flushed = await saver.flush();
      if (!flushed.ok) {
        if (flushed.error?.code !== 'conflict') {
          note.error(`Not submitted: the last changes could not be saved. ${flushed.error?.message || ''}`);
        }
        return;
      }
      const result = await api.submitIntake(encounterId);
      editor.setProblems(result.problems || [], { revealAll: true });
      if (!result.submitted) {
        const stay = movedOn();
        showEncounter(result.encounter);
        problemsPanel.show(editor.allProblems(), { focus: !stay });
        return;
      }
      problemsPanel.hide();
      showEncounter(result.encounter);
      editor.setReadOnly(true); // the banner says "Submitted on … by …; read-only."
      setSaved('ok', 'Submitted');
      name.setAttribute('tabindex', '-1');
      name.focus();
    } catch (err) {
      note.error(err.message);
      if (err.code === 'conflict') reload();
    } finally {
      submitting = false;
      if (encounter) submitButton.disabled = encounter.readOnly;
    }
  }

  submitButton.addEventListener('click', submit);
  shortcutsButton.addEventListener('click', () => shortcuts.toggle());

  const screen = pageScreen(
    'intake',
    {},
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, backLink),
    h('div', { class: 'page-head intake-head' },
      h('div', { class: 'patient-title' }, name, summary),
      h('div', { class: 'intake-actions' }, saved, h('div', { class: 'button-row' }, shortcutsButton, submitButton))),
    reviewBanners.returned,
    reviewBanners.amending,
    note.el,
    differs,
    readOnlyBanner,
    carryBanner.el,
    recordPrompt.el,
    conflict,
    problemsPanel.el,
    shortcuts.el,
    body,
  );

  const ctrl = (event) => (event.ctrlKey || event.metaKey) && !event.altKey;
  onScreenKey(screen, (e) => ctrl(e) && !e.shiftKey && (e.code === 'KeyS' || e.key?.toLowerCase() === 's'), saveNow);
  onScreenKey(screen, (e) => ctrl(e) && e.key === 'Enter', submit);
  onScreenKey(screen, (e) => e.key === 'F1' || (e.key === '?' && !e.ctrlKey && !e.altKey && !isTyping(e.target)),
    () => shortcuts.toggle());
  onScreenKey(screen, (e) => e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && /^Digit[1-9]$/.test(e.code || ''),
    (e) => editor.goToNumber(Number(e.code.slice(5))));
  onScreenKey(screen, (e) => e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.code === 'Digit0',
    () => nav.focusCurrent());
  onScreenKey(screen, (e) => isAltLetter(e, 'a'), () => editor.addRowHere());
  onScreenKey(screen, (e) => isAltLetter(e, 'c'), () => editor.confirmSection());
  onScreenKey(screen, (e) => e.altKey && !e.ctrlKey && !e.metaKey && e.key === 'Delete', () => editor.armRemoveHere());
  onScreenKey(screen, (e) => e.key === 'Escape' && (shortcuts.open || problemsPanel.open), () => {
    if (shortcuts.open) shortcuts.close();
    else {
      const inside = problemsPanel.el.contains(document.activeElement);
      problemsPanel.hide();
      if (inside) submitButton.focus();
    }
  });

  load();
  return screen;
}
