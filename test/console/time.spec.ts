import fc from 'fast-check';
import { addDays as domainAddDays, dayIn, startOfLocalDay } from '#ledger-domain/shared/calendar';
import { addDays, daysBetween, fromLocalInput, localDay, toLocalInput, wallClock } from '../../apps/ledger-console/src/lib/time';

/**
 * The console's date-time fields read and show the branch's wall clock in the program's timezone.
 * Checked against known answers (daylight-saving changes included) and against the ledger's own
 * calendar, which decides the days of the reports.
 */
const ZONES = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo', 'Pacific/Apia'];
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 0, 1) }).map((ms) => new Date(Math.floor(ms / 60_000) * 60_000));

describe('wall-clock date-times in the program timezone', () => {
  it.each([
    ['UTC', '2026-11-23T10:15', '2026-11-23T10:15:00.000Z'],
    ['Europe/Paris', '2026-11-23T10:15', '2026-11-23T09:15:00.000Z'],
    ['Europe/Paris', '2026-07-01T12:00', '2026-07-01T10:00:00.000Z'],
    ['Asia/Kolkata', '2026-01-01T00:00', '2025-12-31T18:30:00.000Z'],
    ['America/New_York', '2026-11-23T10:15:30', '2026-11-23T15:15:30.000Z'],
    // 02:30 does not exist on the spring-forward night: read with the offset before the change (= 03:30 EDT).
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:30:00.000Z'],
    // 01:30 happens twice on the fall-back night: the first of the two (EDT).
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00.000Z'],
    ['Australia/Lord_Howe', '2026-04-05T01:45', '2026-04-04T14:45:00.000Z'],
  ])('%s %s is %s', (zone, local, expected) => {
    expect(fromLocalInput(local, zone)).toBe(expected);
  });

  it('refuses what is not a date-time', () => {
    for (const value of ['', '2026-02-31T10:00', '2026-13-01T00:00', '2026-01-01T24:00', '2026-01-01', 'yesterday', '2026-01-01T10:00Z']) {
      expect({ value, read: fromLocalInput(value, 'UTC') }).toEqual({ value, read: undefined });
    }
  });

  it('shows an instant as the field value that reads back as the same wall clock, in every zone', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
        const shown = toLocalInput(at, zone);
        const read = fromLocalInput(shown, zone)!;
        expect(toLocalInput(new Date(read), zone)).toBe(shown);
        // The same instant, except in the second pass of a repeated hour (read as the first).
        const back = Date.parse(read);
        expect(back === at.getTime() || (back < at.getTime() && at.getTime() - back <= 3_600_000)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("puts an instant on the same day as the ledger's calendar (the reports' days)", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
        expect(localDay(at, zone)).toBe(dayIn(zone, at.toISOString()));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads midnight as the ledger's start of the local day", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES, 'America/Havana', 'America/Santiago'), (at, zone) => {
        const day = localDay(at, zone);
        expect(fromLocalInput(`${day}T00:00`, zone)).toBe(new Date(startOfLocalDay(zone, day)).toISOString());
      }),
      { numRuns: 500 },
    );
    // Days whose midnight is skipped (clocks go from 23:59 to 01:00): both take the first instant of the day.
    for (const [zone, day] of [
      ['America/Santiago', '2026-09-06'],
      ['America/Havana', '2026-03-08'],
    ] as const) {
      expect(fromLocalInput(`${day}T00:00`, zone)).toBe(new Date(startOfLocalDay(zone, day)).toISOString());
      expect(localDay(new Date(fromLocalInput(`${day}T00:00`, zone)!), zone)).toBe(day);
    }
  });

  it('counts days as the ledger does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: -400, max: 400 }), (offset, days) => {
        const day = new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
        expect(addDays(day, days)).toBe(domainAddDays(day, days));
      }),
    );
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(wallClock(new Date('2026-11-23T23:30:00Z'), 'Asia/Kolkata')).toEqual({ year: 2026, month: 11, day: 24, hour: 5, minute: 0, second: 0 });
  });
});
