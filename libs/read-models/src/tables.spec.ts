import { positionFromText, positionText } from './tables';

describe('positions as fixed-width text (the same in SQLite and PostgreSQL)', () => {
  it('pads a position to 40 digits and reads it back', () => {
    expect(positionText(42n)).toBe(`${'0'.repeat(38)}42`);
    expect(positionFromText(positionText(42n))).toBe(42n);
  });

  it('holds the largest EventStoreDB position (two 64-bit numbers) without loss, never through a JS number', () => {
    const max = (1n << 128n) - 1n;
    expect(positionText(max)).toHaveLength(40);
    expect(positionFromText(positionText(max))).toBe(max);
    expect(positionFromText(positionText(2n ** 53n + 1n))).toBe(2n ** 53n + 1n);
  });

  it('refuses a position that does not fit, instead of storing one that sorts wrong', () => {
    expect(() => positionText(10n ** 40n)).toThrow(RangeError);
    expect(() => positionText(-1n)).toThrow(RangeError);
  });

  it('sorts and compares as text exactly as the positions do as numbers', () => {
    const positions = [0n, 1n, 9n, 10n, 99n, 100n, 12_345n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n + 7n, (1n << 128n) - 1n];
    const shuffled = [...positions].reverse().map(positionText);
    expect([...shuffled].sort()).toEqual(positions.map(positionText));
    for (let i = 1; i < positions.length; i++) expect(positionText(positions[i - 1]!) < positionText(positions[i]!)).toBe(true);
  });
});
