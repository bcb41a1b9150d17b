import type { RecordedEvent } from './event-store.port';
import { eventHash, HASH_KEY_ID, type ChainKey } from './hash-chain';

/**
 * The one check of a stream's hash chain, event by event, shared by `ledger audit verify-chain`
 * (the whole log) and the command path (each stream as it is loaded, incrementally: a cursor is
 * kept per stream, so every event is checked once, when it is first read).
 */
export type ChainBreakKind =
  /** The event's content no longer matches its hash: a field was changed. */
  | 'altered'
  /** The event does not continue the chain of the one before it: one was inserted, removed or swapped. */
  | 'broken-link'
  /** Revisions skip a number: an event was removed. */
  | 'missing-revision'
  /** Revisions go backwards or repeat in log order: events were reordered. */
  | 'out-of-order'
  /** An event without a hash: every event this code writes has one, so it was stripped or forged. */
  | 'unhashed'
  /** A plain SHA-256 event where the chain key is required: after a keyed event, or written since the key was set. */
  | 'unkeyed'
  /** A keyed event (HMAC) checked without the chain key: its content cannot be verified. */
  | 'key-required';

/** What the chain must satisfy. The defaults are the strictest: every event hashed. */
export interface ChainPolicy {
  /** The chain key (LEDGER_CHAIN_KEY): keyed events are verified with it, and plain ones are refused (but see `unkeyedBefore`). */
  readonly key?: ChainKey | undefined;
  /**
   * For logs migrated from elsewhere: accept events without a hash at the start of a stream (the
   * chain then begins at the first hashed one). Off by default.
   */
  readonly acceptUnhashedPrefix?: boolean | undefined;
  /**
   * With a key: plain SHA-256 events at positions up to this one were written before the key was
   * set, and are accepted as the start of their stream (never after a keyed event). Without it,
   * every event must be keyed.
   */
  readonly unkeyedBefore?: bigint | undefined;
}

/** Where a stream's chain stands after the events checked so far. */
export interface ChainCursor {
  readonly nextRevision: bigint;
  /** Hash of the last event (null: none yet, or an accepted unhashed prefix). */
  readonly lastHash: string | null;
  /** A hashed event was seen: from here on an unhashed one is tampering, whatever the policy. */
  readonly hashed: boolean;
  /** A keyed event was seen: from here on a plain one is tampering. */
  readonly keyed: boolean;
}

export const chainStart: ChainCursor = { nextRevision: 0n, lastHash: null, hashed: false, keyed: false };

export type ChainReport = (kind: ChainBreakKind, detail: string) => void;

/**
 * Checks `event` as the next one of the stream whose chain stands at `cursor`, calling `report`
 * for each thing wrong with it (none: the link holds), and returns the cursor after it.
 */
export function checkChainLink(cursor: ChainCursor, event: RecordedEvent, policy: ChainPolicy, report: ChainReport): ChainCursor {
  if (event.revision > cursor.nextRevision) report('missing-revision', `expected revision ${cursor.nextRevision}, found ${event.revision}`);
  if (event.revision < cursor.nextRevision) report('out-of-order', `revision ${event.revision} after revision ${cursor.nextRevision - 1n}`);
  const nextRevision = event.revision + 1n;

  const hash = event.metadata['hash'];
  if (typeof hash !== 'string') {
    if (cursor.hashed) report('unhashed', 'no hash after hashed events');
    else if (policy.acceptUnhashedPrefix !== true) report('unhashed', 'no hash (every event this ledger writes carries one)');
    return { nextRevision, lastHash: null, hashed: cursor.hashed, keyed: cursor.keyed };
  }

  const keyId = event.metadata[HASH_KEY_ID];
  const keyed = keyId !== undefined;
  if (keyed) {
    if (policy.key === undefined) report('key-required', 'hashed with a chain key (HMAC-SHA256), which was not given');
    else if (keyId !== policy.key.id) report('altered', 'hashed with another chain key than the one given');
    else if (eventHash(event.streamName, event.revision, event, policy.key) !== hash) report('altered', 'content does not match its hash');
  } else {
    if (cursor.keyed) report('unkeyed', 'plain SHA-256 after keyed events');
    else if (policy.key !== undefined && (policy.unkeyedBefore === undefined || event.position > policy.unkeyedBefore)) {
      report('unkeyed', 'plain SHA-256 where the chain key is required');
    }
    if (eventHash(event.streamName, event.revision, event) !== hash) report('altered', 'content does not match its hash');
  }
  // null for a stream's first event, and for the first hashed one after an accepted unhashed prefix.
  if ((event.metadata['prevHash'] ?? null) !== cursor.lastHash) report('broken-link', 'prevHash is not the hash of the event before it');
  return { nextRevision, lastHash: hash, hashed: true, keyed: cursor.keyed || keyed };
}

/** The cursor after an event this process wrote itself (hashed by `chainEvents`): nothing to check. */
export function advanceChain(cursor: ChainCursor, event: RecordedEvent): ChainCursor {
  const hash = event.metadata['hash'];
  return {
    nextRevision: event.revision + 1n,
    lastHash: typeof hash === 'string' ? hash : null,
    hashed: cursor.hashed || typeof hash === 'string',
    keyed: cursor.keyed || event.metadata[HASH_KEY_ID] !== undefined,
  };
}
