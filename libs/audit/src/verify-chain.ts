import { createHash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { eventHash } from '#event-store/hash-chain';

/** What verify-chain can find wrong with a stream. */
export type ChainFindingKind =
  /** The event's content no longer matches its hash: a field was changed. */
  | 'altered'
  /** The event does not continue the chain of the one before it: one was inserted, removed or swapped. */
  | 'broken-link'
  /** Revisions skip a number: an event was removed. */
  | 'missing-revision'
  /** Revisions go backwards or repeat in log order: events were reordered. */
  | 'out-of-order'
  /** An event without a hash after hashed ones: its hash was stripped. */
  | 'unhashed';

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
  /** Events before the chain began in their stream (accepted, but not provable). */
  readonly unhashedPrefix: number;
  readonly findings: readonly ChainFinding[];
  /**
   * SHA-256 over every stream's name and last hash, in name order. Record it: a later run that
   * prints a different digest for the same streams means history was rewritten, even by someone
   * who recomputed every hash (the chain alone cannot show that, nor a truncated stream tail).
   */
  readonly digest: string;
}

interface StreamWalk {
  nextRevision: bigint;
  lastHash: string | null;
  hashed: boolean;
}

/** Walks the hash chain of every stream in the log (`streams` undefined) or of the given streams. */
export async function verifyChain(
  store: EventStore,
  options: { streams?: readonly string[]; pageSize?: number; onProgress?: (events: number, position: bigint) => void } = {},
): Promise<ChainReport> {
  const walks = new Map<string, StreamWalk>();
  const findings: ChainFinding[] = [];
  let events = 0;
  let unhashedPrefix = 0;
  const visit = (event: RecordedEvent) => {
    events += 1;
    let walk = walks.get(event.streamName);
    if (walk === undefined) {
      walk = { nextRevision: 0n, lastHash: null, hashed: false };
      walks.set(event.streamName, walk);
    }
    const report = (kind: ChainFindingKind, detail: string) =>
      findings.push({ kind, streamName: event.streamName, revision: event.revision.toString(), position: event.position.toString(), detail });

    if (event.revision > walk.nextRevision) report('missing-revision', `expected revision ${walk.nextRevision}, found ${event.revision}`);
    if (event.revision < walk.nextRevision) report('out-of-order', `revision ${event.revision} after revision ${walk.nextRevision - 1n}`);
    walk.nextRevision = event.revision + 1n;

    const hash = event.metadata['hash'];
    if (typeof hash !== 'string') {
      if (walk.hashed) report('unhashed', 'no hash after hashed events');
      else unhashedPrefix += 1;
      walk.lastHash = null;
      return;
    }
    const expected = eventHash(event.streamName, event.revision, event);
    if (expected !== hash) report('altered', 'content does not match its hash');
    const prevHash = event.metadata['prevHash'] ?? null;
    // null for a stream's first event, and for the first hashed one after an unhashed prefix.
    if (prevHash !== walk.lastHash) report('broken-link', 'prevHash is not the hash of the event before it');
    walk.hashed = true;
    walk.lastHash = hash;
  };

  if (options.streams !== undefined) {
    for (const stream of options.streams) {
      for (const event of (await store.readStream(stream)).events) visit(event);
    }
  } else {
    let after = 0n;
    const pageSize = options.pageSize ?? 5000;
    for (;;) {
      const page = await store.readAll({ after, maxCount: pageSize });
      if (page.length === 0) break;
      for (const event of page) visit(event);
      after = page[page.length - 1]!.position;
      options.onProgress?.(events, after);
    }
  }

  const digest = createHash('sha256');
  for (const name of [...walks.keys()].sort()) digest.update(`${name}\u0000${walks.get(name)!.lastHash ?? ''}\n`);
  return { streams: walks.size, events, unhashedPrefix, findings, digest: digest.digest('hex') };
}
