import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built programs, run as an operator runs them (`npm test` builds them first). */
export const PROGRAMS = {
  api: join(__dirname, '../../dist/apps/ledger-api/src/main.js'),
  projector: join(__dirname, '../../dist/apps/ledger-projector/src/main.js'),
  cli: join(__dirname, '../../dist/apps/ledger-cli/src/main.js'),
} as const;
export type Program = keyof typeof PROGRAMS;

export function programPath(program: Program): string {
  const path = PROGRAMS[program];
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" first (npm test does)`);
  return path;
}

/**
 * The environment of a fresh terminal: the caller's, without the ledger's variables, npm's
 * (`npm test` exports its configuration to children, a newcomer's shell has none) and Jest's.
 */
export function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(LEDGER_|npm_|EVENTSTORE_)/i.test(name) || ['PORT', 'HOST', 'NODE_ENV', 'INIT_CWD', 'JEST_WORKER_ID'].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs a program to its end (for start-up failures): exit code and output. */
export function runToExit(program: Program, args: string[], env: NodeJS.ProcessEnv, options: { asUser?: number } = {}) {
  const run = spawnSync(process.execPath, [programPath(program), ...args], { env, encoding: 'utf8', timeout: 60_000, ...asUser(options.asUser) });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A long-running program with its output collected, stopped by `stop()`. */
export interface RunningProgram {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startProcess(command: string, args: string[], options: SpawnOptions): RunningProgram {
  // Own process group, so `stop` reaches what a shell command started (npm, then node).
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match === null) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${text.slice(-4000)}`));
        }, timeoutMs);
        const gone = () => {
          done();
          reject(new Error(`the process ended before printing ${pattern}; output:\n${text.slice(-4000)}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', gone);
        };
        listeners.add(check);
        child.once('exit', gone);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
        const timer = setTimeout(() => child.pid !== undefined && tryKill(-child.pid), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}

export function startProgram(program: Program, env: NodeJS.ProcessEnv, options: { asUser?: number } = {}): RunningProgram {
  return startProcess(process.execPath, [programPath(program)], { env, ...asUser(options.asUser) });
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs as another user where we can (root in CI), so permissions bite as they would for a service account. */
function asUser(uid: number | undefined): Pick<SpawnOptions, 'uid' | 'gid'> {
  return uid === undefined ? {} : { uid, gid: uid };
}

/**
 * A user for whom a directory's permissions are enforced: `nobody` when these tests run as root
 * (root ignores a directory's mode), the current user otherwise.
 */
export const UNPRIVILEGED_UID: number | undefined = process.getuid?.() === 0 ? 65534 : undefined;

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The secret from the first-start message: the line of its own after "shown this once". */
export function firstAdminSecret(output: string): string {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = (JSON.parse(line) as { message?: unknown }).message;
    if (typeof message !== 'string' || !message.includes('shown this once')) continue;
    const secret = /\n\s+([A-Za-z0-9_-]{24,})\s*\n/.exec(message)?.[1];
    if (secret !== undefined) return secret;
  }
  throw new Error(`no first-start admin secret in the output:\n${output.slice(-4000)}`);
}
