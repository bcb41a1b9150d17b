import { chmodSync, closeSync, openSync, statSync } from 'node:fs';

/**
 * Makes a SQLite database file, and its WAL and shared-memory files, readable and writable by
 * their owner only: they hold personal data (e-mail, phone, name). The file is created 0600
 * before SQLite opens it, because SQLite gives the -wal and -shm files the database file's mode;
 * files left 0644 by an older version are tightened. A file owned by someone else keeps its mode
 * (only its owner may change it, and an operator may have shared it on purpose).
 */
export function ownerOnlyDatabaseFile(filename: string): void {
  closeSync(openSync(filename, 'a', 0o600));
  for (const path of [filename, `${filename}-wal`, `${filename}-shm`, `${filename}-journal`]) {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch {
      continue; // not there (yet): SQLite makes it with the database file's mode
    }
    if ((mode & 0o077) === 0) continue;
    try {
      chmodSync(path, mode & 0o700);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }
}
