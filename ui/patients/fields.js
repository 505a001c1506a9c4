// The patient's fields as the screens show them: their labels, the groups of the form,
// and how names, dates, sex and status read on screen. The backend's field names are
// camelCase (`birthDate`); the inputs are `#patient-<kebab-case>` (`#patient-birth-date`).
// What is valid is the backend's business; nothing here checks a value.

import { h } from '../shared/dom.js';

/** Every field of a registration, in the order the form and the screen show them. */
export const FIELDS = [
  { name: 'family', label: 'Family name', group: 'Identity' },
  { name: 'given', label: 'Given names', group: 'Identity' },
  { name: 'birthDate', label: 'Date of birth', group: 'Identity' },
  { name: 'sex', label: 'Sex', group: 'Identity' },
  { name: 'mrn', label: 'MRN', group: 'Identity' },
  { name: 'phone', label: 'Phone', group: 'Contact' },
  { name: 'email', label: 'Email', group: 'Contact' },
  { name: 'language', label: 'Preferred language', group: 'Contact' },
  { name: 'addressLine', label: 'Address', group: 'Address' },
  { name: 'city', label: 'City', group: 'Address' },
  { name: 'postalCode', label: 'Postal code', group: 'Address' },
  { name: 'country', label: 'Country', group: 'Address' },
  { name: 'emergencyName', label: 'Emergency contact name', group: 'Emergency contact' },
  { name: 'emergencyRelationship', label: 'Relationship', group: 'Emergency contact' },
  { name: 'emergencyPhone', label: 'Emergency contact phone', group: 'Emergency contact' },
  { name: 'notes', label: 'Notes', group: 'Notes' },
];

export const GROUPS = ['Identity', 'Contact', 'Address', 'Emergency contact', 'Notes'];

export const SEXES = [['female', 'Female'], ['male', 'Male'], ['other', 'Other'], ['unknown', 'Unknown']];

const STATUSES = { active: 'Active', entered_in_error: 'Entered in error' };

/** `birthDate` -> `patient-birth-date`. */
export function inputId(name) {
  return `patient-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The label of a backend field name, also for names only the history uses (`status`). */
export function fieldLabel(name) {
  const camel = String(name).replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  if (camel === 'status') return 'Status';
  return FIELDS.find((f) => f.name === camel)?.label ?? name;
}

export function sexLabel(sex) {
  return SEXES.find(([value]) => value === sex)?.[1] ?? (sex || '—');
}

export function isInError(patient) {
  return patient?.status === 'entered_in_error';
}

/** "Núñez, Zoë" as text (headings, labels). */
export function nameText(patient) {
  return [patient.family, patient.given].filter(Boolean).join(', ') || '—';
}

/** "Núñez, Zoë" with the family name bold, for lists. */
export function nameNode(patient) {
  return h('span', { class: 'patient-name' },
    h('strong', { class: 'family' }, patient.family || '—'),
    patient.given ? `, ${patient.given}` : null);
}

// Dates and times are written the clinic's way by the one formatter (shared/dates.js);
// re-exported here for the screens that already import them from this module.
import { formatDate, formatDateTime, formatDay } from '../shared/dates.js';

export { formatDate, formatDateTime, formatDay };

/** `<time>` for a calendar date, so the ISO form stays in the markup. */
export function dateNode(ymd) {
  return ymd ? h('time', { datetime: ymd }, formatDate(ymd)) : '—';
}

export function ageText(age) {
  return Number.isInteger(age) ? `${age} y` : '';
}

/** One field's value as the history and the demographics show it; empty is "—". */
export function valueText(name, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (name === 'sex') return sexLabel(value);
  if (name === 'status') return STATUSES[value] ?? String(value);
  if (name === 'birthDate' || name === 'birth_date') return formatDate(String(value));
  return String(value);
}

/** Orders a revision's changed field names as the form shows them; unknown names last. */
export function orderFields(names) {
  const rank = (n) => {
    const i = FIELDS.findIndex((f) => f.name === n.replace(/_([a-z])/g, (_, c) => c.toUpperCase()));
    return i === -1 ? FIELDS.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b));
}
