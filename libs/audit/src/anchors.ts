import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { eventHash } from '#event-store/hash-chain';

/**
 * Anchors: the digest of the whole log up to a position, kept outside the database (an
 * append-only file, or an external log). The hash chain shows an event changed in place; it cannot
 * show a tail cut off, nor a chain recomputed from scratch by someone who can write the database
 * (unkeyed chains). An anchor can: `verify-chain --anchors FILE` recomputes the digest at every
 * anchored position and reports each one that no longer matches.
 *
 * The digest is a running SHA-256 over every event in log order: for each event,
 * `sha256(previous || "\n" || position "\0" stream "\0" revision "\0" hash)`, starting from
 * `sha256("loyalty-ledger anchors v1")`. It is a fold, so a new anchor continues from the last one
 * in the file rather than reading the log again.
 */
export interface Anchor {
  /** The log's head when the anchor was taken: every event at or below it is covered. */
  readonly position: string;
  /** Events at or below `position`. */
  readonly events: number;
  readonly digest: string;
  /** When the anchor was taken (ISO 8601, UTC). */
  readonly at: string;
}

export const ANCHOR_GENESIS = createHash('sha256').update('loyalty-ledger anchors v1').digest('hex');

/** The running digest after one more event. */
export function extendDigest(previous: string, event: RecordedEvent): string {
  const stored = event.metadata['hash'];
  // An unhashed event is covered by its content all the same.
  const hash = typeof stored === 'string' ? stored : eventHash(event.streamName, event.revision, event);
  return createHash('sha256').update(`${previous}\n${event.position}\u0000${event.streamName}\u0000${event.revision}\u0000${hash}`).digest('hex');
}

export class AnchorError extends Error {}

/**
 * Events per page of a walk over the whole log that keeps nothing of a page once it is checked
 * (verify-chain, taking an anchor). Small pages: a page of 5,000 parsed events outlived the young
 * generation's collections and was copied and promoted for nothing, which cost verify-chain about
 * a quarter of its CPU (paired runs in docs/benchmarks.md); 500 keeps the queries per event low.
 */
export const LOG_WALK_PAGE_SIZE = 500;

/**
 * The anchor for the log as it is now, continuing from `previous` (the last anchor taken) when given.
 * Reads the head first, then the log up to it: appends made meanwhile wait for the next anchor.
 */
export async function takeAnchor(store: EventStore, options: { previous?: Anchor | undefined; now: Date; pageSize?: number }): Promise<Anchor> {
  const head = await store.headPosition();
  const previous = options.previous;
  let digest = previous?.digest ?? ANCHOR_GENESIS;
  let events = previous?.events ?? 0;
  let after = previous === undefined ? 0n : BigInt(previous.position);
  if (after > head)
    throw new AnchorError(`the last anchor is at position ${after}, beyond the log's head ${head}: the log was cut; run verify-chain --anchors`);
  const pageSize = options.pageSize ?? LOG_WALK_PAGE_SIZE;
  while (after < head) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > head) break;
      digest = extendDigest(digest, event);
      events += 1;
    }
    after = page[page.length - 1]!.position;
  }
  return { position: head.toString(), events, digest, at: options.now.toISOString() };
}

/** Every anchor in a file, oldest first; a missing file holds none. Lines that are not anchors are an error naming the line. */
export function readAnchors(file: string): Anchor[] {
  if (!existsSync(file)) return [];
  const anchors: Anchor[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const a = (parsed ?? {}) as Record<string, unknown>;
      if (
        typeof a['position'] !== 'string' ||
        !/^\d{1,40}$/.test(a['position']) ||
        typeof a['events'] !== 'number' ||
        !Number.isSafeInteger(a['events']) ||
        typeof a['digest'] !== 'string' ||
        !/^[0-9a-f]{64}$/.test(a['digest']) ||
        typeof a['at'] !== 'string'
      ) {
        throw new AnchorError(`${file} line ${index + 1} is not an anchor {position, events, digest, at}`);
      }
      anchors.push({ position: a['position'], events: a['events'], digest: a['digest'], at: a['at'] });
    });
  return anchors.sort((x, y) => (BigInt(x.position) < BigInt(y.position) ? -1 : BigInt(x.position) > BigInt(y.position) ? 1 : 0));
}

/** Appends one anchor as a JSON line and makes it durable (the file is created owner-only). */
export function appendAnchor(file: string, anchor: Anchor): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(anchor)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
