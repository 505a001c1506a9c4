// The editing side of the intake screen: the open form's state (answers, disabled
// instances, problems), the section on screen, what the person typed and when it goes to
// the save queue, rows added and removed, and moving with Enter.
//
// What the person changes is held as "dirty" until committed: text 300 ms after the last
// key (or on blur/Enter), picks at once. A commit reads the widget; a value that cannot be
// sent as the item's type stays in the field with a local error and is not queued. The
// answers map is updated as soon as a change is queued, so counts follow the typing; the
// backend's answer (`applySaved`) then brings revs, calculated values, disabled
// instances and problems. Problems show at a field once it was touched or answered, and
// everywhere after a submission attempt (`revealAll`), so a new form does not open red.
// Enter does not leave a field whose text cannot be sent; switching section drops such
// text and reports it (`onDiscard([[key, message]])`).

import { replaceChildren, h } from './dom.js';
import {
  buildSections, describeKey, hasValue, idSafe, indexForm, isWithinRow, makeKey, rowIds, sameValues,
  sectionDisabled, sectionEntries, sectionFor, sortProblems, splitKey,
} from './intake-model.js';
import { carryNoteNodes, provenanceNodes, waitsForConfirmation } from './intake-carry.js';
import { arm, fieldStops, renderSection } from './intake-section.js';

const DEBOUNCE_MS = 300;

