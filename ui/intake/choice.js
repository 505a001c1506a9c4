// Questions answered by picking: yes/no, choices (radio buttons, checkboxes, type-ahead).
//
// Yes/no is a radio pair (or a checkbox when the form asks for one) that tells "No" from
// unanswered. A choice is a radio group when the form asks for radio buttons or has at
// most four options (and does not ask for a drop-down), checkboxes when it repeats, and
// otherwise a type-ahead box (combo.js). An open choice also takes free text (an
// "Other:" box next to radios and checkboxes), sent as valueString.
// On radio groups, 1–9 pick the nth option, a letter picks the next option starting with
// it (Y/N answer yes/no), Backspace/Delete clear.
// Picks are saved at once (`env.onEdit(key, 'now')`); the widget shape is fields.js's.

import { h } from '../shared/dom.js';
import { createCombo } from './combo.js';
import { fieldFrame, isLocked, labelContent } from './frame.js';
import { fieldId, optionIndex, valueText } from './model.js';

export function isChoiceType(type) {
  return type === 'choice' || type === 'open-choice';
}

/** 'checks', 'radios' or 'combo' for a choice item. */
export function choiceKind(item) {
  const options = item.options || [];
  if (item.repeats) return 'checks';
  if (!options.length) return 'combo';
  if (item.control === 'radio-button') return 'radios';
  if (options.length <= 4 && item.control !== 'drop-down') return 'radios';
  return 'combo';
}

/** The id of option `i` of a group: the first is the question's own `q-<key>`. */
function optionId(key, i) {
  return i === 0 ? fieldId(key) : `${fieldId(key)}--${i}`;
}

/** A list of radio buttons or checkboxes, each with its own <label for>. */
function optionInputs(key, type, labels, disabled) {
  const name = `${fieldId(key)}-options`;
  const inputs = labels.map(([label, option], i) => h('input', {
    type, id: optionId(key, i), name, value: String(i), disabled, dataset: { option },
  }));
  const list = h('div', { class: `q-options q-options-${type}`, role: type === 'radio' ? 'radiogroup' : 'group',
    'aria-labelledby': `${fieldId(key)}-label` },
  inputs.map((input, i) => h('div', { class: 'q-option' }, input, h('label', { for: input.id }, labels[i][0]))));
  return { inputs, list };
}

/** Folds "É" to "e", so a plain letter finds an accented label. */
function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The option a typed letter picks: the first label after `current` (wrapping round)
 * that starts with it, or -1 when the key is not a letter or no label starts with it.
 */
export function nextByLetter(labels, current, key) {
  if (typeof key !== 'string' || key.length !== 1 || !/\p{L}/u.test(key)) return -1;
  const letter = fold(key);
  for (let step = 1; step <= labels.length; step += 1) {
    const i = (current + step + labels.length) % labels.length;
    if (fold(labels[i] || '').trimStart().startsWith(letter)) return i;
  }
  return -1;
}

/** Keys on a radio group: digits pick, Backspace/Delete clear. */
function radioKeys(inputs, onPick, onClear, extra = () => false) {
  for (const input of inputs) {
    input.addEventListener('keydown', (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (extra(event)) {
        event.preventDefault();
        return;
      }
      const n = /^[1-9]$/.test(event.key) ? Number(event.key) - 1 : -1;
      if (n >= 0 && n < inputs.length) {
        event.preventDefault();
        onPick(n);
      } else if (event.key === 'Backspace' || event.key === 'Delete') {
        event.preventDefault();
        onClear();
      }
    });
  }
}

function clearButton(item, onClear) {
  return h('button', { type: 'button', class: 'link-button q-clear', tabindex: '-1', hidden: true,
    'aria-label': `Clear the answer to ${item.text}`, on: { click: onClear } }, 'Clear');
}

/** Yes/no: a Yes/No radio pair, or a checkbox (with "Not answered" shown) on request. */
export function createBoolean(item, key, env) {
  const disabled = isLocked(item, env);
  if (item.control === 'check-box') return createBooleanCheckbox(item, key, env, disabled);
  const { inputs, list } = optionInputs(key, 'radio', [['Yes', 'yes'], ['No', 'no']], disabled);
  const [yes, no] = inputs;
  const emit = () => {
    clear.hidden = !(yes.checked || no.checked) || disabled;
    env.onEdit(key, 'now');
  };
  const pick = (n) => {
    inputs[n].checked = true;
    inputs[n].focus();
    emit();
  };
  const reset = () => {
    yes.checked = false;
    no.checked = false;
    yes.focus();
    emit();
  };
  const clear = clearButton(item, reset);
  const frame = fieldFrame(item, key, { controls: inputs, legend: true, body: h('div', { class: 'q-control' }, list, clear) });
  if (!disabled) {
    for (const input of inputs) input.addEventListener('change', emit);
    radioKeys(inputs, pick, reset, (event) => {
      const k = event.key?.toLowerCase();
      if (k === 'y' || k === 'n') {
        pick(k === 'y' ? 0 : 1);
        return true;
      }
      return false;
    });
  }
  return {
    ...frame, key, item, control: yes,
    focus: () => (no.checked ? no : yes).focus(),
    set(values) {
      const v = values[0]?.valueBoolean;
      yes.checked = v === true;
      no.checked = v === false;
      clear.hidden = typeof v !== 'boolean' || disabled;
    },
    read() {
      if (yes.checked) return { values: [{ valueBoolean: true }] };
      if (no.checked) return { values: [{ valueBoolean: false }] };
      return { values: [] };
    },
  };
}

