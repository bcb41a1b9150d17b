import * as E from 'fp-ts/Either';
import type { EventStore, NewEvent, RecordedEvent, StreamAppend } from '#event-store/event-store.port';
import { chainEvents, type ChainKey } from '#event-store/hash-chain';
import { balanceEffect, evolveCustomer, type CustomerEvent, type CustomerState } from '#ledger-domain/customer/customer';
import { decideCustomer, stateAfterDecision, type CustomerCommand } from '#ledger-domain/customer/customer.decider';
import type { ProgramSnapshot } from '#ledger-domain/program/program';
import type { LedgerError } from '#ledger-domain/shared/errors';
import { accountStream, customerIdOf, type ReservationScope } from '#runtime/streams';
import { toProblem } from '../http/problem';
import { appendTogether } from '../ledger/append-together';
import type { CommandContext } from '../ledger/command-context';
import { envelope } from '../ledger/command-runner';
import { entityId, importCommandId, importedCustomerId } from '../ledger/ids';
import type { HonouredCheck, Reservations } from '../ledger/reservations';
import { foldedRead, type LoadedStream, type StreamRead, type StreamRepository } from '../ledger/stream-repository';
import type { ImportFormat, RawRecord } from './import-records';
import { csvHeader, decodeRecord, ROW_KINDS, type CustomerRow, type DecodedRow, type ImportRow, type RowKind, type RowRefusal } from './import-rows';
import { setImmediate } from 'node:timers/promises';

/**
 * The import of another program's customers and history: rows decoded one at a time, each
 * matched to its customer, decided by the customer's own decider against the folded state, and
 * all of one customer's consecutive rows appended together at the stream's expected revision
 * (one append, not one command per row). Every row is its own command (its id derived from the
 * row's source id), so a second import finds the rows in the stream and writes nothing.
 *
 * A refused row never stops the others; a store failure does (nothing of the customer's rows
 * in that append was written; a re-run resumes, the ids make that free).
 */

export interface ImportDependencies {
  readonly store: EventStore;
  readonly customers: StreamRepository<CustomerState, CustomerEvent>;
  readonly reservations: Reservations;
  /** The program the commands decide under (negative-balance policy, expiry), read once at the start. */
  readonly program: ProgramSnapshot | undefined;
  readonly chainKey?: ChainKey | undefined;
  readonly clock: () => Date;
}

export interface ImportOptions {
  readonly importId: string;
  /** Who imports: the API key's name, or the CLI's actor. */
  readonly actor: string;
  readonly format: ImportFormat;
  readonly dryRun?: boolean;
  /** Stops reading rows; the customers' appends in flight complete. */
  readonly signal?: AbortSignal;
  /** Called every `progressEvery` rows and at the end. */
  readonly onProgress?: (report: ImportReport) => void;
  readonly progressEvery?: number;
  /** Every refusal, as it is known (for an errors file); the report keeps the first `keepRefusals`. */
  readonly onRefusal?: (refusal: RowRefusal) => void;
  readonly keepRefusals?: number;
  /** Customers' appends in flight at once (the embedded store commits them together). */
  readonly concurrency?: number;
}

export interface RowCounts {
  read: number;
  applied: number;
  /** Found in the ledger already (imported before): nothing written. */
  skipped: number;
  refused: number;
}

export interface ImportReport {
  readonly importId: string;
  readonly dryRun: boolean;
  status: 'running' | 'completed' | 'stopped' | 'failed';
  /** Why the import could not go on (a bad CSV header, a store failure). */
  failure?: string;
  readonly rows: RowCounts;
  readonly byKind: Record<RowKind | 'unreadable', RowCounts>;
  /** What the applied rows (or, in a dry run, the rows that would apply) do to the ledger's points: available and pending. */
  readonly points: { credited: number; debited: number; net: number };
  readonly refusals: RowRefusal[];
  refusalsOmitted: number;
  /** The log position of the last append, when the import wrote something. */
  position?: string;
}

