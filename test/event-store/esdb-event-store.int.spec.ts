import { EventStoreDBClient, binaryEvent } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import type { EventStore, NewEvent, RecordedEvent } from '#event-store/event-store.port';
import { EsdbEventStore } from '#event-store/eventstoredb/esdb-event-store';
import { decodePosition } from '#event-store/eventstoredb/esdb-position';
import { eventStoreContract } from '#event-store/testing/event-store.contract';
import { openSqliteReadModels } from '#read-models/database';
import { Projector } from '#read-models/projector';
import { migrate } from '#read-models/migrator';
import { loadConfig } from '#runtime/config';
import { StoreUnreachableError, connectEventStore } from '#runtime/wiring';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server';
import { realEventStoreDb } from '../support/test-store';
import { tempDir } from '../support/temp-dir';
import { join } from 'node:path';
import { STREAM_PREFIX } from '#runtime/streams';

/**
 * The EventStoreDB adapter through the real `@eventstore/db-client` over a real socket: the
 * shared contract, then what only this adapter has to get right (lost answers, system events,
 * positions of multi-event appends, subscriptions that drop). Against the in-repo test server,
 * or a real server with `npm run test:eventstoredb`.
 */

let server: EsdbTestServer | undefined;
const real = realEventStoreDb();
const connectionString = () => real ?? server!.connectionString;

beforeAll(async () => {
  if (real === undefined) server = await startEsdbTestServer({ systemEventsAtStart: 5 });
});
afterAll(async () => {
  await server?.stop();
});

/** The contract suite's streams are `contractTest-…`; the adapter's own tests use `loyaltyTest-…`. */
const CONTRACT_PREFIXES = ['contractTest-'];

eventStoreContract(real === undefined ? 'EventStoreDB (test server over gRPC)' : 'EventStoreDB (real server)', {
  multiStreamAppends: false,
  open: async () => new EsdbEventStore({ connectionString: connectionString(), streamPrefixes: CONTRACT_PREFIXES }),
  reopen: async (closed) => {
    await closed.close();
    return new EsdbEventStore({ connectionString: connectionString(), streamPrefixes: CONTRACT_PREFIXES });
  },
});

const event = (type: string, data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data: data as NewEvent['data'],
  metadata: { actor: 'test' },
});

function right<A>(either: E.Either<unknown, A>): A {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return either.right;
}

async function readAllAfter(store: EventStore, after: bigint, pageSize: number): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: out[out.length - 1]?.position ?? after, maxCount: pageSize });
    if (page.length === 0) return out;
    out.push(...page);
  }
}

describe('EventStoreDB adapter', () => {
  let store: EsdbEventStore;
  let stream: string;
  beforeEach(() => {
    store = new EsdbEventStore({ connectionString: connectionString(), streamPrefixes: [STREAM_PREFIX] });
    stream = `loyaltyTest-${randomUUID()}`;
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives every event of a multi-event append its own increasing position, and resumes inside such an append without skipping', async () => {
    const head = await store.headPosition();
    right(await store.appendToStream(stream, 'no_stream', [event('A'), event('B'), event('C')]));
    const all = (await readAllAfter(store, head, 10)).filter((e) => e.streamName === stream);
    expect(all.map((e) => e.type)).toEqual(['A', 'B', 'C']);
    expect(all[0]!.position < all[1]!.position && all[1]!.position < all[2]!.position).toBe(true);
    // A checkpoint after A (in the middle of the append) must still deliver B and C.
    const resumed = (await store.readAll({ after: all[0]!.position, maxCount: 10 })).filter((e) => e.streamName === stream);
    expect(resumed.map((e) => e.type)).toEqual(['B', 'C']);
  });

  it('reports the append position as the position of the last event appended', async () => {
    const head = await store.headPosition();
    const appended = right(await store.appendToStream(stream, 'no_stream', [event('A'), event('B')]));
    const all = (await readAllAfter(store, head, 10)).filter((e) => e.streamName === stream);
    expect(appended.position).toBe(all[all.length - 1]!.position);
    expect(await store.headPosition()).toBe(appended.position);
  });

  it('never hands out system events, and does not mistake a page of them for the end of the log', async () => {
    if (server === undefined) return; // a real server writes its own system events; nothing to inject
    const head = await store.headPosition();
    for (let i = 0; i < 7; i++) server.appendSystemEvent();
    right(await store.appendToStream(stream, 'no_stream', [event('Ours')]));
    for (let i = 0; i < 3; i++) server.appendSystemEvent();
    const page = await store.readAll({ after: head, maxCount: 2 });
    expect(page.map((e) => e.type)).toEqual(['Ours']);
    expect(await store.headPosition()).toBe(page[0]!.position);
  });

  it("keeps the server's positions exact beyond 2^53, both halves", async () => {
    // A log whose offsets are already past 2^60 (the test server can start there; a real one would take years).
    const far = real === undefined ? await startEsdbTestServer({ firstPosition: 2n ** 60n + 3n }) : undefined;
    const target = far?.connectionString ?? connectionString();
    const farStore = new EsdbEventStore({ connectionString: target, streamPrefixes: [STREAM_PREFIX] });
    const raw = EventStoreDBClient.connectionString(target);
    try {
      right(await farStore.appendToStream(stream, 'no_stream', [event('A'), event('B')]));
      const ours = (await readAllAfter(farStore, 0n, 10)).filter((e) => e.streamName === stream);
      const theirs: { commit: bigint; prepare: bigint }[] = [];
      for await (const resolved of raw.readStream(stream)) theirs.push(resolved.event!.position!);
      expect(ours.map((e) => decodePosition(e.position))).toEqual(theirs);
      if (far !== undefined) expect(theirs[0]!.commit > 2n ** 60n).toBe(true);
    } finally {
      await raw.dispose();
      await farStore.close();
      await far?.stop();
    }
  });

  it("leaves other applications' events on a shared server out of $all, and refuses to read one as ours", async () => {
    const head = await store.headPosition();
    // Written by another program through the client directly: this service never writes binary events.
    const foreign = `otherApp-${randomUUID()}`;
    const other = EventStoreDBClient.connectionString(connectionString());
    try {
      await other.appendToStream(foreign, binaryEvent({ type: 'Binary', data: new Uint8Array([1, 2, 3]) }));
    } finally {
      await other.dispose();
    }
    right(await store.appendToStream(stream, 'no_stream', [event('Ours')]));
    expect((await readAllAfter(store, head, 1)).map((e) => e.streamName)).toEqual([stream]);
    await expect(store.readStream(foreign)).rejects.toThrow(new RegExp(`${foreign}@0 is not a JSON object`));
  });
});

