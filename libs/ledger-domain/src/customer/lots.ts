import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';

/**
 * Lots: every earning (a payment's points, a cashback, a reward, a positive adjustment) is a lot
 * of points, and every point spent, reversed, voided or expired is taken from a named lot, so the
 * history explains every point.
 *
 * - A lot is pending (with `activatesAt`) or available. Pending points are visible, not
 *   spendable; they count as `pending` until activated.
 * - Spending (redemptions, negative adjustments, reversals beyond their own lot) takes from the
 *   available lots in spending order: earliest expiry first, lots that never expire last, ties
 *   by the earliest earned (`spendingOrder`). The event records which lots it drew from.
 * - A lot whose `expiresAt` has passed loses what remains of it (`PointsExpired`).
 * - What cannot be drawn from a lot is a shortfall: owed (the net available balance goes below
 *   zero) or, for a reversal under the "writeOff" policy, written off. While something is owed,
 *   points that become available pay it first (`settleOwed`); the rest is the lot.
 *
 * The state holds only open lots (points remaining); a lot drawn to zero is closed.
 */

/** Where a lot's points came from. */
export type LotSource = 'payment' | 'cashback' | 'reward' | 'adjustment';

export interface Lot {
  /** The earning's id: the payment id, or the adjustment id of a cashback, reward or credit. */
  readonly lotId: string;
  readonly source: LotSource;
  /** Business time of the earning. */
  readonly earnedAt: string;
  /** Points not yet spent, reversed, voided or expired (> 0 while the lot is open). */
  readonly remaining: number;
  /** While pending: the first instant at which the points become available. */
  readonly activatesAt?: string;
  /** The payment a payment or cashback lot belongs to (refunds reverse and voids cancel by payment). */
  readonly paymentId?: string;
  /** The first instant at which what remains is expired; absent: never expires. */
  readonly expiresAt?: string;
}

/** Points taken from one lot by a spend, reversal, void or activation. */
export const LotDrawC = t.type({ lotId: t.string, points: SafeInteger });
export type LotDraw = t.TypeOf<typeof LotDrawC>;
export const LotDrawsC = t.array(LotDrawC);

export const isPending = (lot: Lot): boolean => lot.activatesAt !== undefined;

/**
 * The order points are spent in: the earliest expiry first (so points are used before they are
 * lost), lots that never expire last; then the earliest earned; then by id, so every replay agrees.
 */
export function spendingOrder(a: Lot, b: Lot): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === undefined) return 1;
    if (b.expiresAt === undefined) return -1;
    return a.expiresAt < b.expiresAt ? -1 : 1;
  }
  if (a.earnedAt !== b.earnedAt) return a.earnedAt < b.earnedAt ? -1 : 1;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

/**
 * The lots with one more, in spending order. The lots are kept in that order (this is the only
 * way a lot is added), so the place is found by binary search: a replay of a customer with
 * thousands of open lots compared the new lot with every one of them (10,000 events: seconds).
 */
export function openLot(lots: readonly Lot[], lot: Lot): readonly Lot[] {
  if (lot.remaining <= 0) return lots;
  // The first lot the new one sorts before (as a linear search from the start would find).
  let low = 0;
  let high = lots.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (spendingOrder(lot, lots[mid]!) < 0) high = mid;
    else low = mid + 1;
  }
  // concat and slice copy the array in one go; a slice then a splice copied it twice (10,000-event replays do this per earning).
  return low === lots.length ? lots.concat([lot]) : lots.slice(0, low).concat([lot], lots.slice(low));
}

/**
 * Draws up to `points` from the available lots: from `first` (a lot id) before the others when
 * it is available, then in spending order. Returns the draws and what could not be drawn.
 */
export function drawAvailable(lots: readonly Lot[], points: number, first?: string): { draws: LotDraw[]; shortfall: number } {
  const draws: LotDraw[] = [];
  let left = points;
  const take = (lot: Lot) => {
    if (left <= 0 || isPending(lot) || lot.remaining <= 0) return;
    const drawn = Math.min(left, lot.remaining);
    draws.push({ lotId: lot.lotId, points: drawn });
    left -= drawn;
  };
  const preferred = first === undefined ? undefined : lots.find((lot) => lot.lotId === first);
  if (preferred !== undefined) take(preferred);
  for (const lot of lots) {
    if (left <= 0) break;
    if (lot !== preferred) take(lot);
  }
  return { draws, shortfall: left };
}

/**
 * The lots after draws (recorded in an event): each drawn lot loses its points; emptied lots close.
 * A lot's id is unique among a customer's lots (it is its earning's id, which also keys
 * `points_lots`), and draws mostly take from the first lots in spending order: once every drawn
 * lot was met, the rest is kept as it is without looking each one up.
 */
export function applyDraws(lots: readonly Lot[], draws: readonly LotDraw[]): readonly Lot[] {
  if (draws.length === 0) return lots;
  const drawn = new Map<string, number>();
  for (const d of draws) drawn.set(d.lotId, (drawn.get(d.lotId) ?? 0) + d.points);
  const out: Lot[] = [];
  let unmet = drawn.size;
  let i = 0;
  for (; i < lots.length && unmet > 0; i++) {
    const lot = lots[i]!;
    const points = drawn.get(lot.lotId);
    if (points === undefined) {
      out.push(lot);
      continue;
    }
    unmet--;
    if (lot.remaining > points) out.push({ ...lot, remaining: lot.remaining - points });
  }
  // The untouched rest in one copy, not pushed lot by lot: a spend in a replay of thousands of open lots pays this.
  if (i === lots.length) return out;
  return out.length === 0 ? lots.slice(i) : out.concat(lots.slice(i));
}

/** Points that become available pay what is owed first: how many of `points` go to the debt. */
export const settleOwed = (netAvailable: number, points: number): number => Math.min(points, Math.max(0, -netAvailable));

export const sumDraws = (draws: readonly LotDraw[]): number => draws.reduce((sum, d) => sum + d.points, 0);

/** The pending lots of a payment (its own and its cashback's), in spending order. */
export const pendingLotsOf = (lots: readonly Lot[], paymentId: string): Lot[] => lots.filter((lot) => isPending(lot) && lot.paymentId === paymentId);