const counts = (): RowCounts => ({ read: 0, applied: 0, skipped: 0, refused: 0 });

export const emptyReport = (importId: string, dryRun: boolean): ImportReport => ({
  importId,
  dryRun,
  status: 'running',
  rows: counts(),
  byKind: Object.fromEntries([...ROW_KINDS, 'unreadable'].map((k) => [k, counts()])) as ImportReport['byKind'],
  points: { credited: 0, debited: 0, net: 0 },
  refusals: [],
  refusalsOmitted: 0,
});

/** The bad CSV header or similar: the file cannot be imported at all. */
export class ImportFileError extends Error {}

type Loaded = LoadedStream<CustomerState>;

/** One row of a customer's group, decided: its events and the reservations they need, or why not. */
type Decided =
  | {
      readonly outcome: 'applied';
      readonly row: DecodedRow;
      readonly commandId: string;
      readonly events: readonly CustomerEvent[];
      readonly claims: readonly StreamAppend[];
    }
  | { readonly outcome: 'skipped'; readonly row: DecodedRow }
  | { readonly outcome: 'refused'; readonly row: DecodedRow; readonly refusal: RowRefusal };

/**
 * A customer's consecutive rows, decided one after the other on the state they leave. The stream
 * is folded only when a row must be decided (`ImportEngine.folded`): rows it holds already, all
 * of them in a re-import, are told from the events' command ids alone.
 */
interface Group {
  readonly streamName: string;
  readonly read: StreamRead<CustomerState>;
  /** Once folded: the stream as loaded, and the state after the group's rows decided so far. */
  loaded?: Loaded;
  state?: CustomerState;
  readonly rows: DecodedRow[];
  readonly decided: Decided[];
  readonly commandIds: Set<string>;
}

const DEFAULT_CONCURRENCY = 32;
/** Rows decided between two yields to the event loop (~2–4 ms of work on our machines). */
const YIELD_EVERY_ROWS = 64;
const MAX_ATTEMPTS = 10;

export class ImportEngine {
  /** The report so far: counts grow as appends settle (a status route shows it while the import runs). */
  readonly report: ImportReport;
  private readonly dryRun: boolean;
  private readonly now: Date;
  /** Source ids seen in this file, with their line: the second of two is refused. */
  private readonly seen = new Map<string, number>();
  private current: Group | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  private failure: unknown;
  /** Dry run: the customers' state as the import would leave it, and the contacts it would reserve. */
  private readonly dryStreams = new Map<string, Loaded>();
  private readonly dryContacts = new Map<string, string>();
  private sinceProgress = 0;
  private sinceYield = 0;
  /** The last external id's customer id: a customer's rows come together, so one hash per customer. */
  private lastExternal: { externalId: string; customerId: string } | undefined;

  constructor(
    private readonly deps: ImportDependencies,
    private readonly options: ImportOptions,
  ) {
    this.dryRun = options.dryRun === true;
    this.report = emptyReport(options.importId, this.dryRun);
    // One recorded time for the whole import: every event's recordedAt, and "now" for the deciders.
    this.now = deps.clock();
  }

  async run(records: AsyncIterable<RawRecord>): Promise<ImportReport> {
    let header: readonly string[] | undefined;
    try {
      for await (const record of records) {
        if (this.failure !== undefined) break;
        if (this.options.signal?.aborted === true) {
          this.report.status = 'stopped';
          break;
        }
        if (this.options.format === 'csv' && header === undefined) {
          if ('fault' in record || record.format !== 'csv') throw new ImportFileError('the first line must be the CSV header');
          const read = csvHeader(record.fields);
          if (E.isLeft(read)) throw new ImportFileError(read.left);
          header = read.right;
          continue;
        }
        await this.row(record, header);
        // Let the event loop in now and then: the store's writer takes its next batch only when
        // this thread handles the last commit's reply, and an import in the API shares the loop
        // with requests. Without it, rows run until every slot is in flight and the threads take turns.
        if (++this.sinceYield >= YIELD_EVERY_ROWS) {
          this.sinceYield = 0;
          await setImmediate();
        }
      }
      await this.flush();
      await Promise.all(this.inFlight.values());
      if (this.failure !== undefined) throw this.failure;
      if (this.report.status === 'running') this.report.status = 'completed';
    } catch (error) {
      await Promise.allSettled(this.inFlight.values());
      this.report.status = 'failed';
      this.report.failure = error instanceof ImportFileError ? error.message : `the store failed: ${(error as Error).message}`;
    }
    // Refusals are known as the appends holding their neighbours settle: the report lists them by line.
    this.report.refusals.sort((a, b) => a.line - b.line);
    this.options.onProgress?.(this.report);
    return this.report;
  }

