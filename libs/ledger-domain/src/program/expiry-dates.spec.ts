import * as E from 'fp-ts/Either';
import { decideCustomer } from '../customer/customer.decider';
import type { PaymentRecorded } from '../customer/record-payment';
import { aProgram, customerEnrolled } from '../testing/customer-fixtures';
import { fold } from '../testing/lifecycle-fixtures';
import { payment } from '../testing/lifecycle2-fixtures';
import { expiresAtFor, type Expiry } from './lifecycle-settings';

/**
 * When a lot expires, as the payment that earns it records it: worked examples at 23:30 local
 * time, where the local day and the UTC day differ or the day is a daylight-saving change, in a
 * zone east of UTC and one west of it, under each policy. Every expected instant was worked out by
 * hand (local day, then the end of the local day, month or year it lands on) and checked against
 * Intl, not against the code's calendar.
 */

const recorded = (timezone: string, occurredAt: string, expiry: Expiry): PaymentRecorded['data'] => {
  const program = aProgram({ timezone, expiry });
  // As the API hands it on: normalised to UTC (the Instant codec), recorded a minute later.
  const at = new Date(occurredAt);
  const command = payment('pay-1', '10.00', { occurredAt: at.toISOString(), program, now: new Date(at.getTime() + 60_000) });
  const result = decideCustomer(command, fold([customerEnrolled()]));
  if (E.isLeft(result)) throw new Error(`refused: ${JSON.stringify(result.left)}`);
  const event = result.right.find((e): e is PaymentRecorded => e.type === 'PaymentRecorded')!;
  return event.data;
};

const DAYS_1: Expiry = { policy: 'afterDays', days: 1 };
const DAYS_30: Expiry = { policy: 'afterDays', days: 30 };
const MONTH_DAY: Expiry = { policy: 'afterMonths', months: 1, roundTo: 'day' };
const MONTH_MONTH: Expiry = { policy: 'afterMonths', months: 1, roundTo: 'month' };
const MONTH_YEAR: Expiry = { policy: 'afterMonths', months: 1, roundTo: 'year' };
const MONTHS_13_DAY: Expiry = { policy: 'afterMonths', months: 13, roundTo: 'day' };

type Case = readonly [policy: string, expiry: Expiry, expiresAt: string];

