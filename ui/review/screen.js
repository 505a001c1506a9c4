// Review (#/review/<encounterId>): one visit's record, for the physician to review and
// sign, and read-only for everyone else who may open Patients.
//
// The header names the patient (age, MRN), the visit date, the form and the status
// (#review-status), who submitted, signed (#review-signed) and amended it
// (#review-amended); a visit entered in error is struck through with its reason
// (#review-in-error); an amendment in progress (#review-amending) and a return to the
// nurse (#review-returned) say so. The main column is the record by section
// (summary.js) and its revision history (history.js); the side column has
// the sign-off (actions.js: Sign with Ctrl+Enter, Return to nurse, Amend, Mark
// entered in error, only what the backend's `may` allows) and the changes since the
// last visit (changes.js). Above both, the notable findings (#review-notable: medication
// and allergy changes, then findings such as a weight lost, each with its rule). Every action sends the record hash the screen shows;
// when the record changed meanwhile the backend refuses, the screen reloads the new
// version and #review-conflict says why. "Export PDF" (#review-export-pdf, when `may`
// has `exportPdf`) saves the visit's summary through the native dialog (exports/pdf-export.js).

import * as api from '../api.js';
import { h, notice, pageScreen, replaceChildren } from '../shared/dom.js';
import { onScreenKey } from '../shared/keys.js';
import { ageText, formatDateTime, sexLabel } from '../patients/fields.js';
import { formatDate, formatDay } from '../shared/dates.js';
import { createActions } from './actions.js';
import { amendmentChanges, createAmendmentPanel } from './amendment.js';
import { createChangesPanel, notableList } from './changes.js';
import {
  isInError, namesFrom, setStatusBadge,
} from './format.js';
import { createHistory } from './history.js';
import { exportVisitPdf } from '../exports/pdf-export.js';
import { renderSummary } from './summary.js';

/** The visit's day: the clinic's, as the backend dates it. */
const visitDay = (e) => (e.visitDate ? formatDate(e.visitDate) : formatDay(e.startedAt));

