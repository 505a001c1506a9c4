// One question of an intake form on screen: its label, control, unit, hint and problems.
//
// `createField(item, key, env)` returns a widget: `{ key, item, el, focus(), set(values),
// read(), setProblems(list) }`. `read()` gives `{ values }` (FHIR value[x] objects, `[]`
// for an emptied field) or `{ error }` when what is typed cannot be sent as the item's
// type ("Enter a whole number"); nothing is ever sent as a wrong type. Widgets tell the
// screen about edits through `env.onEdit(key, mode)`: 'debounce' (typing: save shortly
// after the last key), 'hold' (save on commit: blur, Enter, pick) or 'now' (radios,
// checkboxes, picks); `env.onCommit(key)` on blur. The main control's id is `q-<key>`
// made id-safe, every control carries `data-key`, problems sit in `#err-<key>`.
// The shared frame is frame.js; yes/no and choices are intake-choice.js.

import { h } from '../shared/dom.js';
import { dateHint, formatDate, parseDate } from '../shared/dates.js';
import { createBoolean, createChoice, isChoiceType } from './choice.js';
import { fieldFrame, isLocked, labelContent } from './frame.js';
import { fieldId, isWholeNumber, parseNumber, valueText } from './model.js';

const TEXT_TYPES = { string: 'text', url: 'url', reference: 'text' };
const DATE_TYPES = new Set(['date', 'dateTime', 'time']);
const NUMBER_TYPES = new Set(['decimal', 'integer', 'quantity']);

function unitNode(item) {
  return item.unit ? h('span', { class: 'q-unit' }, item.unit) : null;
}

/** Reads a number input as the item's type. */
function readNumber(item, text, unitCoding) {
  const t = text.trim();
  if (!t) return { values: [] };
  if (item.type === 'integer') {
    if (!isWholeNumber(t)) return { error: 'Enter a whole number' };
    return { values: [{ valueInteger: Number(t) }] };
  }
  const n = parseNumber(t);
  if (n === null) return { error: 'Enter a number' };
  if (item.type !== 'quantity') return { values: [{ valueDecimal: n }] };
  const quantity = { value: n };
  if (unitCoding) {
    quantity.unit = unitCoding.display || unitCoding.code;
    if (unitCoding.system) quantity.system = unitCoding.system;
    if (unitCoding.code) quantity.code = unitCoding.code;
  } else if (item.unit) quantity.unit = item.unit;
  return { values: [{ valueQuantity: quantity }] };
}

function numberText(value) {
  if (!value) return '';
  if ('valueInteger' in value) return String(value.valueInteger);
  if ('valueDecimal' in value) return String(value.valueDecimal);
  if ('valueQuantity' in value) return value.valueQuantity?.value === undefined ? '' : String(value.valueQuantity.value);
  return valueText(value);
}

function createNumber(item, key, env) {
  const appFilled = item.calculated || item.readOnly;
  const input = h('input', { id: fieldId(key), type: 'text', inputmode: 'decimal',
    autocomplete: 'off', spellcheck: 'false', class: 'q-number', readonly: appFilled || env.readOnly ? true : null });
  const units = item.type === 'quantity' ? item.unitOptions || [] : [];
  const unitSelect = units.length > 1
    ? h('select', { id: `${fieldId(key)}--unit`, class: 'q-unit-select', 'aria-label': `Unit of ${item.text}`,
      disabled: env.readOnly || appFilled, dataset: { stop: 'no' } },
    units.map((u, i) => h('option', { value: String(i) }, u.display || u.code)))
    : null;
  const fixedUnit = units.length === 1 ? h('span', { class: 'q-unit' }, units[0].display || units[0].code) : null;
  const controls = [input, unitSelect].filter(Boolean);
  const frame = fieldFrame(item, key, { controls,
    body: h('div', { class: 'q-control q-inline' }, input, unitSelect || fixedUnit || unitNode(item)) });
  if (!appFilled && !env.readOnly) {
    input.addEventListener('input', () => env.onEdit(key, 'debounce'));
    input.addEventListener('blur', () => env.onCommit(key));
    unitSelect?.addEventListener('change', () => {
      if (input.value.trim()) env.onEdit(key, 'now');
    });
  }
  return {
    ...frame, key, item, control: input,
    focus: () => input.focus(),
    set(values) {
      input.value = numberText(values[0]);
      const code = values[0]?.valueQuantity?.code;
      const at = code ? units.findIndex((u) => u.code === code) : -1;
      if (unitSelect && at >= 0) unitSelect.value = String(at);
    },
    read: () => readNumber(item, input.value, unitSelect ? units[Number(unitSelect.value)] : units[0]),
  };
}

