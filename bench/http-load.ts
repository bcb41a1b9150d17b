import autocannon, { type Request, type Result } from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';

/**
 * The HTTP side of the command benches (bench:commands, bench:scale): starting the built API,
 * the command mix, enrolment over HTTP, and autocannon runs. One copy, imported by both.
 */

/** The benches' own admin key, given to the API they start. */
export const SECRET = 'bench-admin-secret-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${SECRET}` };

let sequence = 0;
/**
 * The bench:commands mix: 70 % payments (unique receipts, half `scan`, half `manual`, so each also
 * records a purchase visit) and 30 % visits, each for a customer drawn at random.
 */
export function commandRequests(customers: readonly string[], tag: string): Request[] {
  const pick = () => customers[Math.floor(Math.random() * customers.length)]!;
  return [
    {
      method: 'POST',
      setupRequest: (req) => {
        const n = sequence++;
        const customerId = pick();
        const isPayment = n % 10 < 7;
        const body = isPayment
          ? {
              locationId: `store-${n % 25}`,
              amount: `${10 + (n % 90)}.${String(n % 100).padStart(2, '0')}`,
              purchaseIdentifier: `${tag}-${n}`,
              occurredAt: '2026-11-20T10:00:00Z',
              source: n % 2 ? 'scan' : 'manual',
            }
          : { locationId: `store-${n % 25}`, occurredAt: '2026-11-20T10:00:00Z', kind: 'browse' };
        return {
          ...req,
          path: `/customers/${customerId}/${isPayment ? 'payments' : 'visits'}`,
          headers: { 'content-type': 'application/json', ...AUTH },
          body: JSON.stringify(body),
        };
      },
    },
  ];
}

export function balanceRequests(customers: readonly string[]): Request[] {
  return [
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, headers: AUTH, path: `/customers/${customers[Math.floor(Math.random() * customers.length)]!}/balance` }),
    },
  ];
}

export function run(url: string, requests: Request[], duration: number, connections: number): Promise<Result> {
  return autocannon({ url, connections, duration, requests, expectBody: undefined });
}

/** Enrols `count` customers over HTTP, 50 at a time; their ids. */
export async function enrol(baseUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  const batch = 50;
  for (let i = 0; i < count; i += batch) {
    const created = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async (_, j) => {
        const res = await fetch(`${baseUrl}/customers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH },
          body: JSON.stringify({ email: `bench-${i + j}@example.com` }),
        });
        if (res.status !== 201) throw new Error(`enrol failed: ${res.status}`);
        return ((await res.json()) as { customerId: string }).customerId;
      }),
    );
    ids.push(...created);
  }
  return ids;
}

/**
 * Forks a built script and resolves once `readyUrl` answers 2xx (polled every 100 ms), or, without
 * one, once the child sends its first IPC message. Rejects if the child exits first.
 */
export function start(script: string, env: Record<string, string>, readyUrl: string | undefined): Promise<ChildProcess> {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    if (readyUrl === undefined) {
      child.once('message', () => resolve(child));
      return;
    }
    const poll = async () => {
      try {
        if ((await fetch(readyUrl, { headers: AUTH })).ok) return resolve(child);
      } catch {
        /* not listening yet */
      }
      setTimeout(() => void poll(), 100);
    };
    void poll();
  });
}

export function onExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
}
