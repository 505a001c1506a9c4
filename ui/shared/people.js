// How lists name the people of a visit: by display name, falling back to the user name
// when the backend found no account (a CLI actor). Pure: no DOM, tested under node.

/**
 * "Submitted by Nora Lindqvist · Signed by Dr. Paul Okafor" for a listed visit (an
 * `EncounterDto` from list_encounters); a draft names who started it, an amended
 * visit who signed the amendment.
 */
export function visitPeople(e) {
  const name = (user, shown) => shown || user || 'unknown';
  const parts = [];
  if (e?.submittedBy) parts.push(`Submitted by ${name(e.submittedBy, e.submittedByName)}`);
  else parts.push(`Started by ${name(e?.startedBy, e?.startedByName)}`);
  if (e?.signedBy) {
    parts.push(`${e.status === 'amended' ? 'Amended' : 'Signed'} by ${name(e.signedBy, e.signedByName)}`);
  }
  return parts.join(' · ');
}
