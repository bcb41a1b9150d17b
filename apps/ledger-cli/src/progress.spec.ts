import { PassThrough } from 'node:stream';
import { formatSeconds, startProgress } from './progress';

/** A non-terminal stream that keeps what was written, and a clock the test moves. */
function plainStream() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

describe('progress on a stream that is not a terminal', () => {
  it('prints the first update at once, then at most one line per interval, then a summary', () => {
    const { stream, lines } = plainStream();
    let now = 0;
    const progress = startProgress(stream, { label: 'rebuild', clock: () => now, intervalMs: 2000 });
    now = 1000;
    progress.update(1000, 4000);
    now = 1500;
    progress.update(1500, 4000);
    now = 3100;
    progress.update(3000, 4000);
    now = 4000;
    progress.finish(4000);
    expect(lines()).toEqual([
      'rebuild: 25% 1000/4000 events  1000 events/s  ETA 3s',
      'rebuild: 75% 3000/4000 events  968 events/s  ETA 2s',
      'rebuild: 4000 events in 4.0 s (1000 events/s)',
    ]);
  });

  it('estimates the total from the share of the log read, and never below what is done', () => {
    const { stream, lines } = plainStream();
    let now = 0;
    const progress = startProgress(stream, { label: 'export', head: 1000n, unit: 'entries', clock: () => now });
    now = 1000;
    // A quarter of the log read, 50 entries in it: about 200 in all.
    progress.at(50, 250n);
    now = 10_000;
    progress.at(300, 900n);
    progress.finish(310);
    expect(lines()[0]).toBe('export: 25% 50/200 entries  50 entries/s  ETA 3s');
    expect(lines()[1]).toBe('export: 90% 300/333 entries  30 entries/s  ETA 2s');
    expect(lines()[2]).toBe('export: 310 entries in 10.0 s (31 entries/s)');
  });

  it('prints nothing for work that reported no progress, nor after stop', () => {
    const quiet = plainStream();
    startProgress(quiet.stream, { label: 'verify-chain' }).finish(5);
    expect(quiet.lines()).toEqual([]);

    const failed = plainStream();
    const progress = startProgress(failed.stream, { label: 'reconcile', clock: () => 1 });
    progress.update(10, 100);
    progress.stop();
    progress.update(20, 100);
    progress.finish(20);
    expect(failed.lines()).toHaveLength(1);
  });
});

describe('formatSeconds', () => {
  it.each([
    [undefined, '?'],
    [Infinity, '?'],
    [0, '0s'],
    [41.2, '42s'],
    [185, '3m 05s'],
    [3720, '1h 02m'],
  ])('%s → %s', (seconds, text) => expect(formatSeconds(seconds)).toBe(text));
});
