import type { Problem } from './problems';

/**
 * The console's only way to the ledger: the public HTTP API, same origin, with the API key as a
 * bearer token. The key never goes into a URL (downloads are fetched with the header too).
 */

/** The API answered with an error (application/problem+json). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** No answer: the network failed, or the answer was cut off. Whether the server acted is unknown. */
export class NetworkError extends Error {}

export interface RequestOptions {
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly ifMatch?: string;
  readonly signal?: AbortSignal;
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface Api {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer<T>>;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown, idempotencyKey: string): Promise<ApiAnswer<T>>;
  /** A file (CSV), fetched with the key in the header, as a Blob. */
  download(path: string): Promise<{ blob: Blob; filename: string | undefined }>;
}

async function send(key: string, method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  try {
    return await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      ...(options.signal && { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError('The ledger did not answer. Check the connection and try again.');
  }
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') return parsed as Problem;
  } catch {
    /* not JSON */
  }
  return { status: response.status, title: response.statusText, detail: `The ledger answered ${response.status} ${response.statusText}.` };
}

export function createApi(key: string, onUnauthorized: () => void = () => undefined): Api {
  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const response = await send(key, method, path, options, 'application/json');
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      throw new ApiError(response.status, await problemOf(response));
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new NetworkError('The answer was cut off. Try again.');
    }
    return { status: response.status, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }
  return {
    request,
    get: async <T>(path: string, signal?: AbortSignal) => (await request<T>('GET', path, signal ? { signal } : {})).body,
    post: <T>(path: string, body: unknown, idempotencyKey: string) => request<T>('POST', path, { body, idempotencyKey }),
    async download(path) {
      const response = await send(key, 'GET', path, {}, 'text/csv, application/problem+json');
      if (!response.ok) throw new ApiError(response.status, await problemOf(response));
      const disposition = response.headers.get('content-disposition') ?? '';
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1];
      return { blob: await response.blob(), filename };
    },
  };
}

/** A fresh Idempotency-Key for one submission of one form. */
export function newIdempotencyKey(): string {
  const uuid =
    typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID()
      : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `console-${uuid}`;
}

/** Path segments are always encoded: ids come from the API or from what staff typed. */
export const path = (strings: TemplateStringsArray, ...values: readonly (string | number)[]): string =>
  strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');

/** A query string of the defined values. */
export function query(values: Readonly<Record<string, string | number | undefined | null>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
