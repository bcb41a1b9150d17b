import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import {
  BoundedString,
  CurrencyCodeC,
  Email,
  IanaTimezone,
  Identifier,
  Instant,
  IntInRange,
  isCleanText,
  Phone,
  PointsPerUnit,
  reportErrors,
  strictObject,
  Uuid,
} from './codecs';
import type { FieldError } from './errors';

/** The field errors a codec reports for a value, or a failure if it decodes. */
const errorsOf = (codec: t.Decoder<unknown, unknown>, value: unknown): FieldError[] => {
  const result = codec.decode(value);
  if (E.isRight(result)) throw new Error(`expected a decoding failure, got ${JSON.stringify(result.right)}`);
  return reportErrors(result.left);
};

describe('Email', () => {
  it('trims and lower-cases', () => {
    expect(Email.decode('  Ada.Lovelace@Example.COM ')).toEqual(E.right('ada.lovelace@example.com'));
  });

  it.each(['ada@example.com', 'a+tag@sub.example.co.uk', "o'brien@example.ie"])('accepts %p', (email) => {
    expect(Email.decode(email)).toEqual(E.right(email));
  });

  it.each<[string, unknown]>([
    ['no @', 'ada.example.com'],
    ['two @', 'ada@@example.com'],
    ['no dot in the domain', 'ada@localhost'],
    ['a space inside', 'ada lovelace@example.com'],
    ['nothing before the @', '@example.com'],
    ['an empty string', ''],
    ['a number', 42],
    ['null', null],
    ['more than 254 characters', `${'a'.repeat(250)}@example.com`],
  ])('refuses %s', (_what, value) => {
    expect(E.isLeft(Email.decode(value))).toBe(true);
  });
});

describe('Phone', () => {
  it.each<[string, string]>([
    ['+1 (555) 010-2000', '+15550102000'],
    ['+353 87 123 4567', '+353871234567'],
    ['087.123.4567', '0871234567'],
    ['0871/234567', '0871234567'],
    ['  +44 20 7946 0958  ', '+442079460958'],
    ['123456', '123456'],
    ['123456789012345', '123456789012345'],
  ])('keeps the leading + and the digits only: %p → %p', (input, normalised) => {
    expect(Phone.decode(input)).toEqual(E.right(normalised));
  });

  it.each<[string, unknown]>([
    ['letters', '+1 555 CALL NOW'],
    ['an extension marker', '+1 555 010 2000 x12'],
    ['a + that is not leading', '1+5550102000'],
    ['two leading +', '++15550102000'],
    ['fewer than 6 digits', '+1 234'],
    ['more than 15 digits', '+1234567890123456'],
    ['only punctuation', '(-)'],
    ['more than 40 characters', `+1 ${'5 '.repeat(20)}`],
    ['a number', 15550102000],
    ['an empty string', ''],
  ])('refuses %s', (_what, value) => {
    expect(E.isLeft(Phone.decode(value))).toBe(true);
  });
});

describe('Instant', () => {
  it('decodes a date-time with offset to the UTC instant it names', () => {
    expect(Instant.decode('2026-11-23T10:15:00+01:00')).toEqual(E.right('2026-11-23T09:15:00.000Z'));
  });

  it.each<[string, unknown]>([
    ['a time without offset', '2026-11-23T10:15:00'],
    ['an impossible date', '2026-02-31T10:00:00Z'],
    ['hour 24', '2026-11-23T24:00:00Z'],
    ['more than 40 characters', '2026-11-23T10:15:00.123456789+01:00' + '     '],
    ['a number', 1763892900000],
    ['a Date object', new Date('2026-11-23T10:15:00Z')],
  ])('refuses %s', (_what, value) => {
    expect(E.isLeft(Instant.decode(value))).toBe(true);
  });

  it('recognises only valid instants with is()', () => {
    expect(Instant.is('2026-11-23T10:15:00Z')).toBe(true);
    expect(Instant.is('2026-11-23T10:15:00')).toBe(false);
  });
});

describe('CurrencyCodeC', () => {
  it('accepts ISO 4217 codes and refuses anything else', () => {
    expect(CurrencyCodeC.decode('EUR')).toEqual(E.right('EUR'));
    expect(['eur', 'EURO', 'XXX', '', 978].map((v) => E.isLeft(CurrencyCodeC.decode(v)))).toEqual([true, true, true, true, true]);
  });
});

