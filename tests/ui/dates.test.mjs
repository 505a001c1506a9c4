// The one date formatter and the date fields' parser (ui/shared/dates.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  addDays, dateHint, dayOf, formatDate, formatDateTime, formatTime, parseDate, setClinicDates, weekday,
} from '../../ui/shared/dates.js';

test('a day-first clinic writes 06/12/2026, a month-first one 12/06/2026', () => {
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'UTC' });
  assert.equal(formatDate('2026-12-06'), '06/12/2026', 'day first');
  setClinicDates({ dateOrder: 'mdy', hourCycle: '24', timeZone: 'UTC' });
  assert.equal(formatDate('2026-12-06'), '12/06/2026', 'month first');
  assert.equal(formatDate(''), '—', 'nothing is a dash');
  assert.equal(formatDate('not a date'), 'not a date', 'what cannot be read shows as it is');
});

test('instants are dated and timed in the clinic zone, on its clock', () => {
  // 21:00 on 6 Dec 2026 in New York is 02:00 UTC on the 7th.
  const evening = '2026-12-07T02:00:00.000Z';
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'America/New_York' });
  assert.equal(dayOf(evening), '2026-12-06', 'the evening keeps its own day');
  assert.equal(formatDateTime(evening), '06/12/2026 21:00');
  assert.equal(formatTime(evening, { seconds: true }), '21:00:00');
  setClinicDates({ dateOrder: 'mdy', hourCycle: '12', timeZone: 'America/New_York' });
  assert.equal(formatDateTime(evening), '12/06/2026 9:00 PM', 'a 12-hour clock');
  assert.equal(formatTime('2026-12-06T05:05:00Z'), '12:05 AM', 'midnight is 12 AM');
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'UTC' });
  assert.equal(dayOf(evening), '2026-12-07', 'in UTC it is the next day');
  assert.equal(formatDateTime('garbage'), 'garbage');
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'Not/AZone' });
  assert.ok(/^\d\d\/\d\d\/2026 \d\d:00$/.test(formatDateTime(evening)), 'an unknown zone falls back, never throws');
});

test('day arithmetic for ranges stays on calendar days', () => {
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(addDays('2024-12-31', 1), '2025-01-01');
  assert.equal(weekday('2026-12-07'), 0, 'a Monday');
  assert.equal(weekday('2026-12-06'), 6, 'a Sunday');
});

test('date fields read the clinic order, ISO, and any of / . - as separators', () => {
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'UTC' });
  for (const typed of ['02/11/1975', '2/11/1975', '02.11.1975', '02-11-1975', ' 02 / 11 / 1975 ', '1975-11-02']) {
    assert.deepEqual(parseDate(typed), { iso: '1975-11-02' }, `${typed} day first`);
  }
  setClinicDates({ dateOrder: 'mdy', hourCycle: '24', timeZone: 'UTC' });
  assert.deepEqual(parseDate('02/11/1975'), { iso: '1975-02-11' }, 'month first');
  assert.deepEqual(parseDate('1975-02-11'), { iso: '1975-02-11' }, 'ISO whatever the order');
  assert.deepEqual(parseDate(''), { iso: '' }, 'empty is no date, not an error');
  assert.equal(dateHint(), 'MM/DD/YYYY');
});

test('a form\'s entryFormat is accepted and shown as the hint', () => {
  setClinicDates({ dateOrder: 'mdy', hourCycle: '24', timeZone: 'UTC' });
  assert.equal(dateHint('DD.MM.YYYY'), 'DD.MM.YYYY');
  assert.deepEqual(parseDate('06.12.2026', { entryFormat: 'DD.MM.YYYY' }), { iso: '2026-12-06' });
  assert.deepEqual(parseDate('2026-12-06', { entryFormat: 'DD.MM.YYYY' }), { iso: '2026-12-06' }, 'ISO too');
  assert.equal(dateHint('+1 555 123 4567'), 'MM/DD/YYYY', 'a format that is not a date is not the hint');
});

test('bad dates say what is wrong and never throw', () => {
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'UTC' });
  const cases = {
    '31/02/2026': /February 2026 has no day 31/,
    '2026-13-01': /no month 13/,
    'abc': /is not a date; write it as DD\/MM\/YYYY/,
    '12/2026': /is not a date/,
    '1/1/26': /four-digit year/,
    '29/02/2025': /February 2025 has no day 29/,
  };
  for (const [typed, message] of Object.entries(cases)) {
    const result = parseDate(typed);
    assert.equal(result.iso, undefined, `${typed} gives no date`);
    assert.match(result.error, message, `${typed}: ${result.error}`);
  }
  assert.deepEqual(parseDate('29/02/2024'), { iso: '2024-02-29' }, 'a leap day');
  assert.deepEqual(parseDate(null), { iso: '' });
});

test('an intake date item takes the clinic order, ISO, a year alone, and stores ISO', async () => {
  const { readDateText, dateText } = await import('../../ui/intake/fields.js');
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'UTC' });
  assert.deepEqual(readDateText('date', '06/12/2026'), { values: [{ valueDate: '2026-12-06' }] });
  assert.deepEqual(readDateText('date', '2026-12-06'), { values: [{ valueDate: '2026-12-06' }] });
  assert.deepEqual(readDateText('date', '2015'), { values: [{ valueDate: '2015' }] }, 'a year alone is a FHIR date');
  assert.deepEqual(readDateText('date', '2015-04'), { values: [{ valueDate: '2015-04' }] });
  assert.deepEqual(readDateText('date', ''), { values: [] });
  assert.match(readDateText('date', '31/02/2026').error, /February 2026 has no day 31/);
  assert.match(readDateText('date', '2015-13').error, /no month 13/);
  assert.deepEqual(readDateText('date', '06.12.2026', 'DD.MM.YYYY'), { values: [{ valueDate: '2026-12-06' }] },
    'the form\'s entryFormat');
  assert.deepEqual(readDateText('dateTime', '06/12/2026 21:05'), { values: [{ valueDateTime: '2026-12-06T21:05:00' }] });
  assert.deepEqual(readDateText('dateTime', '2026-12-06T21:05'), { values: [{ valueDateTime: '2026-12-06T21:05:00' }] });
  assert.match(readDateText('dateTime', '06/12/2026').error, /DD\/MM\/YYYY HH:MM/);
  assert.deepEqual(readDateText('time', '9:05'), { values: [{ valueTime: '09:05:00' }] });
  assert.equal(dateText({ type: 'date' }, { valueDate: '2026-12-06' }), '06/12/2026', 'shown day first');
  assert.equal(dateText({ type: 'date' }, { valueDate: '2015' }), '2015');
  setClinicDates({ dateOrder: 'mdy', hourCycle: '24', timeZone: 'UTC' });
  assert.deepEqual(readDateText('date', '12/06/2026'), { values: [{ valueDate: '2026-12-06' }] }, 'month first');
});

test('answers read back in the clinic order', async () => {
  const { valueText } = await import('../../ui/intake/model.js');
  setClinicDates({ dateOrder: 'dmy', hourCycle: '24', timeZone: 'UTC' });
  assert.equal(valueText({ valueDate: '2015-04-01' }), '01/04/2015');
  assert.equal(valueText({ valueDate: '2015' }), '2015');
  assert.equal(valueText({ valueDateTime: '2015-04-01T08:30:00' }), '01/04/2015 08:30');
});
