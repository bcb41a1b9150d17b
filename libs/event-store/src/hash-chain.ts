import * as crypto from 'node:crypto';
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Json, NewEvent, RecordedEvent, StreamRevision } from './event-store.port';

/**
 * Tamper evidence: every event's metadata carries `hash`, a SHA-256 over the canonical encoding of
 * the event (stream, revision, id, type, data, and metadata without `hash`), and `prevHash`, the
 * hash of the stream's previous event. Altering, removing, inserting or reordering an event breaks
 * the chain from that point on; `ledger audit verify-chain` walks it, and the command path checks
 * the links of every stream it loads (`chain-check.ts`).
 *
 * Canonical encoding: JSON with object keys sorted (UTF-16 code-unit order, JavaScript's default sort) at every level, no
 * whitespace, the revision as a decimal string. `prevHash` is null for the first event of a stream.
 *
 * Keyed chain: with a chain key (LEDGER_CHAIN_KEY), `hash` is an HMAC-SHA256 under that key instead,
 * and the metadata names the key by `hashKeyId` (covered by the hash, so it cannot be dropped
 * without the key). Someone who can write to the database but does not hold the key cannot
 * compute a valid chain. Without a key, anyone who can write can recompute one: see docs/audit.md.
 */
export const HASH_ALGORITHM = 'sha256';

/** Metadata field naming the chain key an event's hash was made with (absent: plain SHA-256). */
export const HASH_KEY_ID = 'hashKeyId';

export interface ChainHead {
  readonly revision: StreamRevision;
  /** Hash of the stream's last event, or null when it has none (empty stream, unhashed prefix). */
  readonly hash: string | null;
}

export const emptyChain: ChainHead = { revision: 'no_stream', hash: null };

/** A secret for the keyed chain, with the public id stored on every event it hashed. */
export interface ChainKey {
  /** 16 hex digits derived from the key (an HMAC of a fixed text): tells keys apart, reveals nothing of it. */
  readonly id: string;
  readonly secret: KeyObject;
}

/** Shortest accepted chain key: 32 bytes, the HMAC-SHA256 block's worth of guessing. */
export const MIN_CHAIN_KEY_BYTES = 32;

export function chainKey(secret: Uint8Array): ChainKey {
  if (secret.length < MIN_CHAIN_KEY_BYTES) throw new RangeError(`a chain key needs at least ${MIN_CHAIN_KEY_BYTES} bytes`);
  const key = createSecretKey(Buffer.from(secret));
  return { id: createHmac('sha256', key).update('loyalty-ledger chain key id').digest('hex').slice(0, 16), secret: key };
}

/** The chain head after a recorded event (the event's own hash, if it carries one). */
export function chainHeadOf(event: RecordedEvent): ChainHead {
  const hash = event.metadata['hash'];
  return { revision: event.revision, hash: typeof hash === 'string' ? hash : null };
}

/** Adds `prevHash` and `hash` (and, keyed, `hashKeyId`) to events about to be appended after `head`. */
export function chainEvents(streamName: string, head: ChainHead, events: readonly NewEvent[], key?: ChainKey): NewEvent[] {
  let revision = head.revision === 'no_stream' ? -1n : head.revision;
  let prevHash = head.hash;
  return events.map((event) => {
    revision += 1n;
    // Fresh events (all but a re-chained one) carry no hash fields: one copy of their metadata,
    // not a rest-destructure and two spreads, since every append of every command passes here.
    const source = event.metadata;
    let metadata: Record<string, Json>;
    if (!('hash' in source) && !(HASH_KEY_ID in source)) metadata = { ...source, prevHash };
    else {
      const { hash: _ignored, [HASH_KEY_ID]: _keyId, ...rest } = source;
      metadata = { ...rest, prevHash };
    }
    if (key !== undefined) metadata[HASH_KEY_ID] = key.id;
    const chained = { ...event, metadata };
    const hash = eventHash(streamName, revision, chained, key);
    prevHash = hash;
    // This object is ours and hashed already: the hash is its last field.
    metadata['hash'] = hash;
    return chained;
  });
}

/**
 * The hash an event must carry, computed from everything but the hash itself: SHA-256, or with
 * `key` an HMAC-SHA256 under it.
 */
export function eventHash(streamName: string, revision: bigint, event: Pick<NewEvent, 'id' | 'type' | 'data' | 'metadata'>, key?: ChainKey): string {
  const canonical = canonicalEvent(streamName, revision, event);
  if (key !== undefined) return createHmac(HASH_ALGORITHM, key.secret).update(canonical).digest('hex');
  return digestHex(HASH_ALGORITHM, canonical);
}

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** A digest of a short text, hex: crypto.hash (Node >= 20.12) where there is one, a third faster than a Hash object on these. */
export const digestHex = (algorithm: 'sha1' | 'sha256', text: string): string =>
  oneShotHash !== undefined ? oneShotHash(algorithm, text, 'hex') : createHash(algorithm).update(text).digest('hex');

/**
 * `canonicalJson({streamName, revision, id, type, data, metadata without hash})`, written out: the
 * top-level keys in their sorted order, and the metadata encoded without copying it to drop `hash`.
 */
function canonicalEvent(streamName: string, revision: bigint, event: Pick<NewEvent, 'id' | 'type' | 'data' | 'metadata'>): string {
  return (
    `{"data":${canonicalJson(event.data)},"id":${canonicalJson(event.id)},"metadata":${canonicalObject(event.metadata, 'hash')},` +
    `"revision":"${revision}","streamName":${canonicalJson(streamName)},"type":${canonicalJson(event.type)}}`
  );
}

/** Quoted keys, by key: events repeat the same few dozen field names. */
const quotedKeys = new Map<string, string>();
const quoted = (key: string): string => {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
};

/** Printable ASCII without `"` and `\\`: JSON.stringify would only add the quotes. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * JSON with object keys sorted at every level: the same value always encodes to the same bytes.
 * Byte for byte what JSON.stringify gives for each value, with faster paths for the common ones:
 * every stream load and verify-chain run this for each event (known-answer vectors in the spec).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
      // JSON.stringify's own rule: finite numbers as Number#toString, the rest as null.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  return canonicalObject(value as Record<string, unknown>, undefined);
}

/**
 * The array sorted as Array#sort sorts strings (by UTF-16 code units), in place: an insertion
 * sort for the short key lists of events, about three times faster than Array#sort there and
 * allocating nothing (its work arrays were a tenth of all a lifecycle pass allocated; verify-chain
 * sorts the keys of every object of every event); Array#sort for long lists, kept O(n log n).
 */
function sortedInPlace(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** An object's canonical encoding, leaving out the member `skip` (the hash, for eventHash). */
function canonicalObject(record: Readonly<Record<string, unknown>>, skip: string | undefined): string {
  const keys = sortedInPlace(Object.keys(record));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || key === skip) continue;
    out += (first ? '' : ',') + quoted(key) + ':' + canonicalJson(item);
    first = false;
  }
  return `${out}}`;
}
