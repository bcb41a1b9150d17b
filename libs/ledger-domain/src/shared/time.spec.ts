import fc from 'fast-check';
import { FUTURE_SKEW_MS, parseInstant } from './time';

describe('parseInstant', () => {
  it.each<[string, string]>([
    ['2026-11-23T10:15:00Z', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T10:15:00+01:00', '2026-11-23T09:15:00.000Z'],
    ['2026-11-23T10:15:00-05:30', '2026-11-23T15:45:00.000Z'],
    ['2026-11-23T00:30:00+02:00', '2026-11-22T22:30:00.000Z'],
    ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00.000Z'],
    ['2026-11-23T10:15+01:00', '2026-11-23T09:15:00.000Z'],
    ['2026-11-23T10:15:00.5Z', '2026-11-23T10:15:00.500Z'],
    ['2026-11-23T10:15:00.123Z', '2026-11-23T10:15:00.123Z'],
    ['2026-11-23T10:15:00.123456789Z', '2026-11-23T10:15:00.123Z'],
    ['2026-11-23T10:15:00-00:00', '2026-11-23T10:15:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['2026-01-31T23:59:59Z', '2026-01-31T23:59:59.000Z'],
    ['2026-04-30T00:00:00Z', '2026-04-30T00:00:00.000Z'],
  ])('normalises %s to the UTC instant %s', (text, utc) => {
    expect(parseInstant(text)).toBe(utc);
  });

  it('gives the same instant for the same moment written in different offsets', () => {
    expect(new Set(['2026-11-23T10:15:00Z', '2026-11-23T11:15:00+01:00', '2026-11-23T05:15:00-05:00'].map(parseInstant))).toEqual(
      new Set(['2026-11-23T10:15:00.000Z']),
    );
  });

  it.each([
    ['no offset', '2026-11-23T10:15:00'],
    ['no offset, with milliseconds', '2026-11-23T10:15:00.000'],
    ['a date only', '2026-11-23'],
    ['a space instead of T', '2026-11-23 10:15:00Z'],
    ['a lower-case z', '2026-11-23T10:15:00z'],
    ['an offset without colon', '2026-11-23T10:15:00+0100'],
    ['an hour-only offset', '2026-11-23T10:15:00+01'],
    ['31 February', '2026-02-31T10:00:00Z'],
    ['29 February of a common year', '2026-02-29T10:00:00Z'],
    ['29 February 1900 (not a leap year)', '1900-02-29T10:00:00Z'],
    ['31 April', '2026-04-31T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['month 00', '2026-00-10T10:00:00Z'],
    ['day 00', '2026-01-00T10:00:00Z'],
    ['day 32', '2026-01-32T10:00:00Z'],
    ['hour 24', '2026-11-23T24:00:00Z'],
    ['minute 60', '2026-11-23T10:60:00Z'],
    ['second 60 (leap second)', '2026-12-31T23:59:60Z'],
    ['offset hour 24', '2026-11-23T10:15:00+24:00'],
    ['offset minute 60', '2026-11-23T10:15:00+01:60'],
    ['ten fraction digits', '2026-11-23T10:15:00.1234567890Z'],
    ['a two-digit year', '26-11-23T10:15:00Z'],
    ['a single-digit month', '2026-1-23T10:15:00Z'],
    ['leading whitespace', ' 2026-11-23T10:15:00Z'],
    ['trailing whitespace', '2026-11-23T10:15:00Z '],
    ['an epoch number', '1763892900000'],
    ['a human date', 'Mon, 23 Nov 2026 10:15:00 GMT'],
    ['an empty string', ''],
  ])('refuses %s (%p)', (_what, text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it('agrees with Date.parse and a calendar round trip on generated date-times, valid and not', () => {
    // The oracle: V8's own Date.parse for the instant, and a Date round trip for the calendar
    // day (Date.parse rolls 31 February over into March), gated by the same strict shape.
    const oracle = (text: string): string | undefined => {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(text);
      if (!m) return undefined;
      const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = m.slice(1).map((f) => Number(f ?? 0));
      if (hour! > 23 || minute! > 59 || second! > 59 || offsetHour! > 23 || offsetMinute! > 59) return undefined;
      const calendar = new Date(0);
      calendar.setUTCFullYear(year!, month! - 1, day);
      if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month! - 1 || calendar.getUTCDate() !== day) return undefined;
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
    };
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const dateTime = fc
      .record({
        year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 4, 100, 400, 1900, 2000, 2024, 9999)).map((n) => String(n).padStart(4, '0')),
        month: two(13),
        day: two(32),
        hour: two(24),
        minute: two(60),
        second: fc.option(two(60), { nil: undefined }),
        fraction: fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined }),
        offset: fc.oneof(
          fc.constantFrom('Z', '+00:00', '-00:00'),
          fc.tuple(fc.constantFrom('+', '-'), two(24), two(60)).map(([sign, h, m]) => `${sign}${h}:${m}`),
        ),
      })
      .map(
        ({ year, month, day, hour, minute, second, fraction, offset }) =>
          `${year}-${month}-${day}T${hour}:${minute}${second === undefined ? '' : `:${second}${fraction === undefined ? '' : `.${fraction}`}`}${offset}`,
      );
    fc.assert(
      fc.property(dateTime, (text) => {
        expect(parseInstant(text)).toBe(oracle(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes 29 February of year 0000, a leap year of the proleptic Gregorian calendar', () => {
    expect(parseInstant('0000-02-29T00:00:00Z')).toBe('0000-02-29T00:00:00.000Z');
    expect(parseInstant('0100-02-29T00:00:00Z')).toBeUndefined();
  });

  it('allows a clock skew of five minutes', () => {
    expect(FUTURE_SKEW_MS).toBe(300_000);
  });
});
