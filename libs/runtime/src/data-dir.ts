import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from './operator-error';

/** The data directory cannot be used: created, entered or written. */
export class DataDirError extends OperatorError {}

/**
 * Makes sure the data directory exists and is writable before anything is written into it (the
 * first admin key, the embedded store, the SQLite read models), for the API, the projector and
 * the CLI alike. A directory that does not exist yet is created with its parents, readable by
 * its owner only: it holds the key digests and the ledger itself. An existing directory keeps
 * its mode: an operator may have chosen it.
 *
 * Every failure is one line naming the path and the reason (never a stack trace), and nothing in
 * an existing directory is changed: the write probe is a fresh file of its own, removed at once.
 */
export function ensureDataDir(dir: string): void {
  const existing = statOrUndefined(dir);
  if (existing === undefined) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new DataDirError(`Data directory ${dir} cannot be created: ${reason(error)}. Create it, or set LEDGER_DATA_DIR to a writable directory.`);
    }
  } else if (!existing.isDirectory()) {
    throw new DataDirError(`Data directory ${dir} is not a directory. Set LEDGER_DATA_DIR to a directory.`);
  }
  const probe = join(dir, `.write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    unlinkSync(probe);
  } catch (error) {
    throw new DataDirError(`Data directory ${dir} is not writable: ${reason(error)}. Fix its permissions, or set LEDGER_DATA_DIR to a writable directory.`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataDirError(`Data directory ${path} cannot be used: ${reason(error)}.`);
  }
}

/** "EACCES: permission denied", without the path and syscall Node appends (the path is named already). */
function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const text = DESCRIPTIONS[e.code ?? ''];
  return e.code !== undefined ? `${e.code}${text === undefined ? '' : ` (${text})`}` : String(error);
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent of the path is a file',
  ENOSPC: 'no space left on the device',
  EEXIST: 'a leftover write probe exists; remove it',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'path too long',
};
