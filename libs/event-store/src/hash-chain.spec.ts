import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from './event-store.port';
import { canonicalJson, chainEvents, chainHeadOf, emptyChain, eventHash } from './hash-chain';

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
});