const examples: readonly { readonly title: string; readonly timezone: string; readonly occurredAt: string; readonly cases: readonly Case[] }[] = [
  {
    // 14:30Z on the same UTC day; the local day is the last of April (30 days).
    title: 'UTC+9 (Asia/Tokyo), 23:30 on 30 April 2026',
    timezone: 'Asia/Tokyo',
    occurredAt: '2026-04-30T23:30:00+09:00',
    cases: [
      ['afterDays 1: end of 1 May', DAYS_1, '2026-05-01T15:00:00.000Z'],
      ['afterDays 30: end of 30 May', DAYS_30, '2026-05-30T15:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 30 May (not the 31st: the same day of the month)', MONTH_DAY, '2026-05-30T15:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of May', MONTH_MONTH, '2026-05-31T15:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026', MONTH_YEAR, '2026-12-31T15:00:00.000Z'],
      ['afterMonths 13 roundTo day: end of 30 May 2027', MONTHS_13_DAY, '2027-05-30T15:00:00.000Z'],
    ],
  },
  {
    // 03:30Z on 1 May: counting from the UTC day would be a day (and, rounded, a month) late.
    title: 'UTC−4 (America/New_York, daylight time), 23:30 on 30 April 2026',
    timezone: 'America/New_York',
    occurredAt: '2026-04-30T23:30:00-04:00',
    cases: [
      ['afterDays 1: end of 1 May', DAYS_1, '2026-05-02T04:00:00.000Z'],
      ['afterDays 30: end of 30 May', DAYS_30, '2026-05-31T04:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 30 May', MONTH_DAY, '2026-05-31T04:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of May', MONTH_MONTH, '2026-06-01T04:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026, in standard time again', MONTH_YEAR, '2027-01-01T05:00:00.000Z'],
      ['afterMonths 13 roundTo day: end of 30 May 2027', MONTHS_13_DAY, '2027-05-31T04:00:00.000Z'],
    ],
  },
  {
    title: 'UTC+9 (Asia/Tokyo), 23:30 on 31 January 2026: a month later is clamped to 28 February',
    timezone: 'Asia/Tokyo',
    occurredAt: '2026-01-31T23:30:00+09:00',
    cases: [
      ['afterDays 1: end of 1 February', DAYS_1, '2026-02-01T15:00:00.000Z'],
      ['afterDays 30: end of 2 March', DAYS_30, '2026-03-02T15:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 28 February', MONTH_DAY, '2026-02-28T15:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of February', MONTH_MONTH, '2026-02-28T15:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026', MONTH_YEAR, '2026-12-31T15:00:00.000Z'],
      ['afterMonths 13 roundTo day: end of 28 February 2027', MONTHS_13_DAY, '2027-02-28T15:00:00.000Z'],
    ],
  },
  {
    // 04:30Z on 1 February: the UTC day is already the next month.
    title: 'UTC−5 (America/New_York, standard time), 23:30 on 31 January 2026',
    timezone: 'America/New_York',
    occurredAt: '2026-01-31T23:30:00-05:00',
    cases: [
      ['afterDays 1: end of 1 February', DAYS_1, '2026-02-02T05:00:00.000Z'],
      ['afterDays 30: end of 2 March', DAYS_30, '2026-03-03T05:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 28 February', MONTH_DAY, '2026-03-01T05:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of February', MONTH_MONTH, '2026-03-01T05:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026', MONTH_YEAR, '2027-01-01T05:00:00.000Z'],
      ['afterMonths 13 roundTo day: end of 28 February 2027', MONTHS_13_DAY, '2027-03-01T05:00:00.000Z'],
    ],
  },
  {
    // 31 March 2024 was both the last day of the month and the day Paris moved to summer time (23 hours long).
    title: 'UTC+2 (Europe/Paris), 23:30 on 31 March 2024, the day summer time began',
    timezone: 'Europe/Paris',
    occurredAt: '2024-03-31T23:30:00+02:00',
    cases: [
      ['afterDays 1: end of 1 April', DAYS_1, '2024-04-01T22:00:00.000Z'],
      ['afterDays 30: end of 30 April', DAYS_30, '2024-04-30T22:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 30 April', MONTH_DAY, '2024-04-30T22:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of April', MONTH_MONTH, '2024-04-30T22:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2024, in winter time', MONTH_YEAR, '2024-12-31T23:00:00.000Z'],
      ['afterMonths 13 roundTo day: end of 30 April 2025', MONTHS_13_DAY, '2025-04-30T22:00:00.000Z'],
    ],
  },
  {
    // The day after is 25 October 2026, 25 hours long: it ends at midnight winter time.
    title: 'UTC+2 (Europe/Paris), 23:30 on 24 October 2026, the eve of the return to winter time',
    timezone: 'Europe/Paris',
    occurredAt: '2026-10-24T23:30:00+02:00',
    cases: [
      ['afterDays 1: end of 25 October, 25 hours long', DAYS_1, '2026-10-25T23:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of November', MONTH_MONTH, '2026-11-30T23:00:00.000Z'],
    ],
  },
  {
    // Chile moves to summer time at midnight: 6 September 2026 starts at 01:00 (−03); no local midnight exists that day.
    title: 'UTC−4 (America/Santiago), 23:30 on 5 August 2026: the lot expires on a day whose midnight was skipped',
    timezone: 'America/Santiago',
    occurredAt: '2026-08-05T23:30:00-04:00',
    cases: [
      ['afterDays 30: end of 4 September', DAYS_30, '2026-09-05T04:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 5 September = 01:00 on the 6th, the first instant of that day', MONTH_DAY, '2026-09-06T04:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of September, in summer time', MONTH_MONTH, '2026-10-01T03:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026', MONTH_YEAR, '2027-01-01T03:00:00.000Z'],
    ],
  },
  {
    // 23:30 happened twice on 4 April 2026 in Santiago (clocks went back at midnight); the second time, −04.
    title: 'UTC−4 (America/Santiago), the second 23:30 on 4 April 2026, the day summer time ended',
    timezone: 'America/Santiago',
    occurredAt: '2026-04-04T23:30:00-04:00',
    cases: [
      ['afterDays 1: end of 5 April', DAYS_1, '2026-04-06T04:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 4 May', MONTH_DAY, '2026-05-05T04:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of May', MONTH_MONTH, '2026-06-01T04:00:00.000Z'],
    ],
  },
  {
    // 03:30Z on 1 November; New York returns to standard time on 1 November 2026.
    title: 'UTC−4 (America/New_York), 23:30 on 31 October 2026, the eve of the return to standard time',
    timezone: 'America/New_York',
    occurredAt: '2026-10-31T23:30:00-04:00',
    cases: [
      ['afterDays 1: end of 1 November, 25 hours long', DAYS_1, '2026-11-02T05:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 30 November', MONTH_DAY, '2026-12-01T05:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of November', MONTH_MONTH, '2026-12-01T05:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026', MONTH_YEAR, '2027-01-01T05:00:00.000Z'],
    ],
  },
  {
    // 8 March 2026 is the day New York moved to daylight time (23 hours long); 23:30 is 03:30Z on the 9th.
    title: 'UTC−4 (America/New_York), 23:30 on 8 March 2026, the day daylight time began',
    timezone: 'America/New_York',
    occurredAt: '2026-03-08T23:30:00-04:00',
    cases: [
      ['afterDays 1: end of 9 March', DAYS_1, '2026-03-10T04:00:00.000Z'],
      ['afterMonths 1 roundTo day: end of 8 April', MONTH_DAY, '2026-04-09T04:00:00.000Z'],
      ['afterMonths 1 roundTo month: end of April', MONTH_MONTH, '2026-05-01T04:00:00.000Z'],
      ['afterMonths 1 roundTo year: end of 2026', MONTH_YEAR, '2027-01-01T05:00:00.000Z'],
    ],
  },
];

describe('When a lot expires: worked examples at 23:30 local time', () => {
  describe.each(examples)('$title', ({ timezone, occurredAt, cases }) => {
    it.each(cases)('%s', (_policy, expiry, expiresAt) => {
      const data = recorded(timezone, occurredAt, expiry);
      expect(data.expiresAt).toBe(expiresAt);
      expect(expiresAtFor(expiry, timezone, new Date(occurredAt).toISOString())).toBe(expiresAt);
      // One millisecond earlier the lot is still on its last day in the program's zone.
      const lastValid = new Date(Date.parse(expiresAt) - 1);
      const day = (ms: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
      expect(day(lastValid) < day(new Date(expiresAt))).toBe(true);
    });
  });

  it('records no expiry under {policy: "none"}, the default', () => {
    expect(recorded('Asia/Tokyo', '2026-04-30T23:30:00+09:00', { policy: 'none' })).not.toHaveProperty('expiresAt');
    const result = decideCustomer(payment('pay-1', '10.00', { occurredAt: '2026-03-01T10:00:00.000Z' }), fold([customerEnrolled()]));
    expect(E.isRight(result) && result.right.some((e) => e.type === 'PaymentRecorded' && 'expiresAt' in e.data)).toBe(false);
  });
});
