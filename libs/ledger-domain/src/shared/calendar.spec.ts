import { dayIn } from './calendar';

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
