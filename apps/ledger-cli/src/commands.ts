import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import type { EventStore } from '#event-store/event-store.port';
import { loadConfig, type LedgerConfig } from '#runtime/config';
import { OperatorError } from '#runtime/operator-error';
import type { ChainPolicy } from '#event-store/chain-check';
import { AnchorError, appendAnchor, readAnchors, takeAnchor, type Anchor } from '#audit/anchors';
import { connectEventStore, openReadModels } from '#runtime/wiring';
import { accountStream } from '#runtime/streams';
import type { ReadModelDatabase } from '#read-models/database';
import { LEDGER_PROJECTION, readCheckpoint } from '#read-models/projector';
import { rebuildReadModels } from '#read-models/rebuild';
import { migrate } from '#read-models/migrator';
import { verifyChain } from '#audit/verify-chain';
import { reconcile } from '#audit/reconcile';
import { exportRows, serialise, type ExportBasis } from '#audit/export';
import { balanceExport, serialiseBalances } from '#audit/balances-export';
import { runLifecycle } from '../../ledger-api/src/lifecycle/run-lifecycle';
import type { LifecycleCounts } from '../../ledger-api/src/lifecycle/lifecycle-runner';
import { runImport } from '../../ledger-api/src/imports/run-import';
import type { ImportReport } from '../../ledger-api/src/imports/import-engine';
import type { ImportFormat } from '../../ledger-api/src/imports/import-records';
import { runBulkAdjustments } from '../../ledger-api/src/adjustments/run-bulk-adjustments';
import { BulkAdjustmentRowC, type BulkAdjustmentRow } from '../../ledger-api/src/adjustments/bulk-adjustments.controller';
import { deterministicUuid } from '../../ledger-api/src/ledger/ids';
import { reportErrors } from '#ledger-domain/shared/codecs';
import { startProgress, type Progress, type ProgressStream } from './progress';

/**
 * What each command does once its options are parsed and valid. Every function returns the exit
 * code (0 done, 1 failed); usage errors never reach here.
 */
export interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: ProgressStream;
}

export async function rebuild(io: Io, options: { batchSize: number }): Promise<number> {
  return withLedger(io, async (store, database) => {
    const result = await withProgress(
      io,
      { label: 'rebuild' },
      // The rebuild estimates its own total against the head it read first.
      (progress) => rebuildReadModels(store, database, { batchSize: options.batchSize, onProgress: (p) => progress.update(p.events, p.total) }),
      (r) => r.events,
    );
    io.out.write(
      `${JSON.stringify({ rebuilt: LEDGER_PROJECTION, position: result.position.toString(), events: result.events, seconds: Number(result.seconds.toFixed(2)), eventsPerSecond: Math.round(result.events / Math.max(result.seconds, 0.001)) })}\n`,
    );
    return 0;
  });
}

export async function status(io: Io): Promise<number> {
  return withLedger(io, async (store, database) => {
    const [head, checkpoint] = await Promise.all([store.headPosition(), readCheckpoint(database.db, LEDGER_PROJECTION)]);
    io.out.write(
      `${JSON.stringify({ head: head.toString(), projections: [{ name: LEDGER_PROJECTION, checkpoint: checkpoint.toString(), lag: (head - checkpoint).toString() }] }, null, 2)}\n`,
    );
    return 0;
  });
}

export interface VerifyOptions {
  readonly customer: string | undefined;
  /** For logs migrated from elsewhere: unhashed events at the start of a stream are accepted. */
  readonly acceptUnhashedPrefix: boolean;
  /** The chain key's file (else LEDGER_CHAIN_KEY / LEDGER_CHAIN_KEY_FILE). */
  readonly chainKeyFile: string | undefined;
  readonly unkeyedBefore: bigint | undefined;
  /** An anchors file to check history against. */
  readonly anchors: string | undefined;
}

