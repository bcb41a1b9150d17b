import { StoreUnavailableError } from '../event-store.port';
import { storeFailure } from './sqlite-event-store';

describe('storeFailure', () => {
  const reason = (code: string | undefined) => {
    const error = storeFailure(code, 'm');
    return error instanceof StoreUnavailableError ? error.reason : 'plain';
  };

  it('tells full, locked and I/O apart by SQLite code, extended codes included', () => {
    expect(reason('SQLITE_FULL')).toBe('full');
    expect(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE'].map(reason)).toEqual(['locked', 'locked', 'locked', 'locked']);
    expect(['SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_CORRUPT'].map(reason)).toEqual([
      'io',
      'io',
      'io',
      'io',
      'io',
      'io',
    ]);
  });

  it('leaves anything else (a constraint, a bug) a plain error, which stays a 500', () => {
    expect(reason('SQLITE_CONSTRAINT_UNIQUE')).toBe('plain');
    expect(reason(undefined)).toBe('plain');
  });
});