function createBooleanCheckbox(item, key, env, disabled) {
  const box = h('input', { type: 'checkbox', id: fieldId(key), disabled });
  const state = h('span', { class: 'q-state', 'aria-live': 'polite' });
  let answer = null; // true, false or null (unanswered)
  const show = () => {
    box.checked = answer === true;
    box.indeterminate = answer === null;
    state.textContent = answer === null ? 'Not answered' : answer ? 'Yes' : 'No';
  };
  const frame = fieldFrame(item, key, { controls: [box], ownLabel: true,
    body: h('div', { class: 'q-option q-checkbox' }, box,
      h('label', { for: box.id, id: `${box.id}-label`, class: 'q-label' }, labelContent(item)), state) });
  if (!disabled) {
    box.addEventListener('change', () => {
      answer = box.checked;
      show();
      env.onEdit(key, 'now');
    });
    box.addEventListener('keydown', (event) => {
      if (event.key !== 'Backspace' && event.key !== 'Delete') return;
      event.preventDefault();
      answer = null;
      show();
      env.onEdit(key, 'now');
    });
  }
  show();
  return {
    ...frame, key, item, control: box,
    focus: () => box.focus(),
    set(values) {
      const v = values[0]?.valueBoolean;
      answer = typeof v === 'boolean' ? v : null;
      show();
    },
    read: () => ({ values: answer === null ? [] : [{ valueBoolean: answer }] }),
  };
}

/** The free-text box of an open choice shown as radios or checkboxes. */
function otherBox(item, key, env, disabled, onType) {
  const input = h('input', { type: 'text', id: `${fieldId(key)}--other`, autocomplete: 'off', disabled,
    class: 'q-other-input', dataset: { key } });
  const wrap = h('div', { class: 'q-other' }, h('label', { for: input.id }, 'Other:'), input);
  if (!disabled) {
    input.addEventListener('input', () => {
      onType();
      env.onEdit(key, 'hold');
    });
    input.addEventListener('blur', () => env.onCommit(key));
  }
  return { input, wrap };
}

export function createChoice(item, key, env) {
  const kind = choiceKind(item);
  if (kind === 'combo') return createCombo(item, key, env);
  const disabled = isLocked(item, env);
  const options = item.options || [];
  const { inputs, list } = optionInputs(key, kind === 'checks' ? 'checkbox' : 'radio',
    options.map((o) => [o.label, o.value?.valueCoding?.code ?? o.label]), disabled);
  const other = item.openChoice ? otherBox(item, key, env, disabled, () => {
    if (kind === 'radios') for (const input of inputs) input.checked = false;
  }) : null;
  const emit = () => {
    if (kind === 'radios' && other && inputs.some((i) => i.checked)) other.input.value = '';
    if (clear) clear.hidden = !inputs.some((i) => i.checked) || disabled;
    env.onEdit(key, 'now');
  };
  const clear = kind === 'radios' ? clearButton(item, () => {
    for (const input of inputs) input.checked = false;
    inputs[0]?.focus();
    emit();
  }) : null;
  const frame = fieldFrame(item, key, { controls: [...inputs, other?.input].filter(Boolean), legend: true,
    body: h('div', { class: 'q-control' }, list, other?.wrap, clear) });
  if (!disabled) {
    for (const input of inputs) input.addEventListener('change', emit);
    if (kind === 'radios') {
      const pick = (n) => {
        inputs[n].checked = true;
        inputs[n].focus();
        emit();
      };
      radioKeys(inputs, pick, () => clear.click(), (event) => {
        // Type-ahead: a letter picks the next option starting with it.
        const n = nextByLetter(options.map((o) => o.label), inputs.findIndex((i) => i.checked), event.key);
        if (n < 0) return false;
        pick(n);
        return true;
      });
    }
  }
  return {
    ...frame, key, item, control: inputs[0],
    focus: () => (inputs.find((i) => i.checked) || inputs[0] || other?.input)?.focus(),
    set(values) {
      inputs.forEach((input, i) => { input.checked = values.some((v) => optionIndex([options[i]], v) === 0); });
      const free = values.filter((v) => optionIndex(options, v) < 0).map(valueText);
      if (other) other.input.value = free.join(', ');
      if (clear) clear.hidden = !inputs.some((i) => i.checked) || disabled;
    },
    read() {
      const picked = inputs.filter((i) => i.checked).map((i) => options[Number(i.value)].value);
      const text = other?.input.value.trim();
      if (text && (kind === 'checks' || !picked.length)) picked.push({ valueString: text });
      return { values: picked };
    },
  };
}
