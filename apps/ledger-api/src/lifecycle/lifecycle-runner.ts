import * as E from 'fp-ts/Either';
import { CatchUpLoop } from '#read-models/catch-up-loop';
import type { DueActivation } from '#read-models/queries';
import type { CommandError } from '../ledger/command-runner';
import { isTransient } from '../reactions/reaction-runner';

/**
 * The lifecycle runner: appends the points lifecycle's time-driven facts (today: activation of
 * pending points once their `activatesAt` has passed) as ordinary commands, with its clock
 * injected. What may be due comes from the `points_lots` projection; whether it is due is
 * decided by the customer's own stream, so a lagging projection only delays, never misleads.
 *
 * Every command's id is derived from what it acts on (the payment), so a re-run, a crash half-way
 * or a second runner (another API process, `ledger lifecycle run` from cron) issues the very same
 * commands, and the command loop applies each once: never twice, and nothing due is lost, since
 * the next pass finds whatever is still pending.
 */

export type { DueActivation };

/** Pending lots due by `asOf`, oldest first, after the keyset cursor. */
export type FindDueActivations = (asOf: string, limit: number, after?: DueActivation) => Promise<DueActivation[]>;

/** Issues the activation of one payment's points as of `asOf` (the command id derived from the payment). */
export type IssueActivation = (due: DueActivation, asOf: Date) => Promise<E.Either<CommandError, { readonly replayed: boolean }>>;

export interface LifecycleRunReport {
  readonly asOf: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Activations written by this pass. */
  readonly activated: number;
  /** Activations another pass or runner had written already (answered from the stream). */
  readonly replayed: number;
  /** Nothing to do after all: activated early, voided or reversed meanwhile. */
  readonly skipped: number;
  /** Refused for another reason (logged). */
  readonly refused: number;
}

export interface LifecycleRunnerOptions {
  readonly batchSize?: number;
  readonly intervalMs?: number;
  readonly onRefused?: (due: DueActivation, error: CommandError) => void;
  readonly onOutcome?: (outcome: 'activated' | 'replayed' | 'skipped' | 'refused' | 'failed') => void;
}

/** Refusals that mean "nothing left to do here", not a problem: someone got there first. */
const NOTHING_TO_DO: ReadonlySet<CommandError['_tag']> = new Set(['PointsNotPending', 'PointsNotDue', 'PaymentNotFound']);

export class LifecycleRunner {
  private readonly loop: CatchUpLoop;
  private readonly batchSize: number;
  private last: LifecycleRunReport | undefined;

  constructor(
    private readonly findDue: FindDueActivations,
    private readonly issue: IssueActivation,
    private readonly clock: () => Date,
    private readonly options: LifecycleRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.loop = new CatchUpLoop(
      async () => {
        await this.runUntil(this.clock());
        return 0; // one pass handles everything due; then wait for the clock to move on
      },
      { pollIntervalMs: options.intervalMs ?? 10_000, gatherMs: 0 },
    );
  }

  /**
   * Issues every activation due by `asOf`. A transient failure (contention, deadline, store)
   * fails the pass after the others were tried; the next pass retries it.
   */
  async runUntil(asOf: Date): Promise<LifecycleRunReport> {
    const startedAt = new Date().toISOString();
    const counts = { activated: 0, replayed: 0, skipped: 0, refused: 0 };
    let failure: CommandError | undefined;
    let after: DueActivation | undefined;
    for (;;) {
      const due = await this.findDue(asOf.toISOString(), this.batchSize, after);
      if (due.length === 0) break;
      const results = await Promise.all(due.map(async (d) => ({ due: d, result: await this.issue(d, asOf) })));
      for (const { due: d, result } of results) {
        const outcome = outcomeOf(result);
        this.options.onOutcome?.(outcome);
        if (outcome === 'failed') failure = E.isLeft(result) ? result.left : failure;
        else counts[outcome] += 1;
        if (outcome === 'refused' && E.isLeft(result)) this.options.onRefused?.(d, result.left);
      }
      after = due[due.length - 1]!;
      if (due.length < this.batchSize) break;
    }
    this.last = { asOf: asOf.toISOString(), startedAt, finishedAt: new Date().toISOString(), ...counts };
    if (failure !== undefined) throw new Error(`an activation was not written (${failure._tag}); the next pass retries it`);
    return this.last;
  }

  get lastRun(): LifecycleRunReport | undefined {
    return this.last;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  get health(): { ok: boolean; error?: string } {
    return this.loop.health;
  }
}

function outcomeOf(result: E.Either<CommandError, { readonly replayed: boolean }>): 'activated' | 'replayed' | 'skipped' | 'refused' | 'failed' {
  if (E.isRight(result)) return result.right.replayed ? 'replayed' : 'activated';
  if (isTransient(result.left)) return 'failed';
  return NOTHING_TO_DO.has(result.left._tag) ? 'skipped' : 'refused';
}
