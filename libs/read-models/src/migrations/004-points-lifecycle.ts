/*
 * FROZEN: released, and databases in use have run it. Never edit this file, not even to follow
 * a change of the live tables (live-tables.ts): change existing databases with a new migration.
 * The statements are literal SQL, the same text on SQLite and PostgreSQL, and the lots are
 * worked out here by this file's own code, so that nothing edited elsewhere (the domain's lot
 * rules, the projections) can change what this does.
 */
import { sql } from 'kysely';
import type { UntypedDb } from '../tables';
import type { Migration } from './migration';

/**
 * Points lifecycle 1. Version 3 stored the available balance signed (below zero while points
 * were owed); from now on `available` is never negative and `owed` holds the debt. Exact for the
 * rows version 3 wrote: their events had no pending points, refunds, reversals or voids, so
 * pending is 0 (as it already was), reversed, written off and refunds are 0.
 */
const COLUMNS = [
  // NOT NULL columns added to tables with rows need a default (SQLite requires one); 0 is also right for every old row.
  `ALTER TABLE "customer_balances" ADD COLUMN "owed" bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE "customer_balances" ADD COLUMN "lifetime_reversed" bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE "customer_balances" ADD COLUMN "lifetime_written_off" bigint NOT NULL DEFAULT 0`,
  // Both sides of SET read the row as it was: the debt moves to owed, available becomes 0.
  `UPDATE "customer_balances" SET "owed" = -"available", "available" = 0 WHERE "available" < 0`,
  `ALTER TABLE "customer_timeline" ADD COLUMN "pending_delta" bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE "customer_timeline" ADD COLUMN "pending_after" bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE "customer_timeline" ADD COLUMN "owed_after" bigint NOT NULL DEFAULT 0`,
  `UPDATE "customer_timeline" SET "owed_after" = -"balance_after", "balance_after" = 0 WHERE "balance_after" < 0`,
  `ALTER TABLE "location_daily_payments" ADD COLUMN "refunds" bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE "location_daily_payments" ADD COLUMN "refunded_minor" bigint NOT NULL DEFAULT 0`,
  `CREATE TABLE "points_lots" (
    "customer_id" text NOT NULL,
    "lot_id" text NOT NULL,
    "source" text NOT NULL,
    "payment_id" text,
    "earned_at" text NOT NULL,
    "activates_at" text,
    "points" bigint NOT NULL,
    "remaining" bigint NOT NULL,
    "position" text NOT NULL,
    CONSTRAINT "points_lots_pk_v4" PRIMARY KEY ("customer_id", "lot_id")
  )`,
];

/** After the rows are in: one sorted build instead of upkeep through every insert. */
const INDEXES = [`CREATE INDEX "points_lots_due_v4" ON "points_lots" ("activates_at") WHERE "remaining" > 0`];

export const pointsLifecycle: Migration = {
  version: 4,
  name: 'points lifecycle 1: available never negative with owed apart, pending, lifetime reversed and written off; refunds per location and day; points lots',
  up: async (db) => {
    for (const statement of COLUMNS) await sql.raw(statement).execute(db);
    await fillLots(db);
    for (const statement of INDEXES) await sql.raw(statement).execute(db);
  },
};

interface LotRow {
  customer_id: string;
  lot_id: string;
  source: string;
  payment_id: string | null;
  earned_at: string;
  activates_at: string | null;
  points: number;
  remaining: number;
  position: string;
}

const PAGE = 5000;
const INSERT_ROWS = 500;

/**
 * The lots of the events projected already, from their timeline rows (in version 3 every
 * points movement was a payment or a `PointsAdjusted`, with its points in `points_delta`), per
 * customer in log order, by the rules the ledger had then:
 * - an earning (points > 0: a payment, a reward, a cashback, a credit) opens a lot whose id is
 *   the earning's; while the customer owes points (the running balance is below zero) it pays
 *   the debt first and the lot keeps the rest;
 * - a spend (points < 0: a redemption, a debit) takes its points from the open lots in spending
 *   order, earliest `earned_at` first, then by lot id; what they cannot cover was owed.
 * A lot's `position` is the last event that changed it.
 */
async function fillLots(db: UntypedDb): Promise<void> {
  const finished: LotRow[] = [];
  let customer: string | undefined;
  let mine: LotRow[] = [];
  let open: LotRow[] = [];
  let net = 0;
  let after: { customer: string; position: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom('customer_timeline')
      .select(['customer_id', 'position', 'entry_type', 'kind', 'occurred_at', 'points_delta', 'reference', 'subject_id'])
      .where('entry_type', 'in', ['PaymentRecorded', 'PointsAdjusted'])
      .where('points_delta', '<>', 0);
    if (after !== undefined) query = query.where(sql<boolean>`("customer_id", "position") > (${after.customer}, ${after.position})`);
    const rows = (await query.orderBy('customer_id').orderBy('position').limit(PAGE).execute()) as {
      customer_id: string;
      position: string;
      entry_type: string;
      kind: string | null;
      occurred_at: string;
      points_delta: number | string;
      reference: string | null;
      subject_id: string;
    }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.customer_id !== customer) {
        finished.push(...mine);
        if (finished.length >= INSERT_ROWS) await insertLots(db, finished.splice(0));
        customer = r.customer_id;
        mine = [];
        open = [];
        net = 0;
      }
      const points = Number(r.points_delta);
      if (points > 0) {
        const payment = r.entry_type === 'PaymentRecorded';
        const lot: LotRow = {
          customer_id: r.customer_id,
          lot_id: r.subject_id,
          source: payment ? 'payment' : r.kind === 'cashback' ? 'cashback' : r.kind === 'reward' ? 'reward' : 'adjustment',
          payment_id: payment ? r.subject_id : r.kind === 'cashback' ? r.reference : null,
          earned_at: r.occurred_at,
          activates_at: null,
          points,
          remaining: points - Math.min(points, Math.max(0, -net)),
          position: r.position,
        };
        mine.push(lot);
        if (lot.remaining > 0) {
          const at = open.findIndex((other) => before(lot, other));
          open.splice(at < 0 ? open.length : at, 0, lot);
        }
      } else {
        let left = -points;
        for (const lot of open) {
          if (left === 0) break;
          const taken = Math.min(left, lot.remaining);
          lot.remaining -= taken;
          lot.position = r.position;
          left -= taken;
        }
        open = open.filter((lot) => lot.remaining > 0);
      }
      net += points;
    }
    const last = rows[rows.length - 1]!;
    after = { customer: last.customer_id, position: last.position };
  }
  finished.push(...mine);
  await insertLots(db, finished);
}

/** Spending order: earliest earned first, then by lot id. */
const before = (a: LotRow, b: LotRow): boolean => (a.earned_at !== b.earned_at ? a.earned_at < b.earned_at : a.lot_id < b.lot_id);

async function insertLots(db: UntypedDb, rows: readonly LotRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    await db
      .insertInto('points_lots')
      .values(rows.slice(i, i + INSERT_ROWS))
      .execute();
  }
}
