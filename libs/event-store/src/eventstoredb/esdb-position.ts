/**
 * EventStoreDB places an event in `$all` by two numbers: the commit position (where its
 * transaction was committed) and the prepare position (where the event itself was written).
 * The events of one multi-event append share their commit position, so neither number alone
 * is both unique and enough to resume a read: resuming from a prepare position in the middle
 * of a transaction would skip the rest of it. The port wants one BigInt, unique and increasing
 * in `$all` order, so both travel together: `commit · 2^64 + prepare`. Lossless (both are
 * unsigned 64-bit), ordered exactly like `$all` (by commit, then prepare), and decodable into
 * the position a read or subscription resumes from.
 */
export interface EsdbPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const U64 = 1n << 64n;

export function encodePosition(position: EsdbPosition): bigint {
  if (position.commit < 0n || position.commit >= U64 || position.prepare < 0n || position.prepare >= U64) {
    throw new RangeError('an EventStoreDB position is two unsigned 64-bit numbers');
  }
  return position.commit * U64 + position.prepare;
}

export function decodePosition(position: bigint): EsdbPosition {
  if (position < 0n || position >= U64 * U64) throw new RangeError('not an encoded EventStoreDB position');
  return { commit: position / U64, prepare: position % U64 };
}