export function createEditor({ main, saver, onChange, onEnterPastEnd, onDiscard, onConfirm }) {
  const s = {
    form: null, sections: [], index: null, answers: new Map(), disabled: new Set(), problems: [],
    readOnly: true, current: null, view: null, revealAll: false, notes: null,
  };
  const revealed = new Set(); // keys touched in this window
  const localErrors = new Map(); // key -> message (typed text that cannot be sent)
  const refused = new Map(); // key -> the values the backend refused (not sent again)
  const dirty = new Map(); // key -> debounce timer (or null: waits for a commit)
  const maxRow = new Map(); // group key -> highest row id used in this window

  const env = {
    get readOnly() {
      return s.readOnly;
    },
    onEdit(key, mode) {
      clearTimeout(dirty.get(key));
      if (mode === 'now') commit(key);
      else dirty.set(key, mode === 'debounce' ? setTimeout(() => commit(key), DEBOUNCE_MS) : null);
    },
    onCommit(key) {
      commit(key); // also when nothing was typed: a half-typed date fires no input event
    },
  };

  function commit(key) {
    clearTimeout(dirty.get(key));
    dirty.delete(key);
    revealed.add(key);
    const widget = s.view?.widgets.get(key);
    if (!widget || s.readOnly) return;
    const read = widget.read();
    if (read.error) {
      localErrors.set(key, read.error);
      refreshProblems();
      return;
    }
    if (refused.has(key) && sameValues(refused.get(key), read.values)) {
      refreshProblems(); // the same text again: still refused, its error stays
      return;
    }
    refused.delete(key);
    localErrors.delete(key);
    const before = s.answers.get(key)?.values || [];
    if (!sameValues(before, read.values)) {
      const { rows, linkId } = splitKey(key);
      if (read.values.length) s.answers.set(key, { ...(s.answers.get(key) || { key, linkId, rows }), values: read.values });
      else s.answers.delete(key);
      saver.put(key, read.values);
      saver.kick();
    }
    refreshProblems();
  }

  /** Commits every field still being typed in (before a section switch, Ctrl+S, submit). */
  function commitAll() {
    for (const key of [...dirty.keys()]) commit(key);
  }

  function shownProblems() {
    // A carried value waiting for confirmation shows its Confirm button, not an error,
    // until submission is attempted.
    const list = s.problems.filter((p) => s.revealAll || s.readOnly ||
      (!p.confirm && (revealed.has(p.key) || hasValue(s.answers.get(p.key)))));
    for (const [key, message] of localErrors) list.push({ key, linkId: splitKey(key).linkId, severity: 'error', message });
    return list;
  }

  function refreshProblems() {
    const shown = shownProblems();
    for (const [key, widget] of s.view?.widgets || []) {
      const local = localErrors.get(key);
      widget.setProblems([
        ...(local ? [{ severity: 'error', message: local }] : []),
        ...shown.filter((p) => p.key === key && !localErrors.has(p.key)),
      ]);
    }
    refreshCarry();
    onChange();
  }

  // Carry-forward: badges, confirm buttons, notes; redrawn only where they changed (a
  // redraw would take focus off a Confirm button).
  const carrySigs = new WeakMap();

  function setCarryOnce(target, key, nodesFor) {
    const a = s.answers.get(key);
    const sig = JSON.stringify([a?.source, a?.carried, a?.needsConfirmation, a?.confirmedBy, s.readOnly,
      s.notes?.hints?.[key], s.notes?.notCarried?.[key]]);
    if (carrySigs.get(target) === sig) return;
    carrySigs.set(target, sig);
    target.setCarry(...nodesFor(a));
  }

  function refreshCarry() {
    if (!s.view) return;
    const opts = { onConfirm: (key) => confirmKeys([key], key), readOnly: s.readOnly };
    for (const [key, widget] of s.view.widgets) {
      // Inside a row, the row says where it came from.
      const inRow = splitKey(key).rows.length > 0;
      if (widget.setCarry) {
        const own = { ...opts, recordBadge: !widget.item?.readOnly };
        setCarryOnce(widget, key, (a) => [inRow ? [] : provenanceNodes(key, a, own), carryNoteNodes(key, s.notes)]);
      }
    }
    for (const [key, node] of s.view.nodes) {
      if (node.carryKind === 'row') setCarryOnce(node, key, (a) => [provenanceNodes(key, a, opts)]);
      else if (node.carryKind === 'list') setCarryOnce(node, key, () => [carryNoteNodes(key, s.notes)]);
    }
    const pending = pendingInSection();
    confirmCount.textContent = pending.length === 1
      ? '1 carried value in this section waits for your confirmation.'
      : `${pending.length} carried values in this section wait for your confirmation.`;
    confirmBar.hidden = pending.length === 0 || s.readOnly;
  }

  /** Keys of the current section whose carried values wait for confirmation. */
  function pendingInSection() {
    return [...s.answers].filter(([key, a]) => waitsForConfirmation(a) && !s.disabled.has(key) &&
      s.index?.sectionOf(a.linkId) === s.current).map(([key]) => key);
  }

  /**
   * Confirms `keys`; `focusKey`: the field to put the cursor in afterwards. Without one
   * (a whole section confirmed), goes on to the next section with values still waiting.
   */
  function confirmKeys(keys, focusKey = null) {
    if (s.readOnly || !keys.length) return;
    onConfirm(keys, () => {
      const w = focusKey && s.view?.widgets.get(focusKey);
      if (w) w.focus();
      else if (focusKey) (fieldStops(s.view?.nodes.get(focusKey) || main)[0] || main)?.focus?.();
      else {
        const next = nextSectionWaiting();
        if (next) showSection(next.id);
        else if (!main.contains(document.activeElement)) focusFirstField();
      }
    });
  }

  /** The first section after the current one (in order, then from the top) with values waiting. */
  function nextSectionWaiting() {
    const list = visibleSections();
    const at = list.findIndex((x) => x.id === s.current);
    const order = [...list.slice(at + 1), ...list.slice(0, Math.max(at, 0))];
    return order.find((x) => [...s.answers].some(([key, a]) => waitsForConfirmation(a) && !s.disabled.has(key) &&
      s.index?.sectionOf(a.linkId) === x.id)) || null;
  }

  const confirmCount = h('span', { class: 'section-confirm-text' });
  const confirmBar = h('div', { class: 'section-confirm', id: 'intake-confirm-bar', hidden: true }, confirmCount,
    h('button', { type: 'button', class: 'primary small', id: 'intake-confirm-section', 'aria-keyshortcuts': 'Alt+C',
      on: { click: () => confirmKeys(pendingInSection()) } }, 'Confirm all and go on (Alt+C)'));

  function section(id) {
    return s.sections.find((x) => x.id === id) || null;
  }

  function visibleSections() {
    return s.sections.filter((x) => !sectionDisabled(x, s.disabled) || x.id === s.current);
  }

  function showSection(id, { record = true, focus = 'first' } = {}) {
    commitAll();
    const target = section(id) || s.sections[0];
    if (!target) return;
    // Text that cannot be sent (a local error) leaves with its section: say so.
    const dropped = [...localErrors].filter(([key]) => s.view?.widgets.has(key));
    for (const [key] of dropped) localErrors.delete(key);
    if (dropped.length) onDiscard(dropped);
    const changed = target.id !== s.current;
    s.current = target.id;
    s.view = renderSection(target, {
      index: s.index, env, onAddRow, onRemoveRow,
      get answers() { return s.answers; },
      get disabled() { return s.disabled; },
      get readOnly() { return s.readOnly; },
    });
    const off = sectionDisabled(target, s.disabled)
      ? h('p', { class: 'notice notice-info', id: 'intake-section-off' },
        'This section does not apply right now: the answers it depends on rule it out.')
      : null;
    replaceChildren(main, off, confirmBar, s.view.el, sectionFooter());
    refreshProblems();
    if (record && changed && !s.readOnly) {
      saver.setSection(target.id);
      saver.kick();
    }
    if (focus === 'first') focusFirstField();
  }

  function sectionFooter() {
    const list = visibleSections();
    const at = list.findIndex((x) => x.id === s.current);
    const prev = list[at - 1];
    const next = list[at + 1];
    return h('div', { class: 'section-foot' },
      prev ? h('button', { type: 'button', class: 'secondary', id: 'intake-prev-section',
        on: { click: () => showSection(prev.id) } }, `‹ ${prev.title}`) : h('span'),
      next ? h('button', { type: 'button', class: 'secondary', id: 'intake-next-section',
        on: { click: () => showSection(next.id) } }, `${next.title} ›`) : null);
  }

  /**
   * Puts the cursor in a field reached from the keyboard; a one-line box's text is
   * selected, so typing replaces it (a carried dose, a corrected value) and arrow keys
   * keep it. Multi-line text is never selected whole.
   */
  function arrive(el) {
    el.focus();
    if (el instanceof HTMLInputElement && ['text', 'url', 'search', 'tel'].includes(el.type) && !el.readOnly) el.select();
  }

  function focusFirstField() {
    const first = fieldStops(main)[0];
    if (first) arrive(first);
    else main.querySelector('#intake-section-title')?.focus();
  }

  /** Enter: the next field after `from`, or the first field of the next section. */
  function moveNext(from) {
    const key = from.dataset.key;
    const next = fieldStops(main).find((el) => el.dataset.key !== key &&
      (from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
    if (next) {
      arrive(next);
      return;
    }
    const list = visibleSections();
    const after = list[list.findIndex((x) => x.id === s.current) + 1];
    if (after) showSection(after.id);
    else onEnterPastEnd();
  }

  main.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const t = event.target;
    if (event.defaultPrevented || !(t instanceof HTMLInputElement || t instanceof HTMLSelectElement)) return;
    if (!t.dataset.key || ['button', 'submit', 'reset'].includes(t.type)) return;
    event.preventDefault();
    commit(t.dataset.key);
    if (!localErrors.has(t.dataset.key)) moveNext(t); // a value that cannot be sent stays to be fixed
  });

  // Rows of repeating groups.

  function onAddRow(item, parentRows) {
    const groupKey = makeKey(parentRows, item.linkId);
    const id = Math.max(0, maxRow.get(groupKey) || 0, ...rowIds(s.answers, parentRows, item.linkId)) + 1;
    maxRow.set(groupKey, id);
    const rows = [...parentRows, id];
    const rowKey = makeKey(rows, item.linkId);
    s.answers.set(rowKey, { key: rowKey, linkId: item.linkId, rows, values: [] });
    saver.addRow(rowKey);
    saver.kick();
    s.view.syncRows();
    const row = s.view.nodes.get(rowKey);
    (row && fieldStops(row)[0])?.focus();
    onChange();
  }

  function onRemoveRow(rowKey) {
    const { rows, linkId } = splitKey(rowKey);
    const parentRows = rows.slice(0, -1);
    const groupKey = makeKey(parentRows, linkId);
    maxRow.set(groupKey, Math.max(maxRow.get(groupKey) || 0, rows[rows.length - 1]));
    const within = (k) => isWithinRow(k, rowKey, s.index);
    for (const k of [...s.answers.keys()]) if (within(k)) s.answers.delete(k);
    for (const k of [...dirty.keys()]) {
      if (!within(k)) continue;
      clearTimeout(dirty.get(k));
      dirty.delete(k);
    }
    for (const k of [...localErrors.keys()]) if (within(k)) localErrors.delete(k);
    s.problems = s.problems.filter((p) => !within(p.key));
    saver.removeRow(rowKey, within);
    saver.kick();
    const ids = rowIds(s.answers, parentRows, linkId);
    const nextId = ids.find((i) => i > rows[rows.length - 1]) ?? ids[ids.length - 1];
    s.view.syncRows();
    const nextRow = nextId ? s.view.nodes.get(makeKey([...parentRows, nextId], linkId)) : null;
    const target = (nextRow && fieldStops(nextRow)[0]) || main.querySelector(`[data-group-key="${CSS.escape(groupKey)}"]`);
    target?.focus();
    refreshProblems();
  }

  return {
    state: s,
    commitAll,
    showSection,
    focusFirstField,
    refreshProblems,
    /** Takes a freshly opened intake; shows `sectionId` (or the one it was left in). */
    load(intake, sectionId = null) {
      for (const timer of dirty.values()) clearTimeout(timer);
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
      s.current = null;
      showSection(sectionFor(s.sections, sectionId ?? intake.encounter.section)?.id, { record: false, focus: 'first' });
    },
    /** Applies a save's result; never overwrites what is still being typed or queued. */
    applySaved(saved) {
      for (const a of saved.answers || []) {
        if (saver.isPending(a.key)) continue;
        s.answers.set(a.key, a);
        const w = s.view.widgets.get(a.key);
        const shown = w?.read();
        if (w && !dirty.has(a.key) && !localErrors.has(a.key) && !(shown.values && sameValues(shown.values, a.values))) {
          w.set(a.values);
        }
      }
      for (const k of saved.removed || []) {
        if (saver.isPending(k)) continue;
        s.answers.delete(k);
        const w = s.view.widgets.get(k);
        if (w && !dirty.has(k) && !localErrors.has(k)) w.set([]);
      }
      s.disabled = new Set(saved.disabled || []);
      s.problems = saved.problems || [];
      s.view.syncRows();
      s.view.applyDisabled(s.disabled);
      refreshProblems();
    },
    /** A value the backend refused for one key: shown at the field, the text kept. */
    refuse(key, message, values) {
      if (key) {
        localErrors.set(key, message);
        refused.set(key, values);
        s.answers.delete(key); // not saved: other text typed there is sent again
      }
      refreshProblems();
    },
    setProblems(problems, { revealAll = false } = {}) {
      s.problems = problems;
      if (revealAll) s.revealAll = true;
      refreshProblems();
    },
    setReadOnly(readOnly) {
      s.readOnly = readOnly;
      showSection(s.current, { record: false, focus: null });
    },
    /** Problems for the problems panel: the backend's and the local ones. */
    allProblems() {
      const local = [...localErrors].map(([key, message]) => ({ key, linkId: splitKey(key).linkId, severity: 'error', message }));
      return sortProblems([...local, ...s.problems.filter((p) => !localErrors.has(p.key))], s.index);
    },
    hasLocalErrors: () => localErrors.size > 0,
    /** Whether a problem is about text this window could not send (not the backend's). */
    isLocal: (p) => localErrors.get(p.key) === p.message,
    /** The nav entries: counts per section. */
    navEntries: () => sectionEntries(s, shownProblems()),
    /** "Allergies › Substance (Allergy 2)" for a problem's key. */
    describe: (key) => describeKey(key, s),
    /** Shows the field of a problem: its section, then the field (or its row/group). */
    goTo(key) {
      const sectionId = s.index.sectionOf(splitKey(key).linkId);
      if (sectionId && sectionId !== s.current) showSection(sectionId, { focus: null });
      // A carried value waiting for confirmation: its Confirm button.
      const confirm = waitsForConfirmation(s.answers.get(key)) && document.getElementById(`confirm-${idSafe(key)}`);
      if (confirm && main.contains(confirm) && !confirm.closest('[hidden]')) {
        confirm.focus();
        return;
      }
      const widget = s.view.widgets.get(key);
      if (widget && !widget.el.closest('[hidden]')) {
        widget.focus();
        return;
      }
      const node = s.view.nodes.get(key);
      const stop = node && fieldStops(node)[0];
      if (stop) stop.focus();
      else focusFirstField();
    },
    /** Alt+n: the nth section of the list (sections that do not apply are skipped). */
    goToNumber(n) {
      const target = s.sections.filter((x) => !sectionDisabled(x, s.disabled) || x.id === s.current)[n - 1];
      if (target) showSection(target.id);
    },
    /** Alt+C: confirms every carried value of the current section that waits. */
    confirmSection() {
      confirmKeys(pendingInSection());
    },
    /** Alt+A: a row for the repeating group holding focus (or the section's only one). */
    addRowHere() {
      if (s.readOnly) return;
      const inGroup = document.activeElement?.closest?.('.q-repeat');
      const groups = [...main.querySelectorAll('.q-repeat')].filter((g) => !g.closest('[hidden]'));
      const group = inGroup && main.contains(inGroup) ? inGroup : groups.length === 1 ? groups[0] : null;
      group?.querySelector(':scope > .q-add-row')?.click();
    },
    /** Alt+Delete: arms the "Remove row" button of the row holding focus. */
    armRemoveHere() {
      const row = document.activeElement?.closest?.('.q-row');
      const button = row && main.contains(row) ? row.querySelector(':scope > .q-remove-row') : null;
      if (button) arm(button);
    },
  };
}
