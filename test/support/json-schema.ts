import type { JsonSchema } from '#ledger-domain/shared/schema-annotation';

/**
 * A small JSON Schema checker and sample generator for the OpenAPI test: the keywords the
 * codec walker emits, read the way OpenAPI 3.0 defines them. Written here, independently of the
 * codecs, so the test can ask "does the document accept this?" and "does the codec?" separately.
 */

/** Where a value sits in a body: property names and array indexes. */
export type Pointer = readonly (string | number)[];
export const show = (at: Pointer): string => at.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? k : `${s}.${k}`), '') || '(root)';

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  email: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
};

const KNOWN = new Set([
  'type',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
  'nullable',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'allOf',
  'not',
  'title',
  'description',
  'example',
  'default',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every way `value` breaks `schema`, as "path: reason" lines; empty when it conforms. Throws on a keyword it does not know. */
export function violations(schema: JsonSchema, value: unknown, at: Pointer = []): string[] {
  const unknownKeyword = Object.keys(schema).find((k) => !KNOWN.has(k));
  if (unknownKeyword !== undefined) throw new Error(`${show(at)}: the checker does not know "${unknownKeyword}"`);
  const out: string[] = [];
  const fail = (why: string) => out.push(`${show(at)}: ${why}`);
  if (value === null) {
    if (schema.nullable !== true) fail('null');
    return out;
  }
  if (schema.enum !== undefined && !schema.enum.some((v) => v === value)) fail('not in enum');
  if (schema.type !== undefined && !hasType(schema.type, value)) {
    fail(`not ${schema.type}`);
    return out;
  }
  if (typeof value === 'string') {
    const length = [...value].length; // JSON Schema counts code points
    if (schema.minLength !== undefined && length < schema.minLength) fail('too short');
    if (schema.maxLength !== undefined && length > schema.maxLength) fail('too long');
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) fail('pattern');
    if (schema.format !== undefined && FORMATS[schema.format]?.(value) === false) fail(`not ${schema.format}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail('below minimum');
    if (schema.maximum !== undefined && value > schema.maximum) fail('above maximum');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail('too few items');
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail('too many items');
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('duplicate items');
    if (schema.items !== undefined) value.forEach((item, i) => out.push(...violations(schema.items!, item, [...at, i])));
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) out.push(`${show([...at, key])}: required`);
    for (const [key, v] of Object.entries(value)) {
      const property = schema.properties?.[key];
      if (property !== undefined) out.push(...violations(property, v, [...at, key]));
      else if (schema.additionalProperties === false) out.push(`${show([...at, key])}: unknown property`);
      else if (typeof schema.additionalProperties === 'object') out.push(...violations(schema.additionalProperties, v, [...at, key]));
    }
  }
  if (schema.anyOf !== undefined && schema.anyOf.every((s) => violations(s, value, at).length > 0)) fail('matches no anyOf member');
  for (const s of schema.allOf ?? []) out.push(...violations(s, value, at));
  if (schema.not !== undefined && violations(schema.not, value, at).length === 0) fail('matches `not`');
  return out;
}

function hasType(type: NonNullable<JsonSchema['type']>, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return typeof value === type;
  }
}

/**
 * How to fill a sample: every field or only the required ones; and which values: the
 * documented examples (defaults, first enum value), or the lowest or highest the schema allows.
 */
export interface Variant {
  readonly fields: 'required' | 'all';
  readonly values: 'example' | 'low' | 'high';
}

/**
 * A value the schema accepts, built from the schema alone. Containers are built field by field
 * (their own examples are checked separately); a string the schema constrains by format or
 * pattern comes from its example, and one without an example that breaks its pattern is an error.
 */
export function sample(schema: JsonSchema, variant: Variant, at: Pointer = []): unknown {
  const value = draft(schema, variant, at);
  const broken = violations(schema, value, at);
  if (broken.length > 0) throw new Error(`cannot make a sample of ${show(at)} (${broken.join('; ')}); document an example for it`);
  return value;
}

function draft(schema: JsonSchema, variant: Variant, at: Pointer): unknown {
  const leafExample = variant.values === 'example' && schema.type !== 'object' && schema.type !== 'array' ? schema.example : undefined;
  if (leafExample !== undefined) return structuredClone(leafExample);
  // One of several shapes: the low variant takes the first alternative, every other the last (the richest).
  if (schema.anyOf !== undefined && schema.anyOf.length > 0) {
    const alternative = variant.values === 'low' ? schema.anyOf[0]! : schema.anyOf[schema.anyOf.length - 1]!;
    return draft(alternative, variant, at);
  }
  if (schema.enum !== undefined) {
    if (variant.values === 'example') return schema.default ?? schema.enum[0];
    return variant.values === 'low' ? schema.enum[0] : schema.enum[schema.enum.length - 1];
  }
  switch (schema.type) {
    case 'object': {
      const required = new Set(schema.required ?? []);
      const entries = Object.entries(schema.properties ?? {}).filter(([key]) => variant.fields === 'all' || required.has(key));
      return Object.fromEntries(entries.map(([key, property]) => [key, sample(property, variant, [...at, key])]));
    }
    case 'array': {
      const items = schema.items ?? {};
      // Every enum value, for a list of distinct values; otherwise one item (more might repeat an id the schema cannot see).
      if (variant.values === 'high' && schema.uniqueItems === true && items.enum !== undefined) return items.enum.slice(0, schema.maxItems);
      const count = variant.values === 'low' ? (schema.minItems ?? 0) : Math.max(schema.minItems ?? 0, 1);
      return Array.from({ length: count }, (_, i) => sample(items, variant, [...at, i]));
    }
    case 'integer':
    case 'number': {
      const excluded = new Set(schema.not?.enum ?? []);
      let n = variant.values === 'high' ? schema.maximum : schema.minimum;
      n ??= variant.values === 'high' ? 1_000 : schema.default !== undefined ? Number(schema.default) : 0;
      if (excluded.has(n)) n += variant.values === 'high' ? -1 : 1;
      return n;
    }
    case 'boolean':
      return variant.values === 'high';
    case 'string': {
      // A pattern or format seldom says all the codec checks (a timezone must exist, a ratio be in range): use the example.
      if ((schema.pattern !== undefined || schema.format !== undefined) && schema.example !== undefined) return structuredClone(schema.example);
      const fits =
        variant.values === 'high' ? (schema.maxLength ?? 12) : variant.values === 'low' ? (schema.minLength ?? 0) : Math.max(schema.minLength ?? 0, 1);
      const candidate = 'x'.repeat(fits);
      return candidate;
    }
    default:
      throw new Error(`${show(at)}: no type to make a sample of`);
  }
}

/** Every (pointer, schema) pair in a sample, outermost first, descending into the properties and items present. */
export function walkSample(schema: JsonSchema, value: unknown, at: Pointer = []): { at: Pointer; schema: JsonSchema; value: unknown }[] {
  const here = { at, schema, value };
  if (Array.isArray(value) && schema.items !== undefined) return [here, ...value.flatMap((item, i) => walkSample(schema.items!, item, [...at, i]))];
  if (isObject(value) && schema.properties !== undefined) {
    return [here, ...Object.entries(value).flatMap(([key, v]) => (schema.properties?.[key] ? walkSample(schema.properties[key], v, [...at, key]) : []))];
  }
  return [here];
}

/** A copy of `root` with the value at `at` replaced (or removed, for `undefined`). */
export function setAt(root: unknown, at: Pointer, value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** Values just outside what a leaf schema allows, each with the constraint it breaks. */
export function justOutside(schema: JsonSchema): { breaks: string; value: unknown }[] {
  const out: { breaks: string; value: unknown }[] = [];
  if (schema.enum !== undefined) out.push({ breaks: 'enum', value: typeof schema.enum[0] === 'number' ? -987654321 : '__not-in-the-enum__' });
  if (schema.type === 'string') out.push({ breaks: 'type', value: 12345 });
  if (schema.type === 'integer' || schema.type === 'number') out.push({ breaks: 'type', value: '7' });
  if (schema.type === 'integer') out.push({ breaks: 'integer', value: (schema.minimum ?? 0) + 0.5 });
  if (schema.minimum !== undefined) out.push({ breaks: 'minimum', value: schema.minimum - 1 });
  if (schema.maximum !== undefined) out.push({ breaks: 'maximum', value: schema.maximum + 1 });
  for (const excluded of schema.not?.enum ?? []) out.push({ breaks: 'not', value: excluded });
  if (schema.maxLength !== undefined) out.push({ breaks: 'maxLength', value: 'x'.repeat(schema.maxLength + 1) });
  if (schema.minLength !== undefined && schema.minLength > 0) out.push({ breaks: 'minLength', value: ' '.repeat(schema.minLength - 1) });
  if (schema.type === 'array') out.push({ breaks: 'type', value: 'not a list' });
  if (schema.minItems !== undefined && schema.minItems > 0) out.push({ breaks: 'minItems', value: [] });
  if (schema.type === 'object') out.push({ breaks: 'type', value: ['not', 'an', 'object'] });
  return out;
}
