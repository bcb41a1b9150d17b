import type { EventStore } from './event-store.port';

/**
 * How far a reader is through the log, from positions alone. Positions are places, not counts
 * (the embedded store's happen to count events; EventStoreDB's are byte offsets, encoded as
 * commit · 2^64 + prepare), so the number of events is estimated from the share of the log read:
 * events read so far ÷ (position reached ÷ head). Exact on the embedded store, proportional to
 * bytes on EventStoreDB. Only for progress lines and ETAs; nothing is decided with it.
 */
export function estimateTotalEvents(eventsRead: number, position: bigint, head: bigint): number {
  if (eventsRead === 0 || position <= 0n || head <= 0n) return eventsRead;
  if (position >= head) return eventsRead;
  // Parts per million in BigInt, so positions above 2^53 lose nothing before the division.
  const perMillion = Number((position * 1_000_000n) / head);
  return perMillion === 0 ? eventsRead : Math.max(eventsRead, Math.round((eventsRead * 1_000_000) / perMillion));
}

/**
 * Events after `after`, counted by reading them (positions are not counts), stopping at `cap`:
 * a lag gauge wants "how many", and past a few thousand "many" is the answer.
 */
export async function countEventsAfter(store: Pick<EventStore, 'readAll'>, after: bigint, cap = 10_000): Promise<number> {
  let counted = 0;
  let from = after;
  while (counted < cap) {
    const page = await store.readAll({ after: from, maxCount: Math.min(1000, cap - counted) });
    if (page.length === 0) break;
    counted += page.length;
    from = page[page.length - 1]!.position;
  }
  return counted;
}
