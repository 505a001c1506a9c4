// One section of an intake form on screen: its questions, groups, notes and the rows of
// repeating groups, built from the form and the answers.
//
// `renderSection(section, ctx)` returns `{ el, widgets, nodes, syncRows() }`: `widgets`
// maps keys to the question widgets (fields.js), `nodes` maps keys to the element
// to hide when the backend says that instance is disabled. A repeating group shows its
// rows (fieldsets ordered by row id, each with "Remove row") and an "Add <group>" button;
// `syncRows()` redraws only rows that appeared or went (other rows keep their elements,
// so text being typed is never lost). Removing takes two presses of the same button:
// the first arms it ("Confirm remove"), leaving it disarms it. `fieldStops` lists the
// fields Enter moves through.

import { h, replaceChildren } from '../shared/dom.js';
import { createField, unsupportedNotice } from './fields.js';
import { idSafe, isRowGroup, isWithinRow, rowIds } from './model.js';

const FIELD_SELECTOR = 'input, select, textarea, button.q-add-row';

/**
 * The fields Enter moves through: one stop per key (a radio group's checked option), and
 * the "Add <group>" buttons (Enter on one adds a row and goes to its first field).
 */
export function fieldStops(root) {
  const shown = [...root.querySelectorAll(FIELD_SELECTOR)].filter((el) => !el.disabled && !el.readOnly &&
    el.type !== 'hidden' && el.dataset.stop !== 'no' && el.dataset.key && !el.closest('[hidden]'));
  const byKey = new Map();
  for (const el of shown) {
    const list = byKey.get(el.dataset.key) || [];
    list.push(el);
    byKey.set(el.dataset.key, list);
  }
  return [...byKey.values()].map((list) => list.find((el) => el.type === 'radio' && el.checked) || list[0]);
}

/**
 * ctx: `{ index, answers, disabled, readOnly, env, onAddRow(item, parentRows),
 * onRemoveRow(rowKey) }` (answers, disabled and readOnly are read when used).
 */
