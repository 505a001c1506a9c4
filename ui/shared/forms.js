// Labelled fields and the way every form shows its errors.
//
// A field is a visible <label for>, an optional hint, the control, and an error line that
// is tied to the control with aria-describedby and aria-invalid while it shows. A form has
// one role="alert" line for the form as a whole. Views decide nothing here; they pass the
// backend's ApiError to `show`, which puts it at the field the backend named.

import { h } from './dom.js';
import { dateHint, formatDate, parseDate } from './dates.js';

/**
 * A text-like input with its label. Returns `{ wrap, input, error }`. A `required` field
 * shows a mark by its label (not colour alone) and says so with aria-required.
 */
export function field({ id, label, type = 'text', autocomplete = 'off', hint = null, attrs = {}, required = false }) {
  const input = h('input', { id, name: id, type, autocomplete, spellcheck: 'false', ...attrs });
  return wrapControl(id, label, input, hint, required);
}

/**
 * A date typed as the clinic writes it (06/12/2026 day first, with / . or -) or in ISO,
 * never the browser's picker (which writes US order). The expected format is its hint.
 * `value()` gives `{ iso }` (`''` when empty) or `{ error }` (shown at the field, what was
 * typed kept); `setIso` shows a stored `YYYY-MM-DD` the clinic's way.
 */
export function dateField({ id, label, iso = '', hint = null, required = false, entryFormat = null }) {
  const format = dateHint(entryFormat);
  const f = field({ id, label, required, hint: hint ? `${hint} (${format})` : format,
    attrs: { placeholder: format, inputmode: 'numeric', class: 'date-input', size: 12 } });
  const setIso = (value) => { f.input.value = value ? formatDate(value) : ''; };
  setIso(iso);
  return {
    ...f,
    setIso,
    value() {
      const result = parseDate(f.input.value, { entryFormat });
      f.setError(result.error || '');
      return result;
    },
  };
}

/** A <select> with its label; `options` is a list of `[value, text]`. */
export function selectField({ id, label, options, value = null, hint = null, required = false }) {
  const select = h(
    'select',
    { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  return wrapControl(id, label, select, hint, required);
}

/** A multi-line <textarea> with its label. */
export function textareaField({ id, label, rows = 4, hint = null, attrs = {} }) {
  const textarea = h('textarea', { id, name: id, rows, spellcheck: 'true', ...attrs });
  return wrapControl(id, label, textarea, hint);
}

function wrapControl(id, label, input, hint, required = false) {
  const hintEl = hint ? h('p', { class: 'field-hint', id: `${id}-hint` }, hint) : null;
  const error = h('p', { class: 'field-error', id: `${id}-field-error`, hidden: true });
  if (required) input.setAttribute('aria-required', 'true');
  const mark = required ? h('span', { class: 'required-mark', 'aria-hidden': 'true', title: 'Required' }, ' *') : null;
  const wrap = h('div', { class: required ? 'field field-required' : 'field' },
    h('label', { for: id }, label, mark), input, hintEl, error);
  const described = () => [hintEl?.id, error.hidden ? null : error.id].filter(Boolean).join(' ');
  const sync = () => {
    const ids = described();
    if (ids) input.setAttribute('aria-describedby', ids);
    else input.removeAttribute('aria-describedby');
  };
  sync();
  return {
    wrap,
    input,
    error,
    hint: hintEl,
    setError(message) {
      error.textContent = message || '';
      error.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      sync();
    },
  };
}

/** The form-level alert line; empty (and so not shown) until there is an error. */
export function formError(id) {
  return h('p', { id, class: 'form-error', role: 'alert' });
}

/**
 * Error and busy handling for one form. `fields` maps the backend's field names
 * (`username`, `displayName`, ...) to fields made by `field`.
 */
export function formState({ errorEl, fields = {}, submit = null }) {
  const all = () => [...new Set(Object.values(fields))];
  return {
    clear() {
      errorEl.textContent = '';
      for (const f of all()) f.setError('');
    },
    /** Shows one field's error found in the browser (passwords that differ). */
    fieldError(name, message) {
      this.clear();
      fields[name].setError(message);
      errorEl.textContent = 'Please correct the highlighted field.';
      fields[name].input.focus();
    },
    /** Shows an ApiError: at its field when the backend named one, else for the form. */
    show(err) {
      this.clear();
      const target = err?.field ? fields[err.field] : null;
      if (target) {
        target.setError(err.message);
        errorEl.textContent = 'Please correct the highlighted field.';
        target.input.focus();
      } else {
        errorEl.textContent = err?.message || 'Something went wrong.';
      }
    },
    /** Disables the submit button while a call runs, so Enter twice sends once. */
    busy(on) {
      if (submit) submit.disabled = on;
      errorEl.closest('form')?.setAttribute('aria-busy', on ? 'true' : 'false');
    },
    get isBusy() {
      return submit ? submit.disabled : false;
    },
  };
}

/**
 * An inline form opened by a button: the opener shows or closes it (with aria-expanded),
 * Cancel and Escape close it. `close()` resets the form and gives focus back; `first` is
 * the field focused on opening.
 */
export function openedBy({ opener, form, cancel, close, first }) {
  opener.addEventListener('click', () => {
    if (!form.hidden) {
      close();
      return;
    }
    form.hidden = false;
    opener.setAttribute('aria-expanded', 'true');
    first.focus();
  });
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
}

/** Binds a submit handler that never navigates and never runs twice at once. */
export function onSubmit(form, state, handler) {
  form.setAttribute('novalidate', '');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.isBusy) return;
    state.busy(true);
    try {
      await handler();
    } finally {
      state.busy(false);
    }
  });
}
