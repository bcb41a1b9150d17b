import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { VisitKindC } from '#ledger-domain/customer/record-visit';
import { BoundedString, Email, Identifier, Instant, IntInRange, Phone, reportErrors, strictObject } from '#ledger-domain/shared/codecs';
import type { FieldError } from '#ledger-domain/shared/errors';
import { MAX_POINTS_PER_ENTRY } from '#ledger-domain/shared/points';
import type { RawRecord } from './import-records';

/**
 * The rows of an import file, one io-ts codec per kind. A file may mix kinds; CSV files share
 * one header of the columns below (a kind leaves the others empty), NDJSON rows are objects.
 * Every row has a `sourceId`, the old system's id for it: the row's command and event ids are
 * derived from it, so the same row imported twice is recognised and written once.
 */

const SourceId = Identifier('source id of 1 to 100 characters [A-Za-z0-9-_.:]');
const ExternalId = Identifier('external id of 1 to 100 characters [A-Za-z0-9-_.:]');
const Credit = IntInRange(1, MAX_POINTS_PER_ENTRY, `integer from 1 to ${MAX_POINTS_PER_ENTRY}`);
const NonZero = new t.Type<number, number, unknown>(
  `non-zero integer from -${MAX_POINTS_PER_ENTRY} to ${MAX_POINTS_PER_ENTRY}`,
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u !== 0 && Math.abs(u) <= MAX_POINTS_PER_ENTRY,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u !== 0 && Math.abs(u) <= MAX_POINTS_PER_ENTRY ? t.success(u) : t.failure(u, c)),
  t.identity,
);
const Reason = BoundedString(1, 500);
const Reference = BoundedString(1, 200);

/** How a non-customer row names its customer: external id, then e-mail, then phone (at least one). */
const customerRef = { externalId: ExternalId, email: Email, phone: Phone };

export const CustomerRowC = strictObject(
  'customer row',
  { kind: t.literal('customer'), sourceId: SourceId, externalId: ExternalId, occurredAt: Instant },
  { email: Email, phone: Phone, name: BoundedString(1, 200) },
);
export const BalanceRowC = strictObject(
  'balance row',
  { kind: t.literal('balance'), sourceId: SourceId, occurredAt: Instant, points: Credit },
  { ...customerRef, expiresAt: Instant, reason: Reason },
);
export const EarnRowC = strictObject(
  'earn row',
  { kind: t.literal('earn'), sourceId: SourceId, occurredAt: Instant, points: Credit },
  { ...customerRef, expiresAt: Instant, reason: Reason },
);
export const SpendRowC = strictObject(
  'spend row',
  { kind: t.literal('spend'), sourceId: SourceId, occurredAt: Instant, points: Credit },
  { ...customerRef, reason: Reason, reference: Reference },
);
export const AdjustRowC = strictObject(
  'adjust row',
  { kind: t.literal('adjust'), sourceId: SourceId, occurredAt: Instant, points: NonZero, reason: Reason },
  { ...customerRef, expiresAt: Instant },
);
export const VisitRowC = strictObject(
  'visit row',
  { kind: t.literal('visit'), sourceId: SourceId, occurredAt: Instant, locationId: Identifier(), visitKind: VisitKindC },
  customerRef,
);

const CODECS = {
  customer: CustomerRowC,
  balance: BalanceRowC,
  earn: EarnRowC,
  spend: SpendRowC,
  adjust: AdjustRowC,
  visit: VisitRowC,
} as const;

export type RowKind = keyof typeof CODECS;
export const ROW_KINDS = Object.keys(CODECS) as RowKind[];
export type CustomerRow = t.TypeOf<typeof CustomerRowC>;
export type HistoryRow = t.TypeOf<typeof BalanceRowC | typeof EarnRowC | typeof SpendRowC | typeof AdjustRowC | typeof VisitRowC>;
export type ImportRow = CustomerRow | HistoryRow;

