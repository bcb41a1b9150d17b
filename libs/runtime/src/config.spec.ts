import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('configuration from the environment', () => {
  it('defaults to port 3000 on loopback, ./data and the demo program', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: resolve('./data'),
      demoProgram: true,
      readDbUrl: undefined,
      projector: 'inline',
      reactions: 'inline',
      lifecycle: 'inline',
      lifecycleIntervalMs: 10_000,
      apiKeys: [],
      environment: 'development',
      rateLimitPerSecond: 500,
      logFormat: 'auto',
      store: { kind: 'embedded' },
    });
  });

  it('reads PORT, HOST, LEDGER_DATA_DIR and LEDGER_DEMO_PROGRAM', () => {
    expect(loadConfig({ PORT: '8080', HOST: '0.0.0.0', LEDGER_DATA_DIR: '/var/lib/ledger', LEDGER_DEMO_PROGRAM: 'false' })).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/ledger',
      demoProgram: false,
      readDbUrl: undefined,
      projector: 'inline',
      reactions: 'inline',
      lifecycle: 'inline',
      lifecycleIntervalMs: 10_000,
      apiKeys: [],
      environment: 'development',
      rateLimitPerSecond: 500,
      logFormat: 'auto',
      store: { kind: 'embedded' },
    });
  });

  it('names every bad variable and the expected type, without echoing the value', () => {
    const attempt = () => loadConfig({ PORT: 'eighty-canary', LEDGER_DEMO_PROGRAM: 'yes-canary' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT: expected port number 1-65535');
      expect(message).toContain('LEDGER_DEMO_PROGRAM: expected "true" or "false"');
      expect(message).not.toContain('canary');
    }
  });

  it('takes a PostgreSQL URL for the read models and names a bad one without echoing it', () => {
    expect(loadConfig({ LEDGER_READ_DB_URL: 'postgres://ledger@db:5432/reads' }).readDbUrl).toBe('postgres://ledger@db:5432/reads');
    expect(() => loadConfig({ LEDGER_READ_DB_URL: 'mysql://secret-canary' })).toThrow(/LEDGER_READ_DB_URL: expected postgres/);
    expect(() => loadConfig({ LEDGER_READ_DB_URL: 'mysql://secret-canary' })).not.toThrow(/canary/);
  });

  it('runs the projector inline unless told it runs elsewhere', () => {
    expect(loadConfig({ LEDGER_PROJECTOR: 'off' }).projector).toBe('off');
    expect(() => loadConfig({ LEDGER_PROJECTOR: 'sometimes' })).toThrow(/LEDGER_PROJECTOR/);
  });

  it('runs the program-rule reactions inline unless turned off', () => {
    expect(loadConfig({ LEDGER_REACTIONS: 'off' }).reactions).toBe('off');
    expect(() => loadConfig({ LEDGER_REACTIONS: 'later' })).toThrow(/LEDGER_REACTIONS/);
  });

  it('refuses port 0 and ports above 65535', () => {
    expect(() => loadConfig({ PORT: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('selects EventStoreDB with its connection string, and never falls back to the embedded store without one', () => {
    expect(loadConfig({ LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' }).store).toEqual({
      kind: 'eventstoredb',
      connectionString: 'esdb://localhost:2113?tls=false',
    });
    expect(() => loadConfig({ LEDGER_STORE: 'eventstoredb' })).toThrow(/EVENTSTORE_CONNECTION_STRING: required when LEDGER_STORE=eventstoredb/);
    expect(() => loadConfig({ LEDGER_STORE: 'mongodb' })).toThrow(/LEDGER_STORE/);
    expect(() => loadConfig({ LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://canary-host' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING: expected esdb/,
    );
    expect(() => loadConfig({ EVENTSTORE_CONNECTION_STRING: 'http://canary-host' })).not.toThrow(/canary/);
  });
  it('reads LEDGER_LOG_FORMAT (auto, json, pretty) and names a bad one', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ LEDGER_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LEDGER_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LEDGER_LOG_FORMAT: 'xml' })).toThrow(/LEDGER_LOG_FORMAT: expected/);
  });

  describe('the hash chain', () => {
    const KEY = 'chain-key-canary-0123456789abcdef0123';
    it('is unkeyed and strict by default', () => {
      expect(loadConfig({}).chain).toBeUndefined();
      expect(loadConfig({ LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX: 'true' }).chain).toEqual({
        key: undefined,
        unkeyedBefore: undefined,
        acceptUnhashedPrefix: true,
      });
    });

    it('takes the key from LEDGER_CHAIN_KEY or from LEDGER_CHAIN_KEY_FILE (one trailing newline dropped), the same key either way', () => {
      const dir = mkdtempSync(join(tmpdir(), 'chain-key-'));
      try {
        const file = join(dir, 'key');
        writeFileSync(file, `${KEY}\n`, { mode: 0o600 });
        const fromEnv = loadConfig({ LEDGER_CHAIN_KEY: KEY, LEDGER_CHAIN_UNKEYED_BEFORE: '42' }).chain;
        const fromFile = loadConfig({ LEDGER_CHAIN_KEY_FILE: file }).chain;
        expect(fromEnv?.key?.id).toMatch(/^[0-9a-f]{16}$/);
        expect(fromFile?.key?.id).toBe(fromEnv?.key?.id);
        expect(fromEnv?.unkeyedBefore).toBe(42n);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('names a bad chain setting without echoing the key', () => {
      const attempts = [
        () => loadConfig({ LEDGER_CHAIN_KEY: 'short-canary' }),
        () => loadConfig({ LEDGER_CHAIN_KEY: KEY, LEDGER_CHAIN_KEY_FILE: '/nonexistent' }),
        () => loadConfig({ LEDGER_CHAIN_KEY_FILE: '/nonexistent/canary' }),
        () => loadConfig({ LEDGER_CHAIN_UNKEYED_BEFORE: '10' }),
        () => loadConfig({ LEDGER_CHAIN_KEY: KEY, LEDGER_CHAIN_UNKEYED_BEFORE: 'yesterday-canary' }),
      ];
      for (const attempt of attempts) {
        expect(attempt).toThrow(ConfigError);
        expect(attempt).toThrow(/LEDGER_CHAIN_/);
        expect(attempt).not.toThrow(/canary/);
      }
    });
  });
});
