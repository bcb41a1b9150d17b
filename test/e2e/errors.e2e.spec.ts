import { startLedger, type RunningLedger } from '../support/ledger-app';
import { customerWithPoints, expectClientProblem, expectInvalid, expectNothingWritten, expectProblem, head, uniqueEmail } from '../support/e2e';

/** A distinctive value that must never come back in an error answer. */
const CANARY = 'leak-canary-123@x';

describe('errors: every bad request is a 4xx problem+json and writes nothing', () => {
  let ledger: RunningLedger;
  let customerId: string;
  let routes: ReadonlyArray<readonly [string, string]>;

  beforeAll(async () => {
    ledger = await startLedger();
    customerId = await customerWithPoints(ledger, 100);
    routes = [
      ['POST', '/customers'],
      ['POST', `/customers/${customerId}/visits`],
      ['POST', `/customers/${customerId}/payments`],
      ['POST', `/customers/${customerId}/adjustments`],
      ['POST', `/customers/${customerId}/redemptions`],
      ['PUT', '/program'],
    ];
  });
  afterAll(async () => {
    await ledger.close();
  });

  /** Sends the same raw body to every command route and checks each answer. */
  async function onEveryRoute(
    body: string | undefined,
    headers: Record<string, string>,
    check: (response: Awaited<ReturnType<RunningLedger['request']>>) => void,
  ) {
    for (const [method, path] of routes) {
      const before = await head(ledger);
      const response = await ledger.request(method, path, body, headers);
      check(response);
      expect({ route: `${method} ${path}`, head: await head(ledger) }).toEqual({ route: `${method} ${path}`, head: before });
    }
  }

  const JSON_HEADERS = { 'content-type': 'application/json' };

  it.each([
    ['truncated JSON', '{"email": "a@b.co"'],
    ['trailing garbage', '{"email": "a@b.co"} trailing'],
    ['single quotes', "{'email': 'a@b.co'}"],
    ['a bare word', 'hello'],
    ['NaN', '{"points": NaN}'],
    ['a comment', '{"points": 1 /* one */}'],
  ])('malformed JSON (%s) is 400', async (_label, body) => {
    await onEveryRoute(body, JSON_HEADERS, (response) => expectProblem(response, 400));
  });

  it('an empty body with a JSON content type is 400', async () => {
    await onEveryRoute('', JSON_HEADERS, (response) => expectProblem(response, 400));
  });

  it.each([
    ['an array', '[]'],
    ['an array of an object', '[{"email":"a@b.co"}]'],
    ['null', 'null'],
    ['a string', '"text"'],
    ['a number', '42'],
    ['true', 'true'],
  ])('a body that is %s, not an object, is 400 invalid-input', async (_label, body) => {
    await onEveryRoute(body, JSON_HEADERS, (response) => {
      expectInvalid(response, '(root)');
    });
  });

  it('a body over 64 KiB is 413 payload-too-large', async () => {
    const body = JSON.stringify({ notes: 'x'.repeat(64 * 1024 + 1) });
    await onEveryRoute(body, JSON_HEADERS, (response) => expectProblem(response, 413, 'payload-too-large'));
  });

  it('a body just under 64 KiB is read and validated (400, not 413)', async () => {
    const body = JSON.stringify({ notes: 'x'.repeat(64 * 1024 - 100) });
    await onEveryRoute(body, JSON_HEADERS, (response) => expectProblem(response, 400, 'invalid-input'));
  });

  it.each([
    ['__proto__', '{"email":"a@b.co","__proto__":{"isAdmin":true}}'],
    ['nested __proto__', '{"email":"a@b.co","name":{"__proto__":{"x":1}}}'],
    ['constructor.prototype', '{"email":"a@b.co","constructor":{"prototype":{"x":1}}}'],
  ])('a %s key is 400 and pollutes nothing', async (_label, body) => {
    await onEveryRoute(body, JSON_HEADERS, (response) => expectClientProblem(response));
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it.each([
    ['application/xml', '<customer/>'],
    ['application/octet-stream', 'abc'],
    ['multipart/form-data; boundary=x', '--x\r\n'],
  ])('an unsupported content type (%s) is 415', async (contentType, body) => {
    await onEveryRoute(body, { 'content-type': contentType }, (response) => expectProblem(response, 415, 'unsupported-media-type'));
  });

  it('a text/plain body is refused as an unsupported media type (415)', async () => {
    await onEveryRoute('{"email":"plain@b.co"}', { 'content-type': 'text/plain' }, (response) => expectProblem(response, 415, 'unsupported-media-type'));
  });

  it('a form-encoded body is refused as an unsupported media type (415)', async () => {
    await onEveryRoute('email=form%40b.co', { 'content-type': 'application/x-www-form-urlencoded' }, (response) =>
      expectProblem(response, 415, 'unsupported-media-type'),
    );
  });

  describe('wrong types and huge numbers', () => {
    const cases: ReadonlyArray<readonly [string, () => readonly [string, string], Record<string, unknown>, string]> = [
      ['e-mail as an object', () => ['POST', '/customers'], { email: { value: 'a@b.co' } }, 'email'],
      ['e-mail as an array', () => ['POST', '/customers'], { email: ['a@b.co'] }, 'email'],
      ['phone as a boolean', () => ['POST', '/customers'], { phone: true }, 'phone'],
      ['name as a number', () => ['POST', '/customers'], { email: 'a@b.co', name: 12 }, 'name'],
      ['points as a string', () => ['POST', `/customers/${customerId}/adjustments`], { points: '10', reason: 'x' }, 'points'],
      ['points as an object', () => ['POST', `/customers/${customerId}/adjustments`], { points: { n: 1 }, reason: 'x' }, 'points'],
      ['points as a huge integer', () => ['POST', `/customers/${customerId}/adjustments`], { points: 1.2345678901234568e29, reason: 'x' }, 'points'],
      ['points beyond MAX_SAFE_INTEGER', () => ['POST', `/customers/${customerId}/redemptions`], { points: 2 ** 53 + 2 }, 'points'],
      ['points as -0', () => ['POST', `/customers/${customerId}/adjustments`], { points: -0, reason: 'x' }, 'points'],
      [
        'amount as a number',
        () => ['POST', `/customers/${customerId}/payments`],
        { locationId: 's', amount: 10, purchaseIdentifier: 'p', occurredAt: '2025-01-01T00:00:00Z' },
        'amount',
      ],
      [
        'amount with 30 digits',
        () => ['POST', `/customers/${customerId}/payments`],
        { locationId: 's', amount: '9'.repeat(30), purchaseIdentifier: 'p', occurredAt: '2025-01-01T00:00:00Z' },
        'amount',
      ],
      [
        'amount of 16 nines',
        () => ['POST', `/customers/${customerId}/payments`],
        { locationId: 's', amount: '9'.repeat(16), purchaseIdentifier: 'p', occurredAt: '2025-01-01T00:00:00Z' },
        'amount',
      ],
      ['occurredAt as epoch millis', () => ['POST', `/customers/${customerId}/visits`], { locationId: 's', occurredAt: 1735689600000 }, 'occurredAt'],
      ['occurredAt year 10000', () => ['POST', `/customers/${customerId}/visits`], { locationId: 's', occurredAt: '+010000-01-01T00:00:00Z' }, 'occurredAt'],
      [
        'kind as null-ish string',
        () => ['POST', `/customers/${customerId}/visits`],
        { locationId: 's', occurredAt: '2025-01-01T00:00:00Z', kind: 'null' },
        'kind',
      ],
      ['pointsPerUnit as a number', () => ['PUT', '/program'], { pointsPerUnit: 1 }, 'pointsPerUnit'],
      ['pointsPerUnit huge', () => ['PUT', '/program'], { pointsPerUnit: '1'.repeat(40) }, 'pointsPerUnit'],
      ['timezone as a number', () => ['PUT', '/program'], { timezone: 0 }, 'timezone'],
      ['timezone very long', () => ['PUT', '/program'], { timezone: 'A/'.repeat(500) }, 'timezone'],
    ];
    it.each(cases)('%s is 400 naming the field, nothing written', async (_label, route, body, path) => {
      const [method, url] = route();
      const response = await expectNothingWritten(ledger, () => ledger.request(method, url, body));
      expectInvalid(response, path);
    });
  });

  it('deeply nested JSON (20 000 levels) is a 4xx, not a crash', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    await onEveryRoute(`{"name":${deep}}`, JSON_HEADERS, (response) => expectClientProblem(response));
    const deepObject = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    await onEveryRoute(`{"zzz":${deepObject}}`, JSON_HEADERS, (response) => expectClientProblem(response));
  });

  it('thousands of unknown fields are a 400 (each named), not a crash', async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])));
    await onEveryRoute(body, JSON_HEADERS, (response) => {
      expectInvalid(response, 'k0', 'k2999');
    });
  });

  describe('unicode', () => {
    it('well-formed unicode round-trips exactly (name with accents, emoji ZWJ sequence, RTL text, combining marks)', async () => {
      const name = 'Zoë 👩‍👩‍👧 مرحبا e\u0301 𝒜';
      const response = await ledger.request('POST', '/customers', { email: uniqueEmail('uni'), name });
      expect(response.status).toBe(201);
      expect(response.body.name).toBe(name);
      const read = await ledger.request('GET', `/customers/${response.body.customerId}`);
      expect(read.body.name).toBe(name);
    });

    it('an internationalised e-mail is lower-cased and found again in another case', async () => {
      const email = `Äda-${Date.now()}@Bücher.de`;
      const response = await ledger.request('POST', '/customers', { email });
      expect(response.status).toBe(201);
      expect(response.body.email).toBe(email.toLowerCase());
      const lookup = await ledger.request('GET', `/customers?email=${encodeURIComponent(email.toUpperCase())}`);
      expect(lookup.body.map((c: { customerId: string }) => c.customerId)).toEqual([response.body.customerId]);
    });

    it.each([
      ['full-width digits', '+１２３４５６７８９'],
      ['Arabic-Indic digits', '٠١٢٣٤٥٦٧٨٩'],
      ['zero-width space inside', '+1555\u200b0102000'],
    ])('a phone with %s is 400', async (_label, phone) => {
      const response = await expectNothingWritten(ledger, () => ledger.request('POST', '/customers', { phone }));
      expectInvalid(response, 'phone');
    });

    it('a NUL or control character in an identifier is 400', async () => {
      const response = await expectNothingWritten(ledger, () =>
        ledger.request('POST', `/customers/${customerId}/visits`, { locationId: 'store\u00001', occurredAt: '2025-01-01T00:00:00Z' }),
      );
      expectInvalid(response, 'locationId');
    });

    it('an e-mail with an unpaired surrogate is refused (400), nothing written', async () => {
      const body = `{"email":"lone-${Date.now()}\\ud800@example.com"}`;
      const response = await expectNothingWritten(ledger, () => ledger.request('POST', '/customers', body));
      expectInvalid(response, 'email');
    });

    // Reservation streams are named by sha256 of the value; Node encodes an unpaired surrogate as
    // U+FFFD before hashing, so two different addresses claim the same uniqueness stream.
    it('an e-mail with an unpaired surrogate never takes a different, well-formed address', async () => {
      const local = `clash-${Date.now()}`;
      await ledger.request('POST', '/customers', `{"email":"${local}\\ud800@example.com"}`);
      const wellFormed = `${local}\ufffd@example.com`;
      const response = await ledger.request('POST', '/customers', { email: wellFormed });
      expect({ status: response.status, type: response.body?.type }).toEqual({ status: 201, type: undefined });
    });
  });

  describe('routes', () => {
    it('an unknown route is 404 problem+json', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['POST', '/customers/x/y/z'],
        ['DELETE', '/program'],
        ['PATCH', '/program'],
        ['GET', `/customers/${customerId}/unknown`],
      ] as const) {
        const response = await expectNothingWritten(ledger, () => ledger.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}));
        expectProblem(response, 404, 'not-found');
      }
    });

    it('a URL with broken percent-encoding is 400 problem+json', async () => {
      const response = await ledger.request('GET', '/customers/%E0%A4%A');
      expectProblem(response, 400);
    });

    it('a path parameter longer than the router allows is a 4xx problem+json', async () => {
      const response = await ledger.request('GET', `/customers/${'a'.repeat(300)}`);
      expectClientProblem(response);
    });

    it('a malformed customer id on every customer route is 400 naming customerId', async () => {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['GET', '/history', undefined],
        ['POST', '/visits', { locationId: 's', occurredAt: '2025-01-01T00:00:00Z' }],
        ['POST', '/payments', { locationId: 's', amount: '1', purchaseIdentifier: 'p', occurredAt: '2025-01-01T00:00:00Z' }],
        ['POST', '/adjustments', { points: 1, reason: 'x' }],
        ['POST', '/redemptions', { points: 1 }],
      ] as const) {
        const response = await expectNothingWritten(ledger, () => ledger.request(method, `/customers/not-a-uuid${suffix}`, body));
        expectInvalid(response, 'customerId');
      }
    });
  });

  describe('error answers never echo submitted values', () => {
    const noCanary = (response: { body: unknown }) => expect(JSON.stringify(response.body)).not.toContain('leak-canary');

    it('in wrong-typed or invalid fields on every command route', async () => {
      const probes: ReadonlyArray<readonly [string, string, unknown]> = [
        ['POST', '/customers', { email: CANARY }],
        ['POST', '/customers', { phone: CANARY }],
        ['POST', '/customers', { email: 'a@b.co', name: [CANARY] }],
        ['POST', `/customers/${customerId}/visits`, { locationId: CANARY, occurredAt: CANARY, kind: CANARY, source: CANARY, notes: { CANARY } }],
        [
          'POST',
          `/customers/${customerId}/payments`,
          { locationId: CANARY, amount: CANARY, purchaseIdentifier: 7, occurredAt: CANARY, currency: CANARY, visitId: CANARY },
        ],
        ['POST', `/customers/${customerId}/payments`, { locationId: 's', amount: CANARY, purchaseIdentifier: 'p', occurredAt: '2025-01-01T00:00:00Z' }],
        ['POST', `/customers/${customerId}/adjustments`, { points: CANARY, reason: [CANARY] }],
        ['POST', `/customers/${customerId}/redemptions`, { points: CANARY, reference: { CANARY } }],
        ['PUT', '/program', { currency: CANARY, pointsPerUnit: CANARY, timezone: CANARY, negativeBalance: CANARY }],
      ];
      for (const [method, path, body] of probes) {
        const response = await expectNothingWritten(ledger, () => ledger.request(method, path, body));
        expectProblem(response, 400, 'invalid-input');
        noCanary(response);
      }
    });

    it('in malformed JSON', async () => {
      const response = await ledger.request('POST', '/customers', `{"email": "${CANARY}", `);
      expectProblem(response, 400);
      noCanary(response);
    });

    it('in query parameters, path parameters and headers', async () => {
      const lookup = await ledger.request('GET', `/customers?email=${encodeURIComponent(CANARY)}`);
      expectProblem(lookup, 400);
      noCanary(lookup);
      const path = await ledger.request('GET', `/customers/${encodeURIComponent(CANARY)}`);
      expectProblem(path, 400);
      noCanary(path);
      const key = await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1 }, { 'idempotency-key': `${CANARY} with spaces` });
      expectProblem(key, 400);
      noCanary(key);
      const ifMatch = await ledger.request('PUT', '/program', {}, { 'if-match': CANARY });
      expectProblem(ifMatch, 400);
      noCanary(ifMatch);
    });

    it('in the 404 answer for an unknown route', async () => {
      const response = await ledger.request('GET', `/${CANARY}?email=${CANARY}`);
      expectProblem(response, 404, 'not-found');
      noCanary(response);
    });

    it('in the answer for a malformed URL', async () => {
      const response = await ledger.request('GET', `/customers/${CANARY}%E0%A4%A`);
      noCanary(response);
      expectClientProblem(response);
    });
  });
});

describe('API documentation', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('GET /docs serves the Swagger UI page and its assets', async () => {
    const page = await ledger.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).toContain('/docs-json');
    const css = await ledger.request('GET', '/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const js = await ledger.request('GET', '/docs/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
  });

  it('GET /docs-json is an OpenAPI document listing every route', async () => {
    const response = await ledger.request('GET', '/docs-json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body.openapi).toMatch(/^3\./);
    const paths = response.body.paths as Record<string, Record<string, unknown>>;
    const operations = Object.entries(paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /program',
        'PUT /program',
        'POST /customers',
        'GET /customers',
        'GET /customers/{customerId}',
        'POST /customers/{customerId}/visits',
        'POST /customers/{customerId}/payments',
        'POST /customers/{customerId}/adjustments',
        'POST /customers/{customerId}/redemptions',
        'GET /customers/{customerId}/history',
      ]),
    );
    // Every POST documents the Idempotency-Key header.
    for (const [path, item] of Object.entries(paths)) {
      const post = item['post'] as { parameters?: Array<{ name: string; in: string }> } | undefined;
      if (post === undefined) continue;
      expect({ path, header: post.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key') }).toEqual({ path, header: true });
    }
  });
});
