// The navigation sections: their order, labels and one-line descriptions.
//
// Which sections a user may open is the backend's answer (`sections` from sign_in and
// whoami); this table only says how to show them.

export const SECTIONS = [
  { id: 'home', label: 'Home', blurb: 'Your starting point.' },
  { id: 'patients', label: 'Patients', blurb: 'Find or register a patient.' },
  { id: 'intake', label: 'Intake', blurb: 'Fill and submit intake forms.' },
  { id: 'review', label: 'Review', blurb: 'Review and sign submitted intakes.' },
  { id: 'exports', label: 'Exports', blurb: 'Export signed records as PDF.' },
  { id: 'templates', label: 'Forms', blurb: 'Import, activate and retire intake forms.' },
  { id: 'outcomes', label: 'Outcomes', blurb: 'Answers carried vs typed and time to complete, per week.' },
  { id: 'users', label: 'Users', blurb: 'Add users, reset passwords, disable accounts.' },
  { id: 'audit', label: 'Audit log', blurb: 'See who did what, and verify the log.' },
  { id: 'settings', label: 'Settings', blurb: 'Clinic name, screen lock, dates, paper size, review thresholds and backups.' },
];

/** The sections the backend allows, in the order above, unknown names dropped. */
export function allowedSections(names) {
  const allowed = new Set(names || []);
  return SECTIONS.filter((s) => allowed.has(s.id));
}

export function sectionLabel(id) {
  return SECTIONS.find((s) => s.id === id)?.label ?? id;
}
