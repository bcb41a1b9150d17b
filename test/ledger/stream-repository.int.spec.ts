import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import type { EventStore } from '#event-store/event-store.port';
import { chainEvents, emptyChain } from '#event-store/hash-chain';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { accountStream } from '#runtime/streams';
import { envelope } from '../../apps/ledger-api/src/ledger/command-runner';
import { CUSTOMER_STREAM_MODEL } from '../../apps/ledger-api/src/ledger/ledger.module';
import { Quarantine } from '../../apps/ledger-api/src/ledger/quarantine';
import { StreamRepository } from '../../apps/ledger-api/src/ledger/stream-repository';
import { tempDir } from '../support/temp-dir';

/**
 * The stream cache on a real embedded store: command records without states (a replay rebuilds
 * the first answer), a bulk pass's cache over the API's, and reading a stream without folding it.
 * The store is wrapped only to count its stream reads.
 */
describe('StreamRepository', () => {
  const dir = tempDir('stream-repository-');
  let store: SqliteEventStore;
  let reads: string[];
  let counted: EventStore;
  const integrity = () => ({ policy: {}, quarantine: new Quarantine() });
  const now = new Date('2026-11-23T10:00:00.000Z');

  beforeAll(() => {
    store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
    counted = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'readStream')
          return (name: string, options?: { fromRevision?: bigint }) => {
            reads.push(`${name}@${options?.fromRevision ?? 0n}`);
            return target.readStream(name, options);
          };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  beforeEach(() => {
    reads = [];
  });
  afterAll(async () => {
    await store.close();
    dir.cleanup();
  });

  /** A customer enrolled, then `credits` adjustments of 10 points, each its own command; the command ids in order. */
  async function customerWithCredits(credits: number): Promise<{ streamName: string; commandIds: string[] }> {
    const customerId = randomUUID();
    const streamName = accountStream(customerId);
    const commandIds: string[] = [];
    const events = [
      { type: 'CustomerEnrolled', data: { customerId, enrolledAt: now.toISOString() } },
      ...Array.from({ length: credits }, (_, i) => ({
        type: 'PointsAdjusted',
        data: { customerId, adjustmentId: randomUUID(), points: 10, reason: `credit ${i}`, kind: 'manual', occurredAt: now.toISOString() },
      })),
    ];
    const wrapped = events.map((event) => {
      const commandId = randomUUID();
      commandIds.push(commandId);
      return envelope(event, streamName, 0, { commandId, correlationId: commandId, actor: 'test', now });
    });
    const appended = await store.appendToStream(streamName, 'no_stream', chainEvents(streamName, emptyChain, wrapped));
    if (E.isLeft(appended)) throw new Error('append failed');
    return { streamName, commandIds };
  }

  const available = (state: CustomerState) => (state.status === 'Enrolled' ? state.balance.available : undefined);

  it("replays a command's first answer from the stream: its events and the state right after them, not the current one", async () => {
    const repository = new StreamRepository(counted, CUSTOMER_STREAM_MODEL, 100, integrity());
    const { streamName, commandIds } = await customerWithCredits(3);
    const loaded = await repository.load(streamName);
    expect(available(loaded.state)).toBe(30);
    const second = loaded.commands.get(commandIds[2]!)!;
    expect([second.firstRevision, second.lastRevision]).toEqual([2n, 2n]);
    const replay = await repository.replay(streamName, second);
    expect(replay.events.map((e: CustomerEvent) => e.type)).toEqual(['PointsAdjusted']);
    expect(available(replay.stateAfter)).toBe(20);
  });

  it("a bulk repository takes a stream hot in the API's cache from there (a catch-up, not a whole read); a cold one stays in its own cache", async () => {
    const api = new StreamRepository(counted, CUSTOMER_STREAM_MODEL, 100, integrity());
    const bulk = new StreamRepository(counted, CUSTOMER_STREAM_MODEL, 2, integrity(), api);
    const hot = await customerWithCredits(2);
    const cold = await customerWithCredits(1);
    await api.load(hot.streamName);
    reads = [];
    await bulk.load(hot.streamName);
    // Caught up from the API's cached revision, not read from the start.
    expect(reads).toEqual([`${hot.streamName}@3`]);
    await bulk.load(cold.streamName);
    reads = [];
    await api.load(cold.streamName);
    // The API's cache never received the cold stream: it reads it whole.
    expect(reads).toEqual([`${cold.streamName}@0`]);
  });

  it('reads a stream without folding it: which commands it holds, then the fold (checked and cached) only when asked', async () => {
    const quarantine = new Quarantine();
    const repository = new StreamRepository(counted, CUSTOMER_STREAM_MODEL, 100, { policy: {}, quarantine });
    const { streamName, commandIds } = await customerWithCredits(2);
    const read = await repository.read(streamName);
    expect(commandIds.every((id) => read.holds(id))).toBe(true);
    expect(read.holds(randomUUID())).toBe(false);
    expect(read.events?.map((e) => e.type)).toEqual(['CustomerEnrolled', 'PointsAdjusted', 'PointsAdjusted']);
    const loaded = read.fold();
    expect(available(loaded.state)).toBe(20);
    expect(loaded.integrity).toBeUndefined();
    // Folded once: the next load only asks for what came after.
    reads = [];
    await repository.load(streamName);
    expect(reads).toEqual([`${streamName}@3`]);
  });
});