  private async row(record: RawRecord, header: readonly string[] | undefined): Promise<void> {
    const decoded = decodeRecord(record, header);
    if (E.isLeft(decoded)) {
      this.count(decoded.left.kind ?? 'unreadable', 'read');
      this.refuse(decoded.left);
      return;
    }
    const { row, line } = decoded.right;
    this.count(row.kind, 'read');
    const first = this.seen.get(row.sourceId);
    if (first !== undefined) {
      this.refuse({ line, kind: row.kind, reason: `duplicate source id: the same sourceId as line ${first}, which is the one imported` });
      return;
    }
    this.seen.set(row.sourceId, line);
    const customerId = await this.customerOf(row);
    if (customerId === undefined) {
      this.refuse({ line, kind: row.kind, reason: 'customer-not-found: no customer matches the row by externalId, email or phone' });
      return;
    }
    const group = await this.groupFor(accountStream(customerId));
    group.rows.push(decoded.right);
    await this.decideInto(group, decoded.right);
  }

  /** Customers are matched by external id (the id the import enrols them under), then e-mail, then phone. */
  private async customerOf(row: ImportRow): Promise<string | undefined> {
    if (row.kind === 'customer') return this.importedCustomer(row.externalId);
    if (row.externalId !== undefined) {
      const customerId = this.importedCustomer(row.externalId);
      const group = await this.groupFor(accountStream(customerId));
      if (this.isEnrolled(group)) return customerId;
    }
    for (const [scope, value] of [
      ['email', row.email],
      ['phone', row.phone],
    ] as const) {
      if (value === undefined) continue;
      const holder = await this.contactHolder(scope, value);
      if (holder !== undefined) return holder;
    }
    return undefined;
  }

  private importedCustomer(externalId: string): string {
    if (this.lastExternal?.externalId !== externalId) this.lastExternal = { externalId, customerId: importedCustomerId(externalId) };
    return this.lastExternal.customerId;
  }

  private async contactHolder(scope: ReservationScope, value: string): Promise<string | undefined> {
    const pending = this.current?.decided.find(
      (d) => d.outcome === 'applied' && d.row.row.kind === 'customer' && (scope === 'email' ? d.row.row.email : d.row.row.phone) === value,
    );
    if (pending !== undefined && this.current !== undefined) return customerIdOf(this.current.streamName);
    const dry = this.dryContacts.get(`${scope}\u0000${value}`);
    if (dry !== undefined) return dry;
    // What other customers' appends in flight reserve must be visible first.
    await Promise.all(this.inFlight.values());
    const holder = await this.deps.reservations.holder(scope, value);
    return holder === undefined ? undefined : customerIdOf(holder.ownerStream);
  }

  /** The group of this customer's rows: the current one, or a new one after the current is flushed. */
  private async groupFor(streamName: string): Promise<Group> {
    if (this.current?.streamName === streamName) return this.current;
    await this.flush();
    const group = await this.openGroup(streamName);
    this.current = group;
    return group;
  }

  private async openGroup(streamName: string): Promise<Group> {
    // This customer's earlier rows must be in the stream before these are decided on it.
    await this.inFlight.get(streamName);
    const dry = this.dryStreams.get(streamName);
    const read = dry !== undefined ? foldedRead(dry) : await this.deps.customers.read(streamName);
    return { streamName, read, rows: [], decided: [], commandIds: new Set() };
  }

