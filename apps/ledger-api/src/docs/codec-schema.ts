import * as t from 'io-ts';
import { annotationOf, type CodecShape, type JsonSchema } from '#ledger-domain/shared/schema-annotation';

export type { JsonSchema } from '#ledger-domain/shared/schema-annotation';

/** A codec the walker cannot document: it is opaque and unannotated, or annotated with a field it does not have. */
export class UndocumentedCodecError extends Error {
  override readonly name = 'UndocumentedCodecError';
}

/**
 * The JSON Schema (OpenAPI 3.0 dialect) of what a codec accepts, from io-ts's own structure and
 * the annotations on our custom codecs (`#ledger-domain/shared/schema-annotation`). Throws for a
 * codec it cannot see into rather than emitting `{}`, which would document "anything goes"; the
 * routes call it while their decorators run, so a gap fails at start-up and in every test.
 */
export function codecSchema(codec: t.Mixed): JsonSchema {
  // A fresh copy: OpenAPI tooling may mutate what it is given, and examples are shared objects.
  return structuredClone(walk(codec, codec.name));
}

function walk(codec: t.Mixed, at: string): JsonSchema {
  const annotation = annotationOf(codec);
  if (annotation?.undocumented !== undefined) {
    throw new UndocumentedCodecError(`${at}: codec "${codec.name}" has ${annotation.undocumented} undocumented; annotate() it with the schema it checks`);
  }
  const structural = annotation?.shape !== undefined ? fromShape(annotation.shape, at) : fromIoTs(codec, at);
  if (structural === undefined && annotation?.schema === undefined) {
    throw new UndocumentedCodecError(`${at}: codec "${codec.name}" is a custom io-ts type with no schema annotation; annotate() it`);
  }
  return overlay(structural ?? {}, annotation?.schema, at);
}

/** Lays annotated keywords over the structural schema; `properties` field by field, and only fields the object has. */
function overlay(base: JsonSchema, extra: JsonSchema | undefined, at: string): JsonSchema {
  if (extra === undefined) return base;
  const { properties: fieldDocs, ...keywords } = extra;
  const merged: JsonSchema = { ...base, ...keywords };
  if (fieldDocs === undefined) return merged;
  const properties = { ...base.properties };
  for (const [field, doc] of Object.entries(fieldDocs)) {
    const own = properties[field];
    if (own === undefined) throw new UndocumentedCodecError(`${at}: annotation documents a field "${field}" the codec does not have`);
    properties[field] = { ...own, ...doc };
  }
  return { ...merged, properties };
}

function fromShape(shape: CodecShape, at: string): JsonSchema {
  switch (shape.kind) {
    case 'refinement':
      return walk(shape.of, at);
    case 'array':
      return { type: 'array', items: walk(shape.of, `${at}[]`) };
    case 'object':
      return objectSchema(shape.required, shape.optional, at, shape.additional);
  }
}

function objectSchema(required: t.Props, optional: t.Props, at: string, additional?: false): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, codec] of [...Object.entries(required), ...Object.entries(optional)]) properties[key] = walk(codec, `${at}.${key}`);
  const names = Object.keys(required);
  // `required: []` is not valid in OpenAPI 3.0 (it must have at least one item): left out instead.
  return { type: 'object', properties, ...(names.length > 0 && { required: names }), ...(additional === false && { additionalProperties: false }) };
}

