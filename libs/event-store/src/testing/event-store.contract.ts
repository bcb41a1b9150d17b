import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import type { AppendResult, EventStore, NewEvent, WrongExpectedRevision } from '../event-store.port';

/**
 * The contract every event-store adapter must honour. Each adapter's integration spec calls
 * this with a factory that gives a fresh, empty store (real file, real server).
 */
export interface EventStoreContractFixture {
  /** A new, empty store. */
  readonly open: () => Promise<EventStore>;
  /** The same store reopened after `close()`, when the adapter can do that (durability). */
  readonly reopen?: (closed: EventStore) => Promise<EventStore>;
  /** Whether the adapter offers atomic multi-stream appends (`appendToStreams`). */
  readonly multiStreamAppends: boolean;
}

export function eventStoreContract(adapterName: string, fixture: EventStoreContractFixture): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let stream: string;

    beforeEach(async () => {
      store = await fixture.open();
      stream = `contractTest-${randomUUID()}`;
    });
    afterEach(async () => {
      await store.close();
    });

    it('reads a stream that was never written as empty, with no revision', async () => {
      const read = await store.readStream(stream);
      expect(read.events).toEqual([]);
      expect(read.revision).toBe('no_stream');
    });

    it('appends to a new stream with no_stream and numbers events from revision 0', async () => {
      const result = right(await store.appendToStream(stream, 'no_stream', [anEvent('A'), anEvent('B')]));
      expect(result.nextRevision).toBe(1n);
      expect(typeof result.position).toBe('bigint');

      const read = await store.readStream(stream);
      expect(read.revision).toBe(1n);
      expect(read.events.map((e) => [e.type, e.revision, e.streamName])).toEqual([
        ['A', 0n, stream],
        ['B', 1n, stream],
      ]);
    });

    it('returns the data, metadata and id exactly as appended', async () => {
      const event = anEvent('Paid', { amountMinor: 4999, nested: { list: [1, 'two', null, true] } }, { actor: 'alice' });
      right(await store.appendToStream(stream, 'no_stream', [event]));
      const [read] = (await store.readStream(stream)).events;
      expect(read).toMatchObject({ id: event.id, type: 'Paid', data: event.data, metadata: event.metadata });
    });

    it('rejects no_stream on an existing stream as a conflict and writes nothing', async () => {
      right(await store.appendToStream(stream, 'no_stream', [anEvent('A')]));
      const conflict = left(await store.appendToStream(stream, 'no_stream', [anEvent('B')]));
      expect(conflict).toMatchObject({ _tag: 'WrongExpectedRevision', streamName: stream, actual: 0n });
      expect((await store.readStream(stream)).events).toHaveLength(1);
    });

    it('appends at the expected revision and rejects a stale one', async () => {
      right(await store.appendToStream(stream, 'no_stream', [anEvent('A')]));
      right(await store.appendToStream(stream, 0n, [anEvent('B')]));
      const stale = left(await store.appendToStream(stream, 0n, [anEvent('C')]));
      expect(stale).toMatchObject({ expected: 0n, actual: 1n });
      expect((await store.readStream(stream)).events.map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('rejects a revision on a stream that does not exist', async () => {
      const conflict = left(await store.appendToStream(stream, 3n, [anEvent('A')]));
      expect(conflict.actual).toBe('no_stream');
    });

    it('honours stream_exists and any', async () => {
      left(await store.appendToStream(stream, 'stream_exists', [anEvent('A')]));
      right(await store.appendToStream(stream, 'any', [anEvent('A')]));
      right(await store.appendToStream(stream, 'stream_exists', [anEvent('B')]));
      expect((await store.readStream(stream)).revision).toBe(1n);
    });

    it('recognises a retried append of the same event ids and writes them once', async () => {
      const first = [anEvent('A'), anEvent('B')];
      const original = right(await store.appendToStream(stream, 'no_stream', first));
      const retried = right(await store.appendToStream(stream, 'no_stream', first));
      expect(retried).toEqual(original);

      const next = [anEvent('C')];
      const appended = right(await store.appendToStream(stream, 1n, next));
      expect(right(await store.appendToStream(stream, 1n, next))).toEqual(appended);
      expect((await store.readStream(stream)).events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
    });

    it('treats different event ids at a taken revision as a conflict', async () => {
      right(await store.appendToStream(stream, 'no_stream', [anEvent('A')]));
      left(await store.appendToStream(stream, 'no_stream', [anEvent('A')]));
    });

    it('lets exactly one of many concurrent appends at the same revision win', async () => {
      right(await store.appendToStream(stream, 'no_stream', [anEvent('Start')]));
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendToStream(stream, 0n, [anEvent(`Racer${i}`)])));
      expect(outcomes.filter(E.isRight)).toHaveLength(1);
      expect(outcomes.filter(E.isLeft)).toHaveLength(19);
      expect((await store.readStream(stream)).events).toHaveLength(2);
    });

    it('commits concurrent appends to different streams, each at its own revision', async () => {
      const streams = Array.from({ length: 50 }, (_, i) => `${stream}-${i}`);
      const outcomes = await Promise.all(streams.map((s) => store.appendToStream(s, 'no_stream', [anEvent('A'), anEvent('B')])));
      expect(outcomes.every(E.isRight)).toBe(true);
      const positions = outcomes.map((o) => right(o).position);
      expect(new Set(positions.map(String)).size).toBe(50);
      for (const s of streams) expect((await store.readStream(s)).revision).toBe(1n);
    });

    it('reads a stream from a revision and with a bound, reporting the full revision', async () => {
      right(
        await store.appendToStream(
          stream,
          'no_stream',
          ['A', 'B', 'C', 'D'].map((t) => anEvent(t)),
        ),
      );
      const page = await store.readStream(stream, { fromRevision: 1n, maxCount: 2 });
      expect(page.events.map((e) => e.type)).toEqual(['B', 'C']);
      expect(page.revision).toBe(3n);
      // Unbounded from the same revision: the rest of the stream (the embedded store reads it with another statement).
      const rest = await store.readStream(stream, { fromRevision: 1n });
      expect(rest.events.map((e) => e.type)).toEqual(['B', 'C', 'D']);
      expect(rest.revision).toBe(3n);
    });

    it('reads a stream from its start with a bound, reporting the full revision; a whole read reports its last event', async () => {
      right(
        await store.appendToStream(
          stream,
          'no_stream',
          ['A', 'B', 'C'].map((t) => anEvent(t)),
        ),
      );
      const first = await store.readStream(stream, { maxCount: 2 });
      expect(first.events.map((e) => e.type)).toEqual(['A', 'B']);
      expect(first.revision).toBe(2n);
      const exact = await store.readStream(stream, { maxCount: 3 });
      expect(exact.events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(exact.revision).toBe(2n);
      expect((await store.readStream(stream)).revision).toBe(2n);
      expect(await store.readStream(`${stream}-never`, { maxCount: 2 })).toEqual({ events: [], revision: 'no_stream' });
    });

    it('reads all events in global order, in pages, after an exclusive position', async () => {
      const head = await store.headPosition();
      const other = `${stream}-other`;
      right(await store.appendToStream(stream, 'no_stream', [anEvent('A1')]));
      right(await store.appendToStream(other, 'no_stream', [anEvent('B1')]));
      right(await store.appendToStream(stream, 0n, [anEvent('A2'), anEvent('A3')]));

      const seen: string[] = [];
      let after = head;
      for (;;) {
        const page = await store.readAll({ after, maxCount: 2 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        for (const e of page) {
          expect(e.position > after).toBe(true);
          after = e.position;
          if (e.streamName === stream || e.streamName === other) seen.push(e.type);
        }
      }
      expect(seen).toEqual(['A1', 'B1', 'A2', 'A3']);
      expect(await store.headPosition()).toBe(after);
    });

    it('refuses an unbounded readAll', async () => {
      await expect(store.readAll({ maxCount: 0 })).rejects.toThrow(RangeError);
    });

    it('keeps revisions and positions as BigInt', async () => {
      right(await store.appendToStream(stream, 'no_stream', [anEvent('A')]));
      const [event] = (await store.readStream(stream)).events;
      expect(typeof event!.revision).toBe('bigint');
      expect(typeof event!.position).toBe('bigint');
      expect(typeof (await store.headPosition())).toBe('bigint');
    });

    if (!fixture.multiStreamAppends) {
      it('does not pretend to offer multi-stream appends', () => {
        expect(store.appendToStreams).toBeUndefined();
      });
    }

    // Only for adapters that offer them; the others are held to 'does not pretend…' above.
    if (fixture.multiStreamAppends) {
      describe('multi-stream appends', () => {
        const atomic = () => {
          if (store.appendToStreams === undefined) throw new Error('the adapter declares multi-stream appends but has no appendToStreams');
          return store.appendToStreams.bind(store);
        };

        it('appends to several streams in one go, each at its own revision', async () => {
          right(await store.appendToStream(`${stream}-b`, 'no_stream', [anEvent('B0')]));
          const results = await atomic()([
            { streamName: `${stream}-a`, expected: 'no_stream', events: [anEvent('A0'), anEvent('A1')] },
            { streamName: `${stream}-b`, expected: 0n, events: [anEvent('B1')] },
          ]);
          expect(E.isRight(results)).toBe(true);
          if (E.isLeft(results)) return;
          expect(results.right.map((r) => r.nextRevision)).toEqual([1n, 1n]);
          expect(results.right[1]!.position > results.right[0]!.position).toBe(true);
        });

        it('writes nothing at all when any one stream fails its expectation', async () => {
          right(await store.appendToStream(`${stream}-taken`, 'no_stream', [anEvent('Taken')]));
          const head = await store.headPosition();
          const outcome = await atomic()([
            { streamName: `${stream}-fresh`, expected: 'no_stream', events: [anEvent('Fresh')] },
            { streamName: `${stream}-taken`, expected: 'no_stream', events: [anEvent('Again')] },
          ]);
          expect(E.isLeft(outcome) && outcome.left).toMatchObject({ _tag: 'WrongExpectedRevision', streamName: `${stream}-taken` });
          expect(await store.headPosition()).toBe(head);
          expect((await store.readStream(`${stream}-fresh`)).revision).toBe('no_stream');
        });

        it('recognises a retried multi-stream append and writes it once', async () => {
          const appends = [
            { streamName: `${stream}-x`, expected: 'no_stream' as const, events: [anEvent('X')] },
            { streamName: `${stream}-y`, expected: 'no_stream' as const, events: [anEvent('Y')] },
          ];
          const first = await atomic()(appends);
          const again = await atomic()(appends);
          expect(again).toEqual(first);
          expect((await store.readStream(`${stream}-x`)).events).toHaveLength(1);
        });

        it('does not let one failed multi-stream append spoil others committed alongside it', async () => {
          right(await store.appendToStream(`${stream}-busy`, 'no_stream', [anEvent('Busy')]));
          const [failed, fine] = await Promise.all([
            atomic()([{ streamName: `${stream}-busy`, expected: 'no_stream', events: [anEvent('No')] }]),
            atomic()([{ streamName: `${stream}-free`, expected: 'no_stream', events: [anEvent('Yes')] }]),
          ]);
          expect(E.isLeft(failed)).toBe(true);
          expect(E.isRight(fine)).toBe(true);
        });

        it('refuses the same stream twice in one multi-stream append', async () => {
          await expect(
            atomic()([
              { streamName: stream, expected: 'no_stream', events: [anEvent('A')] },
              { streamName: stream, expected: 0n, events: [anEvent('B')] },
            ]),
          ).rejects.toThrow(/each stream once/);
        });
      });
    }

    if (fixture.reopen) {
      const reopen = fixture.reopen;
      it('keeps every acknowledged append after the store is closed and reopened', async () => {
        const appended = await Promise.all(Array.from({ length: 30 }, (_, i) => store.appendToStream(`${stream}-${i}`, 'no_stream', [anEvent('Kept')])));
        expect(appended.every(E.isRight)).toBe(true);
        store = await reopen(store);
        for (let i = 0; i < 30; i++) {
          expect((await store.readStream(`${stream}-${i}`)).events.map((e) => e.type)).toEqual(['Kept']);
        }
      });
    }
  });
}

function anEvent(type: string, data: NewEvent['data'] = { n: 1 }, metadata: NewEvent['metadata'] = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata };
}

function right(outcome: E.Either<WrongExpectedRevision, AppendResult>): AppendResult {
  if (E.isLeft(outcome)) throw new Error(`expected the append to succeed, got ${JSON.stringify(outcome.left, big)}`);
  return outcome.right;
}

function left(outcome: E.Either<WrongExpectedRevision, AppendResult>): WrongExpectedRevision {
  if (E.isRight(outcome)) throw new Error('expected a WrongExpectedRevision conflict, but the append succeeded');
  return outcome.left;
}

const big = (_: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