  /** The group's stream folded, and its state, from the first row that needs them on. */
  private folded(group: Group): { loaded: Loaded; state: CustomerState } {
    if (group.loaded === undefined || group.state === undefined) {
      group.loaded = group.read.fold();
      group.state = group.loaded.state;
    }
    return { loaded: group.loaded, state: group.state };
  }

  /** Whether the customer is enrolled: from the events' types while nothing needed the fold (an enrolment is never undone). */
  private isEnrolled(group: Group): boolean {
    const events = group.state === undefined ? group.read.events : undefined;
    if (events !== undefined) return events.some((e) => e.type === 'CustomerEnrolled');
    return this.folded(group).state.status === 'Enrolled';
  }

  /** Decides one row on the state the group's earlier rows leave. */
  private async decideInto(group: Group, decoded: DecodedRow): Promise<void> {
    const { row, line } = decoded;
    const commandId = importCommandId(row.sourceId);
    if (group.read.holds(commandId)) {
      group.decided.push({ outcome: 'skipped', row: decoded });
      return;
    }
    const refused = (error: LedgerError | { _tag: 'LedgerIntegrity' }): void => {
      group.decided.push({ outcome: 'refused', row: decoded, refusal: refusalOf(line, row.kind, error) });
    };
    const { loaded, state } = this.folded(group);
    if (loaded.integrity !== undefined) return refused({ _tag: 'LedgerIntegrity' });
    const customerId = customerIdOf(group.streamName)!;
    const decision = decideCustomer(this.commandFor(row, customerId, commandId), state);
    if (E.isLeft(decision)) return refused(decision.left);
    let claims: readonly StreamAppend[] = [];
    if (row.kind === 'customer') {
      const claimed = await this.claimContacts(row, group.streamName, commandId);
      if (E.isLeft(claimed)) return refused(claimed.left);
      claims = claimed.right;
    }
    // The decider's bounds check evolved these events already: its state, not a second fold.
    group.state = stateAfterDecision(state, decision.right) ?? decision.right.reduce(evolveCustomer, state);
    group.commandIds.add(commandId);
    group.decided.push({ outcome: 'applied', row: decoded, commandId, events: decision.right, claims });
  }

  private commandFor(row: ImportRow, customerId: string, commandId: string): CustomerCommand {
    const now = this.now;
    const { occurredAt } = row;
    switch (row.kind) {
      case 'customer':
        return {
          type: 'EnrolCustomer',
          customerId,
          enrolledAt: occurredAt,
          now,
          ...(row.email !== undefined && { email: row.email }),
          ...(row.phone !== undefined && { phone: row.phone }),
          ...(row.name !== undefined && { name: row.name }),
        };
      case 'balance':
      case 'earn':
        return {
          type: 'ImportPoints',
          customerId,
          adjustmentId: entityId(commandId, 'adjustment'),
          kind: row.kind === 'balance' ? 'opening' : 'earned',
          points: row.points,
          occurredAt,
          now,
          ...(row.expiresAt !== undefined && { expiresAt: row.expiresAt }),
          ...(row.reason !== undefined && { reason: row.reason }),
        };
      case 'spend':
        return {
          type: 'RedeemPoints',
          customerId,
          redemptionId: entityId(commandId, 'redemption'),
          points: row.points,
          occurredAt,
          now,
          ...(row.reason !== undefined && { reason: row.reason }),
          ...(row.reference !== undefined && { reference: row.reference }),
        };
      case 'adjust':
        return {
          type: 'AdjustPoints',
          customerId,
          adjustmentId: entityId(commandId, 'adjustment'),
          points: row.points,
          reason: row.reason,
          occurredAt,
          program: this.deps.program,
          now,
          // An old system's credit without an expiry keeps none: its policy is not ours to apply backwards.
          ...(row.points > 0 && (row.expiresAt !== undefined ? { expiresAt: row.expiresAt } : { expires: false })),
        };
      case 'visit':
        return {
          type: 'RecordVisit',
          customerId,
          visitId: entityId(commandId, 'visit'),
          locationId: row.locationId,
          occurredAt,
          kind: row.visitKind,
          source: 'manual',
          now,
        };
    }
  }

