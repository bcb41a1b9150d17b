#!/usr/bin/env node
import { estimateTotalEvents } from '#event-store/log-progress';
import { ConfigError, loadConfig } from '#runtime/config';
import { connectEventStore, openReadModels } from '#runtime/wiring';
import { OperatorError } from '#runtime/operator-error';
import { LEDGER_PROJECTION, readCheckpoint } from '#read-models/projector';
import { rebuildReadModels, type RebuildProgress } from '#read-models/rebuild';
import { migrate } from '#read-models/migrator';
import { verifyChain } from '#audit/verify-chain';
import { reconcile } from '#audit/reconcile';
import { exportRows, serialise } from '#audit/export';
import { parseInstant } from '#ledger-domain/shared/time';
import { accountStream } from '#runtime/streams';

/**
 * `npm run ledger -- <command>` (or the `ledger` bin). Same configuration variables as the API.
 * Exit codes: 0 done, 1 failed, 2 usage error.
 */
const USAGE = `Usage: ledger <command>

Commands:
  projections rebuild   Rebuild every read model from position 0 into fresh tables, then swap them in.
  projections status    Show each projection's checkpoint, the store's head and the lag.
  audit verify-chain    Walk the hash chain of every stream (or one customer's) and report tampering.
  audit reconcile       Replay every customer's ledger and compare it with the read models.
  audit export          Stream ledger entries as CSV or NDJSON (one customer or all), as of any instant.

Options:
  --help                Show help for a command.

Configuration comes from the environment, as for the API: LEDGER_DATA_DIR, LEDGER_READ_DB_URL.`;

const HELP: Record<string, string> = {
  'projections rebuild': `Usage: ledger projections rebuild [--batch-size N]

Replays the whole event log into new read-model tables and swaps them in atomically: readers see
the old tables until the swap, never a half-built model. A running projector carries on from the
rebuilt checkpoint. Shows events done, rate and ETA while it runs.

Options:
  --batch-size N   events per transaction (default 5000)`,
  'projections status': `Usage: ledger projections status

Prints JSON: the store's head position and each projection's checkpoint and lag.`,
  'audit verify-chain': `Usage: ledger audit verify-chain [--customer ID | --all]

Recomputes every event's SHA-256 and checks that each links to the one before it in its stream.
Reports altered, removed, inserted or reordered events with their stream and revision, and prints
a digest of all stream heads: record it, and a later run that differs shows history was rewritten.

Exit codes: 0 the chain is intact, 1 tampering found (or a failure), 2 usage error.

Options:
  --customer ID   only that customer's ledger stream
  --all           every stream in the log (default)`,
  'audit reconcile': `Usage: ledger audit reconcile

Replays every customer's events up to the projection's checkpoint with the domain's own fold and
compares balances, lifetime totals and visit counts with customer_balances and
customer_visit_stats. Prints each mismatch on stderr and the report as JSON on stdout.

Exit codes: 0 everything matches, 1 mismatches found (or a failure), 2 usage error.`,
  'audit export': `Usage: ledger audit export (--customer ID | --all) [--format csv|ndjson] [--as-of ISO] [--basis recorded|occurred]

Streams one row per ledger entry to stdout (columns in docs/audit.md), with the running balance.
--as-of keeps entries recorded by then (basis recorded, the default) or that happened by then
(basis occurred, in business-time order). Progress goes to stderr.`,
};