export function renderSection(section, ctx) {
  const widgets = new Map();
  const nodes = new Map();
  const groups = [];

  function register(key, node) {
    nodes.set(key, node);
    node.hidden = ctx.disabled.has(key);
  }

  function renderItems(items, rows) {
    const out = [];
    for (const item of items) {
      if (item.hidden) continue;
      const key = ctx.index.key(rows, item.linkId);
      let node;
      if (isRowGroup(item)) node = repeatingGroup(item, rows);
      else if (item.type === 'group') {
        node = h('fieldset', { class: 'q-group', dataset: { key } },
          h('legend', { class: 'q-group-title' }, item.prefix ? `${item.prefix} ` : null, item.text || item.linkId),
          renderItems(item.items || [], rows));
      } else if (item.type === 'display') {
        node = h('p', { class: 'q-display', dataset: { key } }, item.text);
      } else if (item.supported === false) {
        node = unsupportedNotice(item, key);
      } else {
        const widget = createField(item, key, ctx.env);
        widget.set(ctx.answers.get(key)?.values || []);
        widgets.set(key, widget);
        node = item.items?.length
          ? h('div', { class: 'q-with-children' }, widget.el, renderItems(item.items, rows))
          : widget.el;
      }
      register(key, node);
      out.push(node);
    }
    return out;
  }

  function removeButton(item, rowKey) {
    const button = h('button', { type: 'button', class: 'secondary small q-remove-row', id: `remove-${idSafe(rowKey)}`,
      'aria-keyshortcuts': 'Alt+Delete', dataset: { rowKey } }, 'Remove row');
    const disarm = () => {
      delete button.dataset.armed;
      button.textContent = 'Remove row';
      button.classList.remove('danger');
      button.classList.add('secondary');
      button.removeAttribute('aria-describedby');
    };
    button.addEventListener('click', () => {
      if (button.dataset.armed) ctx.onRemoveRow(rowKey);
      else arm(button);
    });
    button.addEventListener('blur', disarm);
    return button;
  }

  function rowElement(item, parentRows, id, position) {
    const rowRows = [...parentRows, id];
    const rowKey = ctx.index.key(rowRows, item.linkId);
    const title = h('span', { class: 'q-row-title' });
    const prov = h('div', { class: 'q-prov q-row-prov', hidden: true });
    const row = h('fieldset', { class: 'q-row', dataset: { key: rowKey, row: String(id) } },
      h('legend', {}, title),
      h('div', { class: 'q-row-head' }, prov, ctx.readOnly ? null : removeButton(item, rowKey)),
      h('div', { class: 'q-row-body' }, renderItems(item.items || [], rowRows)));
    row.setPosition = (n) => { title.textContent = `${item.text || item.linkId} ${n}`; };
    /** Where the row came from (carried badge, confirm). */
    row.carryKind = 'row';
    row.setCarry = (nodes) => {
      replaceChildren(prov, nodes);
      prov.hidden = nodes.length === 0;
    };
    row.setPosition(position);
    register(rowKey, row);
    return row;
  }

  function repeatingGroup(item, parentRows) {
    const groupKey = ctx.index.key(parentRows, item.linkId);
    const rowsEl = h('div', { class: 'q-rows' });
    const empty = h('p', { class: 'muted q-rows-empty' }, `No ${(item.text || item.linkId).toLowerCase()} added.`);
    const add = ctx.readOnly ? null : h('button', { type: 'button', class: 'secondary small q-add-row',
      id: `add-${idSafe(groupKey)}`, 'aria-keyshortcuts': 'Alt+A', dataset: { groupKey, key: groupKey },
      on: { click: () => ctx.onAddRow(item, parentRows) } }, `Add ${(item.text || item.linkId).toLowerCase()}`);
    const note = h('div', { class: 'q-carry', hidden: true });
    const el = h('div', { class: 'q-repeat', dataset: { key: groupKey, group: item.linkId } },
      h('h3', { class: 'q-repeat-title' }, item.text || item.linkId), note, rowsEl, empty, add);
    /** The list's carry note: why an earlier list was not carried. */
    el.carryKind = 'list';
    el.setCarry = (nodes) => {
      replaceChildren(note, nodes);
      note.hidden = nodes.length === 0;
    };
    const byId = new Map();

    function sync() {
      const ids = rowIds(ctx.answers, groupKey);
      for (const [id, row] of byId) {
        if (ids.includes(id)) continue;
        const rowKey = row.dataset.key;
        for (const key of [...widgets.keys()]) if (isWithinRow(key, rowKey)) widgets.delete(key);
        for (const key of [...nodes.keys()]) if (isWithinRow(key, rowKey)) nodes.delete(key);
        row.remove();
        byId.delete(id);
      }
      ids.forEach((id, n) => {
        let row = byId.get(id);
        if (!row) {
          row = rowElement(item, parentRows, id, n + 1);
          byId.set(id, row);
        } else row.setPosition(n + 1);
        // Moved only when out of place: moving an element takes focus out of it.
        if (rowsEl.children[n] !== row) rowsEl.insertBefore(row, rowsEl.children[n] || null);
      });
      empty.hidden = ids.length > 0;
    }
    groups.push({ el, sync });
    sync();
    return el;
  }

  const body = section.group && !section.group.repeats
    ? renderItems(section.group.items || [], [])
    : renderItems(section.items, []);
  const el = h('section', { class: 'panel intake-section', id: 'intake-section-body', dataset: { section: section.id },
    'aria-labelledby': 'intake-section-title' },
  h('h2', { id: 'intake-section-title', tabindex: '-1' }, section.title),
  h('div', { class: 'q-items' }, body));

  return {
    el,
    widgets,
    nodes,
    /** Adds and removes row elements to match the answers (after saves, adds, removes). */
    syncRows() {
      for (const g of [...groups]) {
        if (el.contains(g.el)) g.sync();
        else groups.splice(groups.indexOf(g), 1); // inside a row that went
      }
    },
    /** Hides what the backend disabled and shows what it enabled, live. */
    applyDisabled(disabled) {
      for (const [key, node] of nodes) node.hidden = disabled.has(key);
    },
  };
}

/** Arms a "Remove row" button: the next press removes the row. */
export function arm(button) {
  button.dataset.armed = 'true';
  button.textContent = 'Confirm remove';
  button.classList.remove('secondary');
  button.classList.add('danger');
  button.focus();
}