  /** E-mail and phone are unique across customers, as for an enrolment through the API: both, or the row is refused. */
  private async claimContacts(row: CustomerRow, streamName: string, commandId: string): Promise<E.Either<LedgerError, readonly StreamAppend[]>> {
    const claims: StreamAppend[] = [];
    for (const [scope, value] of [
      ['email', row.email],
      ['phone', row.phone],
    ] as const) {
      if (value === undefined) continue;
      const dry = this.dryContacts.get(`${scope}\u0000${value}`);
      if (dry !== undefined && accountStream(dry) !== streamName) return E.left({ _tag: 'ContactTaken', field: scope });
      // No wait for other customers' appends in flight: if one of them claims the same value, the
      // reservation stream's expected revision fails this append, and the rows are decided again.
      const claimed = await this.deps.reservations.claim(
        scope,
        value,
        { ownerStream: streamName, reference: customerIdOf(streamName)! },
        this.context(commandId),
        this.enrolled,
      );
      if (E.isLeft(claimed)) return E.left({ _tag: 'ContactTaken', field: scope });
      if (claimed.right !== undefined) claims.push(claimed.right);
    }
    return E.right(claims);
  }

  private readonly enrolled: HonouredCheck = async (holder) => (await this.deps.customers.load(holder.ownerStream)).state.status === 'Enrolled';

  private context(commandId: string): CommandContext {
    return { commandId, correlationId: this.options.importId, actor: this.options.actor, now: this.now };
  }

