import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The advisory-lock key of a projection: the first 8 bytes of SHA-256("loyalty-ledger:projector:"
 * + name) as a signed 64-bit integer. Fixed for a name, so every projector of that projection
 * contends for the same lock, and a name can be turned into its key by hand when looking at pg_locks
 * (classid = high 32 bits, objid = low 32 bits).
 */
export function projectorLockKey(projection: string): bigint {
  return createHash('sha256').update(`loyalty-ledger:projector:${projection}`).digest().readBigInt64BE(0);
}

/**
 * "Exactly one active projector" on PostgreSQL: a session-level `pg_try_advisory_lock` held on a
 * connection of its own for as long as this process projects. PostgreSQL releases it when the
 * session ends, however the process ended (SIGKILL, OOM, lost host), so a standby's next attempt
 * succeeds. The checkpoint's compare-and-set already keeps two projectors from applying an event
 * twice; the lock saves the loser's wasted work and makes the active one visible in pg_locks.
 */
export class ProjectorLock {
  private client: pg.Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private releasing = false;
  private onLost: ((reason: string) => void) | undefined;

  constructor(
    private readonly connectionString: string,
    readonly key: bigint,
    /** How often the held connection is checked (a dead session means the lock is gone). */
    private readonly heartbeatMs: number,
  ) {}

  /**
   * One attempt. True: this process holds the lock until `release()`, or until `onLost` is called
   * (the session died: stop projecting, another projector may already have taken over).
   * False: another session holds it. Rejects when PostgreSQL cannot be reached.
   */
  async tryAcquire(onLost: (reason: string) => void): Promise<boolean> {
    // TCP keepalive from 10 s of silence, so a connection whose peer vanished is noticed.
    const client = new pg.Client({
      connectionString: this.connectionString,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'ledger-projector',
    });
    // Errors of an open connection arrive as events; they end the session, reported through 'end'.
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.key.toString()]);
      if (rows[0]?.locked !== true) {
        await client.end();
        return false;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.releasing = false;
    this.onLost = onLost;
    client.once('end', () => this.lost('the lock connection closed'));
    // A heartbeat that fails, or hangs past the deadline, means the session (and so the lock)
    // can no longer be vouched for: stop projecting rather than risk two active projectors.
    const deadlineMs = Math.max(2 * this.heartbeatMs, 10_000);
    let inFlight = false;
    this.heartbeat = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs)));
      Promise.race([client.query('SELECT 1'), hung])
        .catch((error: unknown) => this.lost(`the lock connection failed (${error instanceof Error ? error.message : String(error)})`))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, this.heartbeatMs);
    return true;
  }

  /** Gives the lock up by ending its session (also fine when it is not held). */
  async release(): Promise<void> {
    this.releasing = true;
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private lost(reason: string): void {
    if (this.releasing || this.client === undefined) return;
    const onLost = this.onLost;
    void this.release();
    onLost?.(reason);
  }
}