export async function run(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  // Option values (`--customer ID`) are not command words.
  const words = argv.filter(
    (a, i) => !a.startsWith('--') && !(i > 0 && ['--customer', '--batch-size', '--format', '--as-of', '--basis'].includes(argv[i - 1]!)),
  );
  const command = words.slice(0, 2).join(' ');
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(`${HELP[command] ?? USAGE}\n`);
    return 0;
  }
  if (!(command in HELP)) {
    err.write(`${command === '' ? 'No command given.' : `Unknown command: ${command}`}\n\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const store = await connectEventStore(config, { readOnly: true, warn: (message) => err.write(`${message}\n`) });
  const database = openReadModels(config);
  try {
    await migrate(database.db);
    if (command === 'projections status') {
      const [head, checkpoint] = await Promise.all([store.headPosition(), readCheckpoint(database.db, LEDGER_PROJECTION)]);
      out.write(
        `${JSON.stringify({ head: head.toString(), projections: [{ name: LEDGER_PROJECTION, checkpoint: checkpoint.toString(), lag: (head - checkpoint).toString() }] }, null, 2)}\n`,
      );
      return 0;
    }
    if (command === 'audit verify-chain') {
      const customer = optionText(argv, '--customer');
      const progress = countingProgress(err, await store.headPosition());
      const report = await verifyChain(store, customer === undefined ? { onProgress: progress.at } : { streams: [accountStream(customer)] });
      progress.done();
      for (const f of report.findings) err.write(`${f.kind}: ${f.streamName} revision ${f.revision} (position ${f.position}): ${f.detail}\n`);
      err.write(`${report.events} events in ${report.streams} streams checked, ${report.findings.length} finding(s)\n`);
      out.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.findings.length === 0 ? 0 : 1;
    }
    if (command === 'audit reconcile') {
      const progress = countingProgress(err, await store.headPosition());
      const report = await reconcile(store, database, { onProgress: progress.at });
      progress.done();
      for (const m of report.mismatches) err.write(`mismatch: customer ${m.customerId} ${m.field}: ledger ${m.ledger}, projection ${m.projection}\n`);
      err.write(`${report.customers} customers, ${report.events} events up to position ${report.checkpoint}; ${report.mismatches.length} mismatch(es)\n`);
      out.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.mismatches.length === 0 ? 0 : 1;
    }
    if (command === 'audit export') {
      const customer = optionText(argv, '--customer');
      if ((customer === undefined) === !argv.includes('--all')) throw new UsageError('give exactly one of --customer ID or --all');
      const format = optionChoice(argv, '--format', ['csv', 'ndjson'] as const) ?? 'csv';
      const basis = optionChoice(argv, '--basis', ['recorded', 'occurred'] as const) ?? 'recorded';
      const asOfText = optionRaw(argv, '--as-of');
      const asOf = asOfText === undefined ? undefined : parseInstant(asOfText);
      if (asOfText !== undefined && asOf === undefined) throw new UsageError('--as-of expects an ISO 8601 date-time with offset');
      const rows = exportRows(store, { ...(customer !== undefined && { customerId: customer }), ...(asOf !== undefined && { asOf }), basis });
      let count = 0;
      let position = 0n;
      const progress = countingProgress(err, customer === undefined ? await store.headPosition() : 0n);
      const tracked = (async function* () {
        for await (const r of rows) {
          if (typeof r.position === 'string') position = BigInt(r.position);
          yield r;
        }
      })();
      for await (const chunk of serialise(tracked, format)) {
        if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
        count += 1;
        if (customer === undefined && count % 1000 === 0) progress.at(count, position);
      }
      progress.done();
      err.write(`${Math.max(0, count - (format === 'csv' ? 1 : 0))} entries exported\n`);
      return 0;
    }
    const batchSize = optionNumber(argv, '--batch-size') ?? 5000;
    const progress = progressLine(err);
    const result = await rebuildReadModels(store, database, { batchSize, onProgress: progress.update });
    progress.done();
    out.write(
      `${JSON.stringify({ rebuilt: LEDGER_PROJECTION, position: result.position.toString(), events: result.events, seconds: Number(result.seconds.toFixed(2)), eventsPerSecond: Math.round(result.events / Math.max(result.seconds, 0.001)) })}\n`,
    );
    return 0;
  } finally {
    await database.close();
    await store.close();
  }
}

function optionNumber(argv: readonly string[], name: string): number | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new UsageError(`${name} expects an integer from 1 to 100000`);
  return value;
}

function optionText(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--') || !/^[A-Za-z0-9-]{1,100}$/.test(value)) throw new UsageError(`${name} expects a value`);
  return value.toLowerCase();
}

function optionRaw(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} expects a value`);
  return value;
}

function optionChoice<T extends string>(argv: readonly string[], name: string, choices: readonly T[]): T | undefined {
  const value = optionRaw(argv, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${name} expects one of ${choices.join(', ')}`);
  return value as T;
}

class UsageError extends Error {}

/** Progress for work that counts events against an estimated total (the store's head). */
function countingProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, head: bigint) {
  const line = progressLine(stream);
  const started = Date.now();
  return {
    at(events: number, position?: bigint) {
      const total = position === undefined ? events : estimateTotalEvents(events, position, head);
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? events / seconds : 0;
      line.update({ events, total: Math.max(total, events), eventsPerSecond: rate, etaSeconds: rate > 0 ? Math.max(0, (total - events) / rate) : undefined });
    },
    done: line.done,
  };
}

/** One progress line, redrawn in place on a terminal, printed every few seconds otherwise. */
function progressLine(stream: NodeJS.WritableStream & { isTTY?: boolean }) {
  let lastPrint = 0;
  const tty = stream.isTTY === true;
  return {
    update(p: RebuildProgress) {
      const now = Date.now();
      if (!tty && now - lastPrint < 2000) return;
      lastPrint = now;
      const share = p.total > 0 ? Math.min(1, p.events / p.total) : 1;
      const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
      const eta = p.etaSeconds === undefined ? '?' : `${Math.ceil(p.etaSeconds)} s`;
      const line = `[${bar}] ${p.events}/${p.total} events  ${Math.round(p.eventsPerSecond)}/s  ETA ${eta}`;
      stream.write(tty ? `\r${line}` : `${line}\n`);
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}

if (require.main === module) {
  run(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      // Usage and configuration: exit 2. Other operator problems (data directory, unreachable store): one line, exit 1.
      if (error instanceof ConfigError || error instanceof UsageError) {
        console.error(error.message);
        process.exit(2);
      }
      if (error instanceof OperatorError) {
        console.error(error.message);
        process.exit(1);
      }
      console.error(error);
      process.exit(1);
    });
}
