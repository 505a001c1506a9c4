// The one way the screens write and read dates and times: in the clinic's order (day
// first, 06/12/2026, or month first, 12/06/2026), on its 12- or 24-hour clock, in its time
// zone. The clinic's settings arrive with the session (`dates` of sign-in and whoami) and
// are set here once (`setClinicDates`); every screen and the audit view format through
// this module. Documents that leave the clinic (PDF, CSV, file names) are written by the
// backend in an unambiguous form ("6 Dec 2026", ISO) and never come through here.
// No DOM: the UI unit tests run it under Node.

const DEFAULTS = Object.freeze({ dateOrder: 'dmy', hourCycle: '24', timeZone: '' });
let clinic = { ...DEFAULTS };
let zoneFormat = null;

/** Takes the clinic's settings (`{ dateOrder, hourCycle, timeZone }`, as the session sends). */
export function setClinicDates(dates) {
  const order = dates?.dateOrder === 'mdy' ? 'mdy' : 'dmy';
  const hours = String(dates?.hourCycle) === '12' ? '12' : '24';
  let zone = typeof dates?.timeZone === 'string' ? dates.timeZone : '';
  try {
    // A zone the window's Intl does not know falls back to the window's own.
    if (zone) new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    zone = '';
  }
  clinic = { dateOrder: order, hourCycle: hours, timeZone: zone };
  zoneFormat = null;
}

export const clinicDates = () => ({ ...clinic });

const pad = (n, width = 2) => String(n).padStart(width, '0');

function validDay(y, m, d) {
  if (!(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1)) return false;
  const last = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // days in month m of a leap year
  if (d > last) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return true;
}

function isoParts(ymd) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd ?? ''));
  if (!match) return null;
  const [y, m, d] = match.slice(1).map(Number);
  return validDay(y, m, d) ? { y, m, d } : null;
}

/** A calendar date (`1984-03-07`) as the clinic writes it: 07/03/1984 or 03/07/1984. */
export function formatDate(ymd) {
  const p = isoParts(ymd);
  if (!p) return ymd ? String(ymd) : '—';
  return clinic.dateOrder === 'mdy'
    ? `${pad(p.m)}/${pad(p.d)}/${pad(p.y, 4)}`
    : `${pad(p.d)}/${pad(p.m)}/${pad(p.y, 4)}`;
}

/** A calendar date without its year, for tight places (a chart's axis): 06/12 or 12/06. */
export function formatDayMonth(ymd) {
  const p = isoParts(ymd);
  if (!p) return ymd ? String(ymd) : '—';
  return clinic.dateOrder === 'mdy' ? `${pad(p.m)}/${pad(p.d)}` : `${pad(p.d)}/${pad(p.m)}`;
}