/** What each date-like type asks for, as the placeholder shows it. */

/**
 * Reads a typed date, date-time or time. Dates take `2015-04-01`, `20150401`, or a
 * year or year-month alone (`2015`, `2015-04`) when only that is known, as FHIR allows;
 * the calendar must hold the day. Times take `14:30` or `1430`.
 */
/**
 * What is typed in a date, date-and-time or time item, as its value. A date is read as
 * the clinic writes it (06/12/2026 day first, with / . or -), in ISO, or in the item's
 * own `entryFormat`; a year (2015) or a month (2015-04) alone is a FHIR date too. The
 * answer is always stored in ISO. `{ error }` says what is wrong; nothing is lost.
 */
export function readDateText(type, text, entryFormat) {
  const v = String(text ?? '').trim();
  if (!v) return { values: [] };
  const time = (t) => {
    const m = /^([01]?\d|2[0-3]):?([0-5]\d)(?::?([0-5]\d))?$/.exec(t);
    return m ? `${m[1].padStart(2, '0')}:${m[2]}:${m[3] || '00'}` : null;
  };
  if (type === 'time') {
    const t = time(v);
    return t ? { values: [{ valueTime: t }] } : { error: `"${v}" is not a time; write it as HH:MM, for example 14:30.` };
  }
  const [datePart, timePart, extra] = v.split(/[T ]+(?=\d{1,2}:)|\s+(?=\d{1,2}:)/);
  if (type === 'date') {
    if (timePart !== undefined) return { error: `A date only, without a time; write it as ${dateHint(entryFormat)}.` };
    const partial = /^(\d{4})(?:-(\d{2}))?$/.exec(datePart);
    if (partial) {
      if (partial[2] && !(Number(partial[2]) >= 1 && Number(partial[2]) <= 12)) {
        return { error: `"${v}": there is no month ${Number(partial[2])}.` };
      }
      return { values: [{ valueDate: partial[0] }] };
    }
    const day = parseDate(datePart, { entryFormat });
    return day.error ? { error: day.error } : { values: [{ valueDate: day.iso }] };
  }
  const day = parseDate(datePart, { entryFormat });
  if (day.error) return { error: day.error };
  const t = timePart && extra === undefined ? time(timePart) : null;
  if (!t) return { error: `Write the date and time as ${dateHint(entryFormat)} HH:MM.` };
  return { values: [{ valueDateTime: `${day.iso}T${t}` }] };
}

function readDate(item, input) {
  return readDateText(item.type, input.value, item.entryFormat);
}

/** A stored date as the field shows it: the clinic's order (a partial date stays ISO). */
export function dateText(item, value) {
  if (!value) return '';
  if (value.valueDateTime) {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value.valueDateTime);
    return m ? `${formatDate(m[1])} ${m[2]}` : value.valueDateTime;
  }
  if (value.valueDate && item.type === 'dateTime') return `${formatDate(value.valueDate)} 00:00`;
  if (value.valueTime) return value.valueTime.slice(0, 5);
  if (value.valueDate && /^\d{4}-\d{2}-\d{2}$/.test(value.valueDate)) return formatDate(value.valueDate);
  return value.valueDate || valueText(value);
}

/** The format a date item asks for, shown as its hint. */
function dateFormatOf(item) {
  if (item.type === 'time') return 'HH:MM';
  const day = dateHint(item.entryFormat);
  return item.type === 'dateTime' ? `${day} HH:MM` : day;
}

