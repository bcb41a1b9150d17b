import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { NewEvent, RecordedEvent } from './event-store.port';
import { canonicalJson, chainEvents, chainHeadOf, chainKey, emptyChain, eventHash } from './hash-chain';

const event = (type: string, data: NewEvent['data'] = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { actor: 'test', recordedAt: '2026-11-23T10:00:00.000Z' },
});

describe('hash chain', () => {
  it('links each event to the previous one and starts a new stream at null', () => {
    const [a, b] = chainEvents('s-1', emptyChain, [event('A'), event('B')]);
    expect(a!.metadata['prevHash']).toBeNull();
    expect(b!.metadata['prevHash']).toBe(a!.metadata['hash']);
    expect(a!.metadata['hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('continues from the head of a stream that already has events', () => {
    const [a] = chainEvents('s-1', emptyChain, [event('A')]);
    const recorded: RecordedEvent = { ...a!, streamName: 's-1', revision: 0n, position: 1n };
    const [b] = chainEvents('s-1', chainHeadOf(recorded), [event('B')]);
    expect(b!.metadata['prevHash']).toBe(a!.metadata['hash']);
    expect(b!.metadata['hash']).toBe(eventHash('s-1', 1n, b!));
  });

  it('changes the hash when anything it covers changes: data, type, metadata, stream, revision, id', () => {
    const base = chainEvents('s-1', emptyChain, [event('A', { points: 10 })])[0]!;
    const hash = eventHash('s-1', 0n, base);
    expect(eventHash('s-1', 0n, { ...base, data: { points: 11 } })).not.toBe(hash);
    expect(eventHash('s-1', 0n, { ...base, type: 'B' })).not.toBe(hash);
    expect(eventHash('s-1', 0n, { ...base, metadata: { ...base.metadata, actor: 'mallory' } })).not.toBe(hash);
    expect(eventHash('s-2', 0n, base)).not.toBe(hash);
    expect(eventHash('s-1', 1n, base)).not.toBe(hash);
    expect(eventHash('s-1', 0n, { ...base, id: randomUUID() })).not.toBe(hash);
  });

  it('does not depend on key order, and ignores the hash field itself', () => {
    const base = chainEvents('s-1', emptyChain, [event('A', { a: 1, b: { c: 2, d: 3 } })])[0]!;
    const reordered = { ...base, data: { b: { d: 3, c: 2 }, a: 1 } };
    expect(eventHash('s-1', 0n, reordered)).toBe(base.metadata['hash']);
  });

  it('encodes canonically: sorted keys at every level, no whitespace', () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: 'é' })).toBe('{"a":"é","b":[{"x":2,"y":1}]}');
  });

  it('encodes the same value in another key order to the same text, and keeps array order and types apart', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
  });

  it('sorts keys and encodes as an independent encoder does (Array#sort, JSON.stringify per leaf), short lists and long, any text (property)', () => {
    // Oracle: keys by Array#sort, every leaf and key by JSON.stringify, joined (objects cannot hold
    // "0" after "" in insertion order, so the text is built, not an object).
    const oracle = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(oracle).join(',')}]`;
      if (value === null || typeof value !== 'object') return JSON.stringify(value);
      const record = value as Record<string, unknown>;
      return `{${Object.keys(record)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${oracle(record[k])}`)
        .join(',')}}`;
    };
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'B', '_', 'é', 'Z', '\u{1F600}', 'aa', 'ab', 'a0'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        tie('object'),
      ),
      object: fc.dictionary(key, tie('value'), { maxKeys: 40 }),
    }));
    fc.assert(
      fc.property(json.object, (value) => {
        expect(canonicalJson(value)).toBe(oracle(value));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Known answers: every stored chain (and every stored request fingerprint) depends on these exact
 * bytes, so a change to the encoding or the hash must fail here rather than in `verify-chain` on
 * a production log. The canonical texts were written out by hand (keys in UTF-16 code-unit order,
 * JSON's own escapes) and the digests computed outside Node, e.g.
 *   printf '%s' '<canonical text>' | sha256sum
 */
describe('hash chain known answers', () => {
  it('encodes key order, nesting, arrays, numbers, escapes and non-ASCII text to fixed bytes', () => {
    const value = {
      zeta: 1,
      Zeta: 2,
      é: 'café',
      '😀': ['😀', 'ｚ'],
      ｚ: null,
      a: { c: [3, 1, 2], b: { y: true, x: false } },
      n: [0, -0, 1.5, -2, 1e21, 1e-7, 0.1],
      s: 'line\nbreak "q" \\ tab\t \u0001',
      u: undefined,
      arr: [undefined, null],
    };
    // UTF-16 order puts the emoji (surrogate 0xD83D) before fullwidth z (0xFF5A); code-point order would not.
    // An undefined member is left out; an undefined array item is null; -0 is 0.
    const canonical = String.raw`{"Zeta":2,"a":{"b":{"x":false,"y":true},"c":[3,1,2]},"arr":[null,null],"n":[0,0,1.5,-2,1e+21,1e-7,0.1],"s":"line\nbreak \"q\" \\ tab\t \u0001","zeta":1,"é":"café","😀":["😀","ｚ"],"ｚ":null}`;
    expect(canonicalJson(value)).toBe(canonical);
    // The digest pins the UTF-8 bytes too (precomposed é), whatever an editor does to the literal above.
    expect(createHash('sha256').update(canonicalJson(value)).digest('hex')).toBe('a7be5d1e42d2e122162f6d2e540d85fbdcf3741955cf3774d9a7fdedcbc58c74');
  });

  const STREAM = 'loyaltyAccount-cus-001';
  const redemption: NewEvent = {
    id: '00000000-0000-4000-8000-000000000001',
    type: 'PointsAdjusted',
    data: {
      adjustmentId: 'red-1',
      customerId: 'cus-001',
      kind: 'redemption',
      points: -30,
      occurredAt: '2026-11-23T10:00:00.000Z',
      reason: 'café ☕',
      reference: 'voucher-1',
    },
    metadata: { recordedAt: '2026-11-23T10:00:01.000Z', actor: 'staff:alice', commandId: 'cmd-1', schemaVersion: 1 },
  };
  const visit: NewEvent = {
    id: '00000000-0000-4000-8000-000000000002',
    type: 'VisitCreated',
    data: { visitId: 'vis-2', customerId: 'cus-001', locationId: 'loc-bondi', occurredAt: '2026-11-23T10:05:00.000Z', kind: 'browse', source: 'scan' },
    metadata: { recordedAt: '2026-11-23T10:05:01.000Z', actor: 'till:42', commandId: 'cmd-2', schemaVersion: 1 },
  };
  const FIRST_HASH = 'e7766c1af54fb0a827f60304314c05000afc30e207de1d58a89f15d9657be01a';
  const SECOND_HASH = '352f60aad3f74d6757913f0c54b872dd45a4de88d1f62c3d9fcc67107c329100';

  it('hashes an event as SHA-256 of the canonical text of stream, revision (as a string), id, type, data and metadata (prevHash in, hash out)', () => {
    const first = {
      streamName: STREAM,
      revision: '0',
      id: redemption.id,
      type: redemption.type,
      data: redemption.data,
      metadata: { ...redemption.metadata, prevHash: null },
    };
    expect(canonicalJson(first)).toBe(
      '{"data":{"adjustmentId":"red-1","customerId":"cus-001","kind":"redemption","occurredAt":"2026-11-23T10:00:00.000Z","points":-30,"reason":"café ☕","reference":"voucher-1"},' +
        '"id":"00000000-0000-4000-8000-000000000001",' +
        '"metadata":{"actor":"staff:alice","commandId":"cmd-1","prevHash":null,"recordedAt":"2026-11-23T10:00:01.000Z","schemaVersion":1},' +
        '"revision":"0","streamName":"loyaltyAccount-cus-001","type":"PointsAdjusted"}',
    );
    expect(eventHash(STREAM, 0n, { ...redemption, metadata: { ...redemption.metadata, prevHash: null } })).toBe(FIRST_HASH);
    // A hash already in the metadata is not part of what is hashed.
    expect(eventHash(STREAM, 0n, { ...redemption, metadata: { ...redemption.metadata, prevHash: null, hash: 'f'.repeat(64) } })).toBe(FIRST_HASH);
  });

  it('chains a new stream from prevHash null, each event naming the hash of the one before', () => {
    const [first, second] = chainEvents(STREAM, emptyChain, [redemption, visit]);
    expect(first!.metadata).toEqual({ ...redemption.metadata, prevHash: null, hash: FIRST_HASH });
    expect(second!.metadata).toEqual({ ...visit.metadata, prevHash: FIRST_HASH, hash: SECOND_HASH });
    // Continuing from the stored head gives the same second link as one append of both.
    expect(chainEvents(STREAM, { revision: 0n, hash: FIRST_HASH }, [visit])[0]!.metadata['hash']).toBe(SECOND_HASH);
  });
});

/**
 * The keyed chain's known answers, computed outside Node:
 *   printf '%s' 'loyalty-ledger chain key id' | openssl dgst -sha256 -hmac '<key>'   (first 16 digits: the key id)
 *   printf '%s' '<canonical text with hashKeyId>' | openssl dgst -sha256 -hmac '<key>'
 */
describe('keyed hash chain known answers', () => {
  const KEY = chainKey(Buffer.from('0123456789abcdef0123456789abcdef', 'utf8'));
  const STREAM = 'loyaltyAccount-cus-001';
  const redemption: NewEvent = {
    id: '00000000-0000-4000-8000-000000000001',
    type: 'PointsAdjusted',
    data: {
      adjustmentId: 'red-1',
      customerId: 'cus-001',
      kind: 'redemption',
      points: -30,
      occurredAt: '2026-11-23T10:00:00.000Z',
      reason: 'café ☕',
      reference: 'voucher-1',
    },
    metadata: { recordedAt: '2026-11-23T10:00:01.000Z', actor: 'staff:alice', commandId: 'cmd-1', schemaVersion: 1 },
  };

  it('names the key by an id derived from it, and refuses keys shorter than 32 bytes', () => {
    expect(KEY.id).toBe('d3c99b940dd74af3');
    expect(() => chainKey(Buffer.alloc(31, 1))).toThrow(RangeError);
  });

  it('hashes with HMAC-SHA256 under the key, the key id inside what is hashed', () => {
    const [keyed] = chainEvents(STREAM, emptyChain, [redemption], KEY);
    expect(keyed!.metadata).toEqual({
      ...redemption.metadata,
      prevHash: null,
      hashKeyId: 'd3c99b940dd74af3',
      hash: '7dfe3fd532baf727e29f842bcb11ce73fc99f03bc335266be193054eab4252c4',
    });
    // Not the plain hash of the same text, and not reproducible without the key.
    expect(eventHash(STREAM, 0n, keyed!)).not.toBe(keyed!.metadata['hash']);
    expect(eventHash(STREAM, 0n, keyed!, chainKey(Buffer.alloc(32, 7)))).not.toBe(keyed!.metadata['hash']);
  });
});
