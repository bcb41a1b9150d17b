import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock', () => {
  it('runs work on the same key one at a time, in arrival order', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([lock.run('a', job('1')), lock.run('a', job('2')), lock.run('a', job('3'))]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('lets different keys proceed concurrently', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([lock.run('a', job('a')), lock.run('b', job('b'))]);
    expect(log.slice(0, 2).sort()).toEqual(['start a', 'start b']);
  });

  it('keeps serving a key after a job on it failed', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('a', async () => 42)).resolves.toBe(42);
  });

  it('forgets keys once idle, so the lock table does not grow with every stream ever touched', async () => {
    const lock = new KeyedLock();
    await Promise.all(Array.from({ length: 100 }, (_, i) => lock.run(`k${i}`, async () => i)));
    expect((lock as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
