/**
 * The EventStoreDB test server, driven by the real @eventstore/db-client over a real socket. These tests pin
 * the behaviour the EventStoreDB adapter relies on; where KurrentDB's own semantics were looked up they are
 * named in the test (see test/support/esdb-test-server/README.md).
 */
import { randomUUID } from 'node:crypto';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  binaryEvent,
  MaxAppendSizeExceededError,
  START,
  StreamNotFoundError,
  streamNameFilter,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, type AppendResp, ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { startEsdbTestServer, type EsdbTestServer, type EsdbTestServerOptions } from '../support/esdb-test-server';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A server and a client for it, both closed after the suite. */
async function fresh(options: EsdbTestServerOptions = {}): Promise<{ server: EsdbTestServer; client: EventStoreDBClient }> {
  const server = await startEsdbTestServer(options);
  const client = EventStoreDBClient.connectionString(server.connectionString);
  cleanups.push(async () => {
    await client.dispose();
    await server.stop();
  });
  return { server, client };
}

const streamName = (prefix: string) => `${prefix}-${randomUUID()}`;
const event = (type: string, data: Record<string, unknown> = {}, id: string = randomUUID()) =>
  jsonEvent({ id, type, data, metadata: { correlationId: 'c-1' } });

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Followed<E> {
  readonly events: E[];
  readonly checkpoints: Position[];
  /** Number of events received when `caughtUp` fired, undefined before. */
  caughtUpAt: number | undefined;
  error: unknown;
}

/** Records what a subscription delivers. */
function follow<E>(subscription: NodeJS.EventEmitter, checkpoints: Position[] = []): Followed<E> {
  const followed: Followed<E> = { events: [], checkpoints, caughtUpAt: undefined, error: undefined };
  subscription.on('data', (resolved: E) => followed.events.push(resolved));
  subscription.on('caughtUp', () => (followed.caughtUpAt ??= followed.events.length));
  subscription.on('error', (error: unknown) => (followed.error = error));
  return followed;
}

const typeOf = (resolved: ResolvedEvent) => resolved.event?.type;