function instant(rfc3339) {
  if (rfc3339 === null || rfc3339 === undefined || rfc3339 === '') return null;
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The wall clock of the clinic at `date`: `{ y, m, d, hour, minute, second }`. */
function wallClock(date) {
  if (!zoneFormat) {
    zoneFormat = new Intl.DateTimeFormat('en-US', {
      timeZone: clinic.timeZone || undefined,
      year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
    });
  }
  const out = {};
  for (const part of zoneFormat.formatToParts(date)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return { y: out.year, m: out.month, d: out.day, hour: out.hour % 24, minute: out.minute, second: out.second };
}

/** The clinic's day (`YYYY-MM-DD`) at an instant: 21:00 in New York stays that day. */
export function dayOf(rfc3339) {
  const date = instant(rfc3339);
  if (!date) return '';
  const w = wallClock(date);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
}

/** An instant's time of day in the clinic: 21:05 or 9:05 PM (with seconds if asked). */
export function formatTime(rfc3339, { seconds = false } = {}) {
  const date = instant(rfc3339);
  if (!date) return '';
  const w = wallClock(date);
  const tail = seconds ? `:${pad(w.second)}` : '';
  if (clinic.hourCycle === '12') {
    const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
    return `${h12}:${pad(w.minute)}${tail} ${w.hour < 12 ? 'AM' : 'PM'}`;
  }
  return `${pad(w.hour)}:${pad(w.minute)}${tail}`;
}

/** An instant as the clinic reads it: 06/12/2026 21:05 (or 9:05 PM). */
export function formatDateTime(rfc3339, options = {}) {
  const date = instant(rfc3339);
  if (!date) return rfc3339 ? String(rfc3339) : '—';
  return `${formatDate(dayOf(rfc3339))} ${formatTime(rfc3339, options)}`;
}

/** An instant's day only, as the clinic writes dates. */
export function formatDay(rfc3339) {
  const day = dayOf(rfc3339);
  return day ? formatDate(day) : (rfc3339 ? String(rfc3339) : '—');
}

/** Today in the clinic (`YYYY-MM-DD`). */
export function today(now = new Date()) {
  return dayOf(now.toISOString());
}

/** `YYYY-MM-DD` plus `days` (negative goes back). */
export function addDays(ymd, days) {
  const p = isoParts(ymd);
  if (!p) return ymd;
  const date = new Date(Date.UTC(p.y, p.m - 1, p.d + days));
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The weekday of a `YYYY-MM-DD` day: 0 Monday … 6 Sunday. */
export function weekday(ymd) {
  const p = isoParts(ymd);
  return p ? (new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() + 6) % 7 : 0;
}

/** What a date field asks for: the form's own `entryFormat`, else DD/MM/YYYY or MM/DD/YYYY. */
export function dateHint(entryFormat) {
  if (entryFormatParts(entryFormat)) return entryFormat.trim();
  return clinic.dateOrder === 'mdy' ? 'MM/DD/YYYY' : 'DD/MM/YYYY';
}

/** A form's `entryFormat` for a date ("DD.MM.YYYY", "mm/dd/yyyy") as its field order, or null. */
function entryFormatParts(format) {
  if (typeof format !== 'string') return null;
  const tokens = format.trim().toUpperCase().split(/[/.\- ]/);
  if (tokens.length !== 3) return null;
  const order = tokens.map((t) => (/^D{1,2}$/.test(t) ? 'd' : /^M{1,2}$/.test(t) ? 'm' : /^Y{4}$/.test(t) ? 'y' : '?')).join('');
  return ['dmy', 'mdy', 'ymd'].includes(order) ? order : null;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/**
 * Reads a date as the clinic writes it (its order, with `/`, `.` or `-`), in ISO
 * (`2026-12-06`), or in the form's `entryFormat`. Answers `{ iso }` (`iso` is '' for an
 * empty field) or `{ error }`, a sentence saying what is wrong; it never throws.
 */
export function parseDate(text, { entryFormat } = {}) {
  const t = String(text ?? '').trim();
  if (t === '') return { iso: '' };
  const hint = dateHint(entryFormat);
  const nums = t.split(/\s*[/.\-]\s*/);
  if (nums.length !== 3 || !nums.every((n) => /^\d+$/.test(n))) {
    return { error: `"${t}" is not a date; write it as ${hint}.` };
  }
  let order;
  if (nums[0].length === 4) order = 'ymd';
  else order = entryFormatParts(entryFormat) || clinic.dateOrder;
  if (order === 'ymd' && nums[0].length !== 4) order = clinic.dateOrder;
  const at = { [order[0]]: nums[0], [order[1]]: nums[1], [order[2]]: nums[2] };
  if (at.y.length !== 4 || at.d.length > 2 || at.m.length > 2) {
    return { error: `"${t}" is not a date; write it as ${hint}, with a four-digit year.` };
  }
  const [y, m, d] = [Number(at.y), Number(at.m), Number(at.d)];
  if (m < 1 || m > 12) return { error: `"${t}": there is no month ${m}; write it as ${hint}.` };
  if (!validDay(y, m, d)) {
    return { error: `"${t}": ${MONTHS[m - 1]} ${y} has no day ${d}.` };
  }
  if (y < 1800) return { error: `"${t}": the year ${y} is too early; write it as ${hint}.` };
  return { iso: `${pad(y, 4)}-${pad(m)}-${pad(d)}` };
}
