import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importedCustomerId } from '../../apps/ledger-api/src/ledger/ids';
import { startLedger, type RunningLedger } from '../support/ledger-app';

const SAMPLE = readFileSync(join(__dirname, '../../docs/import-sample.csv'), 'utf8');
const REPORTER = 'reporter-secret-0123456789abcdefgh';
const OPERATOR = 'operator-secret-0123456789abcdefgh';

/** NDJSON rows of a body the test client may have parsed already (a single line is JSON too; none is nothing). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ndjsonRows = (body: unknown): any[] =>
  body === undefined
    ? []
    : typeof body === 'string'
      ? body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [body];

describe('GET /exports/balances', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ apiKeys: [`finance:reporter:${REPORTER}`, `till:operator:${OPERATOR}`], lifecycle: 'off' });
  });
  afterAll(async () => {
    await ledger.close();
  });
  const asReporter = { authorization: `Bearer ${REPORTER}` };

  /** Imports the sample and waits until the read models have projected it. */
  async function imported(): Promise<string> {
    const { importId } = (await ledger.request('POST', '/imports', SAMPLE, { 'content-type': 'text/csv' })).body;
    for (;;) {
      const status = (await ledger.request('GET', `/imports/${importId}`)).body;
      if (status.status !== 'running') return status.position as string;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('streams one row per customer as CSV and NDJSON, consistent as of the position it states', async () => {
    const position = await imported();
    await ledger.request('GET', `/customers/${importedCustomerId('M-1001')}/balance?minPosition=${position}`);
    const csv = await ledger.request('GET', '/exports/balances', undefined, asReporter);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const stated = csv.headers.get('ledger-position')!;
    expect(BigInt(stated)).toBeGreaterThanOrEqual(BigInt(position));
    const [header, ...lines] = (csv.body as string).trim().split('\r\n');
    expect(header).toBe(
      'customer_id,available,pending,owed,lifetime_earned,lifetime_redeemed,adjusted_in,adjusted_out,lifetime_reversed,lifetime_written_off,lifetime_expired,tier,next_expiry_at,next_expiry_points,position',
    );
    expect(lines).toContain(`${importedCustomerId('M-1001')},750,0,0,80,500,1200,30,0,0,0,,2027-12-31T23:59:59.000Z,670,${stated}`);
    expect(lines).toContain(`${importedCustomerId('M-1002')},325,0,0,0,0,325,0,0,0,0,,2027-06-01T08:00:00.000Z,25,${stated}`);

    const ndjson = await ledger.request('GET', '/exports/balances?format=ndjson', undefined, asReporter);
    const rows = ndjsonRows(ndjson.body);
    expect(rows.find((r) => r.customer_id === importedCustomerId('M-1002'))).toMatchObject({ available: 325, adjusted_in: 325, position: stated });
  });

  it('as of an instant: the balances the ledger had recorded then', async () => {
    const ada = importedCustomerId('M-1001');
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const adjusted = await ledger.request('POST', `/customers/${ada}/adjustments`, { points: 100, reason: 'after the cut-off' });
    await ledger.request('GET', `/customers/${ada}/balance?minPosition=${adjusted.body.position}`);
    const row = async (query: string) =>
      ndjsonRows((await ledger.request('GET', `/exports/balances?format=ndjson${query}`, undefined, asReporter)).body).find((r) => r.customer_id === ada);
    expect((await row('')).available).toBe(850);
    expect((await row(`&asOf=${encodeURIComponent(before)}`)).available).toBe(750);
    expect(await row('&asOf=2020-01-01T00:00:00Z')).toBeUndefined();
  });

  it('refuses a bad query (400) and an operator key (403)', async () => {
    expect((await ledger.request('GET', '/exports/balances?format=xml', undefined, asReporter)).status).toBe(400);
    expect((await ledger.request('GET', '/exports/balances?asOf=2026-01-01', undefined, asReporter)).status).toBe(400);
    expect((await ledger.request('GET', '/exports/balances', undefined, { authorization: `Bearer ${OPERATOR}` })).status).toBe(403);
  });
});
