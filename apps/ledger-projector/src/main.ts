import { loadConfig } from '#runtime/config';
import { OperatorError } from '#runtime/operator-error';
import { connectEventStore, openReadModels } from '#runtime/wiring';
import { Projector } from '#read-models/projector';
import { migrate } from '#read-models/migrator';
import { projectorOptions } from './projector-options';
import { ProjectorLock, projectorLockKey } from './projector-lock';

/**
 * ledger-projector: the projector as its own process, as production runs it (with the API
 * started with LEDGER_PROJECTOR=off). Polls the event store, applies batches with their
 * checkpoint in one transaction, stops cleanly on SIGTERM/SIGINT. Killing it at any point is
 * safe: the next start carries on from the last committed checkpoint.
 *
 * With the read models on PostgreSQL, any number may run: the one holding the projection's
 * advisory lock projects, the others stand by and take over when its session ends. On SQLite
 * (one file on one host) run exactly one.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const { batchSize, pollIntervalMs, lockRetryMs } = projectorOptions();
  const store = await connectEventStore(config, { readOnly: true, warn: log });
  const database = openReadModels(config);
  await migrate(database.db);
  const projector = new Projector(store, database, { batchSize, pollIntervalMs });
  projector.onProgress(({ position }) => {
    if (process.send) process.send({ checkpoint: position.toString() });
  });
  const lock = config.readDbUrl === undefined ? undefined : new ProjectorLock(config.readDbUrl, projectorLockKey(projector.name), lockRetryMs);
  log(`ledger-projector started (read models: ${database.dialect}, batch ${batchSize}, poll ${pollIntervalMs} ms)`);

  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    if (lock === undefined) {
      projector.start();
      log('active (SQLite read models: run one ledger-projector per data directory)', { role: 'active' });
      return;
    }
    let standingBy = false;
    while (!stopping) {
      let lost: ((reason: string) => void) | undefined;
      const whenLost = new Promise<string>((resolve) => (lost = resolve));
      let held = false;
      try {
        held = await lock.tryAcquire((reason) => lost!(reason));
      } catch (error) {
        log(`cannot reach PostgreSQL for the projector lock (${error instanceof Error ? error.message : String(error)}); retrying in ${lockRetryMs} ms`, {
          role: 'standby',
        });
      }
      if (stopping) break;
      if (held) {
        standingBy = false;
        projector.start();
        log(`active: holds the projector lock (advisory lock ${lock.key}) and projects`, { role: 'active' });
        const reason = await Promise.race([whenLost, new Promise<undefined>((resolve) => (wake = () => resolve(undefined)))]);
        if (reason === undefined) break; // shutting down
        log(`lost the projector lock: ${reason}; stopping and standing by`, { role: 'standby' });
        await projector.stop();
        continue;
      }
      if (!standingBy) {
        standingBy = true;
        log(`standby: another ledger-projector holds the projector lock (advisory lock ${lock.key}); retrying every ${lockRetryMs} ms`, { role: 'standby' });
      }
      await pause(lockRetryMs);
    }
  };
  const running = run();

  const shutdown = async (signal: string) => {
    log(`${signal}: stopping after the current batch`);
    stopping = true;
    wake?.();
    await running;
    await projector.stop();
    // Only now, with no batch in flight, may a standby take over.
    await lock?.release();
    await database.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function log(message: string, fields: Record<string, string> = {}): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), service: 'ledger-projector', ...fields, message })}\n`);
}

main().catch((error: unknown) => {
  // An operator's problem (configuration, data directory, unreachable store): one line, no stack trace.
  console.error(error instanceof OperatorError ? error.message : error);
  process.exit(1);
});
