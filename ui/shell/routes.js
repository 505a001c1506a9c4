// The route table: which screen module shows which hash.
//
// A route is `#/<section>[/<sub>/<path>][?query]`. The section picks the navigation
// entry (and is what the backend allows or not); the sub-path picks a screen inside it.
// Nothing here checks permissions or loads data: app.js asks, the views load.

import * as home from './home.js';
import * as users from '../admin/users.js';
import * as audit from '../admin/audit.js';
import * as settings from '../admin/settings.js';
import * as changePassword from './change-password.js';
import * as comingSoon from './coming-soon.js';
import * as patients from '../patients/search.js';
import * as patientForm from '../patients/patient-form.js';
import * as patient from '../patients/patient.js';
import * as intake from '../intake/screen.js';
import * as intakeList from '../intake/list.js';
import * as templates from '../admin/templates.js';
import * as outcomes from '../admin/outcomes.js';
import * as reviewQueue from '../review/queue.js';
import * as review from '../review/screen.js';
import * as exports from '../exports/screen.js';

const VIEWS = { home, users, audit, settings, templates, outcomes, exports, password: changePassword };
const ID = /^[1-9][0-9]{0,15}$/;

/** `#/patients/12/edit?q=x` -> `{ section: 'patients', rest: ['12', 'edit'], query }`. */
export function parseHash(hash) {
  const match = /^#\/([a-z-]+)((?:\/[^/?#]+)*)\/?(?:\?(.*))?$/.exec(hash || '');
  if (!match) return { section: 'home', rest: [], query: new URLSearchParams() };
  const rest = match[2].split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part; // a malformed escape is just an unknown sub-path
    }
  });
  return { section: match[1], rest, query: new URLSearchParams(match[3] || '') };
}

/** The Patients section's screens: '', 'new', '<id>', '<id>/edit'. */
function patientsView(rest) {
  if (rest.length === 0) return { view: patients, patientId: null };
  if (rest.length === 1 && rest[0] === 'new') return { view: patientForm, patientId: null };
  if (!ID.test(rest[0])) return null;
  const patientId = Number(rest[0]);
  if (rest.length === 1) return { view: patient, patientId };
  if (rest.length === 2 && rest[1] === 'edit') return { view: patientForm, patientId };
  return null;
}

/** The Intake section's screens: '' (intakes in progress), '<encounterId>'. */
function intakeView(rest) {
  if (rest.length === 0) return { view: intakeList, patientId: null, encounterId: null };
  if (rest.length === 1 && ID.test(rest[0])) return { view: intake, patientId: null, encounterId: Number(rest[0]) };
  return null;
}

/** The Review section's screens: '' (the queue), '<encounterId>' (one record). */
function reviewView(rest) {
  if (rest.length === 0) return { view: reviewQueue, patientId: null, encounterId: null };
  if (rest.length === 1 && ID.test(rest[0])) return { view: review, patientId: null, encounterId: Number(rest[0]) };
  return null;
}

/**
 * The sections of which any one lets a person open a route. An intake
 * (#/intake/<id>) and a record (#/review/<id>) are reached from a patient's Visits, so
 * whoever may open Patients may open them (a physician has no Intake section, a nurse no
 * Review section); the backend decides what they may do.
 */
export function routeSections(section, rest) {
  if (section === 'intake' && rest.length === 1) return ['intake', 'patients'];
  if (section === 'review' && rest.length === 1) return ['review', 'patients'];
  return [section];
}

/**
 * The screen for a section and sub-path: `{ view, patientId, encounterId }`, or null when
 * the sub-path names nothing (the caller then shows the section's main screen).
 */
export function resolveView(section, rest) {
  if (section === 'patients') return patientsView(rest);
  if (section === 'intake') return intakeView(rest);
  if (section === 'review') return reviewView(rest);
  if (rest.length) return null;
  return { view: VIEWS[section] || comingSoon, patientId: null, encounterId: null };
}
