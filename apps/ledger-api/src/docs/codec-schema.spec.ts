import * as t from 'io-ts';
import * as codecs from '#ledger-domain/shared/codecs';
import {
  BoundedString,
  CheckedArray,
  CurrencyCodeC,
  DistinctValues,
  Email,
  IanaTimezone,
  Identifier,
  Instant,
  IntInRange,
  Phone,
  PointsPerUnit,
  refine,
  SafeInteger,
  strictObject,
  Uuid,
} from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { PROGRAM_SETTINGS_PROPS } from '#ledger-domain/program/program';
import { CashbackRuleC, PercentC, VisitRewardRuleC } from '#ledger-domain/program/rules';
import { codecSchema, objectFields, UndocumentedCodecError } from './codec-schema';

const opaque = (name: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c)),
    t.identity,
  );

describe('codecSchema: io-ts constructs', () => {
  it('primitives', () => {
    expect(codecSchema(t.string)).toEqual({ type: 'string' });
    expect(codecSchema(t.number)).toEqual({ type: 'number' });
    expect(codecSchema(t.boolean)).toEqual({ type: 'boolean' });
    expect(codecSchema(t.null)).toEqual({ nullable: true, enum: [null] });
    expect(codecSchema(t.unknown)).toEqual({});
    expect(codecSchema(t.Int)).toEqual({ type: 'integer' });
  });

  it('keyof and literals are enums', () => {
    expect(codecSchema(t.keyof({ a: null, b: null }))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(codecSchema(t.literal('x'))).toEqual({ type: 'string', enum: ['x'] });
    expect(codecSchema(t.literal(3))).toEqual({ type: 'number', enum: [3] });
    expect(codecSchema(t.literal(true))).toEqual({ type: 'boolean', enum: [true] });
  });

  it('unions: anyOf; literals merged into one enum; null as nullable', () => {
    expect(codecSchema(t.union([t.string, t.number]))).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }] });
    expect(codecSchema(t.union([t.literal('a'), t.literal('b')]))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(codecSchema(t.union([t.literal('a'), t.literal(1)]))).toEqual({ enum: ['a', 1] });
    expect(codecSchema(t.union([t.string, t.null]))).toEqual({ type: 'string', nullable: true });
    expect(codecSchema(t.union([t.string, t.number, t.null]))).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }], nullable: true });
  });

  it('arrays, readonly arrays, records', () => {
    expect(codecSchema(t.array(t.string))).toEqual({ type: 'array', items: { type: 'string' } });
    expect(codecSchema(t.readonlyArray(t.number))).toEqual({ type: 'array', items: { type: 'number' } });
    expect(codecSchema(t.record(t.string, t.boolean))).toEqual({ type: 'object', additionalProperties: { type: 'boolean' } });
  });

  it('t.type: every prop required; t.partial: none; t.exact and t.readonly: the inner type (extra props are stripped, not refused)', () => {
    const props = { a: t.string, b: t.number };
    const all = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } };
    expect(codecSchema(t.type(props))).toEqual({ ...all, required: ['a', 'b'] });
    expect(codecSchema(t.partial(props))).toEqual(all);
    expect(codecSchema(t.exact(t.type(props)))).toEqual({ ...all, required: ['a', 'b'] });
    expect(codecSchema(t.readonly(t.partial(props)))).toEqual(all);
  });

  it('intersections of objects merge properties and required; others are allOf', () => {
    expect(codecSchema(t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })]))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' } },
      required: ['a'],
    });
    expect(codecSchema(t.intersection([t.type({ a: t.string }), t.type({ a: t.literal('x') })]))).toEqual({
      type: 'object',
      properties: { a: { allOf: [{ type: 'string' }, { type: 'string', enum: ['x'] }] } },
      required: ['a'],
    });
    const strict = strictObject('s', { a: t.string }, {});
    expect(codecSchema(t.intersection([strict, t.type({ b: t.string })]))).toEqual({ allOf: [codecSchema(strict), codecSchema(t.type({ b: t.string }))] });
  });

  it('strictObject: required and optional props, additionalProperties false', () => {
    expect(codecSchema(strictObject('thing', { id: t.string }, { note: t.string }))).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, note: { type: 'string' } },
      required: ['id'],
      additionalProperties: false,
    });
    // OpenAPI 3.0 forbids `required: []`.
    expect(codecSchema(strictObject('all optional', {}, { note: t.string }))).not.toHaveProperty('required');
  });

  it('annotated io-ts refinements; t.Int needs none', () => {
    const Even = t.refinement(t.number, (n) => n % 2 === 0, 'even');
    expect(() => codecSchema(Even)).toThrow(UndocumentedCodecError);
    annotate(Even, { type: 'integer', description: 'even' });
    expect(codecSchema(t.type({ n: Even }))).toHaveProperty('properties.n.type', 'integer');
  });

  it('refuses io-ts types with no JSON shape rather than guessing', () => {
    expect(() => codecSchema(t.tuple([t.string, t.number]))).toThrow(/TupleType/);
    expect(() => codecSchema(t.undefined)).toThrow(UndocumentedCodecError);
  });
});

