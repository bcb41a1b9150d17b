import { createHash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { chainStart, checkChainLink, type ChainBreakKind, type ChainCursor, type ChainPolicy } from '#event-store/chain-check';
import { HASH_KEY_ID } from '#event-store/hash-chain';
import { ANCHOR_GENESIS, extendDigest, LOG_WALK_PAGE_SIZE, type Anchor } from './anchors';

/**
 * What verify-chain can find wrong: a stream's chain (see `#event-store/chain-check`), or the
 * log's history up to an anchor (`anchor-mismatch`: the events up to that position are no longer
 * those anchored, e.g. a cut tail or a recomputed chain).
 */
export type ChainFindingKind = ChainBreakKind | 'anchor-mismatch';

export interface ChainFinding {
  readonly kind: ChainFindingKind;
  readonly streamName: string;
  readonly revision: string;
  readonly position: string;
  readonly detail: string;
}

export interface ChainReport {
  readonly streams: number;
  readonly events: number;
  /** Events before the chain began in their stream, accepted only with `acceptUnhashedPrefix` (not provable). */
  readonly unhashedPrefix: number;
  /** Events hashed with the chain key (HMAC-SHA256). */
  readonly keyed: number;
  /** Anchors checked (0 without `--anchors`). */
  readonly anchors: number;
  readonly findings: readonly ChainFinding[];
  /**
   * SHA-256 over every stream's name and last hash, in name order. Record it: a later run that
   * prints a different digest for the same streams means history was rewritten, even by someone
   * who recomputed every hash (the chain alone cannot show that, nor a truncated stream tail).
   */
  readonly digest: string;
}

export interface VerifyChainOptions extends ChainPolicy {
  /** Only these streams (default: every stream in the log). */
  readonly streams?: readonly string[];
  /** Anchors to check the log's history against (whole-log walks only). */
  readonly anchors?: readonly Anchor[];
  readonly pageSize?: number;
  readonly onProgress?: (events: number, position: bigint) => void;
}

/** Walks the hash chain of every stream in the log (`streams` undefined) or of the given streams. */
export async function verifyChain(store: EventStore, options: VerifyChainOptions = {}): Promise<ChainReport> {
  if (options.streams !== undefined && options.anchors !== undefined && options.anchors.length > 0) {
    throw new RangeError('anchors cover the whole log: they cannot be checked on a few streams');
  }
  const policy: ChainPolicy = { key: options.key, acceptUnhashedPrefix: options.acceptUnhashedPrefix, unkeyedBefore: options.unkeyedBefore };
  const cursors = new Map<string, ChainCursor>();
  const findings: ChainFinding[] = [];
  let events = 0;
  let unhashedPrefix = 0;
  let keyed = 0;

  const visit = (event: RecordedEvent) => {
    events += 1;
    const cursor = cursors.get(event.streamName) ?? chainStart;
    const next = checkChainLink(cursor, event, policy, (kind, detail) =>
      findings.push({ kind, streamName: event.streamName, revision: event.revision.toString(), position: event.position.toString(), detail }),
    );
    if (typeof event.metadata['hash'] !== 'string' && !cursor.hashed && policy.acceptUnhashedPrefix === true) unhashedPrefix += 1;
    if (event.metadata[HASH_KEY_ID] !== undefined) keyed += 1;
    cursors.set(event.streamName, next);
  };

  // Anchors, oldest first: the running digest must equal each anchor's once every event up to its position is in.
  const anchors = [...(options.anchors ?? [])];
  let logDigest = ANCHOR_GENESIS;
  let logEvents = 0;
  let nextAnchor = 0;
  const checkAnchorsBelow = (position: bigint | undefined) => {
    while (nextAnchor < anchors.length && (position === undefined || BigInt(anchors[nextAnchor]!.position) < position)) {
      const anchor = anchors[nextAnchor++]!;
      if (anchor.digest !== logDigest) {
        findings.push({
          kind: 'anchor-mismatch',
          streamName: '$all',
          revision: '-',
          position: anchor.position,
          detail: `history up to position ${anchor.position} is not what was anchored at ${anchor.at} (${anchor.events} events then, ${logEvents} now)`,
        });
      }
    }
  };

  if (options.streams !== undefined) {
    for (const stream of options.streams) {
      for (const event of (await store.readStream(stream)).events) visit(event);
    }
  } else {
    let after = 0n;
    const pageSize = options.pageSize ?? LOG_WALK_PAGE_SIZE;
    for (;;) {
      const page = await store.readAll({ after, maxCount: pageSize });
      if (page.length === 0) break;
      for (const event of page) {
        visit(event);
        if (anchors.length === 0) continue;
        checkAnchorsBelow(event.position);
        logDigest = extendDigest(logDigest, event);
        logEvents += 1;
      }
      after = page[page.length - 1]!.position;
      options.onProgress?.(events, after);
    }
    checkAnchorsBelow(undefined);
  }

  const digest = createHash('sha256');
  for (const name of [...cursors.keys()].sort()) digest.update(`${name}\u0000${cursors.get(name)!.lastHash ?? ''}\n`);
  return { streams: cursors.size, events, unhashedPrefix, keyed, anchors: anchors.length, findings, digest: digest.digest('hex') };
}
