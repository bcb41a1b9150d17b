import * as t from 'io-ts';
import type { FieldError } from './errors';
import { isCurrencyCode } from './money';
import { parseRatio } from './points';
import { parseInstant } from './time';
import { annotate, declareShape, type JsonSchema } from './schema-annotation';

/**
 * io-ts codecs for the edges (HTTP bodies, configuration, events read back from a store).
 * Each codec is named for what it expects, because that name is what the caller sees in
 * `errors[].message`; values are never echoed (they may be personal data).
 */

/** `base` narrowed by `ok`. What `ok` checks is for `annotate` to document: the walker refuses the codec until then. */
export const refine = <A>(base: t.Type<A, A, unknown>, name: string, ok: (a: A) => boolean) =>
  declareShape(
    new t.Type<A, A, unknown>(
      name,
      (u): u is A => base.is(u) && ok(u),
      (u, c) => (base.is(u) && ok(u) ? t.success(u) : t.failure(u, c)),
      t.identity,
    ),
    { kind: 'refinement', of: base },
    undefined,
    'its refinement',
  );

/**
 * A list decoded item by item (so a bad item reports its own path, e.g. `visitRewards[1].points`),
 * then checked as a whole: at most `max` items, and `ok` (e.g. no duplicates) on the decoded list.
 * An `ok` must be documented with `annotate` (the schema shows `max`, not what `ok` checks).
 */
export const CheckedArray = <A, O>(item: t.Type<A, O, unknown>, name: string, max: number, ok?: (items: readonly A[]) => boolean) => {
  const list = t.array(item);
  const check = ok ?? (() => true);
  const codec = new t.Type<readonly A[], unknown, unknown>(
    name,
    (u): u is readonly A[] => list.is(u) && u.length <= max && check(u),
    (u, c) => {
      const decoded = list.validate(u, c);
      if (decoded._tag === 'Left') return decoded;
      return decoded.right.length <= max && check(decoded.right) ? t.success(decoded.right) : t.failure(u, c);
    },
    (a) => a,
  );
  return declareShape(codec, { kind: 'array', of: item }, { maxItems: max }, ok === undefined ? undefined : 'its whole-list check');
};

/** A non-empty list of distinct values of a keyof codec ("kinds": ["browse", "service"]). */
export const DistinctValues = <A extends string>(item: t.Type<A, A, unknown>, name: string) =>
  annotate(
    CheckedArray(item, name, 100, (items) => items.length > 0 && new Set(items).size === items.length),
    { minItems: 1, uniqueItems: true },
  );

/**
 * Text we store must be well-formed Unicode without control characters other than tab and
 * line breaks: a lone surrogate changes when encoded (two values, one stored key), and NUL is
 * refused by PostgreSQL, where the read models may live.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this does
export const isCleanText = (s: string): boolean => s.isWellFormed() && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);

/** A string of `min`..`max` characters (after trimming when `trim`), returned trimmed. */
export const BoundedString = (min: number, max: number, name = `string of ${min} to ${max} characters`) =>
  annotate(
    new t.Type<string, string, unknown>(
      name,
      (u): u is string => typeof u === 'string' && u.trim().length >= min && u.length <= max && isCleanText(u),
      (u, c) => {
        if (typeof u !== 'string' || !isCleanText(u)) return t.failure(u, c);
        const trimmed = u.trim();
        return trimmed.length >= min && trimmed.length <= max ? t.success(trimmed) : t.failure(u, c);
      },
      t.identity,
    ),
    boundedStringSchema(min, max),
  );

/**
 * The length is counted after trimming, so `minLength` alone would let "   " pass: a pattern
 * asks for non-blank text. The raw `maxLength` is stricter than the codec (which trims first),
 * so what the schema accepts the codec does too.
 */
function boundedStringSchema(min: number, max: number): JsonSchema {
  const nonBlank = min <= 0 ? undefined : min === 1 ? '\\S' : `^\\s*\\S[\\s\\S]{${min - 2},}\\S\\s*$`;
  return {
    type: 'string',
    ...(min > 0 && { minLength: min }),
    maxLength: max,
    ...(nonBlank !== undefined && { pattern: nonBlank }),
  };
}

/** E-mail, trimmed and lower-cased. Deliberately permissive: one @, a dot in the domain, no spaces. */
export const Email = annotate(
  new t.Type<string, string, unknown>(
    'e-mail address',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      if (typeof u !== 'string' || u.length > 254 || !isCleanText(u)) return t.failure(u, c);
      const email = u.trim().toLowerCase();
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? t.success(email) : t.failure(u, c);
    },
    t.identity,
  ),
  { type: 'string', format: 'email', maxLength: 254, description: 'trimmed and lower-cased', example: 'ada@example.com' },
);

