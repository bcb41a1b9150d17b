import Fastify from 'fastify';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { CONSOLE_CSP, registerConsoleRoutes } from '../../apps/ledger-api/src/console/console-static';
import { startLedger, type RunningLedger } from '../support/ledger-app';
import { tempDir } from '../support/temp-dir';
import { CONSOLE_BUILD, ensureConsoleBuilt } from './browser';

/**
 * The API serves the built console at /console: public static files (the page holds no data),
 * hashed assets cached for good, the page itself revalidated, compressed when the browser takes it,
 * under a Content-Security-Policy that allows the console's own assets and nothing else.
 */
describe('the console, served by the API', () => {
  let ledger: RunningLedger;
  let index: string;
  const noKey = { authorization: '' };

  beforeAll(async () => {
    ensureConsoleBuilt();
    ledger = await startLedger();
    index = readFileSync(join(CONSOLE_BUILD, 'index.html'), 'utf8');
  }, 240_000);
  afterAll(async () => ledger?.close());

  /** The files index.html loads before anything renders: its module script, preloads, and styles. */
  const firstLoad = (html: string) => [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);

  it('serves the page without a key, revalidated on every load, under a Content-Security-Policy', async () => {
    for (const path of ['/console', '/console/', `/console/customers/0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30`, '/console/reports']) {
      const response = await fetch(`${ledger.baseUrl}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(await response.text()).toBe(index);
    }
    const first = await fetch(`${ledger.baseUrl}/console`);
    const again = await fetch(`${ledger.baseUrl}/console`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('allows scripts, styles and API calls from its own origin only; the page has no inline script', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(firstLoad(index).length).toBeGreaterThanOrEqual(2);
  });

  it('serves the hashed assets for a year (immutable), compressed when the browser takes it', async () => {
    for (const asset of firstLoad(index)) {
      const raw = readFileSync(join(CONSOLE_BUILD, asset));
      for (const [encoding, decode] of [
        ['br', brotliDecompressSync],
        ['gzip', gunzipSync],
        ['identity', (b: Buffer) => b],
      ] as const) {
        const response = await ledger.request('GET', `/console/${asset}`, undefined, { ...noKey, 'accept-encoding': encoding });
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(response.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
        expect(response.headers.get('vary')).toBe('accept-encoding');
        // fetch undoes the encoding itself; the raw bytes are checked below.
        expect(response.body).toBe(raw.toString('utf8'));
        expect(decode(await rawBody(`/console/${asset}`, encoding)).equals(raw)).toBe(true);
      }
    }
  });

  it('answers 404 for files that are not in the build, and never serves anything outside it', async () => {
    for (const path of [
      '/console/assets/index-00000000.js',
      '/console/favicon.ico',
      '/console/%2e%2e/package.json',
      '/console/..%2fpackage.json',
      '/console/assets/..%2f..%2fpackage.json',
    ]) {
      const status = await rawStatus(path);
      expect({ path, outcome: status === 404 || status === 400 ? 'refused' : status }).toEqual({ path, outcome: 'refused' });
    }
    const missing = await ledger.request('GET', '/console/assets/index-00000000.js', undefined, noKey);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('keeps the first load under 300 KB of compressed JavaScript; the reports and charts load later', () => {
    const js = (file: string) => gzipSync(readFileSync(join(CONSOLE_BUILD, file)), { level: 9 }).length;
    const first = firstLoad(index).filter((f) => f.endsWith('.js'));
    const firstBytes = first.reduce((sum, f) => sum + js(f), 0);
    const all = readdirSync(join(CONSOLE_BUILD, 'assets')).filter((f) => f.endsWith('.js'));
    const lazy = all.filter((f) => !first.includes(`assets/${f}`));
    // Measured, not assumed: the figure goes to the test output.
    console.log(
      `console JS, gzip -9: first load ${(firstBytes / 1024).toFixed(1)} KiB (${first.join(', ')}); loaded later ${lazy.map((f) => `${f} ${(js(`assets/${f}`) / 1024).toFixed(1)} KiB`).join(', ')}`,
    );
    expect(firstBytes).toBeLessThan(300 * 1024);
    expect(lazy.some((f) => f.startsWith('ReportsPage-'))).toBe(true);
    for (const f of all) expect(statSync(join(CONSOLE_BUILD, 'assets', f)).size).toBeGreaterThan(0);
  });

  it('says how to build it when the build is missing', async () => {
    const empty = tempDir('console-not-built-');
    const fastify = Fastify();
    try {
      registerConsoleRoutes(fastify, empty.path);
      const response = await fastify.inject({ method: 'GET', url: '/console' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 503, detail: expect.stringContaining('npm run build') });
    } finally {
      await fastify.close();
      empty.cleanup();
    }
  });

  /** A GET whose path is sent exactly as written (fetch would normalise the dots), and its raw body. */
  function raw(path: string, encoding = 'identity'): Promise<{ status: number; body: Buffer }> {
    const url = new URL(ledger.baseUrl);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const rawStatus = async (path: string) => (await raw(path)).status;
  const rawBody = async (path: string, encoding: string) => (await raw(path, encoding)).body;
});
