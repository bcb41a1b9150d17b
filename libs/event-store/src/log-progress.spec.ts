import { estimateTotalEvents } from './log-progress';

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