function createDate(item, key, env) {
  // A text box, not the browser's date picker: typed digits go where the nurse expects,
  // in one format everywhere.
  const input = h('input', { id: fieldId(key), type: 'text', autocomplete: 'off', spellcheck: 'false',
    inputmode: item.type === 'time' ? 'numeric' : null, placeholder: dateFormatOf(item),
    class: `q-date q-date-${item.type}`, 'aria-label': null,
    readonly: item.calculated || item.readOnly || env.readOnly ? true : null });
  // The expected format is the visible hint (the form's own entryFormat when it has one).
  const framed = { ...item, entryFormat: dateFormatOf(item) };
  const frame = fieldFrame(framed, key, { controls: [input], body: h('div', { class: 'q-control q-inline' }, input) });
  if (!item.calculated && !item.readOnly && !env.readOnly) {
    // Saved on Enter or blur, not while typing: "2015", halfway to "2015-04-01", is a
    // valid (year-only) date on its own.
    input.addEventListener('input', () => env.onEdit(key, 'hold'));
    input.addEventListener('change', () => env.onEdit(key, 'hold'));
    input.addEventListener('blur', () => env.onCommit(key));
  }
  return {
    ...frame, key, item, control: input,
    focus: () => input.focus(),
    set(values) {
      input.value = dateText(item, values[0]);
    },
    read: () => readDate(item, input),
  };
}

/** One typed text as the item's value (a string, a URL, a reference). */
function textValue(item, text) {
  if (item.type === 'url') return { valueUri: text.trim() };
  if (item.type === 'reference') return { valueReference: { reference: text.trim() } };
  return { valueString: text };
}

/**
 * Text, string, url and reference items. A repeating one (several answers) is a box with
 * one answer per line, so no answer is ever merged into another.
 */
function createText(item, key, env) {
  const several = Boolean(item.repeats);
  const long = item.type === 'text' || several;
  const attrs = { id: fieldId(key), autocomplete: 'off', maxlength: several ? null : item.maxLength || null,
    readonly: isLocked(item, env) ? true : null };
  const input = long
    ? h('textarea', { ...attrs, rows: 3, spellcheck: 'true' })
    : h('input', { ...attrs, type: TEXT_TYPES[item.type] || 'text', spellcheck: item.type === 'string' ? 'true' : 'false' });
  const frame = fieldFrame(item, key, { controls: [input], wide: long,
    body: h('div', { class: 'q-control q-inline' }, input, unitNode(item),
      several ? h('span', { class: 'q-unit' }, 'one answer per line') : null) });
  if (!isLocked(item, env)) {
    input.addEventListener('input', () => env.onEdit(key, 'debounce'));
    input.addEventListener('blur', () => env.onCommit(key));
  }
  return {
    ...frame, key, item, control: input,
    focus: () => input.focus(),
    set(values) {
      input.value = values.map(valueText).join(several ? '\n' : ', ');
    },
    read() {
      if (several) return { values: input.value.split('\n').filter((line) => line.trim()).map((line) => textValue(item, line)) };
      return { values: input.value.trim() ? [textValue(item, input.value)] : [] };
    },
  };
}

/** The widget for a question item (not a group, display or unsupported item). */
export function createField(item, key, env) {
  if (item.type === 'boolean') return createBoolean(item, key, env);
  if (isChoiceType(item.type)) return createChoice(item, key, env);
  if (NUMBER_TYPES.has(item.type)) return createNumber(item, key, env);
  if (DATE_TYPES.has(item.type)) return createDate(item, key, env);
  return createText(item, key, env);
}

/** A question this version cannot answer: a visible notice with its label, never a blank. */
export function unsupportedNotice(item, key) {
  return h('div', { class: 'q-field q-unsupported', id: fieldId(key), role: 'note', tabindex: '-1', dataset: { key } },
    h('p', { class: 'q-label' }, labelContent(item)),
    h('p', { class: 'q-notice' }, item.notice || `This question (type "${item.type}") is not supported in this version.`));
}
