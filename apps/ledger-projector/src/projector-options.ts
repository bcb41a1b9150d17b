import { ConfigError } from '#runtime/config';

export interface ProjectorProcessOptions {
  /** Events read and applied per transaction. */
  readonly batchSize: number;
  /** How often the store is polled for appends made by the API processes. */
  readonly pollIntervalMs: number;
  /** PostgreSQL read models: how often a standby tries for the lock (and the active one checks its connection). */
  readonly lockRetryMs: number;
}

const SETTINGS = {
  batchSize: { variable: 'LEDGER_PROJECTOR_BATCH_SIZE', fallback: 1000, min: 1, max: 100_000 },
  pollIntervalMs: { variable: 'LEDGER_PROJECTOR_POLL_MS', fallback: 200, min: 1, max: 3_600_000 },
  lockRetryMs: { variable: 'LEDGER_PROJECTOR_LOCK_RETRY_MS', fallback: 5_000, min: 10, max: 3_600_000 },
} as const;

/** The environment variables only ledger-projector reads (the shared ones are in libs/runtime/src/config.ts). */
export const PROJECTOR_VARIABLES: readonly string[] = Object.values(SETTINGS).map((s) => s.variable);

/** The projector process's own settings, checked like the shared configuration (naming the variable, never echoing the value). */
export function projectorOptions(env: NodeJS.ProcessEnv = process.env): ProjectorProcessOptions {
  const problems: string[] = [];
  const read = ({ variable, fallback, min, max }: (typeof SETTINGS)[keyof typeof SETTINGS]): number => {
    const text = env[variable];
    if (text === undefined || text === '') return fallback;
    const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
    if (value >= min && value <= max) return value;
    problems.push(`  ${variable}: expected an integer from ${min} to ${max}`);
    return fallback;
  };
  const options = { batchSize: read(SETTINGS.batchSize), pollIntervalMs: read(SETTINGS.pollIntervalMs), lockRetryMs: read(SETTINGS.lockRetryMs) };
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return options;
}