/** Phone number: keeps a leading `+` and the digits only ("+1 (555) 010-2000" → "+15550102000"). */
export const Phone = annotate(
  new t.Type<string, string, unknown>(
    'phone number with 6 to 15 digits',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      if (typeof u !== 'string' || u.length > 40) return t.failure(u, c);
      const trimmed = u.trim();
      const digits = trimmed.replace(/\D/g, '');
      if (!/^\+?[\d\s().\-/]+$/.test(trimmed) || digits.length < 6 || digits.length > 15) return t.failure(u, c);
      return t.success((trimmed.startsWith('+') ? '+' : '') + digits);
    },
    t.identity,
  ),
  {
    type: 'string',
    maxLength: 40,
    // The codec's own pattern, on the untrimmed text (leading blanks; trailing ones are in the class).
    pattern: '^\\s*\\+?[\\d\\s().\\-/]+$',
    description: '6 to 15 digits, with an optional leading + and spaces, dots, dashes, slashes or parentheses; kept as + and digits',
    example: '+1 555 010 2000',
  },
);

/** ISO 8601 date-time with offset, decoded to the UTC instant it names. */
export const Instant = annotate(
  new t.Type<string, string, unknown>(
    'ISO 8601 date-time with offset',
    (u): u is string => typeof u === 'string' && parseInstant(u) !== undefined,
    (u, c) => {
      const instant = typeof u === 'string' && u.length <= 40 ? parseInstant(u) : undefined;
      return instant === undefined ? t.failure(u, c) : t.success(instant);
    },
    t.identity,
  ),
  { type: 'string', format: 'date-time', maxLength: 40, description: 'ISO 8601 date-time with offset', example: '2026-11-23T10:15:00+01:00' },
);

export const CurrencyCodeC = annotate(refine(t.string, 'ISO 4217 currency code', isCurrencyCode), {
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 currency code (an active one)',
  example: 'USD',
});

/** Decimal string of points per unit of currency, greater than 0 and at most 1000. */
export const PointsPerUnit = annotate(
  refine(t.string, 'decimal string greater than 0 and at most 1000, up to 6 decimals', (s) => {
    const ratio = parseRatio(s);
    return ratio !== undefined && ratio.numerator > 0n && ratio.numerator <= 1000n * ratio.denominator;
  }),
  { pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'decimal string greater than 0 and at most 1000, up to 6 decimals', example: '1' },
);

const TIMEZONE_NAME = /^[A-Za-z0-9_+\-/]+$/;
/** IANA timezone, decoded to its canonical spelling ("utc" → "UTC", "europe/paris" → "Europe/Paris"). */
export const IanaTimezone = annotate(
  new t.Type<string, string, unknown>(
    'IANA timezone',
    (u): u is string => typeof u === 'string' && canonicalTimezone(u) === u,
    (u, c) => {
      const canonical = typeof u === 'string' ? canonicalTimezone(u) : undefined;
      return canonical === undefined ? t.failure(u, c) : t.success(canonical);
    },
    t.identity,
  ),
  {
    type: 'string',
    minLength: 1,
    maxLength: 64,
    pattern: TIMEZONE_NAME.source,
    description: 'IANA timezone name, in any case; decoded to its canonical spelling ("europe/paris" → "Europe/Paris")',
    example: 'UTC',
  },
);

/** IANA names by lower case, so the spelling is fixed without swapping a name for an ICU alias. */
const TIMEZONES = new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((tz) => [tz.toLowerCase(), tz]));

