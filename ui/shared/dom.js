// Building DOM without HTML strings.
//
// The CSP forbids inline scripts and style attributes, and user data must never reach
// innerHTML, so every screen builds its elements through `h`. Text children become text
// nodes; nothing here parses markup.

/**
 * Creates an element: `h('button', { type: 'submit', class: 'primary' }, 'Save')`.
 * Attributes: `class`, `dataset` (object), `on` (object of event listeners), boolean
 * properties (`disabled`, `hidden`, `checked`, `selected`) set as properties, anything
 * else as an attribute. `null`/`undefined`/`false` attributes and children are skipped;
 * arrays of children are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'on') {
      for (const [type, listener] of Object.entries(value)) el.addEventListener(type, listener);
    } else if (name === 'value') el.value = value;
    else if (['disabled', 'hidden', 'checked', 'selected'].includes(name)) el[name] = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (elements, strings, numbers, arrays; null/false skipped). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `el`. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * Moves focus to the first field of a screen, or else to its heading, so keyboard users
 * start where the work is and screen readers announce the new screen.
 */
export function focusFirst(root) {
  // The first field that is shown: a collapsed inline form's input does not count.
  const field = [...root.querySelectorAll(
    'input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])',
  )].find((el) => !el.closest('[hidden]'));
  if (field) {
    field.focus();
    return;
  }
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

/** A centred card screen (sign-in, first admin, lock, start-up error). */
export function cardScreen(name, attrs, ...children) {
  return h(
    'main',
    { class: 'card-screen', 'data-screen': name, ...attrs },
    h('section', { class: 'card' }, ...children),
  );
}

/** A content-area screen inside the signed-in shell. */
export function pageScreen(name, attrs, ...children) {
  return h('section', { class: 'page', 'data-screen': name, ...attrs }, ...children);
}

/** A notice line for success messages (role=status), empty until used. */
export function notice(id) {
  const el = h('p', { id, class: 'notice', role: 'status' });
  return {
    el,
    success(text) {
      el.setAttribute('role', 'status');
      el.className = 'notice notice-success';
      el.textContent = text;
    },
    error(text) {
      el.setAttribute('role', 'alert');
      el.className = 'notice notice-error';
      el.textContent = text;
    },
    clear() {
      el.className = 'notice';
      el.textContent = '';
    },
  };
}
