import * as E from 'fp-ts/Either';
import { parseAmount, minorUnits } from './money';
import { parseRatio, pointsEarned, type PointsRatio } from './points';

const ratio = (text: string): PointsRatio => {
  const parsed = parseRatio(text);
  if (parsed === undefined) throw new Error(`expected "${text}" to parse`);
  return parsed;
};

/** Points for a decimal amount string at a decimal ratio string, as a payment earns them. */
const earned = (amount: string, perUnit: string, currency = 'USD'): number => {
  const minor = parseAmount(amount, currency);
  if (E.isLeft(minor)) throw new Error(`expected "${amount}" to parse`);
  return pointsEarned(minor.right, minorUnits(currency), ratio(perUnit));
};

describe('parseRatio', () => {
  it.each<[string, bigint, bigint]>([
    ['1', 1n, 1n],
    ['0.5', 5n, 10n],
    ['2.25', 225n, 100n],
    ['0.000001', 1n, 1_000_000n],
    ['1000', 1000n, 1n],
    ['1.50', 150n, 100n],
    ['999999.999999', 999999999999n, 1_000_000n],
  ])('parses "%s" into the exact fraction %d/%d', (text, numerator, denominator) => {
    expect(parseRatio(text)).toEqual({ numerator, denominator });
  });

  it.each(['', '-1', '1.', '.5', '1e2', '0.1234567', '1234567', '1,5', ' 1', 'NaN'])('refuses %p', (text) => {
    expect(parseRatio(text)).toBeUndefined();
  });
});

describe('pointsEarned', () => {
  it.each<[string, string, number]>([
    ['49.99', '1', 49],
    ['49.99', '0.5', 24],
    ['49.99', '2.25', 112],
    ['50.00', '1', 50],
    ['0.99', '1', 0],
    ['1.00', '0.5', 0],
    ['2.00', '0.5', 1],
    ['49.99', '0.000001', 0],
    ['49.99', '1000', 49990],
  ])('floors %s at %s points per unit to %d', (amount, perUnit, points) => {
    expect(earned(amount, perUnit)).toBe(points);
  });

  it.each<[string, string, number]>([
    ['0.57', '100', 57],
    ['0.29', '100', 29],
    ['1.15', '100', 115],
    ['2.01', '100', 201],
    ['90.00', '0.7', 63],
    ['100.00', '1.15', 115],
    ['30.00', '0.1', 3],
    ['10.00', '0.3', 3],
  ])('is exact where floating point lands just below a whole point: %s at %s earns %d', (amount, perUnit, points) => {
    expect(earned(amount, perUnit)).toBe(points);
  });

  it("uses the currency's minor digits: JPY has none, KWD has three", () => {
    expect(earned('1500', '1', 'JPY')).toBe(1500);
    expect(earned('1499', '0.01', 'JPY')).toBe(14);
    expect(earned('12.345', '2', 'KWD')).toBe(24);
    expect(earned('0.999', '1', 'KWD')).toBe(0);
  });

  it('stays exact at the largest amount and ratio', () => {
    expect(earned('10000000000.00', '1000')).toBe(10_000_000_000_000);
    expect(earned('9999999999.99', '999.999999')).toBe(9_999_999_989_990);
    expect(Number.isSafeInteger(earned('10000000000.00', '1000'))).toBe(true);
  });

  it('earns nothing for nothing', () => {
    expect(pointsEarned(0, 2, ratio('1000'))).toBe(0);
  });
});
