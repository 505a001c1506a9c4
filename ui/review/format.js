// How the review's facts read on screen: an encounter's status (label and badge), who
// signed, amended, returned or marked it in error and when, and answer values with
// their units. Shared by the review screens, the intake screen and the patient's Visits.
// Nothing here decides: the backend says what the status is and who may do what.

import { h } from '../shared/dom.js';
import { valueText } from '../intake/model.js';
import { formatDateTime } from '../patients/fields.js';

const EVENTS = {
  returned: 'Returned to the nurse',
  signed: 'Signed',
  amendment_started: 'Amendment started',
  amendment_discarded: 'Amendment discarded',
  amended: 'Amendment signed',
  entered_in_error: 'Marked entered in error',
};

const STATUSES = {
  draft: ['Draft', 'badge-warn'],
  submitted: ['Submitted', 'badge-info'],
  signed: ['Signed', 'badge-ok'],
  amended: ['Amended', 'badge-ok'],
  entered_in_error: ['Entered in error', 'badge-err'],
};

/**
 * How to name the people one answer mentions (its `people`: user name → display name).
 * Each screen makes its own from what it loaded and passes it to its parts, so two screens
 * never share one list. A name the backend did not resolve shows as is.
 */
export function namesFrom(people) {
  const map = people && typeof people === 'object' ? people : {};
  /** "Dr. Paul Okafor" for "physician"; the user name itself when unknown. */
  const person = (username) => (username && map[username]) || username || 'unknown';
  return {
    person,
    /** "Signed by Dr Demo at 12 Nov 2026, 14:02", or null when not signed. */
    signedText: (e) => (e?.signedBy ? `Signed by ${person(e.signedBy)} at ${formatDateTime(e.signedAt)}` : null),
    /** "Amended on 13 Nov 2026, 09:10 by Dr Demo: reason", or null. */
    amendedText(e) {
      const a = e?.amended;
      return a ? `Amended on ${formatDateTime(a.at)} by ${person(a.by)}: ${a.reason}` : null;
    },
    /** "Returned by Dr Demo at 12 Nov 2026, 14:02: comment", or null. */
    returnedText(e) {
      const r = e?.returned;
      return r ? `Returned by ${person(r.by)} at ${formatDateTime(r.at)}: ${r.comment}` : null;
    },
    /** "Entered in error on … by …: reason", or null. */
    inErrorText(e) {
      const x = e?.inError;
      return x ? `Entered in error on ${formatDateTime(x.at)} by ${person(x.by)}: ${x.reason}` : null;
    },
    /** "Amendment in progress since … by …: reason", or null. */
    amendingText(e) {
      const a = e?.amending;
      return a ? `Amendment in progress since ${formatDateTime(a.since)} by ${person(a.by)}: ${a.reason}` : null;
    },
    /** What an events entry says: "Signed by Dr Demo at …", "Returned by … at …: comment". */
    eventText(event) {
      const what = EVENTS[event.kind] || event.kind;
      return `${what} by ${person(event.by)} at ${formatDateTime(event.at)}${event.text ? `: ${event.text}` : ''}`;
    },
  };
}

export function statusLabel(status) {
  return STATUSES[status]?.[0] ?? String(status || '—');
}

/** The status badge (`attrs`: an id, a title). */
export function statusBadge(status, attrs = {}) {
  const [label, cls] = STATUSES[status] || [String(status || '—'), 'badge-off'];
  return h('span', { ...attrs, class: `badge status-badge ${cls}`, dataset: { status } }, label);
}

/** Sets an existing badge element to `status`. */
export function setStatusBadge(el, status) {
  const [label, cls] = STATUSES[status] || [String(status || '—'), 'badge-off'];
  el.className = `badge status-badge ${cls}`;
  el.dataset.status = status || '';
  el.textContent = label;
}

export function isInError(encounter) {
  return encounter?.status === 'entered_in_error';
}

/**
 * One answer's values as read on the record: "Yes", "No", "64.5 kg" (the item's unit
 * added to a bare number), "Penicillin, Latex"; '' when there is none.
 */
export function answerText(item, values) {
  return (values || []).map((v) => {
    const text = valueText(v);
    const bare = v && ('valueDecimal' in v || 'valueInteger' in v);
    return bare && item?.unit ? `${text} ${item.unit}` : text;
  }).filter((t) => t !== '').join(', ');
}