export function render({ encounterId, go, cameFrom, refreshReviewCount, flash }) {
  const name = h('h1', { id: 'review-patient' }, 'Loading the record…');
  const facts = h('p', { id: 'review-facts', class: 'patient-summary review-facts', hidden: true });
  const status = h('span', { id: 'review-status', class: 'badge' });
  const lines = h('div', { id: 'review-lines', class: 'review-lines' });
  const signed = h('p', { id: 'review-signed', class: 'review-signed', hidden: true });
  const amended = h('p', { id: 'review-amended', class: 'review-amended', hidden: true });
  const inError = h('div', { id: 'review-in-error', class: 'error-banner', role: 'alert', hidden: true });
  // A signed record that no longer matches its signature (changed outside the app).
  const differs = h('div', { id: 'review-differs', class: 'error-banner', role: 'alert', hidden: true });
  const amending = h('div', { id: 'review-amending', class: 'info-banner', role: 'status', hidden: true });
  const returned = h('div', { id: 'review-returned', class: 'info-banner', role: 'status', hidden: true });
  const note = notice('review-notice');
  const conflictText = h('p', { class: 'conflict-text' });
  const conflict = h('div', { id: 'review-conflict', class: 'error-banner conflict-banner', role: 'alert',
    tabindex: '-1', hidden: true }, conflictText,
  h('button', { type: 'button', class: 'secondary small', on: { click: () => { conflict.hidden = true; } } }, 'Dismiss'));
  const fromQueue = /^#\/review\/?(\?|$)/.test(cameFrom || '');
  const backLink = h('a', { id: 'review-back', class: 'back-link', href: '#/review' }, '‹ Review queue');
  const record = h('section', { class: 'panel rv-record-panel', 'aria-labelledby': 'review-record-title' },
    h('h2', { id: 'review-record-title' }, 'Record'), h('p', { class: 'muted' }, 'Loading…'));

  const exportButton = h('button', { id: 'review-export-pdf', type: 'button', class: 'secondary', hidden: true,
    on: { click: () => exportVisitPdf(encounterId, note, exportButton) } }, 'Export PDF');

  let review = null;

  const actions = createActions({
    sign,
    returnToNurse,
    amend,
    discardAmendment,
    markInError,
    edit: () => go(`intake/${encounterId}`),
  });
  const changes = createChangesPanel({ onPick: showAnswer });
  const amendmentPanel = createAmendmentPanel();
  const history = createHistory({
    loadVersion: (version) => api.recordVersion(encounterId, version),
    loadAnswers: () => api.answerHistory(encounterId),
  });
  const notablePanel = h('section', { id: 'review-notable-panel', class: 'panel rv-notable-panel', hidden: true,
    'aria-labelledby': 'review-notable-title' });
  const body = h('div', { class: 'review-columns', hidden: true },
    h('div', { class: 'review-main' }, record, history.el),
    h('div', { class: 'review-side' }, actions.el, amendmentPanel.el, changes.el));

  function line(el, text) {
    el.textContent = text || '';
    el.hidden = !text;
  }

  function show(r) {
    review = r;
    const names = namesFrom(r.people); // this record's people, for this screen only
    const e = r.encounter;
    const p = r.patient || {};
    const gone = isInError(e);
    name.textContent = p.name || e.patientName || 'Record';
    setStatusBadge(status, e.status);
    replaceChildren(facts,
      p.age !== null && p.age !== undefined ? h('span', {}, ageText(p.age)) : null,
      p.sex ? h('span', {}, sexLabel(p.sex)) : null,
      h('span', {}, 'MRN ', h('span', { class: 'mono', id: 'review-mrn' }, p.mrn || e.mrn)),
      h('span', { id: 'review-visit-date' }, `Visit ${visitDay(e)}`),
      h('span', { id: 'review-form' }, `${e.templateTitle} · version ${e.templateVersion}`),
      h('span', {}, status));
    facts.hidden = false;
    replaceChildren(lines,
      h('span', { id: 'review-submitted' }, e.submittedAt
        ? `Submitted ${formatDateTime(e.submittedAt)} by ${names.person(e.submittedBy)}`
        : `Started ${formatDateTime(e.startedAt)} by ${names.person(e.startedBy)}; not submitted yet`));
    line(signed, names.signedText(e));
    line(amended, names.amendedText(e));
    line(amending, names.amendingText(e));
    line(returned, names.returnedText(e));
    differs.hidden = !r.recordDiffers;
    replaceChildren(differs, h('strong', {}, 'This record differs from what was signed.'),
      r.recordDiffers ? h('span', { class: 'banner-reason' }, r.recordDiffers) : null);
    inError.hidden = !gone;
    replaceChildren(inError, h('strong', {}, 'Entered in error.'),
      ' This visit is kept for the history only; it is never carried forward.',
      gone ? h('span', { class: 'banner-reason' }, names.inErrorText(e)) : null);
    if (!fromQueue) {
      backLink.href = `#/patients/${p.id ?? e.patientId}`;
      backLink.textContent = `‹ ${p.name || e.patientName || 'Patient'}`;
    }
    screen.classList.toggle('rv-in-error', gone);
    exportButton.hidden = !r.may?.exportPdf;
    replaceChildren(record, h('h2', { id: 'review-record-title' }, 'Record'), renderSummary(r));
    actions.update(r);
    changes.show(r);
    const notable = notableList(r, { id: 'review-notable', onPick: showAnswer });
    replaceChildren(notablePanel, h('h2', { id: 'review-notable-title' },
      `Notable findings (${(r.notable || []).length})`), notable);
    notablePanel.hidden = !notable || isInError(e);
    history.show(r);
    amendmentPanel.show(r, null);
    body.hidden = false;
    showAmendment(r);
  }

  /**
   * During an amendment: what it changed against the last signed version; on an amended
   * record: what the newest amendment changed against the version before it.
   */
  async function showAmendment(r) {
    const versions = r.versions || [];
    const inProgress = Boolean(r.encounter.amending);
    const against = inProgress ? versions[versions.length - 1] : versions.length >= 2 ? versions[versions.length - 2] : null;
    if (!against || isInError(r.encounter)) return;
    let earlier;
    try {
      earlier = await api.recordVersion(encounterId, against.version);
    } catch {
      return; // the record shows without the marks
    }
    if (review !== r) return; // a newer review is on screen
    const amendment = amendmentChanges(earlier.answers, r.answers);
    replaceChildren(record, h('h2', { id: 'review-record-title' }, 'Record'), renderSummary(r, { amendment }));
    amendmentPanel.show(r, amendment, { inProgress, version: versions[versions.length - 1]?.version });
  }

  /** From the changes panel: the question's answer in the record, highlighted. */
  function showAnswer(linkId) {
    const row = record.querySelector(`tr[data-link-id="${CSS.escape(linkId)}"]`);
    if (!row) return;
    row.setAttribute('tabindex', '-1');
    row.scrollIntoView({ block: 'center' });
    row.focus({ preventScroll: true });
    row.classList.remove('rv-flash');
    void row.offsetWidth; // restarts the highlight
    row.classList.add('rv-flash');
  }

  async function load() {
    try {
      show(await api.openReview(encounterId));
      updateWaiting();
    } catch (err) {
      name.textContent = err.code === 'not_found' ? 'Record not found' : 'Record';
      note.error(err.message);
    }
  }

  /** Someone changed the record (or amends it) since this screen showed it: show the new one. */
  async function conflicted(err) {
    conflictText.textContent = err.message; // the backend says the new version is shown
    conflict.hidden = false;
    await load();
    conflict.focus();
  }

  /** Runs an action; a conflict reloads (and resolves false), other errors go to the form. */
  async function act(call, done) {
    note.clear();
    conflict.hidden = true;
    let result;
    try {
      result = await call();
    } catch (err) {
      if (err.code === 'conflict' && !err.field) {
        await conflicted(err);
        return false;
      }
      throw err;
    }
    await done(result);
    refreshReviewCount?.();
    return true;
  }

  function landed(message) {
    return (result) => {
      show(result);
      note.success(message);
      name.setAttribute('tabindex', '-1');
      name.focus();
    };
  }

  /** Signs; with `next`, then opens the oldest visit still waiting (if any). */
  async function sign({ next = false } = {}) {
    if (!review) return;
    const amendment = Boolean(review.encounter.amending);
    const who = review.patient?.name || review.encounter.patientName || 'the patient';
    const message = amendment
      ? 'The amendment is signed. Every earlier version is kept.'
      : 'Signed. The record is locked: it changes only by an amendment with a reason.';
    try {
      await act(() => api.signIntake(encounterId, review.recordHash), async (result) => {
        const nextId = next ? await nextWaiting() : null;
        if (nextId !== null) {
          go(`review/${nextId}`, { notice: `Signed ${who}'s intake. This is the next visit waiting.` });
          return;
        }
        landed(message)(result);
        updateWaiting();
      });
    } catch (err) {
      note.error(err.message);
    }
  }

  /** The oldest submitted visit other than this one, or null. */
  async function nextWaiting() {
    try {
      const queue = await api.reviewQueue();
      const other = (queue.items || []).find((i) => i.encounterId !== encounterId);
      return other ? other.encounterId : null;
    } catch {
      return null; // the queue cannot be read now: stay on this record
    }
  }

  /** Tells the actions whether "Sign and open next" has somewhere to go. */
  async function updateWaiting() {
    if (!review?.may?.sign) return;
    try {
      const queue = await api.reviewQueue();
      actions.setWaiting((queue.items || []).filter((i) => i.encounterId !== encounterId).length);
    } catch {
      actions.setWaiting(0);
    }
  }

  function returnToNurse(comment) {
    return act(() => api.returnIntake(encounterId, comment, review.recordHash),
      landed('Returned to the nurse with your comment.'));
  }

  function amend(reason) {
    return act(() => api.startAmendment(encounterId, reason, review.recordHash),
      () => go(`intake/${encounterId}`));
  }

  async function discardAmendment() {
    try {
      await act(() => api.discardAmendment(encounterId),
        landed('The amendment was discarded: the record is as it was last signed.'));
    } catch (err) {
      note.error(err.message);
    }
  }

  function markInError(reason) {
    return act(() => api.markInError(encounterId, reason), landed('The visit is marked entered in error.'));
  }

  const screen = pageScreen(
    'review',
    {},
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, backLink),
    h('div', { class: 'page-head review-head' }, h('div', { class: 'patient-title' }, name, facts, lines),
      h('div', { class: 'button-row rv-head-actions' }, exportButton)),
    signed, amended, differs, inError, amending, returned,
    note.el,
    conflict,
    notablePanel,
    body,
    actions.confirmBar,
  );
  onScreenKey(screen, (e) => (e.ctrlKey || e.metaKey) && !e.altKey && e.key === 'Enter' && actions.maySign,
    (e) => actions.signShortcut(e.shiftKey));
  if (flash) note.success(flash);
  load();
  return screen;
}
