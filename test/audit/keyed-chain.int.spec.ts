import 'reflect-metadata';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/ledger-api/src/app';
import { loadConfig } from '#runtime/config';
import { accountStream } from '#runtime/streams';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { chainEvents, chainKey, emptyChain, eventHash } from '#event-store/hash-chain';
import type { JsonObject, RecordedEvent } from '#event-store/event-store.port';
import { tempDir } from '../support/temp-dir';

/**
 * The keyed chain (LEDGER_CHAIN_KEY): hashes are HMAC-SHA256 under a key the database does not
 * hold, so someone who can write the database but not read the key cannot make a chain that
 * verifies. Started from the environment as an operator would, checked by the CLI and by the API.
 */
const CLI = join(__dirname, '../../dist/apps/ledger-cli/src/main.js');
const KEY = 'keyed-chain-test-key-0123456789abcdef-0123';
const SECRET = 'keyed-chain-admin-secret-0123456789abcdef';

interface Api {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The real API, configured from these environment variables, on a random loopback port. */
async function startApi(env: Record<string, string>): Promise<Api> {
  const config = { ...loadConfig({ LEDGER_API_KEYS: `back-office:admin:${SECRET}`, LEDGER_REACTIONS: 'off', LEDGER_LIFECYCLE: 'off', ...env }), port: 0 };
  const app: NestFastifyApplication = await createApp(config, { logger: false, requestLogLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    async request(method, path, body) {
      const response = await fetch(`http://127.0.0.1:${address.port}${path}`, {
        method,
        headers: { authorization: `Bearer ${SECRET}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    close: () => app.close(),
  };
}

async function enrolWithPoints(api: Api, points: number): Promise<string> {
  const enrolled = await api.request('POST', '/customers', { email: `keyed-${randomUUID()}@example.com` });
  expect(enrolled.status).toBe(201);
  const customerId = enrolled.body['customerId'] as string;
  expect((await api.request('POST', `/customers/${customerId}/adjustments`, { points, reason: 'funding' })).status).toBe(201);
  return customerId;
}

async function streamOf(dataDir: string, customerId: string): Promise<readonly RecordedEvent[]> {
  const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite'), readOnly: true });
  try {
    return (await store.readStream(accountStream(customerId))).events;
  } finally {
    await store.close();
  }
}

const verify = (dataDir: string, args: string[] = [], env: Record<string, string> = {}) => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const childEnv: Record<string, string | undefined> = { ...process.env, LEDGER_DATA_DIR: dataDir, ...env };
  if (env['LEDGER_CHAIN_KEY'] === undefined) delete childEnv['LEDGER_CHAIN_KEY'];
  return spawnSync(process.execPath, [CLI, 'audit', 'verify-chain', ...args], { env: childEnv, encoding: 'utf8' });
};

/** What an insider without the key can do: rewrite a stream's points and recompute its chain, plain SHA-256, from revision 0. */
function recomputeWithoutKey(file: string, stream: string): void {
  const db = new Database(file);
  db.prepare("UPDATE events SET data = json_set(data, '$.points', 900000) WHERE stream_name = ? AND type = 'PointsAdjusted'").run(stream);
  const rows = db.prepare('SELECT position, event_id, type, data, metadata FROM events WHERE stream_name = ? ORDER BY revision').all(stream) as {
    position: number;
    event_id: string;
    type: string;
    data: string;
    metadata: string;
  }[];
  const rechained = chainEvents(
    stream,
    emptyChain,
    rows.map((r) => ({ id: r.event_id, type: r.type, data: JSON.parse(r.data) as JsonObject, metadata: JSON.parse(r.metadata) as JsonObject })),
  );
  const update = db.prepare('UPDATE events SET metadata = ? WHERE position = ?');
  rechained.forEach((e, i) => update.run(JSON.stringify(e.metadata), rows[i]!.position));
  db.close();
}

describe('keyed hash chain (LEDGER_CHAIN_KEY)', () => {
  it('writes HMAC-SHA256 hashes that verify only with the key, and catches a chain recomputed without it', async () => {
    const dir = tempDir('keyed-chain-');
    try {
      const api = await startApi({ LEDGER_DATA_DIR: dir.path, LEDGER_CHAIN_KEY: KEY });
      const customerId = await enrolWithPoints(api, 100);
      const victim = await enrolWithPoints(api, 100);
      await api.close();

      const events = await streamOf(dir.path, customerId);
      const key = chainKey(Buffer.from(KEY, 'utf8'));
      for (const e of events) {
        expect(e.metadata['hashKeyId']).toBe(key.id);
        expect(e.metadata['hash']).toBe(eventHash(e.streamName, e.revision, e, key));
        expect(e.metadata['hash']).not.toBe(eventHash(e.streamName, e.revision, e));
      }

      const withKey = verify(dir.path, [], { LEDGER_CHAIN_KEY: KEY });
      expect(withKey.status).toBe(0);
      expect(JSON.parse(withKey.stdout).keyed).toBeGreaterThan(0);
      // The key from a file, as an auditor would hold it.
      const keyFile = join(dir.path, 'chain.key');
      writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
      expect(verify(dir.path, ['--chain-key-file', keyFile]).status).toBe(0);
      // Without the key, or with another one, the content cannot be vouched for.
      const without = verify(dir.path);
      expect(without.status).toBe(1);
      expect(without.stderr).toMatch(/key-required: loyaltyAccount-/);
      const wrong = verify(dir.path, [], { LEDGER_CHAIN_KEY: 'another-key-of-enough-length-0123456789' });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/altered: .*hashed with another chain key/);

      recomputeWithoutKey(join(dir.path, 'events.sqlite'), accountStream(victim));
      const caught = verify(dir.path, ['--customer', victim], { LEDGER_CHAIN_KEY: KEY });
      expect(caught.status).toBe(1);
      expect(caught.stderr).toMatch(new RegExp(`unkeyed: loyaltyAccount-${victim} revision 0 `));

      // And the API, with the key, refuses to build on it.
      const again = await startApi({ LEDGER_DATA_DIR: dir.path, LEDGER_CHAIN_KEY: KEY });
      try {
        const refused = await again.request('POST', `/customers/${victim}/redemptions`, { points: 899_999 });
        expect(refused.status).toBe(503);
        expect(refused.body['type']).toBe('https://loyalty-ledger.dev/problems/ledger-integrity');
        expect((await again.request('POST', `/customers/${customerId}/redemptions`, { points: 10 })).status).toBe(201);
      } finally {
        await again.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('verifies a log written partly before the key was set: plain events up to LEDGER_CHAIN_UNKEYED_BEFORE, keyed after', async () => {
    const dir = tempDir('keyed-later-');
    try {
      const before = await startApi({ LEDGER_DATA_DIR: dir.path });
      const early = await enrolWithPoints(before, 100);
      await before.close();
      const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite'), readOnly: true });
      const keySetAt = (await store.headPosition()).toString();
      await store.close();

      // Without the boundary, the API with a key refuses to build on the plain stream.
      const strict = await startApi({ LEDGER_DATA_DIR: dir.path, LEDGER_CHAIN_KEY: KEY });
      try {
        expect((await strict.request('POST', `/customers/${early}/redemptions`, { points: 1 })).status).toBe(503);
      } finally {
        await strict.close();
      }

      const after = await startApi({ LEDGER_DATA_DIR: dir.path, LEDGER_CHAIN_KEY: KEY, LEDGER_CHAIN_UNKEYED_BEFORE: keySetAt });
      const late = await enrolWithPoints(after, 50);
      // The early customer's chain goes on, keyed, from its plain head.
      expect((await after.request('POST', `/customers/${early}/redemptions`, { points: 10 })).status).toBe(201);
      await after.close();
      const earlyEvents = await streamOf(dir.path, early);
      expect(earlyEvents[0]!.metadata['hashKeyId']).toBeUndefined();
      expect(earlyEvents[earlyEvents.length - 1]!.metadata['hashKeyId']).toMatch(/^[0-9a-f]{16}$/);
      expect((await streamOf(dir.path, late)).every((e) => typeof e.metadata['hashKeyId'] === 'string')).toBe(true);

      expect(verify(dir.path, ['--unkeyed-before', keySetAt], { LEDGER_CHAIN_KEY: KEY }).status).toBe(0);
      expect(verify(dir.path, [], { LEDGER_CHAIN_KEY: KEY, LEDGER_CHAIN_UNKEYED_BEFORE: keySetAt }).status).toBe(0);
      const strictVerify = verify(dir.path, [], { LEDGER_CHAIN_KEY: KEY });
      expect(strictVerify.status).toBe(1);
      expect(strictVerify.stderr).toMatch(new RegExp(`unkeyed: loyaltyAccount-${early} revision 0 `));

      // A forged plain stream appended now lies beyond the boundary: caught.
      const db = new Database(join(dir.path, 'events.sqlite'));
      const forged = randomUUID();
      const stream = accountStream(forged);
      const [enrolled] = chainEvents(stream, emptyChain, [
        {
          id: randomUUID(),
          type: 'CustomerEnrolled',
          data: { customerId: forged, email: `f-${forged}@example.com`, enrolledAt: '2026-11-20T10:00:00.000Z' },
          metadata: {},
        },
      ]);
      db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, 0, ?, ?, ?, ?)').run(
        stream,
        enrolled!.id,
        enrolled!.type,
        JSON.stringify(enrolled!.data),
        JSON.stringify(enrolled!.metadata),
      );
      db.close();
      const forgedRun = verify(dir.path, ['--unkeyed-before', keySetAt], { LEDGER_CHAIN_KEY: KEY });
      expect(forgedRun.status).toBe(1);
      expect(forgedRun.stderr).toMatch(new RegExp(`unkeyed: loyaltyAccount-${forged} revision 0 `));
    } finally {
      dir.cleanup();
    }
  });
});
