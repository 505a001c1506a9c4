// The open intake's state, without the DOM: the form, the answers, which instances are
// disabled, the problems, the section on screen, and what this window holds that the
// backend does not have yet. editor.js draws it and turns keys and clicks into calls
// here; state.test.js checks it under `node --test` (no browser, no backend).
//
// What the person changes is "dirty" until committed (the editor decides when: text after
// a pause or on Enter, picks at once). `commit(key, read)` takes what the widget reads:
// text that cannot be sent as the item's type becomes a local error and is not saved; the
// same text the backend refused already is not sent again; anything else updates the
// answers at once (so counts follow the typing) and is handed back to go to the save
// queue. The backend's answer (`applySaved`) then brings revs, calculated values,
// disabled instances and problems, never overwriting a key still dirty or queued.
// Problems show at a field once it was touched or answered, and everywhere after a
// submission attempt (`revealAll`), so a new form does not open red.

import {
  buildSections, describeKey, hasValue, indexForm, isWithinRow, rowIds, sameValues,
  sectionDisabled, sectionEntries, sectionFor, sortProblems, splitKey, waitsForConfirmation,
} from './model.js';
import { listKeyOf, rowKeyOf } from '../shared/answer-keys.js';

export function createIntakeState() {
  const s = {
    form: null, sections: [], index: null, answers: new Map(), disabled: new Set(), problems: [], changes: new Map(),
    readOnly: true, current: null, revealAll: false, notes: null, people: {},
  };
  const revealed = new Set(); // keys touched in this window
  const localErrors = new Map(); // key -> message (typed text that cannot be sent)
  const refused = new Map(); // key -> the values the backend refused (not sent again)
  const dirty = new Set(); // keys typed in and not committed yet
  const maxRow = new Map(); // group key -> highest row id used in this window

  const localProblem = ([key, message]) => ({ key, linkId: splitKey(key).linkId, severity: 'error', message });
  const sectionOfKey = (key) => s.index?.sectionOf(splitKey(key).linkId) ?? null;

  function section(id) {
    return s.sections.find((x) => x.id === id) || null;
  }

  /** The sections the list shows: those that apply now, and the current one. */
  function visibleSections() {
    return s.sections.filter((x) => !sectionDisabled(x, s.disabled, s.index) || x.id === s.current);
  }

  /** Keys of section `id` whose carried values wait for confirmation. */
  function waitingIn(id) {
    return [...s.answers].filter(([key, a]) => waitsForConfirmation(a) && !s.disabled.has(key) &&
      s.index?.sectionOf(a.linkId) === id).map(([key]) => key);
  }

  /** The problems shown: revealed ones of the backend's, and every local one. */
  function shownProblems() {
    // A carried value waiting for confirmation shows its Confirm button, not an error,
    // until submission is attempted.
    const list = s.problems.filter((p) => s.revealAll || s.readOnly ||
      (!p.confirm && (revealed.has(p.key) || hasValue(s.answers.get(p.key)))));
    for (const entry of localErrors) list.push(localProblem(entry));
    return list;
  }

  return {
    state: s,

    /** Takes a freshly opened intake; answers the id of the section to show. */
    load(intake, sectionId = null) {
      dirty.clear();
      localErrors.clear();
      refused.clear();
      s.form = intake.form;
      s.sections = buildSections(intake.form);
      s.index = indexForm(intake.form, s.sections);
      s.answers = new Map(intake.answers.map((a) => [a.key, a]));
      s.disabled = new Set(intake.disabled);
      s.problems = intake.problems || [];
      s.readOnly = Boolean(intake.encounter.readOnly);
      s.notes = intake.carry || null;
      s.changes = new Map((intake.changes || []).map((c) => [c.key, c]));
      s.people = intake.people || {};
      s.current = null;
      return sectionFor(s.sections, sectionId ?? intake.encounter.section)?.id ?? null;
    },

    // Sections.

    section,
    visibleSections,
    sectionOfKey,
    /**
     * Makes `id` (or the first section) current: `{ id, changed, dropped }`, where
     * `dropped` lists `[key, message]` of the text that could not be sent in the section
     * left (it leaves with it; the screen says so). Null when the form has no section.
     */
    enterSection(id) {
      const target = section(id) || s.sections[0];
      if (!target) return null;
      const dropped = [...localErrors].filter(([key]) => sectionOfKey(key) === s.current);
      for (const [key] of dropped) localErrors.delete(key);
      const changed = target.id !== s.current;
      s.current = target.id;
      return { id: target.id, changed, dropped };
    },
    /** The sections before and after the current one in the list (or null). */
    neighbours() {
      const list = visibleSections();
      const at = list.findIndex((x) => x.id === s.current);
      return { prev: list[at - 1] || null, next: list[at + 1] || null };
    },
    /**
     * What Enter does after the last field of the section: `{ section: id }` (the next
     * section's first field), or `{ submit: true }` after the last section.
     */
    afterLastField() {
      const list = visibleSections();
      const after = list[list.findIndex((x) => x.id === s.current) + 1];
      return after ? { section: after.id } : { submit: true };
    },
    /** Whether Enter stays at `key`: its text cannot be sent and must be fixed first. */
    entersNothing: (key) => localErrors.has(key),
    /** Alt+n: the id of the nth section of the list (sections that do not apply skipped). */
    sectionNumber: (n) => visibleSections()[n - 1]?.id ?? null,
    /** Whether the whole current section is ruled out by the answers it depends on. */
    currentOff: () => Boolean(section(s.current)) && sectionDisabled(section(s.current), s.disabled, s.index),

    // Typing and committing.

    markDirty(key) {
      dirty.add(key);
    },
    isDirty: (key) => dirty.has(key),
    dirtyKeys: () => [...dirty],
    /**
     * Commits what the widget at `key` reads (`{ values }` or `{ error }`; null when there
     * is no widget). Answers `{ save: values }` when the change goes to the save queue,
     * else `{}`.
     */
    commit(key, read) {
      dirty.delete(key);
      revealed.add(key);
      if (!read || s.readOnly) return {};
      if (read.error) {
        localErrors.set(key, read.error);
        return {};
      }
      if (refused.has(key) && sameValues(refused.get(key), read.values)) return {}; // still refused
      refused.delete(key);
      localErrors.delete(key);
      const before = s.answers.get(key)?.values || [];
      if (sameValues(before, read.values)) return {};
      const { rows, linkId } = splitKey(key);
      if (read.values.length) s.answers.set(key, { ...(s.answers.get(key) || { key, linkId, rows }), values: read.values });
      else s.answers.delete(key);
      return { save: read.values };
    },
    /** A value the backend refused for one key: an error at the field, the text kept. */
    refuse(key, message, values) {
      if (!key) return;
      localErrors.set(key, message);
      refused.set(key, values);
      s.answers.delete(key); // not saved: other text typed there is sent again
    },
    /**
     * Takes a save's result. `isPending(key)`: a change to it waits in the save queue.
     * Answers the keys whose widget shows something else now: `[[key, values]]` (the
     * editor sets them unless they already read the same); keys still typed in, queued
     * or holding unsendable text are left alone.
     */
    applySaved(saved, isPending) {
      const show = [];
      const untouched = (key) => !dirty.has(key) && !localErrors.has(key);
      for (const a of saved.answers || []) {
        if (isPending(a.key)) continue;
        s.answers.set(a.key, a);
        if (untouched(a.key)) show.push([a.key, a.values]);
      }
      for (const key of saved.removed || []) {
        if (isPending(key)) continue;
        s.answers.delete(key);
        if (untouched(key)) show.push([key, []]);
      }
      s.disabled = new Set(saved.disabled || []);
      s.problems = saved.problems || [];
      if (saved.changes) s.changes = new Map(saved.changes.map((c) => [c.key, c]));
      return show;
    },
    setProblems(problems, { revealAll = false } = {}) {
      s.problems = problems;
      if (revealAll) s.revealAll = true;
    },
    setReadOnly(readOnly) {
      s.readOnly = readOnly;
    },

    // Rows of repeating groups.

    /** Adds a row to `item` under `parentRows` (never reusing an id): its row key. */
    addRow(item, parentRows) {
      const groupKey = s.index.key(parentRows, item.linkId);
      const id = Math.max(0, maxRow.get(groupKey) || 0, ...rowIds(s.answers, groupKey)) + 1;
      maxRow.set(groupKey, id);
      const rows = [...parentRows, id];
      const rowKey = s.index.key(rows, item.linkId);
      s.answers.set(rowKey, { key: rowKey, linkId: item.linkId, rows, values: [] });
      return rowKey;
    },
    /**
     * Removes a row and everything in it (answers, dirty keys, local errors, problems).
     * Answers `{ within(key), focusRowKey, groupKey }`: which keys the removal covers,
     * the row that takes focus next (the following one, else the last; null when none
     * is left) and the group's key.
     */
    removeRow(rowKey) {
      const { rows } = splitKey(rowKey);
      const last = rows[rows.length - 1];
      const groupKey = listKeyOf(rowKey);
      maxRow.set(groupKey, Math.max(maxRow.get(groupKey) || 0, last));
      const within = (k) => isWithinRow(k, rowKey);
      for (const k of [...s.answers.keys()]) if (within(k)) s.answers.delete(k);
      for (const k of [...dirty]) if (within(k)) dirty.delete(k);
      for (const k of [...localErrors.keys()]) if (within(k)) localErrors.delete(k);
      s.problems = s.problems.filter((p) => !within(p.key));
      const ids = rowIds(s.answers, groupKey);
      const nextId = ids.find((i) => i > last) ?? ids[ids.length - 1];
      return { within, focusRowKey: nextId ? rowKeyOf(groupKey, nextId) : null, groupKey };
    },

    // Problems and counts.

    shownProblems,
    /** What a field shows: its local error, else the backend's problems shown for it. */
    problemsAt(key) {
      const local = localErrors.get(key);
      if (local) return [{ severity: 'error', message: local }];
      return shownProblems().filter((p) => p.key === key);
    },
    /** Problems for the problems panel, in form order: the local ones and the backend's. */
    allProblems() {
      const local = [...localErrors].map(localProblem);
      return sortProblems([...local, ...s.problems.filter((p) => !localErrors.has(p.key))], s.index);
    },
    hasLocalErrors: () => localErrors.size > 0,
    /** Whether a problem is about text this window could not send (not the backend's). */
    isLocal: (p) => localErrors.get(p.key) === p.message,
    /** The section list's entries: counts per section. */
    navEntries: () => sectionEntries(s, shownProblems()),
    /** "Allergies › Substance (Allergy 2)" for a key. */
    describe: (key) => describeKey(key, s),

    // Carry-forward confirmation.

    /** Keys of the current section whose carried values wait for confirmation. */
    waitingHere: () => waitingIn(s.current),
    /** "2 carried values in this section wait for your confirmation." */
    waitingText(n) {
      return n === 1
        ? '1 carried value in this section waits for your confirmation.'
        : `${n} carried values in this section wait for your confirmation.`;
    },
    /** The first section after the current one (in order, then from the top) with values waiting. */
    nextSectionWaiting() {
      const list = visibleSections();
      const at = list.findIndex((x) => x.id === s.current);
      const order = [...list.slice(at + 1), ...list.slice(0, Math.max(at, 0))];
      return order.find((x) => waitingIn(x.id).length > 0)?.id ?? null;
    },
    /** What a confirmation sends: each key with the rev this window last saw. */
    confirmations: (keys) => keys.map((key) => ({ key, baseRev: s.answers.get(key)?.rev ?? 0 })),
    /** What a key's carry marks depend on: they are redrawn only when this changes. */
    carrySignature(key) {
      const a = s.answers.get(key);
      return JSON.stringify([a?.source, a?.carried, a?.needsConfirmation, a?.confirmedBy, s.readOnly,
        s.notes?.hints?.[key], s.notes?.notCarried?.[key], s.changes?.get(key)?.carriedFrom ?? null,
        s.changes?.get(key)?.kind ?? null]);
    },
  };
}
