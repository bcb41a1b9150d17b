import * as E from 'fp-ts/Either';
import { invalid, type InvalidInput } from './errors';

/**
 * ISO 4217 active codes and their minor units (number of digits after the decimal point).
 * Kept here rather than taken from `Intl`, whose CLDR digits differ from ISO for some
 * currencies (e.g. cash rounding) and vary with the ICU build: money must not.
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

const ACTIVE_CODES = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD
USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`;

const CURRENCIES: ReadonlySet<string> = new Set(ACTIVE_CODES.split(/\s+/).filter(Boolean));

/** An ISO 4217 alphabetic code in upper case, e.g. "USD". */
export type CurrencyCode = string;

export const isCurrencyCode = (code: string): boolean => CURRENCIES.has(code);

/** Digits after the decimal point for the currency: 2 for USD, 0 for JPY, 3 for KWD. */
export const minorUnits = (currency: CurrencyCode): number => MINOR_UNITS_EXCEPTIONS[currency] ?? 2;

/** Largest amount accepted, in minor units: keeps every sum far inside Number.MAX_SAFE_INTEGER. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

const DECIMAL = /^(\d{1,16})(?:\.(\d{1,4}))?$/;

/**
 * Parses a decimal amount string ("49.99") into integer minor units of the currency (4999).
 * Refuses more decimals than the currency has, zero, and amounts above MAX_AMOUNT_MINOR.
 */
export function parseAmount(amount: string, currency: CurrencyCode, path = 'amount'): E.Either<InvalidInput, number> {
  const match = DECIMAL.exec(amount);
  if (!match) return E.left(invalid(path, 'expected a decimal string such as "49.99"'));
  const digits = minorUnits(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return E.left(invalid(path, `expected at most ${digits} decimal places for ${currency}`));
  }
  const minor = BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor <= 0n) return E.left(invalid(path, 'expected an amount greater than zero'));
  if (minor > BigInt(MAX_AMOUNT_MINOR)) return E.left(invalid(path, `expected at most ${MAX_AMOUNT_MINOR} minor units`));
  return E.right(Number(minor));
}

/** Formats minor units back to the decimal string of the currency (4999 USD → "49.99"). */
export function formatAmount(minor: number, currency: CurrencyCode): string {
  const digits = minorUnits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = BigInt(Math.abs(minor))
    .toString()
    .padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