describe('EventStoreDB test server: appends', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;
  beforeAll(async () => ({ server, client } = await fresh()));

  it('appends with no_stream, then the exact revision, then any, answering revisions and increasing positions', async () => {
    const stream = streamName('append');
    const first = await client.appendToStream(stream, event('Opened'), { expectedRevision: 'no_stream' });
    const second = await client.appendToStream(stream, [event('A'), event('B')], { expectedRevision: 0n });
    const third = await client.appendToStream(stream, event('C'), { expectedRevision: 'any' });
    const fourth = await client.appendToStream(stream, event('D'), { expectedRevision: 'stream_exists' });

    expect([first, second, third, fourth].map((r) => r.nextExpectedRevision)).toEqual([0n, 2n, 3n, 4n]);
    const commits = [first, second, third, fourth].map((r) => r.position!.commit);
    expect([...commits].sort((a, b) => (a < b ? -1 : 1))).toEqual(commits);
    expect(new Set(commits).size).toBe(4);
    for (const r of [first, second, third, fourth]) expect(r.position!.prepare).toBe(r.position!.commit);
  });

  it('rejects a stale expected revision with WrongExpectedVersionError carrying the actual revision as a bigint', async () => {
    const stream = streamName('conflict');
    await client.appendToStream(stream, [event('A'), event('B')], { expectedRevision: 'no_stream' });

    const stale = client.appendToStream(stream, event('C'), { expectedRevision: 0n });
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(stale).rejects.toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
    await expect(client.appendToStream(stream, event('C'), { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      expectedVersion: 'no_stream',
      actualVersion: 1n,
    });
    await expect(client.appendToStream(stream, event('C'), { expectedRevision: 5n })).rejects.toMatchObject({
      expectedVersion: 5n,
      actualVersion: 1n,
    });
    const missing = streamName('missing');
    await expect(client.appendToStream(missing, event('A'), { expectedRevision: 0n })).rejects.toMatchObject({
      expectedVersion: 0n,
      actualVersion: 'no_stream',
    });
    await expect(client.appendToStream(missing, event('A'), { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
      expectedVersion: 'stream_exists',
      actualVersion: 'no_stream',
    });
    expect(await collect(client.readStream(stream))).toHaveLength(2);
  });

  it('acknowledges a retry with the same event ids and expected revision, and writes nothing', async () => {
    const stream = streamName('retry');
    const batch = [event('A'), event('B')];
    const original = await client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    const next = [event('C')];
    const later = await client.appendToStream(stream, next, { expectedRevision: 1n });
    const count = server.eventCount;

    const retried = await client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    const retriedLater = await client.appendToStream(stream, next, { expectedRevision: 1n });
    const retriedAny = await client.appendToStream(stream, batch, { expectedRevision: 'any' });

    expect(retried).toEqual(original);
    expect(retriedLater).toEqual(later);
    expect(retriedAny).toEqual(original);
    expect(server.eventCount).toBe(count);
    expect((await collect(client.readStream(stream))).map((e) => e.event!.id)).toEqual([...batch, ...next].map((e) => e.id));
  });

  it('treats a retry whose event ids only partly match as a conflict and writes nothing', async () => {
    const stream = streamName('partial');
    const [a, b] = [event('A'), event('B')];
    await client.appendToStream(stream, [a, b], { expectedRevision: 'no_stream' });
    const count = server.eventCount;

    await expect(client.appendToStream(stream, [a, event('X')], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      actualVersion: 1n,
    });
    await expect(client.appendToStream(stream, [a, event('X')], { expectedRevision: 'any' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(client.appendToStream(stream, [event('X'), b], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(server.eventCount).toBe(count);
  });

  it('writes known event ids again when the expected revision is the current one, as the real server does', async () => {
    const stream = streamName('dup');
    const a = event('A');
    await client.appendToStream(stream, a, { expectedRevision: 'no_stream' });
    const again = await client.appendToStream(stream, a, { expectedRevision: 0n });
    expect(again.nextExpectedRevision).toBe(1n);
    expect((await collect(client.readStream(stream))).map((e) => e.event!.id)).toEqual([a.id, a.id]);
  });

  it('rejects an append above the maximum append size with MaxAppendSizeExceededError and writes nothing', async () => {
    const stream = streamName('big');
    const count = server.eventCount;
    const big = binaryEvent({ type: 'Big', data: new Uint8Array(1_048_577) });
    await expect(client.appendToStream(stream, big)).rejects.toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(client.appendToStream(stream, big)).rejects.toMatchObject({ maxAppendSize: 1_048_576 });
    expect(server.eventCount).toBe(count);
  });
});

describe('EventStoreDB test server: reading streams', () => {
  let client: EventStoreDBClient;
  const stream = streamName('read');
  const written = Array.from({ length: 5 }, (_, n) => event(`E${n}`, { n }));
  beforeAll(async () => {
    ({ client } = await fresh());
    await client.appendToStream(stream, written, { expectedRevision: 'no_stream' });
  });

  const revisions = async (options: Parameters<EventStoreDBClient['readStream']>[1]) =>
    (await collect(client.readStream(stream, options))).map((e) => e.event!.revision);

  it('reads forwards and backwards, from a revision and with a maximum count', async () => {
    expect(await revisions({})).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: END })).toEqual([4n, 3n, 2n, 1n, 0n]);
    expect(await revisions({ fromRevision: 2n })).toEqual([2n, 3n, 4n]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: 2n })).toEqual([2n, 1n, 0n]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: 99n })).toEqual([4n, 3n, 2n, 1n, 0n]);
    expect(await revisions({ fromRevision: 1n, maxCount: 2 })).toEqual([1n, 2n]);
    expect(await revisions({ direction: BACKWARDS, fromRevision: END, maxCount: 1 })).toEqual([4n]);
    expect(await revisions({ fromRevision: END })).toEqual([]);
    expect(await revisions({ fromRevision: 5n })).toEqual([]);
  });

  it('returns each event as written: id, type, JSON data and metadata, creation time, stream and position', async () => {
    const before = Date.now();
    const s = streamName('content');
    const e = event('Shaped', { points: 12, note: 'é' });
    const bin = binaryEvent({ type: 'Raw', data: Uint8Array.from([0, 1, 255]) });
    const { position } = await client.appendToStream(s, [e, bin], { expectedRevision: 'no_stream' });
    const [json, raw] = await collect(client.readStream(s));

    expect(json!.event).toMatchObject({
      id: e.id,
      type: 'Shaped',
      streamId: s,
      revision: 0n,
      isJson: true,
      data: { points: 12, note: 'é' },
      metadata: { correlationId: 'c-1' },
    });
    expect(json!.event!.created.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(json!.event!.created.getTime()).toBeLessThanOrEqual(Date.now());
    expect(raw!.event).toMatchObject({ id: bin.id, type: 'Raw', isJson: false, revision: 1n });
    expect(Array.from(raw!.event!.data as Uint8Array)).toEqual([0, 1, 255]);
    expect(raw!.event!.position).toEqual(position);
    expect(raw!.commitPosition).toBe(position!.commit);
  });

  it('fails a read of a stream that does not exist with StreamNotFoundError', async () => {
    const missing = streamName('nope');
    await expect(collect(client.readStream(missing))).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(collect(client.readStream(missing, { direction: BACKWARDS, fromRevision: END }))).rejects.toMatchObject({
      streamName: missing,
    });
  });
});

