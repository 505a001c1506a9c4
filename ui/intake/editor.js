// The intake editor's view: draws the state (state.js) one section at a time and turns
// keys, clicks and timers into calls on it. It decides nothing the state can decide:
// which problems show, what a commit sends, where Enter goes after the last field, which
// row takes focus after a removal; it only knows elements, focus and the debounce timers.
//
// Text is committed 300 ms after the last key (or on blur/Enter), picks at once. Enter
// does not leave a field whose text cannot be sent; switching section drops such text and
// reports it (`onDiscard([[key, message]])`).

import { replaceChildren, h } from '../shared/dom.js';
import { namesFrom } from '../review/format.js';
import { idSafe, sameValues, splitKey, waitsForConfirmation } from './model.js';
import { carryNoteNodes, provenanceNodes, replacedNodes } from './carry.js';
import { arm, fieldStops, renderSection } from './section.js';
import { createIntakeState } from './state.js';

const DEBOUNCE_MS = 300;

export function createEditor({ main, saver, onChange, onEnterPastEnd, onDiscard, onConfirm }) {
  const state = createIntakeState();
  const s = state.state;
  const timers = new Map(); // key -> debounce timer of text being typed
  let view = null; // the section on screen: { el, widgets, nodes, syncRows(), applyDisabled() }
  let names = namesFrom({}); // the opened intake's people

  const env = {
    get readOnly() {
      return s.readOnly;
    },
    onEdit(key, mode) {
      clearTimeout(timers.get(key));
      timers.delete(key);
      if (mode === 'now') {
        commit(key);
        return;
      }
      state.markDirty(key);
      if (mode === 'debounce') timers.set(key, setTimeout(() => commit(key), DEBOUNCE_MS));
    },
    onCommit(key) {
      commit(key); // also when nothing was typed: a half-typed date fires no input event
    },
  };

  function commit(key) {
    clearTimeout(timers.get(key));
    timers.delete(key);
    const widget = view?.widgets.get(key);
    const { save } = state.commit(key, widget && !s.readOnly ? widget.read() : null);
    if (save) {
      saver.put(key, save);
      saver.kick();
    }
    refreshProblems();
  }

  /** Commits every field still being typed in (before a section switch, Ctrl+S, submit). */
  function commitAll() {
    for (const key of state.dirtyKeys()) commit(key);
  }

  function refreshProblems() {
    for (const [key, widget] of view?.widgets || []) widget.setProblems(state.problemsAt(key));
    refreshCarry();
    onChange();
  }

  // Carry-forward: badges, confirm buttons, notes; redrawn only where they changed (a
  // redraw would take focus off a Confirm button).
  const carrySigs = new WeakMap();

  function setCarryOnce(target, key, nodesFor) {
    const sig = state.carrySignature(key);
    if (carrySigs.get(target) === sig) return;
    carrySigs.set(target, sig);
    target.setCarry(...nodesFor(s.answers.get(key)));
  }

  function refreshCarry() {
    if (!view) return;
    const opts = { onConfirm: (key) => confirmKeys([key], key), readOnly: s.readOnly, names };
    for (const [key, widget] of view.widgets) {
      // Inside a row, the row says where it came from.
      const inRow = splitKey(key).rows.length > 0;
      if (widget.setCarry) {
        const own = { ...opts, recordBadge: !widget.item?.readOnly };
        const replaced = s.changes.get(key);
        const typedOver = replaced?.kind === 'changed' ? replacedNodes(replaced) : null;
        setCarryOnce(widget, key, (a) => [typedOver || (inRow ? [] : provenanceNodes(key, a, own)),
          carryNoteNodes(key, s.notes)]);
      }
    }
    for (const [key, node] of view.nodes) {
      if (node.carryKind === 'row') setCarryOnce(node, key, (a) => [provenanceNodes(key, a, opts)]);
      else if (node.carryKind === 'list') setCarryOnce(node, key, () => [carryNoteNodes(key, s.notes)]);
    }
    const waiting = state.waitingHere();
    confirmCount.textContent = state.waitingText(waiting.length);
    confirmBar.hidden = waiting.length === 0 || s.readOnly;
  }

  /**
   * Confirms `keys`; `focusKey`: the field to put the cursor in afterwards. Without one
   * (a whole section confirmed), goes on to the next section with values still waiting.
   */
  function confirmKeys(keys, focusKey = null) {
    if (s.readOnly || !keys.length) return;
    onConfirm(keys, () => {
      const w = focusKey && view?.widgets.get(focusKey);
      if (w) w.focus();
      else if (focusKey) (fieldStops(view?.nodes.get(focusKey) || main)[0] || main)?.focus?.();
      else {
        const next = state.nextSectionWaiting();
        if (next) showSection(next);
        else if (!main.contains(document.activeElement)) focusFirstField();
      }
    });
  }

  const confirmCount = h('span', { class: 'section-confirm-text' });
  const confirmBar = h('div', { class: 'section-confirm', id: 'intake-confirm-bar', hidden: true }, confirmCount,
    h('button', { type: 'button', class: 'primary small', id: 'intake-confirm-section', 'aria-keyshortcuts': 'Alt+C',
      on: { click: () => confirmKeys(state.waitingHere()) } }, 'Confirm all and go on (Alt+C)'));

  function showSection(id, { record = true, focus = 'first' } = {}) {
    commitAll();
    const entered = state.enterSection(id);
    if (!entered) return;
    // Text that cannot be sent (a local error) leaves with its section: say so.
    if (entered.dropped.length) onDiscard(entered.dropped);
    view = renderSection(state.section(entered.id), {
      index: s.index, env, onAddRow, onRemoveRow,
      get answers() { return s.answers; },
      get disabled() { return s.disabled; },
      get readOnly() { return s.readOnly; },
    });
    const off = state.currentOff()
      ? h('p', { class: 'notice notice-info', id: 'intake-section-off' },
        'This section does not apply right now: the answers it depends on rule it out.')
      : null;
    replaceChildren(main, off, confirmBar, view.el, sectionFooter());
    refreshProblems();
    if (record && entered.changed && !s.readOnly) {
      saver.setSection(entered.id);
      saver.kick();
    }
    if (focus === 'first') focusFirstField();
  }

  function sectionFooter() {
    const { prev, next } = state.neighbours();
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

  /** Enter: the next field after `from`, or what the state says comes after the last one. */
  function moveNext(from) {
    const key = from.dataset.key;
    const next = fieldStops(main).find((el) => el.dataset.key !== key &&
      (from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
    if (next) {
      arrive(next);
      return;
    }
    const after = state.afterLastField();
    if (after.section) showSection(after.section);
    else onEnterPastEnd();
  }

  main.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const t = event.target;
    if (event.defaultPrevented || !(t instanceof HTMLInputElement || t instanceof HTMLSelectElement)) return;
    if (!t.dataset.key || ['button', 'submit', 'reset'].includes(t.type)) return;
    event.preventDefault();
    commit(t.dataset.key);
    if (!state.entersNothing(t.dataset.key)) moveNext(t); // a value that cannot be sent stays to be fixed
  });

  // Rows of repeating groups.

  function onAddRow(item, parentRows) {
    const rowKey = state.addRow(item, parentRows);
    saver.addRow(rowKey);
    saver.kick();
    view.syncRows();
    const row = view.nodes.get(rowKey);
    (row && fieldStops(row)[0])?.focus();
    onChange();
  }

  function onRemoveRow(rowKey) {
    const { within, focusRowKey, groupKey } = state.removeRow(rowKey);
    for (const k of [...timers.keys()]) {
      if (!within(k)) continue;
      clearTimeout(timers.get(k));
      timers.delete(k);
    }
    saver.removeRow(rowKey, within);
    saver.kick();
    view.syncRows();
    const nextRow = focusRowKey ? view.nodes.get(focusRowKey) : null;
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
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      names = namesFrom(intake.people);
      showSection(state.load(intake, sectionId), { record: false, focus: 'first' });
    },
    /** Applies a save's result; never overwrites what is still being typed or queued. */
    applySaved(saved) {
      for (const [key, values] of state.applySaved(saved, saver.isPending)) {
        const w = view.widgets.get(key);
        const shown = w?.read();
        if (w && !(shown.values && sameValues(shown.values, values))) w.set(values);
      }
      view.syncRows();
      view.applyDisabled(s.disabled);
      refreshProblems();
    },
    /** A value the backend refused for one key: shown at the field, the text kept. */
    refuse(key, message, values) {
      state.refuse(key, message, values);
      refreshProblems();
    },
    setProblems(problems, { revealAll = false } = {}) {
      state.setProblems(problems, { revealAll });
      refreshProblems();
    },
    setReadOnly(readOnly) {
      state.setReadOnly(readOnly);
      showSection(s.current, { record: false, focus: null });
    },
    allProblems: state.allProblems,
    hasLocalErrors: state.hasLocalErrors,
    isLocal: state.isLocal,
    navEntries: state.navEntries,
    describe: state.describe,
    /** The section a key is in: `{ id, title }`, or null. */
    sectionOfKey(key) {
      const id = state.sectionOfKey(key);
      const section = id ? state.section(id) : null;
      return section ? { id: section.id, title: section.title } : null;
    },
    confirmations: state.confirmations,
    /** Shows the field of a problem: its section, then the field (or its row/group). */
    goTo(key) {
      const sectionId = state.sectionOfKey(key);
      if (sectionId && sectionId !== s.current) showSection(sectionId, { focus: null });
      // A carried value waiting for confirmation: its Confirm button.
      const confirm = waitsForConfirmation(s.answers.get(key)) && document.getElementById(`confirm-${idSafe(key)}`);
      if (confirm && main.contains(confirm) && !confirm.closest('[hidden]')) {
        confirm.focus();
        return;
      }
      const widget = view.widgets.get(key);
      if (widget && !widget.el.closest('[hidden]')) {
        widget.focus();
        return;
      }
      const node = view.nodes.get(key);
      const stop = node && fieldStops(node)[0];
      if (stop) stop.focus();
      else focusFirstField();
    },
    /** Alt+n: the nth section of the list (sections that do not apply are skipped). */
    goToNumber(n) {
      const id = state.sectionNumber(n);
      if (id) showSection(id);
    },
    /** Shows section `id` with its "Confirm all" button focused (or its first field). */
    openToConfirm(id) {
      showSection(id, { focus: null });
      if (!confirmBar.hidden) confirmBar.querySelector('button')?.focus();
      else focusFirstField();
    },
    /** Alt+C: confirms every carried value of the current section that waits. */
    confirmSection() {
      confirmKeys(state.waitingHere());
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
