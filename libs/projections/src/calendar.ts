const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * The calendar day (YYYY-MM-DD) of an instant in an IANA timezone: reports count a visit at
 * 23:30 in Sydney on the Sydney day, not the UTC one.
 *
 * Asking Intl for every event is slow (a rebuild projects millions), so the zone's UTC offset
 * is looked up once per quarter hour and cached: every real offset change happens on a
 * quarter-hour boundary, so within one quarter hour the offset is constant.
 */
export function dayIn(timezone: string, instant: string): string {
  const ms = Date.parse(instant);
  const bucket = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${timezone}\u0000${bucket}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = offsetAt(timezone, bucket * QUARTER_HOUR_MS);
    if (offsets.size > 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return new Date(ms + offset).toISOString().slice(0, 10);
}

/** The zone's offset from UTC, in ms, at an instant. */
function offsetAt(timezone: string, ms: number): number {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const local = Date.UTC(
    Number(parts['year']),
    Number(parts['month']) - 1,
    Number(parts['day']),
    Number(parts['hour']),
    Number(parts['minute']),
    Number(parts['second']),
  );
  return local - (ms - (ms % 1000));
}
