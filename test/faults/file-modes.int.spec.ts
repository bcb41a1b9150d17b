import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startLedger } from '../support/ledger-app';
import { customerWithPoints } from '../support/e2e';
import { tempDir } from '../support/temp-dir';

/**
 * The SQLite files hold customers' e-mail, phone and name: owner-only (0600), like api-keys.json,
 * whatever the directory's mode (an operator may have made it 0755) and whatever the umask. Files
 * an older version left 0644 are tightened when the ledger opens them.
 */
const FILES = ['events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm', 'read-models.sqlite', 'read-models.sqlite-wal', 'read-models.sqlite-shm'];
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('database file modes', () => {
  it('creates the event store, the read models and their WAL and SHM files 0600 in a 0755 directory', async () => {
    const dir = tempDir('file-modes-');
    chmodSync(dir.path, 0o755);
    const previous = process.umask(0o022);
    try {
      const ledger = await startLedger({ dataDir: dir.path });
      try {
        await customerWithPoints(ledger, 10);
        for (const file of FILES) {
          const path = join(dir.path, file);
          expect({ file, exists: existsSync(path) }).toEqual({ file, exists: true });
          expect({ file, mode: modeOf(path).toString(8) }).toEqual({ file, mode: '600' });
        }
      } finally {
        await ledger.close({ keepData: true });
      }
    } finally {
      process.umask(previous);
      dir.cleanup();
    }
  });

  it('tightens files an older version left 0644', async () => {
    const dir = tempDir('file-modes-old-');
    try {
      const first = await startLedger({ dataDir: dir.path });
      await customerWithPoints(first, 10);
      await first.close({ keepData: true });
      for (const file of FILES) {
        const path = join(dir.path, file);
        if (!existsSync(path)) closeSync(openSync(path, 'a'));
        chmodSync(path, 0o644);
      }
      const ledger = await startLedger({ dataDir: dir.path });
      try {
        for (const file of FILES) expect({ file, mode: modeOf(join(dir.path, file)).toString(8) }).toEqual({ file, mode: '600' });
      } finally {
        await ledger.close({ keepData: true });
      }
    } finally {
      dir.cleanup();
    }
  });
});
