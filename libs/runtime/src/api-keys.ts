import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir } from './data-dir';
import { OperatorError } from './operator-error';

/**
 * API keys and roles. A key is `name:role:secret`; its name is the actor recorded on every
 * event it writes. Secrets are held only as SHA-256 digests and compared in constant time.
 *
 * Roles:
 * - operator: back-office commands and customer reads;
 * - auditor:  history, exports, reconciliation (read-only);
 * - reporter: projections and reports, without customers' e-mail and phone;
 * - admin:    everything, including program settings.
 */
export const ROLES = ['operator', 'auditor', 'reporter', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the secret, hex. */
  readonly secretSha256: string;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Long enough that guessing is hopeless, short enough to paste. */
export const MIN_SECRET_LENGTH = 24;

export class ApiKeyConfigError extends OperatorError {}

const digest = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Parses `LEDGER_API_KEYS` (comma-separated `name:role:secret`), naming bad entries by position only. */
export function parseApiKeys(text: string): ApiKey[] {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const [name, role, ...rest] = entry.split(':');
      const secret = rest.join(':');
      const where = `LEDGER_API_KEYS entry ${index + 1}`;
      if (name === undefined || !NAME.test(name)) throw new ApiKeyConfigError(`${where}: expected a name of 1 to 64 characters [A-Za-z0-9._-]`);
      if (!(ROLES as readonly string[]).includes(role ?? '')) throw new ApiKeyConfigError(`${where}: expected a role, one of ${ROLES.join(', ')}`);
      if (secret.length < MIN_SECRET_LENGTH) throw new ApiKeyConfigError(`${where}: expected a secret of at least ${MIN_SECRET_LENGTH} characters`);
      return { name, role: role as Role, secretSha256: digest(secret) };
    });
  const names = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name)) throw new ApiKeyConfigError(`LEDGER_API_KEYS: the name ${key.name} is used twice`);
    names.add(key.name);
  }
  return keys;
}

export const KEYS_FILE = 'api-keys.json';

/** Keys kept in the data directory (digests only), e.g. the admin key made at first start. */
export function readKeysFile(dataDir: string): ApiKey[] {
  const file = join(dataDir, KEYS_FILE);
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // Not the parser's message: it quotes the file's text, and this file holds key digests.
    const why = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ApiKeyConfigError(`${file} ${why}: restore it from a backup, or move it away to make a new admin key (see README, Troubleshooting)`);
  }
  if (!Array.isArray(parsed)) throw new ApiKeyConfigError(`${file}: expected a JSON array of keys`);
  return parsed.map((entry, index) => {
    const { name, role, secretSha256 } = (entry ?? {}) as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      !NAME.test(name) ||
      !(ROLES as readonly unknown[]).includes(role) ||
      typeof secretSha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(secretSha256)
    ) {
      throw new ApiKeyConfigError(`${file}: entry ${index + 1} is not {name, role, secretSha256}`);
    }
    return { name, role: role as Role, secretSha256 };
  });
}

/**
 * First start without any key: make an admin key, keep only its digest in the data directory
 * (readable by the owner only) and hand the secret back to be shown once.
 */
export function createFirstAdminKey(dataDir: string): { key: ApiKey; secret: string } {
  const secret = randomBytes(32).toString('base64url');
  const key: ApiKey = { name: 'admin', role: 'admin', secretSha256: digest(secret) };
  ensureDataDir(dataDir);
  const file = join(dataDir, KEYS_FILE);
  writeFileSync(file, `${JSON.stringify([key], null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, secret };
}

/** Finds the key for a presented secret, comparing digests in constant time. */
export function keyFor(keys: readonly ApiKey[], secret: string): ApiKey | undefined {
  const presented = Buffer.from(digest(secret), 'hex');
  let found: ApiKey | undefined;
  for (const key of keys) {
    // Every key is compared, so the time taken does not tell which one (if any) matched.
    if (timingSafeEqual(presented, Buffer.from(key.secretSha256, 'hex'))) found = key;
  }
  return found;
}
