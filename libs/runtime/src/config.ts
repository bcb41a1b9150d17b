import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chainKey, MIN_CHAIN_KEY_BYTES, type ChainKey } from '#event-store/hash-chain';
import { reportErrors } from '#ledger-domain/shared/codecs';
import { ApiKeyConfigError, parseApiKeys, type ApiKey } from './api-keys';
import { OperatorError } from './operator-error';

/** A decimal string from the environment turned into a number within bounds. */
const IntFromEnv = (name: string, min: number, max: number) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      if (typeof u !== 'string' || !/^\d{1,9}$/.test(u)) return t.failure(u, c);
      const n = Number(u);
      return n >= min && n <= max ? t.success(n) : t.failure(u, c);
    },
    String,
  );

const BooleanFromEnv = new t.Type<boolean, string, unknown>(
  '"true" or "false"',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (u === 'true' ? t.success(true) : u === 'false' ? t.success(false) : t.failure(u, c)),
  String,
);

const EnvC = t.partial({
  PORT: IntFromEnv('port number 1-65535', 1, 65535),
  HOST: t.string,
  LEDGER_DATA_DIR: t.string,
  LEDGER_DEMO_PROGRAM: BooleanFromEnv,
  LEDGER_DEMO_DATA: BooleanFromEnv,
  LEDGER_READ_DB_URL: new t.Type<string, string, unknown>(
    'postgres:// or postgresql:// connection URL',
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' && /^postgres(ql)?:\/\/\S+$/.test(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  ),
  LEDGER_PROJECTOR: t.keyof({ inline: null, off: null }),
  LEDGER_REACTIONS: t.keyof({ inline: null, off: null }),
  LEDGER_LIFECYCLE: t.keyof({ inline: null, off: null }),
  LEDGER_LIFECYCLE_INTERVAL_MS: IntFromEnv('milliseconds from 100 to 3600000', 100, 3_600_000),
  LEDGER_API_KEYS: t.string,
  LEDGER_RATE_LIMIT: IntFromEnv('requests per second per key, 0 for none', 0, 1_000_000),
  LEDGER_ENV: t.keyof({ development: null, production: null }),
  LEDGER_STORE: t.keyof({ embedded: null, eventstoredb: null }),
  LEDGER_LOG_FORMAT: t.keyof({ auto: null, json: null, pretty: null }),
  LEDGER_CHAIN_KEY: t.string,
  LEDGER_CHAIN_KEY_FILE: t.string,
  LEDGER_CHAIN_UNKEYED_BEFORE: new t.Type<bigint, string, unknown>(
    'a log position (decimal digits)',
    (u): u is bigint => typeof u === 'bigint',
    (u, c) => (typeof u === 'string' && /^\d{1,40}$/.test(u) ? t.success(BigInt(u)) : t.failure(u, c)),
    String,
  ),
  LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX: BooleanFromEnv,
  EVENTSTORE_CONNECTION_STRING: new t.Type<string, string, unknown>(
    'esdb:// or esdb+discover:// connection string',
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' && /^esdb(\+discover)?:\/\/\S+$/.test(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  ),
});

export interface LedgerConfig {
  readonly port: number;
  /** Loopback by default: until API keys land, nothing but this machine should reach the API. */
  readonly host: string;
  /** Where the embedded store keeps its files. */
  readonly dataDir: string;
  /** Configure the default program on first start when none exists. */
  readonly demoProgram: boolean;
  /** Write the demo customers and their history at start-up (idempotent; never in production). Absent: false. */
  readonly demoData?: boolean;
  /** PostgreSQL for the read models; unset: a SQLite file in the data directory. */
  readonly readDbUrl: string | undefined;
  /** "inline": the API runs the projector itself (embedded default); "off": a separate ledger-projector does. */
  readonly projector: 'inline' | 'off';
  /** "inline": the API runs the program-rule reactions (rewards, cashback) from the event log; "off": not here. */
  readonly reactions: 'inline' | 'off';
  /** "inline": the API runs the lifecycle runner (activations of pending points); "off": not here (another process or `ledger lifecycle run`). */
  readonly lifecycle: 'inline' | 'off';
  /** How often the inline lifecycle runner looks for what is due. */
  readonly lifecycleIntervalMs: number;
  /** Keys from LEDGER_API_KEYS; more may come from the keys file in the data directory. */
  readonly apiKeys: readonly ApiKey[];
  /** Requests per second per API key (bursts of twice that); 0: no limit. */
  readonly rateLimitPerSecond: number;
  /** production: refuse to start without API keys (no first-start admin key). */
  readonly environment: 'development' | 'production';
  /** "auto": readable lines on a terminal, JSON otherwise; "json" always; "pretty" always (not in production). */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** The store of record: the embedded SQLite file (default) or EventStoreDB. */
  readonly store: { readonly kind: 'embedded' } | { readonly kind: 'eventstoredb'; readonly connectionString: string };
  /** How the hash chain is made and checked; absent: no key, every event must carry a plain SHA-256 hash. */
  readonly chain?: ChainSettings | undefined;
}

/** The hash chain's settings (docs/audit.md, "Keyed chain"). */
export interface ChainSettings {
  /** LEDGER_CHAIN_KEY or LEDGER_CHAIN_KEY_FILE: events are hashed (and checked) with HMAC-SHA256 under it. */
  readonly key?: ChainKey | undefined;
  /** LEDGER_CHAIN_UNKEYED_BEFORE: with a key, plain SHA-256 events up to this position predate it and are accepted. */
  readonly unkeyedBefore?: bigint | undefined;
  /** LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX: for logs migrated from elsewhere, accept unhashed events at the start of a stream. */
  readonly acceptUnhashedPrefix?: boolean | undefined;
}

export class ConfigError extends OperatorError {}

/** Decodes the configuration from the environment, naming every bad variable (never its value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const decoded = EnvC.decode(present);
  if (E.isLeft(decoded)) {
    const lines = reportErrors(decoded.left).map((e) => `  ${e.path}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = decoded.right;
  if (c.LEDGER_DEMO_DATA === true && c.LEDGER_ENV === 'production') {
    throw new ConfigError('LEDGER_DEMO_DATA=true is refused in production (LEDGER_ENV=production): demo customers must not reach a real ledger.');
  }
  return {
    port: c.PORT ?? 3000,
    host: c.HOST ?? '127.0.0.1',
    dataDir: resolve(c.LEDGER_DATA_DIR ?? './data'),
    demoProgram: c.LEDGER_DEMO_PROGRAM ?? true,
    // Only when asked for: a configuration without demo data reads exactly as before the flag existed.
    ...(c.LEDGER_DEMO_DATA === true && { demoData: true }),
    readDbUrl: c.LEDGER_READ_DB_URL,
    projector: c.LEDGER_PROJECTOR ?? 'inline',
    reactions: c.LEDGER_REACTIONS ?? 'inline',
    lifecycle: c.LEDGER_LIFECYCLE ?? 'inline',
    lifecycleIntervalMs: c.LEDGER_LIFECYCLE_INTERVAL_MS ?? 10_000,
    apiKeys: apiKeysFrom(c.LEDGER_API_KEYS),
    environment: c.LEDGER_ENV ?? 'development',
    rateLimitPerSecond: c.LEDGER_RATE_LIMIT ?? 500,
    logFormat: c.LEDGER_LOG_FORMAT ?? 'auto',
    store: storeFrom(c.LEDGER_STORE, c.EVENTSTORE_CONNECTION_STRING),
    chain: chainFrom(c.LEDGER_CHAIN_KEY, c.LEDGER_CHAIN_KEY_FILE, c.LEDGER_CHAIN_UNKEYED_BEFORE, c.LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX),
  };
}

/** Undefined when nothing is set (the defaults). Errors name the variable, never the key or the file's content. */
function chainFrom(keyText: string | undefined, keyFile: string | undefined, unkeyedBefore: bigint | undefined, acceptUnhashedPrefix: boolean | undefined) {
  if (keyText === undefined && keyFile === undefined && unkeyedBefore === undefined && acceptUnhashedPrefix === undefined) return undefined;
  if (keyText !== undefined && keyFile !== undefined)
    throw new ConfigError('Invalid configuration:\n  LEDGER_CHAIN_KEY, LEDGER_CHAIN_KEY_FILE: give one, not both');
  let secret: Buffer | undefined;
  if (keyText !== undefined) secret = Buffer.from(keyText, 'utf8');
  if (keyFile !== undefined) {
    try {
      // One trailing newline is an editor's, not the key's.
      secret = readFileSync(keyFile);
      if (secret.at(-1) === 0x0a) secret = secret.subarray(0, secret.at(-2) === 0x0d ? -2 : -1);
    } catch (error) {
      throw new ConfigError(`Invalid configuration:\n  LEDGER_CHAIN_KEY_FILE: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (secret !== undefined && secret.length < MIN_CHAIN_KEY_BYTES) {
    const name = keyText !== undefined ? 'LEDGER_CHAIN_KEY' : 'LEDGER_CHAIN_KEY_FILE';
    throw new ConfigError(`Invalid configuration:\n  ${name}: expected a key of at least ${MIN_CHAIN_KEY_BYTES} bytes`);
  }
  if (unkeyedBefore !== undefined && secret === undefined) {
    throw new ConfigError('Invalid configuration:\n  LEDGER_CHAIN_UNKEYED_BEFORE: only means something with LEDGER_CHAIN_KEY or LEDGER_CHAIN_KEY_FILE');
  }
  return { key: secret === undefined ? undefined : chainKey(secret), unkeyedBefore, acceptUnhashedPrefix: acceptUnhashedPrefix ?? false };
}

function storeFrom(kind: 'embedded' | 'eventstoredb' | undefined, connectionString: string | undefined): LedgerConfig['store'] {
  if (kind !== 'eventstoredb') return { kind: 'embedded' };
  // Never fall back to the embedded store: that would split the ledger across two stores.
  if (connectionString === undefined) {
    throw new ConfigError('Invalid configuration:\n  EVENTSTORE_CONNECTION_STRING: required when LEDGER_STORE=eventstoredb');
  }
  return { kind: 'eventstoredb', connectionString };
}

function apiKeysFrom(text: string | undefined): ApiKey[] {
  try {
    return text === undefined ? [] : parseApiKeys(text);
  } catch (error) {
    if (error instanceof ApiKeyConfigError) throw new ConfigError(`Invalid configuration:\n  ${error.message}`);
    throw error;
  }
}
