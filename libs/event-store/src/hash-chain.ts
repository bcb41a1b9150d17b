import { createHash } from 'node:crypto';
import type { JsonObject, NewEvent, RecordedEvent, StreamRevision } from './event-store.port';

/**
 * Tamper evidence: every event's metadata carries `hash`, a SHA-256 over the canonical encoding of
 * the event (stream, revision, id, type, data, and metadata without `hash`), and `prevHash`, the
 * hash of the stream's previous event. Altering, removing, inserting or reordering an event breaks
 * the chain from that point on; `ledger audit verify-chain` walks it.
 *
 * Canonical encoding: JSON with object keys sorted (UTF-16 code-unit order, JavaScript's default sort) at every level, no
 * whitespace, the revision as a decimal string. `prevHash` is null for the first event of a stream.
 * Events without `hash` (none exist yet, but a store imported from elsewhere may hold some) are
 * accepted only as a prefix of their stream: the chain starts at the first hashed event.
 */
export const HASH_ALGORITHM = 'sha256';

export interface ChainHead {
  readonly revision: StreamRevision;
  /** Hash of the stream's last event, or null when it has none (empty stream, unhashed prefix). */
  readonly hash: string | null;
}

export const emptyChain: ChainHead = { revision: 'no_stream', hash: null };

/** The chain head after a recorded event (the event's own hash, if it carries one). */
export function chainHeadOf(event: RecordedEvent): ChainHead {
  const hash = event.metadata['hash'];
  return { revision: event.revision, hash: typeof hash === 'string' ? hash : null };
}

/** Adds `prevHash` and `hash` to events about to be appended after `head`. */
export function chainEvents(streamName: string, head: ChainHead, events: readonly NewEvent[]): NewEvent[] {
  let revision = head.revision === 'no_stream' ? -1n : head.revision;
  let prevHash = head.hash;
  return events.map((event) => {
    revision += 1n;
    const { hash: _ignored, ...rest } = event.metadata;
    const metadata: JsonObject = { ...rest, prevHash };
    const hash = eventHash(streamName, revision, { ...event, metadata });
    prevHash = hash;
    return { ...event, metadata: { ...metadata, hash } };
  });
}

/** The hash an event must carry, computed from everything but the hash itself. */
export function eventHash(streamName: string, revision: bigint, event: Pick<NewEvent, 'id' | 'type' | 'data' | 'metadata'>): string {
  const { hash: _ignored, ...metadata } = event.metadata;
  const canonical = canonicalJson({ streamName, revision: revision.toString(), id: event.id, type: event.type, data: event.data, metadata });
  return createHash(HASH_ALGORITHM).update(canonical).digest('hex');
}

/** JSON with object keys sorted at every level: the same value always encodes to the same bytes. */
export function canonicalJson(value: unknown): string {
  // Plain loops and string building: verify-chain runs this for every event of the log.
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}
