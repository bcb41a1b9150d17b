/**
 * The points ratio of a program: points earned per one whole unit of currency, as a decimal
 * string ("1", "0.5", "2.25"). Parsed into an exact fraction so no floating point touches money.
 */
export interface PointsRatio {
  readonly numerator: bigint;
  /** A power of ten. */
  readonly denominator: bigint;
}

const RATIO = /^(\d{1,6})(?:\.(\d{1,6}))?$/;

export function parseRatio(ratio: string): PointsRatio | undefined {
  const match = RATIO.exec(ratio);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  return {
    numerator: BigInt(match[1]! + fraction),
    denominator: 10n ** BigInt(fraction.length),
  };
}

/** The product of two ratios (a points ratio and a tier multiplier): still exact, still over a power of ten. */
export const times = (a: PointsRatio, b: PointsRatio): PointsRatio => ({ numerator: a.numerator * b.numerator, denominator: a.denominator * b.denominator });

/**
 * Points earned for an amount: floor(amount × pointsPerUnit), computed exactly on integers.
 * `amountMinor` is in minor units of a currency with `minorDigits` digits.
 */
export function pointsEarned(amountMinor: number, minorDigits: number, ratio: PointsRatio): number {
  const scaled = BigInt(amountMinor) * ratio.numerator;
  const divisor = ratio.denominator * 10n ** BigInt(minorDigits);
  return Number(scaled / divisor); // BigInt division truncates; both operands are non-negative, so this is floor.
}

/**
 * Largest balance or lifetime total of one customer: 10^12 points. Far above any real program,
 * and far inside Number.MAX_SAFE_INTEGER (≈ 9 × 10^15), so that sums over thousands of customers
 * at this bound (reports, reconciliation) stay exact too. A command that would go past it is
 * refused (422 amount-out-of-range), never rounded.
 */
export const MAX_LEDGER_POINTS = 1_000_000_000_000;

/** Largest |points| a single adjustment or redemption may move. */
export const MAX_POINTS_PER_ENTRY = 1_000_000_000;

/**
 * Cashback points for a payment: floor(amount × percent / 100 × pointsPerUnit), computed exactly
 * on integers (one division, so there is one rounding, always down). `percent` and `ratio` are
 * exact decimals as `parseRatio` gives them; `amountMinor` is in minor units.
 */
export function cashbackPoints(amountMinor: number, minorDigits: number, percent: PointsRatio, ratio: PointsRatio): number {
  const scaled = BigInt(amountMinor) * percent.numerator * ratio.numerator;
  const divisor = percent.denominator * 100n * ratio.denominator * 10n ** BigInt(minorDigits);
  return Number(scaled / divisor);
}
