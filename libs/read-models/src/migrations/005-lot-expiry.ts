/*
 * FROZEN once released: databases in use will have run it. Never edit a released migration, not
 * even to follow a change of the live tables (live-tables.ts): change existing databases with a
 * new migration. The statements are literal SQL, the same text on SQLite and PostgreSQL, and the
 * movements are worked out here by this file's own code (its own calendar, spending order and
 * reversal arithmetic), so that nothing edited elsewhere (the domain's lot rules, the
 * projections) can change what this does.
 */
import { sql } from 'kysely';
import type { UntypedDb } from '../tables';
import type { Migration } from './migration';

/**
 * Points lifecycle 2 (lot expiry). Exact for the rows version 4 wrote: no event before this
 * version had an `expiresAt` or was an expiry, so every lot's `expires_at` and `last_valid_day`
 * are null, nothing was expired (`expired`, `lifetime_expired` 0).
 */
const COLUMNS = [
  // NOT NULL columns added to tables with rows need a default (SQLite requires one); 0 is also right for every old row.
  `ALTER TABLE "customer_balances" ADD COLUMN "lifetime_expired" bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE "points_lots" ADD COLUMN "expires_at" text`,
  `ALTER TABLE "points_lots" ADD COLUMN "last_valid_day" text`,
  `ALTER TABLE "points_lots" ADD COLUMN "expired" bigint NOT NULL DEFAULT 0`,
  `CREATE TABLE "points_movements" (
    "position" text NOT NULL,
    "seq" integer NOT NULL,
    "customer_id" text NOT NULL,
    "lot_id" text,
    "source" text,
    "kind" text NOT NULL,
    "pending" integer NOT NULL,
    "points" bigint NOT NULL,
    "occurred_at" text NOT NULL,
    "recorded_at" text NOT NULL,
    "day" text NOT NULL,
    "expires_at" text,
    "last_valid_day" text,
    CONSTRAINT "points_movements_pk_v5" PRIMARY KEY ("position", "seq")
  )`,
];

/** After the rows are in: one sorted build instead of upkeep through every insert. */
const INDEXES = [
  `CREATE INDEX "points_lots_expiring_v5" ON "points_lots" ("customer_id", "lot_id", "expires_at") WHERE "remaining" > 0 AND "expires_at" IS NOT NULL`,
  `CREATE INDEX "points_movements_customer_v5" ON "points_movements" ("customer_id", "lot_id")`,
  `CREATE INDEX "points_movements_day_v5" ON "points_movements" ("day")`,
];

export const lotExpiry: Migration = {
  version: 5,
  name: 'points lifecycle 2: lot expiry (expires_at, last_valid_day, expired), lifetime expired, points movements',
  up: async (db) => {
    for (const statement of COLUMNS) await sql.raw(statement).execute(db);
    await fillMovements(db);
    for (const statement of INDEXES) await sql.raw(statement).execute(db);
  },
};

/** A `customer_timeline` row of version 4, as this migration reads it. */
interface EntryRow {
  customer_id: string;
  position: string;
  entry_type: string;
  kind: string | null;
  occurred_at: string;
  recorded_at: string;
  location_id: string | null;
  amount_minor: number | string | null;
  currency: string | null;
  points_delta: number | string;
  pending_delta: number | string;
  owed_after: number | string;
  reference: string | null;
  subject_id: string;
}

interface MovementRow {
  position: string;
  seq: number;
  customer_id: string;
  lot_id: string | null;
  source: string | null;
  kind: string;
  pending: number;
  points: number;
  occurred_at: string;
  recorded_at: string;
  day: string;
  expires_at: null;
  last_valid_day: null;
}

interface WorkingLot {
  readonly lotId: string;
  readonly source: string;
  readonly paymentId: string | null;
  readonly earnedAt: string;
  remaining: number;
  pending: boolean;
}

interface WorkingPayment {
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly currency: string | null;
  readonly locationId: string | null;
  readonly occurredAt: string;
  readonly points: number;
  refundedMinor: number;
  voided: boolean;
}

const PAGE = 5000;
const INSERT_ROWS = 500;

