import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { reportErrors } from '#ledger-domain/shared/codecs';
import { annotationOf, type JsonSchema } from '#ledger-domain/shared/schema-annotation';
import { AdjustPointsBodyC } from '../../apps/ledger-api/src/adjustments/adjust-points.handler';
import { BulkAdjustmentsBodyC } from '../../apps/ledger-api/src/adjustments/bulk-adjustments.controller';
import { ExportQueryC } from '../../apps/ledger-api/src/audit/audit.controller';
import { BalanceExportQueryC } from '../../apps/ledger-api/src/audit/exports.controller';
import { CustomerPathC } from '../../apps/ledger-api/src/customers/customer-command';
import { ImportQueryC } from '../../apps/ledger-api/src/imports/imports.controller';
import { LookupQueryC } from '../../apps/ledger-api/src/customers/customers.controller';
import { EnrolCustomerBodyC } from '../../apps/ledger-api/src/customers/enrol-customer.handler';
import { codecSchema } from '../../apps/ledger-api/src/docs/codec-schema';
import { HistoryQueryC } from '../../apps/ledger-api/src/history/customer-history';
import { RecordPaymentBodyC } from '../../apps/ledger-api/src/payments/record-payment.handler';
import { ProgramSettingsPatchC } from '../../apps/ledger-api/src/program/configure-program.handler';
import {
  ConsistencyQueryC,
  ExpirationsQueryC,
  LiabilityQueryC,
  TierReportQueryC,
  TimelineQueryC,
  VisitReportQueryC,
} from '../../apps/ledger-api/src/read-models/read-models.controller';
import { RedeemPointsBodyC } from '../../apps/ledger-api/src/redemptions/redeem-points.handler';
import { RecordVisitBodyC } from '../../apps/ledger-api/src/visits/record-visit.handler';
import { RefundPaymentBodyC } from '../../apps/ledger-api/src/refunds/refund-payment.handler';
import { ActivatePointsBodyC } from '../../apps/ledger-api/src/lifecycle/activate-points.handler';
import { VoidPointsBodyC } from '../../apps/ledger-api/src/lifecycle/void-points.handler';
import { justOutside, sample, setAt, show, violations, walkSample, type Variant } from '../support/json-schema';
import { startLedger, type RunningLedger } from '../support/ledger-app';

/**
 * The OpenAPI document and the codecs must say the same thing. The maps below name the codec
 * each route decodes with; the live checks (an unknown field, a missing field, each sent to the
 * running route) confirm that the route really does decode with it.
 */
const BODIES: Record<string, t.Mixed> = {
  'POST /customers': EnrolCustomerBodyC,
  'POST /customers/{customerId}/visits': RecordVisitBodyC,
  'POST /customers/{customerId}/payments': RecordPaymentBodyC,
  'POST /customers/{customerId}/adjustments': AdjustPointsBodyC,
  'POST /customers/{customerId}/redemptions': RedeemPointsBodyC,
  'POST /customers/{customerId}/payments/{paymentId}/refunds': RefundPaymentBodyC,
  'POST /customers/{customerId}/payments/{paymentId}/activate': ActivatePointsBodyC,
  'POST /customers/{customerId}/payments/{paymentId}/void': VoidPointsBodyC,
  'PUT /program': ProgramSettingsPatchC,
  'POST /adjustments/bulk': BulkAdjustmentsBodyC,
};

const QUERIES: Record<string, t.Mixed> = {
  'GET /customers': LookupQueryC,
  'GET /customers/{customerId}/history': HistoryQueryC,
  'GET /customers/{customerId}/history.csv': ExportQueryC,
  'GET /customers/{customerId}/balance': ConsistencyQueryC,
  'GET /customers/{customerId}/achievements': ConsistencyQueryC,
  'GET /customers/{customerId}/timeline': TimelineQueryC,
  'GET /reports/visits': VisitReportQueryC,
  'GET /reports/visits/customers/{customerId}': ConsistencyQueryC,
  'GET /customers/{customerId}/expirations': ExpirationsQueryC,
  'GET /reports/liability': LiabilityQueryC,
  'GET /exports/balances': BalanceExportQueryC,
  'GET /reports/tiers': TierReportQueryC,
};

/**
 * Routes whose body is a file (CSV or NDJSON, streamed), not a JSON object: their query codec and
 * content types are checked on their own below, not with the JSON bodies' and GET queries' live checks.
 */
