import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../support/temp-dir';
import { firstAdminSecret, freePort, newcomerEnv, startProcess, type RunningProgram } from '../support/programs';

/**
 * The README's quick start, the way a newcomer runs it: the committed tree in a fresh folder (no
 * `data/`, `dist/`, `node_modules/` or `.env`), the README's own start command from its own code
 * block (so this test follows the README when it changes), a shell without LEDGER_* variables.
 * Then: readiness, the printed first admin secret, and that secret working on `GET /program`.
 */

const REPO = join(__dirname, '../..');

/** The commands of the README's "Quick start" code block, comments stripped. */
export function quickStartCommands(readme: string): string[] {
  const section = /^## Quick start\s*$([\s\S]*?)^## /m.exec(readme)?.[1];
  const block = section === undefined ? undefined : /```(?:bash|sh)?\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no "## Quick start" section with a code block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The files `git clone` would bring: what git tracks, as it stands in the work tree. */
function copyTrackedTree(to: string): number {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
  let copied = 0;
  for (const file of files) {
    const from = join(REPO, file);
    if (!existsSync(from)) continue; // deleted in the work tree, not yet committed
    const target = join(to, file);
    mkdirSync(dirname(target), { recursive: true });
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), target);
    else {
      copyFileSync(from, target);
      chmodSync(target, stat.mode & 0o777);
    }
    copied += 1;
  }
  return copied;
}

describe('README quick start on a fresh copy of the repository', () => {
  const commands = quickStartCommands(readFileSync(join(REPO, 'README.md'), 'utf8'));
  const start = commands.find((line) => /\bnpm (run )?start\b/.test(line));
  const clone = tempDir('ledger-quick-start-');
  let service: RunningProgram | undefined;

  afterAll(async () => {
    await service?.stop();
    clone.cleanup();
  });

  it('names a start command in its code block', () => {
    expect(start).toBeDefined();
    expect(commands.some((line) => /\bnpm (run )?test\b/.test(line))).toBe(true);
  });

  it(
    'installs, builds and starts, prints the first admin secret, which works on GET /program',
    async () => {
      expect(copyTrackedTree(clone.path)).toBeGreaterThan(50);
      for (const absent of ['data', 'dist', 'node_modules', '.env']) expect(existsSync(join(clone.path, absent))).toBe(false);

      // A free port rather than 3000, which a developer's own service may hold while the suite runs.
      const port = await freePort();
      service = startProcess('sh', ['-c', start!], { cwd: clone.path, env: newcomerEnv({ PORT: String(port) }) });

      // npm ci compiles better-sqlite3 from source: minutes, not seconds, on two cores.
      const [, address] = await service.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 9 * 60_000);
      expect(address).toBe(`http://127.0.0.1:${port}`);
      // stdout is a pipe here, so the logs are JSON lines: the secret is in one of their messages.
      const secret = firstAdminSecret(service.output());

      const ready = await fetch(`${address}/health/ready`);
      expect(ready.status).toBe(200);
      const withoutKey = await fetch(`${address}/program`);
      expect(withoutKey.status).toBe(401);
      const program = await fetch(`${address}/program`, { headers: { authorization: `Bearer ${secret}` } });
      expect(program.status).toBe(200);
      expect(await program.json()).toEqual(expect.objectContaining({ currency: 'USD', pointsPerUnit: '1', version: 1 }));

      // ./data was made by the first start, readable by its owner only: it holds the key digests.
      const data = join(clone.path, 'data');
      expect(statSync(data).mode & 0o777).toBe(0o700);
      expect(statSync(join(data, 'api-keys.json')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(data, 'api-keys.json'), 'utf8')).not.toContain(secret);

      // The shell goes first; node, signalled with it (one process group), closes once its shutdown hooks ran.
      await service.stop('SIGTERM');
      const deadline = Date.now() + 15_000;
      let closed = false;
      while (!closed && Date.now() < deadline) {
        closed = await fetch(`${address}/health/live`).then(
          () => false,
          () => true,
        );
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(closed).toBe(true);
    },
    10 * 60_000,
  );
});
