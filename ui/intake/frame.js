// The frame every intake question shares: the label (prefix, text, required mark, a
// "calculated" marker), where the answer came from (carried badge, confirm; see
// carry.js), a hint (entry format, usual range), the last value or why it was not
// carried, and the problems line (`#err-<key>`), all tied to the controls with
// aria-describedby, with aria-invalid on errors.

import { h, replaceChildren } from '../shared/dom.js';
import { errorId, fieldId } from './model.js';

/** Whether the person cannot change the item here (read-only intake, filled by the app). */
export function isLocked(item, env) {
  return Boolean(env.readOnly || item.readOnly || item.calculated);
}

/** The label: prefix, text, and a required mark (aria-required says it to readers). */
export function labelContent(item) {
  return [
    item.prefix ? h('span', { class: 'q-prefix' }, `${item.prefix} `) : null,
    item.text || item.linkId,
    item.required ? h('span', { class: 'q-required', 'aria-hidden': 'true', title: 'Required' }, ' *') : null,
    item.calculated ? h('span', { class: 'badge q-marker' }, 'calculated')
      : item.readOnly ? h('span', { class: 'badge q-marker' }, 'filled in by the app') : null,
  ];
}

function hintText(item) {
  const parts = [];
  if (item.entryFormat) parts.push(`Format: ${item.entryFormat}`);
  const [low, high] = [item.usualMin, item.usualMax].map((n) => (typeof n === 'number' ? n : null));
  const unit = item.unit ? ` ${item.unit}` : '';
  if (low !== null && high !== null) parts.push(`Usual ${low}–${high}${unit}`);
  else if (high !== null) parts.push(`Usually at most ${high}${unit}`);
  else if (low !== null) parts.push(`Usually at least ${low}${unit}`);
  return parts.join(' · ');
}

/**
 * The frame every question shares. `controls` are the focusable elements that get
 * aria-describedby/aria-invalid. A <label for> names the main control; with `legend` a
 * fieldset legend names the group (radio groups label each option instead), and with
 * `ownLabel` the body brings its own label (a checkbox followed by its question).
 */
export function fieldFrame(item, key, { body, controls, legend = false, wide = false, ownLabel = false }) {
  const hint = hintText(item);
  const hintEl = hint ? h('p', { class: 'q-hint', id: `${errorId(key)}-hint` }, hint) : null;
  const problemsEl = h('div', { class: 'q-problems', id: errorId(key) });
  const provEl = h('div', { class: 'q-prov', id: `${errorId(key)}-from` });
  const carryEl = h('div', { class: 'q-carry', id: `${errorId(key)}-carry` });
  const classes = ['q-field', `q-type-${item.type}`, wide ? 'q-wide' : null, item.calculated ? 'q-calculated' : null];
  const el = legend
    ? h('fieldset', { class: [...classes, 'q-fieldset'].filter(Boolean).join(' '), dataset: { key } },
      h('legend', { id: `${fieldId(key)}-label`, class: 'q-label' }, labelContent(item)), provEl, body, hintEl,
      carryEl, problemsEl)
    : h('div', { class: classes.filter(Boolean).join(' '), dataset: { key } },
      ownLabel ? null : h('label', { for: fieldId(key), id: `${fieldId(key)}-label`, class: 'q-label' }, labelContent(item)),
      provEl, body, hintEl, carryEl, problemsEl);
  let problemsShown = false;
  function describe(invalid) {
    const described = [hintEl?.id, provEl.childNodes.length ? provEl.id : null,
      carryEl.childNodes.length ? carryEl.id : null, problemsShown ? problemsEl.id : null].filter(Boolean).join(' ');
    for (const c of controls) {
      if (invalid !== undefined) {
        if (invalid) c.setAttribute('aria-invalid', 'true');
        else c.removeAttribute('aria-invalid');
      }
      if (described) c.setAttribute('aria-describedby', described);
      else c.removeAttribute('aria-describedby');
    }
  }
  for (const c of controls) {
    c.dataset.key = key;
    if (item.required) c.setAttribute('aria-required', 'true');
  }
  return {
    el,
    /** Shows problems (`{ severity, message }`) and marks the controls for errors. */
    setProblems(list) {
      replaceChildren(problemsEl, list.map((p) => h('p', { class: `q-problem q-${p.severity}` },
        h('span', { class: 'visually-hidden' }, p.severity === 'error' ? 'Error: ' : 'Warning: '), p.message)));
      problemsShown = list.length > 0;
      describe(list.some((p) => p.severity === 'error'));
    },
    /** Shows where the answer came from (badge, confirm) and the carry note under it. */
    setCarry(provNodes, noteNodes) {
      replaceChildren(provEl, provNodes);
      replaceChildren(carryEl, noteNodes);
      provEl.hidden = provNodes.length === 0;
      carryEl.hidden = noteNodes.length === 0;
      describe();
    },
  };
}

