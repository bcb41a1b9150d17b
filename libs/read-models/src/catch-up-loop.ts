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

export class CatchUpLoop {
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private woken = false;
  private timer: NodeJS.Timeout | undefined;
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
    this.wake?.();
  }

  /** Resolves once the step under way (if any) has finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /** The last error the loop met (it retries); undefined when healthy. */
  get health(): { ok: boolean; error?: string } {
    return this.lastError === undefined ? { ok: true } : { ok: false, error: this.lastError instanceof Error ? this.lastError.message : String(this.lastError) };
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
        if (!this.woken) await this.sleep(this.options.pollIntervalMs);
        if (this.options.gatherMs > 0 && !this.stopping) await new Promise((resolve) => setTimeout(resolve, this.options.gatherMs));
      } catch (error) {
        this.lastError = error;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.timer = setTimeout(() => this.wake?.(), ms);
    });
  }
}
