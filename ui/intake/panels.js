// The intake screen's panels: the keyboard shortcuts (#intake-shortcuts, F1 or "?"), the
// list of problems that block submission (#intake-problems), and the section list on the
// left (#intake-sections) with each section's completion and error counts.

import { h, replaceChildren } from '../shared/dom.js';
import { idSafe } from './model.js';

const SHORTCUTS = [
  ['Enter', 'Next field (after the last field: the next section). In a list of options: pick the highlighted one.'],
  ['Tab / Shift+Tab', 'Next / previous field or button'],
  ['Ctrl+S', 'Save now'],
  ['Ctrl+Enter', 'Submit the intake'],
  ['Alt+1 … Alt+9', 'Go to section 1 … 9 (numbers as in the section list)'],
  ['Alt+0', 'Pick any section: ↑ / ↓ in the section list, Enter opens it'],
  ['Alt+C', 'Confirm every carried value of this section and go on to the next section with values to confirm (or press Confirm beside one)'],
  ['Alt+A', 'Add a row to the group you are in (allergy, medication, …)'],
  ['Alt+Delete', 'Remove the row you are in: focuses its "Remove row" button; press Enter to confirm'],
  ['↑ / ↓', 'Move through the options of a type-ahead list'],
  ['1 … 9, a letter', 'On a group of options: pick option n, or the next option starting with that letter (Y / N on a yes/no)'],
  ['Backspace / Delete', 'On a group of options or a yes/no: clear the answer'],
  ['Escape', 'Close a list or a panel'],
  ['F1 or ?', 'Show or hide these shortcuts'],
];

/**
 * The shortcuts panel: `{ el, toggle(), close(), get open }`; closing puts focus back.
 * `onToggle(open)` runs after each change (the opener's aria-expanded).
 */
export function createShortcuts({ onToggle = () => {} } = {}) {
  let returnFocus = null;
  const close = h('button', { type: 'button', class: 'secondary small', id: 'intake-shortcuts-close' }, 'Close');
  const heading = h('h2', { id: 'intake-shortcuts-title', tabindex: '-1' }, 'Keyboard shortcuts');
  const el = h('section', { id: 'intake-shortcuts', class: 'panel intake-shortcuts', hidden: true,
    role: 'dialog', 'aria-labelledby': 'intake-shortcuts-title' },
  h('div', { class: 'panel-head' }, heading, close),
  h('dl', { class: 'shortcut-list' }, SHORTCUTS.map(([keys, what]) =>
    h('div', { class: 'shortcut' }, h('dt', {}, h('kbd', {}, keys)), h('dd', {}, what)))));
  const api = {
    el,
    get open() {
      return !el.hidden;
    },
    show() {
      returnFocus = document.activeElement;
      el.hidden = false;
      heading.focus();
      onToggle(true);
    },
    close() {
      if (el.hidden) return;
      el.hidden = true;
      if (returnFocus?.isConnected) returnFocus.focus();
      returnFocus = null;
      onToggle(false);
    },
    toggle() {
      if (el.hidden) api.show();
      else api.close();
    },
  };
  close.addEventListener('click', () => api.close());
  return api;
}

/**
 * The problems panel shown when submission is blocked: an overlay at the side of the
 * window (the field stays in view), its problems grouped by section in form order. The
 * carried values a section still waits for are one line, "n carried values to confirm",
 * whose "Confirm section" opens that section (the nurse confirms there, having seen
 * them); every other problem is a button (class problem-link) that goes to its field.
 * With no error left it says so in green. `sectionOf(problem)` gives `{ id, title }`,
 * `describe(problem)` "Section › Question", `onPick(problem)` goes to the field and
 * `onOpenSection(id)` shows a section.
 */
