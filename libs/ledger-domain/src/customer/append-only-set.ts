/**
 * An immutable set of ids that only grows, cheap to extend: every version shares one
 * backing log and sees only its first `size` entries, so `add` is O(1) instead of copying.
 * Extending an older version (a branch) copies first, so no version ever changes under a
 * holder. This keeps `evolve` pure without making a replay of a long stream quadratic.
 */
export class AppendOnlySet {
  private constructor(
    private readonly log: string[],
    private readonly index: Map<string, number>,
    readonly size: number,
  ) {}

  static empty(): AppendOnlySet {
    return new AppendOnlySet([], new Map(), 0);
  }

  has(id: string): boolean {
    const at = this.index.get(id);
    return at !== undefined && at < this.size;
  }

  add(id: string): AppendOnlySet {
    if (this.has(id)) return this;
    if (this.size === this.log.length) {
      this.log.push(id);
      this.index.set(id, this.size);
      return new AppendOnlySet(this.log, this.index, this.size + 1);
    }
    const log = this.log.slice(0, this.size);
    const index = new Map(log.map((v, i) => [v, i] as const));
    log.push(id);
    index.set(id, this.size);
    return new AppendOnlySet(log, index, this.size + 1);
  }
}