export async function verify(io: Io, options: VerifyOptions): Promise<number> {
  return withLedger(io, async (store, _database, config) => {
    const { customer } = options;
    const chain = options.chainKeyFile === undefined ? config.chain : loadConfig({ LEDGER_CHAIN_KEY_FILE: options.chainKeyFile }).chain;
    const policy: ChainPolicy = {
      key: chain?.key,
      unkeyedBefore: options.unkeyedBefore ?? config.chain?.unkeyedBefore,
      acceptUnhashedPrefix: options.acceptUnhashedPrefix || config.chain?.acceptUnhashedPrefix === true,
    };
    const anchors = options.anchors === undefined ? undefined : readAnchorsOrFail(options.anchors);
    // One customer's stream is read in one go: no progress to show.
    const report =
      customer === undefined
        ? await withProgress(
            io,
            { label: 'verify-chain', head: await store.headPosition() },
            (progress) => verifyChain(store, { ...policy, ...(anchors !== undefined && { anchors }), onProgress: progress.at }),
            (r) => r.events,
          )
        : await verifyChain(store, { ...policy, streams: [accountStream(customer)] });
    for (const f of report.findings) io.err.write(`${f.kind}: ${f.streamName} revision ${f.revision} (position ${f.position}): ${f.detail}\n`);
    const extras = [
      report.keyed > 0 ? `${report.keyed} keyed` : '',
      report.unhashedPrefix > 0 ? `${report.unhashedPrefix} unhashed accepted as a migrated prefix` : '',
      anchors !== undefined ? `${report.anchors} anchor(s) checked` : '',
    ].filter((x) => x !== '');
    io.err.write(
      `${report.events} events in ${report.streams} streams checked${extras.length > 0 ? ` (${extras.join(', ')})` : ''}, ${report.findings.length} finding(s)\n`,
    );
    io.out.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.findings.length === 0 ? 0 : 1;
  });
}

/**
 * Anchors the log as it is now: its head position and the digest of every event up to it, printed
 * as one JSON line and, with `file`, appended to that file (continuing from its last anchor).
 */
export async function anchor(io: Io, options: { file: string | undefined }): Promise<number> {
  return withLedger(io, async (store) => {
    const previous = options.file === undefined ? [] : readAnchorsOrFail(options.file);
    const taken = await takeAnchorOrFail(store, previous[previous.length - 1]);
    if (options.file !== undefined) appendAnchor(options.file, taken);
    io.out.write(`${JSON.stringify(taken)}\n`);
    io.err.write(`anchored ${taken.events} events up to position ${taken.position}${options.file === undefined ? '' : ` in ${options.file}`}\n`);
    return 0;
  });
}

