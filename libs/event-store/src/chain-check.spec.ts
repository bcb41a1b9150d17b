import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from './event-store.port';
import { chainStart, checkChainLink, type ChainBreakKind, type ChainCursor, type ChainPolicy } from './chain-check';
import { chainEvents, chainKey, emptyChain, type ChainHead } from './hash-chain';

const STREAM = 'loyaltyAccount-c-1';
const KEY = chainKey(Buffer.alloc(32, 1));
const event = (n: number): NewEvent => ({ id: randomUUID(), type: 'A', data: { n }, metadata: { actor: 'test' } });

/** Events as stored: chained (plain or keyed) from `head`, at positions from `position`. */
function stored(events: readonly NewEvent[], options: { head?: ChainHead; key?: typeof KEY; position?: bigint } = {}): RecordedEvent[] {
  const head = options.head ?? emptyChain;
  const first = head.revision === 'no_stream' ? 0n : head.revision + 1n;
  return chainEvents(STREAM, head, events, options.key).map((e, i) => ({
    ...e,
    streamName: STREAM,
    revision: first + BigInt(i),
    position: (options.position ?? 1n) + BigInt(i),
  }));
}

/** Every break found walking `events` from the start. */
function breaks(events: readonly RecordedEvent[], policy: ChainPolicy = {}): { kind: ChainBreakKind; revision: bigint }[] {
  const found: { kind: ChainBreakKind; revision: bigint }[] = [];
  let cursor: ChainCursor = chainStart;
  for (const e of events) cursor = checkChainLink(cursor, e, policy, (kind) => found.push({ kind, revision: e.revision }));
  return found;
}

const unhashed = (e: RecordedEvent): RecordedEvent => {
  const { hash: _h, prevHash: _p, ...metadata } = e.metadata;
  return { ...e, metadata };
};

describe('checkChainLink', () => {
  it('passes a chain as written, plain or keyed', () => {
    expect(breaks(stored([event(1), event(2), event(3)]))).toEqual([]);
    expect(breaks(stored([event(1), event(2)], { key: KEY }), { key: KEY })).toEqual([]);
  });

  it('reports an event without a hash, even at the start of a stream, unless migrated logs are accepted', () => {
    const events = stored([event(1), event(2)]).map(unhashed);
    expect(breaks(events)).toEqual([
      { kind: 'unhashed', revision: 0n },
      { kind: 'unhashed', revision: 1n },
    ]);
    expect(breaks(events, { acceptUnhashedPrefix: true })).toEqual([]);
    // The chain then begins at the first hashed event, whose prevHash is null.
    const [a, b] = stored([event(1), event(2)]);
    const rest = stored([event(3)], { head: { revision: 1n, hash: null }, position: 3n });
    expect(breaks([unhashed(a!), unhashed(b!), ...rest], { acceptUnhashedPrefix: true })).toEqual([]);
    // Never after a hashed event.
    expect(breaks([a!, unhashed(b!)], { acceptUnhashedPrefix: true })).toEqual([{ kind: 'unhashed', revision: 1n }]);
  });

  it('reports altered content, a broken link, a missing and a repeated revision', () => {
    const [a, b, c] = stored([event(1), event(2), event(3)]);
    expect(breaks([a!, { ...b!, data: { n: 99 } }, c!])).toEqual([{ kind: 'altered', revision: 1n }]);
    expect(breaks([a!, c!])).toEqual([
      { kind: 'missing-revision', revision: 2n },
      { kind: 'broken-link', revision: 2n },
    ]);
    expect(breaks([a!, b!, b!]).map((f) => f.kind)).toEqual(['out-of-order', 'broken-link']);
  });

  it('with a key: refuses plain events unless they predate it (unkeyedBefore), and never after a keyed one', () => {
    const plain = stored([event(1), event(2)], { position: 10n });
    expect(breaks(plain, { key: KEY }).map((f) => f.kind)).toEqual(['unkeyed', 'unkeyed']);
    expect(breaks(plain, { key: KEY, unkeyedBefore: 11n })).toEqual([]);
    expect(breaks(plain, { key: KEY, unkeyedBefore: 10n })).toEqual([{ kind: 'unkeyed', revision: 1n }]);
    // A log written partly before the key: a plain start, then keyed events continuing its chain.
    const keyed = stored([event(3)], { head: { revision: 1n, hash: plain[1]!.metadata['hash'] as string }, key: KEY, position: 20n });
    expect(breaks([...plain, ...keyed], { key: KEY, unkeyedBefore: 11n })).toEqual([]);
    // A plain event after a keyed one: a downgrade by someone without the key.
    const downgraded = stored([event(4)], { head: { revision: 2n, hash: keyed[0]!.metadata['hash'] as string }, position: 21n });
    expect(breaks([...plain, ...keyed, ...downgraded], { key: KEY, unkeyedBefore: 100n })).toEqual([{ kind: 'unkeyed', revision: 3n }]);
  });

  it('reports keyed events checked without the key, or with another key', () => {
    const keyed = stored([event(1)], { key: KEY });
    expect(breaks(keyed)).toEqual([{ kind: 'key-required', revision: 0n }]);
    expect(breaks(keyed, { key: chainKey(Buffer.alloc(32, 2)) })).toEqual([{ kind: 'altered', revision: 0n }]);
  });
});
