/** The API's answers as the console reads them (see README "The API" and the OpenAPI document at /docs). */

export interface Program {
  readonly programId: string;
  readonly version: number;
  readonly currency: string;
  readonly pointsPerUnit: string;
  readonly timezone: string;
  readonly negativeBalance: 'deny' | 'allow';
  readonly pendingDays: number;
  readonly reversalShortfall: 'debt' | 'writeOff';
  readonly visitRewards: readonly { readonly ruleId: string; readonly everyVisits: number; readonly points: number; readonly [k: string]: unknown }[];
  readonly cashback: readonly { readonly ruleId: string; readonly percent: string; readonly [k: string]: unknown }[];
  readonly position: string;
}

export interface Customer {
  readonly customerId: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly name: string | null;
  readonly balance: { readonly available: number; readonly pending: number; readonly owed: number };
  readonly lifetime: {
    readonly earned: number;
    readonly redeemed: number;
    readonly adjustedIn: number;
    readonly adjustedOut: number;
    readonly reversed: number;
    readonly writtenOff: number;
  };
  readonly visitCount: number;
  readonly paymentCount: number;
  /** The tier held (null ids: no tier, or a program without tiers) and what the next one needs. */
  readonly tier: {
    readonly tierId: string | null;
    readonly name: string | null;
    readonly since: string | null;
    readonly multiplier: string | null;
    readonly qualifyingPoints: number;
    readonly next: { readonly tierId: string; readonly name: string; readonly threshold: number; readonly pointsNeeded: number } | null;
  };
  /** The soonest expiry of points the customer still has (null: nothing expires). */
  readonly nextExpiry: { readonly expiresAt: string; readonly points: number } | null;
  readonly position: string;
}

export type EntryType =
  | 'CustomerEnrolled'
  | 'VisitCreated'
  | 'PaymentRecorded'
  | 'PointsAdjusted'
  | 'PaymentRefunded'
  | 'CashbackReversed'
  | 'PointsActivated'
  | 'PointsVoided'
  | 'PointsExpired'
  | 'TierChanged';

export interface TimelineEntry {
  readonly eventId: string;
  readonly type: EntryType;
  readonly kind: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly locationId: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly pointsDelta: number;
  readonly balanceAfter: number;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly actor: string | null;
  readonly subjectId: string;
  readonly position: string;
}

export interface TimelinePage {
  readonly customerId: string;
  readonly entries: readonly TimelineEntry[];
  readonly nextCursor: string | null;
}

export interface Achievements {
  readonly visits: number;
  readonly level: number;
  readonly rewardPoints: number;
  readonly lastVisitAt: string | null;
}

export interface HistoryEntry {
  readonly type: EntryType;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly pointsDelta: number;
  readonly pendingDelta: number;
  readonly balanceAfter: number;
  readonly pendingAfter: number;
  readonly owedAfter: number;
  readonly eventId: string;
  readonly position: string;
  readonly actor: string | null;
  readonly kind?: string;
  readonly locationId?: string;
  readonly amountMinor?: number;
  readonly currency?: string;
  readonly reason?: string;
  readonly reference?: string;
  readonly notes?: string;
  readonly purchaseIdentifier?: string;
  readonly refundIdentifier?: string;
  readonly [field: string]: unknown;
}

export interface History {
  readonly customerId: string;
  readonly asOf: string | null;
  readonly basis: 'recorded' | 'occurred';
  readonly balance: number;
  readonly pending: number;
  readonly owed: number;
  readonly entries: readonly HistoryEntry[];
}

export interface LocationDay {
  readonly locationId: string;
  readonly day: string;
  readonly visits: number;
  readonly visitsWithPurchase: number;
  readonly visitsWithoutPurchase: number;
  readonly conversion: number | null;
  readonly distinctCustomers: number;
  readonly payments: number;
  readonly revenue: readonly { readonly currency: string; readonly payments: number; readonly amountMinor: number; readonly pointsEarned: number }[];
  readonly pointsEarned: number;
}

export interface VisitReport {
  readonly from: string;
  readonly to: string;
  readonly locationId: string | null;
  readonly days: readonly LocationDay[];
}

export interface Health {
  readonly ok?: boolean;
  readonly error?: string;
}

export interface Projections {
  readonly head: string;
  readonly projections: readonly (Health & { readonly name: string; readonly checkpoint: string; readonly lag: string; readonly database: string })[];
}

export interface Reactions extends Health {
  readonly name: string;
  readonly mode: string;
  readonly checkpoint: string;
  readonly head: string;
  readonly lag: string;
  readonly refused: number;
}

/** Per action of one lifecycle pass: written by it, written before (replayed), nothing to do, refused. */
export interface LifecycleCounts {
  readonly applied: number;
  readonly replayed: number;
  readonly skipped: number;
  readonly refused: number;
}

export interface Lifecycle extends Health {
  readonly mode: string;
  readonly intervalMs: number;
  readonly lastRun: {
    readonly asOf: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly activate: LifecycleCounts;
    readonly expire: LifecycleCounts;
    readonly tier: LifecycleCounts;
  } | null;
  /** Payments whose pending points are due, and lots whose expiry has passed, now. */
  readonly due: { readonly activations: number; readonly expirations: number };
}

/** What every command answer carries. */
export interface Balances {
  readonly balance: number;
  readonly pending: number;
  readonly owed: number;
  readonly position: string;
}

export interface PaymentAnswer extends Balances {
  readonly paymentId: string;
  readonly pointsEarned: number;
  readonly amount: string;
  readonly currency: string;
  readonly purchaseIdentifier: string;
  readonly activatesAt: string | null;
}

/** GET /reports/liability: points moved per day (program timezone, business time), as positive numbers. */
export interface LiabilityDay {
  readonly day: string;
  readonly earned: number;
  readonly credited: number;
  readonly spent: number;
  readonly debited: number;
  readonly reversed: number;
  readonly voided: number;
  readonly expired: number;
  readonly repaid: number;
  readonly activated: number;
}

export interface LiabilityReport {
  readonly asOf: string;
  readonly outstanding: { readonly available: number; readonly pending: number; readonly total: number };
  readonly byExpiryMonth: readonly { readonly month: string | null; readonly available: number; readonly pending: number }[];
  readonly from: string;
  readonly to: string;
  readonly days: readonly LiabilityDay[];
  readonly totals: Omit<LiabilityDay, 'day'>;
}
