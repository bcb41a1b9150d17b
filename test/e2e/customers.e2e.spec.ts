import { randomUUID } from 'node:crypto';
import { startLedger, type RunningLedger } from '../support/ledger-app';
import { withoutMultiStreamAppends } from '../support/without-multi-stream-appends';
import { accountEvents, eventsAfter, expectInvalid, expectNothingWritten, expectProblem, head, uniqueEmail, uniquePhone } from '../support/e2e';

describe('customers (enrolment and look-up)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  describe('enrolment', () => {
    it('trims and lower-cases the e-mail, keeps + and digits of the phone, and records CustomerEnrolled', async () => {
      const local = uniqueEmail('Ada.Lovelace');
      const digits = uniquePhone().slice(2); // 10 digits
      const formatted = `+1 (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;
      const response = await ledger.request('POST', '/customers', { email: `  ${local.toUpperCase()}  `, phone: `  ${formatted} `, name: '  Ada Lovelace ' });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({
        customerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: local.toLowerCase(),
        phone: `+1${digits}`,
        name: 'Ada Lovelace',
        balance: { available: 0, pending: 0 },
        visitCount: 0,
        paymentCount: 0,
      });
      const events = await accountEvents(ledger, response.body.customerId);
      expect(events.map((e) => e.type)).toEqual(['CustomerEnrolled']);
      expect(events[0]!.data).toMatchObject({ customerId: response.body.customerId, email: local.toLowerCase(), phone: `+1${digits}`, name: 'Ada Lovelace' });
      expect(events[0]!.metadata).toMatchObject({ actor: expect.any(String), commandId: expect.any(String), recordedAt: expect.any(String), schemaVersion: 1 });

      const read = await ledger.request('GET', `/customers/${response.body.customerId}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(response.body);
    });

    it('a phone without + keeps digits only', async () => {
      const digits = uniquePhone().slice(2);
      const response = await ledger.request('POST', '/customers', { phone: `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}` });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ phone: digits, email: null, name: null });
    });

    it('accepts e-mail only and phone only', async () => {
      const byEmail = await ledger.request('POST', '/customers', { email: uniqueEmail() });
      expect(byEmail.status).toBe(201);
      expect(byEmail.body.phone).toBeNull();
      const byPhone = await ledger.request('POST', '/customers', { phone: uniquePhone() });
      expect(byPhone.status).toBe(201);
      expect(byPhone.body.email).toBeNull();
    });

    it.each([
      ['neither', {}],
      ['only a name', { name: 'Nobody' }],
      ['both null', { email: null, phone: null }],
    ])('needs an e-mail or a phone: %s is 400 and writes nothing', async (_label, body) => {
      const response = await expectNothingWritten(ledger, () => ledger.request('POST', '/customers', body));
      expectInvalid(response);
      expect(response.body.errors.length).toBeGreaterThan(0);
    });

    it.each([
      ['email', { email: 'not-an-email' }],
      ['email', { email: 'two@@example.com' }],
      ['email', { email: 'sp ace@example.com' }],
      ['email', { email: `${'a'.repeat(250)}@example.com` }],
      ['email', { email: 42 }],
      ['phone', { phone: '12345' }],
      ['phone', { phone: '+1 555 0102 0003 0004 5' }],
      ['phone', { phone: 'call me' }],
      ['phone', { phone: 5550102000 }],
      ['name', { email: 'x@example.com', name: 'n'.repeat(201) }],
      ['name', { email: 'x@example.com', name: '   ' }],
      ['nickname', { email: 'x@example.com', nickname: 'Ada' }],
    ])('an invalid %s (%j) is 400 naming the field and writes nothing', async (path, body) => {
      const response = await expectNothingWritten(ledger, () => ledger.request('POST', '/customers', body));
      expectInvalid(response, path);
    });

    it('a name of exactly 200 characters is accepted', async () => {
      const response = await ledger.request('POST', '/customers', { email: uniqueEmail(), name: 'n'.repeat(200) });
      expect(response.status).toBe(201);
      expect(response.body.name).toHaveLength(200);
    });

    it('the same e-mail in another case or with whitespace is 409 email-taken and writes nothing', async () => {
      const email = uniqueEmail('dup');
      expect((await ledger.request('POST', '/customers', { email })).status).toBe(201);
      const response = await expectNothingWritten(ledger, () =>
        ledger.request('POST', '/customers', { email: `\t${email.toUpperCase()} `, phone: uniquePhone() }),
      );
      expectProblem(response, 409, 'email-taken');
      expect(response.body.field).toBe('email');
    });

    it('the same phone in another format is 409 phone-taken; the ledger gets nothing and the refused e-mail is not burned', async () => {
      const phone = uniquePhone();
      const holder = await ledger.request('POST', '/customers', { phone });
      expect(holder.status).toBe(201);

      const email = uniqueEmail('not-burned');
      const before = await head(ledger);
      const refused = await ledger.request('POST', '/customers', { email, phone: `${phone.slice(0, 2)} ${phone.slice(2, 5)}-${phone.slice(5)}` });
      expectProblem(refused, 409, 'phone-taken');
      expect(refused.body.field).toBe('phone');

      // No customer ledger was written. (The e-mail reservation it took is released in its own
      // reservation stream: that bookkeeping is all that may appear.)
      const written = await eventsAfter(ledger, before);
      expect(written.filter((e) => !e.streamName.startsWith('loyaltyReservation-'))).toEqual([]);
      expect(written.map((e) => e.type)).toEqual(written.length === 0 ? [] : ['UniqueValueReserved', 'UniqueValueReleased']);

      const lookup = await ledger.request('GET', `/customers?email=${encodeURIComponent(email)}`);
      expect(lookup.body).toEqual([]);

      const later = await ledger.request('POST', '/customers', { email, phone: uniquePhone() });
      expect(later.status).toBe(201);
      expect(later.body.email).toBe(email);
    });

    // "A rejected command writes nothing" (issue 2), read strictly: not even reservation bookkeeping.
    // Holds where the store appends claims with the ledger events in one transaction (embedded SQLite).
    it('a phone-taken refusal writes no event at all, not even a reservation', async () => {
      const phone = uniquePhone();
      expect((await ledger.request('POST', '/customers', { phone })).status).toBe(201);
      const response = await expectNothingWritten(ledger, () => ledger.request('POST', '/customers', { email: uniqueEmail(), phone }));
      expectProblem(response, 409, 'phone-taken');
    });

    it('two concurrent enrolments with the same e-mail: exactly one wins', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all(Array.from({ length: 8 }, () => ledger.request('POST', '/customers', { email })));
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const lookup = await ledger.request('GET', `/customers?email=${encodeURIComponent(email)}`);
      expect(lookup.body).toHaveLength(1);
      expect(lookup.body[0].customerId).toBe(responses.find((r) => r.status === 201)!.body.customerId);
    });
  });

  describe('look-up', () => {
    let customer: { customerId: string; email: string; phone: string };
    beforeAll(async () => {
      const email = uniqueEmail('Lookup');
      const phone = uniquePhone();
      const response = await ledger.request('POST', '/customers', { email, phone, name: 'Grace' });
      customer = { customerId: response.body.customerId, email: email.toLowerCase(), phone };
    });

    it('finds by e-mail given in upper case and with spaces', async () => {
      const response = await ledger.request('GET', `/customers?email=${encodeURIComponent(` ${customer.email.toUpperCase()} `)}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual([
        expect.objectContaining({ customerId: customer.customerId, email: customer.email, phone: customer.phone, name: 'Grace' }),
      ]);
    });

    it('finds by phone given formatted', async () => {
      const p = customer.phone;
      const formatted = `${p.slice(0, 2)} (${p.slice(2, 5)}) ${p.slice(5, 8)}-${p.slice(8)}`;
      const response = await ledger.request('GET', `/customers?phone=${encodeURIComponent(formatted)}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual([expect.objectContaining({ customerId: customer.customerId })]);
    });

    it('answers [] for an unknown e-mail or phone', async () => {
      const byEmail = await ledger.request('GET', `/customers?email=${encodeURIComponent(uniqueEmail('nobody'))}`);
      expect(byEmail.status).toBe(200);
      expect(byEmail.body).toEqual([]);
      const byPhone = await ledger.request('GET', `/customers?phone=${encodeURIComponent(uniquePhone())}`);
      expect(byPhone.status).toBe(200);
      expect(byPhone.body).toEqual([]);
    });

    it.each([
      ['both', (c: { email: string; phone: string }) => `?email=${encodeURIComponent(c.email)}&phone=${encodeURIComponent(c.phone)}`],
      ['neither', () => ''],
      ['an empty e-mail', () => '?email='],
      ['an invalid e-mail', () => '?email=nope'],
      ['an invalid phone', () => '?phone=abc'],
      ['a repeated e-mail', (c: { email: string }) => `?email=${encodeURIComponent(c.email)}&email=${encodeURIComponent(c.email)}`],
      ['an unknown parameter', (c: { email: string }) => `?email=${encodeURIComponent(c.email)}&name=Grace`],
    ])('is 400 with %s', async (_label, query) => {
      const response = await ledger.request('GET', `/customers${query(customer)}`);
      expectProblem(response, 400);
      expect(response.body.errors?.length).toBeGreaterThan(0);
    });
  });

  describe('GET /customers/{customerId}', () => {
    it('is 404 customer-not-found for an unknown id', async () => {
      const id = randomUUID();
      const response = await ledger.request('GET', `/customers/${id}`);
      expectProblem(response, 404, 'customer-not-found');
      expect(response.body.customerId).toBe(id);
    });

    it.each([['not-a-uuid'], ['12345'], [`${randomUUID()}x`], ['%20']])('is 400 for a malformed id (%s)', async (id) => {
      const response = await ledger.request('GET', `/customers/${id}`);
      expectInvalid(response, 'customerId');
    });
  });
});

