// The type-ahead box of a choice with many options (or a drop-down): an input with role
// combobox and a listbox of the options matching what is typed (those starting with the
// text first, then those containing it, accents and case ignored). ArrowUp/ArrowDown
// move the highlight, Enter picks it and moves to the next field, Escape closes the list,
// a click opens it. Leaving the box keeps an option whose label was typed in full; an
// open choice keeps any other text as valueString, a closed one says "Choose one of the
// listed options" and sends nothing. The widget shape is fields.js's.

import { h, replaceChildren } from '../shared/dom.js';
import { fieldFrame, isLocked } from './frame.js';
import { fieldId, filterOptions, fold, optionIndex, valueText } from './model.js';

/** The type-ahead widget for a choice item. */
export function createCombo(item, key, env) {
  const disabled = isLocked(item, env);
  const options = item.options || [];
  const id = fieldId(key);
  const input = h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'q-combo-input',
    readonly: disabled ? true : null, role: options.length ? 'combobox' : null,
    'aria-autocomplete': options.length ? 'list' : null, 'aria-expanded': options.length ? 'false' : null,
    'aria-controls': options.length ? `${id}-list` : null });
  const listbox = h('ul', { id: `${id}-list`, class: 'q-listbox', role: 'listbox', hidden: true,
    'aria-label': `Options for ${item.text}` });
  const frame = fieldFrame(item, key, { controls: [input],
    body: h('div', { class: 'q-control q-combo' }, input, listbox,
      item.openChoice && options.length ? h('span', { class: 'q-unit' }, 'or type your own') : null) });
  let shown = []; // [{ option, index }] in the list now
  let active = -1;
  let picked = -1; // the option the text stands for, when it was picked

  function setActive(i) {
    active = shown.length ? Math.max(0, Math.min(i, shown.length - 1)) : -1;
    [...listbox.children].forEach((li, n) => li.setAttribute('aria-selected', n === active ? 'true' : 'false'));
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', listbox.children[active].id);
      listbox.children[active].scrollIntoView?.({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function open(text) {
    shown = filterOptions(options, text);
    replaceChildren(listbox, shown.length ? shown.map(({ option, index }, n) => {
      const li = h('li', { id: `${id}-opt-${n}`, role: 'option', class: 'q-listbox-option',
        dataset: { option: option.value?.valueCoding?.code ?? option.label, index } }, option.label);
      li.addEventListener('mousedown', (event) => {
        event.preventDefault(); // keeps focus in the input
        pick(index);
      });
      return li;
    }) : h('li', { class: 'q-listbox-empty', role: 'presentation' },
      item.openChoice ? 'No option matches; your text is kept as typed.' : 'No option matches.'));
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(0);
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function pick(index) {
    picked = index;
    input.value = options[index].label;
    close();
    env.onEdit(key, 'now');
  }

  if (!disabled && options.length) {
    input.addEventListener('input', () => {
      picked = -1;
      open(input.value);
      env.onEdit(key, 'hold');
    });
    input.addEventListener('click', () => (listbox.hidden ? open('') : close()));
    input.addEventListener('keydown', (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const isOpen = !listbox.hidden;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (!isOpen) open(picked >= 0 ? '' : input.value);
        else setActive(active + (event.key === 'ArrowDown' ? 1 : -1));
      } else if (event.key === 'Enter' && isOpen && shown.length) {
        // Picks, and (the screen's Enter, which sees this event next) moves on.
        pick(shown[Math.max(active, 0)].index);
      } else if (event.key === 'Escape' && isOpen) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener('blur', () => {
      close();
      env.onCommit(key);
    });
  } else if (!disabled) {
    input.addEventListener('input', () => env.onEdit(key, 'debounce'));
    input.addEventListener('blur', () => env.onCommit(key));
  }

  return {
    ...frame, key, item, control: input,
    focus: () => input.focus(),
    set(values) {
      const v = values[0];
      picked = v ? optionIndex(options, v) : -1;
      input.value = picked >= 0 ? options[picked].label : valueText(v);
    },
    read() {
      const text = input.value.trim();
      if (!text) return { values: [] };
      if (picked >= 0 && input.value === options[picked].label) return { values: [options[picked].value] };
      const exact = options.findIndex((o) => fold(o.label) === fold(text));
      if (exact >= 0) return { values: [options[exact].value] };
      if (item.openChoice || !options.length) return { values: [{ valueString: text }] };
      return { error: 'Choose one of the listed options' };
    },
  };
}
