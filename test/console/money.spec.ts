import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { formatAmount, isCurrencyCode, minorUnits, parseAmount } from '#ledger-domain/shared/money';
import { parseRatio, pointsEarned } from '#ledger-domain/shared/points';
import { makeFormat } from '../../apps/ledger-console/src/lib/format';
import { decimalOf, minorDigits, minorOf, pointsFor } from '../../apps/ledger-console/src/lib/money';

/**
 * The console's money arithmetic (amounts shown, the points preview of "Add a visit / Payment")
 * is its own code, for the browser; here it is held to the ledger's.
 */
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CODES = [...LETTERS].flatMap((a) => [...LETTERS].flatMap((b) => [...LETTERS].map((c) => `${a}${b}${c}`))).filter(isCurrencyCode);

describe("the console's money arithmetic", () => {
  it("uses the ledger's minor units for every currency it accepts", () => {
    expect(CODES.length).toBeGreaterThan(150);
    for (const code of CODES) expect({ code, digits: minorDigits(code) }).toEqual({ code, digits: minorUnits(code) });
  });

  it('reads and writes amounts as the ledger does', () => {
    const amount = fc
      .tuple(fc.stringMatching(/^\d{1,7}$/), fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }))
      .map(([i, f]) => (f === undefined ? i : `${i}.${f}`));
    fc.assert(
      fc.property(amount, fc.constantFrom('USD', 'JPY', 'KWD', 'CLF', 'EUR'), (text, currency) => {
        const ledger = parseAmount(text, currency);
        expect(minorOf(text, currency)).toBe(E.isRight(ledger) ? ledger.right : undefined);
        if (E.isRight(ledger)) expect(decimalOf(ledger.right, currency)).toBe(formatAmount(ledger.right, currency));
      }),
      { numRuns: 3000 },
    );
  });

  it('previews the points a payment earns exactly as the ledger computes them', () => {
    const ratio = fc
      .tuple(fc.integer({ min: 0, max: 1000 }), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }))
      .map(([i, f]) => (f === undefined ? String(i) : `${i}.${f}`));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), ratio, fc.constantFrom('USD', 'JPY', 'KWD'), (minor, pointsPerUnit, currency) => {
        const text = formatAmount(minor, currency);
        expect(pointsFor(text, currency, pointsPerUnit)).toBe(pointsEarned(minor, minorUnits(currency), parseRatio(pointsPerUnit)!));
      }),
      { numRuns: 3000 },
    );
    // The seeds' example: 1 point for every $1 spent, $50 is 50 points.
    expect(pointsFor('50', 'USD', '1')).toBe(50);
    expect(pointsFor('49.99', 'USD', '1')).toBe(49);
    expect(pointsFor('12.345', 'USD', '1')).toBeUndefined();
  });

  it("shows money in the program's currency, in the currency's own decimals", () => {
    const base = makeFormat({ currency: 'USD', timezone: 'Europe/Paris' }, 'en-US');
    // Intl separates with no-break spaces (U+00A0, U+202F); compared here as plain spaces.
    const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
    const format = {
      ...base,
      money: (minor: number, currency?: string) => plain(base.money(minor, currency)),
      dateTime: (iso: string) => plain(base.dateTime(iso)),
    };
    expect(format.money(4999)).toBe('$49.99');
    expect(format.money(500, 'JPY')).toBe('¥500');
    expect(format.money(1500, 'KWD')).toBe('KWD 1.500');
    expect(format.money(123456789)).toBe('$1,234,567.89');
    expect(plain(makeFormat({ currency: 'EUR', timezone: 'Europe/Paris' }, 'de-DE').money(4999))).toBe('49,99 €');
    expect(format.signedPoints(50)).toBe('+50');
    expect(format.signedPoints(-5)).toBe('−5');
    expect(format.dateTime('2026-11-23T09:15:00Z')).toBe('Nov 23, 2026, 10:15 AM');
  });
});
