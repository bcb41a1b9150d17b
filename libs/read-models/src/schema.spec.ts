import { positionFromText, positionText } from './schema';

describe('positions as fixed-width text (the same in SQLite and PostgreSQL)', () => {
  it('pads a position to 20 digits and reads it back', () => {
    expect(positionText(42n)).toBe('00000000000000000042');
    expect(positionFromText(positionText(42n))).toBe(42n);
  });

  it('holds the largest 64-bit position without loss (never through a JS number)', () => {
    const max = 2n ** 63n - 1n;
    expect(positionText(max)).toHaveLength(20);
    expect(positionFromText(positionText(max))).toBe(max);
    expect(positionFromText(positionText(2n ** 53n + 1n))).toBe(2n ** 53n + 1n);
  });

  it('sorts and compares as text exactly as the positions do as numbers', () => {
    const positions = [0n, 1n, 9n, 10n, 99n, 100n, 12_345n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n - 1n];
    const shuffled = [...positions].reverse().map(positionText);
    expect([...shuffled].sort()).toEqual(positions.map(positionText));
    for (let i = 1; i < positions.length; i++) expect(positionText(positions[i - 1]!) < positionText(positions[i]!)).toBe(true);
  });
});
