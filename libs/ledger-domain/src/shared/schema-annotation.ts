import type * as t from 'io-ts';

/**
 * Schema annotations on io-ts codecs, so the HTTP API's OpenAPI document can be generated from
 * the codecs that validate requests (apps/ledger-api/src/docs/codec-schema.ts walks them).
 *
 * io-ts's own combinators (t.type, t.keyof, t.array, …) describe themselves; a codec made with
 * `new t.Type(...)` is opaque, so it says what it accepts here. Plain data in a WeakMap, no
 * framework: the domain stays free of Nest, and a codec's behaviour is untouched.
 */

/** The JSON Schema keywords the codecs are documented with: those OpenAPI 3.0 reads (it has `nullable`, not `type: "null"`). */
export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: (string | number | boolean | null)[];
  nullable?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  title?: string;
  description?: string;
  example?: unknown;
  default?: unknown;
}

/** What a codec built by one of our generic constructors is made of, for the walker to descend into. */
export type CodecShape =
  | { readonly kind: 'refinement'; readonly of: t.Mixed }
  | { readonly kind: 'array'; readonly of: t.Mixed }
  | { readonly kind: 'object'; readonly required: t.Props; readonly optional: t.Props; readonly additional: false };

export interface CodecAnnotation {
  readonly shape?: CodecShape;
  /**
   * Keywords laid over the schema the shape (or io-ts structure) gives, or, for an opaque codec,
   * its whole schema. `properties` entries are laid over the object's own, field by field.
   */
  readonly schema?: JsonSchema;
  /** A check the shape does not show (a refinement's predicate): documented only once `annotate` says what it is. */
  readonly undocumented?: string;
}

const annotations = new WeakMap<t.Mixed, CodecAnnotation>();

/** Schema keywords for `annotate`, with `properties` limited to the codec's own field names (a typo does not compile). */
export type SchemaFor<C extends t.Mixed> = Omit<JsonSchema, 'properties'> & {
  properties?: { [K in FieldNames<C>]?: JsonSchema };
};
type FieldNames<C extends t.Mixed> = t.TypeOf<C> extends Record<string, unknown> ? Extract<keyof t.TypeOf<C>, string> : never;

/**
 * Documents a codec: its schema (an opaque codec), the constraint its refinement checks, or
 * descriptions and examples for it and its fields. Returns the codec itself, unchanged.
 * Annotate a codec where it is defined: a shared codec (`Instant`) annotated by one caller
 * would carry that caller's wording into every other schema it appears in.
 */
export function annotate<C extends t.Mixed>(codec: C, schema: SchemaFor<C>): C {
  const previous = annotations.get(codec);
  const properties = { ...previous?.schema?.properties, ...(schema.properties as Record<string, JsonSchema> | undefined) };
  const merged: JsonSchema = { ...previous?.schema, ...(schema as JsonSchema), ...(Object.keys(properties).length > 0 && { properties }) };
  annotations.set(codec, { ...(previous?.shape && { shape: previous.shape }), schema: merged });
  return codec;
}

/**
 * For generic constructors (`refine`, `CheckedArray`, `strictObject`): records what the codec is
 * made of. `undocumented` names a check the shape does not show; the walker refuses the codec
 * until `annotate` documents it, so a constraint is never silently left out of the docs.
 */
export function declareShape<C extends t.Mixed>(codec: C, shape: CodecShape, schema?: JsonSchema, undocumented?: string): C {
  annotations.set(codec, { shape, ...(schema && { schema }), ...(undocumented !== undefined && { undocumented }) });
  return codec;
}

export const annotationOf = (codec: t.Mixed): CodecAnnotation | undefined => annotations.get(codec);
