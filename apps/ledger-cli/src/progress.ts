import { SingleBar } from 'cli-progress';
import { estimateTotalEvents } from '#event-store/log-progress';

/** Where progress goes: stderr, so stdout stays the command's result (JSON, CSV) for pipes. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface ProgressOptions {
  /** Names the operation in plain lines ("rebuild", "export"). */
  readonly label: string;
  /** The store's head when the work began: totals are estimated from the share of the log read. */
  readonly head?: bigint;
  /** What is counted ("events"; the export counts entries). */
  readonly unit?: string;
  /** Milliseconds between plain lines when stderr is not a terminal. */
  readonly intervalMs?: number;
  readonly clock?: () => number;
}

export interface Progress {
  /** `done` of about `total` (the caller's own estimate). */
  readonly update: (done: number, total: number) => void;
  /** `done` so far, the reader at `position` of the log: the total is estimated against the head. */
  readonly at: (done: number, position: bigint) => void;
  /** The work finished with `done` in all: the bar completes, or a summary line is printed. */
  readonly finish: (done: number) => void;
  /** Stops drawing without a summary (the work failed). Safe to call more than once. */
  readonly stop: () => void;
}

/**
 * The one progress display of the long operations (rebuild, verify-chain, reconcile, export):
 * a cli-progress bar redrawn in place on a terminal; otherwise (logs, CI, pipes) a plain line
 * every few seconds and a summary, since redraws would fill a log with carriage returns.
 * Nothing is drawn until the first update, so work that reports none shows nothing.
 */
export function startProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  const clock = options.clock ?? Date.now;
  const unit = options.unit ?? 'events';
  const started = clock();
  const display = stream.isTTY === true ? terminalBar(stream, options.label, unit) : plainLines(stream, options.label, unit, options.intervalMs ?? 2000, clock);
  let shown = false;
  let stopped = false;

  const measure = (done: number, total: number): Measure => {
    const seconds = (clock() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    return { done, total: Math.max(total, done), rate, etaSeconds: rate > 0 ? Math.max(0, (total - done) / rate) : undefined, seconds };
  };
  const update = (done: number, total: number) => {
    if (stopped) return;
    shown = true;
    display.update(measure(done, total));
  };
  return {
    update,
    at: (done, position) => update(done, estimateTotalEvents(done, position, options.head ?? 0n)),
    finish(done) {
      if (stopped) return;
      stopped = true;
      if (shown) display.finish(measure(done, done));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (shown) display.stop();
    },
  };
}

interface Measure {
  readonly done: number;
  readonly total: number;
  /** Per second, averaged since the start. */
  readonly rate: number;
  /** Undefined until there is a rate. */
  readonly etaSeconds: number | undefined;
  readonly seconds: number;
}

interface Display {
  update(m: Measure): void;
  finish(m: Measure): void;
  stop(): void;
}

function terminalBar(stream: ProgressStream, label: string, unit: string): Display {
  const bar = new SingleBar({
    stream,
    format: `${label} {bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {left}`,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    barsize: 30,
    // A Ctrl-C must not leave the operator's terminal without a cursor.
    hideCursor: false,
  });
  let started = false;
  // Not "eta": cli-progress's own (a moving window) would take precedence over the payload.
  const payload = (m: Measure) => ({ rate: Math.round(m.rate), left: formatSeconds(m.etaSeconds) });
  const draw = (m: Measure) => {
    if (!started) {
      started = true;
      bar.start(m.total, m.done, payload(m));
      return;
    }
    bar.setTotal(m.total);
    bar.update(m.done, payload(m));
  };
  return {
    update: draw,
    finish(m) {
      draw(m);
      bar.stop();
    },
    // Stopping redraws once and moves to a new line, so whatever is printed next starts clean.
    stop: () => bar.stop(),
  };
}

function plainLines(stream: ProgressStream, label: string, unit: string, intervalMs: number, clock: () => number): Display {
  let lastPrint: number | undefined;
  return {
    update(m) {
      const now = clock();
      // The first line at once, then one every interval: enough to show a log that work goes on.
      if (lastPrint !== undefined && now - lastPrint < intervalMs) return;
      lastPrint = now;
      const share = m.total > 0 ? Math.floor((Math.min(m.done, m.total) / m.total) * 100) : 100;
      stream.write(`${label}: ${share}% ${m.done}/${m.total} ${unit}  ${Math.round(m.rate)} ${unit}/s  ETA ${formatSeconds(m.etaSeconds)}\n`);
    },
    finish(m) {
      stream.write(`${label}: ${m.done} ${unit} in ${m.seconds.toFixed(1)} s (${Math.round(m.rate)} ${unit}/s)\n`);
    },
    stop() {},
  };
}

/** "42s", "3m 05s", "1h 02m"; "?" while there is no rate to estimate from. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}
