import { addDays, addMonths, dayIn, firstOfNextMonth, firstOfNextYear, startOfLocalDay } from './calendar';

describe('dayIn: the calendar day of an instant in the program timezone', () => {
  it.each([
    ['Australia/Sydney', '2026-11-23T23:30:00.000Z', '2026-11-24'], // AEDT, UTC+11
    ['America/New_York', '2026-11-23T23:30:00.000Z', '2026-11-23'], // EST, UTC-5
    ['UTC', '2026-11-23T23:30:00.000Z', '2026-11-23'],
    ['Australia/Sydney', '2026-11-23T12:59:59.999Z', '2026-11-23'], // one millisecond before Sydney midnight
    ['Australia/Sydney', '2026-11-23T13:00:00.000Z', '2026-11-24'], // Sydney midnight
    ['America/New_York', '2026-11-24T04:59:59.000Z', '2026-11-23'],
    ['America/New_York', '2026-11-24T05:00:00.000Z', '2026-11-24'], // New York midnight
    ['Australia/Sydney', '2026-06-30T14:00:00.000Z', '2026-07-01'], // AEST in winter, UTC+10
    ['America/New_York', '2026-07-01T03:59:00.000Z', '2026-06-30'], // EDT in summer, UTC-4
    ['Asia/Kolkata', '2026-12-31T18:30:00.000Z', '2027-01-01'], // half-hour offset, across a year end
  ])('in %s, %s falls on %s', (timezone, instant, day) => {
    expect(dayIn(timezone, instant)).toBe(day);
  });

  describe('across daylight-saving changes (the offset is not cached past a change)', () => {
    it.each([
      // Sydney moves from AEST (+10) to AEDT (+11) at 2026-10-03T16:00Z.
      ['Australia/Sydney', '2026-10-03T13:59:59.000Z', '2026-10-03'],
      ['Australia/Sydney', '2026-10-03T14:00:00.000Z', '2026-10-04'],
      ['Australia/Sydney', '2026-10-04T12:59:59.000Z', '2026-10-04'],
      ['Australia/Sydney', '2026-10-04T13:00:00.000Z', '2026-10-05'],
      // New York moves from EDT (-4) to EST (-5) at 2026-11-01T06:00Z.
      ['America/New_York', '2026-11-01T03:59:59.000Z', '2026-10-31'],
      ['America/New_York', '2026-11-01T04:00:00.000Z', '2026-11-01'],
      ['America/New_York', '2026-11-02T04:59:59.000Z', '2026-11-01'],
      ['America/New_York', '2026-11-02T05:00:00.000Z', '2026-11-02'],
      // Lord Howe Island: a half-hour daylight saving shift (+10:30 / +11).
      ['Australia/Lord_Howe', '2026-11-23T12:59:00.000Z', '2026-11-23'],
      ['Australia/Lord_Howe', '2026-11-23T13:00:00.000Z', '2026-11-24'],
      // Kathmandu: +5:45 all year.
      ['Asia/Kathmandu', '2026-11-23T18:14:59.000Z', '2026-11-23'],
      ['Asia/Kathmandu', '2026-11-23T18:15:00.000Z', '2026-11-24'],
    ])('in %s, %s falls on %s', (timezone, instant, day) => {
      expect(dayIn(timezone, instant)).toBe(day);
    });

    it('gives every minute of a week around a change the same day as Intl does', () => {
      const reference = (timezone: string, ms: number) =>
        new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
      for (const [timezone, from] of [
        ['Australia/Sydney', Date.parse('2026-10-01T00:00:00.000Z')],
        ['America/New_York', Date.parse('2026-10-29T00:00:00.000Z')],
        ['Europe/London', Date.parse('2026-03-26T00:00:00.000Z')],
      ] as const) {
        const mismatches: string[] = [];
        for (let ms = from; ms < from + 7 * 86_400_000; ms += 60_000 + 7_000) {
          const instant = new Date(ms).toISOString();
          if (dayIn(timezone, instant) !== reference(timezone, ms)) mismatches.push(instant);
        }
        expect({ timezone, mismatches }).toEqual({ timezone, mismatches: [] });
      }
    });
  });

  it('formats the day as zero-padded YYYY-MM-DD, so days sort as text', () => {
    expect(dayIn('UTC', '2026-01-05T00:00:00.000Z')).toBe('2026-01-05');
  });

  it('accepts an instant written with an offset', () => {
    expect(dayIn('UTC', '2026-11-24T08:30:00+10:00')).toBe('2026-11-23');
  });
});