describe('PointsPerUnit', () => {
  it.each(['1', '0.5', '2.25', '0.000001', '1000', '1000.000000', '999.999999'])('accepts %p', (ratio) => {
    expect(PointsPerUnit.decode(ratio)).toEqual(E.right(ratio));
  });

  it.each<[string, unknown]>([
    ['zero', '0'],
    ['zero with decimals', '0.000000'],
    ['just above 1000', '1000.000001'],
    ['1001', '1001'],
    ['a negative ratio', '-1'],
    ['seven decimals', '0.0000001'],
    ['a number rather than a string', 1],
    ['an exponent', '1e2'],
    ['an empty string', ''],
  ])('refuses %s', (_what, value) => {
    expect(E.isLeft(PointsPerUnit.decode(value))).toBe(true);
  });
});

describe('IanaTimezone', () => {
  it.each(['UTC', 'Europe/Dublin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'])('accepts %p', (tz) => {
    expect(IanaTimezone.decode(tz)).toEqual(E.right(tz));
  });

  it.each<[string, unknown]>([
    ['an unknown zone', 'Mars/Olympus_Mons'],
    ['an empty string', ''],
    ['a misspelt zone', 'Europe/Dublim'],
    ['more than 64 characters', `Europe/${'X'.repeat(60)}`],
    ['a number', 1],
  ])('refuses %s', (_what, value) => {
    expect(E.isLeft(IanaTimezone.decode(value))).toBe(true);
  });
});

describe('IntInRange', () => {
  const OneToThree = IntInRange(1, 3, 'integer from 1 to 3');

  it('accepts the bounds', () => {
    expect([OneToThree.decode(1), OneToThree.decode(3)]).toEqual([E.right(1), E.right(3)]);
  });

  it.each([0, 4, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', null])('refuses %p', (value) => {
    expect(E.isLeft(OneToThree.decode(value))).toBe(true);
  });
});