  /** Hands the current group over to be appended (at most `concurrency` customers in flight). */
  private async flush(): Promise<void> {
    const group = this.current;
    this.current = undefined;
    if (group === undefined) return;
    if (this.dryRun) {
      this.settleDry(group);
      return;
    }
    while (this.inFlight.size >= (this.options.concurrency ?? DEFAULT_CONCURRENCY)) await Promise.race(this.inFlight.values());
    const { streamName } = group;
    const work = this.append(group)
      .then((final) => this.settle(final))
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(streamName));
    this.inFlight.set(streamName, work);
  }

  /** One append of the group's events (with the contacts it reserves); on a conflict, reload and decide the rows again. */
  private async append(first: Group): Promise<{ group: Group; position?: bigint }> {
    let group = first;
    for (let attempt = 1; ; attempt++) {
      const applied = group.decided.filter((d): d is Extract<Decided, { outcome: 'applied' }> => d.outcome === 'applied');
      if (applied.length === 0) return { group };
      const { streamName } = group;
      const { loaded } = this.folded(group);
      const proposed: NewEvent[] = applied.flatMap((d) =>
        d.events.map((event, index) => {
          const wrapped = envelope(event, streamName, index, this.context(d.commandId));
          // The envelope's metadata is a fresh object: extended in place, not copied per event.
          Object.assign(wrapped.metadata, { importId: this.options.importId, sourceId: d.row.row.sourceId, sourceLine: d.row.line });
          return wrapped;
        }),
      );
      const events = chainEvents(streamName, loaded.chain, proposed, this.deps.chainKey);
      const ledger: StreamAppend = { streamName, expected: loaded.revision, events };
      const appended = await appendTogether(
        this.deps.store,
        applied.flatMap((d) => d.claims),
        ledger,
      );
      if (E.isRight(appended)) {
        const { nextRevision, position } = appended.right;
        const recorded: RecordedEvent[] = events.map((e, i) => ({ ...e, streamName, revision: nextRevision - BigInt(events.length - 1 - i), position }));
        // The group's state is the fold of these very events: kept, not evolved again.
        this.deps.customers.remember(
          streamName,
          this.deps.customers.fold(loaded, recorded, { written: applied.flatMap((d) => d.events), stateAfter: group.state }),
        );
        return { group, position };
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`contention on a customer's stream after ${MAX_ATTEMPTS} attempts`);
      // Someone else wrote to the stream or a reservation first: decide the same rows again on what is there now.
      this.deps.customers.forget(streamName);
      const reloaded = await this.deps.customers.load(streamName);
      group = { streamName, read: foldedRead(reloaded), rows: group.rows, decided: [], commandIds: new Set() };
      for (const row of group.rows) await this.decideInto(group, row);
    }
  }

  private settleDry(group: Group): void {
    const applied = group.decided.flatMap((d) => (d.outcome === 'applied' ? [d] : []));
    const { loaded } = this.folded(group);
    let revision = loaded.revision === 'no_stream' ? -1n : loaded.revision;
    const recorded: RecordedEvent[] = applied.flatMap((d) =>
      d.events.map((event, index) => {
        revision += 1n;
        return {
          ...envelope(event, group.streamName, index, this.context(d.commandId)),
          streamName: group.streamName,
          revision,
          position: 0n,
        };
      }),
    );
    const folded = this.deps.customers.fold(loaded, recorded, { written: applied.flatMap((d) => d.events), stateAfter: group.state });
    this.dryStreams.set(group.streamName, folded);
    for (const d of applied) {
      if (d.row.row.kind !== 'customer') continue;
      const customerId = customerIdOf(group.streamName)!;
      if (d.row.row.email !== undefined) this.dryContacts.set(`email\u0000${d.row.row.email}`, customerId);
      if (d.row.row.phone !== undefined) this.dryContacts.set(`phone\u0000${d.row.row.phone}`, customerId);
    }
    this.settle({ group });
  }

  /** The rows' outcomes, once the append holding them is durable (or, in a dry run, decided). */
  private settle({ group, position }: { group: Group; position?: bigint }): void {
    for (const d of group.decided) {
      if (d.outcome === 'refused') this.refuse(d.refusal);
      else if (d.outcome === 'skipped') this.count(d.row.row.kind, 'skipped');
      else {
        this.count(d.row.row.kind, 'applied');
        for (const event of d.events) {
          const effect = balanceEffect(event);
          const moved = effect.available + effect.pending;
          if (moved > 0) this.report.points.credited += moved;
          else this.report.points.debited -= moved;
          this.report.points.net += moved;
        }
      }
    }
    if (position !== undefined && (this.report.position === undefined || position > BigInt(this.report.position))) this.report.position = position.toString();
    this.progressed(group.decided.length);
  }

  private refuse(refusal: RowRefusal): void {
    this.count(refusal.kind ?? 'unreadable', 'refused');
    if (this.report.refusals.length < (this.options.keepRefusals ?? 1000)) this.report.refusals.push(refusal);
    else this.report.refusalsOmitted += 1;
    this.options.onRefusal?.(refusal);
    this.progressed(1);
  }

  private count(kind: RowKind | 'unreadable', field: keyof RowCounts): void {
    this.report.rows[field] += 1;
    this.report.byKind[kind][field] += 1;
  }

  private progressed(rows: number): void {
    this.sinceProgress += rows;
    if (this.options.onProgress === undefined || this.sinceProgress < (this.options.progressEvery ?? 1000)) return;
    this.sinceProgress = 0;
    this.options.onProgress(this.report);
  }
}

/** A refused row's reason: the problem the API would answer for the same refusal (its type and detail, which never hold personal data). */
function refusalOf(line: number, kind: RowKind, error: LedgerError | { _tag: 'LedgerIntegrity' }): RowRefusal {
  if (error._tag === 'LedgerIntegrity')
    return { line, kind, reason: "ledger-integrity: the customer's stream fails its hash-chain check; nothing is written to it" };
  const problem = toProblem(error);
  const slug = problem.type.slice(problem.type.lastIndexOf('/') + 1);
  return { line, kind, reason: `${slug}: ${problem.detail ?? problem.title}`, ...(error._tag === 'InvalidInput' && { errors: error.errors }) };
}