/**
 * The movements of the events projected already, from the version-4 tables: each customer's
 * timeline in log order (every points movement of version 4 is an entry with its
 * `points_delta`, `pending_delta` and `owed_after`; an earning's entry names its lot, a
 * cashback's its payment, an activation's and a void's the payment) and the program's timezones
 * for the days. The rules are version 4's: an earning opens its lot and,
 * available at once, pays the debt first; spends and reversals draw from the available lots in
 * spending order (earliest `earned_at`, then lot id; no lot expired then), a reversal from the
 * reversed earning's own lot first (its pending points, or its available ones); an activation
 * makes a payment's pending lots available in spending order, each paying the debt first; a void
 * cancels them.
 *
 * What the version-4 tables do not hold: the payment a refund (`PaymentRefunded`) was for. The
 * migration names it when the tables determine it (a cashback reversal of the same refund names
 * the cashback, whose lot names the payment; or exactly one of the customer's payments is
 * consistent with the refund's location, currency, time, amount, full or partial, and the points
 * it took from pending and available lots, owed or wrote off). Otherwise the lots it drew from
 * cannot be known (two payments alike, refunded in either order, leave the same version-4 rows),
 * and from that refund on the customer's movements whose lots depend on it are written with
 * `lot_id` and `source` null: their points, kinds, parts and days stay exact. A rebuild
 * (`ledger projections rebuild`) names every lot, from the log.
 */
async function fillMovements(db: UntypedDb): Promise<void> {
  const programs = (
    (await db.selectFrom('program_settings').select(['timezone', 'position']).orderBy('position').execute()) as { timezone: string; position: string }[]
  ).map((p) => ({ timezone: p.timezone, position: BigInt(p.position) }));
  const timezoneAt = (position: string): string => {
    const at = BigInt(position);
    let timezone = 'UTC';
    for (const p of programs) if (p.position < at) timezone = p.timezone;
    return timezone;
  };
  const pending: MovementRow[] = [];
  let customer: string | undefined;
  let entries: EntryRow[] = [];
  let after: { customer: string; position: string } | undefined;
  const finish = async () => {
    if (customer === undefined) return;
    pending.push(...movementsOf(customer, entries, timezoneAt));
    if (pending.length >= INSERT_ROWS) await insertMovements(db, pending.splice(0));
  };
  for (;;) {
    let query = db
      .selectFrom('customer_timeline')
      .select([
        'customer_id',
        'position',
        'entry_type',
        'kind',
        'occurred_at',
        'recorded_at',
        'location_id',
        'amount_minor',
        'currency',
        'points_delta',
        'pending_delta',
        'owed_after',
        'reference',
        'subject_id',
      ]);
    if (after !== undefined) query = query.where(sql<boolean>`("customer_id", "position") > (${after.customer}, ${after.position})`);
    const rows = (await query.orderBy('customer_id').orderBy('position').limit(PAGE).execute()) as EntryRow[];
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.customer_id !== customer) {
        await finish();
        customer = r.customer_id;
        entries = [];
      }
      entries.push(r);
    }
    const last = rows[rows.length - 1]!;
    after = { customer: last.customer_id, position: last.position };
  }
  await finish();
  await insertMovements(db, pending);
}

