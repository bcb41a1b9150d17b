import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

/** The machine a figure was measured on, for every bench's summary line. */
export const machine = (): string => `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;

/** A bench's raw results, kept in `.bench/<name>.json` with the time of the run. */
export function saveResults(name: string, results: object): void {
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', `${name}.json`), JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2));
}

/**
 * BENCH_PROFILE=file.cpuprofile: a CPU profile of what runs between this call and the stop it
 * returns (the part a bench times, not its set-up), written to that file. Without it, nothing.
 */
export async function profileFromEnv(): Promise<() => Promise<void>> {
  const file = process.env['BENCH_PROFILE'];
  if (file === undefined) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