describe('EventStoreDB adapter when the connection fails', () => {
  // These stop and restart the server: only against the test server.
  const onTestServer = real === undefined ? it : it.skip;
  let store: EsdbEventStore;
  beforeEach(() => {
    store = new EsdbEventStore({ connectionString: connectionString(), streamPrefixes: [STREAM_PREFIX] });
  });
  afterEach(async () => {
    await store.close();
  });

  onTestServer('resends an append whose answer was lost, and the server writes it once', async () => {
    const stream = `loyaltyTest-${randomUUID()}`;
    server!.loseNextAppendAcks(1);
    const appended = right(await store.appendToStream(stream, 'no_stream', [event('A'), event('B')]));
    expect(appended.nextRevision).toBe(1n);
    expect((await store.readStream(stream)).events.map((e) => e.type)).toEqual(['A', 'B']);
  });

  onTestServer('fails an append with UNAVAILABLE when the server is down, and works again once it is back', async () => {
    const stream = `loyaltyTest-${randomUUID()}`;
    const lazy = new EsdbEventStore({ connectionString: connectionString(), streamPrefixes: [STREAM_PREFIX], appendRetries: 0 });
    await server!.stop();
    try {
      await expect(lazy.appendToStream(stream, 'no_stream', [event('A')])).rejects.toMatchObject({ code: 14 });
    } finally {
      await server!.restart();
    }
    right(await store.appendToStream(stream, 'no_stream', [event('A')]));
    await lazy.close();
  });

  onTestServer('in production, an unreachable server stops the start-up with a message naming it (never its credentials)', async () => {
    const port = server!.port;
    await server!.stop();
    try {
      const config = loadConfig({
        LEDGER_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: `esdb://admin:canary-secret@127.0.0.1:${port}?tls=false`,
        LEDGER_ENV: 'production',
      });
      const attempt = connectEventStore(config);
      await expect(attempt).rejects.toThrow(StoreUnreachableError);
      await expect(attempt).rejects.toThrow(new RegExp(`EventStoreDB at 127.0.0.1:${port} is unreachable \\(gRPC UNAVAILABLE, code 14\\)`));
      await expect(attempt).rejects.not.toThrow(/canary/);

      const warnings: string[] = [];
      const development = await connectEventStore({ ...config, environment: 'development' }, { warn: (m) => warnings.push(m) });
      expect(warnings).toEqual([expect.stringMatching(/unreachable.*carrying on/)]);
      await development.close();
    } finally {
      await server!.restart();
    }
  });

  onTestServer('keeps a projector following a subscription that drops, and it catches up on what was appended meanwhile', async () => {
    const dir = tempDir('esdb-projector-');
    const database = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
    await migrate(database.db);
    const projector = new Projector(store, database, { batchSize: 50, gatherMs: 0 });
    const reached = (position: bigint) =>
      new Promise<void>((resolve) => {
        const check = async () => {
          if ((await projector.checkpoint()) >= position) {
            off();
            resolve();
          }
        };
        const off = projector.onProgress(() => void check());
        void check();
      });
    try {
      projector.start();
      const first = right(await store.appendToStream(`loyaltyTest-${randomUUID()}`, 'no_stream', [event('A')]));
      await reached(first.position);

      server!.dropSubscriptions();
      const during = right(await store.appendToStream(`loyaltyTest-${randomUUID()}`, 'no_stream', [event('B'), event('C')]));
      await reached(during.position);
      expect(await projector.checkpoint()).toBe(during.position);
      expect(projector.health).toEqual({ ok: true });
    } finally {
      await projector.stop();
      await database.close();
      dir.cleanup();
    }
  });
});
