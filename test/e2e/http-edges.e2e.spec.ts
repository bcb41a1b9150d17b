import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { startLedger, TEST_ADMIN_SECRET, type RunningLedger } from '../support/ledger-app';
import { customerWithPoints, expectInvalid, expectNothingWritten, expectProblem, head } from '../support/e2e';

/**
 * Edges of the HTTP layer: duplicate JSON keys, errors of the HTTP parser itself (sent on raw
 * sockets, since no HTTP client will send them), the 503 during shutdown, and `minPosition`
 * beyond the head. Every error answer has our problem+json shape.
 */

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends raw bytes and reads every response until the server closes the connection (or `count` responses are in). */
function raw(
  port: number,
  chunks: readonly (string | Buffer)[],
  options: { gapMs?: number; count?: number; between?: () => Promise<void> } = {},
): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const finish = () => {
      socket.destroy();
      resolve(parseResponses(received.toString('latin1')));
    };
    const timer = setTimeout(finish, 15_000);
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      if (options.count !== undefined && parseResponses(received.toString('latin1')).length >= options.count) {
        clearTimeout(timer);
        finish();
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset after answering a parser error: what arrived is the answer.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    const send = async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && options.gapMs !== undefined) {
          await new Promise((r) => setTimeout(r, options.gapMs));
          if (i === 1) await options.between?.();
        }
        if (!socket.destroyed) socket.write(chunk);
      }
    };
    socket.on('connect', () => void send().catch(reject));
  });
}

function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.slice(end + 4, end + 4 + length);
    if (Buffer.byteLength(body, 'latin1') < length) break;
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

function expectRawProblem(response: RawResponse | undefined, status: number): void {
  expect(response?.status).toBe(status);
  expect(response!.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(response!.body)).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https:\/\/loyalty-ledger\.dev\/problems\//),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
}

const portOf = (ledger: RunningLedger): number => Number(new URL(ledger.baseUrl).port);
const AUTH = `Authorization: Bearer ${TEST_ADMIN_SECRET}\r\n`;

describe('HTTP edges', () => {
  let ledger: RunningLedger;
  let customerId: string;
  beforeAll(async () => {
    ledger = await startLedger();
    customerId = await customerWithPoints(ledger, 100);
  });
  afterAll(async () => {
    await ledger.close();
  });

  describe('the same JSON key twice', () => {
    const send = (body: string) => ledger.request('POST', `/customers/${customerId}/redemptions`, body, { 'content-type': 'application/json' });

    it('is 400 naming the key, whichever copy would have counted, and writes nothing', async () => {
      for (const body of ['{"points":1,"points":99}', '{"points":99,"points":1}']) {
        const response = await expectNothingWritten(ledger, () => send(body));
        expectInvalid(response, 'points');
        expect(response.body.errors).toEqual([{ path: 'points', message: expect.stringMatching(/^duplicate key/) }]);
      }
    });

    it('is 400 at any depth, and for a key spelled with an escape', async () => {
      expectInvalid(await expectNothingWritten(ledger, () => send('{"points":1,"reference":"r","x":{"y":[{"z":1,"z":2}]}}')), 'x.y[0].z');
      expectInvalid(await expectNothingWritten(ledger, () => send('{"points":1,"\\u0070oints":90}')), 'points');
    });

    it('leaves bodies with unique keys (the same key in different objects) to the codec as before', async () => {
      expect((await send('{"points":1,"reference":"same-key-elsewhere"}')).status).toBe(201);
    });
  });

  describe("errors of the HTTP parser are problem+json too (Fastify's default was plain JSON)", () => {
    it.each([
      [
        'bad chunked framing',
        `POST /customers HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
        400,
      ],
      [
        'Content-Length with Transfer-Encoding',
        `POST /customers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        400,
      ],
      ['a NUL in a header', `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Odd: a\u0000b\r\n\r\n`, 400],
      ['headers over 16 KiB', `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431],
    ])('%s', async (_label, request, status) => {
      const [response] = await raw(portOf(ledger), [Buffer.from(request, 'latin1')]);
      expectRawProblem(response, status);
      expect(response!.body).not.toContain('aaaa');
    });
  });

  describe('minPosition', () => {
    it('beyond the head of the log is 400 at once, naming minPosition', async () => {
      const beyond = (await head(ledger)) + 1_000n;
      const started = Date.now();
      const response = await ledger.request('GET', `/customers/${customerId}/balance?minPosition=${beyond}`);
      expectInvalid(response, 'minPosition');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('at or below the head is served once the projection has it', async () => {
      const position = await head(ledger);
      expect((await ledger.request('GET', `/customers/${customerId}/balance?minPosition=${position}`)).status).toBe(200);
    });
  });
});

describe('a position written but not yet projected', () => {
  it('is still waited for, then 503 with Retry-After (projector off here, so it never arrives)', async () => {
    const ledger = await startLedger({ projector: 'off' });
    try {
      const customerId = await customerWithPoints(ledger, 10);
      const started = Date.now();
      const behind = await ledger.request('GET', `/customers/${customerId}/balance?minPosition=${await head(ledger)}`);
      expectProblem(behind, 503, 'unavailable');
      expect(behind.headers.get('retry-after')).toBe('1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    } finally {
      await ledger.close();
    }
  }, 20_000);
});

describe('requests arriving while the server shuts down', () => {
  it('get 503 problem+json with Retry-After and Connection: close', async () => {
    const ledger = await startLedger({ projector: 'off' });
    let closing: Promise<void> | undefined;
    try {
      const customerId = await customerWithPoints(ledger, 10);
      const position = await head(ledger);
      // The first request holds the connection open (it waits for a projection that never comes);
      // the second arrives on it after close() began.
      const slow = `GET /customers/${customerId}/balance?minPosition=${position} HTTP/1.1\r\nHost: x\r\n${AUTH}\r\n`;
      const late = `GET /program HTTP/1.1\r\nHost: x\r\n${AUTH}\r\n`;
      const responses = await raw(portOf(ledger), [slow, late], {
        gapMs: 150,
        count: 2,
        between: async () => {
          closing = ledger.app.close();
          // Nest runs its shutdown hooks first; the HTTP server stops listening once Fastify's close (and our preClose hook) began.
          const server = ledger.app.getHttpServer();
          for (let waited = 0; server.listening && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
        },
      });
      expect(responses).toHaveLength(2);
      expectRawProblem(responses[1], 503);
      expect(JSON.parse(responses[1]!.body).type).toBe('https://loyalty-ledger.dev/problems/shutting-down');
      expect(responses[1]!.headers['retry-after']).toBe('1');
      expect(responses[1]!.headers['connection']).toBe('close');
    } finally {
      await closing;
      await ledger.store.close();
      rmSync(ledger.dataDir, { recursive: true, force: true });
    }
  }, 20_000);
});
