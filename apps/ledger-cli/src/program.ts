import { Command, InvalidArgumentError, Option } from 'commander';
import { FUTURE_SKEW_MS, parseInstant } from '#ledger-domain/shared/time';
import {
  adjustCommand,
  anchor,
  exportBalancesCommand,
  exportCommand,
  importCommand,
  lifecycleRun,
  reconcileCommand,
  rebuild,
  status,
  verify,
  type Io,
} from './commands';

/**
 * The `ledger` command line, declared with commander. Parsing only: each action validates what
 * commander cannot, then hands over to ./commands. `setExitCode` receives the action's result.
 */
export function ledgerProgram(io: Io, setExitCode: (code: number) => void): Command {
  // Set when an error message was printed, so the help after it is not taken for "no command".
  let errorShown = false;
  const program = new Command('ledger')
    .usage('<command> [options]')
    .description('Operate a loyalty ledger: rebuild and inspect the read models, audit the event log.')
    // Before any subcommand is declared: commander copies these settings into each one.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
      outputError: (text, write) => {
        errorShown = true;
        write(text);
      },
    })
    .showHelpAfterError()
    .helpOption('-h, --help', 'show help for the command')
    // `--help` on every command is the one way; a `help` command word would only be a second.
    .helpCommand(false)
    .configureHelp({
      // Commands are listed by their full name ("projections rebuild"), as they are typed.
      visibleCommands: (cmd) => cmd.commands.flatMap((sub) => (sub.commands.length > 0 ? sub.commands : [sub])),
      subcommandTerm: (cmd) => (cmd.parent?.parent ? `${cmd.parent.name()} ${cmd.name()}` : cmd.name()),
    })
    .addHelpText('beforeAll', (context) => (context.error && !errorShown ? 'error: no command given\n' : ''))
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment, as for the API:\n  LEDGER_DATA_DIR, LEDGER_READ_DB_URL, LEDGER_STORE, EVENTSTORE_CONNECTION_STRING,\n  LEDGER_CHAIN_KEY or LEDGER_CHAIN_KEY_FILE, LEDGER_CHAIN_UNKEYED_BEFORE, LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX.\n\n' +
        'Exit codes: 0 done, 1 failed, 2 usage or configuration error.',
    );

  const done = (code: Promise<number>) => code.then(setExitCode);

  const projections = program.command('projections').usage('<command> [options]').description('Rebuild the read models, or show how far behind they are.');

  projections
    .command('rebuild')
    .usage('[--batch-size N]')
    .summary('Rebuild every read model from position 0 into fresh tables, then swap them in.')
    .description(
      'Replays the whole event log into new read-model tables and swaps them in atomically: readers see the old tables until the swap, never a half-built model. ' +
        'A running projector carries on from the rebuilt checkpoint. Shows events done, rate and ETA while it runs.',
    )
    .addOption(new Option('--batch-size <N>', 'events per transaction').argParser(batchSize).default(5000))
    .action((options: { batchSize: number }) => done(rebuild(io, options)));

  projections
    .command('status')
    .summary("Show each projection's checkpoint, the store's head and the lag.")
    .description("Prints JSON: the store's head position and each projection's checkpoint and lag.")
    .action(() => done(status(io)));

  const audit = program.command('audit').usage('<command> [options]').description('Check the event log and the read models, or export the ledger.');

  audit
    .command('verify-chain')
    .usage('[--customer ID | --all] [--anchors FILE] [--chain-key-file FILE] [--unkeyed-before POSITION] [--accept-unhashed-prefix]')
    .summary("Walk the hash chain of every stream (or one customer's) and report tampering.")
    .description(
      "Recomputes every event's hash (SHA-256, or HMAC-SHA256 under the chain key) and checks that each links to the one before it in its stream. " +
        'Reports altered, removed, inserted, reordered and unhashed events with their stream and revision, and prints a digest of all stream heads. ' +
        'With --anchors, also checks that the history up to every anchor (ledger audit anchor) is unchanged: this shows a cut tail or a recomputed chain. ' +
        'The chain key comes from LEDGER_CHAIN_KEY or LEDGER_CHAIN_KEY_FILE, or --chain-key-file.',
    )
    .addOption(new Option('--customer <ID>', "only that customer's ledger stream").conflicts(['all', 'anchors']))
    .addOption(new Option('--all', 'every stream in the log (default)'))
    .addOption(new Option('--anchors <FILE>', 'check the history against the anchors in this file'))
    .addOption(new Option('--chain-key-file <FILE>', 'the chain key, for a keyed chain (instead of LEDGER_CHAIN_KEY_FILE)'))
    .addOption(
      new Option('--unkeyed-before <POSITION>', 'with a key: plain SHA-256 events up to this position predate the key (LEDGER_CHAIN_UNKEYED_BEFORE)').argParser(
        position,
      ),
    )
    .addOption(
      new Option(
        '--accept-unhashed-prefix',
        'for logs migrated from elsewhere: accept unhashed events at the start of a stream (LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX)',
      ),
    )
    .addHelpText('after', '\nExit codes: 0 the chain is intact, 1 tampering found (or a failure), 2 usage error.')
    .action((options: { customer?: string; anchors?: string; chainKeyFile?: string; unkeyedBefore?: bigint; acceptUnhashedPrefix?: true }, command: Command) =>
      done(
        verify(io, {
          customer: customerId(command, options.customer),
          anchors: options.anchors,
          chainKeyFile: options.chainKeyFile,
          unkeyedBefore: options.unkeyedBefore,
          acceptUnhashedPrefix: options.acceptUnhashedPrefix === true,
        }),
      ),
    );

  audit
    .command('anchor')
    .usage('[--file FILE]')
    .summary("Record the log's head digest and position outside the database, for verify-chain --anchors.")
    .description(
      'Computes the digest of every event up to the head of the log and prints it as one JSON line {position, events, digest, at}. ' +
        'With --file, appends that line to the file (created owner-only; continuing from its last anchor, so only new events are read). ' +
        'Keep the file off the database host, or send the line to an external, append-only log.',
    )
    .addOption(new Option('--file <FILE>', 'append the anchor to this file'))
    .action((options: { file?: string }) => done(anchor(io, { file: options.file })));

  audit
    .command('reconcile')
    .summary("Replay every customer's ledger and compare it with the read models.")
    .description(
      "Replays every customer's events up to the projection's checkpoint with the domain's own fold and compares balances, lifetime totals and visit counts " +
        'with customer_balances and customer_visit_stats. Prints each mismatch on stderr and the report as JSON on stdout.',
    )
    .addHelpText('after', '\nExit codes: 0 everything matches, 1 mismatches found (or a failure), 2 usage error.')
    .action(() => done(reconcileCommand(io)));

  audit
    .command('export')
    .usage('(--customer ID | --all) [--format csv|ndjson] [--as-of ISO] [--basis recorded|occurred]')
    .summary('Stream ledger entries as CSV or NDJSON (one customer or all), as of any instant.')
    .description(
      'Streams one row per ledger entry to stdout (columns in docs/audit.md), with the running balance. ' +
        '--as-of keeps entries recorded by then (basis recorded, the default) or that happened by then (basis occurred, in business-time order). ' +
        'Progress goes to stderr.',
    )
    .addOption(new Option('--customer <ID>', "one customer's ledger").conflicts('all'))
    .addOption(new Option('--all', 'every customer'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'ndjson']).default('csv'))
    .addOption(new Option('--as-of <ISO>', 'only entries as of this ISO 8601 date-time with offset').argParser(instant))
    .addOption(new Option('--basis <basis>', 'which time --as-of applies to').choices(['recorded', 'occurred']).default('recorded'))
    .action((options: { customer?: string; all?: true; format: 'csv' | 'ndjson'; asOf?: string; basis: 'recorded' | 'occurred' }, command: Command) => {
      if (options.customer === undefined && options.all !== true) command.error('error: give exactly one of --customer ID or --all', { exitCode: 2 });
      return done(exportCommand(io, { customer: customerId(command, options.customer), format: options.format, asOf: options.asOf, basis: options.basis }));
    });

  const lifecycle = program.command('lifecycle').usage('<command> [options]').description("Append the points lifecycle's time-driven facts.");

  lifecycle
    .command('run')
    .usage('[--until ISO]')
    .summary('Activate every pending point due by now (or --until): one pass of the lifecycle runner, for cron.')
    .description(
      "Issues, through the same commands as the API's runner, every activation of pending points whose time has come by --until (default: now). " +
        "Each command id is derived from the payment, so a re-run, an overlap with the API's runner or a second cron job writes nothing twice. " +
        'Prints what it did as JSON. --until may not be in the future: that would activate points before their time.',
    )
    .addOption(new Option('--until <ISO>', 'what is due by this ISO 8601 date-time with offset (default: now)').argParser(instant))
    .action((options: { until?: string }, command: Command) => {
      const now = Date.now();
      const until = options.until === undefined ? new Date(now) : new Date(options.until);
      if (until.getTime() > now + FUTURE_SKEW_MS) command.error('error: --until may not be in the future', { exitCode: 2 });
      return done(lifecycleRun(io, { until }));
    });

  const importer = program
    .command('import')
    .argument('<FILE>', 'the CSV or NDJSON file (docs/import.md)')
    .usage('FILE [--format csv|ndjson] [--dry-run] [--errors FILE]')
    .summary("Import another program's customers, balances and history from a CSV or NDJSON file.")
    .description(
      'Reads the file row by row (never whole), matches each row to its customer (external id, then e-mail, then phone) and applies it through the ' +
        "customer's own rules, all of one customer's consecutive rows in one append. Every row's ids derive from its sourceId: importing the file again, " +
        'or a file that overlaps it, writes nothing twice and counts those rows as already imported. A refused row (its line and reason on stderr ' +
        'summary, each in --errors) never stops the others. Ctrl-C stops cleanly; running the same command again resumes. Prints the report as JSON.',
    )
    .addOption(new Option('--format <format>', 'file format (default: ndjson for .ndjson/.jsonl files, else csv)').choices(['csv', 'ndjson']))
    .addOption(new Option('--dry-run', 'check every row and report what would happen, writing nothing'))
    .addOption(new Option('--errors <FILE>', 'write every refused row to this file, one JSON line each'))
    .addHelpText('after', '\nExit codes: 0 every row applied or already imported, 1 some row refused (or a failure, or stopped), 2 usage error.')
    .action((file: string, options: { format?: 'csv' | 'ndjson'; dryRun?: true; errors?: string }) => {
      const format = options.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv');
      // The first Ctrl-C stops after the appends in flight; a second one is Node's own (exit at once).
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once('SIGINT', onSigint);
      return done(
        importCommand(io, { file, format, dryRun: options.dryRun === true, errors: options.errors, signal: stop.signal }).finally(() =>
          process.removeListener('SIGINT', onSigint),
        ),
      );
    });

  const adjust = program
    .command('adjust')
    .usage('--file FILE [--batch ID]')
    .summary('Adjust many customers at once: one ordinary adjustment per line of an NDJSON file.')
    .description(
      'Each line {customerId|email|phone, points, reason, reference?, expires?} is an ordinary adjustment (the rules and policies of POST /customers/{id}/adjustments), ' +
        "with the batch id as every event's correlation id. The batch id derives from the file's content (or --batch): the same file again applies nothing twice. " +
        'Prints each row applied or refused (with its reason) as JSON.',
    )
    .requiredOption('--file <FILE>', 'the NDJSON file of adjustments')
    .addOption(new Option('--batch <ID>', 'name the batch yourself (rows are told apart by their place in the file)'))
    .addHelpText('after', '\nExit codes: 0 every row applied, 1 some row refused (or a failure), 2 usage error.')
    .action((options: { file: string; batch?: string }) => done(adjustCommand(io, { file: options.file, batch: options.batch })));

  const exports = program.command('export').usage('<command> [options]').description('Exports for reporting and finance.');

  exports
    .command('balances')
    .usage('[--format csv|ndjson] [--as-of ISO]')
    .summary('One row per customer: balances, lifetime totals, tier, next expiry, as of one log position.')
    .description(
      "Streams every customer's available, pending and owed points, lifetime totals, tier and next expiry to stdout, consistent as of the read models' checkpoint " +
        '(the position column; also printed on stderr). --as-of gives what the ledger had recorded by that instant.',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'ndjson']).default('csv'))
    .addOption(new Option('--as-of <ISO>', 'as recorded by this ISO 8601 date-time with offset').argParser(instant))
    .action((options: { format: 'csv' | 'ndjson'; asOf?: string }) => done(exportBalancesCommand(io, { format: options.format, asOf: options.asOf })));

  for (const leaf of [...projections.commands, ...audit.commands, ...lifecycle.commands, importer, adjust, ...exports.commands]) conciseErrors(leaf);

  return program;
}