/** One customer's movements, from its timeline (in position order). */
function movementsOf(customerId: string, entries: readonly EntryRow[], timezoneAt: (position: string) => string): MovementRow[] {
  const out: MovementRow[] = [];
  const lots = new Map<string, WorkingLot>();
  const payments = new Map<string, WorkingPayment>();
  // The lots are known as long as every refund so far named its payment (see fillMovements).
  let exact = true;
  let owed = 0;
  const open = (): WorkingLot[] => [...lots.values()].filter((l) => l.remaining > 0).sort(spendingOrder);
  const available = (): WorkingLot[] => open().filter((l) => !l.pending);

  entries.forEach((r, index) => {
    const owedBefore = owed;
    owed = Number(r.owed_after);
    const owedAdded = owed - owedBefore;
    const pointsDelta = Number(r.points_delta);
    const pendingDelta = Number(r.pending_delta);
    let seq = 0;
    let day: string | undefined;
    const move = (lot: WorkingLot | null, kind: string, pendingPart: boolean, points: number) => {
      if (points === 0) return;
      day ??= calendarDay(timezoneAt(r.position), r.occurred_at);
      out.push({
        position: r.position,
        seq: seq++,
        customer_id: customerId,
        lot_id: lot === null ? null : lot.lotId,
        source: lot === null ? null : lot.source,
        kind,
        pending: pendingPart ? 1 : 0,
        points,
        occurred_at: r.occurred_at,
        recorded_at: r.recorded_at,
        day,
        expires_at: null,
        last_valid_day: null,
      });
      if (lot !== null) lot.remaining += points;
    };
    /** `points` from the available lots: `first` before the others when it is available, then in spending order. */
    const draw = (points: number, kind: string, first?: string) => {
      if (!exact) return move(null, kind, false, -points);
      let left = points;
      const preferred = first === undefined ? undefined : lots.get(first);
      const order =
        preferred !== undefined && !preferred.pending && preferred.remaining > 0 ? [preferred, ...available().filter((l) => l !== preferred)] : available();
      for (const lot of order) {
        if (left === 0) break;
        const taken = Math.min(left, lot.remaining);
        move(lot, kind, false, -taken);
        left -= taken;
      }
    };
    const earn = (lotId: string, source: string, paymentId: string | null, points: number, pendingLot: boolean) => {
      if (points <= 0) return;
      const lot: WorkingLot = { lotId, source, paymentId, earnedAt: r.occurred_at, remaining: 0, pending: pendingLot };
      lots.set(lotId, lot);
      move(lot, source === 'adjustment' ? 'credited' : 'earned', pendingLot, points);
      if (!pendingLot) move(lot, 'repaid', false, -Math.min(points, Math.max(0, owedBefore)));
    };
    /** A reversal: its pending points from the reversed earning's own lot, then what it drew from the available lots. */
    const reverse = (ownLotId: string | undefined) => {
      const fromPending = -pendingDelta;
      const drawn = -pointsDelta - owedAdded;
      const own = ownLotId === undefined ? undefined : lots.get(ownLotId);
      move(own ?? null, 'reversed', true, -fromPending);
      if (drawn > 0) draw(drawn, 'reversed', ownLotId);
    };

    switch (r.entry_type) {
      case 'PaymentRecorded': {
        const points = pointsDelta + pendingDelta;
        payments.set(r.subject_id, {
          paymentId: r.subject_id,
          amountMinor: Number(r.amount_minor ?? 0),
          currency: r.currency,
          locationId: r.location_id,
          occurredAt: r.occurred_at,
          points,
          refundedMinor: 0,
          voided: false,
        });
        earn(r.subject_id, 'payment', r.subject_id, points, pendingDelta > 0);
        break;
      }
      case 'PointsAdjusted': {
        if (pointsDelta > 0 || pendingDelta > 0) {
          const source = r.kind === 'cashback' ? 'cashback' : r.kind === 'reward' ? 'reward' : 'adjustment';
          earn(r.subject_id, source, r.kind === 'cashback' ? r.reference : null, pointsDelta + pendingDelta, pendingDelta > 0);
        } else if (pointsDelta < 0) {
          // What the lots covered; the rest was owed.
          const drawn = -pointsDelta - owedAdded;
          if (drawn > 0) draw(drawn, r.kind === 'redemption' ? 'spent' : 'debited');
        }
        break;
      }
      case 'PaymentRefunded': {
        const payment = exact ? refundedPayment(entries, index, { owedAdded, lots, payments, available }) : undefined;
        if (payment === undefined) {
          exact = false;
          reverse(undefined);
          break;
        }
        reverse(payment.paymentId);
        payment.refundedMinor += Number(r.amount_minor ?? 0);
        break;
      }
      case 'CashbackReversed':
        // The reference is the cashback: its own lot is known whatever else is.
        reverse(r.reference ?? undefined);
        break;
      case 'PointsActivated': {
        if (!exact) {
          move(null, 'activated', true, -pointsDelta);
          move(null, 'activated', false, pointsDelta);
          move(null, 'repaid', false, owed - owedBefore);
          break;
        }
        let net = -owedBefore;
        for (const lot of open().filter((l) => l.pending && l.paymentId === r.subject_id)) {
          const points = lot.remaining;
          const repaid = Math.min(points, Math.max(0, -net));
          net += points;
          move(lot, 'activated', true, -points);
          lot.pending = false;
          move(lot, 'activated', false, points);
          move(lot, 'repaid', false, -repaid);
        }
        break;
      }
      case 'PointsVoided': {
        const payment = payments.get(r.subject_id);
        if (payment !== undefined) payment.voided = true;
        if (!exact) {
          move(null, 'voided', true, pendingDelta);
          break;
        }
        for (const lot of open().filter((l) => l.pending && l.paymentId === r.subject_id)) move(lot, 'voided', true, -lot.remaining);
        break;
      }
      default:
        break;
    }
  });
  return out;
}