describe('codecSchema: custom codecs', () => {
  it('throws for an unannotated custom codec, naming where it is', () => {
    const body = strictObject('body', { items: t.array(t.type({ code: opaque('mystery code') })) }, {});
    expect(() => codecSchema(body)).toThrow(UndocumentedCodecError);
    expect(() => codecSchema(body)).toThrow('body.items[].code: codec "mystery code" is a custom io-ts type with no schema annotation');
  });

  it('throws for a refine() or a checked list whose check is undocumented, until annotated', () => {
    const Odd = refine(t.number, 'odd', (n) => n % 2 === 1);
    expect(() => codecSchema(Odd)).toThrow('has its refinement undocumented');
    annotate(Odd, { type: 'integer', description: 'odd' });
    expect(codecSchema(Odd)).toEqual({ type: 'integer', description: 'odd' });

    const Sorted = CheckedArray(t.number, 'sorted numbers', 5, (xs) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x));
    expect(() => codecSchema(Sorted)).toThrow('has its whole-list check undocumented');
    annotate(Sorted, { description: 'ascending' });
    expect(codecSchema(Sorted)).toEqual({ type: 'array', items: { type: 'number' }, maxItems: 5, description: 'ascending' });
    // Without a check there is nothing to document beyond the bound.
    expect(codecSchema(CheckedArray(t.string, 'names', 3))).toEqual({ type: 'array', items: { type: 'string' }, maxItems: 3 });
  });

  it('field annotations are laid over the fields, and may only name fields the codec has', () => {
    const Thing = annotate(strictObject('thing', { id: Identifier() }, { note: BoundedString(0, 10) }), {
      description: 'a thing',
      properties: { id: { example: 'a-1' }, note: { description: 'free text' } },
    });
    expect(codecSchema(Thing)).toEqual({
      type: 'object',
      description: 'a thing',
      properties: { id: { ...codecSchema(Identifier()), example: 'a-1' }, note: { type: 'string', maxLength: 10, description: 'free text' } },
      required: ['id'],
      additionalProperties: false,
    });
    // A typo is a compile error; cast past it to check the run-time guard too.
    const Typo = annotate(strictObject('typo', { id: t.string }, {}), { properties: { idd: { example: 'x' } } } as never);
    expect(() => codecSchema(Typo)).toThrow('annotation documents a field "idd" the codec does not have');
  });

  it('the shared codecs document their constraints', () => {
    expect(codecSchema(BoundedString(0, 5))).toEqual({ type: 'string', maxLength: 5 });
    expect(codecSchema(BoundedString(1, 5))).toEqual({ type: 'string', minLength: 1, maxLength: 5, pattern: '\\S' });
    expect(codecSchema(BoundedString(3, 5))).toEqual({ type: 'string', minLength: 3, maxLength: 5, pattern: '^\\s*\\S[\\s\\S]{1,}\\S\\s*$' });
    expect(codecSchema(IntInRange(2, 9, 'x'))).toEqual({ type: 'integer', minimum: 2, maximum: 9 });
    expect(codecSchema(SafeInteger)).toEqual({ type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
    expect(codecSchema(Identifier())).toEqual({ type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9\\-_.:]{1,100}$' });
    expect(codecSchema(Uuid)).toEqual(expect.objectContaining({ type: 'string', format: 'uuid' }));
    expect(codecSchema(Instant)).toEqual(expect.objectContaining({ type: 'string', format: 'date-time', maxLength: 40 }));
    expect(codecSchema(Email)).toEqual(expect.objectContaining({ type: 'string', format: 'email', maxLength: 254 }));
    expect(codecSchema(Phone)).toEqual(expect.objectContaining({ type: 'string', maxLength: 40 }));
    expect(codecSchema(CurrencyCodeC)).toEqual(expect.objectContaining({ type: 'string', pattern: '^[A-Z]{3}$' }));
    expect(codecSchema(PointsPerUnit)).toEqual(expect.objectContaining({ type: 'string', pattern: '^\\d{1,6}(\\.\\d{1,6})?$' }));
    expect(codecSchema(PercentC)).toEqual(expect.objectContaining({ type: 'string', pattern: '^\\d{1,6}(\\.\\d{1,6})?$' }));
    expect(codecSchema(IanaTimezone)).toEqual(expect.objectContaining({ type: 'string', maxLength: 64 }));
    expect(codecSchema(DistinctValues(t.keyof({ a: null, b: null }), 'ab'))).toEqual({
      type: 'array',
      items: { type: 'string', enum: ['a', 'b'] },
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
    });
  });

  it('every codec the domain exports, and the program settings and rules, can be documented', () => {
    const exported = Object.entries(codecs).filter((entry): entry is [string, t.Mixed] => entry[1] instanceof t.Type);
    expect(exported.map(([name]) => name).sort()).toEqual([
      'CurrencyCodeC',
      'Email',
      'IanaTimezone',
      'Instant',
      'Phone',
      'PointsPerUnit',
      'SafeInteger',
      'Uuid',
    ]);
    for (const [, codec] of exported) expect(() => codecSchema(codec)).not.toThrow();
    for (const codec of [...Object.values(PROGRAM_SETTINGS_PROPS), VisitRewardRuleC, CashbackRuleC]) expect(() => codecSchema(codec)).not.toThrow();
  });

  it('patterns in the schemas agree with the codecs on a few samples', () => {
    const agree = (codec: t.Mixed, samples: string[]) => {
      const pattern = new RegExp(codecSchema(codec).pattern!);
      for (const s of samples) expect({ s, schema: pattern.test(s) }).toEqual({ s, schema: codec.decode(s)._tag === 'Right' });
    };
    agree(Identifier(), ['store-042', 'a:b.c_d', '', 'has space', 'x'.repeat(101), 'émile']);
    agree(Phone, ['+1 555 010 2000', '  +44 (20) 7946-0958 ', '555-0100 x12', '+', 'abc']);
    agree(BoundedString(1, 10), ['a', ' a ', '   ', '']);
    agree(BoundedString(3, 10), ['abc', ' a b ', '  ab  ', 'ab']);
  });

  it('returns a fresh copy each time (tooling may mutate it)', () => {
    const first = codecSchema(Instant);
    first.example = 'changed';
    expect(codecSchema(Instant).example).not.toBe('changed');
  });
});

describe('objectFields', () => {
  it('lists an object codec’s fields with their schemas and whether they are required', () => {
    expect(objectFields(strictObject('q', { from: t.string }, { limit: IntInRange(1, 5, 'limit') }))).toEqual([
      { name: 'from', required: true, schema: { type: 'string' } },
      { name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 5 } },
    ]);
    expect(() => objectFields(t.string)).toThrow(UndocumentedCodecError);
  });
});