describe('EventStoreDB test server: reading $all', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;
  let all: AllStreamResolvedEvent[];
  beforeAll(async () => {
    ({ server, client } = await fresh({ systemEventsAtStart: 2 }));
    await client.appendToStream(streamName('a'), [event('A1'), event('A2')]);
    server.appendSystemEvent();
    await client.appendToStream(streamName('b'), [event('B1'), event('B2')]);
    all = await collect(client.readAll());
  });

  const commits = (events: AllStreamResolvedEvent[]) => events.map((e) => e.event!.position.commit);

  it('reads every event forwards in commit order, system events included, positions increasing with gaps', () => {
    expect(all.map(typeOf)).toEqual(['$statsCollected', '$statsCollected', 'A1', 'A2', '$statsCollected', 'B1', 'B2']);
    expect(server.eventCount).toBe(7);
    const positions = commits(all);
    expect(positions[0]).toBeGreaterThan(0n);
    for (let i = 1; i < positions.length; i += 1) expect(positions[i]! - positions[i - 1]!).toBeGreaterThan(1n);
    for (const e of all) {
      expect(e.event!.position.prepare).toBe(e.event!.position.commit);
      expect(e.commitPosition).toBe(e.event!.position.commit);
    }
  });

  it('reads backwards from the end, and honours maxCount both ways', async () => {
    expect(commits(await collect(client.readAll({ direction: BACKWARDS, fromPosition: END })))).toEqual(commits(all).reverse());
    expect(commits(await collect(client.readAll({ maxCount: 3 })))).toEqual(commits(all).slice(0, 3));
    expect(commits(await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 })))).toEqual(commits(all).slice(-2).reverse());
    expect(await collect(client.readAll({ fromPosition: END }))).toEqual([]);
    expect(await collect(client.readAll({ direction: BACKWARDS, fromPosition: START }))).toEqual([]);
  });

  it('includes the event at exactly the given position forwards, and excludes it backwards (as KurrentDB)', async () => {
    const pivot = all[3]!.event!.position;
    expect(commits(await collect(client.readAll({ fromPosition: pivot })))).toEqual(commits(all).slice(3));
    expect(commits(await collect(client.readAll({ direction: BACKWARDS, fromPosition: pivot })))).toEqual(commits(all).slice(0, 3).reverse());
    const between = { commit: pivot.commit + 1n, prepare: pivot.prepare + 1n };
    expect(commits(await collect(client.readAll({ fromPosition: between })))).toEqual(commits(all).slice(4));
  });
});

describe('EventStoreDB test server: positions above 2^53', () => {
  it('round-trips positions exactly through append, read and subscribe', async () => {
    const firstPosition = 2n ** 53n + 1n;
    const { client } = await fresh({ systemEventsAtStart: 0, firstPosition });
    const stream = streamName('huge');
    const first = await client.appendToStream(stream, event('A'));
    const second = await client.appendToStream(stream, event('B'));

    expect(first.position).toEqual({ commit: firstPosition, prepare: firstPosition });
    expect(second.position!.commit).toBeGreaterThan(firstPosition);
    const [read] = await collect(client.readAll({ fromPosition: second.position! }));
    expect(read!.event!.position).toEqual(second.position);
    expect(read!.event!.position.commit.toString()).toBe(second.position!.commit.toString());

    const subscription = client.subscribeToAll({ fromPosition: first.position! });
    const followed = follow<AllStreamResolvedEvent>(subscription);
    await waitFor('caught up', () => followed.caughtUpAt !== undefined);
    expect(followed.events.map((e) => e.event!.position)).toEqual([second.position]);
    await subscription.unsubscribe();
  });
});

