import * as E from 'fp-ts/Either';
import type { LedgerError } from './errors';

/**
 * ISO 8601 date-time with an explicit offset ("2026-11-23T10:15:00+01:00" or "...Z").
 * A time without offset is ambiguous across branches and timezones, so it is refused.
 */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Normalises an ISO 8601 date-time with offset to a UTC instant (`toISOString`), or undefined.
 * One pass over the regex's fields, no second parse (`Date.parse`): every edge decodes instants
 * (HTTP bodies, import rows, stored events), and the re-import spent 12 % of its time here.
 * Fractions keep their first three digits, truncated, as `Date.parse` does.
 */
export function parseInstant(value: string): string | undefined {
  const m = ISO_WITH_OFFSET.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offsetHour = Number(m[9]);
    const offsetMinute = Number(m[10]);
    if (offsetHour > 23 || offsetMinute > 59) return undefined;
    offsetMinutes = (m[8]!.startsWith('-') ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const fraction = m[7] === undefined ? '000' : m[7].slice(0, 3).padEnd(3, '0');
  // Already UTC (every stored event, most inputs): the fields are the answer, no Date needed.
  if (offsetMinutes === 0) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${fraction}Z`;
  const millis = Number(fraction);
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return date.toISOString();
}

/** Days in a month of the proleptic Gregorian calendar (the one ISO 8601 and `Date` use). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** How far ahead of the server clock a business time may be (clock skew between tills and server). */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Business time may be backdated freely, but at most FUTURE_SKEW_MS ahead of the server clock. */
export function checkNotInFuture(occurredAt: string, now: Date): E.Either<LedgerError, void> {
  const latest = now.getTime() + FUTURE_SKEW_MS;
  return Date.parse(occurredAt) > latest ? E.left({ _tag: 'OccurredInFuture', occurredAt, latestAllowed: new Date(latest).toISOString() }) : E.right(undefined);
}