describe('Identifier and Uuid', () => {
  it('accepts identifiers of letters, digits and -_.: up to 100 characters', () => {
    expect(Identifier().decode('loc-dublin_1.a:b')).toEqual(E.right('loc-dublin_1.a:b'));
    expect(E.isRight(Identifier().decode('x'.repeat(100)))).toBe(true);
    expect(['', 'x'.repeat(101), 'has space', 'slash/not', 'émile', 7].map((v) => E.isLeft(Identifier().decode(v)))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('accepts UUIDs in either case', () => {
    expect(E.isRight(Uuid.decode('0b6e3f2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b'))).toBe(true);
    expect(E.isRight(Uuid.decode('0B6E3F2A-1C4D-4E5F-8A9B-0C1D2E3F4A5B'))).toBe(true);
    expect(E.isLeft(Uuid.decode('0b6e3f2a1c4d4e5f8a9b0c1d2e3f4a5b'))).toBe(true);
  });
});

describe('BoundedString', () => {
  const Reason = BoundedString(3, 10);

  it('returns the string trimmed', () => {
    expect(Reason.decode('  goodwill  ')).toEqual(E.right('goodwill'));
  });

  it('counts the length after trimming', () => {
    expect(E.isLeft(Reason.decode('  ab  '))).toBe(true);
    expect(Reason.decode('   abcdefghij   ')).toEqual(E.right('abcdefghij'));
    expect(E.isLeft(Reason.decode('abcdefghijk'))).toBe(true);
    expect(E.isLeft(Reason.decode('     '))).toBe(true);
  });

  it('names itself after its bounds', () => {
    expect(Reason.name).toBe('string of 3 to 10 characters');
  });
});

describe('strictObject', () => {
  const Body = strictObject(
    'RecordVisitBody',
    { locationId: Identifier('location id'), kind: t.keyof({ browse: null, purchase: null }) },
    { email: Email, notes: BoundedString(1, 50), items: t.array(t.type({ sku: Identifier('sku') })) },
  );

  it('decodes known fields, normalising their values', () => {
    expect(Body.decode({ locationId: 'loc-1', kind: 'browse', email: ' Ada@Example.com ', notes: ' hi ' })).toEqual(
      E.right({ locationId: 'loc-1', kind: 'browse', email: 'ada@example.com', notes: 'hi' }),
    );
  });

  it('refuses an unknown field with its path and "unknown field"', () => {
    expect(errorsOf(Body, { locationId: 'loc-1', kind: 'browse', ammount: '49.99' })).toEqual([{ path: 'ammount', message: 'unknown field' }]);
  });

  it('reports every unknown field, and only those, when there are unknown fields', () => {
    expect(errorsOf(Body, { kind: 'nope', extra1: 1, extra2: null })).toEqual([
      { path: 'extra1', message: 'unknown field' },
      { path: 'extra2', message: 'unknown field' },
    ]);
  });

  it('treats a null optional field as absent', () => {
    expect(Body.decode({ locationId: 'loc-1', kind: 'browse', email: null, notes: null })).toEqual(E.right({ locationId: 'loc-1', kind: 'browse' }));
  });

  it('does not treat a null required field as absent', () => {
    expect(errorsOf(Body, { locationId: null, kind: 'browse' })).toEqual([{ path: 'locationId', message: 'expected location id' }]);
  });

  it('reports a missing required field at its own path', () => {
    expect(errorsOf(Body, { kind: 'browse' })).toEqual([{ path: 'locationId', message: 'required: expected location id' }]);
  });

  it('reports fields by name, not by their position in the codec (no "[0]." prefix)', () => {
    expect(errorsOf(Body, { locationId: 'loc 1', kind: 'browse', email: 'nope' })).toEqual([
      { path: 'locationId', message: 'expected location id' },
      { path: 'email', message: 'expected e-mail address' },
    ]);
  });

  it('reports the path into arrays and nested objects', () => {
    expect(errorsOf(Body, { locationId: 'loc-1', kind: 'browse', items: [{ sku: 'ok' }, { sku: 'not ok' }] })).toEqual([
      { path: 'items[1].sku', message: 'expected sku' },
    ]);
  });

  it('reports paths below the field that holds it when nested', () => {
    const Envelope = t.type({ body: Body });
    expect(errorsOf(Envelope, { body: { locationId: 'loc-1', kind: 'visit', typo: 1 } })).toEqual([{ path: 'body.typo', message: 'unknown field' }]);
    expect(errorsOf(Envelope, { body: { kind: 'visit' } })).toEqual([
      { path: 'body.locationId', message: 'required: expected location id' },
      { path: 'body.kind', message: 'expected "browse" | "purchase"' },
    ]);
  });

  it.each<[string, unknown]>([
    ['a string', 'loc-1'],
    ['null', null],
    ['an array', [{ locationId: 'loc-1', kind: 'browse' }]],
    ['a number', 7],
  ])('refuses %s as the body, at the root', (_what, value) => {
    expect(errorsOf(Body, value)).toEqual([{ path: '(root)', message: 'expected a JSON object (RecordVisitBody)' }]);
  });

  it('validates with the same rules when called without a context', () => {
    const result = Body.validate({ kind: 'browse' }, []);
    expect(E.isLeft(result) && reportErrors(result.left)).toEqual([{ path: 'locationId', message: 'required: expected location id' }]);
  });
});

describe('reportErrors', () => {
  const SECRET = 'Zq7-SECRET-4711';

  it('gives {path, message} naming the path and the expected type', () => {
    const Body = strictObject('Body', { email: Email, phone: Phone }, {});
    const errors = errorsOf(Body, { email: `${SECRET}@nowhere`, phone: `${SECRET} call me` });
    expect(errors).toEqual([
      { path: 'email', message: 'expected e-mail address' },
      { path: 'phone', message: 'expected phone number with 6 to 15 digits' },
    ]);
    for (const error of errors) expect(Object.keys(error).sort()).toEqual(['message', 'path']);
  });

  it('never contains the offending value, whatever the codec or the place', () => {
    const Body = strictObject(
      'Body',
      { email: Email, reason: BoundedString(1, 5), points: IntInRange(1, 10, 'points from 1 to 10'), at: Instant },
      { timezone: IanaTimezone, ratio: PointsPerUnit, tags: t.array(Identifier('tag')), nested: t.type({ phone: Phone }) },
    );
    const offending = {
      email: `${SECRET}@example`,
      reason: `${SECRET} too long`,
      points: 4711.5,
      at: `2026-11-23T10:15:00 ${SECRET}`,
      timezone: `Europe/${SECRET}`,
      ratio: `${SECRET}`,
      tags: ['ok', `${SECRET} tag`],
      nested: { phone: `+${SECRET}` },
    };
    const report = JSON.stringify(errorsOf(Body, offending));
    expect(report).not.toContain(SECRET);
    expect(report).not.toContain('4711');
    expect(JSON.parse(report)).toHaveLength(8);
  });

  it('never contains the value of an unknown field', () => {
    const Body = strictObject('Body', {}, {});
    const report = JSON.stringify(errorsOf(Body, { creditCard: `${SECRET} 4111 1111 1111 1111` }));
    expect(report).toBe('[{"path":"creditCard","message":"unknown field"}]');
    expect(report).not.toContain(SECRET);
  });

  it('never contains the value of a plain io-ts codec either', () => {
    const report = JSON.stringify(errorsOf(t.type({ count: t.number }), { count: SECRET }));
    expect(report).toBe('[{"path":"count","message":"expected number"}]');
  });

  it('reports the root as (root)', () => {
    expect(errorsOf(Email, `${SECRET}`)).toEqual([{ path: '(root)', message: 'expected e-mail address' }]);
  });

  it('lists the same path and message only once', () => {
    const Twice = t.intersection([t.type({ id: t.string }), t.type({ id: t.string })]);
    expect(errorsOf(Twice, {})).toEqual([{ path: 'id', message: 'required: expected string' }]);
  });

  it('reports each failing member of a union at the path of the union', () => {
    const StringOrNumber = t.type({ value: t.union([t.string, t.number]) });
    expect(errorsOf(StringOrNumber, { value: true })).toEqual([
      { path: 'value', message: 'expected string' },
      { path: 'value', message: 'expected number' },
    ]);
  });
});

describe('text hygiene, id and timezone normalisation', () => {
  const decodes = <A>(codec: t.Decoder<unknown, A>, value: unknown) => codec.decode(value);

  it('refuses a lone surrogate, which would be stored as something else than was sent', () => {
    expect(isCleanText('x\ud800y')).toBe(false);
    expect(E.isLeft(decodes(Email, 'x\ud800@example.com'))).toBe(true);
    expect(E.isLeft(decodes(BoundedString(1, 100), 'R-\udfff'))).toBe(true);
  });

  it('refuses NUL and other control characters but keeps tabs and line breaks in free text', () => {
    expect(E.isLeft(decodes(BoundedString(1, 100), 'R-1\u0000'))).toBe(true);
    expect(E.isLeft(decodes(BoundedString(1, 100), 'bell\u0007'))).toBe(true);
    expect(decodes(BoundedString(1, 100), 'line one\nline two\tend')).toEqual(E.right('line one\nline two\tend'));
  });

  it('accepts emoji and other astral characters (well-formed surrogate pairs)', () => {
    expect(decodes(BoundedString(1, 100), 'Gift 🎁 für Zoë')).toEqual(E.right('Gift 🎁 für Zoë'));
  });

  it('decodes a UUID in upper case to the lower-case form ids are issued in', () => {
    expect(decodes(Uuid, 'A0B1C2D3-E4F5-4A6B-8C7D-0123456789AB')).toEqual(E.right('a0b1c2d3-e4f5-4a6b-8c7d-0123456789ab'));
  });

  it('fixes the spelling of a known timezone, and keeps other names ICU accepts as given', () => {
    expect(decodes(IanaTimezone, 'utc')).toEqual(E.right('UTC'));
    expect(decodes(IanaTimezone, 'europe/paris')).toEqual(E.right('Europe/Paris'));
    expect(decodes(IanaTimezone, 'Asia/Kolkata')).toEqual(E.right('Asia/Kolkata'));
    expect(E.isLeft(decodes(IanaTimezone, 'Mars/Olympus_Mons'))).toBe(true);
  });
});
