import * as E from 'fp-ts/Either';
import { formatAmount, isCurrencyCode, MAX_AMOUNT_MINOR, minorUnits, parseAmount } from './money';

const refusedWith = (amount: string, currency: string) => {
  const result = parseAmount(amount, currency);
  if (E.isRight(result)) throw new Error(`expected "${amount}" ${currency} to be refused, got ${result.right}`);
  expect(result.left._tag).toBe('InvalidInput');
  expect(result.left.errors).toHaveLength(1);
  return result.left.errors[0]!;
};

describe('Currencies', () => {
  it('knows ISO 4217 codes in upper case only', () => {
    expect(['USD', 'EUR', 'JPY', 'KWD', 'CLF', 'GBP'].every(isCurrencyCode)).toBe(true);
    expect(['usd', 'XXX', 'US', 'USDD', ''].some(isCurrencyCode)).toBe(false);
  });

  it('uses the ISO minor units: 2 by default, 0 for JPY, 3 for KWD, 4 for CLF', () => {
    expect([minorUnits('USD'), minorUnits('EUR'), minorUnits('JPY'), minorUnits('KRW'), minorUnits('KWD'), minorUnits('BHD'), minorUnits('CLF')]).toEqual([
      2, 2, 0, 0, 3, 3, 4,
    ]);
  });
});

describe('parseAmount', () => {
  it('parses "49.99" USD into 4999 minor units', () => {
    expect(parseAmount('49.99', 'USD')).toEqual(E.right(4999));
  });

  it.each<[string, string, number]>([
    ['49.9', 'USD', 4990],
    ['49', 'USD', 4900],
    ['0.01', 'USD', 1],
    ['0049.99', 'USD', 4999],
    ['1500', 'JPY', 1500],
    ['1', 'JPY', 1],
    ['12.345', 'KWD', 12345],
    ['12.3', 'KWD', 12300],
    ['0.001', 'KWD', 1],
    ['1.2345', 'CLF', 12345],
  ])('parses "%s" %s into %d minor units', (amount, currency, minor) => {
    expect(parseAmount(amount, currency)).toEqual(E.right(minor));
  });

  it('refuses more decimals than the currency has', () => {
    expect(refusedWith('49.999', 'USD')).toEqual({ path: 'amount', message: 'expected at most 2 decimal places for USD' });
    expect(refusedWith('1500.0', 'JPY')).toEqual({ path: 'amount', message: 'expected at most 0 decimal places for JPY' });
    expect(refusedWith('1.2345', 'KWD')).toEqual({ path: 'amount', message: 'expected at most 3 decimal places for KWD' });
  });

  it.each(['0', '0.00', '0.0', '000'])('refuses the zero amount "%s"', (amount) => {
    expect(refusedWith(amount, 'USD')).toEqual({ path: 'amount', message: 'expected an amount greater than zero' });
  });

  it.each(['-1', '-49.99', '+49.99', 'abc', '', ' 49.99', '49.99 ', '49.', '.99', '49,99', '1e3', '0x10', '49.99.1', 'Infinity', 'NaN', '4 999'])(
    'refuses the malformed amount %p',
    (amount) => {
      expect(refusedWith(amount, 'USD')).toEqual({ path: 'amount', message: 'expected a decimal string such as "49.99"' });
    },
  );

  it('refuses five or more decimals as malformed, whatever the currency', () => {
    expect(refusedWith('1.23456', 'CLF').message).toBe('expected a decimal string such as "49.99"');
  });

  it('accepts the maximum amount and refuses one minor unit more', () => {
    expect(parseAmount('10000000000.00', 'USD')).toEqual(E.right(MAX_AMOUNT_MINOR));
    expect(refusedWith('10000000000.01', 'USD')).toEqual({ path: 'amount', message: `expected at most ${MAX_AMOUNT_MINOR} minor units` });
    expect(parseAmount('1000000000000', 'JPY')).toEqual(E.right(MAX_AMOUNT_MINOR));
    expect(refusedWith('1000000000001', 'JPY').message).toBe(`expected at most ${MAX_AMOUNT_MINOR} minor units`);
    expect(parseAmount('1000000000.000', 'KWD')).toEqual(E.right(MAX_AMOUNT_MINOR));
  });

  it('refuses a huge amount without losing precision on the way (16 integer digits)', () => {
    expect(refusedWith('9999999999999999', 'USD').message).toBe(`expected at most ${MAX_AMOUNT_MINOR} minor units`);
    expect(refusedWith('99999999999999999', 'USD').message).toBe('expected a decimal string such as "49.99"');
  });

  it('names the path it is given', () => {
    const result = parseAmount('oops', 'USD', 'items[2].price');
    expect(result).toEqual(E.left({ _tag: 'InvalidInput', errors: [{ path: 'items[2].price', message: expect.any(String) }] }));
  });
});

describe('formatAmount', () => {
  it.each<[number, string, string]>([
    [4999, 'USD', '49.99'],
    [5, 'USD', '0.05'],
    [0, 'USD', '0.00'],
    [100, 'USD', '1.00'],
    [-4999, 'USD', '-49.99'],
    [-5, 'USD', '-0.05'],
    [1500, 'JPY', '1500'],
    [0, 'JPY', '0'],
    [-7, 'JPY', '-7'],
    [12345, 'KWD', '12.345'],
    [1, 'KWD', '0.001'],
    [12345, 'CLF', '1.2345'],
    [MAX_AMOUNT_MINOR, 'USD', '10000000000.00'],
  ])('formats %d %s as "%s"', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  it.each<[string, string]>([
    ['49.99', 'USD'],
    ['0.01', 'USD'],
    ['1500', 'JPY'],
    ['12.345', 'KWD'],
    ['10000000000.00', 'USD'],
  ])('round-trips "%s" %s through parseAmount', (amount, currency) => {
    const minor = parseAmount(amount, currency);
    if (E.isLeft(minor)) throw new Error('expected a valid amount');
    expect(formatAmount(minor.right, currency)).toBe(amount);
  });
});
