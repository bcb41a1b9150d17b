import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, RecordedEvent } from '#event-store/event-store.port';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { chainEvents, chainKey, emptyChain, type ChainKey } from '#event-store/hash-chain';
import { evolveCustomer, initialCustomerState } from '#ledger-domain/customer/customer';
import { decodeCustomerEvent } from '#ledger-domain/stored-events';
import { ACCOUNT_CATEGORY } from '#runtime/streams';
import { StreamRepository } from '../apps/ledger-api/src/ledger/stream-repository';
import { Quarantine } from '../apps/ledger-api/src/ledger/quarantine';
import { generateLedger } from './ledger-generator';
import { saveResults } from './bench-output';

/**
 * node dist/bench/chain-check.bench.js (after npm run build)
 *
 * What the command path's chain check costs per event: customer streams of a generated ledger,
 * their metadata as the API writes it (command, correlation and causation ids, actor, time, schema
 * version, request fingerprint, Idempotency-Key), folded by the StreamRepository as a load does
 * (decode, evolve, index by command) without the check, with the plain SHA-256 check and with the
 * keyed (HMAC-SHA256) one. Median of 7 rounds over every stream, in CPU µs per event (process.cpuUsage,
 * so that other load on the machine does not count); the difference is the check.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 2_000);
const ROUNDS = 7;

/** The streams re-chained with the API's metadata, plain or keyed, as recorded events. */
function asWrittenByApi(streams: readonly (readonly RecordedEvent[])[], key: ChainKey | undefined): RecordedEvent[][] {
  return streams.map((events) => {
    const name = events[0]!.streamName;
    const enveloped = events.map((e) => {
      const commandId = randomUUID();
      const metadata: JsonObject = {
        commandId,
        correlationId: commandId,
        causationId: commandId,
        actor: 'back-office',
        recordedAt: String(e.metadata['recordedAt']),
        schemaVersion: 1,
        requestFingerprint: createHash('sha256').update(commandId).digest('hex'),
        idempotencyKey: randomUUID(),
      };
      return { id: e.id, type: e.type, data: e.data, metadata };
    });
    return chainEvents(name, emptyChain, enveloped, key).map((e, i) => ({ ...e, streamName: name, revision: BigInt(i), position: events[i]!.position }));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-chain-'));
  try {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    await generateLedger(store, { events: EVENTS, customers: CUSTOMERS });
    const byStream = new Map<string, RecordedEvent[]>();
    for (let after = 0n; ;) {
      const page = await store.readAll({ after, maxCount: 10_000 });
      if (page.length === 0) break;
      for (const e of page) if (e.streamName.startsWith(`${ACCOUNT_CATEGORY}-`)) byStream.set(e.streamName, [...(byStream.get(e.streamName) ?? []), e]);
      after = page[page.length - 1]!.position;
    }
    const key = chainKey(Buffer.from('bench-chain-key-0123456789abcdef0123456789', 'utf8'));
    const plain = asWrittenByApi([...byStream.values()], undefined);
    const keyed = asWrittenByApi([...byStream.values()], key);
    const events = plain.reduce((n, s) => n + s.length, 0);

    const model = { name: 'customer', decode: decodeCustomerEvent, evolve: evolveCustomer, initialState: initialCustomerState };
    const unchecked = new StreamRepository(store, model);
    const checkedPlain = new StreamRepository(store, model, 10_000, { policy: {}, quarantine: new Quarantine() });
    const checkedKeyed = new StreamRepository(store, model, 10_000, { policy: { key }, quarantine: new Quarantine() });
    const time = (
      repository: StreamRepository<ReturnType<typeof initialCustomerState>, ReturnType<typeof decodeCustomerEvent>>,
      streams: RecordedEvent[][],
    ) => {
      // CPU time of this process, not wall time: the machine is shared, and what is asked is the work per event.
      const started = process.cpuUsage();
      for (const stream of streams) {
        const loaded = repository.fold(repository.unread(), stream);
        if (loaded.integrity !== undefined) throw new Error(`unexpected break in ${loaded.integrity.streamName}`);
      }
      const used = process.cpuUsage(started);
      return (used.user + used.system) / events;
    };
    // Warm up each path once, then alternate them so drift affects all three alike.
    time(unchecked, plain);
    time(checkedPlain, plain);
    time(checkedKeyed, keyed);
    const rounds = { unchecked: [] as number[], plain: [] as number[], keyed: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.unchecked.push(time(unchecked, plain));
      rounds.plain.push(time(checkedPlain, plain));
      rounds.keyed.push(time(checkedKeyed, keyed));
    }
    const results = {
      events,
      streams: plain.length,
      foldUncheckedMicros: median(rounds.unchecked),
      foldCheckedPlainMicros: median(rounds.plain),
      foldCheckedKeyedMicros: median(rounds.keyed),
      checkPlainMicros: median(rounds.plain) - median(rounds.unchecked),
      checkKeyedMicros: median(rounds.keyed) - median(rounds.unchecked),
      rounds,
    };
    console.log(JSON.stringify(results, null, 2));
    saveResults('chain-check', { results });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
