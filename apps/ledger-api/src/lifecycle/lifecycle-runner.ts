import * as E from 'fp-ts/Either';
import { CatchUpLoop } from '#read-models/catch-up-loop';
import type { DueActivation } from '#read-models/queries';
import type { CommandError } from '../ledger/command-runner';
import { isTransient } from '../reactions/reaction-runner';

/**
 * The lifecycle runner: appends the points lifecycle's time-driven facts as ordinary commands,
 * with its clock injected: activations of pending points once `activatesAt` has passed, expiries
 * of lots once `expiresAt` has, and tier evaluations. Each kind is a `Duty`: where to find what may
 * be due (a projection, or the log after the duty's checkpoint) and how to issue it. Whether it is
 * due is decided by the customer's own stream, so a lagging projection only delays, never misleads.
 *
 * Every command's id is derived from what it acts on (the payment, the lots, the customer and the
 * event or day evaluated), so a re-run, a crash half-way or a second runner (another API process,
 * `ledger lifecycle run` from cron) issues the very same commands, and the command loop applies
 * each once: never twice, and nothing due is lost, since the next pass finds what is still due.
 */

export type { DueActivation };

export type LifecycleAction = 'activate' | 'expire' | 'tier';
export type LifecycleOutcome = 'applied' | 'replayed' | 'skipped' | 'refused' | 'failed';

/** One command's result, as a duty reports it. */
export interface IssuedCommand {
  readonly subject: string;
  readonly result: E.Either<CommandError, { readonly replayed: boolean }>;
}

export interface Duty<Item> {
  readonly action: LifecycleAction;
  /** Up to `limit` items due by `asOf`, after `after` (the last item of the previous page). */
  find(asOf: Date, limit: number, after: Item | undefined): Promise<readonly Item[]>;
  /** Issues the commands for one page of items. */
  issue(items: readonly Item[], asOf: Date): Promise<readonly IssuedCommand[]>;
  /** After a page whose commands all have an outcome (a log-reading duty moves its checkpoint here). */
  settle?(items: readonly Item[]): Promise<void>;
}

/** Refusals that mean "nothing left to do here", not a problem: someone got there first, or the rules say no change. */
const NOTHING_TO_DO: ReadonlySet<CommandError['_tag']> = new Set([
  'PointsNotPending',
  'PointsNotDue',
  'PaymentNotFound',
  'NothingToExpire',
  'NotDueYet',
  'TierUnchanged',
]);

export type LifecycleCounts = Record<Exclude<LifecycleOutcome, 'failed'>, number>;

export interface LifecycleRunReport {
  readonly asOf: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Per action: written by this pass, written before (replayed), nothing to do, refused. */
  readonly activate: LifecycleCounts;
  readonly expire: LifecycleCounts;
  readonly tier: LifecycleCounts;
}

export interface LifecycleRunnerOptions {
  readonly batchSize?: number;
  readonly intervalMs?: number;
  readonly onRefused?: (action: LifecycleAction, subject: string, error: CommandError) => void;
  readonly onOutcome?: (action: LifecycleAction, outcome: LifecycleOutcome) => void;
}

export class LifecycleRunner {
  private readonly loop: CatchUpLoop;
  private readonly batchSize: number;
  private last: LifecycleRunReport | undefined;

  constructor(
    // Any item type per duty: each duty's find and issue agree on their own.
    private readonly duties: readonly Duty<never>[],
    private readonly clock: () => Date,
    private readonly options: LifecycleRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.loop = new CatchUpLoop(
      async () => {
        await this.runUntil(this.clock());
        return 0; // one pass handles everything due; then wait for the clock to move on
      },
      { pollIntervalMs: options.intervalMs ?? 10_000, gatherMs: 0 },
    );
  }

  /**
   * Issues everything due by `asOf`, duty by duty, page by page. A transient failure (contention,
   * deadline) fails the pass after the rest of its page was tried; the next pass retries it.
   *
   * A duty that pages by its own items (no `settle`) finds and issues the next page while the
   * previous one's appends commit, so the pass never waits on a commit with nothing to do; one
   * that reads the log after a checkpoint (`settle`) goes page by page, the checkpoint in order.
   */
  async runUntil(asOf: Date): Promise<LifecycleRunReport> {
    const startedAt = new Date().toISOString();
    const report = { activate: counts(), expire: counts(), tier: counts() };
    for (const duty of this.duties as readonly Duty<unknown>[]) {
      let after: unknown;
      let previous: Promise<void> | undefined;
      try {
        for (;;) {
          const items = await duty.find(asOf, this.batchSize, after);
          if (items.length === 0) break;
          const page = this.issuePage(duty, items, asOf, report);
          // Handled here as well: it may fail while the next page is being found, before it is awaited.
          page.catch(() => undefined);
          if (duty.settle !== undefined) await page;
          else {
            // At most two pages in flight: this one, and the one before it, awaited now.
            const before = previous;
            previous = page;
            if (before !== undefined) await before;
          }
          after = items[items.length - 1];
          if (items.length < this.batchSize) break;
        }
      } finally {
        // Every page issued has its outcome before the pass moves on, or fails.
        if (previous !== undefined) await previous;
      }
    }
    this.last = { asOf: asOf.toISOString(), startedAt, finishedAt: new Date().toISOString(), ...report };
    return this.last;
  }

  /** One page's commands, counted; rejects if one of them was not written (transient), after the page settles. */
  private async issuePage(duty: Duty<unknown>, items: readonly unknown[], asOf: Date, report: Record<LifecycleAction, LifecycleCounts>): Promise<void> {
    const issued = await duty.issue(items, asOf);
    let failure: CommandError | undefined;
    for (const { subject, result } of issued) {
      const outcome = outcomeOf(result);
      this.options.onOutcome?.(duty.action, outcome);
      if (outcome === 'failed') failure = E.isLeft(result) ? result.left : failure;
      else report[duty.action][outcome] += 1;
      if (outcome === 'refused' && E.isLeft(result)) this.options.onRefused?.(duty.action, subject, result.left);
    }
    if (failure !== undefined) throw new Error(`a lifecycle command (${duty.action}) was not written (${failure._tag}); the next pass retries it`);
    await duty.settle?.(items);
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

const counts = (): LifecycleCounts => ({ applied: 0, replayed: 0, skipped: 0, refused: 0 });

function outcomeOf(result: E.Either<CommandError, { readonly replayed: boolean }>): LifecycleOutcome {
  if (E.isRight(result)) return result.right.replayed ? 'replayed' : 'applied';
  if (isTransient(result.left)) return 'failed';
  return NOTHING_TO_DO.has(result.left._tag) ? 'skipped' : 'refused';
}