describe('EventStoreDB test server: subscriptions to $all', () => {
  it('catches up from the start, reports caughtUp, then delivers live events', async () => {
    const { server, client } = await fresh({ systemEventsAtStart: 1 });
    await client.appendToStream(streamName('s'), [event('Old1'), event('Old2')]);
    const subscription = client.subscribeToAll({ fromPosition: START });
    const followed = follow<AllStreamResolvedEvent>(subscription);
    await waitFor('caught up', () => followed.caughtUpAt !== undefined);
    expect(followed.caughtUpAt).toBe(3);
    expect(server.subscriptions()).toEqual([expect.objectContaining({ target: '$all', caughtUp: true, eventsSent: 3 })]);

    await client.appendToStream(streamName('s'), event('Live1'));
    server.appendSystemEvent();
    await waitFor('live events', () => followed.events.length === 5);
    expect(followed.events.map(typeOf)).toEqual(['$statsCollected', 'Old1', 'Old2', 'Live1', '$statsCollected']);
    await subscription.unsubscribe();
    await waitFor('server to see the unsubscribe', () => server.subscriptions().length === 0);
  });

  it('starts after the given position (exclusive) and from the end delivers only new events', async () => {
    const { client } = await fresh({ systemEventsAtStart: 0 });
    const results = [];
    for (const type of ['A', 'B', 'C']) results.push(await client.appendToStream(streamName('p'), event(type)));

    const fromB = client.subscribeToAll({ fromPosition: results[1]!.position! });
    const fromEnd = client.subscribeToAll({ fromPosition: END });
    const afterB = follow<AllStreamResolvedEvent>(fromB);
    const atEnd = follow<AllStreamResolvedEvent>(fromEnd);
    await waitFor('both caught up', () => afterB.caughtUpAt !== undefined && atEnd.caughtUpAt !== undefined);
    await client.appendToStream(streamName('p'), event('D'));
    await waitFor('live event D', () => afterB.events.length === 2 && atEnd.events.length === 1);

    expect(afterB.events.map(typeOf)).toEqual(['C', 'D']);
    expect(atEnd.events.map(typeOf)).toEqual(['D']);
    await Promise.all([fromB.unsubscribe(), fromEnd.unsubscribe()]);
  });

  it('filters on stream-name prefixes server-side and reports checkpoints every window × multiplier records', async () => {
    const { server, client } = await fresh({ systemEventsAtStart: 0 });
    const keep = `keep-${randomUUID()}`;
    for (let i = 0; i < 50; i += 1) {
      await client.appendToStream(i % 5 === 0 ? keep : streamName('skip'), event(`E${i}`));
    }
    const all = await collect(client.readAll());
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: ['keep-'],
        maxSearchWindow: 5,
        checkpointInterval: 2,
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position);
        },
      }),
    });
    const followed = follow<AllStreamResolvedEvent>(subscription, checkpoints);
    await waitFor('caught up', () => followed.caughtUpAt !== undefined);

    expect(followed.events.map((e) => e.event!.streamId)).toEqual(Array(10).fill(keep));
    // Catch-up: a checkpoint after every 10 records scanned, the last one as the catch-up reaches the end.
    expect(checkpoints).toEqual([9, 19, 29, 39, 49].map((i) => all[i]!.event!.position));

    for (let i = 0; i < 10; i += 1) await client.appendToStream(streamName('skip'), event('Live'));
    const lastLive = (await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })))[0]!;
    await waitFor('live checkpoint', () => checkpoints.length === 6);
    expect(checkpoints[5]).toEqual(lastLive.event!.position);
    expect(followed.events).toHaveLength(10);
    expect(server.eventCount).toBe(60);
    await subscription.unsubscribe();
  });

  it('filters on event type by regex, and excludeSystemEvents() skips $-types while live', async () => {
    const { server, client } = await fresh({ systemEventsAtStart: 3 });
    await client.appendToStream(streamName('o'), [event('OrderPlaced'), event('OrderShipped'), event('OrderPaid')]);
    const orders = client.subscribeToAll({ filter: eventTypeFilter({ regex: '^Order(Placed|Paid)$' }) });
    const user = client.subscribeToAll({ filter: excludeSystemEvents() });
    const placedOrPaid = follow<AllStreamResolvedEvent>(orders);
    const nonSystem = follow<AllStreamResolvedEvent>(user);
    await waitFor('caught up', () => placedOrPaid.caughtUpAt !== undefined && nonSystem.caughtUpAt !== undefined);
    server.appendSystemEvent();
    await client.appendToStream(streamName('o'), event('OrderPaid'));
    await waitFor('live OrderPaid', () => placedOrPaid.events.length === 3 && nonSystem.events.length === 4);

    expect(placedOrPaid.events.map(typeOf)).toEqual(['OrderPlaced', 'OrderPaid', 'OrderPaid']);
    expect(nonSystem.events.map(typeOf)).toEqual(['OrderPlaced', 'OrderShipped', 'OrderPaid', 'OrderPaid']);
    await Promise.all([orders.unsubscribe(), user.unsubscribe()]);
  });

  it('holds back a subscriber that does not read instead of buffering the log for it', async () => {
    const { server, client } = await fresh({ systemEventsAtStart: 0 });
    const stream = streamName('bulk');
    const padding = 'x'.repeat(2_000);
    for (let batch = 0; batch < 6; batch += 1) {
      const events = Array.from({ length: 200 }, (_, i) => event('Bulk', { n: batch * 200 + i, padding }));
      await client.appendToStream(stream, events);
    }
    const subscription = client.subscribeToAll({ fromPosition: START });
    // No 'data' listener yet: the client stops reading once its buffers are full, and the server must wait.
    const sentSoFar = () => server.subscriptions()[0]?.eventsSent ?? 0;
    let sent = 0;
    let quietSince = Date.now();
    await waitFor('sending to stall for 150 ms', () => {
      if (sentSoFar() !== sent) [sent, quietSince] = [sentSoFar(), Date.now()];
      return sent > 0 && Date.now() - quietSince >= 150;
    });
    expect(sent).toBeLessThan(300);
    expect(server.subscriptions()[0]!.caughtUp).toBe(false);

    const followed = follow<AllStreamResolvedEvent>(subscription);
    await waitFor('all 1200 events', () => followed.caughtUpAt !== undefined, 10_000);
    expect(followed.events.map((e) => (e.event!.data as { n: number }).n)).toEqual(Array.from({ length: 1200 }, (_, n) => n));
    await subscription.unsubscribe();
  });
});