function readAnchorsOrFail(file: string): Anchor[] {
  try {
    return readAnchors(file);
  } catch (error) {
    if (error instanceof AnchorError) throw new OperatorError(error.message);
    throw new OperatorError(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function takeAnchorOrFail(store: EventStore, previous: Anchor | undefined): Promise<Anchor> {
  try {
    return await takeAnchor(store, { previous, now: new Date() });
  } catch (error) {
    if (error instanceof AnchorError) throw new OperatorError(error.message);
    throw error;
  }
}

export async function reconcileCommand(io: Io): Promise<number> {
  return withLedger(io, async (store, database) => {
    const report = await withProgress(
      io,
      { label: 'reconcile', head: await store.headPosition() },
      (progress) => reconcile(store, database, { onProgress: progress.at }),
      (r) => r.events,
    );
    for (const m of report.mismatches) io.err.write(`mismatch: customer ${m.customerId} ${m.field}: ledger ${m.ledger}, projection ${m.projection}\n`);
    io.err.write(`${report.customers} customers, ${report.events} events up to position ${report.checkpoint}; ${report.mismatches.length} mismatch(es)\n`);
    io.out.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.mismatches.length === 0 ? 0 : 1;
  });
}

export interface ExportCommandOptions {
  readonly customer: string | undefined;
  readonly format: 'csv' | 'ndjson';
  readonly asOf: string | undefined;
  readonly basis: ExportBasis;
}

export async function exportCommand(io: Io, options: ExportCommandOptions): Promise<number> {
  return withLedger(io, async (store) => {
    const { customer, format, asOf, basis } = options;
    const rows = exportRows(store, { ...(customer !== undefined && { customerId: customer }), ...(asOf !== undefined && { asOf }), basis });
    let position = 0n;
    const tracked = (async function* () {
      for await (const r of rows) {
        if (typeof r.position === 'string') position = BigInt(r.position);
        yield r;
      }
    })();
    // Progress only for the whole log: one customer's stream is read in one go.
    const header = format === 'csv' ? 1 : 0;
    const entries = await withProgress(
      io,
      { label: 'export', head: customer === undefined ? await store.headPosition() : 0n, unit: 'entries' },
      async (progress) => {
        let lines = 0;
        for await (const chunk of serialise(tracked, format)) {
          if (!io.out.write(chunk)) await new Promise((resolve) => io.out.once('drain', resolve));
          lines += 1;
          if (customer === undefined && lines % 1000 === 0) progress.at(lines - header, position);
        }
        return Math.max(0, lines - header);
      },
      (n) => n,
    );
    io.err.write(`${entries} entries exported\n`);
    return 0;
  });
}

/** Runs `work` with the one progress display; it completes on success and stops on failure. */
async function withProgress<T>(
  io: Io,
  options: { label: string; head?: bigint; unit?: string },
  work: (progress: Progress) => Promise<T>,
  done: (result: T) => number,
): Promise<T> {
  const progress = startProgress(io.err, options);
  try {
    const result = await work(progress);
    progress.finish(done(result));
    return result;
  } finally {
    progress.stop();
  }
}

/** The store (read-only) and the read models, as configured for the API; closed afterwards. */
async function withLedger<T>(io: Io, work: (store: EventStore, database: ReadModelDatabase, config: LedgerConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await connectEventStore(config, { readOnly: true, warn: (message) => io.err.write(`${message}\n`) });
  try {
    const database = openReadModels(config);
    try {
      await migrate(database.db);
      return await work(store, database, config);
    } finally {
      await database.close();
    }
  } finally {
    await store.close();
  }
}

export async function lifecycleRun(io: Io, options: { until: Date }): Promise<number> {
  const report = await runLifecycle(loadConfig(), options.until);
  const line = (name: string, c: LifecycleCounts) => `${name} ${c.applied} (${c.replayed} written before, ${c.skipped} nothing to do, ${c.refused} refused)`;
  io.err.write(
    `lifecycle as of ${report.asOf}: ${line('activated', report.activate)}; ${line('expired', report.expire)}; ${line('tier changes', report.tier)}\n`,
  );
  io.out.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

export interface ImportCommandOptions {
  readonly file: string;
  readonly format: ImportFormat;
  readonly dryRun: boolean;
  /** Where every refused row goes, one JSON line each (line, kind, reason, fields). */
  readonly errors: string | undefined;
  /** Ctrl-C: the CLI passes SIGINT's; tests their own. */
  readonly signal: AbortSignal;
}

/** The actor recorded on what `ledger import` writes (the CLI has no API key). */
export const IMPORT_CLI_ACTOR = 'cli:ledger-import';

/**
 * `ledger import FILE`: streams the file through the import engine. Progress (rows, rate, ETA
 * estimated from the share of the file's bytes read) on stderr, the report as JSON on stdout.
 * Exit 0 when every row was applied or found imported already, 1 otherwise.
 */
export async function importCommand(io: Io, options: ImportCommandOptions): Promise<number> {
  let size: number;
  try {
    size = statSync(options.file).size;
  } catch (error) {
    throw new OperatorError(`${options.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let bytesRead = 0;
  const file = createReadStream(options.file, { highWaterMark: 256 * 1024 });
  const bytes = (async function* () {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      yield chunk;
    }
  })();
  const errors = options.errors === undefined ? undefined : createWriteStream(options.errors, { mode: 0o600 });
  const progress = startProgress(io.err, { label: options.dryRun ? 'import (dry run)' : 'import', unit: 'rows' });
  const settled = (r: ImportReport) => r.rows.applied + r.rows.skipped + r.rows.refused;
  let report: ImportReport;
  try {
    report = await runImport(loadConfig(), bytes, {
      importId: randomUUID(),
      actor: IMPORT_CLI_ACTOR,
      format: options.format,
      dryRun: options.dryRun,
      signal: options.signal,
      progressEvery: 2000,
      onProgress: (r) => progress.update(settled(r), bytesRead === 0 ? settled(r) : Math.round((r.rows.read * size) / bytesRead)),
      ...(errors !== undefined && { onRefusal: (refusal) => errors.write(`${JSON.stringify(refusal)}\n`) }),
    });
    progress.finish(settled(report));
  } finally {
    progress.stop();
    file.destroy();
    if (errors !== undefined) await new Promise((resolve) => errors.end(resolve));
  }
  const { rows, points } = report;
  io.err.write(
    `${report.dryRun ? 'dry run: would apply' : 'applied'} ${rows.applied}, already imported ${rows.skipped}, refused ${rows.refused} of ${rows.read} rows; points ${points.net >= 0 ? '+' : ''}${points.net}` +
      `${report.status === 'completed' ? '' : ` (${report.status}${report.failure === undefined ? '' : `: ${report.failure}`})`}\n`,
  );
  if (report.status === 'stopped') io.err.write('stopped: run the same command again to resume (rows already imported are skipped)\n');
  io.out.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.status === 'completed' && rows.refused === 0 ? 0 : 1;
}

/** The largest file `ledger adjust --file` reads (it is read whole: its hash names the batch). */
const ADJUST_FILE_LIMIT = 64 * 1024 * 1024;

/**
 * `ledger adjust --file FILE`: one ordinary adjustment per NDJSON line
 * `{customerId|email|phone, points, reason, reference?, expires?}`. The batch id derives from the
 * file's content (or --batch), so running the same file again applies nothing twice. A line that
 * does not decode is refused with its number; the others are applied. Prints the outcome per row.
 */
export async function adjustCommand(io: Io, options: { file: string; batch: string | undefined }): Promise<number> {
  let content: Buffer;
  try {
    if (statSync(options.file).size > ADJUST_FILE_LIMIT) throw new OperatorError(`${options.file} is over ${ADJUST_FILE_LIMIT / 1024 / 1024} MiB`);
    content = readFileSync(options.file);
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    throw new OperatorError(`${options.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const rows: BulkAdjustmentRow[] = [];
  const lineOf: number[] = [];
  const refusedLines: { line: number; errors: unknown }[] = [];
  content
    .toString('utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        refusedLines.push({ line: index + 1, errors: [{ path: '(root)', message: 'not JSON' }] });
        return;
      }
      const decoded = BulkAdjustmentRowC.decode(value);
      if (decoded._tag === 'Left') refusedLines.push({ line: index + 1, errors: reportErrors(decoded.left) });
      else {
        rows.push(decoded.right);
        lineOf.push(index + 1);
      }
    });
  const batchId = deterministicUuid('bulk-adjustment-file', options.batch ?? createHash('sha256').update(content).digest('hex'));
  const view = await runBulkAdjustments(loadConfig(), rows, { batchId, actor: 'cli:ledger-adjust' });
  const outcomes = view.rows.map((r) => ({ line: lineOf[r.row], ...r }));
  for (const r of refusedLines) io.err.write(`line ${r.line}: refused: ${JSON.stringify(r.errors)}\n`);
  for (const o of outcomes) if (o.status === 'refused') io.err.write(`line ${o.line}: refused: ${o.type}: ${o.detail}\n`);
  io.err.write(`batch ${batchId}: ${view.applied} applied, ${view.refused + refusedLines.length} refused\n`);
  io.out.write(
    `${JSON.stringify({ batchId, applied: view.applied, refused: view.refused + refusedLines.length, invalid: refusedLines, rows: outcomes }, null, 2)}\n`,
  );
  return view.refused + refusedLines.length === 0 ? 0 : 1;
}

/**
 * `ledger export balances`: one row per customer to stdout (CSV or NDJSON), consistent as of the
 * read models' checkpoint, which is printed on stderr (and is every row's position column).
 */
export async function exportBalancesCommand(io: Io, options: { format: 'csv' | 'ndjson'; asOf: string | undefined }): Promise<number> {
  return withLedger(io, async (store, database) => {
    const { position, rows } = await balanceExport(store, database.db, { ...(options.asOf !== undefined && { asOf: options.asOf }) });
    let customers = 0;
    for await (const chunk of serialiseBalances(rows, options.format)) {
      if (!io.out.write(chunk)) await new Promise((resolve) => io.out.once('drain', resolve));
      customers += 1;
    }
    io.err.write(
      `${customers - (options.format === 'csv' ? 1 : 0)} customers as of position ${position}${options.asOf === undefined ? '' : `, recorded by ${options.asOf}`}\n`,
    );
    return 0;
  });
}