function canonicalTimezone(tz: string): string | undefined {
  if (tz.length === 0 || tz.length > 64 || !TIMEZONE_NAME.test(tz)) return undefined;
  const known = TIMEZONES.get(tz.toLowerCase());
  if (known !== undefined) return known;
  try {
    // Other names ICU accepts (links such as "Asia/Calcutta"): kept as given.
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

/**
 * An integer in the safe range (|n| ≤ 2^53 − 1), for the integers events store (points, minor
 * units, versions): a fraction or an imprecise number read back from a store is a loud decode
 * error, never a silently rounded balance.
 */
export const SafeInteger = annotate(refine(t.number, 'safe integer', Number.isSafeInteger), {
  type: 'integer',
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
});

/** Integer in [min, max], never NaN or a float. */
export const IntInRange = (min: number, max: number, name: string) =>
  annotate(
    refine(t.number, name, (n) => Number.isSafeInteger(n) && n >= min && n <= max),
    { type: 'integer', minimum: min, maximum: max },
  );

const IDENTIFIER = /^[A-Za-z0-9\-_.:]{1,100}$/;
/** An identifier we hand out or accept: 1..100 characters of letters, digits and `-_.:`. */
export const Identifier = (name = 'identifier of 1 to 100 characters [A-Za-z0-9-_.:]') =>
  annotate(
    refine(t.string, name, (s) => IDENTIFIER.test(s)),
    { minLength: 1, maxLength: 100, pattern: IDENTIFIER.source },
  );

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** UUID in any case, decoded to lower case: the form ids are issued and stored in. */
export const Uuid = annotate(
  new t.Type<string, string, unknown>(
    'UUID',
    (u): u is string => typeof u === 'string' && UUID.test(u) && u === u.toLowerCase(),
    (u, c) => (typeof u === 'string' && UUID.test(u) ? t.success(u.toLowerCase()) : t.failure(u, c)),
    t.identity,
  ),
  // No pattern: JSON Schema patterns have no case-insensitive flag, and any case is accepted.
  { type: 'string', format: 'uuid', example: '0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30' },
);

/**
 * Flattens io-ts errors into `{path, message}` pairs: the JSON path of the field and the name
 * of the type expected there. A missing required field reports its own path. Unknown fields are
 * reported by `strictObject`. Values are never included.
 */
export function reportErrors(errors: t.Errors): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = pathOf(error.context);
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value';
    const message = error.message ?? (error.value === undefined ? `required: expected ${expected}` : `expected ${expected}`);
    const line = `${path}\u0000${message}`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push({ path, message });
  }
  return out;
}

/** `body.items[2].name` style path from an io-ts context, skipping union/intersection members. */
function pathOf(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const entry = context[i]!;
    const parent = context[i - 1]!.type as t.Mixed & { _tag?: string };
    if (parent._tag === 'UnionType' || parent._tag === 'IntersectionType') continue;
    path +=
      /^\d+$/.test(entry.key) && parent._tag !== 'InterfaceType' && parent._tag !== 'PartialType' && parent._tag !== 'ExactType'
        ? `[${entry.key}]`
        : path === ''
          ? entry.key
          : `.${entry.key}`;
  }
  return path === '' ? '(root)' : path;
}

/**
 * An exact object codec that rejects unknown properties (instead of silently stripping them),
 * so a typo such as `ammount` is a 400 rather than a request that quietly ignores a field.
 */
export function strictObject<R extends t.Props, O extends t.Props>(
  name: string,
  required: R,
  optional: O,
): t.Type<t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>, unknown, unknown> {
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const members = t.intersection([t.type(required), t.partial(optional)]);
  const shape = t.exact(members);
  const codec: t.Type<t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>, unknown, unknown> = new t.Type(
    name,
    (u): u is t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>> => shape.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected a JSON object (${name})`);
      // One pass over the keys (every request body and import row comes through here): unknown ones, and whether any optional one is null.
      const record = u as Record<string, unknown>;
      let unknownKeys: string[] | undefined;
      let nulls = false;
      for (const k of Object.keys(record)) {
        if (!known.has(k)) (unknownKeys ??= []).push(k);
        else if (record[k] === null && k in optional) nulls = true;
      }
      if (unknownKeys !== undefined) {
        return t.failures(
          unknownKeys.map((key) => ({
            value: undefined,
            context: [...c, { key, type: t.never, actual: undefined }],
            message: 'unknown field',
          })),
        );
      }
      // Optional fields sent as null are treated as absent: JSON clients often send null for "none".
      const withoutNulls = nulls ? Object.fromEntries(Object.entries(record).filter(([k, v]) => !(v === null && k in optional))) : record;
      // Validate with the intersection in the context (in place of this codec's own entry), so
      // `reportErrors` skips its members and paths read `amount`, not `[0].amount`. Unknown keys
      // were refused above, so there is nothing left for `t.exact` to strip.
      const last = c[c.length - 1];
      const context: t.Context = last === undefined ? [{ key: '', type: members, actual: withoutNulls }] : [...c.slice(0, -1), { ...last, type: members }];
      return members.validate(withoutNulls, context);
    },
    (a) => a,
  );
  // Unknown properties are refused, not stripped: `additionalProperties: false` says exactly that.
  return declareShape(codec, { kind: 'object', required, optional, additional: false });
}
