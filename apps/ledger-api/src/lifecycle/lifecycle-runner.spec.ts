import * as E from 'fp-ts/Either';
import { LifecycleRunner, type Duty, type IssuedCommand } from './lifecycle-runner';

const AS_OF = new Date('2026-11-22T12:00:00.000Z');

/** Lets the event loop run: a commit that takes a while. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A duty over the numbers 1..total, paged by its own items as the expiry duty pages lots; every
 * step is written to `trace`, so a test can check what overlapped with what.
 */
function numbersDuty(total: number, trace: string[], options: { failOn?: number; settle?: boolean } = {}): Duty<number> {
  const duty: Duty<number> = {
    action: 'expire',
    async find(_asOf, limit, after) {
      trace.push(`find after ${after ?? 0}`);
      const from = (after ?? 0) + 1;
      return Array.from({ length: Math.max(0, Math.min(limit, total - from + 1)) }, (_, i) => from + i);
    },
    async issue(items) {
      trace.push(`issue ${items[0]}-${items[items.length - 1]}`);
      await tick();
      await tick();
      trace.push(`done ${items[0]}-${items[items.length - 1]}`);
      return items.map((n): IssuedCommand => ({
        subject: String(n),
        result: n === options.failOn ? E.left({ _tag: 'Contention', streamName: `s-${n}` }) : E.right({ replayed: false }),
      }));
    },
  };
  if (options.settle === true)
    return {
      ...duty,
      async settle(items) {
        trace.push(`settle ${items[0]}-${items[items.length - 1]}`);
      },
    };
  return duty;
}

describe('LifecycleRunner', () => {
  it('issues every due item exactly once, page by page, and counts them', async () => {
    const trace: string[] = [];
    const runner = new LifecycleRunner([numbersDuty(25, trace)] as Duty<never>[], () => AS_OF, { batchSize: 10 });
    const report = await runner.runUntil(AS_OF);
    expect(report.expire).toEqual({ applied: 25, replayed: 0, skipped: 0, refused: 0 });
    expect(trace.filter((t) => t.startsWith('issue'))).toEqual(['issue 1-10', 'issue 11-20', 'issue 21-25']);
  });

  it('finds and issues the next page while the previous one is still committing, two pages at most', async () => {
    const trace: string[] = [];
    const runner = new LifecycleRunner([numbersDuty(30, trace)] as Duty<never>[], () => AS_OF, { batchSize: 10 });
    await runner.runUntil(AS_OF);
    // Page 2 is issued before page 1 is done; page 3 only once page 1 is.
    expect(trace.indexOf('issue 11-20')).toBeLessThan(trace.indexOf('done 1-10'));
    expect(trace.indexOf('issue 21-30')).toBeGreaterThan(trace.indexOf('done 1-10'));
    // The pass ends only when every page is done.
    expect(trace[trace.length - 1]).toMatch(/^(done|find)/);
    expect(trace).toContain('done 21-30');
  });

  it('goes strictly page by page for a duty that settles a checkpoint: find, issue, done, settle', async () => {
    const trace: string[] = [];
    const runner = new LifecycleRunner([numbersDuty(20, trace, { settle: true })] as Duty<never>[], () => AS_OF, { batchSize: 10 });
    await runner.runUntil(AS_OF);
    expect(trace).toEqual([
      'find after 0',
      'issue 1-10',
      'done 1-10',
      'settle 1-10',
      'find after 10',
      'issue 11-20',
      'done 11-20',
      'settle 11-20',
      'find after 20',
    ]);
  });

  it('fails the pass when a command was not written, once every page issued has its outcome', async () => {
    const trace: string[] = [];
    const runner = new LifecycleRunner([numbersDuty(30, trace, { failOn: 5 })] as Duty<never>[], () => AS_OF, { batchSize: 10 });
    await expect(runner.runUntil(AS_OF)).rejects.toThrow('a lifecycle command (expire) was not written (Contention); the next pass retries it');
    // Page 2 was already under way when page 1 failed: it finished before the pass gave up.
    expect(trace).toContain('done 11-20');
    expect(trace).not.toContain('issue 21-30');
  });
});
