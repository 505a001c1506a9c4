// The outcomes chart: inline SVG built with DOM calls, no library. Per week one stacked
// bar of how the recorded answers came to be (carried unchanged, carried then edited,
// typed, pre-filled; shares of all answers, so a bar reaches 100%), and the median
// minutes to complete an intake as a line on its own scale (right axis). Colours come
// from classes in outcomes.css; the CSP allows no inline styles.

import { formatDate, formatDayMonth } from '../shared/dates.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 1000;
const H = 330;
const M = { top: 26, right: 64, bottom: 56, left: 64 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

/** The parts of a bar, bottom up, with their legend labels. */
export const PARTS = [
  { key: 'carriedUnchanged', label: 'Carried unchanged', cls: 'oc-carried' },
  { key: 'carriedEdited', label: 'Carried, then edited', cls: 'oc-edited' },
  { key: 'typed', label: 'Typed', cls: 'oc-typed' },
  { key: 'prefilled', label: 'Pre-filled (record or form)', cls: 'oc-prefilled' },
];

// The report's days are the clinic's days (the backend cuts them in its zone); they are
// written as every screen writes dates.
export const formatWeek = (weekStart) => formatDate(weekStart);
export const percent = (share) => (share === null || share === undefined ? '—' : `${Math.round(share * 100)}%`);
export const minutes = (m) => (m === null || m === undefined ? '—' : `${m.toFixed(1)} min`);

/** Creates an SVG element; attributes as SVG presentation attributes, children appended. */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** A step of 1, 2, 2.5 or 5 times a power of ten, so that 4 steps cover `max`. */
function niceStep(max) {
  const raw = Math.max(max, 1) / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((x) => x >= raw);
  return step || 10 * power;
}

/** What one week's bar says, for its tooltip. */
function weekText(w) {
  if (!w.encounters) return `Week of ${formatWeek(w.weekStart)}: no intakes submitted.`;
  const n = w.encounters === 1 ? '1 intake' : `${w.encounters} intakes`;
  const shares = PARTS.map((p) => `${percent(w.answered ? w[p.key] / w.answered : null)} ${p.label.toLowerCase()}`);
  return `Week of ${formatWeek(w.weekStart)}: ${n}, ${w.answered} answers: ${shares.join(', ')}; ` +
    `median ${minutes(w.medianMinutes)} to complete.`;
}

/** A one-paragraph description of the whole chart (for its <desc> and aria-label). */
export function describe(report) {
  const t = report.total;
  const weeks = report.weeks.length === 1 ? '1 week' : `${report.weeks.length} weeks`;
  const n = t.encounters === 1 ? '1 intake' : `${t.encounters} intakes`;
  return `${weeks} from ${formatWeek(report.weeks[0]?.weekStart ?? report.from)}; ${n}. ` +
    `Of all answers ${percent(t.carriedShare)} were carried unchanged, ` +
    `${percent(t.answered ? t.carriedEdited / t.answered : null)} carried then edited and ` +
    `${percent(t.answered ? t.typed / t.answered : null)} typed; ` +
    `the median time to complete an intake was ${minutes(t.medianMinutes)}.`;
}

/** The chart for a report with at least one week. */
export function outcomesChart(report) {
  const weeks = report.weeks;
  const n = Math.max(weeks.length, 1);
  const band = PLOT_W / n;
  const barW = Math.min(band * 0.72, 56);
  const x = (i) => M.left + band * i + band / 2;
  const yShare = (share) => M.top + PLOT_H * (1 - share);
  const maxMinutes = Math.max(0, ...weeks.map((w) => w.medianMinutes ?? 0));
  const step = niceStep(maxMinutes);
  const yMinutes = (m) => M.top + PLOT_H * (1 - Math.max(0, m) / (step * 4));

  const titleId = 'outcomes-chart-title';
  const descId = 'outcomes-chart-desc';
  const svg = s('svg', {
    id: 'outcomes-chart', class: 'outcomes-chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMidYMid meet',
  },
  s('title', { id: titleId }, 'Share of answers carried and typed per week, and median minutes to complete an intake'),
  s('desc', { id: descId }, describe(report)));

  // Grid and both vertical axes: shares on the left, minutes on the right.
  const grid = s('g', { class: 'oc-grid' });
  for (let i = 0; i <= 4; i += 1) {
    const y = yShare(i / 4);
    grid.append(
      s('line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: i === 0 ? 'oc-axis-line' : 'oc-grid-line' }),
      s('text', { x: M.left - 8, y: y + 4, 'text-anchor': 'end', class: 'oc-tick' }, `${i * 25}%`),
      s('text', { x: W - M.right + 8, y: y + 4, 'text-anchor': 'start', class: 'oc-tick' }, String(step * i)),
    );
  }
  const midY = M.top + PLOT_H / 2;
  grid.append(
    s('text', { x: 16, y: midY, transform: `rotate(-90 16 ${midY})`, 'text-anchor': 'middle', class: 'oc-axis-title' },
      'Share of answers'),
    s('text', { x: W - 14, y: midY, transform: `rotate(90 ${W - 14} ${midY})`, 'text-anchor': 'middle', class: 'oc-axis-title' },
      'Median minutes to complete'),
    s('text', { x: M.left + PLOT_W / 2, y: H - 8, 'text-anchor': 'middle', class: 'oc-axis-title' }, 'Week starting (Monday)'),
  );
  svg.append(grid);

  // Bars, and the week labels under them (every k-th when there are many).
  const every = Math.ceil(n / 14);
  const bars = s('g', { class: 'oc-bars' });
  weeks.forEach((w, i) => {
    const group = s('g', { class: 'oc-week', 'data-week': w.weekStart }, s('title', {}, weekText(w)));
    let bottom = 0;
    for (const part of PARTS) {
      const share = w.answered ? w[part.key] / w.answered : 0;
      if (share > 0) {
        const top = bottom + share;
        group.append(s('rect', {
          x: x(i) - barW / 2, width: barW, y: yShare(top), height: Math.max(yShare(bottom) - yShare(top), 0),
          class: part.cls,
        }));
        bottom = top;
      }
    }
    if (!w.encounters) {
      group.append(s('text', { x: x(i), y: yShare(0) - 6, 'text-anchor': 'middle', class: 'oc-none' }, '0'));
    }
    if (i % every === 0) {
      group.append(s('text', { x: x(i), y: H - M.bottom + 18, 'text-anchor': 'middle', class: 'oc-tick' },
        formatDayMonth(w.weekStart)));
    }
    bars.append(group);
  });
  svg.append(bars);

  // The median minutes: a line through the weeks that have intakes, broken by the
  // weeks without, with a dot and (when there is room) the value at each week.
  let path = '';
  let pen = false;
  const dots = s('g', { class: 'oc-median-dots' });
  weeks.forEach((w, i) => {
    if (w.medianMinutes === null || w.medianMinutes === undefined) {
      pen = false;
      return;
    }
    const y = yMinutes(w.medianMinutes);
    path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y.toFixed(1)} `;
    pen = true;
    dots.append(s('circle', { cx: x(i), cy: y, r: 4.5, class: 'oc-median-dot' }));
    if (n <= 16) {
      dots.append(s('text', { x: x(i), y: y - 10, 'text-anchor': 'middle', class: 'oc-median-label' },
        w.medianMinutes.toFixed(1)));
    }
  });
  svg.append(s('path', { d: path.trim() || 'M0 0', class: 'oc-median-line', fill: 'none' }), dots);
  return svg;
}
