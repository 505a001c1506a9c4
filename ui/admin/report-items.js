// The order and filter of a form's import report (template-report.js): problems first
// (degraded, then ignored or anything the import did not support), each group in form
// order, then the supported items. No DOM here: `make uitest` runs it.

const RANK = { degraded: 0, supported: 2 };
const rank = (item) => RANK[item.outcome] ?? 1; // ignored, and any outcome we do not know

/** Whether an item is one the person should look at. */
export const isProblem = (item) => item.outcome !== 'supported';

/** The items with problems first (stable: form order within each group). */
export function problemsFirst(items) {
  return (items || []).map((item, i) => [item, i])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([item]) => item);
}

/** `{ problems, supported }` counts. */
export function tally(items) {
  const problems = (items || []).filter(isProblem).length;
  return { problems, supported: (items || []).length - problems };
}

/** The items a filter shows: `problems` or `all`. */
export function visibleItems(items, filter) {
  const ordered = problemsFirst(items);
  return filter === 'problems' ? ordered.filter(isProblem) : ordered;
}

/** The line above the table: "1 item needs a look (1 degraded, 0 ignored)". */
export function problemLine(items) {
  const list = items || [];
  const degraded = list.filter((i) => i.outcome === 'degraded').length;
  const other = list.filter((i) => isProblem(i) && i.outcome !== 'degraded').length;
  const total = degraded + other;
  if (!total) return 'Every item is supported.';
  return `${total} ${total === 1 ? 'item needs' : 'items need'} a look: ${degraded} degraded, ${other} ignored or not supported.`;
}
