/**
 * The background loop of a reader of the event log that polls (the projector on the embedded
 * store, the reaction runner): call `step` until it reports nothing left, then sleep until notified (a local
 * append) or the poll interval passes (appends by other processes). An error is kept as the
 * health and retried with backoff, since the events are safe in the store and a failed step
 * changed nothing.
 */
export interface CatchUpLoopOptions {
  /** Poll interval when nothing wakes the loop. */
  readonly pollIntervalMs: number;
  /** After being woken, wait this long for more appends before the next step (batches under load). */
  readonly gatherMs: number;
}

/** A sleep that `wake()` cuts short: how a background loop waits for work, backoff or stop. */
export class Pause {
  private waker: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.waker = () => {
        clearTimeout(this.timer);
        this.waker = undefined;
        resolve();
      };
      this.timer = setTimeout(() => this.waker?.(), ms);
    });
  }

  wake(): void {
    this.waker?.();
  }
}

export class CatchUpLoop {
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly pause = new Pause();
  private woken = false;
  private lastError: unknown;

  /** `step` returns how many events it read; 0 means caught up. */
  constructor(
    private readonly step: () => Promise<number>,
    private readonly options: CatchUpLoopOptions,
  ) {}

  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Ask for a catch-up now. */
  notify(): void {
    this.woken = true;
    this.pause.wake();
  }

  /** Resolves once the step under way (if any) has finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.wake();
    await this.running;
    this.running = undefined;
  }

  /** The last error the loop met (it retries); undefined when healthy. */
  get health(): { ok: boolean; error?: string } {
    return this.lastError === undefined
      ? { ok: true }
      : { ok: false, error: this.lastError instanceof Error ? this.lastError.message : String(this.lastError) };
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    while (!this.stopping) {
      try {
        this.woken = false;
        while (!this.stopping && (await this.step()) > 0) {
          /* keep going until caught up */
        }
        this.lastError = undefined;
        backoff = 100;
        if (!this.woken) await this.pause.for(this.options.pollIntervalMs);
        if (this.options.gatherMs > 0 && !this.stopping) await new Promise((resolve) => setTimeout(resolve, this.options.gatherMs));
      } catch (error) {
        this.lastError = error;
        await this.pause.for(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }
}