const FILE_ROUTES: Record<string, { query: t.Mixed; contentTypes: readonly string[] }> = {
  'POST /imports': { query: ImportQueryC, contentTypes: ['text/csv', 'application/x-ndjson', 'application/ndjson'] },
};

/** Live queries the route itself (not its codec) would refuse as they are generated: the look-up wants exactly one of its fields. */
const LIVE_QUERY: Record<string, Record<string, string>> = { 'GET /customers': { email: 'ada@example.com' } };

const VARIANTS: Variant[] = [
  { fields: 'required', values: 'example' },
  { fields: 'all', values: 'example' },
  { fields: 'all', values: 'low' },
  { fields: 'all', values: 'high' },
];
const FULL: Variant = { fields: 'all', values: 'example' };
const UNKNOWN = 'unexpectedField';

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema?: JsonSchema;
  readonly description?: string;
}
interface Operation {
  readonly parameters?: Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content: Record<string, { readonly schema: JsonSchema }> };
}

/** The codec's own field lists, as strictObject was given them (not read back from the schema). */
function declaredFields(codec: t.Mixed): { required: string[]; optional: string[] } {
  const shape = annotationOf(codec)?.shape;
  if (shape?.kind !== 'object') throw new Error(`${codec.name} is not a strictObject`);
  return { required: Object.keys(shape.required), optional: Object.keys(shape.optional) };
}

const decodes = (codec: t.Mixed, value: unknown) => {
  const decoded = codec.decode(value);
  return E.isRight(decoded) ? { ok: true as const } : { ok: false as const, errors: reportErrors(decoded.left) };
};

/** A route's path with its parameters filled in (a customer that does not exist: nothing is written for it). */
const concrete = (path: string) => path.replace('{customerId}', randomUUID()).replace('{paymentId}', randomUUID());

/** Query values travel as strings. */
const asQuery = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));