/** io-ts's built-in codecs, by class; undefined for a codec made with `new t.Type(...)`, which only an annotation can describe. */
function fromIoTs(codec: t.Mixed, at: string): JsonSchema | undefined {
  if (codec instanceof t.StringType) return { type: 'string' };
  if (codec instanceof t.NumberType) return { type: 'number' };
  if (codec instanceof t.BooleanType) return { type: 'boolean' };
  if (codec instanceof t.NullType) return { nullable: true, enum: [null] };
  if (codec instanceof t.UnknownType) return {};
  if (codec instanceof t.NeverType) return { not: {} };
  if (codec instanceof t.AnyArrayType) return { type: 'array' };
  if (codec instanceof t.AnyDictionaryType) return { type: 'object' };
  if (codec instanceof t.LiteralType) return literalSchema([literal(codec.value as unknown, at)]);
  if (codec instanceof t.KeyofType) return literalSchema(Object.keys(codec.keys as object));
  if (codec instanceof t.InterfaceType) return objectSchema(codec.props as t.Props, {}, at);
  if (codec instanceof t.PartialType) return objectSchema({}, codec.props as t.Props, at);
  // t.exact strips unknown properties rather than refusing them: still "accepted", so no additionalProperties: false.
  if (codec instanceof t.ExactType || codec instanceof t.ReadonlyType) return walk(codec.type as t.Mixed, at);
  if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) return { type: 'array', items: walk(codec.type as t.Mixed, `${at}[]`) };
  if (codec instanceof t.DictionaryType) return { type: 'object', additionalProperties: walk(codec.codomain as t.Mixed, `${at}[*]`) };
  if (codec instanceof t.UnionType) return unionSchema(codec.types as t.Mixed[], at);
  if (codec instanceof t.IntersectionType) return intersectionSchema(codec.types as t.Mixed[], at);
  if (codec instanceof t.RefinementType) {
    // A predicate is opaque: only t.Int says what it checks; any other refinement needs an annotation.
    if (codec === t.Int) return { type: 'integer' };
    if (annotationOf(codec)?.schema === undefined)
      throw new UndocumentedCodecError(`${at}: refinement "${codec.name}" has no schema annotation; annotate() it`);
    return walk(codec.type as t.Mixed, at);
  }
  // Tagged but not JSON-shaped (undefined, void, bigint, functions, tuples, recursion): none of them is in a request.
  if ('_tag' in codec && typeof codec._tag === 'string')
    throw new UndocumentedCodecError(`${at}: io-ts ${codec._tag} ("${codec.name}") has no JSON Schema here`);
  return undefined;
}

type Literal = string | number | boolean;
function literal(value: unknown, at: string): Literal {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new UndocumentedCodecError(`${at}: literal of type ${typeof value}`);
}

/** One `enum`, typed when every value has the same JSON type (OpenAPI 3.0 tools expect the `type`). */
function literalSchema(values: Literal[]): JsonSchema {
  const types = new Set(values.map((v) => typeof v));
  const only = types.size === 1 ? [...types][0] : undefined;
  return {
    ...(only === 'string' && { type: 'string' }),
    ...(only === 'number' && { type: 'number' }),
    ...(only === 'boolean' && { type: 'boolean' }),
    enum: values,
  };
}

/** anyOf; `null` members become `nullable` (OpenAPI 3.0 has no null type), and a single remaining member stands alone. */
function unionSchema(members: t.Mixed[], at: string): JsonSchema {
  const nullable = members.some((m) => m instanceof t.NullType);
  const rest = members.filter((m) => !(m instanceof t.NullType)).map((m, i) => walk(m, `${at}|${i}`));
  // A union of literals ("a" | "b") is one enum, as t.keyof would give.
  const values = rest.every((s) => s.enum !== undefined && Object.keys(s).every((k) => k === 'type' || k === 'enum'))
    ? rest.flatMap((s) => s.enum ?? []).filter((v): v is Literal => v !== null)
    : undefined;
  const schema: JsonSchema = values !== undefined && rest.length > 1 ? literalSchema(values) : rest.length === 1 ? rest[0]! : { anyOf: rest };
  return nullable ? { ...schema, nullable: true } : schema;
}

/**
 * Plain objects are merged into one (properties and `required` united), which is what the
 * intersection accepts and reads far better than allOf; anything else stays an allOf.
 */
function intersectionSchema(members: t.Mixed[], at: string): JsonSchema {
  const schemas = members.map((m, i) => walk(m, `${at}&${i}`));
  const plain = (s: JsonSchema) => s.type === 'object' && Object.keys(s).every((k) => k === 'type' || k === 'properties' || k === 'required');
  if (!schemas.every(plain)) return { allOf: schemas };
  const properties: Record<string, JsonSchema> = {};
  for (const s of schemas) {
    for (const [key, value] of Object.entries(s.properties ?? {})) {
      const seen = properties[key];
      properties[key] = seen === undefined ? value : { allOf: [seen, value] };
    }
  }
  const required = [...new Set(schemas.flatMap((s) => s.required ?? []))];
  return { type: 'object', properties, ...(required.length > 0 && { required }) };
}

/** The schema of an object codec, for documenting its fields one by one (query parameters). */
export function objectFields(codec: t.Mixed): { readonly name: string; readonly required: boolean; readonly schema: JsonSchema }[] {
  const schema = codecSchema(codec);
  if (schema.type !== 'object' || schema.properties === undefined) throw new UndocumentedCodecError(`codec "${codec.name}" is not an object codec`);
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, field]) => ({ name, required: required.has(name), schema: field }));
}
