import { decodePosition, encodePosition } from './esdb-position';

describe('EventStoreDB positions as one BigInt', () => {
  const MAX = (1n << 64n) - 1n;

  it('round-trips commit and prepare exactly, up to the largest 64-bit values', () => {
    for (const position of [
      { commit: 0n, prepare: 0n },
      { commit: 1234n, prepare: 1400n },
      { commit: 2n ** 53n + 1n, prepare: 2n ** 53n + 3n },
      { commit: MAX, prepare: MAX },
    ]) {
      expect(decodePosition(encodePosition(position))).toEqual(position);
    }
  });

  it('orders like $all: by commit position, then by prepare position within one commit', () => {
    const inOrder = [
      { commit: 100n, prepare: 100n },
      { commit: 100n, prepare: 180n }, // same append (one commit), next event
      { commit: 260n, prepare: 260n },
      { commit: 2n ** 40n, prepare: 5n }, // a prepare below an earlier commit's still sorts by commit
    ].map(encodePosition);
    expect([...inOrder].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(inOrder);
  });

  it('refuses values outside two unsigned 64-bit numbers', () => {
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(() => encodePosition({ commit: 0n, prepare: MAX + 1n })).toThrow(RangeError);
    expect(() => decodePosition(-1n)).toThrow(RangeError);
    expect(() => decodePosition(1n << 128n)).toThrow(RangeError);
  });
});
