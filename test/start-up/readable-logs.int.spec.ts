import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir';
import { freePort, newcomerEnv, programPath, startProcess, type RunningProgram } from '../support/programs';

/**
 * On a terminal the API prints lines a person reads (Nest's console format, pino-pretty for
 * requests), with the first admin secret on a line of its own; off a terminal, with
 * LEDGER_LOG_FORMAT=json, or in production, JSON lines as before. The terminal is a real
 * pseudo-terminal, made by util-linux `script`.
 */

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(ANSI, '').replace(/\r/g, '');

function scriptAvailable(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('API logs on a terminal and off it', () => {
  const dir = tempDir('ledger-logs-');
  afterAll(() => dir.cleanup());

  beforeAll(() => {
    // util-linux is essential on Debian, so on our machines this holds; say so loudly if not.
    if (!scriptAvailable()) throw new Error('util-linux "script" is needed to give the API a terminal');
  });

  async function onTerminal(dataDir: string, extra: Record<string, string> = {}): Promise<{ api: RunningProgram; address: string }> {
    const env = newcomerEnv({ LEDGER_DATA_DIR: dataDir, PORT: String(await freePort()), ...extra });
    const api = startProcess('script', ['-q', '-e', '-c', `"${process.execPath}" "${programPath('api')}"`, '/dev/null'], { env });
    const [, address] = await api.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000);
    return { api, address: address! };
  }

  it('readable lines: the address, the data directory, the secret alone on its line, requests', async () => {
    const dataDir = join(dir.path, 'pretty');
    const { api, address } = await onTerminal(dataDir);
    try {
      expect((await fetch(`${address}/health/live`)).status).toBe(200);
      await api.waitFor(/200 in \d+ ms/, 10_000);
      const lines = plain(api.output()).split('\n');
      expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
      expect(lines.some((line) => line.includes(`listening on ${address}`))).toBe(true);
      expect(lines.some((line) => line.includes(`Data: events in ${dataDir}/events.sqlite`))).toBe(true);
      const notice = lines.findIndex((line) => line.includes('shown this once'));
      expect(notice).toBeGreaterThanOrEqual(0);
      // The secret: a line of its own, nothing on it but the secret (indented), ready to copy.
      const secretLine = lines.slice(notice + 1).find((line) => line.trim() !== '');
      expect(secretLine).toMatch(/^\s+[A-Za-z0-9_-]{43}\s*$/);
      const secret = secretLine!.trim();
      expect((await fetch(`${address}/program`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
      // A request, readable: "GET /health/live" and then "200 in N ms", tied by the request id.
      const asked = lines.find((line) => /INFO.*GET \/health\/live \(request [0-9a-f]{8}\)/.test(line));
      expect(asked).toBeDefined();
      const id = /\(request ([0-9a-f]{8})\)/.exec(asked!)![1];
      expect(lines.some((line) => new RegExp(`INFO.*200 in \\d+ ms \\(request ${id}\\)`).test(line))).toBe(true);
      // The framework's per-route start-up chatter does not bury those lines.
      expect(lines.some((line) => line.includes('Mapped {'))).toBe(false);
    } finally {
      await api.stop();
    }
  });

  it('JSON lines on a terminal with LEDGER_LOG_FORMAT=json, and in production', async () => {
    const variants: Array<Record<string, string>> = [
      { LEDGER_LOG_FORMAT: 'json' },
      { LEDGER_ENV: 'production', LEDGER_API_KEYS: 'ops:admin:a-production-secret-of-enough-length', LEDGER_LOG_FORMAT: 'pretty' },
    ];
    for (const extra of variants) {
      const { api } = await onTerminal(join(dir.path, `json-${Object.keys(extra).length}`), extra);
      try {
        const lines = plain(api.output())
          .split('\n')
          .filter((line) => line.trim() !== '');
        expect(lines.length).toBeGreaterThan(2);
        for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      } finally {
        await api.stop();
      }
    }
  });

  it('JSON lines when stdout is not a terminal, with the message escaped as JSON', async () => {
    const env = newcomerEnv({ LEDGER_DATA_DIR: join(dir.path, 'pipe'), PORT: String(await freePort()) });
    const api = startProcess(process.execPath, [programPath('api')], { env });
    try {
      await api.waitFor(/listening on/, 60_000);
      const lines = api
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.some((line) => (JSON.parse(line) as { message?: string }).message?.includes('shown this once'))).toBe(true);
    } finally {
      await api.stop();
    }
  });
});
