import * as E from 'fp-ts/Either';
import type { LedgerError } from './errors';

/**
 * ISO 8601 date-time with an explicit offset ("2026-11-23T10:15:00+01:00" or "...Z").
 * A time without offset is ambiguous across branches and timezones, so it is refused.
 */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Normalises an ISO 8601 date-time with offset to a UTC instant (`toISOString`), or undefined. */
export function parseInstant(value: string): string | undefined {
  const m = ISO_WITH_OFFSET.exec(value);
  if (!m) return undefined;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 31 February over into March: check the calendar day survived.
  const local = new Date(Date.UTC(Number(m[1]), month - 1, day));
  if (local.getUTCMonth() !== month - 1) return undefined;
  return new Date(ms).toISOString();
}

/** How far ahead of the server clock a business time may be (clock skew between tills and server). */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Business time may be backdated freely, but at most FUTURE_SKEW_MS ahead of the server clock. */
export function checkNotInFuture(occurredAt: string, now: Date): E.Either<LedgerError, void> {
  const latest = now.getTime() + FUTURE_SKEW_MS;
  return Date.parse(occurredAt) > latest ? E.left({ _tag: 'OccurredInFuture', occurredAt, latestAllowed: new Date(latest).toISOString() }) : E.right(undefined);
}