describe('startOfLocalDay: the first instant of a local calendar day', () => {
  it.each([
    ['UTC', '2026-03-10', '2026-03-10T00:00:00.000Z'],
    ['Australia/Sydney', '2026-03-10', '2026-03-09T13:00:00.000Z'], // AEDT, UTC+11
    ['Asia/Tokyo', '2026-03-10', '2026-03-09T15:00:00.000Z'], // UTC+9, no DST
    ['Asia/Kolkata', '2026-03-10', '2026-03-09T18:30:00.000Z'], // UTC+5:30
    ['Asia/Kathmandu', '2026-03-10', '2026-03-09T18:15:00.000Z'], // UTC+5:45
    ['Pacific/Kiritimati', '2026-03-10', '2026-03-09T10:00:00.000Z'], // UTC+14
    ['America/Los_Angeles', '2026-03-01', '2026-03-01T08:00:00.000Z'], // PST, UTC-8
    ['America/New_York', '2026-03-10', '2026-03-10T04:00:00.000Z'], // EDT, UTC-4
    ['America/St_Johns', '2026-01-10', '2026-01-10T03:30:00.000Z'], // UTC-3:30
  ])('in %s, %s starts at %s', (timezone, date, instant) => {
    expect(startOfLocalDay(timezone, date)).toBe(instant);
  });

  describe('on and around daylight-saving changes', () => {
    it.each([
      // New York springs forward at 02:00 on 2026-03-08: the day starts in EST and lasts 23 hours.
      ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'],
      ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
      // ... and falls back at 02:00 on 2026-11-01: the day starts in EDT and lasts 25 hours.
      ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z'],
      ['America/New_York', '2026-11-02', '2026-11-02T05:00:00.000Z'],
      // London: the change at 01:00 UTC is after midnight either way.
      ['Europe/London', '2026-03-29', '2026-03-29T00:00:00.000Z'],
      ['Europe/London', '2026-03-30', '2026-03-29T23:00:00.000Z'],
      ['Europe/London', '2026-10-25', '2026-10-24T23:00:00.000Z'],
      // Sydney leaves DST at 03:00 on 2026-04-05 and enters it at 02:00 on 2026-10-04.
      ['Australia/Sydney', '2026-04-05', '2026-04-04T13:00:00.000Z'],
      ['Australia/Sydney', '2026-04-06', '2026-04-05T14:00:00.000Z'],
      ['Australia/Sydney', '2026-10-04', '2026-10-03T14:00:00.000Z'],
      ['Australia/Sydney', '2026-10-05', '2026-10-04T13:00:00.000Z'],
    ])('in %s, %s starts at %s', (timezone, date, instant) => {
      expect(startOfLocalDay(timezone, date)).toBe(instant);
    });

    it.each([
      // Clocks jump from 00:00 to 01:00: midnight does not exist, the day starts at 01:00.
      ['America/Havana', '2026-03-08', '2026-03-08T05:00:00.000Z'], // 01:00 CDT
      ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00.000Z'], // 01:00 -03
      ['Asia/Beirut', '2026-03-29', '2026-03-28T22:00:00.000Z'], // 01:00 EEST
    ])('in %s, where midnight is skipped on %s, the day starts at its first instant, %s', (timezone, date, instant) => {
      expect(startOfLocalDay(timezone, date)).toBe(instant);
      expect(dayIn(timezone, instant)).toBe(date);
      expect(dayIn(timezone, new Date(Date.parse(instant) - 1).toISOString())).toBe(addDays(date, -1));
    });
  });

  it('gives, for a day a zone skipped altogether, the first instant after it (Samoa went from 29 to 31 December 2011)', () => {
    // 29 December ended at 10:00Z; "until the end of 29 December" must mean until then, not earlier.
    expect(startOfLocalDay('Pacific/Apia', '2011-12-30')).toBe('2011-12-30T10:00:00.000Z');
    expect(startOfLocalDay('Pacific/Apia', '2011-12-31')).toBe('2011-12-30T10:00:00.000Z');
    expect(dayIn('Pacific/Apia', '2011-12-30T09:59:59.999Z')).toBe('2011-12-29');
  });

  it.each(['UTC', 'Australia/Sydney', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu'])(
    'in %s, every day of 2026 starts on that day and the instant before it is on the day before',
    (timezone) => {
      const wrong: string[] = [];
      for (let date = '2026-01-01'; date < '2027-01-01'; date = addDays(date, 1)) {
        const start = startOfLocalDay(timezone, date);
        if (dayIn(timezone, start) !== date || dayIn(timezone, new Date(Date.parse(start) - 1).toISOString()) !== addDays(date, -1)) wrong.push(date);
      }
      expect(wrong).toEqual([]);
    },
  );
});

describe('addDays: calendar arithmetic on dates', () => {
  it.each([
    ['2026-03-10', 1, '2026-03-11'],
    ['2026-03-10', 0, '2026-03-10'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'], // leap year
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-03-07', 2, '2026-03-09'], // over a DST change: dates have no hours to lose
    ['2026-03-10', 365, '2027-03-10'],
    ['2024-01-01', 366, '2025-01-01'],
  ])('%s + %p days is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('addMonths: "a month later", clamped to the last day of the month', () => {
  it.each([
    ['2026-03-10', 1, '2026-04-10'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'], // leap year
    ['2026-05-31', 1, '2026-06-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-01-15', -13, '2024-12-15'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2026-03-10', 0, '2026-03-10'],
  ])('%s + %p months is %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it('gives the first day of the next month and of the next year', () => {
    expect(firstOfNextMonth('2026-01-31')).toBe('2026-02-01');
    expect(firstOfNextMonth('2026-12-05')).toBe('2027-01-01');
    expect(firstOfNextYear('2026-03-10')).toBe('2027-01-01');
  });
});