/** Every column a CSV header may name (in the sample's order). */
export const CSV_COLUMNS = [
  'kind',
  'sourceId',
  'externalId',
  'email',
  'phone',
  'name',
  'occurredAt',
  'points',
  'expiresAt',
  'reason',
  'reference',
  'locationId',
  'visitKind',
] as const;

/** A row that cannot be imported: its line, and each field at fault with the type expected there (never the value). */
export interface RowRefusal {
  readonly line: number;
  readonly kind?: RowKind;
  readonly reason: string;
  readonly errors?: readonly FieldError[];
}

export interface DecodedRow {
  readonly line: number;
  readonly row: ImportRow;
}

/**
 * The columns of a CSV header, checked once: every name known, none twice, `kind` and
 * `sourceId` present. Left: what is wrong with the header (the import cannot start).
 */
export function csvHeader(fields: readonly string[]): E.Either<string, readonly string[]> {
  const names = fields.map((f) => f.trim());
  const unknown = names.filter((n) => !(CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0) return E.left(`the header names ${unknown.length} unknown column(s); expected columns from: ${CSV_COLUMNS.join(', ')}`);
  if (new Set(names).size !== names.length) return E.left('the header names a column twice');
  if (!names.includes('kind') || !names.includes('sourceId')) return E.left('the header must name the columns kind and sourceId');
  return E.right(names);
}

const INTEGER = /^[+-]?\d{1,16}$/;

/**
 * A CSV record as the object its row codec reads: empty cells are absent, and `points` is a
 * number when it is written as an integer (anything else stays text, for the codec to refuse).
 */
function csvObject(header: readonly string[], fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const value = fields[i]!;
    if (value === '') return;
    out[name] = name === 'points' && INTEGER.test(value.trim()) ? Number(value.trim()) : value;
  });
  return out;
}

/** A record decoded as a row of its kind, or refused with its line and the fields at fault. */
export function decodeRecord(record: RawRecord, header: readonly string[] | undefined): E.Either<RowRefusal, DecodedRow> {
  const { line } = record;
  if ('fault' in record) {
    return E.left(
      record.fault === 'truncated'
        ? { line, reason: 'truncated: the last line has no line end (or a quote is never closed); the file may be cut short' }
        : { line, reason: 'encoding: the line is not valid UTF-8' },
    );
  }
  let input: unknown;
  if (record.format === 'csv') {
    if (header === undefined) return E.left({ line, reason: 'no header' });
    if (record.fields.length !== header.length) {
      return E.left({ line, reason: `expected ${header.length} columns as in the header, found ${record.fields.length}` });
    }
    input = csvObject(header, record.fields);
  } else {
    try {
      input = JSON.parse(record.text);
    } catch {
      return E.left({ line, reason: 'not a JSON object (malformed JSON)' });
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return E.left({ line, reason: 'not a JSON object' });
  const kindValue = (input as Record<string, unknown>)['kind'];
  const kind = typeof kindValue === 'string' && Object.hasOwn(CODECS, kindValue) ? (kindValue as RowKind) : undefined;
  if (kind === undefined) {
    return E.left({ line, reason: 'invalid row', errors: [{ path: 'kind', message: `expected one of ${ROW_KINDS.join(', ')}` }] });
  }
  const decoded = (CODECS[kind] as t.Decoder<unknown, ImportRow>).decode(input);
  if (E.isLeft(decoded)) return E.left({ line, kind, reason: 'invalid row', errors: reportErrors(decoded.left) });
  const row = decoded.right;
  if (row.kind !== 'customer' && row.externalId === undefined && row.email === undefined && row.phone === undefined) {
    return E.left({
      line,
      kind,
      reason: 'invalid row',
      errors: [{ path: 'externalId', message: 'expected an externalId, email or phone naming the customer' }],
    });
  }
  if (row.kind === 'customer' && row.email === undefined && row.phone === undefined) {
    return E.left({ line, kind, reason: 'invalid row', errors: [{ path: 'email', message: 'expected an e-mail or a phone number (at least one)' }] });
  }
  return E.right({ line, row });
}