/**
 * After a usage error in a command, its usage line rather than its whole help: the error stays
 * in sight. The groups keep the whole help, which lists their commands.
 */
function conciseErrors(command: Command): void {
  const path = `ledger ${command.parent?.name() ?? ''} ${command.name()}`;
  command.showHelpAfterError(`Usage: ${path} ${command.usage()}\nRun "${path} --help" for more.`);
}

/** A whole number of events from 1 to 100000: a transaction must hold some, and not the whole log. */
function batchSize(value: string): number {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 100_000)) throw new InvalidArgumentError('Expected an integer from 1 to 100000.');
  return n;
}

function position(value: string): bigint {
  if (!/^\d{1,40}$/.test(value)) throw new InvalidArgumentError('Expected a log position (decimal digits).');
  return BigInt(value);
}

function instant(value: string): string {
  const parsed = parseInstant(value);
  if (parsed === undefined) throw new InvalidArgumentError('Expected an ISO 8601 date-time with offset, e.g. 2026-10-31T23:59:59Z.');
  return parsed;
}

/**
 * Checked here rather than by an argParser: commander's message would quote the value, and a
 * mistyped customer id may be someone's e-mail address or name.
 */
function customerId(command: Command, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // An option word after --customer is a missing value, not an id.
  if (value.startsWith('--') || !/^[A-Za-z0-9-]{1,100}$/.test(value))
    command.error('error: --customer expects a customer id (letters, digits and hyphens, at most 100)', { exitCode: 2 });
  return value.toLowerCase();
}
