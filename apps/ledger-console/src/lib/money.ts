/**
 * Money and points arithmetic for display and for the points preview of the payment form. Exact:
 * amounts are decimal strings or integer minor units, never floating point. Pure; tested under Jest
 * against the ledger's own arithmetic (test/console/money.spec.ts).
 */

/**
 * ISO 4217 minor units where they are not 2 (the API's table, libs/ledger-domain/src/shared/money.ts;
 * the test keeps the two equal). Not Intl's digits: CLDR's differ from ISO for some currencies.
 */
const MINOR_UNITS_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Digits after the decimal point in the currency's amounts (2 for USD, 0 for JPY, 3 for KWD). */
export const minorDigits = (currency: string): number => MINOR_UNITS_EXCEPTIONS[currency] ?? 2;

/** Minor units as the decimal string of the currency: 4999 USD → "49.99", -5 USD → "-0.05". */
export function decimalOf(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

const AMOUNT = /^(\d{1,16})(?:\.(\d{1,4}))?$/;

/** "49.99" in minor units of the currency, or undefined when the API would refuse it. */
export function minorOf(amount: string, currency: string): number | undefined {
  const match = AMOUNT.exec(amount.trim());
  if (match === null) return undefined;
  const digits = minorDigits(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const minor = BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  return minor > 0n && minor <= 1_000_000_000_000n ? Number(minor) : undefined;
}

const RATIO = /^(\d{1,6})(?:\.(\d{1,6}))?$/;

/** floor(amount × pointsPerUnit), as the ledger computes it; undefined for an amount it would refuse. */
export function pointsFor(amount: string, currency: string, pointsPerUnit: string): number | undefined {
  const minor = minorOf(amount, currency);
  const ratio = RATIO.exec(pointsPerUnit);
  if (minor === undefined || ratio === null) return undefined;
  const fraction = ratio[2] ?? '';
  const numerator = BigInt(ratio[1]! + fraction);
  const denominator = 10n ** BigInt(fraction.length) * 10n ** BigInt(minorDigits(currency));
  return Number((BigInt(minor) * numerator) / denominator);
}