describe('EventStoreDB test server: subscriptions to a stream', () => {
  it('catches up from the start or after a revision (exclusive), then delivers live events of that stream only', async () => {
    const { client } = await fresh();
    const stream = streamName('watched');
    await client.appendToStream(stream, [event('A'), event('B'), event('C')]);
    const fromStart = client.subscribeToStream(stream, { fromRevision: START });
    const afterB = client.subscribeToStream(stream, { fromRevision: 1n });
    const all = follow<ResolvedEvent>(fromStart);
    const tail = follow<ResolvedEvent>(afterB);
    await waitFor('caught up', () => all.caughtUpAt === 3 && tail.caughtUpAt === 1);

    await client.appendToStream(streamName('other'), event('Elsewhere'));
    await client.appendToStream(stream, event('D'));
    await waitFor('live D', () => all.events.length === 4 && tail.events.length === 2);
    expect(all.events.map(typeOf)).toEqual(['A', 'B', 'C', 'D']);
    expect(tail.events.map((e) => e.event!.revision)).toEqual([2n, 3n]);
    await Promise.all([fromStart.unsubscribe(), afterB.unsubscribe()]);
  });

  it('waits for a stream that does not exist yet, caught up at once', async () => {
    const { client } = await fresh();
    const stream = streamName('later');
    const subscription = client.subscribeToStream(stream);
    const followed = follow<ResolvedEvent>(subscription);
    await waitFor('caught up', () => followed.caughtUpAt === 0);
    await client.appendToStream(stream, event('First'), { expectedRevision: 'no_stream' });
    await waitFor('first event', () => followed.events.length === 1);
    expect(followed.events[0]!.event).toMatchObject({ type: 'First', revision: 0n });
    await subscription.unsubscribe();
  });
});

