import type { Format } from './format';
import type { EntryType, HistoryEntry, TimelineEntry } from './types';

/** A ledger entry in staff's words: what it was, and its details. */
export interface Described {
  readonly label: string;
  readonly color: string;
  readonly details: readonly string[];
}

const ADJUSTMENT_LABELS: Readonly<Record<string, string>> = {
  manual: 'Adjustment',
  redemption: 'Redemption',
  reward: 'Visit reward',
  cashback: 'Cashback',
};

const TIER_REASONS: Readonly<Record<string, string>> = {
  qualified: 'qualifying points reached the threshold',
  window: 'the qualifying window dropped below the threshold',
  reversal: 'refunds took the qualifying points below the threshold',
};

const VISIT_KINDS: Readonly<Record<string, string>> = {
  browse: 'browse',
  service: 'service',
  event: 'event',
  pickup: 'pickup',
  purchase: 'purchase',
};

export function describeTimeline(entry: TimelineEntry, format: Format): Described {
  const money = entry.amountMinor === null ? undefined : format.money(entry.amountMinor, entry.currency);
  return describe(entry.type, entry.kind, {
    money,
    reason: entry.reason,
    reference: entry.reference,
  });
}

export function describeHistory(entry: HistoryEntry, format: Format): Described {
  const money = typeof entry.amountMinor === 'number' ? format.money(entry.amountMinor, entry.currency ?? null) : undefined;
  return describe(entry.type, historyKind(entry), {
    money,
    reason: entry.type === 'VisitCreated' ? (entry.notes ?? null) : entry.type === 'TierChanged' ? null : (entry.reason ?? null),
    reference: historyReference(entry),
  });
}

/** The history carries each event's own fields; the timeline's `kind` is one of them, or derived (as its projection does). */
function historyKind(entry: HistoryEntry): string | null {
  switch (entry.type) {
    case 'PaymentRecorded':
      return (entry['source'] as string | undefined) ?? null;
    case 'PointsExpired':
      return entry['pending'] === true ? 'pending' : null;
    case 'TierChanged':
      return entry.reason ?? null;
    default:
      return entry.kind ?? null;
  }
}

function historyReference(entry: HistoryEntry): string | null {
  switch (entry.type) {
    case 'PaymentRecorded':
      return entry.purchaseIdentifier ?? null;
    case 'PaymentRefunded':
      return entry.refundIdentifier ?? null;
    case 'VisitCreated':
      return null;
    case 'TierChanged':
      return (entry['to'] as string | null | undefined) ?? null;
    default:
      return entry.reference ?? null;
  }
}

function describe(
  type: EntryType,
  kind: string | null,
  f: { readonly money: string | undefined; readonly reason: string | null; readonly reference: string | null },
): Described {
  const details: string[] = [];
  switch (type) {
    case 'CustomerEnrolled':
      return { label: 'Enrolled', color: 'gray', details };
    case 'VisitCreated':
      if (f.reason) details.push(`Notes: ${f.reason}`);
      return { label: `Visit · ${VISIT_KINDS[kind ?? ''] ?? kind ?? 'visit'}`, color: 'cyan', details };
    case 'PaymentRecorded':
      if (f.money) details.push(f.money);
      if (f.reference) details.push(`Purchase ${f.reference}`);
      if (kind && kind !== 'manual') details.push(`by ${kind}`);
      return { label: 'Payment', color: 'green', details };
    case 'PointsAdjusted':
      if (f.reason) details.push(f.reason);
      if (f.reference) details.push(`Reference ${f.reference}`);
      return { label: ADJUSTMENT_LABELS[kind ?? ''] ?? 'Adjustment', color: kind === 'redemption' ? 'grape' : 'blue', details };
    case 'PaymentRefunded':
      if (f.money) details.push(f.money);
      if (f.reference) details.push(`Refund ${f.reference}`);
      if (f.reason) details.push(f.reason);
      return { label: 'Refund', color: 'orange', details };
    case 'CashbackReversed':
      return { label: 'Cashback reversed', color: 'orange', details };
    case 'PointsActivated':
      if (kind === 'early') details.push('activated early');
      if (f.reason) details.push(f.reason);
      return { label: 'Points activated', color: 'teal', details };
    case 'PointsVoided':
      if (f.reason) details.push(f.reason);
      return { label: 'Points voided', color: 'red', details };
    case 'PointsExpired':
      if (kind === 'pending') details.push('still pending when they expired');
      return { label: 'Points expired', color: 'gray', details };
    case 'TierChanged':
      // The reference is the tier held from now on (none: below every threshold).
      details.push(f.reference ? `now ${f.reference}` : 'no tier now');
      if (kind) details.push(TIER_REASONS[kind] ?? kind);
      return { label: 'Tier changed', color: 'yellow', details };
  }
}

/** Entries that move points (the Points history tab). */
export const movesPoints = (entry: { readonly type: EntryType }): boolean => entry.type !== 'VisitCreated' && entry.type !== 'CustomerEnrolled';

/** Redemptions (the Redemption history tab). */
export const isRedemption = (entry: { readonly type: EntryType; readonly kind: string | null }): boolean =>
  entry.type === 'PointsAdjusted' && entry.kind === 'redemption';
