import * as E from 'fp-ts/Either';
import { csvHeader, decodeRecord, CSV_COLUMNS } from './import-rows';

const header = [...CSV_COLUMNS];
const csvRow = (values: Partial<Record<(typeof CSV_COLUMNS)[number], string>>) => ({
  line: 7,
  format: 'csv' as const,
  fields: header.map((c) => values[c] ?? ''),
});
const json = (value: unknown) => ({ line: 3, format: 'ndjson' as const, text: JSON.stringify(value) });

describe('Import rows', () => {
  it('decodes each kind from CSV (empty cells absent, points as integers, times normalised)', () => {
    expect(
      decodeRecord(
        csvRow({ kind: 'customer', sourceId: 'c-1', externalId: 'M1', email: ' Ada@Example.com ', occurredAt: '2020-01-01T10:00:00+01:00' }),
        header,
      ),
    ).toEqual(
      E.right({ line: 7, row: { kind: 'customer', sourceId: 'c-1', externalId: 'M1', email: 'ada@example.com', occurredAt: '2020-01-01T09:00:00.000Z' } }),
    );
    expect(
      decodeRecord(csvRow({ kind: 'adjust', sourceId: 'a-1', externalId: 'M1', points: '-15', reason: 'x', occurredAt: '2021-01-01T00:00:00Z' }), header),
    ).toEqual(
      E.right({ line: 7, row: { kind: 'adjust', sourceId: 'a-1', externalId: 'M1', points: -15, reason: 'x', occurredAt: '2021-01-01T00:00:00.000Z' } }),
    );
    expect(
      E.isRight(
        decodeRecord(
          csvRow({ kind: 'visit', sourceId: 'v', phone: '+1 555 010 2000', locationId: 'store-1', visitKind: 'service', occurredAt: '2021-01-01T00:00:00Z' }),
          header,
        ),
      ),
    ).toBe(true);
  });

  it('names the line, the field and the type expected, never the value', () => {
    const secret = 'ada.lovelace@example.com';
    const refused = decodeRecord(json({ kind: 'earn', sourceId: 'e-1', email: secret, points: 'lots', occurredAt: '2021-01-01T00:00:00' }), undefined);
    expect(refused).toEqual(
      E.left({
        line: 3,
        kind: 'earn',
        reason: 'invalid row',
        errors: expect.arrayContaining([
          { path: 'points', message: expect.stringContaining('expected integer from 1 to') },
          { path: 'occurredAt', message: 'expected ISO 8601 date-time with offset' },
        ]),
      }),
    );
    expect(JSON.stringify(refused)).not.toContain('lots');
    expect(
      JSON.stringify(decodeRecord(json({ kind: 'customer', sourceId: 's', externalId: 'x', email: 'not an e-mail ' + secret, occurredAt: 'x' }), undefined)),
    ).not.toContain(secret);
  });

  it('refuses numbers out of range, unknown fields, an unknown kind, a missing customer reference, and extra or missing CSV columns', () => {
    const reasons = (r: ReturnType<typeof decodeRecord>) => (E.isLeft(r) ? [r.left.reason, ...(r.left.errors ?? []).map((e) => e.path)] : ['accepted']);
    expect(reasons(decodeRecord(json({ kind: 'earn', sourceId: 's', externalId: 'x', points: 1e12, occurredAt: '2021-01-01T00:00:00Z' }), undefined))).toEqual([
      'invalid row',
      'points',
    ]);
    expect(
      reasons(
        decodeRecord(csvRow({ kind: 'earn', sourceId: 's', externalId: 'x', points: '99999999999999999999', occurredAt: '2021-01-01T00:00:00Z' }), header),
      ),
    ).toEqual(['invalid row', 'points']);
    expect(
      reasons(decodeRecord(json({ kind: 'earn', sourceId: 's', externalId: 'x', points: 1, occurredAt: '2021-01-01T00:00:00Z', bonus: 1 }), undefined)),
    ).toEqual(['invalid row', 'bonus']);
    expect(reasons(decodeRecord(json({ kind: 'gift', sourceId: 's' }), undefined))).toEqual(['invalid row', 'kind']);
    expect(reasons(decodeRecord(json({ kind: 'earn', sourceId: 's', points: 1, occurredAt: '2021-01-01T00:00:00Z' }), undefined))).toEqual([
      'invalid row',
      'externalId',
    ]);
    expect(reasons(decodeRecord({ line: 2, format: 'csv', fields: ['earn', 's'] }, header))).toEqual([
      `expected ${header.length} columns as in the header, found 2`,
    ]);
    expect(reasons(decodeRecord({ line: 2, format: 'csv', fields: [...header.map(() => ''), 'extra'] }, header))).toEqual([
      `expected ${header.length} columns as in the header, found ${header.length + 1}`,
    ]);
    expect(reasons(decodeRecord({ line: 2, format: 'ndjson', text: '{"kind": "earn",' }, undefined))).toEqual(['not a JSON object (malformed JSON)']);
  });

  it('checks the CSV header once: known columns, none twice, kind and sourceId present', () => {
    expect(csvHeader(['kind', 'sourceId', 'points'])).toEqual(E.right(['kind', 'sourceId', 'points']));
    expect(E.isLeft(csvHeader(['kind', 'sourceId', 'ammount']))).toBe(true);
    expect(E.isLeft(csvHeader(['kind', 'kind', 'sourceId']))).toBe(true);
    expect(E.isLeft(csvHeader(['sourceId']))).toBe(true);
  });
});