describe('customers on a store without multi-stream appends (as EventStoreDB presents itself)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ wrapStore: withoutMultiStreamAppends });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('a phone-taken refusal writes nothing to any customer ledger and does not burn the e-mail', async () => {
    const phone = uniquePhone();
    expect((await ledger.request('POST', '/customers', { phone })).status).toBe(201);
    const email = uniqueEmail('seq-not-burned');
    const before = await head(ledger);
    const refused = await ledger.request('POST', '/customers', { email, phone });
    expectProblem(refused, 409, 'phone-taken');
    const written = await eventsAfter(ledger, before);
    expect(written.filter((e) => !e.streamName.startsWith('loyaltyReservation-'))).toEqual([]);
    expect((await ledger.request('GET', `/customers?email=${encodeURIComponent(email)}`)).body).toEqual([]);
    const later = await ledger.request('POST', '/customers', { email: email.toUpperCase(), phone: uniquePhone() });
    expect(later.status).toBe(201);
  });

  it('duplicate e-mail is still 409 email-taken and writes nothing', async () => {
    const email = uniqueEmail('seq-dup');
    expect((await ledger.request('POST', '/customers', { email })).status).toBe(201);
    const response = await expectNothingWritten(ledger, () => ledger.request('POST', '/customers', { email: ` ${email.toUpperCase()}` }));
    expectProblem(response, 409, 'email-taken');
  });

  it('eight concurrent enrolments with one e-mail: exactly one wins', async () => {
    const email = uniqueEmail('seq-race');
    const responses = await Promise.all(Array.from({ length: 8 }, () => ledger.request('POST', '/customers', { email })));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(7);
  });
});