describe('EventStoreDB test server: faults', () => {
  it('dropSubscriptions() ends open subscriptions with UNAVAILABLE, and a new subscription works', async () => {
    const { server, client } = await fresh();
    const stream = streamName('drop');
    await client.appendToStream(stream, event('A'));
    const followed = follow<ResolvedEvent>(client.subscribeToStream(stream));
    await waitFor('caught up', () => followed.caughtUpAt !== undefined);

    server.dropSubscriptions();
    await waitFor('subscription error', () => followed.error !== undefined);
    expect(followed.error).toBeInstanceOf(UnavailableError);
    expect(followed.error).toMatchObject({ code: status.UNAVAILABLE });
    await waitFor('server to forget it', () => server.subscriptions().length === 0);

    const again = client.subscribeToStream(stream);
    const resubscribed = follow<ResolvedEvent>(again);
    await waitFor('resubscribed', () => resubscribed.caughtUpAt === 1);
    await again.unsubscribe();
  });

  it('stop() makes appends fail with gRPC code 14; restart() serves the same data on the same port', async () => {
    const { server, client } = await fresh();
    const stream = streamName('restart');
    const port = server.port;
    await client.appendToStream(stream, event('Before'), { expectedRevision: 'no_stream' });
    const followed = follow<ResolvedEvent>(client.subscribeToStream(stream));
    await waitFor('caught up', () => followed.caughtUpAt !== undefined);

    await server.stop();
    await waitFor('subscription error', () => followed.error !== undefined);
    expect(followed.error).toMatchObject({ code: status.UNAVAILABLE });
    await expect(client.appendToStream(stream, event('During'))).rejects.toMatchObject({ code: status.UNAVAILABLE });

    await server.restart();
    expect(server.port).toBe(port);
    const after = await client.appendToStream(stream, event('After'), { expectedRevision: 0n });
    expect(after.nextExpectedRevision).toBe(1n);
    expect((await collect(client.readStream(stream))).map(typeOf)).toEqual(['Before', 'After']);
  });

  it('loseNextAppendAcks(1): the append is committed but fails with UNAVAILABLE; the retry is recognised and not written twice', async () => {
    const { server, client } = await fresh();
    const stream = streamName('lost-ack');
    const batch = [event('A'), event('B')];
    const count = server.eventCount;
    server.loseNextAppendAcks(1);

    const lost = client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    await expect(lost).rejects.toBeInstanceOf(UnavailableError);
    await expect(lost).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(server.eventCount).toBe(count + 2);

    const retried = await client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    expect(retried.nextExpectedRevision).toBe(1n);
    const read = await collect(client.readStream(stream));
    expect(read.map((e) => e.event!.id)).toEqual(batch.map((e) => e.id));
    expect(retried.position).toEqual(read[1]!.event!.position);
    expect(server.eventCount).toBe(count + 2);
  });
});

