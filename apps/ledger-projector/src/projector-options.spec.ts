import { ConfigError } from '#runtime/config';
import { projectorOptions } from './projector-options';
import { projectorLockKey } from './projector-lock';

describe('projectorOptions', () => {
  it('defaults to batches of 1000, a 200 ms poll and a 5 s lock retry', () => {
    expect(projectorOptions({})).toEqual({ batchSize: 1000, pollIntervalMs: 200, lockRetryMs: 5000 });
  });

  it('reads each variable', () => {
    expect(projectorOptions({ LEDGER_PROJECTOR_BATCH_SIZE: '250', LEDGER_PROJECTOR_POLL_MS: '50', LEDGER_PROJECTOR_LOCK_RETRY_MS: '100' })).toEqual({
      batchSize: 250,
      pollIntervalMs: 50,
      lockRetryMs: 100,
    });
  });

  it('names every bad variable without echoing its value', () => {
    const attempt = () => projectorOptions({ LEDGER_PROJECTOR_BATCH_SIZE: '0', LEDGER_PROJECTOR_POLL_MS: 'fast-secret', LEDGER_PROJECTOR_LOCK_RETRY_MS: '5' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /LEDGER_PROJECTOR_BATCH_SIZE: expected an integer from 1 to 100000\n {2}LEDGER_PROJECTOR_POLL_MS: .*\n {2}LEDGER_PROJECTOR_LOCK_RETRY_MS: expected an integer from 10/,
    );
    expect(attempt).not.toThrow(/fast-secret/);
  });
});

describe('projectorLockKey', () => {
  it('is a fixed signed 64-bit key per projection name', () => {
    expect(projectorLockKey('ledger-read-models')).toBe(8079825772881656370n);
    expect(projectorLockKey('ledger-read-models__r1')).not.toBe(projectorLockKey('ledger-read-models'));
    expect(BigInt.asIntN(64, projectorLockKey('x'))).toBe(projectorLockKey('x'));
  });
});