describe('OpenAPI document generated from the codecs', () => {
  let ledger: RunningLedger;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    ledger = await startLedger();
    const document = (await ledger.request('GET', '/docs-json')).body as { paths: Record<string, Record<string, Operation>> };
    operations = new Map(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation]),
      ),
    );
  });
  afterAll(async () => {
    await ledger.close();
  });

  const bodySchema = (route: string): JsonSchema => {
    const schema = operations.get(route)?.requestBody?.content['application/json']?.schema;
    if (schema === undefined) throw new Error(`${route} documents no JSON body`);
    return schema;
  };

  it('documents a body for exactly the routes that take one, and no others', () => {
    const withBody = [...operations]
      .filter(([route, op]) => !(route in FILE_ROUTES) && (/^(POST|PUT|PATCH) /.test(route) || op.requestBody !== undefined))
      .map(([route]) => route);
    expect(withBody.sort()).toEqual(Object.keys(BODIES).sort());
  });

  describe.each(Object.entries(BODIES))('%s', (route, codec) => {
    it("documents the body with the schema of the codec the route decodes with; fields and `required` are the codec's", () => {
      const documented = bodySchema(route);
      expect(documented).toEqual(JSON.parse(JSON.stringify(codecSchema(codec))));
      expect(operations.get(route)?.requestBody?.required).toBe(true);
      const { required, optional } = declaredFields(codec);
      expect(Object.keys(documented.properties ?? {}).sort()).toEqual([...required, ...optional].sort());
      expect((documented.required ?? []).sort()).toEqual([...required].sort());
      expect(documented.additionalProperties).toBe(false);
    });

    it.each(VARIANTS.map((v) => [`${v.fields} fields, ${v.values} values`, v] as const))(
      'a body built from the documented schema (%s) conforms to it and decodes with the codec',
      (_label, variant) => {
        const body = sample(bodySchema(route), variant);
        expect(violations(bodySchema(route), body)).toEqual([]);
        expect({ body, ...decodes(codec, body) }).toEqual({ body, ok: true });
      },
    );

    it('every documented example, in place in a full body, conforms to the schema and decodes', () => {
      const schema = bodySchema(route);
      const body = sample(schema, FULL);
      const examples = walkSample(schema, body).filter((node) => node.schema.example !== undefined);
      expect(examples.length).toBeGreaterThan(0);
      for (const { at, schema: field } of examples) {
        const withExample = setAt(body, at, field.example);
        expect({ at: show(at), broken: violations(schema, withExample) }).toEqual({ at: show(at), broken: [] });
        expect({ at: show(at), ...decodes(codec, withExample) }).toEqual({ at: show(at), ok: true });
      }
    });

    it('an unknown field or a missing required one, at any depth, is refused by the schema and by the codec', () => {
      const schema = bodySchema(route);
      const body = sample(schema, FULL);
      const objects = walkSample(schema, body).filter((node) => node.schema.type === 'object');
      expect(objects.length).toBeGreaterThan(0);
      for (const { at, schema: object, value } of objects) {
        const path = show([...at, UNKNOWN]);
        const extra = setAt(body, at, { ...(value as object), [UNKNOWN]: 1 });
        expect({ path, schema: violations(schema, extra) }).toEqual({ path, schema: [`${path}: unknown property`] });
        expect({ path, ...decodes(codec, extra) }).toEqual({ path, ok: false, errors: [{ path, message: 'unknown field' }] });
        for (const key of object.required ?? []) {
          const missing = show([...at, key]);
          const without = setAt(body, [...at, key], undefined);
          expect({ missing, schema: violations(schema, without) }).toEqual({ missing, schema: [`${missing}: required`] });
          expect({ missing, ...decodes(codec, without) }).toEqual({ missing, ok: false, errors: [expect.objectContaining({ path: missing })] });
        }
      }
    });

    it('a value just outside a documented bound, enum or type is refused by the schema and by the codec', () => {
      const schema = bodySchema(route);
      const body = sample(schema, FULL);
      let checked = 0;
      for (const { at, schema: field, value } of walkSample(schema, body).slice(1)) {
        const outside = [...justOutside(field)];
        if (Array.isArray(value) && value.length > 0) {
          if (field.maxItems !== undefined) outside.push({ breaks: 'maxItems', value: Array.from({ length: field.maxItems + 1 }, () => value[0] as unknown) });
          if (field.uniqueItems === true) outside.push({ breaks: 'uniqueItems', value: [value[0], value[0]] });
        }
        for (const { breaks, value: bad } of outside) {
          const label = `${show(at)} breaking ${breaks}`;
          const broken = setAt(body, at, bad);
          expect({ label, refusedBySchema: violations(schema, broken).length > 0 }).toEqual({ label, refusedBySchema: true });
          expect({ label, refusedByCodec: !decodes(codec, broken).ok }).toEqual({ label, refusedByCodec: true });
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });

    it('the running route decodes with this codec: it refuses what the codec refuses and accepts the documented example', async () => {
      const schema = bodySchema(route);
      const [method, path] = route.split(' ') as [string, string];
      const body = sample(schema, FULL) as Record<string, unknown>;
      const extra = await ledger.request(method, concrete(path), { ...body, [UNKNOWN]: 1 });
      expect({ status: extra.status, errors: extra.body.errors }).toEqual({ status: 400, errors: [{ path: UNKNOWN, message: 'unknown field' }] });
      for (const key of schema.required ?? []) {
        const { [key]: _dropped, ...rest } = body;
        const missing = await ledger.request(method, concrete(path), rest);
        expect({ key, status: missing.status, errors: missing.body.errors }).toEqual({
          key,
          status: 400,
          errors: [expect.objectContaining({ path: key, message: expect.stringMatching(/^required/) })],
        });
      }
      // Past decoding: whatever the ledger then says (201, 404 for the made-up customer), it is not a 400.
      const accepted = await ledger.request(method, concrete(path), body);
      expect({ status: accepted.status === 400 ? accepted.body : 'not 400' }).toEqual({ status: 'not 400' });
    });
  });

  it('documents query parameters for exactly the routes that decode a query, from their codecs', () => {
    const withQuery = [...operations].filter(([route, op]) => !(route in FILE_ROUTES) && op.parameters?.some((p) => p.in === 'query')).map(([route]) => route);
    expect(withQuery.sort()).toEqual(Object.keys(QUERIES).sort());
  });

  it.each(Object.entries(FILE_ROUTES))('%s documents its content types and its query from its codec', (route, { query, contentTypes }) => {
    const operation = operations.get(route) as Operation & { requestBody?: { content: Record<string, unknown> } };
    expect(Object.keys(operation.requestBody?.content ?? {}).sort()).toEqual([...contentTypes].sort());
    const schema = JSON.parse(JSON.stringify(codecSchema(query))) as JsonSchema;
    const parameters = (operation.parameters ?? []).filter((p) => p.in === 'query');
    expect(parameters.map((p) => ({ name: p.name, schema: p.schema }))).toEqual(
      Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, schema: s })),
    );
  });

  describe.each(Object.entries(QUERIES))('%s', (route, codec) => {
    const queryParameters = () => (operations.get(route)?.parameters ?? []).filter((p) => p.in === 'query');
    /** The query parameters as one object schema: what the codec's schema must then be. */
    const asObject = (): JsonSchema => {
      const parameters = queryParameters();
      const required = parameters.filter((p) => p.required === true).map((p) => p.name);
      return {
        type: 'object',
        properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema ?? {}])),
        ...(required.length > 0 && { required }),
        additionalProperties: false,
      };
    };

    it("documents one parameter per codec field, with the field's schema and requiredness", () => {
      const { required, optional } = declaredFields(codec);
      const parameters = queryParameters();
      expect(parameters.map((p) => p.name).sort()).toEqual([...required, ...optional].sort());
      for (const p of parameters) expect({ name: p.name, required: p.required }).toEqual({ name: p.name, required: required.includes(p.name) });
      const schema = JSON.parse(JSON.stringify(codecSchema(codec))) as JsonSchema;
      const { required: documentedRequired, ...documented } = asObject();
      const { required: codecRequired, ...rest } = schema;
      expect({ ...documented, required: documentedRequired?.sort() }).toEqual({ ...rest, properties: expect.anything(), required: codecRequired?.sort() });
      for (const p of parameters) expect({ name: p.name, schema: p.schema }).toEqual({ name: p.name, schema: schema.properties?.[p.name] });
    });

    it('queries built from the documented parameters decode; unknown, missing or out-of-bound ones are refused by both', () => {
      const schema = asObject();
      for (const variant of VARIANTS) {
        const query = asQuery(sample(schema, variant));
        expect({ query, ...decodes(codec, query) }).toEqual({ query, ok: true });
      }
      const full = asQuery(sample(schema, FULL));
      expect(decodes(codec, { ...full, [UNKNOWN]: '1' })).toEqual({ ok: false, errors: [{ path: UNKNOWN, message: 'unknown field' }] });
      for (const key of schema.required ?? []) {
        const { [key]: _dropped, ...rest } = full;
        expect(violations(schema, rest)).toEqual([`${key}: required`]);
        expect({ key, ...decodes(codec, rest) }).toEqual({ key, ok: false, errors: [expect.objectContaining({ path: key })] });
      }
      for (const [key, field] of Object.entries(schema.properties ?? {})) {
        // Types do not survive a query string ("7" is every type's spelling): only bounds and enums are checked here.
        for (const { breaks, value } of justOutside(field).filter((o) => o.breaks !== 'type')) {
          const label = `${key} breaking ${breaks}`;
          expect({ label, refusedBySchema: violations(field, value).length > 0 }).toEqual({ label, refusedBySchema: true });
          expect({ label, refusedByCodec: !decodes(codec, { ...full, [key]: String(value) }).ok }).toEqual({ label, refusedByCodec: true });
        }
      }
    });

    it('the running route decodes its query with this codec', async () => {
      const [, path] = route.split(' ') as [string, string];
      const url = (query: Record<string, string>) => `${concrete(path)}?${new URLSearchParams(query).toString()}`;
      const required = asQuery(sample(asObject(), { fields: 'required', values: 'example' }));
      const extra = await ledger.request('GET', url({ ...required, [UNKNOWN]: '1' }));
      expect({ status: extra.status, errors: extra.body.errors }).toEqual({ status: 400, errors: [{ path: UNKNOWN, message: 'unknown field' }] });
      for (const key of Object.keys(required)) {
        const { [key]: _dropped, ...rest } = required;
        const missing = await ledger.request('GET', url(rest));
        expect({ key, status: missing.status }).toEqual({ key, status: 400 });
      }
      // Required fields only: an example `minPosition` would make the read models wait for a position never reached.
      const accepted = await ledger.request('GET', url(LIVE_QUERY[route] ?? required));
      expect({ status: accepted.status === 400 ? accepted.body : 'not 400' }).toEqual({ status: 'not 400' });
    });
  });

  it('documents every path parameter from the codec that decodes the path', () => {
    // Every path id (customer, payment) is a UUID, documented from the codec that decodes the path.
    const customerId = JSON.parse(JSON.stringify(codecSchema(CustomerPathC).properties?.['customerId'])) as JsonSchema;
    for (const [route, operation] of operations) {
      const names = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const documented = (operation.parameters ?? []).filter((p) => p.in === 'path');
      expect({ route, documented: documented.map((p) => p.name) }).toEqual({ route, documented: names });
      for (const p of documented) expect({ route, required: p.required, schema: p.schema }).toEqual({ route, required: true, schema: customerId });
    }
  });
});