export function createProblemsPanel({ describe, sectionOf, onPick, onOpenSection }) {
  const heading = h('h2', { id: 'intake-problems-title', tabindex: '-1' });
  const close = h('button', { type: 'button', class: 'secondary small', id: 'intake-problems-close' }, 'Close');
  const list = h('div', { class: 'problem-groups' });
  const el = h('section', { id: 'intake-problems', class: 'problems-panel', role: 'alert', hidden: true,
    'aria-labelledby': 'intake-problems-title' }, h('div', { class: 'panel-head' }, heading, close), list);

  let shown = ''; // what the list shows, to refill only when it changes

  /** Problems by section, in the order they come (form order). */
  function bySection(problems) {
    const groups = new Map();
    for (const p of problems) {
      const section = sectionOf(p) || { id: '', title: '' };
      if (!groups.has(section.id)) groups.set(section.id, { section, confirm: [], other: [] });
      const g = groups.get(section.id);
      (p.confirm ? g.confirm : g.other).push(p);
    }
    return [...groups.values()];
  }

  function problemButton(p) {
    return h('li', { class: `problem problem-${p.severity}` },
      h('button', { type: 'button', class: 'problem-link', dataset: { key: p.key, severity: p.severity },
        on: { click: () => onPick(p) } },
      p.severity === 'error' ? null : h('span', { class: 'badge badge-warn' }, 'Warning'),
      `${describe(p).split(' › ').slice(1).join(' › ') || describe(p)}: ${p.message}`));
  }

  function fill(problems) {
    const signature = JSON.stringify(problems.map((p) => [p.key, p.severity, p.message, p.confirm, describe(p)]));
    if (signature === shown) return;
    shown = signature;
    // A refill (after a save) keeps focus on the same problem, or at the same place.
    const links = () => [...list.querySelectorAll('.problem-link')];
    const focused = links().indexOf(document.activeElement);
    const focusedKey = focused >= 0 ? document.activeElement.dataset.key : null;
    const errors = problems.filter((p) => p.severity === 'error');
    el.classList.toggle('problems-clear', errors.length === 0);
    el.setAttribute('role', errors.length ? 'alert' : 'status');
    heading.textContent = errors.length
      ? `Cannot submit yet: ${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}`
      : 'No problems left: submit when ready';
    const ordered = [...errors, ...problems.filter((p) => p.severity !== 'error')];
    replaceChildren(list, bySection(ordered).map(({ section, confirm, other }) =>
      h('section', { class: 'problem-group', dataset: { section: section.id } },
        h('h3', {}, section.title || 'Form'),
        confirm.length ? h('div', { class: 'problem-confirm' },
          h('span', {}, `${confirm.length} carried ${confirm.length === 1 ? 'value' : 'values'} to confirm`),
          h('button', { type: 'button', class: 'secondary small problem-link problem-open-section',
            dataset: { key: `section:${section.id}`, severity: 'error' },
            on: { click: () => onOpenSection(section.id) } }, 'Confirm section')) : null,
        other.length ? h('ul', { class: 'problem-list' }, other.map(problemButton)) : null)));
    if (focused >= 0) {
      const all = links();
      (all.find((l) => l.dataset.key === focusedKey) || all[Math.min(focused, all.length - 1)] || heading).focus();
    }
  }

  const panel = {
    el,
    get open() {
      return !el.hidden;
    },
    /**
     * Shows the problems and focuses the first, unless `focus` is false (the person
     * moved on to a field while the submission was on its way: focus stays there).
     */
    show(problems, { focus = true } = {}) {
      fill(problems);
      el.hidden = false;
      if (!focus) return;
      const first = () => (list.querySelector('.problem-link') || heading).focus();
      first();
      // Leaving a field commits it, which may refill the list while focus moves: again.
      if (!el.contains(document.activeElement)) first();
    },
    /** Refreshes the list while it is open (after each save). */
    update(problems) {
      if (!el.hidden) fill(problems);
    },
    hide() {
      el.hidden = true;
    },
  };
  close.addEventListener('click', () => panel.hide());
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      panel.hide();
    }
  });
  return panel;
}

/**
 * The section list: one button per section (#intake-section-<linkId>) with its number
 * (Alt+n), title, "answered/total" (green only when complete and nothing waits) and an
 * error badge; a section with carried values to confirm is amber, "n to confirm". `onPick(id)` switches section.
 * The buttons are made once per form and updated in place, so focus on them survives.
 */
