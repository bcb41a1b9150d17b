import * as t from 'io-ts';
import { addDays, addMonths, dayIn, firstOfNextMonth, firstOfNextYear, startOfLocalDay } from '../shared/calendar';
import { IntInRange, strictObject } from '../shared/codecs';
import { annotate } from '../shared/schema-annotation';
import { BoundedMap } from '../shared/bounded-map';

/**
 * The program's points-lifecycle settings (docs/lifecycle.md). Each is optional, so programs
 * configured before it existed read back unchanged, and a default is never stored: saving the
 * default again is not a new version.
 *
 * - pendingDays: points a payment earns (and its cashback) stay pending, visible but not
 *   spendable, until the end of the local day (program timezone) that many days after the
 *   payment: the return window. 0 (default): available at once.
 * - reversalShortfall: what a refund's reversal becomes when the customer no longer has the
 *   points (they were spent): "debt" (default) takes the balance below zero, shown as owed and
 *   paid off by future earnings first; "writeOff" stops at zero and records the points written
 *   off. A reversal is never refused: the return happened.
 * - expiry: when an earning's lot expires, fixed when it is earned (a later change never moves
 *   an existing lot): "none" (default); "afterDays" (end of the local day `days` after the
 *   earning); "afterMonths" (`months` later, then to the end of that local day, month or year).
 */
export const ReversalShortfallC = t.keyof({ debt: null, writeOff: null }, '"debt" or "writeOff"');
export type ReversalShortfall = t.TypeOf<typeof ReversalShortfallC>;

export const MAX_PENDING_DAYS = 365;

export const ExpiryC = annotate(
  t.union(
    [
      strictObject('no expiry', { policy: t.literal('none') }, {}),
      strictObject('expiry after days', { policy: t.literal('afterDays'), days: IntInRange(1, 3650, 'integer from 1 to 3650') }, {}),
      strictObject(
        'expiry after months',
        {
          policy: t.literal('afterMonths'),
          months: IntInRange(1, 120, 'integer from 1 to 120'),
          roundTo: t.keyof({ day: null, month: null, year: null }, '"day", "month" or "year"'),
        },
        {},
      ),
    ],
    'expiry policy: {policy: "none"}, {policy: "afterDays", days} or {policy: "afterMonths", months, roundTo}',
  ),
  {
    description: 'when lots earned from now on expire (a change never moves existing lots); default {policy: "none"}',
    example: { policy: 'afterMonths', months: 12, roundTo: 'month' },
  },
);
export type Expiry = t.TypeOf<typeof ExpiryC>;

export const LIFECYCLE_SETTINGS = {
  pendingDays: IntInRange(0, MAX_PENDING_DAYS, `integer from 0 to ${MAX_PENDING_DAYS}`),
  reversalShortfall: ReversalShortfallC,
  expiry: ExpiryC,
};

export interface LifecycleSettings {
  readonly pendingDays?: number;
  readonly reversalShortfall?: ReversalShortfall;
  readonly expiry?: Expiry;
}

export const expiryOf = (settings: LifecycleSettings): Expiry => settings.expiry ?? { policy: 'none' };

/**
 * When a lot earned at `earnedAt` expires under the policy: the first instant at which it is
 * expired (the start of the local day after the last day it is valid), or undefined when it
 * never expires. Days, months and years are the program timezone's.
 */
export function expiresAtFor(expiry: Expiry, timezone: string, earnedAt: string): string | undefined {
  if (expiry.policy === 'none') return undefined;
  const day = dayIn(timezone, earnedAt);
  // The answer depends only on the policy, the zone and the local day: every earning asks, and
  // the calendar arithmetic (date strings built and parsed) was 1 % of a payment's CPU.
  const key = `${expiry.policy === 'afterDays' ? `d${expiry.days}` : `m${expiry.months}${expiry.roundTo}`}\u0000${timezone}\u0000${day}`;
  let expiresAt = expiryDates.get(key);
  if (expiresAt === undefined) {
    expiresAt = expiryDate(expiry, timezone, day);
    expiryDates.set(key, expiresAt);
  }
  return expiresAt;
}

/** Policy, zone and local day → the lots' expiry instant (a few hundred days cover a ledger's years). */
const expiryDates = new BoundedMap<string, string>(100_000);

function expiryDate(expiry: Exclude<Expiry, { policy: 'none' }>, timezone: string, day: string): string {
  switch (expiry.policy) {
    case 'afterDays':
      return startOfLocalDay(timezone, addDays(day, expiry.days + 1));
    case 'afterMonths': {
      const last = addMonths(day, expiry.months);
      const next = expiry.roundTo === 'day' ? addDays(last, 1) : expiry.roundTo === 'month' ? firstOfNextMonth(last) : firstOfNextYear(last);
      return startOfLocalDay(timezone, next);
    }
  }
}

export const pendingDaysOf = (settings: LifecycleSettings): number => settings.pendingDays ?? 0;
export const reversalShortfallOf = (settings: LifecycleSettings): ReversalShortfall => settings.reversalShortfall ?? 'debt';

/** The settings as stored: defaults left out, so equal meaning is equal form. */
export function normaliseLifecycle(settings: LifecycleSettings): LifecycleSettings {
  return {
    ...(pendingDaysOf(settings) !== 0 && { pendingDays: pendingDaysOf(settings) }),
    ...(reversalShortfallOf(settings) !== 'debt' && { reversalShortfall: reversalShortfallOf(settings) }),
    ...(expiryOf(settings).policy !== 'none' && { expiry: normaliseExpiry(expiryOf(settings)) }),
  };
}

/** Fields in a fixed order, so equal policies are equal JSON. */
function normaliseExpiry(expiry: Expiry): Expiry {
  switch (expiry.policy) {
    case 'none':
      return { policy: 'none' };
    case 'afterDays':
      return { policy: 'afterDays', days: expiry.days };
    case 'afterMonths':
      return { policy: 'afterMonths', months: expiry.months, roundTo: expiry.roundTo };
  }
}
