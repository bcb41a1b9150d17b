import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { balanceEffect, lotsMoved, subjectIdOf, type CustomerEvent } from '#ledger-domain/customer/customer';
import { entriesAsOf, occurredAtOf, recordedAtOf, runningBalances, type BalancesAfter, type Basis } from './as-of';
import { decodeCustomerEvent } from '#ledger-domain/stored-events';
import { accountStream, customerIdOf } from '#runtime/streams';

/**
 * The auditors' export: one row per ledger entry, streamed (the whole ledger never sits in
 * memory), as CSV or NDJSON. Columns are documented in docs/audit.md and are a public interface.
 */
export const EXPORT_COLUMNS = [
  'customer_id',
  'position',
  'revision',
  'event_id',
  'type',
  'kind',
  'occurred_at',
  'recorded_at',
  'location_id',
  'amount_minor',
  'currency',
  'points_delta',
  'balance_after',
  'purchase_identifier',
  'program_version',
  'points_per_unit',
  'reason',
  'reference',
  'subject_id',
  'actor',
  'command_id',
  'hash',
  // Appended last, so consumers reading columns by position keep working.
  'rule_id',
  'pending_delta',
  'pending_after',
  'owed_after',
  'payment_id',
  'lots',
  'written_off',
  'expires_at',
  'tier_id',
  'multiplier',
  'tier_from',
  'qualifying_points',
] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

export type ExportBasis = Basis;

export interface ExportOptions {
  /** One customer, or every customer when undefined. */
  readonly customerId?: string;
  readonly asOf?: string;
  readonly basis?: ExportBasis;
  readonly pageSize?: number;
}

/**
 * Ledger entries in export order: per customer, in log order (basis recorded) or business-time
 * order (basis occurred), each with the running balance on that basis. With `asOf`, only entries
 * recorded (or, on business time, that happened) at or before it.
 */
export async function* exportRows(store: EventStore, options: ExportOptions = {}): AsyncGenerator<ExportRow> {
  const basis = options.basis ?? 'recorded';
  const asOf = options.asOf === undefined ? undefined : Date.parse(options.asOf);
  if (options.customerId !== undefined) {
    yield* customerRows((await store.readStream(accountStream(options.customerId))).events, basis, asOf);
    return;
  }
  if (basis === 'recorded') {
    // The whole log in one pass, in log order; memory grows with customers (one balance each), not events.
    const balances = new Map<string, (event: CustomerEvent) => BalancesAfter>();
    let after = 0n;
    for (;;) {
      const page = await store.readAll({ after, maxCount: options.pageSize ?? 5000 });
      if (page.length === 0) return;
      for (const stored of page) {
        after = stored.position;
        if (customerIdOf(stored.streamName) === undefined) continue;
        if (asOf !== undefined && Date.parse(recordedAtOf(stored)) > asOf) continue;
        const event = decodeCustomerEvent(stored);
        let running = balances.get(stored.streamName);
        if (running === undefined) balances.set(stored.streamName, (running = runningBalances()));
        yield row(stored, event, running(event));
      }
    }
  }
  // Business-time order is per customer: find the customers, then replay each stream on its own.
  const customers = new Set<string>();
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, maxCount: options.pageSize ?? 5000 });
    if (page.length === 0) break;
    for (const stored of page) if (customerIdOf(stored.streamName) !== undefined) customers.add(stored.streamName);
    after = page[page.length - 1]!.position;
  }
  for (const stream of customers) yield* customerRows((await store.readStream(stream)).events, basis, asOf);
}

function* customerRows(events: readonly RecordedEvent[], basis: ExportBasis, asOf: number | undefined): Generator<ExportRow> {
  const running = runningBalances();
  for (const { stored, event } of entriesAsOf(events, basis, asOf)) yield row(stored, event, running(event));
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function row(stored: RecordedEvent, event: CustomerEvent, after: BalancesAfter): ExportRow {
  const d = event.data as Record<string, unknown>;
  const effect = balanceEffect(event);
  return {
    customer_id: event.data.customerId,
    position: stored.position.toString(),
    revision: stored.revision.toString(),
    event_id: stored.id,
    type: event.type,
    kind: text(d['kind']) ?? text(d['source']),
    occurred_at: occurredAtOf(event),
    recorded_at: recordedAtOf(stored),
    location_id: text(d['locationId']),
    amount_minor: typeof d['amountMinor'] === 'number' ? d['amountMinor'] : null,
    currency: text(d['currency']),
    points_delta: effect.available,
    balance_after: after.available,
    purchase_identifier: text(d['purchaseIdentifier']),
    program_version: typeof d['programVersion'] === 'number' ? d['programVersion'] : null,
    points_per_unit: text(d['pointsPerUnit']),
    reason: text(d['reason']) ?? text(d['notes']),
    reference: text(d['reference']),
    subject_id: subjectIdOf(event),
    actor: text(stored.metadata['actor']),
    command_id: text(stored.metadata['commandId']),
    hash: text(stored.metadata['hash']),
    rule_id: text(d['ruleId']),
    pending_delta: effect.pending,
    pending_after: after.pending,
    owed_after: after.owed,
    payment_id: text(d['paymentId']) ?? (event.type === 'PointsAdjusted' && event.data.kind === 'cashback' ? text(d['reference']) : null),
    lots: lotsCell(event),
    written_off: typeof d['writtenOff'] === 'number' ? d['writtenOff'] : null,
    // An earning's lot expiry, fixed when it was earned.
    expires_at: text(d['expiresAt']),
    // A payment: the tier held at its business time; a tier change: the tier reached.
    tier_id: event.type === 'TierChanged' ? event.data.to : text(d['tierId']),
    multiplier: text(d['multiplier']),
    tier_from: event.type === 'TierChanged' ? event.data.from : null,
    qualifying_points: event.type === 'TierChanged' ? event.data.qualifyingPoints : null,
  };
}

/** The lots an entry drew from, activated or voided, as `lotId:points` separated by `;`. */
function lotsCell(event: CustomerEvent): string | null {
  const draws = lotsMoved(event);
  return draws.length === 0 ? null : draws.map((draw) => `${draw.lotId}:${draw.points}`).join(';');
}

/** Text columns a spreadsheet would run as a formula if they start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;
const FREE_TEXT = new Set(['location_id', 'purchase_identifier', 'reason', 'reference', 'actor', 'rule_id']);

/** One CSV line (RFC 4180 quoting). Free-text cells that would start a formula are prefixed with `'`. */
export function csvLine(values: readonly (string | number | null)[], columns: readonly string[] = EXPORT_COLUMNS): string {
  return `${values
    .map((value, i) => {
      if (value === null) return '';
      let cell = String(value);
      if (FREE_TEXT.has(columns[i] ?? '') && FORMULA_START.test(cell)) cell = `'${cell}`;
      return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
    })
    .join(',')}\r\n`;
}

/** Serialises rows as CSV (with a header line) or NDJSON. */
export async function* serialise(rows: AsyncIterable<ExportRow>, format: 'csv' | 'ndjson'): AsyncGenerator<string> {
  if (format === 'csv') yield csvLine([...EXPORT_COLUMNS]);
  for await (const r of rows) yield format === 'csv' ? csvLine(EXPORT_COLUMNS.map((c) => r[c])) : `${JSON.stringify(r)}\n`;
}