export function createSectionNav({ onPick }) {
  const list = h('ol', { class: 'section-list' });
  const el = h('nav', { id: 'intake-sections', class: 'intake-sections', 'aria-label': 'Sections of the form' }, list);
  let items = new Map(); // id -> { li, button, num, count, badge }
  // Arrow keys move between the section buttons (the picker of Alt+0).
  list.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const shown = [...items.values()].filter((i) => !i.li.hidden).map((i) => i.button);
    const at = shown.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: shown.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    shown[Math.max(0, Math.min(shown.length - 1, to))].focus();
  });

  function item(section) {
    const num = h('span', { class: 'section-num', 'aria-hidden': 'true' });
    // The name read out is the visible text: the title, "3 of 10 answered" (shown as 3/10),
    // the badges' words; Alt+n is the button's key shortcut.
    const count = h('span', { class: 'section-count', 'aria-hidden': 'true' });
    const spoken = h('span', { class: 'visually-hidden' });
    const badge = h('span', { class: 'badge section-badge', hidden: true });
    const confirm = h('span', { class: 'badge badge-waiting section-confirm-badge', hidden: true,
      title: 'Carried values to confirm' });
    const button = h('button', { type: 'button', id: `intake-section-${idSafe(section.id)}`, class: 'section-link',
      dataset: { section: section.id }, on: { click: () => onPick(section.id) } },
    num, h('span', { class: 'section-title' }, section.title), count, spoken, confirm, badge);
    return { li: h('li', {}, button), button, num, count, spoken, badge, confirm };
  }

  return {
    el,
    /** Makes the buttons for a form's sections (`[{ id, title }]`). */
    build(sections) {
      items = new Map(sections.map((s) => [s.id, item(s)]));
      replaceChildren(list, [...items.values()].map((i) => i.li));
    },
    /** `entries`: `[{ id, title, answered, total, errors, warnings, current, off }]`. */
    update(entries) {
      let n = 0;
      for (const s of entries) {
        const i = items.get(s.id);
        if (!i) continue;
        if (!s.off) n += 1;
        const number = s.off ? null : n;
        i.li.hidden = s.off;
        i.num.textContent = number ? String(number) : '';
        i.count.textContent = `${s.answered}/${s.total}`;
        // Never a green "complete" count while carried values wait: amber instead.
        i.count.classList.toggle('done', s.total > 0 && s.answered === s.total && !s.toConfirm);
        i.count.classList.toggle('waiting', Boolean(s.toConfirm));
        i.button.classList.toggle('section-waiting', Boolean(s.toConfirm));
        i.badge.hidden = !s.errors && !s.warnings;
        i.badge.className = `badge section-badge ${s.errors ? 'badge-err' : 'badge-warn'}`;
        // The word, not only the colour, tells an error from a warning.
        i.badge.textContent = s.errors ? `${s.errors} ${s.errors === 1 ? 'error' : 'errors'}`
          : s.warnings ? `${s.warnings} ${s.warnings === 1 ? 'warning' : 'warnings'}` : '';
        i.badge.title = s.errors ? 'Errors' : 'Warnings';
        i.confirm.hidden = !s.toConfirm;
        i.confirm.textContent = s.toConfirm ? `${s.toConfirm} to confirm` : '';
        i.button.dataset.number = number ? String(number) : '';
        if (s.current) i.button.setAttribute('aria-current', 'step');
        else i.button.removeAttribute('aria-current');
        i.spoken.textContent = ` ${s.answered} of ${s.total} answered`;
        if (number && number <= 9) i.button.setAttribute('aria-keyshortcuts', `Alt+${number}`);
        else i.button.removeAttribute('aria-keyshortcuts');
      }
    },
    /**
     * Alt+0: the section picker. Focus moves to the current section's button; ↑ / ↓,
     * Home / End move through the sections and Enter opens one, so every section is
     * reachable by keys, also past the ninth.
     */
    focusCurrent() {
      const shown = [...items.values()].filter((i) => !i.li.hidden);
      const current = shown.find((i) => i.button.getAttribute('aria-current') === 'step') || shown[0];
      current?.button.focus();
    },
  };
}
