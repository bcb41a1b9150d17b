import { dayIn } from './calendar';

describe('dayIn with its cached quarter-hour offsets', () => {
  // Zones with DST both ways, half- and quarter-hour offsets, and a +14 zone.
  const zones = ['UTC', 'Australia/Sydney', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Berlin', 'America/St_Johns', 'Pacific/Kiritimati'];

  it.each(zones)('agrees with Intl for every ~53 minutes over two years in %s, DST changes included', (zone) => {
    const reference = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    const mismatches: string[] = [];
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2026, 0, 1); ms += 53 * 60 * 1000 + 7_000) {
      const instant = new Date(ms).toISOString();
      if (dayIn(zone, instant) !== reference.format(new Date(ms))) mismatches.push(instant);
    }
    expect(mismatches).toEqual([]);
  });

  it('puts the minutes around a DST change on the right day', () => {
    // Sydney leaves DST at 03:00 local on 2026-04-05 (16:00Z on the 4th): 13:59Z is still the 5th locally.
    expect(dayIn('Australia/Sydney', '2026-04-04T13:59:59.000Z')).toBe('2026-04-05');
    expect(dayIn('America/New_York', '2026-03-08T04:59:59.000Z')).toBe('2026-03-07');
    expect(dayIn('America/New_York', '2026-03-08T05:00:00.000Z')).toBe('2026-03-08');
  });
});
