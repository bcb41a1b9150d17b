import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '#event-store/event-store.port';
import { enrolCustomer, type HttpResult, type Json, type RunningLedger } from './ledger-app';
import { accountStream } from '#runtime/streams';

/** Every problem `type` is this base plus a slug (see apps/ledger-api/src/http/problem.ts). */
export const PROBLEM_BASE = 'https://loyalty-ledger.dev/problems/';

/** Asserts an RFC 7807 answer: status, content type, `type` slug, and the members every problem has. */
export function expectProblem(response: HttpResult, status: number, slug?: string): void {
  const summary = `${response.status} ${JSON.stringify(response.body)}`;
  expect({ status: response.status, summary }).toEqual({ status, summary });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(
    expect.objectContaining({ type: expect.stringMatching(/^https:\/\//), title: expect.any(String), status, detail: expect.any(String) }),
  );
  if (slug !== undefined) expect(response.body.type).toBe(`${PROBLEM_BASE}${slug}`);
}

/** A 400 invalid-input problem naming (at least) these field paths. */
export function expectInvalid(response: HttpResult, ...paths: string[]): void {
  expectProblem(response, 400, 'invalid-input');
  expect(Array.isArray(response.body.errors)).toBe(true);
  for (const error of response.body.errors) expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
  const reported = (response.body.errors as Array<{ path: string }>).map((e) => e.path);
  for (const path of paths) expect(reported).toContain(path);
}

/** Any 4xx problem+json: the answer to client input that must never be a 5xx. */
export function expectClientProblem(response: HttpResult): void {
  const summary = `${response.status} ${typeof response.body === 'string' ? response.body.slice(0, 200) : JSON.stringify(response.body)}`;
  expect({ is4xx: response.status >= 400 && response.status < 500, summary }).toEqual({ is4xx: true, summary });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status: response.status, detail: expect.any(String) }),
  );
}

export const head = (ledger: RunningLedger): Promise<bigint> => ledger.store.headPosition();

/** Runs a request and asserts that the event store's head did not move: nothing was written. */
export async function expectNothingWritten<T extends HttpResult>(ledger: RunningLedger, action: () => Promise<T>): Promise<T> {
  const before = await head(ledger);
  const response = await action();
  expect(await head(ledger)).toBe(before);
  return response;
}

/** Every event appended after `position`, in global order. */
export async function eventsAfter(ledger: RunningLedger, position: bigint): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = position;
  for (;;) {
    const page = await ledger.store.readAll({ after, maxCount: 500 });
    out.push(...page);
    if (page.length < 500) return out;
    after = page[page.length - 1]!.position;
  }
}

export async function accountEvents(ledger: RunningLedger, customerId: string): Promise<readonly RecordedEvent[]> {
  return (await ledger.store.readStream(accountStream(customerId))).events;
}

let counter = 0;
const unique = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export const uniqueEmail = (prefix = 'e2e'): string => `${prefix}-${unique()}@example.com`;

/** A phone number with 11 digits that no other test uses. */
export const uniquePhone = (): string => `+1${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}${String(counter++ % 10000).padStart(4, '0')}`;

export const uniqueId = (prefix = 'id'): string => `${prefix}-${unique()}`;

export const randomCustomerId = (): string => randomUUID();

/** A customer holding `points` available points (given by a manual adjustment). */
export async function customerWithPoints(ledger: RunningLedger, points: number): Promise<string> {
  const customerId = await enrolCustomer(ledger);
  if (points > 0) {
    const credited = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points, reason: 'test funding' });
    if (credited.status !== 201) throw new Error(`funding failed: ${credited.status} ${JSON.stringify(credited.body)}`);
  }
  return customerId;
}

export async function historyOf(ledger: RunningLedger, customerId: string): Promise<{ customerId: string; balance: number; entries: Json[] }> {
  const response = await ledger.request('GET', `/customers/${customerId}/history`);
  if (response.status !== 200) throw new Error(`history failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** A payment body with sensible defaults and a unique purchase identifier. */
export const paymentBody = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  locationId: 'store-1',
  amount: '10.00',
  purchaseIdentifier: uniqueId('R'),
  occurredAt: '2025-06-01T10:00:00Z',
  ...fields,
});

export const visitBody = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  locationId: 'store-1',
  occurredAt: '2025-06-01T10:00:00Z',
  ...fields,
});