/**
 * The payment a refund was for, when the version-4 tables determine it: named through a cashback
 * reversal of the same refund (the next entries of the same append), or the one payment of the
 * customer consistent with everything the refund's entry records (each condition below holds for
 * the true payment, so a single payment meeting them all is it). Undefined when undetermined.
 */
function refundedPayment(
  entries: readonly EntryRow[],
  index: number,
  state: {
    owedAdded: number;
    lots: ReadonlyMap<string, WorkingLot>;
    payments: ReadonlyMap<string, WorkingPayment>;
    available: () => WorkingLot[];
  },
): WorkingPayment | undefined {
  const r = entries[index]!;
  for (const next of entries.slice(index + 1, index + 1 + MAX_CASHBACKS)) {
    if (next.entry_type !== 'CashbackReversed' || !next.subject_id.startsWith(`${r.subject_id}:`)) break;
    const paymentId = next.reference === null ? undefined : state.lots.get(next.reference)?.paymentId;
    const payment = paymentId === undefined || paymentId === null ? undefined : state.payments.get(paymentId);
    if (payment !== undefined) return payment;
  }
  const amount = Number(r.amount_minor ?? 0);
  const fromPending = -Number(r.pending_delta);
  const drawn = -Number(r.points_delta) - state.owedAdded;
  const candidates = [...state.payments.values()].filter((p) => {
    if (p.locationId !== r.location_id || p.currency !== r.currency || Date.parse(p.occurredAt) > Date.parse(r.occurred_at)) return false;
    const refunded = p.refundedMinor + amount;
    if (refunded > p.amountMinor || (r.kind === 'full') !== refunded >= p.amountMinor) return false;
    // The cumulative reversal: floor(points × refunded / paid), less what the earlier refunds reversed.
    const reversed = p.voided || p.amountMinor === 0 ? 0 : share(p.points, refunded, p.amountMinor) - share(p.points, p.refundedMinor, p.amountMinor);
    const own = state.lots.get(p.paymentId);
    const ownPending = own !== undefined && own.pending && own.remaining > 0 ? Math.min(reversed, own.remaining) : 0;
    if (fromPending !== ownPending) return false;
    const spendable = state.available().reduce((n, l) => n + l.remaining, 0);
    if (drawn !== Math.min(reversed - fromPending, spendable)) return false;
    // The shortfall was owed (policy "debt") or written off ("writeOff").
    const shortfall = reversed - fromPending - drawn;
    return state.owedAdded === shortfall || state.owedAdded === 0;
  });
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** Cashback reversals follow their refund in the same append; a payment has at most a few cashback rules. */
const MAX_CASHBACKS = 50;

const share = (points: number, refunded: number, paid: number): number => Number((BigInt(points) * BigInt(refunded)) / BigInt(paid));

/** Version 4's spending order: earliest earned first, then by lot id. */
const spendingOrder = (a: WorkingLot, b: WorkingLot): number =>
  a.earnedAt !== b.earnedAt ? (a.earnedAt < b.earnedAt ? -1 : 1) : a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;

/** YYYY-MM-DD of an instant on the wall calendar of `timeZone`. */
function calendarDay(timeZone: string, instant: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

async function insertMovements(db: UntypedDb, rows: readonly MovementRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    await db
      .insertInto('points_movements')
      .values(rows.slice(i, i + INSERT_ROWS))
      .execute();
  }
}
