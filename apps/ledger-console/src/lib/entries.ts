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
  const kind = entry.type === 'PaymentRecorded' ? ((entry['source'] as string | undefined) ?? null) : (entry.kind ?? null);
  return describe(entry.type, kind, {
    money,
    reason: entry.type === 'VisitCreated' ? (entry.notes ?? null) : (entry.reason ?? null),
    reference:
      entry.type === 'PaymentRecorded'
        ? (entry.purchaseIdentifier ?? null)
        : entry.type === 'PaymentRefunded'
          ? (entry.refundIdentifier ?? null)
          : entry.type === 'VisitCreated'
            ? null
            : (entry.reference ?? null),
  });
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
  }
}

/** Entries that move points (the Points history tab). */
export const movesPoints = (entry: { readonly type: EntryType }): boolean => entry.type !== 'VisitCreated' && entry.type !== 'CustomerEnrolled';

/** Redemptions (the Redemption history tab). */
export const isRedemption = (entry: { readonly type: EntryType; readonly kind: string | null }): boolean =>
  entry.type === 'PointsAdjusted' && entry.kind === 'redemption';
