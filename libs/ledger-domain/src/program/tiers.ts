import * as t from 'io-ts';
import { addDays, dayIn, startOfLocalDay } from '../shared/calendar';
import { BoundedString, CheckedArray, Identifier, IntInRange, refine, strictObject } from '../shared/codecs';
import { MAX_POINTS_PER_ENTRY, parseRatio, type PointsRatio } from '../shared/points';
import { annotate } from '../shared/schema-annotation';

/**
 * Tiers: the program's levels, reached by qualifying points (docs/lifecycle.md).
 *
 * - qualifying points: points earned by payments, after their reversals, inside the window;
 *   pending points qualify once activated; redemptions never lower them.
 * - tierWindow: "lifetime" (default), `{rollingDays}` (payments of the last N local days) or
 *   "calendarYear" (payments of the current local year), in the program timezone.
 * - A tier's multiplier scales what a payment earns while the customer holds it:
 *   floor(amount × pointsPerUnit × multiplier), the tier and multiplier recorded on the payment.
 */

/** A multiplier as a decimal string: "1.25". Greater than 0, at most 10, up to 4 decimals. */
export const MultiplierC = annotate(
  refine(t.string, 'multiplier as a decimal string greater than 0 and at most 10, up to 4 decimals', (s) => {
    const ratio = parseRatio(s);
    return /^\d{1,2}(\.\d{1,4})?$/.test(s) && ratio !== undefined && ratio.numerator > 0n && ratio.numerator <= 10n * ratio.denominator;
  }),
  { pattern: '^\\d{1,2}(\\.\\d{1,4})?$', description: 'decimal string > 0 and ≤ 10, up to 4 decimals', example: '1.25' },
);

export const TierC = annotate(
  strictObject(
    'tier',
    {
      tierId: Identifier('tier id of 1 to 100 characters [A-Za-z0-9-_.:]'),
      name: BoundedString(1, 100),
      threshold: IntInRange(0, MAX_POINTS_PER_ENTRY, `integer from 0 to ${MAX_POINTS_PER_ENTRY}`),
      multiplier: MultiplierC,
    },
    {},
  ),
  { properties: { tierId: { example: 'gold' }, name: { example: 'Gold' }, threshold: { description: 'qualifying points to reach the tier', example: 1000 } } },
);
export type Tier = t.TypeOf<typeof TierC>;

const MAX_TIERS = 10;
const ascending = (tiers: readonly Tier[]) =>
  new Set(tiers.map((tier) => tier.tierId)).size === tiers.length && tiers.every((tier, i) => i === 0 || tier.threshold > tiers[i - 1]!.threshold);

export const TiersC = annotate(CheckedArray(TierC, `list of at most ${MAX_TIERS} tiers, distinct ids, thresholds strictly ascending`, MAX_TIERS, ascending), {
  description: 'distinct tierIds, thresholds strictly ascending; [] removes the tiers',
  example: [
    { tierId: 'silver', name: 'Silver', threshold: 500, multiplier: '1.1' },
    { tierId: 'gold', name: 'Gold', threshold: 2000, multiplier: '1.25' },
  ],
});

export const TierWindowC = annotate(
  t.union(
    [t.literal('lifetime'), t.literal('calendarYear'), strictObject('rolling tier window', { rollingDays: IntInRange(1, 3660, 'integer from 1 to 3660') }, {})],
    'tier window: "lifetime", "calendarYear" or {rollingDays}',
  ),
  { description: 'which payments qualify: all, the current calendar year, or the last N local days; default "lifetime"', example: { rollingDays: 365 } },
);
export type TierWindow = t.TypeOf<typeof TierWindowC>;

export const TIER_SETTINGS = { tiers: TiersC, tierWindow: TierWindowC };

export interface TierSettings {
  readonly tiers?: readonly Tier[];
  readonly tierWindow?: TierWindow;
}

export const tiersOf = (settings: TierSettings): readonly Tier[] => settings.tiers ?? [];
export const tierWindowOf = (settings: TierSettings): TierWindow => settings.tierWindow ?? 'lifetime';

/** As stored: fields in a fixed order, defaults left out. */
export function normaliseTiers(settings: TierSettings): TierSettings {
  const tiers = tiersOf(settings).map((tier) => ({ tierId: tier.tierId, name: tier.name, threshold: tier.threshold, multiplier: tier.multiplier }));
  const window = tierWindowOf(settings);
  return {
    ...(tiers.length > 0 && { tiers }),
    ...(window !== 'lifetime' && { tierWindow: typeof window === 'string' ? window : { rollingDays: window.rollingDays } }),
  };
}

/** The highest tier the qualifying points reach, or undefined below the lowest threshold. */
export function tierFor(tiers: readonly Tier[], qualifying: number): Tier | undefined {
  let reached: Tier | undefined;
  for (const tier of tiers) if (qualifying >= tier.threshold) reached = tier;
  return reached;
}

/** A tier's place in the program's order (−1: no tier, or a tier the program no longer has). */
export const rankOf = (tiers: readonly Tier[], tierId: string | undefined): number =>
  tierId === undefined ? -1 : tiers.findIndex((tier) => tier.tierId === tierId);

/** The multiplier as an exact ratio ("1.25" → 125/100); 1 without a tier. */
export function multiplierRatio(multiplier: string | undefined): PointsRatio {
  return (multiplier === undefined ? undefined : parseRatio(multiplier)) ?? { numerator: 1n, denominator: 1n };
}

/**
 * Whether a payment's business time lies inside the tier window as of `now`: always for
 * "lifetime"; the same local year for "calendarYear"; for `{rollingDays: N}`, on one of the last
 * N local days (today included).
 */
export function insideWindow(window: TierWindow, timezone: string, occurredAt: string, now: Date): boolean {
  if (window === 'lifetime') return true;
  const today = dayIn(timezone, now.toISOString());
  if (window === 'calendarYear') return dayIn(timezone, occurredAt).slice(0, 4) === today.slice(0, 4);
  return Date.parse(occurredAt) >= Date.parse(startOfLocalDay(timezone, addDays(today, 1 - window.rollingDays))) && Date.parse(occurredAt) <= now.getTime();
}
