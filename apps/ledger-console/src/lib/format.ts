import { decimalOf, minorDigits } from './money';

/**
 * Numbers in the program's currency and dates in the program's timezone (GET /program), in the
 * browser's language. One instance per program; the formatters are built once.
 */
export interface Format {
  readonly locale: string;
  readonly timeZone: string;
  readonly currency: string | undefined;
  /** Minor units of `currency` (default: the program's) as money: 4999 → "$49.99". */
  money(minor: number, currency?: string | null): string;
  points(points: number): string;
  /** With a sign: "+50", "−5", "0". */
  signedPoints(points: number): string;
  /** An instant as date and time in the program's timezone. */
  dateTime(iso: string): string;
  /** An instant as a date in the program's timezone. */
  date(iso: string): string;
  /** A calendar day (`YYYY-MM-DD`) as a short date. */
  day(day: string, style?: 'short' | 'medium'): string;
  percent(ratio: number | null): string;
  count(n: number): string;
}

export function makeFormat(program: { readonly currency: string; readonly timezone: string } | null, locale: string): Format {
  const timeZone = program?.timezone ?? 'UTC';
  const currencyFormats = new Map<string, Intl.NumberFormat>();
  const moneyFormat = (currency: string) => {
    let format = currencyFormats.get(currency);
    if (format === undefined) {
      const digits = minorDigits(currency);
      format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
      currencyFormats.set(currency, format);
    }
    return format;
  };
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const signed = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
  const dayShort = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const dayMedium = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  return {
    locale,
    timeZone,
    currency: program?.currency,
    money(minor, currency) {
      const code = currency ?? program?.currency;
      if (code === undefined) return integer.format(minor);
      // The exact decimal string (ES2023 Intl formats it without a float), in the currency's digits.
      return moneyFormat(code).format(decimalOf(minor, code) as `${number}`);
    },
    points: (points) => integer.format(points),
    signedPoints: (points) => signed.format(points).replace('-', '−'),
    dateTime: (iso) => dateTime.format(new Date(iso)),
    date: (iso) => date.format(new Date(iso)),
    day: (day, style = 'short') => (style === 'short' ? dayShort : dayMedium).format(new Date(`${day}T12:00:00Z`)),
    percent: (ratio) => (ratio === null ? '—' : percent.format(ratio)),
    count: (n) => integer.format(n),
  };
}
