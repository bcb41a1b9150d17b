import type { RecordedEvent } from './event-store.port';
import { countEventsAfter, estimateTotalEvents } from './log-progress';

describe('estimating the events in the log from positions', () => {
  it('is exact when positions count events (the embedded store)', () => {
    expect(estimateTotalEvents(250, 250n, 1000n)).toBe(1000);
  });

  it('scales by the share of the log read when positions are offsets far above 2^53 (EventStoreDB)', () => {
    const at = (bytes: bigint) => (bytes << 64n) | bytes; // commit · 2^64 + prepare
    expect(estimateTotalEvents(100, at(5_000n), at(20_000n))).toBe(400);
  });

  it('never estimates fewer events than were read, and says nothing before the first one', () => {
    expect(estimateTotalEvents(0, 0n, 1000n)).toBe(0);
    expect(estimateTotalEvents(10, 1200n, 1000n)).toBe(10);
    expect(estimateTotalEvents(10, 1n, 10n ** 30n)).toBe(10);
  });
});

describe('counting the events after a checkpoint', () => {
  const log = (positions: bigint[]) => ({
    readAll: async ({ after = 0n, maxCount }: { after?: bigint; maxCount: number }) =>
      positions
        .filter((p) => p > after)
        .slice(0, maxCount)
        .map((position) => ({ position }) as RecordedEvent),
  });

  it('counts by reading, so gaps in positions do not count', async () => {
    expect(await countEventsAfter(log([10n, 500n, 2n ** 70n]), 10n)).toBe(2);
    expect(await countEventsAfter(log([10n, 500n]), 500n)).toBe(0);
  });

  it('stops at the cap', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => BigInt(i + 1));
    expect(await countEventsAfter(log(many), 0n, 1200)).toBe(1200);
    expect(await countEventsAfter(log(many), 0n)).toBe(2500);
  });
});
