import { ApiError, createApi, NetworkError, type Api } from './api';

/**
 * Who the key is, found with the public API alone: each capability is one request that the role
 * may or may not make, chosen so that it can never write anything (an unknown customer, an empty
 * report day, a body the route refuses before it runs). 403 means "not this role"; anything else
 * from behind the access check (200, 400, 404) means it may.
 */
export interface Capabilities {
  /** Look customers up and open their cards (operator, auditor, admin). */
  readonly readCustomers: boolean;
  /** Enrol, visits, payments, adjustments, redemptions, refunds (operator, admin). */
  readonly writeCustomers: boolean;
  /** The replayed history, as of an instant, and its CSV (auditor, admin). */
  readonly readHistory: boolean;
  /** Reports (reporter, auditor, admin). */
  readonly readReports: boolean;
  /** PUT /program (admin). */
  readonly changeProgram: boolean;
}

export type Role = 'admin' | 'operator' | 'auditor' | 'reporter' | 'limited';

export function roleOf(c: Capabilities): Role {
  if (c.changeProgram) return 'admin';
  if (c.writeCustomers) return 'operator';
  if (c.readHistory) return 'auditor';
  if (c.readReports) return 'reporter';
  return 'limited';
}

/** No customer has this id: the probes that name a customer find none, and read nothing. */
const NO_CUSTOMER = '00000000-0000-0000-0000-000000000000';

const PROBES: Readonly<Record<keyof Capabilities, { method: string; path: string; body?: unknown }>> = {
  readCustomers: { method: 'GET', path: `/customers/${NO_CUSTOMER}` },
  // Refused by its body's codec (400) before anything runs: nothing is enrolled.
  writeCustomers: { method: 'POST', path: '/customers', body: { email: false } },
  readHistory: { method: 'GET', path: `/customers/${NO_CUSTOMER}/history` },
  readReports: { method: 'GET', path: '/reports/visits?from=2000-01-01&to=2000-01-01' },
  // Refused by its body's codec (400, unknown field): the program is not changed.
  changeProgram: { method: 'PUT', path: '/program', body: { consoleCapabilityProbe: true } },
};

export class InvalidKey extends Error {}

/** The key's capabilities, all probes at once; InvalidKey for a key the API does not know. */
export async function probeCapabilities(key: string): Promise<Capabilities> {
  const api = createApi(key);
  const entries = await Promise.all(
    (Object.keys(PROBES) as (keyof Capabilities)[]).map(async (name) => {
      const probe = PROBES[name];
      try {
        await api.request(probe.method, probe.path, probe.body === undefined ? {} : { body: probe.body });
        return [name, true] as const;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw new InvalidKey('This API key is not valid.');
        if (error instanceof ApiError && error.status === 403) return [name, false] as const;
        if (error instanceof ApiError && error.status === 429) throw error;
        if (error instanceof ApiError) return [name, true] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries) as unknown as Capabilities;
}

const STORAGE_KEY = 'loyalty-ledger-console:api-key';

/**
 * The key lives for this browser tab's session only (sessionStorage: gone when the tab closes;
 * never localStorage, never a URL or a cookie).
 */
export const storedKey = (): string | null => {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
};

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    /* storage disabled: the key stays in memory only */
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* nothing stored */
  }
}

export { NetworkError, type Api };
