/**
 * API errors in plain words, next to the field they name. The API answers application/problem+json
 * (RFC 7807) with `errors: [{path, message}]` for invalid input, and a `type` slug per refusal
 * (insufficient-points, duplicate-purchase, …). Pure: tested under Jest (test/console/problems.spec.ts).
 */

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

/** What a form shows: a message under each field it knows, and the rest above the buttons. */
export interface FormErrors {
  readonly fields: Readonly<Record<string, string>>;
  readonly general: string | undefined;
}

export const NO_ERRORS: FormErrors = { fields: {}, general: undefined };

const TYPE_BASE = 'https://loyalty-ledger.dev/problems/';

/** The problem's slug (`insufficient-points`), or '' for a problem of another origin. */
export const slugOf = (problem: Problem): string =>
  typeof problem.type === 'string' && problem.type.startsWith(TYPE_BASE) ? problem.type.slice(TYPE_BASE.length) : '';

/** The API's technical wording of what a field expects, as staff would say it. */
const PLAIN: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^identifier of 1 to 100 characters/, () => 'Use 1 to 100 letters, digits or the signs - _ . : (no spaces).'],
  [/^(a )?decimal string such as "([\d.]+)"$/, (m) => `Enter an amount such as ${m[2]}.`],
  [/^at most (\d+) decimal places for (\w+)$/, (m) => (m[1] === '0' ? `${m[2]} amounts have no decimals.` : `Use at most ${m[1]} decimal places for ${m[2]}.`)],
  [/^an amount greater than zero$/, () => 'Enter an amount greater than zero.'],
  [/^ISO 8601 date-time with offset$/, () => 'Enter a date and time.'],
  [/^e-mail address$/, () => 'Enter an e-mail address such as ada@example.com.'],
  [/^phone number with 6 to 15 digits$/, () => 'Enter a phone number with 6 to 15 digits.'],
  [/^an e-mail or a phone number \(at least one\)$/, () => 'Enter an e-mail address or a phone number.'],
  [/^non-zero integer between -?(\d+) and (\d+)$/, (m) => `Enter a whole number other than 0, between −${n(m[1]!)} and ${n(m[2]!)}.`],
  [/^integer (?:between|from) (\d+) (?:and|to) (\d+)$/, (m) => `Enter a whole number from ${n(m[1]!)} to ${n(m[2]!)}.`],
  [/^string of 0 to (\d+) characters$/, (m) => `Use at most ${n(m[1]!)} characters.`],
  [/^string of (\d+) to (\d+) characters$/, (m) => `Use ${n(m[1]!)} to ${n(m[2]!)} characters.`],
  [/^ISO 4217 currency code$/, () => 'Enter a currency code such as USD or EUR.'],
  [/^IANA timezone$/, () => 'Enter a timezone such as Europe/Paris or America/New_York.'],
  [
    /^decimal string greater than 0 and at most (\d+), up to (\d+) decimals$/,
    (m) => `Enter a number such as 1 or 0.5: more than 0, at most ${n(m[1]!)}, up to ${m[2]} decimals.`,
  ],
  [/^UUID$/, () => 'Enter a customer id such as 0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30.'],
  [/^"[^"]+"(?:\s*(?:\||or)\s*"[^"]+")+$/, (m) => `Choose ${listOf([...m[0].matchAll(/"([^"]+)"/g)].map((x) => x[1]!))}.`],
];

/** 1000000000 → "1,000,000,000". */
const n = (digits: string): string => Number(digits).toLocaleString('en-US');

const listOf = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`);

/** One API field message in plain words: "required: expected …" is "Required.", "expected X" is "Enter X". */
export function plainMessage(message: string): string {
  const required = /^required\b/.test(message);
  const expected = message.replace(/^required:\s*/, '').replace(/^expected\s+/, '');
  if (required) return 'Required.';
  for (const [pattern, say] of PLAIN) {
    const match = pattern.exec(expected);
    if (match !== null) return say(match);
  }
  const sentence = expected === message ? message : `Enter ${expected}`;
  return sentence.endsWith('.') ? sentence : `${sentence}.`;
}

/**
 * Refusals that are about one field although the API sends no `errors` for them: shown under that
 * field (a duplicate receipt under "Purchase identifier", too few points under "Points").
 */
const FIELD_OF_SLUG: Readonly<Record<string, string>> = {
  'duplicate-purchase': 'purchaseIdentifier',
  'insufficient-points': 'points',
  'occurred-in-future': 'occurredAt',
  'currency-mismatch': 'amount',
  'refund-exceeds-payment': 'amount',
  'duplicate-refund': 'refundIdentifier',
  'email-taken': 'email',
  'phone-taken': 'phone',
};

/** Plain words for refusals whose `detail` is written for developers. */
function plainDetail(problem: Problem): string {
  const slug = slugOf(problem);
  switch (slug) {
    case 'duplicate-purchase':
      return 'A payment with this purchase identifier was already recorded at this location. No points were added again.';
    case 'occurred-in-future':
      return 'This time is in the future. Enter the time it happened (at most 5 minutes ahead).';
    case 'email-taken':
      return 'Another customer is enrolled with this e-mail address.';
    case 'phone-taken':
      return 'Another customer is enrolled with this phone number.';
    case 'idempotency-key-reused':
      return 'This form was already sent with other values. Close it and try again.';
    case 'unauthorized':
      return 'Your API key is no longer accepted. Sign in again.';
    case 'forbidden':
      return 'Your API key may not do this.';
    case 'rate-limited':
      return 'Too many requests from this key. Wait a moment and try again.';
    case 'program-not-configured':
      return 'The program is not configured yet: an admin sets it on the Program page.';
    default:
      return typeof problem.detail === 'string' && problem.detail !== ''
        ? problem.detail
        : (problem.title ?? `The request failed (status ${problem.status ?? '?'}).`);
  }
}

/**
 * The messages a form shows for a problem. `fields` lists the form's fields by their API path;
 * errors on other paths, and refusals about no field, go to `general`.
 */
export function formErrors(problem: Problem, fields: readonly string[]): FormErrors {
  const out: Record<string, string> = {};
  const rest: string[] = [];
  for (const error of problem.errors ?? []) {
    const field = fields.find((f) => error.path === f || error.path.startsWith(`${f}.`) || error.path.startsWith(`${f}[`));
    if (field !== undefined && out[field] === undefined) out[field] = plainMessage(error.message);
    else if (field === undefined) rest.push(`${error.path}: ${plainMessage(error.message)}`);
  }
  if ((problem.errors ?? []).length > 0) {
    return { fields: out, general: rest.length > 0 ? rest.join(' ') : Object.keys(out).length > 0 ? undefined : plainDetail(problem) };
  }
  const field = FIELD_OF_SLUG[slugOf(problem)];
  if (field !== undefined && fields.includes(field)) return { fields: { [field]: plainDetail(problem) }, general: undefined };
  return { fields: {}, general: plainDetail(problem) };
}