describe('EventStoreDB test server: protocol errors', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;
  let raw: StreamsClient;
  beforeAll(async () => {
    ({ server, client } = await fresh());
    raw = new StreamsClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    cleanups.push(async () => raw.close());
  });

  /** Sends an Append request stream as written, bypassing the client library's checks. */
  function rawAppend(messages: AppendReq[]): Promise<{ error: ServiceError | null; response?: AppendResp }> {
    return new Promise((resolve) => {
      const call = raw.append(new Metadata(), (error, response) => resolve({ error, response }));
      for (const message of messages) call.write(message);
      call.end();
    });
  }

  const options = (stream: string) =>
    new AppendReq().setOptions(new AppendReq.Options().setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(stream))).setAny(new Empty()));
  const proposed = (metadata: Record<string, string>) => {
    const message = new AppendReq.ProposedMessage().setId(new UUID().setString(randomUUID())).setData(Buffer.from('{}'));
    for (const [key, value] of Object.entries(metadata)) message.getMetadataMap().set(key, value);
    return new AppendReq().setProposedMessage(message);
  };

  it('rejects a proposed event without a type with INVALID_ARGUMENT and the server exception trailer, writing nothing', async () => {
    const count = server.eventCount;
    const { error } = await rawAppend([options(streamName('raw')), proposed({ 'content-type': 'application/json' })]);
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(error!.metadata.get('exception')).toEqual(['missing-required-metadata-property']);
    expect(server.eventCount).toBe(count);
  });

  it('rejects an append stream that does not start with the options, writing nothing', async () => {
    const count = server.eventCount;
    const { error } = await rawAppend([proposed({ type: 'A', 'content-type': 'application/json' })]);
    expect(error).toMatchObject({ code: status.UNKNOWN });
    expect(server.eventCount).toBe(count);
  });

  /** Runs a Read call as written and returns its responses. */
  function rawRead(options: ReadReq.Options): Promise<ReadResp[]> {
    return new Promise((resolve, reject) => {
      const responses: ReadResp[] = [];
      raw
        .read(new ReadReq().setOptions(options))
        .on('data', (response: ReadResp) => responses.push(response))
        .on('error', reject)
        .on('end', () => resolve(responses));
    });
  }

  const allFromStart = (uuid: 'string' | 'structured') => {
    const uuidOption = new ReadReq.Options.UUIDOption();
    if (uuid === 'string') uuidOption.setString(new Empty());
    else uuidOption.setStructured(new Empty());
    return new ReadReq.Options()
      .setAll(new ReadReq.Options.AllOptions().setStart(new Empty()))
      .setReadDirection(ReadReq.Options.ReadDirection.FORWARDS)
      .setUuidOption(uuidOption);
  };

  it('reads $all with a server-side filter and a count (a request newer clients send)', async () => {
    const stream = streamName('filtered-read');
    await client.appendToStream(stream, [event('Keep'), event('Drop'), event('Keep'), event('Keep')]);
    const filter = new ReadReq.Options.FilterOptions()
      .setStreamIdentifier(new ReadReq.Options.FilterOptions.Expression().setPrefixList([stream]))
      .setCount(new Empty())
      .setCheckpointintervalmultiplier(1);
    const eventType = new ReadReq.Options.FilterOptions()
      .setEventType(new ReadReq.Options.FilterOptions.Expression().setRegex('^Ke'))
      .setCount(new Empty())
      .setCheckpointintervalmultiplier(1);

    const byStream = await rawRead(allFromStart('string').setCount('10').setFilter(filter));
    const keepTwo = await rawRead(allFromStart('string').setCount('2').setFilter(eventType));
    const types = (responses: ReadResp[]) => responses.map((r) => r.getEvent()!.getEvent()!.getMetadataMap().get('type'));
    expect(types(byStream)).toEqual(['Keep', 'Drop', 'Keep', 'Keep']);
    expect(types(keepTwo)).toEqual(['Keep', 'Keep']);
  });

  it('answers event ids in the structured form when the reader asks for it, and accepts them on append', async () => {
    const stream = streamName('structured');
    const written = event('A');
    await client.appendToStream(stream, written);
    const responses = await rawRead(allFromStart('structured').setCount('1000').setNoFilter(new Empty()));
    const ids = responses.map((r) => r.getEvent()!.getEvent()!.getId()!.getStructured()!);
    const hex = (bits: string) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
    const asText = ids.map((id) => hex(id.getMostSignificantBits()) + hex(id.getLeastSignificantBits()));
    expect(asText).toContain(written.id.replaceAll('-', ''));

    const id = randomUUID();
    const structured = new UUID.Structured()
      .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${id.replaceAll('-', '').slice(0, 16)}`)).toString())
      .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${id.replaceAll('-', '').slice(16)}`)).toString());
    const message = new AppendReq.ProposedMessage().setId(new UUID().setStructured(structured)).setData(Buffer.from('{}'));
    message.getMetadataMap().set('type', 'B').set('content-type', 'application/json');
    const { error } = await rawAppend([options(stream), new AppendReq().setProposedMessage(message)]);
    expect(error).toBeNull();
    expect((await collect(client.readStream(stream))).map((e) => e.event!.id)).toEqual([written.id, id]);
  });

  it('rejects invalid read requests with INVALID_ARGUMENT: a backwards subscription, no uuid_option, a bad regex', async () => {
    const backwardsSubscription = allFromStart('string')
      .setReadDirection(ReadReq.Options.ReadDirection.BACKWARDS)
      .setSubscription(new ReadReq.Options.SubscriptionOptions())
      .setNoFilter(new Empty());
    const noUuidOption = allFromStart('string').setCount('1').setNoFilter(new Empty());
    noUuidOption.clearUuidOption();
    const badRegex = allFromStart('string')
      .setCount('1')
      .setFilter(
        new ReadReq.Options.FilterOptions()
          .setEventType(new ReadReq.Options.FilterOptions.Expression().setRegex('('))
          .setCount(new Empty())
          .setCheckpointintervalmultiplier(1),
      );
    for (const request of [backwardsSubscription, noUuidOption, badRegex]) {
      await expect(rawRead(request)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    }
  });

  it('answers UNIMPLEMENTED for operations it does not model (delete)', async () => {
    await expect(client.deleteStream(streamName('gone'))).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
  });
});
