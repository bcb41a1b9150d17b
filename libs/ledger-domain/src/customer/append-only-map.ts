/**
 * An immutable map from ids to values that is cheap to extend and to update: every version
 * shares one backing log of writes and sees only its first `size` entries, so `set` is O(1)
 * instead of copying the map. Writing to an older version (a branch) copies that version first,
 * so no version ever changes under a holder. This keeps `evolve` pure without making a replay
 * of a long stream quadratic (a customer's payments are looked up and updated by every refund,
 * activation and cashback).
 */
export class AppendOnlyMap<V> {
  private constructor(
    private readonly log: { readonly key: string; readonly value: V }[],
    /** For each key, the log positions written for it, ascending. */
    private readonly index: Map<string, number[]>,
    readonly size: number,
  ) {}

  static empty<V>(): AppendOnlyMap<V> {
    return new AppendOnlyMap<V>([], new Map(), 0);
  }

  get(key: string): V | undefined {
    const positions = this.index.get(key);
    if (positions === undefined) return undefined;
    for (let i = positions.length - 1; i >= 0; i--) {
      const at = positions[i]!;
      if (at < this.size) return this.log[at]!.value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Every key's latest value in this version (in first-written order). */
  *values(): IterableIterator<V> {
    for (const key of this.index.keys()) {
      const value = this.get(key);
      if (value !== undefined) yield value;
    }
  }

  set(key: string, value: V): AppendOnlyMap<V> {
    if (this.size === this.log.length) {
      this.log.push({ key, value });
      const positions = this.index.get(key);
      if (positions === undefined) this.index.set(key, [this.size]);
      else positions.push(this.size);
      return new AppendOnlyMap(this.log, this.index, this.size + 1);
    }
    // A branch: later writes belong to another version; copy this one and write to the copy.
    const log = this.log.slice(0, this.size);
    const index = new Map<string, number[]>();
    log.forEach((entry, at) => {
      const positions = index.get(entry.key);
      if (positions === undefined) index.set(entry.key, [at]);
      else positions.push(at);
    });
    return new AppendOnlyMap(log, index, this.size).set(key, value);
  }
}
