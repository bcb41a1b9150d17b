import * as t from 'io-ts';
import { IntInRange } from '../shared/codecs';

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
 */
export const ReversalShortfallC = t.keyof({ debt: null, writeOff: null }, '"debt" or "writeOff"');
export type ReversalShortfall = t.TypeOf<typeof ReversalShortfallC>;

export const MAX_PENDING_DAYS = 365;

export const LIFECYCLE_SETTINGS = {
  pendingDays: IntInRange(0, MAX_PENDING_DAYS, `integer from 0 to ${MAX_PENDING_DAYS}`),
  reversalShortfall: ReversalShortfallC,
};

export interface LifecycleSettings {
  readonly pendingDays?: number;
  readonly reversalShortfall?: ReversalShortfall;
}

export const pendingDaysOf = (settings: LifecycleSettings): number => settings.pendingDays ?? 0;
export const reversalShortfallOf = (settings: LifecycleSettings): ReversalShortfall => settings.reversalShortfall ?? 'debt';

/** The settings as stored: defaults left out, so equal meaning is equal form. */
export function normaliseLifecycle(settings: LifecycleSettings): LifecycleSettings {
  return {
    ...(pendingDaysOf(settings) !== 0 && { pendingDays: pendingDaysOf(settings) }),
    ...(reversalShortfallOf(settings) !== 'debt' && { reversalShortfall: reversalShortfallOf(settings) }),
  };
}
